// Word expansion for the shell: parameters ($VAR ${VAR:-x} $? $$ $# $@ ...), command
// substitution, arithmetic, tilde, field splitting, globbing and quote removal, in POSIX order.

import { fnmatch, hasGlob, join } from "../lib/path";
import { listNames, lstat } from "../lib/fs";
import { isName, matchClose } from "./shparse";
import { compareStrings } from "../lib/fs";

/** The shell's variables and special parameters, owned by sh.ts and read here. */
export class ShellState {
  vars: Map<string, string> = new Map<string, string>();
  exported: Set<string> = new Set<string>();
  positional: string[] = [];
  name: string = "sh";
  lastStatus: i32 = 0;
  lastBackground: i32 = 0;
  pid: i32 = 0;
}

export const state = new ShellState();

/** Runs a command substitution; set by sh.ts (no closures in AssemblyScript, so a function slot). */
export let commandSubstitution: (cmd: string) => string = (cmd: string): string => "";
export function setCommandSubstitution(fn: (cmd: string) => string): void { commandSubstitution = fn; }

/** Error raised during expansion (e.g. ${x?msg}); non-empty aborts the command. */
export let expandError: string = "";
export function clearExpandError(): void { expandError = ""; }

export function getVar(name: string): string | null {
  if (name == "?") return state.lastStatus.toString();
  if (name == "$") return state.pid.toString();
  if (name == "!") return state.lastBackground == 0 ? "" : state.lastBackground.toString();
  if (name == "#") return state.positional.length.toString();
  if (name == "0") return state.name;
  if (name == "@" || name == "*") return state.positional.join(" ");
  if (name == "-") return "";
  if (name.length > 0 && name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57) {
    const n = I32.parseInt(name);
    return n >= 1 && n <= state.positional.length ? state.positional[n - 1] : null;
  }
  return state.vars.has(name) ? state.vars.get(name) : null;
}

/** Fields being built: the literal text, and a glob pattern where quoted metacharacters are escaped. */
class Fields {
  values: string[] = [];
  patterns: string[] = [];
  globs: bool[] = [];
  value: string = "";
  pattern: string = "";
  glob: bool = false;
  /** The current field exists even if empty (because of quotes). */
  started: bool = false;

  add(text: string, quoted: bool): void {
    this.value += text;
    this.started = true;
    if (!quoted) { this.pattern += text; if (hasGlob(text)) this.glob = true; return; }
    let special = false;
    for (let i = 0; i < text.length && !special; i++) { const c = text.charCodeAt(i); special = c == 42 || c == 63 || c == 91 || c == 92; }
    if (!special) { this.pattern += text; return; }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c == 42 || c == 63 || c == 91 || c == 92) this.pattern += "\\";
      this.pattern += String.fromCharCode(c);
    }
  }
  end(): void {
    if (!this.started) return;
    this.values.push(this.value); this.patterns.push(this.pattern); this.globs.push(this.glob);
    this.value = ""; this.pattern = ""; this.glob = false; this.started = false;
  }
  /** Adds an unquoted expansion result, splitting it on IFS whitespace. */
  addSplit(text: string): void {
    let i = 0;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c == 32 || c == 9 || c == 10) { this.end(); i++; continue; }
      let j = i;
      while (j < text.length && text.charCodeAt(j) != 32 && text.charCodeAt(j) != 9 && text.charCodeAt(j) != 10) j++;
      this.add(text.substring(i, j), false);
      i = j;
    }
  }
}

/** Expands one raw word into fields (split and globbed unless `single`). */
export function expandWord(raw: string, single: bool): string[] {
  const f = new Fields();
  let i = 0;
  if (raw.startsWith("~") && (raw.length == 1 || raw.charCodeAt(1) == 47)) {
    const home = getVar("HOME");
    f.add(home != null ? home : "~", true);
    i = 1;
  }
  let inDouble = false;
  while (i < raw.length) {
    const c = raw.charCodeAt(i);
    if (c == 39 && !inDouble) {
      const e = raw.indexOf("'", i + 1);
      f.add(raw.substring(i + 1, e), true);
      i = e + 1;
    } else if (c == 34) {
      inDouble = !inDouble;
      f.started = true;
      i++;
    } else if (c == 92) {
      if (i + 1 >= raw.length) { f.add("\\", inDouble); i++; continue; }
      const n = raw.charCodeAt(i + 1);
      if (inDouble && n != 36 && n != 96 && n != 34 && n != 92 && n != 10) f.add("\\", true);
      if (n != 10) f.add(String.fromCharCode(n), true);
      i += 2;
    } else if (c == 36 || c == 96) {
      i = expandDollar(raw, i, inDouble, single, f);
    } else {
      f.add(String.fromCharCode(c), inDouble);
      i++;
    }
  }
  f.end();
  if (single) return f.values.length > 0 ? [f.values.join(" ")] : [""];
  const out = new Array<string>();
  for (let k = 0; k < f.values.length; k++) {
    if (f.globs[k]) {
      const matches = glob(f.patterns[k]);
      if (matches.length > 0) { for (let m = 0; m < matches.length; m++) out.push(matches[m]); continue; }
    }
    out.push(f.values[k]);
  }
  return out;
}

/** Expands an unquoted here-document body: parameters, substitutions and arithmetic; a backslash
 *  quotes only $ ` \\ and newline, and quote characters are literal. */
export function expandHereDoc(body: string): string {
  const f = new Fields();
  let i = 0;
  while (i < body.length) {
    const c = body.charCodeAt(i);
    if (c == 92 && i + 1 < body.length) {
      const n = body.charCodeAt(i + 1);
      if (n == 36 || n == 96 || n == 92) f.add(String.fromCharCode(n), true);
      else if (n != 10) f.add("\\" + String.fromCharCode(n), true);
      i += 2;
    } else if (c == 36 || c == 96) {
      i = expandDollar(body, i, true, true, f);
    } else {
      let j = i + 1;
      while (j < body.length && body.charCodeAt(j) != 92 && body.charCodeAt(j) != 36 && body.charCodeAt(j) != 96) j++;
      f.add(body.substring(i, j), true);
      i = j;
    }
  }
  return f.value;
}

/** Expands a word to one string without splitting or globbing (assignments, redirections, case). */
export function expandString(raw: string): string { return expandWord(raw, true)[0]; }

function expandDollar(raw: string, i: i32, quoted: bool, single: bool, f: Fields): i32 {
  const c = raw.charCodeAt(i);
  let value: string | null = null;
  let next = i + 1;
  if (c == 96) {
    const e = raw.indexOf("`", i + 1);
    value = commandSubstitution(raw.substring(i + 1, e));
    next = e + 1;
  } else if (raw.startsWith("$((", i)) {
    const e = matchClose(raw, i + 1);
    value = arith(raw.substring(i + 3, e - 2)).toString();
    next = e;
  } else if (raw.startsWith("$(", i)) {
    const e = matchClose(raw, i + 1);
    value = commandSubstitution(raw.substring(i + 2, e - 1));
    next = e;
  } else if (raw.startsWith("${", i)) {
    const e = matchClose(raw, i + 1);
    next = e;
    value = braceExpansion(raw.substring(i + 2, e - 1));
  } else if (i + 1 < raw.length) {
    const d = raw.charCodeAt(i + 1);
    if (d == 64 && quoted) {
      // "$@": one field per positional parameter.
      for (let k = 0; k < state.positional.length; k++) {
        if (k > 0) f.end();
        f.add(state.positional[k], true);
      }
      f.started = state.positional.length > 0 || f.value.length > 0;
      return i + 2;
    }
    if (d == 63 || d == 36 || d == 33 || d == 35 || d == 64 || d == 42 || d == 45 || (d >= 48 && d <= 57)) {
      value = getVar(String.fromCharCode(d));
      next = i + 2;
    } else {
      let j = i + 1;
      while (j < raw.length && isName(raw.substring(i + 1, j + 1))) j++;
      if (j == i + 1) { f.add("$", quoted); return i + 1; }
      value = getVar(raw.substring(i + 1, j));
      next = j;
    }
  } else { f.add("$", quoted); return i + 1; }
  const text = value != null ? value : "";
  if (quoted || single) f.add(text, true); else f.addSplit(text);
  return next;
}

/** ${NAME}, ${#NAME}, ${NAME:-w} ${NAME-w} ${NAME:=w} ${NAME:+w} ${NAME:?w} ${NAME#p} ${NAME%p} ... */
function braceExpansion(inner: string): string {
  if (inner.startsWith("#") && inner.length > 1) {
    const v = getVar(inner.substring(1));
    return (v != null ? v.length : 0).toString();
  }
  let n = 0;
  const first = inner.length > 0 ? inner.charCodeAt(0) : 0;
  if (first >= 48 && first <= 57) { while (n < inner.length && inner.charCodeAt(n) >= 48 && inner.charCodeAt(n) <= 57) n++; }
  else if ("?$!#@*".indexOf(inner.charAt(0)) >= 0 && inner.length > 0) n = 1;
  else while (n < inner.length && isName(inner.substring(0, n + 1))) n++;
  const name = inner.substring(0, n);
  const v = getVar(name);
  let op = inner.substring(n);
  if (op.length == 0) return v != null ? v : "";
  const colon = op.startsWith(":");
  if (colon) op = op.substring(1);
  const kind = op.charAt(0);
  const word = op.substring(1);
  const unset = v == null || (colon && v.length == 0);
  if (kind == "-") return unset ? expandString(word) : v!;
  if (kind == "=") { if (unset) { const w = expandString(word); state.vars.set(name, w); return w; } return v!; }
  if (kind == "+") return unset ? "" : expandString(word);
  if (kind == "?") { if (unset) expandError = name + ": " + (word.length > 0 ? expandString(word) : "parameter not set"); return v != null ? v as string : ""; }
  const s = v != null ? v as string : "";
  if (kind == "#" || kind == "%") {
    const longest = op.startsWith("##") || op.startsWith("%%");
    const pat = expandString(longest ? op.substring(2) : word);
    if (kind == "#") {
      if (longest) { for (let k = s.length; k >= 0; k--) if (fnmatch(pat, s.substring(0, k))) return s.substring(k); }
      else { for (let k = 0; k <= s.length; k++) if (fnmatch(pat, s.substring(0, k))) return s.substring(k); }
    } else {
      if (longest) { for (let k = 0; k <= s.length; k++) if (fnmatch(pat, s.substring(k))) return s.substring(0, k); }
      else { for (let k = s.length; k >= 0; k--) if (fnmatch(pat, s.substring(k))) return s.substring(0, k); }
    }
    return s;
  }
  return s;
}

/** Pathname expansion: the sorted paths matching pattern, or none. */
function glob(pattern: string): string[] {
  const absolute = pattern.startsWith("/");
  const parts = pattern.split("/");
  let paths: string[] = [absolute ? "/" : ""];
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p];
    if (part.length == 0) continue;
    const next = new Array<string>();
    for (let k = 0; k < paths.length; k++) {
      const base = paths[k];
      if (!hasGlob(part)) {
        const path = base == "" ? unescape(part) : join(base, unescape(part));
        if (lstat(path) != null) next.push(path);
        continue;
      }
      const names = listNames(base == "" ? "." : base);
      if (names == null) continue;
      for (let n = 0; n < names.length; n++) {
        const name = names[n];
        if (name.startsWith(".") && !part.startsWith(".")) continue;
        if (fnmatch(part, name)) next.push(base == "" ? name : join(base, name));
      }
    }
    paths = next;
  }
  if (paths.length == 1 && (paths[0] == "/" || paths[0] == "")) return [];
  paths.sort(compareStrings);
  return paths;
}

function unescape(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) == 92 && i + 1 < s.length) i++;
    out += s.charAt(i);
  }
  return out;
}

// Arithmetic expansion: integers, + - * / % ( ), comparisons, && ||, and variable names.
let ax = "";
let ap = 0;

export function arith(expr: string): i64 {
  ax = expandString(expr); ap = 0;
  return arOr();
}
function arSkip(): void { while (ap < ax.length && (ax.charCodeAt(ap) == 32 || ax.charCodeAt(ap) == 9 || ax.charCodeAt(ap) == 10)) ap++; }
function arEat(op: string): bool {
  arSkip();
  if (!ax.startsWith(op, ap)) return false;
  // Do not take "<" from "<=", "=" from "==", "&" from "&&" and so on.
  if (op.length == 1 && ap + 1 < ax.length) {
    const n = ax.charAt(ap + 1);
    if ((op == "<" || op == ">" || op == "!" || op == "=") && n == "=") return false;
    if ((op == "&" || op == "|") && n == op) return false;
  }
  ap += op.length;
  return true;
}
function arOr(): i64 { let v = arAnd(); while (arEat("||")) { const r = arAnd(); v = (v != 0 || r != 0) ? 1 : 0; } return v; }
function arAnd(): i64 { let v = arCmp(); while (arEat("&&")) { const r = arCmp(); v = (v != 0 && r != 0) ? 1 : 0; } return v; }
function arCmp(): i64 {
  let v = arSum();
  for (;;) {
    if (arEat("==")) v = v == arSum() ? 1 : 0;
    else if (arEat("!=")) v = v != arSum() ? 1 : 0;
    else if (arEat("<=")) v = v <= arSum() ? 1 : 0;
    else if (arEat(">=")) v = v >= arSum() ? 1 : 0;
    else if (arEat("<")) v = v < arSum() ? 1 : 0;
    else if (arEat(">")) v = v > arSum() ? 1 : 0;
    else return v;
  }
  return v;
}
function arSum(): i64 {
  let v = arProduct();
  for (;;) {
    if (arEat("+")) v += arProduct();
    else if (arEat("-")) v -= arProduct();
    else return v;
  }
  return v;
}
function arProduct(): i64 {
  let v = arUnary();
  for (;;) {
    if (arEat("*")) v *= arUnary();
    else if (arEat("/")) { const d = arUnary(); if (d == 0) { expandError = "arithmetic: division by zero"; return 0; } v /= d; }
    else if (arEat("%")) { const d = arUnary(); if (d == 0) { expandError = "arithmetic: division by zero"; return 0; } v %= d; }
    else return v;
  }
  return v;
}
function arUnary(): i64 {
  if (arEat("-")) return -arUnary();
  if (arEat("+")) return arUnary();
  if (arEat("!")) return arUnary() == 0 ? 1 : 0;
  if (arEat("(")) { const v = arOr(); arEat(")"); return v; }
  arSkip();
  const start = ap;
  while (ap < ax.length && ((ax.charCodeAt(ap) >= 48 && ax.charCodeAt(ap) <= 57) || isName(ax.substring(start, ap + 1)))) ap++;
  const tok = ax.substring(start, ap);
  if (tok.length == 0) { expandError = "arithmetic syntax error"; ap = ax.length; return 0; }
  if (isName(tok)) {
    const v = getVar(tok);
    return v != null && v.length > 0 ? I64.parseInt(v) : 0;
  }
  return I64.parseInt(tok);
}
