// kernel/proc: the CPU clock of one thread, read by the OS's own count: a worker thread (a
// worker-engine process, a VM's guest) says which thread it is, and the host reads that thread's
// CPU time whenever it needs it, even while the thread spins in guest code and answers nothing.
import { readFileSync, readlinkSync } from "node:fs";

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
 * CPU time (ns) thread `tid` of this process has run, from the scheduler's count in
 * /proc/PID/task/TID/schedstat; undefined once the thread is gone or where there is no procfs.
 */
export function threadCpuNs(tid: number): number | undefined {
  try {
    const ns = Number(readFileSync(`/proc/${process.pid}/task/${tid}/schedstat`, "latin1").split(" ", 1)[0]);
    return Number.isFinite(ns) ? ns : undefined;
  } catch {
    return undefined;
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
  return tid === undefined ? undefined : threadCpuNs(tid);
}
