// Open-file objects: what an fd points to (offset, status flags, the inode or stream behind it).
// dup and spawn share one object; it is closed when the last fd referring to it goes.
import { Errno, SysError } from "../errno.js";
import type { WaitQueue } from "../proc/wait-queue.js";
import type { Wait } from "../proc/wait.js";
import {
  Filetype, RIGHTS_CHARDEV, RIGHTS_DIR, RIGHTS_FILE, FDFLAGS_APPEND, Whence, type Filestat,
} from "../wasi.js";
import { nowNs, type FileContents, type HostAccess, type Vnode, type VnodeHold } from "./vnode.js";

/** One directory entry as fd_readdir returns it. */
export interface DirEntry {
  name: string;
  ino: bigint;
  type: Filetype;
}

/** Readiness of an open file for poll_oneoff. */
export interface Readiness {
  ready: boolean;
  /** Bytes available (read) or free (write), as the event's nbytes. */
  nbytes: bigint;
  hangup: boolean;
}

/** The base of every open file; each kind overrides what it supports. */
export abstract class OpenFile {
  refs = 1;
  /** fdflags: APPEND, NONBLOCK, ... */
  flags = 0;
  abstract readonly filetype: Filetype;
  /** The rights this kind of file can have at most. */
  abstract readonly rightsMask: number;
  /** The inode behind it, if any (for directories, *_at calls, fstat). */
  readonly vnode?: Vnode;

  /** Reads into bufs; a Wait means "nothing yet": sleep on it and call again. */
  read(_bufs: Uint8Array[]): number | Wait {
    throw new SysError(Errno.BADF);
  }
  /** Writes from bufs; a Wait means "no room yet": sleep on it and call again. */
  write(_bufs: Uint8Array[]): number | Wait {
    throw new SysError(Errno.BADF);
  }
  pread(_bufs: Uint8Array[], _pos: number): number {
    throw new SysError(Errno.SPIPE);
  }
  pwrite(_bufs: Uint8Array[], _pos: number): number {
    throw new SysError(Errno.SPIPE);
  }
  seek(_offset: bigint, _whence: Whence): bigint {
    throw new SysError(Errno.SPIPE);
  }
  tell(): bigint {
    throw new SysError(Errno.SPIPE);
  }
  abstract stat(): Filestat;
  setSize(_size: number): void {
    throw new SysError(Errno.INVAL);
  }
  setTimes(atim: bigint | null, mtim: bigint | null): void {
    if (!this.vnode) throw new SysError(Errno.INVAL);
    this.vnode.setTimes(atim, mtim);
  }
  allocate(_offset: number, _len: number): void {
    throw new SysError(Errno.INVAL);
  }
  sync(): void {}
  readdir(_cookie: bigint): DirEntry[] {
    throw new SysError(Errno.NOTDIR);
  }
  /** Readiness for reading (FD_READ subscriptions). */
  readReadiness(): Readiness {
    return { ready: true, nbytes: 0n, hangup: false };
  }
  /** Readiness for writing (FD_WRITE subscriptions). */
  writeReadiness(): Readiness {
    return { ready: true, nbytes: 0n, hangup: false };
  }
  /** The queue woken when readiness may have changed; none = always ready. */
  readinessQueue(): WaitQueue | undefined {
    return undefined;
  }
  /** Whether a read may ever have to wait (pipes, live input). */
  canBlockRead(): boolean {
    return false;
  }
  /** Whether a write may ever have to wait (pipes). */
  canBlockWrite(): boolean {
    return false;
  }
  /** Whether it is a terminal (for isatty and tty_mode). */
  isTerminal(): boolean {
    return false;
  }
  /** Sets the fdflags (fd_fdstat_set_flags). */
  setFlags(flags: number): void {
    this.flags = flags;
  }
  /** Called once when the last reference goes. */
  protected onClose(): void {}

  /** Drops one reference; closes on the last. */
  release(): void {
    if (--this.refs === 0) this.onClose();
  }
}

/**
 * An open regular file on a vnode: offset-based reads and writes. They go through the handle the
 * vnode opened for this open file when it gives one (host files), else to the vnode itself.
 */
export class RegularFile extends OpenFile {
  readonly filetype = Filetype.REGULAR_FILE;
  readonly rightsMask = RIGHTS_FILE;
  offset = 0;
  private readonly contents: FileContents;
  /** Told when the flags change or the file closes: fast paths that read or write its host fd without it. */
  private readonly watchers = new Set<() => void>();

  /** `writable`: whether the open may write (a host file is then opened for writing too). */
  constructor(override readonly vnode: Vnode, flags: number, writable = true) {
    super();
    this.flags = flags;
    this.contents = vnode.openHandle?.(writable) ?? vnode;
  }

  override read(bufs: Uint8Array[]): number {
    const n = this.pread(bufs, this.offset);
    this.offset += n;
    return n;
  }

  override write(bufs: Uint8Array[]): number {
    if (this.flags & FDFLAGS_APPEND) this.offset = this.contents.size();
    const n = this.pwrite(bufs, this.offset);
    this.offset += n;
    return n;
  }

  override pread(bufs: Uint8Array[], pos: number): number {
    if (bufs.length > 1 && this.contents.readv) return this.contents.readv(bufs, pos);
    let total = 0;
    for (const buf of bufs) {
      if (buf.length === 0) continue;
      const n = this.contents.read(buf, pos + total);
      total += n;
      if (n < buf.length) break;
    }
    return total;
  }

  override pwrite(bufs: Uint8Array[], pos: number): number {
    // POSIX leaves pwrite on O_APPEND files to the system; Linux appends, and so do we.
    if (this.flags & FDFLAGS_APPEND) pos = this.contents.size();
    if (bufs.length > 1 && this.contents.writev) return this.contents.writev(bufs, pos);
    let total = 0;
    for (const buf of bufs) {
      if (buf.length === 0) continue;
      total += this.contents.write(buf, pos + total);
    }
    return total;
  }

  override seek(offset: bigint, whence: Whence): bigint {
    const base = whence === Whence.SET ? 0n : whence === Whence.CUR ? BigInt(this.offset) : BigInt(this.contents.size());
    if (whence !== Whence.SET && whence !== Whence.CUR && whence !== Whence.END) throw new SysError(Errno.INVAL);
    const next = base + offset;
    if (next < 0n) throw new SysError(Errno.INVAL);
    if (next > BigInt(Number.MAX_SAFE_INTEGER)) throw new SysError(Errno.OVERFLOW);
    this.offset = Number(next);
    return next;
  }

  override tell(): bigint {
    return BigInt(this.offset);
  }

  override stat(): Filestat {
    return this.contents.stat();
  }

  /** The file's length in bytes. */
  size(): number {
    return this.contents.size();
  }

  override setSize(size: number): void {
    this.contents.truncate(size);
  }

  override setTimes(atim: bigint | null, mtim: bigint | null): void {
    this.contents.setTimes(atim, mtim);
  }

  override allocate(offset: number, len: number): void {
    // A host file's own handle extends it; a vnode knows how to reserve the range (ENOSPC, EFBIG).
    if (this.contents === this.vnode) this.vnode.allocate(offset, len);
    else if (offset + len > this.contents.size()) this.contents.truncate(offset + len);
  }

  override sync(): void {
    this.contents.sync?.();
  }

  override readReadiness(): Readiness {
    return { ready: true, nbytes: BigInt(Math.max(0, this.contents.size() - this.offset)), hangup: false };
  }

  /** The host fd behind it (a host file's), and what it was opened for; undefined for other files. */
  hostAccess(): HostAccess | undefined {
    return this.contents.hostAccess?.();
  }

  /** Calls `changed` before the flags change or the file closes; returns what stops that. */
  watch(changed: () => void): () => void {
    this.watchers.add(changed);
    return () => void this.watchers.delete(changed);
  }

  private tellWatchers(): void {
    for (const changed of [...this.watchers]) changed();
    this.watchers.clear();
  }

  override setFlags(flags: number): void {
    this.tellWatchers();
    super.setFlags(flags);
  }

  protected override onClose(): void {
    this.tellWatchers();
    this.contents.close?.();
  }
}

/** An open directory: the base of *_at path calls and of fd_readdir. */
export class DirectoryFile extends OpenFile {
  readonly filetype = Filetype.DIRECTORY;
  readonly rightsMask = RIGHTS_DIR;

  /** What keeps the directory's identity while it is open (a host directory's fd), if its filesystem needs one. */
  private readonly holding: VnodeHold | undefined;

  /** `path` is the chain of vnodes from the namespace root to this directory (inclusive). */
  constructor(override readonly vnode: Vnode, readonly path: Vnode[]) {
    super();
    this.holding = vnode.hold?.();
  }

  protected override onClose(): void {
    this.holding?.release();
  }

  override stat(): Filestat {
    return this.vnode.stat();
  }

  /** Entries from `cookie` on: cookie n means "after the n-th entry"; . and .. come first. */
  override readdir(cookie: bigint): DirEntry[] {
    const parent = this.path.length > 1 ? this.path[this.path.length - 2] : this.vnode;
    const names = this.vnode.list().sort();
    const out: DirEntry[] = [];
    const start = Number(cookie);
    if (start <= 0) out.push({ name: ".", ino: this.vnode.ino, type: Filetype.DIRECTORY });
    if (start <= 1) out.push({ name: "..", ino: parent.ino, type: Filetype.DIRECTORY });
    for (let i = Math.max(0, start - 2); i < names.length; i++) {
      const node = this.vnode.lookup(names[i]);
      if (node) out.push({ name: names[i], ino: node.ino, type: node.type });
    }
    return out;
  }
}

/** A character device whose behaviour is given by read and write functions. */
export class CharDeviceFile extends OpenFile {
  readonly filetype = Filetype.CHARACTER_DEVICE;
  readonly rightsMask = RIGHTS_CHARDEV;

  constructor(
    override readonly vnode: Vnode,
    private readonly onRead: (buf: Uint8Array) => number,
    private readonly onWrite: (buf: Uint8Array) => number,
  ) {
    super();
  }

  override read(bufs: Uint8Array[]): number {
    let total = 0;
    for (const buf of bufs) total += this.onRead(buf);
    return total;
  }
  override write(bufs: Uint8Array[]): number {
    let total = 0;
    for (const buf of bufs) total += this.onWrite(buf);
    return total;
  }
  override pread(bufs: Uint8Array[]): number {
    return this.read(bufs);
  }
  override pwrite(bufs: Uint8Array[]): number {
    return this.write(bufs);
  }
  override seek(): bigint {
    return 0n;
  }
  override tell(): bigint {
    return 0n;
  }
  override setSize(): void {}
  override allocate(): void {}
  override stat(): Filestat {
    return this.vnode.stat();
  }
  override setTimes(atim: bigint | null, mtim: bigint | null): void {
    this.vnode.setTimes(atim ?? nowNs(), mtim ?? nowNs());
  }
}
