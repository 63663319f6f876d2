// Guest: random_get of 0, 1, 4096 and 100000 bytes (filled, and two draws differ), a zero-length
// request at the very end of memory, and EFAULT for a buffer running past memory.
import * as w from "../../../userland/lib/wasi";
import { say, show, memEnd, yesno, alloc } from "../lib/check";

function nonzero(p: usize, n: usize): bool {
  for (let i: usize = 0; i < n; i++) if (load<u8>(p + i) != 0) return true;
  return false;
}
const sizes: usize[] = [0, 1, 4096, 100000];
for (let i = 0; i < sizes.length; i++) {
  const n = sizes[i];
  const buf = alloc(n + 1);
  show("random_get " + n.toString(), w.random_get(buf, n));
  if (n >= 4096) say("  " + n.toString() + " bytes not all zero: " + yesno(nonzero(buf, n)));
  say("  byte after the buffer untouched: " + yesno(load<u8>(buf + n) == 0));
}
const a = alloc(64);
const b = alloc(64);
w.random_get(a, 64);
w.random_get(b, 64);
say("two 64-byte draws differ: " + yesno(memory.compare(a, b, 64) != 0));
show("random_get 0 bytes at memory end", w.random_get(memEnd(), 0));
show("random_get running past memory end", w.random_get(memEnd() - 10, 20));
