// Guest: symlink loops (two links pointing at each other, a link to itself) give ELOOP when
// followed, as final or intermediate components; a chain of 8 links resolves, one of 100 is ELOOP.
import * as w from "../../../userland/lib/wasi";
import { OUT, STAT, say, show, workdir, mkfile, mkdir, openRaw, inheritable, stat, showStat, symlink, bytes, quote,
  contents, O_CREAT, FOLLOW, NOFOLLOW, WRITE_RIGHTS } from "../lib/check";

const dir = workdir("symlink_loops");
mkfile(dir, "f", "data");
const all = inheritable(dir);
const ro = all & ~WRITE_RIGHTS;

show("symlink loop1 -> loop2", symlink("loop2", dir, "loop1"));
show("symlink loop2 -> loop1", symlink("loop1", dir, "loop2"));
show("symlink self -> self", symlink("self", dir, "self"));
show("open follow loop1", openRaw(dir, "loop1", 0, FOLLOW, ro, all));
show("stat follow loop1", stat(dir, FOLLOW, "loop1"));
showStat("stat nofollow loop1", stat(dir, NOFOLLOW, "loop1"));
show("open follow self", openRaw(dir, "self", 0, FOLLOW, ro, all));
show("open nofollow self/x (intermediate)", openRaw(dir, "self/x", 0, NOFOLLOW, ro, all));
show("stat nofollow loop1/x (intermediate)", stat(dir, NOFOLLOW, "loop1/x"));
show("path_create_directory self/x", bytesMkdir("self/x"));
show("open follow CREAT loop1", openRaw(dir, "loop1", O_CREAT, FOLLOW, all, all));
const p = bytes("loop1");
const e = w.path_readlink(dir, p.ptr, p.len, STAT, 32, OUT);
say("path_readlink loop1 -> " + (e == 0 ? load<u32>(OUT).toString() + " " + quote(STAT, load<u32>(OUT)) : e.toString()));

show("chain c1..c8 -> f", chain("c", 8));
say("open follow c1 -> " + contents(dir, "c1"));
show("chain k1..k100 -> f", chain("k", 100));
show("open follow k1", openRaw(dir, "k1", 0, FOLLOW, ro, all));

function bytesMkdir(path: string): u32 { return mkdir(dir, path); }
/** name1 -> name2 -> ... -> nameN -> f */
function chain(prefix: string, n: i32): u32 {
  for (let i = 1; i <= n; i++) {
    const target = i == n ? "f" : prefix + (i + 1).toString();
    const e = symlink(target, dir, prefix + i.toString());
    if (e != 0) return e;
  }
  return 0;
}
