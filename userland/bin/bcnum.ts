// bc's numbers: arbitrary precision decimals (digits least significant first, a sign and a scale:
// how many of the digits are after the point), with POSIX bc's rules for the scale of each result.

export class Num {
  /** Decimal digits, least significant first, without high zeros. */
  digits: u8[];
  neg: bool = false;
  /** Digits after the decimal point. */
  scale: i32 = 0;
  constructor(digits: u8[] = [], scale: i32 = 0, neg: bool = false) {
    this.digits = digits;
    this.scale = scale;
    this.neg = neg;
    this.trim();
  }
  trim(): void {
    while (this.digits.length > 0 && this.digits[this.digits.length - 1] == 0) this.digits.pop();
    if (this.digits.length == 0) this.neg = false;
  }
  isZero(): bool { return this.digits.length == 0; }
  digit(i: i32): u8 { return i < this.digits.length ? this.digits[i] : 0; }
}

export function fromInt(v: i64): Num {
  const digits = new Array<u8>();
  const neg = v < 0;
  let m: u64 = neg ? <u64>(-v) : <u64>v;
  while (m > 0) { digits.push(<u8>(m % 10)); m /= 10; }
  return new Num(digits, 0, neg);
}

/** The same value with `scale` digits after the point (truncating, or adding zeros). */
export function rescale(a: Num, scale: i32): Num {
  if (scale == a.scale) return a;
  const d = new Array<u8>();
  if (scale > a.scale) {
    for (let i = 0; i < scale - a.scale; i++) d.push(0);
    for (let i = 0; i < a.digits.length; i++) d.push(a.digits[i]);
  } else {
    for (let i = a.scale - scale; i < a.digits.length; i++) d.push(a.digits[i]);
  }
  return new Num(d, scale, a.neg);
}

function cmpDigits(a: u8[], b: u8[]): i32 {
  if (a.length != b.length) return a.length < b.length ? -1 : 1;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

function addDigits(a: u8[], b: u8[]): u8[] {
  const out = new Array<u8>();
  let carry = 0;
  const n = max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const s = (i < a.length ? <i32>a[i] : 0) + (i < b.length ? <i32>b[i] : 0) + carry;
    out.push(<u8>(s % 10)); carry = s / 10;
  }
  if (carry > 0) out.push(<u8>carry);
  return out;
}

/** a - b for a >= b. */
function subDigits(a: u8[], b: u8[]): u8[] {
  const out = new Array<u8>();
  let borrow = 0;
  for (let i = 0; i < a.length; i++) {
    let s = <i32>a[i] - (i < b.length ? <i32>b[i] : 0) - borrow;
    if (s < 0) { s += 10; borrow = 1; } else borrow = 0;
    out.push(<u8>s);
  }
  while (out.length > 0 && out[out.length - 1] == 0) out.pop();
  return out;
}

export function compare(a: Num, b: Num): i32 {
  if (a.neg != b.neg) return a.neg ? -1 : 1;
  const s = max(a.scale, b.scale);
  const c = cmpDigits(rescale(a, s).digits, rescale(b, s).digits);
  return a.neg ? -c : c;
}

export function add(a: Num, b: Num): Num {
  const s = max(a.scale, b.scale);
  const x = rescale(a, s), y = rescale(b, s);
  if (x.neg == y.neg) return new Num(addDigits(x.digits, y.digits), s, x.neg);
  const c = cmpDigits(x.digits, y.digits);
  if (c == 0) return new Num([], s, false);
  return c > 0 ? new Num(subDigits(x.digits, y.digits), s, x.neg) : new Num(subDigits(y.digits, x.digits), s, y.neg);
}

export function negate(a: Num): Num { return new Num(a.digits.slice(0), a.scale, !a.neg); }

export function sub(a: Num, b: Num): Num { return add(a, negate(b)); }

/** The exact product (scale a.scale + b.scale). */
export function mulFull(a: Num, b: Num): Num {
  if (a.isZero() || b.isZero()) return new Num([], a.scale + b.scale);
  const n = a.digits.length + b.digits.length;
  const acc = new Array<i32>(n);
  for (let i = 0; i < a.digits.length; i++) {
    const x = <i32>a.digits[i];
    if (x == 0) continue;
    for (let j = 0; j < b.digits.length; j++) acc[i + j] += x * <i32>b.digits[j];
  }
  const out = new Array<u8>(n);
  let carry = 0;
  for (let i = 0; i < n; i++) { const v = acc[i] + carry; out[i] = <u8>(v % 10); carry = v / 10; }
  return new Num(out, a.scale + b.scale, a.neg != b.neg);
}

/** Product truncated to POSIX's scale: min(a.scale + b.scale, max(scale, a.scale, b.scale)). */
export function mul(a: Num, b: Num, scale: i32): Num {
  return rescale(mulFull(a, b), min(a.scale + b.scale, max(scale, max(a.scale, b.scale))));
}

/** Integer quotient of digit strings. */
function divDigits(n: u8[], d: u8[]): u8[] {
  const q = new Array<u8>(n.length);
  let rem = new Array<u8>();
  for (let i = n.length - 1; i >= 0; i--) {
    rem.unshift(n[i]);
    while (rem.length > 0 && rem[rem.length - 1] == 0) rem.pop();
    let count: u8 = 0;
    while (cmpDigits(rem, d) >= 0) { rem = subDigits(rem, d); count++; }
    q[i] = count;
  }
  return q;
}

/** a / b to `scale` digits (truncated); null when b is zero. */
export function div(a: Num, b: Num, scale: i32): Num | null {
  if (b.isZero()) return null;
  // a.digits * 10^(scale + b.scale - a.scale) / b.digits, as integers.
  const shift = scale + b.scale - a.scale;
  let n: u8[];
  if (shift >= 0) { n = new Array<u8>(); for (let i = 0; i < shift; i++) n.push(0); for (let i = 0; i < a.digits.length; i++) n.push(a.digits[i]); }
  else n = a.digits.slice(min(-shift, a.digits.length));
  return new Num(divDigits(n, b.digits), scale, a.neg != b.neg);
}

/** a % b as POSIX bc: a - (a / b) * b, the quotient at `scale`, the result at max(scale + b.scale, a.scale). */
export function mod(a: Num, b: Num, scale: i32): Num | null {
  const q = div(a, b, scale);
  if (q == null) return null;
  const r = sub(a, mulFull(q, b));
  return rescale(r, max(scale + b.scale, a.scale));
}

/** The integer part as an i64 (saturating). */
export function toInt(a: Num): i64 {
  let v: i64 = 0;
  for (let i = a.digits.length - 1; i >= a.scale; i--) {
    if (v > 100000000000000000) return a.neg ? -I64.MAX_VALUE : I64.MAX_VALUE;
    v = v * 10 + <i64>a.digits[i];
  }
  return a.neg ? -v : v;
}

/** a ^ n for an integer n, at POSIX's scale; null for 0 ^ negative. */
export function pow(a: Num, n: i64, scale: i32): Num | null {
  if (n == 0) return fromInt(1);
  const negExp = n < 0;
  let e: i64 = negExp ? -n : n;
  let result = fromInt(1);
  let base = a;
  while (e > 0) {
    if ((e & 1) != 0) result = mulFull(result, base);
    e >>= 1;
    if (e > 0) base = mulFull(base, base);
  }
  if (negExp) return div(fromInt(1), result, scale);
  const abs: i64 = n;
  const want = <i64>a.scale * abs;
  return rescale(result, <i32>min(want, <i64>max(scale, a.scale)));
}

/** Square root at max(scale, a.scale); null for a negative number. */
export function sqrt(a: Num, scale: i32): Num | null {
  if (a.neg) return null;
  const rscale = max(scale, a.scale);
  if (a.isZero()) return new Num([], rscale);
  const work = rscale + 2;
  // A first guess of the right magnitude: 10^(integer digits / 2).
  const intDigits = a.digits.length - a.scale;
  let x = intDigits > 0 ? pow(fromInt(10), <i64>((intDigits + 1) / 2), 0)! : div(fromInt(1), fromInt(1), work)!;
  const two = fromInt(2);
  for (let i = 0; i < 10000; i++) {
    const next = div(add(x, div(a, x, work)!), two, work)!;
    if (compare(next, x) == 0) break;
    x = next;
  }
  return rescale(x, rscale);
}

/** Digits of value in `obase` as bc prints them (obase > 16: space-separated decimal groups). */
export function format(a: Num, obase: i32): string {
  if (a.isZero()) return "0";
  let out = a.neg ? "-" : "";
  if (obase == 10) {
    let intPart = "";
    for (let i = a.digits.length - 1; i >= a.scale; i--) intPart += String.fromCharCode(48 + a.digits[i]);
    out += intPart;
    if (a.scale > 0) {
      out += ".";
      for (let i = a.scale - 1; i >= 0; i--) out += String.fromCharCode(48 + a.digit(i));
    }
    return out;
  }
  const big = obase > 16;
  const width = (obase - 1).toString().length;
  const digitText = (d: i32, big: bool, width: i32): string => {
    if (!big) return String.fromCharCode(d < 10 ? 48 + d : 55 + d);
    let s = d.toString();
    while (s.length < width) s = "0" + s;
    return " " + s;
  };
  const abs = new Num(a.digits.slice(0), a.scale, false);
  let intNum = rescale(abs, 0);
  let frac = sub(abs, intNum);
  const b = fromInt(obase);
  const intDigits = new Array<string>();
  while (!intNum.isZero()) {
    const q = div(intNum, b, 0)!;
    const r = sub(intNum, mulFull(q, b));
    intDigits.push(digitText(<i32>toInt(r), big, width));
    intNum = q;
  }
  for (let i = intDigits.length - 1; i >= 0; i--) out += intDigits[i];
  if (a.scale > 0) {
    out += ".";
    // Fraction digits until obase^k reaches 10^scale, as GNU bc prints them.
    let reach = fromInt(1);
    const limit = pow(fromInt(10), <i64>a.scale, 0)!;
    while (compare(reach, limit) < 0) {
      frac = mulFull(frac, b);
      const d = rescale(frac, 0);
      out += digitText(<i32>toInt(d), big, width);
      frac = sub(frac, d);
      reach = mulFull(reach, b);
    }
  }
  return out;
}
