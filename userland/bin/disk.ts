// df and du in GNU coreutils' formats: df's columns sized to their widest value (Filesystem
// 1K-blocks Used Available Use% Mounted on, or -h sizes), du's "SIZE<TAB>PATH" with -s -a -c -h -d.
import { stdout, warn } from "../lib/io";
import { getopt, parseIntOr } from "../lib/opts";
import { usage, report } from "../lib/cmd";
import * as fs from "../lib/fs";
import { strerror } from "../lib/errno";
import { join } from "../lib/path";
import * as k from "../lib/wasmbox";
import { humanSize } from "./files";

/** One mount of /proc/mounts. */
class Mount {
  constructor(public source: string, public path: string, public type: string) {}
}

function mounts(): Mount[] {
  const out = new Array<Mount>();
  const data = fs.readFile("/proc/mounts");
  if (data == null) { out.push(new Mount("rootfs", "/", "overlay")); return out; }
  const lines = String.UTF8.decode(data.buffer).split("\n");
  for (let i = 0; i < lines.length; i++) {
    const f = lines[i].split(" ");
    if (f.length >= 3) out.push(new Mount(f[0], f[1], f[2]));
  }
  return out;
}

/** The mount holding an absolute path: the one with the longest mount point above it. */
function mountOf(list: Mount[], path: string): Mount {
  let best = list[0];
  for (let i = 0; i < list.length; i++) {
    const p = list[i].path;
    if ((p == "/" || path == p || path.startsWith(p + "/")) && p.length >= best.path.length) best = list[i];
  }
  return best;
}

function left(s: string, width: i32): string { let out = s; while (out.length < width) out += " "; return out; }
function right(s: string, width: i32): string { let out = s; while (out.length < width) out = " " + out; return out; }

/** df [-h] [-k] [-T] [-a] [-P] [FILE]... */
export function dfMain(args: string[]): i32 {
  const o = getopt(args, "hkTaPB:");
  if (o.error != "") return usage("df", o.error);
  const human = o.has("h");
  const list = mounts();
  const chosen = new Array<Mount>();
  let status = 0;
  if (o.operands.length == 0) {
    for (let i = 0; i < list.length; i++) chosen.push(list[i]);
  } else {
    for (let i = 0; i < o.operands.length; i++) {
      if (fs.stat(o.operands[i]) == null) { warn("df", o.operands[i] + ": " + strerror(fs.lastError)); status = 1; continue; }
      chosen.push(mountOf(list, fs.absolute(o.operands[i])));
    }
  }
  const rows = new Array<string[]>();
  const buf = heap.alloc(32);
  for (let i = 0; i < chosen.length; i++) {
    const m = chosen[i];
    const fd = fs.open(m.path);
    if (fd < 0) { report("df", m.path, fs.lastError); status = 1; continue; }
    const err = k.sys_statvfs(<u32>fd, buf);
    fs.close(fd);
    if (err != 0) { report("df", m.path, err); status = 1; continue; }
    const total = load<i64>(buf);
    const used = load<i64>(buf, 8);
    // Like GNU df: pseudo filesystems (no blocks) only with -a or when named.
    if (total == 0 && !o.has("a") && o.operands.length == 0) continue;
    const avail = total > used ? total - used : 0;
    const pct = used + avail > 0 ? ((used * 100 + used + avail - 1) / (used + avail)).toString() + "%" : "-";
    const size = (v: i64, h: bool): string => h ? humanSize(v) : ((v + 1023) / 1024).toString();
    rows.push([m.source, m.type, size(total, human), size(used, human), size(avail, human), pct, m.path]);
  }
  heap.free(buf);
  const headers = ["Filesystem", "Type", human ? "Size" : "1K-blocks", "Used", human ? "Avail" : "Available", o.has("P") ? "Capacity" : "Use%", "Mounted on"];
  const widths = [14, 4, 5, 5, 5, 4, 0];
  for (let c = 0; c < 7; c++) widths[c] = max(widths[c], headers[c].length);
  for (let r = 0; r < rows.length; r++) for (let c = 0; c < 7; c++) widths[c] = max(widths[c], rows[r][c].length);
  const all = new Array<string[]>();
  all.push(headers);
  for (let r = 0; r < rows.length; r++) all.push(rows[r]);
  for (let r = 0; r < all.length; r++) {
    const row = all[r];
    let line = left(row[0], widths[0]);
    if (o.has("T")) line += " " + left(row[1], widths[1]);
    for (let c = 2; c < 6; c++) line += " " + right(row[c], widths[c]);
    stdout.line(line + " " + row[6]);
  }
  return status;
}

// du's options for the walk (AssemblyScript has no closures).
class DuOptions {
  all: bool = false;
  summary: bool = false;
  human: bool = false;
  bytes: bool = false;
  maxDepth: i32 = -1;
}

/** Disk use of one file: its size in bytes (-b), else in 1 KiB blocks rounded up. */
function use(st: fs.Stat, d: DuOptions): i64 {
  if (d.bytes) return <i64>st.size;
  return st.isDir() ? 4 : <i64>((st.size + 1023) / 1024);
}

function printUse(amount: i64, path: string, d: DuOptions): void {
  stdout.str(d.human ? humanSize(d.bytes ? amount : amount * 1024) : amount.toString()).byte(9).line(path);
}

/** Walks path depth first, printing directories (and with -a files) after what they hold; returns the total or -1. */
function duWalk(path: string, d: DuOptions, depth: i32, seen: Set<string>): i64 {
  const st = fs.lstat(path);
  if (st == null) { warn("du", "cannot access '" + path + "': " + strerror(fs.lastError)); return -1; }
  // A file with several links, or a directory named twice, is counted once, as GNU du does.
  if (st.nlink > 1 || st.isDir()) {
    const key = st.dev.toString() + ":" + st.ino.toString();
    if (seen.has(key)) return 0;
    seen.add(key);
  }
  let total = use(st, d);
  const shown = !d.summary && (d.maxDepth < 0 || depth <= d.maxDepth);
  if (st.isDir()) {
    const names = fs.listNames(path);
    if (names == null) warn("du", "cannot read directory '" + path + "': " + strerror(fs.lastError));
    else for (let i = 0; i < names.length; i++) {
      const sub = duWalk(join(path, names[i]), d, depth + 1, seen);
      if (sub > 0) total += sub;
    }
    if (shown) printUse(total, path, d);
  } else if (shown && (d.all || depth == 0)) printUse(total, path, d);
  return total;
}

/** du [-s] [-a] [-c] [-h] [-k] [-b] [-d N] [PATH]... */
export function duMain(args: string[]): i32 {
  const plain = new Array<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a == "--apparent-size") continue;
    if (a == "--bytes") plain.push("-b");
    else if (a == "--summarize") plain.push("-s");
    else if (a == "--total") plain.push("-c");
    else if (a == "--human-readable") plain.push("-h");
    else if (a.startsWith("--max-depth=")) { plain.push("-d"); plain.push(a.substring(12)); }
    else plain.push(a);
  }
  const o = getopt(plain, "sahkcbd:xLP");
  if (o.error != "") return usage("du", o.error);
  const d = new DuOptions();
  d.all = o.has("a"); d.summary = o.has("s"); d.human = o.has("h"); d.bytes = o.has("b");
  if (o.has("d")) {
    d.maxDepth = <i32>parseIntOr(o.value("d", ""), -1);
    if (d.maxDepth < 0) return usage("du", "invalid maximum depth '" + o.value("d", "") + "'");
  }
  if (d.all && d.summary) return usage("du", "cannot both summarize and show all entries");
  const operands = o.operands.length > 0 ? o.operands : ["."];
  let status = 0;
  let grand: i64 = 0;
  const seen = new Set<string>();
  for (let i = 0; i < operands.length; i++) {
    const total = duWalk(operands[i], d, 0, seen);
    if (total < 0) { status = 1; continue; }
    grand += total;
    if (d.summary) printUse(total, operands[i], d);
  }
  if (o.has("c")) printUse(grand, "total", d);
  return status;
}
