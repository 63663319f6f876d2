// Byte dumps and small system tools: od, xxd, hexdump, dd, expr, mktemp, realpath, timeout, nohup,
// nice, time, id, whoami, groups, uptime, clear and mount (listing), as coreutils/busybox word them.

import { currentUid, currentGid, UserNames } from "../lib/users";
import { stdout, stderr, warn, ByteBuf, BLOCK, readSome, writeAll } from "../lib/io";
import { getopt, expandLong, parseIntOr } from "../lib/opts";
import { usage, report, openInput, closeInput, inputsOrStdin } from "../lib/cmd";
import * as fs from "../lib/fs";
import * as proc from "../lib/proc";
import * as k from "../lib/wasmbox";
import * as wasi from "../lib/wasi";
import { strerror, EINTR, EEXIST } from "../lib/errno";
import { getenv } from "../lib/env";
import { civil, which } from "./system";
import { canonical } from "./files";
import { compile, Regex } from "../lib/regex";
import { cpuTimes } from "./shlimits";
import * as num from "./bcnum";

/** All the input of the operands, concatenated (for od, xxd, hexdump). */
function readAll(prog: string, names: string[]): ByteBuf | null {
  const data = new ByteBuf(BLOCK);
  for (let i = 0; i < names.length; i++) {
    const fd = openInput(prog, names[i]);
    if (fd < 0) return null;
    const err = data.readFrom(fd);
    closeInput(fd);
    if (err != 0) { report(prog, names[i], err); return null; }
  }
  return data;
}

function padLeft(s: string, width: i32, fill: string = " "): string {
  let t = s;
  while (t.length < width) t = fill + t;
  return t;
}

const OD_NAMES = ["nul", "soh", "stx", "etx", "eot", "enq", "ack", "bel", "bs", "ht", "nl", "vt", "ff", "cr", "so", "si",
  "dle", "dc1", "dc2", "dc3", "dc4", "nak", "syn", "etb", "can", "em", "sub", "esc", "fs", "gs", "rs", "us", "sp"];

/** One od output type: c, a, or o/x/d/u with a size in bytes. */
class OdType {
  /** z: the line's printable characters after it, between > and <. */
  dump: bool = false;
  constructor(public kind: string, public size: i32) {}
}

function odWidth(t: OdType): i32 {
  if (t.kind == "c" || t.kind == "a") return 4;
  if (t.kind == "x") return t.size * 2 + 1;
  const bits = <u64>(t.size * 8);
  const maxU: u64 = bits == 64 ? 0xffffffffffffffff : (<u64>1 << bits) - 1;
  if (t.kind == "o") return maxU.toString(8).length + 1;
  if (t.kind == "u") return maxU.toString().length + 1;
  // d: the most negative value with its sign.
  return (maxU / 2 + 1).toString().length + 2;
}

function odValue(p: usize, t: OdType, bigEndian: bool = false): string {
  if (t.kind == "c") {
    const b = <i32>load<u8>(p);
    if (b == 0) return "\\0";
    if (b == 7) return "\\a"; if (b == 8) return "\\b"; if (b == 9) return "\\t"; if (b == 10) return "\\n";
    if (b == 11) return "\\v"; if (b == 12) return "\\f"; if (b == 13) return "\\r";
    if (b >= 32 && b < 127) return String.fromCharCode(b);
    return padLeft(b.toString(8), 3, "0");
  }
  if (t.kind == "a") {
    const b = <i32>load<u8>(p) & 127;
    if (b <= 32) return OD_NAMES[b];
    if (b == 127) return "del";
    return String.fromCharCode(b);
  }
  let v: u64 = 0;
  if (bigEndian) for (let i = 0; i < t.size; i++) v = (v << 8) | <u64>load<u8>(p + i);
  else for (let i = t.size - 1; i >= 0; i--) v = (v << 8) | <u64>load<u8>(p + i);
  if (t.kind == "x") return padLeft(v.toString(16), t.size * 2, "0");
  if (t.kind == "o") return padLeft(v.toString(8), odWidth(t) - 1, "0");
  if (t.kind == "u") return v.toString();
  // d: sign-extend.
  const shift = <u64>(64 - t.size * 8);
  return ((<i64>(v << shift)) >> <i64>shift).toString();
}

/** od [-A d|o|x|n] [-t TYPE]... [-c -b -d -o -x] [-N COUNT] [-j SKIP] [-v] [FILE]... */
export function odMain(argList: string[]): i32 {
  let bigEndian = false;
  const args = new Array<string>();
  for (let i = 0; i < argList.length; i++) {
    const a = argList[i];
    if (a == "--endian=big") bigEndian = true;
    else if (a == "--endian=little") bigEndian = false;
    else if (a.startsWith("--endian=")) { warn("od", "invalid argument '" + a.substring(9) + "' for '--endian'"); return 1; }
    else if (a.startsWith("--format=")) { args.push("-t"); args.push(a.substring(9)); }
    else if (a.startsWith("--address-radix=")) { args.push("-A"); args.push(a.substring(16)); }
    else if (a.startsWith("--skip-bytes=")) { args.push("-j"); args.push(a.substring(13)); }
    else if (a.startsWith("--read-bytes=")) { args.push("-N"); args.push(a.substring(13)); }
    else if (a.startsWith("--width=")) { args.push("-w"); args.push(a.substring(8)); }
    else if (a == "--output-duplicates") args.push("-v");
    else if (a.startsWith("--") && a.length > 2) { warn("od", "unrecognized option '" + a + "'"); stderr.line("Try 'od --help' for more information.").flush(); return 1; }
    else args.push(a);
  }
  const o = getopt(args, "A:t:N:j:w:vcbdoxsil");
  if (o.error != "") { warn("od", o.error); stderr.line("Try 'od --help' for more information.").flush(); return 1; }
  const types = new Array<OdType>();
  // Letters in the order given.
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a == "-t" && i + 1 < args.length) { if (!addOdTypes(types, args[++i])) return usage("od", "invalid type string '" + args[i] + "'"); continue; }
    if (a.startsWith("-t") && a.length > 2) { if (!addOdTypes(types, a.substring(2))) return usage("od", "invalid type string '" + a.substring(2) + "'"); continue; }
    if (a == "-A" || a == "-N" || a == "-j" || a == "-w") { i++; continue; }
    if (a.startsWith("-") && !a.startsWith("-A") && !a.startsWith("-N") && !a.startsWith("-j") && !a.startsWith("-w")) {
      for (let j = 1; j < a.length; j++) {
        const c = a.charAt(j);
        if (c == "c") types.push(new OdType("c", 1));
        else if (c == "b") types.push(new OdType("o", 1));
        else if (c == "d") types.push(new OdType("u", 2));
        else if (c == "o") types.push(new OdType("o", 2));
        else if (c == "x") types.push(new OdType("x", 2));
        else if (c == "s") types.push(new OdType("d", 2));
        else if (c == "i") types.push(new OdType("d", 4));
        else if (c == "l") types.push(new OdType("d", 8));
      }
    }
  }
  if (types.length == 0) types.push(new OdType("o", 2));
  const radix = o.value("A", "o");
  if (radix != "o" && radix != "d" && radix != "x" && radix != "n") return usage("od", "invalid output address radix '" + radix + "'; it must be one character from [doxn]");
  const data = readAll("od", inputsOrStdin(o.operands));
  if (data == null) return 1;
  const skipWanted = parseIntOr(o.value("j", "0"), 0);
  if (skipWanted > <i64>data.len) { warn("od", "cannot skip past end of combined input"); return 1; }
  const skip = <i32>skipWanted;
  const end = o.has("N") ? <i32>min(<i64>data.len, skip + parseIntOr(o.value("N", "0"), 0)) : data.len;
  const perLine = <i32>parseIntOr(o.value("w", "16"), 16);
  // Every field is as wide as the widest type needs per byte, scaled to the type's size.
  // With several types every field of a line gets the per-byte width of the widest.
  let perByte = 0;
  for (let t = 0; t < types.length; t++) perByte = max(perByte, (odWidth(types[t]) + types[t].size - 1) / types[t].size);
  let prev: ByteBuf | null = null;
  let starred = false;
  for (let off = skip; off < end; off += perLine) {
    const n = min(perLine, end - off);
    if (!o.has("v") && prev != null && n == perLine && prev.len == n && memory.compare(prev.ptr, data.ptr + off, n) == 0) {
      if (!starred) { stdout.line("*"); starred = true; }
      continue;
    }
    starred = false;
    const line = new ByteBuf(perLine + 8);
    line.append(data.ptr + off, n);
    prev = line;
    for (let t = 0; t < types.length; t++) {
      const ty = types[t];
      if (t == 0) stdout.str(odAddress(off, radix));
      else if (radix != "n") stdout.str(" ".repeat(odAddress(off, radix).length));
      const padded = new ByteBuf(perLine + 8);
      padded.append(data.ptr + off, n);
      for (let z = 0; z < 8; z++) padded.appendByte(0);
      const width = types.length == 1 ? odWidth(ty) : perByte * ty.size;
      for (let i = 0; i < n; i += ty.size) stdout.str(padLeft(odValue(padded.ptr + i, ty, bigEndian), width));
      if (ty.dump) {
        // Pad a short last line to where a full one's fields end, then the characters.
        const full = (perLine + ty.size - 1) / ty.size * width;
        const used = (n + ty.size - 1) / ty.size * width;
        stdout.str(" ".repeat(full - used)).str("  >");
        for (let i = 0; i < n; i++) { const b = <i32>load<u8>(data.ptr + off + i); stdout.byte(b >= 32 && b < 127 ? b : 46); }
        stdout.byte(60);
      }
      stdout.byte(10);
    }
  }
  if (radix != "n") stdout.line(odAddress(end, radix));
  return 0;
}

function odAddress(off: i32, radix: string): string {
  if (radix == "n") return "";
  if (radix == "d") return padLeft(off.toString(), 7, "0");
  if (radix == "x") return padLeft(off.toString(16), 6, "0");
  return padLeft(off.toString(8), 7, "0");
}

function addOdTypes(types: OdType[], spec: string): bool {
  let i = 0;
  while (i < spec.length) {
    const c = spec.charAt(i++);
    if (c == "c" || c == "a") { const type = new OdType(c, 1); if (i < spec.length && spec.charAt(i) == "z") { type.dump = true; i++; } types.push(type); continue; }
    if (c != "o" && c != "x" && c != "d" && c != "u") return false;
    let size = c == "o" || c == "x" || c == "d" || c == "u" ? 4 : 1;
    if (i < spec.length) {
      const s = spec.charAt(i);
      if (s == "C") { size = 1; i++; } else if (s == "S") { size = 2; i++; } else if (s == "I") { size = 4; i++; } else if (s == "L") { size = 8; i++; }
      else if (s >= "0" && s <= "9") { size = I32.parseInt(s); i++; }
    }
    if (size != 1 && size != 2 && size != 4 && size != 8) return false;
    const type = new OdType(c, size);
    if (i < spec.length && spec.charAt(i) == "z") { type.dump = true; i++; }
    types.push(type);
  }
  return true;
}

const HEXDIGITS = "0123456789abcdef";

function hex2(b: i32, upper: bool): string {
  const s = HEXDIGITS.charAt(b >> 4) + HEXDIGITS.charAt(b & 15);
  return upper ? s.toUpperCase() : s;
}

/** xxd [-p] [-r] [-u] [-c COLS] [-g BYTES] [-l LEN] [-s SEEK] [-i] [FILE [OUTFILE]] */
export function xxdMain(argList: string[]): i32 {
  // xxd's own spellings: -ps, -postscript, -plain, -bits, -cols N, -seek N... as their one letter.
  const spellings = ["-ps", "-p", "-postscript", "-p", "-plain", "-p", "-bits", "-b", "-cols", "-c", "-groupsize", "-g", "-len", "-l", "-seek", "-s",
    "-revert", "-r", "-uppercase", "-u", "-include", "-i", "-little-endian", "-e"];
  const args = new Array<string>();
  for (let i = 0; i < argList.length; i++) {
    const at = spellings.indexOf(argList[i]);
    args.push(at >= 0 && at % 2 == 0 ? spellings[at + 1] : argList[i]);
  }
  const o = getopt(args, "pruibec:g:l:s:");
  if (o.error != "") return usage("xxd", o.error);
  const name = o.operands.length > 0 ? o.operands[0] : "-";
  const data = readAll("xxd", [name]);
  if (data == null) return 2;
  let outFd = 1;
  if (o.operands.length > 1) { outFd = fs.create(o.operands[1]); if (outFd < 0) { report("xxd", o.operands[1], fs.lastError); return 2; } }
  if (o.has("r")) {
    const out = new ByteBuf(BLOCK);
    const text = data.toString();
    const lines = text.split("\n");
    for (let l = 0; l < lines.length; l++) {
      let line = lines[l];
      if (!o.has("p")) {
        const colon = line.indexOf(":");
        if (colon < 0) continue;
        const offset = I64.parseInt(line.substring(0, colon), 16);
        while (<i64>out.len < offset) out.appendByte(0);
        line = line.substring(colon + 1);
        const gap = line.indexOf("  ");
        if (gap >= 0) line = line.substring(0, gap);
      }
      let half = -1;
      for (let i = 0; i < line.length; i++) {
        const c = line.charCodeAt(i) | 32;
        const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
        if (v < 0) continue;
        if (half < 0) half = v; else { out.appendByte((half << 4) | v); half = -1; }
      }
    }
    writeAll(outFd, out.ptr, out.len);
    if (outFd != 1) fs.close(outFd);
    return 0;
  }
  const upper = o.has("u");
  // -s N from the start, -s -N from the end.
  const seekText = o.value("s", "0");
  let seekValue = parseIntOr(seekText.startsWith("+") ? seekText.substring(1) : seekText, 0);
  if (seekText.startsWith("0x")) seekValue = I64.parseInt(seekText.substring(2), 16);
  if (seekValue < 0) seekValue = max<i64>(0, <i64>data.len + seekValue);
  const seek = <i32>min(<i64>data.len, seekValue);
  const end = o.has("l") ? <i32>min(<i64>data.len, seek + parseIntOr(o.value("l", "0"), 0)) : data.len;
  const w = new ByteBuf(BLOCK);
  if (o.has("p")) {
    const cols = <i32>parseIntOr(o.value("c", "30"), 30);
    for (let off = seek; off < end; off += cols) {
      for (let i = off; i < min(end, off + cols); i++) w.appendString(hex2(load<u8>(data.ptr + i), upper));
      w.appendByte(10);
    }
  } else if (o.has("i")) {
    let cName = "";
    for (let i = 0; i < name.length; i++) { const c = name.charCodeAt(i); cName += (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? name.charAt(i) : "_"; }
    if (name != "-") w.appendString("unsigned char " + cName + "[] = {\n");
    for (let off = seek; off < end; off += 12) {
      w.appendString(" ");
      for (let i = off; i < min(end, off + 12); i++) w.appendString(" 0x" + hex2(load<u8>(data.ptr + i), upper) + (i + 1 < end ? "," : ""));
      w.appendByte(10);
    }
    if (name != "-") w.appendString("};\nunsigned int " + cName + "_len = " + (end - seek).toString() + ";\n");
  } else {
    const bits = o.has("b");
    const little = o.has("e");
    const cols = <i32>parseIntOr(o.value("c", bits ? "6" : "16"), 16);
    const group = <i32>parseIntOr(o.value("g", bits ? "1" : little ? "4" : "2"), 2);
    const digits = bits ? 8 : 2;
    const hexWidth = cols * digits + (group > 0 ? (cols + group - 1) / group : 0);
    for (let off = seek; off < end; off += cols) {
      let line = padLeft(off.toString(16), 8, "0") + ":";
      let hexPart = "";
      const n = min(cols, end - off);
      for (let i = 0; i < n; i++) {
        if (group > 0 && i % group == 0) {
          hexPart += " ";
          // -e: a short last group is right-aligned in its place, as a little-endian word's high bytes are missing.
          if (little && n - i < group) hexPart += " ".repeat((group - (n - i)) * digits);
        }
        // -e: each group's bytes in reverse (little-endian words).
        let at = i;
        if (little && group > 0) { const g0 = i - i % group; const gn = min(group, n - g0); at = g0 + (gn - 1 - (i - g0)); }
        const b = load<u8>(data.ptr + off + at);
        hexPart += bits ? padLeft((<i32>b).toString(2), 8, "0") : hex2(b, upper);
      }
      while (hexPart.length < hexWidth) hexPart += " ";
      line += hexPart + "  ";
      for (let i = 0; i < n; i++) { const b = <i32>load<u8>(data.ptr + off + i); line += b >= 32 && b < 127 ? String.fromCharCode(b) : "."; }
      w.appendString(line + "\n");
    }
  }
  stdout.flush();
  writeAll(outFd, w.ptr, w.len);
  if (outFd != 1) fs.close(outFd);
  return 0;
}

/** hexdump [-C] [-n LEN] [-s SKIP] [-v] [FILE]... (default: two-byte hex words) */
export function hexdumpMain(prog: string, args: string[]): i32 {
  const o = getopt(args, "Cn:s:vxdocb");
  if (o.error != "") return usage(prog, o.error);
  const data = readAll(prog, inputsOrStdin(o.operands));
  if (data == null) return 1;
  const skip = <i32>min(<i64>data.len, parseIntOr(o.value("s", "0"), 0));
  const end = o.has("n") ? <i32>min(<i64>data.len, skip + parseIntOr(o.value("n", "0"), 0)) : data.len;
  const canonicalForm = o.has("C") || prog == "hd";
  // -x -d -o -c -b: util-linux's formats, one line each per 16 bytes, in the order given.
  const formats = new Array<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("-") || a.startsWith("-n") || a.startsWith("-s")) continue;
    for (let j = 1; j < a.length; j++) if ("xdocb".indexOf(a.charAt(j)) >= 0) formats.push(a.charAt(j));
  }
  let prev = -1;
  let starred = false;
  for (let off = skip; off < end; off += 16) {
    const n = min(16, end - off);
    if (!o.has("v") && prev >= 0 && n == 16 && memory.compare(data.ptr + prev, data.ptr + off, 16) == 0) {
      if (!starred) { stdout.line("*"); starred = true; }
      continue;
    }
    starred = false;
    prev = off;
    if (canonicalForm) {
      let line = padLeft(off.toString(16), 8, "0") + " ";
      for (let i = 0; i < 16; i++) {
        if (i == 8) line += " ";
        line += i < n ? " " + hex2(load<u8>(data.ptr + off + i), false) : "   ";
      }
      line += "  |";
      for (let i = 0; i < n; i++) { const b = <i32>load<u8>(data.ptr + off + i); line += b >= 32 && b < 127 ? String.fromCharCode(b) : "."; }
      stdout.line(line + "|");
    }
    for (let f = 0; f < formats.length; f++) stdout.line(hexdumpLine(data, off, n, formats[f]));
    if (!canonicalForm && formats.length == 0) {
      let line = padLeft(off.toString(16), 7, "0");
      for (let i = 0; i < n; i += 2) {
        const lo = <i32>load<u8>(data.ptr + off + i);
        const hi = i + 1 < n ? <i32>load<u8>(data.ptr + off + i + 1) : 0;
        line += " " + hex2(hi, false) + hex2(lo, false);
      }
      for (let i = (n + 1) / 2; i < 8; i++) line += "     ";
      stdout.line(line);
    }
  }
  if (end > skip) stdout.line(padLeft(end.toString(16), canonicalForm ? 8 : 7, "0"));
  return 0;
}

/** One line of hexdump -x (two-byte hex), -d (unsigned decimal), -o (octal), -c (characters) or -b (octal bytes); a short one padded to full width. */
function hexdumpLine(data: ByteBuf, off: i32, n: i32, format: string): string {
  const wide = format == "x" || format == "d" || format == "o";
  const unit = wide ? 2 : 1;
  const width = wide ? 8 : 4;
  let line = padLeft(off.toString(16), 7, "0");
  for (let i = 0; i < 16; i += unit) {
    if (i >= n) { line += " ".repeat(width); continue; }
    const lo = <i32>load<u8>(data.ptr + off + i);
    const v = wide ? lo | ((i + 1 < n ? <i32>load<u8>(data.ptr + off + i + 1) : 0) << 8) : lo;
    let text: string;
    if (format == "x") text = padLeft(v.toString(16), 4, "0");
    else if (format == "d") text = padLeft(v.toString(), 5, "0");
    else if (format == "o") text = padLeft(v.toString(8), 6, "0");
    else if (format == "b") text = padLeft(v.toString(8), 3, "0");
    else {
      const escapes = [0, 7, 8, 12, 10, 13, 9, 11];
      const names = ["\\0", "\\a", "\\b", "\\f", "\\n", "\\r", "\\t", "\\v"];
      const at = escapes.indexOf(v);
      text = at >= 0 ? names[at] : v >= 32 && v < 127 ? String.fromCharCode(v) : padLeft(v.toString(8), 3, "0");
    }
    line += padLeft(text, width);
  }
  return line;
}

function ddNumber(s: string): i64 {
  // N, NkB NK NM NG, Nw (2) Nb (512), NxM products.
  const x = s.indexOf("x");
  if (x > 0) { const a = ddNumber(s.substring(0, x)); const b = ddNumber(s.substring(x + 1)); return a < 0 || b < 0 ? -1 : a * b; }
  let t = s; let mult: i64 = 1;
  if (t.endsWith("kB")) { mult = 1000; t = t.substring(0, t.length - 2); }
  else if (t.endsWith("MB")) { mult = 1000000; t = t.substring(0, t.length - 2); }
  else if (t.endsWith("GB")) { mult = 1000000000; t = t.substring(0, t.length - 2); }
  else if (t.endsWith("K") || t.endsWith("k")) { mult = 1024; t = t.substring(0, t.length - 1); }
  else if (t.endsWith("M")) { mult = 1048576; t = t.substring(0, t.length - 1); }
  else if (t.endsWith("G")) { mult = 1073741824; t = t.substring(0, t.length - 1); }
  else if (t.endsWith("w")) { mult = 2; t = t.substring(0, t.length - 1); }
  else if (t.endsWith("b")) { mult = 512; t = t.substring(0, t.length - 1); }
  const v = parseIntOr(t, -1);
  return v < 0 ? -1 : v * mult;
}

/** dd [if=F] [of=F] [bs=N] [ibs=N] [obs=N] [count=N] [skip=N] [seek=N] [conv=notrunc,ucase,lcase,sync,fsync] [status=none|noxfer] */
export function ddMain(args: string[]): i32 {
  let input = "-"; let output = "-";
  let ibs: i64 = 512; let obs: i64 = 512;
  let count: i64 = -1; let skip: i64 = 0; let seekBlocks: i64 = 0;
  let notrunc = false; let ucase = false; let lcase = false; let sync = false; let fsync = false;
  let swab = false; let block = false; let unblock = false; let excl = false; let nocreat = false;
  let cbs: i64 = 0;
  let skipBytes = false; let countBytes = false; let seekBytes = false; let fullblock = false; let append = false;
  let status = "";
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf("=");
    const key = eq < 0 ? a : a.substring(0, eq); const val = eq < 0 ? "" : a.substring(eq + 1);
    const known = ["if", "of", "conv", "status", "iflag", "oflag", "bs", "ibs", "obs", "cbs", "count", "skip", "seek", "iseek", "oseek"];
    if (eq < 0 || !known.includes(key)) { warn("dd", "unrecognized operand '" + a + "'"); stderr.line("Try 'dd --help' for more information.").flush(); return 1; }
    if (key == "if") input = val;
    else if (key == "of") output = val;
    else if (key == "conv") {
      const convs = val.split(",");
      for (let c = 0; c < convs.length; c++) {
        const cv = convs[c];
        if (cv == "notrunc") notrunc = true; else if (cv == "ucase") ucase = true; else if (cv == "lcase") lcase = true;
        else if (cv == "sync") sync = true; else if (cv == "fsync" || cv == "fdatasync") fsync = true;
        else if (cv == "swab") swab = true; else if (cv == "block") block = true; else if (cv == "unblock") unblock = true;
        else if (cv == "excl") excl = true; else if (cv == "nocreat") nocreat = true;
        else if (cv == "noerror" || cv == "sparse") {} else { warn("dd", "invalid conversion: '" + cv + "'"); stderr.line("Try 'dd --help' for more information.").flush(); return 1; }
      }
    } else if (key == "status") {
      if (val != "none" && val != "noxfer" && val != "progress") { warn("dd", "invalid status level: '" + val + "'"); stderr.line("Try 'dd --help' for more information.").flush(); return 1; }
      status = val;
    }
    else if (key == "iflag" || key == "oflag") {
      const flags = val.split(",");
      for (let f = 0; f < flags.length; f++) {
        const fl = flags[f];
        if (key == "iflag" && fl == "skip_bytes") skipBytes = true;
        else if (key == "iflag" && fl == "count_bytes") countBytes = true;
        else if (key == "iflag" && fl == "fullblock") fullblock = true;
        else if (key == "oflag" && fl == "seek_bytes") seekBytes = true;
        else if (key == "oflag" && fl == "append") append = true;
        else if (fl == "direct" || fl == "dsync" || fl == "sync" || fl == "nonblock" || fl == "noatime" || fl == "nocache" || fl == "noctty" || fl == "nofollow" || fl == "binary" || fl == "text") {}
        else { warn("dd", "invalid input flag: '" + fl + "'"); stderr.line("Try 'dd --help' for more information.").flush(); return 1; }
      }
    }
    else {
      const n = ddNumber(val);
      if (n < 0) { warn("dd", "invalid number: '" + val + "'"); return 1; }
      if (key == "bs") { ibs = n; obs = n; } else if (key == "ibs") ibs = n; else if (key == "obs") obs = n; else if (key == "cbs") cbs = n;
      else if (key == "count") count = n; else if (key == "skip" || key == "iseek") skip = n; else if (key == "seek" || key == "oseek") seekBlocks = n;
    }
  }
  if (ucase && lcase) { warn("dd", "cannot combine lcase and ucase"); return 1; }
  if (block && unblock) { warn("dd", "cannot combine block and unblock"); return 1; }
  if (excl && nocreat) { warn("dd", "cannot combine excl and nocreat"); return 1; }
  if ((block || unblock) && cbs <= 0) cbs = 0;
  if (ibs <= 0 || obs <= 0) return usage("dd", "invalid number: '0'");
  const inFd = input == "-" ? 0 : fs.open(input);
  if (inFd < 0) { warn("dd", "failed to open '" + input + "': " + strerror(fs.lastError)); return 1; }
  let outFd = 1;
  if (output != "-") {
    const createFlags: u16 = nocreat ? 0 : excl ? wasi.O_CREAT | wasi.O_EXCL : wasi.O_CREAT;
    const truncFlag: u16 = notrunc || seekBlocks > 0 || append ? 0 : wasi.O_TRUNC;
    outFd = fs.open(output, createFlags | truncFlag, append ? wasi.FDFLAG_APPEND : 0, true);
    if (outFd < 0) { warn("dd", "failed to open '" + output + "': " + strerror(fs.lastError)); return 1; }
    const seekAt = seekBytes ? seekBlocks : seekBlocks * obs;
    if (seekAt > 0) {
      if (fs.seek(outFd, seekAt, 0) < 0) { warn("dd", "'" + output + "': cannot seek: " + strerror(fs.lastError)); return 1; }
      if (!notrunc) wasi.fd_filestat_set_size(<u32>outFd, <u64>seekAt);
    }
  }
  const buf = heap.alloc(<usize>ibs);
  if (skip > 0) {
    const skipAt = skipBytes ? skip : skip * ibs;
    if (inFd == 0 || fs.seek(inFd, skipAt, 0) < 0) {
      // Not seekable: read and discard.
      let left = skipAt;
      while (left > 0) { const n = readSome(inFd, buf, <i32>min<i64>(ibs, left)); if (n <= 0) break; left -= n; }
    }
  }
  // count_bytes: count is a byte budget rather than a number of blocks.
  let byteBudget: i64 = countBytes && count >= 0 ? count : -1;
  if (countBytes) count = -1;
  let fullIn: i64 = 0; let partIn: i64 = 0; let fullOut: i64 = 0; let partOut: i64 = 0; let bytes: i64 = 0;
  const pending = new ByteBuf(<i32>max(obs, BLOCK));
  const carry = new ByteBuf(BLOCK);
  const started = proc.monotonicNs();
  let result = 0;
  while (count < 0 || fullIn + partIn < count) {
    let got = 0;
    // One read per input block, as dd does (a short read is a partial block).
    const want = byteBudget >= 0 ? <i32>min<i64>(ibs, byteBudget) : <i32>ibs;
    if (want == 0) break;
    let n = readSome(inFd, buf, want);
    if (n < 0) { warn("dd", "error reading '" + input + "': " + strerror(-n)); result = 1; break; }
    if (n == 0) break;
    // fullblock: reads until the block is full (or the input ends).
    while (fullblock && n < want) { const more = readSome(inFd, buf + n, want - n); if (more <= 0) break; n += more; }
    got = n;
    if (byteBudget >= 0) byteBudget -= got;
    if (got == ibs) fullIn++; else partIn++;
    if (sync && got < ibs) { memory.fill(buf + got, 0, <usize>(ibs - got)); got = <i32>ibs; }
    if (swab) for (let i = 0; i + 1 < got; i += 2) { const t = load<u8>(buf + i); store<u8>(buf + i, load<u8>(buf + i + 1)); store<u8>(buf + i + 1, t); }
    if (ucase || lcase) for (let i = 0; i < got; i++) {
      const c = load<u8>(buf + i);
      if (ucase && c >= 97 && c <= 122) store<u8>(buf + i, c - 32);
      if (lcase && c >= 65 && c <= 90) store<u8>(buf + i, c + 32);
    }
    if (block && cbs > 0) {
      // block: each newline-ended record padded with spaces (or cut) to cbs bytes, without its newline.
      let start = 0;
      for (let i = 0; i <= got; i++) {
        if (i == got && carry.len == 0 && start == got) break;
        if (i < got && load<u8>(buf + i) != 10) continue;
        carry.append(buf + start, i - start);
        if (i == got) break;
        const len = min<i64>(<i64>carry.len, cbs);
        pending.append(carry.ptr, <i32>len);
        for (let k: i64 = len; k < cbs; k++) pending.appendByte(32);
        carry.clear();
        start = i + 1;
      }
    } else if (unblock && cbs > 0) {
      // unblock: each cbs-byte record loses its trailing spaces and gains a newline.
      carry.append(buf, got);
      let at = 0;
      while (<i64>(carry.len - at) >= cbs) {
        let end = at + <i32>cbs;
        while (end > at && load<u8>(carry.ptr + end - 1) == 32) end--;
        pending.append(carry.ptr + at, end - at); pending.appendByte(10);
        at += <i32>cbs;
      }
      memory.copy(carry.ptr, carry.ptr + at, carry.len - at); carry.len -= at;
    } else pending.append(buf, got);
    while (<i64>pending.len >= obs) {
      const err = writeAll(outFd, pending.ptr, <usize>obs);
      if (err != 0) { warn("dd", "error writing '" + output + "': " + strerror(err)); result = 1; break; }
      fullOut++; bytes += obs;
      memory.copy(pending.ptr, pending.ptr + <usize>obs, pending.len - <i32>obs);
      pending.len -= <i32>obs;
    }
    if (result != 0) break;
  }
  if (block && cbs > 0 && carry.len > 0) { const len = min<i64>(<i64>carry.len, cbs); pending.append(carry.ptr, <i32>len); for (let k: i64 = len; k < cbs; k++) pending.appendByte(32); }
  if (unblock && cbs > 0 && carry.len > 0) { let end = carry.len; while (end > 0 && load<u8>(carry.ptr + end - 1) == 32) end--; pending.append(carry.ptr, end); pending.appendByte(10); }
  if (pending.len > 0 && result == 0) {
    writeAll(outFd, pending.ptr, pending.len);
    partOut++; bytes += pending.len;
  }
  if (fsync && outFd > 2) wasi.fd_sync(<u32>outFd);
  if (inFd > 2) fs.close(inFd);
  if (outFd > 2) fs.close(outFd);
  heap.free(buf);
  if (status != "none") {
    stderr.str(fullIn.toString()).byte(43).str(partIn.toString()).line(" records in");
    stderr.str(fullOut.toString()).byte(43).str(partOut.toString()).line(" records out");
    if (status != "noxfer") {
      const secs = <f64>(proc.monotonicNs() - started) / 1e9;
      stderr.str(bytes.toString()).str(bytes == 1 ? " byte" : " bytes").str(" copied, ").str(secs.toString()).line(" s");
    }
    stderr.flush();
  }
  return result;
}

// ---------- expr ----------

class Expr {
  pos: i32 = 0;
  error: string = "";
  constructor(public args: string[]) {}
  peek(): string { return this.pos < this.args.length ? this.args[this.pos] : ""; }
  more(): bool { return this.pos < this.args.length; }

  or(): string {
    let left = this.and();
    while (this.more() && this.peek() == "|") {
      this.pos++;
      const right = this.and();
      if (this.error != "") return "0";
      left = !isNull(left) ? left : !isNull(right) ? right : "0";
    }
    return left;
  }
  and(): string {
    let left = this.compare();
    while (this.more() && this.peek() == "&") {
      this.pos++;
      const right = this.compare();
      if (this.error != "") return "0";
      left = !isNull(left) && !isNull(right) ? left : "0";
    }
    return left;
  }
  compare(): string {
    let left = this.add();
    while (this.more()) {
      const op = this.peek();
      if (op != "=" && op != "==" && op != "!=" && op != "<" && op != "<=" && op != ">" && op != ">=") break;
      this.pos++;
      const right = this.add();
      if (this.error != "") return "0";
      let c: i32;
      if (isNumber(left) && isNumber(right)) c = num.compare(bigOf(left), bigOf(right));
      else c = fs.compareStrings(left, right);
      const r = op == "=" || op == "==" ? c == 0 : op == "!=" ? c != 0 : op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0;
      left = r ? "1" : "0";
    }
    return left;
  }
  add(): string {
    let left = this.mul();
    while (this.more() && (this.peek() == "+" || this.peek() == "-")) {
      const op = this.args[this.pos++];
      const right = this.mul();
      if (this.error != "") return "0";
      if (!isNumber(left) || !isNumber(right)) { this.error = "non-integer argument"; return "0"; }
      // Integers of any size, as GNU expr with GMP computes them.
      const a = bigOf(left); const b = bigOf(right);
      left = num.format(op == "+" ? num.add(a, b) : num.sub(a, b), 10);
    }
    return left;
  }
  mul(): string {
    let left = this.match();
    while (this.more() && (this.peek() == "*" || this.peek() == "/" || this.peek() == "%")) {
      const op = this.args[this.pos++];
      const right = this.match();
      if (this.error != "") return "0";
      if (!isNumber(left) || !isNumber(right)) { this.error = "non-integer argument"; return "0"; }
      const a = bigOf(left); const b = bigOf(right);
      if (op != "*" && b.isZero()) { this.error = "division by zero"; return "0"; }
      const r = op == "*" ? num.mulFull(a, b) : op == "/" ? num.div(a, b, 0) : num.mod(a, b, 0);
      left = num.format(r!, 10);
    }
    return left;
  }
  match(): string {
    let left = this.primary();
    while (this.more() && this.peek() == ":") {
      this.pos++;
      left = this.regexMatch(left, this.primary());
    }
    return left;
  }
  regexMatch(s: string, pattern: string): string {
    const re = compileExpr(pattern);
    if (re == null) { this.error = "invalid regular expression"; return ""; }
    const bytes = String.UTF8.encode(s);
    if (!re.exec(changetype<usize>(bytes), bytes.byteLength) || re.caps[0] != 0) return re.ngroups > 0 ? "" : "0";
    if (re.ngroups > 0) {
      const gs = re.caps[2]; const ge = re.caps[3];
      return gs < 0 ? "" : String.UTF8.decodeUnsafe(changetype<usize>(bytes) + gs, ge - gs);
    }
    return String.UTF8.decodeUnsafe(changetype<usize>(bytes), re.caps[1]).length.toString();
  }
  primary(): string {
    if (!this.more()) { this.error = "syntax error: missing argument after '" + (this.pos > 0 ? this.args[this.pos - 1] : "") + "'"; return ""; }
    const t = this.args[this.pos++];
    if (t == "(") {
      const v = this.or();
      if (this.error != "") return "";
      if (this.peek() != ")") { this.error = "syntax error: expecting ')'" + (this.pos > 0 ? " after '" + this.args[this.pos - 1] + "'" : ""); return ""; }
      this.pos++;
      return v;
    }
    if (t == "length" && this.more()) return this.primary().length.toString();
    if (t == "substr" && this.pos + 2 < this.args.length + 0) {
      const s = this.primary(); const p = parseIntOr(this.primary(), 0); const n = parseIntOr(this.primary(), 0);
      if (p < 1 || n < 1 || p > s.length) return "";
      return s.substring(<i32>p - 1, <i32>min(<i64>s.length, p - 1 + n));
    }
    if (t == "index" && this.pos + 1 < this.args.length) {
      const s = this.primary(); const chars = this.primary();
      for (let i = 0; i < s.length; i++) if (chars.indexOf(s.charAt(i)) >= 0) return (i + 1).toString();
      return "0";
    }
    if (t == "match" && this.pos + 1 < this.args.length) { const s = this.primary(); return this.regexMatch(s, this.primary()); }
    if (t == "+" && this.more()) return this.args[this.pos++];
    return t;
  }
}

function compileExpr(pattern: string): Regex | null {
  return compile("^" + pattern, false, false);
}

function isNull(s: string): bool { return s == "" || (isNumber(s) && bigOf(s).isZero()); }

/** A decimal integer as an arbitrary-precision number. */
function bigOf(s: string): num.Num {
  const neg = s.startsWith("-");
  const digits = new Array<u8>();
  for (let i = s.length - 1; i >= (neg ? 1 : 0); i--) digits.push(<u8>(s.charCodeAt(i) - 48));
  return new num.Num(digits, 0, neg);
}

function isNumber(s: string): bool {
  if (s.length == 0) return false;
  let i = s.charCodeAt(0) == 45 ? 1 : 0;
  if (i >= s.length) return false;
  for (; i < s.length; i++) { const c = s.charCodeAt(i); if (c < 48 || c > 57) return false; }
  return true;
}

/** expr EXPRESSION: prints its value; status 0 if it is neither null nor 0, 1 if it is, 2 if invalid. */
export function exprMain(args: string[]): i32 {
  const first = args.length > 0 && args[0] == "--" ? 1 : 0;
  const e = new Expr(args.slice(first));
  if (e.args.length == 0) { warn("expr", "missing operand"); stderr.line("Try 'expr --help' for more information.").flush(); return 2; }
  const v = e.or();
  if (e.error == "" && e.more()) e.error = "syntax error: unexpected argument '" + e.peek() + "'";
  if (e.error != "") { warn("expr", e.error); return 2; }
  stdout.line(v);
  return isNull(v) ? 1 : 0;
}

// ---------- files and processes ----------

/** mktemp [-d] [-u] [-q] [-p DIR] [-t] [TEMPLATE] */
export function mktempMain(args: string[]): i32 {
  const plain = new Array<string>();
  let tmpdir = "";
  let suffix = "";
  let hasSuffix = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] == "--directory") plain.push("-d");
    else if (args[i] == "--dry-run") plain.push("-u");
    else if (args[i] == "--quiet") plain.push("-q");
    else if (args[i].startsWith("--tmpdir")) { tmpdir = args[i].indexOf("=") > 0 ? args[i].substring(args[i].indexOf("=") + 1) : "/tmp"; if (tmpdir == "") tmpdir = "/tmp"; }
    else if (args[i].startsWith("--suffix=")) { suffix = args[i].substring(9); hasSuffix = true; }
    else if (args[i] == "--suffix" && i + 1 < args.length) { suffix = args[++i]; hasSuffix = true; }
    else if (args[i].startsWith("--") && args[i].length > 2) { warn("mktemp", "unrecognized option '" + args[i] + "'"); stderr.line("Try 'mktemp --help' for more information.").flush(); return 1; }
    else plain.push(args[i]);
  }
  const o = getopt(plain, "duqp:t");
  if (o.error != "") { warn("mktemp", o.error); stderr.line("Try 'mktemp --help' for more information.").flush(); return 1; }
  if (o.operands.length > 1) { warn("mktemp", "too many templates"); stderr.line("Try 'mktemp --help' for more information.").flush(); return 1; }
  let template = o.operands.length > 0 ? o.operands[0] : "tmp.XXXXXXXXXX";
  // --suffix, or what follows the last X of the template when it is not the end, stays after the random part.
  if (hasSuffix && suffix.indexOf("/") >= 0) { warn("mktemp", "invalid suffix '" + suffix + "', contains directory separator"); return 1; }
  if (!hasSuffix) {
    const lastX = template.lastIndexOf("X");
    if (lastX >= 0 && lastX < template.length - 1) { suffix = template.substring(lastX + 1); template = template.substring(0, lastX + 1); }
  } else if (!template.endsWith("X")) { warn("mktemp", "with --suffix, template '" + template + suffix + "' must end in X"); return 1; }
  let xs = 0;
  while (xs < template.length && template.charAt(template.length - 1 - xs) == "X") xs++;
  if (xs < 3) { warn("mktemp", "too few X's in template '" + template + suffix + "'"); return 1; }
  if (o.has("p")) tmpdir = o.value("p", "");
  let dir = "";
  if (tmpdir != "" || o.has("t") || o.operands.length == 0) {
    if (tmpdir == "") { const t = getenv("TMPDIR"); tmpdir = t != null && t != "" ? t : "/tmp"; }
    dir = tmpdir;
  }
  if (template.indexOf("/") >= 0 && dir != "" && o.operands.length > 0) { warn("mktemp", "invalid template, '" + template + "', contains directory separator"); return 1; }
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let state = <u64>proc.nowNs() ^ (<u64>proc.getpid() << 32) ^ 0x9e3779b97f4a7c15;
  for (let attempt = 0; attempt < 100; attempt++) {
    let name = template.substring(0, template.length - xs);
    for (let i = 0; i < xs; i++) { state ^= state << 13; state ^= state >> 7; state ^= state << 17; name += chars.charAt(<i32>(state % 62)); }
    name += suffix;
    const path = dir != "" ? (dir.endsWith("/") ? dir + name : dir + "/" + name) : name;
    if (o.has("u")) { if (fs.exists(path)) continue; stdout.line(path); return 0; }
    if (o.has("d")) {
      const err = fs.mkdir(path);
      if (err == EEXIST) continue;
      if (err != 0) { if (!o.has("q")) warn("mktemp", "failed to create directory via template '" + templatePath(dir, template, xs, suffix) + "': " + strerror(err)); return 1; }
    } else {
      const fd = fs.open(path, wasi.O_CREAT | wasi.O_EXCL, 0, true);
      if (fd < 0) {
        if (fs.lastError == EEXIST) continue;
        if (!o.has("q")) warn("mktemp", "failed to create file via template '" + templatePath(dir, template, xs, suffix) + "': " + strerror(fs.lastError));
        return 1;
      }
      fs.close(fd);
    }
    stdout.line(path);
    return 0;
  }
  warn("mktemp", "failed to create a unique name from template '" + template + "'");
  return 1;
}

/** The template as GNU mktemp names it in an error: its directory, the X's and the suffix. */
function templatePath(dir: string, template: string, xs: i32, suffix: string): string {
  const name = template + suffix;
  return dir != "" ? (dir.endsWith("/") ? dir + name : dir + "/" + name) : name;
}

/** realpath [-e | -m] [-s] [-q] [-z] [--relative-to=DIR] [--relative-base=DIR] FILE... */
export function realpathMain(args: string[]): i32 {
  const plain = new Array<string>();
  let relativeTo = "";
  let relativeBase = "";
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith("--relative-to=")) relativeTo = args[i].substring(14);
    else if (args[i].startsWith("--relative-base=")) relativeBase = args[i].substring(16);
    else if (args[i] == "--canonicalize-existing") plain.push("-e");
    else if (args[i] == "--canonicalize-missing") plain.push("-m");
    else if (args[i] == "--no-symlinks" || args[i] == "--strip") plain.push("-s");
    else if (args[i] == "--quiet") plain.push("-q");
    else if (args[i] == "--zero") plain.push("-z");
    else if (args[i] == "--logical" || args[i] == "-L") plain.push("-s");
    else if (args[i] == "--physical" || args[i] == "-P") continue;
    else if (args[i].startsWith("--") && args[i].length > 2) { warn("realpath", "unrecognized option '" + args[i] + "'"); stderr.line("Try 'realpath --help' for more information.").flush(); return 1; }
    else plain.push(args[i]);
  }
  const o = getopt(plain, "emsqz");
  if (o.error != "") { warn("realpath", o.error); stderr.line("Try 'realpath --help' for more information.").flush(); return 1; }
  if (o.operands.length == 0) { warn("realpath", "missing operand"); stderr.line("Try 'realpath --help' for more information.").flush(); return 1; }
  const end = o.has("z") ? 0 : 10;
  let toDir = relativeTo != "" ? resolvedDir(relativeTo, o.has("s")) : "";
  const baseDir = relativeBase != "" ? resolvedDir(relativeBase, o.has("s")) : "";
  // With both, --relative-to applies only when it lies under --relative-base.
  if (toDir != "" && baseDir != "" && !isUnder(toDir, baseDir)) toDir = "";
  let status = 0;
  for (let i = 0; i < o.operands.length; i++) {
    const path = o.operands[i];
    const resolved = o.has("s") ? fs.absolute(path) : canonical(path, 0);
    if (resolved == null) { if (!o.has("q")) warn("realpath", path + ": Too many levels of symbolic links"); status = 1; continue; }
    if (!o.has("m")) {
      const parent = resolved.substring(0, max(1, resolved.lastIndexOf("/")));
      const must = o.has("e") ? resolved : parent;
      if (fs.stat(must) == null && !(resolved == "/")) { if (!o.has("q")) report("realpath", path, fs.lastError); status = 1; continue; }
    }
    let shown = resolved;
    if (baseDir != "") { if (isUnder(resolved, baseDir)) shown = relativePath(resolved, toDir != "" ? toDir : baseDir); }
    else if (toDir != "") shown = relativePath(resolved, toDir);
    stdout.str(shown).byte(end);
  }
  return status;
}

/** A --relative-to or --relative-base directory made absolute (and canonical unless noSymlinks). */
function resolvedDir(dir: string, noSymlinks: bool): string {
  if (!noSymlinks) { const c = canonical(dir, 0); if (c != null) return c; }
  return fs.absolute(dir);
}

/** Whether path is dir or inside it (both absolute and canonical). */
function isUnder(path: string, dir: string): bool {
  return dir == "/" || path == dir || path.startsWith(dir + "/");
}

function relativePath(target: string, base: string): string {
  const t: string[] = target == "/" ? new Array<string>() : target.substring(1).split("/");
  const b: string[] = base == "/" ? new Array<string>() : base.substring(1).split("/");
  let common = 0;
  while (common < t.length && common < b.length && t[common] == b[common]) common++;
  const parts = new Array<string>();
  for (let i = common; i < b.length; i++) parts.push("..");
  for (let i = common; i < t.length; i++) parts.push(t[i]);
  return parts.length == 0 ? "." : parts.join("/");
}

/** Parses 1.5, 2s, 3m, 1h, 1d as seconds; -1 if invalid. */
function duration(s: string): f64 {
  let t = s; let mult: f64 = 1;
  if (t.endsWith("s")) t = t.substring(0, t.length - 1);
  else if (t.endsWith("m")) { mult = 60; t = t.substring(0, t.length - 1); }
  else if (t.endsWith("h")) { mult = 3600; t = t.substring(0, t.length - 1); }
  else if (t.endsWith("d")) { mult = 86400; t = t.substring(0, t.length - 1); }
  if (t.length == 0) return -1;
  for (let i = 0; i < t.length; i++) { const c = t.charCodeAt(i); if ((c < 48 || c > 57) && c != 46) return -1; }
  const v = parseFloat(t);
  return isNaN(v) ? -1 : v * mult;
}

const SIGNALS = ["", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"];

function signalNumber(name: string): i32 {
  const n = parseIntOr(name, -1);
  if (n >= 0) return <i32>n;
  const u = name.toUpperCase();
  return SIGNALS.indexOf(u.startsWith("SIG") ? u.substring(3) : u);
}

/** A signal's name without SIG ("TERM"), or its number. */
function signalName(sig: i32): string {
  return sig > 0 && sig < SIGNALS.length && SIGNALS[sig] != "" ? SIGNALS[sig] : sig.toString();
}

/** timeout's usage error: the message and GNU's "Try" line, status 125. */
function timeoutUsage(message: string): i32 {
  warn("timeout", message);
  stderr.line("Try 'timeout --help' for more information.").flush();
  return 125;
}

/** Starts argv[0] from PATH; the pid, or an exit status (126/127) as a negative number. */
function startCommand(prog: string, argv: string[], flags: u32 = 0): i32 {
  const path = which(argv[0]);
  if (path == "") { warn(prog, "failed to run command '" + argv[0] + "': No such file or directory"); return -127; }
  stdout.flush();
  const pid = proc.spawn(path, argv, null, fs.getcwd(), [], flags);
  if (pid < 0) { warn(prog, "failed to run command '" + argv[0] + "': " + strerror(-pid)); return -126; }
  return pid;
}

function waitStatus(pid: i32): i32 {
  let err = proc.wait(pid);
  while (err == EINTR) err = proc.wait(pid);
  return proc.exitStatus(proc.waitedStatus);
}

/** timeout [-s SIG] [-k DURATION] [--preserve-status] DURATION COMMAND [ARG]... */
export function timeoutMain(args: string[]): i32 {
  let i = 0; let sig = k.SIGTERM; let killAfter: f64 = -1; let preserve = false; let foreground = false; let verbose = false;
  for (; i < args.length; i++) {
    const a = args[i];
    let sigText = ""; let killText = "";
    if (a == "-s" || a == "--signal") { if (i + 1 >= args.length) return timeoutUsage("option requires an argument -- 's'"); sigText = args[++i]; }
    else if (a.startsWith("--signal=")) sigText = a.substring(9);
    else if (a.startsWith("-s") && !a.startsWith("--")) sigText = a.substring(2);
    else if (a == "-k" || a == "--kill-after") { if (i + 1 >= args.length) return timeoutUsage("option requires an argument -- 'k'"); killText = args[++i]; }
    else if (a.startsWith("--kill-after=")) killText = a.substring(13);
    else if (a.startsWith("-k") && !a.startsWith("--")) killText = a.substring(2);
    else if (a == "--preserve-status" || a == "-p") { preserve = true; continue; }
    else if (a == "--foreground" || a == "-f") { foreground = true; continue; }
    else if (a == "-v" || a == "--verbose") { verbose = true; continue; }
    else if (a == "--") { i++; break; }
    else if (a.startsWith("-") && a.length > 1 && !(a.charCodeAt(1) >= 48 && a.charCodeAt(1) <= 57)) return timeoutUsage(a.startsWith("--") ? "unrecognized option '" + a + "'" : "invalid option -- '" + a.charAt(1) + "'");
    else break;
    if (sigText != "") { sig = signalNumber(sigText); if (sig < 0) { warn("timeout", "'" + sigText + "': invalid signal"); stderr.line("Try 'timeout --help' for more information.").flush(); return 125; } }
    if (killText != "") { killAfter = duration(killText); if (killAfter < 0) return timeoutUsage("invalid time interval '" + killText + "'"); }
  }
  // GNU's timeout says no more than its "Try" line when the duration or the command is missing.
  if (i + 1 >= args.length) { stderr.line("Try 'timeout --help' for more information.").flush(); return 125; }
  const limit = duration(args[i]);
  if (limit < 0) return timeoutUsage("invalid time interval '" + args[i] + "'");
  const pid = startCommand("timeout", args.slice(i + 1), foreground ? 0 : k.SPAWN_NEW_PGROUP);
  if (pid < 0) return -pid;
  const target = foreground ? pid : -pid;
  const start = proc.monotonicNs();
  let timedOut = false;
  let killed = false;
  for (;;) {
    const err = proc.wait(pid, k.WAIT_NOHANG);
    if (err == 0 && proc.waitedPid == pid) break;
    if (err != 0 && err != EINTR) return 125;
    const elapsed = <f64>(proc.monotonicNs() - start) / 1e9;
    if (limit > 0 && !timedOut && elapsed >= limit) {
      timedOut = true;
      if (verbose) warn("timeout", "sending signal " + signalName(sig) + " to command '" + args[i + 1] + "'");
      proc.kill(target, sig);
      if (sig != k.SIGKILL) proc.kill(target, k.SIGCONT);
    }
    if (timedOut && !killed && killAfter >= 0 && elapsed >= limit + killAfter) {
      killed = true;
      if (verbose) warn("timeout", "sending signal KILL to command '" + args[i + 1] + "'");
      proc.kill(target, k.SIGKILL);
    }
    proc.sleepNs(limit > 0 && limit < 1 ? 2000000 : 10000000);
  }
  const st = proc.exitStatus(proc.waitedStatus);
  if (timedOut && !preserve) return killed || sig == k.SIGKILL ? 137 : 124;
  return st;
}

/** nohup COMMAND [ARG]...: runs it immune to hangups, output to nohup.out if stdout is a terminal. */
export function nohupMain(args: string[]): i32 {
  if (args.length == 0) return usage("nohup", "missing operand", 125);
  proc.sigaction(k.SIGHUP, k.SIG_IGN);
  const path = which(args[0]);
  if (path == "") { warn("nohup", "failed to run command '" + args[0] + "': No such file or directory"); return 127; }
  const fdmap = new Array<i32>();
  if (fs.fdType(1) == wasi.FILETYPE_CHARACTER_DEVICE) {
    const out = fs.create("nohup.out", true);
    if (out < 0) { report("nohup", "nohup.out", fs.lastError); return 125; }
    warn("nohup", "ignoring input and appending output to 'nohup.out'");
    fdmap.push(0); fdmap.push(0); fdmap.push(1); fdmap.push(out); fdmap.push(2); fdmap.push(fs.fdType(2) == wasi.FILETYPE_CHARACTER_DEVICE ? out : 2);
  }
  stdout.flush();
  const pid = proc.spawn(path, args, null, fs.getcwd(), fdmap);
  if (pid < 0) { warn("nohup", "failed to run command '" + args[0] + "': " + strerror(-pid)); return 126; }
  return waitStatus(pid);
}

/** The lowest nice value of the processes which (PRIO_*) and who name (0: this process), or -1000 - errno. */
function niceOf(which: u32, who: i32, value: i32, set: bool): i32 {
  const ret = memory.data(4);
  const err = k.proc_nice(which, who, value, set ? 1 : 0, ret);
  if (err != 0) return -1000 - err;
  return load<i32>(ret) - 20;
}

/** nice [-n N | -N | --adjustment=N] [COMMAND [ARG]...]: runs COMMAND with its nice value raised by N (10); alone, prints it. */
export function niceMain(args: string[]): i32 {
  let i = 0;
  let adjustment = "10";
  if (i < args.length && args[i] == "-n") { if (i + 1 >= args.length) return usage("nice", "option requires an argument -- 'n'", 125); adjustment = args[i + 1]; i += 2; }
  else if (i < args.length && args[i].startsWith("--adjustment=")) { adjustment = args[i].substring(13); i++; }
  else if (i < args.length && args[i].startsWith("-n")) { adjustment = args[i].substring(2); i++; }
  else if (i < args.length && args[i].startsWith("-") && args[i].length > 1 && parseIntOr(args[i].substring(1), -99999) != -99999) { adjustment = args[i].substring(1); i++; }
  const given = i > 0;
  if (i < args.length && args[i] == "--") i++;
  const by = parseIntOr(adjustment, -99999);
  if (by == -99999) return usage("nice", "invalid adjustment '" + adjustment + "'", 125);
  const now = niceOf(k.PRIO_PROCESS, 0, 0, false);
  if (i >= args.length) {
    if (given) { warn("nice", "a command must be given with an adjustment"); return 125; }
    stdout.line(now.toString());
    return 0;
  }
  const set = niceOf(k.PRIO_PROCESS, 0, <i32>min<i64>(39, max<i64>(-39, <i64>now + by)), true);
  if (set <= -1000) warn("nice", "cannot set niceness: " + strerror(-1000 - set));
  const pid = startCommand("nice", args.slice(i));
  return pid < 0 ? -pid : waitStatus(pid);
}

/** An unsigned decimal id as util-linux's renice takes one (strtol, then >= 0), or -1. */
function reniceId(s: string): i64 {
  const v = parseIntOr(s.trimStart(), -1);
  return v >= 0 && v <= <i64>i32.MAX_VALUE ? v : -1;
}

/** Sets the nice value of the processes which and who name and prints the change, as util-linux's donice(); false on an error. */
function renice(which: u32, who: i32, priority: i32): bool {
  const kind = which == k.PRIO_PGRP ? "process group ID" : which == k.PRIO_USER ? "user ID" : "process ID";
  const old = niceOf(which, who, 0, false);
  if (old <= -1000) { warn("renice", "failed to get priority for " + who.toString() + " (" + kind + "): " + strerror(-1000 - old)); return false; }
  const err = niceOf(which, who, priority, true);
  if (err <= -1000) { warn("renice", "failed to set priority for " + who.toString() + " (" + kind + "): " + strerror(-1000 - err)); return false; }
  const now = niceOf(which, who, 0, false);
  if (now <= -1000) { warn("renice", "failed to get priority for " + who.toString() + " (" + kind + "): " + strerror(-1000 - now)); return false; }
  stdout.str(who.toString()).str(" (").str(kind).str(") old priority ").str(old.toString()).str(", new priority ").line(now.toString());
  return true;
}

/**
 * renice [-n] PRIORITY [[-p] PID...] [-g PGRP...] [-u USER...]: sets the nice value (absolute, as
 * util-linux's renice) of processes, process groups or every process of a user (a name or uid);
 * -p, -g and -u switch the kind of the ids after them.
 */
export function reniceMain(args: string[]): i32 {
  let i = 0;
  if (args.length == 1 && (args[0] == "-h" || args[0] == "--help")) {
    stdout.line("Usage:\n renice [-n] <priority> [-p|--pid] <pid>...\n renice [-n] <priority>  -g|--pgrp <pgid>...\n renice [-n] <priority>  -u|--user <user>...");
    return 0;
  }
  if (i < args.length && (args[i] == "-n" || args[i] == "--priority")) i++;
  if (args.length - i < 2) { warn("renice", "not enough arguments"); stderr.line("Try 'renice --help' for more information.").flush(); return 1; }
  const priority = parseIntOr(args[i].trimStart(), -99999);
  if (priority == -99999) { warn("renice", "invalid priority '" + args[i] + "'"); stderr.line("Try 'renice --help' for more information.").flush(); return 1; }
  const clamped = <i32>min<i64>(39, max<i64>(-40, priority));
  let which: u32 = k.PRIO_PROCESS;
  let users: UserNames | null = null;
  let ok = true;
  for (i++; i < args.length; i++) {
    const a = args[i];
    if (a == "-p" || a == "--pid") { which = k.PRIO_PROCESS; continue; }
    if (a == "-g" || a == "--pgrp") { which = k.PRIO_PGRP; continue; }
    if (a == "-u" || a == "--user") { which = k.PRIO_USER; continue; }
    let who: i64 = -1;
    if (which == k.PRIO_USER) {
      if (users == null) users = new UserNames();
      who = (<UserNames>users).uidOf(a);
      if (who < 0) who = reniceId(a);
      if (who < 0) { warn("renice", "unknown user " + a); ok = false; continue; }
    } else {
      who = reniceId(a);
      if (who < 0) { warn("renice", "bad " + (which == k.PRIO_PGRP ? "process group ID" : "process ID") + " value: " + a); ok = false; continue; }
    }
    if (!renice(which, <i32>who, clamped)) ok = false;
  }
  return ok ? 0 : 1;
}

function clockText(ns: i64): string {
  const ms = ns / 1000000;
  const mins = ms / 60000;
  const secs = (ms % 60000) / 1000;
  let frac = (ms % 1000).toString();
  while (frac.length < 3) frac = "0" + frac;
  return mins.toString() + "m" + secs.toString() + "." + frac + "s";
}

/** time [-p] COMMAND [ARG]...: the command's wall-clock time on stderr (the kernel keeps no per-child CPU times after exit). */
export function timeMain(args: string[]): i32 {
  let i = 0;
  let posix = false;
  if (i < args.length && args[i] == "-p") { posix = true; i++; }
  if (i >= args.length) return 0;
  const start = proc.monotonicNs();
  const before = cpuTimes();
  const pid = startCommand("time", args.slice(i));
  if (pid < 0) return -pid;
  const st = waitStatus(pid);
  const elapsed = proc.monotonicNs() - start;
  const after = cpuTimes();
  // The child's CPU time (and its waited-for children's), as the kernel counts it: all of it user time.
  const times = [elapsed, after[2] - before[2], after[3] - before[3]];
  const names = ["real", "user", "sys"];
  if (!posix) stderr.byte(10);
  for (let k = 0; k < 3; k++) {
    if (posix) {
      const centi = times[k] / 10000000;
      stderr.str(names[k]).byte(32).str((centi / 100).toString()).byte(46).str(padLeft((centi % 100).toString(), 2, "0")).byte(10);
    } else stderr.str(names[k]).byte(9).line(clockText(times[k]));
  }
  stderr.flush();
  return st;
}

/** Fields of the /etc/passwd line of uid, or null. */
function passwdEntry(uid: i32): string[] | null {
  const data = fs.readFile("/etc/passwd");
  if (data == null) return null;
  const lines = String.UTF8.decode(data.buffer).split("\n");
  for (let i = 0; i < lines.length; i++) {
    const f = lines[i].split(":");
    if (f.length >= 4 && parseIntOr(f[2], -1) == uid) return f;
  }
  return null;
}

function passwdByName(name: string): string[] | null {
  const data = fs.readFile("/etc/passwd");
  if (data == null) return null;
  const lines = String.UTF8.decode(data.buffer).split("\n");
  for (let i = 0; i < lines.length; i++) { const f = lines[i].split(":"); if (f.length >= 4 && f[0] == name) return f; }
  return null;
}

/** Group ids and names of a user: the primary group, then every /etc/group listing the user. */
function groupsOf(user: string, gid: i32): string[][] {
  const out = new Array<string[]>();
  const data = fs.readFile("/etc/group");
  const lines = data != null ? String.UTF8.decode(data.buffer).split("\n") : new Array<string>();
  let primary = gid.toString();
  for (let i = 0; i < lines.length; i++) { const f = lines[i].split(":"); if (f.length >= 3 && parseIntOr(f[2], -1) == gid) primary = f[0]; }
  out.push([gid.toString(), primary]);
  for (let i = 0; i < lines.length; i++) {
    const f = lines[i].split(":");
    if (f.length < 4 || parseIntOr(f[2], -1) == gid) continue;
    if (f[3].split(",").includes(user)) out.push([f[2], f[0]]);
  }
  return out;
}


/** id [-u | -g | -G] [-n] [USER] */
export function idMain(args: string[]): i32 {
  const plain = args.slice(0);
  const longError = expandLong(plain, "", ["user=u", "group=g", "groups=G", "name=n", "real=r", "zero=z"]);
  if (longError != "") { warn("id", longError); stderr.line("Try 'id --help' for more information.").flush(); return 1; }
  const o = getopt(plain, "ugGnrz");
  if (o.error != "") { warn("id", o.error); stderr.line("Try 'id --help' for more information.").flush(); return 1; }
  if (o.operands.length > 1) {
    // Several users: each one's line in turn, as GNU's id prints them.
    const options = new Array<string>();
    for (let i = 0; i < plain.length; i++) if (plain[i].startsWith("-") && plain[i].length > 1) options.push(plain[i]);
    let status = 0;
    for (let i = 0; i < o.operands.length; i++) { const one = options.slice(0); one.push(o.operands[i]); if (idMain(one) != 0) status = 1; }
    return status;
  }
  if ((o.has("n") || o.has("r")) && !(o.has("u") || o.has("g") || o.has("G"))) { warn("id", "cannot print only names or real IDs in default format"); return 1; }
  // A user named, or a uid given as a number, as GNU's id takes them.
  let entry = o.operands.length > 0 ? passwdByName(o.operands[0]) : passwdEntry(<i32>currentUid());
  if (entry == null && o.operands.length > 0 && parseIntOr(o.operands[0], -1) >= 0) entry = passwdEntry(<i32>parseIntOr(o.operands[0], -1));
  if (entry == null) { if (o.operands.length > 0) { warn("id", "'" + o.operands[0] + "': no such user"); return 1; } }
  const name = entry != null ? entry[0] : currentUid().toString();
  const uid = entry != null ? <i32>parseIntOr(entry[2], 0) : <i32>currentUid();
  const gid = entry != null && o.operands.length > 0 ? <i32>parseIntOr(entry[3], 0) : <i32>currentGid();
  const groups = groupsOf(name, gid);
  const n = o.has("n");
  if (o.has("u")) { stdout.line(n ? name : uid.toString()); return 0; }
  if (o.has("g")) { stdout.line(n ? groups[0][1] : gid.toString()); return 0; }
  if (o.has("G")) {
    const parts = new Array<string>();
    for (let i = 0; i < groups.length; i++) parts.push(n ? groups[i][1] : groups[i][0]);
    stdout.line(parts.join(" "));
    return 0;
  }
  const list = new Array<string>();
  for (let i = 0; i < groups.length; i++) list.push(groups[i][0] + "(" + groups[i][1] + ")");
  stdout.str("uid=").str(uid.toString()).str("(").str(name).str(") gid=").str(gid.toString()).str("(").str(groups[0][1]).str(") groups=").line(list.join(","));
  return 0;
}

export function whoamiMain(args: string[]): i32 {
  const entry = passwdEntry(<i32>currentUid());
  stdout.line(entry != null ? entry[0] : currentUid().toString());
  return 0;
}

/** groups [USER]... */
export function groupsMain(args: string[]): i32 {
  const users = args.length > 0 ? args : [""];
  let status = 0;
  for (let i = 0; i < users.length; i++) {
    const entry = users[i] == "" ? passwdEntry(<i32>currentUid()) : passwdByName(users[i]);
    if (entry == null) { warn("groups", "'" + users[i] + "': no such user"); status = 1; continue; }
    const groups = groupsOf(entry[0], <i32>parseIntOr(entry[3], 0));
    const names = new Array<string>();
    for (let g = 0; g < groups.length; g++) names.push(groups[g][1]);
    if (users[i] != "") stdout.str(users[i]).str(" : ");
    stdout.line(names.join(" "));
  }
  return status;
}

/** uptime [-p] [-s]: from /proc/uptime and /proc/loadavg. */
export function uptimeMain(args: string[]): i32 {
  const up = fs.readFile("/proc/uptime");
  if (up == null) { report("uptime", "/proc/uptime", fs.lastError); return 1; }
  const secs = <i64>parseFloat(String.UTF8.decode(up.buffer).split(" ")[0]);
  const load = fs.readFile("/proc/loadavg");
  const avg = load != null ? String.UTF8.decode(load.buffer).split(" ") : ["0.00", "0.00", "0.00"];
  const days = secs / 86400; const hours = (secs % 86400) / 3600; const mins = (secs % 3600) / 60;
  if (args.length > 0 && args[0] == "-p") {
    const parts = new Array<string>();
    if (days > 0) parts.push(days.toString() + (days == 1 ? " day" : " days"));
    if (hours > 0) parts.push(hours.toString() + (hours == 1 ? " hour" : " hours"));
    parts.push(mins.toString() + (mins == 1 ? " minute" : " minutes"));
    stdout.str("up ").line(parts.join(", "));
    return 0;
  }
  const now = proc.nowNs() / 1000000000;
  if (args.length > 0 && args[0] == "-s") {
    const boot = now - secs;
    const d = civilTime(boot);
    stdout.line(d);
    return 0;
  }
  const t = ((now % 86400) + 86400) % 86400;
  const clock = padLeft((t / 3600).toString(), 2, "0") + ":" + padLeft(((t % 3600) / 60).toString(), 2, "0") + ":" + padLeft((t % 60).toString(), 2, "0");
  let upText = days > 0 ? days.toString() + (days == 1 ? " day, " : " days, ") : "";
  upText += hours > 0 ? padLeft(hours.toString(), 2) + ":" + padLeft(mins.toString(), 2, "0") : mins.toString() + " min";
  stdout.str(" ").str(clock).str(" up ").str(upText).str(",  1 user,  load average: ").str(avg[0]).str(", ").str(avg[1]).str(", ").line(avg[2].trim());
  return 0;
}

function civilTime(secs: i64): string {
  const t = civil(secs);
  return t[0].toString() + "-" + padLeft(t[1].toString(), 2, "0") + "-" + padLeft(t[2].toString(), 2, "0") + " " + padLeft(t[3].toString(), 2, "0") + ":" + padLeft(t[4].toString(), 2, "0") + ":" + padLeft(t[5].toString(), 2, "0");
}

/** clear: home the cursor and erase the screen and scrollback. */
export function clearMain(args: string[]): i32 {
  stdout.str("\x1b[H\x1b[2J\x1b[3J");
  return 0;
}

/** mount: lists the mounts of this container ("SOURCE on PATH type TYPE (OPTIONS)"). */
export function mountMain(args: string[]): i32 {
  let typeFilter = "";
  for (let i = 0; i < args.length; i++) {
    if (args[i] == "-t" && i + 1 < args.length) { typeFilter = args[++i]; continue; }
    if (args[i] == "-l") continue;
    warn("mount", "only listing mounts is supported here; containers get their mounts from 'wasmbox run -v'");
    return 1;
  }
  const data = fs.readFile("/proc/mounts");
  if (data == null) { report("mount", "/proc/mounts", fs.lastError); return 1; }
  const lines = String.UTF8.decode(data.buffer).split("\n");
  for (let i = 0; i < lines.length; i++) {
    const f = lines[i].split(" ");
    if (f.length < 4) continue;
    if (typeFilter != "" && f[2] != typeFilter) continue;
    stdout.str(f[0]).str(" on ").str(f[1]).str(" type ").str(f[2]).str(" (").str(f[3]).line(")");
  }
  return 0;
}
