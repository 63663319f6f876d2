// Guest: fd_write gathers several iovecs (one empty) to stdout, zero iovecs write nothing, fd_read
// scatters a regular file into several iovecs, stdin reads to EOF, fds not open give EBADF.
// @run {"args": ["stdio"], "stdin": "abcdefgh"}
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, alloc, bytes, quote, read, showRead, workdir, mkfile, open } from "../lib/check";

const iovs = alloc(24);
const parts = ["one ", "", "two\n"];
for (let i = 0; i < 3; i++) {
  const b = bytes(parts[i]);
  store<u32>(iovs + i * 8, <u32>b.ptr);
  store<u32>(iovs + i * 8, <u32>b.len, 4);
}
const e = w.fd_write(1, iovs, 3, OUT);
say("fd_write 3 iovecs to stdout -> " + (e == 0 ? load<u32>(OUT).toString() : "errno " + e.toString()));
const z = w.fd_write(1, iovs, 0, OUT);
say("fd_write 0 iovecs -> " + (z == 0 ? load<u32>(OUT).toString() : "errno " + z.toString()));

const bufs = alloc(16);
store<u32>(iovs, bufs);
store<u32>(iovs, 3, 4);
store<u32>(iovs + 8, bufs + 4);
store<u32>(iovs, 0, 12);
store<u32>(iovs + 16, bufs + 8);
store<u32>(iovs, 2, 20);
const dir = workdir("stdio");
mkfile(dir, "f", "ABCDEFGH");
const r = w.fd_read(open(dir, "f"), iovs, 3, OUT);
say("fd_read regular file into iovecs of 3, 0 and 2 bytes -> " + (r == 0 ? load<u32>(OUT).toString() : "errno " + r.toString()) +
  " " + quote(bufs, 3) + " " + quote(bufs + 8, 2));
showRead("fd_read stdin", read(0));
showRead("fd_read stdin at EOF", read(0));
showRead("fd_read stdin with a 0-byte buffer", read(0, 0));
show("fd_write fd 1234", w.fd_write(1234, iovs, 1, OUT));
show("fd_read fd 1234", w.fd_read(1234, iovs, 1, OUT));
