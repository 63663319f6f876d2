// Guest: fd_seek with SET, CUR and END (negative deltas), EINVAL for a negative result or an unknown
// whence (offset unchanged), seeking past the end (reads 0 bytes; a write there leaves a zero gap).
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, workdir, mkfile, open, write, seek, read, showRead, showOffset, contents,
  WHENCE_SET, WHENCE_CUR, WHENCE_END } from "../lib/check";

const dir = workdir("seek");
mkfile(dir, "f", "0123456789");
const f = open(dir, "f");
showOffset("fd_seek(3, set)", seek(f, 3, WHENCE_SET));
showRead("  fd_read 2", read(f, 2));
showOffset("fd_seek(0, cur)", seek(f, 0, WHENCE_CUR));
showOffset("fd_seek(2, cur)", seek(f, 2, WHENCE_CUR));
showOffset("fd_seek(-1, end)", seek(f, -1, WHENCE_END));
showRead("  fd_read", read(f));
showOffset("fd_seek(0, end)", seek(f, 0, WHENCE_END));
showOffset("fd_seek(-3, cur)", seek(f, -3, WHENCE_CUR));
showOffset("fd_seek(-20, cur)", seek(f, -20, WHENCE_CUR));
showOffset("  fd_tell", w.fd_tell(f, OUT));
showOffset("fd_seek(-1, set)", seek(f, -1, WHENCE_SET));
showOffset("fd_seek(-11, end)", seek(f, -11, WHENCE_END));
showOffset("fd_seek(0, whence 3)", seek(f, 0, 3));
showOffset("  fd_tell", w.fd_tell(f, OUT));
showOffset("fd_seek(12, set) (past the end)", seek(f, 12, WHENCE_SET));
showRead("  fd_read", read(f));
show("  fd_write \"x\"", write(f, "x"));
say("  f is " + contents(dir, "f"));
showOffset("fd_seek(fd 1234)", seek(1234, 0, WHENCE_SET));
showOffset("fd_tell(fd 1234)", w.fd_tell(1234, OUT));
