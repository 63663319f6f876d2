// WASI errno numbers and their messages, worded as GNU libc's strerror prints them,
// so that programs can say "cat: missing: No such file or directory".

export const ESUCCESS = 0;
export const E2BIG = 1;
export const EACCES = 2;
export const EAGAIN = 6;
export const EBADF = 8;
export const ECHILD = 12;
export const EEXIST = 20;
export const EINTR = 27;
export const EINVAL = 28;
export const EISDIR = 31;
export const ELOOP = 32;
export const ENOENT = 44;
export const ENOEXEC = 45;
export const ENOSYS = 52;
export const ENOTDIR = 54;
export const ENOTEMPTY = 55;
export const ENOTSUP = 58;
export const ENOTTY = 59;
export const EPERM = 63;
export const EPIPE = 64;
export const ESRCH = 71;
export const EXDEV = 75;
export const ENOTCAPABLE = 76;

const MESSAGES: string[] = [
  "Success", "Argument list too long", "Permission denied", "Address already in use",
  "Cannot assign requested address", "Address family not supported by protocol",
  "Resource temporarily unavailable", "Operation already in progress", "Bad file descriptor",
  "Bad message", "Device or resource busy", "Operation canceled", "No child processes",
  "Software caused connection abort", "Connection refused", "Connection reset by peer",
  "Resource deadlock avoided", "Destination address required", "Numerical argument out of domain",
  "Disk quota exceeded", "File exists", "Bad address", "File too large", "No route to host",
  "Identifier removed", "Invalid or incomplete multibyte or wide character",
  "Operation now in progress", "Interrupted system call", "Invalid argument", "Input/output error",
  "Transport endpoint is already connected", "Is a directory", "Too many levels of symbolic links",
  "Too many open files", "Too many links", "Message too long", "Multihop attempted",
  "File name too long", "Network is down", "Network dropped connection on reset",
  "Network is unreachable", "Too many open files in system", "No buffer space available",
  "No such device", "No such file or directory", "Exec format error", "No locks available",
  "Link has been severed", "Cannot allocate memory", "No message of desired type",
  "Protocol not available", "No space left on device", "Function not implemented",
  "Transport endpoint is not connected", "Not a directory", "Directory not empty",
  "State not recoverable", "Socket operation on non-socket", "Operation not supported",
  "Inappropriate ioctl for device", "No such device or address",
  "Value too large for defined data type", "Owner died", "Operation not permitted", "Broken pipe", "Protocol error",
  "Protocol not supported", "Protocol wrong type for socket",
  "Numerical result out of range", "Read-only file system", "Illegal seek", "No such process",
  "Stale file handle", "Connection timed out", "Text file busy", "Invalid cross-device link",
  "Capabilities insufficient",
];

/** The message for a WASI errno, as strerror(3) words it. */
export function strerror(errno: i32): string {
  if (errno >= 0 && errno < MESSAGES.length) return MESSAGES[errno];
  return "Unknown error " + errno.toString();
}
