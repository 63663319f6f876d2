// Guest: clock_res_get and clock_time_get on all four clock ids (shape checks only, never raw
// times), EINVAL for an unknown clock id, EFAULT for an out pointer past memory.
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, memEnd, yesno, now } from "../lib/check";

const NAMES = ["realtime", "monotonic", "process_cputime_id", "thread_cputime_id"];
for (let id: u32 = 0; id < 4; id++) {
  const e = w.clock_res_get(id, OUT);
  say("clock_res_get(" + NAMES[id] + ") -> " + (e == 0 ? "ok, nonzero: " + yesno(load<u64>(OUT) > 0) : show2(e)));
  const t = w.clock_time_get(id, 0, OUT);
  say("clock_time_get(" + NAMES[id] + ") -> " + (t == 0 ? "ok" : show2(t)));
}
function show2(e: u32): string { return "errno " + e.toString(); }

say("realtime after 2020-01-01: " + yesno(now(0) > 1577836800000000000));
const m1 = now(1);
let spin: u64 = 0;
for (let i = 0; i < 200000; i++) spin += <u64>i;
const m2 = now(1);
say("monotonic does not go back: " + yesno(m2 >= m1) + (spin == 0 ? "!" : ""));
const c1 = now(2);
for (let i = 0; i < 200000; i++) spin += <u64>i;
const c2 = now(2);
say("process cputime does not go back: " + yesno(c2 >= c1) + (spin == 0 ? "!" : ""));
show("clock_res_get(4)", w.clock_res_get(4, OUT));
show("clock_time_get(4)", w.clock_time_get(4, 0, OUT));
show("clock_res_get out past memory end", w.clock_res_get(1, memEnd()));
show("clock_time_get out past memory end", w.clock_time_get(0, 0, memEnd() - 4));
