// Guest: path_open's oflags: CREAT, CREAT|EXCL, TRUNC, DIRECTORY on a file, missing files and
// parents, a file used as a directory, "." and a directory opened without the DIRECTORY flag.
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, workdir, mkfile, mkdir, openRaw, inheritable, stat, showStat, contents, fdstat, fdstatType,
  O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY, WRITE_RIGHTS } from "../lib/check";

const dir = workdir("path_open");
mkfile(dir, "f", "abc");
mkfile(dir, "t", "abc");
show("mkdir d", mkdir(dir, "d"));
const all = inheritable(dir);
const ro = all & ~WRITE_RIGHTS;

show("CREAT new file n", openRaw(dir, "n", O_CREAT, 1, all, all));
showStat("  n", stat(dir, 0, "n"));
show("CREAT|EXCL existing f", openRaw(dir, "f", O_CREAT | O_EXCL, 1, all, all));
show("CREAT|EXCL existing directory d", openRaw(dir, "d", O_CREAT | O_EXCL, 1, ro, all));
show("CREAT existing f", openRaw(dir, "f", O_CREAT, 1, all, all));
say("  f still " + contents(dir, "f"));
show("TRUNC existing t", openRaw(dir, "t", O_TRUNC, 1, all, all));
showStat("  t", stat(dir, 0, "t"));
show("missing file", openRaw(dir, "missing", 0, 1, all, all));
show("CREAT in a missing directory", openRaw(dir, "nodir/x", O_CREAT, 1, all, all));
show("file used as a directory f/x", openRaw(dir, "f/x", 0, 1, all, all));
show("CREAT below a file f/x", openRaw(dir, "f/x", O_CREAT, 1, all, all));
show("DIRECTORY on file f", openRaw(dir, "f", O_DIRECTORY, 1, ro, all));
show("DIRECTORY on d", openRaw(dir, "d", O_DIRECTORY, 1, ro, all));
show("d without DIRECTORY, read-only rights", openRaw(dir, "d", 0, 1, ro, all));
fdstat(load<u32>(OUT));
say("  filetype " + fdstatType());
show("DIRECTORY on \".\"", openRaw(dir, ".", O_DIRECTORY, 1, ro, all));
show("DIRECTORY on \"d/.\"", openRaw(dir, "d/.", O_DIRECTORY, 1, ro, all));
show("DIRECTORY on \"d/..\"", openRaw(dir, "d/..", O_DIRECTORY, 1, ro, all));
show("path_open on fd 1234", openRaw(1234, "f", 0, 1, all, all));
openRaw(dir, "f", 0, 1, all, all);
show("path_open relative to a file fd", openRaw(load<u32>(OUT), "x", 0, 1, all, all));
