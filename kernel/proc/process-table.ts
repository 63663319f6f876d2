// The process table's rules for ending: zombies kept until reaped, orphans handed to their
// namespace's pid 1, parents woken; and reaping itself.
import { SIGCHLD, SIGCONT, SIGHUP } from "../abi/wasmbox-abi.js";
import type { Process } from "./process.js";

/** Exit and reap bookkeeping over every container's pid namespace. */
export class ProcessTable {
  /** Called when any process ends (for daemons, logs and tests). */
  onExit?: (proc: Process) => void;
  private liveCount = 0;

  /** Processes not yet ended, across every container. */
  get live(): number {
    return this.liveCount;
  }

  /** A process was just created (it counts as live until exit()). */
  add(): void {
    this.liveCount++;
  }

  /** A process just became a zombie. */
  exit(proc: Process): void {
    this.liveCount--;
    proc.container.limiter.disarm();
    if (proc.ctty && proc.ctty.session === proc.pid) hangUp(proc);
    const init = proc.container.pids.get(1);
    for (const child of proc.children) {
      child.parent = init && init !== proc && init.state !== "ZOMBIE" ? init : null;
      child.parent?.children.add(child);
      if (!child.parent && child.state === "ZOMBIE") this.reap(child);
    }
    proc.children.clear();
    if (proc.parent && proc.parent.state !== "ZOMBIE") {
      proc.parent.childEvents.wakeAll();
      proc.parent.signal(SIGCHLD);
      if (proc.parent.children.has(proc) && init === proc.parent) init.childEvents.wakeAll();
    } else {
      this.reap(proc);
    }
    this.onExit?.(proc);
  }

  /** Removes a zombie for good. */
  reap(proc: Process): void {
    proc.parent?.children.delete(proc);
    proc.container.pids.processes.delete(proc.pid);
  }

  /** A zombie child of `parent` matching `pid` (>0 that pid, -1 any, < -1 group), if any. */
  findZombie(parent: Process, pid: number): Process | undefined {
    for (const child of parent.children) {
      if (child.state === "ZOMBIE" && matches(child, pid)) return child;
    }
    return undefined;
  }

  /**
   * A live child of `parent` matching `pid` with a stop (when `stops`) or a continue (when
   * `continues`) not yet reported; the report is taken. Returns [pid, POSIX wait status].
   */
  takeJobChange(parent: Process, pid: number, stops: boolean, continues: boolean): [number, number] | undefined {
    for (const child of parent.children) {
      const change = child.jobChange;
      if (change === undefined || child.state === "ZOMBIE" || !matches(child, pid)) continue;
      if (change === "continued" ? !continues : !stops) continue;
      child.jobChange = undefined;
      return [child.pid, change === "continued" ? 0xffff : (change.stopped << 8) | 0x7f];
    }
    return undefined;
  }

  /** Whether `parent` has any child matching `pid`. */
  hasChild(parent: Process, pid: number): boolean {
    for (const child of parent.children) if (matches(child, pid)) return true;
    return false;
  }
}

function matches(child: Process, pid: number): boolean {
  return pid === -1 || (pid > 0 ? child.pid === pid : pid < -1 ? child.pgid === -pid : child.pgid === child.parent?.pgid);
}

/**
 * The controlling process of a terminal ended: as Linux does, its session loses the terminal, the
 * foreground group gets SIGHUP, and stopped processes of the session get SIGHUP then SIGCONT (no
 * one is left to continue them).
 */
function hangUp(leader: Process): void {
  const terminal = leader.ctty!;
  terminal.session = 0;
  for (const p of leader.container.liveProcesses()) {
    if (p === leader || p.session !== leader.session) continue;
    if (p.pgid === terminal.foreground || p.stoppedBy !== 0) p.signal(SIGHUP);
    if (p.stoppedBy !== 0) p.signal(SIGCONT);
    p.ctty = undefined;
  }
}
