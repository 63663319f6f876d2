// Guest: path_readlink returns the exact target bytes; into a short buffer it truncates like
// readlink(2) (writing nothing past buf_len); EINVAL on a non-link, ENOENT on a missing path.
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, workdir, mkfile, mkdir, symlink, bytes, quote, yesno, alloc } from "../lib/check";

const dir = workdir("readlink");
mkfile(dir, "f", "data");
show("mkdir d", mkdir(dir, "d"));
show("symlink l -> abcdefgh", symlink("abcdefgh", dir, "l"));
show("symlink d/l2 -> zz", symlink("zz", dir, "d/l2"));
show("symlink dl -> d", symlink("d", dir, "dl"));
show("symlink u -> \"../ü x\"", symlink("../ü x", dir, "u"));
const buf = alloc(64);

function readlink(label: string, path: string, len: usize): void {
  memory.fill(buf, 0x2e, 64);
  const p = bytes(path);
  const e = w.path_readlink(dir, p.ptr, p.len, buf, len, OUT);
  if (e != 0) { show(label, e); return; }
  const used = load<u32>(OUT);
  say(label + " -> " + used.toString() + " " + quote(buf, used) + ", nothing written past it: " + yesno(load<u8>(buf + used) == 0x2e));
}
readlink("path_readlink l, 64-byte buffer", "l", 64);
readlink("path_readlink l, 8-byte buffer (exact)", "l", 8);
readlink("path_readlink l, 3-byte buffer", "l", 3);
readlink("path_readlink l, 1-byte buffer", "l", 1);
readlink("path_readlink u", "u", 64);
readlink("path_readlink dl/l2 (through a link to a directory)", "dl/l2", 64);
readlink("path_readlink f (a regular file)", "f", 64);
readlink("path_readlink d (a directory)", "d", 64);
readlink("path_readlink missing", "missing", 64);
readlink("path_readlink f/x", "f/x", 64);
