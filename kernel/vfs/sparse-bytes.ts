// A regular file's bytes in memory, kept in fixed-size chunks so that a file stays sparse: a hole
// (a write far past the end, or a size extended by truncate) holds no memory and reads as zeros.

/** The bytes one chunk covers (64 KiB): a write costs at most one new chunk per 64 KiB it spans. */
export const CHUNK_SIZE = 65536;
/** The first allocation of a chunk that a small write starts (grown by doubling up to CHUNK_SIZE). */
const MIN_CHUNK_ALLOC = 64;

/** Sparse file contents: `length` bytes, of which only the chunks ever written are allocated. */
export class SparseBytes {
  /** Chunk index -> its bytes; a chunk's buffer may be shorter than CHUNK_SIZE (the rest reads as zeros). */
  private readonly chunks = new Map<number, Buffer>();
  /** The file's size in bytes. */
  length = 0;
  /** Bytes allocated for chunks (what the file really costs). */
  allocated = 0;

  /**
   * Bytes that writing [pos, pos+len) would allocate: an estimate made before any allocation,
   * so that a filesystem can refuse (ENOSPC) first. Exact for whole chunks, an upper bound otherwise.
   */
  growthFor(pos: number, len: number): number {
    if (len <= 0) return 0;
    let grow = 0;
    const last = Math.floor((pos + len - 1) / CHUNK_SIZE);
    for (let c = Math.floor(pos / CHUNK_SIZE); c <= last; c++) {
      const have = this.chunks.get(c)?.length ?? 0;
      const end = c === last ? pos + len - c * CHUNK_SIZE : CHUNK_SIZE;
      if (end > have) grow += Math.min(CHUNK_SIZE, Math.max(end, have * 2, MIN_CHUNK_ALLOC)) - have;
    }
    return grow;
  }

  /** Copies up to buf.length bytes from `pos` into buf (holes as zeros); returns how many. */
  read(buf: Uint8Array, pos: number): number {
    const n = Math.min(buf.length, this.length - pos);
    if (n <= 0) return 0;
    let done = 0;
    while (done < n) {
      const at = pos + done;
      const c = Math.floor(at / CHUNK_SIZE);
      const off = at - c * CHUNK_SIZE;
      const take = Math.min(n - done, CHUNK_SIZE - off);
      const chunk = this.chunks.get(c);
      const have = chunk ? Math.max(0, Math.min(take, chunk.length - off)) : 0;
      if (have > 0) chunk!.copy(buf, done, off, off + have);
      if (have < take) buf.fill(0, done + have, done + take);
      done += take;
    }
    return n;
  }

  /** Writes buf at `pos`, allocating only the chunks it touches; returns buf.length. */
  write(buf: Uint8Array, pos: number): number {
    let done = 0;
    while (done < buf.length) {
      const at = pos + done;
      const c = Math.floor(at / CHUNK_SIZE);
      const off = at - c * CHUNK_SIZE;
      const take = Math.min(buf.length - done, CHUNK_SIZE - off);
      const chunk = this.chunkFor(c, off + take);
      chunk.set(buf.subarray(done, done + take), off);
      done += take;
    }
    if (pos + buf.length > this.length) this.length = pos + buf.length;
    return buf.length;
  }

  /** Sets the size: shrinking frees whole chunks and zeroes the cut part of the last; growing allocates nothing. */
  truncate(size: number): void {
    if (size < this.length) {
      const keep = size === 0 ? -1 : Math.floor((size - 1) / CHUNK_SIZE);
      for (const [c, chunk] of this.chunks) {
        if (c > keep) {
          this.chunks.delete(c);
          this.allocated -= chunk.length;
        }
      }
      const last = this.chunks.get(keep);
      if (last) last.fill(0, Math.min(last.length, size - keep * CHUNK_SIZE));
    }
    this.length = size;
  }

  /** Chunk c with at least `need` bytes allocated (grown by doubling, up to CHUNK_SIZE). */
  private chunkFor(c: number, need: number): Buffer {
    const chunk = this.chunks.get(c);
    if (chunk && chunk.length >= need) return chunk;
    const have = chunk?.length ?? 0;
    const size = Math.min(CHUNK_SIZE, Math.max(need, have * 2, MIN_CHUNK_ALLOC));
    const grown = Buffer.alloc(size);
    if (chunk) chunk.copy(grown, 0, 0, have);
    this.chunks.set(c, grown);
    this.allocated += size - have;
    return grown;
  }
}
