// Guest: inode numbers are distinct per file, directory and symlink, nonzero, the same through an fd
// and through a path; every entry of the scratch directory has one device id; nlink and symlink size.
import * as w from "../../../userland/lib/wasi";
import { say, show, workdir, mkfile, mkdir, open, stat, statIno, statDev, statNlink, showStat, symlink, yesno, STAT,
  O_DIRECTORY, NOFOLLOW } from "../lib/check";

const dir = workdir("inodes");
mkfile(dir, "a", "1");
mkfile(dir, "b", "2");
show("mkdir d", mkdir(dir, "d"));
show("symlink s -> a", symlink("a", dir, "s"));
const names = ["a", "b", "d", "s", "."];
const inos: u64[] = [];
const devs: u64[] = [];
for (let i = 0; i < names.length; i++) {
  stat(dir, NOFOLLOW, names[i]);
  inos.push(statIno());
  devs.push(statDev());
}
let distinct = true;
let oneDev = true;
let nonzero = true;
for (let i = 0; i < inos.length; i++) {
  if (inos[i] == 0) nonzero = false;
  if (devs[i] != devs[0]) oneDev = false;
  for (let j = i + 1; j < inos.length; j++) if (inos[i] == inos[j]) distinct = false;
}
say("inodes of a, b, d, s and . distinct: " + yesno(distinct) + ", nonzero: " + yesno(nonzero));
say("one device id for all: " + yesno(oneDev));
const fa = open(dir, "a");
w.fd_filestat_get(fa, STAT);
say("fd_filestat_get(a) inode and device equal path_filestat_get's: " + yesno(statIno() == inos[0] && statDev() == devs[0]));
w.fd_filestat_get(open(dir, "d", O_DIRECTORY), STAT);
say("fd_filestat_get(d) inode equals path_filestat_get's: " + yesno(statIno() == inos[2]));
stat(dir, NOFOLLOW, "a");
say("nlink of a: " + statNlink().toString());
showStat("stat nofollow s", stat(dir, NOFOLLOW, "s"));
mkfile(dir, "c", "3");
stat(dir, NOFOLLOW, "c");
say("a new file gets a new inode: " + yesno(!inos.includes(statIno())));
