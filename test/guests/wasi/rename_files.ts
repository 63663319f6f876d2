// Guest: path_rename of files: over an existing file (atomically replaced), onto a directory (EISDIR),
// into a directory, onto itself, between two hard links of one inode (a no-op), and of a symlink.
import * as w from "../../../userland/lib/wasi";
import { say, show, workdir, mkfile, mkdir, rename, link, open, stat, showStat, symlink, bytes, contents, yesno,
  O_DIRECTORY, NOFOLLOW } from "../lib/check";

const dir = workdir("rename_files");
mkfile(dir, "a", "A");
mkfile(dir, "b", "B");
show("mkdir d", mkdir(dir, "d"));
show("path_rename a -> b (b exists)", rename(dir, "a", "b"));
say("  b is " + contents(dir, "b") + ", a is " + contents(dir, "a"));
show("path_rename b -> c (new name)", rename(dir, "b", "c"));
show("path_rename missing -> x", rename(dir, "missing", "x"));
show("path_rename c -> d (a directory)", rename(dir, "c", "d"));
show("path_rename c -> nodir/x", rename(dir, "c", "nodir/x"));
show("path_rename c -> c/x (c is a file)", rename(dir, "c", "c/x"));
show("path_rename c -> c", rename(dir, "c", "c"));
say("  c is " + contents(dir, "c"));
show("path_rename c -> d/c", rename(dir, "c", "d/c"));
say("  d/c is " + contents(dir, "d/c"));

mkfile(dir, "h1", "H");
show("path_link h1 -> h2", link(dir, NOFOLLOW, "h1", "h2"));
show("path_rename h1 -> h2 (same inode)", rename(dir, "h1", "h2"));
showStat("  stat h1", stat(dir, NOFOLLOW, "h1"));
showStat("  stat h2", stat(dir, NOFOLLOW, "h2"));

mkfile(dir, "t", "T");
show("symlink s -> t", symlink("t", dir, "s"));
show("path_rename s -> s2", rename(dir, "s", "s2"));
showStat("  stat nofollow s2", stat(dir, NOFOLLOW, "s2"));
say("  s2 reads " + contents(dir, "s2"));
mkfile(dir, "n", "N");
show("path_rename n -> s2 (replaces the link, not its target)", rename(dir, "n", "s2"));
showStat("  stat nofollow s2", stat(dir, NOFOLLOW, "s2"));
say("  t is " + contents(dir, "t"));

const sub = open(dir, "d", O_DIRECTORY);
const from = bytes("t");
const to = bytes("t2");
show("path_rename t -> d/t2 (new path relative to another dir fd)", w.path_rename(dir, from.ptr, from.len, sub, to.ptr, to.len));
say("  d/t2 is " + contents(dir, "d/t2") + ", t is " + contents(dir, "t"));
