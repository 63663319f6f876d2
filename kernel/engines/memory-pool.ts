// A pool of guest memories for the inline engine: a process that ends gives its memory back,
// zeroed, and the next process of the same size takes it. Creating a WebAssembly.Memory costs
// about 15 us and puts pressure on V8's external-memory GC; zeroing 128 KiB costs a few.

/** Zeroed linear memories by (initial, maximum) size, owned by one kernel. */
export class MemoryPool {
  private readonly free = new Map<string, WebAssembly.Memory[]>();

  constructor(private readonly perSize = 64) {}

  /** A zeroed memory of `initial` pages with `maximum` pages at most. */
  take(initial: number, maximum: number): WebAssembly.Memory {
    return this.free.get(`${initial}:${maximum}`)?.pop() ?? new WebAssembly.Memory({ initial, maximum });
  }

  /** Takes back a memory no code can touch any more; kept only if it never grew. */
  give(memory: WebAssembly.Memory, initial: number, maximum: number): void {
    if (memory.buffer.byteLength !== initial * 65536) return;
    const key = `${initial}:${maximum}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    if (list.length >= this.perSize) return;
    new Uint8Array(memory.buffer).fill(0);
    list.push(memory);
  }
}
