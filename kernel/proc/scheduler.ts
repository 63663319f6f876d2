// The scheduler: a run queue, a swappable policy, and CPU accounting.
//
// Its loop, as xv6 would describe it. Inline-engine processes share the kernel's one thread, so
// at most one of them is RUNNING. A process that must wait calls release() (the CPU goes to the
// next process the policy picks from the run queue) and sleeps BLOCKED; when what it waited for
// happens it calls acquire(), becomes RUNNABLE in the run queue, and resumes only when the
// scheduler hands it the CPU. Switching happens at syscalls, and at the preemption checks the
// load-time rewrite puts in every loop and function (engines/preempt.ts): a guest that used its
// slice gives the CPU to the others and to the event loop. Worker-engine processes run on their
// own threads and never queue; they are only charged their CPU time: their thread's own CPU clock
// as the OS counts it (thread-clock.ts) once the worker said which thread it is, else the wall
// time between its syscalls. An inline process is charged
// the CPU time the kernel's thread used while it held the CPU (wall time on a Node without
// process.threadCpuUsage), so time the host spent elsewhere is not its.
import type { Process } from "./process.js";
import { ThreadCpuClock } from "./thread-clock.js";
import { monotonicMs } from "../clock.js";

/** How often a worker process's thread clock is read at its syscalls (a read costs about 10 microseconds). */
const THREAD_CLOCK_SAMPLE_MS = 5;

/** How old a worker process's clock reading may be for the checks made at every syscall (time limits, its CPU-time clock). */
const THREAD_CLOCK_FRESH_MS = 1;

/** A worker process's thread clock, the CPU time charged by it so far, and its last reading (ns, and when). */
interface ThreadClock {
  clock: ThreadCpuClock;
  chargedNs: number;
  readAt: number;
  lastNs: number;
  lastReadAt: number;
}

/** Chooses who runs next among the runnable processes. */
export interface SchedulerPolicy {
  readonly name: string;
  /** Index into `queue` (never empty) of the process to run next. */
  pick(queue: readonly Process[]): number;
}

/** First come, first served, in the order processes became runnable. */
export class RoundRobinPolicy implements SchedulerPolicy {
  readonly name = "round-robin";
  pick(): number {
    return 0;
  }
}

/**
 * Weighted fair share between containers: the runnable process whose container has used the
 * least CPU per unit of weight (--cpu-shares) goes first; within a container, FIFO, or by CPU
 * per nice weight when its runnable processes' nice values differ.
 */
export class FairSharePolicy implements SchedulerPolicy {
  readonly name = "fair-share";
  pick(queue: readonly Process[]): number {
    let best = 0;
    let bestScore = Number.POSITIVE_INFINITY;
    queue.forEach((proc, i) => {
      const group = proc.container;
      const score = group.limiter.cpuNs / Math.max(1, group.limits.cpuShares);
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    });
    return reniced(queue, best);
  }
}

/** A nice value's weight, as Linux's: each step 1.25x the CPU share of the next. */
function niceWeight(nice: number): number {
  return 1024 / 1.25 ** nice;
}

/**
 * Within the chosen process's container, FIFO unless nice values differ among its runnable
 * processes: then the one that used the least CPU per unit of its nice weight.
 */
function reniced(queue: readonly Process[], chosen: number): number {
  const group = queue[chosen].container;
  const first = queue[chosen].nice;
  if (!queue.some((proc) => proc.container === group && proc.nice !== first)) return chosen;
  let best = chosen;
  let bestScore = Number.POSITIVE_INFINITY;
  queue.forEach((proc, i) => {
    if (proc.container !== group) return;
    const score = proc.cpuNs / niceWeight(proc.nice);
    if (score < bestScore) {
      bestScore = score;
      best = i;
    }
  });
  return best;
}

/** The CPU time this thread has used, in ms (process.threadCpuUsage, Node 23.9+), or wall time where Node lacks it. */
function threadCpuMs(): number {
  const usage: unknown = Reflect.get(process, "threadCpuUsage");
  if (typeof usage !== "function") return monotonicMs();
  const { user, system } = usage.call(process) as { user: number; system: number };
  return (user + system) / 1000;
}

interface Waiting {
  proc: Process;
  grant: () => void;
}

/** The run queue and the one inline CPU. */
export class Scheduler {
  private readonly queue: Waiting[] = [];
  running: Process | null = null;
  private runningSince = 0;
  /** The thread's CPU time (threadCpuMs) when the running process got the CPU: it is charged what the thread used since. */
  private cpuSince = 0;
  /** When each worker process's thread last went back to its guest code (not yet charged). */
  private readonly workersSince = new Map<Process, number>();
  /** The thread clocks of worker processes whose thread is known: they are charged by it, not by wall time. */
  private readonly threadClocks = new Map<Process, ThreadClock>();
  /** How long a process may keep the CPU while others wait, in ms (checked at syscalls). */
  sliceMs = 10;

  constructor(public policy: SchedulerPolicy = new FairSharePolicy()) {}

  /** Processes waiting for the CPU, in queue order. */
  runnable(): Process[] {
    return this.queue.map((w) => w.proc);
  }

  /** Processes of paused containers that asked for the CPU: they get it after unpause(). */
  private readonly parked: Waiting[] = [];

  /** Resolves when `proc` holds the CPU (a process of a paused container waits for its unpause). */
  acquire(proc: Process): Promise<void> {
    if (proc.container.paused) {
      proc.state = "RUNNABLE";
      return new Promise((resolve) => this.parked.push({ proc, grant: () => void this.acquire(proc).then(resolve) }));
    }
    if (!proc.inline) {
      proc.state = "RUNNING";
      return Promise.resolve();
    }
    proc.state = "RUNNABLE";
    if (this.running === null && this.queue.length === 0) {
      this.grant(proc);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push({ proc, grant: resolve }));
  }

  /** `proc` gives up the CPU (to block or to end); the next runnable process gets it. */
  release(proc: Process): void {
    if (this.running !== proc) return;
    this.charge(proc, threadCpuMs() - this.cpuSince);
    this.running = null;
    this.dispatch();
  }

  /**
   * `proc` used its slice: it goes back to the run queue and the CPU goes to whom the policy picks
   * among all that wait, `proc` included. Resolves when it holds the CPU again.
   */
  requeue(proc: Process): Promise<void> {
    if (this.running === proc) {
      this.charge(proc, monotonicMs() - this.runningSince);
      this.running = null;
    }
    proc.state = "RUNNABLE";
    const turn = new Promise<void>((resolve) => this.queue.push({ proc, grant: resolve }));
    this.dispatch();
    return turn;
  }

  /** Whether the running process has used its slice while others wait. */
  shouldYield(proc: Process): boolean {
    return this.running === proc && this.queue.length > 0 && monotonicMs() - this.runningSince > this.sliceMs;
  }

  /** Whether the running `proc` has held the CPU for a slice (`now`: monotonicMs()), others waiting or not. */
  sliceUsed(proc: Process, now: number): boolean {
    return this.running === proc && now - this.runningSince >= this.sliceMs;
  }

  /** CPU time (ns) `proc` has used since it was last charged: its slice (inline), or since its worker resumed. */
  currentSliceNs(proc: Process): number {
    if (proc.inline) return this.running === proc ? Math.max(0, Math.round((threadCpuMs() - this.cpuSince) * 1e6)) : 0;
    const clock = this.threadClocks.get(proc);
    if (clock) {
      // Asked at every syscall of a time-limited container: a reading under a millisecond old will do.
      const now = monotonicMs();
      if (now - clock.lastReadAt >= THREAD_CLOCK_FRESH_MS) {
        clock.lastNs = clock.clock.readNs() ?? clock.lastNs;
        clock.lastReadAt = now;
      }
      return Math.max(0, clock.lastNs - clock.chargedNs);
    }
    const since = this.workersSince.get(proc);
    return since === undefined ? 0 : Math.round((monotonicMs() - since) * 1e6);
  }

  /** A worker process's thread goes back to its guest code: its CPU time counts from now. */
  resumeWorker(proc: Process): void {
    if (!this.threadClocks.has(proc)) this.workersSince.set(proc, monotonicMs());
  }

  /**
   * A worker process runs on OS thread `tid`: from now on it is charged that thread's CPU clock
   * (from the thread's start, so the wall time counted so far is dropped).
   */
  useThreadClock(proc: Process, tid: number): void {
    const clock = ThreadCpuClock.open(tid);
    if (!clock) return;
    this.workersSince.delete(proc);
    this.threadClocks.get(proc)?.clock.close();
    this.threadClocks.set(proc, { clock, chargedNs: 0, readAt: Number.NEGATIVE_INFINITY, lastNs: 0, lastReadAt: Number.NEGATIVE_INFINITY });
    this.chargeThreadClock(proc);
  }

  /** Charges a worker process what its thread clock counted since it was last read. */
  private chargeThreadClock(proc: Process): void {
    const clock = this.threadClocks.get(proc);
    const ns = clock?.clock.readNs();
    if (!clock || ns === undefined) return;
    clock.readAt = clock.lastReadAt = monotonicMs();
    clock.lastNs = ns;
    this.charge(proc, (ns - clock.chargedNs) / 1e6);
    clock.chargedNs = Math.max(clock.chargedNs, ns);
  }

  /** A worker process calls into the kernel: it is charged the time since it resumed. */
  pauseWorker(proc: Process): void {
    const clock = this.threadClocks.get(proc);
    if (clock) {
      if (monotonicMs() - clock.readAt >= THREAD_CLOCK_SAMPLE_MS) this.chargeThreadClock(proc);
      return;
    }
    const since = this.workersSince.get(proc);
    if (since === undefined) return;
    this.workersSince.delete(proc);
    this.charge(proc, monotonicMs() - since);
  }

  /**
   * docker pause: none of the container's processes gets the CPU from now on. The one running
   * stops at its next syscall or preemption check; a worker process at its next syscall.
   */
  pause(container: Process["container"]): void {
    container.paused = true;
  }

  /** docker unpause: the container's parked processes queue for the CPU again. */
  unpause(container: Process["container"]): void {
    container.paused = false;
    const resumed = this.parked.filter((w) => w.proc.container === container);
    for (const waiting of resumed) this.parked.splice(this.parked.indexOf(waiting), 1);
    for (const waiting of resumed) waiting.grant();
  }

  /** Removes a process that will never run again from the queue. */
  forget(proc: Process): void {
    const i = this.queue.findIndex((w) => w.proc === proc);
    if (i >= 0) this.queue.splice(i, 1);
    const parked = this.parked.findIndex((w) => w.proc === proc);
    if (parked >= 0) this.parked.splice(parked, 1);
    this.workersSince.delete(proc);
    const clock = this.threadClocks.get(proc);
    if (clock) {
      this.chargeThreadClock(proc);
      clock.clock.close();
      this.threadClocks.delete(proc);
    }
    this.release(proc);
  }

  /** Charges CPU time (ms) to a process and its container. */
  charge(proc: Process, ms: number): void {
    const ns = Math.max(0, Math.round(ms * 1e6));
    proc.cpuNs += ns;
    proc.container.limiter.cpuNs += ns;
  }

  private grant(proc: Process): void {
    this.running = proc;
    this.runningSince = monotonicMs();
    this.cpuSince = threadCpuMs();
    proc.state = "RUNNING";
  }

  private dispatch(): void {
    if (this.running !== null || this.queue.length === 0) return;
    const [next] = this.queue.splice(this.policy.pick(this.runnable()), 1);
    this.grant(next.proc);
    next.grant();
  }
}
