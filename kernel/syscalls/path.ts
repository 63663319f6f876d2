// Syscalls on paths relative to a directory fd (path_*): rights check, resolution that stays
// beneath the directory, then one call into the vnode. Each lists its errnos beyond EBADF/ENOTCAPABLE.
import { Errno, SysError } from "../errno.js";
import { P, R } from "../abi/types.js";
import type { Process } from "../proc/process.js";
import { CharDeviceFile, DirectoryFile, RegularFile, type OpenFile } from "../vfs/open-file.js";
import type { Resolved } from "../vfs/namespace.js";
import type { Vnode } from "../vfs/vnode.js";
import {
  Filetype, LOOKUP_SYMLINK_FOLLOW, rightsFromAbi, OFLAGS_CREAT, OFLAGS_DIRECTORY, OFLAGS_EXCL, OFLAGS_TRUNC, Rights,
} from "../wasi.js";
import { ACCESS_READ, ACCESS_WRITE, checkAccess } from "../vfs/access.js";
import { FILESTAT } from "./structs.js";
import { timesFor } from "./fd.js";
import { syscall, WASI_MODULE, type SyscallDef } from "./table.js";

/** The directory open file behind fd, with `rights`. ENOTDIR if it is not a directory. */
export function dirFd(proc: Process, fd: number, rights: number): { dir: DirectoryFile; inheriting: number } {
  if (!(proc.fds.get(fd).file instanceof DirectoryFile)) throw new SysError(Errno.NOTDIR);
  const entry = proc.fds.get(fd, rights);
  const file = entry.file as DirectoryFile;
  return { dir: file, inheriting: entry.rightsInheriting };
}

/** Resolves `path` beneath directory fd `fd`. */
export function resolveAt(proc: Process, fd: number, path: string, follow: boolean, rights: number): Resolved {
  const { dir } = dirFd(proc, fd, rights);
  return proc.container.ns.resolve(dir.path, path, follow, true);
}

function existing(r: Resolved): Vnode {
  if (!r.node) throw new SysError(Errno.NOENT);
  return r.node;
}

/**
 * Resolves for calls that act on the last component itself (unlink, rmdir): like lstat, but a
 * trailing slash after a symlink gives ENOTDIR, as Linux does, rather than acting on its target.
 */
function resolveEntry(proc: Process, fd: number, path: string, rights: number): Resolved {
  const r = resolveAt(proc, fd, path, false, rights);
  if (r.trailingSlash && r.name !== ".") {
    const bare = resolveAt(proc, fd, path.replace(/\/+$/, ""), false, rights);
    if (bare.node?.type === Filetype.SYMBOLIC_LINK) throw new SysError(Errno.NOTDIR);
  }
  return r;
}

/** Whether the entry `r` names is a mount point (something is mounted on it): it cannot be renamed over or away, nor removed. */
function isMountPoint(proc: Process, r: Resolved): boolean {
  const entry = r.name === "." ? undefined : r.parent.lookup(r.name);
  return !!entry && proc.container.ns.cross(entry) !== entry;
}

function writableDir(r: Resolved): void {
  if (r.parent.fs.readOnly) throw new SysError(Errno.ROFS);
}

/** Opens `node` (found at `r`) as an open file of the right kind; `writable`: whether it may be written. */
export function openVnode(node: Vnode, r: Resolved, fdflags: number, writable = true): OpenFile {
  if (node.openSpecial) return node.openSpecial();
  if (node.type === Filetype.DIRECTORY) return new DirectoryFile(node, r.name === "." ? r.parentPath : [...r.parentPath, node]);
  if (node.type === Filetype.REGULAR_FILE) return new RegularFile(node, fdflags, writable);
  if (node.type === Filetype.SYMBOLIC_LINK) throw new SysError(Errno.LOOP);
  return new CharDeviceFile(node, () => 0, (b) => b.length);
}

/**
 * path_open in a read-only-fs container: EROFS for creating anything (CREAT on a missing name,
 * CREAT on a directory name), truncating, or asking a regular file for a right that changes it.
 * Devices, pipes and directories opened for reading stay open-able, as on a read-only mount.
 */
function readOnlyFsOpen(node: Vnode | undefined, oflags: number, wantsWrite: boolean): void {
  if (!node) {
    if (oflags & OFLAGS_CREAT) throw new SysError(Errno.ROFS);
    return;
  }
  if (node.type !== Filetype.REGULAR_FILE) return;
  if (oflags & OFLAGS_TRUNC || wantsWrite) throw new SysError(Errno.ROFS);
}

/** A node just made by `proc` belongs to its user and group (root's, the default, needs nothing). */
function ownedBy(proc: Process, node: Vnode): Vnode {
  if (proc.uid !== 0 || proc.gid !== 0) node.setOwner(proc.uid, proc.gid);
  return node;
}

export const pathSyscalls: SyscallDef[] = [
  syscall({
    name: "path_create_directory", module: WASI_MODULE, mayBlock: false, doc: "mkdir. EEXIST; ENOENT (parent); ENOTDIR; EROFS.",
    params: [["fd", P.fd], ["path", P.string]],
    handler(proc: Process, fd: number, path: string) {
      const r = resolveAt(proc, fd, path, false, Rights.PATH_CREATE_DIRECTORY);
      if (r.node || r.name === ".") throw new SysError(Errno.EXIST);
      writableDir(r);
      ownedBy(proc, r.parent.create(r.name, Filetype.DIRECTORY, 0o777 & ~proc.umask));
    },
  }),
  syscall({
    name: "path_filestat_get", module: WASI_MODULE, mayBlock: false, doc: "stat/lstat by flags. ENOENT; ENOTDIR; ELOOP.",
    params: [["fd", P.fd], ["flags", P.flags], ["path", P.string]], result: FILESTAT,
    handler(proc: Process, fd: number, flags: number, path: string) {
      const r = resolveAt(proc, fd, path, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0, Rights.PATH_FILESTAT_GET);
      return existing(r).stat();
    },
  }),
  syscall({
    name: "path_filestat_set_times", module: WASI_MODULE, mayBlock: false, doc: "utimensat. EINVAL: a time both given and NOW; ENOENT; EROFS.",
    params: [["fd", P.fd], ["flags", P.flags], ["path", P.string], ["atim", P.u64], ["mtim", P.u64], ["fst_flags", P.flags]],
    handler(proc: Process, fd: number, flags: number, path: string, atim: bigint, mtim: bigint, fstFlags: number) {
      const [a, m] = timesFor(atim, mtim, fstFlags);
      const node = existing(resolveAt(proc, fd, path, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0, Rights.PATH_FILESTAT_SET_TIMES));
      if (node.fs.readOnly) throw new SysError(Errno.ROFS);
      node.setTimes(a, m);
    },
  }),
  syscall({
    name: "path_link", module: WASI_MODULE, mayBlock: false, doc: "Hard link. EEXIST; ENOENT; EPERM (directory); EXDEV; EROFS.",
    params: [["old_fd", P.fd], ["old_flags", P.flags], ["old_path", P.string], ["new_fd", P.fd], ["new_path", P.string]],
    handler(proc: Process, oldFd: number, oldFlags: number, oldPath: string, newFd: number, newPath: string) {
      const from = resolveAt(proc, oldFd, oldPath, (oldFlags & LOOKUP_SYMLINK_FOLLOW) !== 0, Rights.PATH_LINK_SOURCE);
      const to = resolveAt(proc, newFd, newPath, false, Rights.PATH_LINK_TARGET);
      const node = existing(from);
      if (node.type === Filetype.DIRECTORY) throw new SysError(Errno.PERM);
      if (to.node || to.name === ".") throw new SysError(Errno.EXIST);
      if (to.trailingSlash) throw new SysError(Errno.NOENT);
      writableDir(to);
      to.parent.link(to.name, node);
    },
  }),
  syscall({
    name: "path_open", module: WASI_MODULE, mayBlock: false,
    doc: "Opens or creates. ENOENT; EEXIST (CREAT|EXCL); ENOTDIR (DIRECTORY on a file); EISDIR (writing a directory); ELOOP (symlink without FOLLOW); EROFS.",
    params: [["fd", P.fd], ["dirflags", P.flags], ["path", P.string], ["oflags", P.flags], ["rights_base", P.rights], ["rights_inheriting", P.rights], ["fdflags", P.flags]],
    result: R.u32,
    handler(proc: Process, fd: number, dirflags: number, path: string, oflags: number, baseAbi: bigint, inheritingAbi: bigint, fdflags: number) {
      const { dir, inheriting: allowed } = dirFd(proc, fd, Rights.PATH_OPEN);
      const base = rightsFromAbi(baseAbi);
      const inheriting = rightsFromAbi(inheritingAbi);
      if ((base & ~allowed) !== 0 || (inheriting & ~allowed) !== 0) throw new SysError(Errno.NOTCAPABLE);
      const follow = (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0;
      if (oflags & OFLAGS_TRUNC) proc.fds.get(fd, Rights.PATH_FILESTAT_SET_SIZE);
      if (oflags & OFLAGS_CREAT && oflags & OFLAGS_EXCL && follow) {
        // O_CREAT|O_EXCL never follows a symlink in the last component, even a dangling one.
        const own = proc.container.ns.resolve(dir.path, path, false, true);
        if (own.node || own.name === ".") throw new SysError(Errno.EXIST);
      }
      const r = proc.container.ns.resolve(dir.path, path, follow, true);
      const wantsWrite = (base & (Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE)) !== 0;
      let node = r.node;
      if (proc.container.readOnlyFs) readOnlyFsOpen(node, oflags, wantsWrite);
      if (!node) {
        if (!(oflags & OFLAGS_CREAT)) throw new SysError(Errno.NOENT);
        proc.fds.get(fd, Rights.PATH_CREATE_FILE);
        if (oflags & OFLAGS_DIRECTORY) throw new SysError(Errno.INVAL);
        if (r.trailingSlash) throw new SysError(Errno.ISDIR);
        writableDir(r);
        node = ownedBy(proc, r.parent.create(r.name, Filetype.REGULAR_FILE, 0o666 & ~proc.umask));
      } else {
        if (oflags & OFLAGS_CREAT && oflags & OFLAGS_EXCL) throw new SysError(Errno.EXIST);
        if (node.type === Filetype.SYMBOLIC_LINK) throw new SysError(oflags & OFLAGS_DIRECTORY ? Errno.NOTDIR : Errno.LOOP);
        if (oflags & OFLAGS_DIRECTORY && node.type !== Filetype.DIRECTORY) throw new SysError(Errno.NOTDIR);
        if (node.type === Filetype.DIRECTORY && (wantsWrite || oflags & OFLAGS_TRUNC)) throw new SysError(Errno.ISDIR);
        if (node.type === Filetype.REGULAR_FILE && (wantsWrite || oflags & OFLAGS_TRUNC) && node.fs.readOnly) throw new SysError(Errno.ROFS);
        if (node.type === Filetype.REGULAR_FILE) checkAccess(node, proc, wantsWrite || oflags & OFLAGS_TRUNC ? ACCESS_WRITE : ACCESS_READ);
      }
      const truncates = (oflags & OFLAGS_TRUNC) !== 0 && node.type === Filetype.REGULAR_FILE;
      const file = openVnode(node, r, fdflags, wantsWrite || truncates);
      try {
        if (truncates) {
          if (!(file instanceof RegularFile)) node.truncate(0);
          else if (file.size() > 0) file.setSize(0);
        }
        file.flags = fdflags;
        return proc.fds.add({ file, rightsBase: base & file.rightsMask, rightsInheriting: inheriting & allowed });
      } catch (e) {
        // Nothing refers to the new open file: let go of what it holds (a host fd).
        file.release();
        throw e;
      }
    },
  }),
  syscall({
    name: "path_readlink", module: WASI_MODULE, mayBlock: false, doc: "Reads a symlink, cut to the buffer as readlink(2). EINVAL: not a symlink; ENOENT.",
    params: [["fd", P.fd], ["path", P.string], ["buf", P.bytesOut]], result: R.u32,
    handler(proc: Process, fd: number, path: string, buf: Uint8Array) {
      const node = existing(resolveAt(proc, fd, path, false, Rights.PATH_READLINK));
      if (node.type !== Filetype.SYMBOLIC_LINK) throw new SysError(Errno.INVAL);
      const target = Buffer.from(node.readlink());
      const n = Math.min(target.length, buf.length);
      buf.set(target.subarray(0, n));
      return n;
    },
  }),
  syscall({
    name: "path_remove_directory", module: WASI_MODULE, mayBlock: false, doc: "rmdir. ENOTEMPTY; ENOTDIR; ENOENT; EINVAL ('.'); EBUSY (a mount point); EROFS.",
    params: [["fd", P.fd], ["path", P.string]],
    handler(proc: Process, fd: number, path: string) {
      const r = resolveEntry(proc, fd, path, Rights.PATH_REMOVE_DIRECTORY);
      if (r.name === ".") throw new SysError(path.replace(/\/+$/, "").endsWith("..") ? Errno.NOTEMPTY : Errno.INVAL);
      const node = existing(r);
      if (node.type !== Filetype.DIRECTORY) throw new SysError(Errno.NOTDIR);
      writableDir(r);
      if (isMountPoint(proc, r)) throw new SysError(Errno.BUSY);
      r.parent.rmdir(r.name);
    },
  }),
  syscall({
    name: "path_rename", module: WASI_MODULE, mayBlock: false,
    doc: "rename(2). ENOENT; EISDIR/ENOTDIR (type mismatch); ENOTEMPTY; EINVAL (into itself); EXDEV; EROFS; EBUSY (either is a mount point).",
    params: [["fd", P.fd], ["old_path", P.string], ["new_fd", P.fd], ["new_path", P.string]],
    handler(proc: Process, fd: number, oldPath: string, newFd: number, newPath: string) {
      const from = resolveAt(proc, fd, oldPath, false, Rights.PATH_RENAME_SOURCE);
      const to = resolveAt(proc, newFd, newPath, false, Rights.PATH_RENAME_TARGET);
      const node = existing(from);
      if (from.name === "." || to.name === ".") throw new SysError(Errno.BUSY);
      if (isMountPoint(proc, from) || isMountPoint(proc, to)) throw new SysError(Errno.BUSY);
      if (node.type !== Filetype.DIRECTORY && (to.trailingSlash || from.trailingSlash)) throw new SysError(Errno.NOTDIR);
      if (node.type === Filetype.DIRECTORY && to.parentPath.some((v) => v.same(node))) throw new SysError(Errno.INVAL);
      writableDir(from);
      writableDir(to);
      if (from.parent.fs !== to.parent.fs) throw new SysError(Errno.XDEV);
      from.parent.rename(from.name, to.parent, to.name);
    },
  }),
  syscall({
    name: "path_symlink", module: WASI_MODULE, mayBlock: false,
    doc: "Creates a symlink holding old_path. EEXIST; ENOENT; EROFS; EPERM: an absolute old_path in the host container (a capability sandbox, as wasmtime).",
    params: [["old_path", P.string], ["fd", P.fd], ["new_path", P.string]],
    handler(proc: Process, oldPath: string, fd: number, newPath: string) {
      if (oldPath.includes("\0")) throw new SysError(Errno.INVAL);
      if (oldPath.length === 0) throw new SysError(Errno.NOENT);
      // wasmtime (cap-std) refuses these so that no program outside the sandbox is led out by one.
      if (oldPath.startsWith("/") && proc.container.capabilitySandbox) throw new SysError(Errno.PERM);
      const r = resolveAt(proc, fd, newPath, false, Rights.PATH_SYMLINK);
      if (r.node || r.name === ".") throw new SysError(Errno.EXIST);
      if (r.trailingSlash) throw new SysError(Errno.NOENT);
      writableDir(r);
      ownedBy(proc, r.parent.symlink(r.name, oldPath));
    },
  }),
  syscall({
    name: "path_unlink_file", module: WASI_MODULE, mayBlock: false, doc: "unlink(2). EISDIR (a directory); ENOTDIR (trailing slash on a file); ENOENT; EROFS.",
    params: [["fd", P.fd], ["path", P.string]],
    handler(proc: Process, fd: number, path: string) {
      const r = resolveEntry(proc, fd, path, Rights.PATH_UNLINK_FILE);
      const node = existing(r);
      if (node.type === Filetype.DIRECTORY || r.name === ".") throw new SysError(Errno.ISDIR);
      writableDir(r);
      r.parent.unlink(r.name);
    },
  }),
];
