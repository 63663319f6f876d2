// A container: the bundle of namespaces (mounts, pids, hostname) and limits that its processes share.
// The kernel's own processes live in a "host" container with no limits.
import type { MountNamespace } from "../vfs/namespace.js";
import type { Process } from "../proc/process.js";

/** Resource limits (the cgroups of this kernel). */
export interface ContainerLimits {
  /** Bytes of linear memory across all its processes. */
  memoryBytes?: number;
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

/** A pid namespace: its own numbering, starting at 1. */
export class PidNamespace {
  private nextPid = 1;
  readonly processes = new Map<number, Process>();

  alloc(): number {
    return this.nextPid++;
  }

  get(pid: number): Process | undefined {
    return this.processes.get(pid);
  }

  /** Live (not yet reaped) processes. */
  list(): Process[] {
    return [...this.processes.values()];
  }
}

/** Options for a new container. */
export interface ContainerOptions {
  id: string;
  name: string;
  hostname: string;
  ns: MountNamespace;
  limits?: Partial<ContainerLimits>;
  /** Syscall names it may make; undefined = all. */
  allowedSyscalls?: ReadonlySet<string>;
  /** What a refused syscall returns: ENOSYS (52) or EPERM (63). */
  refusedErrno?: number;
}

/** A container's shared state. */
export class Container {
  readonly id: string;
  readonly name: string;
  hostname: string;
  readonly ns: MountNamespace;
  readonly pids = new PidNamespace();
  readonly limits: ContainerLimits;
  readonly allowedSyscalls?: ReadonlySet<string>;
  readonly refusedErrno: number;
  /** Syscalls refused by the allow-list, in order (name per refusal, most recent last). */
  readonly refusedCalls: string[] = [];
  cpuNs = 0;
  limitHit?: LimitHit;
  /**
   * Called when one of its processes syncs a file (fd_sync, fd_datasync): the runtime persists the
   * container's changes, and the call returns once the promise settles, as fsync waits for the disk;
   * a rejected promise (the changes could not be saved) makes the call fail with EIO.
   */
  onSync?: () => Promise<void> | void;
  /** The process group that gets SIGINT from ^C on its terminal. */
  foregroundGroup = 1;
  oomKilled = false;
  /** The engine its processes run on, when not the kernel's default (docker run --engine). */
  engine?: "inline" | "worker";

  constructor(options: ContainerOptions) {
    this.id = options.id;
    this.name = options.name;
    this.hostname = options.hostname;
    this.ns = options.ns;
    this.limits = { nofile: 1024, cpuShares: 1024, ...options.limits };
    this.allowedSyscalls = options.allowedSyscalls;
    this.refusedErrno = options.refusedErrno ?? 52;
  }

  /** When it was made (its wall-clock limit counts from here). */
  readonly createdAt = Date.now();

  /** The time limit it has passed, given the CPU time (ns) its processes have used; undefined if none. */
  timeLimitPassed(cpuNs: number): "cpu-time" | "wall-time" | undefined {
    if (this.limits.cpuTimeMs !== undefined && cpuNs / 1e6 >= this.limits.cpuTimeMs) return "cpu-time";
    if (this.limits.wallTimeMs !== undefined && Date.now() - this.createdAt >= this.limits.wallTimeMs) return "wall-time";
    return undefined;
  }

  /** Bytes of linear memory its live processes hold. */
  memoryBytes(): number {
    return this.pids.list().reduce((n, p) => n + p.memoryBytes, 0);
  }

  /** Live processes (not zombies). */
  liveProcesses(): Process[] {
    return this.pids.list().filter((p) => p.state !== "ZOMBIE");
  }
}
