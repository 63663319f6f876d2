// images/registry: the file a blob download is written to: chunks copied into a few reused batch buffers, written in
// order by one writev at a time on libuv's thread pool (the event loop keeps reading and hashing), then one fsync.
import { close, fsync, open, writev } from "node:fs";

/** The size of one batch buffer: the unit of a write. */
const BATCH_BYTES = 64 * 1024;
/** With this many full batches waiting for the disk, `write` asks the caller to pause its source. */
const MAX_WAITING_BATCHES = 8;

/**
 * One open download file. `write` copies a chunk in (so the caller may reuse it) and returns false when the caller
 * should pause its source until `onDrain`; `finish` writes the rest, flushes the file to disk and closes it; `abandon`
 * writes the rest (so a resumed download starts after it) and closes without flushing. The file is always a prefix of the blob.
 */
export class BlobFile {
  /** The batch being filled, and how much of it is. */
  private current: Buffer | undefined;
  private currentBytes = 0;
  private readonly waiting: Buffer[] = [];
  private readonly spare: Buffer[] = [];
  private writing = false;
  private failure: Error | undefined;
  private readonly idle: (() => void)[] = [];
  private drain: (() => void) | undefined;

  private constructor(private readonly fd: number) {}

  /** Opens `path` to append (`append`) or to be written from the start. */
  static open(path: string, append: boolean): Promise<BlobFile> {
    return new Promise((resolve, reject) => open(path, append ? "a" : "w", (error, fd) => (error ? reject(error) : resolve(new BlobFile(fd)))));
  }

  /** The first write error, if any (later writes are dropped). */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Copies `chunk` in; false when the caller should pause until `onDrain` (or stop: see `error`). */
  write(chunk: Buffer): boolean {
    if (this.failure) return false;
    for (let at = 0; at < chunk.byteLength;) {
      this.current ??= this.spare.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES);
      const copied = chunk.copy(this.current, this.currentBytes, at);
      this.currentBytes += copied;
      at += copied;
      if (this.currentBytes === BATCH_BYTES) this.queueCurrent();
    }
    this.pump();
    return this.waiting.length < MAX_WAITING_BATCHES;
  }

  /** Calls `resume` once, when fewer batches wait for the disk (or a write failed). */
  onDrain(resume: () => void): void {
    this.drain = resume;
  }

  /** Writes the rest, fsyncs and closes; rejects with the first write or flush error. */
  async finish(): Promise<void> {
    try {
      await this.settle();
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve, reject) => fsync(this.fd, (error) => (error ? reject(error) : resolve())));
    } finally {
      await new Promise<void>((resolve) => close(this.fd, () => resolve()));
    }
  }

  /** Writes the rest (best effort) and closes, without flushing to disk. */
  async abandon(): Promise<void> {
    await this.settle();
    await new Promise<void>((resolve) => close(this.fd, () => resolve()));
  }

  /** Resolves when every byte written so far is written (or a write failed). */
  private settle(): Promise<void> {
    if (this.currentBytes > 0) this.queueCurrent();
    this.pump();
    if (!this.writing) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private queueCurrent(): void {
    this.waiting.push(this.current!.subarray(0, this.currentBytes));
    this.current = undefined;
    this.currentBytes = 0;
  }

  /** Starts a writev of every waiting batch unless one is running. */
  private pump(): void {
    if (this.writing || this.failure || this.waiting.length === 0) return;
    const batches = this.waiting.splice(0);
    this.writing = true;
    this.writeAll(batches.slice(), () => {
      this.writing = false;
      // Only whole batch buffers are reused (the last, partial one of a file is not).
      for (const batch of batches) if (batch.byteLength === BATCH_BYTES) this.spare.push(batch);
      if (this.failure) this.waiting.length = 0;
      this.pump();
      const drain = this.drain;
      this.drain = undefined;
      drain?.();
      if (!this.writing) for (const wake of this.idle.splice(0)) wake();
    });
  }

  /** writev until every byte of `batches` is written (a short write continues with the rest). */
  private writeAll(batches: Buffer[], done: () => void): void {
    writev(this.fd, batches, (error, written) => {
      if (error) {
        this.failure = error;
        return done();
      }
      let rest = written;
      while (batches.length > 0 && rest >= batches[0]!.byteLength) rest -= batches.shift()!.byteLength;
      if (batches.length === 0) return done();
      if (rest > 0) batches[0] = batches[0]!.subarray(rest);
      this.writeAll(batches, done);
    });
  }
}
