// Guest: proc_raise with signal 0 (none: like raise(0), nothing happens) and with a number outside
// the signal enum (EINVAL). Real signals are not raised: that would end the test host under node:wasi.
import * as w from "../../../userland/lib/wasi";
import { show } from "../lib/check";

show("proc_raise(none)", w.proc_raise(0));
show("proc_raise(200)", w.proc_raise(200));
