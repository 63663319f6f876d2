// Guest: path_rename of directories: over an empty directory (replaced), over a non-empty one
// (ENOTEMPTY), onto a file (ENOTDIR), into its own subdirectory (EINVAL), onto itself; and an open
// directory fd keeps working after its directory is renamed.
import * as w from "../../../userland/lib/wasi";
import { say, show, workdir, mkfile, mkdir, rename, open, openRaw, inheritable, stat, showStat, contents,
  O_DIRECTORY, NOFOLLOW } from "../lib/check";

const dir = workdir("rename_dirs");
show("mkdir a", mkdir(dir, "a"));
mkfile(dir, "a/x", "X");
show("mkdir empty", mkdir(dir, "empty"));
show("mkdir full", mkdir(dir, "full"));
mkfile(dir, "full/y", "Y");
mkfile(dir, "f", "F");

show("path_rename a -> empty (an empty directory)", rename(dir, "a", "empty"));
say("  empty/x is " + contents(dir, "empty/x"));
show("  stat a", stat(dir, NOFOLLOW, "a"));
show("path_rename empty -> full (not empty)", rename(dir, "empty", "full"));
show("path_rename empty -> f (a file)", rename(dir, "empty", "f"));
show("mkdir empty/c", mkdir(dir, "empty/c"));
show("path_rename empty -> empty/c/q (into itself)", rename(dir, "empty", "empty/c/q"));
show("path_rename empty -> empty", rename(dir, "empty", "empty"));
show("path_rename full -> empty/c/full (deeper)", rename(dir, "full", "empty/c/full"));
say("  empty/c/full/y is " + contents(dir, "empty/c/full/y"));

const held = open(dir, "empty", O_DIRECTORY);
show("path_rename empty -> moved (while open)", rename(dir, "empty", "moved"));
const all = inheritable(held);
show("  path_open(held fd, \"x\")", openRaw(held, "x", 0, 1, all, all));
show("  path_create_directory(held fd, \"new\")", mkdir(held, "new"));
showStat("  stat moved/new", stat(dir, NOFOLLOW, "moved/new"));
