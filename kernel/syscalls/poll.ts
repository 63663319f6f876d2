// poll_oneoff: waits for any mix of clocks and fd readiness (pipes, stdin, files).
// Subscriptions are read once; the deadlines they give are kept across wake-ups.
import { Errno, SysError } from "../errno.js";
import { P, R } from "../abi/types.js";
import type { GuestMemory } from "../abi/memory.js";
import type { Process } from "../proc/process.js";
import { Wait } from "../proc/wait.js";
import { ClockId, EventType, EVENTRWFLAGS_HANGUP, Rights, SUBCLOCKFLAGS_ABSTIME } from "../wasi.js";
import { clockNow } from "./misc.js";
import { syscall, WASI_MODULE, type SyscallDef } from "./table.js";

const SUBSCRIPTION_SIZE = 48;
const EVENT_SIZE = 32;
/** Subscriptions each open fd may need (one for reading, one for writing). */
const SUBSCRIPTIONS_PER_FD = 2;
/** Clock subscriptions allowed beyond those. */
const EXTRA_SUBSCRIPTIONS = 64;

type Subscription =
  | { userdata: bigint; type: EventType.CLOCK; clock: number; deadline: bigint }
  | { userdata: bigint; type: EventType.FD_READ | EventType.FD_WRITE; fd: number };

interface PollEvent {
  userdata: bigint;
  error: number;
  type: EventType;
  nbytes: bigint;
  flags: number;
}

/** Reads the subscriptions (layout: userdata u64 @0, tag u8 @8, union @16). */
function readSubscriptions(proc: Process, mem: GuestMemory, ptr: number, count: number): Subscription[] {
  mem.check(ptr, count * SUBSCRIPTION_SIZE);
  const subs: Subscription[] = [];
  for (let i = 0; i < count; i++) {
    const at = ptr + i * SUBSCRIPTION_SIZE;
    const userdata = mem.u64(at);
    const tag = mem.u8At(at + 8);
    if (tag === EventType.CLOCK) {
      const clock = mem.u32(at + 16);
      const timeout = mem.u64(at + 24);
      const flags = mem.u16(at + 40);
      const now = clockNow(proc, clock);
      const deadline = flags & SUBCLOCKFLAGS_ABSTIME ? timeout : now + timeout;
      subs.push({ userdata, type: EventType.CLOCK, clock, deadline });
    } else if (tag === EventType.FD_READ || tag === EventType.FD_WRITE) {
      subs.push({ userdata, type: tag, fd: mem.u32(at + 16) });
    } else {
      throw new SysError(Errno.INVAL);
    }
  }
  return subs;
}

/** The events that are ready now. */
function readyEvents(proc: Process, subs: Subscription[]): PollEvent[] {
  const events: PollEvent[] = [];
  for (const sub of subs) {
    if (sub.type === EventType.CLOCK) {
      if (clockNow(proc, sub.clock) >= sub.deadline) events.push({ userdata: sub.userdata, error: 0, type: sub.type, nbytes: 0n, flags: 0 });
      continue;
    }
    let error = 0;
    let ready = true;
    let nbytes = 0n;
    let flags = 0;
    try {
      const { file } = proc.fds.get(sub.fd, Rights.POLL_FD_READWRITE);
      const state = sub.type === EventType.FD_READ ? file.readReadiness() : file.writeReadiness();
      ready = state.ready;
      nbytes = state.nbytes;
      flags = state.hangup ? EVENTRWFLAGS_HANGUP : 0;
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      error = e.errno;
    }
    if (ready) events.push({ userdata: sub.userdata, error, type: sub.type, nbytes, flags });
  }
  return events;
}

/** A promise that settles when any subscription may have become ready. */
function anyChange(proc: Process, subs: Subscription[]): Promise<void> {
  return new Promise((resolve) => {
    const undo: Array<() => void> = [];
    let fired = false;
    // The poll returns once the event loop's current phase is over (setImmediate), not at the first
    // wake-up: every connection that got data in the same I/O phase is then ready in one return, as
    // epoll gives a server that was busy (one wake-up and one scheduling per batch, not per socket).
    const fire = () => {
      if (fired) return;
      fired = true;
      for (const u of undo) u();
      setImmediate(resolve);
    };
    for (const sub of subs) {
      if (sub.type === EventType.CLOCK) {
        const left = sub.deadline - clockNow(proc, sub.clock);
        const ms = Math.max(0, Math.ceil(Number(left) / 1e6));
        const timer = setTimeout(fire, ms);
        undo.push(() => clearTimeout(timer));
      } else {
        const queue = proc.fds.has(sub.fd) ? proc.fds.get(sub.fd).file.readinessQueue() : undefined;
        if (queue) undo.push(queue.subscribe(fire));
      }
    }
  });
}

function poll(proc: Process, subs: Subscription[], out: number): number | Wait {
  const events = readyEvents(proc, subs);
  if (events.length === 0) return new Wait(anyChange(proc, subs), () => poll(proc, subs, out));
  const mem = proc.mem;
  mem.check(out, events.length * EVENT_SIZE);
  events.forEach((ev, i) => {
    const at = out + i * EVENT_SIZE;
    mem.setU64(at, ev.userdata);
    mem.setU16(at + 8, ev.error);
    mem.setU8(at + 10, ev.type);
    mem.setU64(at + 16, ev.nbytes);
    mem.setU16(at + 24, ev.flags);
  });
  return events.length;
}

export const pollSyscalls: SyscallDef[] = [
  syscall({
    name: "poll_oneoff", module: WASI_MODULE, mayBlock: true,
    doc: "Waits for clocks and fd readiness. EINVAL: no subscriptions, more than two per fd the limit allows (plus 64), or an unknown clock/tag; EFAULT: they do not fit in memory; per-fd errors come back in events.",
    params: [["in", P.ptr], ["out", P.ptr], ["nsubscriptions", P.u32]], result: R.u32,
    handler(proc: Process, inPtr: number, outPtr: number, count: number) {
      // A poll is how a program waits: buffered host output goes out first, even if it need not wait.
      if (proc.host.hostOutputs.dirty !== null) proc.host.hostOutputs.flush();
      if (count === 0) throw new SysError(Errno.INVAL);
      // Checked before anything is read: a guest's memory could hold millions of subscriptions,
      // each a host object (in a VM, past its isolate's heap), as poll(2) refuses nfds past RLIMIT_NOFILE.
      proc.mem.check(inPtr, count * SUBSCRIPTION_SIZE);
      if (count > SUBSCRIPTIONS_PER_FD * proc.fds.limit + EXTRA_SUBSCRIPTIONS) throw new SysError(Errno.INVAL);
      proc.mem.check(outPtr, count * EVENT_SIZE);
      const subs = readSubscriptions(proc, proc.mem, inPtr, count);
      for (const sub of subs) if (sub.type === EventType.CLOCK && sub.clock > ClockId.THREAD_CPUTIME) throw new SysError(Errno.INVAL);
      return poll(proc, subs, outPtr);
    },
  }),
];
