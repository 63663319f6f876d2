// The regular-expression tools: grep (-i -v -n -c -l -q -r -E -F -o -h -H -w) and
// sed (s///gpIw, d, D, p, P, q, Q, =, l, a, i, c, r, w, y, n, N, h, H, g, G, x, { }, : b t T; -n -e -E -i;
// line, $ and /re/ addresses and ranges, !).

import { stdout, Reader, ByteBuf, Writer, warn, BLOCK } from "../lib/io";
import { getopt, parseIntOr } from "../lib/opts";
import { openInput, closeInput, inputsOrStdin, report, usage } from "../lib/cmd";
import * as fs from "../lib/fs";
import { compile, Regex, regexError } from "../lib/regex";
import { join } from "../lib/path";
import { strerror } from "../lib/errno";

class GrepJob {
  re: Regex;
  invert: bool = false;
  count: bool = false;
  lineNumbers: bool = false;
  listFiles: bool = false;
  quiet: bool = false;
  onlyMatching: bool = false;
  word: bool = false;
  showNames: bool = false;
  matched: bool = false;
  /** Lines of context after and before each matching line (-A, -B, -C; with any of them, even 0, groups are set off by "--"). */
  context: bool = false;
  after: i32 = 0;
  before: i32 = 0;
  /** Whether a line has been printed with context on (a later group is then set off by "--"). */
  printedGroup: bool = false;
  constructor(re: Regex) { this.re = re; }
}

/** A count of context lines given to -A, -B or -C: a whole number, else null (GNU's error is printed). */
function contextCount(text: string): i32 {
  if (text.length == 0 || text.length > 9) return -1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 48 || text.charCodeAt(i) > 57) return -1;
  return I32.parseInt(text);
}

function escapeFixed(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if ("\\.[]*^$+?(){}|".indexOf(c) >= 0) out += "\\";
    out += c;
  }
  return out;
}

/** grep [OPTION]... PATTERN [FILE]... */
export function grepMain(name: string, args: string[]): i32 {
  const o = getopt(args, "ivncA:B:C:lqrREFohHwse:");
  if (o.error != "") return usage("grep", o.error, 2);
  let operands = o.operands;
  let pattern: string;
  if (o.has("e")) pattern = o.all("e").join(o.has("E") || name == "egrep" ? "|" : "\\|");
  else {
    if (operands.length == 0) return usage("grep", "usage: grep [OPTION]... PATTERNS [FILE]...", 2);
    pattern = operands[0];
    operands = operands.slice(1);
  }
  const extended = o.has("E") || name == "egrep";
  if (o.has("F")) pattern = escapeFixed(pattern);
  if (o.has("w")) pattern = extended ? "\\<(" + pattern + ")\\>" : "\\<\\(" + pattern + "\\)\\>";
  const re = compile(pattern, extended, o.has("i"));
  if (re == null) { warn("grep", regexError); return 2; }
  const job = new GrepJob(re);
  job.invert = o.has("v"); job.count = o.has("c"); job.lineNumbers = o.has("n");
  job.listFiles = o.has("l"); job.quiet = o.has("q"); job.onlyMatching = o.has("o");
  job.context = o.has("A") || o.has("B") || o.has("C");
  const around = contextCount(o.value("C", "0"));
  job.after = contextCount(o.value("A", o.value("C", "0")));
  job.before = contextCount(o.value("B", o.value("C", "0")));
  if (around < 0 || job.after < 0 || job.before < 0) {
    warn("grep", (around < 0 ? o.value("C", "") : job.after < 0 ? o.value("A", "") : o.value("B", "")) + ": invalid context length argument");
    return 2;
  }
  const recursive = o.has("r") || o.has("R");
  if (recursive && operands.length == 0) operands = ["."];
  job.showNames = !o.has("h") && (o.has("H") || operands.length > 1 || recursive);
  const files = inputsOrStdin(operands);
  let status = 0;
  for (let i = 0; i < files.length; i++) {
    if (recursive) { status |= grepTree(job, files[i], o.has("s")); continue; }
    const st: fs.Stat | null = files[i] == "-" ? null : fs.stat(files[i]);
    if (st != null && st.isDir()) { warn("grep", files[i] + ": Is a directory"); status = 2; continue; }
    status |= grepFile(job, files[i], o.has("s"));
    if (job.quiet && job.matched) return 0;
  }
  if (status >= 2) return job.matched && !job.quiet ? 2 : 2;
  return job.matched ? 0 : 1;
}

function grepTree(job: GrepJob, path: string, silent: bool): i32 {
  const st = fs.stat(path);
  if (st == null) { if (!silent) report("grep", path, fs.lastError); return 2; }
  if (!st.isDir()) return grepFile(job, path, silent);
  const names = fs.listNames(path);
  if (names == null) { if (!silent) report("grep", path, fs.lastError); return 2; }
  let status = 0;
  for (let i = 0; i < names.length; i++) status |= grepTree(job, path == "." ? names[i] : join(path, names[i]), silent);
  return status;
}

function grepFile(job: GrepJob, name: string, silent: bool): i32 {
  const fd = name == "-" ? 0 : fs.open(name);
  if (fd < 0) { if (!silent) report("grep", name, fs.lastError); return 2; }
  const label = name == "-" ? "(standard input)" : name;
  const r = new Reader(fd);
  let count = 0;
  let lineNo = 0;
  // Context (-A, -B, -C): lines before a match kept until it comes, lines after it still to print,
  // and the last line printed (a gap before the next group prints "--", as GNU grep does).
  const context = job.context && !job.count && !job.listFiles && !job.quiet && !job.onlyMatching;
  const kept: Uint8Array[] = [];
  let afterLeft = 0;
  let lastPrinted = -1;
  while (r.nextLine()) {
    lineNo++;
    const hit = job.re.exec(r.linePtr, r.lineLen, 0);
    if (hit == job.invert) {
      if (!context) continue;
      if (afterLeft > 0) {
        afterLeft--;
        printLine(job, label, lineNo, 45, r.linePtr, r.lineLen);
        lastPrinted = lineNo;
      } else if (job.before > 0) {
        const copy = new Uint8Array(r.lineLen);
        memory.copy(copy.dataStart, r.linePtr, r.lineLen);
        kept.push(copy);
        if (kept.length > job.before) kept.shift();
      }
      continue;
    }
    if (context) {
      const first = lineNo - kept.length;
      if (job.printedGroup && (lastPrinted < 0 || first > lastPrinted + 1)) stdout.str("--").byte(10);
      for (let k = 0; k < kept.length; k++) printLine(job, label, first + k, 45, kept[k].dataStart, kept[k].length);
      kept.length = 0;
      afterLeft = job.after;
      lastPrinted = lineNo;
      job.printedGroup = true;
    }
    count++;
    job.matched = true;
    if (job.quiet) break;
    if (job.listFiles) { stdout.line(label); break; }
    if (job.count) continue;
    if (job.onlyMatching && !job.invert) {
      let from = 0;
      while (from <= r.lineLen && job.re.exec(r.linePtr, r.lineLen, from)) {
        const s = job.re.start; const e = job.re.end;
        if (e > s) {
          if (job.showNames) stdout.str(label).byte(58);
          if (job.lineNumbers) stdout.int(lineNo).byte(58);
          stdout.bytes(r.linePtr + s, e - s).byte(10);
        }
        from = e > s ? e : s + 1;
      }
      continue;
    }
    printLine(job, label, lineNo, 58, r.linePtr, r.lineLen);
  }
  if (r.error != 0 && !silent) { report("grep", name, r.error); if (fd > 2) fs.close(fd); return 2; }
  if (job.count) { if (job.showNames) stdout.str(label).byte(58); stdout.int(count).byte(10); }
  if (fd > 2) fs.close(fd);
  return 0;
}

/** Prints one line of grep's output: the file's name and the line's number when asked, each followed by `sep` (":" for a match, "-" for context). */
function printLine(job: GrepJob, label: string, lineNo: i32, sep: i32, ptr: usize, len: i32): void {
  if (job.showNames) stdout.str(label).byte(sep);
  if (job.lineNumbers) stdout.int(lineNo).byte(sep);
  stdout.bytes(ptr, len).byte(10);
}

// ---- sed ----

const A_NONE = 0; const A_LINE = 1; const A_LAST = 2; const A_REGEX = 3;

class Address {
  kind: i32 = A_NONE;
  line: i64 = 0;
  re: Regex | null = null;
}

class SedCommand {
  addr1: Address = new Address();
  addr2: Address = new Address();
  negate: bool = false;
  inRange: bool = false;
  cmd: i32 = 0;
  re: Regex | null = null;
  replacement: string = "";
  global: bool = false;
  print: bool = false;
  nth: i32 = 1;
  text: string = "";
  from: string = "";
  to: string = "";
  /** { : the command after its }; b t T: the command its label names (the script's end without one). */
  jump: i32 = -1;
  label: string = "";
  /** w and s///w: the file the pattern space goes to. */
  file: Writer | null = null;
  /** l: the output line length (0 or 1: no wrapping). */
  width: i32 = 70;
}

class SedScript {
  commands: SedCommand[] = [];
  /** The { commands not closed yet. */
  open: i32[] = [];
  error: string = "";
  extended: bool = false;
  src: string = "";
  pos: i32 = 0;
  /** The files w commands write, by name: opened (truncated) once, when the script is parsed. */
  fileNames: string[] = [];
  files: Writer[] = [];

  /** The rest of the line as a file name (r, w). */
  fileName(): string {
    this.skipSpace();
    const end = this.src.indexOf("\n", this.pos);
    const name = this.src.substring(this.pos, end < 0 ? this.src.length : end);
    this.pos = end < 0 ? this.src.length : end;
    return name;
  }

  /** The writer for a w file, opening it on first use; null (with error set) when it cannot be. */
  writerFor(name: string): Writer | null {
    if (name == "") { this.error = "missing filename in r/R/w/W commands"; return null; }
    if (name == "/dev/stdout") return stdout;
    for (let i = 0; i < this.fileNames.length; i++) if (this.fileNames[i] == name) return this.files[i];
    const fd = fs.create(name);
    if (fd < 0) { this.error = "couldn't open file " + name + ": " + strerror(fs.lastError); return null; }
    const w = new Writer(fd);
    this.fileNames.push(name); this.files.push(w);
    return w;
  }

  flushFiles(): void {
    for (let i = 0; i < this.files.length; i++) this.files[i].flush();
  }

  peek(): i32 { return this.pos < this.src.length ? this.src.charCodeAt(this.pos) : -1; }
  skipSpace(): void { while (this.peek() == 32 || this.peek() == 9) this.pos++; }

  /** Reads up to an unescaped delimiter; "\delim" becomes delim, "\n" a newline. */
  delimited(delim: i32, keepEscapes: bool): string | null {
    let out = "";
    while (this.pos < this.src.length) {
      const c = this.src.charCodeAt(this.pos++);
      if (c == delim) return out;
      if (c == 92 && this.pos < this.src.length) {
        const n = this.src.charCodeAt(this.pos++);
        if (n == delim) out += String.fromCharCode(n);
        else if (n == 110 && !keepEscapes) out += "\n";
        else out += "\\" + String.fromCharCode(n);
        continue;
      }
      out += String.fromCharCode(c);
    }
    return null;
  }

  address(a: Address): bool {
    const c = this.peek();
    if (c >= 48 && c <= 57) {
      let v: i64 = 0;
      while (this.peek() >= 48 && this.peek() <= 57) v = v * 10 + this.src.charCodeAt(this.pos++) - 48;
      a.kind = A_LINE; a.line = v;
      return true;
    }
    if (c == 36) { this.pos++; a.kind = A_LAST; return true; }
    if (c == 47 || c == 92) {
      this.pos++;
      let delim = 47;
      if (c == 92) delim = this.src.charCodeAt(this.pos++);
      const pat = this.delimited(delim, true);
      if (pat == null) { this.error = "unterminated address regex"; return false; }
      a.kind = A_REGEX;
      a.re = compile(pat, this.extended, false);
      if (a.re == null) { this.error = regexError; return false; }
      return true;
    }
    return true;
  }

  parse(src: string): void {
    this.src = src; this.pos = 0;
    while (this.error == "") {
      while (this.peek() == 32 || this.peek() == 9 || this.peek() == 10 || this.peek() == 59) this.pos++;
      if (this.pos >= this.src.length) return;
      const cmd = new SedCommand();
      if (!this.address(cmd.addr1)) return;
      if (cmd.addr1.kind != A_NONE && this.peek() == 44) { this.pos++; if (!this.address(cmd.addr2)) return; }
      this.skipSpace();
      if (this.peek() == 33) { cmd.negate = true; this.pos++; this.skipSpace(); }
      cmd.cmd = this.peek();
      this.pos++;
      if (cmd.cmd == 115) { if (!this.substitution(cmd)) return; }
      else if (cmd.cmd == 121) {
        const delim = this.src.charCodeAt(this.pos++);
        const from = this.delimited(delim, false); const to = this.delimited(delim, false);
        if (from == null || to == null || from.length != to.length) { this.error = "strings for `y' command are different lengths"; return; }
        cmd.from = from; cmd.to = to;
      } else if (cmd.cmd == 97 || cmd.cmd == 105 || cmd.cmd == 99) {
        if (this.peek() == 92) { this.pos++; if (this.peek() == 10) this.pos++; }
        this.skipSpace();
        const end = this.src.indexOf("\n", this.pos);
        cmd.text = this.src.substring(this.pos, end < 0 ? this.src.length : end);
        this.pos = end < 0 ? this.src.length : end;
      } else if (cmd.cmd == 114) {
        cmd.text = this.fileName();
        if (cmd.text == "") { this.error = "missing filename in r/R/w/W commands"; return; }
      } else if (cmd.cmd == 119) {
        cmd.file = this.writerFor(this.fileName());
        if (cmd.file == null) return;
      } else if (cmd.cmd == 108) {
        this.skipSpace();
        if (this.peek() >= 48 && this.peek() <= 57) {
          let v = 0;
          while (this.peek() >= 48 && this.peek() <= 57) v = v * 10 + this.src.charCodeAt(this.pos++) - 48;
          cmd.width = v;
        }
      } else if ("qQdDpP=nNhHgGx".includes(String.fromCharCode(cmd.cmd))) {
        // They take no arguments.
      } else if (cmd.cmd == 123) {
        this.open.push(this.commands.length);
      } else if (cmd.cmd == 125) {
        if (this.open.length == 0 || cmd.addr1.kind != A_NONE) { this.error = "unexpected `}'"; return; }
        this.commands[this.open.pop()].jump = this.commands.length + 1;
      } else if (cmd.cmd == 58 || cmd.cmd == 98 || cmd.cmd == 116 || cmd.cmd == 84) {
        this.skipSpace();
        let label = "";
        while (this.pos < this.src.length && this.peek() != 10 && this.peek() != 59 && !(cmd.cmd != 58 && this.peek() == 125)) label += String.fromCharCode(this.src.charCodeAt(this.pos++));
        cmd.label = label.trim();
        if (cmd.cmd == 58 && cmd.label == "") { this.error = "\":\" lacks a label"; return; }
      } else { this.error = "unknown command: `" + String.fromCharCode(cmd.cmd) + "'"; return; }
      this.commands.push(cmd);
    }
  }

  /** After parsing: every { closed, every branch's label found. */
  link(): void {
    if (this.error != "") return;
    if (this.open.length > 0) { this.error = "unmatched `{'"; return; }
    for (let i = 0; i < this.commands.length; i++) {
      const c = this.commands[i];
      if (c.cmd != 98 && c.cmd != 116 && c.cmd != 84) continue;
      if (c.label == "") { c.jump = this.commands.length; continue; }
      for (let j = 0; j < this.commands.length; j++) if (this.commands[j].cmd == 58 && this.commands[j].label == c.label) c.jump = j;
      if (c.jump < 0) { this.error = "can't find label for jump to `" + c.label + "'"; return; }
    }
  }

  substitution(cmd: SedCommand): bool {
    const delim = this.src.charCodeAt(this.pos++);
    const pat = this.delimited(delim, true);
    const rep = this.delimited(delim, true);
    if (pat == null || rep == null) { this.error = "unterminated `s' command"; return false; }
    cmd.replacement = rep;
    let icase = false;
    for (;;) {
      const f = this.peek();
      if (f == 103) cmd.global = true;
      else if (f == 112) cmd.print = true;
      else if (f == 73 || f == 105) icase = true;
      else if (f >= 48 && f <= 57) cmd.nth = f - 48;
      else if (f == 119) { this.pos++; cmd.file = this.writerFor(this.fileName()); if (cmd.file == null) return false; break; }
      else break;
      this.pos++;
    }
    cmd.re = compile(pat, this.extended, icase);
    if (cmd.re == null) { this.error = regexError; return false; }
    return true;
  }
}

class SedRun {
  quiet: bool = false;
  lineNo: i64 = 0;
  last: bool = false;
  quit: bool = false;
  space: ByteBuf = new ByteBuf();
  hold: ByteBuf = new ByteBuf();
  out: ByteBuf = new ByteBuf();
  /** Whether an s has replaced since the last line was read or t taken. */
  replaced: bool = false;
  appendQueue: string[] = [];
  /** Per queued entry: whether it names a file to copy (r) rather than text (a). */
  appendIsFile: bool[] = [];
  /** Whether the pattern space's line ended in a newline (only the input's last line may not). */
  chomped: bool = true;
  /** Whether the last output was that line without its newline: the next output writes it first, as GNU sed does. */
  missingNewline: bool = false;
}

/** Writes the newline a last line without one was printed without, before anything follows it. */
function catchUp(run: SedRun): void {
  if (run.missingNewline) { stdout.byte(10); run.missingNewline = false; }
}

/** The pattern space to stdout, ended as its input line was (GNU keeps a missing final newline missing). */
function printSpace(run: SedRun): void {
  catchUp(run);
  stdout.bytes(run.space.ptr, run.space.len);
  if (run.chomped) stdout.byte(10); else run.missingNewline = true;
}

/** w: the pattern space and a newline to the command's file, written at once. */
function writeSpace(w: Writer, run: SedRun): void {
  w.bytes(run.space.ptr, run.space.len).byte(10);
  if (w !== stdout) w.flush();
}

/** l: the pattern space with C escapes and octal for the unprintable, wrapped at width, ending in $. */
function listSpace(run: SedRun, width: i32): void {
  let column = 0;
  for (let i = 0; i < run.space.len; i++) {
    const b = <i32>load<u8>(run.space.ptr + i);
    let piece = "";
    if (b == 92) piece = "\\\\";
    else if (b == 7) piece = "\\a";
    else if (b == 8) piece = "\\b";
    else if (b == 12) piece = "\\f";
    else if (b == 10) piece = "\\n";
    else if (b == 13) piece = "\\r";
    else if (b == 9) piece = "\\t";
    else if (b == 11) piece = "\\v";
    else if (b < 32 || b >= 127) piece = "\\" + String.fromCharCode(48 + (b >> 6)) + String.fromCharCode(48 + ((b >> 3) & 7)) + String.fromCharCode(48 + (b & 7));
    else piece = String.fromCharCode(b);
    if (width > 1 && column + piece.length > width - 1) { stdout.byte(92).byte(10); column = 0; }
    stdout.str(piece);
    column += piece.length;
  }
  stdout.byte(36).byte(10);
}

function matches(a: Address, run: SedRun): bool {
  if (a.kind == A_LINE) return run.lineNo == a.line;
  if (a.kind == A_LAST) return run.last;
  if (a.kind == A_REGEX) return a.re!.exec(run.space.ptr, run.space.len, 0);
  return true;
}

function selected(c: SedCommand, run: SedRun): bool {
  let hit: bool;
  if (c.addr1.kind == A_NONE) hit = true;
  else if (c.addr2.kind == A_NONE) hit = matches(c.addr1, run);
  else if (c.inRange) {
    hit = true;
    if (c.addr2.kind == A_LINE ? run.lineNo >= c.addr2.line : matches(c.addr2, run)) c.inRange = false;
  } else {
    hit = matches(c.addr1, run);
    if (hit) c.inRange = !(c.addr2.kind == A_LINE && c.addr2.line <= run.lineNo) && !(c.addr2.kind == A_LAST && run.last);
  }
  return hit != c.negate;
}

/** Applies s/// to the pattern space; true if a replacement was made. */
function substitute(c: SedCommand, run: SedRun): bool {
  const re = c.re!;
  const sp = run.space;
  const out = run.out;
  out.clear();
  let from = 0; let copied = 0; let n = 0; let done = false;
  while (from <= sp.len && re.exec(sp.ptr, sp.len, from)) {
    const s = re.start; const e = re.end;
    n++;
    if (n >= c.nth) {
      out.append(sp.ptr + copied, s - copied);
      const rep = c.replacement;
      for (let i = 0; i < rep.length; i++) {
        const ch = rep.charCodeAt(i);
        if (ch == 38) { out.append(sp.ptr + s, e - s); continue; }
        if (ch == 92 && i + 1 < rep.length) {
          const d = rep.charCodeAt(++i);
          if (d >= 48 && d <= 57) {
            const gs = re.caps[(d - 48) * 2]; const ge = re.caps[(d - 48) * 2 + 1];
            if (gs >= 0 && ge >= gs) out.append(sp.ptr + gs, ge - gs);
          } else if (d == 110) out.appendByte(10);
          else if (d == 116) out.appendByte(9);
          else out.appendString(String.fromCharCode(d));
          continue;
        }
        if (ch < 128) out.appendByte(ch); else out.appendString(String.fromCharCode(ch));
      }
      copied = e;
      done = true;
      if (!c.global) break;
    }
    from = e > s ? e : s + 1;
    if (e == s && s < sp.len && n >= c.nth) { out.appendByte(load<u8>(sp.ptr + s)); copied = s + 1; }
  }
  if (!done) return false;
  if (copied < sp.len) out.append(sp.ptr + copied, sp.len - copied);
  sp.clear();
  sp.append(out.ptr, out.len);
  return true;
}

/** The offset of the first newline in a buffer, or -1. */
function newlineIn(b: ByteBuf): i32 {
  for (let i = 0; i < b.len; i++) if (load<u8>(b.ptr + i) == 10) return i;
  return -1;
}

/** Sets `to` to the bytes of `from`. */
function copyBuf(to: ByteBuf, from: ByteBuf): void {
  to.clear();
  to.append(from.ptr, from.len);
}

/** Runs the script over one input; output goes to stdout (which -i points at the file). */
function sedStream(script: SedScript, run: SedRun, r: Reader): void {
  let have = r.nextLine();
  // D restarts the cycle with what is left of the pattern space, reading no new line.
  let keep = false;
  const commands = script.commands;
  while ((have || keep) && !run.quit) {
    if (!keep) {
      run.space.clear();
      run.space.append(r.linePtr, r.lineLen);
      run.chomped = r.newline;
      run.lineNo++;
      have = r.nextLine();
      run.last = !have;
      run.replaced = false;
    }
    keep = false;
    let deleted = false;
    let pc = 0;
    while (pc < commands.length && !deleted) {
      const c = commands[pc++];
      const k = c.cmd;
      if (k == 125 || k == 58) continue;
      if (!selected(c, run)) { if (k == 123) pc = c.jump; continue; }
      if (k == 123) continue;
      if (k == 115) {
        if (substitute(c, run)) {
          run.replaced = true;
          if (c.print) printSpace(run);
          if (c.file != null) writeSpace(c.file!, run);
        }
      }
      else if (k == 100) deleted = true;
      else if (k == 68) { // D
        const nl = newlineIn(run.space);
        if (nl >= 0) {
          copyBuf(run.out, run.space);
          run.space.clear();
          run.space.append(run.out.ptr + nl + 1, run.out.len - nl - 1);
          keep = true;
        }
        deleted = true;
      }
      else if (k == 112) printSpace(run);
      else if (k == 80) { catchUp(run); const nl = newlineIn(run.space); stdout.bytes(run.space.ptr, nl >= 0 ? nl : run.space.len).byte(10); } // P
      else if (k == 61) { catchUp(run); stdout.str(run.lineNo.toString()).byte(10); }
      else if (k == 113) { run.quit = true; break; }
      else if (k == 81) { run.quit = true; deleted = true; break; } // Q: quits without printing
      else if (k == 97) { run.appendQueue.push(c.text); run.appendIsFile.push(false); }
      else if (k == 114) { run.appendQueue.push(c.text); run.appendIsFile.push(true); }
      else if (k == 119) writeSpace(c.file!, run);
      else if (k == 108) { catchUp(run); listSpace(run, c.width); }
      else if (k == 105) { catchUp(run); stdout.line(c.text); }
      else if (k == 99) { if (c.addr2.kind == A_NONE || !c.inRange) { catchUp(run); stdout.line(c.text); } deleted = true; }
      else if (k == 121) {
        for (let p = 0; p < run.space.len; p++) {
          const at = c.from.indexOf(String.fromCharCode(load<u8>(run.space.ptr + p)));
          if (at >= 0) store<u8>(run.space.ptr + p, <u8>c.to.charCodeAt(at));
        }
      } else if (k == 110) {
        if (!run.quiet) printSpace(run);
        if (!have) { deleted = true; run.quit = true; break; }
        run.space.clear(); run.space.append(r.linePtr, r.lineLen);
        run.chomped = r.newline;
        run.lineNo++;
        have = r.nextLine();
        run.last = !have;
      } else if (k == 78) { // N: GNU prints the pattern space and ends when there is no next line
        if (!have) { run.quit = true; break; }
        run.space.appendByte(10); run.space.append(r.linePtr, r.lineLen);
        run.chomped = r.newline;
        run.lineNo++;
        have = r.nextLine();
        run.last = !have;
      }
      else if (k == 104) copyBuf(run.hold, run.space); // h
      else if (k == 72) { run.hold.appendByte(10); run.hold.append(run.space.ptr, run.space.len); } // H
      else if (k == 103) copyBuf(run.space, run.hold); // g
      else if (k == 71) { run.space.appendByte(10); run.space.append(run.hold.ptr, run.hold.len); } // G
      else if (k == 120) { const t = run.space; run.space = run.hold; run.hold = t; } // x
      else if (k == 98) pc = c.jump; // b
      else if (k == 116) { if (run.replaced) { run.replaced = false; pc = c.jump; } } // t
      else if (k == 84) { if (!run.replaced) pc = c.jump; else run.replaced = false; } // T
    }
    if (!deleted && !run.quiet) printSpace(run);
    for (let q = 0; q < run.appendQueue.length; q++) {
      if (!run.appendIsFile[q]) { catchUp(run); stdout.line(run.appendQueue[q]); continue; }
      // As GNU sed: a file that cannot be read adds nothing.
      const data: Uint8Array | null = fs.readFile(run.appendQueue[q]);
      if (data != null && data.length > 0) { catchUp(run); stdout.data(data!); }
    }
    run.appendQueue = []; run.appendIsFile = [];
  }
}

/** sed [-n] [-E] [-i] [-e SCRIPT]... [SCRIPT] [FILE]... */
export function sedMain(args: string[]): i32 {
  const o = getopt(args, "nErie:s");
  if (o.error != "") return usage("sed", o.error);
  let operands = o.operands;
  const script = new SedScript();
  script.extended = o.has("E") || o.has("r");
  if (o.has("e")) script.parse(o.repeated.join("\n"));
  else {
    if (operands.length == 0) return usage("sed", "no script specified");
    script.parse(operands[0]);
    operands = operands.slice(1);
  }
  script.link();
  // As GNU sed: a missing label is found after parsing, and ends sed with status 4.
  if (script.error.startsWith("can't find label")) { warn("sed", script.error); return 4; }
  if (script.error != "") { warn("sed", "-e expression #1, char " + script.pos.toString() + ": " + script.error); return 1; }
  const run = new SedRun();
  run.quiet = o.has("n");
  let status = 0;
  if (o.has("i")) {
    if (operands.length == 0) return usage("sed", "no input files");
    for (let f = 0; f < operands.length; f++) {
      const fd = openInput("sed", operands[f]);
      if (fd < 0) { status = 1; continue; }
      const tmp = operands[f] + ".sedtmp";
      const outFd = fs.create(tmp);
      if (outFd < 0) { report("sed", "couldn't open temporary file " + tmp, fs.lastError); closeInput(fd); status = 4; continue; }
      stdout.flush();
      const saved = stdout.fd;
      stdout.fd = outFd;
      run.lineNo = 0; run.quit = false; run.missingNewline = false;
      sedStream(script, run, new Reader(fd));
      stdout.flush();
      stdout.fd = saved;
      fs.close(outFd); closeInput(fd);
      const err = fs.rename(tmp, operands[f]);
      if (err != 0) { warn("sed", "cannot rename " + tmp + ": " + strerror(err)); status = 4; }
    }
    script.flushFiles();
    return status;
  }
  // Without -i the inputs form one stream, so "$" is the last line of the last file.
  const files = inputsOrStdin(operands);
  if (files.length == 1) {
    const fd = openInput("sed", files[0]);
    if (fd < 0) return 2;
    sedStream(script, run, new Reader(fd));
    closeInput(fd);
    script.flushFiles();
    return 0;
  }
  const all = new ByteBuf(BLOCK);
  for (let f = 0; f < files.length; f++) {
    const fd = openInput("sed", files[f]);
    if (fd < 0) { status = 2; continue; }
    all.readFrom(fd);
    closeInput(fd);
    // A file whose last line has no newline still ends that line: the next file's first line is another.
    if (all.len > 0 && load<u8>(all.ptr + all.len - 1) != 10 && f + 1 < files.length) all.appendByte(10);
  }
  sedStream(script, run, Reader.fromBytes(all.ptr, all.len));
  script.flushFiles();
  return status;
}
