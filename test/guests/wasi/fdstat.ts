// Guest: fd_fdstat_get filetype and fs_flags for the preopen, an opened directory, a plain file and
// an O_APPEND file; fd_fdstat_set_flags turning APPEND on and off; EBADF for fds not open.
import * as w from "../../../userland/lib/wasi";
import { say, show, workdir, open, mkfile, scratch, fdstat, fdstatType, fdstatFlags, fdstatBase, yesno,
  O_DIRECTORY, FDFLAG_APPEND, RIGHTS_ALL, R_PATH_OPEN, R_FD_READDIR, STAT } from "../lib/check";

function report(label: string, fd: u32): void {
  const e = fdstat(fd);
  if (e != 0) show(label, e);
  else say(label + " -> " + fdstatType() + ", fs_flags " + fdstatFlags().toString());
}
const dir = workdir("fdstat");
mkfile(dir, "f", "data");
const root = scratch();
report("preopen", root);
say("  preopen has PATH_OPEN and FD_READDIR: " + yesno((fdstatBase() & (R_PATH_OPEN | R_FD_READDIR)) == (R_PATH_OPEN | R_FD_READDIR)));
report("directory from path_open", open(dir, ".", O_DIRECTORY));
const f = open(dir, "f");
report("file", f);
report("file opened with APPEND", open(dir, "f", 0, 1, RIGHTS_ALL, RIGHTS_ALL, FDFLAG_APPEND));
show("fd_fdstat_set_flags(file, APPEND)", w.fd_fdstat_set_flags(f, FDFLAG_APPEND));
report("  file", f);
show("fd_fdstat_set_flags(file, 0)", w.fd_fdstat_set_flags(f, 0));
report("  file", f);
show("fd_filestat_get(directory fd)", w.fd_filestat_get(dir, STAT));
say("  filetype " + ["unknown", "block_device", "character_device", "directory", "regular_file"][load<u8>(STAT, 16)]);
report("fd 1234", 1234);
show("fd_fdstat_set_flags(fd 1234, 0)", w.fd_fdstat_set_flags(1234, 0));
