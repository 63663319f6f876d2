// The inline engine's preemption point. The load-time rewrite makes a guest spend one unit of a
// budget at every loop iteration and function entry and call this when the budget is used up:
// within its slice it only hands out a new budget; past it, the guest is suspended (JSPI) until
// a later macrotask, so other processes, timers and I/O (the daemon, limits, kills) run.
import { ProcKilled } from "../proc/wait.js";
import type { SyscallContext } from "../syscalls/table.js";
import { monotonicMs } from "../clock.js";

/** How far apart (wall time, ms) the budget aims to put the calls: a few per slice. */
const TARGET_MS = 1;
/** The budget's bounds: a loop whose iterations take long gets few, a tight one many. */
const MIN_BUDGET = 16;
const MAX_BUDGET = 1 << 26;

/**
 * The function a preemptible instance imports as PREEMPT_IMPORT: returns the next budget (sized
 * so that calls come about TARGET_MS apart), or a promise of it after the guest has given up the
 * CPU. Throws ProcKilled for a killed process or one past its container's time limit.
 */
export function preemptionPoint(ctx: SyscallContext, initialBudget: number): () => number | Promise<number> {
  let budget = initialBudget;
  let since = monotonicMs();
  const resumed = (): number => {
    since = monotonicMs();
    return budget;
  };
  return () => {
    const proc = ctx.proc;
    const now = monotonicMs();
    const elapsed = now - since;
    if (elapsed < TARGET_MS / 2) budget = Math.min(MAX_BUDGET, budget * 2);
    else if (elapsed > TARGET_MS * 2) budget = Math.max(MIN_BUDGET, Math.floor(budget / 2));
    since = now;
    if (proc.killSignal !== undefined) throw new ProcKilled(proc.killSignal);
    proc.container.limiter.enforceTime(proc, proc.host.scheduler);
    if (!proc.host.scheduler.sliceUsed(proc, now)) return budget;
    return proc.preempted().then(resumed);
  };
}
