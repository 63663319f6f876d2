// A process: its place in the process table, fds, environment, signals and CPU accounting.
// The engines run its code; this file only keeps its state and the rules that change it.
import { Errno, SysError } from "../errno.js";
import type { GuestMemory } from "../abi/memory.js";
import type { Container } from "../jail/container.js";
import type { SpawnRequest } from "../kernel.js";
import type { HostOutputs } from "../host-output.js";
import type { TerminalControl } from "../stdio.js";
import {
  NSIG, SIG_CATCH, SIG_DFL, SIG_IGN, SIGCHLD, SIGCONT, SIGKILL, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGWINCH,
} from "../abi/wasmbox-abi.js";
import type { Vnode } from "../vfs/vnode.js";
import { FdTable } from "./fd-table.js";
import type { ProcessTable } from "./process-table.js";
import type { Scheduler } from "./scheduler.js";
import type { Terminal } from "./terminal.js";
import { traceClockUs, type TraceSink } from "./trace-sink.js";
import { ProcKilled, Wait } from "./wait.js";
import { WaitQueue } from "./wait-queue.js";

export type ProcState = "RUNNABLE" | "RUNNING" | "BLOCKED" | "ZOMBIE";

/** Stops a process's code from running (terminates its worker, or rejects its pending wait). */
export interface EngineHandle {
  readonly kind: "inline" | "worker";
  kill(signal: number): void;
}

/**
 * What a process and its syscalls need of the kernel they run on (the Kernel implements it): the
 * CPU, the process table, host output, and the few services the kernel's own calls reach for.
 */
export interface ProcessHost {
  readonly scheduler: Scheduler;
  readonly processes: ProcessTable;
  /** Host fds guests write to: flushed before a process blocks or ends. */
  readonly hostOutputs: HostOutputs;
  readonly terminal?: TerminalControl;
  /** The kernel's release, as uname -r shows it. */
  readonly release: string;
  /** The engine processes run on unless their container says otherwise (uname's version shows it). */
  readonly engineKind: "inline" | "worker";
  /** The process whose syscall is being handled (for /proc/self and /dev/stdin). */
  current: Process | null;
  spawn(req: SpawnRequest): Process;
  allocIno(): bigint;
  memoryInfo(container: Container): { total: number; used: number };
}

/** What a new process is given. */
export interface ProcessInit {
  host: ProcessHost;
  container: Container;
  parent: Process | null;
  argv: string[];
  env: string[];
  cwd: string;
  cwdChain: Vnode[];
  pgid?: number;
  /** Its user and group; default the parent's, root (0:0) for a process with no parent. */
  user?: { uid: number; gid: number };
}

/** The creation mask of a process without a parent: files 0644, directories 0755. */
export const DEFAULT_UMASK = 0o022;

/** Signals whose default action stops a process. */
const STOP_SIGNALS = (1 << SIGSTOP) | (1 << SIGTSTP) | (1 << SIGTTIN) | (1 << SIGTTOU);
/** Signals whose default action is nothing. */
const IGNORED_BY_DEFAULT = (1 << SIGCHLD) | (1 << SIGCONT) | (1 << SIGURG) | (1 << SIGWINCH);

/** A change of a child that waitpid reports besides its end (WUNTRACED, WCONTINUED). */
export type JobChange = { stopped: number } | "continued";

/** A process record (struct proc). */
export class Process {
  // Identity: set at creation, never changed.
  readonly host: ProcessHost;
  readonly container: Container;
  /** Pid inside its container's pid namespace. */
  readonly pid: number;
  readonly argv: string[];
  readonly env: string[];
  readonly startedAt = Date.now();
  /** User and group ids (real = effective: there is no setuid), inherited by children. */
  readonly uid: number;
  readonly gid: number;

  // Family: changed by the process table (spawn, exit, reparenting).
  parent: Process | null;
  readonly children = new Set<Process>();
  pgid: number;
  /** Session id: the pid of the session's leader. */
  session: number;
  /** The controlling terminal, shared by the session. */
  ctty?: Terminal;
  /** Woken when a child ends, stops or continues. */
  readonly childEvents = new WaitQueue();

  // Scheduling: changed by the scheduler and the engines.
  state: ProcState = "RUNNABLE";
  cpuNs = 0;
  /** CPU time of the children it has waited for, and of theirs (times(2)'s cutime). */
  childrenCpuNs = 0;
  inline = true;
  engine?: EngineHandle;
  /** Interrupters of the pending waits, while BLOCKED (one per sleeping call). */
  private readonly interrupters = new Set<(error: Error) => void>();

  // Resources: changed by syscalls.
  /** The file mode creation mask (umask(2)), inherited at spawn. */
  umask: number;
  /** The nice value (-20 highest priority .. 19 lowest), inherited at spawn: the scheduler's weight within a container. */
  nice: number;
  cwd: string;
  cwdChain: Vnode[];
  readonly fds: FdTable;
  mem!: GuestMemory;
  /** The guest's linear memory, once it runs. */
  memory?: WebAssembly.Memory;

  // Tracing (proc_trace).
  /** Where its own syscalls are recorded: set at spawn, from the parent's traceChildren or the parent's own trace with follow. */
  readonly trace?: TraceSink;
  /** Where the children it spawns are traced to, while it traces them. */
  traceChildren?: TraceSink;

  // Signals.
  readonly sigActions = new Uint8Array(NSIG);
  sigPending = 0;

  // Job control.
  /** The signal that stopped it, while stopped (it then runs no more until SIGCONT). */
  stoppedBy = 0;
  /** A stop or continue not yet reported to the parent's waitpid. */
  jobChange?: JobChange;
  /** Signals sent while stopped, delivered at SIGCONT (POSIX: only KILL and CONT act at once). */
  private heldSignals = 0;
  /** Woken at SIGCONT (and at a kill) so that a stopped process goes on. */
  private readonly continued = new WaitQueue();

  // End.
  /** POSIX wait status once it is a zombie. */
  status?: number;
  killSignal?: number;
  /** Whether its last memory.grow was refused at its memory's maximum (a grow that succeeds clears it). */
  growRefused = false;
  /** Whether its memory's maximum is what its container's --memory left it (below the module's own). */
  memoryLimited = false;
  private resolveExit!: (status: number) => void;
  /** Resolves with the wait status when it ends. */
  readonly exited: Promise<number>;

  constructor(init: ProcessInit) {
    this.host = init.host;
    this.container = init.container;
    this.parent = init.parent;
    this.argv = init.argv;
    this.env = init.env;
    this.cwd = init.cwd;
    this.umask = init.parent?.umask ?? DEFAULT_UMASK;
    this.nice = init.parent?.nice ?? 0;
    this.cwdChain = init.cwdChain;
    this.uid = init.user?.uid ?? init.parent?.uid ?? 0;
    this.gid = init.user?.gid ?? init.parent?.gid ?? 0;
    this.pid = init.container.pids.alloc();
    this.pgid = init.pgid ?? init.parent?.pgid ?? this.pid;
    this.session = init.parent?.session ?? this.pid;
    this.ctty = init.parent?.ctty;
    const parentTrace = init.parent?.trace;
    this.trace = init.parent?.traceChildren ?? (parentTrace?.options.follow ? parentTrace : undefined);
    this.trace?.retain();
    this.fds = new FdTable(init.container.limits.nofile);
    this.fds.onLimit = nofileLimitMarker(init.container);
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    init.container.pids.processes.set(this.pid, this);
    init.parent?.children.add(this);
  }

  /** The program name (basename of argv[0]). */
  get name(): string {
    const arg0 = this.argv[0] ?? "?";
    return arg0.slice(arg0.lastIndexOf("/") + 1) || arg0;
  }

  /**
   * Sleeps until `wait` settles, then gives the call another go via `again`; the scheduler runs
   * others meanwhile. A caught signal ends the sleep with EINTR; a kill unwinds the guest.
   */
  async block(wait: Wait, again: (w: Wait) => unknown, done: (value: unknown) => number, fail: (e: unknown) => number): Promise<number> {
    let current = wait;
    for (;;) {
      try {
        await this.sleep(current.until);
        const r = again(current);
        if (r instanceof Wait) {
          current = r;
          continue;
        }
        return done(r);
      } catch (e) {
        return fail(e);
      }
    }
  }

  /** Gives up the CPU until `until` settles or a signal interrupts. */
  async sleep(until: Promise<unknown>): Promise<void> {
    // Buffered host output goes out before anyone waits (a prompt before the read of its answer).
    if (this.host.hostOutputs.dirty !== null) this.host.hostOutputs.flush();
    this.container.limiter.enforceMemory();
    this.throwIfSignalled();
    const scheduler = this.host.scheduler;
    this.state = "BLOCKED";
    scheduler.release(this);
    let interrupt!: (error: Error) => void;
    try {
      await new Promise<void>((resolve, reject) => {
        interrupt = reject;
        this.interrupters.add(reject);
        until.then(() => resolve(), reject);
      });
    } finally {
      this.interrupters.delete(interrupt);
    }
    if (this.ended) throw new ProcKilled(this.killSignal ?? SIGKILL);
    await this.resume();
    this.throwIfSignalled();
  }

  /** Waits for the CPU, and while the process is stopped gives it back and waits for SIGCONT. */
  private async resume(): Promise<void> {
    for (;;) {
      await this.whileStopped();
      await this.host.scheduler.acquire(this);
      if (this.stoppedBy === 0 || this.killSignal !== undefined) return;
      this.host.scheduler.release(this);
    }
  }

  /** Waits while the process is stopped (the scheduler does not run it); a kill ends the wait (ProcKilled). */
  async whileStopped(): Promise<void> {
    while (this.stoppedBy !== 0 && this.killSignal === undefined && !this.ended) {
      this.state = "BLOCKED";
      await this.continued.wait();
    }
    if (this.ended) throw new ProcKilled(this.killSignal ?? SIGKILL);
  }

  /**
   * Gives up the CPU for a moment (a busy guest whose slice is used up): the other processes,
   * timers and I/O run, then it waits its turn in the run queue. Its time is charged as it lets
   * go; a kill ends it (ProcKilled), while a caught signal stays pending for its next syscall.
   */
  async preempted(): Promise<void> {
    this.container.limiter.enforceMemory();
    // Back in the run queue at once, so that the policy chooses among every process that wants the
    // CPU (the next one is resumed in a microtask, before any setImmediate could queue this one).
    const turn = this.host.scheduler.requeue(this);
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.ended) throw new ProcKilled(this.killSignal ?? SIGKILL);
    await turn;
    if (this.stoppedBy !== 0) {
      this.host.scheduler.release(this);
      await this.resume();
    }
    if (this.killSignal !== undefined) throw new ProcKilled(this.killSignal);
  }

  private throwIfSignalled(): void {
    if (this.killSignal !== undefined) throw new ProcKilled(this.killSignal);
    if (this.sigPending !== 0) throw new SysError(Errno.INTR);
  }

  /**
   * Delivers a signal: ignored, made pending (caught), a stop or continue, or fatal (default
   * action). A stopped process holds every signal but KILL and CONT until it is continued.
   */
  signal(sig: number): void {
    if (this.state === "ZOMBIE" || sig === 0) return;
    if (sig === SIGCONT) this.cont();
    else if (this.stoppedBy !== 0 && sig !== SIGKILL) {
      this.heldSignals |= 1 << sig;
      return;
    }
    const action = sig === SIGKILL || sig === SIGSTOP ? SIG_DFL : this.sigActions[sig];
    if (action === SIG_IGN) return;
    if (action === SIG_CATCH) {
      this.sigPending |= 1 << sig;
      for (const interrupt of this.interrupters) interrupt(new SysError(Errno.INTR));
      return;
    }
    if ((1 << sig) & STOP_SIGNALS) this.stop(sig);
    else if (!((1 << sig) & IGNORED_BY_DEFAULT)) this.kill(sig);
  }

  /** Stops the process: it runs no more (at its next syscall or preemption point) until SIGCONT. */
  private stop(sig: number): void {
    if (this.stoppedBy !== 0) return;
    this.stoppedBy = sig;
    this.jobChange = { stopped: sig };
    this.notifyParent();
  }

  /** SIGCONT: a stopped process goes on, and the signals held meanwhile are delivered. */
  private cont(): void {
    if (this.stoppedBy === 0) return;
    this.stoppedBy = 0;
    this.jobChange = "continued";
    this.continued.wakeAll();
    this.notifyParent();
    const held = this.heldSignals;
    this.heldSignals = 0;
    for (let s = 1; s < NSIG; s++) if (held & (1 << s)) this.signal(s);
  }

  /** The parent's waitpid and SIGCHLD learn of a stop or continue. */
  private notifyParent(): void {
    const parent = this.parent;
    if (!parent || parent.state === "ZOMBIE") return;
    parent.childEvents.wakeAll();
    parent.signal(SIGCHLD);
  }

  /** Ends the process by signal: stops its code; the engine's runner records the exit. */
  kill(sig: number): void {
    if (this.state === "ZOMBIE" || this.killSignal !== undefined) return;
    this.killSignal = sig;
    this.continued.wakeAll();
    for (const interrupt of this.interrupters) interrupt(new ProcKilled(sig));
    this.engine?.kill(sig);
  }

  /** Marks the process ended with wait status `status`: closes its fds, hands its children to init. */
  finish(status: number): void {
    if (this.state === "ZOMBIE") return;
    this.status = status;
    this.state = "ZOMBIE";
    if (this.trace) this.endTrace(status);
    this.traceChildren?.release();
    this.traceChildren = undefined;
    if (this.host.hostOutputs.dirty !== null) this.host.hostOutputs.flush();
    this.host.scheduler.forget(this);
    this.fds.closeAll();
    this.host.processes.exit(this);
    this.resolveExit(status);
  }

  /** Records its end in its trace (strace's "+++ exited with N +++") and lets go of the trace. */
  private endTrace(status: number): void {
    const trace = this.trace!;
    const signal = status & 0x7f;
    trace.record([this.pid, traceClockUs(), 0, "+++", "", signal ? "killed" : "exited", signal || (status >> 8) & 0xff]);
    trace.release();
  }

  /** Bytes of linear memory it holds now. */
  get memoryBytes(): number {
    return this.state === "ZOMBIE" ? 0 : (this.memory?.buffer.byteLength ?? 0);
  }

  /** Whether this process's code is stopped for good. */
  get ended(): boolean {
    return this.state === "ZOMBIE";
  }

  /** The value of an environment variable, if set. */
  getenv(name: string): string | undefined {
    const prefix = name + "=";
    const entry = this.env.find((e) => e.startsWith(prefix));
    return entry?.slice(prefix.length);
  }
}

/** Decodes a POSIX wait status for display: `exit 3` or `signal 9`. */
export function describeStatus(status: number): string {
  return (status & 0x7f) === 0 ? `exit ${(status >> 8) & 0xff}` : `signal ${status & 0x7f}`;
}

/** The shell's view of a wait status: the exit code, or 128 + signal. */
export function exitCodeOf(status: number): number {
  return (status & 0x7f) === 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
}

/** Marks a container one of whose processes was refused an fd (limitHit "nofile"). */
function nofileLimitMarker(container: Container): () => void {
  return () => container.limiter.record("nofile");
}
