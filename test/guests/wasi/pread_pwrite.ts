// Guest: fd_pread and fd_pwrite use the given offset and leave the fd offset alone; reads at or past
// the end give 0 bytes; a pwrite past the end leaves a zero gap; FD_SEEK is needed for both.
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, workdir, mkfile, open, pwrite, pread, showRead, showOffset, contents,
  R_FD_READ, R_FD_WRITE, FOLLOW } from "../lib/check";

const dir = workdir("pread_pwrite");
mkfile(dir, "f", "hello");
const f = open(dir, "f");
showRead("fd_pread(0) 3 bytes", pread(f, 0, 3));
showOffset("  fd_tell", w.fd_tell(f, OUT));
showRead("fd_pread(3)", pread(f, 3));
showRead("fd_pread(5) (at the end)", pread(f, 5));
showRead("fd_pread(100)", pread(f, 100));
show("fd_pwrite \"XY\" at 1", pwrite(f, "XY", 1));
showOffset("  fd_tell", w.fd_tell(f, OUT));
say("  f is " + contents(dir, "f"));
show("fd_pwrite \"!\" at 8", pwrite(f, "!", 8));
say("  f is " + contents(dir, "f"));
const noSeek = open(dir, "f", 0, FOLLOW, R_FD_READ | R_FD_WRITE, 0);
show("fd_pread without FD_SEEK", pread(noSeek, 0));
show("fd_pwrite without FD_SEEK", pwrite(noSeek, "z", 0));
show("fd_pread(fd 1234)", pread(1234, 0));
show("fd_pwrite(fd 1234)", pwrite(1234, "z", 0));
