// Guest: ATIM_NOW and MTIM_NOW set "now" on the realtime clock (checked against clock_time_get,
// with 50ms of slack for coarse filesystem clocks), leave the other timestamp alone, flags 0 changes
// nothing, and writing or creating a file sets its mtim to now.
import * as w from "../../../userland/lib/wasi";
import { say, show, workdir, mkfile, open, stat, statAtim, statMtim, bytes, yesno, now, write, STAT,
  NOFOLLOW, FST_ATIM, FST_ATIM_NOW, FST_MTIM, FST_MTIM_NOW } from "../lib/check";

const SLACK: u64 = 50000000;
function isNow(t: u64, before: u64, after: u64): string { return yesno(t + SLACK >= before && t <= after + SLACK); }

const dir = workdir("times_now");
let before = now(0);
mkfile(dir, "f", "data");
let after = now(0);
stat(dir, NOFOLLOW, "f");
say("new file's mtim is now: " + isNow(statMtim(), before, after));
const f = open(dir, "f");
w.fd_filestat_set_times(f, 1000, 2000, FST_ATIM | FST_MTIM);
before = now(0);
show("fd_filestat_set_times ATIM_NOW|MTIM_NOW", w.fd_filestat_set_times(f, 1, 1, FST_ATIM_NOW | FST_MTIM_NOW));
after = now(0);
w.fd_filestat_get(f, STAT);
say("  atim is now: " + isNow(statAtim(), before, after) + ", mtim is now: " + isNow(statMtim(), before, after));
w.fd_filestat_set_times(f, 1000, 2000, FST_ATIM | FST_MTIM);
before = now(0);
const p = bytes("f");
show("path_filestat_set_times MTIM_NOW only", w.path_filestat_set_times(dir, 1, p.ptr, p.len, 1, 1, FST_MTIM_NOW));
after = now(0);
stat(dir, NOFOLLOW, "f");
say("  atim still " + statAtim().toString() + ", mtim is now: " + isNow(statMtim(), before, after));
w.fd_filestat_set_times(f, 1000, 2000, FST_ATIM | FST_MTIM);
show("path_filestat_set_times ATIM_NOW only", w.path_filestat_set_times(dir, 1, p.ptr, p.len, 1, 1, FST_ATIM_NOW));
stat(dir, NOFOLLOW, "f");
say("  mtim still " + statMtim().toString() + ", atim moved from 1000: " + yesno(statAtim() != 1000));
w.fd_filestat_set_times(f, 1000, 2000, FST_ATIM | FST_MTIM);
show("fd_filestat_set_times with flags 0", w.fd_filestat_set_times(f, 5, 5, 0));
w.fd_filestat_get(f, STAT);
say("  atim " + statAtim().toString() + " mtim " + statMtim().toString());
before = now(0);
show("fd_write", write(f, "more"));
after = now(0);
w.fd_filestat_get(f, STAT);
say("  mtim is now: " + isNow(statMtim(), before, after));
