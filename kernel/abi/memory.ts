// Bounds-checked access to a guest's linear memory: the one place that touches its bytes.
// Every out-of-range pointer becomes SysError(EFAULT); views are refreshed after memory.grow.
import { Errno, SysError } from "../errno.js";
import { IOV_MAX } from "./limits.js";

/** A guest's linear memory with checked reads and writes (little-endian, as Wasm is). */
export class GuestMemory {
  private buffer!: ArrayBuffer | SharedArrayBuffer;
  private u8!: Uint8Array;
  private dv!: DataView;
  /**
   * The last view bytes() made, given again for the same range: a guest reuses
   * its I/O buffers, and a new view costs ~0.1 us and garbage on every read or write (views are
   * stateless windows on memory, so one is as good as another).
   */
  private lastView: Uint8Array | null = null;

  constructor(readonly memory: WebAssembly.Memory) {
    this.refresh();
  }

  private refresh(): void {
    this.buffer = this.memory.buffer;
    this.u8 = new Uint8Array(this.buffer);
    this.dv = new DataView(this.buffer);
    this.lastView = null;
  }

  /** The current size in bytes (re-reading after growth). */
  get size(): number {
    if (this.memory.buffer !== this.buffer) this.refresh();
    return this.u8.length;
  }

  /** Checks that [ptr, ptr+len) lies inside memory (re-reading the size only when it seems not to). */
  check(ptr: number, len: number): void {
    if (ptr < 0 || len < 0) throw new SysError(Errno.FAULT);
    if (ptr + len > this.u8.length && ptr + len > this.size) throw new SysError(Errno.FAULT);
  }

  u32(ptr: number): number {
    this.check(ptr, 4);
    return this.dv.getUint32(ptr, true);
  }
  u64(ptr: number): bigint {
    this.check(ptr, 8);
    return this.dv.getBigUint64(ptr, true);
  }
  u16(ptr: number): number {
    this.check(ptr, 2);
    return this.dv.getUint16(ptr, true);
  }
  u8At(ptr: number): number {
    this.check(ptr, 1);
    return this.u8[ptr];
  }
  setU8(ptr: number, v: number): void {
    this.check(ptr, 1);
    this.u8[ptr] = v;
  }
  setU16(ptr: number, v: number): void {
    this.check(ptr, 2);
    this.dv.setUint16(ptr, v, true);
  }
  setU32(ptr: number, v: number): void {
    this.check(ptr, 4);
    this.dv.setUint32(ptr, v, true);
  }
  setU64(ptr: number, v: bigint): void {
    this.check(ptr, 8);
    this.dv.setBigUint64(ptr, v, true);
  }

  /** A live view of [ptr, ptr+len): reads and writes go to guest memory. */
  bytes(ptr: number, len: number): Uint8Array {
    this.check(ptr, len);
    const last = this.lastView;
    // No look at last.buffer (a slow getter): growth detaches a plain memory's buffer, leaving the
    // old view empty, and refresh() forgets it; a shared memory's old views stay valid.
    if (last !== null && last.byteOffset === ptr && last.length === len) return last;
    const view = new Uint8Array(this.buffer, ptr, len);
    this.lastView = view;
    return view;
  }

  /** Decodes [ptr, ptr+len) as UTF-8 (invalid sequences become U+FFFD). */
  string(ptr: number, len: number): string {
    this.check(ptr, len);
    return Buffer.from(this.u8.buffer, this.u8.byteOffset + ptr, len).toString("utf8");
  }

  /** Reads an array of (ptr u32, len u32) pairs and returns views of each range. EINVAL past IOV_MAX. */
  iovecs(ptr: number, count: number): Uint8Array[] {
    if (count > IOV_MAX) throw new SysError(Errno.INVAL);
    this.check(ptr, count * 8);
    const out: Uint8Array[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const base = this.dv.getUint32(ptr + i * 8, true);
      const len = this.dv.getUint32(ptr + i * 8 + 4, true);
      out[i] = this.bytes(base, len);
    }
    return out;
  }

  /** Writes `data` at ptr. */
  write(ptr: number, data: Uint8Array): void {
    this.check(ptr, data.length);
    this.u8.set(data, ptr);
  }
}
