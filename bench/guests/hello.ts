// Guest: prints hello and exits 0 (the programs benchmark's CLI start figure). One fd_write of a
// static string, as a C hello world compiled with wasi-libc does.
import * as w from "../../userland/lib/wasi";

const TEXT: usize = memory.data<u8>([0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a]);
const IOV: usize = memory.data(16);
store<usize>(IOV, TEXT);
store<usize>(IOV, 6, 4);
w.fd_write(1, IOV, 1, IOV + 8);
