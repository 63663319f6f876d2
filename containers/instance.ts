// containers/: what the runtime starts, behind one interface: a container on the runtime's own
// kernel (overlay root, pid 1) or a VM (a kernel/vm Hypervisor guest with its own
// kernel and copy of the image). The runtime picks one at start from the spec's kind.
import {
  SIGKILL, Errno, type Container, type LimitHit, type Kernel, type Process, InputStream,
  type MountNamespace, type OverlayFs, type Guest, type GuestExit, Filetype, findOnPath,
} from "../kernel/host.js";
import type { WindowSize } from "../kernel/index.js";
import type { Credentials } from "../images/users.js";
import { containerCredentials } from "./users.js";
import type { ContainerSpec, InstanceKind, VmFigures } from "./spec.js";

/** The longest timer Node takes (about 24.8 days): an exec in a VM waits as long as the command runs. */
const EXEC_FOREVER_MS = 2 ** 31 - 1;

/** Where a started instance's standard streams go. */
export interface StreamIo {
  stdin?: string | Uint8Array | NodeJS.ReadableStream | InputStream | null;
  tty?: boolean;
  /** The terminal's window at start when `tty` (the client's); later sizes go through the process's `ctty.resize()`. */
  terminalSize?: WindowSize;
  onStdout?: (chunk: Uint8Array) => void;
  onStderr?: (chunk: Uint8Array) => void;
}

/** What exec() takes besides the command: the environment and directory. */
export interface ExecOptions extends StreamIo {
  env: string[];
  workdir: string;
  /** Called with the process once it exists (a container's, not a VM's): health checks kill it past their timeout. */
  onStart?: (process: Process) => void;
  /** `exec -u`: the user to run as (default the container's), resolved in the container's /etc/passwd. */
  user?: string;
}

/** How pid 1 ended, as the state records it. */
export interface InstanceEnd {
  exitCode: number;
  error?: string;
  oomKilled: boolean;
  limitHit?: LimitHit;
  refusedCalls: string[];
}

/** Resource use now (docker stats). */
export interface InstanceUse {
  cpuMs: number;
  memoryBytes: number;
  pids: number;
  storageBytes: number;
}

/** A started container or VM, as the runtime drives it. */
export interface Instance {
  readonly kind: InstanceKind;
  /** Resolves when pid 1 has ended; nothing else of the instance runs by then. */
  readonly ended: Promise<InstanceEnd>;
  /** pid 1 as seen inside (0 until it runs). */
  readonly pid: number;
  /** A container's root (its upper is saved when it ends); a VM's disk lives in its guest and is not kept. */
  readonly overlay?: OverlayFs;
  /** A VM's boot figures (known once pid 1 runs). */
  vmFigures?(): VmFigures;
  /** Sends a signal to pid 1; SIGKILL ends every process at once. */
  signal(sig: number): void;
  /** Runs another command inside; resolves with its exit code. */
  exec(argv: string[], options: ExecOptions): Promise<number>;
  use(): Promise<InstanceUse>;
  /** Syscalls refused so far (most recent last). */
  refusedCalls(): string[];
  /** A new window for pid 1's terminal (started with a tty): its foreground group gets SIGWINCH. */
  resize(size: WindowSize): void;
}

/** A container on the shared kernel: pid 1 runs in `container` over `overlay`. */
export class ContainerInstance implements Instance {
  readonly kind = "container" as const;
  readonly ended: Promise<InstanceEnd>;
  init?: Process;
  /** The user pid 1 runs as; `exec` runs as it too, as docker exec does. */
  private readonly user?: Credentials;

  /** Runs `program` as pid 1 (the kernel enforces its limits); `onError` prints why pid 1 could not run. */
  constructor(
    private readonly kernel: Kernel, readonly container: Container, readonly overlay: OverlayFs,
    spec: ContainerSpec, program: { path: string; argv: string[]; user?: Credentials }, io: StreamIo, onError: (text: string) => void,
  ) {
    this.user = program.user;
    const run = kernel.run(program.path, {
      user: program.user,
      container, argv0: program.argv[0], args: program.argv.slice(1), env: spec.env, cwd: spec.workdir,
      stdin: io.stdin ?? null, tty: io.tty ?? false, terminalSize: io.terminalSize, capture: false, preopenRoot: true,
      onStdout: io.onStdout, onStderr: io.onStderr,
      onStart: (proc) => (this.init = proc),
    });
    this.ended = run.then(
      (result) => this.end(result.exitCode, undefined, onError),
      (e: Error) => {
        onError(`wasmbox: ${program.argv[0]}: ${e.message}\n`);
        return this.end((e as { errno?: number }).errno === Errno.NOENT ? 127 : 126, e.message);
      },
    );
  }

  get pid(): number {
    return this.init ? 1 : 0;
  }

  /** Kills what is left and reads the container's record of limits hit (an OOM kill said on its stderr). */
  private end(exitCode: number, error?: string, onError?: (text: string) => void): InstanceEnd {
    killAll(this.container, SIGKILL);
    const c = this.container;
    // Said once, on the container's stderr: the foreground run and `logs` read the same.
    if (c.limiter.oomKilled) onError?.(`wasmbox: out of memory: a process of the container was killed (--memory ${c.limits.memoryBytes ?? "default"} bytes)\n`);
    return { exitCode, error, oomKilled: c.limiter.oomKilled, limitHit: c.limiter.hit, refusedCalls: c.refusedCalls.slice(-100) };
  }

  signal(sig: number): void {
    if (sig === SIGKILL) killAll(this.container, SIGKILL);
    else this.init?.signal(sig);
  }

  async exec(argv: string[], options: ExecOptions): Promise<number> {
    const path = findOnPath(this.container.ns, argv[0]!, options.env);
    if (!path) {
      options.onStderr?.(Buffer.from(`wasmbox: exec: "${argv[0]}": executable file not found in $PATH\n`));
      return 127;
    }
    let user = this.user;
    try {
      if (options.user) user = containerCredentials(this.container.ns, options.user);
    } catch (e) {
      options.onStderr?.(Buffer.from(`wasmbox: exec: ${(e as Error).message}\n`));
      return 126;
    }
    const result = await this.kernel.run(path, {
      user, container: this.container, argv0: argv[0], args: argv.slice(1), env: options.env, cwd: options.workdir,
      stdin: options.stdin ?? null, tty: options.tty ?? false, terminalSize: options.terminalSize, capture: false, onStdout: options.onStdout, onStderr: options.onStderr,
      onStart: options.onStart,
    });
    return result.exitCode;
  }

  /** The processes (docker top). */
  top(): { pid: number; ppid: number; state: string; cpuMs: number; command: string }[] {
    return this.container.pids.list().map((p) => ({
      pid: p.pid, ppid: p.parent?.pid ?? 0, state: p.state, cpuMs: Math.floor((p.cpuNs + this.kernel.scheduler.currentSliceNs(p)) / 1e6), command: p.argv.join(" "),
    }));
  }

  async use(): Promise<InstanceUse> {
    return this.useNow();
  }

  /** use(), synchronously (a container's figures are at hand). */
  useNow(): InstanceUse {
    const c = this.container;
    return { cpuMs: Math.floor(c.limiter.usedCpuNs(this.kernel.scheduler) / 1e6), memoryBytes: c.limiter.memoryBytes(), pids: c.liveProcesses().length, storageBytes: this.overlay.upper.usedBytes };
  }

  refusedCalls(): string[] {
    return this.container.refusedCalls.slice(-100);
  }

  resize(size: WindowSize): void {
    this.init?.ctty?.resize(size);
  }
}

/** A VM: a hypervisor guest booted from a full copy of the image, running the command under its init. */
export class VmInstance implements Instance {
  readonly kind = "vm" as const;
  readonly ended: Promise<InstanceEnd>;

  /**
   * Takes a guest booted with vmConsole(io) and feeds it `io.stdin`; `onError` prints how it ended
   * badly (command not found, crash, out of memory).
   */
  constructor(readonly guest: Guest, onError: (text: string) => void, io: StreamIo = {}) {
    relayStdin(guest, io.stdin);
    this.ended = guest.exited.then((exit) => {
      const text = exitNotice(guest, exit);
      if (text) onError(text);
      return { exitCode: exit.exitCode, error: exit.message, oomKilled: exit.reason === "oom", limitHit: exit.reason === "oom" ? "memory" : undefined, refusedCalls: [] };
    });
  }

  get pid(): number {
    return this.guest.state === "running" ? (this.guest.pid ?? 0) : 0;
  }

  vmFigures(): VmFigures {
    return { diskBytes: this.guest.diskBytes, kernelUpMs: this.guest.kernelUpMs, bootMs: this.guest.bootMs };
  }

  signal(sig: number): void {
    if (sig === SIGKILL) void this.guest.kill();
    else this.guest.signal(sig);
  }

  /** Runs the command through the guest (no stdin); its output comes when it ends. */
  async exec(argv: string[], options: ExecOptions): Promise<number> {
    if (options.user) {
      options.onStderr?.(Buffer.from(`wasmbox: exec -u is not supported for a VM (its processes run as the guest's root)\n`));
      return 126;
    }
    const result = await this.guest.exec(argv, EXEC_FOREVER_MS, { env: options.env, cwd: options.workdir });
    if (!result) {
      options.onStderr?.(Buffer.from(`wasmbox: VM ${this.guest.name} did not answer the exec\n`));
      return 126;
    }
    if (result.stdout) options.onStdout?.(Buffer.from(result.stdout));
    if (result.stderr) options.onStderr?.(Buffer.from(result.stderr));
    return result.exitCode;
  }

  /** The guest's own figures: its isolate's heap plus its processes' memory, its disk, its processes. */
  async use(): Promise<InstanceUse> {
    const stats = await this.guest.stats();
    const cpuMs = this.guest.cpuMs(stats);
    if (!stats) return { cpuMs, memoryBytes: 0, pids: 0, storageBytes: this.guest.diskBytes };
    return { cpuMs, memoryBytes: stats.heapUsed + stats.guestMemory, pids: stats.processes, storageBytes: stats.diskBytes };
  }

  refusedCalls(): string[] {
    return [];
  }

  resize(size: WindowSize): void {
    this.guest.resize(size);
  }
}

/** The console options of a VM boot for a start's streams: stdin kept open when given, a terminal with -t. */
export function vmConsole(io: StreamIo): { stdin: boolean; tty: boolean; terminalSize?: WindowSize } {
  return { stdin: io.stdin !== undefined && io.stdin !== null, tty: io.tty ?? false, terminalSize: io.terminalSize };
}

/** Feeds a start's stdin to a VM's console (bytes at once, a stream as it comes), then its end. */
function relayStdin(guest: Guest, stdin: StreamIo["stdin"]): void {
  if (stdin === undefined || stdin === null) return;
  if (typeof stdin === "string" || stdin instanceof Uint8Array) {
    guest.writeStdin(stdin);
    guest.endStdin();
    return;
  }
  if (stdin instanceof InputStream) throw new Error("a VM's console takes bytes or a stream, not a kernel InputStream");
  const onData = (chunk: Buffer | string) => guest.writeStdin(typeof chunk === "string" ? chunk : new Uint8Array(chunk));
  const onEnd = () => guest.endStdin();
  stdin.on("data", onData);
  stdin.on("end", onEnd);
  void guest.exited.then(() => {
    stdin.off("data", onData);
    stdin.off("end", onEnd);
  });
}

/** What to print when a guest ended other than by its command exiting. */
function exitNotice(guest: Guest, exit: GuestExit): string | undefined {
  if (exit.reason === "oom") return `wasmbox: VM ${guest.name} ran out of memory (--vm-memory ${guest.memoryMb}m): ${exit.message ?? ""}\n`;
  if (exit.reason === "crashed") return `wasmbox: VM ${guest.name} crashed: ${exit.message ?? ""}\n`;
  if (exit.reason === "exit" && exit.message) return `wasmbox: ${exit.message}\n`;
  return undefined;
}

/** Sends a signal to every process of a container. */
function killAll(container: Container, sig: number): void {
  for (const p of container.liveProcesses()) p.kill(sig);
}

/** Whether the file at `path` is a WebAssembly module (starts with the `\0asm` magic number). */
export function isWasmModule(ns: MountNamespace, path: string): boolean {
  try {
    const node = ns.resolve([ns.root], path, true, false).node;
    if (!node || node.type !== Filetype.REGULAR_FILE) return false;
    const head = new Uint8Array(4);
    node.read(head, 0);
    return head[0] === 0 && head[1] === 0x61 && head[2] === 0x73 && head[3] === 0x6d;
  } catch {
    return false;
  }
}

