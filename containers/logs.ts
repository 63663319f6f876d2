// containers/: a container's output on disk, as docker's local log driver keeps it: raw bytes in
// `log.N` files, each indexed by `log.N.idx` (stream, time ns, offset, length), rotated past max-size
// keeping max-file. Written synchronously by the runtime's sinks; streamLog reads it chunk by chunk.
import { closeSync, constants, createReadStream, ftruncateSync, fstatSync, openSync, readdirSync, rmSync, writeSync } from "node:fs";
import { open, readdir, type FileHandle } from "node:fs/promises";
import { join } from "node:path";

/** How much log a container keeps: rotate past `maxSize` bytes, keep `maxFile` files (`--log-opt`). */
export interface LogOptions {
  maxSize: number;
  maxFile: number;
}

/** docker's local driver's defaults: 20 MiB per file, 5 files. */
export const DEFAULT_LOG_OPTIONS: Readonly<LogOptions> = Object.freeze({ maxSize: 20 * 1024 * 1024, maxFile: 5 });

export type LogStream = "stdout" | "stderr";

/** One index record: [stream u8][3 reserved][length u32][time ns u64][offset u64], little-endian. */
const RECORD = 24;
/** Output of one stream within this many ns of a record's start extends that record (its time is the first chunk's). */
const COALESCE_NS = 1_000_000n;
/** The most bytes a reader reads (and sends) at once. */
const READ_CHUNK = 64 * 1024;
/** Index records a reader reads at once. */
const RECORDS_AT_ONCE = 1024;
/** The log file of wasmbox before this format (one JSON line per chunk, base64): still read. */
export const LEGACY_LOG = "container.log";

const dataName = (seq: number) => `log.${seq}`;
const indexName = (seq: number) => `log.${seq}.idx`;

/** The sequence numbers of a log directory's data files, lowest first. */
function seqsIn(names: string[]): number[] {
  return names.map((n) => /^log\.(\d+)$/.exec(n)?.[1]).filter((n): n is string => n !== undefined).map(Number).sort((a, b) => a - b);
}

/**
 * Appends a container's output to its log files. Files are opened at the first write (and again
 * after close()), so a writer costs nothing while the container is quiet.
 */
export class LogWriter {
  private dataFd = -1;
  private indexFd = -1;
  private seq = 0;
  /** Bytes in the current data file, and records in its index. */
  private size = 0;
  private records = 0;
  /** The last record, which a chunk of the same stream soon after extends in place. */
  private last?: { stream: number; time: bigint; offset: number; length: number };
  private readonly record = Buffer.alloc(RECORD);
  /** The wall clock in ns, less the monotonic clock: times that never go back within one run. */
  private readonly epoch = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

  constructor(readonly dir: string, readonly options: LogOptions = DEFAULT_LOG_OPTIONS) {}

  /** Appends a chunk (split across files when it passes max-size); drops it when the directory is gone. */
  write(stream: LogStream, chunk: Uint8Array): void {
    try {
      if (this.dataFd < 0) this.openCurrent();
      const code = stream === "stdout" ? 1 : 2;
      const time = this.epoch + process.hrtime.bigint();
      for (let at = 0; at < chunk.length;) {
        // max-size counts the index too, so a log of many tiny chunks stays within it.
        let room = this.options.maxSize - this.size - (this.records + 1) * RECORD;
        if (room <= 0) {
          this.rotate();
          room = this.options.maxSize - RECORD;
        }
        const piece = chunk.subarray(at, at + Math.min(chunk.length - at, room));
        writeSync(this.dataFd, piece, 0, piece.length, this.size);
        const last = this.last;
        if (last && last.stream === code && time - last.time < COALESCE_NS && last.offset + last.length === this.size) {
          last.length += piece.length;
          this.writeRecord(this.records - 1, last);
        } else {
          this.last = { stream: code, time, offset: this.size, length: piece.length };
          this.writeRecord(this.records++, this.last);
        }
        this.size += piece.length;
        at += piece.length;
      }
    } catch {
      // The container was removed while it wrote: its output has nowhere to go.
      this.close();
    }
  }

  /** Closes the files (a later write opens them again). */
  close(): void {
    if (this.dataFd >= 0) closeSync(this.dataFd);
    if (this.indexFd >= 0) closeSync(this.indexFd);
    this.dataFd = this.indexFd = -1;
    this.last = undefined;
  }

  private writeRecord(n: number, r: { stream: number; time: bigint; offset: number; length: number }): void {
    const b = this.record;
    b.fill(0, 0, 4);
    b.writeUInt8(r.stream, 0);
    b.writeUInt32LE(r.length, 4);
    b.writeBigUInt64LE(r.time, 8);
    b.writeBigUInt64LE(BigInt(r.offset), 16);
    writeSync(this.indexFd, b, 0, RECORD, n * RECORD);
  }

  /** Opens the newest data file to append to (a half-written last record, from a daemon killed mid-write, is dropped). */
  private openCurrent(): void {
    const seqs = seqsIn(readdirSync(this.dir));
    this.open(seqs.at(-1) ?? 1);
    const records = Math.floor(fstatSync(this.indexFd).size / RECORD);
    ftruncateSync(this.indexFd, records * RECORD);
    this.records = records;
    this.size = fstatSync(this.dataFd).size;
  }

  private open(seq: number): void {
    this.seq = seq;
    // Positioned writes (not O_APPEND): the index's last record is rewritten in place.
    this.dataFd = openSync(join(this.dir, dataName(seq)), constants.O_RDWR | constants.O_CREAT, 0o600);
    this.indexFd = openSync(join(this.dir, indexName(seq)), constants.O_RDWR | constants.O_CREAT, 0o600);
    this.size = 0;
    this.records = 0;
    this.last = undefined;
  }

  /** Starts the next data file and deletes those past max-file. */
  private rotate(): void {
    const next = this.seq + 1;
    this.close();
    this.open(next);
    for (const seq of seqsIn(readdirSync(this.dir))) {
      if (seq > next - this.options.maxFile) continue;
      rmSync(join(this.dir, dataName(seq)), { force: true });
      rmSync(join(this.dir, indexName(seq)), { force: true });
    }
  }
}

/** One chunk of output as read back. */
export interface LogChunk {
  stream: LogStream;
  /** When it was written, ns since the epoch (the first chunk of a coalesced record). */
  timeNs: bigint;
  /** The bytes, in a buffer the reader reuses: valid until `send` returns. */
  data: Uint8Array;
}

/** How a reader goes on past what is there now (logs -f). */
export interface LogFollow {
  /** Resolves true when more output may have been written since the last call, false once the container ended. */
  changed(): Promise<boolean>;
}

/** What streamLog reads: the last `tail` lines, records at or after `sinceNs`; `stop()` true ends it early (the client went away). */
export interface LogReadOptions {
  sinceNs?: bigint;
  tail?: number;
  follow?: LogFollow;
  stop?: () => boolean;
}

/** ISO 8601 with nanoseconds, as docker prints log times. */
export function isoNs(ns: bigint): string {
  const iso = new Date(Number(ns / 1_000_000n)).toISOString();
  return `${iso.slice(0, 19)}.${String(ns % 1_000_000_000n).padStart(9, "0")}Z`;
}

/**
 * Streams a log directory's output, oldest first, to `send` (awaited: its backpressure bounds
 * what is in memory to one read of at most 64 KiB). Files rotated away while it reads are skipped.
 */
export async function streamLog(dir: string, send: (chunk: LogChunk) => Promise<void>, options: LogReadOptions = {}): Promise<void> {
  const stop = options.stop ?? (() => false);
  let follow = options.follow;
  // A log from before this format is not counted by tail (it is shown whole, or not at all with tail).
  if (options.tail === undefined) await streamLegacy(dir, send, options);
  let seq = seqsIn(await readdir(dir).catch(() => []))[0] ?? 1;
  let record = 0;
  let consumed = 0;
  if (options.tail !== undefined) {
    const start = await tailStart(dir, options.tail);
    if (start) [seq, record, consumed] = [start.seq, start.record, start.consumed];
  }
  for (;;) {
    if (stop()) return;
    const seqs = seqsIn(await readdir(dir).catch(() => []));
    if (seqs.length > 0 && seqs[0]! > seq) [seq, record, consumed] = [seqs[0]!, 0, 0];
    const later = seqs.some((s) => s > seq);
    const file = await openPair(dir, seq);
    if (file) {
      try {
        [record, consumed] = await drain(file, record, consumed, send, options.sinceNs ?? 0n, stop);
      } finally {
        await file.data.close();
        await file.index.close();
      }
    }
    if (later) {
      // The writer moved on before this drain began, so this file was complete: on to the next one.
      [seq, record, consumed] = [seq + 1, 0, 0];
      continue;
    }
    if (!follow) return;
    // Once the container ended, one more pass reads what it wrote last.
    if (!(await follow.changed())) follow = undefined;
  }
}

/**
 * Where the last `lines` lines begin: the file, its record and the bytes of that record before
 * them (undefined: the whole log). Reads the data files backwards, 64 KiB at a time.
 */
async function tailStart(dir: string, lines: number): Promise<{ seq: number; record: number; consumed: number } | undefined> {
  const seqs = seqsIn(await readdir(dir).catch(() => []));
  const buffer = Buffer.alloc(READ_CHUNK);
  let left = lines;
  let last = true;
  for (const seq of seqs.reverse()) {
    const file = await openPair(dir, seq);
    if (!file) continue;
    try {
      let pos = (await file.data.stat()).size;
      // The output's final newline ends the last line rather than starting another.
      let found = lines === 0 ? pos : -1;
      while (pos > 0 && found < 0) {
        const from = Math.max(0, pos - READ_CHUNK);
        await file.data.read(buffer, 0, pos - from, from);
        for (let i = pos - from - 1; i >= 0; i--) {
          if (buffer[i] !== 0x0a) {
            last = false;
            continue;
          }
          if (last) {
            last = false;
            continue;
          }
          if (--left === 0) {
            found = from + i + 1;
            break;
          }
        }
        pos = from;
      }
      if (found >= 0) return { seq, ...(await recordAt(file.index, found)) };
    } finally {
      await file.data.close();
      await file.index.close();
    }
  }
  return undefined;
}

/** The record of an index that holds data offset `offset` (binary search: records are in offset order), and the bytes of it before. */
async function recordAt(index: FileHandle, offset: number): Promise<{ record: number; consumed: number }> {
  const count = Math.floor((await index.stat()).size / RECORD);
  const b = Buffer.alloc(RECORD);
  const at = async (n: number) => {
    await index.read(b, 0, RECORD, n * RECORD);
    return { offset: Number(b.readBigUInt64LE(16)), length: b.readUInt32LE(4) };
  };
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if ((await at(mid)).offset <= offset) lo = mid;
    else hi = mid - 1;
  }
  if (count === 0) return { record: 0, consumed: 0 };
  const r = await at(lo);
  return { record: lo, consumed: Math.max(0, Math.min(r.length, offset - r.offset)) };
}

async function openPair(dir: string, seq: number): Promise<{ data: FileHandle; index: FileHandle } | undefined> {
  const data = await open(join(dir, dataName(seq)), "r").catch(() => undefined);
  if (!data) return undefined;
  const index = await open(join(dir, indexName(seq)), "r").catch(() => undefined);
  if (!index) {
    await data.close();
    return undefined;
  }
  return { data, index };
}

/** Sends the records of one file from record `record` (of which `consumed` bytes were sent); where it got to. */
async function drain(
  file: { data: FileHandle; index: FileHandle }, record: number, consumed: number,
  send: (chunk: LogChunk) => Promise<void>, sinceNs: bigint, stop: () => boolean,
): Promise<[number, number]> {
  const records = Buffer.alloc(RECORD * RECORDS_AT_ONCE);
  const buffer = Buffer.alloc(READ_CHUNK);
  for (;;) {
    const { bytesRead } = await file.index.read(records, 0, records.length, record * RECORD);
    const count = Math.floor(bytesRead / RECORD);
    if (count === 0) return [record, consumed];
    for (let i = 0; i < count; i++) {
      const at = i * RECORD;
      const stream: LogStream = records.readUInt8(at) === 2 ? "stderr" : "stdout";
      const length = records.readUInt32LE(at + 4);
      const timeNs = records.readBigUInt64LE(at + 8);
      const offset = Number(records.readBigUInt64LE(at + 16));
      if (timeNs >= sinceNs) {
        while (consumed < length) {
          if (stop()) return [record, consumed];
          const got = (await file.data.read(buffer, 0, Math.min(READ_CHUNK, length - consumed), offset + consumed)).bytesRead;
          if (got === 0) break;
          consumed += got;
          await send({ stream, timeNs, data: buffer.subarray(0, got) });
        }
      } else {
        consumed = length;
      }
      if (i < count - 1) {
        record++;
        consumed = 0;
      }
    }
    // The reader stays on the last record read (the writer may still extend it); the next batch
    // starts with it again, and a batch of that record alone means the file has no more.
    if (count === 1) return [record, consumed];
  }
}

/** Streams a log written before this format (JSON lines of base64), line by line. */
async function streamLegacy(dir: string, send: (chunk: LogChunk) => Promise<void>, options: LogReadOptions): Promise<void> {
  const input = createReadStream(join(dir, LEGACY_LOG));
  const opened = await new Promise<boolean>((resolve) => {
    input.once("open", () => resolve(true));
    input.once("error", () => resolve(false));
  });
  if (!opened) return;
  // node:readline is loaded here, not at import: module runs import this file for its options only.
  const { createInterface } = process.getBuiltinModule("node:readline");
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (options.stop?.()) break;
    try {
      const parsed = JSON.parse(line) as { stream: LogStream; time: string; data: string };
      const timeNs = BigInt(Date.parse(parsed.time)) * 1_000_000n;
      if (timeNs >= (options.sinceNs ?? 0n)) await send({ stream: parsed.stream === "stderr" ? "stderr" : "stdout", timeNs, data: Buffer.from(parsed.data, "base64") });
    } catch {
      // A torn line: skipped.
    }
  }
  input.destroy();
}
