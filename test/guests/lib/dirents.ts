// Helpers for the fd_readdir guests: parse the dirent records (24-byte header + name) that
// fd_readdir fills a buffer with, and read a whole directory in one go.
import * as w from "../../../userland/lib/wasi";
import { OUT, FILETYPE_NAMES, must, alloc } from "./check";

/** One parsed directory entry. */
export class Dirent {
  constructor(public name: string, public next: u64, public ino: u64, public type: string) {}
}
export const DIRENT_SIZE: usize = 24;

/** Parses the complete entries in buf[0..used); an entry cut off at the end is left out. */
export function parse(buf: usize, used: usize): Dirent[] {
  const out: Dirent[] = [];
  let at: usize = 0;
  while (at + DIRENT_SIZE <= used) {
    const namlen = <usize>load<u32>(buf + at, 16);
    if (at + DIRENT_SIZE + namlen > used) break;
    out.push(new Dirent(String.UTF8.decodeUnsafe(buf + at + DIRENT_SIZE, namlen), load<u64>(buf + at),
      load<u64>(buf + at, 8), FILETYPE_NAMES[load<u8>(buf + at, 20)]));
    at += DIRENT_SIZE + namlen;
  }
  return out;
}

/** Every entry from cookie 0 with one 64 KiB buffer. */
export function readAll(fd: u32): Dirent[] {
  const buf = alloc(65536);
  must("fd_readdir", w.fd_readdir(fd, buf, 65536, 0, OUT));
  return parse(buf, load<u32>(OUT));
}

/** "name type" lines, sorted by name (the order of entries is the implementation's). */
export function sortedNames(list: Dirent[]): string {
  const names: string[] = [];
  for (let i = 0; i < list.length; i++) names.push(list[i].name + " " + list[i].type);
  names.sort();
  return names.join(", ");
}
