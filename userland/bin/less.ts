// less: a pager on the terminal (raw keys: space/f, b, j/k/Enter, g/G, /search, n, q), showing a
// screen of lines and a status line; like cat when standard output is not a terminal.
import { replaceAll } from "../lib/strings";
import { stdout, readFd, copyFd, warn } from "../lib/io";
import { openInput } from "../lib/cmd";
import * as fs from "../lib/fs";
import { fd_read } from "../lib/wasi";
import { tty_mode, tty_getattr, TTY_RAW, TTY_COOKED } from "../lib/wasmbox";
import * as proc from "../lib/proc";
import { strerror, EINTR } from "../lib/errno";

const keyBuf = memory.data(16);

/** Reads one key byte from a terminal fd; -1 at the end of input. */
export function readKeyFrom(fd: i32): i32 {
  for (;;) {
    store<u32>(keyBuf, <u32>(keyBuf + 12));
    store<u32>(keyBuf, 1, 4);
    const err = fd_read(<u32>fd, keyBuf, 1, keyBuf + 8);
    if (err == EINTR) continue;
    return err == 0 && load<u32>(keyBuf, 8) == 1 ? <i32>load<u8>(keyBuf + 12) : -1;
  }
}

/** Whether fd is a terminal (the kernel answers tcgetattr). */
export function isTerminal(fd: i32): bool {
  return tty_getattr(<u32>fd, keyBuf) == 0;
}

/** The terminal fd to read keys from: standard input when it is a terminal, else /dev/tty (`cmd | less`); -1 if neither. */
export function keyboard(): i32 {
  if (isTerminal(0)) return 0;
  const fd = fs.open("/dev/tty");
  if (fd < 0) return -1;
  if (isTerminal(fd)) return fd;
  fs.close(fd);
  return -1;
}

class Pager {
  lines: string[] = [];
  top: i32 = 0;
  rows: i32 = 24;
  cols: i32 = 80;
  pattern: string = "";
  message: string = "";
  name: string = "";

  page(): i32 { return max(1, this.rows - 1); }
  maxTop(): i32 { return max(0, this.lines.length - this.page()); }

  draw(): void {
    stdout.str("\x1b[H\x1b[2J");
    const page = this.page();
    for (let i = 0; i < page; i++) {
      const at = this.top + i;
      if (at < this.lines.length) {
        let line = this.lines[at];
        if (line.length > this.cols) line = line.substring(0, this.cols);
        stdout.str(line);
      } else stdout.str("~");
      stdout.str("\r\n");
    }
    // The status line, in reverse video: the message, (END), the file name, or ":".
    const status = this.message != "" ? this.message : this.top >= this.maxTop() ? "(END)" : this.top == 0 && this.name != "" ? this.name : ":";
    stdout.str(status == ":" ? ":" : "\x1b[7m" + status + "\x1b[0m");
    stdout.flush();
    this.message = "";
  }

  /** Finds the next line from `from` matching the pattern (a plain substring); -1 if none. */
  search(from: i32, step: i32): i32 {
    for (let i = from; i >= 0 && i < this.lines.length; i += step) if (this.lines[i].includes(this.pattern)) return i;
    return -1;
  }

  /** Reads a line typed at the bottom (after "/"), echoing it; null if cancelled with Escape. */
  prompt(keys: i32, lead: string): string | null {
    let text = "";
    stdout.str("\r\x1b[K").str(lead).flush();
    for (;;) {
      const c = readKeyFrom(keys);
      if (c < 0 || c == 27) return null;
      if (c == 13 || c == 10) return text;
      if (c == 127 || c == 8) { if (text.length == 0) return null; text = text.substring(0, text.length - 1); }
      else if (c >= 32) text += String.fromCharCode(c);
      stdout.str("\r\x1b[K").str(lead).str(text).flush();
    }
    return null;
  }

  run(keys: i32): void {
    this.draw();
    for (;;) {
      const c = readKeyFrom(keys);
      if (c < 0 || c == 113 || c == 81) break; // q Q
      const page = this.page();
      if (c == 32 || c == 102 || c == 6) this.top = min(this.maxTop(), this.top + page); // space f ^F
      else if (c == 98 || c == 2) this.top = max(0, this.top - page); // b ^B
      else if (c == 106 || c == 13 || c == 10 || c == 101 || c == 14) this.top = min(this.maxTop(), this.top + 1); // j Enter e ^N
      else if (c == 107 || c == 121 || c == 16) this.top = max(0, this.top - 1); // k y ^P
      else if (c == 100) this.top = min(this.maxTop(), this.top + page / 2); // d
      else if (c == 117) this.top = max(0, this.top - page / 2); // u
      else if (c == 103 || c == 60) this.top = 0; // g <
      else if (c == 71 || c == 62) this.top = this.maxTop(); // G >
      else if (c == 47 || c == 110 || c == 78) { // / n N
        if (c == 47) { const p = this.prompt(keys, "/"); if (p == null) { this.draw(); continue; } if (p != "") this.pattern = p; }
        if (this.pattern == "") { this.message = "No previous regular expression"; this.draw(); continue; }
        const at = c == 78 ? this.search(this.top - 1, -1) : this.search(c == 47 ? this.top : this.top + 1, 1);
        if (at < 0) this.message = "Pattern not found";
        else this.top = min(at, max(0, this.lines.length - 1));
      } else if (c == 27) {
        // Arrow keys: ESC [ A/B, page keys ESC [ 5~ / 6~.
        if (readKeyFrom(keys) != 91) continue;
        const k = readKeyFrom(keys);
        if (k == 65) this.top = max(0, this.top - 1);
        else if (k == 66) this.top = min(this.maxTop(), this.top + 1);
        else if (k == 53 || k == 54) { readKeyFrom(keys); this.top = k == 53 ? max(0, this.top - page) : min(this.maxTop(), this.top + page); }
      }
      this.draw();
    }
    stdout.str("\r\x1b[K").flush();
  }
}

/** less [FILE]...: pages the files (or standard input) on the terminal; like cat when output is not a terminal. */
export function lessMain(args: string[]): i32 {
  const files = new Array<string>();
  for (let i = 0; i < args.length; i++) if (!args[i].startsWith("-") || args[i] == "-") files.push(args[i]);
  if (files.length == 0) files.push("-");
  const keys = keyboard();
  if (!isTerminal(1) || keys < 0) {
    // Not a terminal: copy the input through, as less does.
    let status = 0;
    for (let i = 0; i < files.length; i++) {
      const fd = openInput("less", files[i]);
      if (fd < 0) { status = 1; continue; }
      stdout.flush();
      copyFd(fd, 1);
      if (fd > 2) fs.close(fd);
    }
    return status;
  }
  const pager = new Pager();
  for (let i = 0; i < files.length; i++) {
    const fd = openInput("less", files[i]);
    if (fd < 0) return 1;
    const data = readFd(fd);
    if (fd > 2) fs.close(fd);
    if (data == null) { warn("less", files[i] + ": " + strerror(fs.lastError)); return 1; }
    let text = String.UTF8.decode(data.buffer);
    if (text.endsWith("\n")) text = text.substring(0, text.length - 1);
    const lines = text.split("\n");
    for (let k = 0; k < lines.length; k++) pager.lines.push(replaceAll(lines[k], "\t", "        "));
    if (files.length == 1 && files[0] != "-") pager.name = files[0];
  }
  if (proc.winsize(keys) == 0) { pager.rows = proc.windowRows; pager.cols = proc.windowCols; }
  tty_mode(<u32>keys, TTY_RAW);
  pager.run(keys);
  tty_mode(<u32>keys, TTY_COOKED);
  return 0;
}
