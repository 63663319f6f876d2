// Guest: poll_oneoff on clocks: no subscriptions (EINVAL), relative and absolute timeouts on the
// monotonic and realtime clocks, a deadline already past, and the earlier of two timers winning.
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, alloc, yesno, now } from "../lib/check";

const SUB = 48;
const EVENT = 32;
const subs = alloc(SUB * 4);
const events = alloc(EVENT * 4);
const MS: u64 = 1000000;
const ABSTIME: u16 = 1;

function clockSub(i: u32, userdata: u64, clock: u32, timeout: u64, flags: u16): void {
  const s = subs + i * SUB;
  memory.fill(s, 0, SUB);
  store<u64>(s, userdata);
  store<u8>(s, 0, 8); // eventtype::clock
  store<u32>(s, clock, 16);
  store<u64>(s, timeout, 24);
  store<u64>(s, 0, 32);
  store<u16>(s, flags, 40);
}
function describe(n: u32): string {
  let out = "";
  for (let i: u32 = 0; i < n; i++) {
    const e = events + i * EVENT;
    out += " [userdata " + load<u64>(e).toString() + " error " + load<u16>(e, 8).toString() +
      " type " + load<u8>(e, 10).toString() + "]";
  }
  return out;
}
function poll(label: string, n: u32): void {
  const e = w.poll_oneoff(subs, events, n, OUT);
  if (e != 0) show(label, e);
  else say(label + " -> ok, " + load<u32>(OUT).toString() + " event(s)" + describe(load<u32>(OUT)));
}

show("poll_oneoff with 0 subscriptions", w.poll_oneoff(subs, events, 0, OUT));

clockSub(0, 0x1234, 1, 2 * MS, 0);
let t0 = now(1);
poll("monotonic relative 2ms", 1);
say("  waited at least 2ms: " + yesno(now(1) - t0 >= 2 * MS));

t0 = now(1);
clockSub(0, 7, 1, t0 + 3 * MS, ABSTIME);
poll("monotonic absolute now+3ms", 1);
say("  reached the deadline: " + yesno(now(1) >= t0 + 3 * MS));

clockSub(0, 8, 1, 1, ABSTIME);
t0 = now(1);
poll("monotonic absolute deadline long past", 1);
say("  returned within 1s: " + yesno(now(1) - t0 < 1000 * MS));

clockSub(0, 9, 1, 0, 0);
poll("monotonic relative 0", 1);

clockSub(0, 10, 0, 2 * MS, 0);
t0 = now(1);
poll("realtime relative 2ms", 1);
say("  waited at least 2ms: " + yesno(now(1) - t0 >= 2 * MS));

const rt = now(0);
// 100ms: a deadline already past when the call starts (a loaded machine) gets an overflow error from the component adapter.
clockSub(0, 11, 0, rt + 100 * MS, ABSTIME);
poll("realtime absolute now+100ms", 1);
say("  reached the deadline: " + yesno(now(0) >= rt + 100 * MS));

clockSub(0, 1, 1, 1 * MS, 0);
clockSub(1, 2, 1, 5000 * MS, 0);
t0 = now(1);
poll("timers of 1ms and 5s", 2);
say("  returned before 5s: " + yesno(now(1) - t0 < 5000 * MS));
