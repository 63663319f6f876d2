// The ABI's size limits: how large an array, string or buffer a guest may hand the kernel in one call.
// Checked in the decoding layer (abi/types.ts, abi/memory.ts) before any host array or string is built.

/** The most iovecs in one read or write, as POSIX's IOV_MAX (Linux's UIO_MAXIOV): more is EINVAL. */
export const IOV_MAX = 1024;
/** The longest path accepted, in bytes, as Linux's PATH_MAX: longer is ENAMETOOLONG. */
export const PATH_MAX = 4096;
/** The most bytes of argv plus environment one proc_spawn may pass, as Linux's ARG_MAX: more is E2BIG. */
export const ARG_MAX = 2 * 1024 * 1024;
/** The most (u32, u32) pairs one call may pass (proc_spawn's fdmap): more is EINVAL. */
export const PAIRS_MAX = 65536;
