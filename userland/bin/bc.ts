// bc (POSIX, with GNU's extensions users rely on): arbitrary precision arithmetic with scale,
// ibase and obase, variables, arrays, functions with auto variables, if/while/for, strings,
// print, ||, && and !, and -l's math library (s c a l e j), read from files then standard input.
import { replaceAll } from "../lib/strings";
import { stdout, stderr, readFd } from "../lib/io";
import { openInput } from "../lib/cmd";
import * as fs from "../lib/fs";
import { Num, fromInt, rescale, compare, add, sub, mul, div, mod, pow, sqrt, toInt, negate, format } from "./bcnum";

/** The math library of -l, in bc itself (series with argument reduction), at scale 20. */
const MATH_LIBRARY = `
scale = 20
define e(x) {
  auto a, d, e, f, i, m, n, v, z
  if (x < 0) { m = 1; x = -x }
  z = scale; n = 6 + z + .44 * x
  scale = scale(x) + 1
  while (x > 1) { f += 1; x /= 2; scale += 1 }
  scale = n
  v = 1 + x; a = x; d = 1
  for (i = 2; 1; i++) {
    e = (a *= x) / (d *= i)
    if (e == 0) {
      if (f > 0) while (f--) v = v * v
      scale = z
      if (m) return (1 / v)
      return (v / 1)
    }
    v += e
  }
}
define l(x) {
  auto e, f, i, m, n, v, z
  if (x <= 0) return ((1 - 10 ^ scale) / 1)
  z = scale; scale += 6
  f = 2
  while (x >= 2) { f *= 2; x = sqrt(x) }
  while (x <= .5) { f *= 2; x = sqrt(x) }
  v = n = (x - 1) / (x + 1)
  m = n * n
  for (i = 3; 1; i += 2) {
    e = (n *= m) / i
    if (e == 0) { v = f * v; scale = z; return (v / 1) }
    v += e
  }
}
define a(x) {
  auto e, f, i, m, n, s, v, z
  m = 1
  if (x < 0) { m = -1; x = -x }
  z = scale; scale = z + 5
  f = 1
  while (x > .2) { f *= 2; x = x / (1 + sqrt(1 + x * x)) }
  v = e = x; s = -x * x
  for (i = 3; 1; i += 2) {
    e *= s
    n = e / i
    if (n == 0) { v = m * f * v; scale = z; return (v / 1) }
    v += n
  }
}
define s(x) {
  auto e, i, m, n, s, v, z
  z = scale; scale = 1.1 * z + 2
  v = a(1)
  if (x < 0) { m = 1; x = -x }
  scale = 0; n = (x / v + 2) / 4; i = n % 2
  scale = 1.1 * z + 2
  x = x - 4 * n * v
  if (i) x = -x
  scale = z + 2
  v = e = x; s = -x * x
  for (i = 3; 1; i += 2) {
    e *= s / (i * (i - 1))
    if (e == 0) { scale = z; if (m) return (-v / 1); return (v / 1) }
    v += e
  }
}
define c(x) {
  auto v, z
  z = scale; scale = scale * 1.2
  v = s(x + a(1) * 2)
  scale = z
  return (v / 1)
}
define j(n, x) {
  auto a, d, e, f, i, m, v, z
  z = scale; scale = 0; n = n / 1
  if (n < 0) { n = -n; if (n % 2 == 1) m = 1 }
  scale = z + 5
  a = 1; for (i = 2; i <= n; i++) a *= i
  v = e = (x / 2) ^ n / a
  f = -x * x / 4
  for (i = 1; 1; i++) {
    e = e * f / (i * (n + i))
    if (e == 0) { scale = z; if (m) return (-v / 1); return (v / 1) }
    v += e
  }
}
`;

// Token kinds.
const T_EOF = 0, T_NUM = 1, T_NAME = 2, T_STR = 3, T_OP = 4, T_NL = 5;

class Token {
  constructor(public kind: i32, public text: string, public line: i32) {}
}

const KEYWORDS = ["if", "else", "while", "for", "break", "continue", "define", "return", "auto", "print", "quit", "halt", "length", "sqrt", "scale", "ibase", "obase", "last", "read", "limits"];

function lex(src: string, tokens: Token[]): string {
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src.charAt(i);
    if (c == "\n") { tokens.push(new Token(T_NL, "\n", line)); line++; i++; continue; }
    if (c == " " || c == "\t" || c == "\r") { i++; continue; }
    if (c == "\\" && i + 1 < src.length && src.charAt(i + 1) == "\n") { i += 2; line++; continue; }
    if (c == "#") { while (i < src.length && src.charAt(i) != "\n") i++; continue; }
    if (c == "/" && i + 1 < src.length && src.charAt(i + 1) == "*") {
      const end = src.indexOf("*/", i + 2);
      if (end < 0) return "unterminated comment";
      for (let k = i; k < end; k++) if (src.charAt(k) == "\n") line++;
      i = end + 2; continue;
    }
    if (c == "\"") {
      const end = src.indexOf("\"", i + 1);
      if (end < 0) return "unterminated string";
      const text = src.substring(i + 1, end);
      for (let k = 0; k < text.length; k++) if (text.charAt(k) == "\n") line++;
      tokens.push(new Token(T_STR, text, line));
      i = end + 1; continue;
    }
    const code = c.charCodeAt(0);
    if ((code >= 48 && code <= 57) || (code >= 65 && code <= 70) || c == ".") {
      let j = i;
      while (j < src.length) {
        const d = src.charCodeAt(j);
        if ((d >= 48 && d <= 57) || (d >= 65 && d <= 70) || d == 46) j++;
        else if (d == 92 && j + 1 < src.length && src.charAt(j + 1) == "\n") j += 2;
        else break;
      }
      tokens.push(new Token(T_NUM, replaceAll(src.substring(i, j), "\\\n", ""), line));
      i = j; continue;
    }
    if ((code >= 97 && code <= 122) || c == "_") {
      let j = i;
      while (j < src.length) {
        const d = src.charCodeAt(j);
        if ((d >= 97 && d <= 122) || (d >= 48 && d <= 57) || d == 95) j++; else break;
      }
      tokens.push(new Token(T_NAME, src.substring(i, j), line));
      i = j; continue;
    }
    const two = i + 1 < src.length ? src.substring(i, i + 2) : "";
    if (two == "++" || two == "--" || two == "+=" || two == "-=" || two == "*=" || two == "/=" || two == "%=" || two == "^=" ||
      two == "==" || two == "!=" || two == "<=" || two == ">=" || two == "&&" || two == "||") {
      tokens.push(new Token(T_OP, two, line)); i += 2; continue;
    }
    if ("+-*/%^=<>!(){}[],;".indexOf(c) >= 0) { tokens.push(new Token(T_OP, c, line)); i++; continue; }
    return "illegal character: " + c;
  }
  tokens.push(new Token(T_EOF, "", line));
  return "";
}

// Node kinds.
const N_NUM = 1, N_VAR = 2, N_ELEM = 3, N_CALL = 4, N_BIN = 5, N_NEG = 6, N_NOT = 7, N_ASSIGN = 8, N_PRE = 9, N_POST = 10,
  N_AND = 11, N_OR = 12, N_REL = 13, N_LENGTH = 14, N_SQRT = 15, N_SCALEOF = 16, N_STR = 17, N_EXPR = 18, N_BLOCK = 19,
  N_IF = 20, N_WHILE = 21, N_FOR = 22, N_BREAK = 23, N_CONTINUE = 24, N_RETURN = 25, N_PRINT = 26, N_HALT = 27, N_NOP = 28,
  N_ARRAYARG = 29, N_READ = 30;

class Node {
  kids: Node[] = [];
  num: Num | null = null;
  constructor(public kind: i32, public op: string = "", public name: string = "") {}
  kid(i: i32): Node { return this.kids[i]; }
}

class Func {
  params: string[] = [];
  /** Whether each parameter is an array (name[]). */
  arrayParams: bool[] = [];
  autos: string[] = [];
  autoArrays: bool[] = [];
  body: Node = new Node(N_NOP);
}

// Flow of control after a statement.
const F_NORMAL = 0, F_BREAK = 1, F_CONTINUE = 2, F_RETURN = 3, F_HALT = 4, F_ERROR = 5;

class Bc {
  tokens: Token[] = [];
  pos: i32 = 0;
  error: string = "";
  vars: Map<string, Num> = new Map<string, Num>();
  arrays: Map<string, Map<i64, Num>> = new Map<string, Map<i64, Num>>();
  funcs: Map<string, Func> = new Map<string, Func>();
  scale: i32 = 0;
  ibase: i32 = 10;
  obase: i32 = 10;
  last: Num = fromInt(0);
  flow: i32 = F_NORMAL;
  returned: Num = fromInt(0);
  quit: bool = false;
  funcName: string = "(main)";

  // Parsing.
  peek(): Token { return this.tokens[this.pos]; }
  isOp(text: string): bool { const t = this.peek(); return t.kind == T_OP && t.text == text; }
  isName(text: string): bool { const t = this.peek(); return t.kind == T_NAME && t.text == text; }
  fail(message: string): Node {
    if (this.error == "") this.error = message + " (line " + this.peek().line.toString() + ")";
    return new Node(N_NOP);
  }
  expect(text: string): bool {
    if (this.isOp(text)) { this.pos++; return true; }
    this.fail("syntax error: '" + text + "' expected" + (this.peek().text != "" && this.peek().kind != T_NL ? " before '" + this.peek().text + "'" : ""));
    return false;
  }
  skipNewlines(): void { while (this.peek().kind == T_NL) this.pos++; }

  statement(): Node {
    const t = this.peek();
    if (t.kind == T_STR) { this.pos++; const n = new Node(N_STR, "", t.text); return n; }
    if (t.kind == T_OP && t.text == "{") {
      this.pos++;
      const block = new Node(N_BLOCK);
      for (;;) {
        while (this.peek().kind == T_NL || this.isOp(";")) this.pos++;
        if (this.isOp("}")) { this.pos++; break; }
        if (this.peek().kind == T_EOF) return this.fail("syntax error: '}' expected");
        block.kids.push(this.statement());
        if (this.error != "") return block;
      }
      return block;
    }
    if (t.kind == T_NAME) {
      const w = t.text;
      if (w == "if") {
        this.pos++;
        if (!this.expect("(")) return new Node(N_NOP);
        const n = new Node(N_IF);
        n.kids.push(this.expression());
        if (!this.expect(")")) return n;
        this.skipNewlines();
        n.kids.push(this.statement());
        // else may follow on the next line (GNU).
        const save = this.pos;
        while (this.peek().kind == T_NL || this.isOp(";")) this.pos++;
        if (this.isName("else")) { this.pos++; this.skipNewlines(); n.kids.push(this.statement()); } else this.pos = save;
        return n;
      }
      if (w == "while") {
        this.pos++;
        if (!this.expect("(")) return new Node(N_NOP);
        const n = new Node(N_WHILE);
        n.kids.push(this.expression());
        if (!this.expect(")")) return n;
        this.skipNewlines();
        n.kids.push(this.statement());
        return n;
      }
      if (w == "for") {
        this.pos++;
        if (!this.expect("(")) return new Node(N_NOP);
        const n = new Node(N_FOR);
        n.kids.push(this.isOp(";") ? new Node(N_NOP) : this.expression());
        if (!this.expect(";")) return n;
        n.kids.push(this.isOp(";") ? new Node(N_NOP) : this.expression());
        if (!this.expect(";")) return n;
        n.kids.push(this.isOp(")") ? new Node(N_NOP) : this.expression());
        if (!this.expect(")")) return n;
        this.skipNewlines();
        n.kids.push(this.statement());
        return n;
      }
      if (w == "break") { this.pos++; return new Node(N_BREAK); }
      if (w == "continue") { this.pos++; return new Node(N_CONTINUE); }
      if (w == "halt") { this.pos++; return new Node(N_HALT); }
      if (w == "quit") { this.pos++; this.quit = true; return new Node(N_NOP); }
      if (w == "return") {
        this.pos++;
        const n = new Node(N_RETURN);
        if (this.isOp("(")) {
          this.pos++;
          if (this.isOp(")")) { this.pos++; return n; }
          n.kids.push(this.expression());
          this.expect(")");
        } else if (this.peek().kind != T_NL && !this.isOp(";") && !this.isOp("}") && this.peek().kind != T_EOF) n.kids.push(this.expression());
        return n;
      }
      if (w == "print") {
        this.pos++;
        const n = new Node(N_PRINT);
        for (;;) {
          if (this.peek().kind == T_STR) { n.kids.push(new Node(N_STR, "", this.peek().text)); this.pos++; }
          else n.kids.push(this.expression());
          if (!this.isOp(",")) break;
          this.pos++;
        }
        return n;
      }
      if (w == "define") return this.define();
    }
    if (t.kind == T_NL || (t.kind == T_OP && t.text == ";")) return new Node(N_NOP);
    const n = new Node(N_EXPR);
    n.kids.push(this.expression());
    return n;
  }

  define(): Node {
    this.pos++;
    const nameTok = this.peek();
    if (nameTok.kind != T_NAME) return this.fail("syntax error: function name expected");
    this.pos++;
    const f = new Func();
    if (!this.expect("(")) return new Node(N_NOP);
    while (!this.isOp(")")) {
      const p = this.peek();
      if (p.kind != T_NAME) return this.fail("syntax error: parameter expected");
      this.pos++;
      let isArray = false;
      if (this.isOp("[")) { this.pos++; if (!this.expect("]")) return new Node(N_NOP); isArray = true; }
      f.params.push(p.text); f.arrayParams.push(isArray);
      if (this.isOp(",")) this.pos++; else if (!this.isOp(")")) return this.fail("syntax error in parameters");
    }
    this.pos++;
    this.skipNewlines();
    if (!this.isOp("{")) return this.fail("syntax error: '{' expected");
    this.pos++;
    const body = new Node(N_BLOCK);
    while (this.peek().kind == T_NL || this.isOp(";")) this.pos++;
    if (this.isName("auto")) {
      this.pos++;
      for (;;) {
        const a = this.peek();
        if (a.kind != T_NAME) return this.fail("syntax error: auto name expected");
        this.pos++;
        let isArray = false;
        if (this.isOp("[")) { this.pos++; if (!this.expect("]")) return new Node(N_NOP); isArray = true; }
        f.autos.push(a.text); f.autoArrays.push(isArray);
        if (!this.isOp(",")) break;
        this.pos++;
      }
    }
    for (;;) {
      while (this.peek().kind == T_NL || this.isOp(";")) this.pos++;
      if (this.isOp("}")) { this.pos++; break; }
      if (this.peek().kind == T_EOF) return this.fail("syntax error: '}' expected");
      body.kids.push(this.statement());
      if (this.error != "") return new Node(N_NOP);
    }
    f.body = body;
    this.funcs.set(nameTok.text, f);
    return new Node(N_NOP);
  }

  expression(): Node {
    let left = this.andExpr();
    while (this.isOp("||")) { this.pos++; const n = new Node(N_OR); n.kids.push(left); n.kids.push(this.andExpr()); left = n; }
    return left;
  }
  andExpr(): Node {
    let left = this.notExpr();
    while (this.isOp("&&")) { this.pos++; const n = new Node(N_AND); n.kids.push(left); n.kids.push(this.notExpr()); left = n; }
    return left;
  }
  notExpr(): Node {
    if (this.isOp("!")) { this.pos++; const n = new Node(N_NOT); n.kids.push(this.notExpr()); return n; }
    return this.relExpr();
  }
  relExpr(): Node {
    const left = this.assignExpr();
    const t = this.peek();
    if (t.kind == T_OP && (t.text == "<" || t.text == ">" || t.text == "<=" || t.text == ">=" || t.text == "==" || t.text == "!=")) {
      this.pos++;
      const n = new Node(N_REL, t.text);
      n.kids.push(left); n.kids.push(this.assignExpr());
      return n;
    }
    return left;
  }
  assignExpr(): Node {
    const left = this.addExpr();
    const t = this.peek();
    if (t.kind == T_OP && (t.text == "=" || t.text == "+=" || t.text == "-=" || t.text == "*=" || t.text == "/=" || t.text == "%=" || t.text == "^=")) {
      if (left.kind != N_VAR && left.kind != N_ELEM) return this.fail("syntax error: assignment to a non-variable");
      this.pos++;
      const n = new Node(N_ASSIGN, t.text);
      n.kids.push(left); n.kids.push(this.assignExpr());
      return n;
    }
    return left;
  }
  addExpr(): Node {
    let left = this.mulExpr();
    while (this.isOp("+") || this.isOp("-")) { const op = this.peek().text; this.pos++; const n = new Node(N_BIN, op); n.kids.push(left); n.kids.push(this.mulExpr()); left = n; }
    return left;
  }
  mulExpr(): Node {
    let left = this.powExpr();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%")) { const op = this.peek().text; this.pos++; const n = new Node(N_BIN, op); n.kids.push(left); n.kids.push(this.powExpr()); left = n; }
    return left;
  }
  powExpr(): Node {
    const base = this.unary();
    if (this.isOp("^")) { this.pos++; const n = new Node(N_BIN, "^"); n.kids.push(base); n.kids.push(this.powExprRight()); return n; }
    return base;
  }
  /** The right side of ^: right associative, and may start with unary minus. */
  powExprRight(): Node { return this.powExpr(); }
  unary(): Node {
    if (this.isOp("-")) { this.pos++; const n = new Node(N_NEG); n.kids.push(this.unary()); return n; }
    if (this.isOp("++") || this.isOp("--")) {
      const op = this.peek().text; this.pos++;
      const target = this.primary();
      if (target.kind != N_VAR && target.kind != N_ELEM) return this.fail("syntax error: " + op + " needs a variable");
      const n = new Node(N_PRE, op); n.kids.push(target); return n;
    }
    const p = this.primary();
    if ((this.isOp("++") || this.isOp("--")) && (p.kind == N_VAR || p.kind == N_ELEM)) {
      const n = new Node(N_POST, this.peek().text); this.pos++; n.kids.push(p); return n;
    }
    return p;
  }
  primary(): Node {
    const t = this.peek();
    if (t.kind == T_NUM) { this.pos++; const n = new Node(N_NUM, "", t.text); return n; }
    if (t.kind == T_OP && t.text == "(") { this.pos++; const e = this.expression(); this.expect(")"); return e; }
    if (t.kind == T_NAME) {
      this.pos++;
      const w = t.text;
      if (w == "length" || w == "sqrt" || (w == "scale" && this.isOp("("))) {
        if (!this.expect("(")) return new Node(N_NOP);
        const n = new Node(w == "length" ? N_LENGTH : w == "sqrt" ? N_SQRT : N_SCALEOF);
        n.kids.push(this.expression());
        this.expect(")");
        return n;
      }
      if (w == "read") { this.expect("("); this.expect(")"); return new Node(N_READ); }
      if (this.isOp("(")) {
        this.pos++;
        const n = new Node(N_CALL, "", w);
        while (!this.isOp(")")) {
          // name[] passes an array.
          if (this.peek().kind == T_NAME && this.pos + 2 < this.tokens.length && this.tokens[this.pos + 1].text == "[" && this.tokens[this.pos + 2].text == "]") {
            n.kids.push(new Node(N_ARRAYARG, "", this.peek().text)); this.pos += 3;
          } else n.kids.push(this.expression());
          if (this.error != "") return n;
          if (this.isOp(",")) this.pos++; else if (!this.isOp(")")) return this.fail("syntax error in arguments");
        }
        this.pos++;
        return n;
      }
      if (this.isOp("[")) {
        this.pos++;
        const n = new Node(N_ELEM, "", w);
        n.kids.push(this.expression());
        this.expect("]");
        return n;
      }
      return new Node(N_VAR, "", w == "." ? "last" : w);
    }
    if (t.kind == T_NUM && t.text == ".") { this.pos++; return new Node(N_VAR, "", "last"); }
    return this.fail("syntax error" + (t.kind == T_EOF ? " at end of input" : " at '" + (t.kind == T_NL ? "newline" : t.text) + "'"));
  }

  // Evaluation.
  runtimeError(message: string): Num {
    if (this.flow != F_ERROR) {
      stdout.flush();
      stderr.str("Runtime error (func=").str(this.funcName).str("): ").line(message).flush();
    }
    this.flow = F_ERROR;
    return fromInt(0);
  }

  parseNumber(text: string): Num {
    if (text == ".") return this.last;
    const dot = text.indexOf(".");
    const intText = dot < 0 ? text : text.substring(0, dot);
    const fracText = dot < 0 ? "" : text.substring(dot + 1);
    // A single digit is taken as itself whatever ibase is (as bc does for A-F).
    const base = intText.length == 1 && fracText.length == 0 ? 16 : this.ibase;
    const digitValue = (c: i32): i32 => c >= 65 ? c - 55 : c - 48;
    if (this.ibase == 10 && base != 16) {
      const digits = new Array<u8>();
      for (let i = fracText.length - 1; i >= 0; i--) digits.push(<u8>min(9, digitValue(fracText.charCodeAt(i))));
      for (let i = intText.length - 1; i >= 0; i--) digits.push(<u8>min(9, digitValue(intText.charCodeAt(i))));
      return new Num(digits, fracText.length);
    }
    let v = fromInt(0);
    const b = fromInt(base);
    for (let i = 0; i < intText.length; i++) {
      let d = digitValue(intText.charCodeAt(i));
      if (d >= base && base != 16) d = base - 1;
      v = add(mul(v, b, 0), fromInt(d));
    }
    if (fracText.length > 0) {
      let f = fromInt(0);
      let unit = fromInt(1);
      const s = fracText.length;
      for (let i = 0; i < fracText.length; i++) {
        let d = digitValue(fracText.charCodeAt(i));
        if (d >= this.ibase) d = this.ibase - 1;
        unit = div(unit, b, s + 2)!;
        f = add(f, mul(fromInt(d), unit, s + 2));
      }
      v = add(v, rescale(f, s));
    }
    return v;
  }

  getVar(name: string): Num {
    if (name == "scale") return fromInt(this.scale);
    if (name == "ibase") return fromInt(this.ibase);
    if (name == "obase") return fromInt(this.obase);
    if (name == "last") return this.last;
    return this.vars.has(name) ? this.vars.get(name) : fromInt(0);
  }

  setVar(name: string, v: Num): void {
    if (name == "scale") {
      const s = toInt(v);
      if (s < 0 || s > 2147483647) { this.runtimeError("scale out of range"); return; }
      this.scale = <i32>s; return;
    }
    if (name == "ibase") {
      const b = toInt(v);
      this.ibase = b < 2 ? 2 : b > 16 ? 16 : <i32>b; return;
    }
    if (name == "obase") {
      const b = toInt(v);
      if (b < 2) { this.runtimeError("obase too small"); return; }
      this.obase = <i32>min(b, 999); return;
    }
    if (name == "last") { this.last = v; return; }
    this.vars.set(name, v);
  }

  array(name: string): Map<i64, Num> {
    if (!this.arrays.has(name)) this.arrays.set(name, new Map<i64, Num>());
    return this.arrays.get(name);
  }

  index(n: Node): i64 {
    const i = toInt(this.eval(n.kid(0)));
    if (i < 0 || i > 16777215) { this.runtimeError("Array " + n.name + " subscript out of bounds"); return 0; }
    return i;
  }

  load(target: Node): Num {
    if (target.kind == N_VAR) return this.getVar(target.name);
    const i = this.index(target);
    const a = this.array(target.name);
    return a.has(i) ? a.get(i) : fromInt(0);
  }

  store(target: Node, v: Num): void {
    if (target.kind == N_VAR) { this.setVar(target.name, v); return; }
    const i = this.index(target);
    if (this.flow == F_ERROR) return;
    this.array(target.name).set(i, v);
  }

  binary(op: string, a: Num, b: Num): Num {
    if (op == "+") return add(a, b);
    if (op == "-") return sub(a, b);
    if (op == "*") return mul(a, b, this.scale);
    if (op == "/") { const r = div(a, b, this.scale); return r != null ? r : this.runtimeError("Divide by zero"); }
    if (op == "%") { const r = mod(a, b, this.scale); return r != null ? r : this.runtimeError("Modulo by zero"); }
    // ^
    if (b.scale > 0 && !rescale(b, 0).isZero() && compare(rescale(b, 0), b) != 0) stderr.line("Runtime warning: non-zero scale in exponent");
    const r = pow(a, toInt(b), this.scale);
    return r != null ? r : this.runtimeError("divide by zero");
  }

  eval(n: Node): Num {
    if (this.flow == F_ERROR) return fromInt(0);
    switch (n.kind) {
      case N_NUM: return this.parseNumber(n.name);
      case N_VAR: case N_ELEM: return this.load(n);
      case N_NEG: return negate(this.eval(n.kid(0)));
      case N_NOT: return fromInt(this.eval(n.kid(0)).isZero() ? 1 : 0);
      case N_AND: { if (this.eval(n.kid(0)).isZero()) return fromInt(0); return fromInt(this.eval(n.kid(1)).isZero() ? 0 : 1); }
      case N_OR: { if (!this.eval(n.kid(0)).isZero()) return fromInt(1); return fromInt(this.eval(n.kid(1)).isZero() ? 0 : 1); }
      case N_REL: {
        const c = compare(this.eval(n.kid(0)), this.eval(n.kid(1)));
        const op = n.op;
        const r = op == "<" ? c < 0 : op == ">" ? c > 0 : op == "<=" ? c <= 0 : op == ">=" ? c >= 0 : op == "==" ? c == 0 : c != 0;
        return fromInt(r ? 1 : 0);
      }
      case N_BIN: return this.binary(n.op, this.eval(n.kid(0)), this.eval(n.kid(1)));
      case N_ASSIGN: {
        const rhs = this.eval(n.kid(1));
        const v = n.op == "=" ? rhs : this.binary(n.op.substring(0, 1), this.load(n.kid(0)), rhs);
        if (this.flow == F_ERROR) return v;
        this.store(n.kid(0), v);
        return v;
      }
      case N_PRE: case N_POST: {
        const old = this.load(n.kid(0));
        const v = n.op == "++" ? add(old, fromInt(1)) : sub(old, fromInt(1));
        this.store(n.kid(0), v);
        return n.kind == N_PRE ? v : old;
      }
      case N_LENGTH: {
        const v = this.eval(n.kid(0));
        return fromInt(v.isZero() ? (v.scale > 0 ? v.scale : 1) : max(v.digits.length, v.scale));
      }
      case N_SCALEOF: return fromInt(this.eval(n.kid(0)).scale);
      case N_SQRT: { const r = sqrt(this.eval(n.kid(0)), this.scale); return r != null ? r : this.runtimeError("Square root of a negative number"); }
      case N_CALL: return this.call(n);
      case N_READ: return this.runtimeError("read() is not supported");
      default: return fromInt(0);
    }
  }

  call(n: Node): Num {
    if (!this.funcs.has(n.name)) return this.runtimeError("Function " + n.name + " not defined.");
    const f = this.funcs.get(n.name);
    if (f.params.length != n.kids.length) return this.runtimeError("Parameter number mismatch");
    // Arguments are evaluated in the caller's scope, then the parameters and autos shadow their names (dynamic scope).
    const values = new Array<Num>();
    const arrayValues = new Array<Map<i64, Num>>();
    for (let i = 0; i < f.params.length; i++) {
      if (f.arrayParams[i]) {
        if (n.kids[i].kind != N_ARRAYARG) return this.runtimeError("Parameter type mismatch");
        const copy = new Map<i64, Num>();
        const src = this.array(n.kids[i].name);
        const keys = src.keys();
        for (let k = 0; k < keys.length; k++) copy.set(keys[k], src.get(keys[k]));
        arrayValues.push(copy); values.push(fromInt(0));
      } else {
        values.push(this.eval(n.kids[i])); arrayValues.push(new Map<i64, Num>());
      }
    }
    if (this.flow == F_ERROR) return fromInt(0);
    const savedVars = new Array<Num | null>();
    const savedArrays = new Array<Map<i64, Num> | null>();
    const names = f.params.concat(f.autos);
    const isArray = f.arrayParams.concat(f.autoArrays);
    for (let i = 0; i < names.length; i++) {
      if (isArray[i]) { savedArrays.push(this.arrays.has(names[i]) ? this.arrays.get(names[i]) : null); savedVars.push(null); }
      else { savedVars.push(this.vars.has(names[i]) ? this.vars.get(names[i]) : null); savedArrays.push(null); }
    }
    for (let i = 0; i < names.length; i++) {
      if (isArray[i]) this.arrays.set(names[i], i < f.params.length ? arrayValues[i] : new Map<i64, Num>());
      else this.vars.set(names[i], i < f.params.length ? values[i] : fromInt(0));
    }
    const savedName = this.funcName;
    this.funcName = n.name;
    this.returned = fromInt(0);
    this.exec(f.body);
    const result = this.returned;
    if (this.flow == F_RETURN || this.flow == F_BREAK || this.flow == F_CONTINUE) this.flow = F_NORMAL;
    this.funcName = savedName;
    for (let i = 0; i < names.length; i++) {
      if (isArray[i]) { const a = savedArrays[i]; if (a != null) this.arrays.set(names[i], a); else this.arrays.delete(names[i]); }
      else { const v = savedVars[i]; if (v != null) this.vars.set(names[i], v); else this.vars.delete(names[i]); }
    }
    return result;
  }

  /** Prints a number as bc does: obase digits, lines cut at 70 characters with a backslash. */
  printNum(v: Num): void {
    const text = format(v, this.obase);
    let at = 0;
    while (text.length - at > 69) { stdout.str(text.substring(at, at + 68)).line("\\"); at += 68; }
    stdout.str(text.substring(at));
  }

  printString(s: string): void {
    // Escapes of print strings (GNU): \n \t \\ \" \a \b \f \r \e.
    let out = "";
    for (let i = 0; i < s.length; i++) {
      const c = s.charAt(i);
      if (c != "\\" || i + 1 >= s.length) { out += c; continue; }
      const e = s.charAt(++i);
      out += e == "n" ? "\n" : e == "t" ? "\t" : e == "\\" ? "\\" : e == "q" ? "\"" : e == "a" ? "\x07" : e == "b" ? "\b" : e == "f" ? "\f" : e == "r" ? "\r" : e == "e" ? "\\" : "\\" + e;
    }
    stdout.str(out);
  }

  exec(n: Node): void {
    if (this.flow != F_NORMAL) return;
    switch (n.kind) {
      case N_EXPR: {
        const e = n.kid(0);
        const v = this.eval(e);
        if (this.flow == F_ERROR) return;
        if (e.kind != N_ASSIGN) { this.printNum(v); stdout.byte(10); this.last = v; }
        return;
      }
      case N_STR: stdout.str(n.name); return;
      case N_PRINT: {
        for (let i = 0; i < n.kids.length; i++) {
          const k = n.kids[i];
          if (k.kind == N_STR) this.printString(k.name);
          else { const v = this.eval(k); if (this.flow == F_ERROR) return; this.printNum(v); this.last = v; }
        }
        return;
      }
      case N_BLOCK: for (let i = 0; i < n.kids.length && this.flow == F_NORMAL; i++) this.exec(n.kids[i]); return;
      case N_IF: {
        const c = this.eval(n.kid(0));
        if (this.flow != F_NORMAL) return;
        if (!c.isZero()) this.exec(n.kid(1)); else if (n.kids.length > 2) this.exec(n.kid(2));
        return;
      }
      case N_WHILE: {
        for (;;) {
          const c = this.eval(n.kid(0));
          if (this.flow != F_NORMAL || c.isZero()) return;
          this.exec(n.kid(1));
          if (this.flow == F_BREAK) { this.flow = F_NORMAL; return; }
          if (this.flow == F_CONTINUE) this.flow = F_NORMAL;
          if (this.flow != F_NORMAL) return;
        }
      }
      case N_FOR: {
        if (n.kid(0).kind != N_NOP) this.eval(n.kid(0));
        for (;;) {
          if (this.flow != F_NORMAL) return;
          if (n.kid(1).kind != N_NOP && this.eval(n.kid(1)).isZero()) return;
          if (this.flow != F_NORMAL) return;
          this.exec(n.kid(3));
          if (this.flow == F_BREAK) { this.flow = F_NORMAL; return; }
          if (this.flow == F_CONTINUE) this.flow = F_NORMAL;
          if (this.flow != F_NORMAL) return;
          if (n.kid(2).kind != N_NOP) this.eval(n.kid(2));
        }
      }
      case N_BREAK: this.flow = F_BREAK; return;
      case N_CONTINUE: this.flow = F_CONTINUE; return;
      case N_HALT: this.flow = F_HALT; return;
      case N_RETURN: {
        const v = n.kids.length > 0 ? this.eval(n.kid(0)) : fromInt(0);
        if (this.flow != F_NORMAL) return;
        this.returned = v;
        this.flow = F_RETURN;
        return;
      }
      default: return;
    }
  }

  /**
   * Parses and runs a program a line at a time, as GNU bc compiles it: the statements that end on
   * one line run together; a syntax error drops them, a runtime error the rest of them, and quit
   * ends bc before they run. False after halt or quit.
   */
  run(src: string, name: string): bool {
    this.tokens = [];
    this.pos = 0;
    const lexError = lex(src, this.tokens);
    if (lexError != "") { stderr.str("bc: ").str(name).str(": ").line(lexError).flush(); }
    for (;;) {
      const group = new Array<Node>();
      this.error = "";
      for (;;) {
        while (this.isOp(";")) this.pos++;
        if (this.peek().kind == T_NL) { this.pos++; if (group.length > 0 || this.error != "") break; continue; }
        if (this.peek().kind == T_EOF) break;
        const stmt = this.statement();
        if (this.quit) return false;
        if (this.error == "" && this.peek().kind != T_NL && !this.isOp(";") && this.peek().kind != T_EOF) this.fail("syntax error at '" + this.peek().text + "'");
        if (this.error != "") {
          stdout.flush();
          stderr.str("(standard_in) ").str(this.error).byte(10).flush();
          while (this.peek().kind != T_NL && this.peek().kind != T_EOF) this.pos++;
          continue;
        }
        group.push(stmt);
      }
      if (this.error == "") {
        for (let i = 0; i < group.length; i++) {
          this.flow = F_NORMAL;
          this.exec(group[i]);
          if (this.flow == F_HALT) return false;
          if (this.flow == F_ERROR) break;
          if (this.flow == F_RETURN) stderr.line("Return outside of a function.");
        }
        this.flow = F_NORMAL;
      }
      if (this.peek().kind == T_EOF) return true;
    }
    return true;
  }
}

/** bc [-l] [-q] [-s] [FILE]... */
export function bcMain(args: string[]): i32 {
  const bc = new Bc();
  const files = new Array<string>();
  let mathLib = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a == "-l" || a == "--mathlib") mathLib = true;
    else if (a == "-q" || a == "--quiet" || a == "-s" || a == "--standard" || a == "-w" || a == "--warn") continue;
    else if (a.startsWith("-") && a.length > 1) { stderr.str("bc: invalid option -- '").str(a.substring(1)).line("'").flush(); return 1; }
    else files.push(a);
  }
  if (mathLib) bc.run(MATH_LIBRARY, "math library");
  let status = 0;
  for (let i = 0; i < files.length; i++) {
    const fd = openInput("bc", files[i]);
    if (fd < 0) return 1;
    const data = readFd(fd);
    fs.close(fd);
    if (data == null) return 1;
    if (!bc.run(String.UTF8.decode(data.buffer), files[i])) { stdout.flush(); return status; }
  }
  const input = readFd(0);
  if (input != null) bc.run(String.UTF8.decode(input.buffer), "(standard_in)");
  stdout.flush();
  return status;
}
