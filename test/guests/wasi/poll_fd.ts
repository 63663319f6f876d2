// Guest: poll_oneoff on fd readiness: stdin with data, stdout writable, a regular file (always
// ready both ways), an fd event beating a 10s timer; then stdin read to EOF and still readable.
// @run {"args": ["poll_fd"], "stdin": "hello\n"}
import * as w from "../../../userland/lib/wasi";
import { OUT, say, show, alloc, yesno, now, workdir, open, mkfile, read, showRead } from "../lib/check";

const SUB = 48;
const EVENT = 32;
const subs = alloc(SUB * 4);
const events = alloc(EVENT * 4);
const MS: u64 = 1000000;

function fdSub(i: u32, userdata: u64, type: u8, fd: u32): void {
  const s = subs + i * SUB;
  memory.fill(s, 0, SUB);
  store<u64>(s, userdata);
  store<u8>(s, type, 8);
  store<u32>(s, fd, 16);
}
function clockSub(i: u32, userdata: u64, timeout: u64): void {
  const s = subs + i * SUB;
  memory.fill(s, 0, SUB);
  store<u64>(s, userdata);
  store<u32>(s, 1, 16);
  store<u64>(s, timeout, 24);
}
/** Events sorted by userdata, so the order the implementation reports them in does not matter. */
function poll(label: string, n: u32): void {
  const e = w.poll_oneoff(subs, events, n, OUT);
  if (e != 0) { show(label, e); return; }
  const count = load<u32>(OUT);
  const parts: string[] = [];
  for (let i: u32 = 0; i < count; i++) {
    const ev = events + i * EVENT;
    parts.push("[userdata " + load<u64>(ev).toString() + " error " + load<u16>(ev, 8).toString() +
      " type " + load<u8>(ev, 10).toString() + "]");
  }
  parts.sort();
  say(label + " -> ok, " + count.toString() + " event(s) " + parts.join(" "));
}

const dir = workdir("poll_fd");
mkfile(dir, "f", "data");
const file = open(dir, "f");

fdSub(0, 1, 1, 0);
poll("stdin fd_read (data waiting)", 1);
fdSub(0, 2, 2, 1);
poll("stdout fd_write", 1);
fdSub(0, 3, 1, file);
fdSub(1, 4, 2, file);
poll("regular file fd_read + fd_write", 2);
clockSub(0, 5, 10000 * MS);
fdSub(1, 6, 2, 1);
const t0 = now(1);
poll("10s timer + stdout fd_write", 2);
say("  returned before the timer: " + yesno(now(1) - t0 < 10000 * MS));
showRead("fd_read stdin", read(0));
showRead("fd_read stdin again (EOF)", read(0));
fdSub(0, 7, 1, 0);
poll("stdin fd_read at EOF", 1);
