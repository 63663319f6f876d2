// A container as the kernel sees it (a jail): the namespaces (mounts, pids, hostname) and limits its processes share.
// The kernel's own processes live in a "host" container with no limits.
import { Errno } from "../errno.js";
import type { MountNamespace } from "../vfs/namespace.js";
import type { Process } from "../proc/process.js";
import { Limiter, type ContainerLimits } from "./limits.js";

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
  /** What a refused syscall returns: ENOSYS or EPERM. */
  refusedErrno?: Errno;
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
  readonly refusedErrno: Errno;
  readonly capabilitySandbox: boolean;
  /**
   * Whether its processes see every filesystem read-only: path_open with CREAT, TRUNC or a
   * write right on a regular file, and writes, pwrites, allocations and size changes of regular
   * files give EROFS (devices and pipes stay writable, as on a read-only mount).
   */
  readonly readOnlyFs: boolean;
  /** Syscalls refused by the allow-list, in order (name per refusal, most recent last). */
  readonly refusedCalls: string[] = [];
  /** Its limits' enforcement and accounting: memory and CPU charged, checks, which limit was hit. */
  readonly limiter: Limiter;
  /**
   * Called when one of its processes syncs a file (fd_sync, fd_datasync): the runtime persists the
   * container's changes, and the call returns once the promise settles, as fsync waits for the disk;
   * a rejected promise (the changes could not be saved) makes the call fail with EIO.
   */
  onSync?: () => Promise<void> | void;
  /** The engine its processes run on, when not the kernel's default (docker run --engine). */
  engine?: "inline" | "worker";

  constructor(options: ContainerOptions) {
    this.id = options.id;
    this.name = options.name;
    this.hostname = options.hostname;
    this.ns = options.ns;
    this.limits = { nofile: 1024, cpuShares: 1024, ...options.limits };
    this.limiter = new Limiter(this.limits, this);
    this.allowedSyscalls = options.allowedSyscalls;
    this.refusedErrno = options.refusedErrno ?? Errno.NOSYS;
    this.capabilitySandbox = options.capabilitySandbox ?? false;
    this.readOnlyFs = options.readOnlyFs ?? false;
  }

  /** Live processes (not zombies). */
  liveProcesses(): Process[] {
    return this.pids.list().filter((p) => p.state !== "ZOMBIE");
  }
}
