// Guest: fd_close of a file (then EBADF for reuse and a second close), of an fd never opened, of
// stdin, and of the scratch preopen itself (fds opened beneath it stay usable).
import * as w from "../../../userland/lib/wasi";
import { OUT, show, workdir, open, mkfile, read, showRead, scratch, openRaw } from "../lib/check";

const dir = workdir("close");
mkfile(dir, "f", "data");
const f = open(dir, "f");
show("fd_close(file)", w.fd_close(f));
show("fd_read(closed file)", read(f));
show("fd_close(file) again", w.fd_close(f));
show("fd_close(fd 1234)", w.fd_close(1234));
show("fd_close(stdin)", w.fd_close(0));
show("fd_read(stdin) after close", read(0));
const root = scratch();
show("fd_close(scratch preopen)", w.fd_close(root));
show("fd_prestat_get(closed preopen)", w.fd_prestat_get(root, OUT));
show("path_open via closed preopen", openRaw(root, "close/f"));
const g = open(dir, "f");
showRead("fd_read of a file opened via a dir fd from before", read(g));
