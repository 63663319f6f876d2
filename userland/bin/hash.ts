// Checksums and encodings: md5sum, sha1sum, sha256sum (with -c), base64 (-d, -w) and cksum,
// computed over 64 KiB blocks so large inputs stream.

import { stdout, stderr, warn, readSome, Reader, BLOCK, ByteBuf } from "../lib/io";
import { getopt, expandLong, parseIntOr } from "../lib/opts";
import { usage, report, openInput, closeInput, inputsOrStdin } from "../lib/cmd";
import * as fs from "../lib/fs";

const KIND_MD5 = 0;
const KIND_SHA1 = 1;
const KIND_SHA256 = 2;

const SHA256_K: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

const MD5_S: StaticArray<u32> = [
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
  5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];

const MD5_K: StaticArray<u32> = [
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
];

/** A streaming MD5, SHA-1 or SHA-256 over 64-byte blocks. */
export class Digest {
  h: StaticArray<u32> = new StaticArray<u32>(8);
  w: StaticArray<u32> = new StaticArray<u32>(80);
  block: usize = heap.alloc(64);
  fill: i32 = 0;
  total: u64 = 0;

  constructor(public kind: i32) {
    const h = this.h;
    if (kind == KIND_SHA256) {
      h[0] = 0x6a09e667; h[1] = 0xbb67ae85; h[2] = 0x3c6ef372; h[3] = 0xa54ff53a;
      h[4] = 0x510e527f; h[5] = 0x9b05688c; h[6] = 0x1f83d9ab; h[7] = 0x5be0cd19;
    } else {
      h[0] = 0x67452301; h[1] = 0xefcdab89; h[2] = 0x98badcfe; h[3] = 0x10325476; h[4] = 0xc3d2e1f0;
    }
  }

  update(ptr: usize, len: i32): void {
    this.total += <u64>len;
    let i = 0;
    if (this.fill > 0) {
      const take = min(64 - this.fill, len);
      memory.copy(this.block + this.fill, ptr, take);
      this.fill += take; i = take;
      if (this.fill < 64) return;
      this.compress(this.block);
      this.fill = 0;
    }
    for (; i + 64 <= len; i += 64) this.compress(ptr + i);
    if (i < len) { memory.copy(this.block, ptr + i, len - i); this.fill = len - i; }
  }

  /** The digest bytes (the object is spent afterwards). */
  finish(): Uint8Array {
    const bits = this.total * 8;
    const pad = new Uint8Array(72);
    pad[0] = 0x80;
    const padLen = (this.fill < 56 ? 56 - this.fill : 120 - this.fill);
    const lenAt = padLen;
    for (let b = 0; b < 8; b++) {
      const shift = this.kind == KIND_MD5 ? b * 8 : (7 - b) * 8;
      pad[lenAt + b] = <u8>(bits >> (<u64>shift));
    }
    const saved = this.total;
    this.update(pad.dataStart, padLen + 8);
    this.total = saved;
    const words = this.kind == KIND_SHA256 ? 8 : this.kind == KIND_SHA1 ? 5 : 4;
    const out = new Uint8Array(words * 4);
    for (let i = 0; i < words; i++) {
      const v = this.h[i];
      if (this.kind == KIND_MD5) { out[i * 4] = <u8>v; out[i * 4 + 1] = <u8>(v >> 8); out[i * 4 + 2] = <u8>(v >> 16); out[i * 4 + 3] = <u8>(v >> 24); }
      else { out[i * 4] = <u8>(v >> 24); out[i * 4 + 1] = <u8>(v >> 16); out[i * 4 + 2] = <u8>(v >> 8); out[i * 4 + 3] = <u8>v; }
    }
    return out;
  }

  private compress(p: usize): void {
    if (this.kind == KIND_SHA256) this.sha256(p);
    else if (this.kind == KIND_SHA1) this.sha1(p);
    else this.md5(p);
  }

  private sha256(p: usize): void {
    const w = this.w;
    for (let i = 0; i < 16; i++) unchecked(w[i] = bswap<u32>(load<u32>(p + (<usize>i << 2))));
    for (let i = 16; i < 64; i++) {
      const a = unchecked(w[i - 15]); const b = unchecked(w[i - 2]);
      const s0 = rotr<u32>(a, 7) ^ rotr<u32>(a, 18) ^ (a >>> 3);
      const s1 = rotr<u32>(b, 17) ^ rotr<u32>(b, 19) ^ (b >>> 10);
      unchecked(w[i] = unchecked(w[i - 16]) + s0 + unchecked(w[i - 7]) + s1);
    }
    const h = this.h;
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (let i = 0; i < 64; i++) {
      const t1 = hh + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + ((e & f) ^ (~e & g)) + unchecked(SHA256_K[i]) + unchecked(w[i]);
      const t2 = (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  }

  private sha1(p: usize): void {
    const w = this.w;
    for (let i = 0; i < 16; i++) unchecked(w[i] = bswap<u32>(load<u32>(p + (<usize>i << 2))));
    for (let i = 16; i < 80; i++) unchecked(w[i] = rotl<u32>(unchecked(w[i - 3]) ^ unchecked(w[i - 8]) ^ unchecked(w[i - 14]) ^ unchecked(w[i - 16]), 1));
    const h = this.h;
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (let i = 0; i < 80; i++) {
      let f: u32, k: u32;
      if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
      else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
      else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
      else { f = b ^ c ^ d; k = 0xca62c1d6; }
      const t = rotl<u32>(a, 5) + f + e + k + unchecked(w[i]);
      e = d; d = c; c = rotl<u32>(b, 30); b = a; a = t;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
  }

  private md5(p: usize): void {
    const h = this.h;
    let a = h[0], b = h[1], c = h[2], d = h[3];
    for (let i = 0; i < 64; i++) {
      let f: u32, g: i32;
      if (i < 16) { f = (b & c) | (~b & d); g = i; }
      else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
      else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
      else { f = c ^ (b | ~d); g = (7 * i) & 15; }
      const t = d;
      d = c; c = b;
      b = b + rotl<u32>(a + f + unchecked(MD5_K[i]) + load<u32>(p + (<usize>g << 2)), unchecked(MD5_S[i]));
      a = t;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d;
  }
}

const HEX = "0123456789abcdef";

export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX.charAt(bytes[i] >> 4) + HEX.charAt(bytes[i] & 15);
  return s;
}

/** The hex digest of everything readable from fd, or "" after a read error. */
function digestFd(kind: i32, fd: i32): string {
  const d = new Digest(kind);
  const buf = heap.alloc(BLOCK);
  for (;;) {
    const n = readSome(fd, buf, BLOCK);
    if (n < 0) { heap.free(buf); return ""; }
    if (n == 0) break;
    d.update(buf, n);
  }
  heap.free(buf);
  return toHex(d.finish());
}

/** What a checksum tool was asked for. */
class SumOptions {
  quiet: bool = false;
  silent: bool = false;
  strict: bool = false;
  warnLines: bool = false;
  ignoreMissing: bool = false;
}

const SUM_LONG = ["check=c", "binary=b", "text=t", "tag=T", "zero=z", "quiet=q", "status=s", "strict=S", "warn=w", "ignore-missing=i"];

/** md5sum / sha1sum / sha256sum [-c] [-b|-t] [--tag] [--quiet] [--status] [--strict] [--ignore-missing] [FILE]... */
export function sumMain(prog: string, args: string[]): i32 {
  const kind = prog == "md5sum" ? KIND_MD5 : prog == "sha1sum" ? KIND_SHA1 : KIND_SHA256;
  const plain = args.slice(0);
  const longError = expandLong(plain, "", SUM_LONG);
  if (longError != "") { warn(prog, longError); stderr.line("Try '" + prog + " --help' for more information.").flush(); return 1; }
  const o = getopt(plain, "cbtzwTqsSi");
  if (o.error != "") { warn(prog, o.error); stderr.line("Try '" + prog + " --help' for more information.").flush(); return 1; }
  const files = inputsOrStdin(o.operands);
  const so = new SumOptions();
  so.quiet = o.has("q"); so.silent = o.has("s"); so.strict = o.has("S"); so.warnLines = o.has("w"); so.ignoreMissing = o.has("i");
  if (o.has("c")) {
    if (o.has("T")) { warn(prog, "the --tag option is meaningless when verifying checksums"); stderr.line("Try '" + prog + " --help' for more information.").flush(); return 1; }
    return checkSums(prog, kind, files, so);
  }
  if (so.quiet || so.silent || so.strict || so.warnLines || so.ignoreMissing) {
    const which = so.ignoreMissing ? "--ignore-missing" : so.quiet ? "--quiet" : so.silent ? "--status" : so.strict ? "--strict" : "--warn";
    warn(prog, "the " + which + " option is meaningful only when verifying checksums");
    stderr.line("Try '" + prog + " --help' for more information.").flush();
    return 1;
  }
  const tagName = kind == KIND_MD5 ? "MD5" : kind == KIND_SHA1 ? "SHA1" : "SHA256";
  let status = 0;
  for (let i = 0; i < files.length; i++) {
    const fd = openInput(prog, files[i]);
    if (fd < 0) { status = 1; continue; }
    const hex = digestFd(kind, fd);
    closeInput(fd);
    if (hex == "") { warn(prog, files[i] + ": read error"); status = 1; continue; }
    if (o.has("T")) stdout.str(tagName).str(" (").str(files[i]).str(") = ").str(hex);
    else stdout.str(hex).str(o.has("b") ? " *" : "  ").str(files[i]);
    stdout.byte(o.has("z") ? 0 : 10);
  }
  return status;
}

/** The expected digest and file name of a check line, GNU ("HEX  NAME", "HEX *NAME") or BSD ("TAG (NAME) = HEX") style; null if malformed. */
function checkLine(line: string, hexLen: i32, tagName: string): string[] | null {
  if (line.startsWith(tagName + " (")) {
    const close = line.lastIndexOf(") = ");
    if (close < 0) return null;
    const hex = line.substring(close + 4);
    if (hex.length != hexLen || !isHex(hex)) return null;
    return [hex.toLowerCase(), line.substring(tagName.length + 2, close)];
  }
  if (line.length < hexLen + 2 || line.charCodeAt(hexLen) != 32 || !isHex(line.substring(0, hexLen))) return null;
  const mark = line.charCodeAt(hexLen + 1);
  if (mark != 32 && mark != 42) return null;
  return [line.substring(0, hexLen).toLowerCase(), line.substring(hexLen + 2)];
}

function checkSums(prog: string, kind: i32, lists: string[], so: SumOptions): i32 {
  const hexLen = kind == KIND_SHA256 ? 64 : kind == KIND_SHA1 ? 40 : 32;
  const tagName = kind == KIND_MD5 ? "MD5" : kind == KIND_SHA1 ? "SHA1" : "SHA256";
  let status = 0;
  for (let l = 0; l < lists.length; l++) {
    let failed = 0; let unreadable = 0; let malformed = 0; let checked = 0; let verified = 0;
    const listName = lists[l] == "-" ? "standard input" : lists[l];
    const fd = openInput(prog, lists[l]);
    if (fd < 0) { status = 1; continue; }
    const r = new Reader(fd);
    let lineNo = 0;
    while (r.nextLine()) {
      const line = r.lineString();
      lineNo++;
      const parsed = checkLine(line, hexLen, tagName);
      if (parsed == null) {
        malformed++;
        if (so.warnLines) warn(prog, listName + ": " + lineNo.toString() + ": improperly formatted " + tagName + " checksum line");
        continue;
      }
      const expected = parsed[0];
      const name = parsed[1];
      checked++;
      if (so.ignoreMissing && name != "-" && !fs.exists(name)) continue;
      const f = openInput(prog, name);
      if (f < 0) { unreadable++; if (!so.silent) stdout.str(name).line(": FAILED open or read"); continue; }
      const hex = digestFd(kind, f);
      closeInput(f);
      verified++;
      if (hex == expected) { if (!so.quiet && !so.silent) stdout.str(name).line(": OK"); }
      else { failed++; if (!so.silent) stdout.str(name).line(": FAILED"); }
    }
    closeInput(fd);
    if (checked == 0) { stdout.flush(); warn(prog, (listName.indexOf(" ") >= 0 ? "'" + listName + "'" : listName) + ": no properly formatted checksum lines found"); status = 1; continue; }
    if (!so.silent) {
      stdout.flush();
      if (malformed > 0) warn(prog, "WARNING: " + malformed.toString() + (malformed == 1 ? " line is" : " lines are") + " improperly formatted");
      if (unreadable > 0) warn(prog, "WARNING: " + unreadable.toString() + (unreadable == 1 ? " listed file" : " listed files") + " could not be read");
      if (failed > 0) warn(prog, "WARNING: " + failed.toString() + (failed == 1 ? " computed checksum did" : " computed checksums did") + " NOT match");
    }
    if (so.ignoreMissing && verified == 0) { stdout.flush(); warn(prog, listName + ": no file was verified"); status = 1; }
    if (failed > 0 || unreadable > 0 || (so.strict && malformed > 0)) status = 1;
  }
  return status;
}

function isHex(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 32;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** base64 [-d] [-i] [-w COLS] [FILE] */
export function base64Main(args: string[]): i32 {
  const plain = new Array<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a == "--decode") plain.push("-d");
    else if (a == "--ignore-garbage") plain.push("-i");
    else if (a.startsWith("--wrap=")) { plain.push("-w"); plain.push(a.substring(7)); }
    else plain.push(a);
  }
  const o = getopt(plain, "diw:");
  if (o.error != "") { warn("base64", o.error); stderr.line("Try 'base64 --help' for more information.").flush(); return 1; }
  if (o.operands.length > 1) return usage("base64", "extra operand '" + o.operands[1] + "'");
  const name = o.operands.length > 0 ? o.operands[0] : "-";
  const fd = openInput("base64", name);
  if (fd < 0) return 1;
  const data = new ByteBuf(BLOCK);
  const err = data.readFrom(fd);
  closeInput(fd);
  if (err != 0) { report("base64", name, err); return 1; }
  if (o.has("d")) return base64Decode(data, o.has("i"));
  const wrap = <i32>parseIntOr(o.value("w", "76"), -1);
  if (wrap < 0) return usage("base64", "invalid wrap size: '" + o.value("w", "") + "'");
  let col = 0;
  const p = data.ptr;
  for (let i = 0; i < data.len; i += 3) {
    const left = data.len - i;
    const b0 = <i32>load<u8>(p + i);
    const b1 = left > 1 ? <i32>load<u8>(p + i + 1) : 0;
    const b2 = left > 2 ? <i32>load<u8>(p + i + 2) : 0;
    const quad = [B64.charCodeAt(b0 >> 2), B64.charCodeAt(((b0 & 3) << 4) | (b1 >> 4)),
      left > 1 ? B64.charCodeAt(((b1 & 15) << 2) | (b2 >> 6)) : 61, left > 2 ? B64.charCodeAt(b2 & 63) : 61];
    for (let q = 0; q < 4; q++) {
      stdout.byte(quad[q]);
      col++;
      if (wrap > 0 && col == wrap) { stdout.byte(10); col = 0; }
    }
  }
  if (wrap > 0 && col > 0) stdout.byte(10);
  return 0;
}

function base64Value(c: i32): i32 {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c == 43) return 62;
  if (c == 47) return 63;
  return -1;
}

function base64Decode(data: ByteBuf, ignoreGarbage: bool): i32 {
  let acc = 0; let bits = 0; let padding = 0; let count = 0;
  for (let i = 0; i < data.len; i++) {
    const c = <i32>load<u8>(data.ptr + i);
    if (c == 10 || c == 13) continue;
    if (c == 61) { padding++; count++; continue; }
    const v = base64Value(c);
    if (v < 0 || padding > 0) {
      if (ignoreGarbage && v < 0) continue;
      stdout.flush();
      warn("base64", "invalid input");
      return 1;
    }
    acc = (acc << 6) | v; bits += 6; count++;
    if (bits >= 8) { bits -= 8; stdout.byte((acc >> bits) & 255); }
  }
  // As GNU's: the input must be whole groups of four (a last group without its padding is invalid).
  if (count % 4 != 0) { stdout.flush(); warn("base64", "invalid input"); return 1; }
  return 0;
}

/** cksum [FILE]...: the POSIX CRC and the byte count. */
export function cksumMain(args: string[]): i32 {
  const table = new StaticArray<u32>(256);
  for (let i: u32 = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = (c & 0x80000000) != 0 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c;
  }
  const files = inputsOrStdin(args);
  let status = 0;
  const buf = heap.alloc(BLOCK);
  for (let f = 0; f < files.length; f++) {
    const fd = openInput("cksum", files[f]);
    if (fd < 0) { status = 1; continue; }
    let crc: u32 = 0; let total: u64 = 0;
    for (;;) {
      const n = readSome(fd, buf, BLOCK);
      if (n <= 0) break;
      for (let i = 0; i < n; i++) crc = (crc << 8) ^ unchecked(table[((crc >> 24) ^ load<u8>(buf + i)) & 255]);
      total += <u64>n;
    }
    closeInput(fd);
    for (let len = total; len > 0; len >>= 8) crc = (crc << 8) ^ table[((crc >> 24) ^ <u32>(len & 255)) & 255];
    crc = ~crc;
    stdout.str(crc.toString()).byte(32).str(total.toString());
    if (files[f] != "-") stdout.byte(32).str(files[f]);
    stdout.byte(10);
  }
  heap.free(buf);
  return status;
}
