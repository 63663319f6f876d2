// ls in GNU coreutils' formats: names one a line, or -l long lines (mode, links, owner, group,
// size, "Mon DD HH:MM" or "Mon DD  YYYY", name, -> target) in columns as wide as the widest entry.
import { stdout, stderr, warn } from "../lib/io";
import { getopt, expandLong, parseIntOr, Options } from "../lib/opts";
import { getenv } from "../lib/env";
import { usage } from "../lib/cmd";
import * as fs from "../lib/fs";
import { FileMode, Stat, lastError } from "../lib/fs";
import { strerror } from "../lib/errno";
import { join } from "../lib/path";
import * as wasi from "../lib/wasi";
import * as proc from "../lib/proc";
import { UserNames } from "../lib/users";
import { civil } from "./system";
import { humanSize } from "./files";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** GNU ls shows the year instead of the time for files older than half a Gregorian year. */
const HALF_YEAR_SECS: i64 = 31556952 / 2;

/** The type letter ls -l and stat show first. */
function typeChar(st: Stat): string {
  if (st.isDir()) return "d";
  if (st.isLink()) return "l";
  if (st.type == wasi.FILETYPE_CHARACTER_DEVICE) return "c";
  if (st.type == wasi.FILETYPE_BLOCK_DEVICE) return "b";
  if (st.type == wasi.FILETYPE_SOCKET_STREAM || st.type == wasi.FILETYPE_SOCKET_DGRAM) return "s";
  if (st.isFile()) return "-";
  return "p";
}

/** "drwxr-xr-x": the type and the permission bits, with s/S, t/T for setuid, setgid and sticky. */
export function modeString(st: Stat, mode: u32): string {
  let out = typeChar(st);
  const letters = "rwxrwxrwx";
  for (let i = 0; i < 9; i++) {
    const on = (mode & (<u32>1 << <u32>(8 - i))) != 0;
    let c = on ? letters.charAt(i) : "-";
    if (i == 2 && (mode & 0o4000) != 0) c = on ? "s" : "S";
    if (i == 5 && (mode & 0o2000) != 0) c = on ? "s" : "S";
    if (i == 8 && (mode & 0o1000) != 0) c = on ? "t" : "T";
    out += c;
  }
  return out;
}

/** The mode of a file ls cannot ask for (the kernel call failed): what its type usually has. */
export function fallbackMode(st: Stat): FileMode {
  if (st.isDir()) return new FileMode(0o755, 0, 0);
  if (st.isLink()) return new FileMode(0o777, 0, 0);
  if (st.type == wasi.FILETYPE_CHARACTER_DEVICE) return new FileMode(0o666, 0, 0);
  return new FileMode(0o644, 0, 0);
}

/** The mode and owner of path (not following a final symlink). */
export function lmodeOf(path: string, st: Stat): FileMode {
  const m = fs.modeOf(path, false);
  return m != null ? m : fallbackMode(st);
}

/** "Dec  1 23:40" for a recent time, "Dec  1  2025" for one over half a year old or in the future. */
export function lsDate(secs: i64, now: i64): string {
  const c = civil(secs);
  const day = c[2] < 10 ? " " + c[2].toString() : c[2].toString();
  const recent = secs > now - HALF_YEAR_SECS && secs <= now;
  if (recent) return MONTHS[<i32>c[1] - 1] + " " + day + " " + (c[3] < 10 ? "0" : "") + c[3].toString() + ":" + (c[4] < 10 ? "0" : "") + c[4].toString();
  return MONTHS[<i32>c[1] - 1] + " " + day + "  " + c[0].toString();
}

/** One entry to list: its name as shown, its path, and what lstat gave. */
class Entry {
  mode: FileMode | null = null;
  constructor(public name: string, public path: string, public st: Stat) {}
}

function byName(a: Entry, b: Entry): i32 { return fs.compareStrings(a.name, b.name); }
function byTime(a: Entry, b: Entry): i32 { return a.st.mtim > b.st.mtim ? -1 : a.st.mtim < b.st.mtim ? 1 : fs.compareStrings(a.name, b.name); }
function bySize(a: Entry, b: Entry): i32 { return a.st.size > b.st.size ? -1 : a.st.size < b.st.size ? 1 : fs.compareStrings(a.name, b.name); }

/** The listing options, and what every long line shares (names of owners, the time now). */
class Lister {
  names: UserNames | null = null;
  now: i64 = proc.nowNs() / 1000000000;
  sortBy: string;
  constructor(public o: Options) {
    this.sortBy = o.has("U") || o.has("f") ? "U" : o.has("t") ? "t" : o.has("S") ? "S" : "n";
  }
  /** --full-time: long lines with the whole time (2026-12-02 07:01:07.123456789 +0000). */
  fullTime: bool = false;
  get long(): bool { return this.fullTime || this.o.has("l") || this.o.has("n") || this.o.has("g") || this.o.has("o"); }

  /** A name as -Q shows it (in double quotes, " and \\ escaped), else as it is. */
  quoted(name: string): string {
    if (!this.o.has("Q")) return name;
    let out = "\"";
    for (let i = 0; i < name.length; i++) {
      const c = name.charAt(i);
      out += c == "\"" ? "\\\"" : c == "\\" ? "\\\\" : c == "\n" ? "\\n" : c == "\t" ? "\\t" : c;
    }
    return out + "\"";
  }

  sort(entries: Entry[]): void {
    if (this.sortBy == "U") return;
    if (this.sortBy == "t") entries.sort(byTime);
    else if (this.sortBy == "S") entries.sort(bySize);
    else entries.sort(byName);
    if (this.o.has("r")) entries.reverse();
  }

  /** The classify suffix of -F (/ * @ | =) or -p (/). */
  suffix(e: Entry): string {
    const o = this.o;
    if (!o.has("F") && !o.has("p")) return "";
    if (e.st.isDir()) return "/";
    if (!o.has("F")) return "";
    if (e.st.isLink()) return "@";
    if (e.st.type == wasi.FILETYPE_SOCKET_STREAM || e.st.type == wasi.FILETYPE_SOCKET_DGRAM) return "=";
    if (e.st.isFile() && e.mode != null && (e.mode!.mode & 0o111) != 0) return "*";
    return "";
  }

  /** Prints entries: one name a line, or long lines with aligned columns. */
  print(entries: Entry[]): void {
    const o = this.o;
    if (!this.long) {
      // The names as shown: inode, blocks, the quoted name and its classify suffix.
      const shown = new Array<string>();
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        if (o.has("F")) e.mode = lmodeOf(e.path, e.st);
        let text = "";
        if (o.has("i")) text += e.st.ino.toString() + " ";
        if (o.has("s")) text += blocksOf(e.st).toString() + " ";
        shown.push(text + this.quoted(e.name) + this.suffix(e));
      }
      if (o.has("m")) { printCommas(shown); return; }
      if (o.has("C") || o.has("x")) { printColumns(shown, o.has("x")); return; }
      for (let i = 0; i < shown.length; i++) stdout.line(shown[i]);
      return;
    }
    if (this.names == null) this.names = new UserNames();
    const names = this.names!;
    const numeric = o.has("n");
    const owners = new Array<string>(entries.length);
    const groups = new Array<string>(entries.length);
    const sizes = new Array<string>(entries.length);
    let wLinks = 0, wOwner = 0, wGroup = 0, wSize = 0, wIno = 0, wBlocks = 0;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      e.mode = lmodeOf(e.path, e.st);
      const m = e.mode!;
      owners[i] = numeric ? m.uid.toString() : names.user(m.uid);
      groups[i] = numeric ? m.gid.toString() : names.group(m.gid);
      sizes[i] = o.has("h") ? humanSize(<i64>e.st.size) : e.st.size.toString();
      wLinks = max(wLinks, e.st.nlink.toString().length);
      wOwner = max(wOwner, owners[i].length);
      wGroup = max(wGroup, groups[i].length);
      wSize = max(wSize, sizes[i].length);
      wIno = max(wIno, e.st.ino.toString().length);
      wBlocks = max(wBlocks, blocksOf(e.st).toString().length);
    }
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (o.has("i")) stdout.pad(e.st.ino.toString(), wIno).byte(32);
      if (o.has("s")) stdout.pad(blocksOf(e.st).toString(), wBlocks).byte(32);
      stdout.str(modeString(e.st, e.mode!.mode)).byte(32).pad(e.st.nlink.toString(), wLinks).byte(32);
      if (!o.has("g")) { stdout.str(owners[i]); for (let k = owners[i].length; k < wOwner; k++) stdout.byte(32); stdout.byte(32); }
      if (!o.has("o")) { stdout.str(groups[i]); for (let k = groups[i].length; k < wGroup; k++) stdout.byte(32); stdout.byte(32); }
      const when = this.fullTime ? fullTime(e.st.mtim) : lsDate(<i64>(e.st.mtim / 1000000000), this.now);
      stdout.pad(sizes[i], wSize).byte(32).str(when).byte(32).str(this.quoted(e.name));
      if (e.st.isLink()) { const t = fs.readlink(e.path); if (t != null) stdout.str(" -> ").str(t); }
      else stdout.str(this.suffix(e));
      stdout.byte(10);
    }
  }
}

/** The 1 KiB blocks -s and the total line show for a file: its size in 4 KiB blocks, as on the host's filesystems (a symlink none). */
function blocksOf(st: Stat): u64 {
  if (st.isDir()) return 4;
  if (st.isLink()) return 0;
  return (st.size + 4095) / 4096 * 4;
}

/** Pads from column `from` to `to` with tabs where a tab stop (every 8) is on the way, then spaces: GNU ls's indent(). */
function indent(from: i32, to: i32): string {
  let out = "";
  let pos = from;
  while (pos < to) {
    if (to / 8 > (pos + 1) / 8) { out += "\t"; pos += 8 - pos % 8; }
    else { out += " "; pos++; }
  }
  return out;
}

/** --full-time's time: "2026-12-02 07:01:07.123456789 +0000". */
function fullTime(ns: u64): string {
  const secs = <i64>(ns / 1000000000);
  const c = civil(secs);
  let frac = (ns % 1000000000).toString();
  while (frac.length < 9) frac = "0" + frac;
  const two = (v: i64): string => (v < 10 ? "0" : "") + v.toString();
  return c[0].toString() + "-" + two(c[1]) + "-" + two(c[2]) + " " + two(c[3]) + ":" + two(c[4]) + ":" + two(c[5]) + "." + frac + " +0000";
}

/** -m: names separated by ", ", a line ending before a name that would reach the width (80 or $COLUMNS). */
function printCommas(names: string[]): void {
  if (names.length == 0) return;
  const env = getenv("COLUMNS");
  let width = env != null ? <i32>parseIntOr(env!, 80) : 80;
  if (width <= 0) width = 80;
  let pos = 0;
  for (let i = 0; i < names.length; i++) {
    const len = names[i].length;
    if (i > 0) {
      if (pos + len + 2 < width) { stdout.str(", "); pos += 2; }
      else { stdout.str(",\n"); pos = 0; }
    }
    stdout.str(names[i]);
    pos += len;
  }
  stdout.byte(10);
}

/** -C (down the columns) and -x (across): as many columns as fit in $COLUMNS (80), two spaces apart, as GNU ls. */
function printColumns(names: string[], across: bool): void {
  if (names.length == 0) return;
  const env = getenv("COLUMNS");
  let width = env != null ? <i32>parseIntOr(env!, 80) : 80;
  if (width <= 0) width = 80;
  let cols = names.length;
  let rows = 1;
  let widths = new Array<i32>(0);
  for (; cols >= 1; cols--) {
    rows = (names.length + cols - 1) / cols;
    if (cols > 1 && (rows - 1) * cols >= names.length && !across) continue;
    widths = new Array<i32>(cols);
    for (let i = 0; i < names.length; i++) { const c = across ? i % cols : i / rows; if (c < cols) widths[c] = max(widths[c], names[i].length); }
    let total = 0;
    for (let c = 0; c < cols; c++) total += widths[c] + (c < cols - 1 ? 2 : 0);
    if (total <= width || cols == 1) break;
  }
  for (let r = 0; r < rows; r++) {
    let line = "";
    let pos = 0;
    for (let c = 0; c < cols; c++) {
      const i = across ? r * cols + c : c * rows + r;
      if (i >= names.length) continue;
      const next = across ? r * cols + c + 1 : (c + 1) * rows + r;
      line += names[i];
      if (c < cols - 1 && next < names.length) { line += indent(pos + names[i].length, pos + widths[c] + 2); }
      pos += widths[c] + 2;
    }
    stdout.line(line);
  }
}

/** ls [-1aAdFhilnogpRrStUsQmCxL] [--full-time] [FILE]... */
export function lsMain(argList: string[]): i32 {
  const args = new Array<string>();
  let fullTimes = false;
  for (let i = 0; i < argList.length; i++) {
    const a = argList[i];
    if (a == "--full-time") { fullTimes = true; continue; }
    if (a == "--color" || a.startsWith("--color=") || a == "--group-directories-first" || a == "--time-style=locale" || a == "--show-control-chars") continue;
    if (a == "--time-style=full-iso") { fullTimes = true; continue; }
    args.push(a);
  }
  const longError = expandLong(args, "", ["all=a", "almost-all=A", "directory=d", "classify=F", "human-readable=h", "inode=i", "numeric-uid-gid=n",
    "recursive=R", "reverse=r", "size=s", "quote-name=Q", "dereference=L", "literal=N"]);
  if (longError != "") { warn("ls", longError); stderr.line("Try 'ls --help' for more information.").flush(); return 2; }
  const o = getopt(args, "laA1RdhtrSUfFinogpCxsQmLN");
  if (o.error != "") { warn("ls", o.error); stderr.line("Try 'ls --help' for more information.").flush(); return 2; }
  const ls = new Lister(o);
  ls.fullTime = fullTimes;
  const operands = o.operands.length > 0 ? o.operands : ["."];
  let status = 0;
  const files = new Array<Entry>();
  const dirs = new Array<Entry>();
  for (let i = 0; i < operands.length; i++) {
    const path = operands[i];
    const lst = o.has("L") ? fs.stat(path) : fs.lstat(path);
    if (lst == null) { warn("ls", "cannot access '" + path + "': " + strerror(lastError)); status = 2; continue; }
    // A symlink named on the command line is followed, as GNU ls does unless -l, -d or -F shows the link itself.
    let st = lst;
    if (lst.isLink() && !ls.long && !o.has("d") && !o.has("F")) { const t = fs.stat(path); if (t != null) st = t; }
    if (st.isDir() && !o.has("d")) dirs.push(new Entry(path, path, st)); else files.push(new Entry(path, path, st));
  }
  ls.sort(files);
  ls.sort(dirs);
  ls.print(files);
  const header = dirs.length + files.length > 1 || o.has("R") || status != 0;
  for (let i = 0; i < dirs.length; i++) {
    if (i > 0 || files.length > 0) stdout.byte(10);
    if (listDir(ls, dirs[i].path, header) != 0) status = 2;
  }
  return status;
}

function listDir(ls: Lister, dir: string, header: bool): i32 {
  const o = ls.o;
  const names = fs.listNames(dir);
  if (names == null) { warn("ls", "cannot open directory '" + dir + "': " + strerror(lastError)); return 2; }
  if (header) stdout.str(dir).line(":");
  const all = o.has("a") || o.has("f") ? [".", ".."].concat(names) : names;
  const entries = new Array<Entry>();
  for (let i = 0; i < all.length; i++) {
    const name = all[i];
    if (!o.has("a") && !o.has("f") && name.startsWith(".") && !o.has("A")) continue;
    const path = join(dir, name);
    let st = o.has("L") ? fs.stat(path) : fs.lstat(path);
    if (st == null && o.has("L")) st = fs.lstat(path);
    // `..` of a sandbox's root (a preopen, as wasmtime's) cannot be reached: it is the root itself, as `/..` is `/`.
    if (st == null && name == "..") st = fs.lstat(dir);
    if (st == null) { warn("ls", "cannot access '" + path + "': " + strerror(lastError)); continue; }
    entries.push(new Entry(name, path, st));
  }
  ls.sort(entries);
  if (ls.long) {
    let blocks: u64 = 0;
    for (let i = 0; i < entries.length; i++) blocks += blocksOf(entries[i].st);
    stdout.str("total ").line(o.has("h") ? humanSize(<i64>blocks * 1024) : blocks.toString());
  }
  ls.print(entries);
  let status = 0;
  if (o.has("R")) {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.name == "." || e.name == ".." || !e.st.isDir()) continue;
      stdout.byte(10);
      if (listDir(ls, e.path, true) != 0) status = 2;
    }
  }
  return status;
}
