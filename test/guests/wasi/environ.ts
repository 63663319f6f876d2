// Guest: environ_sizes_get and environ_get: count, exact KEY=VALUE bytes in the given order (empty
// value, '=' inside a value, non-ASCII), NUL terminators, and EFAULT for pointers past memory.
// @run {"args": ["environ"], "env": {"A": "1", "EMPTY": "", "UNI": "ü=é", "PATH_LIKE": "/a:/b"}}
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, quote, alloc, memEnd, yesno } from "../lib/check";

show("environ_sizes_get", w.environ_sizes_get(OUT, OUT + 4));
const count = load<u32>(OUT);
const size = load<u32>(OUT + 4);
say("count " + count.toString() + ", environ_buf_size " + size.toString());
const ptrs = alloc(count * 4);
const buf = alloc(size);
show("environ_get", w.environ_get(ptrs, buf));
for (let i: u32 = 0; i < count; i++) {
  const p = load<u32>(ptrs + i * 4);
  let n: u32 = 0;
  while (p + n < buf + size && load<u8>(p + n) != 0) n++;
  const inside = p >= buf && p + n < buf + size;
  say("environ[" + i.toString() + "] " + quote(p, n) + " NUL-terminated inside environ_buf: " + yesno(inside));
}
show("environ_get pointers past memory end", w.environ_get(memEnd() - 4, buf));
show("environ_get buf past memory end", w.environ_get(ptrs, memEnd() - 2));
show("environ_sizes_get out past memory end", w.environ_sizes_get(OUT, memEnd()));
