// Guest: fd_filestat_set_size shrinks and grows (zero-filled) a file without moving the offset;
// it needs FD_FILESTAT_SET_SIZE; EBADF for an fd not open.
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, workdir, mkfile, open, write, seek, showOffset, contents, STAT,
  R_FD_READ, R_FD_WRITE, FOLLOW, WHENCE_SET } from "../lib/check";

const dir = workdir("set_size");
mkfile(dir, "f", "abcdef");
const f = open(dir, "f");
show("fd_filestat_set_size 3", w.fd_filestat_set_size(f, 3));
say("  f is " + contents(dir, "f"));
show("fd_filestat_set_size 6", w.fd_filestat_set_size(f, 6));
say("  f is " + contents(dir, "f"));
w.fd_filestat_get(f, STAT);
say("  size " + load<u64>(STAT, 32).toString());
seek(f, 5, WHENCE_SET);
show("fd_filestat_set_size 2 (offset at 5)", w.fd_filestat_set_size(f, 2));
showOffset("  fd_tell", w.fd_tell(f, OUT));
show("  fd_write \"z\"", write(f, "z"));
say("  f is " + contents(dir, "f"));
show("fd_filestat_set_size 0", w.fd_filestat_set_size(f, 0));
say("  f is " + contents(dir, "f"));
const limited = open(dir, "f", 0, FOLLOW, R_FD_READ | R_FD_WRITE, 0);
show("fd_filestat_set_size without FD_FILESTAT_SET_SIZE", w.fd_filestat_set_size(limited, 1));
show("fd_filestat_set_size(fd 1234)", w.fd_filestat_set_size(1234, 1));
