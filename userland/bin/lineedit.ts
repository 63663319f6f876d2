// Interactive line editing for the shell on a terminal in raw mode: insert and delete,
// cursor movement (arrows, ^A ^E), kill (^U ^K), history (up/down), ^C cancels, ^D ends input.

import { readSome, stdout } from "../lib/io";

const key = memory.data(8);
const history = new Array<string>();

function readKey(): i32 {
  const n = readSome(0, key, 1);
  return n == 1 ? <i32>load<u8>(key) : -1;
}

function redraw(prompt: string, line: string, cursor: i32): void {
  stdout.str("\r").str(prompt).str(line).str("\x1b[K");
  if (cursor < line.length) stdout.str("\x1b[").str((line.length - cursor).toString()).str("D");
  stdout.flush();
}

/** Reads one line with editing; null at end of input (^D on an empty line). */
export function editLine(prompt: string): string | null {
  let line = "";
  let cursor = 0;
  let historyPos = history.length;
  stdout.str(prompt).flush();
  for (;;) {
    const c = readKey();
    if (c < 0) return line.length > 0 ? line : null;
    if (c == 13 || c == 10) {
      stdout.str("\r\n").flush();
      if (line.length > 0) history.push(line);
      return line;
    }
    if (c == 3) { stdout.str("^C\r\n").str(prompt).flush(); line = ""; cursor = 0; continue; }
    if (c == 4) {
      if (line.length == 0) { stdout.str("\r\n").flush(); return null; }
      if (cursor < line.length) line = line.substring(0, cursor) + line.substring(cursor + 1);
    } else if (c == 127 || c == 8) {
      if (cursor > 0) { line = line.substring(0, cursor - 1) + line.substring(cursor); cursor--; }
    } else if (c == 1) cursor = 0;
    else if (c == 5) cursor = line.length;
    else if (c == 21) { line = line.substring(cursor); cursor = 0; }
    else if (c == 11) line = line.substring(0, cursor);
    else if (c == 27) {
      if (readKey() != 91) continue;
      const k = readKey();
      if (k == 68 && cursor > 0) cursor--;
      else if (k == 67 && cursor < line.length) cursor++;
      else if (k == 72) cursor = 0;
      else if (k == 70) cursor = line.length;
      else if (k == 51) { readKey(); if (cursor < line.length) line = line.substring(0, cursor) + line.substring(cursor + 1); }
      else if (k == 65 && historyPos > 0) { line = history[--historyPos]; cursor = line.length; }
      else if (k == 66 && historyPos < history.length) {
        historyPos++;
        line = historyPos < history.length ? history[historyPos] : "";
        cursor = line.length;
      }
    } else if (c >= 32) {
      line = line.substring(0, cursor) + String.fromCharCode(c) + line.substring(cursor);
      cursor++;
    }
    redraw(prompt, line, cursor);
  }
  return null;
}
