// Guest of the component tests and benchmark: one small WASI command, run as a core module and
// wrapped as a component (`jco new --wasi-command`). Its first argument says what it does:
//   hello            one line to stdout
//   upcase           stdin to stdout in capitals, to EOF
//   bytes N          N one-byte writes to stdout
//   cat FILE         FILE (under the first preopen, fd 3) to stdout
//   put FILE TEXT    writes TEXT to FILE (created or truncated) under fd 3, then reads it back
import * as w from "../../../userland/lib/wasi";
import { bytes, must, open, O_CREAT, O_TRUNC, say, OUT } from "../lib/check";

const IOV: usize = memory.data(16);
const BUF: usize = memory.data(4096);

/** The guest's arguments (argv[1..]). */
function args(): string[] {
  must("args_sizes_get", w.args_sizes_get(OUT, OUT + 4));
  const count = load<u32>(OUT);
  const argv = heap.alloc(count * 4);
  const buf = heap.alloc(load<u32>(OUT + 4));
  must("args_get", w.args_get(argv, buf));
  const list: string[] = [];
  for (let i: u32 = 1; i < count; i++) {
    const p = load<u32>(argv + i * 4);
    let end = p;
    while (load<u8>(end) != 0) end++;
    list.push(String.UTF8.decodeUnsafe(p, end - p));
  }
  return list;
}

/** Writes len bytes at ptr to fd, all of them. */
function writeAll(fd: u32, ptr: usize, len: usize): void {
  while (len > 0) {
    store<u32>(IOV, <u32>ptr);
    store<u32>(IOV, <u32>len, 4);
    must("fd_write", w.fd_write(fd, IOV, 1, IOV + 8));
    const n = load<u32>(IOV + 8);
    ptr += n;
    len -= n;
  }
}

/** Reads from fd into BUF; the byte count (0 at EOF). */
function readSome(fd: u32): u32 {
  store<u32>(IOV, <u32>BUF);
  store<u32>(IOV, 4096, 4);
  must("fd_read", w.fd_read(fd, IOV, 1, IOV + 8));
  return load<u32>(IOV + 8);
}

/** Copies fd to stdout, to EOF; `upper` turns a-z to A-Z. */
function copy(fd: u32, upper: bool): void {
  for (let n = readSome(fd); n > 0; n = readSome(fd)) {
    if (upper) for (let i: u32 = 0; i < n; i++) {
      const c = load<u8>(BUF + i);
      if (c >= 97 && c <= 122) store<u8>(BUF + i, c - 32);
    }
    writeAll(1, BUF, n);
  }
}

const a = args();
const what = a.length > 0 ? a[0] : "";
if (what == "hello") {
  say("hello from a WASI command");
} else if (what == "upcase") {
  copy(0, true);
} else if (what == "bytes") {
  const count = I32.parseInt(a[1]);
  store<u8>(BUF, 46);
  for (let i = 0; i < count; i++) writeAll(1, BUF, 1);
} else if (what == "cat") {
  copy(open(3, a[1]), false);
} else if (what == "put") {
  const fd = open(3, a[1], O_CREAT | O_TRUNC);
  const text = bytes(a[2]);
  writeAll(fd, text.ptr, text.len);
  must("fd_close", w.fd_close(fd));
  copy(open(3, a[1]), false);
} else {
  say("usage: tool hello|upcase|bytes N|cat FILE|put FILE TEXT");
  w.proc_exit(2);
}
