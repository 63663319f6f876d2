// chmod, chown and chgrp: permission bits (octal or symbolic, as POSIX chmod parses them) and
// owners (USER[:GROUP], names from /etc/passwd and /etc/group), with -R, -v, -c, -f and -h.
import { stdout, stderr, warn } from "../lib/io";
import { usage } from "../lib/cmd";
import * as fs from "../lib/fs";
import { strerror } from "../lib/errno";
import { join } from "../lib/path";
import { UserNames } from "../lib/users";

/** One clause of a symbolic mode: who (ugoa bits as a mask), op (+ - =), and the permission letters. */
export class Clause {
  /** The whole mode, for an octal mode (who is then ABSOLUTE). */
  value: u32 = 0;
  constructor(public who: u32, public op: i32, public perms: string) {}
}

/** Marks an octal mode's clause. */
const ABSOLUTE: u32 = 0xffffffff;

/** Parses a mode: octal, or symbolic clauses separated by commas; null if malformed. */
export function parseMode(spec: string): Clause[] | null {
  const out = new Array<Clause>();
  if (spec.length == 0) return null;
  const c0 = spec.charCodeAt(0);
  if (c0 >= 48 && c0 <= 55) {
    let v: u32 = 0;
    for (let i = 0; i < spec.length; i++) {
      const c = spec.charCodeAt(i);
      if (c < 48 || c > 55) return null;
      v = v * 8 + <u32>(c - 48);
      if (v > 0o7777) return null;
    }
    const clause = new Clause(ABSOLUTE, 61, "");
    clause.value = v;
    out.push(clause);
    return out;
  }
  const clauses = spec.split(",");
  for (let k = 0; k < clauses.length; k++) {
    const text = clauses[k];
    let i = 0;
    let who: u32 = 0;
    for (; i < text.length; i++) {
      const c = text.charAt(i);
      if (c == "u") who |= 0o4700; else if (c == "g") who |= 0o2070; else if (c == "o") who |= 0o1007; else if (c == "a") who |= 0o7777; else break;
    }
    if (i >= text.length) return null;
    while (i < text.length) {
      const op = text.charCodeAt(i);
      if (op != 43 && op != 45 && op != 61) return null;
      i++;
      let perms = "";
      while (i < text.length && "rwxXstugo".indexOf(text.charAt(i)) >= 0) perms += text.charAt(i++);
      out.push(new Clause(who, op, perms));
    }
  }
  return out;
}

/** Applies clauses to a mode. umask 022 masks clauses without a who, as POSIX chmod does. */
export function applyMode(clauses: Clause[], mode: u32, isDir: bool): u32 {
  for (let k = 0; k < clauses.length; k++) {
    const c = clauses[k];
    if (c.who == ABSOLUTE) { mode = c.value; continue; }
    const who = c.who != 0 ? c.who : 0o7777 & ~<u32>0o022;
    let bits: u32 = 0;
    for (let i = 0; i < c.perms.length; i++) {
      const p = c.perms.charAt(i);
      if (p == "r") bits |= 0o444;
      else if (p == "w") bits |= 0o222;
      else if (p == "x") bits |= 0o111;
      else if (p == "X") { if (isDir || (mode & 0o111) != 0) bits |= 0o111; }
      else if (p == "s") bits |= 0o6000;
      else if (p == "t") bits |= 0o1000;
      else {
        // u, g or o: copy that class's bits to every class.
        const shift: u32 = p == "u" ? 6 : p == "g" ? 3 : 0;
        const v = (mode >> shift) & 7;
        bits |= v * 0o111;
      }
    }
    if (c.op == 43) mode |= bits & who;
    else if (c.op == 45) mode &= ~(bits & who);
    else mode = (mode & ~(c.who != 0 ? c.who : <u32>0o7777)) | (bits & who);
  }
  return mode & 0o7777;
}

/** Options shared by the three tools. */
class Flags {
  recursive: bool = false;
  verbose: bool = false;
  changes: bool = false;
  quiet: bool = false;
  noDereference: bool = false;
  operands: string[] = [];
  error: string = "";
}

function parseFlags(args: string[], letters: string): Flags {
  const f = new Flags();
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a == "--") { i++; break; }
    if (a == "--recursive") { f.recursive = true; continue; }
    if (a == "--verbose") { f.verbose = true; continue; }
    if (a == "--changes") { f.changes = true; continue; }
    if (a == "--silent" || a == "--quiet") { f.quiet = true; continue; }
    if (a == "--no-dereference") { f.noDereference = true; continue; }
    // A mode such as -w or -x+r is an operand, not options.
    if (a.length < 2 || a.charCodeAt(0) != 45 || (letters.indexOf("m") >= 0 && parseMode(a) != null)) { f.operands.push(a); continue; }
    for (let j = 1; j < a.length; j++) {
      const c = a.charAt(j);
      if (letters.indexOf(c) < 0 || c == "m") { f.error = "invalid option -- '" + c + "'"; return f; }
      if (c == "R") f.recursive = true; else if (c == "v") f.verbose = true; else if (c == "c") f.changes = true;
      else if (c == "f") f.quiet = true; else if (c == "h") f.noDereference = true;
    }
  }
  for (; i < args.length; i++) f.operands.push(args[i]);
  return f;
}

/** Octal digits of a mode, as chmod -v shows it ("0644"). */
function octal(mode: u32): string {
  let out = "";
  for (let i = 3; i >= 0; i--) out += ((mode >> (<u32>i * 3)) & 7).toString();
  return out;
}

function symbolic(mode: u32): string {
  let out = "";
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

/** Calls `visit` on path and, with -R, on everything beneath a directory (not following symlinks). */
function walk(path: string, recursive: bool, visit: (path: string) => i32): i32 {
  let status = visit(path);
  if (!recursive) return status;
  const st = fs.lstat(path);
  if (st == null || !st.isDir()) return status;
  const names = fs.listNames(path);
  if (names == null) return 1;
  for (let i = 0; i < names.length; i++) if (walk(join(path, names[i]), true, visit) != 0) status = 1;
  return status;
}

// The tool's state for the visit functions (AssemblyScript has no closures).
let modeClauses: Clause[] = [];
let flags: Flags = new Flags();
let newUid: i32 = -1;
let newGid: i32 = -1;
let toolName = "";

function chmodOne(path: string): i32 {
  const st = fs.stat(path);
  const before = fs.modeOf(path, true);
  if (st == null || before == null) {
    if (!flags.quiet) warn("chmod", "cannot access '" + path + "': " + strerror(fs.lastError));
    return 1;
  }
  // chmod -R does not follow symlinks it meets below the top, as GNU chmod does.
  const lst = fs.lstat(path);
  if (lst != null && lst.isLink() && flags.recursive) return 0;
  const mode = applyMode(modeClauses, before.mode, st.isDir());
  const err = fs.chmod(path, mode);
  if (err != 0) {
    if (!flags.quiet) warn("chmod", "changing permissions of '" + path + "': " + strerror(err));
    return 1;
  }
  const changed = mode != before.mode;
  if (flags.verbose || (flags.changes && changed)) {
    if (changed) stdout.str("mode of '").str(path).str("' changed from ").str(octal(before.mode)).str(" (").str(symbolic(before.mode)).str(") to ").str(octal(mode)).str(" (").str(symbolic(mode)).line(")");
    else stdout.str("mode of '").str(path).str("' retained as ").str(octal(mode)).str(" (").str(symbolic(mode)).line(")");
  }
  return 0;
}

/** chmod [-Rvcf] MODE[,MODE]... FILE... */
export function chmodMain(argList: string[]): i32 {
  // --reference=FILE: its mode, instead of a mode operand.
  let reference = "";
  const args = new Array<string>();
  for (let i = 0; i < argList.length; i++) {
    if (argList[i].startsWith("--reference=")) reference = argList[i].substring(12);
    else if (argList[i] == "--reference" && i + 1 < argList.length) reference = argList[++i];
    else if (argList[i] == "--preserve-root" || argList[i] == "--no-preserve-root") continue;
    else args.push(argList[i]);
  }
  flags = parseFlags(args, "Rvcfm");
  if (flags.error != "") return chmodUsage(flags.error);
  const first = reference != "" ? 0 : 1;
  if (flags.operands.length < first + 1) return chmodUsage(flags.operands.length == 0 ? "missing operand" : "missing operand after '" + flags.operands[0] + "'");
  let clauses: Clause[] | null;
  if (reference != "") {
    const m = fs.modeOf(reference, true);
    if (m == null) { warn("chmod", "failed to get attributes of '" + reference + "': " + strerror(fs.lastError)); return 1; }
    clauses = parseMode((m.mode & 0o7777).toString(8));
  } else clauses = parseMode(flags.operands[0]);
  if (clauses == null) return chmodUsage("invalid mode: '" + flags.operands[0] + "'");
  modeClauses = clauses;
  let status = 0;
  for (let i = first; i < flags.operands.length; i++) if (walk(flags.operands[i], flags.recursive, chmodOne) != 0) status = 1;
  return status;
}

/** chmod's usage error and GNU's "Try" line, status 1. */
function chmodUsage(message: string): i32 {
  warn("chmod", message);
  stderr.line("Try 'chmod --help' for more information.").flush();
  return 1;
}

function chownOne(path: string): i32 {
  const follow = !flags.noDereference && !(flags.recursive && isLink(path));
  const before = fs.modeOf(path, follow);
  if (before == null) {
    if (!flags.quiet) warn(toolName, "cannot access '" + path + "': " + strerror(fs.lastError));
    return 1;
  }
  const err = fs.chown(path, newUid, newGid, follow);
  const what = toolName == "chgrp" ? "group" : "ownership";
  if (err != 0) {
    if (!flags.quiet) warn(toolName, "changing " + what + " of '" + path + "': " + strerror(err));
    return 1;
  }
  const changed = (newUid >= 0 && <u32>newUid != before.uid) || (newGid >= 0 && <u32>newGid != before.gid);
  if (flags.verbose || (flags.changes && changed)) stdout.str(changed ? "changed " : "").str(what).str(" of '").str(path).line(changed ? "'" : "' retained");
  return 0;
}

function isLink(path: string): bool {
  const st = fs.lstat(path);
  return st != null && st.isLink();
}

/** chown [-Rvcfh] OWNER[:[GROUP]] FILE... and chgrp [-Rvcfh] GROUP FILE... */
export function chownMain(name: string, args: string[]): i32 {
  toolName = name;
  flags = parseFlags(args, "Rvcfh");
  if (flags.error != "") return usage(name, flags.error);
  if (flags.operands.length < 2) return usage(name, flags.operands.length == 0 ? "missing operand" : "missing operand after '" + flags.operands[0] + "'");
  const names = new UserNames();
  const spec = flags.operands[0];
  newUid = -1; newGid = -1;
  if (name == "chgrp") {
    newGid = names.gidOf(spec);
    if (newGid < 0) { warn(name, "invalid group: '" + spec + "'"); return 1; }
  } else {
    let sep = spec.indexOf(":");
    if (sep < 0) sep = spec.indexOf(".");
    const user = sep < 0 ? spec : spec.substring(0, sep);
    const group = sep < 0 ? "" : spec.substring(sep + 1);
    if (user != "") {
      newUid = names.uidOf(user);
      if (newUid < 0) { warn(name, "invalid user: '" + spec + "'"); return 1; }
    }
    if (group != "") {
      newGid = names.gidOf(group);
      if (newGid < 0) { warn(name, "invalid group: '" + spec + "'"); return 1; }
    } else if (sep >= 0 && user != "") {
      // "user:" is the user's login group, as GNU chown takes it.
      newGid = names.primaryGidOf(user);
    }
  }
  let status = 0;
  for (let i = 1; i < flags.operands.length; i++) if (walk(flags.operands[i], flags.recursive, chownOne) != 0) status = 1;
  return status;
}
