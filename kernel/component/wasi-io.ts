// wasi:io (error, poll, streams) for components, over the process's kernel fds: a stream reads or
// writes an fd through the same handlers as fd_read/fd_write/fd_pread/fd_pwrite, and waits as they do.
import { Errno } from "../errno.js";
import { Wait } from "../proc/wait.js";
import { Rights } from "../wasi.js";
import type { OpenFile, Readiness } from "../vfs/open-file.js";
import { HostContext, KernelCallError, kernelError } from "./host-context.js";

/** The most bytes one read gives (as wasmtime caps a read's buffer). */
const MAX_READ = 64 * 1024;
/** What check-write allows at once when the fd does not say how much room it has (files, terminals). */
const WRITE_BUDGET = 1024 * 1024;

/** The symbol jco calls when a component drops a host resource. */
export const DISPOSE: symbol = (Symbol as unknown as { dispose?: symbol }).dispose ?? Symbol.for("dispose");

/** A stream-error as jco lowers it: the plain value is thrown, not an Error (an Error would trap). */
export type StreamError = { tag: "closed" } | { tag: "last-operation-failed"; val: IoError };

const CLOSED: StreamError = { tag: "closed" };

/** wasi:io/error.error: what failed, with the kernel's errno (filesystem-error-code reads it). */
export class IoError {
  constructor(readonly cause: KernelCallError) {}

  toDebugString(): string {
    return this.cause.message;
  }
}

/** A stream-error for what a stream call threw: EPIPE is the other end gone (closed). */
function streamError(e: unknown): StreamError {
  const error = kernelError(e);
  if (error.errno === Errno.PIPE) return CLOSED;
  return { tag: "last-operation-failed", val: new IoError(error) };
}

/** Calls `then` on a value or, once it settles, on a promise of it. */
export function andThen<T, U>(value: T | Promise<T>, then: (v: T) => U | Promise<U>): U | Promise<U> {
  return value instanceof Promise ? value.then(then) : then(value);
}

/** wasi:io/poll.pollable: something that is ready or not, and what settles when that may change. */
export class Pollable {
  constructor(private readonly host: HostContext, private readonly isReady: () => boolean, readonly changed: () => Promise<unknown>) {}

  ready(): boolean {
    return this.isReady();
  }

  block(): void | Promise<void> {
    return this.host.wait("pollable.block", "other", () => (this.isReady() ? undefined : new Wait(this.changed())));
  }
}

/** wasi:io/poll.poll: the indexes of the ready pollables, waiting until at least one is. */
export function poll(host: HostContext, list: Pollable[]): Uint32Array | Promise<Uint32Array> {
  if (list.length === 0) throw new Error("poll: an empty list of pollables (the component traps, as in wasmtime)");
  return host.wait("poll", "other", () => {
    const ready: number[] = [];
    list.forEach((p, i) => p.ready() && ready.push(i));
    if (ready.length > 0) return Uint32Array.from(ready);
    return new Wait(Promise.race(list.map((p) => p.changed())));
  });
}

/** A pollable that becomes ready at `deadlineNs` of the monotonic clock. */
export function clockPollable(host: HostContext, deadlineNs: bigint): Pollable {
  const left = () => deadlineNs - process.hrtime.bigint();
  return new Pollable(host, () => left() <= 0n, () => new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.ceil(Number(left()) / 1e6)))));
}

/** A pollable on an fd's readiness for reading or writing (as poll_oneoff's FD_READ/FD_WRITE). */
function fdPollable(host: HostContext, fd: number, readiness: () => boolean): Pollable {
  return new Pollable(host, readiness, () => {
    const queue = host.proc.fds.has(fd) ? host.proc.fds.get(fd).file.readinessQueue() : undefined;
    return queue ? new Promise<void>((resolve) => queue.subscribe(resolve)) : Promise.resolve();
  });
}

/** An fd's readiness, or "ready" when it cannot be polled (the call itself then says what is wrong). */
function readinessOf(host: HostContext, fd: number, write: boolean): Readiness {
  try {
    const { file } = host.proc.fds.get(fd, Rights.POLL_FD_READWRITE);
    return write ? file.writeReadiness() : file.readReadiness();
  } catch {
    return { ready: true, nbytes: 0n, hangup: false };
  }
}

/**
 * wasi:io/streams.input-stream over a kernel fd: at the fd's own offset (stdin, pipes), or at a
 * position of its own (a file's read-via-stream). `owned`: the stream closes the fd when dropped.
 */
export class InputStream {
  private readonly ownedFile: OpenFile | undefined;

  constructor(private readonly host: HostContext, readonly fd: number, private position?: bigint, private readonly owned = false) {
    this.ownedFile = owned ? host.proc.fds.get(fd).file : undefined;
  }

  /** One read: bytes, a Wait when none are there yet, or a thrown stream-error (closed at the end). */
  private attempt(len: bigint): Uint8Array | Wait {
    const size = Math.min(Number(len), MAX_READ);
    if (size === 0) return new Uint8Array(0);
    const buf = new Uint8Array(size);
    let got: unknown;
    try {
      got = this.position === undefined ? this.host.call("fd_read", this.fd, [buf]) : this.host.call("fd_pread", this.fd, [buf], Number(this.position));
    } catch (e) {
      throw streamError(e);
    }
    if (got instanceof Wait) return got;
    const n = got as number;
    if (n === 0) throw CLOSED;
    if (this.position !== undefined) this.position += BigInt(n);
    return buf.subarray(0, n);
  }

  read(len: bigint): Uint8Array {
    const r = this.attempt(len);
    return r instanceof Wait ? new Uint8Array(0) : r;
  }

  /** `kind`: "other" inside a call that always suspends (a splice). */
  blockingRead(len: bigint, kind: "read" | "other" = "read"): Uint8Array | Promise<Uint8Array> {
    return this.host.wait("input-stream.blocking-read", kind, () => this.attempt(len));
  }

  skip(len: bigint): bigint {
    return BigInt(this.read(len).length);
  }

  blockingSkip(len: bigint): bigint | Promise<bigint> {
    return andThen(this.blockingRead(len), (bytes) => BigInt(bytes.length));
  }

  subscribe(): Pollable {
    if (this.position !== undefined) return new Pollable(this.host, () => true, () => Promise.resolve());
    return fdPollable(this.host, this.fd, () => readinessOf(this.host, this.fd, false).ready);
  }

  [DISPOSE](): void {
    if (this.owned) closeOwnedFd(this.host, this.fd, this.ownedFile);
  }
}

/**
 * wasi:io/streams.output-stream over a kernel fd: at the fd's offset (stdout, pipes), at a position
 * of its own (write-via-stream), or at the end (append-via-stream). Bytes a full pipe did not take
 * yet wait in `pending` until a flush.
 */
export class OutputStream {
  private pending: Uint8Array[] = [];

  /** `owned`: the stream closes the fd when dropped (an HTTP body's). */
  private readonly ownedFile: OpenFile | undefined;

  constructor(private readonly host: HostContext, readonly fd: number, private position?: bigint | "append", private readonly owned = false) {
    this.ownedFile = owned ? host.proc.fds.get(fd).file : undefined;
  }

  /** Puts bytes to the fd: how many it took, or a Wait when it has no room. */
  private put(bytes: Uint8Array): number | Wait {
    let r: unknown;
    try {
      if (this.position === undefined) r = this.host.call("fd_write", this.fd, [bytes]);
      else {
        const at = this.position === "append" ? (this.host.call("fd_filestat_get", this.fd) as { size: bigint }).size : this.position;
        r = this.host.call("fd_pwrite", this.fd, [bytes], Number(at));
        if (typeof r === "number" && this.position !== "append") this.position = at + BigInt(r);
      }
    } catch (e) {
      throw streamError(e);
    }
    if (r instanceof Wait) return r;
    const n = r as number;
    // A write that took nothing without asking to wait: wait for room as poll would.
    return n === 0 && bytes.length > 0 ? new Wait(this.subscribe().changed()) : n;
  }

  /** Writes out what is pending: undefined when all went, a Wait when the fd has no room. */
  private drain(): undefined | Wait {
    while (this.pending.length > 0) {
      const chunk = this.pending[0]!;
      const r = this.put(chunk);
      if (r instanceof Wait) return r;
      if (r < chunk.length) this.pending[0] = chunk.subarray(r);
      else this.pending.shift();
    }
    return undefined;
  }

  checkWrite(): bigint {
    if (this.drain() !== undefined) return 0n;
    const state = readinessOf(this.host, this.fd, true);
    if (state.hangup) throw CLOSED;
    if (!state.ready) return 0n;
    return BigInt(state.nbytes > 0n ? Math.min(Number(state.nbytes), WRITE_BUDGET) : WRITE_BUDGET);
  }

  write(contents: Uint8Array): void {
    if (contents.length === 0) return;
    // jco hands over a view of the guest's memory: what stays pending is copied.
    this.pending.push(contents.slice());
    this.drain();
  }

  blockingWriteAndFlush(contents: Uint8Array, kind: "write" | "other" = "write"): void | Promise<void> {
    if (this.pending.length === 0 && contents.length > 0) {
      // The common case (a terminal, a file, a pipe with room) takes it all at once, without a copy.
      const r = this.put(contents);
      if (!(r instanceof Wait) && r === contents.length) return this.host.wait("output-stream.blocking-write-and-flush", kind, () => undefined);
      if (!(r instanceof Wait)) contents = contents.subarray(r);
    }
    if (contents.length > 0) this.pending.push(contents.slice());
    return this.blockingFlush(kind);
  }

  /**
   * The direct path of blocking-write-and-flush that the patched glue takes (glue-patch.ts): the
   * write's outcome, or undefined to take jco's call instead (nothing was written then). Only where
   * writes never suspend: the call then either completes at once or ends the process.
   */
  writeDirect(contents: Uint8Array): "ok" | "closed" | undefined {
    if (this.host.suspends !== null && this.host.suspends.writes) return undefined;
    try {
      this.blockingWriteAndFlush(contents);
      return "ok";
    } catch (e) {
      if (e === CLOSED) return "closed";
      // A failed write wrote nothing: jco's call does it again and lowers the error resource.
      if (typeof e === "object" && e !== null && (e as { tag?: unknown }).tag === "last-operation-failed") return undefined;
      throw e;
    }
  }

  /**
   * Wraps jco's lowered blocking-write-and-flush (handle, ptr, len, result pointer) with a direct
   * path: the stream from jco's handle table (`streamOf`), the bytes viewed in the guest's memory, the
   * result<_, stream-error> stored as the canonical ABI lays it out. A suspending import (not a
   * function) and anything the direct path declines go to jco's call.
   */
  static wasmboxDirectBlockingWriteAndFlush(lowered: unknown, streamOf: (handle: number) => unknown, memoryOf: () => WebAssembly.Memory): unknown {
    if (typeof lowered !== "function") return lowered;
    const slow = lowered as (handle: number, ptr: number, len: number, resultPtr: number) => unknown;
    return (handle: number, ptr: number, len: number, resultPtr: number): unknown => {
      const stream = streamOf(handle);
      if (!(stream instanceof OutputStream)) return slow(handle, ptr, len, resultPtr);
      const memory = memoryOf().buffer;
      const outcome = stream.writeDirect(new Uint8Array(memory, ptr, len));
      if (outcome === undefined) return slow(handle, ptr, len, resultPtr);
      // result: tag u8 at 0 (0 ok, 1 err); stream-error: tag u8 at 4 (1 closed). The write may have grown the memory.
      const view = new Uint8Array(memoryOf().buffer);
      view[resultPtr] = outcome === "ok" ? 0 : 1;
      if (outcome === "closed") view[resultPtr + 4] = 1;
      return undefined;
    };
  }

  flush(): void {
    this.drain();
  }

  blockingFlush(kind: "write" | "other" = "write"): void | Promise<void> {
    return this.host.wait("output-stream.blocking-flush", kind, () => this.drain());
  }

  writeZeroes(len: bigint): void {
    this.write(new Uint8Array(Number(len)));
  }

  blockingWriteZeroesAndFlush(len: bigint): void | Promise<void> {
    return this.blockingWriteAndFlush(new Uint8Array(Number(len)));
  }

  splice(src: InputStream, len: bigint): bigint {
    const room = this.checkWrite();
    const bytes = src.read(len < room ? len : room);
    this.write(bytes);
    return BigInt(bytes.length);
  }

  blockingSplice(src: InputStream, len: bigint): bigint | Promise<bigint> {
    return andThen(src.blockingRead(len, "other"), (bytes) => andThen(this.blockingWriteAndFlush(bytes, "other"), () => BigInt(bytes.length)));
  }

  subscribe(): Pollable {
    return fdPollable(this.host, this.fd, () => this.drain() === undefined && readinessOf(this.host, this.fd, true).ready);
  }

  [DISPOSE](): void {
    if (this.owned) closeOwnedFd(this.host, this.fd, this.ownedFile);
  }
}

/** Closes fd if it still holds `file` (the number may have gone to another file since). */
export function closeOwnedFd(host: HostContext, fd: number, file: OpenFile | undefined): void {
  const fds = host.proc.fds;
  if (file !== undefined && fds.has(fd) && fds.get(fd).file === file) fds.close(fd);
}
