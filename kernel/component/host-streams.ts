// Host ends of a component's HTTP bodies and connections: kernel pipes in the process's fd table fed
// from (or drained into) node streams, and a node Duplex over a kernel TCP socket for node's HTTP client.
import { Duplex, type Readable, type Writable } from "node:stream";
import { SysError, Errno } from "../errno.js";
import { Pipe, type PipeReadEnd, type PipeWriteEnd } from "../proc/pipe.js";
import { Wait } from "../proc/wait.js";
import type { TcpSocket } from "../net/tcp.js";
import { RIGHTS_STREAM } from "../wasi.js";
import type { HostContext } from "./host-context.js";

/** The most bytes one read from a pipe or socket takes at once. */
const CHUNK = 64 * 1024;

/**
 * Runs `attempt` until it gives something other than a Wait, on the host's side (no process
 * sleeps): `done` gets the value, `failed` what it threw.
 */
export function retryUntilDone<T>(attempt: () => T | Wait, done: (value: T) => void, failed: (error: unknown) => void): void {
  let result: T | Wait;
  try {
    result = attempt();
  } catch (e) {
    failed(e);
    return;
  }
  if (!(result instanceof Wait)) {
    done(result);
    return;
  }
  const wait = result;
  wait.until.then(
    () => retryUntilDone(wait.resume ? () => wait.resume!() as T | Wait : attempt, done, failed),
    failed,
  );
}

/** A new pipe charged to the process's container. */
function newPipe(host: HostContext): [PipeReadEnd, PipeWriteEnd] {
  return new Pipe(host.kernel.allocIno(), host.proc.container.limiter).open();
}

/**
 * A body coming from the host (a request to a served component, a response to its outgoing
 * request): a pipe whose read end is a new fd of the process (returned) and whose write end takes
 * `source`'s bytes, pausing it while the pipe is full. The fd reads EOF after `source` ends.
 */
export function bodyFromHost(host: HostContext, source: Readable): number {
  const [readEnd, writeEnd] = newPipe(host);
  const fd = host.addFd({ file: readEnd, rightsBase: RIGHTS_STREAM, rightsInheriting: RIGHTS_STREAM });
  const pending: Uint8Array[] = [];
  let ended = false;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    writeEnd.release();
  };
  const drain = (): void => {
    while (pending.length > 0) {
      if (writeEnd.pipe.readers === 0) {
        // The component dropped the stream: the rest of the body is not wanted.
        pending.length = 0;
        source.resume();
        close();
        return;
      }
      const chunk = pending[0]!;
      const taken = writeEnd.pipe.put(chunk, 0);
      if (taken < chunk.length) {
        pending[0] = chunk.subarray(taken);
        writeEnd.pipe.changed.subscribe(drain);
        return;
      }
      pending.shift();
    }
    if (ended) close();
    else source.resume();
  };
  source.on("data", (chunk: Buffer) => {
    pending.push(chunk);
    source.pause();
    drain();
  });
  source.on("end", () => {
    ended = true;
    if (pending.length === 0) close();
  });
  source.on("error", close);
  source.on("close", () => {
    ended = true;
    if (pending.length === 0) close();
  });
  return fd;
}

/**
 * A body going to the host (a served component's response, its outgoing request's body): a pipe
 * whose write end is a new fd of the process (returned) and whose read end the host copies into
 * `sink`, waiting for it to drain. `ended` is called once the fd is closed and all was copied.
 */
export function bodyToHost(host: HostContext, sink: Writable, ended: () => void): number {
  const [readEnd, writeEnd] = newPipe(host);
  const fd = host.addFd({ file: writeEnd, rightsBase: RIGHTS_STREAM, rightsInheriting: RIGHTS_STREAM });
  const pump = (): void => {
    retryUntilDone(
      () => {
        const buf = new Uint8Array(CHUNK);
        const n = readEnd.read([buf]);
        return n instanceof Wait ? n : buf.subarray(0, n);
      },
      (bytes) => {
        if (bytes.length === 0) {
          readEnd.release();
          ended();
          return;
        }
        if (sink.destroyed) {
          readEnd.release();
          return;
        }
        if (sink.write(bytes)) pump();
        else sink.once("drain", pump);
      },
      () => readEnd.release(),
    );
  };
  pump();
  return fd;
}

/** A kernel error as the Error node's streams carry (its code is the errno's name, as node's own). */
function streamError(e: unknown): Error {
  if (e instanceof SysError) return Object.assign(new Error(`${Errno[e.errno] ?? "EIO"} on a kernel socket`), { code: `E${Errno[e.errno] ?? "IO"}` });
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * A node Duplex over a connected kernel TCP socket (which it takes over and releases when destroyed),
 * so that node's HTTP client speaks over the kernel's network stack and its policy.
 */
export class KernelSocketStream extends Duplex {
  private reading = false;

  constructor(private readonly socket: TcpSocket) {
    super();
  }

  override _read(): void {
    if (this.reading) return;
    this.reading = true;
    retryUntilDone(
      () => {
        const buf = new Uint8Array(CHUNK);
        const n = this.socket.read([buf]);
        return n instanceof Wait ? n : buf.subarray(0, n);
      },
      (bytes) => {
        this.reading = false;
        if (bytes.length === 0) this.push(null);
        else if (this.push(bytes)) this._read();
      },
      (e) => {
        this.reading = false;
        this.destroy(streamError(e));
      },
    );
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    let offset = 0;
    retryUntilDone(
      () => {
        while (offset < chunk.length) {
          const n = this.socket.write([chunk.subarray(offset)]);
          if (n instanceof Wait) return n;
          offset += n;
        }
        return undefined;
      },
      () => callback(),
      (e) => callback(streamError(e)),
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    try {
      this.socket.shutdown(false, true);
      callback();
    } catch (e) {
      callback(streamError(e));
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.release();
    callback(error);
  }

  // What node's HTTP client may call on a net.Socket; a kernel socket sends each write at once.
  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  setTimeout(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }
}
