// Shell arithmetic ($((...))): 64-bit integers with C's operators and precedence as dash has them
// (no ++, --, comma or **). Expressions are parsed once into a tree kept in the shell's cache by text.

import { state, getVar, expandError, setExpandError } from "./shexpand";
import { isName } from "./shparse";

/** The most parsed expressions kept; a full cache is emptied (scripts reuse a handful of texts). */
const ARITH_CACHE_LIMIT = 256;

/** Evaluates an expanded arithmetic text: from its cached tree, else parsed now (and cached when well formed). */
export function evaluateArith(text: string): i64 {
  const cache = state.arithCache;
  if (cache.has(text)) return evaluateTree(cache.get(text), text);
  const tree = new ArithCompiler(text).compile();
  // A malformed text goes the way dash reads it: evaluated as parsed, up to the error.
  if (tree == null) return interpretArith(text);
  if (cache.size >= ARITH_CACHE_LIMIT) cache.clear();
  cache.set(text, tree);
  return evaluateTree(tree, text);
}

/**
 * The value of a word that is all one $((text)) whose text needs no expansion (the usual
 * `i=$((i + 1))`), from the tree cached under the whole word; null when the word is not cached
 * (the caller then expands it the general way and may cache it with cacheArithWord).
 */
export function cachedArithWord(word: string): ArithNode | null {
  const cache = state.arithWordCache;
  return cache.has(word) ? cache.get(word) : null;
}

/** Parses the text of a $((text)) word that needs no expansion and caches it under the word; null when malformed. */
export function cacheArithWord(word: string, text: string): ArithNode | null {
  const tree = new ArithCompiler(text).compile();
  if (tree == null) return null;
  const cache = state.arithWordCache;
  if (cache.size >= ARITH_CACHE_LIMIT) cache.clear();
  cache.set(word, tree);
  return tree;
}

/** Evaluates a parsed tree (text, or the $((...)) word holding it, only for error messages); 0 after an error. */
export function evaluateTree(tree: ArithNode, text: string): i64 {
  const v = evalNode(tree, 0, text);
  return expandError == "" ? v : 0;
}

/** Evaluates while parsing: for texts that do not parse, so the errors and effects come in dash's order. */
function interpretArith(text: string): i64 {
  const a = new Arith(text);
  const v = a.assignment();
  a.skip();
  if (expandError == "" && a.p < a.s.length) a.fail("expecting EOF");
  return expandError == "" ? v : 0;
}

// Node kinds of a parsed expression.
const A_NUMBER = 0;
const A_VARIABLE = 1;
/** NAME op= rhs (op: an operator code below, or OP_NONE for plain =). */
const A_ASSIGN = 2;
const A_CONDITIONAL = 3;
const A_OR = 4;
const A_AND = 5;
const A_BINARY = 6;
const A_NEGATE = 7;
const A_NOT = 8;
const A_COMPLEMENT = 9;

// Binary operator codes (A_BINARY and compound assignments).
const OP_NONE = 0;
const OP_BIT_OR = 1;
const OP_BIT_XOR = 2;
const OP_BIT_AND = 3;
const OP_EQ = 4;
const OP_NE = 5;
const OP_LT = 6;
const OP_LE = 7;
const OP_GT = 8;
const OP_GE = 9;
const OP_SHL = 10;
const OP_SHR = 11;
const OP_ADD = 12;
const OP_SUB = 13;
const OP_MUL = 14;
const OP_DIV = 15;
const OP_MOD = 16;

/** One node of a parsed expression. */
export class ArithNode {
  kind: i32 = A_NUMBER;
  op: i32 = OP_NONE;
  value: i64 = 0;
  name: string = "";
  a: ArithNode | null = null;
  b: ArithNode | null = null;
  c: ArithNode | null = null;
  constructor(kind: i32) { this.kind = kind; }
}

/** The code of a binary operator's text ("+", "<<", "==" ...). */
function operatorCode(op: string): i32 {
  const first = op.charCodeAt(0);
  const second = op.length > 1 ? op.charCodeAt(1) : -1;
  switch (first) {
    case 124: return OP_BIT_OR;
    case 94: return OP_BIT_XOR;
    case 38: return OP_BIT_AND;
    case 61: return OP_EQ;
    case 33: return OP_NE;
    case 60: return second == 61 ? OP_LE : second == 60 ? OP_SHL : OP_LT;
    case 62: return second == 61 ? OP_GE : second == 62 ? OP_SHR : OP_GT;
    case 43: return OP_ADD;
    case 45: return OP_SUB;
    case 42: return OP_MUL;
    case 47: return OP_DIV;
  }
  return OP_MOD;
}

/** The reading shared by the parser and the interpreter: position, blanks, operators. */
class ArithScanner {
  p: i32 = 0;
  /** The level of the operator peekBinary last found. */
  opLevel: i32 = 0;
  constructor(public s: string) {}

  skip(): void {
    let p = this.p;
    for (;;) { const c = this.at(p); if (c != 32 && c != 9 && c != 10) break; p++; }
    this.p = p;
  }
  /** The character code at i, or -1 past the end (charCodeAt without its call: this runs per character). */
  @inline at(i: i32): i32 { return <u32>i < <u32>this.s.length ? <i32>load<u16>(changetype<usize>(this.s) + (<usize>i << 1)) : -1; }
  /** Takes op if it comes next and is not the start of a longer operator. */
  eat(op: string): bool {
    this.skip();
    const first = op.charCodeAt(0);
    if (this.p >= this.s.length || this.at(this.p) != first || !this.s.startsWith(op, this.p)) return false;
    const after = this.p + op.length < this.s.length ? this.at(this.p + op.length) : -1;
    const single = op.length == 1;
    if (after == 61 && op.charCodeAt(op.length - 1) != 61) {
      // "<" must not take "<=", "=" must not take "==", "+" must not take "+=", "<<" not "<<=" ...
      if (single ? "<>=!+-*/%&|^".indexOf(op) >= 0 : (first == 60 || first == 62) && op.charCodeAt(1) == first) return false;
    }
    if (single && (first == 38 || first == 124 || first == 60 || first == 62) && after == first) return false;
    this.p += op.length;
    return true;
  }
  /** The length of the assignment operator after a name at p (0: none; "i + 1" and "i == 1" are none). */
  assignOpLength(): i32 {
    const a = this.at(this.p); const b = this.at(this.p + 1); const c = this.at(this.p + 2);
    if (a == 61) return b == 61 ? 0 : 1;
    if (b == 61) return a == 43 || a == 45 || a == 42 || a == 47 || a == 37 || a == 38 || a == 94 || a == 124 ? 2 : 0;
    return (a == 60 || a == 62) && b == a && c == 61 ? 3 : 0;
  }
  /** The binary operator next (its level in opLevel), or "" when none comes: not || &&, an assignment operator or the end. */
  peekBinary(): string {
    this.skip();
    if (this.p >= this.s.length) return "";
    const c = this.at(this.p);
    const next = this.p + 1 < this.s.length ? this.at(this.p + 1) : -1;
    const after = this.p + 2 < this.s.length ? this.at(this.p + 2) : -1;
    switch (c) {
      case 124: this.opLevel = 0; return next == 124 || next == 61 ? "" : "|";
      case 94: this.opLevel = 1; return next == 61 ? "" : "^";
      case 38: this.opLevel = 2; return next == 38 || next == 61 ? "" : "&";
      case 61: this.opLevel = 3; return next == 61 ? "==" : "";
      case 33: this.opLevel = 3; return next == 61 ? "!=" : "";
      case 60:
        if (next == 61) { this.opLevel = 4; return "<="; }
        if (next == 60) { this.opLevel = 5; return after == 61 ? "" : "<<"; }
        this.opLevel = 4; return "<";
      case 62:
        if (next == 61) { this.opLevel = 4; return ">="; }
        if (next == 62) { this.opLevel = 5; return after == 61 ? "" : ">>"; }
        this.opLevel = 4; return ">";
      case 43: this.opLevel = 6; return next == 61 ? "" : "+";
      case 45: this.opLevel = 6; return next == 61 ? "" : "-";
      case 42: this.opLevel = 7; return next == 61 ? "" : "*";
      case 47: this.opLevel = 7; return next == 61 ? "" : "/";
      case 37: this.opLevel = 7; return next == 61 ? "" : "%";
    }
    return "";
  }
  /** The end of the name or number token at p. */
  tokenEnd(): i32 {
    let q = this.p;
    while (q < this.s.length && isAlnum(this.at(q))) q++;
    return q;
  }
}

/** Parses a whole expression into a tree; null when it is malformed anywhere. */
class ArithCompiler extends ArithScanner {
  failed: bool = false;

  compile(): ArithNode | null {
    const tree = this.assignment();
    this.skip();
    return this.failed || this.p < this.s.length ? null : tree;
  }
  fail(): ArithNode { this.failed = true; this.p = this.s.length; return new ArithNode(A_NUMBER); }

  assignment(): ArithNode {
    this.skip();
    const start = this.p;
    const end = nameEnd(this.s, start);
    if (end > start) {
      this.p = end;
      this.skip();
      const opLength = this.assignOpLength();
      if (opLength > 0) {
        const n = new ArithNode(A_ASSIGN);
        n.op = opLength == 1 ? OP_NONE : operatorCode(this.s.substring(this.p, this.p + opLength - 1));
        n.name = this.s.substring(start, end);
        this.p += opLength;
        n.b = this.assignment();
        return n;
      }
      this.p = start;
    }
    return this.conditional();
  }
  conditional(): ArithNode {
    const c = this.or();
    if (!this.eat("?")) return c;
    const n = new ArithNode(A_CONDITIONAL);
    n.a = c;
    n.b = this.assignment();
    if (!this.eat(":")) return this.fail();
    n.c = this.conditional();
    return n;
  }
  or(): ArithNode {
    let v = this.and();
    while (this.eat("||")) { const n = new ArithNode(A_OR); n.a = v; n.b = this.and(); v = n; }
    return v;
  }
  and(): ArithNode {
    let v = this.level(0);
    while (this.eat("&&")) { const n = new ArithNode(A_AND); n.a = v; n.b = this.level(0); v = n; }
    return v;
  }
  level(l: i32): ArithNode {
    let v = this.unary();
    for (;;) {
      const op = this.peekBinary();
      if (op.length == 0 || this.opLevel < l) return v;
      this.p += op.length;
      const n = new ArithNode(A_BINARY);
      n.op = operatorCode(op);
      n.a = v;
      n.b = this.level(this.opLevel + 1);
      v = n;
    }
    return v;
  }
  unary(): ArithNode {
    if (this.eat("-")) return this.prefix(A_NEGATE);
    if (this.eat("+")) return this.unary();
    if (this.eat("!")) return this.prefix(A_NOT);
    if (this.eat("~")) return this.prefix(A_COMPLEMENT);
    if (this.eat("(")) {
      const v = this.assignment();
      return this.eat(")") ? v : this.fail();
    }
    this.skip();
    const start = this.p;
    this.p = this.tokenEnd();
    const tok = this.s.substring(start, this.p);
    if (tok.length == 0) return this.fail();
    if (isName(tok)) { const n = new ArithNode(A_VARIABLE); n.name = tok; return n; }
    const number = parseArithNumber(tok);
    if (!number.ok) return this.fail();
    const n = new ArithNode(A_NUMBER);
    n.value = number.value;
    return n;
  }
  prefix(kind: i32): ArithNode { const n = new ArithNode(kind); n.a = this.unary(); return n; }
}

/** Records an evaluation error; text is the expression, or the whole $((...)) word holding it (cachedArithWord). */
function arithFail(message: string, text: string): void {
  const expression = text.startsWith("$((") ? text.substring(3, text.length - 2) : text;
  setExpandError("arithmetic expression: " + message + ": \"" + expression + "\"");
}

/** The value of node n; noeval above zero inside the branch of ?: && || not taken (no assignments, no errors). */
function evalNode(n: ArithNode, noeval: i32, text: string): i64 {
  switch (n.kind) {
    case A_NUMBER: return n.value;
    case A_VARIABLE: return arithVariable(n.name, noeval);
    case A_BINARY: { const a = evalNode(n.a!, noeval, text); return arithBinary(n.op, a, evalNode(n.b!, noeval, text), noeval, text); }
    case A_ASSIGN: {
      const rhs = evalNode(n.b!, noeval, text);
      if (noeval > 0 || expandError != "") return rhs;
      const v = n.op == OP_NONE ? rhs : arithBinary(n.op, arithVariable(n.name, noeval), rhs, noeval, text);
      if (expandError != "") return 0;
      if (state.readonly.has(n.name)) { setExpandError(n.name + ": is read only"); return 0; }
      setArithVariable(n.name, v);
      return v;
    }
    case A_CONDITIONAL: {
      const c = evalNode(n.a!, noeval, text);
      const a = evalNode(n.b!, c == 0 ? noeval + 1 : noeval, text);
      const b = evalNode(n.c!, c != 0 ? noeval + 1 : noeval, text);
      return c != 0 ? a : b;
    }
    case A_OR: {
      const v = evalNode(n.a!, noeval, text);
      const r = evalNode(n.b!, v != 0 ? noeval + 1 : noeval, text);
      return v != 0 || r != 0 ? 1 : 0;
    }
    case A_AND: {
      const v = evalNode(n.a!, noeval, text);
      const r = evalNode(n.b!, v == 0 ? noeval + 1 : noeval, text);
      return v != 0 && r != 0 ? 1 : 0;
    }
    case A_NEGATE: return -evalNode(n.a!, noeval, text);
    case A_NOT: return evalNode(n.a!, noeval, text) == 0 ? 1 : 0;
    case A_COMPLEMENT: return ~evalNode(n.a!, noeval, text);
  }
  return 0;
}

function arithBinary(op: i32, a: i64, b: i64, noeval: i32, text: string): i64 {
  switch (op) {
    case OP_BIT_OR: return a | b;
    case OP_BIT_XOR: return a ^ b;
    case OP_BIT_AND: return a & b;
    case OP_EQ: return a == b ? 1 : 0;
    case OP_NE: return a != b ? 1 : 0;
    case OP_LT: return a < b ? 1 : 0;
    case OP_LE: return a <= b ? 1 : 0;
    case OP_GT: return a > b ? 1 : 0;
    case OP_GE: return a >= b ? 1 : 0;
    case OP_SHL: return a << b;
    case OP_SHR: return a >> b;
    case OP_ADD: return a + b;
    case OP_SUB: return a - b;
    case OP_MUL: return a * b;
  }
  if (b == 0) { if (noeval == 0) arithFail("division by zero", text); return 0; }
  // MIN / -1 overflows (a trap in Wasm): wrap as the hardware would.
  if (b == -1) return op == OP_DIV ? -a : 0;
  return op == OP_DIV ? a / b : a % b;
}

/** Sets NAME (not read-only) to an arithmetic result. */
function setArithVariable(name: string, v: i64): void {
  state.vars.set(name, v.toString());
  if (state.opts.allexport) state.exported.add(name);
}

/** A variable's value as a number: unset (even with set -u, as in dash) and empty are 0; other text than a constant is an error (outside untaken branches). */
function arithVariable(name: string, noeval: i32): i64 {
  const v = getVar(name);
  if (v == null) return 0;
  const plain = plainDecimal(v);
  if (plain != NOT_PLAIN) return plain;
  const text = v.trim();
  if (text.length == 0) return 0;
  let neg = false;
  let digits = text;
  if (digits.startsWith("-") || digits.startsWith("+")) { neg = digits.startsWith("-"); digits = digits.substring(1); }
  const n = parseArithNumber(digits);
  if (!n.ok) { if (noeval == 0) setExpandError("Illegal number: " + v); return 0; }
  return neg ? -n.value : n.value;
}

/** One evaluation while parsing (interpretArith): the position, and how deep inside an unevaluated branch. */
class Arith extends ArithScanner {
  /** Above zero in the branch of ?: && || not taken: parsed, but no assignments and no errors. */
  noeval: i32 = 0;

  fail(message: string): void {
    setExpandError("arithmetic expression: " + message + ": \"" + this.s + "\"");
    this.p = this.s.length;
  }

  assignment(): i64 {
    this.skip();
    const start = this.p;
    const end = nameEnd(this.s, start);
    if (end > start) {
      this.p = end;
      this.skip();
      const opLength = this.assignOpLength();
      if (opLength > 0) {
        const op = this.s.substring(this.p, this.p + opLength);
        this.p += opLength;
        const name = this.s.substring(start, end);
        const rhs = this.assignment();
        if (this.noeval > 0 || expandError != "") return rhs;
        const v = op == "=" ? rhs : this.binary(op.substring(0, op.length - 1), this.variable(name), rhs);
        if (state.readonly.has(name)) { setExpandError(name + ": is read only"); this.p = this.s.length; return 0; }
        setArithVariable(name, v);
        return v;
      }
      this.p = start;
    }
    return this.conditional();
  }

  conditional(): i64 {
    const c = this.or();
    if (!this.eat("?")) return c;
    if (c == 0) this.noeval++;
    const a = this.assignment();
    if (c == 0) this.noeval--;
    if (!this.eat(":")) { this.fail("expecting ':'"); return 0; }
    if (c != 0) this.noeval++;
    const b = this.conditional();
    if (c != 0) this.noeval--;
    return c != 0 ? a : b;
  }

  or(): i64 {
    let v = this.and();
    while (this.eat("||")) {
      if (v != 0) this.noeval++;
      const r = this.and();
      if (v != 0) this.noeval--;
      v = v != 0 || r != 0 ? 1 : 0;
    }
    return v;
  }

  and(): i64 {
    let v = this.level(0);
    while (this.eat("&&")) {
      if (v == 0) this.noeval++;
      const r = this.level(0);
      if (v == 0) this.noeval--;
      v = v != 0 && r != 0 ? 1 : 0;
    }
    return v;
  }

  /** The binary operators of levels l and above, from | (0) to * / % (7), left associative (precedence climbing). */
  level(l: i32): i64 {
    let v = this.unary();
    for (;;) {
      const op = this.peekBinary();
      if (op.length == 0 || this.opLevel < l) return v;
      this.p += op.length;
      v = this.binary(op, v, this.level(this.opLevel + 1));
    }
    return v;
  }

  binary(op: string, a: i64, b: i64): i64 {
    const code = operatorCode(op);
    if ((code == OP_DIV || code == OP_MOD) && b == 0) { if (this.noeval == 0) this.fail("division by zero"); return 0; }
    return arithBinary(code, a, b, this.noeval, this.s);
  }

  unary(): i64 {
    if (this.eat("-")) return -this.unary();
    if (this.eat("+")) return this.unary();
    if (this.eat("!")) return this.unary() == 0 ? 1 : 0;
    if (this.eat("~")) return ~this.unary();
    if (this.eat("(")) {
      const v = this.assignment();
      if (!this.eat(")")) this.fail("expecting ')'");
      return v;
    }
    this.skip();
    const start = this.p;
    this.p = this.tokenEnd();
    const tok = this.s.substring(start, this.p);
    if (tok.length == 0) { this.fail("expecting primary"); return 0; }
    if (isName(tok)) return this.variable(tok);
    const n = parseArithNumber(tok);
    if (n.ok) return n.value;
    this.fail("expecting EOF");
    return 0;
  }

  variable(name: string): i64 {
    const v = arithVariable(name, this.noeval);
    if (expandError != "") this.p = this.s.length;
    return v;
  }
}

/** The end of the shell name (letters, digits, _; not starting with a digit) starting at from; from if none. */
export function nameEnd(s: string, from: i32): i32 {
  let j = from;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (!(c == 95 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (j > from && c >= 48 && c <= 57))) break;
    j++;
  }
  return j;
}

function isAlnum(c: i32): bool { return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95; }

class ArithNumber { ok: bool = false; value: i64 = 0; }

/** plainDecimal's answer for other text (the caller then parses it the general way, which also gives this value right). */
export const NOT_PLAIN: i64 = i64.MIN_VALUE;

/** A value that is just an optional "-" and at most 18 decimal digits not starting with 0 (or "0"), read without copies; NOT_PLAIN otherwise. */
export function plainDecimal(text: string): i64 {
  const neg = text.length > 0 && text.charCodeAt(0) == 45;
  const from = neg ? 1 : 0;
  if (from >= text.length || text.length - from > 18 || (text.charCodeAt(from) == 48 && text.length > from + 1)) return NOT_PLAIN;
  let v: i64 = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return NOT_PLAIN;
    v = v * 10 + <i64>(c - 48);
  }
  return neg ? -v : v;
}

/** A decimal, 0x hexadecimal or 0 octal constant (wrapping at 64 bits). */
function parseArithNumber(tok: string): ArithNumber {
  const n = new ArithNumber();
  let base: i64 = 10;
  let i = 0;
  if (tok.startsWith("0x") || tok.startsWith("0X")) { base = 16; i = 2; if (tok.length == 2) return n; }
  else if (tok.startsWith("0") && tok.length > 1) { base = 8; i = 1; }
  if (tok.length == 0) return n;
  let v: i64 = 0;
  for (; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    let d: i64 = 99;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    if (d >= base) return n;
    v = v * base + d;
  }
  n.ok = true;
  n.value = v;
  return n;
}
