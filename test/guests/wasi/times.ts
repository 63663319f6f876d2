// Guest: nanosecond timestamps: fd_filestat_set_times and path_filestat_set_times (follow and
// nofollow on a symlink) store atim/mtim exactly and *_filestat_get returns them; EINVAL for
// contradictory flags; EBADF/ENOENT.
import * as w from "../../../userland/lib/wasi";
import { say, show, workdir, mkfile, mkdir, open, stat, statAtim, statMtim, symlink, bytes, STAT, O_DIRECTORY,
  FOLLOW, NOFOLLOW, FST_ATIM, FST_ATIM_NOW, FST_MTIM, FST_MTIM_NOW } from "../lib/check";

const dir = workdir("times");
mkfile(dir, "f", "data");
mkfile(dir, "g", "data");
show("mkdir d", mkdir(dir, "d"));
show("symlink l -> g", symlink("g", dir, "l"));
const f = open(dir, "f");
function times(): string { return "atim " + statAtim().toString() + " mtim " + statMtim().toString(); }
function pathTimes(lookup: u32, path: string, atim: u64, mtim: u64, flags: u32): u32 {
  const p = bytes(path);
  return w.path_filestat_set_times(dir, lookup, p.ptr, p.len, atim, mtim, flags);
}

show("fd_filestat_set_times(f, 1000000000123456789, 1500000000987654321, ATIM|MTIM)",
  w.fd_filestat_set_times(f, 1000000000123456789, 1500000000987654321, FST_ATIM | FST_MTIM));
show("  fd_filestat_get", w.fd_filestat_get(f, STAT));
say("  " + times());
show("fd_filestat_set_times(f, 0, 7, MTIM) (atim untouched)", w.fd_filestat_set_times(f, 0, 7, FST_MTIM));
w.fd_filestat_get(f, STAT);
say("  " + times());
show("fd_filestat_set_times(f, 0, 0, ATIM|MTIM)", w.fd_filestat_set_times(f, 0, 0, FST_ATIM | FST_MTIM));
w.fd_filestat_get(f, STAT);
say("  " + times());
show("path_filestat_set_times(f, 1700000000000000001, 1700000000000000002)", pathTimes(FOLLOW, "f", 1700000000000000001, 1700000000000000002, FST_ATIM | FST_MTIM));
stat(dir, NOFOLLOW, "f");
say("  " + times());
show("path_filestat_set_times(d, 1, 999999999)", pathTimes(FOLLOW, "d", 1, 999999999, FST_ATIM | FST_MTIM));
stat(dir, NOFOLLOW, "d");
say("  " + times());
show("fd_filestat_set_times on the directory fd", w.fd_filestat_set_times(open(dir, "d", O_DIRECTORY), 5, 6, FST_ATIM | FST_MTIM));
stat(dir, NOFOLLOW, "d");
say("  " + times());
pathTimes(NOFOLLOW, "g", 100, 200, FST_ATIM | FST_MTIM);
show("path_filestat_set_times follow l (sets g)", pathTimes(FOLLOW, "l", 300, 400, FST_ATIM | FST_MTIM));
stat(dir, NOFOLLOW, "g");
say("  g " + times());
show("path_filestat_set_times nofollow l (sets the link itself)", pathTimes(NOFOLLOW, "l", 500, 600, FST_ATIM | FST_MTIM));
stat(dir, NOFOLLOW, "l");
say("  l " + times());
stat(dir, NOFOLLOW, "g");
say("  g " + times());
show("fd_filestat_set_times ATIM|ATIM_NOW", w.fd_filestat_set_times(f, 1, 1, FST_ATIM | FST_ATIM_NOW));
show("fd_filestat_set_times MTIM|MTIM_NOW", w.fd_filestat_set_times(f, 1, 1, FST_MTIM | FST_MTIM_NOW));
show("path_filestat_set_times ATIM|ATIM_NOW", pathTimes(FOLLOW, "f", 1, 1, FST_ATIM | FST_ATIM_NOW));
show("fd_filestat_set_times(fd 1234)", w.fd_filestat_set_times(1234, 1, 1, FST_ATIM));
show("path_filestat_set_times(missing)", pathTimes(FOLLOW, "missing", 1, 1, FST_ATIM));
