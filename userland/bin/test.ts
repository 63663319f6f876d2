// test and [: file tests, string and integer comparisons, ! -a -o and parentheses,
// evaluated by recursive descent over the arguments. Exit 0 true, 1 false, 2 error.

import { stat, lstat, modeOf } from "../lib/fs";
import { access, currentUid, currentGid } from "../lib/users";
import { fdType } from "../lib/fs";
import { warn } from "../lib/io";
import { parseIntOr } from "../lib/opts";
import { FILETYPE_CHARACTER_DEVICE } from "../lib/wasi";

let targs: string[] = [];
let tpos = 0;
let terror = "";

/** Whether errors read as dash's builtin has them (the shell's test) rather than coreutils'. */
let dashMessages = false;

/** test EXPR / [ EXPR ] */
export function testMain(name: string, args: string[]): i32 {
  const status = testEvaluate(name, args, false);
  if (terror != "") warn(name == "[" ? "[" : "test", terror);
  return status;
}

/** Evaluates test EXPR / [ EXPR ] without printing: 0 true, 1 false, 2 error (then testError() says
 *  which, in dash's words when asDash). */
export function testEvaluate(name: string, args: string[], asDash: bool): i32 {
  dashMessages = asDash; terror = "";
  if (name == "[") {
    if (args.length == 0 || args[args.length - 1] != "]") { terror = asDash ? "missing ]" : "missing ']'"; return 2; }
    args = args.slice(0, args.length - 1);
  }
  targs = args; tpos = 0;
  if (args.length == 0) return 1;
  if (args.length == 1) return args[0].length > 0 ? 0 : 1;
  const result = orExpr();
  if (terror == "" && tpos < targs.length) terror = targs[tpos] + ": unexpected operator";
  return terror != "" ? 2 : result ? 0 : 1;
}

/** The error of the last testEvaluate that returned 2. */
export function testError(): string { return terror; }

function orExpr(): bool {
  let v = andExpr();
  while (tpos < targs.length && targs[tpos] == "-o") { tpos++; const r = andExpr(); v = v || r; }
  return v;
}

function andExpr(): bool {
  let v = notExpr();
  while (tpos < targs.length && targs[tpos] == "-a") { tpos++; const r = notExpr(); v = v && r; }
  return v;
}

function notExpr(): bool {
  if (tpos < targs.length && targs[tpos] == "!" && tpos + 1 < targs.length) { tpos++; return !notExpr(); }
  return primary();
}

function isBinaryOp(op: string): bool {
  return op == "=" || op == "==" || op == "!=" || op == "-eq" || op == "-ne" || op == "-lt" || op == "-le" ||
    op == "-gt" || op == "-ge" || op == "<" || op == ">" || op == "-nt" || op == "-ot";
}

function integer(s: string): i64 {
  let v = parseIntOr(s.trim(), i64.MIN_VALUE);
  if (dashMessages && v != i64.MIN_VALUE && !fitsI64(s.trim(), v)) v = i64.MIN_VALUE;
  if (v == i64.MIN_VALUE && terror == "") terror = dashMessages ? "Illegal number: " + s : s + ": integer expression expected";
  return v;
}

/** Whether the decimal text came through as v, not wrapped past 64 bits (dash refuses those). */
function fitsI64(text: string, v: i64): bool {
  const neg = text.startsWith("-");
  let digits = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
  let zeros = 0;
  while (zeros < digits.length - 1 && digits.charCodeAt(zeros) == 48) zeros++;
  digits = digits.substring(zeros);
  return v.toString() == (neg && digits != "0" ? "-" + digits : digits);
}

function primary(): bool {
  if (tpos >= targs.length) { terror = "argument expected"; return false; }
  const a = targs[tpos];
  if (tpos + 2 < targs.length + 0 && tpos + 1 < targs.length && isBinaryOp(targs[tpos + 1]) && tpos + 2 < targs.length) {
    const op = targs[tpos + 1]; const b = targs[tpos + 2];
    tpos += 3;
    if (op == "=" || op == "==") return a == b;
    if (op == "!=") return a != b;
    if (op == "<") return a < b;
    if (op == ">") return a > b;
    if (op == "-nt" || op == "-ot") {
      const sa = stat(a); const sb = stat(b);
      if (sa == null || sb == null) return op == "-nt" ? sa != null : sb != null;
      return op == "-nt" ? sa.mtim > sb.mtim : sa.mtim < sb.mtim;
    }
    const x = integer(a); const y = integer(b);
    if (op == "-eq") return x == y;
    if (op == "-ne") return x != y;
    if (op == "-lt") return x < y;
    if (op == "-le") return x <= y;
    if (op == "-gt") return x > y;
    return x >= y;
  }
  if (a == "(") {
    tpos++;
    const v = orExpr();
    if (tpos >= targs.length || targs[tpos] != ")") { if (terror == "") terror = dashMessages ? "closing paren expected" : "')' expected"; return false; }
    tpos++;
    return v;
  }
  if (a.length == 2 && a.charCodeAt(0) == 45 && tpos + 1 < targs.length) {
    const arg = targs[tpos + 1];
    const flag = a.charAt(1);
    tpos += 2;
    if (flag == "n") return arg.length > 0;
    if (flag == "z") return arg.length == 0;
    if (flag == "t") {
      const fd = integer(arg);
      return fd != i64.MIN_VALUE && fdType(<i32>fd) == FILETYPE_CHARACTER_DEVICE;
    }
    if (flag == "L" || flag == "h") { const s = lstat(arg); return s != null && s.isLink(); }
    if (flag == "r") return access(arg, 4);
    if (flag == "w") return access(arg, 2);
    if (flag == "x") return access(arg, 1);
    if (flag == "u" || flag == "g" || flag == "k") {
      const m = modeOf(arg, true);
      return m != null && (m.mode & (flag == "u" ? 0o4000 : flag == "g" ? 0o2000 : 0o1000)) != 0;
    }
    if (flag == "O" || flag == "G") {
      const m = modeOf(arg, true);
      return m != null && (flag == "O" ? m.uid == currentUid() : m.gid == currentGid());
    }
    const s = stat(arg);
    if (flag == "e") return s != null;
    if (flag == "f") return s != null && s.isFile();
    if (flag == "d") return s != null && s.isDir();
    if (flag == "s") return s != null && s.size > 0;
    if (flag == "p") return s != null && s.type == 0;
    if (flag == "S") return s != null && (s.type == 5 || s.type == 6);
    if (flag == "c") return s != null && s.type == FILETYPE_CHARACTER_DEVICE;
    if (flag == "b") return s != null && s.type == 1;
    terror = a + (dashMessages ? ": unexpected operator" : ": unary operator expected");
    return false;
  }
  tpos++;
  return a.length > 0;
}
