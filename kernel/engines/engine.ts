// What an engine is given to run a process, and how every engine ends one: the exit status
// from _start's outcome (return, proc_exit, a kill, a trap), recorded in the process table.
import { SIGABRT, SIGKILL } from "../abi/wasmbox-abi.js";
import type { Process } from "../proc/process.js";
import type { DispatcherFactories, SyscallDef } from "../syscalls/table.js";
import type { InstancePool } from "./instance-pool.js";
import type { MemoryPool } from "./memory-pool.js";
import type { FastIoModules } from "./fast-io.js";
import type { ResetPlan } from "./module-rewrite.js";
import { ProcExit, ProcKilled } from "../proc/wait.js";

/** A program ready to instantiate: the module rewritten to import its memory. */
export interface LoadedProgram {
  /** The path or name it was loaded from (for messages). */
  name: string;
  module: WebAssembly.Module;
  /** The syscalls it imports, in the module's import order (resolved once, at load). */
  imports: readonly SyscallDef[];
  /** Initial and maximum memory in 64 KiB pages (null if the module has no memory). */
  memory: { minimum: number; maximum: number } | null;
  /** How an ended process's instance is put back to its first state for the next one (null: it cannot be). */
  reset: ResetPlan | null;
  /** An export to call instead of `_start` (wasmtime's --invoke); such a process never reuses an instance. */
  invoke?: Invocation;
  /** Whether the module calls PREEMPT_IMPORT at loop headers and function entries (see preempt.ts). */
  preemptible: boolean;
  /** Whether each memory.grow calls GROW_IMPORT, which records a grow refused at the maximum (see growImport). */
  growSignal: boolean;
}

/** A call of one export with arguments, whose results are handed back (wasmtime's --invoke). */
export interface Invocation {
  name: string;
  /** The arguments, already of the parameters' kinds (bigint for i64). */
  args: Array<number | bigint>;
  /** Receives the results when the call returns (before the process ends). */
  results(values: Array<number | bigint>): void;
}

/** The values an export returned, as a list (a multi-value result comes as an array). */
export function resultList(value: unknown): Array<number | bigint> {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is number | bigint => typeof v === "number" || typeof v === "bigint");
}

/** What the engines need of their kernel (the Kernel implements it), beyond each process's own host. */
export interface EngineKernel {
  /** The syscall dispatchers' generated code, compiled once per table entry. */
  readonly dispatchers: DispatcherFactories;
  /** Receives one strace-like line per syscall when set. */
  readonly trace?: (line: string) => void;
  readonly memoryPool: MemoryPool;
  readonly instancePool: InstancePool;
  /** The inline engine's fast-path modules for host-file preads and pwrites, compiled at first use. */
  readonly fastIo: FastIoModules;
  /** The OOM killer ended a guest. */
  reportOomKill(proc: Process): void;
  /** A trap ended a guest: tell its stderr what and where. */
  reportTrap(proc: Process, name: string, error: unknown): void;
  /** A handler threw something that is not an errno: a kernel bug. */
  reportBug(proc: Process, error: unknown): void;
}

/** Runs processes' code. */
export interface Engine {
  readonly kind: "inline" | "worker";
  /** Starts `proc` running `program`; the engine calls proc.finish() when it ends. */
  start(proc: Process, program: LoadedProgram): void;
}

/** Records how `_start` ended and finishes the process. */
export function settle(kernel: EngineKernel, proc: Process, program: Pick<LoadedProgram, "name" | "memory">, outcome: { ok: true } | { ok: false; error: unknown }): void {
  if (proc.ended) return;
  if (proc.killSignal !== undefined) {
    if (proc.killSignal === SIGKILL && proc.container.limiter.hit === "memory" && proc.container.limiter.oomKilled) kernel.reportOomKill(proc);
    return proc.finish(proc.killSignal);
  }
  if (outcome.ok) return proc.finish(0);
  const error = outcome.error;
  if (error instanceof ProcExit) return proc.finish((error.code & 0xff) << 8);
  if (error instanceof ProcKilled || proc.killSignal !== undefined) {
    return proc.finish(error instanceof ProcKilled ? error.signal : proc.killSignal!);
  }
  // A trap after a grow refused at its --memory maximum is out of memory: it ends as the OOM
  // killer would (SIGKILL, 137), not as a trap of its own.
  if (proc.container.limiter.trappedOutOfMemory(proc)) {
    kernel.reportOomKill(proc);
    return proc.finish(SIGKILL);
  }
  kernel.reportTrap(proc, program.name, error);
  proc.finish(SIGABRT);
}
