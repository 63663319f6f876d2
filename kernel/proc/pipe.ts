// Pipes: a bounded ring buffer (64 KiB) with a read end and a write end as open files.
// Readers block while it is empty, writers while it is full; EOF and EPIPE when the other side is gone.
import { Errno, SysError } from "../errno.js";
import { OpenFile, type Readiness } from "../vfs/open-file.js";
import { nowNs } from "../vfs/vnode.js";
import { Filetype, FDFLAGS_NONBLOCK, RIGHTS_STREAM, Rights, type Filestat } from "../wasi.js";
import { WaitQueue } from "./wait-queue.js";
import { Wait } from "./wait.js";

export const PIPE_CAPACITY = 64 * 1024;

/** Who pays for a pipe's buffer: its creator's container's limiter (its pipe bytes count as its memory). */
export interface PipeOwner {
  /** ENOMEM when the buffer would pass the memory limit. */
  chargePipe(bytes: number): void;
  releasePipe(bytes: number): void;
}

/** The shared state of one pipe; its ring is charged to `owner` from creation until both ends close. */
export class Pipe {
  private readonly ring = new Uint8Array(PIPE_CAPACITY);
  private head = 0;
  length = 0;
  readers = 0;
  writers = 0;
  /** Woken whenever data, space or the set of ends changes. */
  readonly changed = new WaitQueue();
  readonly ino: bigint;
  readonly created = nowNs();

  constructor(ino: bigint, private readonly owner?: PipeOwner) {
    this.ino = ino;
    owner?.chargePipe(PIPE_CAPACITY);
  }

  /** Called when an end closes: the last one gives the buffer's bytes back to the owner. */
  endClosed(): void {
    this.changed.wakeAll();
    if (this.readers === 0 && this.writers === 0) this.owner?.releasePipe(PIPE_CAPACITY);
  }

  /** Makes a connected pair of ends. */
  open(): [PipeReadEnd, PipeWriteEnd] {
    return [new PipeReadEnd(this), new PipeWriteEnd(this)];
  }

  /** Copies up to the free space from `buf`; returns bytes taken. */
  put(buf: Uint8Array, from: number): number {
    const n = Math.min(buf.length - from, PIPE_CAPACITY - this.length);
    let tail = (this.head + this.length) % PIPE_CAPACITY;
    let done = 0;
    while (done < n) {
      const chunk = Math.min(n - done, PIPE_CAPACITY - tail);
      this.ring.set(buf.subarray(from + done, from + done + chunk), tail);
      done += chunk;
      tail = (tail + chunk) % PIPE_CAPACITY;
    }
    this.length += n;
    if (n > 0) this.changed.wakeAll();
    return n;
  }

  /** Copies up to `buf.length` buffered bytes into `buf`; returns bytes given. */
  take(buf: Uint8Array): number {
    const n = Math.min(buf.length, this.length);
    let done = 0;
    while (done < n) {
      const chunk = Math.min(n - done, PIPE_CAPACITY - this.head);
      buf.set(this.ring.subarray(this.head, this.head + chunk), done);
      done += chunk;
      this.head = (this.head + chunk) % PIPE_CAPACITY;
    }
    this.length -= n;
    if (this.length === 0) this.head = 0;
    if (n > 0) this.changed.wakeAll();
    return n;
  }

  stat(): Filestat {
    return {
      dev: 0n, ino: this.ino, filetype: Filetype.UNKNOWN, nlink: 1n, size: BigInt(this.length),
      atim: this.created, mtim: this.created, ctim: this.created, mode: 0o600, uid: 0, gid: 0,
    };
  }
}

abstract class PipeEnd extends OpenFile {
  readonly filetype = Filetype.UNKNOWN;
  readonly rightsMask = RIGHTS_STREAM & ~Rights.FD_SEEK;
  constructor(readonly pipe: Pipe) {
    super();
  }
  override readinessQueue(): WaitQueue {
    return this.pipe.changed;
  }
  override canBlockRead(): boolean {
    return true;
  }
  override canBlockWrite(): boolean {
    return true;
  }
  override stat(): Filestat {
    return this.pipe.stat();
  }
}

/** The end that reads. */
export class PipeReadEnd extends PipeEnd {
  constructor(pipe: Pipe) {
    super(pipe);
    pipe.readers++;
  }

  override read(bufs: Uint8Array[]): number | Wait {
    const pipe = this.pipe;
    if (pipe.length === 0) {
      if (pipe.writers === 0) return 0;
      if (this.flags & FDFLAGS_NONBLOCK) throw new SysError(Errno.AGAIN);
      return new Wait(pipe.changed.wait());
    }
    let total = 0;
    for (const buf of bufs) {
      const n = pipe.take(buf);
      total += n;
      if (n < buf.length) break;
    }
    return total;
  }

  override write(): number {
    throw new SysError(Errno.BADF);
  }

  override readReadiness(): Readiness {
    const { length, writers } = this.pipe;
    return { ready: length > 0 || writers === 0, nbytes: BigInt(length), hangup: writers === 0 };
  }

  protected override onClose(): void {
    this.pipe.readers--;
    this.pipe.endClosed();
  }
}

/** The end that writes. */
export class PipeWriteEnd extends PipeEnd {
  constructor(pipe: Pipe) {
    super(pipe);
    pipe.writers++;
  }

  /**
   * Writes as much as fits; blocks (returns a Wait, to be retried) only when nothing fits.
   * A write larger than the free space is partial, as on Linux when a pipe fills; callers loop.
   */
  override write(bufs: Uint8Array[]): number | Wait {
    const pipe = this.pipe;
    if (pipe.readers === 0) throw new SysError(Errno.PIPE);
    let done = 0;
    let wanted = 0;
    for (const buf of bufs) {
      wanted += buf.length;
      const n = pipe.put(buf, 0);
      done += n;
      if (n < buf.length) break;
    }
    if (done === 0 && wanted > 0) {
      if (this.flags & FDFLAGS_NONBLOCK) throw new SysError(Errno.AGAIN);
      return new Wait(pipe.changed.wait());
    }
    return done;
  }

  override read(): number {
    throw new SysError(Errno.BADF);
  }

  override writeReadiness(): Readiness {
    const { length, readers } = this.pipe;
    return { ready: length < PIPE_CAPACITY || readers === 0, nbytes: BigInt(PIPE_CAPACITY - length), hangup: readers === 0 };
  }

  protected override onClose(): void {
    this.pipe.writers--;
    this.pipe.endClosed();
  }
}
