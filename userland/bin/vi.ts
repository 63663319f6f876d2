// vi: a small modal editor on the terminal in raw mode. Normal mode moves (h j k l w b 0 $ gg G,
// arrows), edits (x dd yy p P o O J) and enters insert mode (i a A I); : runs w, q, wq, x, q!, w FILE
// and a line number; / and n search. The screen is redrawn after every key.
import { stdout, readFd, warn } from "../lib/io";
import * as fs from "../lib/fs";
import { tty_mode, TTY_RAW, TTY_COOKED } from "../lib/wasmbox";
import * as proc from "../lib/proc";
import { readKeyFrom, isTerminal } from "./less";

class Editor {
  lines: string[] = [""];
  row: i32 = 0;
  col: i32 = 0;
  top: i32 = 0;
  rows: i32 = 24;
  cols: i32 = 80;
  insert: bool = false;
  dirty: bool = false;
  file: string = "";
  message: string = "";
  /** Yanked or deleted lines (vi's unnamed register, linewise). */
  register: string[] = [];
  pattern: string = "";
  done: bool = false;

  line(): string { return this.lines[this.row]; }
  insertLine(at: i32, text: string): void {
    this.lines.push("");
    for (let i = this.lines.length - 1; i > at; i--) this.lines[i] = this.lines[i - 1];
    this.lines[at] = text;
  }
  clampCol(): void {
    const len = this.line().length;
    const last = this.insert ? len : max(0, len - 1);
    if (this.col > last) this.col = last;
    if (this.col < 0) this.col = 0;
  }
  scroll(): void {
    const page = this.rows - 1;
    if (this.row < this.top) this.top = this.row;
    if (this.row >= this.top + page) this.top = this.row - page + 1;
  }

  draw(): void {
    this.scroll();
    stdout.str("\x1b[H\x1b[2J");
    const page = this.rows - 1;
    for (let i = 0; i < page; i++) {
      const at = this.top + i;
      let text = at < this.lines.length ? this.lines[at] : "~";
      if (text.length > this.cols) text = text.substring(0, this.cols);
      stdout.str(text).str("\r\n");
    }
    stdout.str(this.message != "" ? this.message : this.insert ? "-- INSERT --" : "");
    stdout.str("\x1b[").str((this.row - this.top + 1).toString()).str(";").str((this.col + 1).toString()).str("H");
    stdout.flush();
  }

  load(path: string): void {
    this.file = path;
    const data = fs.readFile(path);
    if (data == null) { this.message = "\"" + path + "\" [New File]"; return; }
    let text = String.UTF8.decode(data.buffer);
    if (text.endsWith("\n")) text = text.substring(0, text.length - 1);
    this.lines = text.split("\n");
    this.message = "\"" + path + "\" " + this.lines.length.toString() + "L, " + data.length.toString() + "B";
  }

  write(path: string): bool {
    if (path == "") { this.message = "E32: No file name"; return false; }
    const text = this.lines.join("\n") + "\n";
    const bytes = String.UTF8.encode(text);
    const err = fs.writeFile(path, Uint8Array.wrap(bytes));
    if (err != 0) { this.message = "\"" + path + "\" E212: Can't open file for writing"; return false; }
    if (this.file == "") this.file = path;
    this.dirty = false;
    this.message = "\"" + path + "\" " + this.lines.length.toString() + "L, " + bytes.byteLength.toString() + "B written";
    return true;
  }

  /** Reads a line at the bottom after `lead` (: or /); null if cancelled. */
  prompt(keys: i32, lead: string): string | null {
    let text = "";
    for (;;) {
      stdout.str("\x1b[").str(this.rows.toString()).str(";1H\x1b[K").str(lead).str(text).flush();
      const c = readKeyFrom(keys);
      if (c < 0 || c == 27) return null;
      if (c == 13 || c == 10) return text;
      if (c == 127 || c == 8) { if (text.length == 0) return null; text = text.substring(0, text.length - 1); }
      else if (c >= 32) text += String.fromCharCode(c);
    }
    return null;
  }

  command(cmd: string): void {
    const c = cmd.trim();
    if (c == "") return;
    const n = I32.parseInt(c);
    if (!isNaN(<f64>n) && c.charCodeAt(0) >= 48 && c.charCodeAt(0) <= 57) { this.row = min(max(0, n - 1), this.lines.length - 1); this.col = 0; return; }
    if (c == "$") { this.row = this.lines.length - 1; return; }
    const space = c.indexOf(" ");
    const name = space < 0 ? c : c.substring(0, space);
    const arg = space < 0 ? "" : c.substring(space + 1).trim();
    if (name == "w" || name == "w!") { this.write(arg != "" ? arg : this.file); return; }
    if (name == "wq" || name == "x" || name == "wq!") { if (this.write(arg != "" ? arg : this.file)) this.done = true; return; }
    if (name == "q") { if (this.dirty) this.message = "E37: No write since last change (add ! to override)"; else this.done = true; return; }
    if (name == "q!") { this.done = true; return; }
    this.message = "E492: Not an editor command: " + c;
  }

  search(step: i32): void {
    if (this.pattern == "") { this.message = "E35: No previous regular expression"; return; }
    const n = this.lines.length;
    // From just past the cursor, wrapping around the end as vi does.
    for (let k = 0; k <= n; k++) {
      const r = ((this.row + step * k) % n + n) % n;
      const text = this.lines[r];
      let at = -1;
      if (step > 0) at = text.indexOf(this.pattern, k == 0 ? this.col + 1 : 0);
      else at = k == 0 ? (this.col > 0 ? text.lastIndexOf(this.pattern, this.col - 1) : -1) : text.lastIndexOf(this.pattern);
      if (at >= 0) { this.row = r; this.col = at; return; }
    }
    this.message = "E486: Pattern not found: " + this.pattern;
  }

  isWord(c: i32): bool { return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95; }

  wordForward(): void {
    const text = this.line();
    let i = this.col;
    if (i < text.length) {
      const w = this.isWord(text.charCodeAt(i));
      while (i < text.length && text.charCodeAt(i) != 32 && this.isWord(text.charCodeAt(i)) == w) i++;
    }
    while (i < text.length && text.charCodeAt(i) == 32) i++;
    if (i >= text.length && this.row < this.lines.length - 1) { this.row++; this.col = 0; const t = this.line(); let j = 0; while (j < t.length && t.charCodeAt(j) == 32) j++; this.col = j; return; }
    this.col = i;
  }

  wordBack(): void {
    let i = this.col;
    const text = this.line();
    if (i == 0) { if (this.row > 0) { this.row--; this.col = max(0, this.line().length - 1); } return; }
    i--;
    while (i > 0 && text.charCodeAt(i) == 32) i--;
    const w = this.isWord(text.charCodeAt(i));
    while (i > 0 && text.charCodeAt(i - 1) != 32 && this.isWord(text.charCodeAt(i - 1)) == w) i--;
    this.col = i;
  }

  insertKey(c: i32, keys: i32): void {
    if (c == 27) { this.insert = false; this.col--; this.clampCol(); return; }
    const text = this.line();
    if (c == 13 || c == 10) {
      this.lines[this.row] = text.substring(0, this.col);
      this.insertLine(this.row + 1, text.substring(this.col));
      this.row++; this.col = 0; this.dirty = true; return;
    }
    if (c == 127 || c == 8) {
      if (this.col > 0) { this.lines[this.row] = text.substring(0, this.col - 1) + text.substring(this.col); this.col--; }
      else if (this.row > 0) { const prev = this.lines[this.row - 1]; this.lines[this.row - 1] = prev + text; this.lines.splice(this.row, 1); this.row--; this.col = prev.length; }
      this.dirty = true; return;
    }
    if (c == 9 || c >= 32) {
      let ch = String.fromCharCode(c);
      // UTF-8 sequences arrive byte by byte.
      if (c >= 0xc0) {
        let extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
        let cp = c & (c >= 0xf0 ? 0x07 : c >= 0xe0 ? 0x0f : 0x1f);
        while (extra-- > 0) { const b = readKeyFrom(keys); if (b < 0) break; cp = (cp << 6) | (b & 0x3f); }
        ch = String.fromCodePoint(cp);
      }
      this.lines[this.row] = text.substring(0, this.col) + ch + text.substring(this.col);
      this.col += ch.length; this.dirty = true;
    }
  }

  normalKey(c: i32, keys: i32): void {
    const text = this.line();
    if (c == 104 || c == 8) this.col--; // h
    else if (c == 108 || c == 32) this.col++; // l
    else if (c == 106 || c == 14) { if (this.row < this.lines.length - 1) this.row++; } // j
    else if (c == 107 || c == 16) { if (this.row > 0) this.row--; } // k
    else if (c == 48) this.col = 0; // 0
    else if (c == 36) this.col = text.length; // $
    else if (c == 94) { let j = 0; while (j < text.length && text.charCodeAt(j) == 32) j++; this.col = j; } // ^
    else if (c == 119) this.wordForward(); // w
    else if (c == 98) this.wordBack(); // b
    else if (c == 71) { this.row = this.lines.length - 1; this.col = 0; } // G
    else if (c == 103) { if (readKeyFrom(keys) == 103) { this.row = 0; this.col = 0; } } // gg
    else if (c == 120) { // x
      if (text.length > 0) { this.register = [text.charAt(this.col)]; this.lines[this.row] = text.substring(0, this.col) + text.substring(this.col + 1); this.dirty = true; }
    } else if (c == 100) { // dd
      if (readKeyFrom(keys) == 100) {
        this.register = ["\n" + text];
        if (this.lines.length == 1) this.lines[0] = ""; else this.lines.splice(this.row, 1);
        if (this.row >= this.lines.length) this.row = this.lines.length - 1;
        this.dirty = true;
      }
    } else if (c == 121) { if (readKeyFrom(keys) == 121) { this.register = ["\n" + text]; this.message = ""; } } // yy
    else if (c == 112 || c == 80) { // p P
      if (this.register.length == 0) return;
      const r = this.register[0];
      if (r.startsWith("\n")) {
        const at = c == 112 ? this.row + 1 : this.row;
        this.insertLine(at, r.substring(1));
        this.row = at; this.col = 0;
      } else {
        const at = c == 112 && text.length > 0 ? this.col + 1 : this.col;
        this.lines[this.row] = text.substring(0, at) + r + text.substring(at);
        this.col = at;
      }
      this.dirty = true;
    } else if (c == 74) { // J
      if (this.row < this.lines.length - 1) { const next = this.lines[this.row + 1].trimStart(); this.col = text.length; this.lines[this.row] = text + (next.length > 0 ? " " + next : ""); this.lines.splice(this.row + 1, 1); this.dirty = true; }
    } else if (c == 105) this.insert = true; // i
    else if (c == 97) { this.insert = true; if (text.length > 0) this.col++; } // a
    else if (c == 65) { this.insert = true; this.col = text.length; } // A
    else if (c == 73) { this.insert = true; let j = 0; while (j < text.length && text.charCodeAt(j) == 32) j++; this.col = j; } // I
    else if (c == 111 || c == 79) { // o O
      const at = c == 111 ? this.row + 1 : this.row;
      this.insertLine(at, "");
      this.row = at; this.col = 0; this.insert = true; this.dirty = true;
    } else if (c == 58) { const cmd = this.prompt(keys, ":"); if (cmd != null) this.command(cmd); } // :
    else if (c == 47) { const p = this.prompt(keys, "/"); if (p != null) { if (p != "") this.pattern = p; this.search(1); } } // /
    else if (c == 110) this.search(1); // n
    else if (c == 78) this.search(-1); // N
    else if (c == 90) { if (readKeyFrom(keys) == 90) { if (!this.dirty || this.write(this.file)) this.done = true; } } // ZZ
    else if (c == 27) {
      // Arrow keys: ESC [ A B C D.
      if (readKeyFrom(keys) != 91) return;
      const k = readKeyFrom(keys);
      if (k == 65 && this.row > 0) this.row--;
      else if (k == 66 && this.row < this.lines.length - 1) this.row++;
      else if (k == 67) this.col++;
      else if (k == 68) this.col--;
    }
  }

  run(keys: i32): void {
    this.draw();
    while (!this.done) {
      const c = readKeyFrom(keys);
      if (c < 0) break;
      this.message = "";
      if (this.insert) this.insertKey(c, keys); else this.normalKey(c, keys);
      this.clampCol();
      if (!this.done) this.draw();
    }
    stdout.str("\x1b[").str(this.rows.toString()).str(";1H\x1b[K").flush();
  }
}

/** vi [FILE] */
export function viMain(args: string[]): i32 {
  const files = new Array<string>();
  for (let i = 0; i < args.length; i++) if (!args[i].startsWith("-") && !args[i].startsWith("+")) files.push(args[i]);
  if (!isTerminal(0) || !isTerminal(1)) { warn("vi", "standard input and output must be a terminal"); return 1; }
  const ed = new Editor();
  if (files.length > 0) ed.load(files[0]);
  if (proc.winsize(0) == 0) { ed.rows = max(2, proc.windowRows); ed.cols = proc.windowCols; }
  tty_mode(0, TTY_RAW);
  ed.run(0);
  tty_mode(0, TTY_COOKED);
  return 0;
}
