// Guest: relative symlinks to files and directories: follow vs not (SYMLINK_FOLLOW; without it the
// final link is not followed, like O_NOFOLLOW), chains, targets relative to the link's directory,
// intermediate links always followed, dangling links, EEXIST, and unlinking a link not its target.
import * as w from "../../../userland/lib/wasi";
import { say, show, workdir, mkfile, mkdir, rmdir, unlink, openRaw, inheritable, stat, showStat, symlink,
  contents, O_CREAT, O_EXCL, O_DIRECTORY, FOLLOW, NOFOLLOW, WRITE_RIGHTS } from "../lib/check";

const dir = workdir("symlink");
mkfile(dir, "f", "data");
show("mkdir d", mkdir(dir, "d"));
mkfile(dir, "d/inner", "in");
const all = inheritable(dir);
const ro = all & ~WRITE_RIGHTS;

show("symlink rel -> f", symlink("f", dir, "rel"));
show("symlink rel -> f again", symlink("f", dir, "rel"));
show("symlink over existing file f", symlink("x", dir, "f"));
show("symlink over existing directory d", symlink("x", dir, "d"));
showStat("stat nofollow rel", stat(dir, NOFOLLOW, "rel"));
showStat("stat follow rel", stat(dir, FOLLOW, "rel"));
say("open follow rel -> " + contents(dir, "rel"));
show("open nofollow rel", openRaw(dir, "rel", 0, NOFOLLOW, ro, all));
show("open nofollow|DIRECTORY rel", openRaw(dir, "rel", O_DIRECTORY, NOFOLLOW, ro, all));

show("symlink dl -> d", symlink("d", dir, "dl"));
showStat("stat nofollow dl", stat(dir, NOFOLLOW, "dl"));
show("open follow|DIRECTORY dl", openRaw(dir, "dl", O_DIRECTORY, FOLLOW, ro, all));
show("open nofollow dl/inner (intermediate link)", openRaw(dir, "dl/inner", 0, NOFOLLOW, ro, all));
showStat("stat nofollow dl/inner", stat(dir, NOFOLLOW, "dl/inner"));

show("symlink chain -> rel", symlink("rel", dir, "chain"));
say("open follow chain -> " + contents(dir, "chain"));
show("symlink d/up -> ../f", symlink("../f", dir, "d/up"));
say("open follow d/up -> " + contents(dir, "d/up"));
show("symlink d/sib -> inner", symlink("inner", dir, "d/sib"));
say("open follow d/sib -> " + contents(dir, "d/sib"));
say("open follow dl/sib -> " + contents(dir, "dl/sib"));

show("symlink dang -> nope", symlink("nope", dir, "dang"));
showStat("stat nofollow dang", stat(dir, NOFOLLOW, "dang"));
show("stat follow dang", stat(dir, FOLLOW, "dang"));
show("open follow dang", openRaw(dir, "dang", 0, FOLLOW, ro, all));
show("open nofollow dang", openRaw(dir, "dang", 0, NOFOLLOW, ro, all));
show("open follow CREAT|EXCL dang", openRaw(dir, "dang", O_CREAT | O_EXCL, FOLLOW, all, all));
show("stat nofollow nope (not created)", stat(dir, NOFOLLOW, "nope"));

show("path_remove_directory dl (a link to a directory)", rmdir(dir, "dl"));
show("path_unlink_file dl", unlink(dir, "dl"));
showStat("  stat d", stat(dir, NOFOLLOW, "d"));
show("path_unlink_file rel", unlink(dir, "rel"));
show("  stat nofollow rel", stat(dir, NOFOLLOW, "rel"));
showStat("  stat f", stat(dir, NOFOLLOW, "f"));
say("open follow chain (now dangling) -> " + contents(dir, "chain"));
