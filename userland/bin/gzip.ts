// gzip, gunzip and zcat: the gzip file format (RFC 1952) over lib/deflate.ts, with the command
// line GNU gzip has (-c -d -k -f -l -r -t -n -v -S SUF -1..-9, FILE -> FILE.gz and back).

import { stdout, stderr, warn, writeAll, ByteBuf, BLOCK } from "../lib/io";
import { getopt, expandLong } from "../lib/opts";
import { report } from "../lib/cmd";
import * as fs from "../lib/fs";
import { deflate, Inflater, Crc32 } from "../lib/deflate";

/** Wraps data in one gzip member (name "" and mtime 0 for a stream). */
export function gzipBytes(ptr: usize, len: i32, level: i32, name: string, mtime: u32): ByteBuf {
  const out = new ByteBuf(max(BLOCK, len / 2 + 64));
  const header: u8[] = [0x1f, 0x8b, 8, name != "" ? 8 : 0, <u8>mtime, <u8>(mtime >> 8), <u8>(mtime >> 16), <u8>(mtime >> 24), level >= 9 ? 2 : level <= 1 ? 4 : 0, 3];
  for (let i = 0; i < header.length; i++) out.appendByte(header[i]);
  if (name != "") { out.appendString(name); out.appendByte(0); }
  deflate(ptr, len, level, out);
  const crc = new Crc32();
  crc.update(ptr, len);
  const c = crc.digest();
  for (let s = 0; s < 32; s += 8) out.appendByte(<i32>((c >> s) & 255));
  for (let s = 0; s < 32; s += 8) out.appendByte((len >> s) & 255);
  return out;
}

/** Why the last gunzipBytes failed, and whether it stopped at ignorable trailing data. */
export class GunzipResult {
  data: ByteBuf = new ByteBuf(BLOCK);
  error: string = "";
  trailing: string = "";
}

/** Decompresses every gzip member of [ptr, ptr+len). */
export function gunzipBytes(ptr: usize, len: i32): GunzipResult {
  const r = new GunzipResult();
  const inf = new Inflater();
  let pos = 0;
  let members = 0;
  if (len == 0) { r.error = "unexpected end of file"; return r; }
  while (pos < len) {
    if (members > 0) {
      let zeros = true;
      for (let i = pos; i < len; i++) if (load<u8>(ptr + i) != 0) { zeros = false; break; }
      if (zeros) { r.trailing = "decompression OK, trailing zero bytes ignored"; break; }
    }
    if (len - pos < 18 || load<u8>(ptr + pos) != 0x1f || load<u8>(ptr + pos + 1) != 0x8b) {
      if (members > 0) { r.trailing = "decompression OK, trailing garbage ignored"; break; }
      r.error = "not in gzip format";
      return r;
    }
    if (load<u8>(ptr + pos + 2) != 8) { r.error = "unknown method " + load<u8>(ptr + pos + 2).toString() + " -- not supported"; return r; }
    const flags = <i32>load<u8>(ptr + pos + 3);
    let p = pos + 10;
    if ((flags & 4) != 0) { p += 2 + (<i32>load<u8>(ptr + p) | (<i32>load<u8>(ptr + p + 1) << 8)); }
    if ((flags & 8) != 0) { while (p < len && load<u8>(ptr + p) != 0) p++; p++; }
    if ((flags & 16) != 0) { while (p < len && load<u8>(ptr + p) != 0) p++; p++; }
    if ((flags & 2) != 0) p += 2;
    if (p >= len) { r.error = "unexpected end of file"; return r; }
    const start = r.data.len;
    if (!inf.run(ptr, len, p, r.data)) { r.error = inf.error; return r; }
    p = inf.pos;
    if (p + 8 > len) { r.error = "unexpected end of file"; return r; }
    const crc = new Crc32();
    crc.update(r.data.ptr + start, r.data.len - start);
    const want = load<u32>(ptr + p);
    const size = load<u32>(ptr + p + 4);
    if (crc.digest() != want) { r.error = "invalid compressed data--crc error"; return r; }
    if (size != <u32>(r.data.len - start)) { r.error = "invalid compressed data--length error"; return r; }
    pos = p + 8;
    members++;
  }
  return r;
}

const SUFFIXES = [".gz", ".tgz", "-gz", ".z", "_z", ".Z"];

/** What the command line asked for. */
class GzipOptions {
  decompress: bool = false;
  toStdout: bool = false;
  test: bool = false;
  list: bool = false;
  keep: bool = false;
  force: bool = false;
  noName: bool = false;
  quiet: bool = false;
  verbose: bool = false;
  recursive: bool = false;
  level: i32 = 6;
  /** -S: the suffix of compressed files (".gz"). */
  suffix: string = ".gz";
  /** -l's totals: files listed, their compressed and uncompressed bytes, and the last one's header bytes. */
  listed: i32 = 0;
  packedTotal: i64 = 0;
  unpackedTotal: i64 = 0;
  lastHeader: i64 = 0;
}

/** GNU gzip's ratio: "%5.1f%%" of num / den (0 when den is 0). */
function ratioText(num: i64, den: i64): string {
  const v = den == 0 ? 0.0 : 100.0 * <f64>num / <f64>den;
  const tenths = <i64>Math.round(Math.abs(v) * 10);
  let t = (v < 0 && tenths != 0 ? "-" : "") + (tenths / 10).toString() + "." + (tenths % 10).toString();
  while (t.length < 5) t = " " + t;
  return t + "%";
}

function padLeft(s: string, width: i32): string { let t = s; while (t.length < width) t = " " + t; return t; }

const GZIP_LONG = ["stdout=c", "to-stdout=c", "decompress=d", "uncompress=d", "keep=k", "force=f", "test=t", "list=l", "no-name=n", "name=N",
  "quiet=q", "verbose=v", "recursive=r", "suffix:S", "fast=1", "best=9", "help=h", "rsyncable=R", "synchronous=Y"];

/** gzip [-cdfhklnNqrtv1-9] [-S SUF] [FILE]...; gunzip and zcat are gzip -d and gzip -dc. Messages are signed "gzip", as GNU's. */
export function gzipMain(prog: string, args: string[]): i32 {
  const plain = args.slice(0);
  const longError = expandLong(plain, "S:", GZIP_LONG);
  if (longError != "") { warn("gzip", longError); stderr.line("Try `gzip --help' for more information.").flush(); return 1; }
  const o = getopt(plain, "cdfhkntqvNlrRYS:123456789");
  if (o.error != "") { warn("gzip", o.error); stderr.line("Try `gzip --help' for more information.").flush(); return 1; }
  if (o.has("h")) {
    stdout.line("Usage: gzip [OPTION]... [FILE]...\nCompress or uncompress FILEs (by default, compress FILES in-place).\n\n  -c, --stdout      write on standard output, keep original files unchanged\n  -d, --decompress  decompress\n  -f, --force       force overwrite of output file and compress links\n  -k, --keep        keep (don't delete) input files\n  -l, --list        list compressed file contents\n  -n, --no-name     do not save or restore the original name and timestamp\n  -q, --quiet       suppress all warnings\n  -r, --recursive   operate recursively on directories\n  -S, --suffix=SUF  use suffix SUF on compressed files\n  -t, --test        test compressed file integrity\n  -v, --verbose     verbose mode\n  -1, --fast        compress faster\n  -9, --best        compress better");
    return 0;
  }
  const g = new GzipOptions();
  for (let d = 1; d <= 9; d++) if (o.has(d.toString())) g.level = d;
  g.list = o.has("l");
  g.decompress = o.has("d") || o.has("t") || g.list || prog == "gunzip" || prog == "zcat";
  g.toStdout = o.has("c") || prog == "zcat" || o.has("t");
  g.test = o.has("t"); g.keep = o.has("k"); g.force = o.has("f"); g.noName = o.has("n");
  g.quiet = o.has("q"); g.verbose = o.has("v") && !g.quiet; g.recursive = o.has("r");
  if (o.has("S")) {
    g.suffix = o.value("S", ".gz");
    if (g.suffix.length == 0) { warn("gzip", "invalid suffix ''"); return 1; }
  }
  const files = o.operands.length > 0 ? o.operands : ["-"];
  let status = 0;
  for (let i = 0; i < files.length; i++) {
    const name = files[i];
    const r = name == "-" ? stream(g) : one(name, g, true);
    if (r > status) status = r;
  }
  if (g.list && g.listed > 1) {
    stdout.str(padLeft(g.packedTotal.toString(), 19)).byte(32).str(padLeft(g.unpackedTotal.toString(), 19)).byte(32)
      .str(ratioText(g.unpackedTotal - (g.packedTotal - g.lastHeader), g.unpackedTotal)).line(" (totals)");
  }
  return status;
}

/** Reads fd to its end; null after reporting an error. */
function slurp(prog: string, fd: i32, name: string): ByteBuf | null {
  const data = new ByteBuf(BLOCK);
  const err = data.readFrom(fd);
  if (err != 0) { report(prog, name, err); return null; }
  return data;
}

/** The bytes of a gzip member's header (with its name) plus its 8-byte trailer, as gzip -l and -v count them. */
function headerBytes(data: ByteBuf): i64 {
  if (data.len < 10) return 0;
  let p = 10;
  const flags = <i32>load<u8>(data.ptr + 3);
  if ((flags & 4) != 0 && data.len >= 12) p += 2 + (<i32>load<u8>(data.ptr + p) | (<i32>load<u8>(data.ptr + p + 1) << 8));
  if ((flags & 8) != 0) { while (p < data.len && load<u8>(data.ptr + p) != 0) p++; p++; }
  if ((flags & 16) != 0) { while (p < data.len && load<u8>(data.ptr + p) != 0) p++; p++; }
  if ((flags & 2) != 0) p += 2;
  return <i64>p + 8;
}

/** One line of gzip -l for a compressed file's bytes (the header line before the first); 1 when they are not gzip data. */
function listOne(data: ByteBuf, name: string, shownName: string, g: GzipOptions): i32 {
  if (data.len < 18 || load<u8>(data.ptr) != 0x1f || load<u8>(data.ptr + 1) != 0x8b) {
    warn("gzip", name + ": " + (data.len < 2 || (load<u8>(data.ptr) == 0x1f && load<u8>(data.ptr + 1) == 0x8b) ? "unexpected end of file" : "not in gzip format"));
    return 1;
  }
  if (g.listed == 0) stdout.line("         compressed        uncompressed  ratio uncompressed_name");
  const unpacked = data.len >= 4 ? <i64>load<u32>(data.ptr + data.len - 4) : 0;
  const header = headerBytes(data);
  stdout.str(padLeft(data.len.toString(), 19)).byte(32).str(padLeft(unpacked.toString(), 19)).byte(32)
    .str(ratioText(unpacked - (<i64>data.len - header), unpacked)).byte(32).line(shownName);
  g.listed++; g.packedTotal += data.len; g.unpackedTotal += unpacked; g.lastHeader = header;
  return 0;
}

function stream(g: GzipOptions): i32 {
  const data = slurp("gzip", 0, "stdin");
  if (data == null) return 1;
  if (!g.decompress) {
    const out = gzipBytes(data.ptr, data.len, g.level, "", 0);
    stdout.flush();
    writeAll(1, out.ptr, out.len);
    return 0;
  }
  if (g.list) return listOne(data, "stdin", "stdout", g);
  const r = gunzipBytes(data.ptr, data.len);
  if (r.error != "") { warn("gzip", "stdin: " + r.error); return 1; }
  if (!g.test) { stdout.flush(); writeAll(1, r.data.ptr, r.data.len); }
  if (r.trailing != "") { if (!g.quiet) warn("gzip", "stdin: " + r.trailing); return 2; }
  return 0;
}

/** The suffix name ends with when decompressing (-S's first), or "". */
function knownSuffix(name: string, g: GzipOptions): string {
  if (name.endsWith(g.suffix) && name.length > g.suffix.length) return g.suffix;
  for (let s = 0; s < SUFFIXES.length; s++) if (name.endsWith(SUFFIXES[s]) && name.length > SUFFIXES[s].length) return SUFFIXES[s];
  return "";
}

function one(given: string, g: GzipOptions, top: bool): i32 {
  let name = given;
  let st = fs.stat(name);
  // gunzip FILE finds FILE.gz, as GNU's does.
  if (st == null && g.decompress && knownSuffix(name, g) == "") {
    const withSuffix = fs.stat(name + g.suffix);
    if (withSuffix != null) { name = name + g.suffix; st = withSuffix; }
    else { report("gzip", name + g.suffix, fs.lastError); return 1; }
  }
  if (st == null) { report("gzip", name, fs.lastError); return 1; }
  if (st.isDir()) {
    if (!g.recursive) { if (!g.quiet) warn("gzip", name + " is a directory -- ignored"); return 2; }
    const names = fs.listNames(name);
    if (names == null) { report("gzip", name, fs.lastError); return 1; }
    let status = 0;
    for (let i = 0; i < names.length; i++) status = max(status, one(name + "/" + names[i], g, false));
    return status;
  }
  const suffix = knownSuffix(name, g);
  let target = "";
  if (g.decompress && !g.toStdout && !g.list) {
    if (suffix == "") {
      if (!top) return 0;
      if (!g.quiet) warn("gzip", name + ": unknown suffix -- ignored");
      return 2;
    }
    target = name.substring(0, name.length - suffix.length) + (suffix == ".tgz" ? ".tar" : "");
  } else if (!g.toStdout && !g.decompress) {
    if (name.endsWith(g.suffix) && !g.force) { if (!g.quiet) warn("gzip", name + " already has " + g.suffix + " suffix -- unchanged"); return 0; }
    target = name + g.suffix;
  }
  if (target != "" && fs.exists(target) && !g.force) { warn("gzip", target + " already exists;\tnot overwritten"); return 2; }
  const fd = fs.open(name);
  if (fd < 0) { report("gzip", name, fs.lastError); return 1; }
  const data = slurp("gzip", fd, name);
  fs.close(fd);
  if (data == null) return 1;
  if (g.list) return listOne(data, name, suffix != "" ? name.substring(0, name.length - suffix.length) : name, g);
  let out: ByteBuf;
  let status = 0;
  let header: i64 = 0;
  if (g.decompress) {
    const r = gunzipBytes(data.ptr, data.len);
    if (r.error != "") { warn("gzip", name + ": " + r.error); return 1; }
    if (r.trailing != "") { if (!g.quiet) warn("gzip", name + ": " + r.trailing); status = 2; }
    if (g.test) { if (g.verbose) warnRaw(name + ":\t OK"); return status; }
    out = r.data;
    header = headerBytes(data);
  } else {
    const base = name.lastIndexOf("/") >= 0 ? name.substring(name.lastIndexOf("/") + 1) : name;
    out = gzipBytes(data.ptr, data.len, g.level, g.noName ? "" : base, g.noName ? 0 : <u32>(st.mtim / 1000000000));
    header = headerBytes(out);
  }
  // -v: "NAME:\t RATIO% -- replaced with TARGET" on stderr, the ratio of the deflated data to the whole.
  const packed: i64 = g.decompress ? <i64>data.len : <i64>out.len;
  const unpacked: i64 = g.decompress ? <i64>out.len : <i64>data.len;
  const verboseText = name + ":\t" + ratioText(unpacked - (packed - header), unpacked) + " -- replaced with ";
  if (g.toStdout) {
    stdout.flush(); writeAll(1, out.ptr, out.len);
    if (g.verbose) warnRaw(verboseText + "stdout");
    return status;
  }
  const ofd = fs.create(target);
  if (ofd < 0) { report("gzip", target, fs.lastError); return 1; }
  const err = writeAll(ofd, out.ptr, out.len);
  fs.close(ofd);
  if (err != 0) { report("gzip", target, err); return 1; }
  fs.utimes(target, <i64>st.atim, <i64>st.mtim);
  if (g.verbose) warnRaw(verboseText + target);
  if (!g.keep) { const e = fs.unlink(name); if (e != 0) report("gzip", name, e); }
  return status;
}

/** A line on stderr as it is (gzip -v's lines are not signed). */
function warnRaw(line: string): void {
  stdout.flush();
  stderr.line(line).flush();
}
