// File utilities: mkdir, rmdir, rm, cp, mv, ln, touch, stat, readlink, du.
// Messages follow GNU coreutils ("rm: cannot remove 'x': No such file or directory").

import { stdout, writeAll, readSome, BLOCK } from "../lib/io";
import { getopt, Options } from "../lib/opts";
import { report, usage } from "../lib/cmd";
import * as fs from "../lib/fs";
import { Stat, lastError } from "../lib/fs";
import { strerror, EEXIST, ENOENT, EXDEV } from "../lib/errno";
import { basename, join } from "../lib/path";
import { warn } from "../lib/io";
import * as wasi from "../lib/wasi";

import { formatDate, formatIso, parseDate } from "./system";
import * as proc from "../lib/proc";
import { modeString, lmodeOf } from "./ls";
import { UserNames } from "../lib/users";

function typeName(st: Stat): string {
  if (st.isDir()) return "directory";
  if (st.isLink()) return "symbolic link";
  if (st.type == wasi.FILETYPE_CHARACTER_DEVICE) return "character special file";
  if (st.isFile()) return st.size == 0 ? "regular empty file" : "regular file";
  return "unknown";
}

/** mkdir [-p] DIR... */
export function mkdirMain(args: string[]): i32 {
  const o = getopt(args, "pm:v");
  if (o.error != "") return usage("mkdir", o.error);
  if (o.operands.length == 0) return usage("mkdir", "missing operand");
  let status = 0;
  for (let i = 0; i < o.operands.length; i++) {
    const path = o.operands[i];
    if (o.has("p")) {
      const parts = fs.absolute(path).split("/");
      let cur = "";
      for (let k = 1; k < parts.length; k++) {
        cur += "/" + parts[k];
        const err = fs.mkdir(cur);
        if (err != 0 && err != EEXIST) { warn("mkdir", "cannot create directory '" + path + "': " + strerror(err)); status = 1; break; }
        if (err == EEXIST) { const st = fs.stat(cur); if (st == null || !st.isDir()) { warn("mkdir", "cannot create directory '" + path + "': Not a directory"); status = 1; break; } }
      }
    } else {
      const err = fs.mkdir(path);
      if (err != 0) { warn("mkdir", "cannot create directory '" + path + "': " + strerror(err)); status = 1; }
    }
  }
  return status;
}

/** rmdir DIR... */
export function rmdirMain(args: string[]): i32 {
  const o = getopt(args, "p");
  if (o.operands.length == 0) return usage("rmdir", "missing operand");
  let status = 0;
  for (let i = 0; i < o.operands.length; i++) {
    const err = fs.rmdir(o.operands[i]);
    if (err != 0) { warn("rmdir", "failed to remove '" + o.operands[i] + "': " + strerror(err)); status = 1; }
  }
  return status;
}

function removeTree(path: string, recursive: bool, force: bool): i32 {
  const st = fs.lstat(path);
  if (st == null) {
    if (force && lastError == ENOENT) return 0;
    warn("rm", "cannot remove '" + path + "': " + strerror(lastError));
    return 1;
  }
  if (st.isDir()) {
    if (!recursive) { warn("rm", "cannot remove '" + path + "': Is a directory"); return 1; }
    const names = fs.listNames(path);
    let status = 0;
    if (names != null) for (let i = 0; i < names.length; i++) status |= removeTree(join(path, names[i]), true, force);
    const err = fs.rmdir(path);
    if (err != 0) { warn("rm", "cannot remove '" + path + "': " + strerror(err)); return 1; }
    return status;
  }
  const err = fs.unlink(path);
  if (err != 0) { warn("rm", "cannot remove '" + path + "': " + strerror(err)); return 1; }
  return 0;
}

/** rm [-r] [-f] FILE... */
export function rmMain(args: string[]): i32 {
  const o = getopt(args, "rRfiv");
  if (o.error != "") return usage("rm", o.error);
  if (o.operands.length == 0 && !o.has("f")) return usage("rm", "missing operand");
  let status = 0;
  for (let i = 0; i < o.operands.length; i++) status |= removeTree(o.operands[i], o.has("r") || o.has("R"), o.has("f"));
  return status;
}

/** Copies one regular file; 0 or an errno-reporting 1. */
function copyFile(from: string, to: string, prog: string): i32 {
  const src = fs.open(from);
  if (src < 0) { report(prog, "cannot open '" + from + "' for reading", lastError); return 1; }
  const dst = fs.create(to);
  if (dst < 0) { report(prog, "cannot create regular file '" + to + "'", lastError); fs.close(src); return 1; }
  const buf = heap.alloc(BLOCK);
  let status = 0;
  for (;;) {
    const n = readSome(src, buf, BLOCK);
    if (n < 0) { report(prog, "error reading '" + from + "'", -n); status = 1; break; }
    if (n == 0) break;
    const err = writeAll(dst, buf, n);
    if (err != 0) { report(prog, "error writing '" + to + "'", err); status = 1; break; }
  }
  heap.free(buf);
  fs.close(src); fs.close(dst);
  return status;
}

function copyTree(from: string, to: string, recursive: bool, prog: string): i32 {
  const st = fs.lstat(from);
  if (st == null) { warn(prog, "cannot stat '" + from + "': " + strerror(lastError)); return 1; }
  if (st.isLink()) {
    const target = fs.readlink(from);
    if (target == null) return 1;
    fs.unlink(to);
    const err = fs.symlink(target, to);
    if (err != 0) { report(prog, "cannot create symbolic link '" + to + "'", err); return 1; }
    return 0;
  }
  if (!st.isDir()) return copyFile(from, to, prog);
  if (!recursive) { warn(prog, "-r not specified; omitting directory '" + from + "'"); return 1; }
  const err = fs.mkdir(to);
  if (err != 0 && err != EEXIST) { report(prog, "cannot create directory '" + to + "'", err); return 1; }
  const names = fs.listNames(from);
  let status = 0;
  if (names != null) for (let i = 0; i < names.length; i++) status |= copyTree(join(from, names[i]), join(to, names[i]), true, prog);
  return status;
}

/** Where SOURCE goes for cp/mv/ln: into DEST if it is a directory. */
function destination(source: string, dest: string, many: bool): string {
  const st = fs.stat(dest);
  if (st != null && st.isDir()) return join(dest, basename(source));
  return dest;
}

/** cp [-r] [-f] SOURCE... DEST */
export function cpMain(args: string[]): i32 {
  const o = getopt(args, "rRfapv");
  if (o.error != "") return usage("cp", o.error);
  if (o.operands.length < 2) return usage("cp", o.operands.length == 0 ? "missing file operand" : "missing destination file operand after '" + o.operands[0] + "'");
  const dest = o.operands[o.operands.length - 1];
  let status = 0;
  for (let i = 0; i < o.operands.length - 1; i++) {
    status |= copyTree(o.operands[i], destination(o.operands[i], dest, o.operands.length > 2), o.has("r") || o.has("R") || o.has("a"), "cp");
  }
  return status;
}

/** mv SOURCE... DEST */
export function mvMain(args: string[]): i32 {
  const o = getopt(args, "fiv");
  if (o.error != "") return usage("mv", o.error);
  if (o.operands.length < 2) return usage("mv", o.operands.length == 0 ? "missing file operand" : "missing destination file operand after '" + o.operands[0] + "'");
  const dest = o.operands[o.operands.length - 1];
  let status = 0;
  for (let i = 0; i < o.operands.length - 1; i++) {
    const from = o.operands[i];
    const to = destination(from, dest, o.operands.length > 2);
    let err = fs.rename(from, to);
    if (err == EXDEV) { err = copyTree(from, to, true, "mv") == 0 ? (removeTree(from, true, true) == 0 ? 0 : EXDEV) : EXDEV; }
    if (err != 0) { warn("mv", "cannot move '" + from + "' to '" + to + "': " + strerror(err)); status = 1; }
  }
  return status;
}

/** ln [-s] [-f] TARGET LINK_NAME */
export function lnMain(args: string[]): i32 {
  const o = getopt(args, "sfnv");
  if (o.error != "") return usage("ln", o.error);
  if (o.operands.length < 1) return usage("ln", "missing file operand");
  const target = o.operands[0];
  const link = o.operands.length > 1 ? destination(target, o.operands[1], false) : basename(target);
  if (o.has("f")) fs.unlink(link);
  const err = o.has("s") ? fs.symlink(target, link) : fs.link(target, link);
  if (err != 0) { warn("ln", "failed to create " + (o.has("s") ? "symbolic " : "hard ") + "link '" + link + "': " + strerror(err)); return 1; }
  return 0;
}

/** touch [-c] FILE... */
export function touchMain(args: string[]): i32 {
  const o = getopt(args, "camd:r:t:h");
  if (o.error != "") return usage("touch", o.error);
  if (o.operands.length == 0) return usage("touch", "missing file operand");
  // -d DATE, -t [[CC]YY]MMDDhhmm[.ss] or -r FILE set a given time instead of now (-1).
  let when: i64 = -1;
  if (o.has("d")) {
    const secs = parseDate(o.value("d", ""), proc.nowNs() / 1000000000);
    if (secs == I64.MIN_VALUE) return usage("touch", "invalid date format '" + o.value("d", "") + "'");
    when = secs * 1000000000;
  } else if (o.has("t")) {
    const secs = parseStamp(o.value("t", ""));
    if (secs == I64.MIN_VALUE) return usage("touch", "invalid date format '" + o.value("t", "") + "'");
    when = secs * 1000000000;
  } else if (o.has("r")) {
    const ref = fs.stat(o.value("r", ""));
    if (ref == null) { warn("touch", "failed to get attributes of '" + o.value("r", "") + "': " + strerror(lastError)); return 1; }
    when = <i64>ref.mtim;
  }
  let status = 0;
  for (let i = 0; i < o.operands.length; i++) {
    const path = o.operands[i];
    const existing = fs.stat(path);
    if (existing == null) {
      if (o.has("c")) continue;
      const fd = fs.open(path, wasi.O_CREAT, 0, true);
      if (fd < 0) { warn("touch", "cannot touch '" + path + "': " + strerror(lastError)); status = 1; continue; }
      fs.close(fd);
    }
    const onlyA = o.has("a") && !o.has("m");
    const onlyM = o.has("m") && !o.has("a");
    const keepA: i64 = existing != null ? <i64>existing.atim : when;
    const keepM: i64 = existing != null ? <i64>existing.mtim : when;
    const err = fs.utimes(path, onlyM ? keepA : when, onlyA ? keepM : when);
    if (err != 0) { warn("touch", "setting times of '" + path + "': " + strerror(err)); status = 1; }
  }
  return status;
}

/** touch -t: [[CC]YY]MMDDhhmm[.ss] in UTC; I64.MIN_VALUE if malformed. */
function parseStamp(s: string): i64 {
  let main = s; let secs = "00";
  const dot = s.indexOf(".");
  if (dot >= 0) { main = s.substring(0, dot); secs = s.substring(dot + 1); }
  if (secs.length != 2 || (main.length != 8 && main.length != 10 && main.length != 12)) return I64.MIN_VALUE;
  let year = "";
  if (main.length == 12) { year = main.substring(0, 4); main = main.substring(4); }
  else if (main.length == 10) { const yy = main.substring(0, 2); year = (I32.parseInt(yy) < 69 ? "20" : "19") + yy; main = main.substring(2); }
  else year = formatIso(proc.nowNs() / 1000000000).substring(0, 4);
  return parseDate(year + "-" + main.substring(0, 2) + "-" + main.substring(2, 4) + " " + main.substring(4, 6) + ":" + main.substring(6, 8) + ":" + secs, 0);
}

/** stat FILE... */
export function statMain(args: string[]): i32 {
  const o = getopt(args, "Lc:");
  if (o.error != "") return usage("stat", o.error);
  if (o.operands.length == 0) return usage("stat", "missing operand");
  const names = new UserNames();
  let status = 0;
  for (let i = 0; i < o.operands.length; i++) {
    const path = o.operands[i];
    const st = o.has("L") ? fs.stat(path) : fs.lstat(path);
    if (st == null) { warn("stat", "cannot statx '" + path + "': " + strerror(lastError)); status = 1; continue; }
    const m = o.has("L") ? fs.modeOf(path, true) : lmodeOf(path, st);
    const mode = m != null ? m : lmodeOf(path, st);
    if (o.has("c")) { stdout.line(statFormat(o.value("c", ""), path, st, mode, names)); continue; }
    let name = "'" + path + "'";
    if (st.isLink()) { const t = fs.readlink(path); if (t != null) name += " -> '" + t + "'"; }
    stdout.str("  File: ").line(name);
    stdout.str("  Size: ").str(st.size.toString()).str("\tBlocks: ").str(((st.size + 511) / 512).toString()).str("\tIO Block: 4096   ").line(typeName(st));
    stdout.str("Device: ").str(st.dev.toString()).str("\tInode: ").str(st.ino.toString()).str("\tLinks: ").line(st.nlink.toString());
    stdout.str("Access: (").str(octal4(mode.mode)).str("/").str(modeString(st, mode.mode)).str(")  Uid: (").pad(mode.uid.toString(), 5).str("/").pad(names.user(mode.uid), 8)
      .str(")   Gid: (").pad(mode.gid.toString(), 5).str("/").pad(names.group(mode.gid), 8).line(")");
    stdout.str("Access: ").line(formatDate(<i64>(st.atim / 1000000000), false));
    stdout.str("Modify: ").line(formatDate(<i64>(st.mtim / 1000000000), false));
    stdout.str("Change: ").line(formatDate(<i64>(st.ctim / 1000000000), false));
  }
  return status;
}

/** Permission bits as stat's %a... "0644" (four octal digits). */
function octal4(mode: u32): string {
  let out = "";
  for (let i = 3; i >= 0; i--) out += ((mode >> (<u32>i * 3)) & 7).toString();
  return out;
}

function statFormat(fmt: string, path: string, st: Stat, mode: fs.FileMode, names: UserNames): string {
  let out = "";
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt.charAt(i);
    if (c != "%" || i + 1 >= fmt.length) { out += c; continue; }
    const f = fmt.charAt(++i);
    if (f == "n") out += path;
    else if (f == "s") out += st.size.toString();
    else if (f == "F") out += typeName(st);
    else if (f == "i") out += st.ino.toString();
    else if (f == "h") out += st.nlink.toString();
    else if (f == "Y") out += (st.mtim / 1000000000).toString();
    else if (f == "A") out += modeString(st, mode.mode);
    else if (f == "a") { const a = octal4(mode.mode); let k = 0; while (k < 3 && a.charAt(k) == "0") k++; out += a.substring(k); }
    else if (f == "u") out += mode.uid.toString();
    else if (f == "g") out += mode.gid.toString();
    else if (f == "U") out += names.user(mode.uid);
    else if (f == "G") out += names.group(mode.gid);
    else if (f == "%") out += "%";
    else out += "%" + f;
  }
  return out;
}

/** readlink [-f] FILE */
export function readlinkMain(args: string[]): i32 {
  const o = getopt(args, "fenv");
  if (o.operands.length == 0) return usage("readlink", "missing operand");
  let status = 0;
  for (let i = 0; i < o.operands.length; i++) {
    const path = o.operands[i];
    if (o.has("f") || o.has("e")) { const r = canonical(path, 0); if (r == null) { status = 1; continue; } stdout.line(r); continue; }
    const t = fs.readlink(path);
    if (t == null) { status = 1; continue; }
    stdout.line(t);
  }
  return status;
}

/** Resolves every symlink in path (readlink -f). */
export function canonical(path: string, depth: i32): string | null {
  if (depth > 40) return null;
  const parts = fs.absolute(path).split("/");
  let cur = "/";
  for (let i = 1; i < parts.length; i++) {
    if (parts[i].length == 0) continue;
    const next = join(cur, parts[i]);
    const st = fs.lstat(next);
    if (st != null && st.isLink()) {
      const t = fs.readlink(next)!;
      const resolved = canonical(t.startsWith("/") ? t : join(cur, t), depth + 1);
      if (resolved == null) return null;
      cur = resolved;
    } else cur = next;
  }
  return fs.absolute(cur);
}

/** Formats bytes as 1.5K, 20M ... (as -h does). */
export function humanSize(bytes: i64): string {
  if (bytes < 1024) return bytes.toString();
  const units = ["K", "M", "G", "T"];
  let v = <f64>bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < 3) { v /= 1024; u++; }
  // Rounded up as GNU does: one decimal below 10, and 1023.5M shows as 1.0G.
  if (v < 10 && Math.ceil(v * 10) < 100) return (Math.ceil(v * 10) / 10).toString() + units[u];
  if (v < 10) return "10" + units[u];
  const whole = <i64>Math.ceil(v);
  if (whole >= 1024 && u < 3) return "1.0" + units[u + 1];
  return whole.toString() + units[u];
}

