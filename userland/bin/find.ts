// find: walks directory trees evaluating a GNU/POSIX expression (tests, operators ! -a -o ( ),
// actions -print -print0 -printf -ls -delete -exec {} ; and {} + -prune -quit) for each file.

import { replaceAll } from "../lib/strings";
import { stdout, stderr, warn } from "../lib/io";
import * as fs from "../lib/fs";
import { Stat } from "../lib/fs";
import { basename, fnmatch } from "../lib/path";
import { strerror } from "../lib/errno";
import * as proc from "../lib/proc";
import { compile, regexError, Regex } from "../lib/regex";
import { runAndWait, strftime, parseDate } from "./system";
import { UserNames, access } from "../lib/users";
import { parseMode, applyMode } from "./perm";
import { modeString, lsDate } from "./ls";

const N_AND = 0; const N_OR = 1; const N_NOT = 2; const N_TRUE = 3; const N_FALSE = 4;
const N_NAME = 5; const N_INAME = 6; const N_PATH = 7; const N_IPATH = 8; const N_TYPE = 9;
const N_SIZE = 10; const N_MTIME = 11; const N_MMIN = 12; const N_NEWER = 13; const N_EMPTY = 14;
const N_PRUNE = 15; const N_PRINT = 16; const N_PRINT0 = 17; const N_DELETE = 18; const N_EXEC = 19;
const N_EXECPLUS = 20; const N_QUIT = 21; const N_LINKS = 22; const N_PRINTF = 23; const N_ATIME = 24;
const N_AMIN = 25; const N_REGEX = 26; const N_COMMA = 27; const N_PERM = 28; const N_UID = 29; const N_GID = 30;
const N_NOUSER = 31; const N_NOGROUP = 32; const N_ACCESS = 33; const N_LS = 34; const N_CTIME = 35; const N_CMIN = 36;
const N_INUM = 37;
/** Which of a file's times a test reads (FindNode.unit for -newer and its kin). */
const T_MODIFIED = 0; const T_ACCESSED = 1; const T_CHANGED = 2;

class FindNode {
  kids: FindNode[] = [];
  text: string = "";
  cmp: i32 = 0;        // -1 less than, 0 exactly, 1 more than
  num: i64 = 0;
  unit: i64 = 512;
  args: string[] = [];
  batch: string[] = [];
  regex: Regex | null = null;
  constructor(public kind: i32) {}
}

class Find {
  pos: i32 = 0;
  error: string = "";
  hasAction: bool = false;
  maxDepth: i32 = 1 << 30;
  minDepth: i32 = 0;
  depthFirst: bool = false;
  follow: bool = false;
  status: i32 = 0;
  quit: bool = false;
  pruned: bool = false;
  nowSecs: i64 = proc.nowNs() / 1000000000;
  plusNodes: FindNode[] = [];
  users: UserNames | null = null;
  /** The starting point being walked (-printf's %H). */
  root: string = "";
  /** The mode and owner of the file being looked at, read once when a test needs them. */
  modePath: string = "";
  mode: fs.FileMode | null = null;
  constructor(public args: string[]) {}

  names(): UserNames {
    if (this.users == null) this.users = new UserNames();
    return this.users!;
  }

  modeFor(path: string, st: Stat): fs.FileMode {
    if (this.mode == null || this.modePath != path) {
      this.modePath = path;
      const m = fs.modeOf(path, this.follow);
      this.mode = m != null ? m : new fs.FileMode(st.isDir() ? 0o755 : st.isLink() ? 0o777 : 0o644, 0, 0);
    }
    return this.mode!;
  }

  more(): bool { return this.pos < this.args.length; }
  peek(): string { return this.args[this.pos]; }

  parseOr(): FindNode | null {
    let left = this.parseAnd();
    while (left != null && this.more() && (this.peek() == "-o" || this.peek() == "-or" || this.peek() == ",")) {
      const comma = this.peek() == ",";
      this.pos++;
      const right = this.parseAnd();
      if (right == null) { if (this.error == "") this.error = "expected an expression after '" + (comma ? "," : "-o") + "'"; return null; }
      const n = new FindNode(comma ? N_COMMA : N_OR);
      n.kids.push(left!); n.kids.push(right);
      left = n;
    }
    return left;
  }

  parseAnd(): FindNode | null {
    let left = this.parseNot();
    while (left != null && this.more()) {
      const t = this.peek();
      if (t == "-o" || t == "-or" || t == ")" || t == ",") break;
      if (t == "-a" || t == "-and") this.pos++;
      const right = this.parseNot();
      if (right == null) { if (this.error == "") this.error = "expected an expression after '" + t + "'"; return null; }
      const n = new FindNode(N_AND);
      n.kids.push(left!); n.kids.push(right);
      left = n;
    }
    return left;
  }

  parseNot(): FindNode | null {
    if (this.more() && (this.peek() == "!" || this.peek() == "-not")) {
      this.pos++;
      const inner = this.parseNot();
      if (inner == null) { if (this.error == "") this.error = "expected an expression after '!'"; return null; }
      const n = new FindNode(N_NOT);
      n.kids.push(inner);
      return n;
    }
    return this.parsePrimary();
  }

  value(name: string): string {
    if (this.pos >= this.args.length) { this.error = "missing argument to `" + name + "'"; return ""; }
    return this.args[this.pos++];
  }

  numeric(n: FindNode, name: string, s: string): bool {
    let t = s;
    n.cmp = 0;
    if (t.startsWith("+")) { n.cmp = 1; t = t.substring(1); }
    else if (t.startsWith("-")) { n.cmp = -1; t = t.substring(1); }
    if (n.kind == N_SIZE && t.length > 0) {
      const u = t.charAt(t.length - 1);
      const units = "cwbkMG";
      const at = units.indexOf(u);
      if (at >= 0) {
        const scale: i64[] = [1, 2, 512, 1024, 1048576, 1073741824];
        n.unit = scale[at];
        t = t.substring(0, t.length - 1);
      } else if (u.charCodeAt(0) < 48 || u.charCodeAt(0) > 57) { this.error = "invalid -size type `" + u + "'"; return false; }
    }
    if (t.length == 0) { this.error = "invalid argument `" + s + "' to `" + name + "'"; return false; }
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c < 48 || c > 57) { this.error = "invalid argument `" + s + "' to `" + name + "'"; return false; }
    }
    n.num = I64.parseInt(t);
    return true;
  }

  parsePrimary(): FindNode | null {
    if (!this.more()) return null;
    const t = this.args[this.pos++];
    if (t == "(") {
      const inner = this.parseOr();
      if (inner == null) { if (this.error == "") this.error = "invalid expression; empty parentheses are not allowed."; return null; }
      if (!this.more() || this.peek() != ")") { if (this.error == "") this.error = "invalid expression; I was expecting to find a ')' somewhere but did not see one."; return null; }
      this.pos++;
      return inner;
    }
    if (t == ")") { this.error = "you have too many ')'"; return null; }
    let n: FindNode;
    if (t == "-name" || t == "-iname" || t == "-path" || t == "-ipath" || t == "-wholename" || t == "-iwholename" || t == "-lname") {
      n = new FindNode(t == "-name" || t == "-lname" ? N_NAME : t == "-iname" ? N_INAME : t == "-path" || t == "-wholename" ? N_PATH : N_IPATH);
      n.text = this.value(t);
      if (n.kind == N_INAME || n.kind == N_IPATH) n.text = n.text.toLowerCase();
    } else if (t == "-regex") {
      n = new FindNode(N_REGEX); n.text = this.value(t);
      const re = compile("^\\(" + n.text + "\\)$", false, false);
      if (re == null) { this.error = "invalid regular expression '" + n.text + "': " + regexError; return null; }
      n.regex = re;
    } else if (t == "-type" || t == "-xtype") {
      n = new FindNode(N_TYPE);
      n.text = this.value(t);
      const kinds = n.text.split(",");
      for (let i = 0; i < kinds.length; i++) if (kinds[i].length != 1 || "fdlpscb".indexOf(kinds[i]) < 0) { this.error = "Unknown argument to -type: " + kinds[i]; return null; }
    } else if (t == "-size" || t == "-mtime" || t == "-mmin" || t == "-atime" || t == "-amin" || t == "-links") {
      n = new FindNode(t == "-size" ? N_SIZE : t == "-mtime" ? N_MTIME : t == "-mmin" ? N_MMIN : t == "-atime" ? N_ATIME : t == "-amin" ? N_AMIN : N_LINKS);
      const v = this.value(t);
      if (this.error != "" || !this.numeric(n, t, v)) return null;
    } else if (t == "-ctime" || t == "-cmin" || t == "-inum" || t == "-uid" || t == "-gid") {
      n = new FindNode(t == "-ctime" ? N_CTIME : t == "-cmin" ? N_CMIN : t == "-inum" ? N_INUM : t == "-uid" ? N_UID : N_GID);
      const v = this.value(t);
      if (this.error != "" || !this.numeric(n, t, v)) return null;
    } else if (t == "-newer" || t == "-anewer" || t == "-cnewer" || t == "-samefile" || t == "-newermt") {
      n = new FindNode(t == "-samefile" ? N_INUM : N_NEWER);
      n.unit = t == "-anewer" ? T_ACCESSED : t == "-cnewer" ? T_CHANGED : T_MODIFIED;
      const ref = this.value(t);
      if (this.error != "") return null;
      if (t == "-newermt") {
        const secs = parseDate(ref, this.nowSecs);
        if (secs == I64.MIN_VALUE) { this.error = "I cannot figure out how to interpret '" + ref + "' as a date or time"; return null; }
        n.num = secs * 1000000000;
      } else {
        const st = this.follow ? fs.stat(ref) : fs.lstat(ref);
        if (st == null) { this.error = "'" + ref + "': " + strerror(fs.lastError); return null; }
        n.num = t == "-samefile" ? <i64>st.ino : <i64>st.mtim;
      }
    } else if (t == "-perm") {
      n = new FindNode(N_PERM);
      let v = this.value(t);
      if (this.error != "") return null;
      const text = v;
      if (v.startsWith("-")) { n.cmp = -1; v = v.substring(1); } else if (v.startsWith("/")) { n.cmp = 1; v = v.substring(1); }
      const clauses = parseMode(v);
      if (clauses == null) { this.error = "invalid mode '" + text + "'"; return null; }
      n.num = <i64>applyMode(clauses!, 0, false);
    } else if (t == "-user" || t == "-group") {
      n = new FindNode(t == "-user" ? N_UID : N_GID);
      const v = this.value(t);
      if (this.error != "") return null;
      const id = t == "-user" ? this.names().uidOf(v) : this.names().gidOf(v);
      if (id < 0) { this.error = "'" + v + "' is not the name of " + (t == "-user" ? "a known user" : "an existing group"); return null; }
      n.num = id;
    } else if (t == "-nouser") n = new FindNode(N_NOUSER);
    else if (t == "-nogroup") n = new FindNode(N_NOGROUP);
    else if (t == "-readable" || t == "-writable" || t == "-executable") { n = new FindNode(N_ACCESS); n.num = t == "-readable" ? 4 : t == "-writable" ? 2 : 1; }
    else if (t == "-ls") { n = new FindNode(N_LS); this.hasAction = true; }
    else if (t == "-empty") n = new FindNode(N_EMPTY);
    else if (t == "-true") n = new FindNode(N_TRUE);
    else if (t == "-false") n = new FindNode(N_FALSE);
    else if (t == "-prune") n = new FindNode(N_PRUNE);
    else if (t == "-quit") n = new FindNode(N_QUIT);
    else if (t == "-print") { n = new FindNode(N_PRINT); this.hasAction = true; }
    else if (t == "-print0") { n = new FindNode(N_PRINT0); this.hasAction = true; }
    else if (t == "-printf") { n = new FindNode(N_PRINTF); n.text = this.value(t); this.hasAction = true; warnUnknownDirectives(n.text); }
    else if (t == "-delete") { n = new FindNode(N_DELETE); this.hasAction = true; this.depthFirst = true; }
    else if (t == "-exec") {
      this.hasAction = true;
      const cmd = new Array<string>();
      let plus = false;
      for (;;) {
        if (!this.more()) { this.error = "missing argument to '" + t + "'"; return null; }
        const a = this.args[this.pos++];
        if (a == ";") break;
        if (a == "+" && cmd.length > 0 && cmd[cmd.length - 1] == "{}") { plus = true; cmd.pop(); break; }
        cmd.push(a);
      }
      if (cmd.length == 0) { this.error = "missing argument to '" + t + "'"; return null; }
      n = new FindNode(plus ? N_EXECPLUS : N_EXEC);
      n.args = cmd;
      if (plus) this.plusNodes.push(n);
    } else if (t == "-maxdepth" || t == "-mindepth") {
      const v = this.value(t);
      if (this.error != "") return null;
      let digits = v.length > 0;
      for (let k = 0; k < v.length; k++) if (v.charCodeAt(k) < 48 || v.charCodeAt(k) > 57) digits = false;
      if (!digits) { this.error = "Expected a positive decimal integer argument to " + t + ", but got '" + v + "'"; return null; }
      const d = I32.parseInt(v);
      if (t == "-maxdepth") this.maxDepth = d; else this.minDepth = d;
      n = new FindNode(N_TRUE);
    } else if (t == "-depth" || t == "-d") { this.depthFirst = true; n = new FindNode(N_TRUE); }
    else if (t == "-xdev" || t == "-mount" || t == "-noleaf" || t == "-nowarn" || t == "-ignore_readdir_race") n = new FindNode(N_TRUE);
    else if (t == "-follow") { this.follow = true; n = new FindNode(N_TRUE); }
    else { this.error = t.startsWith("-") ? "unknown predicate `" + t + "'" : "paths must precede expression: `" + t + "'"; return null; }
    return this.error != "" ? null : n;
  }

  typeLetter(st: Stat): string {
    if (st.isDir()) return "d";
    if (st.isLink()) return "l";
    if (st.isFile()) return "f";
    if (st.type == 2) return "c";
    if (st.type == 1) return "b";
    return "s";
  }

  compare(n: FindNode, v: i64): bool {
    return n.cmp == 0 ? v == n.num : n.cmp > 0 ? v > n.num : v < n.num;
  }

  eval(n: FindNode, path: string, st: Stat, depth: i32): bool {
    switch (n.kind) {
      case N_AND: return this.eval(n.kids[0], path, st, depth) && !this.quit && this.eval(n.kids[1], path, st, depth);
      case N_OR: return this.eval(n.kids[0], path, st, depth) || (!this.quit && this.eval(n.kids[1], path, st, depth));
      case N_COMMA: { this.eval(n.kids[0], path, st, depth); return this.eval(n.kids[1], path, st, depth); }
      case N_NOT: return !this.eval(n.kids[0], path, st, depth);
      case N_TRUE: return true;
      case N_FALSE: return false;
      case N_NAME: return fnmatch(n.text, baseOf(path));
      case N_INAME: return fnmatch(n.text, baseOf(path).toLowerCase());
      case N_PATH: return fnmatch(n.text, path);
      case N_IPATH: return fnmatch(n.text, path.toLowerCase());
      case N_REGEX: {
        const bytes = String.UTF8.encode(path);
        return n.regex!.exec(changetype<usize>(bytes), bytes.byteLength);
      }
      case N_TYPE: return n.text.split(",").includes(this.typeLetter(st));
      case N_SIZE: {
        const size = <i64>st.size;
        return this.compare(n, n.unit == 1 ? size : (size + n.unit - 1) / n.unit);
      }
      case N_MTIME: case N_ATIME: {
        const t = <i64>((n.kind == N_MTIME ? st.mtim : st.atim) / 1000000000);
        const age = this.nowSecs - t;
        return this.compare(n, age < 0 ? -1 : age / 86400);
      }
      case N_MMIN: case N_AMIN: {
        const t = <i64>((n.kind == N_MMIN ? st.mtim : st.atim) / 1000000000);
        const age = this.nowSecs - t;
        return this.compare(n, age < 0 ? -1 : (age + 59) / 60);
      }
      case N_LINKS: return this.compare(n, <i64>st.nlink);
      case N_NEWER: return <i64>(n.unit == T_ACCESSED ? st.atim : n.unit == T_CHANGED ? st.ctim : st.mtim) > n.num;
      case N_CTIME: case N_CMIN: {
        const age = this.nowSecs - <i64>(st.ctim / 1000000000);
        return this.compare(n, age < 0 ? -1 : n.kind == N_CTIME ? age / 86400 : (age + 59) / 60);
      }
      case N_INUM: return this.compare(n, <i64>st.ino);
      case N_PERM: {
        const bits = <i64>(this.modeFor(path, st).mode & 0o7777);
        return n.cmp == 0 ? bits == n.num : n.cmp < 0 ? (bits & n.num) == n.num : n.num == 0 || (bits & n.num) != 0;
      }
      case N_UID: return this.compare(n, <i64>this.modeFor(path, st).uid);
      case N_GID: return this.compare(n, <i64>this.modeFor(path, st).gid);
      case N_NOUSER: { const uid = this.modeFor(path, st).uid; return this.names().user(uid) == uid.toString(); }
      case N_NOGROUP: { const gid = this.modeFor(path, st).gid; return this.names().group(gid) == gid.toString(); }
      case N_ACCESS: return access(path, <u32>n.num);
      case N_LS: stdout.str(this.lsLine(path, st)); return true;
      case N_EMPTY: {
        if (st.isFile()) return st.size == 0;
        if (st.isDir()) { const e = fs.readdir(path); return e != null && e.length == 0; }
        return false;
      }
      case N_PRUNE: this.pruned = true; return true;
      case N_QUIT: this.quit = true; return true;
      case N_PRINT: stdout.line(path); return true;
      case N_PRINT0: stdout.str(path).byte(0); return true;
      case N_PRINTF: stdout.str(this.format(n.text, path, st, depth)); return true;
      case N_DELETE: {
        const err = st.isDir() ? fs.rmdir(path) : fs.unlink(path);
        if (err != 0) { warn("find", "cannot delete '" + path + "': " + strerror(err)); this.status = 1; return false; }
        return true;
      }
      case N_EXEC: {
        const argv = new Array<string>();
        for (let i = 0; i < n.args.length; i++) argv.push(replaceAll(n.args[i], "{}", path));
        return runAndWait("find", argv, null) == 0;
      }
      case N_EXECPLUS: {
        n.batch.push(path);
        if (n.batch.length >= 1024) this.flushBatch(n);
        return true;
      }
    }
    return false;
  }

  flushBatch(n: FindNode): void {
    if (n.batch.length == 0) return;
    const argv = n.args.concat(n.batch);
    n.batch = [];
    if (runAndWait("find", argv, null) != 0) this.status = 1;
  }

  /** A line of -ls: inode, 1 KiB blocks, mode, links, owner, group, size, time, path (and -> target), as GNU find. */
  lsLine(path: string, st: Stat): string {
    const m = this.modeFor(path, st);
    let out = pad(st.ino.toString(), 9, false) + " " + pad(blocksKb(st).toString(), 6, false) + " " + modeString(st, m.mode) + " ";
    out += pad(st.nlink.toString(), 3, false) + " " + pad(this.names().user(m.uid), 8, true) + " " + pad(this.names().group(m.gid), 8, true) + " ";
    out += pad(st.size.toString(), 8, false) + " " + lsDate(<i64>(st.mtim / 1000000000), this.nowSecs) + " " + path;
    if (st.isLink()) { const target = fs.readlink(path); if (target != null) out += " -> " + target!; }
    return out + "\n";
  }

  /** A time as -printf's %a %c %t and %A@ %T+ %TY... show it (which: a, c or t). */
  timeText(st: Stat, which: string, conv: string): string {
    const ns = which == "a" ? st.atim : which == "c" ? st.ctim : st.mtim;
    const secs = <i64>(ns / 1000000000);
    const frac = pad((ns % 1000000000).toString(), 9, false).replaceAll(" ", "0") + "0";
    if (conv == "") return strftime("%a %b %e %H:%M:%S", secs, 0) + "." + frac + strftime(" %Y", secs, 0);
    if (conv == "@") return secs.toString() + "." + frac;
    if (conv == "+") return strftime("%Y-%m-%d+%H:%M:%S", secs, 0) + "." + frac;
    if (conv == "S") return strftime("%S", secs, 0) + "." + frac;
    return strftime("%" + conv, secs, 0);
  }

  format(fmt: string, path: string, st: Stat, depth: i32): string {
    let out = "";
    for (let i = 0; i < fmt.length; i++) {
      const c = fmt.charAt(i);
      if (c == "\\" && i + 1 < fmt.length) {
        const e = fmt.charAt(++i);
        out += e == "n" ? "\n" : e == "t" ? "\t" : e == "0" ? "\0" : e == "\\" ? "\\" : e == "a" ? "\x07" : e == "r" ? "\r" : "\\" + e;
      } else if (c == "%" && i + 1 < fmt.length) {
        // %[-+# 0][WIDTH][.PRECISION]DIRECTIVE
        const start = i;
        let left = false; let alt = false;
        i++;
        while (i < fmt.length && "-+# 0".indexOf(fmt.charAt(i)) >= 0) { const f = fmt.charAt(i); if (f == "-") left = true; else if (f == "#") alt = true; i++; }
        let width = 0;
        while (i < fmt.length && fmt.charCodeAt(i) >= 48 && fmt.charCodeAt(i) <= 57) width = width * 10 + fmt.charCodeAt(i++) - 48;
        let precision = -1;
        if (i < fmt.length && fmt.charAt(i) == ".") { precision = 0; i++; while (i < fmt.length && fmt.charCodeAt(i) >= 48 && fmt.charCodeAt(i) <= 57) precision = precision * 10 + fmt.charCodeAt(i++) - 48; }
        if (i >= fmt.length) { out += fmt.substring(start); break; }
        const f = fmt.charAt(i);
        let v = "";
        let numeric = false;
        if (f == "p") v = path;
        else if (f == "f") v = baseOf(path);
        else if (f == "P") { const root = this.root; v = path.length > root.length ? path.substring(root.length + (root.endsWith("/") ? 0 : 1)) : ""; }
        else if (f == "H") v = this.root;
        else if (f == "h") { const s = path.lastIndexOf("/"); v = s < 0 ? "." : s == 0 ? "/" : path.substring(0, s); }
        else if (f == "s") { v = st.size.toString(); numeric = true; }
        else if (f == "d") { v = depth.toString(); numeric = true; }
        else if (f == "y") v = this.typeLetter(st);
        else if (f == "Y") { const t = st.isLink() ? fs.stat(path) : st; v = t != null ? this.typeLetter(t) : "N"; }
        else if (f == "l") { const target = st.isLink() ? fs.readlink(path) : null; v = target != null ? target! : ""; }
        else if (f == "m") { v = (this.modeFor(path, st).mode & 0o7777).toString(8); if (alt) v = "0" + v; numeric = true; }
        else if (f == "M") v = modeString(st, this.modeFor(path, st).mode);
        else if (f == "u") v = this.names().user(this.modeFor(path, st).uid);
        else if (f == "g") v = this.names().group(this.modeFor(path, st).gid);
        else if (f == "U") { v = this.modeFor(path, st).uid.toString(); numeric = true; }
        else if (f == "G") { v = this.modeFor(path, st).gid.toString(); numeric = true; }
        else if (f == "i") { v = st.ino.toString(); numeric = true; }
        else if (f == "n") { v = st.nlink.toString(); numeric = true; }
        else if (f == "k") { v = blocksKb(st).toString(); numeric = true; }
        else if (f == "b") { v = (blocksKb(st) * 2).toString(); numeric = true; }
        else if (f == "a" || f == "c" || f == "t") v = this.timeText(st, f, "");
        else if ((f == "A" || f == "C" || f == "T") && i + 1 < fmt.length) v = this.timeText(st, f == "A" ? "a" : f == "C" ? "c" : "t", fmt.charAt(++i));
        else if (f == "%") { out += "%"; continue; }
        else { out += "%" + f; continue; }
        if (precision >= 0 && !numeric && precision < v.length) v = v.substring(0, precision);
        out += pad(v, width, left);
      } else out += c;
    }
    return out;
  }

  walk(root: FindNode, path: string, depth: i32): void {
    if (this.quit) return;
    if (depth == 0) this.root = path;
    let st = this.follow ? fs.stat(path) : fs.lstat(path);
    if (st == null && this.follow) st = fs.lstat(path);
    if (st == null) { warn("find", "'" + path + "': " + strerror(fs.lastError)); this.status = 1; return; }
    const matchHere = depth >= this.minDepth;
    this.pruned = false;
    if (!this.depthFirst && matchHere) this.eval(root, path, st, depth);
    const descend = st.isDir() && depth < this.maxDepth && !(this.pruned && !this.depthFirst);
    if (descend && !this.quit) {
      const names = fs.listNames(path);
      if (names == null) { warn("find", "'" + path + "': " + strerror(fs.lastError)); this.status = 1; }
      else for (let i = 0; i < names.length && !this.quit; i++) this.walk(root, path.endsWith("/") ? path + names[i] : path + "/" + names[i], depth + 1);
    }
    if (this.depthFirst && matchHere && !this.quit) this.eval(root, path, st, depth);
  }
}

function baseOf(path: string): string { return path == "/" ? "/" : basename(path); }

/** GNU find's warning, once per -printf format, for each directive it does not know (printed as it is). */
function warnUnknownDirectives(fmt: string): void {
  for (let i = 0; i < fmt.length; i++) {
    if (fmt.charAt(i) == "\\") { i++; continue; }
    if (fmt.charAt(i) != "%") continue;
    i++;
    while (i < fmt.length && "-+# 0.0123456789".indexOf(fmt.charAt(i)) >= 0) i++;
    if (i >= fmt.length) break;
    const f = fmt.charAt(i);
    if ("ACT".indexOf(f) >= 0) { i++; continue; }
    if ("pfPHhsdyYlmMugUGinkbact%".indexOf(f) < 0) stderr.str("find: warning: unrecognized format directive `%").str(f).line("'").flush();
  }
}

/** s padded with spaces to width, on the right when left (left-aligned), else on the left. */
function pad(s: string, width: i32, left: bool): string {
  if (s.length >= width) return s;
  const fill = " ".repeat(width - s.length);
  return left ? s + fill : fill + s;
}

/** The 1 KiB blocks a file takes, as du counts them (a symlink none). */
function blocksKb(st: Stat): i64 {
  if (st.isLink()) return 0;
  return st.isDir() ? 4 : <i64>((st.size + 4095) / 4096) * 4;
}

/** find [-H|-L|-P] [PATH]... [EXPRESSION] */
export function findMain(args: string[]): i32 {
  let i = 0;
  let follow = false;
  while (i < args.length && (args[i] == "-L" || args[i] == "-H" || args[i] == "-P")) { follow = args[i] == "-L"; i++; }
  const roots = new Array<string>();
  while (i < args.length && !(args[i].startsWith("-") && args[i].length > 1) && args[i] != "(" && args[i] != "!") roots.push(args[i++]);
  if (roots.length == 0) roots.push(".");
  const f = new Find(args.slice(i));
  f.follow = follow;
  let root = f.parseOr();
  if (f.error == "" && f.more()) f.error = f.peek() == ")" ? "you have too many ')'" : "paths must precede expression: `" + f.peek() + "'";
  if (f.error != "") { warn("find", f.error); return 1; }
  if (root == null) root = new FindNode(N_TRUE);
  if (!f.hasAction) {
    const all = new FindNode(N_AND);
    all.kids.push(root!);
    all.kids.push(new FindNode(N_PRINT));
    root = all;
  }
  for (let r = 0; r < roots.length && !f.quit; r++) f.walk(root!, roots[r], 0);
  for (let p = 0; p < f.plusNodes.length; p++) f.flushBatch(f.plusNodes[p]);
  return f.status;
}
