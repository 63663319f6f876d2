// A container: the bundle of namespaces (mounts, pids, hostname) and limits that its processes share.
// The kernel's own processes live in a "host" container with no limits.
import { totalmem } from "node:os";
import type { MountNamespace } from "../vfs/namespace.js";
import type { Process } from "../proc/process.js";

/** A container's pids limit when none is given (--pids-limit): one container cannot fill the process table. */
export const DEFAULT_CONTAINER_PIDS = 1024;
/** Process-table slots that containers never take, kept for the kernel's own processes (the host container). */
export const PIDS_RESERVE = 64;
/** The reserve is at most 1/8 of a small process table (so a kernel with a tiny table still runs containers). */
export const PIDS_RESERVE_MAX_SHARE = 8;
/** The most a container's default memory limit may be (4 GiB, a wasm32 memory's maximum). */
const MAX_DEFAULT_MEMORY = 4 * 1024 * 1024 * 1024;
/** The share of the host's memory one container may hold by default (a quarter). */
const DEFAULT_MEMORY_SHARE = 4;

/** A container's memory limit when none is given (--memory): min(4 GiB, the host's memory / 4). */
export function defaultContainerMemory(): number {
  return Math.min(MAX_DEFAULT_MEMORY, Math.floor(totalmem() / DEFAULT_MEMORY_SHARE));
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
  /**
   * A capability sandbox (wasmtime's model: the kernel's own host container, where modules run):
   * path_symlink refuses absolute targets. A container is a whole system whose absolute links are its own paths.
   */
  capabilitySandbox?: boolean;
  /**
   * A read-only view of every filesystem (the readonly-fs syscall profile): calls are checked by
   * their flags and the file they touch, not only their names; see `readOnlyFs` on Container.
   */
  readOnlyFs?: boolean;
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
  readonly capabilitySandbox: boolean;
  /**
   * Whether its processes see every filesystem read-only: path_open with CREAT, TRUNC or a
   * write right on a regular file, and writes, pwrites, allocations and size changes of regular
   * files give EROFS (devices and pipes stay writable, as on a read-only mount).
   */
  readonly readOnlyFs: boolean;
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
  /** Paused (docker pause): the scheduler runs none of its processes until it is unpaused. */
  paused = false;
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
    this.capabilitySandbox = options.capabilitySandbox ?? false;
    this.readOnlyFs = options.readOnlyFs ?? false;
  }

  /** When it was made (its wall-clock limit counts from here). */
  readonly createdAt = Date.now();

  /** The time limit it has passed, given the CPU time (ns) its processes have used; undefined if none. */
  timeLimitPassed(cpuNs: number): "cpu-time" | "wall-time" | undefined {
    if (this.limits.cpuTimeMs !== undefined && cpuNs / 1e6 >= this.limits.cpuTimeMs) return "cpu-time";
    if (this.limits.wallTimeMs !== undefined && Date.now() - this.createdAt >= this.limits.wallTimeMs) return "wall-time";
    return undefined;
  }

  /** The memory limit that holds: --memory, else the default one; undefined for none. */
  memoryLimit(): number | undefined {
    return this.limits.memoryBytes ?? this.limits.defaultMemoryBytes;
  }

  /** Bytes of pipe buffers its processes created and that are still open (charged as memory). */
  pipeBytes = 0;

  /** Bytes of memory it holds: its live processes' linear memory plus its open pipes' buffers. */
  memoryBytes(): number {
    return this.pids.list().reduce((n, p) => n + p.memoryBytes, this.pipeBytes);
  }

  /** Live processes (not zombies). */
  liveProcesses(): Process[] {
    return this.pids.list().filter((p) => p.state !== "ZOMBIE");
  }
}
