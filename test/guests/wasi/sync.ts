// Guest: fd_sync and fd_datasync succeed on a written file, fd_sync on a directory; each needs its
// right (FD_SYNC / FD_DATASYNC); EBADF for an fd not open.
import * as w from "../../../userland/lib/wasi";
import { show, workdir, mkfile, open, write, O_DIRECTORY, R_FD_READ, R_FD_WRITE, FOLLOW } from "../lib/check";

const dir = workdir("sync");
mkfile(dir, "f", "");
const f = open(dir, "f");
write(f, "data");
show("fd_sync(file)", w.fd_sync(f));
show("fd_datasync(file)", w.fd_datasync(f));
show("fd_sync(directory)", w.fd_sync(open(dir, ".", O_DIRECTORY)));
const limited = open(dir, "f", 0, FOLLOW, R_FD_READ | R_FD_WRITE, 0);
show("fd_sync without FD_SYNC", w.fd_sync(limited));
show("fd_datasync without FD_DATASYNC", w.fd_datasync(limited));
show("fd_sync(fd 1234)", w.fd_sync(1234));
show("fd_datasync(fd 1234)", w.fd_datasync(1234));
