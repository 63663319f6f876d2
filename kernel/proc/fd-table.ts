// A process's file descriptor table: fd number -> open file plus the fd's WASI rights.
// New fds take the lowest free number; dup and spawn share open files (reference counted).
import { Errno, SysError } from "../errno.js";
import type { OpenFile } from "../vfs/open-file.js";

/** One slot of the table. */
export interface FdEntry {
  file: OpenFile;
  rightsBase: number;
  rightsInheriting: number;
  /** For preopened directories: the name fd_prestat_dir_name reports. */
  preopen?: string;
}

/** Told of every change to an fd before it happens (the inline engine's fast path for host files). */
export interface FdWatcher {
  /** The fd is about to be closed, replaced, moved or to lose rights. */
  fdChanged(fd: number): void;
}

/** The fd table; `limit` is the most fds it may hold (--ulimit nofile). */
export class FdTable {
  private slots: Array<FdEntry | undefined> = [];
  private count = 0;
  /** Told before any fd changes. */
  watcher?: FdWatcher;

  /** Called when an fd is refused for the limit (the container records limitHit "nofile"). */
  onLimit?: () => void;

  constructor(public limit = 1024) {}

  /** The entry for fd, checking that it has every right in `rights`. */
  get(fd: number, rights = 0): FdEntry {
    const entry = this.slots[fd];
    if (entry === undefined) throw new SysError(Errno.BADF);
    if ((entry.rightsBase & rights) !== rights) throw new SysError(Errno.NOTCAPABLE);
    return entry;
  }

  private refuse(): never {
    this.onLimit?.();
    throw new SysError(Errno.MFILE);
  }

  has(fd: number): boolean {
    return this.slots[fd] !== undefined;
  }

  /** Puts an entry in the lowest free slot at or above `min`; EMFILE when full. */
  add(entry: FdEntry, min = 0): number {
    if (this.count >= this.limit) this.refuse();
    let fd = min;
    while (this.slots[fd] !== undefined) fd++;
    this.watcher?.fdChanged(fd);
    this.slots[fd] = entry;
    this.count++;
    return fd;
  }

  /** Puts an entry at exactly `fd`, closing what was there. EBADF: fd at or past the limit (no sparse walk). */
  put(fd: number, entry: FdEntry): void {
    if (fd >= this.limit) throw new SysError(Errno.BADF);
    this.watcher?.fdChanged(fd);
    const old = this.slots[fd];
    if (old === undefined) {
      if (this.count >= this.limit) this.refuse();
      this.count++;
    }
    this.slots[fd] = entry;
    old?.file.release();
  }

  /** Removes fd without releasing its file (the caller takes over the reference). */
  take(fd: number): FdEntry {
    const entry = this.get(fd);
    this.watcher?.fdChanged(fd);
    this.slots[fd] = undefined;
    this.count--;
    while (this.slots.length > 0 && this.slots[this.slots.length - 1] === undefined) this.slots.pop();
    return entry;
  }

  /** Sets fd's rights (fd_fdstat_set_rights: the caller checked they only drop some). */
  setRights(fd: number, base: number, inheriting: number): void {
    const entry = this.get(fd);
    this.watcher?.fdChanged(fd);
    entry.rightsBase = base;
    entry.rightsInheriting = inheriting;
  }

  close(fd: number): void {
    this.take(fd).file.release();
  }

  /** All open fds in ascending order. */
  entries(): Array<[number, FdEntry]> {
    const out: Array<[number, FdEntry]> = [];
    this.slots.forEach((entry, fd) => {
      if (entry) out.push([fd, entry]);
    });
    return out;
  }

  closeAll(): void {
    for (const [fd] of this.entries()) this.close(fd);
  }

  get size(): number {
    return this.count;
  }
}

/** A new entry sharing `entry`'s open file (one more reference). */
export function shareEntry(entry: FdEntry): FdEntry {
  entry.file.refs++;
  return { ...entry };
}
