// Guest: proc_exit(42) ends the process at once with code 42; nothing after it runs.
// (Every other guest returns from _start and so exits 0.)
import * as w from "../../../userland/lib/wasi";
import { say } from "../lib/check";

say("before proc_exit(42)");
w.proc_exit(42);
say("after proc_exit: must not appear");
