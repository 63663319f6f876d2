// Where a traced process's syscall records go (proc_trace, read by the `trace` program): one
// tab-separated line per call, written to an open file the tracer chose. Queued while that file is full.

import { nameOfErrno } from "../errno.js";
import type { OpenFile } from "../vfs/open-file.js";
import { Wait } from "./wait.js";

/** Bytes of records a sink keeps while its file is full; past this, records are counted as lost. */
export const TRACE_QUEUE_MAX = 1 << 20;

/** What the tracer asked for. */
export interface TraceOptions {
  /** Whether the children of a traced process are traced too (strace -f). */
  readonly follow: boolean;
  /** Bytes of data buffers shown as quoted strings (0: lengths only, as --trace). */
  readonly strsize: number;
}

/**
 * One trace stream, shared by every process it traces (each holds a reference, as does the tracer
 * while it traces new children). A traced call never waits on it: records queue while the file is
 * full and are dropped (with a count) past TRACE_QUEUE_MAX. The file is let go of once the last
 * reference is gone and the queue is written out, so a pipe's reader sees EOF when tracing is over.
 */
export class TraceSink {
  private refs = 1;
  private queue: Uint8Array[] = [];
  private queued = 0;
  private lost = 0;
  private waiting = false;
  private broken = false;
  private closing = false;
  private released = false;

  constructor(private readonly file: OpenFile, readonly options: TraceOptions) {}

  retain(): void {
    this.refs++;
  }

  release(): void {
    if (--this.refs === 0) {
      this.closing = true;
      this.flush();
    }
  }

  /** Queues one record (its fields joined by tabs) and writes what the file takes. */
  record(fields: readonly (string | number)[]): void {
    if (this.broken || this.released) return;
    if (this.queued >= TRACE_QUEUE_MAX) {
      this.lost++;
      return;
    }
    if (this.lost > 0) {
      this.push(`0\t0\t0\t+lost\t\t0\t${this.lost}`);
      this.lost = 0;
    }
    this.push(fields.join("\t"));
    this.flush();
  }

  private push(line: string): void {
    const bytes = Buffer.from(line + "\n");
    this.queue.push(bytes);
    this.queued += bytes.length;
  }

  private flush(): void {
    while (!this.waiting && !this.broken && this.queue.length > 0) {
      const head = this.queue[0]!;
      let written: number | Wait;
      try {
        written = this.file.write([head]);
      } catch {
        // The reader is gone (EPIPE) or the file refuses: tracing goes on, unrecorded.
        this.broken = true;
        break;
      }
      if (written instanceof Wait) {
        this.waiting = true;
        written.until.then(() => this.resumeFlush(), () => this.resumeFlush());
        return;
      }
      if (written >= head.length) this.queue.shift();
      else this.queue[0] = head.subarray(written);
      this.queued -= written;
    }
    if (this.broken) {
      this.queue = [];
      this.queued = 0;
    }
    if (this.closing && !this.released && this.queue.length === 0) {
      this.released = true;
      this.file.release();
    }
  }

  private resumeFlush(): void {
    this.waiting = false;
    this.flush();
  }
}

/** Wall-clock time in microseconds, as trace records give it. */
export function traceClockUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** The errno's name as strace prints it (ENOENT), for a trace record. */
export function errnoName(errno: number): string {
  const name = nameOfErrno(errno);
  return name ? `E${name}` : String(errno);
}
