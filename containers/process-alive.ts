// Whether a process id names a live process: kill(pid, 0) succeeds, and (where /proc tells, Linux) it
// is not a zombie, which an init that reaps late (a container's or a VM's) can leave for seconds.
import { readFileSync } from "node:fs";

/** Whether `pid` is a running process; an exited one its parent has not reaped yet counts as gone. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists, owned by someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return true; // no /proc (macOS, Windows): kill's answer stands
  }
  // "PID (COMM) STATE ...": COMM may hold spaces and parentheses, so the state follows the last ")".
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}
