// Constants and flag sets of wasi_snapshot_preview1 (typenames.witx), named as the spec names them.
// Shared by the ABI layer, the syscall handlers and the VFS.

export const enum Filetype {
  UNKNOWN = 0, BLOCK_DEVICE = 1, CHARACTER_DEVICE = 2, DIRECTORY = 3, REGULAR_FILE = 4,
  SOCKET_DGRAM = 5, SOCKET_STREAM = 6, SYMBOLIC_LINK = 7,
}

export const enum Whence { SET = 0, CUR = 1, END = 2 }

export const enum ClockId { REALTIME = 0, MONOTONIC = 1, PROCESS_CPUTIME = 2, THREAD_CPUTIME = 3 }

export const enum Advice { NORMAL = 0, SEQUENTIAL = 1, RANDOM = 2, WILLNEED = 3, DONTNEED = 4, NOREUSE = 5 }

export const FDFLAGS_APPEND = 1;
export const FDFLAGS_DSYNC = 2;
export const FDFLAGS_NONBLOCK = 4;
export const FDFLAGS_RSYNC = 8;
export const FDFLAGS_SYNC = 16;

export const OFLAGS_CREAT = 1;
export const OFLAGS_DIRECTORY = 2;
export const OFLAGS_EXCL = 4;
export const OFLAGS_TRUNC = 8;

export const LOOKUP_SYMLINK_FOLLOW = 1;

export const FSTFLAGS_ATIM = 1;
export const FSTFLAGS_ATIM_NOW = 2;
export const FSTFLAGS_MTIM = 4;
export const FSTFLAGS_MTIM_NOW = 8;

export const enum EventType { CLOCK = 0, FD_READ = 1, FD_WRITE = 2 }
export const SUBCLOCKFLAGS_ABSTIME = 1;
export const EVENTRWFLAGS_HANGUP = 1;

export const SDFLAGS_RD = 1;
export const SDFLAGS_WR = 2;

export const PREOPENTYPE_DIR = 0;

/** Rights bits (typenames.witx `rights`), as numbers: all 30 fit, and number masks are fast on every call. */
export const Rights = {
  FD_DATASYNC: 2 ** 0, FD_READ: 2 ** 1, FD_SEEK: 2 ** 2, FD_FDSTAT_SET_FLAGS: 2 ** 3,
  FD_SYNC: 2 ** 4, FD_TELL: 2 ** 5, FD_WRITE: 2 ** 6, FD_ADVISE: 2 ** 7,
  FD_ALLOCATE: 2 ** 8, PATH_CREATE_DIRECTORY: 2 ** 9, PATH_CREATE_FILE: 2 ** 10,
  PATH_LINK_SOURCE: 2 ** 11, PATH_LINK_TARGET: 2 ** 12, PATH_OPEN: 2 ** 13,
  FD_READDIR: 2 ** 14, PATH_READLINK: 2 ** 15, PATH_RENAME_SOURCE: 2 ** 16,
  PATH_RENAME_TARGET: 2 ** 17, PATH_FILESTAT_GET: 2 ** 18, PATH_FILESTAT_SET_SIZE: 2 ** 19,
  PATH_FILESTAT_SET_TIMES: 2 ** 20, FD_FILESTAT_GET: 2 ** 21, FD_FILESTAT_SET_SIZE: 2 ** 22,
  FD_FILESTAT_SET_TIMES: 2 ** 23, PATH_SYMLINK: 2 ** 24, PATH_REMOVE_DIRECTORY: 2 ** 25,
  PATH_UNLINK_FILE: 2 ** 26, POLL_FD_READWRITE: 2 ** 27, SOCK_SHUTDOWN: 2 ** 28,
  SOCK_ACCEPT: 2 ** 29,
} as const;

/** A bit no right has: set by the ABI layer when a guest passes rights bits beyond the known 30. */
export const RIGHTS_UNKNOWN = 2 ** 30;

/** Converts rights from the ABI's u64 (unknown bits become RIGHTS_UNKNOWN, so subset checks fail). */
export function rightsFromAbi(value: bigint): number {
  return Number(value & 0x3fffffffn) + (value >> 30n !== 0n ? RIGHTS_UNKNOWN : 0);
}

export const RIGHTS_ALL = 2 ** 30 - 1;

/** Rights that make sense on a regular file. */
export const RIGHTS_FILE =
  Rights.FD_DATASYNC | Rights.FD_READ | Rights.FD_SEEK | Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_SYNC |
  Rights.FD_TELL | Rights.FD_WRITE | Rights.FD_ADVISE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_GET |
  Rights.FD_FILESTAT_SET_SIZE | Rights.FD_FILESTAT_SET_TIMES | Rights.POLL_FD_READWRITE;

/** Rights that make sense on a directory. */
export const RIGHTS_DIR =
  Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_SYNC | Rights.FD_ADVISE | Rights.PATH_CREATE_DIRECTORY |
  Rights.PATH_CREATE_FILE | Rights.PATH_LINK_SOURCE | Rights.PATH_LINK_TARGET | Rights.PATH_OPEN |
  Rights.FD_READDIR | Rights.PATH_READLINK | Rights.PATH_RENAME_SOURCE | Rights.PATH_RENAME_TARGET |
  Rights.PATH_FILESTAT_GET | Rights.PATH_FILESTAT_SET_SIZE | Rights.PATH_FILESTAT_SET_TIMES |
  Rights.FD_FILESTAT_GET | Rights.FD_FILESTAT_SET_TIMES | Rights.PATH_SYMLINK |
  Rights.PATH_REMOVE_DIRECTORY | Rights.PATH_UNLINK_FILE | Rights.POLL_FD_READWRITE;

/** Rights of a stream (pipe end, terminal, character device): no seeking. */
export const RIGHTS_STREAM =
  Rights.FD_READ | Rights.FD_WRITE | Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_FILESTAT_GET |
  Rights.POLL_FD_READWRITE | Rights.FD_SYNC | Rights.FD_DATASYNC;

/** Rights of a seekable character device such as /dev/null or /dev/zero. */
export const RIGHTS_CHARDEV = RIGHTS_STREAM | Rights.FD_SEEK | Rights.FD_TELL | Rights.FD_ADVISE |
  Rights.FD_FILESTAT_SET_SIZE | Rights.FD_FILESTAT_SET_TIMES | Rights.FD_ALLOCATE;

/** A file's metadata as WASI's `filestat` carries it. */
export interface Filestat {
  dev: bigint;
  ino: bigint;
  filetype: Filetype;
  nlink: bigint;
  size: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
  /** Permission bits and owner, beyond WASI: for ls -l, stat and the image layers. */
  mode: number;
  uid: number;
  gid: number;
}
