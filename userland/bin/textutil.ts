// Line and byte tools from coreutils: tac, rev, paste, comm, join, nl, fold, split, shuf and cmp,
// with the options and messages of the GNU versions.

import { replaceAll } from "../lib/strings";
import { stdout, stderr, warn, Reader, ByteBuf, BLOCK, writeAll } from "../lib/io";
import { getopt, expandLong, parseIntOr } from "../lib/opts";
import { usage, report, openInput, closeInput, inputsOrStdin } from "../lib/cmd";
import * as fs from "../lib/fs";
import * as proc from "../lib/proc";
import { strerror } from "../lib/errno";
import { compile, Regex } from "../lib/regex";

/** Every line of a file (without newlines; NUL-ended records with zero); null after reporting an error. */
function readLines(prog: string, name: string, zero: bool = false): string[] | null {
  const fd = openInput(prog, name);
  if (fd < 0) return null;
  if (zero) {
    const data = new ByteBuf(BLOCK);
    const err = data.readFrom(fd);
    closeInput(fd);
    if (err != 0) { report(prog, name, err); return null; }
    const records = data.toString().split("\0");
    if (records.length > 0 && records[records.length - 1] == "") records.pop();
    return records;
  }
  const r = new Reader(fd);
  const out = new Array<string>();
  while (r.nextLine()) out.push(r.lineString());
  closeInput(fd);
  if (r.error != 0) { report(prog, name, r.error); return null; }
  return out;
}

/** A usage error as coreutils prints it: the message, then "Try 'PROG --help'...", status 1. */
function badUsage(prog: string, message: string): i32 {
  warn(prog, message);
  stderr.line("Try '" + prog + " --help' for more information.").flush();
  return 1;
}

/** tac [FILE]...: lines in reverse order. */
export function tacMain(args: string[]): i32 {
  const files = inputsOrStdin(args);
  let status = 0;
  for (let f = 0; f < files.length; f++) {
    const fd = files[f] == "-" ? 0 : fs.open(files[f]);
    if (fd < 0) { warn("tac", "failed to open '" + files[f] + "' for reading: " + strerror(fs.lastError)); status = 1; continue; }
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
    const fd = files[f] == "-" ? 0 : fs.open(files[f]);
    if (fd < 0) { warn("rev", "cannot open " + files[f] + ": " + strerror(fs.lastError)); status = 1; continue; }
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
  const plain = args.slice(0);
  const longError = expandLong(plain, "d:", ["serial=s", "delimiters:d", "zero-terminated=z"]);
  if (longError != "") return badUsage("paste", longError);
  const o = getopt(plain, "sd:z");
  if (o.error != "") return badUsage("paste", o.error);
  const zero = o.has("z");
  const end = zero ? 0 : 10;
  const delims = delimiters(o.value("d", "\t"));
  const files = inputsOrStdin(o.operands);
  const contents = new Array<string[]>();
  // Several "-" operands take turns reading lines from standard input.
  let dashes = 0;
  for (let f = 0; f < files.length; f++) if (files[f] == "-") dashes++;
  let stdinLines: string[] = [];
  if (dashes > 0) { const l = readLines("paste", "-", zero); if (l == null) return 1; stdinLines = l; }
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
    const lines = readLines("paste", files[f], zero);
    if (lines == null) return 1;
    contents.push(lines);
  }
  if (o.has("s")) {
    for (let f = 0; f < contents.length; f++) {
      const lines = contents[f];
      for (let i = 0; i < lines.length; i++) { if (i > 0) stdout.str(delims[(i - 1) % delims.length]); stdout.str(lines[i]); }
      stdout.byte(end);
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
    stdout.byte(end);
  }
  return 0;
}

/** comm [-123] [--check-order | --nocheck-order] [--output-delimiter=STR] [-z] FILE1 FILE2, GNU's order checks. */
export function commMain(args: string[]): i32 {
  const plain = new Array<string>();
  let check = 0; // -1 never, 0 GNU's default (once a line is unpaired), 1 always and fatal
  let delimiter = "\t";
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (a == "--check-order") check = 1;
    else if (a == "--nocheck-order") check = -1;
    else if (a.startsWith("--output-delimiter=")) delimiter = a.substring(19);
    else if (a == "--output-delimiter" && k + 1 < args.length) delimiter = args[++k];
    else if (a == "--zero-terminated") plain.push("-z");
    else if (a == "--total") plain.push("-T");
    else if (a.startsWith("--") && a.length > 2) return badUsage("comm", "unrecognized option '" + a + "'");
    else plain.push(a);
  }
  const o = getopt(plain, "123zT");
  if (o.error != "") return badUsage("comm", o.error);
  if (o.operands.length != 2) return badUsage("comm", o.operands.length == 0 ? "missing operand" : o.operands.length == 1 ? "missing operand after '" + o.operands[0] + "'" : "extra operand '" + o.operands[2] + "'");
  const zero = o.has("z");
  const end = zero ? 0 : 10;
  const a = readLines("comm", o.operands[0], zero);
  if (a == null) return 1;
  const b = readLines("comm", o.operands[1], zero);
  if (b == null) return 1;
  const show1 = !o.has("1"); const show2 = !o.has("2"); const show3 = !o.has("3");
  const pre2 = show1 ? delimiter : "";
  const pre3 = (show1 ? delimiter : "") + (show2 ? delimiter : "");
  let i = 0; let j = 0;
  let unpairable = false;
  const warned = [false, false];
  let n1 = 0; let n2 = 0; let n3 = 0;
  while (i < a.length || j < b.length) {
    const c = i >= a.length ? 1 : j >= b.length ? -1 : fs.compareStrings(a[i], b[j]);
    if (c == 0) { if (show3) stdout.str(pre3).str(a[i]).byte(end); n3++; }
    else {
      unpairable = true;
      if (c < 0) { if (show1) stdout.str(a[i]).byte(end); n1++; }
      else { if (show2) stdout.str(pre2).str(b[j]).byte(end); n2++; }
    }
    // The file a line came from steps on; its next line is checked against this one, as GNU's comm does.
    for (let which = 0; which < 2; which++) {
      if (which == 0 ? c > 0 : c < 0) continue;
      const lines = which == 0 ? a : b;
      const at = which == 0 ? ++i : ++j;
      if (at >= lines.length || check < 0 || warned[which] || (check == 0 && !unpairable)) continue;
      if (fs.compareStrings(lines[at - 1], lines[at]) > 0) {
        stdout.flush();
        warn("comm", "file " + (which + 1).toString() + " is not in sorted order");
        if (check > 0) return 1;
        warned[which] = true;
      }
    }
  }
  if (o.has("T")) stdout.str(n1.toString()).str(delimiter).str(n2.toString()).str(delimiter).str(n3.toString()).str(delimiter).str("total").byte(end);
  if (warned[0] || warned[1]) { stdout.flush(); warn("comm", "input is not in sorted order"); return 1; }
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

/** join [-t CHAR] [-1 F] [-2 F] [-a N] [-v N] [-e S] [-o LIST] [-i] [-z] [--header] [--check-order | --nocheck-order] FILE1 FILE2 */
export function joinMain(argList: string[]): i32 {
  const args = new Array<string>();
  let check = 0; // -1 never, 0 GNU's default (once a line is unpaired), 1 always and fatal
  let header = false;
  for (let k = 0; k < argList.length; k++) {
    const a = argList[k];
    if (a == "--check-order") check = 1;
    else if (a == "--nocheck-order") check = -1;
    else if (a == "--header") header = true;
    else if (a == "--ignore-case") args.push("-i");
    else if (a == "--zero-terminated") args.push("-z");
    else if (a.startsWith("--") && a.length > 2) return badUsage("join", "unrecognized option '" + a + "'");
    else args.push(a);
  }
  const o = getopt(args, "t:1:2:a:v:e:o:ij:z");
  if (o.error != "") return badUsage("join", o.error);
  if (o.operands.length != 2) return badUsage("join", o.operands.length == 0 ? "missing operand" : o.operands.length == 1 ? "missing operand after '" + o.operands[0] + "'" : "extra operand '" + o.operands[2] + "'");
  const zero = o.has("z");
  const end = zero ? 0 : 10;
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
  const a = readLines("join", o.operands[0], zero);
  if (a == null) return 1;
  const b = readLines("join", o.operands[1], zero);
  if (b == null) return 1;
  const outSep = sep != "" ? sep : " ";
  const A = new Array<string[]>(); const B = new Array<string[]>();
  for (let i = 0; i < a.length; i++) A.push(splitFields(a[i], sep));
  for (let i = 0; i < b.length; i++) B.push(splitFields(b[i], sep));
  let i = 0; let j = 0;
  // --header: the first lines are joined (or printed) as they are, never paired or checked.
  if (header && (A.length > 0 || B.length > 0)) {
    if (A.length > 0 && B.length > 0) emitJoin(A[0], B[0], f1, f2, format, outSep, empty, 0, end);
    else if (A.length > 0) emitJoin(A[0], null, f1, f2, format, outSep, empty, 1, end);
    else emitJoin(null, B[0], f1, f2, format, outSep, empty, 2, end);
    i = A.length > 0 ? 1 : 0; j = B.length > 0 ? 1 : 0;
  }
  const first = [i, j];
  let unpairable = false;
  const warned = [false, false];
  // Lines up to checked[k] in file k have been compared with the one before (GNU checks each line as it reads it).
  const checked = [i, j];
  while (i < A.length || j < B.length) {
    const ka = i < A.length ? keyOf(A[i], f1, icase) : "";
    const kb = j < B.length ? keyOf(B[j], f2, icase) : "";
    const c = i >= A.length ? 1 : j >= B.length ? -1 : fs.compareStrings(ka, kb);
    let i2 = i + 1; let j2 = j + 1;
    if (c < 0) { unpairable = true; if (unpaired[1]) emitJoin(A[i], null, f1, f2, format, outSep, empty, 1, end); j2 = j; }
    else if (c > 0) { unpairable = true; if (unpaired[2]) emitJoin(null, B[j], f1, f2, format, outSep, empty, 2, end); i2 = i; }
    else {
      i2 = i; while (i2 < A.length && keyOf(A[i2], f1, icase) == ka) i2++;
      j2 = j; while (j2 < B.length && keyOf(B[j2], f2, icase) == kb) j2++;
      if (!onlyUnpaired) for (let x = i; x < i2; x++) for (let y = j; y < j2; y++) emitJoin(A[x], B[y], f1, f2, format, outSep, empty, 0, end);
    }
    for (let which = 0; which < 2; which++) {
      const lines = which == 0 ? A : B;
      const upTo = min(which == 0 ? i2 + 1 : j2 + 1, lines.length);
      for (let k = max(checked[which], first[which] + 1); k < upTo; k++) {
        if (check < 0 || warned[which] || (check == 0 && !unpairable)) break;
        const f = which == 0 ? f1 : f2;
        if (fs.compareStrings(keyOf(lines[k - 1], f, icase), keyOf(lines[k], f, icase)) > 0) {
          stdout.flush();
          warn("join", o.operands[which] + ":" + (k + 1).toString() + ": is not sorted: " + (which == 0 ? a : b)[k]);
          if (check > 0) return 1;
          warned[which] = true;
        }
        checked[which] = k + 1;
      }
    }
    i = i2; j = j2;
  }
  if (warned[0] || warned[1]) { stdout.flush(); warn("join", "input is not in sorted order"); return 1; }
  return 0;
}

function keyOf(fields: string[], f: i32, icase: bool): string {
  const k = f < fields.length ? fields[f] : "";
  return icase ? k.toLowerCase() : k;
}

function emitJoin(a: string[] | null, b: string[] | null, f1: i32, f2: i32, format: string[], sep: string, empty: string, which: i32, end: i32): void {
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
  stdout.str(parts.join(sep)).byte(end);
}

/** How nl numbers one kind of section: a (all), t (non-empty), n (none) or pREGEX (matching lines). */
class NlStyle {
  kind: string = "t";
  regex: Regex | null = null;
  numbers(line: string): bool {
    if (this.kind == "a") return true;
    if (this.kind == "t") return line.length > 0;
    if (this.kind == "p") { const bytes = String.UTF8.encode(line); return this.regex!.exec(changetype<usize>(bytes), bytes.byteLength); }
    return false;
  }
}

/** Parses a -b, -h or -f style; null after the error GNU prints. */
function nlStyle(spec: string, what: string): NlStyle | null {
  const style = new NlStyle();
  if (spec == "a" || spec == "t" || spec == "n") { style.kind = spec; return style; }
  if (spec.startsWith("p")) {
    const re = compile(spec.substring(1), false, false);
    if (re != null) { style.kind = "p"; style.regex = re; return style; }
  }
  badUsage("nl", "invalid " + what + " numbering style: '" + spec + "'");
  return null;
}

/**
 * nl [-b STYLE] [-h STYLE] [-f STYLE] [-d CC] [-p] [-l N] [-n ln|rn|rz] [-w N] [-s SEP] [-v START]
 * [-i INCR] [FILE]...: header, body and footer sections (lines of \\:\\:\\:, \\:\\: and \\:) numbered by their
 * styles, the count starting again at each section (unless -p).
 */
export function nlMain(args: string[]): i32 {
  const plain = args.slice(0);
  const longError = expandLong(plain, "b:h:f:d:l:n:w:s:v:i:", ["body-numbering:b", "header-numbering:h", "footer-numbering:f", "section-delimiter:d",
    "no-renumber=p", "join-blank-lines:l", "number-format:n", "number-width:w", "number-separator:s", "starting-line-number:v", "line-increment:i"]);
  if (longError != "") return badUsage("nl", longError);
  const o = getopt(plain, "b:h:f:d:pl:n:w:s:v:i:");
  if (o.error != "") return badUsage("nl", o.error);
  const body = nlStyle(o.value("b", "t"), "body"); if (body == null) return 1;
  const head = nlStyle(o.value("h", "n"), "header"); if (head == null) return 1;
  const foot = nlStyle(o.value("f", "n"), "footer"); if (foot == null) return 1;
  const fmt = o.value("n", "rn");
  if (fmt != "ln" && fmt != "rn" && fmt != "rz") return badUsage("nl", "invalid line numbering format: '" + fmt + "'");
  const width = <i32>parseIntOr(o.value("w", "6"), -1);
  if (width == 0) { warn("nl", "invalid line number field width: '0': Numerical result out of range"); return 1; }
  if (width < 0) return badUsage("nl", "invalid line number field width: '" + o.value("w", "") + "'");
  const sep = o.value("s", "\t");
  const start = parseIntOr(o.value("v", "1"), I64.MIN_VALUE);
  if (start == I64.MIN_VALUE) return badUsage("nl", "invalid starting line number: '" + o.value("v", "") + "'");
  const incr = parseIntOr(o.value("i", "1"), I64.MIN_VALUE);
  if (incr == I64.MIN_VALUE) return badUsage("nl", "invalid line number increment: '" + o.value("i", "") + "'");
  const joinBlank = parseIntOr(o.value("l", "1"), -1);
  if (joinBlank <= 0) return badUsage("nl", "invalid line number of blank lines: '" + o.value("l", "") + "'");
  // The section delimiter: two characters (one given means it and ':').
  let delim = o.value("d", "\\:");
  if (delim.length == 1) delim += ":";
  const files = inputsOrStdin(o.operands);
  let num = start;
  let style = body!;
  let blanks: i64 = 0;
  let status = 0;
  for (let f = 0; f < files.length; f++) {
    const fd = openInput("nl", files[f]);
    if (fd < 0) { status = 1; continue; }
    const r = new Reader(fd);
    while (r.nextLine()) {
      const line = r.lineString();
      if (delim.length > 0 && line.length > 0 && line.length % delim.length == 0 && line.length <= 3 * delim.length && line == delim.repeat(line.length / delim.length)) {
        const parts = line.length / delim.length;
        style = parts == 3 ? head! : parts == 2 ? body! : foot!;
        if (!o.has("p")) num = start;
        stdout.byte(10);
        continue;
      }
      // -l N: of consecutive empty lines numbered by -ba, only each Nth is.
      let numbered = style.numbers(line);
      if (line.length == 0 && style.kind == "a") { blanks++; numbered = blanks % joinBlank == 0; } else if (line.length > 0) blanks = 0;
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

/** Piece n's suffix of length digits: a-z (radix 26), 0-9 (10) or 0-9a-f (16). */
function suffix(n: i64, length: i32, radix: i32): string {
  let s = "";
  let v = n;
  for (let k = 0; k < length; k++) {
    const d = <i32>(v % radix);
    s = String.fromCharCode(radix == 26 ? 97 + d : d < 10 ? 48 + d : 87 + d) + s;
    v = v / radix;
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

/** The offset just past the first newline at or after at (or end). */
function afterNewline(data: ByteBuf, at: i64, end: i64): i64 {
  let p = at;
  while (p < end && load<u8>(data.ptr + <usize>p) != 10) p++;
  return p < end ? p + 1 : end;
}

/**
 * split [-l LINES | -b SIZE | -C SIZE | -n N|l/N|K/N|l/K/N] [-a LEN] [-d | --numeric-suffixes[=FROM]]
 * [-x | --hex-suffixes[=FROM]] [--additional-suffix=SUF] [-e] [--verbose] [FILE [PREFIX]]
 */
export function splitMain(argList: string[]): i32 {
  const args = new Array<string>();
  let extra = "";
  let from: i64 = 0;
  let radix = 26;
  let verbose = false;
  for (let k = 0; k < argList.length; k++) {
    const a = argList[k];
    if (a.startsWith("--additional-suffix=")) extra = a.substring(20);
    else if (a == "--additional-suffix" && k + 1 < argList.length) extra = argList[++k];
    else if (a == "--numeric-suffixes" || a.startsWith("--numeric-suffixes=") || a == "--hex-suffixes" || a.startsWith("--hex-suffixes=")) {
      radix = a.startsWith("--hex") ? 16 : 10;
      const eq = a.indexOf("=");
      if (eq >= 0) { from = parseIntOr(a.substring(eq + 1), -1); if (from < 0) return badUsage("split", "invalid start value for " + (radix == 16 ? "hexadecimal" : "numerical") + " suffix: '" + a.substring(eq + 1) + "'"); }
    }
    else if (a == "--verbose") verbose = true;
    else if (a == "--elide-empty-files") args.push("-e");
    else if (a.startsWith("--lines=")) { args.push("-l"); args.push(a.substring(8)); }
    else if (a.startsWith("--bytes=")) { args.push("-b"); args.push(a.substring(8)); }
    else if (a.startsWith("--line-bytes=")) { args.push("-C"); args.push(a.substring(13)); }
    else if (a.startsWith("--number=")) { args.push("-n"); args.push(a.substring(9)); }
    else if (a.startsWith("--suffix-length=")) { args.push("-a"); args.push(a.substring(16)); }
    else if (a.startsWith("--") && a.length > 2) return badUsage("split", "unrecognized option '" + a + "'");
    else args.push(a);
  }
  const o = getopt(args, "l:b:C:n:a:dxe");
  if (o.error != "") return badUsage("split", o.error);
  if (o.has("d")) radix = 10;
  if (o.has("x")) radix = 16;
  if (o.operands.length > 2) return badUsage("split", "extra operand '" + o.operands[2] + "'");
  if (extra.indexOf("/") >= 0) return badUsage("split", "invalid suffix '" + extra + "', contains directory separator");
  const input = o.operands.length > 0 ? o.operands[0] : "-";
  const prefix = o.operands.length > 1 ? o.operands[1] : "x";
  const sufLen = <i32>parseIntOr(o.value("a", "2"), -1);
  if (sufLen <= 0) return badUsage("split", "invalid suffix length: '" + o.value("a", "") + "'");
  const fd = input == "-" ? 0 : fs.open(input);
  if (fd < 0) { warn("split", "cannot open '" + input + "' for reading: " + strerror(fs.lastError)); return 1; }
  const data = new ByteBuf(BLOCK);
  const err = data.readFrom(fd);
  if (fd > 2) fs.close(fd);
  if (err != 0) { report("split", input, err); return 1; }
  const len = <i64>data.len;
  const starts = new Array<i64>();
  const ends = new Array<i64>();
  let toStdout = -1;
  if (o.has("n")) {
    // N: N pieces, piece k ending at byte k*len/N; l/N: ends moved to the next line's start; K/N: only piece K, to stdout.
    let spec = o.value("n", "");
    let byLines = false;
    if (spec.startsWith("l/")) { byLines = true; spec = spec.substring(2); }
    else if (spec.startsWith("r/")) return badUsage("split", "invalid number of chunks: '" + o.value("n", "") + "'");
    const slash = spec.indexOf("/");
    let n = parseIntOr(slash < 0 ? spec : spec.substring(slash + 1), -1);
    if (slash >= 0) { toStdout = <i32>parseIntOr(spec.substring(0, slash), -1); if (toStdout <= 0 || toStdout > n) return badUsage("split", "invalid chunk number: '" + spec.substring(0, slash) + "'"); }
    if (n <= 0) return badUsage("split", "invalid number of chunks: '" + o.value("n", "") + "'");
    let prev: i64 = 0;
    for (let k: i64 = 0; k < n; k++) {
      let end = k + 1 == n ? len : (k + 1) * len / n;
      if (byLines && end < len) end = afterNewline(data, max<i64>(end - 1, prev), len);
      if (end < prev) end = prev;
      starts.push(prev); ends.push(end);
      prev = end;
    }
  } else if (o.has("b") || o.has("C")) {
    const text = o.value(o.has("C") ? "C" : "b", "");
    const size = parseSize(text);
    if (size <= 0) { if (size == 0) { warn("split", "invalid number of bytes: '" + text + "': Numerical result out of range"); return 1; } return badUsage("split", "invalid number of bytes: '" + text + "'"); }
    let p: i64 = 0;
    while (p < len) {
      let end = min<i64>(p + size, len);
      // -C: as many whole lines as fit, a line longer than SIZE cut into SIZE pieces.
      if (o.has("C") && end < len) {
        let lastNl = end - 1;
        while (lastNl >= p && load<u8>(data.ptr + <usize>lastNl) != 10) lastNl--;
        if (lastNl >= p) end = lastNl + 1;
      }
      starts.push(p); ends.push(end);
      p = end;
    }
  } else {
    const text = o.value("l", "1000");
    const lines = parseIntOr(text, -1);
    if (lines <= 0) { if (lines == 0) { warn("split", "invalid number of lines: '0': Numerical result out of range"); return 1; } return badUsage("split", "invalid number of lines: '" + text + "'"); }
    let count: i64 = 0;
    let start: i64 = 0;
    for (let i: i64 = 0; i < len; i++) {
      if (load<u8>(data.ptr + <usize>i) == 10) {
        count++;
        if (count == lines) { starts.push(start); ends.push(i + 1); start = i + 1; count = 0; }
      }
    }
    if (start < len) { starts.push(start); ends.push(len); }
  }
  if (toStdout > 0) { stdout.flush(); writeAll(1, data.ptr + <usize>starts[toStdout - 1], <usize>(ends[toStdout - 1] - starts[toStdout - 1])); return 0; }
  const limit = Math.pow(<f64>radix, <f64>sufLen);
  let index = from;
  for (let k = 0; k < starts.length; k++) {
    if (o.has("e") && ends[k] == starts[k]) continue;
    if (<f64>index >= limit) { warn("split", "output file suffixes exhausted"); return 1; }
    const name = prefix + suffix(index, sufLen, radix) + extra;
    index++;
    if (verbose) stdout.str("creating file '").str(name).line("'");
    const out = fs.create(name);
    if (out < 0) { report("split", name, fs.lastError); return 1; }
    writeAll(out, data.ptr + <usize>starts[k], <usize>(ends[k] - starts[k]));
    fs.close(out);
  }
  return 0;
}

/** shuf [-n COUNT] [-e ARG... | -i LO-HI | FILE] [-r] [-z] [-o FILE] [--random-source=FILE] */
export function shufMain(args: string[]): i32 {
  const plain = args.slice(0);
  const longError = expandLong(plain, "n:i:o:", ["echo=e", "input-range:i", "head-count:n", "output:o", "random-source:R", "repeat=r", "zero-terminated=z"]);
  if (longError != "") return badUsage("shuf", longError);
  const o = getopt(plain, "en:i:o:R:rz");
  if (o.error != "") return badUsage("shuf", o.error);
  const zero = o.has("z");
  const end = zero ? 0 : 10;
  const items = new Array<string>();
  if (o.has("e") && o.has("i")) return badUsage("shuf", "cannot combine -e and -i options");
  if (o.has("i")) {
    if (o.operands.length > 0) return badUsage("shuf", "extra operand '" + o.operands[0] + "'");
    const range = o.value("i", "");
    const dash = range.indexOf("-");
    const lo = dash > 0 ? parseIntOr(range.substring(0, dash), -1) : -1; const hi = dash > 0 ? parseIntOr(range.substring(dash + 1), -2) : -2;
    if (dash <= 0 || lo < 0 || hi < lo - 1) { warn("shuf", "invalid input range: '" + range + "'"); return 1; }
    for (let v = lo; v <= hi; v++) items.push(v.toString());
  } else if (o.has("e")) {
    for (let i = 0; i < o.operands.length; i++) items.push(o.operands[i]);
  } else {
    if (o.operands.length > 1) return badUsage("shuf", "extra operand '" + o.operands[1] + "'");
    const lines = readLines("shuf", o.operands.length > 0 ? o.operands[0] : "-", zero);
    if (lines == null) return 1;
    for (let i = 0; i < lines.length; i++) items.push(lines[i]);
  }
  let count = o.has("n") ? <i32>parseIntOr(o.value("n", ""), -1) : items.length;
  if (count < 0) { warn("shuf", "invalid line count: '" + o.value("n", "") + "'"); return 1; }
  // --random-source: its bytes seed the generator (the order is still not GNU's).
  let state = <u64>proc.nowNs() ^ 0x9e3779b97f4a7c15;
  if (o.has("R")) {
    const seed = fs.readFile(o.value("R", ""));
    if (seed == null) { report("shuf", o.value("R", ""), fs.lastError); return 1; }
    state = 0x9e3779b97f4a7c15;
    for (let k = 0; k < min(seed.length, 4096); k++) state = (state ^ <u64>seed[k]) * 0x100000001b3;
    if (state == 0) state = 1;
  }
  let out = 1;
  if (o.has("o")) {
    out = fs.create(o.value("o", ""));
    if (out < 0) { report("shuf", o.value("o", ""), fs.lastError); return 1; }
    stdout.flush();
    stdout.fd = out;
  }
  const next = (s: u64): u64 => { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; };
  if (o.has("r")) {
    if (items.length == 0) { if (count > 0) { warn("shuf", "no lines to repeat"); return 1; } return 0; }
    if (!o.has("n")) count = 1 << 30;
    for (let k = 0; k < count; k++) { state = next(state); stdout.str(items[<i32>(state % <u64>items.length)]).byte(end); }
    return 0;
  }
  for (let i = items.length - 1; i > 0; i--) {
    state = next(state);
    const j = <i32>(state % <u64>(i + 1));
    const t = items[i]; items[i] = items[j]; items[j] = t;
  }
  for (let k = 0; k < min(count, items.length); k++) stdout.str(items[k]).byte(end);
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
