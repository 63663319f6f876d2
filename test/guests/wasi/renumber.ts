// Guest: fd_renumber between files (the target is replaced, the source closed), onto itself, with
// fds that are not open (EBADF), moving the preopen fd 3, and moving stdout onto fd 2.
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, workdir, open, mkfile, read, showRead, setOutFd, write, fdstat, fdstatType } from "../lib/check";

const dir = workdir("renumber");
mkfile(dir, "a", "A");
mkfile(dir, "b", "B");
mkfile(dir, "c", "C");
const a = open(dir, "a");
const b = open(dir, "b");
show("fd_renumber(a, b)", w.fd_renumber(a, b));
showRead("  fd_read(b) now reads a's file", read(b));
show("  fd_close(a) (a is gone)", w.fd_close(a));
show("fd_renumber(b, b)", w.fd_renumber(b, b));
show("  fd_seek(b, 0, set) still works", w.fd_seek(b, 0, 0, OUT));
show("fd_renumber(1234, b)", w.fd_renumber(1234, b));
show("fd_renumber(b, 1234)", w.fd_renumber(b, 1234));

const c = open(dir, "c");
show("fd_renumber(3, c): the preopen moves onto c's number", w.fd_renumber(3, c));
const e = w.fd_prestat_get(c, OUT);
say("  fd_prestat_get(c) -> " + (e == 0 ? "ok, name length " + load<u32>(OUT, 4).toString() : "errno " + e.toString()));
show("  fd_prestat_get(3)", w.fd_prestat_get(3, OUT));
show("  fd_fdstat_get(3)", fdstat(3));
const d = open(dir, "b");
show("fd_renumber(d, c): a file replaces the moved preopen", w.fd_renumber(d, c));
show("  fd_prestat_get(c)", w.fd_prestat_get(c, OUT));
show("  fd_fdstat_get(c)", fdstat(c));
say("  filetype " + fdstatType());

const moved = w.fd_renumber(1, 2);
if (moved == 0) setOutFd(2);
show("fd_renumber(1, 2): stdout moves onto fd 2", moved);
say("  this line went through fd 2");
show("  fd_write(1)", write(1, "lost\n"));
