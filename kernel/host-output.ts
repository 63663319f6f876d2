// Host output: the kernel's side of a host fd (the CLI's stdout and stderr) that guests write to.
// Not a terminal: one buffer per host fd, shared by every process, flushed at the points below.
import { Errno, errnoOf, SysError } from "./errno.js";
import { OutputStream } from "./stdio.js";
import { monotonicMs } from "./clock.js";

/** Bytes held per host fd before they are written out. */
const BUFFER_BYTES = 64 * 1024;
/**
 * The buffer's first size: it doubles up to BUFFER_BYTES as writes need it. Made whole at once, the
 * two buffers (stdout, stderr) were 128 KB to zero and fault in at every CLI start, for a "hello".
 */
const FIRST_BUFFER_BYTES = 4096;
/** How old the first unflushed byte may get: the next write after that flushes, and so does a timer (ms). */
const FLUSH_AFTER_MS = 1;
/**
 * A clock read costs 150-300 ns on this project's machine (more than a whole one-byte write), so a
 * write reads it only every `checkEvery` writes, a number kept so that the reads come about every
 * 50-200 us: a slow writer reads it at each write, one writing in a tight loop every few thousand.
 */
const CHECK_MIN_MS = 0.05;
const CHECK_MAX_MS = 0.2;
const CHECK_EVERY_MAX = 4096;

/**
 * The host outputs of one kernel. At most one of them holds unflushed bytes at a time (a write to
 * another flushes it first, so the order of stdout and stderr holds when both go to one file);
 * the kernel flushes that one before a process blocks (Process.sleep), in poll_oneoff, when a
 * process ends, and from a timer when nobody writes or blocks for a millisecond.
 */
export class HostOutputs {
  /** The output holding unflushed bytes, or null: the only thing the kernel's hooks check. */
  dirty: HostOutput | null = null;
  private timer: NodeJS.Timeout | undefined;
  private timerArmed = false;

  /**
   * A host fd as an output: `sink` writes bytes out synchronously (writeSync, a capture) and may
   * keep them; a host error it throws (EPIPE) reaches the writing guest as its errno.
   */
  open(sink: (bytes: Uint8Array) => void, terminal: boolean): HostOutput {
    return new HostOutput(this, sink, terminal);
  }

  /** Writes out whatever is buffered; a host error is kept for the next write to that fd. */
  flush(): void {
    const dirty = this.dirty;
    if (dirty !== null) dirty.flushQuietly();
  }

  /** Called when `output` gets its first unflushed byte: arms the safety timer (one Timeout, refreshed). */
  becameDirty(output: HostOutput): void {
    this.dirty = output;
    if (this.timerArmed) return;
    this.timerArmed = true;
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.onTimer(), FLUSH_AFTER_MS);
      this.timer.unref();
    } else this.timer.refresh();
  }

  /** A guest that writes and then computes (on the worker engine, or on another event-loop turn) still gets its output out. */
  private onTimer(): void {
    this.timerArmed = false;
    const dirty = this.dirty;
    if (dirty === null) return;
    if (monotonicMs() - dirty.firstAt >= FLUSH_AFTER_MS) dirty.flushQuietly();
    else {
      this.timerArmed = true;
      this.timer!.refresh();
    }
  }
}

/** One host fd: guests' bytes are copied into its buffer (a terminal's go straight out). */
export class HostOutput {
  private buffer = new Uint8Array(0);
  /** What the buffer may grow to: BUFFER_BYTES, or 0 for a terminal (its bytes go straight out). */
  private readonly capacity: number;
  private length = 0;
  /** When the first unflushed byte came (monotonicMs()). */
  firstAt = 0;
  private lastCheck = 0;
  private checkEvery = 1;
  private countdown = 0;
  /** A host error met by a flush nobody was waiting on, reported to the next write. */
  private lost: Errno | undefined;

  constructor(private readonly group: HostOutputs, private readonly sink: (bytes: Uint8Array) => void, readonly terminal: boolean) {
    this.capacity = terminal ? 0 : BUFFER_BYTES;
  }

  /** Takes `chunk` (guest memory: copied before this returns). SysError with the host's errno. */
  write(chunk: Uint8Array): void {
    if (this.lost !== undefined) {
      const errno = this.lost;
      this.lost = undefined;
      throw new SysError(errno);
    }
    const group = this.group;
    const other = group.dirty;
    if (other !== this && other !== null) other.flushQuietly();
    const n = chunk.length;
    let length = this.length;
    if (length + n > this.buffer.length && this.buffer.length < this.capacity) this.grow(length + n);
    if (length + n > this.buffer.length) {
      // At capacity (or a terminal's, which holds nothing): out with what is held, then this.
      if (length > 0) this.flush();
      length = 0;
      if (n >= this.buffer.length) return this.out(chunk.slice());
    }
    if (n <= 16) for (let i = 0; i < n; i++) this.buffer[length + i] = chunk[i];
    else this.buffer.set(chunk, length);
    this.length = length + n;
    if (length === 0) {
      const now = monotonicMs();
      this.firstAt = now;
      this.lastCheck = now;
      this.countdown = this.checkEvery;
      group.becameDirty(this);
    } else if (--this.countdown <= 0 && this.timeToFlush()) this.flush();
  }

  /** Doubles the buffer (keeping what it holds) until `needed` bytes fit or it is at its capacity. */
  private grow(needed: number): void {
    let size = Math.max(this.buffer.length * 2, FIRST_BUFFER_BYTES);
    while (size < needed && size < this.capacity) size *= 2;
    const grown = new Uint8Array(Math.min(size, this.capacity));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  /** Reads the clock (every `checkEvery` writes): whether the first unflushed byte is a millisecond old. */
  private timeToFlush(): boolean {
    const now = monotonicMs();
    const since = now - this.lastCheck;
    this.lastCheck = now;
    if (since < CHECK_MIN_MS) this.checkEvery = Math.min(this.checkEvery * 2, CHECK_EVERY_MAX);
    else if (since > CHECK_MAX_MS) this.checkEvery = Math.max(this.checkEvery >> 1, 1);
    this.countdown = this.checkEvery;
    return now - this.firstAt >= FLUSH_AFTER_MS;
  }

  /** Writes the buffer out; a host error is thrown as SysError (the buffered bytes are dropped, as after a failed write(2)). */
  flush(): void {
    const length = this.length;
    if (length === 0) return;
    this.length = 0;
    if (this.group.dirty === this) this.group.dirty = null;
    this.out(this.buffer.slice(0, length));
  }

  /** flush() for the kernel's hooks, where no guest waits on the result: the error goes to the next write. */
  flushQuietly(): void {
    try {
      this.flush();
    } catch (e) {
      this.lost = e instanceof SysError ? e.errno : Errno.IO;
    }
  }

  private out(bytes: Uint8Array): void {
    try {
      this.sink(bytes);
    } catch (e) {
      throw new SysError(errnoOf(e));
    }
  }
}

/** A guest fd on a host output (what kernel.run() gives fds 1 and 2 for `stdoutTo`/`stderrTo`). */
export class HostOutputStream extends OutputStream {
  constructor(private readonly output: HostOutput, terminal: boolean) {
    super(refuse, terminal);
  }

  /** Copies each buffer into the host output; a host error after some bytes is a short write. */
  override write(bufs: Uint8Array[]): number {
    let total = 0;
    for (const buf of bufs) {
      if (buf.length === 0) continue;
      try {
        this.output.write(buf);
      } catch (e) {
        if (total > 0) return total;
        throw e;
      }
      total += buf.length;
    }
    return total;
  }
}

function refuse(): void {
  throw new SysError(Errno.BADF);
}
