// vi: a small modal editor on the terminal in raw mode. Normal mode takes counts, motions (h j k l
// w b e 0 ^ $ gg G f t, arrows, ^D ^U ^F ^B), operators d c y with a motion or doubled (dd cc yy),
// x X D C s S r ~ J p P o O i a A I, >> <<, u and ^R (undo, redo), . (repeat), / ? n N, marks (m ' `),
// visual mode (v V with d y c x > < J :, the selection drawn in reverse video); : runs w, q, wq, x, q!, w FILE, e FILE, r FILE, a line
// number and s/PATTERN/REPLACEMENT/[g] over a range. Redrawn after every key.
import { stdout, warn } from "../lib/io";
import * as fs from "../lib/fs";
import { tty_mode, TTY_RAW, TTY_COOKED } from "../lib/wasmbox";
import * as proc from "../lib/proc";
import { compile, Regex } from "../lib/regex";
import { readKeyFrom, isTerminal } from "./less";

/** How long a key may take to follow ESC and still be part of an arrow key's sequence (busybox vi waits 50 ms). */
const ESC_WAIT_NS: i64 = 50_000_000;

/** The text and cursor before a change, for u and ^R. */
class Snapshot {
  constructor(public lines: string[], public row: i32, public col: i32) {}
}

/** Where a motion goes, and how an operator takes the text up to it. */
class Target {
  constructor(public row: i32, public col: i32, public linewise: bool, public inclusive: bool) {}
}

function isWordCode(c: i32): bool { return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95; }
function isSpaceCode(c: i32): bool { return c == 32 || c == 9; }
/** 0 blank, 1 word character, 2 punctuation: a vi word is a run of one class. */
function classOf(c: i32): i32 { return isSpaceCode(c) ? 0 : isWordCode(c) ? 1 : 2; }

/** list with `remove` lines at `at` replaced by `add` (AssemblyScript's splice only removes). */
function spliceLines(list: string[], at: i32, remove: i32, add: string[]): string[] {
  return list.slice(0, at).concat(add).concat(list.slice(at + remove));
}

function firstNonBlank(text: string): i32 {
  let j = 0;
  while (j < text.length && isSpaceCode(text.charCodeAt(j))) j++;
  return j;
}

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
  /** The unnamed register: its text, and whether it holds whole lines (then joined by "\n"). */
  register: string = "";
  registerLines: bool = false;
  hasRegister: bool = false;
  pattern: string = "";
  searchForward: bool = true;
  done: bool = false;
  keys: i32 = 0;
  // Undo: the state before each change; redo: the states undone.
  undoStack: Snapshot[] = [];
  redoStack: Snapshot[] = [];
  /** The state when the current command began, and whether the command changed the text. */
  before: Snapshot | null = null;
  changed: bool = false;
  // Repeat (.): the keys of the current command, and those of the last change.
  cmdKeys: i32[] = [];
  lastChange: i32[] = [];
  /** Keys to read before the terminal's (a . being replayed). */
  pending: i32[] = [];
  /** The last f/t/F/T, for ;. */
  lastFind: i32 = 0;
  lastFindKind: i32 = 0;
  /** Marks a-z set by m: their line and column (a mark on a deleted line stays on the line now there). */
  markRows: Map<i32, i32> = new Map<i32, i32>();
  markCols: Map<i32, i32> = new Map<i32, i32>();
  /** While in visual mode: the selection's other end (its anchor), and whether it takes whole lines. draw() shows it in reverse video. */
  selecting: bool = false;
  selectLines: bool = false;
  anchorRow: i32 = 0;
  anchorCol: i32 = 0;

  line(): string { return this.lines[this.row]; }

  nextKey(): i32 {
    let c: i32;
    if (this.pending.length > 0) c = this.pending.shift();
    else c = readKeyFrom(this.keys);
    if (c >= 0) this.cmdKeys.push(c);
    return c;
  }

  touch(): void { this.dirty = true; this.changed = true; }

  /** Whether another key follows at once (an arrow's ESC [ A), rather than ESC pressed alone. */
  keyFollows(): bool {
    return this.pending.length > 0 || proc.inputWithin(this.keys, ESC_WAIT_NS);
  }

  /** After ESC: the rest of an arrow key's sequence (A B C D), or -1 when ESC came alone (a key read that is not '[' is read again next). */
  arrowAfterEsc(): i32 {
    if (!this.keyFollows()) return -1;
    const k1 = this.nextKey();
    if (k1 != 91) {
      if (k1 >= 0) { this.pending.unshift(k1); this.cmdKeys.pop(); }
      return -1;
    }
    return this.nextKey();
  }

  insertLine(at: i32, text: string): void { this.lines = spliceLines(this.lines, at, 0, [text]); }
  clampCol(): void {
    const len = this.line().length;
    const last = this.insert ? len : max(0, len - 1);
    if (this.col > last) this.col = last;
    if (this.col < 0) this.col = 0;
  }
  clampRow(): void {
    if (this.row >= this.lines.length) this.row = this.lines.length - 1;
    if (this.row < 0) this.row = 0;
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
      if (this.selecting && at < this.lines.length) this.drawSelected(at, text);
      else stdout.str(text);
      stdout.str("\r\n");
    }
    stdout.str(this.message != "" ? this.message : this.insert ? "-- INSERT --" : "");
    stdout.str("\x1b[").str((this.row - this.top + 1).toString()).str(";").str((this.col + 1).toString()).str("H");
    stdout.flush();
  }

  /**
   * Line `at` (its visible text) with the part inside the visual selection in reverse video, as vim
   * shows it: from the selection's start to its end inclusive; a line the selection goes past the
   * end of (or an empty line in it) shows one reversed cell for its newline.
   */
  drawSelected(at: i32, text: string): void {
    const forward = this.anchorRow < this.row || (this.anchorRow == this.row && this.anchorCol <= this.col);
    const r1 = forward ? this.anchorRow : this.row; const c1 = forward ? this.anchorCol : this.col;
    const r2 = forward ? this.row : this.anchorRow; const c2 = forward ? this.col : this.anchorCol;
    if (at < r1 || at > r2) { stdout.str(text); return; }
    const full = this.lines[at].length;
    let from = 0; let to = full; let newline = full == 0;
    if (!this.selectLines) {
      if (at == r1) from = c1;
      if (at == r2) to = min(full, c2 + 1);
      if (at != r2) newline = true;
    }
    from = min(from, text.length); to = min(to, text.length);
    if (full > text.length) newline = false;
    if (from >= to && !newline) { stdout.str(text); return; }
    stdout.str(text.substring(0, from)).str("\x1b[7m").str(text.substring(from, to));
    if (newline && text.length < this.cols) stdout.byte(32);
    stdout.str("\x1b[m").str(text.substring(to));
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

  /** Reads a line at the bottom after `lead` (: / ?); null if cancelled. */
  prompt(lead: string): string | null {
    let text = "";
    for (;;) {
      stdout.str("\x1b[").str(this.rows.toString()).str(";1H\x1b[K").str(lead).str(text).flush();
      const c = this.nextKey();
      if (c < 0 || c == 27) return null;
      if (c == 13 || c == 10) return text;
      if (c == 127 || c == 8) { if (text.length == 0) return null; text = text.substring(0, text.length - 1); }
      else if (c >= 32) text += String.fromCharCode(c);
    }
    return null;
  }

  /** A line address of an ex command (N, ., $, or empty); -1 when it is not one. */
  address(text: string): i32 {
    if (text == ".") return this.row;
    if (text == "$") return this.lines.length - 1;
    const n = I32.parseInt(text);
    if (text.length == 0 || isNaN(<f64>n) || text.charCodeAt(0) < 48 || text.charCodeAt(0) > 57) return -1;
    return min(max(0, n - 1), this.lines.length - 1);
  }

  command(cmd: string): void {
    let c = cmd.trim();
    if (c == "") return;
    // A range: %, N,M, or one address, before s; alone, a line to go to.
    let from = this.row; let to = this.row;
    let i = 0;
    if (c.startsWith("%")) { from = 0; to = this.lines.length - 1; i = 1; }
    else {
      while (i < c.length && (c.charCodeAt(i) >= 48 && c.charCodeAt(i) <= 57 || c.charAt(i) == "." || c.charAt(i) == "$" || c.charAt(i) == ",")) i++;
      if (i > 0) {
        const range = c.substring(0, i);
        const comma = range.indexOf(",");
        const a = this.address(comma < 0 ? range : range.substring(0, comma));
        const b = comma < 0 ? a : this.address(range.substring(comma + 1));
        if (a < 0 || b < 0) { this.message = "E16: Invalid range"; return; }
        from = min(a, b); to = max(a, b);
        if (i == c.length) { this.row = b; this.col = firstNonBlank(this.line()); return; }
      }
    }
    c = c.substring(i);
    if (c.startsWith("s") && c.length > 1 && !isWordCode(c.charCodeAt(1))) { this.substitute(c, from, to); return; }
    const space = c.indexOf(" ");
    const name = space < 0 ? c : c.substring(0, space);
    const arg = space < 0 ? "" : c.substring(space + 1).trim();
    if (name == "w" || name == "w!") { this.write(arg != "" ? arg : this.file); return; }
    if (name == "wq" || name == "x" || name == "wq!" || name == "x!") { if (!this.dirty && name.startsWith("x") && arg == "") { this.done = true; return; } if (this.write(arg != "" ? arg : this.file)) this.done = true; return; }
    if (name == "q") { if (this.dirty) this.message = "E37: No write since last change (add ! to override)"; else this.done = true; return; }
    if (name == "q!") { this.done = true; return; }
    if (name == "e" || name == "e!") {
      if (this.dirty && name == "e") { this.message = "E37: No write since last change (add ! to override)"; return; }
      const path = arg != "" ? arg : this.file;
      if (path == "") { this.message = "E32: No file name"; return; }
      this.lines = [""];
      this.load(path);
      this.row = 0; this.col = 0; this.dirty = false;
      this.undoStack = []; this.redoStack = []; this.before = null;
      this.markRows.clear(); this.markCols.clear();
      return;
    }
    if (name == "r") {
      const path = arg != "" ? arg : this.file;
      const data = fs.readFile(path);
      if (data == null) { this.message = "E484: Can't open file " + path; return; }
      let text = String.UTF8.decode(data.buffer);
      if (text.endsWith("\n")) text = text.substring(0, text.length - 1);
      const add = text.split("\n");
      this.lines = spliceLines(this.lines, to + 1, 0, add);
      this.row = to + 1; this.col = firstNonBlank(this.line());
      this.touch();
      return;
    }
    this.message = "E492: Not an editor command: " + c;
  }

  /** :s/PATTERN/REPLACEMENT/[g] on lines from..to (a basic regular expression; & is the match). */
  substitute(c: string, from: i32, to: i32): void {
    const delim = c.charAt(1);
    const parts = new Array<string>();
    let cur = "";
    for (let i = 2; i < c.length; i++) {
      const ch = c.charAt(i);
      if (ch == "\\" && i + 1 < c.length && c.charAt(i + 1) == delim) { cur += delim; i++; continue; }
      if (ch == delim && parts.length < 2) { parts.push(cur); cur = ""; continue; }
      cur += ch;
    }
    parts.push(cur);
    if (parts.length < 2) { this.message = "E486: Pattern not found"; return; }
    const pat = parts[0] != "" ? parts[0] : this.pattern;
    const global = parts.length > 2 && parts[2].includes("g");
    const re = compile(pat, false, false);
    if (re == null) { this.message = "E486: Pattern not found: " + pat; return; }
    this.pattern = pat;
    let count = 0;
    for (let r = from; r <= to; r++) {
      const replaced = replaceIn(re, this.lines[r], parts[1], global);
      if (replaced != null) { this.lines[r] = replaced; this.row = r; count++; }
    }
    if (count == 0) { this.message = "E486: Pattern not found: " + pat; return; }
    this.col = firstNonBlank(this.line());
    this.touch();
  }

  search(forward: bool): void {
    if (this.pattern == "") { this.message = "E35: No previous regular expression"; return; }
    const step = forward ? 1 : -1;
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

  // ----- motions -----
  /** The class of the character at (row, col); a line's end counts as blank. */
  classAt(row: i32, col: i32): i32 {
    const text = this.lines[row];
    return col >= text.length ? 0 : classOf(text.charCodeAt(col));
  }

  /** w: the start of the next word (across lines; an empty line is a word). */
  nextWord(row: i32, col: i32): Target {
    let r = row; let c = col;
    const text = this.lines[r];
    if (c < text.length) {
      const k = classOf(text.charCodeAt(c));
      if (k != 0) while (c < text.length && classOf(text.charCodeAt(c)) == k) c++;
    }
    for (;;) {
      const t = this.lines[r];
      while (c < t.length && isSpaceCode(t.charCodeAt(c))) c++;
      if (c < t.length) break;
      if (r >= this.lines.length - 1) { c = t.length; break; }
      r++; c = 0;
      if (this.lines[r].length == 0) break;
    }
    return new Target(r, c, false, false);
  }

  /** e: the end of this or the next word. */
  wordEnd(row: i32, col: i32): Target {
    let r = row; let c = col + 1;
    for (;;) {
      const t = this.lines[r];
      while (c < t.length && isSpaceCode(t.charCodeAt(c))) c++;
      if (c < t.length) break;
      if (r >= this.lines.length - 1) return new Target(r, max(0, t.length - 1), false, true);
      r++; c = 0;
    }
    const t = this.lines[r];
    const k = classOf(t.charCodeAt(c));
    while (c + 1 < t.length && classOf(t.charCodeAt(c + 1)) == k) c++;
    return new Target(r, c, false, true);
  }

  /** b: the start of this or the previous word. */
  wordBack(row: i32, col: i32): Target {
    let r = row; let c = col - 1;
    for (;;) {
      const t = this.lines[r];
      while (c >= 0 && isSpaceCode(t.charCodeAt(c))) c--;
      if (c >= 0) break;
      if (r == 0) return new Target(0, 0, false, false);
      r--; c = this.lines[r].length - 1;
      if (this.lines[r].length == 0) return new Target(r, 0, false, false);
    }
    const t = this.lines[r];
    const k = classOf(t.charCodeAt(c));
    while (c > 0 && classOf(t.charCodeAt(c - 1)) == k) c--;
    return new Target(r, c, false, false);
  }

  /**
   * Where motion key `c` goes `count` times from the cursor; null for a key that is not a motion
   * (or a motion that fails, like f without the character). `op`: the operator it serves (0: none).
   */
  motion(c: i32, count: i32, hasCount: bool, op: i32): Target | null {
    const text = this.line();
    if (c == 104 || c == 8 || c == 127) return new Target(this.row, max(0, this.col - count), false, false); // h
    if (c == 108 || c == 32) return new Target(this.row, min(text.length, this.col + count), false, false); // l
    if (c == 106 || c == 14) return new Target(min(this.lines.length - 1, this.row + count), this.col, true, false); // j
    if (c == 107 || c == 16) return new Target(max(0, this.row - count), this.col, true, false); // k
    if (c == 48) return new Target(this.row, 0, false, false); // 0
    if (c == 94) return new Target(this.row, firstNonBlank(text), false, false); // ^
    if (c == 36) { // $
      const r = min(this.lines.length - 1, this.row + count - 1);
      return new Target(r, max(0, this.lines[r].length - 1), false, this.lines[r].length > 0);
    }
    if (c == 71) { // G
      const r = hasCount ? min(max(0, count - 1), this.lines.length - 1) : this.lines.length - 1;
      return new Target(r, firstNonBlank(this.lines[r]), true, false);
    }
    if (c == 103) { // gg
      if (this.nextKey() != 103) return null;
      const r = hasCount ? min(max(0, count - 1), this.lines.length - 1) : 0;
      return new Target(r, firstNonBlank(this.lines[r]), true, false);
    }
    if (c == 119 || c == 87) { // w
      // cw on a word changes to its end, as ce.
      if (op == 99 && this.col < text.length && !isSpaceCode(text.charCodeAt(this.col))) return this.repeatEnd(count);
      let t = new Target(this.row, this.col, false, false);
      for (let i = 0; i < count; i++) {
        const next = this.nextWord(t.row, t.col);
        // An operator stops at the end of the line the last word is on.
        if (op != 0 && i == count - 1 && next.row > t.row) { t = new Target(t.row, this.lines[t.row].length, false, false); break; }
        t = next;
      }
      return t;
    }
    if (c == 101 || c == 69) return this.repeatEnd(count); // e
    if (c == 98 || c == 66) { // b
      let t = new Target(this.row, this.col, false, false);
      for (let i = 0; i < count; i++) t = this.wordBack(t.row, t.col);
      return t;
    }
    if (c == 102 || c == 116 || c == 70 || c == 84) { // f t F T
      const ch = this.nextKey();
      if (ch < 0) return null;
      this.lastFind = ch; this.lastFindKind = c;
      return this.find(c, ch, count);
    }
    if (c == 59 && this.lastFind != 0) return this.find(this.lastFindKind, this.lastFind, count); // ;
    if (c == 39 || c == 96) { // 'x: the mark's line (linewise); `x: its exact place
      const name = this.nextKey();
      if (!this.markRows.has(name)) { this.message = "E20: Mark not set"; return null; }
      const r = min(this.markRows.get(name), this.lines.length - 1);
      if (c == 39) return new Target(r, firstNonBlank(this.lines[r]), true, false);
      return new Target(r, min(this.markCols.get(name), max(0, this.lines[r].length - 1)), false, false);
    }
    if (c == 27) { // arrows: ESC [ A B C D; a lone ESC does nothing and the key after it is a command of its own
      const k = this.arrowAfterEsc();
      if (k == 65) return this.motion(107, count, hasCount, op);
      if (k == 66) return this.motion(106, count, hasCount, op);
      if (k == 67) return this.motion(108, count, hasCount, op);
      if (k == 68) return this.motion(104, count, hasCount, op);
      return null;
    }
    return null;
  }

  repeatEnd(count: i32): Target {
    let t = new Target(this.row, this.col, false, true);
    for (let i = 0; i < count; i++) t = this.wordEnd(t.row, t.col);
    return t;
  }

  find(kind: i32, ch: i32, count: i32): Target | null {
    const text = this.line();
    let at = this.col;
    for (let i = 0; i < count; i++) {
      if (kind == 102 || kind == 116) {
        let j = at + 1;
        if (kind == 116 && i == 0) j++;
        while (j < text.length && text.charCodeAt(j) != ch) j++;
        if (j >= text.length) return null;
        at = j;
      } else {
        let j = at - 1;
        if (kind == 84 && i == 0) j--;
        while (j >= 0 && text.charCodeAt(j) != ch) j--;
        if (j < 0) return null;
        at = j;
      }
    }
    if (kind == 116) at--;
    if (kind == 84) at++;
    return new Target(this.row, at, false, kind == 102 || kind == 116);
  }

  // ----- operators -----
  /** The text from (r1, c1) to (r2, c2), c2 exclusive. */
  textBetween(r1: i32, c1: i32, r2: i32, c2: i32): string {
    if (r1 == r2) return this.lines[r1].substring(c1, c2);
    let out = this.lines[r1].substring(c1);
    for (let r = r1 + 1; r < r2; r++) out += "\n" + this.lines[r];
    return out + "\n" + this.lines[r2].substring(0, c2);
  }

  setRegister(text: string, lines: bool): void {
    this.register = text; this.registerLines = lines; this.hasRegister = true;
  }

  /** Applies operator d, c or y from the cursor to `t`. */
  operate(op: i32, t: Target): void {
    if (t.linewise) {
      const r1 = min(this.row, t.row); const r2 = max(this.row, t.row);
      this.setRegister(this.lines.slice(r1, r2 + 1).join("\n"), true);
      if (op == 121) { this.row = r1; return; } // y
      if (op == 99) { // c: the lines become one empty line
        this.lines = spliceLines(this.lines, r1, r2 - r1 + 1, [""]);
        this.row = r1; this.col = 0; this.insert = true; this.touch();
        return;
      }
      if (r2 - r1 + 1 >= this.lines.length) this.lines = [""];
      else this.lines.splice(r1, r2 - r1 + 1);
      this.row = r1; this.clampRow();
      this.col = firstNonBlank(this.line());
      this.touch();
      return;
    }
    let r1 = this.row; let c1 = this.col; let r2 = t.row; let c2 = t.col;
    if (r2 < r1 || (r2 == r1 && c2 < c1)) { r1 = t.row; c1 = t.col; r2 = this.row; c2 = this.col; }
    if (t.inclusive) c2 = min(this.lines[r2].length, c2 + 1);
    this.setRegister(this.textBetween(r1, c1, r2, c2), false);
    if (op == 121) { this.row = r1; this.col = c1; return; }
    this.lines[r1] = this.lines[r1].substring(0, c1) + this.lines[r2].substring(c2);
    if (r2 > r1) this.lines.splice(r1 + 1, r2 - r1);
    this.row = r1; this.col = c1;
    this.touch();
    if (op == 99) this.insert = true;
  }

  /** p / P: the register `count` times after / before the cursor. */
  put(after: bool, count: i32): void {
    if (!this.hasRegister) return;
    if (this.registerLines) {
      const add = this.register.split("\n");
      const at = after ? this.row + 1 : this.row;
      const many = new Array<string>();
      for (let i = 0; i < count; i++) for (let j = 0; j < add.length; j++) many.push(add[j]);
      this.lines = spliceLines(this.lines, at, 0, many);
      this.row = at; this.col = firstNonBlank(this.line());
    } else {
      let text = "";
      for (let i = 0; i < count; i++) text += this.register;
      const line = this.line();
      const at = after && line.length > 0 ? this.col + 1 : this.col;
      const pieces = (line.substring(0, at) + text + line.substring(at)).split("\n");
      this.lines = spliceLines(this.lines, this.row, 1, pieces);
      if (pieces.length == 1) this.col = at + text.length - 1;
      else this.col = at;
    }
    this.touch();
  }

  // ----- undo -----
  snapshot(): Snapshot { return new Snapshot(this.lines.slice(0), this.row, this.col); }

  restore(s: Snapshot): void {
    this.lines = s.lines.slice(0);
    this.row = s.row; this.col = s.col;
    this.clampRow();
    this.dirty = true;
  }

  undo(count: i32): void {
    for (let i = 0; i < count; i++) {
      if (this.undoStack.length == 0) { this.message = "Already at oldest change"; return; }
      this.redoStack.push(this.snapshot());
      this.restore(this.undoStack.pop());
    }
  }

  redo(count: i32): void {
    for (let i = 0; i < count; i++) {
      if (this.redoStack.length == 0) { this.message = "Already at newest change"; return; }
      this.undoStack.push(this.snapshot());
      this.restore(this.redoStack.pop());
    }
  }

  // ----- insert mode -----
  insertKey(c: i32): void {
    if (c == 27) {
      // Arrows move in insert mode; ESC alone ends it.
      const k = this.arrowAfterEsc();
      if (k == 65 && this.row > 0) this.row--;
      else if (k == 66 && this.row < this.lines.length - 1) this.row++;
      else if (k == 67) this.col = min(this.line().length, this.col + 1);
      else if (k == 68) this.col = max(0, this.col - 1);
      if (k >= 0) { this.col = min(this.col, this.line().length); return; }
      this.insert = false; this.col--; this.clampCol(); return;
    }
    const text = this.line();
    if (c == 13 || c == 10) {
      this.lines[this.row] = text.substring(0, this.col);
      this.insertLine(this.row + 1, text.substring(this.col));
      this.row++; this.col = 0; this.touch(); return;
    }
    if (c == 127 || c == 8) {
      if (this.col > 0) { this.lines[this.row] = text.substring(0, this.col - 1) + text.substring(this.col); this.col--; }
      else if (this.row > 0) { const prev = this.lines[this.row - 1]; this.lines[this.row - 1] = prev + text; this.lines.splice(this.row, 1); this.row--; this.col = prev.length; }
      this.touch(); return;
    }
    if (c == 9 || c >= 32) {
      let ch = String.fromCharCode(c);
      // UTF-8 sequences arrive byte by byte.
      if (c >= 0xc0) {
        let extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
        let cp = c & (c >= 0xf0 ? 0x07 : c >= 0xe0 ? 0x0f : 0x1f);
        while (extra-- > 0) { const b = this.nextKey(); if (b < 0) break; cp = (cp << 6) | (b & 0x3f); }
        ch = String.fromCodePoint(cp);
      }
      this.lines[this.row] = text.substring(0, this.col) + ch + text.substring(this.col);
      this.col += ch.length; this.touch();
    }
  }

  // ----- normal mode -----
  /** One normal-mode command, its count first (changes set `changed`, for u and `.`). */
  normalCommand(first: i32): void {
    let c = first;
    let count = 0;
    while ((c >= 49 && c <= 57) || (c == 48 && count > 0)) { count = count * 10 + (c - 48); c = this.nextKey(); }
    const hasCount = count > 0;
    if (!hasCount) count = 1;
    const text = this.line();
    const half = max(1, (this.rows - 1) / 2);
    if (c == 100 || c == 99 || c == 121) { // d c y
      const m = this.nextKey();
      let count2 = 0;
      let k = m;
      while ((k >= 49 && k <= 57) || (k == 48 && count2 > 0)) { count2 = count2 * 10 + (k - 48); k = this.nextKey(); }
      const total = count * max(1, count2);
      if (k == c) { // dd cc yy
        this.operate(c, new Target(min(this.lines.length - 1, this.row + total - 1), 0, true, false));
        return;
      }
      const t = this.motion(k, total, hasCount || count2 > 0, c);
      if (t != null) this.operate(c, t);
      return;
    }
    if (c == 120) { if (text.length > 0) this.operate(100, new Target(this.row, min(text.length, this.col + count), false, false)); return; } // x
    if (c == 88) { if (this.col > 0) this.operate(100, new Target(this.row, max(0, this.col - count), false, false)); return; } // X
    if (c == 68) { this.operate(100, this.motion(36, count, hasCount, 100)!); return; } // D
    if (c == 67) { this.operate(99, this.motion(36, count, hasCount, 99)!); if (text.length == 0) this.insert = true; return; } // C
    if (c == 115) { this.operate(99, new Target(this.row, min(text.length, this.col + count), false, false)); this.insert = true; return; } // s
    if (c == 83) { this.operate(99, new Target(min(this.lines.length - 1, this.row + count - 1), 0, true, false)); return; } // S
    if (c == 114) { // r
      const ch = this.nextKey();
      if (ch < 32 || this.col + count > text.length) return;
      let repl = "";
      for (let i = 0; i < count; i++) repl += String.fromCharCode(ch);
      this.lines[this.row] = text.substring(0, this.col) + repl + text.substring(this.col + count);
      this.col += count - 1; this.touch();
      return;
    }
    if (c == 126) { // ~
      if (text.length == 0) return;
      const end = min(text.length, this.col + count);
      let mid = "";
      for (let i = this.col; i < end; i++) { const ch = text.charAt(i); const up = ch.toUpperCase(); mid += up == ch ? ch.toLowerCase() : up; }
      this.lines[this.row] = text.substring(0, this.col) + mid + text.substring(end);
      this.col = end; this.touch();
      return;
    }
    if (c == 112 || c == 80) { this.put(c == 112, count); return; } // p P
    if (c == 74) { // J
      const joins = max(1, count - 1);
      for (let i = 0; i < joins && this.row < this.lines.length - 1; i++) {
        const cur = this.line();
        const next = this.lines[this.row + 1].trimStart();
        this.col = cur.length;
        this.lines[this.row] = cur + (next.length > 0 && cur.length > 0 ? " " + next : next);
        this.lines.splice(this.row + 1, 1);
        this.touch();
      }
      return;
    }
    if (c == 105) { this.insert = true; return; } // i
    if (c == 97) { this.insert = true; if (text.length > 0) this.col++; return; } // a
    if (c == 65) { this.insert = true; this.col = text.length; return; } // A
    if (c == 73) { this.insert = true; this.col = firstNonBlank(text); return; } // I
    if (c == 111 || c == 79) { // o O
      const at = c == 111 ? this.row + 1 : this.row;
      this.insertLine(at, "");
      this.row = at; this.col = 0; this.insert = true; this.touch();
      return;
    }
    if (c == 109) { // m: set a mark
      const name = this.nextKey();
      if (name >= 97 && name <= 122) { this.markRows.set(name, this.row); this.markCols.set(name, this.col); }
      return;
    }
    if (c == 118 || c == 86) { this.visual(c == 86); return; } // v V
    if (c == 62 || c == 60) { // >> <<, or > and < with a motion
      const k = this.nextKey();
      let r2 = min(this.lines.length - 1, this.row + count - 1);
      if (k != c) { const t = this.motion(k, count, hasCount, c); if (t == null) return; r2 = t.row; }
      this.shift(min(this.row, r2), max(this.row, r2), c == 62);
      return;
    }
    if (c == 117) { this.undo(count); return; } // u
    if (c == 18) { this.redo(count); return; } // ^R
    if (c == 46) { // .
      if (this.lastChange.length == 0) return;
      let keys = this.lastChange;
      if (hasCount) {
        let i = 0;
        while (i < keys.length && keys[i] >= 48 && keys[i] <= 57) i++;
        const counted = new Array<i32>();
        const digits = count.toString();
        for (let d = 0; d < digits.length; d++) counted.push(digits.charCodeAt(d));
        keys = counted.concat(keys.slice(i));
      }
      this.pending = keys.concat(this.pending);
      return;
    }
    if (c == 58) { const cmd = this.prompt(":"); if (cmd != null) this.command(cmd); return; } // :
    if (c == 47 || c == 63) { // / ?
      const p = this.prompt(c == 47 ? "/" : "?");
      if (p == null) return;
      if (p != "") this.pattern = p;
      this.searchForward = c == 47;
      for (let i = 0; i < count; i++) this.search(this.searchForward);
      return;
    }
    if (c == 110 || c == 78) { for (let i = 0; i < count; i++) this.search(c == 110 ? this.searchForward : !this.searchForward); return; } // n N
    if (c == 90) { if (this.nextKey() == 90) { if (!this.dirty || this.write(this.file)) this.done = true; } return; } // ZZ
    if (c == 4 || c == 21) { this.row = c == 4 ? min(this.lines.length - 1, this.row + half) : max(0, this.row - half); return; } // ^D ^U
    if (c == 6 || c == 2) { const page = max(1, this.rows - 3); this.row = c == 6 ? min(this.lines.length - 1, this.row + page * count) : max(0, this.row - page * count); return; } // ^F ^B
    if (c == 12) return; // ^L: the redraw follows anyway
    const t = this.motion(c, count, hasCount, 0);
    if (t != null) {
      this.row = t.row; this.col = t.col;
      // $ keeps to the end of lines as the cursor moves on.
      if (c == 36) this.col = max(0, this.line().length - 1);
    }
  }

  /** > and <: lines r1..r2 one tab (shiftwidth 8) to the right, or up to 8 columns of indent to the left. */
  shift(r1: i32, r2: i32, right: bool): void {
    for (let r = r1; r <= r2; r++) {
      const text = this.lines[r];
      if (right) { if (text.length > 0) this.lines[r] = "\t" + text; continue; }
      let cut = 0; let width = 0;
      while (cut < text.length && width < 8) {
        const ch = text.charCodeAt(cut);
        if (ch == 9) width = 8; else if (ch == 32) width++; else break;
        cut++;
      }
      this.lines[r] = text.substring(cut);
    }
    this.row = r1; this.col = firstNonBlank(this.line());
    this.touch();
  }

  /** v / V: motions move the cursor from the anchor; d x y c > < (and D X Y C, J, ~) act on the selection, ESC ends. */
  visual(linewiseAtStart: bool): void {
    this.selecting = true;
    this.selectLines = linewiseAtStart;
    this.anchorRow = this.row; this.anchorCol = this.col;
    this.visualCommand();
    this.selecting = false;
  }

  /** visual()'s keys up to the command that ends it; draw() shows the selection meanwhile. */
  visualCommand(): void {
    for (;;) {
      this.clampRow(); this.clampCol();
      this.message = this.selectLines ? "-- VISUAL LINE --" : "-- VISUAL --";
      if (this.pending.length == 0) this.draw();
      let c = this.nextKey();
      if (c < 0) { this.message = ""; return; }
      let count = 0;
      while ((c >= 49 && c <= 57) || (c == 48 && count > 0)) { count = count * 10 + (c - 48); c = this.nextKey(); }
      const hasCount = count > 0;
      if (!hasCount) count = 1;
      this.message = "";
      if (c == 27 && !this.keyFollows()) return;
      if (c == 118 || c == 86) { if ((c == 86) == this.selectLines) return; this.selectLines = c == 86; continue; }
      if (c == 111) { const r = this.row; const k = this.col; this.row = this.anchorRow; this.col = this.anchorCol; this.anchorRow = r; this.anchorCol = k; continue; } // o
      if (c == 68 || c == 88 || c == 89 || c == 67 || c == 83 || c == 82) { this.selectLines = true; c = c == 89 ? 121 : c == 68 || c == 88 ? 100 : 99; }
      if (c == 120) c = 100;
      if (c == 115) c = 99;
      if (c == 100 || c == 121 || c == 99) {
        const endRow = this.row; const endCol = this.col;
        this.row = this.anchorRow; this.col = this.anchorCol;
        if (this.selectLines) this.operate(c, new Target(endRow, 0, true, false));
        else {
          if (this.lines[endRow].length == 0 && this.lines[this.anchorRow].length == 0 && endRow == this.anchorRow) return;
          this.operate(c, new Target(endRow, endCol, false, true));
        }
        if (c == 121) { this.row = min(this.anchorRow, endRow); if (!this.selectLines) this.col = endRow < this.anchorRow || (endRow == this.anchorRow && endCol < this.anchorCol) ? endCol : this.anchorCol; }
        return;
      }
      if (c == 62 || c == 60) { this.shift(min(this.anchorRow, this.row), max(this.anchorRow, this.row), c == 62); return; }
      if (c == 74) { // J: the selected lines joined
        const r1 = min(this.anchorRow, this.row); const r2 = max(this.anchorRow, this.row);
        this.row = r1;
        this.pending.unshift(74);
        const joins = max(2, r2 - r1 + 1).toString();
        for (let i = joins.length - 1; i >= 0; i--) this.pending.unshift(joins.charCodeAt(i));
        return;
      }
      if (c == 58) { // : with the selection as the range
        const cmd = this.prompt(":'<,'>");
        if (cmd != null) {
          const r1 = min(this.anchorRow, this.row) + 1; const r2 = max(this.anchorRow, this.row) + 1;
          this.command(r1.toString() + "," + r2.toString() + cmd);
        }
        return;
      }
      const t = this.motion(c, count, hasCount, 0);
      if (t != null) { this.row = t.row; this.col = t.col; }
    }
  }

  run(keys: i32): void {
    this.keys = keys;
    this.draw();
    while (!this.done) {
      const replaying = this.pending.length > 0;
      const c = this.nextKey();
      if (c < 0) break;
      if (!replaying) this.message = "";
      if (this.insert) this.insertKey(c);
      else {
        // A new command: remember the text for u, and its keys for the next `.`.
        this.before = this.snapshot();
        this.changed = false;
        this.cmdKeys = [c];
        const isRepeat = c == 46;
        this.normalCommand(c);
        if (isRepeat) this.cmdKeys = [];
      }
      if (!this.insert && this.before != null) this.finishCommand();
      this.clampRow();
      this.clampCol();
      if (!this.done && this.pending.length == 0) this.draw();
    }
    stdout.str("\x1b[").str(this.rows.toString()).str(";1H\x1b[K").flush();
  }

  /** After a command (and the insert it began), a change is remembered for u and `.`. */
  finishCommand(): void {
    if (this.changed) {
      this.undoStack.push(this.before!);
      this.redoStack = [];
      if (this.cmdKeys.length > 0 && this.cmdKeys[0] != 117 && this.cmdKeys[0] != 18 && this.cmdKeys[0] != 58) this.lastChange = this.cmdKeys;
    }
    this.before = null;
    this.changed = false;
    this.cmdKeys = [];
  }
}

/** line with the first (or every) match of re replaced; & in the replacement is the match. Null when nothing matched. */
function replaceIn(re: Regex, line: string, replacement: string, global: bool): string | null {
  const bytes = String.UTF8.encode(line);
  const base = changetype<usize>(bytes);
  const len = bytes.byteLength;
  let out = "";
  let at = 0;
  let any = false;
  while (at <= len) {
    if (!re.exec(base, len, at)) break;
    const start = re.start; const end = re.end;
    any = true;
    out += String.UTF8.decodeUnsafe(base + at, start - at);
    const matched = String.UTF8.decodeUnsafe(base + start, end - start);
    for (let i = 0; i < replacement.length; i++) {
      const ch = replacement.charAt(i);
      if (ch == "&") out += matched;
      else if (ch == "\\" && i + 1 < replacement.length) { out += replacement.charAt(i + 1); i++; }
      else out += ch;
    }
    if (end == start) {
      if (end < len) out += String.UTF8.decodeUnsafe(base + end, 1);
      at = end + 1;
    } else at = end;
    if (!global) break;
  }
  if (!any) return null;
  if (at < len) out += String.UTF8.decodeUnsafe(base + at, len - at);
  return out;
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
