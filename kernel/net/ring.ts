// A bounded byte ring: one direction of a TCP connection (its receiver's buffer, SO_RCVBUF).
// Storage is allocated at the first byte, so an idle connection costs no buffer.

/** The receive buffer a stream socket gets when none is set (256 KiB: Linux autotunes past its 128 KiB default). */
export const DEFAULT_STREAM_BUFFER = 256 * 1024;
/** The smallest and largest buffer SO_RCVBUF/SO_SNDBUF may set. */
export const MIN_BUFFER = 2048;
export const MAX_BUFFER = 16 * 1024 * 1024;

export class ByteRing {
  private store: Uint8Array | null = null;
  private head = 0;
  length = 0;

  constructor(public capacity = DEFAULT_STREAM_BUFFER) {}

  get free(): number {
    return this.capacity - this.length;
  }

  /** Copies what fits from `bufs`; returns bytes taken. */
  putv(bufs: readonly Uint8Array[]): number {
    let done = 0;
    for (const buf of bufs) {
      const n = this.put(buf);
      done += n;
      if (n < buf.length) break;
    }
    return done;
  }

  /** Copies up to the free space from `buf`; returns bytes taken. */
  put(buf: Uint8Array): number {
    const n = Math.min(buf.length, this.capacity - this.length);
    if (n === 0) return 0;
    const store = (this.store ??= new Uint8Array(this.capacity));
    let tail = (this.head + this.length) % this.capacity;
    let done = 0;
    while (done < n) {
      const chunk = Math.min(n - done, this.capacity - tail);
      store.set(buf.subarray(done, done + chunk), tail);
      done += chunk;
      tail = (tail + chunk) % this.capacity;
    }
    this.length += n;
    return n;
  }

  /** Copies buffered bytes into `bufs` in order; removes them unless `peek`. Returns bytes given. */
  takev(bufs: readonly Uint8Array[], peek = false): number {
    let at = this.head;
    let left = this.length;
    let done = 0;
    const store = this.store;
    if (!store) return 0;
    for (const buf of bufs) {
      let filled = 0;
      while (filled < buf.length && left > 0) {
        const chunk = Math.min(buf.length - filled, left, this.capacity - at);
        buf.set(store.subarray(at, at + chunk), filled);
        filled += chunk;
        left -= chunk;
        at = (at + chunk) % this.capacity;
      }
      done += filled;
      if (left === 0) break;
    }
    if (!peek) {
      this.length = left;
      this.head = left === 0 ? 0 : at;
    }
    return done;
  }

  /** Changes the capacity, keeping buffered bytes (never below what is buffered). */
  resize(capacity: number): void {
    const next = Math.max(capacity, this.length);
    if (next === this.capacity) return;
    if (this.store && this.length > 0) {
      const kept = new Uint8Array(next);
      this.takev([kept.subarray(0, this.length)], true);
      this.store = kept;
      this.head = 0;
    } else {
      this.store = null;
      this.head = 0;
    }
    this.capacity = next;
  }
}
