// Guest: pointers outside linear memory give EFAULT and change nothing: iovecs whose buffer runs
// past the end, iovec arrays past the end, a wrapping pointer+length, paths and out-pointers past the end.
import * as w from "../../../userland/lib/wasi";
import { OUT, STAT, say, show, workdir, open, mkfile, contents, alloc, memEnd, bytes, O_DIRECTORY } from "../lib/check";

const dir = workdir("efault");
mkfile(dir, "f", "abc");
const file = open(dir, "f");
const end = memEnd();
const iov = alloc(8);
function setIov(ptr: usize, len: usize): void { store<u32>(iov, <u32>ptr); store<u32>(iov, <u32>len, 4); }

setIov(end - 2, 8);
show("fd_write iovec buffer running past memory end", w.fd_write(file, iov, 1, OUT));
show("fd_pwrite iovec buffer running past memory end", w.fd_pwrite(file, iov, 1, 0, OUT));
show("fd_read iovec buffer running past memory end", w.fd_read(file, iov, 1, OUT));
show("fd_pread iovec buffer running past memory end", w.fd_pread(file, iov, 1, 0, OUT));
setIov(0xfffffff0, 0x20);
show("fd_write iovec pointer+length wrapping 2^32 (past memory end)", w.fd_write(file, iov, 1, OUT));
show("fd_write iovec array past memory end", w.fd_write(file, end - 4, 1, OUT));
setIov(end, 0);
show("fd_write zero-length buffer at memory end", w.fd_write(file, iov, 1, OUT));
say("f still " + contents(dir, "f"));
const p = bytes("f");
show("path_open path running past memory end", w.path_open(dir, 1, end - 1, 5, 0, 2, 0, 0, OUT));
show("path_open fd out-pointer past memory end", w.path_open(dir, 1, p.ptr, p.len, 0, 2, 0, 0, end));
show("path_filestat_get out past memory end", w.path_filestat_get(dir, 1, p.ptr, p.len, end - 8));
show("fd_fdstat_get out past memory end", w.fd_fdstat_get(1, end - 8));
show("fd_filestat_get out past memory end", w.fd_filestat_get(file, end - 8));
show("fd_seek out past memory end", w.fd_seek(file, 0, 0, end));
show("fd_tell out past memory end", w.fd_tell(file, end - 4));
show("fd_prestat_dir_name buf past memory end", w.fd_prestat_dir_name(3, end, 1));
const sub = open(dir, ".", O_DIRECTORY);
show("fd_readdir buf running past memory end", w.fd_readdir(sub, end - 4, 100, 0, OUT));
show("path_readlink path past memory end", w.path_readlink(dir, end - 1, 4, STAT, 16, OUT));
show("poll_oneoff subscriptions past memory end", w.poll_oneoff(end - 10, STAT, 1, OUT));
