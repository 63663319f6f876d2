// Guest: path_symlink with an absolute target ("/", "/etc/passwd", "/f") is refused with EPERM, as
// wasmtime (cap-std) refuses it in its capability sandbox, and creates nothing; relative targets work.
import { say, show, workdir, mkfile, stat, showStat, symlink, contents, NOFOLLOW } from "../lib/check";

const dir = workdir("symlink_absolute");
mkfile(dir, "f", "data");
show("symlink root -> \"/\"", symlink("/", dir, "root"));
show("  stat nofollow root (not created)", stat(dir, NOFOLLOW, "root"));
show("symlink pw -> \"/etc/passwd\"", symlink("/etc/passwd", dir, "pw"));
show("  stat nofollow pw (not created)", stat(dir, NOFOLLOW, "pw"));
show("symlink slashf -> \"//f\"", symlink("//f", dir, "slashf"));
show("symlink rel -> \"f\"", symlink("f", dir, "rel"));
showStat("  stat nofollow rel", stat(dir, NOFOLLOW, "rel"));
say("  open rel -> " + contents(dir, "rel"));
