// Guest: fd_readdir lists "." and ".." and every entry with its type, d_ino matching
// path_filestat_get's inode; an empty directory; the end cookie; EBADF, ENOTDIR on a file.
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, workdir, mkfile, mkdir, symlink, open, stat, statIno, yesno, alloc, O_DIRECTORY,
  NOFOLLOW } from "../lib/check";
import { readAll, sortedNames, Dirent } from "../lib/dirents";

const dir = workdir("readdir");
show("mkdir r", mkdir(dir, "r"));
mkfile(dir, "r/a", "aaa");
mkfile(dir, "r/bb", "b");
show("mkdir r/sub", mkdir(dir, "r/sub"));
show("symlink r/ln -> a", symlink("a", dir, "r/ln"));
show("mkdir e", mkdir(dir, "e"));
const r = open(dir, "r", O_DIRECTORY);
const list = readAll(r);
say("r: " + sortedNames(list));
let inoMatches = true;
for (let i = 0; i < list.length; i++) {
  const d = list[i];
  if (d.name == "." || d.name == "..") continue;
  stat(r, NOFOLLOW, d.name);
  if (statIno() != d.ino) inoMatches = false;
}
say("  d_ino equals path_filestat_get ino for a, bb, ln, sub: " + yesno(inoMatches));
stat(dir, NOFOLLOW, "r");
say("  d_ino of \".\" equals r's inode: " + yesno(find(list, ".").ino == statIno()));
const last = list[list.length - 1].next;
const buf = alloc(256);
show("fd_readdir at the last entry's d_next", w.fd_readdir(r, buf, 256, last, OUT));
say("  bytes used " + load<u32>(OUT).toString());
say("e: " + sortedNames(readAll(open(dir, "e", O_DIRECTORY))));
show("fd_readdir(fd 1234)", w.fd_readdir(1234, buf, 256, 0, OUT));

function find(list: Dirent[], name: string): Dirent {
  for (let i = 0; i < list.length; i++) if (list[i].name == name) return list[i];
  return new Dirent("", 0, 0, "");
}
