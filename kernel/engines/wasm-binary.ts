// Reading and writing the Wasm binary format for the load-time rewrite: a cursor that decodes
// fields, and a writer that copies untouched spans as typed-array slices (memcpy, not byte by byte).
import { Errno, SysError } from "../errno.js";

/** Reads a module's bytes front to back; a read past `end` is a malformed module. */
export class Cursor {
  constructor(readonly bytes: Uint8Array, public at: number, readonly end: number) {}

  get done(): boolean {
    return this.at >= this.end;
  }

  peek(): number {
    if (this.at >= this.end) throw new SysError(Errno.NOEXEC, "truncated section");
    return this.bytes[this.at]!;
  }

  byte(): number {
    if (this.at >= this.end) throw new SysError(Errno.NOEXEC, "truncated section");
    return this.bytes[this.at++]!;
  }

  /** An unsigned LEB128 (a signed one is skipped the same way). */
  leb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) return result;
    }
  }

  /** A signed LEB128 of at most 32 bits. */
  sleb32(): number {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = this.byte();
      result |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    return shift < 32 && byte & 0x40 ? result | (-1 << shift) : result;
  }

  skip(n: number): void {
    if (this.at + n > this.end) throw new SysError(Errno.NOEXEC, "truncated section");
    this.at += n;
  }

  name(): string {
    const length = this.leb();
    const start = this.at;
    this.skip(length);
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, length).toString("utf8");
  }
}

/** The unsigned LEB128 encoding of `value`. */
export function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** A name as the binary format spells it: its UTF-8 length, then the bytes. */
export function nameBytes(name: string): number[] {
  const b = [...Buffer.from(name)];
  return [...leb(b.length), ...b];
}

/** Spans shorter than this are copied by a loop: below it, making a subarray costs more than it saves. */
const SLICE_COPY_MIN = 48;

/** A growable output buffer; untouched input spans go in with Uint8Array.set. */
export class ByteWriter {
  buf: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(64, capacity));
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buf[this.length++] = value;
  }

  leb(value: number): void {
    this.reserve(5);
    do {
      let byte = value & 0x7f;
      value = Math.floor(value / 128);
      if (value !== 0) byte |= 0x80;
      this.buf[this.length++] = byte;
    } while (value !== 0);
  }

  /** Appends small byte lists (generated entries). */
  bytes(values: ArrayLike<number>): void {
    this.reserve(values.length);
    for (let i = 0; i < values.length; i++) this.buf[this.length++] = values[i]!;
  }

  /** Appends `source[from, to)`: one memcpy for a long span. */
  copy(source: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    this.reserve(n);
    if (n < SLICE_COPY_MIN) {
      const buf = this.buf;
      let at = this.length;
      for (let i = from; i < to; i++) buf[at++] = source[i]!;
    } else {
      this.buf.set(source.subarray(from, to), this.length);
    }
    this.length += n;
  }

  /**
   * Writes a section: its id, its size as a 5-byte padded LEB (the format allows it; the size is
   * then known only after `body` has written the contents), and the contents.
   */
  section(id: number, body: (w: ByteWriter) => void): void {
    this.reserve(6);
    this.buf[this.length++] = id;
    const sizeAt = this.length;
    this.length += 5;
    body(this);
    let size = this.length - sizeAt - 5;
    for (let i = 0; i < 5; i++) {
      this.buf[sizeAt + i] = (size & 0x7f) | (i < 4 ? 0x80 : 0);
      size = Math.floor(size / 128);
    }
  }

  /** The bytes written (a view of the buffer, no copy). */
  result(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** A change to a span of input bytes: `[at, end)` is replaced by `bytes`. */
export interface Edit {
  at: number;
  end: number;
  bytes: ArrayLike<number>;
}

/** Writes `source[from, to)` with `edits` (sorted, inside the span, not overlapping) applied. */
export function writeEdited(w: ByteWriter, source: Uint8Array, from: number, to: number, edits: readonly Edit[]): void {
  let at = from;
  for (const edit of edits) {
    w.copy(source, at, edit.at);
    w.bytes(edit.bytes);
    at = edit.end;
  }
  w.copy(source, at, to);
}

/** How many bytes `edits` add (negative: remove). */
export function editDelta(edits: readonly Edit[]): number {
  let delta = 0;
  for (const edit of edits) delta += edit.bytes.length - (edit.end - edit.at);
  return delta;
}
