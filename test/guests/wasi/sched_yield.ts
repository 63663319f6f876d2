// Guest: sched_yield succeeds, repeatedly, and the guest carries on.
// (It is the only call with no arguments at all.)
import * as w from "../../../userland/lib/wasi";
import { show, say } from "../lib/check";

show("sched_yield", w.sched_yield());
let failures = 0;
for (let i = 0; i < 100; i++) if (w.sched_yield() != 0) failures++;
say("100 more sched_yield failures: " + failures.toString());
