// Guest: nothing escapes the directory fd a path is resolved from: ".." above the preopen or above an
// opened directory, absolute paths, and symlinks leading out are refused (EPERM or ENOTCAPABLE).
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, workdir, mkfile, mkdir, openRaw, inheritable, stat, symlink, bytes, scratch, refusal, res,
  contents, O_DIRECTORY, O_CREAT, WRITE_RIGHTS } from "../lib/check";

const dir = workdir("sandbox");
const root = scratch();
mkfile(dir, "f", "data");
show("mkdir sub", mkdir(dir, "sub"));
const all = inheritable(dir);
const ro = all & ~WRITE_RIGHTS;
function tryOpen(fd: u32, path: string): string { return refusal(openRaw(fd, path, 0, 1, ro, all)); }

say("preopen: open \"..\" -> " + refusal(openRaw(root, "..", O_DIRECTORY, 1, ro, all)));
say("preopen: open \"../x\" -> " + tryOpen(root, "../x"));
say("preopen: open \"sandbox/../../x\" -> " + tryOpen(root, "sandbox/../../x"));
say("preopen: open \"sandbox/../sandbox/f\" -> " + tryOpen(root, "sandbox/../sandbox/f"));
say("dir fd: open \"..\" -> " + refusal(openRaw(dir, "..", O_DIRECTORY, 1, ro, all)));
say("dir fd: open \"../sandbox/f\" -> " + tryOpen(dir, "../sandbox/f"));
say("dir fd: open \"sub/../f\" -> " + tryOpen(dir, "sub/../f"));
say("dir fd: open \"sub/../../x\" -> " + tryOpen(dir, "sub/../../x"));
say("dir fd: open \"/f\" (absolute) -> " + tryOpen(dir, "/f"));
say("preopen: open \"/sandbox/f\" (absolute) -> " + tryOpen(root, "/sandbox/f"));
say("preopen: CREAT \"/new\" (absolute) -> " + refusal(openRaw(root, "/new", O_CREAT, 1, all, all)));
say("dir fd: path_filestat_get \"..\" -> " + refusal(stat(dir, 1, "..")));
say("dir fd: path_create_directory \"../x\" -> " + refusal(mkdir(dir, "../x")));
const up = bytes("../f2");
const f = bytes("f");
say("dir fd: path_rename f -> \"../f2\" -> " + refusal(w.path_rename(dir, f.ptr, f.len, dir, up.ptr, up.len)));
say("dir fd: path_link f -> \"../f2\" -> " + refusal(w.path_link(dir, 0, f.ptr, f.len, dir, up.ptr, up.len)));
say("dir fd: path_symlink at \"../l\" -> " + refusal(symlink("f", dir, "../l")));
say("  f still " + contents(dir, "f"));

show("symlink up -> \"..\" (creating it is fine)", symlink("..", dir, "up"));
say("  open \"up/sandbox/f\" -> " + tryOpen(dir, "up/sandbox/f"));
show("symlink deep -> \"../../../../../../../../etc/passwd\"", symlink("../../../../../../../../etc/passwd", dir, "deep"));
say("  open \"deep\" -> " + tryOpen(dir, "deep"));
show("symlink abs -> \"/etc/passwd\"", symlink("/etc/passwd", dir, "abs"));
const e = openRaw(dir, "abs", 0, 1, ro, all);
// The spec leaves open whether an absolute target resolves from the process root (it does not
// exist there) or is refused; either way the host's /etc/passwd must not be opened.
say("  open \"abs\" -> " + (e == 44 || e == 63 || e == 76 ? "not opened" : res(e)));
show("symlink inside -> \"sub/../f\"", symlink("sub/../f", dir, "inside"));
say("  open \"inside\" -> " + tryOpen(dir, "inside"));
