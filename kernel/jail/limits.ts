// A container's resource limits (the cgroups of this kernel) in one place: what its processes are
// charged (memory, pipe buffers, CPU), every check against a limit, and the record of which limit was hit.
import { SIGKILL } from "../abi/wasmbox-abi.js";
import { Errno, SysError } from "../errno.js";
import type { Process } from "../proc/process.js";
import { ProcKilled } from "../proc/wait.js";

/** A container's pids limit when none is given (--pids-limit): one container cannot fill the process table. */
export const DEFAULT_CONTAINER_PIDS = 1024;
/** Process-table slots that containers never take, kept for the kernel's own processes (the host container). */
export const PIDS_RESERVE = 64;
/** The reserve is at most 1/8 of a small process table (so a kernel with a tiny table still runs containers). */
export const PIDS_RESERVE_MAX_SHARE = 8;
/** Bytes in a Wasm page, the unit of linear memory. */
export const WASM_PAGE_BYTES = 65536;
/** The most a container's default memory limit may be (4 GiB, a wasm32 memory's maximum). */
const MAX_DEFAULT_MEMORY = 4 * 1024 * 1024 * 1024;
/** The share of the host's memory one container may hold by default (a quarter). */
const DEFAULT_MEMORY_SHARE = 4;
/** How often (ms) the CPU-time limit is checked by its timer, at most and at least. */
const CPU_CHECK_MIN_MS = 5;
const CPU_CHECK_MAX_MS = 100;

/** A container's memory limit when none is given (--memory): min(4 GiB, the host's memory / 4). */
export function defaultContainerMemory(): number {
  // node:os is loaded here, not by an import: a module run (whose container has no default) never loads it.
  return Math.min(MAX_DEFAULT_MEMORY, Math.floor(process.getBuiltinModule("node:os").totalmem() / DEFAULT_MEMORY_SHARE));
}

/** Resource limits (the cgroups of this kernel). */
export interface ContainerLimits {
  /** Bytes of linear memory across all its processes (--memory): memory.grow fails past it. */
  memoryBytes?: number;
  /**
   * The memory limit it gets when no --memory is given: enforced for the container as a whole (a
   * spawn or a pipe past it is refused, the OOM killer ends its largest process) but not by capping
   * each process's memory maximum, so instances stay reusable.
   */
  defaultMemoryBytes?: number;
  /** Most live processes. */
  pids?: number;
  /** Most open fds per process. */
  nofile: number;
  /** Relative CPU weight (docker's --cpu-shares; 1024 is the default). */
  cpuShares: number;
  /** Most CPU time (ms) across its processes before it is killed. */
  cpuTimeMs?: number;
  /** Most wall-clock time (ms) it may run before it is killed. */
  wallTimeMs?: number;
}

/** Which limit ended a container, for inspect. */
export type LimitHit = "memory" | "pids" | "nofile" | "storage" | "cpu-time" | "wall-time";

/** The processes a Limiter watches: its container's live ones. */
export interface LimitedGroup {
  liveProcesses(): Process[];
}

/** Where the CPU time (ns) a process has used and not yet been charged (its running slice) is read: the scheduler. */
export interface CpuClock {
  currentSliceNs(proc: Process): number;
}

/**
 * The limits of one container and everything that enforces them. The kernel asks it at spawn
 * (admit), the process at each block and preemption (enforceMemory), the engines at syscalls and
 * preemption points (enforceTime) and when a guest traps (trapped); pipes charge it their buffers.
 */
export class Limiter {
  /** The limit that ended (or last refused) something in the container, if any. */
  hit?: LimitHit;
  /** Whether a process was killed, or a spawn refused, because memory reached its maximum. */
  oomKilled = false;
  /** CPU time (ns) charged to its processes so far. */
  cpuNs = 0;
  /** Bytes of pipe buffers its processes created and that are still open (charged as memory). */
  pipeBytes = 0;
  /** When it was made (its wall-clock limit counts from here). */
  readonly createdAt = Date.now();
  private readonly timers: Array<ReturnType<typeof setTimeout>> = [];

  constructor(readonly limits: ContainerLimits, private readonly group: LimitedGroup) {}

  /** Records which limit was hit (and, for memory reached by a process, that it was an OOM kill). */
  record(which: LimitHit, oom = false): void {
    this.hit = which;
    if (oom) this.oomKilled = true;
  }

  // Memory.

  /** The memory limit that holds: --memory, else the default one; undefined for none. */
  memoryLimit(): number | undefined {
    return this.limits.memoryBytes ?? this.limits.defaultMemoryBytes;
  }

  /** Bytes of memory the container holds: its live processes' linear memory plus its open pipes' buffers. */
  memoryBytes(): number {
    return this.group.liveProcesses().reduce((n, p) => n + p.memoryBytes, this.pipeBytes);
  }

  /** Charges a new pipe's buffer. ENOMEM when it would pass the memory limit. */
  chargePipe(bytes: number): void {
    const limit = this.memoryLimit();
    if (limit !== undefined && this.memoryBytes() + bytes > limit) throw new SysError(Errno.NOMEM);
    this.pipeBytes += bytes;
  }

  /** Gives back a closed pipe's buffer. */
  releasePipe(bytes: number): void {
    this.pipeBytes -= bytes;
  }

  /** Admits a new process: EAGAIN past the pids limit; ENOMEM when the default memory limit is reached. */
  admit(): void {
    if (this.limits.pids !== undefined && this.group.liveProcesses().length >= this.limits.pids) {
      this.record("pids");
      throw new SysError(Errno.AGAIN);
    }
    const soft = this.limits.memoryBytes === undefined ? this.limits.defaultMemoryBytes : undefined;
    if (soft !== undefined && this.memoryBytes() >= soft) {
      this.record("memory");
      throw new SysError(Errno.NOMEM);
    }
  }

  /**
   * The memory a new process gets, from its module's (pages): with --memory, its maximum is what
   * the container has left (ENOMEM, an OOM, when that is below its minimum); else as declared.
   * The engines make the memory with this maximum; no one works it out again.
   */
  memoryFor(memory: { minimum: number; maximum: number }): { minimum: number; maximum: number } {
    const hard = this.limits.memoryBytes;
    if (hard === undefined) return memory;
    const left = Math.floor((hard - this.memoryBytes()) / WASM_PAGE_BYTES);
    const maximum = Math.max(0, Math.min(memory.maximum, left));
    if (maximum < memory.minimum) {
      this.record("memory", true);
      throw new SysError(Errno.NOMEM);
    }
    return maximum === memory.maximum ? memory : { ...memory, maximum };
  }

  /**
   * The OOM killer: each process may grow to what its container had left when it started, so
   * together they can pass the limit; when they have, the largest is killed (SIGKILL) and the
   * container is marked OOM-killed. Checked whenever one of its processes blocks or is preempted.
   */
  enforceMemory(): void {
    const limit = this.memoryLimit();
    if (limit === undefined || this.memoryBytes() <= limit) return;
    let victim: Process | undefined;
    for (const p of this.group.liveProcesses()) if (!victim || p.memoryBytes > victim.memoryBytes) victim = p;
    if (!victim) return;
    this.record("memory", true);
    victim.kill(SIGKILL);
  }

  /**
   * A guest trapped (an allocator's abort after a failed grow is a trap: unreachable): it is an OOM
   * kill when its last memory.grow had been refused at the maximum its container's --memory left it
   * (`proc.growRefused`, recorded by the grow import, see engines/grow.ts). That is recorded, and
   * true returned (the process then ends as the OOM killer's SIGKILL, 137). Never guessed from how
   * much memory it holds: a trap with memory nearly full but no refused grow is the guest's own. A
   * guest that exits by itself after a refusal keeps its exit status (memory.grow returned -1 to it).
   */
  trappedOutOfMemory(proc: Process): boolean {
    if (this.limits.memoryBytes === undefined || !proc.memoryLimited || !proc.growRefused) return false;
    this.record("memory", true);
    return true;
  }

  // Time.

  /** The time limit passed, given the CPU time (ns) its processes have used; undefined if none. */
  timeLimitPassed(cpuNs: number): "cpu-time" | "wall-time" | undefined {
    if (this.limits.cpuTimeMs !== undefined && cpuNs / 1e6 >= this.limits.cpuTimeMs) return "cpu-time";
    if (this.limits.wallTimeMs !== undefined && Date.now() - this.createdAt >= this.limits.wallTimeMs) return "wall-time";
    return undefined;
  }

  /** Whether the container has a CPU-time or wall-clock limit. */
  get timed(): boolean {
    return this.limits.cpuTimeMs !== undefined || this.limits.wallTimeMs !== undefined;
  }

  /** CPU time (ns) its processes have used, the running slices included. */
  usedCpuNs(clock: CpuClock): number {
    return this.group.liveProcesses().reduce((n, p) => n + clock.currentSliceNs(p), this.cpuNs);
  }

  /**
   * Past its CPU-time or wall-clock limit, `proc` is killed with the rest of the container: the
   * others by signal, `proc` by the ProcKilled thrown. Called at syscalls and preemption points.
   */
  enforceTime(proc: Process, clock: CpuClock): void {
    if (!this.timed) return;
    const passed = this.timeLimitPassed(this.usedCpuNs(clock));
    if (!passed) return;
    this.killAll(passed, proc);
    throw new ProcKilled(SIGKILL);
  }

  /**
   * Arms the timers that catch what the checks at syscalls cannot (a guest that computes without
   * calling in, on a worker thread or without preemption checks): the wall clock, and the CPU time
   * read every cpuTimeMs / 10 (5-100 ms). Armed while the container has processes (see disarm).
   */
  arm(clock: CpuClock): void {
    if (!this.timed || this.timers.length > 0) return;
    const { wallTimeMs, cpuTimeMs } = this.limits;
    if (wallTimeMs !== undefined) {
      const left = Math.max(0, wallTimeMs - (Date.now() - this.createdAt));
      this.timers.push(setTimeout(() => this.killAll("wall-time"), left));
    }
    if (cpuTimeMs !== undefined) {
      const every = Math.max(CPU_CHECK_MIN_MS, Math.min(CPU_CHECK_MAX_MS, cpuTimeMs / 10));
      this.timers.push(setInterval(() => {
        if (this.usedCpuNs(clock) / 1e6 >= cpuTimeMs) this.killAll("cpu-time");
      }, every));
    }
  }

  /** Stops the timers once the container has no live process left (arm() starts them again). */
  disarm(): void {
    if (this.group.liveProcesses().length > 0) return;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.length = 0;
  }

  /** Records a time limit and kills every live process (but `except`, which unwinds by itself). */
  private killAll(which: "cpu-time" | "wall-time", except?: Process): void {
    this.record(which);
    for (const p of this.group.liveProcesses()) if (p !== except) p.kill(SIGKILL);
  }
}
