// Guest: O_APPEND: fd_write always appends whatever the offset, fd_tell reports the end after a
// write, fd_pwrite appends too (as on Linux) without moving the offset, and clearing the flag
// with fd_fdstat_set_flags makes writes land at the offset again.
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, workdir, mkfile, open, write, pwrite, seek, read, showRead, showOffset, contents,
  FOLLOW, FDFLAG_APPEND, RIGHTS_ALL, WHENCE_SET } from "../lib/check";

const dir = workdir("append");
mkfile(dir, "f", "0123");
const f = open(dir, "f", 0, FOLLOW, RIGHTS_ALL, RIGHTS_ALL, FDFLAG_APPEND);
showOffset("fd_tell right after opening with APPEND", w.fd_tell(f, OUT));
show("fd_write \"abc\"", write(f, "abc"));
showOffset("  fd_tell", w.fd_tell(f, OUT));
say("  f is " + contents(dir, "f"));
showOffset("fd_seek(0, set)", seek(f, 0, WHENCE_SET));
show("fd_write \"X\"", write(f, "X"));
showOffset("  fd_tell", w.fd_tell(f, OUT));
say("  f is " + contents(dir, "f"));
show("fd_pwrite \"Y\" at offset 0", pwrite(f, "Y", 0));
showOffset("  fd_tell", w.fd_tell(f, OUT));
say("  f is " + contents(dir, "f"));
seek(f, 0, WHENCE_SET);
showRead("fd_read 4 after seeking to 0", read(f, 4));
show("fd_fdstat_set_flags(f, 0)", w.fd_fdstat_set_flags(f, 0));
seek(f, 0, WHENCE_SET);
show("fd_write \"Z\" at offset 0", write(f, "Z"));
showOffset("  fd_tell", w.fd_tell(f, OUT));
say("  f is " + contents(dir, "f"));
show("fd_fdstat_set_flags(f, APPEND)", w.fd_fdstat_set_flags(f, FDFLAG_APPEND));
show("fd_write \"!\"", write(f, "!"));
say("  f is " + contents(dir, "f"));
