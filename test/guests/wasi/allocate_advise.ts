// Guest: fd_allocate grows a file like posix_fallocate (never shrinks it); fd_advise accepts the six
// advice values and rejects others (EINVAL); both need their right; EBADF for fds not open.
import * as w from "../../../userland/lib/wasi";
import { say, show, workdir, mkfile, open, contents, STAT, R_FD_READ, R_FD_WRITE, FOLLOW } from "../lib/check";

const dir = workdir("allocate_advise");
mkfile(dir, "f", "ab");
const f = open(dir, "f");
function size(): string { w.fd_filestat_get(f, STAT); return "size " + load<u64>(STAT, 32).toString(); }
show("fd_allocate(0, 100)", w.fd_allocate(f, 0, 100));
say("  " + size());
show("fd_allocate(10, 20) (inside the file)", w.fd_allocate(f, 10, 20));
say("  " + size());
show("fd_allocate(100, 50)", w.fd_allocate(f, 100, 50));
say("  " + size());
mkfile(dir, "g", "xy");
const g = open(dir, "g");
w.fd_allocate(g, 0, 4);
say("  g after fd_allocate(0, 4) is " + contents(dir, "g"));
const limited = open(dir, "f", 0, FOLLOW, R_FD_READ | R_FD_WRITE, 0);
show("fd_allocate without FD_ALLOCATE", w.fd_allocate(limited, 0, 1000));
show("fd_allocate(fd 1234)", w.fd_allocate(1234, 0, 1));
const ADVICE = ["normal", "sequential", "random", "willneed", "dontneed", "noreuse"];
for (let a: u32 = 0; a < 6; a++) show("fd_advise(0, 100, " + ADVICE[a] + ")", w.fd_advise(f, 0, 100, a));
show("fd_advise(0, 0, 6) (no such advice)", w.fd_advise(f, 0, 0, 6));
show("fd_advise without FD_ADVISE", w.fd_advise(limited, 0, 0, 0));
show("fd_advise(fd 1234)", w.fd_advise(1234, 0, 0, 0));
