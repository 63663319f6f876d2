// printf: the POSIX utility (also the shell's builtin). Formats reuse over extra arguments; floats are
// printed from the double's exact decimal expansion, rounded half-to-even as C's printf does.

import { stdout, warn } from "../lib/io";

const MAX_I64: i64 = 9223372036854775807;
const MIN_I64: i64 = -9223372036854775807 - 1;

/** The state of one printf run: the arguments still to use, the exit status, whether to stop. */
class Printf {
  next: i32 = 0;
  status: i32 = 0;
  /** Set by \c in %b or by an invalid directive: no more output. */
  stopped: bool = false;
  constructor(public args: string[], public report: (message: string) => void) {}

  arg(): string | null { return this.next < this.args.length ? this.args[this.next++] : null; }

  fail(message: string, status: i32): void {
    this.report(message);
    if (status > this.status) this.status = status;
  }

  /** One pass over the format; false when output must stop. */
  pass(fmt: string): bool {
    let i = 0;
    while (i < fmt.length) {
      const c = fmt.charCodeAt(i);
      if (c == 92) { i = writeEscape(fmt, i, false, this); continue; }
      if (c != 37) {
        let j = i + 1;
        while (j < fmt.length && fmt.charCodeAt(j) != 92 && fmt.charCodeAt(j) != 37) j++;
        stdout.str(fmt.substring(i, j));
        i = j;
        continue;
      }
      const start = i++;
      if (i < fmt.length && fmt.charCodeAt(i) == 37) { stdout.byte(37); i++; continue; }
      const spec = new Spec();
      while (i < fmt.length) {
        const f = fmt.charAt(i);
        if (f == "-") spec.left = true;
        else if (f == "+") spec.plus = true;
        else if (f == " ") spec.space = true;
        else if (f == "#") spec.alt = true;
        else if (f == "0") spec.zero = true;
        else break;
        i++;
      }
      if (i < fmt.length && fmt.charAt(i) == "*") {
        i++;
        spec.width = <i32>this.intArg();
        if (spec.width < 0) { spec.left = true; spec.width = -spec.width; }
      } else {
        while (i < fmt.length && isDigit(fmt.charCodeAt(i))) spec.width = spec.width * 10 + fmt.charCodeAt(i++) - 48;
      }
      if (i < fmt.length && fmt.charAt(i) == ".") {
        i++;
        spec.precision = 0;
        if (i < fmt.length && fmt.charAt(i) == "*") { i++; spec.precision = <i32>this.intArg(); }
        else while (i < fmt.length && isDigit(fmt.charCodeAt(i))) spec.precision = spec.precision * 10 + fmt.charCodeAt(i++) - 48;
      }
      const conv = i < fmt.length ? fmt.charAt(i) : "";
      if (conv == "" || "diouxXcsbeEfFgG".indexOf(conv) < 0) {
        this.fail(fmt.substring(start, i + 1) + ": invalid directive", 2);
        this.stopped = true;
        return false;
      }
      i++;
      this.convert(conv, spec);
      if (this.stopped) return false;
    }
    return true;
  }

  intArg(): i64 {
    const a = this.arg();
    return a == null ? 0 : parseInteger(a, this);
  }

  convert(conv: string, spec: Spec): void {
    if (conv == "s") {
      const a = this.arg();
      let s = a == null ? "" : a;
      if (spec.precision >= 0 && spec.precision < s.length) s = s.substring(0, spec.precision);
      pad(s, spec, false);
    } else if (conv == "b") {
      const a = this.arg();
      const s = a == null ? "" : a;
      // %b's text is padded as a whole: build it in a separate writer-free string of bytes.
      const out = new Array<u8>();
      const cut = expandB(s, out);
      let text = String.UTF8.decodeUnsafe(out.dataStart, out.length);
      if (spec.precision >= 0 && spec.precision < text.length) text = text.substring(0, spec.precision);
      pad(text, spec, false);
      if (cut) this.stopped = true;
    } else if (conv == "c") {
      const a = this.arg();
      if (a == null || a.length == 0) { padBytes(0, spec); return; }
      pad(a.substring(0, a.codePointAt(0) > 0xffff ? 2 : 1), spec, false);
    } else if (conv == "d" || conv == "i") {
      const v = this.intArg();
      const neg = v < 0;
      const digits = neg ? (v == MIN_I64 ? "9223372036854775808" : (-v).toString()) : v.toString();
      pad(numberText(digits, neg ? "-" : spec.plus ? "+" : spec.space ? " " : "", spec), spec, spec.precision < 0);
    } else if (conv == "u" || conv == "o" || conv == "x" || conv == "X") {
      const u = <u64>this.intArg();
      let digits = conv == "u" ? u.toString() : conv == "o" ? u.toString(8) : u.toString(16);
      if (conv == "X") digits = digits.toUpperCase();
      let prefix = "";
      if (spec.alt && conv == "o" && !digits.startsWith("0")) digits = "0" + digits;
      if (spec.alt && u != 0 && conv == "x") prefix = "0x";
      if (spec.alt && u != 0 && conv == "X") prefix = "0X";
      pad(numberText(digits, prefix, spec), spec, spec.precision < 0);
    } else {
      const a = this.arg();
      const v = a == null ? 0.0 : parseFloatArg(a, this);
      pad(formatFloat(v, conv, spec), spec, isFinite(v));
    }
  }
}

export class Spec {
  left: bool = false;
  plus: bool = false;
  space: bool = false;
  alt: bool = false;
  zero: bool = false;
  width: i32 = 0;
  precision: i32 = -1;
}

function isDigit(c: i32): bool { return c >= 48 && c <= 57; }

/** An integer's text: sign or prefix, then the digits padded to the precision with zeros. */
function numberText(digits: string, prefix: string, spec: Spec): string {
  if (spec.precision == 0 && digits == "0") digits = "";
  while (spec.precision > digits.length) digits = "0" + digits;
  return prefix + digits;
}

/** Writes s padded to the width; zero padding goes after the sign or 0x prefix. */
function pad(s: string, spec: Spec, zeroAllowed: bool): void {
  const fill = spec.width - s.length;
  if (fill <= 0) { stdout.str(s); return; }
  if (spec.left) { stdout.str(s); for (let k = 0; k < fill; k++) stdout.byte(32); return; }
  if (spec.zero && zeroAllowed) {
    let signLen = 0;
    if (s.startsWith("-") || s.startsWith("+") || s.startsWith(" ")) signLen = 1;
    if (s.startsWith("0x", signLen) || s.startsWith("0X", signLen)) signLen += 2;
    stdout.str(s.substring(0, signLen));
    for (let k = 0; k < fill; k++) stdout.byte(48);
    stdout.str(s.substring(signLen));
    return;
  }
  for (let k = 0; k < fill; k++) stdout.byte(32);
  stdout.str(s);
}

function padBytes(b: u8, spec: Spec): void {
  if (!spec.left) for (let k = 1; k < spec.width; k++) stdout.byte(32);
  stdout.byte(b);
  if (spec.left) for (let k = 1; k < spec.width; k++) stdout.byte(32);
}

/** Writes the escape at fmt[i] (a backslash); returns the index after it. In %b (forB) \0NNN is octal. */
function writeEscape(fmt: string, i: i32, forB: bool, p: Printf): i32 {
  if (i + 1 >= fmt.length) { stdout.byte(92); return i + 1; }
  const e = fmt.charCodeAt(i + 1);
  const simple = escapeByte(e);
  if (simple >= 0) { stdout.byte(simple); return i + 2; }
  if (e >= 48 && e <= 55) {
    let j = i + 1;
    let v = 0;
    const limit = j + 3;
    while (j < fmt.length && j < limit && fmt.charCodeAt(j) >= 48 && fmt.charCodeAt(j) <= 55) v = v * 8 + fmt.charCodeAt(j++) - 48;
    stdout.byte(v & 255);
    return j;
  }
  stdout.byte(92);
  return i + 1;
}

/** The byte for \a \b \f \n \r \t \v \\ \" \', or -1. */
function escapeByte(e: i32): i32 {
  if (e == 97) return 7;
  if (e == 98) return 8;
  if (e == 102) return 12;
  if (e == 110) return 10;
  if (e == 114) return 13;
  if (e == 116) return 9;
  if (e == 118) return 11;
  if (e == 92) return 92;
  if (e == 34) return 34;
  if (e == 39) return 39;
  return -1;
}

/** %b's argument with its escapes expanded into out (UTF-8 bytes); true if \c asked to stop. */
function expandB(s: string, out: Array<u8>): bool {
  const bytes = Uint8Array.wrap(String.UTF8.encode(s));
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i];
    if (c != 92 || i + 1 >= bytes.length) { out.push(c); i++; continue; }
    const e = <i32>bytes[i + 1];
    if (e == 99) return true;
    const simple = escapeByte(e);
    if (simple >= 0 && e != 34 && e != 39) { out.push(<u8>simple); i += 2; continue; }
    if (e >= 48 && e <= 55) {
      let j = i + 1;
      // \0NNN: up to three digits after the 0; \NNN: up to three digits.
      if (e == 48) j++;
      const limit = j + 3;
      let v = 0;
      while (j < bytes.length && j < limit && bytes[j] >= 48 && bytes[j] <= 55) v = v * 8 + <i32>bytes[j++] - 48;
      out.push(<u8>(v & 255));
      i = j;
      continue;
    }
    out.push(92);
    i++;
  }
  return false;
}

/** An integer argument: decimal, 0x hex, 0 octal, or 'C / "C for C's character code. */
function parseInteger(a: string, p: Printf): i64 {
  if (a.length == 0) return 0;
  if (a.startsWith("'") || a.startsWith("\"")) return a.length > 1 ? <i64>a.codePointAt(1) : 0;
  let i = 0;
  while (i < a.length && (a.charCodeAt(i) == 32 || a.charCodeAt(i) == 9)) i++;
  let neg = false;
  if (i < a.length && (a.charAt(i) == "+" || a.charAt(i) == "-")) { neg = a.charAt(i) == "-"; i++; }
  let base: u64 = 10;
  if (a.startsWith("0x", i) || a.startsWith("0X", i)) { base = 16; i += 2; }
  else if (a.startsWith("0", i)) base = 8;
  const digitsStart = i;
  let v: u64 = 0;
  let overflow = false;
  for (; i < a.length; i++) {
    const c = a.charCodeAt(i);
    let d: u64 = 99;
    if (c >= 48 && c <= 57) d = <u64>(c - 48);
    else if (c >= 97 && c <= 102) d = <u64>(c - 87);
    else if (c >= 65 && c <= 70) d = <u64>(c - 55);
    if (d >= base) break;
    if (v > (0xFFFFFFFFFFFFFFFF - d) / base) overflow = true;
    v = v * base + d;
  }
  if (i == digitsStart && base != 8) { p.fail(a + ": expected numeric value", 1); return 0; }
  if (i < a.length) p.fail(a + ": not completely converted", 1);
  if (overflow || (!neg && v > <u64>MAX_I64) || (neg && v > <u64>MAX_I64 + 1)) {
    p.fail(a + ": Numerical result out of range", 1);
    return neg ? MIN_I64 : MAX_I64;
  }
  return neg ? -(<i64>v) : <i64>v;
}

/** A floating-point argument (strtod's decimal forms, inf, nan, and 'C). */
function parseFloatArg(a: string, p: Printf): f64 {
  if (a.length == 0) return 0;
  if (a.startsWith("'") || a.startsWith("\"")) return a.length > 1 ? <f64>a.codePointAt(1) : 0;
  let i = 0;
  while (i < a.length && (a.charCodeAt(i) == 32 || a.charCodeAt(i) == 9)) i++;
  const start = i;
  let sign = 1.0;
  if (i < a.length && (a.charAt(i) == "+" || a.charAt(i) == "-")) { if (a.charAt(i) == "-") sign = -1.0; i++; }
  const rest = a.substring(i).toLowerCase();
  if (rest.startsWith("inf")) { if (rest != "inf" && rest != "infinity") p.fail(a + ": not completely converted", 1); return sign * Infinity; }
  if (rest.startsWith("nan")) { if (rest != "nan") p.fail(a + ": not completely converted", 1); return NaN; }
  if (rest.startsWith("0x")) return <f64>parseInteger(a, p);
  let digits = 0;
  while (i < a.length && isDigit(a.charCodeAt(i))) { i++; digits++; }
  if (i < a.length && a.charAt(i) == ".") { i++; while (i < a.length && isDigit(a.charCodeAt(i))) { i++; digits++; } }
  if (digits > 0 && i < a.length && (a.charAt(i) == "e" || a.charAt(i) == "E")) {
    let j = i + 1;
    if (j < a.length && (a.charAt(j) == "+" || a.charAt(j) == "-")) j++;
    if (j < a.length && isDigit(a.charCodeAt(j))) { while (j < a.length && isDigit(a.charCodeAt(j))) j++; i = j; }
  }
  if (digits == 0) { p.fail(a + ": expected numeric value", 1); return 0; }
  if (i < a.length) p.fail(a + ": not completely converted", 1);
  return parseFloat(a.substring(start, i));
}

/** The exact decimal value of a finite |v|: digits (most significant first, no leading zeros)
 *  times 10^exp10. */
class Decimal {
  digits: u8[] = [];
  exp10: i32 = 0;
}

function exactDecimal(v: f64): Decimal {
  const bits = reinterpret<u64>(v);
  const expBits = <i32>((bits >> 52) & 0x7ff);
  let mant = bits & 0xFFFFFFFFFFFFF;
  let e2: i32;
  if (expBits == 0) e2 = -1074; else { mant |= <u64>1 << 52; e2 = expBits - 1075; }
  const d = new Decimal();
  // Least significant digit first while multiplying.
  const ls = new Array<u8>();
  const text = mant.toString();
  for (let k = text.length - 1; k >= 0; k--) ls.push(<u8>(text.charCodeAt(k) - 48));
  const factor: u32 = e2 >= 0 ? 2 : 5;
  const times = e2 >= 0 ? e2 : -e2;
  for (let t = 0; t < times; t++) {
    let carry: u32 = 0;
    for (let k = 0; k < ls.length; k++) {
      const x = <u32>ls[k] * factor + carry;
      ls[k] = <u8>(x % 10);
      carry = x / 10;
    }
    while (carry > 0) { ls.push(<u8>(carry % 10)); carry /= 10; }
  }
  while (ls.length > 1 && ls[ls.length - 1] == 0) ls.pop();
  for (let k = ls.length - 1; k >= 0; k--) d.digits.push(ls[k]);
  d.exp10 = e2 >= 0 ? 0 : e2;
  if (d.digits.length == 1 && d.digits[0] == 0) d.exp10 = 0;
  return d;
}

/** The first keep digits of digits rounded half to even (keep may be <= 0); may be one digit longer. */
function roundDigits(digits: u8[], keep: i32): u8[] {
  const kept = new Array<u8>();
  for (let k = 0; k < keep && k < digits.length; k++) kept.push(digits[k]);
  while (kept.length < keep) kept.push(0);
  if (keep >= digits.length) return kept;
  let up = false;
  if (keep >= 0) {
    const first = digits[keep];
    let restNonZero = false;
    for (let k = keep + 1; k < digits.length; k++) if (digits[k] != 0) { restNonZero = true; break; }
    const lastKept = keep > 0 ? kept[keep - 1] : 0;
    up = first > 5 || (first == 5 && (restNonZero || (lastKept & 1) == 1));
  }
  if (!up) return kept;
  let k = kept.length - 1;
  while (k >= 0 && kept[k] == 9) { kept[k] = 0; k--; }
  if (k >= 0) kept[k]++;
  else kept.unshift(1);
  return kept;
}

function digitsText(digits: u8[], from: i32, to: i32): string {
  let s = "";
  for (let k = from; k < to; k++) s += String.fromCharCode(48 + <i32>digits[k]);
  return s;
}

/** |v| in %f style with prec fractional digits. */
function fixed(d: Decimal, prec: i32): string {
  const zero = d.digits.length == 1 && d.digits[0] == 0;
  // The number of digits before the point in d: len + exp10.
  const intLen = d.digits.length + d.exp10;
  let r = zero ? [<u8>0] : roundDigits(d.digits, intLen + prec);
  if (r.length == 0) r = [<u8>0];
  while (r.length < prec + 1) r.unshift(0);
  const split = r.length - prec;
  return digitsText(r, 0, split) + (prec > 0 ? "." + digitsText(r, split, r.length) : "");
}

/** |v| in %e style: mantissa digits and the decimal exponent, with prec fractional digits. */
function scientific(d: Decimal, prec: i32, upper: bool): string {
  const zero = d.digits.length == 1 && d.digits[0] == 0;
  let x = zero ? 0 : d.digits.length + d.exp10 - 1;
  let r = zero ? [<u8>0] : roundDigits(d.digits, prec + 1);
  if (r.length > prec + 1) { r.pop(); x++; }
  while (r.length < prec + 1) r.push(0);
  const ax = x < 0 ? -x : x;
  return digitsText(r, 0, 1) + (prec > 0 ? "." + digitsText(r, 1, r.length) : "") + (upper ? "E" : "e") + (x < 0 ? "-" : "+") + (ax < 10 ? "0" : "") + ax.toString();
}

function stripZeros(s: string): string {
  if (s.indexOf(".") < 0) return s;
  const e = s.indexOf("e") >= 0 ? s.indexOf("e") : s.indexOf("E");
  let mant = e >= 0 ? s.substring(0, e) : s;
  const tail = e >= 0 ? s.substring(e) : "";
  let end = mant.length;
  while (end > 0 && mant.charCodeAt(end - 1) == 48) end--;
  if (end > 0 && mant.charCodeAt(end - 1) == 46) end--;
  mant = mant.substring(0, end);
  return mant + tail;
}

/** %e %E %f %F %g %G of v, sign included. */
export function formatFloat(v: f64, conv: string, spec: Spec): string {
  const upper = conv == "E" || conv == "F" || conv == "G";
  const neg = v < 0 || (v == 0 && 1 / v < 0);
  const sign = neg ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  if (isNaN(v)) return (upper ? "NAN" : "nan");
  if (!isFinite(v)) return sign + (upper ? "INF" : "inf");
  const d = exactDecimal(Math.abs(v));
  const prec = spec.precision >= 0 ? spec.precision : 6;
  let body: string;
  if (conv == "f" || conv == "F") body = fixed(d, prec);
  else if (conv == "e" || conv == "E") body = scientific(d, prec, upper);
  else {
    const p = prec == 0 ? 1 : prec;
    const e = scientific(d, p - 1, upper);
    const x = I32.parseInt(e.substring(e.indexOf(upper ? "E" : "e") + 1));
    body = p > x && x >= -4 ? fixed(d, p - 1 - x) : e;
    if (!spec.alt) body = stripZeros(body);
  }
  if (spec.alt && body.indexOf(".") < 0) {
    const e = body.indexOf(upper ? "E" : "e");
    body = e >= 0 ? body.substring(0, e) + "." + body.substring(e) : body + ".";
  }
  return sign + body;
}

function warnAsPrintf(message: string): void { warn("printf", message); }

/** printf FORMAT [ARGUMENT]... */
export function printfMain(args: string[]): i32 {
  return runPrintf(args, warnAsPrintf);
}

/** The shell's printf: as printfMain, but an option is an error (as in dash) and report prints
 *  each message (without "printf: "). */
export function printfBuiltin(args: string[], report: (message: string) => void): i32 {
  if (args.length > 0 && args[0].length > 1 && args[0].charCodeAt(0) == 45 && args[0] != "--") {
    report("Illegal option -" + args[0].charAt(1));
    return 2;
  }
  return runPrintf(args, report);
}

function runPrintf(args: string[], report: (message: string) => void): i32 {
  let first = 0;
  if (args.length > 0 && args[0] == "--") first = 1;
  if (args.length <= first) { report("usage: printf format [arg ...]"); return 2; }
  const fmt = args[first];
  const p = new Printf(args.slice(first + 1), report);
  for (;;) {
    const before = p.next;
    if (!p.pass(fmt)) break;
    if (p.next == before || p.next >= p.args.length) break;
  }
  return p.status;
}
