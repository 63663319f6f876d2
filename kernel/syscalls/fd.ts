// Syscalls on file descriptors (fd_*): rights check, argument checks, one call into the open file.
// Each handler lists the errnos it can return beyond EBADF (bad fd) and ENOTCAPABLE (missing right).
import { Errno, SysError } from "../errno.js";
import { P, R } from "../abi/types.js";
import type { Process } from "../proc/process.js";
import { Wait } from "../proc/wait.js";
import { SIGPIPE } from "../abi/wasmbox-abi.js";
import { DirectoryFile, type OpenFile } from "../vfs/open-file.js";
import {
  Advice, FDFLAGS_APPEND, FDFLAGS_DSYNC, FDFLAGS_NONBLOCK, FDFLAGS_RSYNC, FDFLAGS_SYNC, Filetype,
  FSTFLAGS_ATIM, FSTFLAGS_ATIM_NOW, FSTFLAGS_MTIM, FSTFLAGS_MTIM_NOW, Rights, rightsFromAbi, type Whence,
} from "../wasi.js";
import { nowNs } from "../vfs/vnode.js";
import { FDSTAT, FILESTAT, PRESTAT } from "./structs.js";
import { syscall, WASI_MODULE, type SyscallDef } from "./table.js";

const MAX_FILE_SIZE = Number.MAX_SAFE_INTEGER;
/** The same, as a bigint: compared with a 64-bit offset on every fd_pread and fd_pwrite, made once. */
const MAX_FILE_SIZE_BIG = BigInt(MAX_FILE_SIZE);

/** The time pair for *_set_times: EINVAL when a time is both given and "now". */
export function timesFor(atim: bigint, mtim: bigint, flags: number): [bigint | null, bigint | null] {
  if ((flags & FSTFLAGS_ATIM && flags & FSTFLAGS_ATIM_NOW) || (flags & FSTFLAGS_MTIM && flags & FSTFLAGS_MTIM_NOW)) {
    throw new SysError(Errno.INVAL);
  }
  if (flags & ~0xf) throw new SysError(Errno.INVAL);
  const now = nowNs();
  const a = flags & FSTFLAGS_ATIM_NOW ? now : flags & FSTFLAGS_ATIM ? atim : null;
  const m = flags & FSTFLAGS_MTIM_NOW ? now : flags & FSTFLAGS_MTIM ? mtim : null;
  return [a, m];
}

/** EROFS for a change to a regular file on a read-only filesystem or in a read-only-fs container. */
function checkWritable(proc: Process, file: OpenFile): void {
  if (file.filetype === Filetype.REGULAR_FILE && (file.vnode?.fs.readOnly || proc.container.readOnlyFs)) throw new SysError(Errno.ROFS);
}

/** Waits for the caller's container to save its changes, if it saves them anywhere (fsync); EIO when that save failed. */
function persisted(proc: Process): Wait | undefined {
  const saving = proc.container.onSync?.();
  if (!saving) return undefined;
  let failed = false;
  const saved = saving.then(() => undefined, () => void (failed = true));
  return new Wait(saved, () => {
    if (failed) throw new SysError(Errno.IO);
    return undefined;
  });
}

/** Writes, turning EPIPE into SIGPIPE for the writer as POSIX does. */
function writeOrSigpipe(proc: Process, file: OpenFile, bufs: Uint8Array[]): number | Wait {
  try {
    return file.write(bufs);
  } catch (e) {
    if (e instanceof SysError && e.errno === Errno.PIPE) proc.signal(SIGPIPE);
    throw e;
  }
}

export const fdSyscalls: SyscallDef[] = [
  syscall({
    name: "fd_advise", module: WASI_MODULE, mayBlock: false, doc: "Advice on an access pattern. EINVAL: bad advice or range; ESPIPE: not a file.",
    params: [["fd", P.fd], ["offset", P.u64], ["len", P.u64], ["advice", P.u32]],
    handler(proc: Process, fd: number, offset: bigint, len: bigint, advice: number) {
      const { file } = proc.fds.get(fd, Rights.FD_ADVISE);
      if (advice > Advice.NOREUSE) throw new SysError(Errno.INVAL);
      if (offset + len > 2n ** 63n) throw new SysError(Errno.INVAL);
      if (file.filetype === Filetype.DIRECTORY) throw new SysError(Errno.BADF);
      if (file.filetype !== Filetype.REGULAR_FILE && file.filetype !== Filetype.CHARACTER_DEVICE) throw new SysError(Errno.SPIPE);
    },
  }),
  syscall({
    name: "fd_allocate", module: WASI_MODULE, mayBlock: false, doc: "Makes sure [offset, offset+len) is allocated. EINVAL: len 0; EFBIG: too large; EROFS.",
    params: [["fd", P.fd], ["offset", P.u64], ["len", P.u64]],
    handler(proc: Process, fd: number, offset: bigint, len: bigint) {
      const { file } = proc.fds.get(fd, Rights.FD_ALLOCATE);
      if (len === 0n) throw new SysError(Errno.INVAL);
      if (offset + len > MAX_FILE_SIZE_BIG) throw new SysError(Errno.FBIG);
      if (file.filetype === Filetype.DIRECTORY) throw new SysError(Errno.BADF);
      checkWritable(proc, file);
      file.allocate(Number(offset), Number(len));
    },
  }),
  syscall({
    name: "fd_close", module: WASI_MODULE, mayBlock: false, doc: "Closes an fd.",
    params: [["fd", P.fd]],
    handler(proc: Process, fd: number) {
      proc.fds.close(fd);
    },
  }),
  syscall({
    name: "fd_datasync", module: WASI_MODULE, mayBlock: true, doc: "Flushes data; in a container, waits until its changes are saved. EIO: they could not be saved.",
    params: [["fd", P.fd]],
    handler(proc: Process, fd: number) {
      const { file } = proc.fds.get(fd, Rights.FD_DATASYNC);
      if (file.filetype === Filetype.DIRECTORY) throw new SysError(Errno.BADF);
      file.sync();
      return persisted(proc);
    },
  }),
  syscall({
    name: "fd_fdstat_get", module: WASI_MODULE, mayBlock: false, doc: "Type, flags and rights of an fd.",
    params: [["fd", P.fd]], result: FDSTAT,
    handler(proc: Process, fd: number) {
      const entry = proc.fds.get(fd);
      return { filetype: entry.file.filetype, flags: entry.file.flags, rightsBase: entry.rightsBase, rightsInheriting: entry.rightsInheriting };
    },
  }),
  syscall({
    name: "fd_fdstat_set_flags", module: WASI_MODULE, mayBlock: false, doc: "Sets APPEND/NONBLOCK/SYNC flags. EINVAL: unknown flags.",
    params: [["fd", P.fd], ["flags", P.flags]],
    handler(proc: Process, fd: number, flags: number) {
      const { file } = proc.fds.get(fd, Rights.FD_FDSTAT_SET_FLAGS);
      const known = FDFLAGS_APPEND | FDFLAGS_DSYNC | FDFLAGS_NONBLOCK | FDFLAGS_RSYNC | FDFLAGS_SYNC;
      if (flags & ~known) throw new SysError(Errno.INVAL);
      file.setFlags(flags);
    },
  }),
  syscall({
    name: "fd_fdstat_set_rights", module: WASI_MODULE, mayBlock: false, doc: "Drops rights; adding any gives ENOTCAPABLE.",
    params: [["fd", P.fd], ["base", P.rights], ["inheriting", P.rights]],
    handler(proc: Process, fd: number, baseAbi: bigint, inheritingAbi: bigint) {
      const entry = proc.fds.get(fd);
      const base = rightsFromAbi(baseAbi);
      const inheriting = rightsFromAbi(inheritingAbi);
      if ((base & ~entry.rightsBase) !== 0 || (inheriting & ~entry.rightsInheriting) !== 0) throw new SysError(Errno.NOTCAPABLE);
      proc.fds.setRights(fd, base, inheriting);
    },
  }),
  syscall({
    name: "fd_filestat_get", module: WASI_MODULE, mayBlock: false, doc: "Metadata of the file behind an fd.",
    params: [["fd", P.fd]], result: FILESTAT,
    handler(proc: Process, fd: number) {
      return proc.fds.get(fd, Rights.FD_FILESTAT_GET).file.stat();
    },
  }),
  syscall({
    name: "fd_filestat_set_size", module: WASI_MODULE, mayBlock: false, doc: "Truncates or extends. EINVAL: not a file; EFBIG; EROFS.",
    params: [["fd", P.fd], ["size", P.u64]],
    handler(proc: Process, fd: number, size: bigint) {
      const { file } = proc.fds.get(fd, Rights.FD_FILESTAT_SET_SIZE);
      if (size > MAX_FILE_SIZE_BIG) throw new SysError(Errno.FBIG);
      if (file.filetype === Filetype.DIRECTORY) throw new SysError(Errno.BADF);
      checkWritable(proc, file);
      file.setSize(Number(size));
    },
  }),
  syscall({
    name: "fd_filestat_set_times", module: WASI_MODULE, mayBlock: false, doc: "Sets atime/mtime (ns). EINVAL: a time both given and NOW.",
    params: [["fd", P.fd], ["atim", P.u64], ["mtim", P.u64], ["flags", P.flags]],
    handler(proc: Process, fd: number, atim: bigint, mtim: bigint, flags: number) {
      const { file } = proc.fds.get(fd, Rights.FD_FILESTAT_SET_TIMES);
      const [a, m] = timesFor(atim, mtim, flags);
      if (file.vnode?.fs.readOnly || proc.container.readOnlyFs) throw new SysError(Errno.ROFS);
      file.setTimes(a, m);
    },
  }),
  syscall({
    name: "fd_pread", module: WASI_MODULE, mayBlock: false, doc: "Reads at an offset, leaving the fd's offset alone. ESPIPE: not seekable; EISDIR.",
    params: [["fd", P.fd], ["iovs", P.iovecs], ["offset", P.offset]], result: R.u32,
    handler(proc: Process, fd: number, iovs: Uint8Array[], offset: number) {
      const { file } = proc.fds.get(fd, Rights.FD_READ | Rights.FD_SEEK);
      if (file.filetype === Filetype.DIRECTORY) throw new SysError(Errno.ISDIR);
      if (offset > MAX_FILE_SIZE) throw new SysError(Errno.INVAL);
      return file.pread(iovs, offset);
    },
  }),
  syscall({
    name: "fd_prestat_get", module: WASI_MODULE, mayBlock: false, doc: "Describes a preopened directory. EBADF: not a preopen.",
    params: [["fd", P.fd]], result: PRESTAT,
    handler(proc: Process, fd: number) {
      const entry = proc.fds.get(fd);
      if (entry.preopen === undefined) throw new SysError(Errno.BADF);
      return Buffer.byteLength(entry.preopen);
    },
  }),
  syscall({
    name: "fd_prestat_dir_name", module: WASI_MODULE, mayBlock: false, doc: "Name of a preopen. ENAMETOOLONG: buffer shorter than the name.",
    params: [["fd", P.fd], ["path", P.bytesOut]],
    handler(proc: Process, fd: number, path: Uint8Array) {
      const entry = proc.fds.get(fd);
      if (entry.preopen === undefined) throw new SysError(Errno.BADF);
      const name = Buffer.from(entry.preopen);
      if (path.length < name.length) throw new SysError(Errno.NAMETOOLONG);
      path.set(name);
    },
  }),
  syscall({
    name: "fd_pwrite", module: WASI_MODULE, mayBlock: false, doc: "Writes at an offset (appends on O_APPEND files, as Linux). ESPIPE; EISDIR; EROFS.",
    params: [["fd", P.fd], ["iovs", P.iovecs], ["offset", P.offset]], result: R.u32,
    handler(proc: Process, fd: number, iovs: Uint8Array[], offset: number) {
      const { file } = proc.fds.get(fd, Rights.FD_WRITE | Rights.FD_SEEK);
      if (file.filetype === Filetype.DIRECTORY) throw new SysError(Errno.ISDIR);
      if (offset > MAX_FILE_SIZE) throw new SysError(Errno.INVAL);
      checkWritable(proc, file);
      return file.pwrite(iovs, offset);
    },
  }),
  syscall({
    name: "fd_read", module: WASI_MODULE, mayBlock: true, doc: "Reads at the offset; blocks on empty pipes and terminals. EISDIR; EAGAIN (non-blocking); EINTR.",
    params: [["fd", P.fd], ["iovs", P.iovecs]], result: R.u32,
    handler(proc: Process, fd: number, iovs: Uint8Array[]) {
      const { file } = proc.fds.get(fd, Rights.FD_READ);
      if (file.filetype === Filetype.DIRECTORY) throw new SysError(Errno.ISDIR);
      return file.read(iovs);
    },
  }),
  syscall({
    name: "fd_readdir", module: WASI_MODULE, mayBlock: false, doc: "Directory entries from a cookie; the last may be cut short. ENOTDIR.",
    params: [["fd", P.fd], ["buf", P.bytesOut], ["cookie", P.u64]], result: R.u32,
    handler(proc: Process, fd: number, buf: Uint8Array, cookie: bigint) {
      const { file } = proc.fds.get(fd, Rights.FD_READDIR);
      if (!(file instanceof DirectoryFile)) throw new SysError(Errno.NOTDIR);
      const entries = file.readdir(cookie);
      // Records go straight into the guest's buffer: no host copy as large as whatever it passed.
      const out = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
      let used = 0;
      let next = cookie;
      for (const entry of entries) {
        if (used >= out.length) break;
        next++;
        const name = Buffer.from(entry.name);
        const header = Buffer.alloc(24);
        header.writeBigUInt64LE(next, 0);
        header.writeBigUInt64LE(entry.ino, 8);
        header.writeUInt32LE(name.length, 16);
        header.writeUInt8(entry.type, 20);
        const record = Buffer.concat([header, name]);
        const n = Math.min(record.length, out.length - used);
        record.copy(out, used, 0, n);
        used += n;
      }
      return used;
    },
  }),
  syscall({
    name: "fd_renumber", module: WASI_MODULE, mayBlock: false, doc: "Moves fd `from` onto `to` (which must be open), closing what `to` was.",
    params: [["from", P.fd], ["to", P.fd]],
    handler(proc: Process, from: number, to: number) {
      proc.fds.get(from);
      proc.fds.get(to);
      if (from === to) return;
      proc.fds.put(to, proc.fds.take(from));
    },
  }),
  syscall({
    name: "fd_seek", module: WASI_MODULE, mayBlock: false, doc: "Moves the offset. EINVAL: bad whence or negative result; ESPIPE: pipe or terminal.",
    params: [["fd", P.fd], ["offset", P.s64], ["whence", P.u32]], result: R.u64,
    handler(proc: Process, fd: number, offset: bigint, whence: number) {
      const rights = offset === 0n && whence === 1 ? Rights.FD_TELL : Rights.FD_SEEK;
      const { file } = proc.fds.get(fd, rights);
      if (whence > 2) throw new SysError(Errno.INVAL);
      if (file.filetype === Filetype.DIRECTORY) throw new SysError(Errno.BADF);
      return file.seek(offset, whence as Whence);
    },
  }),
  syscall({
    name: "fd_sync", module: WASI_MODULE, mayBlock: true, doc: "Flushes data and metadata; in a container, waits until its changes are saved. EIO: they could not be saved.",
    params: [["fd", P.fd]],
    handler(proc: Process, fd: number) {
      proc.fds.get(fd, Rights.FD_SYNC).file.sync();
      return persisted(proc);
    },
  }),
  syscall({
    name: "fd_tell", module: WASI_MODULE, mayBlock: false, doc: "The current offset (the end of the file after an O_APPEND write). ESPIPE.",
    params: [["fd", P.fd]], result: R.u64,
    handler(proc: Process, fd: number) {
      const { file } = proc.fds.get(fd, Rights.FD_TELL);
      if (file.filetype === Filetype.DIRECTORY) throw new SysError(Errno.BADF);
      return file.tell();
    },
  }),
  syscall({
    name: "fd_write", module: WASI_MODULE, mayBlock: true, doc: "Writes at the offset (at the end with O_APPEND); blocks on full pipes. EPIPE (+SIGPIPE); EAGAIN; EROFS (also a regular file in a read-only-fs container).",
    params: [["fd", P.fd], ["iovs", P.iovecs]], result: R.u32,
    handler(proc: Process, fd: number, iovs: Uint8Array[]) {
      const { file } = proc.fds.get(fd, Rights.FD_WRITE);
      if (file.filetype === Filetype.DIRECTORY) throw new SysError(Errno.ISDIR);
      checkWritable(proc, file);
      return writeOrSigpipe(proc, file, iovs);
    },
  }),
];
