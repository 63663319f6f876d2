// Standard streams: open files that bridge a guest's fds 0-2 to the host (or to buffers in tests).
// Input blocks until data arrives and wakes its readers; output goes straight to a sink.
import { Errno, errnoOf, SysError } from "./errno.js";
import { WaitQueue } from "./proc/wait-queue.js";
import { Wait } from "./proc/wait.js";
import { OpenFile, type Readiness } from "./vfs/open-file.js";
import { nowNs } from "./vfs/vnode.js";
import { Filetype, FDFLAGS_NONBLOCK, RIGHTS_STREAM, Rights, type Filestat } from "./wasi.js";

export type { TerminalControl } from "./proc/terminal.js";

function streamStat(ino: bigint, filetype: Filetype, size = 0n): Filestat {
  const t = nowNs();
  return { dev: 0n, ino, filetype, nlink: 1n, size, atim: t, mtim: t, ctim: t, mode: 0o620, uid: 0, gid: 0 };
}

/** Rights of a stream: a terminal must lack FD_SEEK and FD_TELL so that isatty() says yes. */
const STREAM_RIGHTS = RIGHTS_STREAM & ~(Rights.FD_SEEK | Rights.FD_TELL);

/** Output that goes to a sink function (the host's stdout, a capture buffer, a log file). */
export class OutputStream extends OpenFile {
  readonly filetype: Filetype;
  readonly rightsMask = STREAM_RIGHTS;

  constructor(private readonly sink: (chunk: Uint8Array) => void, readonly terminal = false, private readonly ino = 0n) {
    super();
    this.filetype = terminal ? Filetype.CHARACTER_DEVICE : Filetype.UNKNOWN;
  }

  /** Writes to the sink; a host error there (EPIPE when the reader went away) is the guest's errno. */
  override write(bufs: Uint8Array[]): number {
    let total = 0;
    for (const buf of bufs) {
      if (buf.length === 0) continue;
      try {
        this.sink(buf.slice());
      } catch (e) {
        if (total > 0) return total;
        throw new SysError(errnoOf(e));
      }
      total += buf.length;
    }
    return total;
  }

  override stat(): Filestat {
    return streamStat(this.ino, this.filetype);
  }

  override isTerminal(): boolean {
    return this.terminal;
  }
}

/** Input fed by push() (from a host stream, a string in tests, or nothing at all). */
export class InputStream extends OpenFile {
  readonly filetype: Filetype;
  readonly rightsMask = STREAM_RIGHTS;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private ended = false;
  private readonly changed = new WaitQueue();
  /** Called on the first read, so a host stream is only consumed when a guest wants it. */
  private startSource?: () => void;

  constructor(private readonly ino = 0n) {
    super();
    this.filetype = Filetype.UNKNOWN;
  }

  /** Input that is all there is: the stream ends after it. */
  static of(data: string | Uint8Array): InputStream {
    const input = new InputStream();
    input.push(typeof data === "string" ? Buffer.from(data) : data);
    input.end();
    return input;
  }

  /**
   * Attaches a host stream, read only once a guest reads. A function is called for it only then;
   * when it gives no stream, the input is empty.
   */
  attach(given: NodeJS.ReadableStream | (() => NodeJS.ReadableStream | undefined)): void {
    this.startSource = () => {
      const source = typeof given === "function" ? given() : given;
      if (!source) return this.end();
      source.on("data", (chunk: Buffer | string) => this.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk));
      source.on("end", () => this.end());
      source.on("error", () => this.end());
    };
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.changed.wakeAll();
  }

  end(): void {
    this.ended = true;
    this.changed.wakeAll();
  }

  private start(): void {
    const start = this.startSource;
    this.startSource = undefined;
    start?.();
  }

  override read(bufs: Uint8Array[]): number | Wait {
    this.start();
    if (this.buffered === 0) {
      if (this.ended) return 0;
      if (this.flags & FDFLAGS_NONBLOCK) throw new SysError(Errno.AGAIN);
      return new Wait(this.changed.wait());
    }
    let total = 0;
    for (const buf of bufs) {
      let filled = 0;
      while (filled < buf.length && this.chunks.length > 0) {
        const head = this.chunks[0];
        const n = Math.min(head.length, buf.length - filled);
        buf.set(head.subarray(0, n), filled);
        filled += n;
        if (n === head.length) this.chunks.shift();
        else this.chunks[0] = head.subarray(n);
      }
      total += filled;
      if (filled < buf.length) break;
    }
    this.buffered -= total;
    return total;
  }

  override readReadiness(): Readiness {
    this.start();
    return { ready: this.buffered > 0 || this.ended, nbytes: BigInt(this.buffered), hangup: this.ended };
  }

  override readinessQueue(): WaitQueue {
    return this.changed;
  }

  override canBlockRead(): boolean {
    return !this.ended || this.startSource !== undefined;
  }

  override stat(): Filestat {
    return streamStat(this.ino, this.filetype, BigInt(this.buffered));
  }
}
