// Guest: argv[1] one-byte fd_write calls to fd 1 (the programs benchmark's host stdout figure), as
// a program printing with unbuffered putchar does. Exits 1 if a write fails.
import * as w from "../../userland/lib/wasi";
import { argInt } from "./lib";

const count = argInt(1, 0);
const BYTE: usize = memory.data<u8>([0x2e]);
const IOV: usize = memory.data(16);
store<usize>(IOV, BYTE);
store<usize>(IOV, 1, 4);
for (let i = 0; i < count; i++) {
  if (w.fd_write(1, IOV, 1, IOV + 8) != 0) w.proc_exit(1);
}
