// Guest: sock_accept, sock_recv, sock_send and sock_shutdown on things that are not sockets (a
// regular file, a directory, stdout) give ENOTSOCK; on an fd that is not open, EBADF.
import * as w from "../../../userland/lib/wasi";
import { OUT, show, workdir, open, mkfile, alloc, O_DIRECTORY } from "../lib/check";

const dir = workdir("sock");
mkfile(dir, "f", "data");
const file = open(dir, "f");
const sub = open(dir, ".", O_DIRECTORY);
const buf = alloc(16);
const iov = alloc(8);
store<u32>(iov, buf);
store<u32>(iov, 16, 4);

function probe(label: string, fd: u32): void {
  show("sock_accept(" + label + ")", w.sock_accept(fd, 0, OUT));
  show("sock_recv(" + label + ")", w.sock_recv(fd, iov, 1, 0, OUT, OUT + 4));
  show("sock_send(" + label + ")", w.sock_send(fd, iov, 1, 0, OUT));
  show("sock_shutdown(" + label + ", rd|wr)", w.sock_shutdown(fd, 3));
}
probe("regular file", file);
probe("directory", sub);
probe("stdout", 1);
probe("fd 1234 (not open)", 1234);
