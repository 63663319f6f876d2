// Guest: args_sizes_get and args_get: count, exact bytes (empty, spaced and non-ASCII arguments),
// NUL terminators, and EFAULT when either pointer lies past the end of memory.
// @run {"args": ["args", "two words", "", "ünï", "a=b"]}
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, quote, alloc, memEnd, yesno } from "../lib/check";

show("args_sizes_get", w.args_sizes_get(OUT, OUT + 4));
const argc = load<u32>(OUT);
const size = load<u32>(OUT + 4);
say("argc " + argc.toString() + ", argv_buf_size " + size.toString());
const ptrs = alloc(argc * 4);
const buf = alloc(size);
show("args_get", w.args_get(ptrs, buf));
for (let i: u32 = 0; i < argc; i++) {
  const p = load<u32>(ptrs + i * 4);
  let n: u32 = 0;
  while (p + n < buf + size && load<u8>(p + n) != 0) n++;
  const inside = p >= buf && p + n < buf + size;
  say("argv[" + i.toString() + "] " + quote(p, n) + " NUL-terminated inside argv_buf: " + yesno(inside));
}
show("args_get argv past memory end", w.args_get(memEnd() - 4, buf));
show("args_get argv_buf past memory end", w.args_get(ptrs, memEnd() - 2));
show("args_sizes_get out past memory end", w.args_sizes_get(memEnd(), OUT));
