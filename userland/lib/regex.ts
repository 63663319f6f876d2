// POSIX regular expressions (basic and extended, with the GNU extensions \| \+ \? \< \> \b \w \s)
// over bytes, for grep and sed: parsed to a tree, compiled to a small program, run by backtracking.

const OP_CHAR = 0;
const OP_ANY = 1;
const OP_CLASS = 2;
const OP_SPLIT = 3;   // try a, then b
const OP_JMP = 4;
const OP_SAVE = 5;
const OP_BOL = 6;
const OP_EOL = 7;
const OP_WORDB = 8;   // arg 0: \b, 1: \<, 2: \>, 3: \B
const OP_MATCH = 9;
const OP_BACKREF = 10;

const N_CHAR = 0; const N_ANY = 1; const N_CLASS = 2; const N_BOL = 3; const N_EOL = 4;
const N_CAT = 5; const N_ALT = 6; const N_REPEAT = 7; const N_GROUP = 8; const N_WORDB = 9; const N_BACKREF = 10;

class Node {
  kids: Node[] = [];
  constructor(public kind: i32, public value: i32 = 0, public min: i32 = 0, public max: i32 = 0) {}
}

/** Why the last compile() failed. */
export let regexError: string = "";

function isWordByte(c: i32): bool {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95;
}

function namedClass(name: string, set: StaticArray<bool>): bool {
  for (let c = 0; c < 256; c++) {
    let hit = false;
    const alpha = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    const digit = c >= 48 && c <= 57;
    if (name == "alpha") hit = alpha;
    else if (name == "digit") hit = digit;
    else if (name == "alnum") hit = alpha || digit;
    else if (name == "upper") hit = c >= 65 && c <= 90;
    else if (name == "lower") hit = c >= 97 && c <= 122;
    else if (name == "space") hit = c == 32 || (c >= 9 && c <= 13);
    else if (name == "blank") hit = c == 32 || c == 9;
    else if (name == "punct") hit = c > 32 && c < 127 && !alpha && !digit;
    else if (name == "xdigit") hit = digit || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
    else if (name == "print") hit = c >= 32 && c < 127;
    else if (name == "cntrl") hit = c < 32 || c == 127;
    else if (name == "word") hit = isWordByte(c);
    else return false;
    if (hit) set[c] = true;
  }
  return true;
}

class Parser {
  pos: i32 = 0;
  groups: i32 = 0;
  classes: StaticArray<bool>[] = [];
  failed: bool = false;
  constructor(public p: string, public extended: bool, public icase: bool) {}

  fail(msg: string): Node { if (!this.failed) regexError = msg; this.failed = true; return new Node(N_CAT); }
  more(): bool { return this.pos < this.p.length; }
  peek(off: i32 = 0): i32 { return this.pos + off < this.p.length ? this.p.charCodeAt(this.pos + off) : -1; }

  /** At an alternation bar: "|" in ERE, "\|" in BRE. */
  atBar(): bool { return this.extended ? this.peek() == 124 : this.peek() == 92 && this.peek(1) == 124; }
  atClose(): bool { return this.extended ? this.peek() == 41 : this.peek() == 92 && this.peek(1) == 41; }

  alternation(depth: i32): Node {
    const first = this.sequence(depth);
    if (!this.atBar()) return first;
    const alt = new Node(N_ALT);
    alt.kids.push(first);
    while (this.atBar()) {
      this.pos += this.extended ? 1 : 2;
      alt.kids.push(this.sequence(depth));
    }
    return alt;
  }

  sequence(depth: i32): Node {
    const seq = new Node(N_CAT);
    const start = this.pos;
    while (this.more() && !this.atBar() && !(depth > 0 && this.atClose())) {
      const atom = this.atom(depth, this.pos == start);
      if (this.failed) return seq;
      seq.kids.push(this.quantified(atom));
    }
    return seq;
  }

  quantified(atom: Node): Node {
    for (;;) {
      const c = this.peek();
      let min = -1; let max = -1;
      if (c == 42) { this.pos++; min = 0; max = -1; }
      else if (this.extended && c == 43) { this.pos++; min = 1; }
      else if (this.extended && c == 63) { this.pos++; min = 0; max = 1; }
      else if (!this.extended && c == 92 && this.peek(1) == 43) { this.pos += 2; min = 1; }
      else if (!this.extended && c == 92 && this.peek(1) == 63) { this.pos += 2; min = 0; max = 1; }
      else if ((this.extended && c == 123 && this.isDigit(this.peek(1))) || (!this.extended && c == 92 && this.peek(1) == 123)) {
        this.pos += this.extended ? 1 : 2;
        min = this.number();
        max = min;
        if (this.peek() == 44) { this.pos++; max = this.isDigit(this.peek()) ? this.number() : -1; }
        if (!this.extended) { if (this.peek() != 92) return this.fail("Unmatched \\{"); this.pos++; }
        if (this.peek() != 125) return this.fail("Unmatched \\{");
        this.pos++;
      } else return atom;
      const rep = new Node(N_REPEAT, 0, min, max);
      rep.kids.push(atom);
      atom = rep;
    }
    return atom;
  }

  isDigit(c: i32): bool { return c >= 48 && c <= 57; }
  number(): i32 {
    let v = 0;
    while (this.isDigit(this.peek())) { v = v * 10 + this.peek() - 48; this.pos++; }
    return v;
  }

  literal(c: i32): Node {
    if (this.icase && ((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) {
      const set = new StaticArray<bool>(256);
      set[c | 32] = true; set[c & ~32] = true;
      return this.classNode(set);
    }
    return new Node(N_CHAR, c);
  }

  classNode(set: StaticArray<bool>): Node {
    this.classes.push(set);
    return new Node(N_CLASS, this.classes.length - 1);
  }

  atom(depth: i32, first: bool): Node {
    const c = this.peek();
    this.pos++;
    if (c == 46) return new Node(N_ANY);
    if (c == 94 && (this.extended || first)) return new Node(N_BOL);
    if (c == 36 && (this.extended || !this.more() || this.atBar() || (depth > 0 && this.atClose()))) return new Node(N_EOL);
    if (c == 42 && first) return new Node(N_CHAR, c);
    if (c == 91) return this.bracket();
    if (this.extended && c == 40) return this.group(depth);
    if (this.extended && (c == 42 || c == 43 || c == 63)) return this.fail("Invalid preceding regular expression");
    if (c == 92) {
      if (!this.more()) return this.fail("Trailing backslash");
      const e = this.peek();
      this.pos++;
      if (!this.extended && e == 40) return this.group(depth);
      if (e >= 49 && e <= 57) return new Node(N_BACKREF, e - 48);
      if (e == 98) return new Node(N_WORDB, 0);
      if (e == 60) return new Node(N_WORDB, 1);
      if (e == 62) return new Node(N_WORDB, 2);
      if (e == 66) return new Node(N_WORDB, 3);
      if (e == 119 || e == 87 || e == 115 || e == 83 || e == 100) {
        const set = new StaticArray<bool>(256);
        namedClass(e == 119 || e == 87 ? "word" : e == 100 ? "digit" : "space", set);
        if (e == 87 || e == 83) for (let i = 0; i < 256; i++) set[i] = !set[i];
        return this.classNode(set);
      }
      if (e == 110) return new Node(N_CHAR, 10);
      if (e == 116) return new Node(N_CHAR, 9);
      return this.literal(e);
    }
    return this.literal(c);
  }

  group(depth: i32): Node {
    const g = new Node(N_GROUP, ++this.groups);
    g.kids.push(this.alternation(depth + 1));
    if (this.failed) return g;
    if (!this.atClose()) return this.fail(this.extended ? "Unmatched ( or \\(" : "Unmatched ( or \\(");
    this.pos += this.extended ? 1 : 2;
    return g;
  }

  bracket(): Node {
    const set = new StaticArray<bool>(256);
    let negate = false;
    if (this.peek() == 94) { negate = true; this.pos++; }
    let first = true;
    for (;;) {
      if (!this.more()) return this.fail("Unmatched [, [^, [:, [., or [=");
      let c = this.peek();
      if (c == 93 && !first) { this.pos++; break; }
      first = false;
      if (c == 91 && this.peek(1) == 58) {
        const end = this.p.indexOf(":]", this.pos + 2);
        if (end < 0 || !namedClass(this.p.substring(this.pos + 2, end), set)) return this.fail("Invalid character class name");
        this.pos = end + 2;
        continue;
      }
      this.pos++;
      let hi = c;
      if (this.peek() == 45 && this.peek(1) != 93 && this.peek(1) != -1) { hi = this.peek(1); this.pos += 2; }
      for (let x = c; x <= hi && x < 256; x++) set[x] = true;
    }
    if (this.icase) for (let x = 65; x <= 90; x++) if (set[x] || set[x + 32]) { set[x] = true; set[x + 32] = true; }
    if (negate) for (let x = 0; x < 256; x++) set[x] = !set[x];
    if (negate) set[10] = false;
    return this.classNode(set);
  }
}

/** A compiled regular expression. After a successful exec, start/end and groups hold the match. */
export class Regex {
  ops: i32[] = [];
  a: i32[] = [];
  b: i32[] = [];
  classes: StaticArray<bool>[] = [];
  ngroups: i32 = 0;
  /** Capture offsets: caps[2n], caps[2n+1] for group n (group 0 is the whole match); -1 if unset. */
  caps: StaticArray<i32> = new StaticArray<i32>(20);
  /** Literal bytes when the whole pattern is a plain string (fast path), else null. */
  literal: Uint8Array | null = null;
  anchoredStart: bool = false;
  private subject: usize = 0;
  private subjectLen: i32 = 0;

  get start(): i32 { return this.caps[0]; }
  get end(): i32 { return this.caps[1]; }

  emit(op: i32, a: i32 = 0, b: i32 = 0): i32 {
    this.ops.push(op); this.a.push(a); this.b.push(b);
    return this.ops.length - 1;
  }

  gen(n: Node): void {
    switch (n.kind) {
      case N_CHAR: this.emit(OP_CHAR, n.value); break;
      case N_ANY: this.emit(OP_ANY); break;
      case N_CLASS: this.emit(OP_CLASS, n.value); break;
      case N_BOL: this.emit(OP_BOL); break;
      case N_EOL: this.emit(OP_EOL); break;
      case N_WORDB: this.emit(OP_WORDB, n.value); break;
      case N_BACKREF: this.emit(OP_BACKREF, n.value); break;
      case N_CAT: for (let i = 0; i < n.kids.length; i++) this.gen(n.kids[i]); break;
      case N_GROUP:
        this.emit(OP_SAVE, n.value * 2);
        this.gen(n.kids[0]);
        this.emit(OP_SAVE, n.value * 2 + 1);
        break;
      case N_ALT: {
        const jumps = new Array<i32>();
        for (let i = 0; i < n.kids.length; i++) {
          if (i < n.kids.length - 1) {
            const split = this.emit(OP_SPLIT, this.ops.length + 1);
            this.gen(n.kids[i]);
            jumps.push(this.emit(OP_JMP));
            this.b[split] = this.ops.length;
          } else this.gen(n.kids[i]);
        }
        for (let i = 0; i < jumps.length; i++) this.a[jumps[i]] = this.ops.length;
        break;
      }
      case N_REPEAT: {
        const body = n.kids[0];
        for (let i = 0; i < n.min; i++) this.gen(body);
        if (n.max < 0) {
          const split = this.emit(OP_SPLIT, this.ops.length + 1);
          this.gen(body);
          this.emit(OP_JMP, split);
          this.b[split] = this.ops.length;
        } else {
          const splits = new Array<i32>();
          for (let i = n.min; i < n.max; i++) {
            splits.push(this.emit(OP_SPLIT, this.ops.length + 1));
            this.gen(body);
          }
          for (let i = 0; i < splits.length; i++) this.b[splits[i]] = this.ops.length;
        }
        break;
      }
    }
  }

  /** Searches bytes [ptr, ptr+len) from offset `from`; true on a match. */
  exec(ptr: usize, len: i32, from: i32 = 0): bool {
    const lit = this.literal;
    if (lit != null) {
      const at = searchBytes(ptr, len, from, lit.dataStart, lit.length);
      if (at < 0) return false;
      this.caps[0] = at; this.caps[1] = at + lit.length;
      return true;
    }
    this.subject = ptr; this.subjectLen = len;
    const firstChar = this.ops[0] == OP_CHAR ? this.a[0] : -1;
    for (let s = from; s <= len; s++) {
      if (firstChar >= 0) {
        while (s < len && <i32>load<u8>(ptr + s) != firstChar) s++;
        if (s == len) return false;
      }
      for (let g = 2; g < 20; g++) this.caps[g] = -1;
      this.caps[0] = s;
      if (this.run(0, s)) return true;
      if (this.anchoredStart) return false;
    }
    return false;
  }

  private run(pc: i32, sp: i32): bool {
    const ptr = this.subject;
    const len = this.subjectLen;
    for (;;) {
      const op = unchecked(this.ops[pc]);
      switch (op) {
        case OP_CHAR:
          if (sp >= len || <i32>load<u8>(ptr + sp) != unchecked(this.a[pc])) return false;
          sp++; pc++; break;
        case OP_ANY:
          if (sp >= len) return false;
          sp++; pc++; break;
        case OP_CLASS:
          if (sp >= len || !unchecked(this.classes[unchecked(this.a[pc])])[load<u8>(ptr + sp)]) return false;
          sp++; pc++; break;
        case OP_SPLIT:
          if (this.run(unchecked(this.a[pc]), sp)) return true;
          pc = unchecked(this.b[pc]); break;
        case OP_JMP: pc = unchecked(this.a[pc]); break;
        case OP_SAVE: {
          const slot = unchecked(this.a[pc]);
          const old = this.caps[slot];
          this.caps[slot] = sp;
          if (this.run(pc + 1, sp)) return true;
          this.caps[slot] = old;
          return false;
        }
        case OP_BOL: if (sp != 0) return false; pc++; break;
        case OP_EOL: if (sp != len) return false; pc++; break;
        case OP_WORDB: {
          const before = sp > 0 && isWordByte(load<u8>(ptr + sp - 1));
          const after = sp < len && isWordByte(load<u8>(ptr + sp));
          const kind = unchecked(this.a[pc]);
          const ok = kind == 0 ? before != after : kind == 1 ? !before && after : kind == 2 ? before && !after : before == after;
          if (!ok) return false;
          pc++; break;
        }
        case OP_BACKREF: {
          const g = unchecked(this.a[pc]);
          const gs = this.caps[g * 2]; const ge = this.caps[g * 2 + 1];
          if (gs < 0 || ge < 0) return false;
          const n = ge - gs;
          if (sp + n > len || memory.compare(ptr + gs, ptr + sp, n) != 0) return false;
          sp += n; pc++; break;
        }
        default:
          this.caps[1] = sp;
          return true;
      }
    }
    return false;
  }
}

/** Index of needle in haystack[from..len), or -1. */
export function searchBytes(hay: usize, len: i32, from: i32, needle: usize, nlen: i32): i32 {
  if (nlen == 0) return from <= len ? from : -1;
  const first = load<u8>(needle);
  const last = len - nlen;
  for (let i = from; i <= last; i++) {
    if (load<u8>(hay + i) == first && memory.compare(hay + i, needle, nlen) == 0) return i;
  }
  return -1;
}

function isPlain(p: string, extended: bool): bool {
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c == 46 || c == 42 || c == 91 || c == 92 || c == 94 || c == 36 || c >= 128) return false;
    if (extended && (c == 43 || c == 63 || c == 40 || c == 41 || c == 123 || c == 124)) return false;
  }
  return true;
}

/** Compiles a pattern; null on a syntax error (message in regexError). */
export function compile(pattern: string, extended: bool, icase: bool): Regex | null {
  const re = new Regex();
  if (!icase && isPlain(pattern, extended)) {
    const enc = String.UTF8.encode(pattern);
    re.literal = Uint8Array.wrap(enc);
    return re;
  }
  const utf8 = String.UTF8.encode(pattern);
  // Work on bytes so that '.' and classes see the same units as the subject.
  const bytes = String.fromCharCodes(toCodes(Uint8Array.wrap(utf8)));
  const parser = new Parser(bytes, extended, icase);
  const tree = parser.alternation(0);
  if (!parser.failed && parser.more()) parser.fail(extended ? "Unmatched ) or \\)" : "Unmatched ) or \\)");
  if (parser.failed) return null;
  re.classes = parser.classes;
  re.ngroups = parser.groups;
  re.gen(tree);
  re.emit(OP_MATCH);
  re.anchoredStart = re.ops[0] == OP_BOL;
  return re;
}

function toCodes(b: Uint8Array): i32[] {
  const out = new Array<i32>(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b[i];
  return out;
}
