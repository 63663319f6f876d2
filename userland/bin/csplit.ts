// csplit (POSIX/GNU: split a file at line numbers and /regex/ or %regex% matches, with offsets and
// {N}/{*} repeats, printing each piece's size) and watch (procps: run a command every -n seconds,
// clearing the screen, with a header unless -t).
import { stdout, warn, readFd, lastReadError } from "../lib/io";
import { usage, openInput } from "../lib/cmd";
import * as fs from "../lib/fs";
import { strerror } from "../lib/errno";
import { parseIntOr } from "../lib/opts";
import { compile, Regex, regexError } from "../lib/regex";
import * as proc from "../lib/proc";
import { which, formatDate } from "./system";
import { getenv } from "../lib/env";

/** One csplit pattern: a line number, or a regex whose match line (plus offset) starts the next piece; skip: %regex%. */
class Pattern {
  line: i64 = 0;
  re: Regex | null = null;
  offset: i64 = 0;
  skip: bool = false;
  repeat: i64 = 0;
  forever: bool = false;
  constructor(public text: string) {}
}

class CsplitState {
  lines: string[] = [];
  /** Byte form of each line, for the regex. */
  bytes: ArrayBuffer[] = [];
  pos: i32 = 0;
  files: string[] = [];
  prefix: string = "xx";
  digits: i32 = 2;
  silent: bool = false;
  keep: bool = false;
  elideEmpty: bool = false;
  /** -b: a printf format for the piece number (%d %i %u %o %x %X with flags 0, - and a width), or "". */
  suffixFormat: string = "";
}

/** The number as -b's one conversion formats it; null when the format has no single valid conversion. */
function formatSuffix(format: string, n: i32): string | null {
  const at = format.indexOf("%");
  if (at < 0) return null;
  let i = at + 1;
  let zero = false; let left = false;
  while (i < format.length && (format.charAt(i) == "0" || format.charAt(i) == "-" || format.charAt(i) == "#" || format.charAt(i) == "'")) { if (format.charAt(i) == "0") zero = true; if (format.charAt(i) == "-") left = true; i++; }
  let width = 0;
  while (i < format.length && format.charCodeAt(i) >= 48 && format.charCodeAt(i) <= 57) width = width * 10 + format.charCodeAt(i++) - 48;
  if (i >= format.length) return null;
  const conv = format.charAt(i);
  let num: string;
  if (conv == "d" || conv == "i" || conv == "u") num = n.toString();
  else if (conv == "o") num = n.toString(8);
  else if (conv == "x") num = n.toString(16);
  else if (conv == "X") num = n.toString(16).toUpperCase();
  else return null;
  const rest = format.substring(i + 1);
  if (rest.replaceAll("%%", "").indexOf("%") >= 0) return null;
  while (num.length < width) num = left ? num + " " : (zero ? "0" : " ") + num;
  return format.substring(0, at).replaceAll("%%", "%") + num + rest.replaceAll("%%", "%");
}

function pieceName(s: CsplitState, n: i32): string {
  if (s.suffixFormat != "") { const name = formatSuffix(s.suffixFormat, n); if (name != null) return s.prefix + name!; }
  let num = n.toString();
  while (num.length < s.digits) num = "0" + num;
  return s.prefix + num;
}

/** Writes lines [pos, end) as the next piece (or drops them for %regex%). false on a write error. */
function emit(s: CsplitState, end: i32, skip: bool): bool {
  if (skip) { s.pos = end; return true; }
  let text = "";
  for (let i = s.pos; i < end; i++) text += s.lines[i];
  s.pos = end;
  if (s.elideEmpty && text.length == 0) return true;
  const name = pieceName(s, s.files.length);
  const data = String.UTF8.encode(text);
  const err = fs.writeFile(name, Uint8Array.wrap(data));
  if (err != 0) { warn("csplit", name + ": " + strerror(err)); return false; }
  s.files.push(name);
  if (!s.silent) stdout.line(data.byteLength.toString());
  return true;
}

function fail(s: CsplitState, message: string): i32 {
  warn("csplit", message);
  if (!s.keep) for (let i = 0; i < s.files.length; i++) fs.unlink(s.files[i]);
  return 1;
}

/** The line index (0-based) at which the piece before `p` ends, from the current position; -1 if none. */
function findEnd(s: CsplitState, p: Pattern): i32 {
  if (p.re == null) return <i32>p.line - 1;
  // A regex is searched from the line after the current one when the previous piece began at a match.
  for (let i = s.pos; i < s.lines.length; i++) {
    const b = s.bytes[i];
    let len = b.byteLength;
    if (len > 0 && load<u8>(changetype<usize>(b) + <usize>len - 1) == 10) len--;
    if (p.re!.exec(changetype<usize>(b), len)) {
      const at = <i64>i + p.offset;
      if (at < <i64>s.pos || at > <i64>s.lines.length) return -2;
      return <i32>at;
    }
  }
  return -1;
}

/** csplit [-f PREFIX] [-n DIGITS] [-s] [-k] [-z] FILE PATTERN... */
export function csplitMain(args: string[]): i32 {
  const s = new CsplitState();
  const rest = new Array<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a == "-s" || a == "-q" || a == "--quiet" || a == "--silent") s.silent = true;
    else if (a == "-k" || a == "--keep-files") s.keep = true;
    else if (a == "-z" || a == "--elide-empty-files") s.elideEmpty = true;
    else if ((a == "-f" || a == "-n") && i + 1 < args.length) { if (a == "-f") s.prefix = args[++i]; else s.digits = <i32>parseIntOr(args[++i], 2); }
    else if (a.startsWith("-f") && a.length > 2) s.prefix = a.substring(2);
    else if (a.startsWith("-n") && a.length > 2) s.digits = <i32>parseIntOr(a.substring(2), 2);
    else if (a == "-b" && i + 1 < args.length) s.suffixFormat = args[++i];
    else if (a.startsWith("-b") && a.length > 2) s.suffixFormat = a.substring(2);
    else if (a.startsWith("--suffix-format=")) s.suffixFormat = a.substring(16);
    else if (a.startsWith("--prefix=")) s.prefix = a.substring(9);
    else if (a.startsWith("--digits=")) s.digits = <i32>parseIntOr(a.substring(9), 2);
    else if (a == "--") { for (i++; i < args.length; i++) rest.push(args[i]); }
    else if (a.length > 1 && a.startsWith("-") && rest.length == 0) return usage("csplit", "invalid option -- '" + a.substring(1) + "'");
    else rest.push(a);
  }
  if (rest.length < 2) return usage("csplit", rest.length == 0 ? "missing operand" : "missing operand after '" + rest[0] + "'");
  if (s.digits < 1) return usage("csplit", "invalid number of digits");
  if (s.suffixFormat != "" && formatSuffix(s.suffixFormat, 0) == null) return usage("csplit", s.suffixFormat.indexOf("%") < 0 ? "missing % conversion specification in suffix" : "invalid conversion specifier in suffix: " + s.suffixFormat);
  // The patterns, each with its {N} repeat.
  const patterns = new Array<Pattern>();
  for (let i = 1; i < rest.length; i++) {
    const t = rest[i];
    if (t.startsWith("{") && t.endsWith("}")) {
      if (patterns.length == 0) return usage("csplit", "'" + t + "': no pattern to repeat");
      const inner = t.substring(1, t.length - 1);
      const last = patterns[patterns.length - 1];
      if (inner == "*") last.forever = true;
      else { last.repeat = parseIntOr(inner, -1); if (last.repeat < 0) return usage("csplit", "'" + t + "': invalid repeat count"); }
      continue;
    }
    const p = new Pattern(t);
    const c = t.charAt(0);
    if (c == "/" || c == "%") {
      const close = t.lastIndexOf(c);
      if (close <= 0) return usage("csplit", "'" + t + "': match not found");
      const re = compile(t.substring(1, close), false, false);
      if (re == null) { warn("csplit", "'" + t + "': " + regexError); return 1; }
      p.re = re;
      p.skip = c == "%";
      const off = t.substring(close + 1);
      if (off.length > 0) { p.offset = parseIntOr(off, I64.MIN_VALUE); if (p.offset == I64.MIN_VALUE) return usage("csplit", "'" + t + "': integer expected after delimiter"); }
    } else {
      p.line = parseIntOr(t, 0);
      if (p.line <= 0) { warn("csplit", "'" + t + "': invalid pattern"); return 1; }
    }
    patterns.push(p);
  }
  const fd = openInput("csplit", rest[0]);
  if (fd < 0) return 1;
  const data = readFd(fd);
  if (fd > 2) fs.close(fd);
  if (data == null) { warn("csplit", rest[0] + ": " + strerror(lastReadError)); return 1; }
  const text = String.UTF8.decode(data.buffer);
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl + 1;
    s.lines.push(text.substring(start, end));
    start = end;
  }
  for (let i = 0; i < s.lines.length; i++) s.bytes.push(String.UTF8.encode(s.lines[i]));
  for (let k = 0; k < patterns.length; k++) {
    const p = patterns[k];
    let times: i64 = 0;
    while (true) {
      // A line number repeated means every N lines after it.
      const target = p.re == null ? new Pattern(p.text) : p;
      if (p.re == null) target.line = p.line + times * p.line;
      let end = findEnd(s, target);
      // A regex match at the current line (after the first piece) looks for the next one instead.
      if (p.re != null && end == s.pos && times > 0 && p.offset == 0) {
        const save = s.pos;
        s.pos = save + 1;
        end = findEnd(s, target);
        s.pos = save;
      }
      if (end == -2 || end < 0 || end > s.lines.length || (p.re == null && end < s.pos)) {
        if (p.forever && times > 0 && end == -1) break;
        // Like GNU csplit: what is left is written as a last piece (kept with -k) before the error.
        emit(s, s.lines.length, false);
        stdout.flush();
        return fail(s, "'" + p.text + "': " + (p.re == null ? "line number out of range" : "match not found") + (times > 0 ? " on repetition " + times.toString() : ""));
      }
      if (!emit(s, end, p.skip)) return fail(s, "write error");
      times++;
      if (!p.forever && times > p.repeat) break;
    }
  }
  if (!emit(s, s.lines.length, false)) return fail(s, "write error");
  return 0;
}

/** watch [-n SECS] [-t] [-x] COMMAND...: runs COMMAND (through sh -c unless -x) every SECS seconds, clearing the screen first. */
export function watchMain(args: string[]): i32 {
  let interval: f64 = 2;
  let header = true;
  let exec = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a == "-t" || a == "--no-title") header = false;
    else if (a == "-x" || a == "--exec") exec = true;
    else if (a == "-n" || a == "--interval") { if (i + 1 >= args.length) return usage("watch", "option requires an argument -- 'n'"); interval = parseFloat(args[++i]); }
    else if (a.startsWith("-n") && a.length > 2) interval = parseFloat(a.substring(2));
    else if (a.startsWith("--interval=")) interval = parseFloat(a.substring(11));
    else if (a == "--") { i++; break; }
    else if (a.startsWith("-") && a.length > 1) return usage("watch", "invalid option -- '" + a.substring(1) + "'");
    else break;
  }
  if (i >= args.length) return usage("watch", "missing command");
  if (isNaN(interval) || interval < 0) return usage("watch", "failed to parse argument: '" + args[i - 1] + "'");
  // procps' minimum interval.
  if (interval < 0.1) interval = 0.1;
  const command = args.slice(i);
  const text = command.join(" ");
  const argv = exec ? command : ["sh", "-c", text];
  const path = which(argv[0]);
  if (path == "") { warn("watch", argv[0] + ": not found"); return 1; }
  // WATCH_COUNT bounds the rounds (for scripts and tests); unset, watch runs until killed.
  const countText = getenv("WATCH_COUNT");
  const rounds = countText != null ? parseIntOr(countText, 0) : -1;
  const secsText = interval == Math.floor(interval) ? (<i64>interval).toString() + ".0" : interval.toString();
  for (let round: i64 = 0; rounds < 0 || round < rounds; round++) {
    stdout.str("\x1b[H\x1b[2J");
    if (header) stdout.str("Every ").str(secsText).str("s: ").str(text).str("    ").line(formatDate(proc.nowNs() / 1000000000, false)).byte(10);
    stdout.flush();
    const pid = proc.spawn(path, argv, null, fs.getcwd(), [], 0);
    if (pid < 0) { warn("watch", argv[0] + ": " + strerror(-pid)); return 1; }
    proc.wait(pid);
    if (rounds >= 0 && round + 1 >= rounds) break;
    proc.sleepNs(<i64>(interval * 1e9));
  }
  return 0;
}
