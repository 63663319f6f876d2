// DEFLATE (RFC 1951) compression and decompression, and CRC-32, for gzip and tar -z:
// LZ77 over a 32 KiB window with hash chains and lazy matching, dynamic Huffman blocks.

import { ByteBuf } from "./io";

const LENGTH_BASE: StaticArray<i32> = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA: StaticArray<i32> = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE: StaticArray<i32> = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA: StaticArray<i32> = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CODELEN_ORDER: StaticArray<i32> = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** The CRC-32 (IEEE, as gzip and zip use) of bytes, continuing from crc. */
export class Crc32 {
  table: StaticArray<u32> = new StaticArray<u32>(256);
  value: u32 = 0xffffffff;
  constructor() {
    for (let n: u32 = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      this.table[n] = c;
    }
  }
  update(ptr: usize, len: i32): void {
    let c = this.value;
    const t = this.table;
    for (let i = 0; i < len; i++) c = unchecked(t[(c ^ load<u8>(ptr + i)) & 255]) ^ (c >>> 8);
    this.value = c;
  }
  digest(): u32 { return ~this.value; }
}

/** Writes bits least-significant first into a byte buffer. */
class BitWriter {
  bits: u64 = 0;
  count: i32 = 0;
  constructor(public out: ByteBuf) {}
  put(value: u32, n: i32): void {
    this.bits |= (<u64>value) << (<u64>this.count);
    this.count += n;
    if (this.count >= 32) {
      const out = this.out;
      out.reserve(4);
      store<u32>(out.ptr + out.len, <u32>this.bits);
      out.len += 4;
      this.bits >>= 32;
      this.count -= 32;
    }
  }
  /** Pads to a byte boundary and flushes. */
  align(): void {
    while (this.count > 0) {
      this.out.appendByte(<i32>(this.bits & 255));
      this.bits >>= 8;
      this.count = this.count > 8 ? this.count - 8 : 0;
    }
    this.bits = 0;
  }
}

/** Code lengths (at most maxBits) for symbol frequencies: Huffman, flattened until it fits. */
function codeLengths(freq: StaticArray<i32>, n: i32, maxBits: i32): StaticArray<i32> {
  const lengths = new StaticArray<i32>(n);
  const f = new StaticArray<i32>(n);
  for (let i = 0; i < n; i++) f[i] = freq[i];
  for (;;) {
    // Nodes: leaves 0..n-1, internal n..; a simple O(n^2)-free build with sorted leaves and a queue.
    const leaves = new Array<i32>();
    for (let i = 0; i < n; i++) if (f[i] > 0) leaves.push(i);
    for (let i = 0; i < n; i++) lengths[i] = 0;
    // A tree needs two leaves to be complete (gzip rejects incomplete ones).
    if (leaves.length == 0) { lengths[0] = 1; lengths[1] = 1; return lengths; }
    if (leaves.length == 1) { lengths[leaves[0]] = 1; lengths[leaves[0] == 0 ? 1 : 0] = 1; return lengths; }
    sortByFreq(leaves, f);
    const total = leaves.length * 2 - 1;
    const weight = new StaticArray<i64>(total);
    const parent = new StaticArray<i32>(total);
    for (let i = 0; i < leaves.length; i++) weight[i] = f[leaves[i]];
    let li = 0; let qi = leaves.length; let next = leaves.length;
    while (next < total) {
      let pick = new StaticArray<i32>(2);
      for (let k = 0; k < 2; k++) {
        if (li < leaves.length && (qi >= next || weight[li] <= weight[qi])) pick[k] = li++;
        else pick[k] = qi++;
      }
      weight[next] = weight[pick[0]] + weight[pick[1]];
      parent[pick[0]] = next; parent[pick[1]] = next;
      next++;
    }
    const depth = new StaticArray<i32>(total);
    depth[total - 1] = 0;
    let longest = 0;
    for (let i = total - 2; i >= 0; i--) {
      depth[i] = depth[parent[i]] + 1;
      if (i < leaves.length) { lengths[leaves[i]] = depth[i]; if (depth[i] > longest) longest = depth[i]; }
    }
    if (longest <= maxBits) return lengths;
    for (let i = 0; i < n; i++) if (f[i] > 0) f[i] = (f[i] >> 1) | 1;
  }
  return lengths;
}

/** Sorts symbol indices by frequency (then symbol), insertion sort for short lists, else merge. */
function sortByFreq(list: i32[], f: StaticArray<i32>): void {
  for (let i = 1; i < list.length; i++) {
    const v = list[i];
    const fv = f[v];
    let j = i - 1;
    while (j >= 0 && (f[list[j]] > fv || (f[list[j]] == fv && list[j] > v))) { list[j + 1] = list[j]; j--; }
    list[j + 1] = v;
  }
}

/** Canonical codes for lengths, bit-reversed for LSB-first output. */
function canonicalCodes(lengths: StaticArray<i32>, n: i32): StaticArray<u32> {
  const count = new StaticArray<i32>(16);
  for (let i = 0; i < n; i++) count[lengths[i]]++;
  count[0] = 0;
  const next = new StaticArray<u32>(16);
  let code: u32 = 0;
  for (let bits = 1; bits < 16; bits++) { code = (code + <u32>count[bits - 1]) << 1; next[bits] = code; }
  const codes = new StaticArray<u32>(n);
  for (let i = 0; i < n; i++) {
    const len = lengths[i];
    if (len == 0) continue;
    let c = next[len]++;
    let r: u32 = 0;
    for (let b = 0; b < len; b++) { r = (r << 1) | (c & 1); c >>= 1; }
    codes[i] = r;
  }
  return codes;
}

function lengthCode(len: i32): i32 {
  let c = 0;
  while (c < 28 && LENGTH_BASE[c + 1] <= len) c++;
  return c;
}

function distCode(dist: i32): i32 {
  let c = 0;
  while (c < 29 && DIST_BASE[c + 1] <= dist) c++;
  return c;
}

const MAX_SYMBOLS = 32768;
const WINDOW = 32768;
const HASH_BITS = 15;

/** Compresses [src, src+len) at level 1-9 into raw DEFLATE appended to out. */
export function deflate(src: usize, len: i32, level: i32, out: ByteBuf): void {
  const bw = new BitWriter(out);
  const maxChain = level <= 1 ? 4 : level <= 3 ? 16 : level <= 5 ? 32 : level == 6 ? 128 : level <= 8 ? 1024 : 4096;
  const niceLen = level <= 3 ? 32 : level <= 6 ? 128 : 258;
  const lazy = level >= 4;
  // zlib's tuning: past goodLen the next search looks a quarter as far; past maxLazy none is made.
  const goodLen = level <= 4 ? 4 : level <= 7 ? 8 : 32;
  const maxLazy = level <= 4 ? 4 : level <= 6 ? 16 : level == 7 ? 32 : level == 8 ? 128 : 258;
  const head = new StaticArray<i32>(1 << HASH_BITS);
  for (let i = 0; i < (1 << HASH_BITS); i++) unchecked(head[i] = -1);
  const prev = new StaticArray<i32>(WINDOW);
  const syms = new StaticArray<u32>(MAX_SYMBOLS);
  // Precomputed code tables for lengths 3..258 and distances' codes via a 512-entry table.
  const lenCode = new StaticArray<u8>(259);
  for (let l = 3; l <= 258; l++) lenCode[l] = <u8>lengthCode(l);
  const distSmall = new StaticArray<u8>(512);
  for (let d = 1; d <= 256; d++) distSmall[d - 1] = <u8>distCode(d);
  for (let d = 257; d <= 32768; d += 128) distSmall[256 + ((d - 1) >> 7)] = <u8>distCode(d);
  let nsyms = 0;
  let blockStart = 0;
  let pos = 0;
  let matchLen = 0; let matchDist = 0;
  let prevLen = 0; let prevDist = 0; let havePrev = false;

  while (pos < len) {
    // Find the longest match at pos.
    matchLen = 0; matchDist = 0;
    if (lazy && havePrev && prevLen >= maxLazy) {
      // The previous match is long enough: it is taken without looking for a better one here.
      insertHash(src, len, pos, head, prev);
    } else if (pos + 2 < len) {
      const h = <i32>(((<u32>load<u8>(src + pos) << 10) ^ (<u32>load<u8>(src + pos + 1) << 5) ^ <u32>load<u8>(src + pos + 2)) & ((1 << HASH_BITS) - 1));
      let cand = unchecked(head[h]);
      unchecked(prev[pos & (WINDOW - 1)] = cand);
      unchecked(head[h] = pos);
      const limit = min(258, len - pos);
      let chain = (lazy && havePrev && prevLen >= goodLen) ? maxChain >> 2 : maxChain;
      while (cand >= 0 && pos - cand <= WINDOW - 1 && chain-- > 0) {
        if (load<u8>(src + cand + matchLen) == load<u8>(src + pos + matchLen) && load<u8>(src + cand) == load<u8>(src + pos)) {
          // Eight bytes at a time: the first differing byte is the lowest set bit's (little-endian).
          let l = 0;
          while (l + 8 <= limit) {
            const x = load<u64>(src + cand + l) ^ load<u64>(src + pos + l);
            if (x != 0) { l += <i32>(ctz(x) >> 3); break; }
            l += 8;
          }
          if (l + 8 > limit) while (l < limit && load<u8>(src + cand + l) == load<u8>(src + pos + l)) l++;
          if (l > matchLen) { matchLen = l; matchDist = pos - cand; if (l >= niceLen) break; }
        }
        const nx = unchecked(prev[cand & (WINDOW - 1)]);
        if (nx >= cand) break;
        cand = nx;
      }
      if (matchLen < 3) matchLen = 0;
      if (matchLen == 3 && matchDist > 4096) matchLen = 0;
    }
    if (lazy) {
      if (havePrev) {
        if (matchLen > prevLen) {
          // The match one byte later is better: emit the previous byte as a literal.
          unchecked(syms[nsyms++] = <u32>load<u8>(src + pos - 1));
          prevLen = matchLen; prevDist = matchDist;
          pos++;
        } else {
          unchecked(syms[nsyms++] = (<u32>prevLen << 16) | <u32>prevDist);
          // Insert the skipped positions into the hash chains.
          const end = pos - 1 + prevLen;
          pos++;
          while (pos < end) { insertHash(src, len, pos, head, prev); pos++; }
          havePrev = false;
        }
      } else if (matchLen > 0) {
        prevLen = matchLen; prevDist = matchDist; havePrev = true; pos++;
      } else {
        unchecked(syms[nsyms++] = <u32>load<u8>(src + pos));
        pos++;
      }
    } else if (matchLen > 0) {
      unchecked(syms[nsyms++] = (<u32>matchLen << 16) | <u32>matchDist);
      const end = pos + matchLen;
      pos++;
      while (pos < end) { insertHash(src, len, pos, head, prev); pos++; }
    } else {
      unchecked(syms[nsyms++] = <u32>load<u8>(src + pos));
      pos++;
    }
    if (nsyms >= MAX_SYMBOLS - 2) {
      const upTo = havePrev ? pos - 1 : pos;
      writeBlock(bw, syms, nsyms, src + blockStart, upTo - blockStart, false, lenCode, distSmall);
      blockStart = upTo;
      nsyms = 0;
    }
  }
  if (havePrev) unchecked(syms[nsyms++] = (<u32>prevLen << 16) | <u32>prevDist);
  writeBlock(bw, syms, nsyms, src + blockStart, len - blockStart, true, lenCode, distSmall);
  bw.align();
}

@inline function insertHash(src: usize, len: i32, pos: i32, head: StaticArray<i32>, prev: StaticArray<i32>): void {
  if (pos + 2 >= len) return;
  const h = <i32>(((<u32>load<u8>(src + pos) << 10) ^ (<u32>load<u8>(src + pos + 1) << 5) ^ <u32>load<u8>(src + pos + 2)) & ((1 << HASH_BITS) - 1));
  unchecked(prev[pos & (WINDOW - 1)] = unchecked(head[h]));
  unchecked(head[h] = pos);
}

@inline function distCodeOf(d: i32, table: StaticArray<u8>): i32 {
  return d <= 256 ? <i32>unchecked(table[d - 1]) : <i32>unchecked(table[256 + ((d - 1) >> 7)]);
}

function writeBlock(bw: BitWriter, syms: StaticArray<u32>, n: i32, raw: usize, rawLen: i32, last: bool, lenCode: StaticArray<u8>, distTable: StaticArray<u8>): void {
  const lf = new StaticArray<i32>(286);
  const df = new StaticArray<i32>(30);
  for (let i = 0; i < n; i++) {
    const s = unchecked(syms[i]);
    if (s < 256) unchecked(lf[s]++);
    else {
      unchecked(lf[257 + <i32>unchecked(lenCode[s >> 16])]++);
      unchecked(df[distCodeOf(<i32>(s & 0xffff), distTable)]++);
    }
  }
  lf[256] = 1;
  const ll = codeLengths(lf, 286, 15);
  const dl = codeLengths(df, 30, 15);
  let hlit = 286; while (hlit > 257 && ll[hlit - 1] == 0) hlit--;
  let hdist = 30; while (hdist > 1 && dl[hdist - 1] == 0) hdist--;
  // Run-length encode the two length lists together.
  const all = new Array<i32>();
  for (let i = 0; i < hlit; i++) all.push(ll[i]);
  for (let i = 0; i < hdist; i++) all.push(dl[i]);
  const rle = new Array<i32>();
  const cf = new StaticArray<i32>(19);
  for (let i = 0; i < all.length;) {
    const v = all[i];
    let run = 1;
    while (i + run < all.length && all[i + run] == v) run++;
    if (v == 0 && run >= 3) {
      const r = min(run, 138);
      if (r <= 10) { rle.push(17); rle.push(r - 3); cf[17]++; } else { rle.push(18); rle.push(r - 11); cf[18]++; }
      i += r;
    } else if (v != 0 && run >= 4) {
      rle.push(v); rle.push(-1); cf[v]++;
      const r = min(run - 1, 6);
      rle.push(16); rle.push(r - 3); cf[16]++;
      i += 1 + r;
    } else { rle.push(v); rle.push(-1); cf[v]++; i++; }
  }
  const cl = codeLengths(cf, 19, 7);
  let hclen = 19; while (hclen > 4 && cl[CODELEN_ORDER[hclen - 1]] == 0) hclen--;
  // Cost in bits of the dynamic block against a stored one.
  let bits: i64 = 17 + 3 * hclen;
  for (let i = 0; i < rle.length; i += 2) {
    const s = rle[i];
    bits += cl[s] + (s == 16 ? 2 : s == 17 ? 3 : s == 18 ? 7 : 0);
  }
  for (let i = 0; i < 286; i++) bits += <i64>lf[i] * <i64>(ll[i] + (i >= 265 ? LENGTH_EXTRA[i - 257] : 0));
  for (let i = 0; i < 30; i++) bits += <i64>df[i] * <i64>(dl[i] + DIST_EXTRA[i]);
  const storedBits: i64 = (<i64>rawLen + 5 * (<i64>rawLen / 65535 + 1)) * 8 + 8;
  // A block with the fixed codes (RFC 1951 3.2.6) has no code table to send: it wins on short inputs.
  const fixedLit = fixedLiteralLengths();
  let fixedBits: i64 = 3;
  for (let i = 0; i < 286; i++) fixedBits += <i64>lf[i] * <i64>(fixedLit[i] + (i >= 265 ? LENGTH_EXTRA[i - 257] : 0));
  for (let i = 0; i < 30; i++) fixedBits += <i64>df[i] * <i64>(5 + DIST_EXTRA[i]);
  if (storedBits < bits && storedBits <= fixedBits) { writeStored(bw, raw, rawLen, last); return; }
  if (fixedBits <= bits) {
    bw.put(last ? 1 : 0, 1);
    bw.put(1, 2);
    const fixedDist = new StaticArray<i32>(30);
    for (let i = 0; i < 30; i++) fixedDist[i] = 5;
    writeSymbols(bw, syms, n, fixedLit, fixedDist, lenCode, distTable);
    return;
  }

  bw.put(last ? 1 : 0, 1);
  bw.put(2, 2);
  bw.put(<u32>(hlit - 257), 5);
  bw.put(<u32>(hdist - 1), 5);
  bw.put(<u32>(hclen - 4), 4);
  for (let i = 0; i < hclen; i++) bw.put(<u32>cl[CODELEN_ORDER[i]], 3);
  const cc = canonicalCodes(cl, 19);
  for (let i = 0; i < rle.length; i += 2) {
    const s = rle[i];
    bw.put(cc[s], cl[s]);
    if (s == 16) bw.put(<u32>rle[i + 1], 2);
    else if (s == 17) bw.put(<u32>rle[i + 1], 3);
    else if (s == 18) bw.put(<u32>rle[i + 1], 7);
  }
  writeSymbols(bw, syms, n, ll, dl, lenCode, distTable);
}

/** The fixed literal/length code lengths: 8 for 0-143, 9 for 144-255, 7 for 256-279, 8 for 280-287. */
function fixedLiteralLengths(): StaticArray<i32> {
  const lengths = new StaticArray<i32>(288);
  for (let i = 0; i < 288; i++) lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
  return lengths;
}

/** A block's symbols (literals, length/distance pairs, end of block) in the codes of these lengths. */
function writeSymbols(bw: BitWriter, syms: StaticArray<u32>, n: i32, ll: StaticArray<i32>, dl: StaticArray<i32>, lenCode: StaticArray<u8>, distTable: StaticArray<u8>): void {
  const lc = canonicalCodes(ll, ll.length);
  const dc = canonicalCodes(dl, 30);
  for (let i = 0; i < n; i++) {
    const s = unchecked(syms[i]);
    if (s < 256) { bw.put(unchecked(lc[s]), unchecked(ll[s])); continue; }
    const length = <i32>(s >> 16);
    const dist = <i32>(s & 0xffff);
    const code = <i32>unchecked(lenCode[length]);
    bw.put(unchecked(lc[257 + code]), unchecked(ll[257 + code]));
    const le = unchecked(LENGTH_EXTRA[code]);
    if (le > 0) bw.put(<u32>(length - unchecked(LENGTH_BASE[code])), le);
    const d = distCodeOf(dist, distTable);
    bw.put(unchecked(dc[d]), unchecked(dl[d]));
    const de = unchecked(DIST_EXTRA[d]);
    if (de > 0) bw.put(<u32>(dist - unchecked(DIST_BASE[d])), de);
  }
  bw.put(lc[256], ll[256]);
}

function writeStored(bw: BitWriter, raw: usize, rawLen: i32, last: bool): void {
  let off = 0;
  do {
    const chunk = min(65535, rawLen - off);
    const final = last && off + chunk == rawLen;
    bw.put(final ? 1 : 0, 1);
    bw.put(0, 2);
    bw.align();
    bw.out.appendByte(chunk & 255); bw.out.appendByte(chunk >> 8);
    bw.out.appendByte(~chunk & 255); bw.out.appendByte((~chunk >> 8) & 255);
    bw.out.append(raw + off, chunk);
    off += chunk;
  } while (off < rawLen);
}

/** A Huffman decoding table: counts per length and symbols in canonical order (as in zlib's puff). */
class Huffman {
  count: StaticArray<i16> = new StaticArray<i16>(16);
  symbol: StaticArray<i16>;
  /** Fast lookup on 9 bits: (length << 9 | symbol), 0 when the code is longer. */
  fast: StaticArray<u16> = new StaticArray<u16>(512);
  constructor(n: i32) { this.symbol = new StaticArray<i16>(n); }
  /** Builds from lengths; false if the code is over-subscribed. */
  build(lengths: StaticArray<i32>, off: i32, n: i32): bool {
    for (let i = 0; i < 16; i++) this.count[i] = 0;
    for (let i = 0; i < n; i++) this.count[lengths[off + i]]++;
    if (this.count[0] == n) return true;
    let left = 1;
    for (let len = 1; len < 16; len++) { left <<= 1; left -= this.count[len]; if (left < 0) return false; }
    const offs = new StaticArray<i16>(16);
    for (let len = 1; len < 15; len++) offs[len + 1] = offs[len] + this.count[len];
    for (let i = 0; i < n; i++) if (lengths[off + i] != 0) this.symbol[offs[lengths[off + i]]++] = <i16>i;
    // Fill the fast table from canonical codes.
    for (let i = 0; i < 512; i++) this.fast[i] = 0;
    let code = 0; let first = 0; let index = 0;
    for (let len = 1; len <= 9; len++) {
      const cnt = <i32>this.count[len];
      for (let k = 0; k < cnt; k++) {
        const c = code + k;
        let r = 0;
        for (let b = 0; b < len; b++) r |= ((c >> (len - 1 - b)) & 1) << b;
        for (let fill = r; fill < 512; fill += 1 << len) this.fast[fill] = <u16>((len << 9) | <i32>this.symbol[index + k]);
      }
      index += cnt;
      first += cnt;
      code = (code + cnt) << 1;
    }
    return true;
  }
}

/** Decompresses raw DEFLATE; tracks where the input stream ended (for gzip members). */
export class Inflater {
  src: usize = 0;
  srcLen: i32 = 0;
  pos: i32 = 0;
  bitBuf: u32 = 0;
  bitCnt: i32 = 0;
  error: string = "";
  lencode: Huffman = new Huffman(288);
  distcode: Huffman = new Huffman(30);

  @inline private need(n: i32): bool {
    while (this.bitCnt < n) {
      if (this.pos >= this.srcLen) return false;
      this.bitBuf |= (<u32>load<u8>(this.src + this.pos++)) << <u32>this.bitCnt;
      this.bitCnt += 8;
    }
    return true;
  }
  private bits(n: i32): i32 {
    if (n == 0) return 0;
    if (!this.need(n)) { this.error = "unexpected end of file"; return 0; }
    const v = <i32>(this.bitBuf & ((1 << n) - 1));
    this.bitBuf >>>= <u32>n;
    this.bitCnt -= n;
    return v;
  }
  private decode(h: Huffman): i32 {
    this.need(9);
    if (this.bitCnt >= 9 || this.pos >= this.srcLen) {
      const e = <i32>unchecked(h.fast[this.bitBuf & 511]);
      if (e != 0 && (e >> 9) <= this.bitCnt) {
        const l = e >> 9;
        this.bitBuf >>>= <u32>l; this.bitCnt -= l;
        return e & 511;
      }
    }
    let code = 0; let first = 0; let index = 0;
    for (let len = 1; len < 16; len++) {
      code |= this.bits(1);
      if (this.error != "") return -1;
      const count = <i32>h.count[len];
      if (code - count < first) return <i32>h.symbol[index + (code - first)];
      index += count; first += count;
      first <<= 1; code <<= 1;
    }
    this.error = "invalid compressed data--format violated";
    return -1;
  }

  /** Inflates from src[start..] into out; returns false with error set on bad data. */
  run(src: usize, srcLen: i32, start: i32, out: ByteBuf): bool {
    this.src = src; this.srcLen = srcLen; this.pos = start; this.bitBuf = 0; this.bitCnt = 0; this.error = "";
    let last = 0;
    do {
      last = this.bits(1);
      const type = this.bits(2);
      if (this.error != "") return false;
      if (type == 0) {
        this.bitBuf = 0; this.bitCnt = 0;
        if (this.pos + 4 > srcLen) { this.error = "unexpected end of file"; return false; }
        const n = <i32>load<u8>(src + this.pos) | (<i32>load<u8>(src + this.pos + 1) << 8);
        const nn = <i32>load<u8>(src + this.pos + 2) | (<i32>load<u8>(src + this.pos + 3) << 8);
        if (n != (~nn & 0xffff)) { this.error = "invalid compressed data--format violated"; return false; }
        this.pos += 4;
        if (this.pos + n > srcLen) { this.error = "unexpected end of file"; return false; }
        out.append(src + this.pos, n);
        this.pos += n;
      } else if (type == 1) {
        const lengths = new StaticArray<i32>(320);
        for (let i = 0; i < 144; i++) lengths[i] = 8;
        for (let i = 144; i < 256; i++) lengths[i] = 9;
        for (let i = 256; i < 280; i++) lengths[i] = 7;
        for (let i = 280; i < 288; i++) lengths[i] = 8;
        for (let i = 288; i < 318; i++) lengths[i] = 5;
        this.lencode.build(lengths, 0, 288);
        this.distcode.build(lengths, 288, 30);
        if (!this.codes(out)) return false;
      } else if (type == 2) {
        if (!this.dynamic()) return false;
        if (!this.codes(out)) return false;
      } else { this.error = "invalid compressed data--format violated"; return false; }
    } while (last == 0);
    // Give back whole bytes still in the bit buffer.
    this.pos -= this.bitCnt >> 3;
    this.bitBuf = 0; this.bitCnt = 0;
    return true;
  }

  private dynamic(): bool {
    const nlen = this.bits(5) + 257;
    const ndist = this.bits(5) + 1;
    const ncode = this.bits(4) + 4;
    if (this.error != "") return false;
    if (nlen > 286 || ndist > 30) { this.error = "invalid compressed data--format violated"; return false; }
    const lengths = new StaticArray<i32>(320);
    for (let i = 0; i < ncode; i++) lengths[CODELEN_ORDER[i]] = this.bits(3);
    const lencode = new Huffman(19);
    if (!lencode.build(lengths, 0, 19)) { this.error = "invalid compressed data--format violated"; return false; }
    const all = new StaticArray<i32>(320);
    let index = 0;
    while (index < nlen + ndist) {
      const sym = this.decode(lencode);
      if (sym < 0) return false;
      if (sym < 16) { all[index++] = sym; continue; }
      let value = 0; let rep = 0;
      if (sym == 16) { if (index == 0) { this.error = "invalid compressed data--format violated"; return false; } value = all[index - 1]; rep = 3 + this.bits(2); }
      else if (sym == 17) rep = 3 + this.bits(3);
      else rep = 11 + this.bits(7);
      if (index + rep > nlen + ndist) { this.error = "invalid compressed data--format violated"; return false; }
      while (rep-- > 0) all[index++] = value;
    }
    if (this.error != "") return false;
    const dl = new StaticArray<i32>(30);
    for (let i = 0; i < ndist; i++) dl[i] = all[nlen + i];
    if (!this.lencode.build(all, 0, nlen) || !this.distcode.build(dl, 0, 30)) { this.error = "invalid compressed data--format violated"; return false; }
    return true;
  }

  private codes(out: ByteBuf): bool {
    for (;;) {
      const sym = this.decode(this.lencode);
      if (sym < 0) return false;
      if (sym < 256) {
        if (out.len == out.cap) out.reserve(1);
        store<u8>(out.ptr + out.len, <u8>sym); out.len++;
        continue;
      }
      if (sym == 256) return true;
      const li = sym - 257;
      if (li >= 29) { this.error = "invalid compressed data--format violated"; return false; }
      const length = unchecked(LENGTH_BASE[li]) + this.bits(unchecked(LENGTH_EXTRA[li]));
      const ds = this.decode(this.distcode);
      if (ds < 0 || ds >= 30) { this.error = "invalid compressed data--format violated"; return false; }
      const dist = unchecked(DIST_BASE[ds]) + this.bits(unchecked(DIST_EXTRA[ds]));
      if (this.error != "") return false;
      if (dist > out.len) { this.error = "invalid compressed data--format violated"; return false; }
      out.reserve(length);
      let d = out.ptr + out.len;
      let s = d - dist;
      if (dist >= length) memory.copy(d, s, length);
      else for (let k = 0; k < length; k++) store<u8>(d + k, load<u8>(s + k));
      out.len += length;
    }
    return true;
  }
}
