// Interactive line editing for the shell on a terminal in raw mode, as readline's emacs keys:
// moving (arrows, Home/End, ^A ^E ^B ^F, Alt-b/f), deleting (Backspace, Delete, ^D, ^U ^K ^W),
// history (Up/Down, ^P ^N), ^L clears the screen, Tab completes commands (from PATH) and paths,
// ^C cancels the line, ^D on an empty line ends input.

import { writeAll } from "../lib/io";
import { fd_read } from "../lib/wasi";
import { listNames, stat } from "../lib/fs";
import { join } from "../lib/path";
import { EINTR } from "../lib/errno";
import { stashSignals } from "./shjobs";

const key = memory.data(8);
const iov = memory.data(16);
const history = new Array<string>();
let completionPath = "/bin";
let screenCols = 80;
/** The builtins a command name may complete to besides PATH's programs. */
const BUILTINS = ["alias", "bg", "break", "cd", "command", "continue", "echo", "eval", "exec", "exit", "export", "false", "fg",
  "getopts", "hash", "jobs", "local", "printf", "pwd", "read", "readonly", "return", "set", "shift", "source", "test", "times", "trap",
  "true", "type", "ulimit", "umask", "unalias", "unset", "wait"];

/** Where command names are looked up for completion, and the screen's width for listing matches. */
export function setCompletionPath(path: string, cols: i32): void {
  completionPath = path;
  screenCols = cols > 0 ? cols : 80;
}

/** One byte of input; -1 at end of input. A caught signal is kept for the shell and the read goes on. */
function readKey(): i32 {
  for (;;) {
    store<u32>(iov, <u32>key);
    store<u32>(iov, 1, 4);
    const err = fd_read(0, iov, 1, iov + 8);
    if (err == EINTR) { stashSignals(); continue; }
    return err == 0 && load<u32>(iov, 8) == 1 ? <i32>load<u8>(key) : -1;
  }
}

function out(text: string): void {
  const bytes = String.UTF8.encode(text);
  writeAll(1, changetype<usize>(bytes), <usize>bytes.byteLength);
}

/** The line as the terminal should show it: prompt, text, erase to the end, cursor put back. */
function redraw(prompt: string, line: string, cursor: i32): void {
  let text = "\r" + prompt + line + "\x1b[K";
  if (cursor < line.length) text += "\x1b[" + (line.length - cursor).toString() + "D";
  out(text);
}

/** A character from its first byte and the continuation bytes read after it (UTF-8). */
function readChar(first: i32): string {
  let extra = first >= 0xf0 ? 3 : first >= 0xe0 ? 2 : first >= 0xc0 ? 1 : 0;
  let cp = extra == 3 ? first & 0x07 : extra == 2 ? first & 0x0f : extra == 1 ? first & 0x1f : first;
  while (extra-- > 0) {
    const b = readKey();
    if (b < 0) break;
    cp = (cp << 6) | (b & 0x3f);
  }
  return String.fromCodePoint(cp);
}

function isWordChar(c: i32): bool {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c >= 128;
}

/** Where the word at `cursor` starts (after the last blank or shell operator before it). */
function wordStart(line: string, cursor: i32): i32 {
  let i = cursor;
  while (i > 0) {
    const c = line.charCodeAt(i - 1);
    if (c == 32 || c == 9 || c == 59 || c == 124 || c == 38 || c == 40 || c == 60 || c == 62) break;
    i--;
  }
  return i;
}

/** Whether the word starting at `start` is in command position (first of a command). */
function commandPosition(line: string, start: i32): bool {
  let i = start;
  while (i > 0 && (line.charCodeAt(i - 1) == 32 || line.charCodeAt(i - 1) == 9)) i--;
  if (i == 0) return true;
  const c = line.charCodeAt(i - 1);
  return c == 59 || c == 124 || c == 38 || c == 40;
}

function commonPrefix(names: string[]): string {
  if (names.length == 0) return "";
  let prefix = names[0];
  for (let i = 1; i < names.length; i++) {
    let n = 0;
    const name = names[i];
    while (n < prefix.length && n < name.length && prefix.charCodeAt(n) == name.charCodeAt(n)) n++;
    prefix = prefix.substring(0, n);
  }
  return prefix;
}

/** Candidates for `word`: commands (builtins and PATH's programs) in command position, else paths. */
function candidates(word: string, command: bool): string[] {
  const found = new Array<string>();
  const seen = new Set<string>();
  if (command && word.indexOf("/") < 0) {
    for (let i = 0; i < BUILTINS.length; i++) if (BUILTINS[i].startsWith(word) && !seen.has(BUILTINS[i])) { seen.add(BUILTINS[i]); found.push(BUILTINS[i]); }
    const dirs = completionPath.split(":");
    for (let d = 0; d < dirs.length; d++) {
      const names = listNames(dirs[d].length > 0 ? dirs[d] : ".");
      if (names == null) continue;
      for (let i = 0; i < names.length; i++) {
        const name = names[i];
        if (name.startsWith(word) && !seen.has(name)) { seen.add(name); found.push(name); }
      }
    }
    found.sort();
    return found;
  }
  const slash = word.lastIndexOf("/");
  const dir = slash >= 0 ? word.substring(0, slash + 1) : "";
  const base = slash >= 0 ? word.substring(slash + 1) : word;
  const names = listNames(dir.length > 0 ? dir : ".");
  if (names == null) return found;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (!name.startsWith(base) || (name.startsWith(".") && !base.startsWith("."))) continue;
    const st = stat(join(dir.length > 0 ? dir : ".", name));
    found.push(dir + name + (st != null && st.isDir() ? "/" : ""));
  }
  return found;
}

/** Prints the matches in columns below the line, as readline does on a second Tab. */
function listMatches(matches: string[]): void {
  let width = 0;
  for (let i = 0; i < matches.length; i++) {
    const slash = matches[i].lastIndexOf("/", matches[i].length - 2);
    const shown = slash >= 0 ? matches[i].substring(slash + 1) : matches[i];
    if (shown.length > width) width = shown.length;
  }
  width += 2;
  const perLine = max(1, screenCols / width);
  let text = "\r\n";
  for (let i = 0; i < matches.length; i++) {
    const slash = matches[i].lastIndexOf("/", matches[i].length - 2);
    let shown = slash >= 0 ? matches[i].substring(slash + 1) : matches[i];
    const last = (i + 1) % perLine == 0 || i == matches.length - 1;
    if (!last) while (shown.length < width) shown += " ";
    text += shown + (last ? "\r\n" : "");
  }
  out(text);
}

/** Reads one line with editing; null at end of input (^D on an empty line). */
export function editLine(prompt: string): string | null {
  let line = "";
  let cursor = 0;
  let historyPos = history.length;
  /** The line being typed, kept while browsing history. */
  let draft = "";
  let lastWasTab = false;
  out(prompt);
  for (;;) {
    const c = readKey();
    if (c < 0) return line.length > 0 ? line : null;
    const tab = c == 9;
    if (c == 13 || c == 10) {
      out("\r\n");
      if (line.trim().length > 0 && (history.length == 0 || history[history.length - 1] != line)) history.push(line);
      return line;
    }
    if (c == 3) { out("^C\r\n" + prompt); line = ""; cursor = 0; historyPos = history.length; lastWasTab = false; continue; }
    if (c == 4) {
      if (line.length == 0) { out("\r\n"); return null; }
      if (cursor < line.length) line = line.substring(0, cursor) + line.substring(cursor + 1);
    } else if (c == 127 || c == 8) {
      if (cursor > 0) { line = line.substring(0, cursor - 1) + line.substring(cursor); cursor--; }
    } else if (c == 1) cursor = 0;
    else if (c == 5) cursor = line.length;
    else if (c == 2) { if (cursor > 0) cursor--; }
    else if (c == 6) { if (cursor < line.length) cursor++; }
    else if (c == 21) { line = line.substring(cursor); cursor = 0; }
    else if (c == 11) line = line.substring(0, cursor);
    else if (c == 23) {
      let start = cursor;
      while (start > 0 && line.charCodeAt(start - 1) == 32) start--;
      while (start > 0 && line.charCodeAt(start - 1) != 32) start--;
      line = line.substring(0, start) + line.substring(cursor);
      cursor = start;
    } else if (c == 12) out("\x1b[H\x1b[2J");
    else if (c == 16 || c == 14) {
      const moved = browse(c == 16 ? -1 : 1, historyPos, draft, line);
      if (moved != null) {
        if (historyPos == history.length) draft = line;
        historyPos += c == 16 ? -1 : 1;
        line = moved; cursor = line.length;
      }
    } else if (tab) {
      const start = wordStart(line, cursor);
      const word = line.substring(start, cursor);
      const matches = candidates(word, commandPosition(line, start));
      if (matches.length == 1) {
        const done = matches[0];
        const suffix = done.endsWith("/") ? "" : " ";
        line = line.substring(0, start) + done + suffix + line.substring(cursor);
        cursor = start + done.length + suffix.length;
      } else if (matches.length > 1) {
        const prefix = commonPrefix(matches);
        if (prefix.length > word.length) {
          line = line.substring(0, start) + prefix + line.substring(cursor);
          cursor = start + prefix.length;
        } else if (lastWasTab) {
          listMatches(matches);
        } else out("\x07");
      } else out("\x07");
    } else if (c == 27) {
      let k = readKey();
      if (k == 98 || k == 102) {
        // Alt-b / Alt-f: a word back or forward.
        if (k == 98) { while (cursor > 0 && !isWordChar(line.charCodeAt(cursor - 1))) cursor--; while (cursor > 0 && isWordChar(line.charCodeAt(cursor - 1))) cursor--; }
        else { while (cursor < line.length && !isWordChar(line.charCodeAt(cursor))) cursor++; while (cursor < line.length && isWordChar(line.charCodeAt(cursor))) cursor++; }
      } else if (k == 91 || k == 79) {
        k = readKey();
        // ESC [ n ~ sequences: 1/7 Home, 4/8 End, 3 Delete.
        if (k >= 48 && k <= 57) {
          let n = k - 48;
          let t = readKey();
          while (t >= 48 && t <= 57) { n = n * 10 + t - 48; t = readKey(); }
          if (n == 1 || n == 7) k = 72;
          else if (n == 4 || n == 8) k = 70;
          else if (n == 3) k = 51;
          else k = 0;
        }
        if (k == 68) { if (cursor > 0) cursor--; }
        else if (k == 67) { if (cursor < line.length) cursor++; }
        else if (k == 72) cursor = 0;
        else if (k == 70) cursor = line.length;
        else if (k == 51) { if (cursor < line.length) line = line.substring(0, cursor) + line.substring(cursor + 1); }
        else if (k == 65 || k == 66) {
          const moved = browse(k == 65 ? -1 : 1, historyPos, draft, line);
          if (moved != null) {
            if (historyPos == history.length) draft = line;
            historyPos += k == 65 ? -1 : 1;
            line = moved; cursor = line.length;
          }
        }
      }
    } else if (c >= 32) {
      const ch = readChar(c);
      line = line.substring(0, cursor) + ch + line.substring(cursor);
      cursor += ch.length;
    }
    lastWasTab = tab;
    redraw(prompt, line, cursor);
  }
  return null;
}

/** The history entry `step` away from `pos` (the draft past the newest); null past either end. */
function browse(step: i32, pos: i32, draft: string, current: string): string | null {
  const next = pos + step;
  if (next < 0 || next > history.length) return null;
  if (next == history.length) return pos == history.length ? current : draft;
  return history[next];
}
