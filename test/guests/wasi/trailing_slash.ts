// Guest: trailing slashes: on a file (ENOTDIR), on a directory (fine), on a symlink to a directory
// (followed even without SYMLINK_FOLLOW), on a symlink to a file or a dangling one, and in the
// names given to mkdir, rmdir, unlink, rename, symlink and link (Linux behaviour).
import * as w from "../../../userland/lib/wasi";
import { say, show, workdir, mkfile, mkdir, rmdir, unlink, rename, link, openRaw, inheritable, stat, showStat, symlink,
  O_CREAT, O_DIRECTORY, FOLLOW, NOFOLLOW, WRITE_RIGHTS } from "../lib/check";

const dir = workdir("trailing_slash");
mkfile(dir, "f", "x");
show("mkdir d", mkdir(dir, "d"));
show("symlink lf -> f", symlink("f", dir, "lf"));
show("symlink ld -> d", symlink("d", dir, "ld"));
show("symlink dang -> nope", symlink("nope", dir, "dang"));
const all = inheritable(dir);
const ro = all & ~WRITE_RIGHTS;

show("open \"f/\"", openRaw(dir, "f/", 0, FOLLOW, ro, all));
show("stat follow \"f/\"", stat(dir, FOLLOW, "f/"));
show("stat nofollow \"f/\"", stat(dir, NOFOLLOW, "f/"));
show("open \"d/\"", openRaw(dir, "d/", 0, FOLLOW, ro, all));
show("open DIRECTORY \"d//\"", openRaw(dir, "d//", O_DIRECTORY, FOLLOW, ro, all));
show("open follow \"lf/\"", openRaw(dir, "lf/", 0, FOLLOW, ro, all));
show("open nofollow \"lf/\"", openRaw(dir, "lf/", 0, NOFOLLOW, ro, all));
show("open nofollow DIRECTORY \"ld/\"", openRaw(dir, "ld/", O_DIRECTORY, NOFOLLOW, ro, all));
showStat("stat nofollow \"ld\"", stat(dir, NOFOLLOW, "ld"));
showStat("stat nofollow \"ld/\"", stat(dir, NOFOLLOW, "ld/"));
show("stat follow \"dang/\"", stat(dir, FOLLOW, "dang/"));
show("open CREAT \"newf/\"", openRaw(dir, "newf/", O_CREAT, FOLLOW, all, all));
show("  stat newf", stat(dir, NOFOLLOW, "newf"));
show("path_create_directory \"nd/\"", mkdir(dir, "nd/"));
showStat("  stat nd", stat(dir, NOFOLLOW, "nd"));
show("path_remove_directory \"nd/\"", rmdir(dir, "nd/"));
show("path_unlink_file \"f/\"", unlink(dir, "f/"));
show("path_unlink_file \"lf/\"", unlink(dir, "lf/"));
show("path_unlink_file \"ld/\"", unlink(dir, "ld/"));
show("path_unlink_file \"d/\"", unlink(dir, "d/"));
show("path_remove_directory \"ld/\"", rmdir(dir, "ld/"));
show("path_rename f -> \"g/\"", rename(dir, "f", "g/"));
show("path_rename \"f/\" -> g", rename(dir, "f/", "g"));
show("path_rename \"d/\" -> \"e/\"", rename(dir, "d/", "e/"));
showStat("  stat e", stat(dir, NOFOLLOW, "e"));
show("path_symlink at \"sl/\"", symlink("f", dir, "sl/"));
show("path_link f -> \"hl/\"", link(dir, 0, "f", "hl/"));
showStat("stat f (still there)", stat(dir, NOFOLLOW, "f"));
