// Guest: path_create_directory, path_remove_directory and path_unlink_file errnos: EEXIST, ENOENT,
// ENOTDIR, ENOTEMPTY, EISDIR (unlink of a directory, as the spec says), and "." / ".." inside paths.
import * as w from "../../../userland/lib/wasi";
import { say, show, workdir, mkfile, mkdir, rmdir, unlink, stat, showStat, NOFOLLOW } from "../lib/check";

const dir = workdir("directories");
mkfile(dir, "f", "F");
show("path_create_directory a", mkdir(dir, "a"));
showStat("  stat a", stat(dir, NOFOLLOW, "a"));
show("path_create_directory a again", mkdir(dir, "a"));
show("path_create_directory f (a file exists)", mkdir(dir, "f"));
show("path_create_directory missing/x", mkdir(dir, "missing/x"));
show("path_create_directory f/x", mkdir(dir, "f/x"));
show("path_create_directory a/./b", mkdir(dir, "a/./b"));
show("path_create_directory a/../c", mkdir(dir, "a/../c"));
showStat("  stat c", stat(dir, NOFOLLOW, "c"));
mkfile(dir, "a/file", "x");
show("path_remove_directory a (not empty)", rmdir(dir, "a"));
show("path_remove_directory f (a file)", rmdir(dir, "f"));
show("path_remove_directory missing", rmdir(dir, "missing"));
show("path_unlink_file a (a directory)", unlink(dir, "a"));
show("path_unlink_file missing", unlink(dir, "missing"));
show("path_unlink_file a/file", unlink(dir, "a/file"));
show("path_unlink_file a/file again", unlink(dir, "a/file"));
show("path_remove_directory a/b", rmdir(dir, "a/b"));
show("path_remove_directory a", rmdir(dir, "a"));
show("  stat a", stat(dir, NOFOLLOW, "a"));
show("path_unlink_file f", unlink(dir, "f"));
show("  stat f", stat(dir, NOFOLLOW, "f"));
