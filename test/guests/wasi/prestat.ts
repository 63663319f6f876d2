// Guest: fd_prestat_get and fd_prestat_dir_name on the first preopen (fd 3, "/"): exact name into a
// roomy buffer (nothing written past it), a too-short buffer, and EBADF for stdio and non-preopens.
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, alloc, quote, yesno, workdir, memEnd } from "../lib/check";

const e = w.fd_prestat_get(3, OUT);
if (e != 0) show("fd_prestat_get(3)", e);
else say("fd_prestat_get(3) -> ok, tag " + load<u8>(OUT).toString() + " name length " + load<u32>(OUT, 4).toString());
const len = load<u32>(OUT, 4);
const buf = alloc(16);
memory.fill(buf, 0x2e, 16);
show("fd_prestat_dir_name(3, 16-byte buffer)", w.fd_prestat_dir_name(3, buf, 16));
say("  name " + quote(buf, len) + ", byte after it untouched: " + yesno(load<u8>(buf + len) == 0x2e));
memory.fill(buf, 0x2e, 16);
show("fd_prestat_dir_name(3, exact-size buffer)", w.fd_prestat_dir_name(3, buf, len));
say("  name " + quote(buf, len));
show("fd_prestat_dir_name(3, 0-byte buffer)", w.fd_prestat_dir_name(3, buf, 0));
const dir = workdir("prestat");
show("fd_prestat_get(stdin)", w.fd_prestat_get(0, OUT));
show("fd_prestat_get(stdout)", w.fd_prestat_get(1, OUT));
show("fd_prestat_get(stderr)", w.fd_prestat_get(2, OUT));
show("fd_prestat_get(a directory opened with path_open)", w.fd_prestat_get(dir, OUT));
show("fd_prestat_dir_name(a directory opened with path_open)", w.fd_prestat_dir_name(dir, buf, 16));
show("fd_prestat_get(fd 1234)", w.fd_prestat_get(1234, OUT));
show("fd_prestat_dir_name(fd 1234)", w.fd_prestat_dir_name(1234, buf, 16));
show("fd_prestat_get(3) out past memory end", w.fd_prestat_get(3, memEnd() - 4));
