// find: walks directory trees evaluating a GNU/POSIX expression (tests, operators ! -a -o ( ),
// actions -print -print0 -delete -exec {} ; and {} + -prune -quit) for each file.

import { replaceAll } from "../lib/strings";
import { stdout, warn } from "../lib/io";
import * as fs from "../lib/fs";
import { Stat } from "../lib/fs";
import { basename, fnmatch } from "../lib/path";
import { strerror } from "../lib/errno";
import * as proc from "../lib/proc";
import { compile, regexError, Regex } from "../lib/regex";
import { runAndWait } from "./system";

const N_AND = 0; const N_OR = 1; const N_NOT = 2; const N_TRUE = 3; const N_FALSE = 4;
const N_NAME = 5; const N_INAME = 6; const N_PATH = 7; const N_IPATH = 8; const N_TYPE = 9;
const N_SIZE = 10; const N_MTIME = 11; const N_MMIN = 12; const N_NEWER = 13; const N_EMPTY = 14;
const N_PRUNE = 15; const N_PRINT = 16; const N_PRINT0 = 17; const N_DELETE = 18; const N_EXEC = 19;
const N_EXECPLUS = 20; const N_QUIT = 21; const N_LINKS = 22; const N_PRINTF = 23; const N_ATIME = 24;
const N_AMIN = 25; const N_REGEX = 26; const N_COMMA = 27;

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
  constructor(public args: string[]) {}

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
    if (this.pos >= this.args.length) { this.error = "missing argument to '" + name + "'"; return ""; }
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
      }
    }
    if (t.length == 0) { this.error = "invalid argument '" + s + "' to '" + name + "'"; return false; }
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c < 48 || c > 57) { this.error = "invalid argument '" + s + "' to '" + name + "'"; return false; }
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
      if (!this.more() || this.peek() != ")") { this.error = "invalid expression; I was expecting to find a ')' somewhere but did not see one."; return null; }
      this.pos++;
      return inner;
    }
    if (t == ")") { this.error = "invalid expression; you have too many ')'"; return null; }
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
    } else if (t == "-newer") {
      n = new FindNode(N_NEWER);
      const ref = this.value(t);
      const st = fs.stat(ref);
      if (st == null) { this.error = "'" + ref + "': " + strerror(fs.lastError); return null; }
      n.num = <i64>st.mtim;
    } else if (t == "-empty") n = new FindNode(N_EMPTY);
    else if (t == "-true") n = new FindNode(N_TRUE);
    else if (t == "-false") n = new FindNode(N_FALSE);
    else if (t == "-prune") n = new FindNode(N_PRUNE);
    else if (t == "-quit") n = new FindNode(N_QUIT);
    else if (t == "-print") { n = new FindNode(N_PRINT); this.hasAction = true; }
    else if (t == "-print0") { n = new FindNode(N_PRINT0); this.hasAction = true; }
    else if (t == "-printf") { n = new FindNode(N_PRINTF); n.text = this.value(t); this.hasAction = true; }
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
      const d = I32.parseInt(v);
      if (v.length == 0 || isNaN(<f64>d) || d < 0 || v.charCodeAt(0) < 48 || v.charCodeAt(0) > 57) { this.error = "invalid argument '" + v + "' to '" + t + "'"; return null; }
      if (t == "-maxdepth") this.maxDepth = d; else this.minDepth = d;
      n = new FindNode(N_TRUE);
    } else if (t == "-depth" || t == "-d") { this.depthFirst = true; n = new FindNode(N_TRUE); }
    else if (t == "-xdev" || t == "-mount" || t == "-noleaf" || t == "-nowarn" || t == "-ignore_readdir_race") n = new FindNode(N_TRUE);
    else if (t == "-follow") { this.follow = true; n = new FindNode(N_TRUE); }
    else { this.error = t.startsWith("-") ? "unknown predicate '" + t + "'" : "paths must precede expression: '" + t + "'"; return null; }
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
      case N_NEWER: return <i64>st.mtim > n.num;
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

  format(fmt: string, path: string, st: Stat, depth: i32): string {
    let out = "";
    for (let i = 0; i < fmt.length; i++) {
      const c = fmt.charAt(i);
      if (c == "\\" && i + 1 < fmt.length) {
        const e = fmt.charAt(++i);
        out += e == "n" ? "\n" : e == "t" ? "\t" : e == "0" ? "\0" : e == "\\" ? "\\" : "\\" + e;
      } else if (c == "%" && i + 1 < fmt.length) {
        const f = fmt.charAt(++i);
        if (f == "p") out += path;
        else if (f == "f") out += baseOf(path);
        else if (f == "s") out += st.size.toString();
        else if (f == "d") out += depth.toString();
        else if (f == "y") out += this.typeLetter(st);
        else if (f == "h") { const s = path.lastIndexOf("/"); out += s < 0 ? "." : s == 0 ? "/" : path.substring(0, s); }
        else if (f == "T" && i + 1 < fmt.length && fmt.charAt(i + 1) == "@") { i++; out += (st.mtim / 1000000000).toString(); }
        else if (f == "%") out += "%";
        else out += "%" + f;
      } else out += c;
    }
    return out;
  }

  walk(root: FindNode, path: string, depth: i32): void {
    if (this.quit) return;
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
  if (f.error == "" && f.more()) f.error = f.peek() == ")" ? "invalid expression; you have too many ')'" : "unexpected argument '" + f.peek() + "'";
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
