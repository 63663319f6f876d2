// Text utilities: cat, echo, wc, head, tail, tee, seq, yes, tr, cut, uniq, sort.
// They move bytes in 64 KiB blocks and never build a string per byte.

import { stdout, stderr, warn, Reader, ByteBuf, BLOCK, readSome, copyFd, writeAll, findByte, readFd } from "../lib/io";
import { getopt, expandLong, parseIntOr } from "../lib/opts";
import { openInput, closeInput, inputsOrStdin, report, usage } from "../lib/cmd";
import { fstat, create, open, readFile, lastError } from "../lib/fs";
import { strerror } from "../lib/errno";
import * as proc from "../lib/proc";

/** cat [-n] [FILE]... */
export function catMain(args: string[]): i32 {
  const o = getopt(args, "nu");
  if (o.error != "") return usage("cat", o.error);
  const files = inputsOrStdin(o.operands);
  let status = 0;
  let lineNo = 0;
  for (let i = 0; i < files.length; i++) {
    const fd = openInput("cat", files[i]);
    if (fd < 0) { status = 1; continue; }
    if (o.has("n")) {
      const r = new Reader(fd);
      while (r.nextLine()) {
        stdout.pad((++lineNo).toString(), 6).byte(9).bytes(r.linePtr, r.lineLen);
        if (r.newline) stdout.byte(10);
      }
      if (r.error != 0) { report("cat", files[i], r.error); status = 1; }
    } else {
      stdout.flush();
      const err = copyFd(fd, 1);
      if (err < 0) { report("cat", files[i], -err); status = 1; }
      else if (err > 0) { report("cat", "write error", err); status = 1; }
    }
    closeInput(fd);
  }
  return status;
}

/** Writes echo's arguments; -n drops the newline, -e interprets backslash escapes. */
export function echoMain(args: string[]): i32 {
  let newline = true;
  let escapes = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a.length < 2 || a.charCodeAt(0) != 45) break;
    let ok = true;
    for (let j = 1; j < a.length; j++) { const c = a.charAt(j); if (c != "n" && c != "e" && c != "E") ok = false; }
    if (!ok) break;
    for (let j = 1; j < a.length; j++) {
      const c = a.charAt(j);
      if (c == "n") newline = false; else if (c == "e") escapes = true; else escapes = false;
    }
  }
  for (let first = i; i < args.length; i++) {
    if (i > first) stdout.byte(32);
    if (!escapes) { stdout.str(args[i]); continue; }
    if (!writeEscaped(args[i])) return 0;
  }
  if (newline) stdout.byte(10);
  return 0;
}

/** Writes s interpreting \n \t \\ \c etc.; false when \c asked to stop all output. */
function writeEscaped(s: string): bool {
  for (let j = 0; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c != 92 || j + 1 >= s.length) { stdout.str(String.fromCharCode(c)); continue; }
    const e = s.charAt(++j);
    if (e == "n") stdout.byte(10);
    else if (e == "t") stdout.byte(9);
    else if (e == "r") stdout.byte(13);
    else if (e == "a") stdout.byte(7);
    else if (e == "b") stdout.byte(8);
    else if (e == "e") stdout.byte(27);
    else if (e == "\\") stdout.byte(92);
    else if (e == "c") return false;
    else if (e == "0") {
      let v = 0; let k = 0;
      while (k < 3 && j + 1 < s.length && s.charCodeAt(j + 1) >= 48 && s.charCodeAt(j + 1) <= 55) { v = v * 8 + s.charCodeAt(++j) - 48; k++; }
      stdout.byte(v);
    } else stdout.byte(92).str(e);
  }
  return true;
}

/** wc [-lwcmL] [--files0-from=F] [FILE]...: lines, words, bytes (-m is bytes too, as in the C locale) and the longest line's width. */
export function wcMain(argList: string[]): i32 {
  const args = argList.slice(0);
  let files0 = "";
  for (let i = 0; i < args.length; i++) if (args[i].startsWith("--files0-from=")) { files0 = args[i].substring(14); args[i] = ""; }
  const plain = new Array<string>();
  for (let i = 0; i < args.length; i++) if (args[i] != "") plain.push(args[i]);
  const longError = expandLong(plain, "", ["lines=l", "words=w", "bytes=c", "chars=m", "max-line-length=L"]);
  if (longError != "") { warn("wc", longError); stderr.line("Try 'wc --help' for more information.").flush(); return 1; }
  const o = getopt(plain, "lwcmL");
  if (o.error != "") { warn("wc", o.error); stderr.line("Try 'wc --help' for more information.").flush(); return 1; }
  let lines = o.has("l"); let words = o.has("w"); let bytes = o.has("c") || o.has("m"); const longest = o.has("L");
  if (!lines && !words && !bytes && !longest) { lines = true; words = true; bytes = true; }
  let names = o.operands;
  if (files0 != "") {
    if (o.operands.length > 0) { warn("wc", "extra operand '" + o.operands[0] + "'"); stderr.line("file operands cannot be combined with --files0-from").line("Try 'wc --help' for more information.").flush(); return 1; }
    const list = files0 == "-" ? readFd(0) : readFile(files0);
    if (list == null) { warn("wc", "cannot open '" + files0 + "' for reading: " + strerror(lastError)); return 1; }
    names = String.UTF8.decode(list.buffer).split("\0");
    if (names.length > 0 && names[names.length - 1] == "") names.pop();
  }
  const files = files0 != "" ? names : inputsOrStdin(names);
  const counts = new Array<i64>(files.length * 4);
  const ok = new Array<bool>(files.length);
  let width = 1;
  let status = 0;
  let total: i64 = 0;
  let anyStream = false;
  const buf = heap.alloc(BLOCK);
  for (let f = 0; f < files.length; f++) {
    const fd = openInput("wc", files[f]);
    ok[f] = fd >= 0;
    if (fd < 0) { status = 1; continue; }
    const st = fstat(fd);
    if (st != null && st.isFile()) total += <i64>st.size; else anyStream = true;
    let nl: i64 = 0; let nw: i64 = 0; let nc: i64 = 0;
    let column: i64 = 0; let widest: i64 = 0;
    let inWord = false;
    for (;;) {
      const n = readSome(fd, buf, BLOCK);
      if (n < 0) { report("wc", files[f], -n); status = 1; break; }
      if (n == 0) break;
      nc += n;
      if (words || longest) {
        for (let i = 0; i < n; i++) {
          const c = load<u8>(buf + i);
          if (c == 10) nl++;
          const space = c == 32 || (c >= 9 && c <= 13);
          if (!space && !inWord) nw++;
          inWord = !space;
          // -L: the display width, a tab to the next multiple of 8; a newline (or form feed, CR) ends the line.
          if (c == 10 || c == 13 || c == 12) { if (column > widest) widest = column; column = 0; }
          else if (c == 9) column = (column / 8 + 1) * 8;
          else if (c >= 32 && c != 127 && (c & 0xc0) != 0x80) column++;
        }
      } else if (lines) {
        for (let i = 0; i < n; i++) if (load<u8>(buf + i) == 10) nl++;
      }
    }
    if (column > widest) widest = column;
    closeInput(fd);
    counts[f * 4] = nl; counts[f * 4 + 1] = nw; counts[f * 4 + 2] = nc; counts[f * 4 + 3] = widest;
  }
  heap.free(buf);
  let columns = 0;
  if (lines) columns++;
  if (words) columns++;
  if (bytes) columns++;
  if (longest) columns++;
  if (columns > 1 || files.length > 1) width = anyStream ? 7 : max(1, total.toString().length);
  let tl: i64 = 0; let tw: i64 = 0; let tc: i64 = 0; let tL: i64 = 0;
  for (let f = 0; f < files.length; f++) {
    if (!ok[f]) continue;
    tl += counts[f * 4]; tw += counts[f * 4 + 1]; tc += counts[f * 4 + 2]; tL = max(tL, counts[f * 4 + 3]);
    printCounts(counts[f * 4], counts[f * 4 + 1], counts[f * 4 + 2], counts[f * 4 + 3], lines, words, bytes, longest, width, files[f] == "-" && names.length == 0 ? "" : files[f]);
  }
  if (files.length > 1) printCounts(tl, tw, tc, tL, lines, words, bytes, longest, width, "total");
  return status;
}

function printCounts(l: i64, w: i64, c: i64, longestLine: i64, lines: bool, words: bool, bytes: bool, longest: bool, width: i32, name: string): void {
  let sep = false;
  if (lines) { stdout.pad(l.toString(), width); sep = true; }
  if (words) { if (sep) stdout.byte(32); stdout.pad(w.toString(), width); sep = true; }
  if (bytes) { if (sep) stdout.byte(32); stdout.pad(c.toString(), width); sep = true; }
  if (longest) { if (sep) stdout.byte(32); stdout.pad(longestLine.toString(), width); }
  if (name != "") stdout.byte(32).str(name);
  stdout.byte(10);
}

/** Rewrites the historical "-5" form of head and tail to "-n 5". */
function numericShorthand(args: string[]): string[] {
  const out = new Array<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.length > 1 && a.charCodeAt(0) == 45 && a.charCodeAt(1) >= 48 && a.charCodeAt(1) <= 57) { out.push("-n"); out.push(a.substring(1)); }
    else out.push(a);
  }
  return out;
}

/** head [-n N] [-c N] [FILE]... */
export function headMain(args: string[]): i32 {
  const o = getopt(numericShorthand(args), "n:c:qv");
  if (o.error != "") return usage("head", o.error);
  const byBytes = o.has("c");
  const limit = parseIntOr(o.value(byBytes ? "c" : "n", "10"), -1);
  if (limit < 0) return usage("head", "invalid number of " + (byBytes ? "bytes" : "lines") + ": '" + o.value(byBytes ? "c" : "n", "") + "'");
  const files = inputsOrStdin(o.operands);
  let status = 0;
  const buf = heap.alloc(BLOCK);
  for (let f = 0; f < files.length; f++) {
    const fd = openInput("head", files[f]);
    if (fd < 0) { status = 1; continue; }
    if (files.length > 1) stdout.str(f > 0 ? "\n==> " : "==> ").str(files[f] == "-" ? "standard input" : files[f]).line(" <==");
    let left = limit;
    while (left > 0) {
      const n = readSome(fd, buf, <i32>min<i64>(BLOCK, byBytes ? left : BLOCK));
      if (n < 0) { report("head", files[f], -n); status = 1; break; }
      if (n == 0) break;
      let take = n;
      if (byBytes) left -= n;
      else {
        for (let i = 0; i < n; i++) {
          if (load<u8>(buf + i) == 10 && --left == 0) { take = i + 1; break; }
        }
      }
      stdout.bytes(buf, take);
    }
    closeInput(fd);
  }
  heap.free(buf);
  return status;
}

/** tail [-n [+]N] [FILE]... */
export function tailMain(args: string[]): i32 {
  const o = getopt(numericShorthand(args), "n:c:f");
  if (o.error != "") return usage("tail", o.error);
  const spec = o.value(o.has("c") ? "c" : "n", "10");
  const fromStart = spec.startsWith("+");
  const count = parseIntOr(fromStart ? spec.substring(1) : spec, -1);
  if (count < 0) return usage("tail", "invalid number of lines: '" + spec + "'");
  const files = inputsOrStdin(o.operands);
  let status = 0;
  for (let f = 0; f < files.length; f++) {
    const fd = openInput("tail", files[f]);
    if (fd < 0) { status = 1; continue; }
    const data = new ByteBuf(BLOCK);
    const err = data.readFrom(fd);
    closeInput(fd);
    if (err != 0) { report("tail", files[f], err); status = 1; continue; }
    if (files.length > 1) stdout.str(f > 0 ? "\n==> " : "==> ").str(files[f]).line(" <==");
    let start = 0;
    if (o.has("c")) start = fromStart ? <i32>min<i64>(data.len, max<i64>(0, count - 1)) : <i32>max<i64>(0, data.len - count);
    else if (fromStart) {
      let line: i64 = 1;
      while (line < count && start < data.len) { if (load<u8>(data.ptr + start) == 10) line++; start++; }
    } else {
      let pos = data.len;
      if (pos > 0 && load<u8>(data.ptr + pos - 1) == 10) pos--;
      let seen: i64 = 0;
      while (pos > 0) {
        if (load<u8>(data.ptr + pos - 1) == 10 && ++seen == count) break;
        pos--;
      }
      start = count == 0 ? data.len : pos;
    }
    stdout.bytes(data.ptr + start, data.len - start);
  }
  return status;
}

/** tee [-a] [FILE]...: copies stdin to stdout and every file. */
export function teeMain(args: string[]): i32 {
  const o = getopt(args, "ai");
  if (o.error != "") return usage("tee", o.error);
  const fds = new Array<i32>();
  let status = 0;
  for (let i = 0; i < o.operands.length; i++) {
    const fd = create(o.operands[i], o.has("a"));
    if (fd < 0) { report("tee", o.operands[i], lastError); status = 1; } else fds.push(fd);
  }
  const buf = heap.alloc(BLOCK);
  for (;;) {
    const n = readSome(0, buf, BLOCK);
    if (n <= 0) break;
    writeAll(1, buf, n);
    for (let i = 0; i < fds.length; i++) writeAll(fds[i], buf, n);
  }
  return status;
}

/** seq [-s SEP] [FIRST [INCREMENT]] LAST (integers). */
export function seqMain(args: string[]): i32 {
  let sep = "\n";
  let i = 0;
  if (args.length > 1 && args[0] == "-s") { sep = args[1]; i = 2; }
  const nums = args.slice(i);
  if (nums.length < 1 || nums.length > 3) return usage("seq", nums.length < 1 ? "missing operand" : "extra operand '" + nums[3] + "'");
  const values = new Array<i64>();
  for (let j = 0; j < nums.length; j++) {
    const v = parseIntOr(nums[j], i64.MIN_VALUE);
    if (v == i64.MIN_VALUE) return usage("seq", "invalid floating point argument: '" + nums[j] + "'");
    values.push(v);
  }
  const first = nums.length > 1 ? values[0] : 1;
  const step = nums.length == 3 ? values[1] : 1;
  const last = values[values.length - 1];
  if (step == 0) return usage("seq", "invalid Zero increment value: '0'");
  let printed = false;
  for (let v = first; step > 0 ? v <= last : v >= last; v += step) {
    if (printed) stdout.str(sep);
    writeInt(v);
    printed = true;
  }
  if (printed) stdout.byte(10);
  return 0;
}

const digits = memory.data(24);
/** Writes a decimal integer without allocating. */
function writeInt(v: i64): void {
  let u: u64 = v < 0 ? <u64>(-v) : <u64>v;
  let p = 24;
  do { store<u8>(digits + --p, <u8>(48 + u % 10)); u /= 10; } while (u != 0);
  if (v < 0) store<u8>(digits + --p, 45);
  stdout.bytes(digits + p, 24 - p);
}

/** yes [STRING]...: repeats a line until the reader goes away. */
export function yesMain(args: string[]): i32 {
  const line = String.UTF8.encode((args.length > 0 ? args.join(" ") : "y") + "\n");
  const len = line.byteLength;
  const reps = max(1, BLOCK / len);
  const buf = heap.alloc(reps * len);
  for (let r = 0; r < reps; r++) memory.copy(buf + r * len, changetype<usize>(line), len);
  for (;;) {
    const err = writeAll(1, buf, reps * len);
    if (err != 0) return 1;
  }
  return 0;
}

/** Expands a tr SET: ranges a-z, escapes, and [:class:] names. */
function expandSet(s: string): i32[] {
  const out = new Array<i32>();
  let i = 0;
  while (i < s.length) {
    if (s.startsWith("[:", i)) {
      const end = s.indexOf(":]", i);
      if (end > 0) {
        const name = s.substring(i + 2, end);
        for (let c = 0; c < 128; c++) if (classHas(name, c)) out.push(c);
        i = end + 2;
        continue;
      }
    }
    let c = s.charCodeAt(i++);
    if (c == 92 && i < s.length) {
      const e = s.charAt(i++);
      c = e == "n" ? 10 : e == "t" ? 9 : e == "r" ? 13 : e == "0" ? 0 : e.charCodeAt(0);
    }
    if (i + 1 < s.length && s.charCodeAt(i) == 45) {
      const hi = s.charCodeAt(i + 1);
      for (let x = c; x <= hi; x++) out.push(x);
      i += 2;
    } else out.push(c);
  }
  return out;
}

function classHas(name: string, c: i32): bool {
  const upper = c >= 65 && c <= 90; const lower = c >= 97 && c <= 122; const digit = c >= 48 && c <= 57;
  if (name == "upper") return upper;
  if (name == "lower") return lower;
  if (name == "digit") return digit;
  if (name == "alpha") return upper || lower;
  if (name == "alnum") return upper || lower || digit;
  if (name == "space") return c == 32 || (c >= 9 && c <= 13);
  if (name == "blank") return c == 32 || c == 9;
  if (name == "punct") return c > 32 && c < 127 && !upper && !lower && !digit;
  return false;
}

/** tr [-d] [-s] [-c] SET1 [SET2] */
export function trMain(args: string[]): i32 {
  const o = getopt(args, "dsc");
  if (o.error != "") return usage("tr", o.error);
  const del = o.has("d"); const squeeze = o.has("s");
  if (o.operands.length < 1 || (!del && !squeeze && o.operands.length < 2)) return usage("tr", "missing operand");
  let set1 = expandSet(o.operands[0]);
  if (o.has("c")) {
    const inSet = new StaticArray<bool>(256);
    for (let i = 0; i < set1.length; i++) inSet[set1[i] & 255] = true;
    set1 = [];
    for (let c = 0; c < 256; c++) if (!inSet[c]) set1.push(c);
  }
  const set2 = o.operands.length > 1 ? expandSet(o.operands[1]) : new Array<i32>();
  const map = new StaticArray<i32>(256);
  for (let c = 0; c < 256; c++) map[c] = c;
  const deleted = new StaticArray<bool>(256);
  const squeezable = new StaticArray<bool>(256);
  for (let i = 0; i < set1.length; i++) {
    const c = set1[i] & 255;
    if (del) deleted[c] = true;
    else if (set2.length > 0) map[c] = set2[min(i, set2.length - 1)];
  }
  const squeezeSet = del || set2.length == 0 ? (del ? set2 : set1) : set2;
  if (squeeze) for (let i = 0; i < squeezeSet.length; i++) squeezable[squeezeSet[i] & 255] = true;
  const buf = heap.alloc(BLOCK);
  let last = -1;
  for (;;) {
    const n = readSome(0, buf, BLOCK);
    if (n <= 0) break;
    for (let i = 0; i < n; i++) {
      const c = <i32>load<u8>(buf + i);
      if (deleted[c]) continue;
      const m = map[c];
      if (squeeze && m == last && squeezable[m]) continue;
      last = m;
      stdout.byte(m);
    }
  }
  return 0;
}

/** Parses a cut LIST such as "1,3-5,7-" into a membership table (index 1-based). */
function parseList(list: string, table: Array<bool>): bool {
  const parts = list.split(",");
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const dash = p.indexOf("-");
    let lo: i64; let hi: i64;
    if (dash < 0) { lo = hi = parseIntOr(p, -1); }
    else {
      lo = dash == 0 ? 1 : parseIntOr(p.substring(0, dash), -1);
      hi = dash == p.length - 1 ? 4095 : parseIntOr(p.substring(dash + 1), -1);
    }
    if (lo < 1 || hi < lo) return false;
    for (let k = lo; k <= hi && k < 4096; k++) table[<i32>k] = true;
  }
  return true;
}

/** cut -f LIST [-d DELIM] [-s] | -c LIST [FILE]... */
export function cutMain(args: string[]): i32 {
  const o = getopt(args, "f:d:c:b:s");
  if (o.error != "") return usage("cut", o.error);
  const byChar = o.has("c") || o.has("b");
  if (!byChar && !o.has("f")) return usage("cut", "you must specify a list of bytes, characters, or fields");
  const table = new Array<bool>(4097);
  if (!parseList(o.value(byChar ? (o.has("c") ? "c" : "b") : "f", ""), table)) return usage("cut", "invalid field range");
  const delimStr = o.value("d", "\t");
  const delim = delimStr.length > 0 ? delimStr.charCodeAt(0) : 9;
  const files = inputsOrStdin(o.operands);
  let status = 0;
  for (let f = 0; f < files.length; f++) {
    const fd = openInput("cut", files[f]);
    if (fd < 0) { status = 1; continue; }
    const r = new Reader(fd);
    while (r.nextLine()) {
      const p = r.linePtr; const n = r.lineLen;
      if (byChar) {
        for (let i = 0; i < n; i++) if (i + 1 < 4096 && table[i + 1]) stdout.byte(load<u8>(p + i));
      } else if (findByte(p, n, <u8>delim) < 0) {
        if (!o.has("s")) stdout.bytes(p, n); else continue;
      } else {
        let field = 1; let start = 0; let printed = false;
        for (let i = 0; i <= n; i++) {
          if (i == n || <i32>load<u8>(p + i) == delim) {
            if (field < 4096 && table[field]) {
              if (printed) stdout.byte(delim);
              stdout.bytes(p + start, i - start);
              printed = true;
            }
            field++; start = i + 1;
          }
        }
      }
      stdout.byte(10);
    }
    closeInput(fd);
  }
  return status;
}

/** uniq [-c] [-d] [-u] [-i] [INPUT [OUTPUT]] */
export function uniqMain(args: string[]): i32 {
  const o = getopt(args, "cdui");
  if (o.error != "") return usage("uniq", o.error);
  const fd = openInput("uniq", o.operands.length > 0 ? o.operands[0] : "-");
  if (fd < 0) return 1;
  const r = new Reader(fd);
  const prev = new ByteBuf();
  let count = 0;
  while (r.nextLine()) {
    if (count > 0 && sameLine(prev.ptr, prev.len, r.linePtr, r.lineLen, o.has("i"))) { count++; continue; }
    if (count > 0) emitUniq(prev, count, o.has("c"), o.has("d"), o.has("u"));
    prev.clear(); prev.append(r.linePtr, r.lineLen);
    count = 1;
  }
  if (count > 0) emitUniq(prev, count, o.has("c"), o.has("d"), o.has("u"));
  closeInput(fd);
  return 0;
}

function sameLine(a: usize, alen: i32, b: usize, blen: i32, icase: bool): bool {
  if (alen != blen) return false;
  if (!icase) return memory.compare(a, b, alen) == 0;
  for (let i = 0; i < alen; i++) if ((load<u8>(a + i) | 32) != (load<u8>(b + i) | 32)) return false;
  return true;
}

function emitUniq(line: ByteBuf, count: i32, showCount: bool, onlyDup: bool, onlyUnique: bool): void {
  if (onlyDup && count < 2) return;
  if (onlyUnique && count > 1) return;
  if (showCount) stdout.pad(count.toString(), 7).byte(32);
  stdout.bytes(line.ptr, line.len).byte(10);
}

// sort's state, read by the comparator (AssemblyScript functions cannot capture).
let sortData: usize = 0;
let sortStarts: StaticArray<i32> = new StaticArray<i32>(0);
let sortLens: StaticArray<i32> = new StaticArray<i32>(0);
let sortKeyStart: StaticArray<i32> = new StaticArray<i32>(0);
let sortKeyLen: StaticArray<i32> = new StaticArray<i32>(0);
let sortNumbers: StaticArray<f64> = new StaticArray<f64>(0);
let sortNumeric = false;
let sortReverse = false;
let sortFold = false;
let sortHasKey = false;
let sortKeyOnly = false;
let sortGeneral = false;

function compareBytes(a: usize, alen: i32, b: usize, blen: i32): i32 {
  const n = min(alen, blen);
  if (sortFold) {
    for (let i = 0; i < n; i++) {
      let x = <i32>load<u8>(a + i); let y = <i32>load<u8>(b + i);
      if (x >= 97 && x <= 122) x -= 32;
      if (y >= 97 && y <= 122) y -= 32;
      if (x != y) return x - y;
    }
  } else {
    const d = memory.compare(a, b, n);
    if (d != 0) return d;
  }
  return alen - blen;
}

/** Compares two lines by key only (used for -u as well). */
function compareKeys(i: i32, j: i32): i32 {
  if (sortNumeric) {
    const x = unchecked(sortNumbers[i]); const y = unchecked(sortNumbers[j]);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (sortHasKey) return compareBytes(sortData + unchecked(sortKeyStart[i]), unchecked(sortKeyLen[i]), sortData + unchecked(sortKeyStart[j]), unchecked(sortKeyLen[j]));
  return compareBytes(sortData + unchecked(sortStarts[i]), unchecked(sortLens[i]), sortData + unchecked(sortStarts[j]), unchecked(sortLens[j]));
}

function compareLines(i: i32, j: i32): i32 {
  if (sortGeneral) return compareGeneral(i, j);
  let d = compareKeys(i, j);
  if (d == 0 && !sortKeyOnly) {
    d = memory.compare(sortData + unchecked(sortStarts[i]), sortData + unchecked(sortStarts[j]), min(unchecked(sortLens[i]), unchecked(sortLens[j])));
    if (d == 0) d = unchecked(sortLens[i]) - unchecked(sortLens[j]);
  }
  return sortReverse ? -d : d;
}

/** The first 8 bytes of a key, big-endian and zero-padded (folded for -f): u64 order is the bytes' order. */
function bytePrefix(p: usize, len: i32): u64 {
  let v: u64 = 0;
  const n = min(len, 8);
  for (let i = 0; i < n; i++) {
    let c = <u64>load<u8>(p + i);
    if (sortFold && c >= 97 && c <= 122) c -= 32;
    v |= c << <u64>(56 - 8 * i);
  }
  return v;
}

/** A number as a u64 whose unsigned order is the numbers' order. */
function numberPrefix(x: f64): u64 {
  const bits = reinterpret<u64>(x == 0 ? 0 : x);
  return (bits >> 63) != 0 ? ~bits : bits | (<u64>1 << 63);
}

/** Whether lines compare as whole lines, byte by byte (no -n, -k or -f): then the sort carries each line's place, not its number. */
function sortPlain(): bool { return !sortNumeric && !sortHasKey && !sortFold; }

/**
 * The lines' order: a merge sort of (key prefix, line) pairs, where the 8-byte prefix of each key
 * (or its number, for -n) settles most comparisons without touching the lines; ties go to the
 * whole comparison. A line is its place in the data (start << 32 | length) when sortPlain(), else its number.
 */
function sortOrder(count: i32): StaticArray<u64> {
  const keys = new StaticArray<u64>(count);
  const lines = new StaticArray<u64>(count);
  const plain = sortPlain();
  for (let i = 0; i < count; i++) {
    let key: u64;
    if (sortNumeric) key = numberPrefix(unchecked(sortNumbers[i]));
    else if (sortHasKey) key = bytePrefix(sortData + unchecked(sortKeyStart[i]), unchecked(sortKeyLen[i]));
    else key = bytePrefix(sortData + unchecked(sortStarts[i]), unchecked(sortLens[i]));
    unchecked(keys[i] = key);
    unchecked(lines[i] = plain ? (<u64>unchecked(sortStarts[i]) << 32) | <u64>unchecked(sortLens[i]) : <u64>i);
  }
  sortPlainLines = plain;
  mergeSort(keys, lines, new StaticArray<u64>(count), new StaticArray<u64>(count), 0, count);
  return lines;
}

let sortPlainLines = false;

/** Whether the pair at a goes after the pair at b. */
@inline function after(ka: u64, la: u64, kb: u64, lb: u64): bool {
  if (ka != kb) return sortReverse ? ka < kb : ka > kb;
  if (sortPlainLines) {
    let d = compareBytes(sortData + <usize>(la >>> 32), <i32>(la & 0xffffffff), sortData + <usize>(lb >>> 32), <i32>(lb & 0xffffffff));
    if (sortReverse) d = -d;
    return d > 0;
  }
  return compareLines(<i32>la, <i32>lb) > 0;
}

function mergeSort(keys: StaticArray<u64>, lines: StaticArray<u64>, tk: StaticArray<u64>, tl: StaticArray<u64>, lo: i32, hi: i32): void {
  if (hi - lo <= 16) {
    for (let i = lo + 1; i < hi; i++) {
      const k = unchecked(keys[i]); const l = unchecked(lines[i]);
      let j = i - 1;
      while (j >= lo && after(unchecked(keys[j]), unchecked(lines[j]), k, l)) {
        unchecked(keys[j + 1] = keys[j]); unchecked(lines[j + 1] = lines[j]);
        j--;
      }
      unchecked(keys[j + 1] = k); unchecked(lines[j + 1] = l);
    }
    return;
  }
  const mid = (lo + hi) >>> 1;
  mergeSort(keys, lines, tk, tl, lo, mid);
  mergeSort(keys, lines, tk, tl, mid, hi);
  if (!after(unchecked(keys[mid - 1]), unchecked(lines[mid - 1]), unchecked(keys[mid]), unchecked(lines[mid]))) return;
  let i = lo; let j = mid; let o = lo;
  while (i < mid && j < hi) {
    if (after(unchecked(keys[i]), unchecked(lines[i]), unchecked(keys[j]), unchecked(lines[j]))) { unchecked(tk[o] = keys[j]); unchecked(tl[o] = lines[j]); j++; }
    else { unchecked(tk[o] = keys[i]); unchecked(tl[o] = lines[i]); i++; }
    o++;
  }
  while (i < mid) { unchecked(tk[o] = keys[i]); unchecked(tl[o] = lines[i]); i++; o++; }
  // The rest of the right half is already in place.
  memory.copy(changetype<usize>(keys) + (<usize>lo << 3), changetype<usize>(tk) + (<usize>lo << 3), <usize>(o - lo) << 3);
  memory.copy(changetype<usize>(lines) + (<usize>lo << 3), changetype<usize>(tl) + (<usize>lo << 3), <usize>(o - lo) << 3);
}

/** Parses a leading number (blanks, sign, digits, fraction) as sort -n does; non-numbers are 0. */
function leadingNumber(p: usize, len: i32): f64 {
  let i = 0;
  while (i < len && (load<u8>(p + i) == 32 || load<u8>(p + i) == 9)) i++;
  let neg = false;
  if (i < len && load<u8>(p + i) == 45) { neg = true; i++; }
  let v: f64 = 0;
  while (i < len && load<u8>(p + i) >= 48 && load<u8>(p + i) <= 57) { v = v * 10 + <f64>(load<u8>(p + i) - 48); i++; }
  if (i < len && load<u8>(p + i) == 46) {
    i++;
    let scale: f64 = 0.1;
    while (i < len && load<u8>(p + i) >= 48 && load<u8>(p + i) <= 57) { v += scale * <f64>(load<u8>(p + i) - 48); scale /= 10; i++; }
  }
  return neg ? -v : v;
}

/** Finds field `field` (1-based) to the end of the line, or to field `endField`: GNU -k semantics. */
function keyRange(p: usize, len: i32, field: i32, endField: i32, sep: i32): i64 {
  let start = len; let end = len;
  let f = 1; let i = 0;
  if (sep < 0) {
    // Fields are separated by the empty string before each run of blanks; leading blanks belong to the field.
    while (f < field && i < len) {
      while (i < len && (load<u8>(p + i) == 32 || load<u8>(p + i) == 9)) i++;
      while (i < len && load<u8>(p + i) != 32 && load<u8>(p + i) != 9) i++;
      f++;
    }
    start = i;
    if (endField > 0) {
      while (f <= endField && i < len) {
        while (i < len && (load<u8>(p + i) == 32 || load<u8>(p + i) == 9)) i++;
        while (i < len && load<u8>(p + i) != 32 && load<u8>(p + i) != 9) i++;
        f++;
      }
      end = i;
    }
  } else {
    while (f < field && i < len) { if (<i32>load<u8>(p + i) == sep) f++; i++; }
    start = f == field ? i : len;
    if (endField > 0) {
      while (i < len && !(<i32>load<u8>(p + i) == sep && f == endField)) { if (<i32>load<u8>(p + i) == sep) f++; i++; }
      end = i;
    }
  }
  return (<i64>start << 32) | <i64>(end - start);
}

/** One -k key: fields and characters (1-based; endField 0 is the line's end, endChar 0 the field's end) and its ordering flags. */
class SortKey {
  startField: i32 = 1; startChar: i32 = 1; endField: i32 = 0; endChar: i32 = 0;
  /** Ordering letters given on the key (b d f g h i M n R r V), or the global ones when it has none. */
  flags: string = "";
  /** Whether b applies to the start and to the end position. */
  blankStart: bool = false; blankEnd: bool = false;
}

// The general comparison's state (the fast path above covers one plain, -n or -f key).
let sortKeys: SortKey[] = [];
let sortSep: i32 = -1;
let sortLastResortReverse = false;
let sortSeed: u64 = 0;

@inline function isBlankByte(c: i32): bool { return c == 32 || c == 9; }

/** The bytes of line i that key k covers: start << 32 | length (offsets within the data). */
function keySpan(i: i32, k: SortKey): i64 {
  const p = sortData + unchecked(sortStarts[i]);
  const len = unchecked(sortLens[i]);
  // Start: the field's beginning (leading blanks belong to it unless b), then the character offset.
  let start = fieldBegin(p, len, k.startField);
  if (k.blankStart) while (start < len && isBlankByte(<i32>load<u8>(p + start))) start++;
  start = min(len, start + k.startChar - 1);
  let end = len;
  if (k.endField > 0) {
    if (k.endChar == 0) end = fieldEnd(p, len, k.endField);
    else {
      let e = fieldBegin(p, len, k.endField);
      if (k.blankEnd) while (e < len && isBlankByte(<i32>load<u8>(p + e))) e++;
      end = min(len, e + k.endChar);
    }
  }
  if (end < start) end = start;
  return (<i64>(unchecked(sortStarts[i]) + start) << 32) | <i64>(end - start);
}

/** Where field f (1-based) of a line begins: after f-1 separators (-t) or blank-to-non-blank runs. */
function fieldBegin(p: usize, len: i32, f: i32): i32 {
  let i = 0;
  for (let n = 1; n < f && i < len; n++) {
    if (sortSep >= 0) { while (i < len && <i32>load<u8>(p + i) != sortSep) i++; if (i < len) i++; else return len; }
    else { while (i < len && isBlankByte(<i32>load<u8>(p + i))) i++; while (i < len && !isBlankByte(<i32>load<u8>(p + i))) i++; }
  }
  return i;
}

/** Where field f ends (the separator after it, or the line's end). */
function fieldEnd(p: usize, len: i32, f: i32): i32 {
  let i = fieldBegin(p, len, f);
  if (sortSep >= 0) { while (i < len && <i32>load<u8>(p + i) != sortSep) i++; return i; }
  while (i < len && isBlankByte(<i32>load<u8>(p + i))) i++;
  while (i < len && !isBlankByte(<i32>load<u8>(p + i))) i++;
  return i;
}

/** strtod's prefix of a key (sort -g): NaN when there is no number (those sort first). */
function generalNumber(p: usize, len: i32): f64 {
  let i = 0;
  while (i < len && isBlankByte(<i32>load<u8>(p + i))) i++;
  let j = i;
  if (j < len && (load<u8>(p + j) == 43 || load<u8>(p + j) == 45)) j++;
  let digits = 0;
  while (j < len && load<u8>(p + j) >= 48 && load<u8>(p + j) <= 57) { j++; digits++; }
  if (j < len && load<u8>(p + j) == 46) { j++; while (j < len && load<u8>(p + j) >= 48 && load<u8>(p + j) <= 57) { j++; digits++; } }
  if (digits == 0) {
    const word = String.UTF8.decodeUnsafe(p + i, len - i).toLowerCase();
    const body = word.startsWith("-") || word.startsWith("+") ? word.substring(1) : word;
    if (body.startsWith("inf")) return word.startsWith("-") ? -Infinity : Infinity;
    return NaN;
  }
  if (j < len && (load<u8>(p + j) == 101 || load<u8>(p + j) == 69)) {
    let e = j + 1;
    if (e < len && (load<u8>(p + e) == 43 || load<u8>(p + e) == 45)) e++;
    if (e < len && load<u8>(p + e) >= 48 && load<u8>(p + e) <= 57) { j = e; while (j < len && load<u8>(p + j) >= 48 && load<u8>(p + j) <= 57) j++; }
  }
  return parseFloat(String.UTF8.decodeUnsafe(p + i, j - i));
}

/** sort -h's order of a key: its sign, then its SI suffix (none < K < M < G ...), then its number. */
function humanCompare(a: usize, alen: i32, b: usize, blen: i32): i32 {
  const x = leadingNumber(a, alen); const y = leadingNumber(b, blen);
  const sx = x < 0 ? -1 : x > 0 ? 1 : 0; const sy = y < 0 ? -1 : y > 0 ? 1 : 0;
  if (sx != sy) return sx - sy;
  const ux = siSuffix(a, alen); const uy = siSuffix(b, blen);
  if (ux != uy) return sx * (ux - uy) != 0 ? (ux - uy) * (sx == 0 ? 1 : sx) : 0;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The power of the SI suffix after a key's number (K 1, M 2, ... Y 8), or 0. */
function siSuffix(p: usize, len: i32): i32 {
  let i = 0;
  while (i < len && isBlankByte(<i32>load<u8>(p + i))) i++;
  if (i < len && load<u8>(p + i) == 45) i++;
  while (i < len && ((load<u8>(p + i) >= 48 && load<u8>(p + i) <= 57) || load<u8>(p + i) == 46)) i++;
  if (i >= len) return 0;
  const at = "KMGTPEZY".indexOf(String.fromCharCode(<i32>load<u8>(p + i)));
  if (at >= 0) return at + 1;
  return load<u8>(p + i) == 107 ? 1 : 0;
}

/** A month's number (1-12) from a key's first three letters after blanks, 0 when none. */
function monthKey(p: usize, len: i32): i32 {
  let i = 0;
  while (i < len && isBlankByte(<i32>load<u8>(p + i))) i++;
  if (len - i < 3) return 0;
  const word = String.UTF8.decodeUnsafe(p + i, 3).toUpperCase();
  return "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC".indexOf(word) % 3 == 0 ? "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC".indexOf(word) / 3 + 1 : 0;
}

/** The order of a character in a version's non-digit part (GNU filevercmp): ~ first, then end, letters, then the rest. */
function versionOrder(c: i32): i32 {
  if (c == 0) return 0;
  if (c >= 48 && c <= 57) return 0;
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return c;
  if (c == 126) return -1;
  return c + 256;
}

/** sort -V: runs of digits compare as numbers, other runs by versionOrder. */
function versionCompare(a: usize, alen: i32, b: usize, blen: i32): i32 {
  let i = 0; let j = 0;
  while (i < alen || j < blen) {
    let first = 0;
    while ((i < alen && !(load<u8>(a + i) >= 48 && load<u8>(a + i) <= 57)) || (j < blen && !(load<u8>(b + j) >= 48 && load<u8>(b + j) <= 57))) {
      const x = i < alen ? versionOrder(<i32>load<u8>(a + i)) : 0;
      const y = j < blen ? versionOrder(<i32>load<u8>(b + j)) : 0;
      if (x != y) return x - y;
      i++; j++;
    }
    while (i < alen && load<u8>(a + i) == 48) i++;
    while (j < blen && load<u8>(b + j) == 48) j++;
    while (i < alen && j < blen && load<u8>(a + i) >= 48 && load<u8>(a + i) <= 57 && load<u8>(b + j) >= 48 && load<u8>(b + j) <= 57) {
      if (first == 0) first = <i32>load<u8>(a + i) - <i32>load<u8>(b + j);
      i++; j++;
    }
    if (i < alen && load<u8>(a + i) >= 48 && load<u8>(a + i) <= 57) return 1;
    if (j < blen && load<u8>(b + j) >= 48 && load<u8>(b + j) <= 57) return -1;
    if (first != 0) return first;
  }
  return 0;
}

/** Text comparison under d (blanks and alphanumerics only), i (printable only) and f (folded). */
function textCompare(a: usize, alen: i32, b: usize, blen: i32, flags: string): i32 {
  const fold = flags.indexOf("f") >= 0; const dict = flags.indexOf("d") >= 0; const print = flags.indexOf("i") >= 0;
  if (!dict && !print) {
    const saved = sortFold; sortFold = fold;
    const d = compareBytes(a, alen, b, blen);
    sortFold = saved;
    return d;
  }
  let i = 0; let j = 0;
  while (true) {
    while (i < alen && !keeps(<i32>load<u8>(a + i), dict, print)) i++;
    while (j < blen && !keeps(<i32>load<u8>(b + j), dict, print)) j++;
    if (i >= alen || j >= blen) break;
    let x = <i32>load<u8>(a + i); let y = <i32>load<u8>(b + j);
    if (fold) { if (x >= 97 && x <= 122) x -= 32; if (y >= 97 && y <= 122) y -= 32; }
    if (x != y) return x - y;
    i++; j++;
  }
  return (i < alen ? 1 : 0) - (j < blen ? 1 : 0);
}

@inline function keeps(c: i32, dict: bool, print: bool): bool {
  if (dict && !(isBlankByte(c) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false;
  if (print && (c < 32 || c >= 127)) return false;
  return true;
}

/** FNV-1a of a key mixed with this run's seed (sort -R: equal keys hash alike, so they stay together). */
function keyHash(p: usize, len: i32): u64 {
  let h: u64 = 0xcbf29ce484222325 ^ sortSeed;
  for (let i = 0; i < len; i++) h = (h ^ <u64>load<u8>(p + i)) * 0x100000001b3;
  return h;
}

/** The general comparison of lines i and j: each key by its flags, then (unless -s or -u) the whole lines. */
function compareGeneral(i: i32, j: i32): i32 {
  for (let k = 0; k < sortKeys.length; k++) {
    const key = unchecked(sortKeys[k]);
    const si = keySpan(i, key); const sj = keySpan(j, key);
    const a = sortData + <usize>(si >>> 32); const alen = <i32>(si & 0xffffffff);
    const b = sortData + <usize>(sj >>> 32); const blen = <i32>(sj & 0xffffffff);
    const f = key.flags;
    let d = 0;
    if (f.indexOf("R") >= 0) { const x = keyHash(a, alen); const y = keyHash(b, blen); d = x < y ? -1 : x > y ? 1 : 0; }
    else if (f.indexOf("n") >= 0) { const x = leadingNumber(a, alen); const y = leadingNumber(b, blen); d = x < y ? -1 : x > y ? 1 : 0; }
    else if (f.indexOf("g") >= 0) {
      const x = generalNumber(a, alen); const y = generalNumber(b, blen);
      d = isNaN(x) ? (isNaN(y) ? 0 : -1) : isNaN(y) ? 1 : x < y ? -1 : x > y ? 1 : 0;
    }
    else if (f.indexOf("h") >= 0) d = humanCompare(a, alen, b, blen);
    else if (f.indexOf("M") >= 0) d = monthKey(a, alen) - monthKey(b, blen);
    else if (f.indexOf("V") >= 0) d = versionCompare(a, alen, b, blen);
    else d = textCompare(a, alen, b, blen, f);
    if (d != 0) return f.indexOf("r") >= 0 ? -d : d;
  }
  if (sortKeyOnly) return 0;
  let d = memory.compare(sortData + unchecked(sortStarts[i]), sortData + unchecked(sortStarts[j]), min(unchecked(sortLens[i]), unchecked(sortLens[j])));
  if (d == 0) d = unchecked(sortLens[i]) - unchecked(sortLens[j]);
  return sortLastResortReverse ? -d : d;
}

/** The general comparison by keys alone (for -u). */
function compareGeneralKeys(i: i32, j: i32): i32 {
  const saved = sortKeyOnly;
  sortKeyOnly = true;
  const d = compareGeneral(i, j);
  sortKeyOnly = saved;
  return d;
}

/** Every value given to option `letter`, in order, reading args as getopt() does with spec ("-nk2" gives "2"). */
function optionValues(args: string[], spec: string, letter: string): string[] {
  const out = new Array<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a == "--") break;
    if (a.length < 2 || a.charCodeAt(0) != 45) continue;
    for (let j = 1; j < a.length; j++) {
      const c = a.charAt(j);
      const at = spec.indexOf(c);
      if (at >= 0 && at + 1 < spec.length && spec.charAt(at + 1) == ":") {
        const v = j + 1 < a.length ? a.substring(j + 1) : i + 1 < args.length ? args[++i] : "";
        if (c == letter) out.push(v);
        break;
      }
    }
  }
  return out;
}

/** sort's usage error: the message and GNU's "Try" line, status 2. */
function sortUsage(message: string): i32 {
  warn("sort", message);
  stderr.line("Try 'sort --help' for more information.").flush();
  return 2;
}

/** Parses a -k POS1[,POS2] into a key; "" or GNU's error. */
function parseSortKey(spec: string, key: SortKey): string {
  const comma = spec.indexOf(",");
  const first = comma < 0 ? spec : spec.substring(0, comma);
  const second = comma < 0 ? "" : spec.substring(comma + 1);
  const one = parsePosition(first, key, true);
  if (one != "") return one;
  if (comma >= 0) { const two = parsePosition(second, key, false); if (two != "") return two; }
  return "";
}

/** F[.C][FLAGS] of a key's start (or end); "" or the error. */
function parsePosition(text: string, key: SortKey, isStart: bool): string {
  let i = 0;
  let field = 0;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) { field = field * 10 + text.charCodeAt(i) - 48; i++; }
  if (i == 0) return "invalid number at field start: invalid count at start of '" + text.substring(i) + "'";
  if (field == 0 && isStart) return "field number is zero: invalid field specification '" + text + "'";
  let ch = 0;
  let hasChar = false;
  if (i < text.length && text.charAt(i) == ".") {
    i++;
    const at = i;
    while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) { ch = ch * 10 + text.charCodeAt(i) - 48; i++; }
    if (i == at) return "invalid number after '.': invalid count at start of '" + text.substring(i) + "'";
    if (ch == 0 && isStart) return "character offset is zero: invalid field specification '" + text + "'";
    hasChar = true;
  }
  const flags = text.substring(i);
  for (let k = 0; k < flags.length; k++) if ("bdfghiMnRrV".indexOf(flags.charAt(k)) < 0) return "stray character in field spec: invalid field specification '" + text + "'";
  if (isStart) { key.startField = field; key.startChar = hasChar ? ch : 1; if (flags.indexOf("b") >= 0) key.blankStart = true; }
  else { key.endField = field; key.endChar = hasChar ? ch : 0; if (flags.indexOf("b") >= 0) key.blankEnd = true; }
  key.flags += flags.replaceAll("b", "");
  return "";
}

/** GNU sort's long options. */
const SORT_LONG = ["reverse=r", "numeric-sort=n", "general-numeric-sort=g", "human-numeric-sort=h", "version-sort=V", "month-sort=M", "ignore-case=f",
  "unique=u", "stable=s", "key:k", "field-separator:t", "output:o", "zero-terminated=z", "merge=m", "random-sort=R", "ignore-leading-blanks=b",
  "dictionary-order=d", "ignore-nonprinting=i", "debug=D", "parallel:P", "buffer-size:S", "temporary-directory:T", "check=c"];

/**
 * sort [-bdfghiMnRrV] [-u] [-s] [-c|-C] [-m] [-z] [-k POS1[,POS2]]... [-t SEP] [-o FILE] [FILE]...:
 * one plain, -n or -f key takes the fast path (prefix keys); anything else compares key by key.
 */
export function sortMain(argList: string[]): i32 {
  const args = new Array<string>();
  let checkQuiet = false;
  for (let a = 0; a < argList.length; a++) {
    const arg = argList[a];
    if (arg == "--check=quiet" || arg == "--check=silent") { args.push("-C"); continue; }
    if (arg == "--check=diagnose-first") { args.push("-c"); continue; }
    if (arg == "--") { for (; a < argList.length; a++) args.push(argList[a]); break; }
    args.push(arg);
  }
  const longError = expandLong(args, "k:t:o:P:S:T:", SORT_LONG);
  if (longError != "") return sortUsage(longError);
  const o = getopt(args, "bcCdfghiMmnRrsuVzDk:t:o:P:S:T:");
  if (o.error != "") return sortUsage(o.error);
  checkQuiet = o.has("C");
  const sepStr = o.value("t", "");
  if (o.has("t") && sepStr.length > 1 && sepStr != "\\0") { warn("sort", "multi-character tab '" + sepStr + "'"); return 2; }
  if (o.has("t") && sepStr.length == 0) { warn("sort", "empty tab"); return 2; }
  const delim: u8 = o.has("z") ? 0 : 10;
  // The keys: each -k, with the global ordering letters when it has none of its own.
  let global = "";
  const letters = "dfghiMnRV";
  for (let c = 0; c < letters.length; c++) if (o.has(letters.charAt(c))) global += letters.charAt(c);
  const keys = new Array<SortKey>();
  const specs = optionValues(args, "bcCdfghiMmnRrsuVzDk:t:o:P:S:T:", "k");
  for (let a = 0; a < specs.length; a++) {
    const spec = specs[a];
    const key = new SortKey();
    const error = parseSortKey(spec, key);
    if (error != "") { warn("sort", error); return 2; }
    if (key.flags == "" && !key.blankStart && !key.blankEnd) { key.flags = global + (o.has("r") ? "r" : ""); key.blankStart = key.blankEnd = o.has("b"); }
    keys.push(key);
  }
  const data = new ByteBuf(BLOCK);
  const files = inputsOrStdin(o.operands);
  if ((o.has("c") || o.has("C")) && files.length > 1) return sortUsage("extra operand '" + files[1] + "' not allowed with -" + (o.has("c") ? "c" : "C"));
  for (let f = 0; f < files.length; f++) {
    const fd = files[f] == "-" ? 0 : open(files[f]);
    if (fd < 0) { warn("sort", (o.has("c") || o.has("C") ? "open failed: " : "cannot read: ") + files[f] + ": " + strerror(lastError)); return 2; }
    const err = data.readFrom(fd);
    closeInput(fd);
    if (err != 0) { report("sort", files[f] == "-" ? "read failed" : files[f], err); return 2; }
    if (data.len > 0 && load<u8>(data.ptr + data.len - 1) != delim) data.appendByte(delim);
  }
  let count = 0;
  const end = data.ptr + data.len;
  for (let p = data.ptr; p < end; p++) if (load<u8>(p) == delim) count++;
  sortData = data.ptr;
  sortStarts = new StaticArray<i32>(count);
  sortLens = new StaticArray<i32>(count);
  let at = 0;
  for (let i = 0, s = 0; i < data.len; i++) {
    if (load<u8>(data.ptr + i) == delim) { unchecked(sortStarts[at] = s); unchecked(sortLens[at] = i - s); at++; s = i + 1; }
  }
  sortSep = o.has("t") ? (sepStr == "\\0" ? 0 : sepStr.charCodeAt(0)) : -1;
  sortKeyOnly = o.has("u") || o.has("s");
  // The fast path: at most one key of whole fields, plain, -n or -f, with no b d g h i M R V.
  let general = false;
  for (let c = 0; c < "bdghiMRV".length; c++) if (o.has("bdghiMRV".charAt(c))) general = true;
  if (keys.length > 1) general = true;
  if (keys.length == 1) {
    const key = keys[0];
    if (key.startChar != 1 || key.endChar != 0 || key.blankStart || key.blankEnd || key.flags.replaceAll("r", "").replaceAll("n", "").replaceAll("f", "") != "" || key.flags != global + (o.has("r") ? "r" : "")) general = true;
  }
  if (general) {
    if (keys.length == 0) { const whole = new SortKey(); whole.flags = global + (o.has("r") ? "r" : ""); whole.blankStart = whole.blankEnd = o.has("b"); keys.push(whole); }
    sortKeys = keys;
    sortLastResortReverse = o.has("r");
    sortSeed = <u64>proc.nowNs() * 0x9e3779b97f4a7c15;
    sortNumeric = false; sortReverse = false; sortFold = false; sortHasKey = true; sortGeneral = true;
    sortKeyStart = new StaticArray<i32>(count);
    sortKeyLen = new StaticArray<i32>(count);
  } else {
    sortGeneral = false;
    sortNumeric = o.has("n"); sortReverse = o.has("r"); sortFold = o.has("f");
    sortHasKey = keys.length == 1;
    if (sortHasKey) {
      const key = keys[0];
      sortKeyStart = new StaticArray<i32>(count);
      sortKeyLen = new StaticArray<i32>(count);
      for (let i = 0; i < count; i++) {
        const r = keyRange(data.ptr + sortStarts[i], sortLens[i], key.startField, key.endField, sortSep);
        sortKeyStart[i] = sortStarts[i] + <i32>(r >> 32);
        sortKeyLen[i] = <i32>(r & 0xffffffff);
      }
    }
    if (sortNumeric) {
      sortNumbers = new StaticArray<f64>(count);
      for (let i = 0; i < count; i++) {
        sortNumbers[i] = sortHasKey ? leadingNumber(data.ptr + sortKeyStart[i], sortKeyLen[i]) : leadingNumber(data.ptr + sortStarts[i], sortLens[i]);
      }
    }
  }
  // -c / -C: is the input in order (strictly, with -u)? "FILE:N: disorder: LINE" for the first line out of it.
  if (o.has("c") || o.has("C")) {
    for (let i = 1; i < count; i++) {
      const d = sortGeneral ? compareGeneral(i - 1, i) : compareLines(i - 1, i);
      if (d > 0 || (o.has("u") && (sortGeneral ? compareGeneralKeys(i - 1, i) : compareKeys(i - 1, i)) == 0)) {
        if (!checkQuiet) { stdout.flush(); warn("sort", (files[0] == "-" ? "-" : files[0]) + ":" + (i + 1).toString() + ": disorder: " + String.UTF8.decodeUnsafe(data.ptr + sortStarts[i], sortLens[i])); }
        return 1;
      }
    }
    return 0;
  }
  const order = sortOrder(count);
  let outFd = 1;
  if (o.has("o")) {
    outFd = create(o.value("o", ""));
    if (outFd < 0) { report("sort", "open failed: " + o.value("o", ""), lastError); return 2; }
    stdout.flush();
    stdout.fd = outFd;
  }
  const unique = o.has("u");
  const plain = sortPlain();
  let previous = -1;
  for (let k = 0; k < count; k++) {
    // Without keys the order holds each line's place (start << 32 | length) itself: no lookup per line.
    const entry = unchecked(order[k]);
    if (plain) {
      const start = <i32>(entry >>> 32); const len = <i32>(entry & 0xffffffff);
      if (unique && k > 0) {
        const prev = unchecked(order[k - 1]);
        if (compareBytes(data.ptr + <usize>(prev >>> 32), <i32>(prev & 0xffffffff), data.ptr + start, len) == 0) continue;
      }
      stdout.bytes(data.ptr + start, len).byte(delim);
      continue;
    }
    const i = <i32>entry;
    if (unique && previous >= 0 && (sortGeneral ? compareGeneralKeys(previous, i) : compareKeys(previous, i)) == 0) continue;
    previous = i;
    stdout.bytes(data.ptr + unchecked(sortStarts[i]), unchecked(sortLens[i])).byte(delim);
  }
  return 0;
}

