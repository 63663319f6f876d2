// Guest: paths with an embedded NUL are rejected (never truncated at the NUL) and empty paths give
// ENOENT, for every path_* call that takes a path.
import * as w from "../../../userland/lib/wasi";
import { OUT, STAT, say, show, workdir, mkfile, mkdir, rmdir, unlink, openRaw, inheritable, stat, symlink, link,
  rename, bytes, res, contents, O_CREAT } from "../lib/check";

const dir = workdir("path_strings");
mkfile(dir, "f", "data");
const all = inheritable(dir);
/** The spec does not name the errno for a NUL inside a path: EINVAL (wasmtime) or EILSEQ both reject it. */
function nul(e: u32): string { return e == 28 || e == 25 ? "rejected" : res(e); }

say("open \"f\\0x\" -> " + nul(openRaw(dir, "f\x00x", 0, 1, all, all)));
say("open CREAT \"n\\0x\" -> " + nul(openRaw(dir, "n\x00x", O_CREAT, 1, all, all)));
show("  n was not created", stat(dir, 0, "n"));
say("mkdir \"m\\0x\" -> " + nul(mkdir(dir, "m\x00x")));
show("  m was not created", stat(dir, 0, "m"));
say("path_filestat_get \"f\\0\" -> " + nul(stat(dir, 1, "f\x00")));
say("path_unlink_file \"f\\0x\" -> " + nul(unlink(dir, "f\x00x")));
say("path_symlink at \"s\\0x\" -> " + nul(symlink("f", dir, "s\x00x")));
show("  s was not created", stat(dir, 0, "s"));
say("path_symlink target \"f\\0x\" -> " + nul(symlink("f\x00x", dir, "t")));
say("path_rename f -> \"g\\0x\" -> " + nul(rename(dir, "f", "g\x00x")));
say("path_link f -> \"h\\0x\" -> " + nul(link(dir, 0, "f", "h\x00x")));
say("  f still " + contents(dir, "f"));

show("open \"\"", openRaw(dir, "", 0, 1, all, all));
show("open CREAT \"\"", openRaw(dir, "", O_CREAT, 1, all, all));
show("path_filestat_get \"\"", stat(dir, 1, ""));
show("path_create_directory \"\"", mkdir(dir, ""));
show("path_remove_directory \"\"", rmdir(dir, ""));
show("path_unlink_file \"\"", unlink(dir, ""));
show("path_symlink at \"\"", symlink("f", dir, ""));
show("path_symlink with empty target", symlink("", dir, "e"));
show("path_rename \"\" -> x", rename(dir, "", "x"));
show("path_rename f -> \"\"", rename(dir, "f", ""));
show("path_link \"\" -> x", link(dir, 0, "", "x"));
const empty = bytes("");
show("path_readlink \"\"", w.path_readlink(dir, empty.ptr, 0, STAT, 16, OUT));
show("path_filestat_set_times \"\"", w.path_filestat_set_times(dir, 1, empty.ptr, 0, 0, 0, 0));
