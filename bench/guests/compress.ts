// Guest: an LZ77 compressor's inner loops (the programs benchmark's compute figure, shaped like
// gzip): hash chains over 4-byte prefixes, greedy longest-match search in a 32 KiB window, a token
// stream out, then decompression and an Adler-32 of both to check. argv: MiB of input, rounds.
import { argInt, fail, say } from "./lib";

const WINDOW: i32 = 32768;
const HASH_BITS: i32 = 15;
const MAX_CHAIN: i32 = 32;
const MIN_MATCH: i32 = 4;
const MAX_MATCH: i32 = 258;

/** Text-like input: words from a small vocabulary picked by an LCG, so that matches are common. */
function generate(size: i32): usize {
  const words = ["the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog ", "wasm ", "kernel ",
    "process ", "file ", "read ", "write ", "pipe ", "memory ", "page ", "table ", "\n", "0123 ", "{ ", "} "];
  const buf = heap.alloc(<usize>size);
  let seed: u32 = 12345;
  let at = 0;
  while (at < size) {
    seed = seed * 1103515245 + 12345;
    const word = words[<i32>((seed >>> 16) % <u32>words.length)];
    for (let i = 0; i < word.length && at < size; i++) store<u8>(buf + <usize>(at++), <u8>word.charCodeAt(i));
    if ((seed & 0x3ff) == 7 && at < size) store<u8>(buf + <usize>(at++), <u8>(seed >>> 24));
  }
  return buf;
}

@inline function hash4(p: usize): i32 {
  return <i32>((load<u32>(p) * 2654435761) >>> (32 - HASH_BITS));
}

/** Compresses `src` into `dst` as tokens (0 len8 bytes... for literals, 1 len8 dist16 for matches); returns the size. */
function compress(src: usize, size: i32, dst: usize, head: usize, prev: usize): i32 {
  memory.fill(head, 0xff, (<usize>1 << HASH_BITS) * 4);
  memory.fill(prev, 0xff, <usize>WINDOW * 4);
  let out = 0, pos = 0, litStart = 0;
  while (pos < size) {
    let bestLen = 0, bestDist = 0;
    if (pos + MAX_MATCH < size) {
      const h = hash4(src + <usize>pos);
      let cand = load<i32>(head + (<usize>h << 2));
      store<i32>(head + (<usize>h << 2), pos);
      store<i32>(prev + (<usize>(pos & (WINDOW - 1)) << 2), cand);
      for (let chain = 0; chain < MAX_CHAIN && cand >= 0 && pos - cand < WINDOW; chain++) {
        if (load<u8>(src + <usize>(cand + bestLen)) == load<u8>(src + <usize>(pos + bestLen))) {
          let len = 0;
          while (len < MAX_MATCH && load<u8>(src + <usize>(cand + len)) == load<u8>(src + <usize>(pos + len))) len++;
          if (len > bestLen) { bestLen = len; bestDist = pos - cand; }
        }
        cand = load<i32>(prev + (<usize>(cand & (WINDOW - 1)) << 2));
      }
    }
    if (bestLen >= MIN_MATCH) {
      out = flushLiterals(src, litStart, pos, dst, out);
      store<u8>(dst + <usize>out, 1);
      store<u8>(dst + <usize>out + 1, <u8>(bestLen - MIN_MATCH));
      store<u16>(dst + <usize>out + 2, <u16>bestDist);
      out += 4;
      for (let i = 1; i < bestLen; i++) {
        const p = pos + i;
        if (p + MAX_MATCH < size) {
          const h = hash4(src + <usize>p);
          store<i32>(prev + (<usize>(p & (WINDOW - 1)) << 2), load<i32>(head + (<usize>h << 2)));
          store<i32>(head + (<usize>h << 2), p);
        }
      }
      pos += bestLen;
      litStart = pos;
    } else {
      pos++;
    }
  }
  return flushLiterals(src, litStart, pos, dst, out);
}

function flushLiterals(src: usize, from: i32, to: i32, dst: usize, out: i32): i32 {
  while (from < to) {
    const n = min(to - from, 255);
    store<u8>(dst + <usize>out, 0);
    store<u8>(dst + <usize>out + 1, <u8>n);
    memory.copy(dst + <usize>out + 2, src + <usize>from, <usize>n);
    out += 2 + n;
    from += n;
  }
  return out;
}

/** Expands tokens back; returns the size produced. */
function decompress(src: usize, size: i32, dst: usize): i32 {
  let at = 0, out = 0;
  while (at < size) {
    if (load<u8>(src + <usize>at) == 0) {
      const n = <i32>load<u8>(src + <usize>at + 1);
      memory.copy(dst + <usize>out, src + <usize>at + 2, <usize>n);
      out += n;
      at += 2 + n;
    } else {
      const len = <i32>load<u8>(src + <usize>at + 1) + MIN_MATCH;
      const from = out - <i32>load<u16>(src + <usize>at + 2);
      for (let i = 0; i < len; i++) store<u8>(dst + <usize>(out + i), load<u8>(dst + <usize>(from + i)));
      out += len;
      at += 4;
    }
  }
  return out;
}

function adler32(p: usize, size: i32): u32 {
  let a: u32 = 1, b: u32 = 0;
  for (let i = 0; i < size; i++) {
    a = (a + load<u8>(p + <usize>i)) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

const size = argInt(1, 4) << 20;
const rounds = argInt(2, 1);
const input = generate(size);
const tokens = heap.alloc(<usize>size + (<usize>size >> 6) + 1024);
const output = heap.alloc(<usize>size);
const head = heap.alloc((<usize>1 << HASH_BITS) * 4);
const prev = heap.alloc(<usize>WINDOW * 4);
let packed = 0;
for (let r = 0; r < rounds; r++) {
  packed = compress(input, size, tokens, head, prev);
  if (decompress(tokens, packed, output) != size || adler32(output, size) != adler32(input, size)) fail("round trip differs", 1);
}
say("compressed " + size.toString() + " to " + packed.toString() + " adler " + adler32(input, size).toString());
