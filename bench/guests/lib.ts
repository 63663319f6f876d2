// Helpers for the programs benchmark's guests (AssemblyScript, built by bench/program-guests.ts):
// numeric arguments, one-line output, and finding a preopened folder by name as wasi-libc does.
import * as w from "../../userland/lib/wasi";

/** WASI errno for a bad file descriptor: the end of the preopen list. */
const EBADF: u32 = 8;
/** lookupflags.symlink_follow */
const FOLLOW: u32 = 1;
/** oflags.creat */
export const O_CREAT: u32 = 1;
/** Rights for positioned reads and writes: fd_read, fd_seek, fd_tell, fd_write, fd_filestat_get. */
export const RIGHTS_RW: u64 = (1 << 1) | (1 << 2) | (1 << 5) | (1 << 6) | (1 << 21);

const OUT: usize = memory.data(16);
const IOV: usize = memory.data(16);

/** argv[i] as a decimal number, or `fallback` when there are fewer arguments. */
export function argInt(i: i32, fallback: i32): i32 {
  const argv = process.argv;
  return argv.length > i ? <i32>parseInt(argv[i]) : fallback;
}

/** argv[i], or `fallback` when there are fewer arguments. */
export function argString(i: i32, fallback: string): string {
  const argv = process.argv;
  return argv.length > i ? argv[i] : fallback;
}

/** Writes `line` and a newline to stdout. */
export function say(line: string): void {
  const bytes = String.UTF8.encode(line + "\n");
  store<usize>(IOV, changetype<usize>(bytes));
  store<usize>(IOV, <usize>bytes.byteLength, 4);
  w.fd_write(1, IOV, 1, IOV + 8);
}

/** Prints `message` to stderr and exits with `code`. */
export function fail(message: string, code: u32): void {
  const bytes = String.UTF8.encode(message + "\n");
  store<usize>(IOV, changetype<usize>(bytes));
  store<usize>(IOV, <usize>bytes.byteLength, 4);
  w.fd_write(2, IOV, 1, IOV + 8);
  w.proc_exit(code);
}

/**
 * The fd of the preopened folder called `name`: scans fds from 3 until EBADF, as wasi-libc does,
 * so the guest runs whether the runtime preopens only the --dir folders or "/" before them.
 */
export function preopen(name: string): u32 {
  const want = String.UTF8.encode(name);
  const wantLen = <usize>want.byteLength;
  const buf = heap.alloc(256);
  for (let fd: u32 = 3; ; fd++) {
    const e = w.fd_prestat_get(fd, OUT);
    if (e == EBADF) break;
    if (e != 0 || load<u8>(OUT) != 0) continue;
    const len = <usize>load<u32>(OUT, 4);
    if (len != wantLen || len > 256) continue;
    if (w.fd_prestat_dir_name(fd, buf, len) == 0 && memory.compare(buf, changetype<usize>(want), len) == 0) return fd;
  }
  fail("no preopened folder " + name, 2);
  return 0;
}

/** Opens `path` under the folder `dir` with positioned read and write rights; exits on failure. */
export function openAt(dir: u32, path: string, oflags: u32): u32 {
  const bytes = String.UTF8.encode(path);
  const e = w.path_open(dir, FOLLOW, changetype<usize>(bytes), <usize>bytes.byteLength, oflags, RIGHTS_RW, 0, 0, OUT);
  if (e != 0) fail("path_open " + path + ": errno " + e.toString(), 2);
  return load<u32>(OUT);
}
