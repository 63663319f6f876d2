// The VFS's inode interface: every filesystem (memory, overlay, host directory, /dev, /proc) gives
// Vnodes with these operations. Defaults refuse with the errno POSIX gives for the wrong file type.
import { Errno, SysError } from "../errno.js";
import { Filetype, type Filestat } from "../wasi.js";
import type { OpenFile } from "./open-file.js";
import { wallNs } from "../clock.js";

/** A mounted filesystem: its device id and whether it may be written. */
export interface FileSystem {
  readonly dev: bigint;
  /** The type name shown in /proc/mounts (memfs, overlay, hostfs, devfs, proc). */
  readonly type: string;
  readonly readOnly: boolean;
  /** Whether its nodes' owners and modes are the kernel's own (memory, overlay), so they are enforced for non-root users. */
  readonly keepsOwners?: boolean;
  /** Total and used bytes and inodes, for df. */
  usage(): { bytes: number; usedBytes: number; inodes: number; usedInodes: number };
}

/**
 * What an open regular file reads and writes through: the vnode itself, or a handle the vnode
 * opened for that one open file (a host fd, so the file stays usable after an unlink or rename).
 */
export interface FileContents {
  read(buf: Uint8Array, pos: number): number;
  write(buf: Uint8Array, pos: number): number;
  size(): number;
  truncate(size: number): void;
  stat(): Filestat;
  setTimes(atim: bigint | null, mtim: bigint | null): void;
  /** Reads into several buffers at once (one host readv instead of a read per buffer), if it can. */
  readv?(bufs: Uint8Array[], pos: number): number;
  /** Writes several buffers at once (one host writev), if it can. */
  writev?(bufs: Uint8Array[], pos: number): number;
  /** Flushes to stable storage (fsync); nothing to do for memory. */
  sync?(): void;
  /** Lets go of the handle: the open file's last reference went. */
  close?(): void;
  /** The host fd behind an open host file and what it was opened for; undefined once closed. */
  hostAccess?(): HostAccess | undefined;
}

/** A host fd an open file reads and writes through, and whether it was opened for reading and for writing. */
export interface HostAccess {
  fd: number;
  read: boolean;
  write: boolean;
}

/** Something an open file keeps while it is open (a host directory's fd); released when it closes. */
export interface VnodeHold {
  release(): void;
}

/** Clock source for timestamps, in nanoseconds since the epoch. */
export function nowNs(): bigint {
  return wallNs();
}

/** An inode as the VFS sees it. Operations a type does not support throw the matching errno. */
export abstract class Vnode {
  abstract readonly fs: FileSystem;
  abstract readonly type: Filetype;
  abstract readonly ino: bigint;
  abstract stat(): Filestat;

  /** Sets access and/or modification time (null leaves one as it is). */
  setTimes(_atim: bigint | null, _mtim: bigint | null): void {
    throw new SysError(Errno.PERM);
  }
  /** Changes the permission bits. */
  chmod(_mode: number): void {
    throw new SysError(Errno.PERM);
  }
  /** Records the owner of a node this kernel made (a filesystem that keeps no owners, as a host folder, ignores it). */
  setOwner(_uid: number, _gid: number): void {}

  // Regular files.
  read(_buf: Uint8Array, _pos: number): number {
    throw new SysError(this.type === Filetype.DIRECTORY ? Errno.ISDIR : Errno.INVAL);
  }
  write(_buf: Uint8Array, _pos: number): number {
    throw new SysError(this.type === Filetype.DIRECTORY ? Errno.ISDIR : Errno.INVAL);
  }
  size(): number {
    return Number(this.stat().size);
  }
  truncate(_size: number): void {
    throw new SysError(this.type === Filetype.DIRECTORY ? Errno.ISDIR : Errno.INVAL);
  }
  /** posix_fallocate: makes [offset, offset+len) part of the file (ENOSPC where it cannot fit). */
  allocate(offset: number, len: number): void {
    if (offset + len > this.size()) this.truncate(offset + len);
  }

  // Directories.
  lookup(_name: string): Vnode | undefined {
    throw new SysError(Errno.NOTDIR);
  }
  /** Names of the entries, without "." and "..". */
  list(): string[] {
    throw new SysError(Errno.NOTDIR);
  }
  create(_name: string, _type: Filetype.REGULAR_FILE | Filetype.DIRECTORY, _mode: number): Vnode {
    throw new SysError(Errno.NOTDIR);
  }
  symlink(_name: string, _target: string): Vnode {
    throw new SysError(Errno.NOTDIR);
  }
  link(_name: string, _target: Vnode): void {
    throw new SysError(Errno.NOTDIR);
  }
  /** Removes a non-directory entry. */
  unlink(_name: string): void {
    throw new SysError(Errno.NOTDIR);
  }
  /** Removes an empty directory entry. */
  rmdir(_name: string): void {
    throw new SysError(Errno.NOTDIR);
  }
  /** Moves entry `name` to `toDir` as `toName`, replacing what POSIX rename(2) allows. */
  rename(_name: string, _toDir: Vnode, _toName: string): void {
    throw new SysError(Errno.NOTDIR);
  }

  // Symlinks.
  readlink(): string {
    throw new SysError(Errno.INVAL);
  }

  /** Filesystems over host files open one handle per open file; others are read and written as vnodes. */
  openHandle?(writable: boolean): FileContents;
  /** Keeps a directory's identity while an open file refers to it (a host directory keeps its fd). */
  hold?(): VnodeHold;

  /** Devices and other special files give their own open-file object. */
  openSpecial?(): OpenFile;

  /** The object the program cache keys this file's compiled module by (an overlay gives its shared lower file). */
  contentIdentity(): object {
    return this;
  }

  /** Whether two vnodes are the same inode. */
  same(other: Vnode): boolean {
    return this === other || (this.fs === other.fs && this.ino === other.ino);
  }
}

/** Checks a directory entry name: no '/', not empty, no NUL. */
export function checkName(name: string): void {
  if (name === "" || name.includes("/") || name.includes("\0")) throw new SysError(Errno.INVAL);
  if (name.length > 255) throw new SysError(Errno.NAMETOOLONG);
}

/** POSIX rename(2) checks between an existing source and an existing destination. */
export function checkRenameOver(from: Vnode, to: Vnode): void {
  const fromDir = from.type === Filetype.DIRECTORY;
  const toDir = to.type === Filetype.DIRECTORY;
  if (fromDir && !toDir) throw new SysError(Errno.NOTDIR);
  if (!fromDir && toDir) throw new SysError(Errno.ISDIR);
  if (toDir && to.list().length > 0) throw new SysError(Errno.NOTEMPTY);
}
