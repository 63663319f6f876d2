// Line and byte tools from coreutils: tac, rev, paste, comm, join, nl, fold, split, shuf and cmp,
// with the options and messages of the GNU versions.

import { replaceAll } from "../lib/strings";
import { stdout, warn, Reader, ByteBuf, BLOCK, writeAll } from "../lib/io";
import { getopt, expandLong, parseIntOr } from "../lib/opts";
import { usage, report, openInput, closeInput, inputsOrStdin } from "../lib/cmd";
import * as fs from "../lib/fs";
import * as proc from "../lib/proc";

/** Every line of a file (without newlines); null after reporting an error. */
function readLines(prog: string, name: string): string[] | null {
  const fd = openInput(prog, name);
  if (fd < 0) return null;
  const r = new Reader(fd);
  const out = new Array<string>();
  while (r.nextLine()) out.push(r.lineString());
  closeInput(fd);
  if (r.error != 0) { report(prog, name, r.error); return null; }
  return out;
}

/** tac [FILE]...: lines in reverse order. */
export function tacMain(args: string[]): i32 {
  const files = inputsOrStdin(args);
  let status = 0;
  for (let f = 0; f < files.length; f++) {
    const fd = openInput("tac", files[f]);
    if (fd < 0) { status = 1; continue; }
    const data = new ByteBuf(BLOCK);
    const err = data.readFrom(fd);
    closeInput(fd);
    if (err != 0) { report("tac", files[f], err); status = 1; continue; }
    // Records end after each newline; the last may have none.
    let end = data.len;
    let i = data.len - 1;
    if (i >= 0 && load<u8>(data.ptr + i) == 10) i--;
    for (; i >= -1; i--) {
      if (i == -1 || load<u8>(data.ptr + i) == 10) {
        stdout.bytes(data.ptr + i + 1, end - i - 1);
        end = i + 1;
      }
    }
  }
  return status;
}

/** rev [FILE]...: each line's characters reversed. */
export function revMain(args: string[]): i32 {
  const files = inputsOrStdin(args);
  let status = 0;
  for (let f = 0; f < files.length; f++) {
    const fd = openInput("rev", files[f]);
    if (fd < 0) { status = 1; continue; }
    const r = new Reader(fd);
    while (r.nextLine()) {
      const s = r.lineString();
      let out = "";
      for (let i = s.length - 1; i >= 0; i--) {
        const c = s.charCodeAt(i);
        if (c >= 0xdc00 && c <= 0xdfff && i > 0) { out += s.substring(i - 1, i + 1); i--; } else out += String.fromCharCode(c);
      }
      stdout.str(out);
      if (r.newline) stdout.byte(10);
    }
    closeInput(fd);
  }
  return status;
}

function delimiters(spec: string): string[] {
  const out = new Array<string>();
  for (let i = 0; i < spec.length; i++) {
    const c = spec.charAt(i);
    if (c == "\\" && i + 1 < spec.length) {
      const e = spec.charAt(++i);
      out.push(e == "n" ? "\n" : e == "t" ? "\t" : e == "0" ? "" : e);
    } else out.push(c);
  }
  if (out.length == 0) out.push("");
  return out;
}

/** paste [-s] [-d LIST] [FILE]... */
export function pasteMain(args: string[]): i32 {
  const o = getopt(args, "sd:z");
  if (o.error != "") return usage("paste", o.error);
  const delims = delimiters(o.value("d", "\t"));
  const files = inputsOrStdin(o.operands);
  const contents = new Array<string[]>();
  // Several "-" operands take turns reading lines from standard input.
  let dashes = 0;
  for (let f = 0; f < files.length; f++) if (files[f] == "-") dashes++;
  let stdinLines: string[] = [];
  if (dashes > 0) { const l = readLines("paste", "-"); if (l == null) return 1; stdinLines = l; }
  let dashIndex = 0;
  for (let f = 0; f < files.length; f++) {
    if (files[f] == "-") {
      const mine = new Array<string>();
      const step = o.has("s") ? 1 : dashes;
      const first = o.has("s") ? (dashIndex == 0 ? 0 : stdinLines.length) : dashIndex;
      for (let k = first; k < stdinLines.length; k += step) mine.push(stdinLines[k]);
      dashIndex++;
      contents.push(mine);
      continue;
    }
    const lines = readLines("paste", files[f]);
    if (lines == null) return 1;
    contents.push(lines);
  }
  if (o.has("s")) {
    for (let f = 0; f < contents.length; f++) {
      const lines = contents[f];
      for (let i = 0; i < lines.length; i++) { if (i > 0) stdout.str(delims[(i - 1) % delims.length]); stdout.str(lines[i]); }
      stdout.byte(10);
    }
    return 0;
  }
  let rows = 0;
  for (let f = 0; f < contents.length; f++) rows = max(rows, contents[f].length);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < contents.length; f++) {
      if (f > 0) stdout.str(delims[(f - 1) % delims.length]);
      if (r < contents[f].length) stdout.str(contents[f][r]);
    }
    stdout.byte(10);
  }
  return 0;
}

/** comm [-123] FILE1 FILE2 */
export function commMain(args: string[]): i32 {
  const o = getopt(args, "123");
  if (o.error != "") return usage("comm", o.error);
  if (o.operands.length != 2) return usage("comm", o.operands.length < 2 ? "missing operand" : "extra operand '" + o.operands[2] + "'");
  const a = readLines("comm", o.operands[0]);
  const b = readLines("comm", o.operands[1]);
  if (a == null || b == null) return 1;
  const show1 = !o.has("1"); const show2 = !o.has("2"); const show3 = !o.has("3");
  const pre2 = show1 ? "\t" : "";
  const pre3 = (show1 ? "\t" : "") + (show2 ? "\t" : "");
  let i = 0; let j = 0;
  while (i < a.length || j < b.length) {
    const c = i >= a.length ? 1 : j >= b.length ? -1 : fs.compareStrings(a[i], b[j]);
    if (c < 0) { if (show1) stdout.line(a[i]); i++; }
    else if (c > 0) { if (show2) stdout.str(pre2).line(b[j]); j++; }
    else { if (show3) stdout.str(pre3).line(a[i]); i++; j++; }
  }
  return 0;
}

function splitFields(line: string, sep: string): string[] {
  if (sep != "") return line.split(sep);
  const out = new Array<string>();
  let i = 0;
  while (i < line.length) {
    while (i < line.length && (line.charCodeAt(i) == 32 || line.charCodeAt(i) == 9)) i++;
    if (i >= line.length) break;
    const s = i;
    while (i < line.length && line.charCodeAt(i) != 32 && line.charCodeAt(i) != 9) i++;
    out.push(line.substring(s, i));
  }
  return out;
}

/** join [-t CHAR] [-1 F] [-2 F] [-a N] [-v N] [-e S] [-o LIST] [-i] FILE1 FILE2 */
export function joinMain(args: string[]): i32 {
  const o = getopt(args, "t:1:2:a:v:e:o:ij:");
  if (o.error != "") return usage("join", o.error);
  if (o.operands.length != 2) return usage("join", o.operands.length < 2 ? "missing operand" : "extra operand '" + o.operands[2] + "'");
  const sep = o.value("t", "");
  const f1 = <i32>parseIntOr(o.value("1", o.value("j", "1")), 1) - 1;
  const f2 = <i32>parseIntOr(o.value("2", o.value("j", "1")), 1) - 1;
  const unpaired = new Array<bool>(3);
  const onlyUnpaired = o.has("v");
  for (let r = 0; r + 1 < args.length; r++) {
    const a = args[r];
    const v = a == "-a" || a == "-v" ? args[r + 1] : a.startsWith("-a") || a.startsWith("-v") ? a.substring(2) : "";
    if (v == "1" || v == "2") unpaired[<i32>parseIntOr(v, 1)] = true;
  }
  if (args.length > 0) { const a = args[args.length - 1]; if (a == "-a1" || a == "-v1") unpaired[1] = true; if (a == "-a2" || a == "-v2") unpaired[2] = true; }
  const empty = o.value("e", "");
  const format = o.has("o") ? replaceAll(o.value("o", ""), ",", " ").split(" ") : new Array<string>();
  const icase = o.has("i");
  const a = readLines("join", o.operands[0]);
  const b = readLines("join", o.operands[1]);
  if (a == null || b == null) return 1;
  const outSep = sep != "" ? sep : " ";
  const A = new Array<string[]>(); const B = new Array<string[]>();
  for (let i = 0; i < a.length; i++) A.push(splitFields(a[i], sep));
  for (let i = 0; i < b.length; i++) B.push(splitFields(b[i], sep));
  let i = 0; let j = 0;
  while (i < A.length || j < B.length) {
    const ka = i < A.length ? keyOf(A[i], f1, icase) : "";
    const kb = j < B.length ? keyOf(B[j], f2, icase) : "";
    const c = i >= A.length ? 1 : j >= B.length ? -1 : fs.compareStrings(ka, kb);
    if (c < 0) { if (unpaired[1]) emitJoin(A[i], null, f1, f2, format, outSep, empty, 1); i++; continue; }
    if (c > 0) { if (unpaired[2]) emitJoin(null, B[j], f1, f2, format, outSep, empty, 2); j++; continue; }
    let i2 = i; while (i2 < A.length && keyOf(A[i2], f1, icase) == ka) i2++;
    let j2 = j; while (j2 < B.length && keyOf(B[j2], f2, icase) == kb) j2++;
    if (!onlyUnpaired) for (let x = i; x < i2; x++) for (let y = j; y < j2; y++) emitJoin(A[x], B[y], f1, f2, format, outSep, empty, 0);
    i = i2; j = j2;
  }
  return 0;
}

function keyOf(fields: string[], f: i32, icase: bool): string {
  const k = f < fields.length ? fields[f] : "";
  return icase ? k.toLowerCase() : k;
}

function emitJoin(a: string[] | null, b: string[] | null, f1: i32, f2: i32, format: string[], sep: string, empty: string, which: i32): void {
  const parts = new Array<string>();
  if (format.length > 0) {
    for (let k = 0; k < format.length; k++) {
      const spec = format[k];
      if (spec == "") continue;
      if (spec == "0") { parts.push(a != null ? keyOf(a, f1, false) : keyOf(b!, f2, false)); continue; }
      const dot = spec.indexOf(".");
      const file = spec.substring(0, dot);
      const field = <i32>parseIntOr(spec.substring(dot + 1), 1) - 1;
      const src = file == "1" ? a : b;
      parts.push(src != null && field < src.length ? src[field] : empty);
    }
  } else {
    parts.push(a != null ? keyOf(a, f1, false) : keyOf(b!, f2, false));
    if (a != null) for (let k = 0; k < a.length; k++) if (k != f1) parts.push(a[k]);
    if (b != null) for (let k = 0; k < b.length; k++) if (k != f2) parts.push(b[k]);
  }
  stdout.line(parts.join(sep));
}

/** nl [-b a|t|n] [-n ln|rn|rz] [-w N] [-s SEP] [-v START] [-i INCR] [FILE]... */
export function nlMain(args: string[]): i32 {
  const o = getopt(args, "b:n:w:s:v:i:");
  if (o.error != "") return usage("nl", o.error);
  const style = o.value("b", "t");
  const fmt = o.value("n", "rn");
  const width = <i32>parseIntOr(o.value("w", "6"), 6);
  const sep = o.value("s", "\t");
  let num = parseIntOr(o.value("v", "1"), 1);
  const incr = parseIntOr(o.value("i", "1"), 1);
  if (style != "a" && style != "t" && style != "n") return usage("nl", "invalid body numbering style: '" + style + "'");
  const files = inputsOrStdin(o.operands);
  let status = 0;
  for (let f = 0; f < files.length; f++) {
    const fd = openInput("nl", files[f]);
    if (fd < 0) { status = 1; continue; }
    const r = new Reader(fd);
    while (r.nextLine()) {
      const line = r.lineString();
      const numbered = style == "a" || (style == "t" && line.length > 0);
      if (numbered) {
        let n = num.toString();
        if (fmt == "ln") { while (n.length < width) n += " "; }
        else if (fmt == "rz") { const neg = n.startsWith("-"); let d = neg ? n.substring(1) : n; while (d.length + (neg ? 1 : 0) < width) d = "0" + d; n = (neg ? "-" : "") + d; }
        else while (n.length < width) n = " " + n;
        stdout.str(n).str(sep).str(line);
        num += incr;
      } else {
        stdout.str(" ".repeat(width + sep.length)).str(line);
      }
      stdout.byte(10);
    }
    closeInput(fd);
  }
  return status;
}

/** fold [-w WIDTH] [-s] [-b] [FILE]... */
export function foldMain(args: string[]): i32 {
  const o = getopt(args.map<string>((a: string): string => a.length > 1 && a.charCodeAt(0) == 45 && a.charCodeAt(1) >= 48 && a.charCodeAt(1) <= 57 ? "-w" + a.substring(1) : a), "w:sb");
  if (o.error != "") return usage("fold", o.error);
  const width = <i32>parseIntOr(o.value("w", "80"), -1);
  if (width <= 0) return usage("fold", "invalid number of columns: '" + o.value("w", "") + "'");
  const spaces = o.has("s");
  const files = inputsOrStdin(o.operands);
  let status = 0;
  for (let f = 0; f < files.length; f++) {
    const fd = openInput("fold", files[f]);
    if (fd < 0) { status = 1; continue; }
    const r = new Reader(fd);
    while (r.nextLine()) {
      let line = r.lineString();
      while (columns(line, o.has("b")) > width) {
        let cut = cutPoint(line, width, o.has("b"));
        if (spaces) {
          const space = line.lastIndexOf(" ", cut - 1);
          if (space >= 0 && space < cut) cut = space + 1;
        }
        stdout.line(line.substring(0, cut));
        line = line.substring(cut);
      }
      stdout.str(line);
      if (r.newline) stdout.byte(10);
    }
    closeInput(fd);
  }
  return status;
}

function columns(s: string, bytes: bool): i32 {
  if (bytes) return s.length;
  let col = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 9) col = (col / 8 + 1) * 8;
    else if (c == 8) col = col > 0 ? col - 1 : 0;
    else if (c == 13) col = 0;
    else col++;
  }
  return col;
}

/** The index at which a line must break so its first part fits in width columns. */
function cutPoint(s: string, width: i32, bytes: bool): i32 {
  if (bytes) return width;
  let col = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let next = col + 1;
    if (c == 9) next = (col / 8 + 1) * 8;
    else if (c == 8) next = col > 0 ? col - 1 : 0;
    else if (c == 13) next = 0;
    if (next > width) return i == 0 ? 1 : i;
    col = next;
  }
  return s.length;
}

function suffix(n: i32, length: i32, numeric: bool): string {
  let s = "";
  let v = n;
  for (let k = 0; k < length; k++) {
    const d = numeric ? v % 10 : v % 26;
    s = String.fromCharCode(numeric ? 48 + d : 97 + d) + s;
    v = numeric ? v / 10 : v / 26;
  }
  return s;
}

function parseSize(s: string): i64 {
  if (s.length == 0) return -1;
  const units = "KMGT";
  let mult: i64 = 1;
  let t = s;
  if (t.endsWith("B") && t.length > 1) t = t.substring(0, t.length - 1);
  const u = t.charAt(t.length - 1).toUpperCase();
  if (units.indexOf(u) >= 0) {
    mult = <i64>1 << (10 * (units.indexOf(u) + 1));
    t = t.substring(0, t.length - 1);
  }
  const v = parseIntOr(t, -1);
  return v < 0 ? -1 : v * mult;
}

/** split [-l LINES | -b SIZE | -n CHUNKS] [-d] [-a LEN] [FILE [PREFIX]] */
export function splitMain(args: string[]): i32 {
  const o = getopt(args, "l:b:n:a:d");
  if (o.error != "") return usage("split", o.error);
  const input = o.operands.length > 0 ? o.operands[0] : "-";
  const prefix = o.operands.length > 1 ? o.operands[1] : "x";
  const sufLen = <i32>parseIntOr(o.value("a", "2"), 2);
  const numeric = o.has("d");
  const fd = openInput("split", input);
  if (fd < 0) return 1;
  const data = new ByteBuf(BLOCK);
  const err = data.readFrom(fd);
  closeInput(fd);
  if (err != 0) { report("split", input, err); return 1; }
  const pieces = new Array<i32>();   // start offsets
  if (o.has("b") || o.has("n")) {
    let size: i64;
    if (o.has("n")) {
      const n = parseIntOr(o.value("n", ""), -1);
      if (n <= 0) return usage("split", "invalid number of chunks: '" + o.value("n", "") + "'");
      size = (<i64>data.len + n - 1) / n;
      if (size == 0) size = 1;
    } else size = parseSize(o.value("b", ""));
    if (size <= 0) return usage("split", "invalid number of bytes: '" + o.value("b", "") + "'");
    for (let p: i64 = 0; p < data.len; p += size) pieces.push(<i32>p);
  } else {
    const lines = parseIntOr(o.value("l", "1000"), -1);
    if (lines <= 0) return usage("split", "invalid number of lines: '" + o.value("l", "") + "'");
    let count: i64 = 0;
    pieces.push(0);
    for (let i = 0; i < data.len; i++) {
      if (load<u8>(data.ptr + i) == 10) {
        count++;
        if (count == lines && i + 1 < data.len) { pieces.push(i + 1); count = 0; }
      }
    }
    if (data.len == 0) pieces.pop();
  }
  const max = numeric ? <i32>Math.pow(10, sufLen) : <i32>Math.pow(26, sufLen);
  if (pieces.length > max) { warn("split", "output file suffixes exhausted"); return 1; }
  for (let k = 0; k < pieces.length; k++) {
    const start = pieces[k];
    const end = k + 1 < pieces.length ? pieces[k + 1] : data.len;
    const name = prefix + suffix(k, sufLen, numeric);
    const out = fs.create(name);
    if (out < 0) { report("split", name, fs.lastError); return 1; }
    writeAll(out, data.ptr + start, end - start);
    fs.close(out);
  }
  return 0;
}

/** shuf [-n COUNT] [-e ARG... | -i LO-HI | FILE] [-r] */
export function shufMain(args: string[]): i32 {
  const plain = new Array<string>();
  let echo = false;
  const items = new Array<string>();
  for (let i = 0; i < args.length; i++) {
    if (args[i] == "-e") { echo = true; continue; }
    if (echo && !args[i].startsWith("-")) { items.push(args[i]); continue; }
    plain.push(args[i]);
  }
  const o = getopt(plain, "n:i:ro:");
  if (o.error != "") return usage("shuf", o.error);
  if (o.has("i")) {
    const range = o.value("i", "");
    const dash = range.indexOf("-");
    const lo = parseIntOr(range.substring(0, dash), -1); const hi = parseIntOr(range.substring(dash + 1), -2);
    if (dash < 0 || lo < 0 || hi < lo - 1) return usage("shuf", "invalid input range: '" + range + "'");
    for (let v = lo; v <= hi; v++) items.push(v.toString());
  } else if (!echo) {
    const lines = readLines("shuf", o.operands.length > 0 ? o.operands[0] : "-");
    if (lines == null) return 1;
    for (let i = 0; i < lines.length; i++) items.push(lines[i]);
  } else for (let i = 0; i < o.operands.length; i++) items.push(o.operands[i]);
  let count = o.has("n") ? <i32>parseIntOr(o.value("n", ""), -1) : items.length;
  if (count < 0) return usage("shuf", "invalid line count: '" + o.value("n", "") + "'");
  let state = <u64>proc.nowNs() ^ 0x9e3779b97f4a7c15;
  const next = (s: u64): u64 => { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; };
  if (o.has("r")) {
    if (items.length == 0) return count > 0 ? usage("shuf", "no lines to repeat") : 0;
    if (!o.has("n")) count = 1 << 30;
    for (let k = 0; k < count; k++) { state = next(state); stdout.line(items[<i32>(state % <u64>items.length)]); }
    return 0;
  }
  for (let i = items.length - 1; i > 0; i--) {
    state = next(state);
    const j = <i32>(state % <u64>(i + 1));
    const t = items[i]; items[i] = items[j]; items[j] = t;
  }
  for (let k = 0; k < min(count, items.length); k++) stdout.line(items[k]);
  return 0;
}

/** A byte as GNU cmp -b shows it: printable as itself, others as ^X, M-X or M-^X. */
function cmpChar(byte: u8): string {
  let c = <i32>byte;
  if (c >= 32 && c < 127) return String.fromCharCode(c);
  let out = "";
  if (c >= 128) { out += "M-"; c -= 128; }
  if (c < 32) { out += "^"; c += 64; } else if (c == 127) { out += "^"; c = 63; }
  return out + String.fromCharCode(c);
}

/** A cmp skip or byte count: decimal with GNU's suffixes (kB K MB M GB G, KiB...), or -1. */
function cmpCount(text: string): i64 {
  let digits = 0;
  while (digits < text.length && text.charCodeAt(digits) >= 48 && text.charCodeAt(digits) <= 57) digits++;
  if (digits == 0) return -1;
  const v = parseIntOr(text.substring(0, digits), -1);
  const suffix = text.substring(digits);
  if (suffix == "") return v;
  const units = ["kB", "K", "k", "MB", "M", "GB", "G", "KiB", "MiB", "GiB"];
  const scale: i64[] = [1000, 1024, 1024, 1000000, 1048576, 1000000000, 1073741824, 1024, 1048576, 1073741824];
  const at = units.indexOf(suffix);
  return at < 0 ? -1 : v * scale[at];
}

/** cmp [-b] [-l | -s] [-i SKIP1[:SKIP2]] [-n LIMIT] FILE1 [FILE2 [SKIP1 [SKIP2]]] */
export function cmpMain(args: string[]): i32 {
  const plain = args.slice(0);
  const longError = expandLong(plain, "n:i:", ["silent=s", "quiet=s", "verbose=l", "print-bytes=b", "bytes:n", "ignore-initial:i"]);
  if (longError != "") { warn("cmp", longError); warn("cmp", "Try 'cmp --help' for more information."); return 2; }
  const o = getopt(plain, "slbn:i:");
  if (o.error != "") { warn("cmp", o.error); warn("cmp", "Try 'cmp --help' for more information."); return 2; }
  if (o.operands.length < 1) { warn("cmp", "missing operand after 'cmp'"); warn("cmp", "Try 'cmp --help' for more information."); return 2; }
  if (o.has("l") && o.has("s")) { warn("cmp", "options -l and -s are incompatible"); warn("cmp", "Try 'cmp --help' for more information."); return 2; }
  const n1 = o.operands[0]; const n2 = o.operands.length > 1 ? o.operands[1] : "-";
  // Bytes skipped at the start of each file: -i SKIP1[:SKIP2], or the operands after the files.
  const skips: i64[] = [0, 0];
  if (o.has("i")) {
    const spec = o.value("i", "");
    const colon = spec.indexOf(":");
    skips[0] = cmpCount(colon < 0 ? spec : spec.substring(0, colon));
    skips[1] = colon < 0 ? skips[0] : cmpCount(spec.substring(colon + 1));
    if (skips[0] < 0 || skips[1] < 0) { warn("cmp", "invalid --ignore-initial value '" + spec + "'"); warn("cmp", "Try 'cmp --help' for more information."); return 2; }
  }
  for (let k = 2; k < o.operands.length; k++) {
    const v = cmpCount(o.operands[k]);
    if (v < 0) { warn("cmp", "invalid --ignore-initial value '" + o.operands[k] + "'"); warn("cmp", "Try 'cmp --help' for more information."); return 2; }
    if (k < 4) skips[k - 2] = v;
  }
  if (o.operands.length > 4) { warn("cmp", "extra operand '" + o.operands[4] + "'"); warn("cmp", "Try 'cmp --help' for more information."); return 2; }
  let limit: i64 = 1 << 40;
  if (o.has("n")) {
    limit = cmpCount(o.value("n", ""));
    if (limit < 0) { warn("cmp", "invalid --bytes value '" + o.value("n", "") + "'"); warn("cmp", "Try 'cmp --help' for more information."); return 2; }
  }
  const fd1 = openInput("cmp", n1); if (fd1 < 0) return 2;
  const fd2 = openInput("cmp", n2); if (fd2 < 0) return 2;
  const a = new ByteBuf(BLOCK); const b = new ByteBuf(BLOCK);
  if (a.readFrom(fd1) != 0 || b.readFrom(fd2) != 0) { warn("cmp", "read error"); return 2; }
  closeInput(fd1); closeInput(fd2);
  const skip1 = <i32>min<i64>(skips[0], <i64>a.len); const skip2 = <i32>min<i64>(skips[1], <i64>b.len);
  const la = <i32>min<i64>(<i64>(a.len - skip1), limit); const lb = <i32>min<i64>(<i64>(b.len - skip2), limit);
  const pa = a.ptr + skip1; const pb = b.ptr + skip2;
  const n = min(la, lb);
  const printBytes = o.has("b");
  // -l's offsets are as wide as the largest one can be: the shorter regular file's length, or the limit.
  let widest: i64 = o.has("n") ? limit : I64.MAX_VALUE;
  if (n1 != "-") widest = min<i64>(widest, <i64>(a.len - skip1));
  if (n2 != "-") widest = min<i64>(widest, <i64>(b.len - skip2));
  const width = widest.toString().length;
  let line = 1;
  let differ = false;
  for (let i = 0; i < n; i++) {
    const x = load<u8>(pa + i); const y = load<u8>(pb + i);
    if (x != y) {
      differ = true;
      if (o.has("s")) return 1;
      if (o.has("l")) {
        stdout.pad((i + 1).toString(), width).byte(32).pad(x.toString(8), 3).byte(32);
        if (printBytes) { const cx = cmpChar(x); stdout.str(cx); for (let k = cx.length; k < 4; k++) stdout.byte(32); stdout.byte(32); }
        stdout.pad(y.toString(8), 3);
        if (printBytes) stdout.byte(32).str(cmpChar(y));
        stdout.byte(10);
        continue;
      }
      stdout.str(n1).byte(32).str(n2).str(printBytes ? " differ: byte " : " differ: char ").str((i + 1).toString()).str(", line ").str(line.toString());
      if (printBytes) stdout.str(" is ").pad(x.toString(8), 3).byte(32).str(cmpChar(x)).byte(32).pad(y.toString(8), 3).byte(32).str(cmpChar(y));
      stdout.byte(10);
      return 1;
    }
    if (x == 10) line++;
  }
  if (la != lb) {
    if (!o.has("s")) {
      const shorter = la < lb ? n1 : n2;
      stdout.flush();
      // As GNU cmp: after a newline, the lines completed; inside a line, "in" that line; with -l, no line.
      warn("cmp", "EOF on " + shorter + (n == 0 ? " which is empty" : " after byte " + n.toString() + (o.has("l") ? "" : load<u8>(pa + n - 1) == 10 ? ", line " + (line - 1).toString() : ", in line " + line.toString())));
    }
    return 1;
  }
  return differ ? 1 : 0;
}
