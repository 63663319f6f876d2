// kernel/proc: the CPU clock of one thread, read by the OS's own count: a worker thread (a
// worker-engine process, a VM's guest) says which thread it is, and the host reads that thread's
// CPU time whenever it needs it, even while the thread spins in guest code and answers nothing.
import { closeSync, openSync, readFileSync, readlinkSync, readSync } from "node:fs";

/**
 * The OS id of the calling thread (Linux: the task of /proc/thread-self); undefined where the
 * system does not say (no procfs), and the caller then falls back to what it measured itself.
 */
export function currentThreadId(): number | undefined {
  try {
    const task = Number(readlinkSync("/proc/thread-self").split("/").pop());
    return Number.isInteger(task) && task > 0 ? task : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The CPU clock of thread `tid` of this process: the scheduler's count in
 * /proc/PID/task/TID/schedstat, held open and read again from its start at each read (about 10
 * microseconds; opening the file each time costs ten times that).
 */
export class ThreadCpuClock {
  private fd: number | undefined;
  private readonly buffer = Buffer.alloc(64);

  private constructor(fd: number) {
    this.fd = fd;
  }

  /** The clock of thread `tid`; undefined where there is no procfs or no such thread. */
  static open(tid: number): ThreadCpuClock | undefined {
    try {
      const clock = new ThreadCpuClock(openSync(`/proc/${process.pid}/task/${tid}/schedstat`, "r"));
      if (clock.readNs() !== undefined) return clock;
      clock.close();
    } catch {
      // no procfs, or the thread is gone
    }
    return undefined;
  }

  /** CPU time (ns) the thread has run; undefined once it is gone (or the clock closed). */
  readNs(): number | undefined {
    if (this.fd === undefined) return undefined;
    try {
      const n = readSync(this.fd, this.buffer, 0, this.buffer.length, 0);
      const ns = Number(this.buffer.toString("latin1", 0, n).split(" ", 1)[0]);
      return n > 0 && Number.isFinite(ns) ? ns : undefined;
    } catch {
      return undefined;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** CPU time (ns) of the calling thread: process.threadCpuUsage (Node 23.9+), else the OS's count; undefined if neither. */
export function ownThreadCpuNs(): number | undefined {
  const usage: unknown = Reflect.get(process, "threadCpuUsage");
  if (typeof usage === "function") {
    const { user, system } = usage.call(process) as { user: number; system: number };
    return (user + system) * 1000;
  }
  const tid = currentThreadId();
  try {
    return tid === undefined ? undefined : Number(readFileSync(`/proc/${process.pid}/task/${tid}/schedstat`, "latin1").split(" ", 1)[0]);
  } catch {
    return undefined;
  }
}
