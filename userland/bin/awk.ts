// awk: the POSIX awk language (patterns, ranges, fields, arrays, user functions, printf, getline,
// pipes, string functions, regular expressions): a lexer, a recursive-descent parser, a tree walker.

import { replaceAll } from "../lib/strings";
import { stdout, warn, Writer, Reader, ByteBuf } from "../lib/io";
import { usage } from "../lib/cmd";
import * as fs from "../lib/fs";
import * as proc from "../lib/proc";
import { environ } from "../lib/env";
import { compile, regexError, Regex } from "../lib/regex";
import { EINTR, strerror } from "../lib/errno";
import { Spec, formatFloat } from "./printf";

// ---------- tokens ----------
const T_EOF = 0; const T_NEWLINE = 1; const T_NUMBER = 2; const T_STRING = 3; const T_ERE = 4;
const T_NAME = 5; const T_FUNC_NAME = 6; const T_BUILTIN = 7; const T_KEYWORD = 8; const T_PUNCT = 9;

class Token {
  constructor(public kind: i32, public text: string, public num: f64, public line: i32) {}
}

const KEYWORDS = ["BEGIN", "END", "function", "func", "if", "else", "while", "for", "do", "break", "continue", "next", "nextfile", "exit", "return", "delete", "in", "getline", "print", "printf"];
const BUILTINS = ["length", "substr", "index", "split", "sub", "gsub", "match", "sprintf", "sin", "cos", "atan2", "exp", "log", "sqrt", "int", "rand", "srand", "tolower", "toupper", "system", "close", "fflush"];
const PUNCTS = ["+=", "-=", "*=", "/=", "%=", "^=", "**=", "**", "||", "&&", "==", "<=", ">=", "!=", "++", "--", ">>", "!~",
  "{", "}", "(", ")", "[", "]", ";", ",", "+", "-", "*", "/", "%", "^", "!", ">", "<", "|", "?", ":", "~", "$", "="];

class Lexer {
  pos: i32 = 0;
  line: i32 = 1;
  tokens: Token[] = [];
  error: string = "";
  constructor(public src: string) {}

  divisionAllowed(): bool {
    if (this.tokens.length == 0) return false;
    const t = this.tokens[this.tokens.length - 1];
    if (t.kind == T_NUMBER || t.kind == T_STRING || t.kind == T_NAME || t.kind == T_BUILTIN || t.kind == T_ERE) return true;
    if (t.kind == T_PUNCT) return t.text == ")" || t.text == "]" || t.text == "$" || t.text == "++" || t.text == "--";
    return false;
  }

  run(): bool {
    const s = this.src;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c == 32 || c == 9 || c == 13) { this.pos++; continue; }
      if (c == 92 && this.pos + 1 < s.length && s.charCodeAt(this.pos + 1) == 10) { this.pos += 2; this.line++; continue; }
      if (c == 35) { while (this.pos < s.length && s.charCodeAt(this.pos) != 10) this.pos++; continue; }
      if (c == 10) { this.tokens.push(new Token(T_NEWLINE, "\n", 0, this.line)); this.line++; this.pos++; continue; }
      if (c == 34) { if (!this.string()) return false; continue; }
      if (c == 47 && !this.divisionAllowed()) { if (!this.regex()) return false; continue; }
      if ((c >= 48 && c <= 57) || (c == 46 && this.pos + 1 < s.length && isDigitCode(s.charCodeAt(this.pos + 1)))) { this.number(); continue; }
      if (isNameStart(c)) {
        let e = this.pos + 1;
        while (e < s.length && (isNameStart(s.charCodeAt(e)) || isDigitCode(s.charCodeAt(e)))) e++;
        const word = s.substring(this.pos, e);
        this.pos = e;
        if (KEYWORDS.includes(word)) this.tokens.push(new Token(T_KEYWORD, word == "func" ? "function" : word, 0, this.line));
        else if (BUILTINS.includes(word)) this.tokens.push(new Token(T_BUILTIN, word, 0, this.line));
        else if (e < s.length && s.charCodeAt(e) == 40) this.tokens.push(new Token(T_FUNC_NAME, word, 0, this.line));
        else this.tokens.push(new Token(T_NAME, word, 0, this.line));
        continue;
      }
      let matched = false;
      for (let i = 0; i < PUNCTS.length; i++) {
        const p = PUNCTS[i];
        if (s.startsWith(p, this.pos)) {
          this.tokens.push(new Token(T_PUNCT, p == "**" ? "^" : p == "**=" ? "^=" : p, 0, this.line));
          this.pos += p.length;
          matched = true;
          break;
        }
      }
      if (!matched) { this.error = "syntax error at source line " + this.line.toString() + ": unexpected character '" + s.charAt(this.pos) + "'"; return false; }
    }
    this.tokens.push(new Token(T_NEWLINE, "\n", 0, this.line));
    this.tokens.push(new Token(T_EOF, "", 0, this.line));
    return true;
  }

  number(): void {
    const s = this.src;
    let e = this.pos;
    while (e < s.length && isDigitCode(s.charCodeAt(e))) e++;
    if (e < s.length && s.charCodeAt(e) == 46) { e++; while (e < s.length && isDigitCode(s.charCodeAt(e))) e++; }
    if (e < s.length && (s.charCodeAt(e) | 32) == 101) {
      let k = e + 1;
      if (k < s.length && (s.charCodeAt(k) == 43 || s.charCodeAt(k) == 45)) k++;
      if (k < s.length && isDigitCode(s.charCodeAt(k))) { e = k; while (e < s.length && isDigitCode(s.charCodeAt(e))) e++; }
    }
    const text = s.substring(this.pos, e);
    this.tokens.push(new Token(T_NUMBER, text, parseFloat(text), this.line));
    this.pos = e;
  }

  string(): bool {
    const s = this.src;
    let out = "";
    let i = this.pos + 1;
    while (i < s.length && s.charCodeAt(i) != 34) {
      const c = s.charCodeAt(i);
      if (c == 10) { this.error = "newline in string at source line " + this.line.toString(); return false; }
      if (c == 92 && i + 1 < s.length) {
        const e = s.charAt(i + 1);
        i += 2;
        if (e == "n") out += "\n"; else if (e == "t") out += "\t"; else if (e == "r") out += "\r";
        else if (e == "\\") out += "\\"; else if (e == "\"") out += "\""; else if (e == "/") out += "/";
        else if (e == "a") out += "\x07"; else if (e == "b") out += "\b"; else if (e == "f") out += "\f"; else if (e == "v") out += "\v";
        else if (e == "\n") { this.line++; }
        else if (e >= "0" && e <= "7") {
          let v = e.charCodeAt(0) - 48;
          for (let k = 0; k < 2 && i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 55; k++) v = v * 8 + s.charCodeAt(i++) - 48;
          out += String.fromCharCode(v);
        } else out += "\\" + e;
        continue;
      }
      out += String.fromCharCode(c);
      i++;
    }
    if (i >= s.length) { this.error = "non-terminated string at source line " + this.line.toString(); return false; }
    this.tokens.push(new Token(T_STRING, out, 0, this.line));
    this.pos = i + 1;
    return true;
  }

  regex(): bool {
    const s = this.src;
    let out = "";
    let i = this.pos + 1;
    let inClass = false;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c == 10) break;
      if (c == 47 && !inClass) break;
      if (c == 91 && !inClass) { inClass = true; out += "["; i++; if (i < s.length && s.charCodeAt(i) == 94) { out += "^"; i++; } if (i < s.length && s.charCodeAt(i) == 93) { out += "]"; i++; } continue; }
      if (c == 93 && inClass) inClass = false;
      if (c == 92 && i + 1 < s.length) {
        if (s.charCodeAt(i + 1) == 47) { out += "/"; i += 2; continue; }
        out += s.substring(i, i + 2); i += 2; continue;
      }
      out += String.fromCharCode(c);
      i++;
    }
    if (i >= s.length || s.charCodeAt(i) != 47) { this.error = "non-terminated regular expression at source line " + this.line.toString(); return false; }
    this.tokens.push(new Token(T_ERE, out, 0, this.line));
    this.pos = i + 1;
    return true;
  }
}

function isDigitCode(c: i32): bool { return c >= 48 && c <= 57; }
function isNameStart(c: i32): bool { return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95; }

// ---------- tree ----------
const E_NUM = 1; const E_STR = 2; const E_REGEX = 3; const E_VAR = 4; const E_LOCAL = 5; const E_FIELD = 6;
const E_INDEX = 7; const E_ASSIGN = 8; const E_COND = 9; const E_OR = 10; const E_AND = 11; const E_IN = 12;
const E_MATCH = 13; const E_BINOP = 14; const E_CMP = 15; const E_CONCAT = 16; const E_NEG = 17; const E_PLUS = 18;
const E_NOT = 19; const E_PREINC = 20; const E_PREDEC = 21; const E_POSTINC = 22; const E_POSTDEC = 23;
const E_CALL = 24; const E_BUILTIN = 25; const E_GETLINE = 26; const E_GROUP = 27;
const S_PRINT = 40; const S_PRINTF = 41; const S_EXPR = 42; const S_IF = 43; const S_WHILE = 44; const S_DO = 45;
const S_FOR = 46; const S_FORIN = 47; const S_BLOCK = 48; const S_NEXT = 49; const S_NEXTFILE = 50; const S_EXIT = 51;
const S_RETURN = 52; const S_BREAK = 53; const S_CONTINUE = 54; const S_DELETE = 55; const S_GETLINE = 56;

class Node {
  a: Node | null = null;
  b: Node | null = null;
  c: Node | null = null;
  d: Node | null = null;
  list: Node[] = [];
  s: string = "";
  n: f64 = 0;
  slot: i32 = 0;
  re: Regex | null = null;
  /** The value of a constant (E_NUM, E_STR), made at first use. */
  cell: Cell | null = null;
  constructor(public kind: i32) {}
}

class FuncDef {
  params: string[] = [];
  body: Node | null = null;
  defined: bool = false;
  constructor(public name: string) {}
}

class Rule {
  pattern: Node | null = null;
  pattern2: Node | null = null;
  action: Node | null = null;
  inRange: bool = false;
}

// ---------- values ----------
const V_UNINIT: u8 = 0; const V_NUM: u8 = 1; const V_STR: u8 = 2; const V_STRNUM: u8 = 3;

class Cell {
  /**
   * A variable's own number cell, changed in place by ++, -- and op= (no allocation each time): it
   * is copied wherever a cell is stored, so that nothing else ever holds it.
   */
  pinned: bool = false;
  constructor(public kind: u8, public n: f64, public s: string) {}
  static num(v: f64): Cell { return new Cell(V_NUM, v, ""); }
  static str(v: string): Cell { return new Cell(V_STR, 0, v); }
  /** Input data: a number if it looks like one (strnum), else a string. */
  static input(v: string): Cell {
    if (looksNumeric(v)) return new Cell(V_STRNUM, parseNumberPrefix(v), v);
    return new Cell(V_STR, 0, v);
  }
  copy(): Cell { return new Cell(this.kind, this.n, this.s); }
}

class Slot {
  cell: Cell = new Cell(V_UNINIT, 0, "");
  arr: Map<string, Cell> | null = null;
  /** For an untyped argument: the caller's variable, which becomes an array if this one does. */
  ref: Slot | null = null;
  array(): Map<string, Cell> {
    if (this.arr == null) this.arr = this.ref != null ? this.ref!.array() : new Map<string, Cell>();
    return this.arr!;
  }
}

function looksNumeric(s: string): bool {
  let i = 0; const n = s.length;
  while (i < n && (s.charCodeAt(i) == 32 || s.charCodeAt(i) == 9 || s.charCodeAt(i) == 10)) i++;
  if (i < n && (s.charCodeAt(i) == 43 || s.charCodeAt(i) == 45)) i++;
  let digits = 0;
  while (i < n && isDigitCode(s.charCodeAt(i))) { i++; digits++; }
  if (i < n && s.charCodeAt(i) == 46) { i++; while (i < n && isDigitCode(s.charCodeAt(i))) { i++; digits++; } }
  if (digits == 0) return false;
  if (i < n && (s.charCodeAt(i) | 32) == 101) {
    let k = i + 1;
    if (k < n && (s.charCodeAt(k) == 43 || s.charCodeAt(k) == 45)) k++;
    if (k < n && isDigitCode(s.charCodeAt(k))) { i = k; while (i < n && isDigitCode(s.charCodeAt(i))) i++; }
  }
  while (i < n && (s.charCodeAt(i) == 32 || s.charCodeAt(i) == 9 || s.charCodeAt(i) == 10)) i++;
  return i == n;
}

/** The numeric value of the longest leading number in s (strtod style), 0 if none. */
function parseNumberPrefix(s: string): f64 {
  let i = 0; const n = s.length;
  while (i < n && (s.charCodeAt(i) == 32 || s.charCodeAt(i) == 9 || s.charCodeAt(i) == 10)) i++;
  const start = i;
  let neg = false;
  if (i < n && (s.charCodeAt(i) == 43 || s.charCodeAt(i) == 45)) { neg = s.charCodeAt(i) == 45; i++; }
  // Fast path: plain integers.
  let v: f64 = 0;
  let digits = 0;
  while (i < n) { const c = s.charCodeAt(i); if (c < 48 || c > 57) break; v = v * 10 + <f64>(c - 48); i++; digits++; }
  if (i == n || (s.charCodeAt(i) != 46 && (s.charCodeAt(i) | 32) != 101)) return digits > 0 ? (neg ? -v : v) : 0;
  let e = i;
  if (e < n && s.charCodeAt(e) == 46) { e++; while (e < n && isDigitCode(s.charCodeAt(e))) { e++; digits++; } }
  if (digits == 0) return 0;
  if (e < n && (s.charCodeAt(e) | 32) == 101) {
    let k = e + 1;
    if (k < n && (s.charCodeAt(k) == 43 || s.charCodeAt(k) == 45)) k++;
    if (k < n && isDigitCode(s.charCodeAt(k))) { e = k; while (e < n && isDigitCode(s.charCodeAt(e))) e++; }
  }
  return parseFloat(s.substring(start, e));
}

// ---------- parser ----------
class Parser {
  pos: i32 = 0;
  error: string = "";
  rules: Rule[] = [];
  begins: Node[] = [];
  ends: Node[] = [];
  funcs: Map<string, FuncDef> = new Map<string, FuncDef>();
  funcList: FuncDef[] = [];
  globals: Map<string, i32>;
  locals: string[] | null = null;
  noIn: i32 = 0;
  noGt: i32 = 0;
  constructor(public toks: Token[], globals: Map<string, i32>) { this.globals = globals; }

  peek(): Token { return this.toks[this.pos]; }
  at(kind: i32, text: string): bool { const t = this.toks[this.pos]; return t.kind == kind && t.text == text; }
  isP(text: string): bool { return this.at(T_PUNCT, text); }
  isK(text: string): bool { return this.at(T_KEYWORD, text); }
  next(): Token { return this.toks[this.pos++]; }
  fail(message: string): void {
    if (this.error == "") {
      const t = this.peek();
      this.error = "syntax error at source line " + t.line.toString() + (message != "" ? ": " + message : "") + (t.kind == T_EOF ? " (at end of program)" : " near '" + (t.kind == T_NEWLINE ? "newline" : t.text) + "'");
    }
  }
  expectP(text: string): bool {
    if (this.isP(text)) { this.pos++; return true; }
    this.fail("expected '" + text + "'");
    return false;
  }
  newlines(): void { while (this.peek().kind == T_NEWLINE) this.pos++; }
  terminators(): void { while (this.peek().kind == T_NEWLINE || this.isP(";")) this.pos++; }

  program(): void {
    this.terminators();
    while (this.peek().kind != T_EOF && this.error == "") {
      if (this.isK("BEGIN")) { this.pos++; this.newlines(); const b = this.block(); if (b != null) this.begins.push(b); }
      else if (this.isK("END")) { this.pos++; this.newlines(); const b = this.block(); if (b != null) this.ends.push(b); }
      else if (this.isK("function")) this.functionDef();
      else {
        const r = new Rule();
        if (!this.isP("{")) {
          r.pattern = this.expr();
          if (this.isP(",")) { this.pos++; this.newlines(); r.pattern2 = this.expr(); }
        }
        if (this.isP("{")) r.action = this.block();
        this.rules.push(r);
      }
      this.terminators();
    }
  }

  functionDef(): void {
    this.pos++;
    const t = this.next();
    if (t.kind != T_NAME && t.kind != T_FUNC_NAME) { this.fail("expected a function name"); return; }
    const f = this.funcFor(t.text);
    if (f.defined) { this.fail("function '" + t.text + "' redefined"); return; }
    f.defined = true;
    if (!this.expectP("(")) return;
    const params = new Array<string>();
    while (!this.isP(")")) {
      const p = this.next();
      if (p.kind != T_NAME) { this.fail("expected a parameter name"); return; }
      params.push(p.text);
      if (this.isP(",")) { this.pos++; this.newlines(); }
      else if (!this.isP(")")) { this.fail("expected ',' or ')'"); return; }
    }
    this.pos++;
    this.newlines();
    f.params = params;
    this.locals = params;
    f.body = this.block();
    this.locals = null;
  }

  funcFor(name: string): FuncDef {
    if (!this.funcs.has(name)) { const f = new FuncDef(name); this.funcs.set(name, f); this.funcList.push(f); }
    return this.funcs.get(name);
  }

  block(): Node | null {
    if (!this.expectP("{")) return null;
    const b = new Node(S_BLOCK);
    this.terminators();
    while (!this.isP("}")) {
      if (this.peek().kind == T_EOF) { this.fail("missing '}'"); return null; }
      const s = this.statement();
      if (s == null) return null;
      b.list.push(s);
      this.terminators();
    }
    this.pos++;
    return b;
  }

  /** After a simple statement: ';', newline, or a closing brace left for the block. */
  endSimple(): bool {
    if (this.isP(";") || this.peek().kind == T_NEWLINE) { this.pos++; return true; }
    if (this.isP("}") || this.peek().kind == T_EOF) return true;
    this.fail("");
    return false;
  }

  statement(): Node | null {
    if (this.isP("{")) return this.block();
    if (this.isP(";")) { this.pos++; return new Node(S_BLOCK); }
    if (this.isK("if")) {
      this.pos++;
      if (!this.expectP("(")) return null;
      const n = new Node(S_IF);
      n.a = this.expr();
      if (!this.expectP(")")) return null;
      this.newlines();
      n.b = this.statement();
      if (n.b == null) return null;
      const save = this.pos;
      this.terminators();
      if (this.isK("else")) { this.pos++; this.newlines(); n.c = this.statement(); if (n.c == null) return null; }
      else this.pos = save;
      return n;
    }
    if (this.isK("while")) {
      this.pos++;
      if (!this.expectP("(")) return null;
      const n = new Node(S_WHILE);
      n.a = this.expr();
      if (!this.expectP(")")) return null;
      if (this.isP(";")) { this.pos++; n.b = new Node(S_BLOCK); return n; }
      this.newlines();
      n.b = this.statement();
      return n.b == null ? null : n;
    }
    if (this.isK("do")) {
      this.pos++; this.newlines();
      const n = new Node(S_DO);
      n.b = this.statement();
      if (n.b == null) return null;
      this.terminators();
      if (!this.isK("while")) { this.fail("expected 'while'"); return null; }
      this.pos++;
      if (!this.expectP("(")) return null;
      n.a = this.expr();
      if (!this.expectP(")")) return null;
      return this.endSimple() ? n : null;
    }
    if (this.isK("for")) return this.forStatement();
    if (this.isK("next") || this.isK("nextfile") || this.isK("break") || this.isK("continue")) {
      const t = this.next().text;
      const n = new Node(t == "next" ? S_NEXT : t == "nextfile" ? S_NEXTFILE : t == "break" ? S_BREAK : S_CONTINUE);
      return this.endSimple() ? n : null;
    }
    if (this.isK("exit") || this.isK("return")) {
      const t = this.next().text;
      const n = new Node(t == "exit" ? S_EXIT : S_RETURN);
      if (!this.isP(";") && !this.isP("}") && this.peek().kind != T_NEWLINE) n.a = this.expr();
      return this.endSimple() ? n : null;
    }
    if (this.isK("delete")) {
      this.pos++;
      const t = this.next();
      if (t.kind != T_NAME) { this.fail("expected an array name"); return null; }
      const n = new Node(S_DELETE);
      n.a = this.varNode(t.text);
      if (this.isP("[")) { this.pos++; n.list = this.exprList("]"); if (!this.expectP("]")) return null; }
      return this.endSimple() ? n : null;
    }
    if (this.isK("print") || this.isK("printf")) return this.printStatement();
    const n = new Node(S_EXPR);
    n.a = this.expr();
    if (this.error != "") return null;
    return this.endSimple() ? n : null;
  }

  forStatement(): Node | null {
    this.pos++;
    if (!this.expectP("(")) return null;
    // for (name in array)
    if (this.peek().kind == T_NAME && this.toks[this.pos + 1].kind == T_KEYWORD && this.toks[this.pos + 1].text == "in"
      && this.toks[this.pos + 2].kind == T_NAME && this.toks[this.pos + 3].kind == T_PUNCT && this.toks[this.pos + 3].text == ")") {
      const n = new Node(S_FORIN);
      n.a = this.varNode(this.next().text);
      this.pos++;
      n.b = this.varNode(this.next().text);
      this.pos++;
      this.newlines();
      n.c = this.statement();
      return n.c == null ? null : n;
    }
    const n = new Node(S_FOR);
    if (!this.isP(";")) { n.a = this.expr(); }
    if (!this.expectP(";")) return null;
    this.newlines();
    if (!this.isP(";")) n.b = this.expr();
    if (!this.expectP(";")) return null;
    this.newlines();
    if (!this.isP(")")) n.c = this.expr();
    if (!this.expectP(")")) return null;
    if (this.isP(";")) { this.pos++; n.d = new Node(S_BLOCK); return n; }
    this.newlines();
    n.d = this.statement();
    return n.d == null ? null : n;
  }

  printStatement(): Node | null {
    const isPrintf = this.next().text == "printf";
    const n = new Node(isPrintf ? S_PRINTF : S_PRINT);
    // print (a, b) > "f": a parenthesised list is the argument list.
    let parsed = false;
    if (this.isP("(")) {
      const save = this.pos;
      this.pos++;
      const list = this.exprList(")");
      if (this.error == "" && this.isP(")")) {
        this.pos++;
        if (this.isP(";") || this.isP("}") || this.isP(">") || this.isP(">>") || this.isP("|") || this.peek().kind == T_NEWLINE || this.peek().kind == T_EOF) {
          n.list = list; parsed = true;
        }
      }
      if (!parsed) { this.pos = save; this.error = ""; }
    }
    if (!parsed && !this.isP(";") && !this.isP("}") && !this.isP(">") && !this.isP(">>") && !this.isP("|") && this.peek().kind != T_NEWLINE) {
      this.noGt++;
      n.list = this.exprList("");
      this.noGt--;
    }
    if (isPrintf && n.list.length == 0) { this.fail("printf: no format"); return null; }
    if (this.isP(">") || this.isP(">>") || this.isP("|")) {
      const op = this.next().text;
      n.s = op;
      this.noGt++;
      n.a = this.concat();
      this.noGt--;
    }
    if (this.error != "") return null;
    return this.endSimple() ? n : null;
  }

  exprList(close: string): Node[] {
    const out = new Array<Node>();
    if (close != "" && this.isP(close)) return out;
    for (;;) {
      const e = this.expr();
      if (this.error != "") return out;
      out.push(e);
      if (!this.isP(",")) break;
      this.pos++;
      this.newlines();
    }
    return out;
  }

  varNode(name: string): Node {
    if (this.locals != null) {
      const i = this.locals!.indexOf(name);
      if (i >= 0) { const n = new Node(E_LOCAL); n.slot = i; n.s = name; return n; }
    }
    const n = new Node(E_VAR);
    n.s = name;
    if (!this.globals.has(name)) this.globals.set(name, this.globals.size);
    n.slot = this.globals.get(name);
    return n;
  }

  expr(): Node {
    const left = this.ternary();
    if (this.error != "") return left;
    const t = this.peek();
    if (t.kind == T_PUNCT && (t.text == "=" || t.text == "+=" || t.text == "-=" || t.text == "*=" || t.text == "/=" || t.text == "%=" || t.text == "^=")) {
      if (!isLvalue(left)) { this.fail("assignment to a non-variable"); return left; }
      this.pos++;
      this.newlines();
      const n = new Node(E_ASSIGN);
      n.s = t.text;
      n.a = left;
      n.b = this.expr();
      return n;
    }
    return left;
  }

  ternary(): Node {
    const cond = this.or();
    if (this.isP("?")) {
      this.pos++; this.newlines();
      const n = new Node(E_COND);
      n.a = cond;
      n.b = this.expr();
      this.newlines();
      if (!this.expectP(":")) return n;
      this.newlines();
      n.c = this.expr();
      return n;
    }
    return cond;
  }

  or(): Node {
    let left = this.and();
    while (this.isP("||")) {
      this.pos++; this.newlines();
      const n = new Node(E_OR); n.a = left; n.b = this.and(); left = n;
    }
    return left;
  }

  and(): Node {
    let left = this.inExpr();
    while (this.isP("&&")) {
      this.pos++; this.newlines();
      const n = new Node(E_AND); n.a = left; n.b = this.inExpr(); left = n;
    }
    return left;
  }

  inExpr(): Node {
    let left = this.matchExpr();
    while (this.noIn == 0 && this.isK("in")) {
      this.pos++;
      const t = this.next();
      if (t.kind != T_NAME) { this.fail("expected an array name after 'in'"); return left; }
      const n = new Node(E_IN);
      n.list = left.kind == E_GROUP ? left.list : [left];
      n.a = this.varNode(t.text);
      left = n;
    }
    return left;
  }

  matchExpr(): Node {
    let left = this.comparison();
    while (this.isP("~") || this.isP("!~")) {
      const neg = this.next().text == "!~";
      const n = new Node(E_MATCH);
      n.n = neg ? 1 : 0;
      n.a = left;
      n.b = this.comparison();
      left = n;
    }
    return left;
  }

  comparison(): Node {
    const left = this.concat();
    const t = this.peek();
    if (t.kind == T_PUNCT && (t.text == "<" || t.text == "<=" || t.text == "==" || t.text == "!=" || t.text == ">=" || (t.text == ">" && this.noGt == 0))) {
      this.pos++;
      const n = new Node(E_CMP);
      n.s = t.text;
      n.a = left;
      n.b = this.concat();
      return n;
    }
    // cmd | getline [var]
    if (this.isP("|") && this.toks[this.pos + 1].kind == T_KEYWORD && this.toks[this.pos + 1].text == "getline") {
      this.pos += 2;
      const n = new Node(E_GETLINE);
      n.s = "|";
      n.b = left;
      if (this.startsLvalue()) n.a = this.lvalue();
      let result = n;
      // "cmd" | getline > 0 and chains of pipes.
      while (this.isP("|") && this.toks[this.pos + 1].kind == T_KEYWORD && this.toks[this.pos + 1].text == "getline") {
        this.pos += 2;
        const m = new Node(E_GETLINE); m.s = "|"; m.b = result;
        if (this.startsLvalue()) m.a = this.lvalue();
        result = m;
      }
      const u = this.peek();
      if (u.kind == T_PUNCT && (u.text == "<" || u.text == "<=" || u.text == "==" || u.text == "!=" || u.text == ">=" || (u.text == ">" && this.noGt == 0))) {
        this.pos++;
        const c = new Node(E_CMP); c.s = u.text; c.a = result; c.b = this.concat();
        return c;
      }
      return result;
    }
    return left;
  }

  startsConcatOperand(): bool {
    const t = this.peek();
    if (t.kind == T_NUMBER || t.kind == T_STRING || t.kind == T_ERE || t.kind == T_NAME || t.kind == T_FUNC_NAME || t.kind == T_BUILTIN) return true;
    if (t.kind == T_PUNCT) return t.text == "$" || t.text == "(" || t.text == "!" || t.text == "-" || t.text == "+" || t.text == "++" || t.text == "--";
    if (t.kind == T_KEYWORD) return t.text == "getline";
    return false;
  }

  concat(): Node {
    let left = this.additive();
    while (this.error == "" && this.startsConcatOperand()) {
      const t = this.peek();
      // "a -1" and "a +1" are arithmetic, not concatenation; "a !b" is not awk.
      if (t.kind == T_PUNCT && (t.text == "-" || t.text == "+" || t.text == "!")) break;
      if (this.isK("in")) break;
      const n = new Node(E_CONCAT);
      n.a = left;
      n.b = this.additive();
      left = n;
    }
    return left;
  }

  additive(): Node {
    let left = this.multiplicative();
    while (this.isP("+") || this.isP("-")) {
      const op = this.next().text;
      const n = new Node(E_BINOP); n.s = op; n.a = left; n.b = this.multiplicative(); left = n;
    }
    return left;
  }

  multiplicative(): Node {
    let left = this.unary();
    while (this.isP("*") || this.isP("/") || this.isP("%")) {
      const op = this.next().text;
      const n = new Node(E_BINOP); n.s = op; n.a = left; n.b = this.unary(); left = n;
    }
    return left;
  }

  unary(): Node {
    if (this.isP("!")) { this.pos++; const n = new Node(E_NOT); n.a = this.unary(); return n; }
    if (this.isP("-")) { this.pos++; const n = new Node(E_NEG); n.a = this.unary(); return n; }
    if (this.isP("+")) { this.pos++; const n = new Node(E_PLUS); n.a = this.unary(); return n; }
    return this.power();
  }

  power(): Node {
    const base = this.postfix();
    if (this.isP("^")) {
      this.pos++;
      const n = new Node(E_BINOP);
      n.s = "^"; n.a = base;
      // Right-associative, and binds tighter than unary minus on its left: -2^2 is -4.
      if (this.isP("-")) { this.pos++; const m = new Node(E_NEG); m.a = this.power(); n.b = m; }
      else if (this.isP("+")) { this.pos++; n.b = this.power(); }
      else if (this.isP("!")) { this.pos++; const m = new Node(E_NOT); m.a = this.power(); n.b = m; }
      else n.b = this.power();
      return n;
    }
    return base;
  }

  postfix(): Node {
    if (this.isP("++") || this.isP("--")) {
      const inc = this.next().text == "++";
      const target = this.lvalue();
      const n = new Node(inc ? E_PREINC : E_PREDEC); n.a = target;
      return n;
    }
    const p = this.primary();
    if (isLvalue(p) && (this.isP("++") || this.isP("--"))) {
      const inc = this.next().text == "++";
      const n = new Node(inc ? E_POSTINC : E_POSTDEC); n.a = p;
      return n;
    }
    return p;
  }

  startsLvalue(): bool { return this.peek().kind == T_NAME || this.isP("$"); }

  lvalue(): Node {
    if (this.isP("$")) {
      this.pos++;
      const n = new Node(E_FIELD);
      n.a = this.fieldOperand();
      return n;
    }
    const t = this.next();
    if (t.kind != T_NAME) { this.pos--; this.fail("expected a variable"); return new Node(E_NUM); }
    const v = this.varNode(t.text);
    if (this.isP("[")) {
      this.pos++;
      const n = new Node(E_INDEX);
      n.a = v;
      n.list = this.exprList("]");
      this.expectP("]");
      return n;
    }
    return v;
  }

  /** The operand of $: a primary, with ++/-- allowed ($i++ is ($i)++, $++i works). */
  fieldOperand(): Node {
    if (this.isP("++") || this.isP("--")) {
      const inc = this.next().text == "++";
      const n = new Node(inc ? E_PREINC : E_PREDEC); n.a = this.lvalue(); return n;
    }
    if (this.isP("-")) { this.pos++; const n = new Node(E_NEG); n.a = this.fieldOperand(); return n; }
    return this.primary();
  }

  primary(): Node {
    const t = this.next();
    if (t.kind == T_NUMBER) { const n = new Node(E_NUM); n.n = t.num; return n; }
    if (t.kind == T_STRING) { const n = new Node(E_STR); n.s = t.text; return n; }
    if (t.kind == T_ERE) {
      const n = new Node(E_REGEX);
      n.s = t.text;
      n.re = compile(t.text, true, false);
      if (n.re == null) { this.pos--; this.fail("bad regular expression /" + t.text + "/: " + regexError); }
      return n;
    }
    if (t.kind == T_PUNCT && t.text == "$") { const n = new Node(E_FIELD); n.a = this.fieldOperand(); return n; }
    if (t.kind == T_PUNCT && t.text == "(") {
      this.noGt++;
      const saveGt = this.noGt; this.noGt = 0;
      const saveIn = this.noIn; this.noIn = 0;
      const list = this.exprList(")");
      this.noGt = saveGt - 1; this.noIn = saveIn;
      if (!this.expectP(")")) return new Node(E_NUM);
      if (list.length == 1) { const g = new Node(E_GROUP); g.a = list[0]; g.list = list; return g; }
      if (!this.isK("in")) { this.fail("expected 'in' after a subscript list"); return new Node(E_NUM); }
      const g = new Node(E_GROUP); g.list = list; g.a = list[0];
      return g;
    }
    if (t.kind == T_PUNCT && (t.text == "-" || t.text == "+" || t.text == "!")) {
      const n = new Node(t.text == "-" ? E_NEG : t.text == "+" ? E_PLUS : E_NOT);
      n.a = this.unary();
      return n;
    }
    if (t.kind == T_NAME) {
      this.pos--;
      return this.lvalue();
    }
    if (t.kind == T_FUNC_NAME) {
      const n = new Node(E_CALL);
      n.s = t.text;
      this.funcFor(t.text);
      this.pos++;
      this.newlines();
      n.list = this.exprList(")");
      this.expectP(")");
      return n;
    }
    if (t.kind == T_BUILTIN) {
      const n = new Node(E_BUILTIN);
      n.s = t.text;
      if (this.isP("(")) {
        this.pos++;
        this.newlines();
        n.list = this.exprList(")");
        this.expectP(")");
      } else if (t.text != "length") { this.pos--; this.fail("expected '(' after " + t.text); }
      return n;
    }
    if (t.kind == T_KEYWORD && t.text == "getline") {
      const n = new Node(E_GETLINE);
      if (this.startsLvalue()) n.a = this.lvalue();
      if (this.isP("<")) { this.pos++; n.s = "<"; n.b = this.getlineSource(); }
      return n;
    }
    this.pos--;
    this.fail("");
    this.pos++;
    return new Node(E_NUM);
  }

  /** getline < file: a primary, or concatenation-free expression. */
  getlineSource(): Node {
    if (this.isP("$")) { this.pos++; const n = new Node(E_FIELD); n.a = this.fieldOperand(); return n; }
    return this.primary();
  }
}

function isLvalue(n: Node): bool { return n.kind == E_VAR || n.kind == E_LOCAL || n.kind == E_FIELD || n.kind == E_INDEX; }

// ---------- interpreter ----------
const NR = 0; const NF = 1; const FNR = 2; const FS = 3; const OFS = 4; const ORS = 5; const RS = 6; const FILENAME = 7;
const SUBSEP = 8; const RSTART = 9; const RLENGTH = 10; const CONVFMT = 11; const OFMT = 12; const ENVIRON = 13; const ARGC = 14; const ARGV = 15;
const SPECIALS = ["NR", "NF", "FNR", "FS", "OFS", "ORS", "RS", "FILENAME", "SUBSEP", "RSTART", "RLENGTH", "CONVFMT", "OFMT", "ENVIRON", "ARGC", "ARGV"];

const J_NONE = 0; const J_BREAK = 1; const J_CONTINUE = 2; const J_NEXT = 3; const J_EXIT = 4; const J_RETURN = 5; const J_NEXTFILE = 6;

class OutStream {
  constructor(public w: Writer, public pid: i32) {}
}

class InStream {
  constructor(public r: Reader, public pid: i32) {}
}

class Frame {
  constructor(public slots: Slot[]) {}
}

class Awk {
  globals: Slot[] = [];
  frame: Slot[] = [];
  funcs: Map<string, FuncDef>;
  names: Map<string, i32>;
  jump: i32 = J_NONE;
  retval: Cell = new Cell(V_UNINIT, 0, "");
  exitCode: i32 = 0;
  /** $0 as a string, when recordReady; an input record is kept as bytes (recBuf) until a string is asked for. */
  private recordText: string = "";
  private recordReady: bool = true;
  /** An ASCII input record's bytes, while bytesValid: fields are split and read from here without making $0. */
  recBuf: usize = heap.alloc(256);
  recCap: i32 = 256;
  recLen: i32 = 0;
  bytesValid: bool = false;
  fields: string[] = [];
  /** When offsetsOnly, field i is $0's [fieldStarts[i], fieldEnds[i]) (bytes of recBuf while bytesValid) and fields is unused. */
  fieldStarts: StaticArray<i32> = new StaticArray<i32>(64);
  fieldEnds: StaticArray<i32> = new StaticArray<i32>(64);
  offsetsOnly: bool = false;
  /** FS's string when fsMode was worked out: 0 blank runs, 1 one character (fsChar), 2 anything else. */
  fsSeen: usize = 0;
  /** FS when $0 was read or assigned: POSIX splits a record with it, though FS changes before its fields are read. */
  recordFs: string = " ";
  fsMode: i32 = 2;
  fsChar: i32 = 0;
  nf: i32 = 0;
  split: bool = true;
  recordStale: bool = false;
  nr: f64 = 0;
  fnr: f64 = 0;
  regexCache: Map<string, Regex> = new Map<string, Regex>();
  outputs: Map<string, OutStream> = new Map<string, OutStream>();
  inputs: Map<string, InStream> = new Map<string, InStream>();
  errout: Writer = new Writer(2);
  main: InStream | null = null;
  argIndex: i32 = 1;
  usedFileOperand: bool = false;
  mainDone: bool = false;
  seed: f64 = 0;
  randState: u64 = 0x2545f4914f6cdd1d;
  encodedStr: string = "";
  encoded: ArrayBuffer = new ArrayBuffer(0);
  fatal: bool = false;

  constructor(names: Map<string, i32>, funcs: Map<string, FuncDef>) {
    this.funcs = funcs;
    this.names = names;
    for (let i = 0; i < names.size; i++) this.globals.push(new Slot());
    this.setStr(FS, " "); this.setStr(OFS, " "); this.setStr(ORS, "\n"); this.setStr(RS, "\n");
    this.setStr(SUBSEP, "\x1c"); this.setStr(CONVFMT, "%.6g"); this.setStr(OFMT, "%.6g");
    this.globals[RSTART].cell = Cell.num(0); this.globals[RLENGTH].cell = Cell.num(-1);
    this.globals[FILENAME].cell = Cell.str("");
    const env = environ();
    const envArr = this.globals[ENVIRON].array();
    for (let i = 0; i < env.length; i++) {
      const eq = env[i].indexOf("=");
      if (eq > 0) envArr.set(env[i].substring(0, eq), Cell.input(env[i].substring(eq + 1)));
    }
  }

  setStr(slot: i32, v: string): void { this.globals[slot].cell = Cell.str(v); }
  str(slot: i32): string { return this.toStr(this.globals[slot].cell); }

  runtimeError(message: string): void {
    if (this.fatal) return;
    stdout.flush();
    warn("awk", message);
    this.fatal = true;
    this.exitCode = 2;
    this.jump = J_EXIT;
  }

  // ----- conversions -----
  toNum(c: Cell): f64 {
    if (c.kind == V_NUM || c.kind == V_STRNUM) return c.n;
    if (c.kind == V_UNINIT) return 0;
    return parseNumberPrefix(c.s);
  }
  toStr(c: Cell): string {
    if (c.kind == V_NUM) return this.numToStr(c.n, CONVFMT);
    return c.s;
  }
  outStr(c: Cell): string {
    if (c.kind == V_NUM) return this.numToStr(c.n, OFMT);
    return c.s;
  }
  numToStr(v: f64, fmtSlot: i32): string {
    if (v == Math.floor(v) && Math.abs(v) < 1e16) return (<i64>v).toString();
    if (isNaN(v)) return v < 0 ? "-nan" : "nan";
    if (!isFinite(v)) return v < 0 ? "-inf" : "inf";
    const fmt = this.str(fmtSlot);
    if (fmt == "%.6g") return formatG(v, 6);
    return this.format(fmt, [Cell.num(v)], "");
  }
  truthy(c: Cell): bool {
    if (c.kind == V_NUM) return c.n != 0;
    if (c.kind == V_STRNUM) return c.n != 0;
    if (c.kind == V_UNINIT) return false;
    return c.s.length > 0;
  }

  get record(): string {
    if (!this.recordReady) {
      this.recordText = decodeLine(this.recBuf, this.recLen);
      this.recordReady = true;
    }
    return this.recordText;
  }
  set record(v: string) {
    this.recordText = v;
    this.recordReady = true;
    this.bytesValid = false;
  }

  /** $0 from input bytes (an ASCII line stays bytes until its string is needed). */
  setRecordBytes(ptr: usize, len: i32): void {
    if (len > this.recCap) { this.recCap = max(len, this.recCap * 2); this.recBuf = heap.realloc(this.recBuf, this.recCap); }
    let high: u64 = 0;
    let i = 0;
    for (; i + 8 <= len; i += 8) { const w = load<u64>(ptr + i); store<u64>(this.recBuf + i, w); high |= w; }
    for (; i < len; i++) { const b = load<u8>(ptr + i); store<u8>(this.recBuf + i, b); high |= <u64>b; }
    if ((high & 0x8080808080808080) != 0) { this.setRecord(String.UTF8.decodeUnsafe(ptr, len)); return; }
    this.recLen = len;
    this.bytesValid = true;
    this.recordReady = false;
    this.recordFs = this.str(FS);
    this.split = false;
    this.recordStale = false;
  }

  /** Works out how the record's FS splits, once per value of FS. */
  fsKind(): i32 {
    const fs = this.recordFs;
    if (changetype<usize>(fs) != this.fsSeen) {
      this.fsSeen = changetype<usize>(fs);
      this.fsMode = fs == " " ? 0 : fs.length == 1 && fs != "\\" ? 1 : 2;
      this.fsChar = fs.length > 0 ? fs.charCodeAt(0) : 0;
    }
    return this.fsMode;
  }

  /** Records one field's offsets. */
  @inline addField(at: i32, start: i32, end: i32): void {
    if (at >= this.fieldStarts.length) {
      const grown = this.fieldStarts.length * 2;
      const starts = new StaticArray<i32>(grown); const ends = new StaticArray<i32>(grown);
      memory.copy(changetype<usize>(starts), changetype<usize>(this.fieldStarts), <usize>at << 2);
      memory.copy(changetype<usize>(ends), changetype<usize>(this.fieldEnds), <usize>at << 2);
      this.fieldStarts = starts; this.fieldEnds = ends;
    }
    unchecked(this.fieldStarts[at] = start);
    unchecked(this.fieldEnds[at] = end);
  }

  // ----- fields -----
  splitRecord(): void {
    if (this.split) return;
    this.split = true;
    const mode = this.fsKind();
    // The common separators record field offsets only; strings are made when a field is read.
    if (mode == 0 || (mode == 1 && this.str(RS) != "")) {
      // Offsets over the bytes of an ASCII input record, else over $0's UTF-16 code units.
      const bytes = this.bytesValid;
      const base = bytes ? this.recBuf : changetype<usize>(this.record);
      const shift: usize = bytes ? 0 : 1;
      const n = bytes ? this.recLen : this.record.length;
      let count = 0;
      if (bytes && mode == 0) count = this.splitBlankBytes(base, n);
      else if (mode == 0) {
        let i = 0;
        while (i < n) {
          while (i < n && isBlank(bytes ? <i32>load<u8>(base + i) : <i32>load<u16>(base + (<usize>i << shift)))) i++;
          if (i >= n) break;
          const st = i;
          while (i < n && !isBlank(bytes ? <i32>load<u8>(base + i) : <i32>load<u16>(base + (<usize>i << shift)))) i++;
          this.addField(count++, st, i);
        }
      } else if (n > 0) {
        const c = this.fsChar;
        let st = 0;
        for (let i = 0; i < n; i++) {
          const ch = bytes ? <i32>load<u8>(base + i) : <i32>load<u16>(base + (<usize>i << shift));
          if (ch == c) { this.addField(count++, st, i); st = i + 1; }
        }
        this.addField(count++, st, n);
      }
      this.offsetsOnly = true;
      this.nf = count;
      return;
    }
    this.offsetsOnly = false;
    this.fields = this.splitWith(this.record, this.recordFs, this.str(RS) == "");
    this.nf = this.fields.length;
  }

  /** Splits an ASCII record's bytes at blank runs into field offsets; returns the field count. */
  splitBlankBytes(base: usize, n: i32): i32 {
    let count = 0;
    let i = 0;
    while (i < n) {
      while (i < n && isBlank(<i32>load<u8>(base + i))) i++;
      if (i >= n) break;
      const st = i;
      while (i < n && !isBlank(<i32>load<u8>(base + i))) i++;
      this.addField(count++, st, i);
    }
    return count;
  }

  /**
   * Field i's number read straight from an unsplit ASCII record split at blanks (FS " "): scans only
   * up to field i, recording nothing; NaN-free 0 when there is no field i, as toNum gives.
   */
  blankFieldNumber(i: i32): f64 {
    const base = this.recBuf; const n = this.recLen;
    let at = 0; let k = 0;
    for (;;) {
      while (at < n && isBlank(<i32>load<u8>(base + at))) at++;
      if (at >= n) return 0;
      const st = at;
      while (at < n && !isBlank(<i32>load<u8>(base + at))) at++;
      if (++k == i) return bytesNumberPrefix(base + st, at - st);
    }
    return 0;
  }

  /** Field i (1-based, split, offsetsOnly) as a string. */
  fieldText(i: i32): string {
    const st = unchecked(this.fieldStarts[i - 1]); const end = unchecked(this.fieldEnds[i - 1]);
    if (this.bytesValid) return decodeLine(this.recBuf + st, end - st);
    return this.record.substring(st, end);
  }

  /** The numeric value of field i as toNum(getField(i)) gives it, without making its string when $0 is bytes. */
  fieldNumber(i: i32): f64 {
    if (!this.split && this.bytesValid && i >= 1 && this.fsKind() == 0) return this.blankFieldNumber(i);
    this.splitRecord();
    if (i < 1 || i > this.nf) return 0;
    if (this.offsetsOnly && this.bytesValid) {
      const st = unchecked(this.fieldStarts[i - 1]);
      return bytesNumberPrefix(this.recBuf + st, unchecked(this.fieldEnds[i - 1]) - st);
    }
    return this.toNum(this.getField(i));
  }

  /** toNum(eval(n)), reading a constant-numbered field's number straight from the record. */
  numOf(n: Node): f64 {
    if (n.kind == E_FIELD && n.a!.kind == E_NUM && n.a!.n >= 1) return this.fieldNumber(<i32>n.a!.n);
    return this.toNum(this.eval(n));
  }

  /** Turns recorded field offsets into strings, before fields are changed. */
  materialize(): void {
    this.splitRecord();
    if (!this.offsetsOnly) return;
    const out = new Array<string>(this.nf);
    for (let i = 0; i < this.nf; i++) out[i] = this.fieldText(i + 1);
    this.fields = out;
    this.offsetsOnly = false;
  }

  splitWith(s: string, fs: string, paragraph: bool): string[] {
    const out = new Array<string>();
    if (s.length == 0) return out;
    if (fs == " ") {
      let i = 0; const n = s.length;
      while (i < n) {
        while (i < n && isBlank(s.charCodeAt(i))) i++;
        if (i >= n) break;
        const st = i;
        while (i < n && !isBlank(s.charCodeAt(i))) i++;
        out.push(s.substring(st, i));
      }
      return out;
    }
    if (fs.length == 1 && fs != "\\" && !paragraph) {
      const c = fs.charCodeAt(0);
      let st = 0;
      for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) == c) { out.push(s.substring(st, i)); st = i + 1; }
      out.push(s.substring(st));
      return out;
    }
    if (fs.length == 0) { for (let i = 0; i < s.length; i++) out.push(s.charAt(i)); return out; }
    const pattern = paragraph ? "(" + (fs.length == 1 ? escapeRegexChar(fs) : fs) + ")|\n" : fs;
    const re = this.regexOf(pattern);
    if (re == null) return [s];
    const bytes = String.UTF8.encode(s);
    const p = changetype<usize>(bytes);
    const len = bytes.byteLength;
    let st = 0; let from = 0;
    while (from <= len && re.exec(p, len, from)) {
      const ms = re.caps[0]; const me = re.caps[1];
      if (me == ms) { if (ms >= len) break; from = ms + 1; continue; }
      out.push(String.UTF8.decodeUnsafe(p + st, ms - st));
      st = me; from = me;
    }
    out.push(String.UTF8.decodeUnsafe(p + st, len - st));
    return out;
  }

  rebuildRecord(): void {
    if (!this.recordStale) return;
    this.recordStale = false;
    this.record = this.fields.slice(0, this.nf).join(this.str(OFS));
  }

  getField(i: i32): Cell {
    if (i < 0) { this.runtimeError("trying to access out of range field " + i.toString()); return Cell.str(""); }
    if (i == 0) { this.rebuildRecord(); return Cell.input(this.record); }
    this.splitRecord();
    if (i > this.nf) return new Cell(V_UNINIT, 0, "");
    if (this.offsetsOnly) return Cell.input(this.fieldText(i));
    return Cell.input(this.fields[i - 1]);
  }

  setField(i: i32, v: string): void {
    if (i < 0) { this.runtimeError("trying to access out of range field " + i.toString()); return; }
    if (i == 0) { this.setRecord(v); return; }
    this.materialize();
    while (this.fields.length < i) this.fields.push("");
    if (i > this.nf) this.nf = i;
    this.fields[i - 1] = v;
    this.recordStale = true;
  }

  setNF(n: i32): void {
    this.materialize();
    if (n < 0) n = 0;
    while (this.fields.length < n) this.fields.push("");
    this.nf = n;
    this.fields.length = n;
    this.recordStale = true;
  }

  setRecord(s: string): void {
    this.record = s;
    this.recordFs = this.str(FS);
    this.split = false;
    this.recordStale = false;
  }

  // ----- variables -----
  slotOf(n: Node): Slot {
    if (n.kind == E_LOCAL) return unchecked(this.frame[n.slot]);
    return unchecked(this.globals[n.slot]);
  }

  getVar(n: Node): Cell {
    if (n.kind == E_VAR) {
      if (n.slot == NF) { this.splitRecord(); return Cell.num(<f64>this.nf); }
      if (n.slot == NR) return Cell.num(this.nr);
      if (n.slot == FNR) return Cell.num(this.fnr);
    }
    const s = this.slotOf(n);
    if (s.arr != null) { this.runtimeError("attempt to use array '" + n.s + "' in a scalar context"); return Cell.num(0); }
    return s.cell;
  }

  setVar(n: Node, v: Cell): void {
    if (n.kind == E_VAR) {
      if (n.slot == NF) { this.setNF(<i32>this.toNum(v)); return; }
      if (n.slot == NR) { this.nr = this.toNum(v); return; }
      if (n.slot == FNR) { this.fnr = this.toNum(v); return; }
    }
    const s = this.slotOf(n);
    if (s.arr != null) { this.runtimeError("can't assign to '" + n.s + "'; it's an array name."); return; }
    s.cell = v.pinned ? v.copy() : v;
  }

  /** Sets a plain scalar variable to a number in its own pinned cell; false for fields, elements, arrays and NF/NR/FNR. */
  setNumber(target: Node, v: f64): bool {
    if (target.kind != E_VAR && target.kind != E_LOCAL) return false;
    if (target.kind == E_VAR && (target.slot == NF || target.slot == NR || target.slot == FNR)) return false;
    const s = this.slotOf(target);
    if (s.arr != null) return false;
    const c = s.cell;
    if (c.pinned) { c.kind = V_NUM; c.n = v; c.s = ""; return true; }
    const own = new Cell(V_NUM, v, "");
    own.pinned = true;
    s.cell = own;
    return true;
  }

  /** Evaluates an expression for its effect only (a statement, a for loop's step): ++, -- and op= then allocate nothing. */
  effect(n: Node): void {
    if (n.kind == E_PREINC || n.kind == E_PREDEC || n.kind == E_POSTINC || n.kind == E_POSTDEC) {
      const target = n.a!;
      if (target.kind == E_VAR || target.kind == E_LOCAL) {
        const old = this.toNum(this.getVar(target));
        if (this.setNumber(target, n.kind == E_PREINC || n.kind == E_POSTINC ? old + 1 : old - 1)) return;
      }
    } else if (n.kind == E_ASSIGN && n.s.length > 1 && (n.a!.kind == E_VAR || n.a!.kind == E_LOCAL)) {
      const rhs = this.numOf(n.b!);
      const target = n.a!;
      // A variable already holding its own number cell (after the first op=): changed in place.
      if (target.kind == E_LOCAL || target.slot > FNR) {
        const slot = this.slotOf(target);
        const own = slot.cell;
        if (own.pinned && own.kind == V_NUM && slot.arr == null) {
          const op = n.s.charCodeAt(0);
          if (op == 43) { own.n += rhs; return; }
          const v = this.arith(op, own.n, rhs);
          if (!this.fatal) own.n = v;
          return;
        }
      }
      const v = this.arith(n.s.charCodeAt(0), this.toNum(this.getVar(n.a!)), rhs);
      if (this.jump == J_EXIT && this.fatal) return;
      if (this.setNumber(n.a!, v)) return;
      this.setVar(n.a!, Cell.num(v));
      return;
    }
    this.eval(n);
  }

  subscript(list: Node[]): string {
    if (list.length == 1) return this.toStr(this.eval(list[0]));
    const sep = this.str(SUBSEP);
    let key = "";
    for (let i = 0; i < list.length; i++) { if (i > 0) key += sep; key += this.toStr(this.eval(list[i])); }
    return key;
  }

  arrayOf(n: Node): Map<string, Cell> {
    const s = this.slotOf(n);
    if (s.arr == null && s.cell.kind != V_UNINIT) { this.runtimeError("can't use scalar '" + n.s + "' as an array"); return new Map<string, Cell>(); }
    return s.array();
  }

  getLvalue(n: Node): Cell {
    if (n.kind == E_FIELD) return this.getField(<i32>this.toNum(this.eval(n.a!)));
    if (n.kind == E_INDEX) {
      const arr = this.arrayOf(n.a!);
      const key = this.subscript(n.list);
      if (!arr.has(key)) { const c = new Cell(V_UNINIT, 0, ""); arr.set(key, c); return c; }
      return arr.get(key);
    }
    return this.getVar(n);
  }

  /** Assigns v to an lvalue; field and index expressions are evaluated once by the caller's choice. */
  assign(n: Node, v: Cell): void {
    if (n.kind == E_FIELD) { this.setField(<i32>this.toNum(this.eval(n.a!)), this.toStr(v)); return; }
    if (n.kind == E_INDEX) { this.arrayOf(n.a!).set(this.subscript(n.list), v.pinned ? v.copy() : v); return; }
    this.setVar(n, v);
  }

  // ----- regular expressions -----
  regexOf(pattern: string): Regex | null {
    if (this.regexCache.has(pattern)) return this.regexCache.get(pattern);
    const re = compile(pattern, true, false);
    if (re == null) { this.runtimeError("bad regular expression '" + pattern + "': " + regexError); return null; }
    this.regexCache.set(pattern, re);
    return re;
  }

  regexFor(n: Node): Regex | null {
    if (n.kind == E_REGEX) return n.re;
    return this.regexOf(this.toStr(this.eval(n)));
  }

  bytesOf(s: string): ArrayBuffer {
    if (changetype<usize>(s) != changetype<usize>(this.encodedStr)) { this.encodedStr = s; this.encoded = String.UTF8.encode(s); }
    return this.encoded;
  }

  matches(re: Regex, s: string): bool {
    const b = this.bytesOf(s);
    return re.exec(changetype<usize>(b), b.byteLength);
  }

  // ----- expressions -----
  eval(n: Node): Cell {
    switch (n.kind) {
      // Cells are never changed in place, so a constant's cell is made once and shared.
      case E_NUM: { if (n.cell == null) n.cell = Cell.num(n.n); return n.cell!; }
      case E_STR: { if (n.cell == null) n.cell = Cell.str(n.s); return n.cell!; }
      case E_GROUP: return this.eval(n.a!);
      case E_REGEX: {
        this.rebuildRecord();
        if (this.bytesValid) return Cell.num(n.re!.exec(this.recBuf, this.recLen) ? 1 : 0);
        return Cell.num(this.matches(n.re!, this.record) ? 1 : 0);
      }
      case E_VAR: case E_LOCAL: return this.getVar(n);
      case E_FIELD: return this.getField(n.a!.kind == E_NUM ? <i32>n.a!.n : <i32>this.toNum(this.eval(n.a!)));
      case E_INDEX: return this.getLvalue(n);
      case E_ASSIGN: return this.evalAssign(n);
      case E_COND: return this.truthy(this.eval(n.a!)) ? this.eval(n.b!) : this.eval(n.c!);
      case E_OR: return Cell.num(this.truthy(this.eval(n.a!)) || this.truthy(this.eval(n.b!)) ? 1 : 0);
      case E_AND: return Cell.num(this.truthy(this.eval(n.a!)) && this.truthy(this.eval(n.b!)) ? 1 : 0);
      case E_IN: {
        const s = this.slotOf(n.a!);
        if (s.arr == null) return Cell.num(0);
        return Cell.num(s.arr!.has(this.subscript(n.list)) ? 1 : 0);
      }
      case E_MATCH: {
        const subject = this.toStr(this.eval(n.a!));
        const re = this.regexFor(n.b!);
        if (re == null) return Cell.num(0);
        const hit = this.matches(re, subject);
        return Cell.num(hit != (n.n != 0) ? 1 : 0);
      }
      case E_BINOP: { const x = this.numOf(n.a!); return Cell.num(this.arith(n.s.charCodeAt(0), x, this.numOf(n.b!))); }
      case E_CMP: {
        const fast = this.fieldCompare(n);
        if (fast != NO_FAST_COMPARE) {
          const op = n.s;
          const r = op == "<" ? fast < 0 : op == "<=" ? fast <= 0 : op == "==" ? fast == 0 : op == "!=" ? fast != 0 : op == ">=" ? fast >= 0 : fast > 0;
          return Cell.num(r ? 1 : 0);
        }
        const a = this.eval(n.a!);
        // A pinned cell can change while the right side runs (a function's i++): its value is taken first.
        const ak = a.kind; const an = a.n; const as = a.s;
        const b = this.eval(n.b!);
        const c = this.compareParts(ak, an, as, b);
        const op = n.s;
        const r = op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == "==" ? c == 0 : op == "!=" ? c != 0 : op == ">=" ? c >= 0 : c > 0;
        return Cell.num(r ? 1 : 0);
      }
      case E_CONCAT: { const a = this.toStr(this.eval(n.a!)); return Cell.str(a + this.toStr(this.eval(n.b!))); }
      case E_NEG: return Cell.num(-this.toNum(this.eval(n.a!)));
      case E_PLUS: return Cell.num(this.toNum(this.eval(n.a!)));
      case E_NOT: return Cell.num(this.truthy(this.eval(n.a!)) ? 0 : 1);
      case E_PREINC: case E_PREDEC: case E_POSTINC: case E_POSTDEC: return this.incdec(n);
      case E_CALL: return this.call(n);
      case E_BUILTIN: return this.builtin(n);
      case E_GETLINE: return this.getline(n);
    }
    return Cell.num(0);
  }

  arith(c: i32, a: f64, b: f64): f64 {
    if (c == 43) return a + b;
    if (c == 45) return a - b;
    if (c == 42) return a * b;
    if (c == 47) { if (b == 0) { this.runtimeError("division by zero"); return 0; } return a / b; }
    if (c == 37) { if (b == 0) { this.runtimeError("division by zero in %"); return 0; } return a % b; }
    return Math.pow(a, b);
  }

  /**
   * $N compared with a constant, straight from an input record's bytes ($3 > 100, $1 == "x"): the
   * comparison's sign, or NO_FAST_COMPARE when the general path must decide.
   */
  fieldCompare(n: Node): i32 {
    const left = n.a!; const right = n.b!;
    if (left.kind != E_FIELD || left.a!.kind != E_NUM || (right.kind != E_NUM && right.kind != E_STR)) return NO_FAST_COMPARE;
    if (!this.bytesValid || this.recordStale) return NO_FAST_COMPARE;
    const i = <i32>left.a!.n;
    if (i < 1) return NO_FAST_COMPARE;
    this.splitRecord();
    if (!this.offsetsOnly || i > this.nf) return NO_FAST_COMPARE;
    const p = this.recBuf + <usize>unchecked(this.fieldStarts[i - 1]);
    const len = unchecked(this.fieldEnds[i - 1]) - unchecked(this.fieldStarts[i - 1]);
    if (right.kind == E_NUM) {
      // A number only against a field that looks like one (a strnum); else the comparison is of strings.
      if (!bytesLookNumeric(p, len)) return NO_FAST_COMPARE;
      const x = bytesNumberPrefix(p, len); const y = right.n;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    const t = right.s;
    const m = min(len, t.length);
    for (let k = 0; k < m; k++) {
      const d = <i32>load<u8>(p + k) - <i32>t.charCodeAt(k);
      if (d != 0) return d < 0 ? -1 : 1;
    }
    return len < t.length ? -1 : len > t.length ? 1 : 0;
  }

  compareParts(ak: u8, an: f64, as: string, b: Cell): i32 {
    if (ak != V_STR && b.kind != V_STR) {
      const x = ak == V_UNINIT ? 0 : an; const y = this.toNum(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    const s = ak == V_NUM ? this.numToStr(an, CONVFMT) : as; const t = this.toStr(b);
    return s < t ? -1 : s > t ? 1 : 0;
  }

  compare(a: Cell, b: Cell): i32 {
    const an = a.kind != V_STR; const bn = b.kind != V_STR;
    if (an && bn) { const x = this.toNum(a); const y = this.toNum(b); return x < y ? -1 : x > y ? 1 : 0; }
    const s = this.toStr(a); const t = this.toStr(b);
    return s < t ? -1 : s > t ? 1 : 0;
  }

  evalAssign(n: Node): Cell {
    const target = n.a!;
    // Evaluate the target's field number / subscript once.
    let fieldNo = 0; let key = ""; let arr: Map<string, Cell> | null = null;
    if (target.kind == E_FIELD) fieldNo = <i32>this.toNum(this.eval(target.a!));
    else if (target.kind == E_INDEX) { arr = this.arrayOf(target.a!); key = this.subscript(target.list); }
    let v: Cell;
    if (n.s.length == 1) v = this.eval(n.b!);
    else {
      const rhs = this.numOf(n.b!);
      let cur: Cell;
      if (target.kind == E_FIELD) cur = this.getField(fieldNo);
      else if (target.kind == E_INDEX) cur = arr!.has(key) ? arr!.get(key) : new Cell(V_UNINIT, 0, "");
      else cur = this.getVar(target);
      v = Cell.num(this.arith(n.s.charCodeAt(0), this.toNum(cur), rhs));
    }
    if (target.kind == E_FIELD) this.setField(fieldNo, this.toStr(v));
    else if (target.kind == E_INDEX) arr!.set(key, v.pinned ? v.copy() : v);
    else this.setVar(target, v);
    return v;
  }

  incdec(n: Node): Cell {
    const target = n.a!;
    let fieldNo = 0; let key = ""; let arr: Map<string, Cell> | null = null;
    let cur: Cell;
    if (target.kind == E_FIELD) { fieldNo = <i32>this.toNum(this.eval(target.a!)); cur = this.getField(fieldNo); }
    else if (target.kind == E_INDEX) { arr = this.arrayOf(target.a!); key = this.subscript(target.list); cur = arr.has(key) ? arr.get(key) : new Cell(V_UNINIT, 0, ""); }
    else cur = this.getVar(target);
    const old = this.toNum(cur);
    const nv = n.kind == E_PREINC || n.kind == E_POSTINC ? old + 1 : old - 1;
    const v = Cell.num(nv);
    if (target.kind == E_FIELD) this.setField(fieldNo, this.toStr(v));
    else if (target.kind == E_INDEX) arr!.set(key, v);
    else this.setVar(target, v);
    return n.kind == E_PREINC || n.kind == E_PREDEC ? v : Cell.num(old);
  }

  call(n: Node): Cell {
    if (!this.funcs.has(n.s) || !this.funcs.get(n.s).defined) { this.runtimeError("calling undefined function " + n.s); return Cell.num(0); }
    const f = this.funcs.get(n.s);
    if (n.list.length > f.params.length) { this.runtimeError("function '" + n.s + "' called with more arguments than declared"); return Cell.num(0); }
    const slots = new Array<Slot>();
    for (let i = 0; i < f.params.length; i++) {
      const s = new Slot();
      if (i < n.list.length) {
        const a = n.list[i];
        if (a.kind == E_VAR || a.kind == E_LOCAL) {
          const src = this.slotOf(a);
          if (src.arr != null) s.arr = src.arr;
          else if (src.cell.kind == V_UNINIT && !(a.kind == E_VAR && (a.slot == NF || a.slot == NR || a.slot == FNR))) s.ref = src;
          else s.cell = this.getVar(a).copy();
        } else s.cell = this.eval(a).copy();
      }
      slots.push(s);
    }
    const saved = this.frame;
    this.frame = slots;
    this.retval = new Cell(V_UNINIT, 0, "");
    this.exec(f.body!);
    this.frame = saved;
    if (this.jump == J_RETURN) this.jump = J_NONE;
    const r = this.retval;
    this.retval = new Cell(V_UNINIT, 0, "");
    return r;
  }

  // ----- statements -----
  exec(n: Node): void {
    switch (n.kind) {
      case S_BLOCK:
        for (let i = 0, len = n.list.length; i < len; i++) { this.exec(unchecked(n.list[i])); if (this.jump != J_NONE) return; }
        return;
      case S_EXPR: this.effect(n.a!); return;
      case S_PRINT: case S_PRINTF: this.print(n); return;
      case S_IF:
        if (this.truthy(this.eval(n.a!))) this.exec(n.b!); else if (n.c != null) this.exec(n.c!);
        return;
      case S_WHILE:
        while (this.jump == J_NONE && this.truthy(this.eval(n.a!))) {
          this.exec(n.b!);
          if (this.jump == J_BREAK) { this.jump = J_NONE; break; }
          if (this.jump == J_CONTINUE) this.jump = J_NONE;
        }
        return;
      case S_DO:
        do {
          this.exec(n.b!);
          if (this.jump == J_BREAK) { this.jump = J_NONE; break; }
          if (this.jump == J_CONTINUE) this.jump = J_NONE;
          if (this.jump != J_NONE) return;
        } while (this.truthy(this.eval(n.a!)) && this.jump == J_NONE);
        return;
      case S_FOR:
        if (n.a != null) this.eval(n.a!);
        while (this.jump == J_NONE && (n.b == null || this.truthy(this.eval(n.b!)))) {
          this.exec(n.d!);
          if (this.jump == J_BREAK) { this.jump = J_NONE; break; }
          if (this.jump == J_CONTINUE) this.jump = J_NONE;
          if (this.jump != J_NONE) return;
          if (n.c != null) this.effect(n.c!);
        }
        return;
      case S_FORIN: {
        const s = this.slotOf(n.b!);
        if (s.arr == null && s.ref == null) return;
        const keys = this.arrayOf(n.b!).keys();
        for (let i = 0; i < keys.length; i++) {
          if (!s.array().has(keys[i])) continue;
          this.setVar(n.a!, Cell.input(keys[i]));
          this.exec(n.c!);
          if (this.jump == J_BREAK) { this.jump = J_NONE; break; }
          if (this.jump == J_CONTINUE) this.jump = J_NONE;
          if (this.jump != J_NONE) return;
        }
        return;
      }
      case S_NEXT: this.jump = J_NEXT; return;
      case S_NEXTFILE: this.jump = J_NEXTFILE; return;
      case S_BREAK: this.jump = J_BREAK; return;
      case S_CONTINUE: this.jump = J_CONTINUE; return;
      case S_EXIT:
        if (n.a != null) this.exitCode = <i32>this.toNum(this.eval(n.a!));
        this.jump = J_EXIT;
        return;
      case S_RETURN:
        if (n.a != null) this.retval = this.eval(n.a!).copy();
        this.jump = J_RETURN;
        return;
      case S_DELETE: {
        const arr = this.arrayOf(n.a!);
        if (n.list.length == 0) arr.clear(); else arr.delete(this.subscript(n.list));
        return;
      }
    }
  }

  /** Writes one print argument: a field of an input record straight from its bytes, else its output string. */
  printArg(w: Writer, arg: Node): void {
    if (arg.kind == E_FIELD) {
      const i = arg.a!.kind == E_NUM ? <i32>arg.a!.n : <i32>this.toNum(this.eval(arg.a!));
      if (this.bytesValid && !this.recordStale) {
        if (i == 0) { w.bytes(this.recBuf, this.recLen); return; }
        this.splitRecord();
        if (this.offsetsOnly && i >= 1) {
          if (i <= this.nf) { const st = unchecked(this.fieldStarts[i - 1]); w.bytes(this.recBuf + st, unchecked(this.fieldEnds[i - 1]) - st); }
          return;
        }
      }
      w.str(this.outStr(this.getField(i)));
      return;
    }
    w.str(this.outStr(this.eval(arg)));
  }

  print(n: Node): void {
    // print to standard output streams its arguments (the common case); the rest builds the text first.
    if (n.kind == S_PRINT && n.a == null) {
      if (n.list.length == 0) {
        this.rebuildRecord();
        if (this.bytesValid) stdout.bytes(this.recBuf, this.recLen); else stdout.str(this.record);
      } else {
        const ofs = this.str(OFS);
        for (let i = 0; i < n.list.length; i++) {
          if (i > 0) stdout.str(ofs);
          this.printArg(stdout, n.list[i]);
        }
      }
      stdout.str(this.str(ORS));
      return;
    }
    let text: string;
    if (n.kind == S_PRINTF) {
      const args = new Array<Cell>();
      for (let i = 1; i < n.list.length; i++) { const v = this.eval(n.list[i]); args.push(v.pinned ? v.copy() : v); }
      text = this.format(this.toStr(this.eval(n.list[0])), args);
      if (this.fatal) { if (n.a == null) stdout.str(text); return; }
    } else if (n.list.length == 0) {
      this.rebuildRecord();
      text = this.record + this.str(ORS);
    } else {
      const ofs = this.str(OFS);
      text = "";
      for (let i = 0; i < n.list.length; i++) {
        if (i > 0) text += ofs;
        text += this.outStr(this.eval(n.list[i]));
      }
      text += this.str(ORS);
    }
    if (this.jump == J_EXIT && this.fatal) return;
    if (n.a == null) { stdout.str(text); return; }
    const dest = this.toStr(this.eval(n.a!));
    const w = this.output(dest, n.s);
    if (w != null) w.str(text);
  }

  output(name: string, mode: string): Writer | null {
    if (this.outputs.has(name)) return this.outputs.get(name).w;
    if (mode != "|" && (name == "/dev/stdout" || name == "-")) return stdout;
    if (mode != "|" && name == "/dev/stderr") return this.errout;
    if (mode == "|") {
      stdout.flush();
      if (proc.pipe() != 0) { this.runtimeError("can't open pipe " + name); return null; }
      const r = proc.pipeRead; const wfd = proc.pipeWrite;
      const pid = proc.spawn("/bin/sh", ["sh", "-c", name], null, fs.getcwd(), [0, r, 1, 1, 2, 2]);
      fs.close(r);
      if (pid < 0) { fs.close(wfd); this.runtimeError("can't open pipe " + name); return null; }
      const out = new OutStream(new Writer(wfd), pid);
      this.outputs.set(name, out);
      return out.w;
    }
    const fd = fs.create(name, mode == ">>");
    if (fd < 0) { this.runtimeError("can't redirect to " + name); return null; }
    const out = new OutStream(new Writer(fd), 0);
    this.outputs.set(name, out);
    return out.w;
  }

  closeStream(name: string): i32 {
    let result = -1;
    if (this.outputs.has(name)) {
      const o = this.outputs.get(name);
      o.w.flush();
      fs.close(o.w.fd);
      result = 0;
      if (o.pid > 0) result = waitFor(o.pid);
      this.outputs.delete(name);
    }
    if (this.inputs.has(name)) {
      const i = this.inputs.get(name);
      if (i.r.fd > 2) fs.close(i.r.fd);
      result = 0;
      if (i.pid > 0) result = waitFor(i.pid);
      this.inputs.delete(name);
    }
    return result;
  }

  closeAll(): void {
    stdout.flush();
    this.errout.flush();
    const names = this.outputs.keys();
    for (let i = 0; i < names.length; i++) this.closeStream(names[i]);
    const inNames = this.inputs.keys();
    for (let i = 0; i < inNames.length; i++) this.closeStream(inNames[i]);
  }

  flushAll(): void {
    stdout.flush();
    this.errout.flush();
    const names = this.outputs.keys();
    for (let i = 0; i < names.length; i++) this.outputs.get(names[i]).w.flush();
  }

  // ----- input -----
  rsIsNewline(): bool {
    const rs = this.globals[RS].cell;
    return rs.kind != V_NUM && rs.s.length == 1 && rs.s.charCodeAt(0) == 10;
  }

  readRecord(r: Reader): string | null {
    const rs = this.str(RS);
    if (rs == "\n") return r.nextLine() ? decodeLine(r.linePtr, r.lineLen) : null;
    if (rs == "") {
      // Paragraph mode: records are separated by blank lines.
      let text = "";
      let any = false;
      while (r.nextLine()) {
        const line = r.lineString();
        if (line.length == 0) { if (any) break; continue; }
        text = any ? text + "\n" + line : line;
        any = true;
      }
      return any ? text : null;
    }
    const sep = <u8>rs.charCodeAt(0);
    let scan = r.start;
    for (;;) {
      let found = -1;
      for (let i = scan; i < r.end; i++) if (load<u8>(r.buf + i) == sep) { found = i; break; }
      if (found >= 0) {
        const s = String.UTF8.decodeUnsafe(r.buf + r.start, found - r.start);
        r.start = found + 1;
        return s;
      }
      scan = r.end - r.start;
      if (!r.fill()) {
        if (r.end > r.start) { const s = String.UTF8.decodeUnsafe(r.buf + r.start, r.end - r.start); r.start = r.end; return s; }
        return null;
      }
      scan = r.start + scan;
    }
    return null;
  }

  /** Opens the next main input file from ARGV; false when there are no more. */
  openNextMain(): bool {
    for (;;) {
      const argc = <i32>this.toNum(this.globals[ARGC].cell);
      if (this.argIndex >= argc) {
        if (this.usedFileOperand) return false;
        this.usedFileOperand = true;
        this.main = new InStream(new Reader(0), 0);
        this.fnr = 0;
        return true;
      }
      const argv = this.globals[ARGV].array();
      const key = this.argIndex.toString();
      this.argIndex++;
      if (!argv.has(key)) continue;
      const arg = this.toStr(argv.get(key));
      if (arg.length == 0) continue;
      if (isAssignment(arg)) { this.commandAssign(arg); continue; }
      this.usedFileOperand = true;
      let fd = 0;
      if (arg != "-" && arg != "/dev/stdin") {
        fd = fs.open(arg);
        if (fd < 0) { stdout.flush(); warn("awk", "cannot open " + arg + " (" + strerror(fs.lastError) + ")"); this.exitCode = 2; continue; }
      }
      this.setStr(FILENAME, arg);
      this.main = new InStream(new Reader(fd), 0);
      this.fnr = 0;
      return true;
    }
    return false;
  }

  /** The next record of the main input into $0 (and NR, FNR); false at the end. */
  nextMain(intoRecord: bool, target: Node | null): bool {
    if (this.mainDone) return false;
    for (;;) {
      if (this.main == null && !this.openNextMain()) { this.mainDone = true; return false; }
      const r = this.main!.r;
      if (intoRecord && this.rsIsNewline()) {
        if (!r.nextLine()) {
          if (r.fd > 2) fs.close(r.fd);
          this.main = null;
          continue;
        }
        this.nr++; this.fnr++;
        this.setRecordBytes(r.linePtr, r.lineLen);
        return true;
      }
      const rec = this.readRecord(r);
      if (rec == null) {
        if (this.main!.r.fd > 2) fs.close(this.main!.r.fd);
        this.main = null;
        continue;
      }
      this.nr++; this.fnr++;
      if (intoRecord) this.setRecord(rec); else this.assign(target!, Cell.input(rec));
      return true;
    }
    return false;
  }

  getline(n: Node): Cell {
    if (n.b == null) {
      const ok = this.nextMain(n.a == null, n.a);
      return Cell.num(ok ? 1 : 0);
    }
    const src = this.toStr(this.eval(n.b!));
    let input: InStream;
    if (this.inputs.has(src)) input = this.inputs.get(src);
    else if (n.s == "|") {
      this.flushAll();
      if (proc.pipe() != 0) return Cell.num(-1);
      const r = proc.pipeRead; const w = proc.pipeWrite;
      const pid = proc.spawn("/bin/sh", ["sh", "-c", src], null, fs.getcwd(), [0, 0, 1, w, 2, 2]);
      fs.close(w);
      if (pid < 0) { fs.close(r); return Cell.num(-1); }
      input = new InStream(new Reader(r), pid);
      this.inputs.set(src, input);
    } else {
      const fd = src == "-" || src == "/dev/stdin" ? 0 : fs.open(src);
      if (fd < 0) return Cell.num(-1);
      input = new InStream(new Reader(fd), 0);
      this.inputs.set(src, input);
    }
    const rec = this.readRecord(input.r);
    if (rec == null) return Cell.num(0);
    // cmd | getline counts records (NR); getline < file does not.
    if (n.s == "|") this.nr++;
    if (n.a == null) this.setRecord(rec); else this.assign(n.a!, Cell.input(rec));
    return Cell.num(1);
  }

  commandAssign(arg: string): void {
    const eq = arg.indexOf("=");
    const name = arg.substring(0, eq);
    const value = unescape(arg.substring(eq + 1));
    const idx = SPECIALS.indexOf(name);
    if (idx >= 0) {
      const v = new Node(E_VAR); v.slot = idx; v.s = name;
      this.setVar(v, Cell.input(value));
      return;
    }
    if (this.names.has(name)) this.globals[this.names.get(name)].cell = Cell.input(value);
  }

  // ----- builtins -----
  builtin(n: Node): Cell {
    const name = n.s;
    const args = n.list;
    if (name == "length") {
      if (args.length == 0) { this.rebuildRecord(); return Cell.num(<f64>this.record.length); }
      const a = args[0];
      if (a.kind == E_VAR || a.kind == E_LOCAL) {
        const s = this.slotOf(a);
        if (s.arr != null) return Cell.num(<f64>s.arr!.size);
      }
      return Cell.num(<f64>this.toStr(this.eval(a)).length);
    }
    if (name == "substr") {
      const s = this.toStr(this.eval(args[0]));
      const m = roundEven(this.toNum(this.eval(args[1])));
      let end: f64 = <f64>s.length + 1;
      if (args.length > 2) {
        const len = this.toNum(this.eval(args[2]));
        if (isNaN(len)) return Cell.str("");
        end = Math.min(end, m + roundEven(len));
      }
      const start = Math.max(m, 1);
      if (end <= start) return Cell.str("");
      return Cell.str(s.substring(<i32>start - 1, <i32>end - 1));
    }
    if (name == "index") {
      const s = this.toStr(this.eval(args[0]));
      const t = this.toStr(this.eval(args[1]));
      return Cell.num(<f64>(s.indexOf(t) + 1));
    }
    if (name == "split") {
      const s = this.toStr(this.eval(args[0]));
      const arrNode = args[1];
      let parts: string[];
      if (args.length > 2 && args[2].kind == E_REGEX) parts = this.regexSplit(s, args[2].re!);
      else {
        const sep = args.length > 2 ? this.toStr(this.eval(args[2])) : this.str(FS);
        parts = this.splitWith(s, sep, false);
      }
      const arr = this.arrayOf(arrNode);
      arr.clear();
      for (let i = 0; i < parts.length; i++) arr.set((i + 1).toString(), Cell.input(parts[i]));
      return Cell.num(<f64>parts.length);
    }
    if (name == "sub" || name == "gsub") return this.substitute(n, name == "gsub");
    if (name == "match") {
      const s = this.toStr(this.eval(args[0]));
      const re = this.regexFor(args[1]);
      let start = 0; let len = -1;
      if (re != null) {
        const b = this.bytesOf(s);
        const p = changetype<usize>(b);
        if (re.exec(p, b.byteLength)) {
          const ms = re.caps[0]; const me = re.caps[1];
          start = String.UTF8.decodeUnsafe(p, ms).length + 1;
          len = String.UTF8.decodeUnsafe(p + ms, me - ms).length;
        }
      }
      this.globals[RSTART].cell = Cell.num(<f64>start);
      this.globals[RLENGTH].cell = Cell.num(<f64>len);
      return Cell.num(<f64>start);
    }
    if (name == "sprintf") {
      if (args.length == 0) return Cell.str("");
      const vals = new Array<Cell>();
      for (let i = 1; i < args.length; i++) vals.push(this.eval(args[i]));
      return Cell.str(this.format(this.toStr(this.eval(args[0])), vals, "sprintf"));
    }
    if (name == "sin") return Cell.num(Math.sin(this.numArg(args, 0)));
    if (name == "cos") return Cell.num(Math.cos(this.numArg(args, 0)));
    if (name == "atan2") return Cell.num(Math.atan2(this.numArg(args, 0), this.numArg(args, 1)));
    if (name == "exp") return Cell.num(Math.exp(this.numArg(args, 0)));
    if (name == "log") return Cell.num(Math.log(this.numArg(args, 0)));
    if (name == "sqrt") return Cell.num(Math.sqrt(this.numArg(args, 0)));
    if (name == "int") { const v = this.numArg(args, 0); return Cell.num(v < 0 ? Math.ceil(v) : Math.floor(v)); }
    if (name == "rand") {
      let x = this.randState;
      x ^= x << 13; x ^= x >> 7; x ^= x << 17;
      this.randState = x;
      return Cell.num(<f64>(x >> 11) / 9007199254740992.0);
    }
    if (name == "srand") {
      const prev = this.seed;
      this.seed = args.length > 0 ? this.numArg(args, 0) : <f64>(proc.nowNs() / 1000000000);
      this.randState = (<u64>reinterpret<u64>(this.seed + 1.5)) | 1;
      return Cell.num(prev);
    }
    if (name == "tolower") return Cell.str(this.toStr(this.eval(args[0])).toLowerCase());
    if (name == "toupper") return Cell.str(this.toStr(this.eval(args[0])).toUpperCase());
    if (name == "system") {
      const cmd = this.toStr(this.eval(args[0]));
      this.flushAll();
      const pid = proc.spawn("/bin/sh", ["sh", "-c", cmd], null, fs.getcwd(), []);
      if (pid < 0) return Cell.num(-1);
      return Cell.num(<f64>waitFor(pid));
    }
    if (name == "close") return Cell.num(<f64>this.closeStream(this.toStr(this.eval(args[0]))));
    if (name == "fflush") { this.flushAll(); return Cell.num(0); }
    return Cell.num(0);
  }

  numArg(args: Node[], i: i32): f64 { return i < args.length ? this.toNum(this.eval(args[i])) : 0; }

  regexSplit(s: string, re: Regex): string[] {
    const out = new Array<string>();
    if (s.length == 0) return out;
    const bytes = String.UTF8.encode(s);
    const p = changetype<usize>(bytes);
    const len = bytes.byteLength;
    let st = 0; let from = 0;
    while (from <= len && re.exec(p, len, from)) {
      const ms = re.caps[0]; const me = re.caps[1];
      if (me == ms) { if (ms >= len) break; from = ms + 1; continue; }
      out.push(String.UTF8.decodeUnsafe(p + st, ms - st));
      st = me; from = me;
    }
    out.push(String.UTF8.decodeUnsafe(p + st, len - st));
    return out;
  }

  substitute(n: Node, global: bool): Cell {
    const args = n.list;
    const re = this.regexFor(args[0]);
    if (re == null) return Cell.num(0);
    const repl = this.toStr(this.eval(args[1]));
    let target: Node | null = args.length > 2 ? args[2] : null;
    let subject: string;
    let fieldNo = 0; let key = ""; let arr: Map<string, Cell> | null = null;
    if (target == null) { this.rebuildRecord(); subject = this.record; }
    else if (target.kind == E_FIELD) { fieldNo = <i32>this.toNum(this.eval(target.a!)); subject = this.toStr(this.getField(fieldNo)); }
    else if (target.kind == E_INDEX) { arr = this.arrayOf(target.a!); key = this.subscript(target.list); subject = arr.has(key) ? this.toStr(arr.get(key)) : ""; }
    else if (target.kind == E_VAR || target.kind == E_LOCAL) subject = this.toStr(this.getVar(target));
    else subject = this.toStr(this.eval(target));
    const bytes = String.UTF8.encode(subject);
    const p = changetype<usize>(bytes);
    const len = bytes.byteLength;
    const out = new ByteBuf(len + 16);
    let count = 0;
    let pos = 0;
    let lastEnd = -1;
    while (pos <= len) {
      if (!re.exec(p, len, pos)) break;
      const ms = re.caps[0]; const me = re.caps[1];
      if (ms == me && ms == lastEnd) {
        // An empty match right after the previous match does not count.
        if (ms >= len) break;
        out.append(p + ms, 1);
        pos = ms + 1;
        continue;
      }
      out.append(p + pos, ms - pos);
      appendReplacement(out, repl, p + ms, me - ms);
      count++;
      lastEnd = me;
      if (me == ms) {
        if (ms >= len) { pos = len + 1; break; }
        out.append(p + ms, 1);
        pos = ms + 1;
      } else pos = me;
      if (!global) break;
    }
    if (count == 0) return Cell.num(0);
    if (pos < len) out.append(p + pos, len - pos);
    const result = out.toString();
    if (target == null) this.setRecord(result);
    else if (target.kind == E_FIELD) this.setField(fieldNo, result);
    else if (target.kind == E_INDEX) arr!.set(key, Cell.str(result));
    else if (target.kind == E_VAR || target.kind == E_LOCAL) this.setVar(target, Cell.str(result));
    return Cell.num(<f64>count);
  }

  // ----- printf -----
  format(fmt: string, args: Cell[], caller: string = "printf"): string {
    let out = "";
    let ai = 0;
    let i = 0;
    while (i < fmt.length) {
      const c = fmt.charCodeAt(i);
      if (c != 37) {
        let j = i + 1;
        while (j < fmt.length && fmt.charCodeAt(j) != 37) j++;
        out += fmt.substring(i, j);
        i = j;
        continue;
      }
      const start = i++;
      if (i < fmt.length && fmt.charCodeAt(i) == 37) { out += "%"; i++; continue; }
      const spec = new Spec();
      while (i < fmt.length) {
        const f = fmt.charAt(i);
        if (f == "-") spec.left = true; else if (f == "+") spec.plus = true; else if (f == " ") spec.space = true;
        else if (f == "#") spec.alt = true; else if (f == "0") spec.zero = true; else break;
        i++;
      }
      if (i < fmt.length && fmt.charAt(i) == "*") {
        i++;
        spec.width = ai < args.length ? <i32>this.toNum(args[ai++]) : 0;
        if (spec.width < 0) { spec.left = true; spec.width = -spec.width; }
      } else while (i < fmt.length && isDigitCode(fmt.charCodeAt(i))) spec.width = spec.width * 10 + fmt.charCodeAt(i++) - 48;
      if (i < fmt.length && fmt.charAt(i) == ".") {
        i++;
        spec.precision = 0;
        if (i < fmt.length && fmt.charAt(i) == "*") { i++; spec.precision = ai < args.length ? <i32>this.toNum(args[ai++]) : 0; }
        else while (i < fmt.length && isDigitCode(fmt.charCodeAt(i))) spec.precision = spec.precision * 10 + fmt.charCodeAt(i++) - 48;
      }
      while (i < fmt.length && (fmt.charAt(i) == "l" || fmt.charAt(i) == "h")) i++;
      if (i >= fmt.length) { out += fmt.substring(start); break; }
      const conv = fmt.charAt(i++);
      const have = ai < args.length;
      // As mawk, gawk and the one true awk: a conversion without its argument is fatal (mawk prints what came before).
      if (!have && caller != "") { this.runtimeError("not enough arguments passed to " + caller + "(\"" + fmt + "\")"); break; }
      const arg = have ? args[ai++] : new Cell(V_UNINIT, 0, "");
      if (conv == "s") {
        let s = this.toStr(arg);
        if (spec.precision >= 0 && spec.precision < s.length) s = s.substring(0, spec.precision);
        out += padText(s, spec, false);
      } else if (conv == "c") {
        let s: string;
        if (arg.kind == V_NUM) s = String.fromCodePoint(<i32>arg.n);
        else { const t = this.toStr(arg); s = t.length > 0 ? t.substring(0, 1) : ""; }
        out += padText(s, spec, false);
      } else if (conv == "d" || conv == "i") {
        const v = this.toNum(arg);
        if (isNaN(v) || !isFinite(v)) { out += padText(v < 0 ? "-inf" : isNaN(v) ? "nan" : "inf", spec, false); continue; }
        const iv = <i64>(v < 0 ? Math.ceil(v) : Math.floor(v));
        const neg = iv < 0;
        let digits = neg ? (-iv).toString() : iv.toString();
        if (spec.precision == 0 && iv == 0) digits = "";
        while (spec.precision > digits.length) digits = "0" + digits;
        out += padText((neg ? "-" : spec.plus ? "+" : spec.space ? " " : "") + digits, spec, spec.precision < 0);
      } else if (conv == "o" || conv == "x" || conv == "X" || conv == "u") {
        const v = this.toNum(arg);
        const iv = <i64>(v < 0 ? Math.ceil(v) : Math.floor(v));
        const u = <u64>iv;
        let digits = conv == "u" ? u.toString() : conv == "o" ? u.toString(8) : u.toString(16);
        if (conv == "X") digits = digits.toUpperCase();
        if (spec.precision == 0 && u == 0) digits = "";
        while (spec.precision > digits.length) digits = "0" + digits;
        let prefix = "";
        if (spec.alt && conv == "o" && !digits.startsWith("0")) digits = "0" + digits;
        if (spec.alt && u != 0 && conv == "x") prefix = "0x";
        if (spec.alt && u != 0 && conv == "X") prefix = "0X";
        out += padText(prefix + digits, spec, spec.precision < 0);
      } else if ("eEfFgG".indexOf(conv) >= 0) {
        const v = this.toNum(arg);
        out += padText(formatFloat(v, conv, spec), spec, isFinite(v));
      } else {
        out += fmt.substring(start, i);
        ai--;
      }
    }
    return out;
  }

  // ----- the program -----
  runRules(rules: Rule[]): void {
    for (let i = 0, len = rules.length; i < len; i++) {
      const r = unchecked(rules[i]);
      let hit = true;
      if (r.pattern2 != null) {
        if (!r.inRange) {
          if (this.truthy(this.eval(r.pattern!))) { r.inRange = true; if (this.truthy(this.eval(r.pattern2!))) r.inRange = false; }
          else hit = false;
        } else if (this.truthy(this.eval(r.pattern2!))) r.inRange = false;
      } else if (r.pattern != null) hit = this.truthy(this.eval(r.pattern!));
      if (this.jump != J_NONE) return;
      if (!hit) continue;
      if (r.action == null) {
        this.rebuildRecord();
        if (this.bytesValid) stdout.bytes(this.recBuf, this.recLen); else stdout.str(this.record);
        stdout.str(this.str(ORS));
      }
      else this.exec(r.action!);
      if (this.jump != J_NONE) return;
    }
  }
}

function waitFor(pid: i32): i32 {
  let err = proc.wait(pid);
  while (err == EINTR) err = proc.wait(pid);
  return err != 0 ? -1 : proc.exitStatus(proc.waitedStatus);
}

/** A line's bytes as a string: widened directly when ASCII (the common case), else UTF-8 decoded. */
function decodeLine(ptr: usize, len: i32): string {
  const out = changetype<string>(__new(<usize>len << 1, idof<string>()));
  const dst = changetype<usize>(out);
  for (let i = 0; i < len; i++) {
    const b = load<u8>(ptr + i);
    if (b >= 0x80) return String.UTF8.decodeUnsafe(ptr, len);
    store<u16>(dst + (<usize>i << 1), <u16>b);
  }
  return out;
}

@inline function isBlank(c: i32): bool { return c == 32 || c == 9 || c == 10; }

/** What fieldCompare gives when it cannot decide. */
const NO_FAST_COMPARE = 99;

/** looksNumeric over ASCII bytes. */
function bytesLookNumeric(p: usize, n: i32): bool {
  let i = 0;
  while (i < n && isBlank(<i32>load<u8>(p + i))) i++;
  if (i < n && (load<u8>(p + i) == 43 || load<u8>(p + i) == 45)) i++;
  let digits = 0;
  while (i < n && isDigitCode(<i32>load<u8>(p + i))) { i++; digits++; }
  if (i < n && load<u8>(p + i) == 46) { i++; while (i < n && isDigitCode(<i32>load<u8>(p + i))) { i++; digits++; } }
  if (digits == 0) return false;
  if (i < n && (load<u8>(p + i) | 32) == 101) {
    let k = i + 1;
    if (k < n && (load<u8>(p + k) == 43 || load<u8>(p + k) == 45)) k++;
    if (k < n && isDigitCode(<i32>load<u8>(p + k))) { i = k; while (i < n && isDigitCode(<i32>load<u8>(p + i))) i++; }
  }
  while (i < n && isBlank(<i32>load<u8>(p + i))) i++;
  return i == n;
}

/** parseNumberPrefix over ASCII bytes: the longest leading number (strtod style), 0 if none. */
function bytesNumberPrefix(p: usize, n: i32): f64 {
  let i = 0;
  while (i < n && isBlank(<i32>load<u8>(p + i))) i++;
  let neg = false;
  const start = i;
  if (i < n && (load<u8>(p + i) == 43 || load<u8>(p + i) == 45)) { neg = load<u8>(p + i) == 45; i++; }
  let v: f64 = 0;
  let digits = 0;
  while (i < n) { const c = <i32>load<u8>(p + i); if (c < 48 || c > 57) break; v = v * 10 + <f64>(c - 48); i++; digits++; }
  if (i == n || (load<u8>(p + i) != 46 && (load<u8>(p + i) | 32) != 101)) return digits > 0 && digits < 16 ? (neg ? -v : v) : digits > 0 ? parseNumberPrefix(decodeLine(p + start, n - start)) : 0;
  return parseNumberPrefix(decodeLine(p + start, n - start));
}

function escapeRegexChar(s: string): string { return "\\^$.[]|()*+?{}".indexOf(s) >= 0 ? "\\" + s : s; }

function roundEven(v: f64): f64 {
  const r = Math.round(v);
  if (Math.abs(v - Math.floor(v) - 0.5) < 1e-12 && (<i64>r) % 2 != 0) return r - 1;
  return r;
}

/** %.6g, the common CONVFMT/OFMT, without going through the format parser. */
function formatG(v: f64, precision: i32): string {
  const spec = new Spec();
  spec.precision = precision;
  return formatFloat(v, "g", spec);
}

function padText(s: string, spec: Spec, zeroAllowed: bool): string {
  const fill = spec.width - s.length;
  if (fill <= 0) return s;
  if (spec.left) return s + " ".repeat(fill);
  if (spec.zero && zeroAllowed) {
    let signLen = 0;
    if (s.startsWith("-") || s.startsWith("+") || s.startsWith(" ")) signLen = 1;
    if (s.startsWith("0x", signLen) || s.startsWith("0X", signLen)) signLen += 2;
    return s.substring(0, signLen) + "0".repeat(fill) + s.substring(signLen);
  }
  return " ".repeat(fill) + s;
}

/** Appends a sub/gsub replacement: & is the match, \& a literal &, \\ a backslash. */
function appendReplacement(out: ByteBuf, repl: string, match: usize, matchLen: i32): void {
  for (let i = 0; i < repl.length; i++) {
    const c = repl.charCodeAt(i);
    if (c == 92 && i + 1 < repl.length && (repl.charCodeAt(i + 1) == 38 || repl.charCodeAt(i + 1) == 92)) {
      out.appendByte(repl.charCodeAt(i + 1)); i++; continue;
    }
    if (c == 38) { out.append(match, matchLen); continue; }
    if (c < 128) out.appendByte(c); else out.appendString(repl.charAt(i));
  }
}

function isAssignment(arg: string): bool {
  const eq = arg.indexOf("=");
  if (eq <= 0 || !isNameStart(arg.charCodeAt(0))) return false;
  for (let i = 1; i < eq; i++) { const c = arg.charCodeAt(i); if (!isNameStart(c) && !isDigitCode(c)) return false; }
  return true;
}

/** Escape sequences in -v and command-line assignments, as in string literals. */
function unescape(s: string): string {
  if (s.indexOf("\\") < 0) return s;
  const lx = new Lexer("\"" + replaceAll(s, "\"", "\\\"") + "\"");
  if (!lx.string()) return s;
  return lx.tokens[0].text;
}

/** awk [-F FS] [-v VAR=VALUE]... ['PROGRAM' | -f FILE...] [FILE | VAR=VALUE]... */
export function awkMain(args: string[]): i32 {
  let fsValue: string | null = null;
  const assigns = new Array<string>();
  const progFiles = new Array<string>();
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a == "--") { i++; break; }
    if (a.length < 2 || !a.startsWith("-")) break;
    if (a.startsWith("-F")) { if (a.length > 2) fsValue = a.substring(2); else if (i + 1 < args.length) fsValue = args[++i]; else return usage("awk", "option requires an argument -- 'F'", 2); continue; }
    if (a.startsWith("-v")) { const v = a.length > 2 ? a.substring(2) : (i + 1 < args.length ? args[++i] : ""); if (!isAssignment(v)) return usage("awk", "invalid -v argument '" + v + "'", 2); assigns.push(v); continue; }
    if (a.startsWith("-f")) { const f = a.length > 2 ? a.substring(2) : (i + 1 < args.length ? args[++i] : ""); if (f == "") return usage("awk", "option requires an argument -- 'f'", 2); progFiles.push(f); continue; }
    if (a == "--version") { stdout.line("awk (wasmbox) POSIX awk"); return 0; }
    return usage("awk", "invalid option -- '" + a.substring(1, 2) + "'", 2);
  }
  let source = "";
  if (progFiles.length > 0) {
    for (let f = 0; f < progFiles.length; f++) {
      const data = fs.readFile(progFiles[f]);
      if (data == null) { warn("awk", "can't open file " + progFiles[f]); return 2; }
      source += String.UTF8.decode(data.buffer) + "\n";
    }
  } else {
    if (i >= args.length) return usage("awk", "usage: awk [-F fs][-v var=value][prog | -f progfile][file ...]", 2);
    source = args[i++];
  }
  const lexer = new Lexer(source);
  if (!lexer.run()) { warn("awk", lexer.error); return 2; }
  const globals = new Map<string, i32>();
  for (let s = 0; s < SPECIALS.length; s++) globals.set(SPECIALS[s], s);
  const parser = new Parser(lexer.tokens, globals);
  parser.program();
  if (parser.error != "") { warn("awk", parser.error); return 2; }
  for (let f = 0; f < parser.funcList.length; f++) {
    if (!parser.funcList[f].defined) { warn("awk", "calling undefined function " + parser.funcList[f].name); return 2; }
  }
  const awk = new Awk(globals, parser.funcs);
  const argv = awk.globals[ARGV].array();
  argv.set("0", Cell.str("awk"));
  for (let k = i; k < args.length; k++) argv.set((k - i + 1).toString(), Cell.input(args[k]));
  awk.globals[ARGC].cell = Cell.num(<f64>(args.length - i + 1));
  if (fsValue != null) awk.setStr(FS, fsValue == "t" ? "\t" : unescape(fsValue!));
  for (let a = 0; a < assigns.length; a++) awk.commandAssign(assigns[a]);

  for (let b = 0; b < parser.begins.length && awk.jump != J_EXIT; b++) awk.exec(parser.begins[b]);
  const needInput = parser.rules.length > 0 || parser.ends.length > 0;
  if (awk.jump != J_EXIT && needInput) {
    awk.jump = J_NONE;
    while (awk.nextMain(true, null)) {
      awk.runRules(parser.rules);
      if (awk.jump == J_EXIT) break;
      if (awk.jump == J_NEXTFILE && awk.main != null) { if (awk.main!.r.fd > 2) fs.close(awk.main!.r.fd); awk.main = null; }
      awk.jump = J_NONE;
    }
  }
  if (!awk.fatal) {
    awk.jump = J_NONE;
    for (let e = 0; e < parser.ends.length; e++) {
      awk.exec(parser.ends[e]);
      if (awk.jump == J_EXIT) break;
    }
  }
  awk.closeAll();
  return awk.exitCode;
}
