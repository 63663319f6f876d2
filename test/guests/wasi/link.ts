// Guest: path_link: a second name for the same inode (shared content, nlink), EEXIST, ENOENT, EPERM
// for directories, links to a symlink itself vs (with SYMLINK_FOLLOW) to its target, across dir fds.
import * as w from "../../../userland/lib/wasi";
import { say, show, workdir, mkfile, mkdir, unlink, link, open, stat, showStat, statIno, statNlink, symlink, bytes,
  contents, yesno, write, FOLLOW, NOFOLLOW, O_DIRECTORY, FDFLAG_APPEND, RIGHTS_ALL } from "../lib/check";

const dir = workdir("link");
mkfile(dir, "f", "data");
show("mkdir d", mkdir(dir, "d"));
stat(dir, NOFOLLOW, "f");
const ino = statIno();

show("path_link f -> g", link(dir, NOFOLLOW, "f", "g"));
stat(dir, NOFOLLOW, "g");
say("  g has f's inode: " + yesno(statIno() == ino) + ", nlink " + statNlink().toString());
const g = open(dir, "g", 0, FOLLOW, RIGHTS_ALL, RIGHTS_ALL, FDFLAG_APPEND);
show("  append \"+\" through g", write(g, "+"));
say("  f is " + contents(dir, "f"));
show("path_link f -> g again", link(dir, NOFOLLOW, "f", "g"));
show("path_link f -> f", link(dir, NOFOLLOW, "f", "f"));
show("path_link missing -> x", link(dir, NOFOLLOW, "missing", "x"));
show("path_link f -> nodir/x", link(dir, NOFOLLOW, "f", "nodir/x"));
show("path_link d -> d2 (a directory)", link(dir, NOFOLLOW, "d", "d2"));

show("symlink sl -> f", symlink("f", dir, "sl"));
show("path_link nofollow sl -> hs", link(dir, NOFOLLOW, "sl", "hs"));
showStat("  stat nofollow hs", stat(dir, NOFOLLOW, "hs"));
show("path_link follow sl -> hf", link(dir, FOLLOW, "sl", "hf"));
showStat("  stat nofollow hf", stat(dir, NOFOLLOW, "hf"));
say("  hf has f's inode: " + yesno(statIno() == ino) + ", nlink " + statNlink().toString());

const sub = open(dir, "d", O_DIRECTORY);
const from = bytes("f");
const to = bytes("g2");
show("path_link f -> d/g2 (new path relative to another dir fd)", w.path_link(dir, NOFOLLOW, from.ptr, from.len, sub, to.ptr, to.len));
say("  d/g2 is " + contents(dir, "d/g2"));
show("path_unlink_file f", unlink(dir, "f"));
stat(dir, NOFOLLOW, "g");
say("  g is " + contents(dir, "g") + ", nlink " + statNlink().toString());
