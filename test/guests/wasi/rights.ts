// Guest: the rights model on an open fd: a file without FD_WRITE cannot write, fd_fdstat_set_rights
// only removes rights (adding gives ENOTCAPABLE), and a directory without PATH_OPEN cannot open.
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, workdir, open, mkfile, openRaw, inheritable, fdstat, fdstatBase, yesno, write, read,
  showRead, mkdir, O_DIRECTORY, R_FD_READ, R_FD_SEEK, R_FD_TELL, R_FD_WRITE, R_FD_FILESTAT_GET, R_PATH_OPEN,
  R_PATH_CREATE_DIRECTORY, WRITE_RIGHTS } from "../lib/check";

const dir = workdir("rights");
mkfile(dir, "f", "xyz");
must0(mkdir(dir, "sub"));
function must0(e: u32): void { if (e != 0) show("SETUP", e); }

const readOnly = R_FD_READ | R_FD_SEEK | R_FD_TELL | R_FD_FILESTAT_GET;
show("path_open f with FD_READ|FD_SEEK|FD_TELL|FD_FILESTAT_GET", openRaw(dir, "f", 0, 1, readOnly, 0));
const f = load<u32>(OUT);
fdstat(f);
say("  base has FD_READ: " + yesno((fdstatBase() & R_FD_READ) != 0) + ", FD_WRITE: " + yesno((fdstatBase() & R_FD_WRITE) != 0));
show("  fd_write", write(f, "no"));
showRead("  fd_read 1 byte", read(f, 1));
show("fd_fdstat_set_rights(f, FD_READ|FD_FILESTAT_GET, 0)", w.fd_fdstat_set_rights(f, R_FD_READ | R_FD_FILESTAT_GET, 0));
fdstat(f);
say("  base is now exactly FD_READ|FD_FILESTAT_GET: " + yesno(fdstatBase() == (R_FD_READ | R_FD_FILESTAT_GET)));
show("  fd_seek", w.fd_seek(f, 0, 0, OUT));
show("  fd_tell", w.fd_tell(f, OUT));
showRead("  fd_read 1 byte", read(f, 1));
show("fd_fdstat_set_rights(f, FD_READ|FD_WRITE, 0) (adds FD_WRITE)", w.fd_fdstat_set_rights(f, R_FD_READ | R_FD_WRITE, 0));
show("fd_fdstat_set_rights(f, FD_READ, FD_WRITE) (adds an inheriting right)", w.fd_fdstat_set_rights(f, R_FD_READ, R_FD_WRITE));
show("fd_fdstat_set_rights(f, 0, 0)", w.fd_fdstat_set_rights(f, 0, 0));
show("  fd_read", read(f, 1));
show("fd_fdstat_set_rights(fd 1234, 0, 0)", w.fd_fdstat_set_rights(1234, 0, 0));

const allowed = inheritable(dir);
show("path_open sub without PATH_OPEN", openRaw(dir, "sub", O_DIRECTORY, 1, allowed & ~WRITE_RIGHTS & ~R_PATH_OPEN, allowed));
const sub = load<u32>(OUT);
show("  path_open(sub, \".\")", openRaw(sub, ".", O_DIRECTORY, 1, 0, 0));
const sub2 = open(dir, "sub", O_DIRECTORY);
fdstat(sub2);
show("fd_fdstat_set_rights(sub, all but PATH_CREATE_DIRECTORY)", w.fd_fdstat_set_rights(sub2, fdstatBase() & ~R_PATH_CREATE_DIRECTORY, allowed));
show("  path_create_directory via sub", mkdir(sub2, "x"));
const g = open(dir, "f", 0, 1, R_FD_READ | R_FD_WRITE | R_FD_SEEK, 0);
show("file opened with FD_WRITE: fd_write", write(g, "ok"));
