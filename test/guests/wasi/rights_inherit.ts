// Guest: inheriting rights bound what path_open may grant beneath a directory (asking for more is
// ENOTCAPABLE), and path_open's CREAT and TRUNC need PATH_CREATE_FILE and PATH_FILESTAT_SET_SIZE.
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, workdir, mkfile, openRaw, inheritable, fdstat, fdstatBase, fdstatInheriting, yesno,
  stat, mkdir, O_DIRECTORY, O_CREAT, O_TRUNC, R_FD_READ, R_FD_SEEK, R_FD_WRITE, R_PATH_OPEN, R_PATH_CREATE_FILE,
  WRITE_RIGHTS, contents } from "../lib/check";

const R_PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
const dir = workdir("rights_inherit");
if (mkdir(dir, "sub") != 0) say("SETUP mkdir sub failed");
mkfile(dir, "sub/f", "keep");
const allowed = inheritable(dir);
const dirBase = allowed & ~WRITE_RIGHTS;

show("path_open sub with inheriting FD_READ|FD_SEEK", openRaw(dir, "sub", O_DIRECTORY, 1, dirBase, R_FD_READ | R_FD_SEEK));
const sub = load<u32>(OUT);
fdstat(sub);
say("  sub inheriting is exactly FD_READ|FD_SEEK: " + yesno(fdstatInheriting() == (R_FD_READ | R_FD_SEEK)));
show("  path_open(sub, f, FD_READ)", openRaw(sub, "f", 0, 1, R_FD_READ, 0));
fdstat(load<u32>(OUT));
say("    granted FD_READ: " + yesno((fdstatBase() & R_FD_READ) != 0) + ", FD_WRITE: " + yesno((fdstatBase() & R_FD_WRITE) != 0));
show("  path_open(sub, f, FD_READ|FD_WRITE)", openRaw(sub, "f", 0, 1, R_FD_READ | R_FD_WRITE, 0));

show("path_open sub without PATH_CREATE_FILE", openRaw(dir, "sub", O_DIRECTORY, 1, dirBase & ~R_PATH_CREATE_FILE, allowed));
const noCreate = load<u32>(OUT);
show("  path_open(CREAT) of a new file", openRaw(noCreate, "new", O_CREAT, 1, R_FD_READ | R_FD_WRITE, 0));
show("  the file was not created", stat(dir, 1, "sub/new"));
show("path_open sub without PATH_FILESTAT_SET_SIZE", openRaw(dir, "sub", O_DIRECTORY, 1, dirBase & ~R_PATH_FILESTAT_SET_SIZE, allowed));
const noTrunc = load<u32>(OUT);
show("  path_open(TRUNC) of f", openRaw(noTrunc, "f", O_TRUNC, 1, R_FD_READ | R_FD_WRITE, 0));
say("  f still " + contents(dir, "sub/f"));
show("  path_open of f without TRUNC", openRaw(noTrunc, "f", 0, 1, R_FD_READ, 0));
