// Shared helpers for the WASI conformance guests: printing one exact line per check, errno names,
// constants from typenames.witx, and small file-system helpers that stop the guest on setup failure.
import * as w from "../../../userland/lib/wasi";

// ---- constants (typenames.witx) ----
export const FOLLOW: u32 = 1; // lookupflags.symlink_follow
export const NOFOLLOW: u32 = 0;
export const O_CREAT: u32 = 1;
export const O_DIRECTORY: u32 = 2;
export const O_EXCL: u32 = 4;
export const O_TRUNC: u32 = 8;
export const FDFLAG_APPEND: u32 = 1;
export const FDFLAG_NONBLOCK: u32 = 4;
export const WHENCE_SET: u32 = 0;
export const WHENCE_CUR: u32 = 1;
export const WHENCE_END: u32 = 2;
export const FST_ATIM: u32 = 1;
export const FST_ATIM_NOW: u32 = 2;
export const FST_MTIM: u32 = 4;
export const FST_MTIM_NOW: u32 = 8;
export const FILETYPE_NAMES: string[] = ["unknown", "block_device", "character_device", "directory",
  "regular_file", "socket_dgram", "socket_stream", "symbolic_link"];

export const R_FD_DATASYNC: u64 = 1 << 0;
export const R_FD_READ: u64 = 1 << 1;
export const R_FD_SEEK: u64 = 1 << 2;
export const R_FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
export const R_FD_SYNC: u64 = 1 << 4;
export const R_FD_TELL: u64 = 1 << 5;
export const R_FD_WRITE: u64 = 1 << 6;
export const R_FD_ADVISE: u64 = 1 << 7;
export const R_FD_ALLOCATE: u64 = 1 << 8;
export const R_PATH_CREATE_DIRECTORY: u64 = 1 << 9;
export const R_PATH_CREATE_FILE: u64 = 1 << 10;
export const R_PATH_OPEN: u64 = 1 << 13;
export const R_FD_READDIR: u64 = 1 << 14;
export const R_PATH_FILESTAT_GET: u64 = 1 << 18;
export const R_FD_FILESTAT_GET: u64 = 1 << 21;
export const R_FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
export const RIGHTS_ALL: u64 = (1 << 30) - 1;

export const ERRNO_NAMES: string[] = ["success", "2big", "acces", "addrinuse", "addrnotavail",
  "afnosupport", "again", "already", "badf", "badmsg", "busy", "canceled", "child", "connaborted",
  "connrefused", "connreset", "deadlk", "destaddrreq", "dom", "dquot", "exist", "fault", "fbig",
  "hostunreach", "idrm", "ilseq", "inprogress", "intr", "inval", "io", "isconn", "isdir", "loop",
  "mfile", "mlink", "msgsize", "multihop", "nametoolong", "netdown", "netreset", "netunreach",
  "nfile", "nobufs", "nodev", "noent", "noexec", "nolck", "nolink", "nomem", "nomsg",
  "noprotoopt", "nospc", "nosys", "notconn", "notdir", "notempty", "notrecoverable", "notsock",
  "notsup", "notty", "nxio", "overflow", "ownerdead", "perm", "pipe", "proto", "protonosupport",
  "prototype", "range", "rofs", "spipe", "srch", "stale", "timedout", "txtbsy", "xdev",
  "notcapable"];
export const EBADF: u32 = 8;
export const EPERM: u32 = 63;
export const ENOTCAPABLE: u32 = 76;

// ---- scratch memory for out-parameters (guests are single-threaded) ----
/** 64 bytes for one call's out-values; read with u32At/u64At right after the call. */
export const OUT: usize = memory.data(64);
/** A filestat or fdstat record (64 bytes). */
export const STAT: usize = memory.data(64);
const IOV: usize = memory.data(16);
let outFd: u32 = 1;

// ---- output ----
/** Sends later lines to another fd (used after fd_renumber moves stdout). */
export function setOutFd(fd: u32): void { outFd = fd; }

/** Writes one line to the output fd. */
export function say(line: string): void {
  const bytes = String.UTF8.encode(line + "\n");
  store<usize>(IOV, changetype<usize>(bytes));
  store<usize>(IOV, <usize>bytes.byteLength, 4);
  w.fd_write(outFd, IOV, 1, IOV + 8);
}

/** "ok" for success, else `errno N (name)`. */
export function res(e: u32): string {
  if (e == 0) return "ok";
  const name = e < <u32>ERRNO_NAMES.length ? ERRNO_NAMES[e] : "?";
  return "errno " + e.toString() + " (" + name + ")";
}

/** Prints `label -> ok` or `label -> errno N (name)`. */
export function show(label: string, e: u32): void { say(label + " -> " + res(e)); }

/**
 * Escaping a sandbox: the spec leaves the errno open (wasmtime gives EPERM, older runtimes and
 * uvwasi ENOTCAPABLE), so both print as "refused"; anything else prints as-is.
 */
export function refusal(e: u32): string {
  return e == EPERM || e == ENOTCAPABLE ? "refused" : res(e);
}

/** Setup step that must succeed; otherwise prints and exits 99 so the mismatch is obvious. */
export function must(label: string, e: u32): void {
  if (e != 0) {
    say("SETUP FAILED " + label + " -> " + res(e));
    w.proc_exit(99);
  }
}

/** A quoted, escaped rendering of bytes (printable ASCII as-is, the rest as \xNN). */
export function quote(ptr: usize, len: usize): string {
  let s = "\"";
  for (let i: usize = 0; i < len; i++) {
    const c = load<u8>(ptr + i);
    if (c >= 0x20 && c < 0x7f && c != 0x22 && c != 0x5c) s += String.fromCharCode(c);
    else s += "\\x" + (c < 16 ? "0" : "") + c.toString(16);
  }
  return s + "\"";
}

/** Quotes a string's UTF-8 bytes. */
export function q(s: string): string {
  const b = String.UTF8.encode(s);
  return quote(changetype<usize>(b), b.byteLength);
}

export function yesno(b: bool): string { return b ? "yes" : "no"; }

// ---- byte strings ----
/** A string's UTF-8 bytes in guest memory (no NUL terminator). */
export class Bytes {
  constructor(public ptr: usize, public len: usize) {}
}
export function bytes(s: string): Bytes {
  const b = String.UTF8.encode(s);
  return new Bytes(changetype<usize>(b), <usize>b.byteLength);
}
export function u32At(p: usize): u32 { return load<u32>(p); }
export function u64At(p: usize): u64 { return load<u64>(p); }

// ---- wrappers taking strings ----
/** path_open; on success the fd is at OUT. */
export function openRaw(dir: u32, path: string, oflags: u32 = 0, lookup: u32 = FOLLOW,
                        base: u64 = RIGHTS_ALL, inheriting: u64 = RIGHTS_ALL, fdflags: u32 = 0): u32 {
  const p = bytes(path);
  return w.path_open(dir, lookup, p.ptr, p.len, oflags, base, inheriting, fdflags, OUT);
}
/** The inheriting rights of a directory fd (what wasi-libc masks its requests with). */
export function inheritable(dir: u32): u64 {
  must("fdstat of dir", w.fd_fdstat_get(dir, OUT));
  return load<u64>(OUT, 16);
}
/** Opens or stops the guest; returns the fd. */
/** Rights wasi-libc leaves out when it opens read-only (as opendir does). */
export const WRITE_RIGHTS: u64 = R_FD_DATASYNC | R_FD_WRITE | R_FD_ALLOCATE | R_FD_FILESTAT_SET_SIZE;
/** Like wasi-libc, asks for at most the directory's inheriting rights. */
export function open(dir: u32, path: string, oflags: u32 = 0, lookup: u32 = FOLLOW,
                     base: u64 = RIGHTS_ALL, inheriting: u64 = RIGHTS_ALL, fdflags: u32 = 0): u32 {
  const allowed = inheritable(dir);
  const rights = (oflags & O_DIRECTORY) != 0 ? base & ~WRITE_RIGHTS : base;
  must("open " + path, openRaw(dir, path, oflags, lookup, rights & allowed, inheriting & allowed, fdflags));
  return load<u32>(OUT);
}
export function mkdir(dir: u32, path: string): u32 {
  const p = bytes(path);
  return w.path_create_directory(dir, p.ptr, p.len);
}
export function rmdir(dir: u32, path: string): u32 {
  const p = bytes(path);
  return w.path_remove_directory(dir, p.ptr, p.len);
}
export function unlink(dir: u32, path: string): u32 {
  const p = bytes(path);
  return w.path_unlink_file(dir, p.ptr, p.len);
}
export function symlink(target: string, dir: u32, path: string): u32 {
  const t = bytes(target);
  const p = bytes(path);
  return w.path_symlink(t.ptr, t.len, dir, p.ptr, p.len);
}
export function link(dir: u32, lookup: u32, from: string, to: string): u32 {
  const a = bytes(from);
  const b = bytes(to);
  return w.path_link(dir, lookup, a.ptr, a.len, dir, b.ptr, b.len);
}
export function rename(dir: u32, from: string, to: string): u32 {
  const a = bytes(from);
  const b = bytes(to);
  return w.path_rename(dir, a.ptr, a.len, dir, b.ptr, b.len);
}
/** path_filestat_get into STAT. */
export function stat(dir: u32, lookup: u32, path: string): u32 {
  const p = bytes(path);
  return w.path_filestat_get(dir, lookup, p.ptr, p.len, STAT);
}
/** filestat fields of STAT. */
export function statDev(): u64 { return load<u64>(STAT, 0); }
export function statIno(): u64 { return load<u64>(STAT, 8); }
export function statType(): string { return FILETYPE_NAMES[load<u8>(STAT, 16)]; }
export function statNlink(): u64 { return load<u64>(STAT, 24); }
export function statSize(): u64 { return load<u64>(STAT, 32); }
export function statAtim(): u64 { return load<u64>(STAT, 40); }
export function statMtim(): u64 { return load<u64>(STAT, 48); }
export function statCtim(): u64 { return load<u64>(STAT, 56); }
/** `label -> regular_file size 4`, or the errno (no size for directories: it is filesystem-specific). */
export function showStat(label: string, e: u32): void {
  if (e != 0) show(label, e);
  else if (statType() == "directory") say(label + " -> directory");
  else say(label + " -> " + statType() + " size " + statSize().toString());
}

/** fd_fdstat_get into STAT; fields below. */
export function fdstat(fd: u32): u32 { return w.fd_fdstat_get(fd, STAT); }
export function fdstatType(): string { return FILETYPE_NAMES[load<u8>(STAT, 0)]; }
export function fdstatFlags(): u32 { return load<u16>(STAT, 2); }
export function fdstatBase(): u64 { return load<u64>(STAT, 8); }
export function fdstatInheriting(): u64 { return load<u64>(STAT, 16); }

/** fd_write of one buffer; bytes written at OUT. */
export function write(fd: u32, s: string): u32 {
  const b = bytes(s);
  store<usize>(IOV, b.ptr);
  store<usize>(IOV, b.len, 4);
  return w.fd_write(fd, IOV, 1, OUT);
}
/** fd_pwrite of one buffer; bytes written at OUT. */
export function pwrite(fd: u32, s: string, offset: u64): u32 {
  const b = bytes(s);
  store<usize>(IOV, b.ptr);
  store<usize>(IOV, b.len, 4);
  return w.fd_pwrite(fd, IOV, 1, offset, OUT);
}
const READBUF: usize = memory.data(4096);
/** fd_read of up to `max` bytes; the text read is returned through lastRead(). */
let lastReadText: string = "";
export function read(fd: u32, max: usize = 4096): u32 {
  store<usize>(IOV, READBUF);
  store<usize>(IOV, max, 4);
  const e = w.fd_read(fd, IOV, 1, OUT);
  lastReadText = e == 0 ? quote(READBUF, load<u32>(OUT)) : "";
  return e;
}
export function pread(fd: u32, offset: u64, max: usize = 4096): u32 {
  store<usize>(IOV, READBUF);
  store<usize>(IOV, max, 4);
  const e = w.fd_pread(fd, IOV, 1, offset, OUT);
  lastReadText = e == 0 ? quote(READBUF, load<u32>(OUT)) : "";
  return e;
}
/** The quoted bytes of the last successful read/pread. */
export function lastRead(): string { return lastReadText; }
/** `label -> 4 "data"` or the errno. */
export function showRead(label: string, e: u32): void {
  if (e != 0) show(label, e);
  else say(label + " -> " + load<u32>(OUT).toString() + " " + lastReadText);
}

/** Whole content of a file (from offset 0), quoted, or the errno of opening it. */
export function contents(dir: u32, path: string): string {
  const allowed = inheritable(dir);
  const e = openRaw(dir, path, 0, FOLLOW, allowed, allowed);
  if (e != 0) return res(e);
  const fd = load<u32>(OUT);
  let all = "";
  let offset: u64 = 0;
  while (true) {
    must("pread " + path, pread(fd, offset));
    const n = load<u32>(OUT);
    if (n == 0) break;
    all += lastReadText.slice(1, lastReadText.length - 1);
    offset += n;
  }
  w.fd_close(fd);
  return "\"" + all + "\"";
}

/** Creates (or truncates) a file with the given content. */
export function mkfile(dir: u32, path: string, content: string): void {
  const fd = open(dir, path, O_CREAT | O_TRUNC);
  if (content.length > 0) must("write " + path, write(fd, content));
  must("close " + path, w.fd_close(fd));
}

/** fd_seek; the new offset is at OUT. */
export function seek(fd: u32, offset: i64, whence: u32): u32 { return w.fd_seek(fd, offset, whence, OUT); }
/** `label -> 5` (new offset at OUT as u64) or the errno. */
export function showOffset(label: string, e: u32): void {
  if (e != 0) show(label, e);
  else say(label + " -> " + load<u64>(OUT).toString());
}

// ---- the scratch directory ----
/**
 * The scratch directory: the last preopened directory. Under wasmbox's in-memory mode that is
 * fd 3 ("/"); with a host directory mounted it is the mount; under node:wasi it is fd 3.
 */
export function scratch(): u32 {
  let last: u32 = 0;
  for (let fd: u32 = 3; fd < 64; fd++) {
    if (w.fd_prestat_get(fd, OUT) != 0) break;
    last = fd;
  }
  if (last == 0) { say("SETUP FAILED no preopened directory"); w.proc_exit(99); }
  return last;
}
/** Creates `name` in the scratch directory and opens it: every guest works only in there. */
export function workdir(name: string): u32 {
  const root = scratch();
  must("mkdir " + name, mkdir(root, name));
  return open(root, name, O_DIRECTORY);
}

/** First byte past the end of linear memory: pointers at or beyond it must give EFAULT. */
export function memEnd(): usize { return (<usize>memory.size()) << 16; }

/** clock_time_get, or stops the guest. */
export function now(clock: u32): u64 {
  must("clock_time_get", w.clock_time_get(clock, 1, OUT));
  return load<u64>(OUT);
}

/** A fresh zeroed buffer of n bytes. */
export function alloc(n: usize): usize { return changetype<usize>(new ArrayBuffer(<i32>n)); }
