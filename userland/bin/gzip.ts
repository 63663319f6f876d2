// gzip, gunzip and zcat: the gzip file format (RFC 1952) over lib/deflate.ts, with the command
// line GNU gzip has (-c -d -k -f -t -n -v -1..-9, FILE -> FILE.gz and back).

import { stdout, warn, writeAll, ByteBuf, BLOCK } from "../lib/io";
import { getopt } from "../lib/opts";
import { usage, report } from "../lib/cmd";
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

/** gzip [-cdfkntqv1-9] [FILE]...; gunzip and zcat are gzip -d and gzip -dc. */
export function gzipMain(prog: string, args: string[]): i32 {
  const plain = new Array<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a == "--stdout" || a == "--to-stdout") plain.push("-c");
    else if (a == "--decompress" || a == "--uncompress") plain.push("-d");
    else if (a == "--keep") plain.push("-k");
    else if (a == "--force") plain.push("-f");
    else if (a == "--test") plain.push("-t");
    else if (a == "--no-name") plain.push("-n");
    else if (a == "--quiet") plain.push("-q");
    else if (a == "--verbose") plain.push("-v");
    else if (a == "--fast") plain.push("-1");
    else if (a == "--best") plain.push("-9");
    else plain.push(a);
  }
  const o = getopt(plain, "cdfkntqvNl123456789");
  if (o.error != "") return usage(prog, o.error);
  let level = 6;
  for (let d = 1; d <= 9; d++) if (o.has(d.toString())) level = d;
  const decompress = o.has("d") || o.has("t") || prog == "gunzip" || prog == "zcat";
  const toStdout = o.has("c") || prog == "zcat" || o.has("t");
  const files = o.operands.length > 0 ? o.operands : ["-"];
  let status = 0;
  for (let i = 0; i < files.length; i++) {
    const name = files[i];
    const r = name == "-" ? stream(prog, decompress, o.has("t"), level, o.has("q"))
      : one(prog, name, decompress, toStdout, o.has("t"), o.has("k"), o.has("f"), o.has("n"), o.has("q"), o.has("v"), level);
    if (r > status) status = r;
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

function stream(prog: string, decompress: bool, test: bool, level: i32, quiet: bool): i32 {
  const data = slurp(prog, 0, "stdin");
  if (data == null) return 1;
  if (!decompress) {
    const out = gzipBytes(data.ptr, data.len, level, "", 0);
    stdout.flush();
    writeAll(1, out.ptr, out.len);
    return 0;
  }
  const r = gunzipBytes(data.ptr, data.len);
  if (r.error != "") { warn(prog, "stdin: " + r.error); return 1; }
  if (!test) { stdout.flush(); writeAll(1, r.data.ptr, r.data.len); }
  if (r.trailing != "") { if (!quiet) warn(prog, "stdin: " + r.trailing); return 2; }
  return 0;
}

function one(prog: string, name: string, decompress: bool, toStdout: bool, test: bool, keep: bool, force: bool, noName: bool, quiet: bool, verbose: bool, level: i32): i32 {
  const st = fs.stat(name);
  if (st == null) { report(prog, name, fs.lastError); return 1; }
  if (st.isDir()) { warn(prog, name + " is a directory -- ignored"); return 2; }
  let target = "";
  if (decompress && !toStdout) {
    for (let s = 0; s < SUFFIXES.length; s++) {
      if (name.endsWith(SUFFIXES[s]) && name.length > SUFFIXES[s].length) {
        target = name.substring(0, name.length - SUFFIXES[s].length) + (SUFFIXES[s] == ".tgz" ? ".tar" : "");
        break;
      }
    }
    if (target == "") { warn(prog, name + ": unknown suffix -- ignored"); return 2; }
  } else if (!toStdout) {
    if (name.endsWith(".gz") && !force) { warn(prog, name + " already has .gz suffix -- unchanged"); return 2; }
    target = name + ".gz";
  }
  if (target != "" && fs.exists(target) && !force) { warn(prog, target + " already exists; not overwritten"); return 2; }
  const fd = fs.open(name);
  if (fd < 0) { report(prog, name, fs.lastError); return 1; }
  const data = slurp(prog, fd, name);
  fs.close(fd);
  if (data == null) return 1;
  let out: ByteBuf;
  let status = 0;
  if (decompress) {
    const r = gunzipBytes(data.ptr, data.len);
    if (r.error != "") { warn(prog, name + ": " + r.error); return 1; }
    if (r.trailing != "") { if (!quiet) warn(prog, name + ": " + r.trailing); status = 2; }
    if (test) { if (verbose) stdout.str(name).line(":\t OK"); return status; }
    out = r.data;
  } else {
    const base = name.lastIndexOf("/") >= 0 ? name.substring(name.lastIndexOf("/") + 1) : name;
    out = gzipBytes(data.ptr, data.len, level, noName ? "" : base, noName ? 0 : <u32>(st.mtim / 1000000000));
  }
  if (toStdout) { stdout.flush(); writeAll(1, out.ptr, out.len); return status; }
  const ofd = fs.create(target);
  if (ofd < 0) { report(prog, target, fs.lastError); return 1; }
  const err = writeAll(ofd, out.ptr, out.len);
  fs.close(ofd);
  if (err != 0) { report(prog, target, err); return 1; }
  fs.utimes(target, <i64>st.atim, <i64>st.mtim);
  if (verbose) {
    const ratio = data.len == 0 ? 0.0 : 100.0 * (1.0 - <f64>(decompress ? data.len : out.len) / <f64>(decompress ? out.len : data.len));
    warn(name, " " + (Math.round(ratio * 10) / 10).toString() + "% -- replaced with " + target);
  }
  if (!keep) { const e = fs.unlink(name); if (e != 0) report(prog, name, e); }
  return status;
}
