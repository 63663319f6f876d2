// tar: create, extract and list ustar archives (pax and GNU long-name headers read and written as
// needed), with -f -C -v -z -O and member selection, compatible with GNU tar both ways.

import { stdout, stderr, warn, writeAll, ByteBuf, BLOCK } from "../lib/io";
import { usage, report } from "../lib/cmd";
import { parseIntOr } from "../lib/opts";
import * as fs from "../lib/fs";
import { fnmatch } from "../lib/path";
import { strerror, EEXIST } from "../lib/errno";
import { gzipBytes, gunzipBytes } from "./gzip";
import { formatIso } from "./system";

class TarOptions {
  mode: string = "";
  archive: string = "-";
  directory: string = "";
  verbose: i32 = 0;
  gzip: bool = false;
  toStdout: bool = false;
  keepOld: bool = false;
  noMtime: bool = false;
  excludes: string[] = [];
  names: string[] = [];
  error: string = "";
  /** --strip-components=N: leading path parts dropped from each member's name on extraction. */
  strip: i32 = 0;
  /** -a: the compression chosen from the archive's suffix. */
  auto: bool = false;
}

function parseArgs(args: string[]): TarOptions {
  const o = new TarOptions();
  let i = 0;
  // A first argument without '-' is a bundle of letters (old style: tar czf out.tgz dir).
  const words = args.slice(0);
  const oldStyle = words.length > 0 && !words[0].startsWith("-");
  if (oldStyle) words[0] = "-" + words[0];
  let nextWord = 1;
  for (; i < words.length; i++) {
    const a = words[i];
    if (a == "--") { for (i++; i < words.length; i++) o.names.push(words[i]); break; }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const key = eq > 0 ? a.substring(2, eq) : a.substring(2);
      let val = eq > 0 ? a.substring(eq + 1) : "";
      const needs = key == "file" || key == "directory" || key == "exclude" || key == "strip-components";
      if (needs && eq < 0) { if (i + 1 >= words.length) { o.error = "option '" + a + "' requires an argument"; return o; } val = words[++i]; }
      if (key == "create") o.mode = "c";
      else if (key == "extract" || key == "get") o.mode = "x";
      else if (key == "list") o.mode = "t";
      else if (key == "file") o.archive = val;
      else if (key == "directory") o.directory = val;
      else if (key == "exclude") o.excludes.push(val);
      else if (key == "strip-components" || key == "strip") {
        const n = parseIntOr(val, -1);
        if (n < 0) { o.error = "Invalid number of elements: '" + val + "'"; return o; }
        o.strip = <i32>n;
      }
      else if (key == "auto-compress") o.auto = true;
      else if (key == "bzip2" || key == "xz" || key == "lzma" || key == "zstd" || key == "lzip" || key == "lzop") { o.error = key + ": compression is not available (only gzip, -z)"; return o; }
      else if (key == "append" || key == "update" || key == "diff" || key == "compare" || key == "delete" || key == "concatenate") { o.error = "--" + key + " is not supported (only -c, -x and -t)"; return o; }
      else if (key == "gzip" || key == "gunzip") o.gzip = true;
      else if (key == "verbose") o.verbose++;
      else if (key == "to-stdout") o.toStdout = true;
      else if (key == "keep-old-files") o.keepOld = true;
      else if (key == "touch") o.noMtime = true;
      else if (key == "format" || key == "owner" || key == "group" || key == "numeric-owner" || key == "no-same-owner" || key == "no-same-permissions" || key == "preserve-permissions" || key == "sort" || key == "mtime") {}
      else { o.error = "unrecognized option '" + a + "'"; return o; }
      continue;
    }
    if (a.length < 2 || !a.startsWith("-")) { o.names.push(a); continue; }
    for (let j = 1; j < a.length; j++) {
      const c = a.charAt(j);
      if (c == "c" || c == "x" || c == "t") { if (o.mode != "" && o.mode != c) { o.error = "You may not specify more than one '-Acdtrux', '--delete' or  '--test-label' option"; return o; } o.mode = c; }
      else if (c == "v") o.verbose++;
      else if (c == "z") o.gzip = true;
      else if (c == "O") o.toStdout = true;
      else if (c == "k") o.keepOld = true;
      else if (c == "m") o.noMtime = true;
      else if (c == "a") o.auto = true;
      else if (c == "j" || c == "J") { o.error = (c == "j" ? "bzip2" : "xz") + ": compression is not available (only gzip, -z)"; return o; }
      else if (c == "r" || c == "u" || c == "d" || c == "A") { o.error = "-" + c + " is not supported (only -c, -x and -t)"; return o; }
      else if (c == "p" || c == "o" || c == "h" || c == "P") {}
      else if (c == "f" || c == "C") {
        // Old style (tar cfz A DIR): each such letter takes the next word; else getopt style.
        if (oldStyle && i == 0) {
          if (nextWord >= words.length) { o.error = "option requires an argument -- '" + c + "'"; return o; }
          if (c == "f") o.archive = words[nextWord++]; else o.directory = words[nextWord++];
          continue;
        }
        let v = a.substring(j + 1);
        if (v == "") { if (i + 1 >= words.length) { o.error = "option requires an argument -- '" + c + "'"; return o; } v = words[++i]; }
        if (c == "f") o.archive = v; else o.directory = v;
        break;
      }
      else { o.error = "invalid option -- '" + c + "'"; return o; }
    }
    if (oldStyle && i == 0) i = nextWord - 1;
  }
  return o;
}

/** tar -c|-x|-t [-vzO] [-f ARCHIVE] [-C DIR] [FILE]... */
export function tarMain(args: string[]): i32 {
  const o = parseArgs(args);
  if (o.error != "") { warn("tar", o.error); warn("tar", "Try 'tar --help' for more information."); return 2; }
  if (o.mode == "") { warn("tar", "You must specify one of the '-Acdtrux', '--delete' or '--test-label' options"); return 2; }
  // -a: gzip for .tgz, .tar.gz and .taz archives, as GNU tar chooses by suffix.
  if (o.auto && (o.archive.endsWith(".gz") || o.archive.endsWith(".tgz") || o.archive.endsWith(".taz"))) o.gzip = true;
  if (o.mode == "c") return create(o);
  return readArchive(o);
}

// ---- creating ----

function octal(v: i64, width: i32): string {
  let s = v.toString(8);
  while (s.length < width - 1) s = "0" + s;
  return s;
}

function putString(block: usize, off: i32, s: string, max: i32): void {
  const enc = String.UTF8.encode(s);
  memory.copy(block + off, changetype<usize>(enc), min(enc.byteLength, max));
}

function utf8Length(s: string): i32 { return String.UTF8.byteLength(s); }

/** One 512-byte header. */
function header(out: ByteBuf, name: string, prefix: string, mode: i32, size: i64, mtime: i64, type: u8, link: string): void {
  out.reserve(512);
  const b = out.ptr + out.len;
  memory.fill(b, 0, 512);
  putString(b, 0, name, 100);
  putString(b, 100, octal(mode, 8), 7);
  putString(b, 108, octal(0, 8), 7);
  putString(b, 116, octal(0, 8), 7);
  putString(b, 124, octal(size, 12), 11);
  putString(b, 136, octal(mtime, 12), 11);
  memory.fill(b + 148, 32, 8);
  store<u8>(b + 156, type);
  putString(b, 157, link, 100);
  putString(b, 257, "ustar", 6);
  putString(b, 263, "00", 2);
  putString(b, 265, "root", 32);
  putString(b, 297, "root", 32);
  putString(b, 329, octal(0, 8), 7);
  putString(b, 337, octal(0, 8), 7);
  putString(b, 345, prefix, 155);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += <i32>load<u8>(b + i);
  putString(b, 148, octal(sum, 7), 6);
  store<u8>(b + 154, 0);
  out.len += 512;
}

/** A pax record "LEN key=value\n" (LEN counts itself). */
function paxRecord(key: string, value: string): string {
  const body = " " + key + "=" + value + "\n";
  const n = utf8Length(body);
  let len = n + 1;
  while ((len.toString().length + n) != len) len = len.toString().length + n;
  return len.toString() + body;
}

function padTo512(out: ByteBuf): void {
  const rem = out.len % 512;
  if (rem != 0) { out.reserve(512 - rem); memory.fill(out.ptr + out.len, 0, 512 - rem); out.len += 512 - rem; }
}

/** Writes a member's headers: ustar when the names fit (with prefix), else a pax header first. */
function memberHeader(out: ByteBuf, name: string, mode: i32, size: i64, mtime: i64, type: u8, link: string): void {
  let ustarName = name; let prefix = "";
  let needPax = utf8Length(link) > 100;
  if (utf8Length(name) > 100) {
    let split = -1;
    for (let i = name.length - 1; i > 0; i--) {
      if (name.charCodeAt(i) == 47 && utf8Length(name.substring(0, i)) <= 155 && utf8Length(name.substring(i + 1)) <= 100 && i + 1 < name.length) { split = i; break; }
    }
    if (split > 0) { prefix = name.substring(0, split); ustarName = name.substring(split + 1); }
    else needPax = true;
  }
  if (needPax) {
    let records = "";
    if (utf8Length(name) > 100 && prefix == "") records += paxRecord("path", name);
    if (utf8Length(link) > 100) records += paxRecord("linkpath", link);
    const data = String.UTF8.encode(records);
    const paxName = "PaxHeaders/" + (name.length > 80 ? name.substring(name.length - 80) : name);
    header(out, paxName.substring(0, min(paxName.length, 99)), "", 0o644, data.byteLength, mtime, 120, "");
    out.append(changetype<usize>(data), data.byteLength);
    padTo512(out);
    if (prefix == "") ustarName = name.substring(0, min(name.length, 99));
  }
  header(out, ustarName, prefix, mode, size, mtime, type, utf8Length(link) > 100 ? link.substring(0, 99) : link);
}

function create(o: TarOptions): i32 {
  if (o.names.length == 0) { warn("tar", "Cowardly refusing to create an empty archive"); warn("tar", "Try 'tar --help' for more information."); return 2; }
  const archiveAbs = o.archive == "-" ? "" : fs.absolute(o.archive);
  if (o.directory != "") { const e = fs.chdir(o.directory); if (e != 0) { warn("tar", o.directory + ": Cannot open: " + strerror(e)); return 2; } }
  const out = new ByteBuf(BLOCK);
  let status = 0;
  let warnedSlash = false;
  for (let i = 0; i < o.names.length; i++) {
    let name = o.names[i];
    if (name.startsWith("/") && name.length > 1 && !warnedSlash) { warn("tar", "Removing leading '/' from member names"); warnedSlash = true; }
    if (addPath(out, name, o, archiveAbs) != 0) status = 2;
  }
  const end = 1024 + (10240 - (out.len + 1024) % 10240) % 10240;
  out.reserve(end); memory.fill(out.ptr + out.len, 0, end); out.len += end;
  let result = out;
  if (o.gzip) result = gzipBytes(out.ptr, out.len, 6, "", 0);
  let fd = 1;
  if (o.archive != "-") {
    fd = fs.create(archiveAbs);
    if (fd < 0) { warn("tar", o.archive + ": Cannot open: " + strerror(fs.lastError)); return 2; }
  } else stdout.flush();
  const err = writeAll(fd, result.ptr, result.len);
  if (fd != 1) fs.close(fd);
  if (err != 0) { warn("tar", o.archive + ": Cannot write: " + strerror(err)); return 2; }
  if (status != 0) warn("tar", "Exiting with failure status due to previous errors");
  return status;
}

function excluded(name: string, o: TarOptions): bool {
  const base = name.lastIndexOf("/") >= 0 ? name.substring(name.lastIndexOf("/") + 1) : name;
  for (let i = 0; i < o.excludes.length; i++) if (fnmatch(o.excludes[i], base) || fnmatch(o.excludes[i], name)) return true;
  return false;
}

function addPath(out: ByteBuf, path: string, o: TarOptions, archiveAbs: string): i32 {
  if (excluded(path, o)) return 0;
  const st = fs.lstat(path);
  if (st == null) { warn("tar", path + ": Cannot stat: " + strerror(fs.lastError)); return 1; }
  let member = path;
  while (member.startsWith("/")) member = member.substring(1);
  if (member == "") member = ".";
  const mtime = <i64>(st.mtim / 1000000000);
  const verboseTo = o.archive == "-" ? stderr : stdout;
  if (st.isDir()) {
    const dirName = member.endsWith("/") ? member : member + "/";
    memberHeader(out, dirName, 0o755, 0, mtime, 53, "");
    if (o.verbose > 0) verboseTo.line(dirName);
    const names = fs.listNames(path);
    if (names == null) { warn("tar", path + ": Cannot open: " + strerror(fs.lastError)); return 1; }
    let status = 0;
    for (let i = 0; i < names.length; i++) {
      const child = path.endsWith("/") ? path + names[i] : path + "/" + names[i];
      if (addPath(out, child, o, archiveAbs) != 0) status = 1;
    }
    return status;
  }
  if (o.verbose > 0) verboseTo.line(member);
  if (st.isLink()) {
    const target = fs.readlink(path);
    memberHeader(out, member, 0o777, 0, mtime, 50, target != null ? target : "");
    return 0;
  }
  if (archiveAbs != "" && fs.absolute(path) == archiveAbs) { warn("tar", path + ": file is the archive; not dumped"); return 0; }
  const fd = fs.open(path);
  if (fd < 0) { warn("tar", path + ": Cannot open: " + strerror(fs.lastError)); return 1; }
  const start = out.len;
  memberHeader(out, member, 0o644, <i64>st.size, mtime, 48, "");
  const dataAt = out.len;
  const err = out.readFrom(fd);
  fs.close(fd);
  if (err != 0) { out.len = start; warn("tar", path + ": Read error: " + strerror(err)); return 1; }
  const got = out.len - dataAt;
  if (<u64>got != st.size) {
    // The size changed while reading: rewrite the header with what was read.
    const data = new ByteBuf(got);
    data.append(out.ptr + dataAt, got);
    out.len = start;
    memberHeader(out, member, 0o644, got, mtime, 48, "");
    out.append(data.ptr, data.len);
  }
  padTo512(out);
  return 0;
}

// ---- reading ----

function field(b: usize, off: i32, len: i32): string {
  let n = 0;
  while (n < len && load<u8>(b + off + n) != 0) n++;
  return String.UTF8.decodeUnsafe(b + off, n);
}

function numeric(b: usize, off: i32, len: i32): i64 {
  // Base-256 (GNU) when the high bit of the first byte is set.
  if ((load<u8>(b + off) & 0x80) != 0) {
    let v: i64 = <i64>(load<u8>(b + off) & 0x7f);
    for (let i = 1; i < len; i++) v = (v << 8) | <i64>load<u8>(b + off + i);
    return v;
  }
  let v: i64 = 0;
  for (let i = 0; i < len; i++) {
    const c = <i32>load<u8>(b + off + i);
    if (c == 0 || c == 32) { if (v > 0 || i > 0 && load<u8>(b + off + i - 1) != 32) break; continue; }
    if (c < 48 || c > 55) return -1;
    v = v * 8 + (c - 48);
  }
  return v;
}

function parsePax(b: usize, len: i32, into: Map<string, string>): void {
  const text = String.UTF8.decodeUnsafe(b, len);
  let p = 0;
  while (p < text.length) {
    const sp = text.indexOf(" ", p);
    if (sp < 0) break;
    const n = I32.parseInt(text.substring(p, sp));
    if (n <= 0) break;
    // n counts bytes; records are ASCII in practice, else decode the bytes one record at a time.
    const rec = String.UTF8.decodeUnsafe(b + String.UTF8.byteLength(text.substring(0, p)) , n);
    const body = rec.substring(rec.indexOf(" ") + 1, rec.length - 1);
    const eq = body.indexOf("=");
    if (eq > 0) into.set(body.substring(0, eq), body.substring(eq + 1));
    p += rec.length;
  }
}

function selected(name: string, o: TarOptions, used: bool[]): bool {
  if (excluded(name, o)) return false;
  if (o.names.length == 0) return true;
  let bare = name;
  while (bare.endsWith("/") && bare.length > 1) bare = bare.substring(0, bare.length - 1);
  for (let i = 0; i < o.names.length; i++) {
    let want = o.names[i];
    while (want.endsWith("/") && want.length > 1) want = want.substring(0, want.length - 1);
    if (bare == want || bare.startsWith(want + "/") || fnmatch(want, bare)) { used[i] = true; return true; }
  }
  return false;
}

function modeString(type: u8, mode: i64): string {
  const kind = type == 53 ? "d" : type == 50 ? "l" : type == 49 ? "h" : "-";
  const letters = "rwxrwxrwx";
  let s = kind;
  for (let i = 0; i < 9; i++) s += (mode & (1 << (8 - i))) != 0 ? letters.charAt(i) : "-";
  return s;
}

/** Creates the directories leading to path. */
function makeParents(path: string): void {
  const parts = path.split("/");
  let cur = "";
  for (let i = 0; i < parts.length - 1; i++) {
    if (parts[i] == "") continue;
    cur = cur == "" ? parts[i] : cur + "/" + parts[i];
    if (!fs.exists(cur)) fs.mkdir(cur);
  }
}

function readArchive(o: TarOptions): i32 {
  let data = new ByteBuf(BLOCK);
  const fd = o.archive == "-" ? 0 : fs.open(o.archive);
  if (fd < 0) { warn("tar", o.archive + ": Cannot open: " + strerror(fs.lastError)); warn("tar", "Error is not recoverable: exiting now"); return 2; }
  const rerr = data.readFrom(fd);
  if (fd > 2) fs.close(fd);
  if (rerr != 0) { warn("tar", o.archive + ": Read error: " + strerror(rerr)); return 2; }
  if (data.len >= 2 && load<u8>(data.ptr) == 0x1f && load<u8>(data.ptr + 1) == 0x8b) {
    const r = gunzipBytes(data.ptr, data.len);
    if (r.error != "") { warn("tar", "gzip: " + r.error); warn("tar", "Child returned status 1"); warn("tar", "Error is not recoverable: exiting now"); return 2; }
    data = r.data;
  } else if (o.gzip) {
    warn("tar", "gzip: stdin: not in gzip format"); warn("tar", "Child returned status 1"); warn("tar", "Error is not recoverable: exiting now"); return 2;
  }
  if (o.directory != "" && o.mode == "x") { const e = fs.chdir(o.directory); if (e != 0) { warn("tar", o.directory + ": Cannot open: " + strerror(e)); return 2; } }
  const used = new Array<bool>(o.names.length);
  let pos = 0;
  let status = 0;
  let longName = ""; let longLink = "";
  const pax = new Map<string, string>();
  const global = new Map<string, string>();
  while (pos + 512 <= data.len) {
    const b = data.ptr + pos;
    let zero = true;
    for (let i = 0; i < 512; i++) if (load<u8>(b + i) != 0) { zero = false; break; }
    if (zero) break;
    let sum: i64 = 0;
    for (let i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? 32 : <i64>load<u8>(b + i);
    if (numeric(b, 148, 8) != sum) {
      warn("tar", pos == 0 ? "This does not look like a tar archive" : "Skipping to next header");
      if (pos == 0) { warn("tar", "Exiting with failure status due to previous errors"); return 2; }
      status = 2; pos += 512; continue;
    }
    const type = load<u8>(b + 156);
    let size = numeric(b, 124, 12);
    const dataAt = pos + 512;
    const next = dataAt + <i32>((size + 511) / 512 * 512);
    if (type == 120 || type == 103) {
      parsePax(data.ptr + dataAt, <i32>size, type == 120 ? pax : global);
      pos = next; continue;
    }
    if (type == 76 || type == 75) {
      const s = field(data.ptr + dataAt, 0, <i32>size);
      if (type == 76) longName = s; else longLink = s;
      pos = next; continue;
    }
    let name = field(b, 0, 100);
    const magic = field(b, 257, 6);
    if (magic == "ustar") { const prefix = field(b, 345, 155); if (prefix != "") name = prefix + "/" + name; }
    let link = field(b, 157, 100);
    if (longName != "") name = longName;
    if (longLink != "") link = longLink;
    if (pax.has("path")) name = pax.get("path"); else if (global.has("path")) name = global.get("path");
    if (pax.has("linkpath")) link = pax.get("linkpath");
    if (pax.has("size")) size = I64.parseInt(pax.get("size"));
    let mtime = numeric(b, 136, 12);
    if (pax.has("mtime")) mtime = <i64>parseFloat(pax.get("mtime"));
    const mode = numeric(b, 100, 8);
    const uname = pax.has("uname") ? pax.get("uname") : field(b, 265, 32);
    const gname = pax.has("gname") ? pax.get("gname") : field(b, 297, 32);
    longName = ""; longLink = ""; pax.clear();
    const end = dataAt + <i32>((size + 511) / 512 * 512);
    if (dataAt + size > data.len) { warn("tar", "Unexpected EOF in archive"); warn("tar", "Error is not recoverable: exiting now"); return 2; }
    if (!selected(name, o, used)) { pos = end; continue; }
    if (o.mode == "t") {
      if (o.verbose > 0) {
        const owner = (uname != "" ? uname : numeric(b, 108, 8).toString()) + "/" + (gname != "" ? gname : numeric(b, 116, 8).toString());
        stdout.str(modeString(type, mode)).byte(32).str(owner).byte(32).pad(size.toString(), max(1, 19 - owner.length)).byte(32).str(formatIso(mtime)).byte(32).str(name);
        if (type == 50) stdout.str(" -> ").str(link);
        if (type == 49) stdout.str(" link to ").str(link);
        stdout.byte(10);
      } else stdout.line(name);
      pos = end; continue;
    }
    if (extractMember(o, name, type, link, data.ptr + dataAt, <i32>size, mtime) != 0) status = 2;
    pos = end;
  }
  for (let i = 0; i < o.names.length; i++) if (!used[i]) { warn("tar", o.names[i] + ": Not found in archive"); status = 2; }
  if (status != 0) warn("tar", "Exiting with failure status due to previous errors");
  return status;
}

function extractMember(o: TarOptions, rawName: string, type: u8, link: string, ptr: usize, size: i32, mtime: i64): i32 {
  let name = rawName;
  while (name.startsWith("/")) name = name.substring(1);
  if (o.strip > 0) {
    // --strip-components: a member with no more parts than that is skipped.
    const pieces = name.split("/").filter((part: string): bool => part != "");
    if (pieces.length <= o.strip) return 0;
    name = pieces.slice(o.strip).join("/") + (name.endsWith("/") ? "/" : "");
  }
  const parts = name.split("/");
  if (parts.includes("..")) { warn("tar", rawName + ": Member name contains '..'"); return 1; }
  if (name == "" || name == "./" || name == ".") return 0;
  if (o.toStdout) {
    if (type == 48 || type == 0 || type == 55) { stdout.flush(); writeAll(1, ptr, size); }
    return 0;
  }
  if (o.verbose > 0) stdout.line(rawName);
  let path = name;
  while (path.endsWith("/")) path = path.substring(0, path.length - 1);
  makeParents(path);
  if (type == 53) {
    if (!fs.exists(path)) { const e = fs.mkdir(path); if (e != 0 && e != EEXIST) { warn("tar", path + ": Cannot mkdir: " + strerror(e)); return 1; } }
  } else if (type == 50 || type == 49) {
    if (fs.lstat(path) != null) { if (o.keepOld) { warn("tar", path + ": Cannot open: File exists"); return 1; } fs.unlink(path); }
    const e = type == 50 ? fs.symlink(link, path) : fs.link(link, path);
    if (e != 0) { warn("tar", path + ": Cannot create " + (type == 50 ? "symlink to '" : "hard link to '") + link + "': " + strerror(e)); return 1; }
    return 0;
  } else if (type == 48 || type == 0 || type == 55) {
    if (o.keepOld && fs.lstat(path) != null) { warn("tar", path + ": Cannot open: File exists"); return 1; }
    const existing = fs.lstat(path);
    if (existing != null && existing.isLink()) fs.unlink(path);
    const fd = fs.create(path);
    if (fd < 0) { warn("tar", path + ": Cannot open: " + strerror(fs.lastError)); return 1; }
    const e = writeAll(fd, ptr, size);
    fs.close(fd);
    if (e != 0) { warn("tar", path + ": Cannot write: " + strerror(e)); return 1; }
  } else {
    warn("tar", rawName + ": Unknown file type '" + String.fromCharCode(type) + "', extracted as normal file");
    return 0;
  }
  if (!o.noMtime) fs.utimes(path, -1, mtime * 1000000000);
  return 0;
}
