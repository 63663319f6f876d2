// Buffered byte I/O over file descriptors: Writer (stdout/stderr), Reader with line splitting,
// and whole-descriptor reads. All buffers are 64 KiB so pipes move in full blocks.

import { fd_read, fd_write, fd_close, proc_exit } from "./wasi";
import { proc_id, proc_signal, SIGPIPE } from "./wasmbox";
import { EPIPE, EINTR, EAGAIN } from "./errno";

export const BLOCK: i32 = 65536;
const scratch = memory.data(16);

/** Writes len bytes at ptr to fd, retrying short writes; returns 0 or an errno. */
export function writeAll(fd: i32, ptr: usize, len: usize): i32 {
  while (len > 0) {
    store<u32>(scratch, <u32>ptr);
    store<u32>(scratch, <u32>len, 4);
    const err = fd_write(<u32>fd, scratch, 1, scratch + 8);
    if (err == EINTR || err == EAGAIN) continue;
    if (err != 0) return err;
    const n = <usize>load<u32>(scratch, 8);
    ptr += n; len -= n;
  }
  return 0;
}

/** Reads up to len bytes into ptr; returns the count (0 at end of file) or -errno. */
export function readSome(fd: i32, ptr: usize, len: usize): i32 {
  for (;;) {
    store<u32>(scratch, <u32>ptr);
    store<u32>(scratch, <u32>len, 4);
    const err = fd_read(<u32>fd, scratch, 1, scratch + 8);
    if (err == EINTR) continue;
    if (err != 0) return -err;
    return <i32>load<u32>(scratch, 8);
  }
}

/** What a writer does on a broken pipe: die of SIGPIPE like a Unix program. */
function brokenPipe(): void {
  proc_signal(getSelfPid(), SIGPIPE);
  proc_exit(141);
}

function getSelfPid(): i32 {
  proc_id(scratch + 12);
  return load<i32>(scratch, 12);
}

/** A buffered output stream over one fd. */
export class Writer {
  buf: usize = heap.alloc(BLOCK);
  used: i32 = 0;
  error: i32 = 0;
  constructor(public fd: i32) {}

  bytes(ptr: usize, len: i32): Writer {
    if (this.used + len > BLOCK) {
      this.flush();
      if (len >= BLOCK) { this.direct(ptr, len); return this; }
    }
    memory.copy(this.buf + this.used, ptr, len);
    this.used += len;
    return this;
  }
  byte(b: i32): Writer {
    if (this.used == BLOCK) this.flush();
    store<u8>(this.buf + this.used, <u8>b);
    this.used++;
    return this;
  }
  str(s: string): Writer {
    const n = s.length;
    // ASCII fast path; anything else goes through UTF-8 encoding.
    if (this.used + n <= BLOCK) {
      const base = this.buf + this.used;
      const src = changetype<usize>(s);
      let i = 0;
      for (; i < n; i++) {
        const c = load<u16>(src + (<usize>i << 1));
        if (c >= 0x80) break;
        store<u8>(base + i, <u8>c);
      }
      if (i == n) { this.used += n; return this; }
    }
    const enc = String.UTF8.encode(s);
    return this.bytes(changetype<usize>(enc), enc.byteLength);
  }
  line(s: string): Writer { return this.str(s).byte(10); }
  data(a: Uint8Array): Writer { return this.bytes(a.dataStart, a.length); }
  int(v: i64): Writer { return this.str(v.toString()); }
  /** Right-aligns s in a field of width characters. */
  pad(s: string, width: i32): Writer {
    for (let i = s.length; i < width; i++) this.byte(32);
    return this.str(s);
  }
  flush(): void {
    if (this.used > 0) { this.direct(this.buf, this.used); this.used = 0; }
  }
  private direct(ptr: usize, len: i32): void {
    if (this.error != 0) return;
    const err = writeAll(this.fd, ptr, <usize>len);
    if (err == EPIPE) brokenPipe();
    if (err != 0) this.error = err;
  }
}

export const stdout = new Writer(1);
export const stderr = new Writer(2);

/** Flushes the standard streams and ends the process. */
export function exit(code: i32): void {
  stdout.flush();
  stderr.flush();
  proc_exit(<u32>code);
}

/** A buffered input stream over one fd, with line splitting that avoids copying. */
export class Reader {
  buf: usize;
  cap: i32 = BLOCK;
  start: i32 = 0;
  end: i32 = 0;
  eof: bool = false;
  error: i32 = 0;
  /** The last line returned by nextLine, as a byte range in buf (without the newline). */
  linePtr: usize = 0;
  lineLen: i32 = 0;
  /** Whether that line ended in a newline (only the last line of input may not). */
  newline: bool = true;
  constructor(public fd: i32) { this.buf = heap.alloc(BLOCK); }

  /** A reader over bytes already in memory (copied). */
  static fromBytes(ptr: usize, len: i32): Reader {
    const r = new Reader(-1);
    r.cap = max(len, BLOCK);
    r.buf = heap.realloc(r.buf, r.cap);
    memory.copy(r.buf, ptr, len);
    r.end = len;
    r.eof = true;
    return r;
  }

  /** Refills the buffer, keeping unread bytes; returns false at end of input. */
  fill(): bool {
    if (this.eof) return false;
    if (this.start > 0) {
      memory.copy(this.buf, this.buf + this.start, this.end - this.start);
      this.end -= this.start; this.start = 0;
    }
    if (this.end == this.cap) {
      this.cap *= 2;
      this.buf = heap.realloc(this.buf, this.cap);
    }
    const n = readSome(this.fd, this.buf + this.end, this.cap - this.end);
    if (n <= 0) { if (n < 0) this.error = -n; this.eof = true; return false; }
    this.end += n;
    return true;
  }

  /** Advances to the next line; false at end of input. The last line need not end in '\n'. */
  nextLine(): bool {
    let scan = this.start;
    for (;;) {
      const found = findByte(this.buf + scan, this.end - scan, 10);
      if (found >= 0) {
        this.linePtr = this.buf + this.start;
        this.lineLen = scan + found - this.start;
        this.start = scan + found + 1;
        this.newline = true;
        return true;
      }
      scan = this.end - this.start;
      if (!this.fill()) {
        if (this.end > this.start) {
          this.linePtr = this.buf + this.start;
          this.lineLen = this.end - this.start;
          this.start = this.end;
          this.newline = false;
          return true;
        }
        return false;
      }
      // fill() moved the unread bytes to the buffer's start.
    }
    return false;
  }
  lineString(): string { return String.UTF8.decodeUnsafe(this.linePtr, this.lineLen); }
}

/** Index of byte b in [ptr, ptr+len), or -1. */
export function findByte(ptr: usize, len: i32, b: u8): i32 {
  for (let i = 0; i < len; i++) if (load<u8>(ptr + i) == b) return i;
  return -1;
}

/** Reads everything from fd; null on error (errno in lastReadError). */
export let lastReadError: i32 = 0;
export function readFd(fd: i32): Uint8Array | null {
  let cap = BLOCK;
  let buf = heap.alloc(cap);
  let len = 0;
  for (;;) {
    if (len == cap) { cap *= 2; buf = heap.realloc(buf, cap); }
    const n = readSome(fd, buf + len, cap - len);
    if (n < 0) { heap.free(buf); lastReadError = -n; return null; }
    if (n == 0) break;
    len += n;
  }
  const out = new Uint8Array(len);
  memory.copy(out.dataStart, buf, len);
  heap.free(buf);
  return out;
}

/** Reads one line byte by byte (leaving the rest of fd unread for others); null at EOF. */
export function readLineUnbuffered(fd: i32): string | null {
  const one = scratch + 12;
  let bytes = new Array<u8>();
  let any = false;
  for (;;) {
    const n = readSome(fd, one, 1);
    if (n <= 0) break;
    any = true;
    const c = load<u8>(one);
    if (c == 10) return utf8(bytes);
    bytes.push(c);
  }
  return any ? utf8(bytes) : null;
}

function utf8(bytes: Array<u8>): string {
  return String.UTF8.decodeUnsafe(bytes.dataStart, bytes.length);
}

/** Writes "prog: message\n" to stderr. */
export function warn(prog: string, message: string): void {
  stdout.flush();
  stderr.str(prog).str(": ").line(message).flush();
}

/** A growable byte buffer (pattern spaces, whole inputs). */
export class ByteBuf {
  ptr: usize;
  len: i32 = 0;
  cap: i32;
  constructor(initial: i32 = 256) { this.cap = initial; this.ptr = heap.alloc(initial); }
  reserve(extra: i32): void {
    if (this.len + extra <= this.cap) return;
    while (this.len + extra > this.cap) this.cap *= 2;
    this.ptr = heap.realloc(this.ptr, this.cap);
  }
  append(ptr: usize, len: i32): void {
    this.reserve(len);
    memory.copy(this.ptr + this.len, ptr, len);
    this.len += len;
  }
  appendByte(b: i32): void { this.reserve(1); store<u8>(this.ptr + this.len, <u8>b); this.len++; }
  appendString(s: string): void {
    const enc = String.UTF8.encode(s);
    this.append(changetype<usize>(enc), enc.byteLength);
  }
  /** Reads fd to its end; returns 0 or an errno. */
  readFrom(fd: i32): i32 {
    for (;;) {
      this.reserve(BLOCK);
      const n = readSome(fd, this.ptr + this.len, this.cap - this.len);
      if (n < 0) return -n;
      if (n == 0) return 0;
      this.len += n;
    }
    return 0;
  }
  clear(): void { this.len = 0; }
  toString(): string { return String.UTF8.decodeUnsafe(this.ptr, this.len); }
}

/** Copies everything from one fd to another in 64 KiB blocks; returns 0, or an errno (-errno for read errors). */
export function copyFd(from: i32, to: i32): i32 {
  const buf = heap.alloc(BLOCK);
  let result = 0;
  for (;;) {
    const n = readSome(from, buf, BLOCK);
    if (n < 0) { result = n; break; }
    if (n == 0) break;
    const err = writeAll(to, buf, n);
    if (err == EPIPE) brokenPipe();
    if (err != 0) { result = err; break; }
  }
  heap.free(buf);
  return result;
}
