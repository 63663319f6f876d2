// WASI preview1 error numbers and the kernel's single error channel (SysError).
// Deep code throws SysError; only the syscall dispatcher turns it into the guest's return value.

/**
 * wasi_snapshot_preview1 errno values (typenames.witx `errno`), both ways (Errno.BADF is 8, Errno[8] is
 * "BADF"), as a TypeScript enum has them. One object literal rather than an enum: tsc makes an enum
 * with 154 stores at load, the costliest module init of a CLI start (~0.13 ms); a literal is one copy.
 */
export const Errno = {
  SUCCESS: 0, TOOBIG: 1, ACCES: 2, ADDRINUSE: 3, ADDRNOTAVAIL: 4, AFNOSUPPORT: 5, AGAIN: 6, ALREADY: 7,
  BADF: 8, BADMSG: 9, BUSY: 10, CANCELED: 11, CHILD: 12, CONNABORTED: 13, CONNREFUSED: 14, CONNRESET: 15,
  DEADLK: 16, DESTADDRREQ: 17, DOM: 18, DQUOT: 19, EXIST: 20, FAULT: 21, FBIG: 22, HOSTUNREACH: 23, IDRM: 24,
  ILSEQ: 25, INPROGRESS: 26, INTR: 27, INVAL: 28, IO: 29, ISCONN: 30, ISDIR: 31, LOOP: 32, MFILE: 33,
  MLINK: 34, MSGSIZE: 35, MULTIHOP: 36, NAMETOOLONG: 37, NETDOWN: 38, NETRESET: 39, NETUNREACH: 40,
  NFILE: 41, NOBUFS: 42, NODEV: 43, NOENT: 44, NOEXEC: 45, NOLCK: 46, NOLINK: 47, NOMEM: 48, NOMSG: 49,
  NOPROTOOPT: 50, NOSPC: 51, NOSYS: 52, NOTCONN: 53, NOTDIR: 54, NOTEMPTY: 55, NOTRECOVERABLE: 56,
  NOTSOCK: 57, NOTSUP: 58, NOTTY: 59, NXIO: 60, OVERFLOW: 61, OWNERDEAD: 62, PERM: 63, PIPE: 64, PROTO: 65,
  PROTONOSUPPORT: 66, PROTOTYPE: 67, RANGE: 68, ROFS: 69, SPIPE: 70, SRCH: 71, STALE: 72, TIMEDOUT: 73,
  TXTBSY: 74, XDEV: 75, NOTCAPABLE: 76,
  0: "SUCCESS", 1: "TOOBIG", 2: "ACCES", 3: "ADDRINUSE", 4: "ADDRNOTAVAIL", 5: "AFNOSUPPORT", 6: "AGAIN",
  7: "ALREADY", 8: "BADF", 9: "BADMSG", 10: "BUSY", 11: "CANCELED", 12: "CHILD", 13: "CONNABORTED",
  14: "CONNREFUSED", 15: "CONNRESET", 16: "DEADLK", 17: "DESTADDRREQ", 18: "DOM", 19: "DQUOT", 20: "EXIST",
  21: "FAULT", 22: "FBIG", 23: "HOSTUNREACH", 24: "IDRM", 25: "ILSEQ", 26: "INPROGRESS", 27: "INTR",
  28: "INVAL", 29: "IO", 30: "ISCONN", 31: "ISDIR", 32: "LOOP", 33: "MFILE", 34: "MLINK", 35: "MSGSIZE",
  36: "MULTIHOP", 37: "NAMETOOLONG", 38: "NETDOWN", 39: "NETRESET", 40: "NETUNREACH", 41: "NFILE",
  42: "NOBUFS", 43: "NODEV", 44: "NOENT", 45: "NOEXEC", 46: "NOLCK", 47: "NOLINK", 48: "NOMEM", 49: "NOMSG",
  50: "NOPROTOOPT", 51: "NOSPC", 52: "NOSYS", 53: "NOTCONN", 54: "NOTDIR", 55: "NOTEMPTY",
  56: "NOTRECOVERABLE", 57: "NOTSOCK", 58: "NOTSUP", 59: "NOTTY", 60: "NXIO", 61: "OVERFLOW",
  62: "OWNERDEAD", 63: "PERM", 64: "PIPE", 65: "PROTO", 66: "PROTONOSUPPORT", 67: "PROTOTYPE", 68: "RANGE",
  69: "ROFS", 70: "SPIPE", 71: "SRCH", 72: "STALE", 73: "TIMEDOUT", 74: "TXTBSY", 75: "XDEV",
  76: "NOTCAPABLE",
} as const;
/** An errno value. */
export type Errno = Exclude<(typeof Errno)[keyof typeof Errno], string>;

/** The name of an errno ("BADF" for 8), as Errno[errno] gives for an Errno; undefined for a number that is none. */
export function nameOfErrno(errno: number): string | undefined {
  return (Errno as Readonly<Record<number, string>>)[errno];
}

/** An error a syscall reports to the guest as an errno. */
export class SysError extends Error {
  constructor(readonly errno: Errno, detail?: string) {
    super(detail ? `${Errno[errno]}: ${detail}` : Errno[errno]);
  }
}

const HOST_CODES: Record<string, Errno> = {
  EACCES: Errno.ACCES, EPERM: Errno.PERM, ENOENT: Errno.NOENT, EEXIST: Errno.EXIST,
  ENOTDIR: Errno.NOTDIR, EISDIR: Errno.ISDIR, ENOTEMPTY: Errno.NOTEMPTY, ELOOP: Errno.LOOP,
  EINVAL: Errno.INVAL, EBADF: Errno.BADF, EMFILE: Errno.MFILE, ENFILE: Errno.NFILE,
  ENOSPC: Errno.NOSPC, EROFS: Errno.ROFS, EXDEV: Errno.XDEV, ENAMETOOLONG: Errno.NAMETOOLONG,
  EFBIG: Errno.FBIG, EIO: Errno.IO, EBUSY: Errno.BUSY, ENOTSUP: Errno.NOTSUP,
  EOPNOTSUPP: Errno.NOTSUP, ESPIPE: Errno.SPIPE, EPIPE: Errno.PIPE, EAGAIN: Errno.AGAIN,
  EMLINK: Errno.MLINK, ETXTBSY: Errno.TXTBSY, EDQUOT: Errno.DQUOT, ENOMEM: Errno.NOMEM,
  ENXIO: Errno.NXIO, ENODEV: Errno.NODEV, EOVERFLOW: Errno.OVERFLOW,
};

/** Maps an error from node:fs (or anything else) to the errno the guest should see. */
export function errnoOf(error: unknown): Errno {
  if (error instanceof SysError) return error.errno;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code in HOST_CODES) return HOST_CODES[code];
  return Errno.IO;
}
