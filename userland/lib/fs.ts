// Files and directories by path: resolution against the preopened directories and the cwd,
// then one WASI path_* call. Functions return 0 or an errno, or null with the errno in lastError.

import * as wasi from "./wasi";
import { proc_chdir, proc_getcwd, path_mode_get, path_chmod, path_chown, CHOWN_UNCHANGED } from "./wasmbox";
import { normalize, join } from "./path";
import { ENOENT, ENOTDIR } from "./errno";
import { readFd, lastReadError, writeAll } from "./io";

/** errno of the last call that returned null or -1. */
export let lastError: i32 = 0;
const ret = memory.data(64);

class Preopen { constructor(public fd: i32, public path: string) {} }
let preopens: Preopen[] | null = null;
let cwdPath: string | null = null;

function loadPreopens(): Preopen[] {
  if (preopens != null) return preopens!;
  const list = new Array<Preopen>();
  for (let fd = 3; fd < 64; fd++) {
    // Preopens follow one another from fd 3; when a parent gave the first fds other files, they
    // were moved above those, so the search goes on until it has found one.
    if (wasi.fd_prestat_get(<u32>fd, ret) != 0) { if (list.length == 0) continue; break; }
    const len = load<u32>(ret, 4);
    const buf = heap.alloc(len + 1);
    wasi.fd_prestat_dir_name(<u32>fd, buf, len);
    let name = String.UTF8.decodeUnsafe(buf, len);
    heap.free(buf);
    while (name.length > 0 && name.charCodeAt(name.length - 1) == 0) name = name.substring(0, name.length - 1);
    list.push(new Preopen(fd, normalize(name == "." ? "/" : name)));
  }
  preopens = list;
  return list;
}

/** The current directory: a process attribute the kernel keeps (read once, then kept by chdir). */
export function getcwd(): string {
  if (cwdPath == null) {
    const buf = new Uint8Array(4096);
    const len = memory.data(4);
    const err = proc_getcwd(buf.dataStart, buf.length, len);
    cwdPath = err == 0 ? String.UTF8.decodeUnsafe(buf.dataStart, load<u32>(len)) : "/";
  }
  return cwdPath!;
}

/** Absolute, normalised form of a path. */
export function absolute(path: string): string {
  return path.startsWith("/") ? normalize(path) : normalize(join(getcwd(), path));
}

/** chdir(2): the kernel's working directory of this process (children inherit it). 0 or an errno. */
export function chdir(path: string): i32 {
  const abs = absolute(path);
  const st = stat(abs);
  if (st == null) return lastError;
  if (!st.isDir()) return ENOTDIR;
  const p = String.UTF8.encode(abs);
  const err = proc_chdir(changetype<usize>(p), p.byteLength);
  if (err != 0) return err;
  cwdPath = abs;
  return 0;
}

// Result of resolve(): the preopen fd and the path relative to it, UTF-8 encoded.
let dirFd: u32 = 0;
let relPtr: usize = 0;
let relLen: usize = 0;
let relBuf: ArrayBuffer = new ArrayBuffer(0);

/** Splits a path into a preopen fd and a relative path; false if no preopen covers it. */
function resolve(path: string): bool {
  const abs = absolute(path);
  const list = loadPreopens();
  let best = -1;
  let bestLen = -1;
  for (let i = 0; i < list.length; i++) {
    const p = list[i].path;
    const covers = p == "/" || abs == p || abs.startsWith(p + "/");
    if (covers && p.length > bestLen) { best = i; bestLen = p.length; }
  }
  if (best < 0) { lastError = ENOENT; return false; }
  let rel = list[best].path == "/" ? abs.substring(1) : abs.substring(bestLen + 1);
  if (rel.length == 0) rel = ".";
  dirFd = <u32>list[best].fd;
  relBuf = String.UTF8.encode(rel);
  relPtr = changetype<usize>(relBuf);
  relLen = relBuf.byteLength;
  return true;
}

/** File metadata (WASI filestat; WASI has no permission bits or owners). */
export class Stat {
  dev: u64 = 0;
  ino: u64 = 0;
  type: u8 = 0;
  nlink: u64 = 0;
  size: u64 = 0;
  atim: u64 = 0;
  mtim: u64 = 0;
  ctim: u64 = 0;
  isDir(): bool { return this.type == wasi.FILETYPE_DIRECTORY; }
  isFile(): bool { return this.type == wasi.FILETYPE_REGULAR_FILE; }
  isLink(): bool { return this.type == wasi.FILETYPE_SYMBOLIC_LINK; }
}

function readStat(p: usize): Stat {
  const s = new Stat();
  s.dev = load<u64>(p); s.ino = load<u64>(p, 8); s.type = load<u8>(p, 16);
  s.nlink = load<u64>(p, 24); s.size = load<u64>(p, 32);
  s.atim = load<u64>(p, 40); s.mtim = load<u64>(p, 48); s.ctim = load<u64>(p, 56);
  return s;
}

/** stat(2); null with lastError on failure. */
export function stat(path: string): Stat | null { return statWith(path, wasi.LOOKUP_SYMLINK_FOLLOW); }
/** lstat(2): does not follow a final symlink. */
export function lstat(path: string): Stat | null { return statWith(path, 0); }

function statWith(path: string, flags: u32): Stat | null {
  if (!resolve(path)) return null;
  const err = wasi.path_filestat_get(dirFd, flags, relPtr, relLen, ret);
  if (err != 0) { lastError = err; return null; }
  return readStat(ret);
}

/** Permission bits (07777) and owner of a file: what WASI's filestat lacks. */
export class FileMode {
  constructor(public mode: u32, public uid: u32, public gid: u32) {}
}

/** The mode and owner of path (following a final symlink when `follow`); null with lastError. */
export function modeOf(path: string, follow: bool = true): FileMode | null {
  if (!resolve(path)) return null;
  const err = path_mode_get(dirFd, follow ? wasi.LOOKUP_SYMLINK_FOLLOW : 0, relPtr, relLen, ret);
  if (err != 0) { lastError = err; return null; }
  return new FileMode(load<u32>(ret), load<u32>(ret, 4), load<u32>(ret, 8));
}

/** chmod(2): sets the permission bits of path (following symlinks). 0 or an errno. */
export function chmod(path: string, mode: u32): i32 {
  if (!resolve(path)) return lastError;
  return path_chmod(dirFd, wasi.LOOKUP_SYMLINK_FOLLOW, relPtr, relLen, mode & 0o7777);
}

/** chown(2) (lchown when !follow); -1 leaves the uid or gid as it is. 0 or an errno. */
export function chown(path: string, uid: i32, gid: i32, follow: bool = true): i32 {
  if (!resolve(path)) return lastError;
  return path_chown(dirFd, follow ? wasi.LOOKUP_SYMLINK_FOLLOW : 0, relPtr, relLen, <u32>(uid < 0 ? CHOWN_UNCHANGED : uid), <u32>(gid < 0 ? CHOWN_UNCHANGED : gid));
}

/** fstat(2). */
export function fstat(fd: i32): Stat | null {
  const err = wasi.fd_filestat_get(<u32>fd, ret);
  if (err != 0) { lastError = err; return null; }
  return readStat(ret);
}

/** WASI filetype of an open fd, or -1. */
export function fdType(fd: i32): i32 {
  if (wasi.fd_fdstat_get(<u32>fd, ret) != 0) return -1;
  return load<u8>(ret);
}

/** open(2) with WASI oflags/fdflags, for reading unless write is set; returns the fd or -1 (lastError). */
/** Flushes a file, or for a directory the filesystem holding it, to stable storage; 0 or an errno. */
export function sync(path: string): i32 {
  if (!resolve(path)) return lastError;
  const err = wasi.path_open(dirFd, wasi.LOOKUP_SYMLINK_FOLLOW, relPtr, relLen, 0, wasi.RIGHTS_SYNC, 0, 0, ret);
  if (err != 0) return err;
  const fd = load<u32>(ret);
  const result = wasi.fd_sync(fd);
  wasi.fd_close(fd);
  return result;
}

export function open(path: string, oflags: u16 = 0, fdflags: u16 = 0, write: bool = false): i32 {
  if (!resolve(path)) return -1;
  const rights = write ? wasi.RIGHTS_ALL : wasi.RIGHTS_READ;
  const err = wasi.path_open(dirFd, wasi.LOOKUP_SYMLINK_FOLLOW, relPtr, relLen, oflags,
    rights, wasi.RIGHTS_ALL, fdflags, ret);
  if (err != 0) { lastError = err; return -1; }
  return load<i32>(ret);
}

/** Opens for writing: truncating, or appending when append is set. */
export function create(path: string, append: bool = false): i32 {
  return open(path, wasi.O_CREAT | (append ? 0 : wasi.O_TRUNC), append ? wasi.FDFLAG_APPEND : 0, true);
}

export function close(fd: i32): i32 { return wasi.fd_close(<u32>fd); }

/** lseek(2); whence 0 set, 1 cur, 2 end. Returns the new offset or -1. */
export function seek(fd: i32, offset: i64, whence: u8): i64 {
  const err = wasi.fd_seek(<u32>fd, offset, whence, ret);
  if (err != 0) { lastError = err; return -1; }
  return load<i64>(ret);
}

/** The whole content of a file, or null. */
export function readFile(path: string): Uint8Array | null {
  const fd = open(path);
  if (fd < 0) return null;
  const data = readFd(fd);
  if (data == null) lastError = lastReadError;
  close(fd);
  return data;
}

/** Replaces a file's content; returns 0 or an errno. */
export function writeFile(path: string, data: Uint8Array): i32 {
  const fd = create(path);
  if (fd < 0) return lastError;
  const err = writeAll(fd, data.dataStart, data.length);
  close(fd);
  return err;
}

/** One directory entry. */
export class DirEntry { constructor(public name: string, public type: u8) {} }

/** The entries of a directory without "." and "..", in the order the filesystem gives them. */
export function readdir(path: string): DirEntry[] | null {
  const fd = open(path, wasi.O_DIRECTORY);
  if (fd < 0) return null;
  const out = new Array<DirEntry>();
  const size: i32 = 65536;
  const buf = heap.alloc(size);
  let cookie: u64 = 0;
  for (;;) {
    const err = wasi.fd_readdir(<u32>fd, buf, size, cookie, ret);
    if (err != 0) { lastError = err; close(fd); heap.free(buf); return null; }
    const used = <i32>load<u32>(ret);
    let pos = 0;
    let complete = 0;
    while (pos + 24 <= used) {
      const namlen = <i32>load<u32>(buf + pos, 16);
      if (pos + 24 + namlen > used) break;
      cookie = load<u64>(buf + pos);
      const name = String.UTF8.decodeUnsafe(buf + pos + 24, namlen);
      if (name != "." && name != "..") out.push(new DirEntry(name, load<u8>(buf + pos, 20)));
      pos += 24 + namlen;
      complete++;
    }
    if (used < size || complete == 0) break;
  }
  heap.free(buf);
  close(fd);
  return out;
}

/** Names of a directory's entries, sorted. */
export function listNames(path: string): string[] | null {
  const entries = readdir(path);
  if (entries == null) return null;
  const names = new Array<string>(entries.length);
  for (let i = 0; i < entries.length; i++) names[i] = entries[i].name;
  names.sort(compareStrings);
  return names;
}

/** Byte-order comparison of strings (as LC_ALL=C). */
export function compareStrings(a: string, b: string): i32 {
  const n = min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d != 0) return d;
  }
  return a.length - b.length;
}

export function mkdir(path: string): i32 {
  if (!resolve(path)) return lastError;
  return wasi.path_create_directory(dirFd, relPtr, relLen);
}

export function rmdir(path: string): i32 {
  if (!resolve(path)) return lastError;
  return wasi.path_remove_directory(dirFd, relPtr, relLen);
}

export function unlink(path: string): i32 {
  if (!resolve(path)) return lastError;
  return wasi.path_unlink_file(dirFd, relPtr, relLen);
}

/** rename(2), link(2) and symlink(2) need two resolved paths. */
export function rename(from: string, to: string): i32 {
  if (!resolve(from)) return lastError;
  const fromFd = dirFd; const fromBuf = relBuf;
  if (!resolve(to)) return lastError;
  return wasi.path_rename(fromFd, changetype<usize>(fromBuf), fromBuf.byteLength, dirFd, relPtr, relLen);
}

export function link(from: string, to: string): i32 {
  if (!resolve(from)) return lastError;
  const fromFd = dirFd; const fromBuf = relBuf;
  if (!resolve(to)) return lastError;
  return wasi.path_link(fromFd, 0, changetype<usize>(fromBuf), fromBuf.byteLength, dirFd, relPtr, relLen);
}

/** Creates path as a symlink holding target (written as given). */
export function symlink(target: string, path: string): i32 {
  if (!resolve(path)) return lastError;
  const t = String.UTF8.encode(target);
  return wasi.path_symlink(changetype<usize>(t), t.byteLength, dirFd, relPtr, relLen);
}

/** The target of a symlink, or null. */
export function readlink(path: string): string | null {
  if (!resolve(path)) return null;
  const size: usize = 4096;
  const buf = heap.alloc(size);
  const err = wasi.path_readlink(dirFd, relPtr, relLen, buf, size, ret);
  if (err != 0) { heap.free(buf); lastError = err; return null; }
  const s = String.UTF8.decodeUnsafe(buf, load<u32>(ret));
  heap.free(buf);
  return s;
}

/** Sets atime and mtime in ns; a negative value means "now". */
export function utimes(path: string, atimNs: i64, mtimNs: i64): i32 {
  if (!resolve(path)) return lastError;
  let flags: u16 = 0;
  flags |= atimNs < 0 ? 2 : 1;
  flags |= mtimNs < 0 ? 8 : 4;
  return wasi.path_filestat_set_times(dirFd, wasi.LOOKUP_SYMLINK_FOLLOW, relPtr, relLen,
    <u64>max(atimNs, 0), <u64>max(mtimNs, 0), flags);
}

/** The fd of the preopen holding path (for statvfs), or -1. */
export function preopenFor(path: string): i32 {
  return resolve(path) ? <i32>dirFd : -1;
}

/** True if path exists (following symlinks). */
export function exists(path: string): bool { return stat(path) != null; }

