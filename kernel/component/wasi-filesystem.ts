// wasi:filesystem (types, preopens) for components over the kernel's VFS: a descriptor is an fd
// of the process, so mounts, rights, the overlay and the fd limit are those of its preview1 view.
import { Errno } from "../errno.js";
import { DirectoryFile } from "../vfs/open-file.js";
import {
  Filetype, FDFLAGS_DSYNC, FDFLAGS_RSYNC, FDFLAGS_SYNC, FSTFLAGS_ATIM, FSTFLAGS_ATIM_NOW, FSTFLAGS_MTIM, FSTFLAGS_MTIM_NOW,
  LOOKUP_SYMLINK_FOLLOW, OFLAGS_CREAT, OFLAGS_DIRECTORY, OFLAGS_EXCL, OFLAGS_TRUNC, Rights, type Filestat,
} from "../wasi.js";
import { HostContext, KernelCallError, kernelError } from "./host-context.js";
import { DISPOSE, InputStream, IoError, OutputStream } from "./wasi-io.js";

export type DescriptorType = "unknown" | "block-device" | "character-device" | "directory" | "fifo" | "symbolic-link" | "regular-file" | "socket";
export type ErrorCode =
  | "access" | "would-block" | "already" | "bad-descriptor" | "busy" | "deadlock" | "quota" | "exist" | "file-too-large"
  | "illegal-byte-sequence" | "in-progress" | "interrupted" | "invalid" | "io" | "is-directory" | "loop" | "too-many-links"
  | "message-size" | "name-too-long" | "no-device" | "no-entry" | "no-lock" | "insufficient-memory" | "insufficient-space"
  | "not-directory" | "not-empty" | "not-recoverable" | "unsupported" | "no-tty" | "no-such-device" | "overflow"
  | "not-permitted" | "pipe" | "read-only" | "invalid-seek" | "text-file-busy" | "cross-device";
export interface Datetime { seconds: bigint; nanoseconds: number }
export type NewTimestamp = { tag: "no-change" } | { tag: "now" } | { tag: "timestamp"; val: Datetime };
export interface DescriptorFlags { read?: boolean; write?: boolean; fileIntegritySync?: boolean; dataIntegritySync?: boolean; requestedWriteSync?: boolean; mutateDirectory?: boolean }
export interface PathFlags { symlinkFollow?: boolean }
export interface OpenFlags { create?: boolean; directory?: boolean; exclusive?: boolean; truncate?: boolean }
export interface DescriptorStat { type: DescriptorType; linkCount: bigint; size: bigint; dataAccessTimestamp?: Datetime; dataModificationTimestamp?: Datetime; statusChangeTimestamp?: Datetime }
const ADVICE = ["normal", "sequential", "random", "will-need", "dont-need", "no-reuse"] as const;

/** errno -> wasi:filesystem error-code (the inverse of wasmtime's preview1 adapter's mapping). */
const ERROR_CODES: Partial<Record<Errno, ErrorCode>> = {
  [Errno.ACCES]: "access", [Errno.AGAIN]: "would-block", [Errno.ALREADY]: "already", [Errno.BADF]: "bad-descriptor",
  [Errno.BUSY]: "busy", [Errno.DEADLK]: "deadlock", [Errno.DQUOT]: "quota", [Errno.EXIST]: "exist", [Errno.FBIG]: "file-too-large",
  [Errno.ILSEQ]: "illegal-byte-sequence", [Errno.INPROGRESS]: "in-progress", [Errno.INTR]: "interrupted", [Errno.INVAL]: "invalid",
  [Errno.IO]: "io", [Errno.ISDIR]: "is-directory", [Errno.LOOP]: "loop", [Errno.MLINK]: "too-many-links", [Errno.MSGSIZE]: "message-size",
  [Errno.NAMETOOLONG]: "name-too-long", [Errno.NODEV]: "no-device", [Errno.NOENT]: "no-entry", [Errno.NOLCK]: "no-lock",
  [Errno.NOMEM]: "insufficient-memory", [Errno.NOSPC]: "insufficient-space", [Errno.NOTDIR]: "not-directory",
  [Errno.NOTEMPTY]: "not-empty", [Errno.NOTRECOVERABLE]: "not-recoverable", [Errno.NOTSUP]: "unsupported", [Errno.NOSYS]: "unsupported",
  [Errno.NOTTY]: "no-tty", [Errno.NXIO]: "no-such-device", [Errno.OVERFLOW]: "overflow", [Errno.PERM]: "not-permitted",
  [Errno.PIPE]: "pipe", [Errno.ROFS]: "read-only", [Errno.SPIPE]: "invalid-seek", [Errno.TXTBSY]: "text-file-busy",
  [Errno.XDEV]: "cross-device", [Errno.NOTCAPABLE]: "not-permitted", [Errno.MFILE]: "insufficient-memory", [Errno.NFILE]: "insufficient-memory",
};

/** The error-code a failed kernel call gives (thrown as is: jco lowers a thrown non-Error as the result's error). */
function errorCode(e: unknown): ErrorCode {
  return ERROR_CODES[kernelError(e).errno] ?? "io";
}

/** Runs a kernel call, turning its failure into a thrown error-code. */
function fs<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw errorCode(e);
  }
}

/** wasi:filesystem/types.filesystem-error-code: the error-code inside a stream's error, if it has one. */
export function filesystemErrorCode(err: IoError): ErrorCode | undefined {
  return err.cause instanceof KernelCallError ? ERROR_CODES[err.cause.errno] : undefined;
}

function descriptorType(type: Filetype): DescriptorType {
  switch (type) {
    case Filetype.BLOCK_DEVICE: return "block-device";
    case Filetype.CHARACTER_DEVICE: return "character-device";
    case Filetype.DIRECTORY: return "directory";
    case Filetype.REGULAR_FILE: return "regular-file";
    case Filetype.SOCKET_DGRAM: case Filetype.SOCKET_STREAM: return "socket";
    case Filetype.SYMBOLIC_LINK: return "symbolic-link";
    default: return "unknown";
  }
}

const datetime = (ns: bigint): Datetime => ({ seconds: ns / 1_000_000_000n, nanoseconds: Number(ns % 1_000_000_000n) });

function descriptorStat(stat: Filestat): DescriptorStat {
  return {
    type: descriptorType(stat.filetype), linkCount: stat.nlink, size: stat.size,
    dataAccessTimestamp: datetime(stat.atim), dataModificationTimestamp: datetime(stat.mtim), statusChangeTimestamp: datetime(stat.ctim),
  };
}

/** A pair of new-timestamps as *_set_times takes them: atim, mtim, fst_flags. */
function timesOf(access: NewTimestamp, modification: NewTimestamp): [bigint, bigint, number] {
  const ns = (t: NewTimestamp) => (t.tag === "timestamp" ? t.val.seconds * 1_000_000_000n + BigInt(t.val.nanoseconds) : 0n);
  const flag = (t: NewTimestamp, set: number, now: number) => (t.tag === "timestamp" ? set : t.tag === "now" ? now : 0);
  return [ns(access), ns(modification), flag(access, FSTFLAGS_ATIM, FSTFLAGS_ATIM_NOW) | flag(modification, FSTFLAGS_MTIM, FSTFLAGS_MTIM_NOW)];
}

const lookupFlags = (flags: PathFlags) => (flags.symlinkFollow ? LOOKUP_SYMLINK_FOLLOW : 0);

/** Rights every descriptor has; those that reading, writing and changing a directory add. */
const RIGHTS_ANY = Rights.FD_FILESTAT_GET | Rights.FD_SEEK | Rights.FD_TELL | Rights.FD_ADVISE | Rights.POLL_FD_READWRITE |
  Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_SYNC | Rights.FD_DATASYNC;
const RIGHTS_READ = Rights.FD_READ | Rights.FD_READDIR | Rights.PATH_OPEN | Rights.PATH_FILESTAT_GET | Rights.PATH_READLINK;
const RIGHTS_WRITE = Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE | Rights.FD_FILESTAT_SET_TIMES | Rights.FD_SYNC | Rights.FD_DATASYNC;
const RIGHTS_MUTATE = Rights.PATH_CREATE_DIRECTORY | Rights.PATH_CREATE_FILE | Rights.PATH_LINK_SOURCE | Rights.PATH_LINK_TARGET |
  Rights.PATH_RENAME_SOURCE | Rights.PATH_RENAME_TARGET | Rights.PATH_SYMLINK | Rights.PATH_REMOVE_DIRECTORY | Rights.PATH_UNLINK_FILE |
  Rights.PATH_FILESTAT_SET_SIZE | Rights.PATH_FILESTAT_SET_TIMES | Rights.FD_FILESTAT_SET_TIMES;

/** wasi:filesystem/types.descriptor: an fd of the process. `owned`: dropping it closes the fd (not a preopen's). */
export class Descriptor {
  constructor(private readonly host: HostContext, readonly fd: number, private readonly owned: boolean) {}

  private call(name: string, ...args: unknown[]): unknown {
    return fs(() => this.host.call(name, this.fd, ...args));
  }

  readViaStream(offset: bigint): InputStream {
    fs(() => this.host.proc.fds.get(this.fd, Rights.FD_READ));
    return new InputStream(this.host, this.fd, offset);
  }

  writeViaStream(offset: bigint): OutputStream {
    fs(() => this.host.proc.fds.get(this.fd, Rights.FD_WRITE));
    return new OutputStream(this.host, this.fd, offset);
  }

  appendViaStream(): OutputStream {
    fs(() => this.host.proc.fds.get(this.fd, Rights.FD_WRITE));
    return new OutputStream(this.host, this.fd, "append");
  }

  advise(offset: bigint, length: bigint, advice: (typeof ADVICE)[number]): void {
    this.call("fd_advise", offset, length, ADVICE.indexOf(advice));
  }

  syncData(): void | Promise<void> {
    return this.host.wait("descriptor.sync-data", "other", () => this.call("fd_datasync") as undefined);
  }

  sync(): void | Promise<void> {
    return this.host.wait("descriptor.sync", "other", () => this.call("fd_sync") as undefined);
  }

  getFlags(): DescriptorFlags {
    const entry = fs(() => this.host.proc.fds.get(this.fd));
    const flags = entry.file.flags;
    return {
      read: (entry.rightsBase & (Rights.FD_READ | Rights.FD_READDIR)) !== 0,
      write: (entry.rightsBase & Rights.FD_WRITE) !== 0,
      mutateDirectory: entry.file instanceof DirectoryFile && (entry.rightsBase & Rights.PATH_CREATE_FILE) !== 0,
      fileIntegritySync: (flags & FDFLAGS_SYNC) !== 0,
      dataIntegritySync: (flags & FDFLAGS_DSYNC) !== 0,
      requestedWriteSync: (flags & FDFLAGS_RSYNC) !== 0,
    };
  }

  getType(): DescriptorType {
    return descriptorType(fs(() => this.host.proc.fds.get(this.fd)).file.filetype);
  }

  setSize(size: bigint): void {
    this.call("fd_filestat_set_size", size);
  }

  setTimes(access: NewTimestamp, modification: NewTimestamp): void {
    this.call("fd_filestat_set_times", ...timesOf(access, modification));
  }

  read(length: bigint, offset: bigint): [Uint8Array, boolean] {
    const buf = new Uint8Array(Math.min(Number(length), 16 * 1024 * 1024));
    // The kernel takes file offsets as Numbers (one past 2^53 - 1 is EINVAL there).
    const n = this.call("fd_pread", [buf], Number(offset)) as number;
    return [buf.subarray(0, n), n < buf.length || buf.length === 0];
  }

  write(buffer: Uint8Array, offset: bigint): bigint {
    return BigInt(this.call("fd_pwrite", [buffer], Number(offset)) as number);
  }

  readDirectory(): DirectoryEntryStream {
    const { file } = fs(() => this.host.proc.fds.get(this.fd, Rights.FD_READDIR));
    if (!(file instanceof DirectoryFile)) throw "not-directory" satisfies ErrorCode;
    const entries = fs(() => file.readdir(0n)).filter((e) => e.name !== "." && e.name !== "..");
    return new DirectoryEntryStream(entries.map((e) => ({ type: descriptorType(e.type), name: e.name })));
  }

  createDirectoryAt(path: string): void {
    this.call("path_create_directory", path);
  }

  stat(): DescriptorStat {
    return descriptorStat(this.call("fd_filestat_get") as Filestat);
  }

  statAt(flags: PathFlags, path: string): DescriptorStat {
    return descriptorStat(this.call("path_filestat_get", lookupFlags(flags), path) as Filestat);
  }

  setTimesAt(flags: PathFlags, path: string, access: NewTimestamp, modification: NewTimestamp): void {
    this.call("path_filestat_set_times", lookupFlags(flags), path, ...timesOf(access, modification));
  }

  linkAt(oldFlags: PathFlags, oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    this.call("path_link", lookupFlags(oldFlags), oldPath, newDescriptor.fd, newPath);
  }

  openAt(pathFlags: PathFlags, path: string, openFlags: OpenFlags, flags: DescriptorFlags): Descriptor {
    const entry = fs(() => this.host.proc.fds.get(this.fd));
    const allowed = entry.rightsInheriting;
    // WASI 0.2 asks for read and write; the kernel's rights are finer: each brings its group,
    // limited to what this directory passes on (asking for what it does not pass on is EACCES). As in
    // wasmtime, a directory opened inside another may change what that one may change.
    if ((flags.write && (allowed & Rights.FD_WRITE) === 0) || (flags.mutateDirectory && (allowed & Rights.PATH_CREATE_FILE) === 0)) {
      throw "access" satisfies ErrorCode;
    }
    let rights = RIGHTS_ANY | RIGHTS_READ | RIGHTS_MUTATE;
    if (flags.write) rights |= RIGHTS_WRITE;
    rights &= allowed;
    const oflags = (openFlags.create ? OFLAGS_CREAT : 0) | (openFlags.directory ? OFLAGS_DIRECTORY : 0) |
      (openFlags.exclusive ? OFLAGS_EXCL : 0) | (openFlags.truncate ? OFLAGS_TRUNC : 0);
    const fdflags = (flags.fileIntegritySync ? FDFLAGS_SYNC : 0) | (flags.dataIntegritySync ? FDFLAGS_DSYNC : 0) | (flags.requestedWriteSync ? FDFLAGS_RSYNC : 0);
    // What a directory passes on stays what this one passes on: a file opened inside it may ask anew.
    const fd = this.host.track(this.call("path_open", lookupFlags(pathFlags), path, oflags, BigInt(rights), BigInt(allowed), fdflags) as number);
    // What only a directory may do goes from anything else (a file's times change only if it is open for writing).
    const opened = this.host.proc.fds.get(fd);
    if (!(opened.file instanceof DirectoryFile)) {
      const keep = ~RIGHTS_MUTATE | (flags.write ? Rights.FD_FILESTAT_SET_TIMES : 0);
      fs(() => this.host.call("fd_fdstat_set_rights", fd, BigInt(opened.rightsBase & keep), BigInt(opened.rightsInheriting)));
    }
    return new Descriptor(this.host, fd, true);
  }

  readlinkAt(path: string): string {
    const buf = new Uint8Array(64 * 1024);
    const n = this.call("path_readlink", path, buf) as number;
    return Buffer.from(buf.subarray(0, n)).toString("utf8");
  }

  removeDirectoryAt(path: string): void {
    this.call("path_remove_directory", path);
  }

  renameAt(oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    this.call("path_rename", oldPath, newDescriptor.fd, newPath);
  }

  symlinkAt(oldPath: string, newPath: string): void {
    fs(() => this.host.call("path_symlink", oldPath, this.fd, newPath));
  }

  unlinkFileAt(path: string): void {
    this.call("path_unlink_file", path);
  }

  isSameObject(other: Descriptor): boolean {
    const ours = this.call("fd_filestat_get") as Filestat;
    const theirs = fs(() => other.host.call("fd_filestat_get", other.fd)) as Filestat;
    return ours.dev === theirs.dev && ours.ino === theirs.ino;
  }

  metadataHash(): { lower: bigint; upper: bigint } {
    const stat = this.call("fd_filestat_get") as Filestat;
    return { lower: stat.ino, upper: stat.dev };
  }

  metadataHashAt(flags: PathFlags, path: string): { lower: bigint; upper: bigint } {
    const stat = this.call("path_filestat_get", lookupFlags(flags), path) as Filestat;
    return { lower: stat.ino, upper: stat.dev };
  }

  [DISPOSE](): void {
    if (this.owned && this.host.proc.fds.has(this.fd)) this.host.proc.fds.close(this.fd);
  }
}

/** wasi:filesystem/types.directory-entry-stream: the entries read when it was made, one at a time. */
export class DirectoryEntryStream {
  private next = 0;

  constructor(private readonly entries: ReadonlyArray<{ type: DescriptorType; name: string }>) {}

  readDirectoryEntry(): { type: DescriptorType; name: string } | undefined {
    return this.entries[this.next++];
  }
}

/** wasi:filesystem/preopens.get-directories: the process's preopened fds, in fd order, with their names. */
export function preopenedDirectories(host: HostContext): Array<[Descriptor, string]> {
  const dirs: Array<[Descriptor, string]> = [];
  for (const [fd, entry] of host.proc.fds.entries()) {
    if (entry.preopen !== undefined) dirs.push([new Descriptor(host, fd, false), entry.preopen]);
  }
  return dirs.sort((a, b) => a[0].fd - b[0].fd);
}
