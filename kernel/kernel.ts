// The Kernel: boots the tables (syscalls, processes, scheduler, mounts), creates processes and
// containers, and runs programs. Everything hangs off an instance: many kernels can share a process.
import { posix as posixPath } from "node:path";
import { SIGINT } from "./abi/wasmbox-abi.js";
import { Errno, SysError } from "./errno.js";
import { Container } from "./jail/container.js";
import { DEFAULT_CONTAINER_PIDS, defaultContainerMemory, PIDS_RESERVE, PIDS_RESERVE_MAX_SHARE, type ContainerLimits, type LimitHit } from "./jail/limits.js";
import type { Engine, EngineKernel, LoadedProgram } from "./engines/engine.js";
import { hasJspi, InlineEngine } from "./engines/inline.js";
import { WorkerEngine } from "./engines/worker.js";
import { FsApi } from "./fs-api.js";
import { ProgramCache } from "./program.js";
import { MemoryPool } from "./engines/memory-pool.js";
import { FastIoModules } from "./engines/fast-io.js";
import { InstancePool } from "./engines/instance-pool.js";
import type { FdEntry } from "./proc/fd-table.js";
import { Process, type ProcessHost } from "./proc/process.js";
import { ProcessTable } from "./proc/process-table.js";
import { Scheduler, type SchedulerPolicy } from "./proc/scheduler.js";
import { InputStream, OutputStream } from "./stdio.js";
import { KernelLog } from "./proc/kernel-log.js";
import { Terminal, TerminalInput, type TerminalControl, type WindowSize } from "./proc/terminal.js";
import { HostOutputs, HostOutputStream, type HostOutput } from "./host-output.js";
import { fdSyscalls } from "./syscalls/fd.js";
import { kernelSyscalls } from "./syscalls/kernel-calls.js";
import { miscSyscalls } from "./syscalls/misc.js";
import { pathSyscalls } from "./syscalls/path.js";
import { pollSyscalls } from "./syscalls/poll.js";
import { sockSyscalls } from "./syscalls/sock.js";
import { DispatcherFactories, type SyscallDef } from "./syscalls/table.js";
import { makeDevFs } from "./vfs/devfs.js";
import { HostFs } from "./vfs/hostfs.js";
import { MemFs } from "./vfs/memory.js";
import { MountNamespace } from "./vfs/namespace.js";
import { DirectoryFile, type OpenFile } from "./vfs/open-file.js";
import { Networks } from "./net/networks.js";
import { ProcFs } from "./vfs/procfs.js";
import type { Vnode } from "./vfs/vnode.js";
import { Filetype, RIGHTS_ALL, RIGHTS_DIR } from "./wasi.js";
import type { ComponentLoader, ComponentProgram } from "./component/loader.js";
import { isComponent } from "./component/detect.js";
import type { ComponentRunner } from "./component/runner.js";

export type EngineChoice = "auto" | "inline" | "worker";

/** Options of a kernel. */
export interface KernelOptions {
  /** How guests run: inline (JSPI), worker (threads), or auto (inline where JSPI exists). */
  engine?: EngineChoice;
  hostname?: string;
  policy?: SchedulerPolicy;
  /** Receives one strace-like line per syscall when set. */
  trace?: (line: string) => void;
  /** Where kernel messages go (traps, kernel bugs, notices); default: process.stderr. */
  log?: (line: string) => void;
  /** The host terminal, when stdin is one: put in raw mode while a run's terminal reads it; its window size. */
  terminal?: TerminalControl;
  /** Most live processes in the whole kernel (EAGAIN past it), like Linux's threads-max. */
  maxProcesses?: number;
  /**
   * Whether the inline engine reuses what an ended process leaves (default true): its instance, reset,
   * for the next process of the same program, and its memory, zeroed, for the next of the same size.
   * False makes both anew for every process: for a kernel that runs one program once (the CLI's),
   * where zeroing a memory nobody takes again faults in all of its pages.
   */
  reuseInstances?: boolean;
  /**
   * Whether the inline engine sends a guest's fd_pread and fd_pwrite on host files to node:wasi's
   * own functions once the kernel has vetted the fd (default true); false keeps every call on the
   * kernel's JS handler. Results are the same either way.
   */
  fastHostIo?: boolean;
  /**
   * Whether the inline engine's guests get preemption checks at loop headers and function entries
   * (default true): without them, a guest that never blocks holds the kernel's thread.
   */
  preemption?: boolean;
  /**
   * Whether the preemption checks also outline each loop into a function of its own (default
   * true), so that a long first call reaches V8's optimizing tier (kernel/engines/code-scan.ts).
   * It makes a program's first compile on a kernel dearer (busybox: about 0.2 s of CPU against
   * 0.08 s): a kernel that lives for one short run may leave it out.
   */
  outlineLoops?: boolean;
  /**
   * Whether each memory.grow of a guest tells the kernel of a refusal (default true), so that a
   * guest that fails after its memory reached its --memory maximum is known as out of memory
   * (137, OOMKilled). It costs a decode of the module's code at load.
   */
  growSignal?: boolean;
  /** A container's pids limit when it is given none (default DEFAULT_CONTAINER_PIDS, 1024). */
  containerPidsLimit?: number;
  /** A container's memory limit when it is given none (default min(4 GiB, host memory / 4)). */
  containerMemoryBytes?: number;
  /** The compiled-module cache's budget in estimated bytes (default 256 MiB; least recently used go first). */
  programCacheBytes?: number;
  /** Where jco's transpiles of components are kept, by digest (default: a folder in the OS temp dir; the CLI uses $WASMBOX_HOME/components). */
  componentCacheDir?: string;
  /**
   * PEM certificates that components' outgoing HTTPS requests trust besides Node's own CAs (which
   * include NODE_EXTRA_CA_CERTS); verification is always on.
   */
  httpsCertificateAuthorities?: string[];
}

/** A program the kernel can start: a core module (compiled) or a component. */
export type Program = LoadedProgram | ComponentProgram;

/** Whether a program is a component. */
export function isComponentProgram(program: Program): program is ComponentProgram {
  return "kind" in program && program.kind === "component";
}

/** A host directory made visible to guests (wasmtime's --dir HOST::GUEST). */
export interface DirMount {
  host: string;
  guest: string;
  readOnly?: boolean;
}

/** An empty in-memory directory made visible to guests (`wasmbox run --tmpfs GUEST`). */
export interface TmpfsMount {
  tmpfs: true;
  guest: string;
}

/** What kernel.run() takes. */
export interface RunOptions {
  /** Arguments after argv[0]. */
  args?: string[];
  /** argv[0]; defaults to the program as given. */
  argv0?: string;
  env?: Record<string, string> | string[];
  /** Standard input: data, a host stream, or nothing (EOF at once). */
  /** A function is called for its stream only when a guest first reads (so the stream need not exist before). */
  stdin?: string | Uint8Array | NodeJS.ReadableStream | (() => NodeJS.ReadableStream | undefined) | InputStream | null;
  /** Called with each chunk the guest writes to fd 1 / fd 2 (besides capturing). */
  onStdout?: (chunk: Uint8Array) => void;
  onStderr?: (chunk: Uint8Array) => void;
  /**
   * Host fds that fd 1 / fd 2 write to (from kernel.hostOutputs.open()), buffered unless a
   * terminal; instead of onStdout/onStderr and capture for that stream.
   */
  stdoutTo?: HostOutput;
  stderrTo?: HostOutput;
  /** Keep output in the result (default true). */
  capture?: boolean;
  /**
   * Whether fds 0-2 are a terminal: the run's first process then leads a new session whose
   * controlling terminal reads `stdin` through a line discipline (kernel/proc/terminal.ts).
   */
  tty?: boolean;
  /** The terminal's window when `tty` (default: the host terminal's, else 24 x 80); later changes go through `proc.ctty.resize()`. */
  terminalSize?: WindowSize;
  cwd?: string;
  /** Directories preopened for the guest, in this order (see preopenRoot). */
  dirs?: Array<DirMount | TmpfsMount>;
  /**
   * Sockets preopened for the guest from fd 3, before the directories (wasmtime's --tcplisten
   * order); the run takes over their reference.
   */
  sockets?: OpenFile[];
  container?: Container;
  /**
   * true (the default, for library use): fd 3 is the container's "/" (the kernel's in-memory
   * filesystem unless `container` says otherwise), and each of `dirs` is mounted there at its guest
   * path and preopened after it, under its guest name as given.
   * false: wasmtime's model, what `wasmbox run MODULE.wasm` uses: the guest gets only `dirs`, in
   * order from fd 3, each under its guest name as given (".", "./data", "/abs") and each pointing at
   * that folder itself, so two of one name both work. The run gets a container of its own (not
   * `container`): no /dev, /proc or in-memory root; its "/" (for absolute symlinks and proc_spawn)
   * is the folder preopened as "/", if any, else an empty read-only directory.
   */
  preopenRoot?: boolean;
  /** The limits of the run's own container (preopenRoot false): --memory, --time-limit, ... */
  limits?: Partial<ContainerLimits>;
  /** Called once the process exists (to kill it, watch it, ...). */
  onStart?: (proc: Process) => void;
  /** The user and group ids it runs as (default root, 0:0); its children inherit them. */
  user?: { uid: number; gid: number };
}

/** What kernel.run() gives back. */
export interface RunResult {
  /** The exit code as a shell shows it: the code, or 128 + the signal. */
  exitCode: number;
  /** The signal that ended it, if one did. */
  signal?: number;
  /** The POSIX wait status. */
  status: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Uint8Array;
  stderrBytes: Uint8Array;
  /** The limit that ended the run (of the run's own container), if one did. */
  limitHit?: LimitHit;
}

/** What spawn() needs. */
export interface SpawnRequest {
  container: Container;
  parent: Process | null;
  /** A program path (resolved from `base`) or an already loaded program. */
  path?: string;
  program?: Program;
  argv: string[];
  env: string[];
  cwd: string;
  base?: Vnode[];
  fds: Array<[number, FdEntry]>;
  newGroup?: boolean;
  engine?: "inline" | "worker";
  /** Its user and group ids (default: the parent's, else root). */
  user?: { uid: number; gid: number };
  /** A terminal the new process (a session leader) takes as its controlling terminal. */
  terminal?: Terminal;
}

export class Kernel implements ProcessHost, EngineKernel {
  readonly syscalls: readonly SyscallDef[] = [...fdSyscalls, ...pathSyscalls, ...miscSyscalls, ...pollSyscalls, ...kernelSyscalls, ...sockSyscalls];
  readonly scheduler: Scheduler;
  readonly processes = new ProcessTable();
  readonly programs: ProgramCache;
  /** The syscall dispatchers' generated code, compiled once per table entry. */
  readonly dispatchers = new DispatcherFactories();
  /** Zeroed linear memories for new inline processes. */
  readonly memoryPool: MemoryPool;
  /** The inline engine's fast-path modules for host-file preads and pwrites, compiled at first use. */
  readonly fastIo: FastIoModules;
  /** Reset instances of ended inline processes, for the next process of the same program. */
  readonly instancePool: InstancePool;
  private readonly rootFs: MemFs;
  private readonly hostContainer: Container;
  private readonly hostFs: FsApi;
  /**
   * Whether the host container's /dev and /proc are mounted: at its first use, as a module run (whose
   * container is its own) never needs them and a CLI start then makes neither.
   */
  private hostMounted = false;
  readonly engineKind: "inline" | "worker";
  readonly release = "0.1.0";
  readonly bootedAt = Date.now();
  /** The kernel's message ring, read by dmesg through /proc/kmsg. */
  readonly messages = new KernelLog(this.bootedAt);
  readonly trace?: (line: string) => void;
  readonly terminal?: TerminalControl;
  readonly maxProcesses: number;
  /** What a container gets when created without a pids limit. */
  readonly containerPidsLimit: number;
  /** KernelOptions.containerMemoryBytes, else the host's default, found on first use (a module run's container has none). */
  private containerMemory: number | undefined;
  /** The process whose syscall is being handled (for /proc/self and /dev/stdin). */
  current: Process | null = null;
  /** Kernel bugs seen (a handler threw something that is not an errno). */
  readonly bugs: Error[] = [];
  /** Host fds guests write to (the CLI's stdout and stderr): flushed before a process blocks or ends. */
  readonly hostOutputs = new HostOutputs();
  /** The virtual networks containers join (the default "bridge" and user networks), made on first use (a module run joins none). */
  get networks(): Networks {
    return (this.networksMade ??= new Networks());
  }
  private networksMade: Networks | undefined;
  private readonly engines: Record<"inline" | "worker", Engine>;
  /**
   * The component machinery (jco's glue, the WASI 0.2 imports, HTTP): imported for the first
   * component, so that a kernel running only modules never evaluates it (node:http and node:stream
   * with it, ~5 ms of a CLI module run's start).
   */
  private componentSupport?: { loader: ComponentLoader; runner: ComponentRunner };
  private componentSupportLoading?: Promise<{ loader: ComponentLoader; runner: ComponentRunner }>;
  private readonly componentCacheDir?: string;
  private nextDev = 1n;
  /** /dev, one for the whole kernel: its devices keep no state of their own (stdin etc. are the caller's). */
  private devfs?: MemFs;
  private nextIno = 1n << 40n;
  private nextContainer = 1;
  private readonly log: (line: string) => void;
  /** What components' outgoing HTTPS requests trust besides Node's CAs (KernelOptions.httpsCertificateAuthorities). */
  readonly httpsCertificateAuthorities: readonly string[];

  constructor(options: KernelOptions = {}) {
    this.log = options.log ?? ((line) => process.stderr.write(line + "\n"));
    this.httpsCertificateAuthorities = options.httpsCertificateAuthorities ?? [];
    this.trace = options.trace;
    this.terminal = options.terminal;
    this.maxProcesses = options.maxProcesses ?? 4096;
    this.scheduler = new Scheduler(options.policy);
    this.programs = new ProgramCache(this.syscalls, options.programCacheBytes, options.preemption ?? true, options.growSignal ?? true, options.outlineLoops ?? true);
    this.containerPidsLimit = options.containerPidsLimit ?? DEFAULT_CONTAINER_PIDS;
    this.containerMemory = options.containerMemoryBytes;
    this.instancePool = new InstancePool(options.reuseInstances === false ? 0 : 64);
    this.memoryPool = new MemoryPool(options.reuseInstances === false ? 0 : 64);
    this.fastIo = new FastIoModules(options.fastHostIo !== false);
    const choice = options.engine ?? "auto";
    this.engines = { inline: new InlineEngine(this), worker: new WorkerEngine(this) };
    if (choice === "inline" && !hasJspi()) {
      throw new Error(`the inline engine needs JSPI (WebAssembly.Suspending), which Node ${process.version} lacks; use --engine worker or Node 24.21+`);
    }
    this.engineKind = choice === "auto" ? (hasJspi() ? "inline" : "worker") : choice;
    this.componentCacheDir = options.componentCacheDir;
    this.rootFs = new MemFs(this.allocDev());
    this.hostContainer = new Container({ id: "host", name: "host", hostname: options.hostname ?? "wasmbox", ns: new MountNamespace(this.rootFs.root), capabilitySandbox: true });
    this.hostFs = new FsApi(this.hostContainer.ns);
    this.messages.add(`wasmbox version ${this.release} (Node ${process.version}), ${this.engineKind} engine`);
    this.messages.add(() => `pid limit ${this.maxProcesses}, container memory ${Math.round(this.containerMemoryBytes / 1048576)} MiB by default`);
  }

  /** The kernel's own filesystem: the host container's root. */
  get root(): MemFs {
    this.readyHost();
    return this.rootFs;
  }

  /** The host container's mount namespace. */
  get ns(): MountNamespace {
    return this.host.ns;
  }

  /** The container processes run in when given none (the kernel's own namespaces). */
  get host(): Container {
    this.readyHost();
    return this.hostContainer;
  }

  /** Files of the host container's namespace, for the kernel's user. */
  get fs(): FsApi {
    this.readyHost();
    return this.hostFs;
  }

  /** Mounts the host container's /dev and /proc, once. */
  private readyHost(): void {
    if (this.hostMounted) return;
    this.hostMounted = true;
    this.mountSystemDirs(this.hostContainer);
    this.messages.add("devtmpfs: mounted /dev; proc: mounted /proc");
  }

  /** Components transpiled (through jco) and compiled, by digest: there once a component has been run or spawned. */
  get components(): ComponentLoader {
    if (!this.componentSupport) throw new Error("kernel.components: no component has been loaded on this kernel yet");
    return this.componentSupport.loader;
  }

  /** The component loader and runner, imported on first use. */
  private loadComponentSupport(): Promise<{ loader: ComponentLoader; runner: ComponentRunner }> {
    this.componentSupportLoading ??= Promise.all([import("./component/loader.js"), import("./component/runner.js")]).then(([loader, runner]) => {
      this.componentSupport ??= { loader: new loader.ComponentLoader(this.componentCacheDir, hasJspi()), runner: new runner.ComponentRunner(this) };
      return this.componentSupport;
    });
    return this.componentSupportLoading;
  }

  /** What a container gets when created without a memory limit (see ContainerLimits.defaultMemoryBytes). */
  get containerMemoryBytes(): number {
    return (this.containerMemory ??= defaultContainerMemory());
  }

  /** A new device id. */
  allocDev(): bigint {
    return this.nextDev++;
  }

  /** An inode number for things outside any filesystem (pipes). */
  allocIno(): bigint {
    return this.nextIno++;
  }

  /** Mounts /dev (shared) and /proc (the container's own) in a container's namespace. */
  mountSystemDirs(container: Container): void {
    const ns = container.ns;
    this.devfs ??= makeDevFs(this, this.allocDev());
    for (const [dir, fsRoot, source] of [
      ["dev", this.devfs.root, "devtmpfs"],
      ["proc", new ProcFs(this.allocDev(), this, container).root, "proc"],
    ] as const) {
      let at = ns.root.lookup(dir);
      if (!at) {
        const wasReadOnly = ns.root.fs.readOnly;
        (ns.root.fs as { readOnly: boolean }).readOnly = false;
        at = ns.root.create(dir, Filetype.DIRECTORY, 0o755);
        (ns.root.fs as { readOnly: boolean }).readOnly = wasReadOnly;
      }
      ns.mount(at, fsRoot, "/" + dir, source);
    }
  }

  /** Mounts a host directory at a guest path (created if missing) in a namespace. */
  mountHostDir(ns: MountNamespace, mount: DirMount): void {
    this.mountDir(ns, mount, this.dirRoot(mount));
  }

  /** The root vnode of what a DirMount or TmpfsMount names: a new host or in-memory filesystem. */
  private dirRoot(mount: DirMount | TmpfsMount): Vnode {
    if ("tmpfs" in mount) return new MemFs(this.allocDev()).root;
    return new HostFs(this.allocDev(), mount.host, mount.readOnly ?? false).root;
  }

  /**
   * Mounts `root` at the mount's guest path (made absolute; created if missing) and returns the
   * chain of vnodes from the namespace root to `root` itself (not to whatever is mounted there last).
   */
  private mountDir(ns: MountNamespace, mount: DirMount | TmpfsMount, root: Vnode): Vnode[] {
    const guest = posixPath.resolve("/", mount.guest);
    if (guest === "/") return [root];
    const at = new FsApi(ns).mkdirp(guest);
    ns.mount(at, root, guest, "tmpfs" in mount ? "tmpfs" : mount.host);
    const chain = ns.dirChain([ns.root], guest);
    chain[chain.length - 1] = root;
    return chain;
  }

  /** Creates a container with its own namespaces over `root` (a filesystem root vnode). */
  createContainer(options: { root: Vnode; name?: string; hostname?: string; limits?: Partial<ContainerLimits>; allowedSyscalls?: ReadonlySet<string>; refusedErrno?: Errno; readOnlyFs?: boolean; id?: string; network?: string }): Container {
    const n = this.nextContainer++;
    const id = options.id ?? `c${n}`;
    const container = new Container({
      id, name: options.name ?? id, hostname: options.hostname ?? id.slice(0, 12),
      ns: new MountNamespace(options.root, "overlay"),
      limits: {
        ...options.limits,
        pids: options.limits?.pids ?? this.containerPidsLimit,
        defaultMemoryBytes: options.limits?.defaultMemoryBytes ?? this.containerMemoryBytes,
      },
      allowedSyscalls: options.allowedSyscalls, refusedErrno: options.refusedErrno, readOnlyFs: options.readOnlyFs,
    });
    this.mountSystemDirs(container);
    this.messages.add(`container ${container.name}: created, hostname ${container.hostname}`, container);
    if (options.network !== undefined && options.network !== "none") this.networks.connect(container.net, options.network, [container.name, container.hostname]);
    return container;
  }

  /** Kernel-wide memory: the host's heap limit as total, and what guests hold as used. */
  memoryInfo(container: Container): { total: number; used: number } {
    const limit = container.limiter.memoryLimit();
    const used = container.limiter.memoryBytes();
    if (limit !== undefined) return { total: limit, used };
    const { heapTotal, external, arrayBuffers } = process.memoryUsage();
    return { total: Math.max(process.getBuiltinModule("node:os").totalmem(), heapTotal), used: heapTotal + external + arrayBuffers };
  }

  /** Loads the program at `path` (as the container sees it). ENOENT, EACCES, ENOEXEC. */
  loadProgram(container: Container, base: Vnode[], path: string, engine: "inline" | "worker"): Program {
    const r = container.ns.resolve(base, path, true, false);
    const node = r.node;
    if (!node) throw new SysError(Errno.NOENT);
    if (node.type !== Filetype.REGULAR_FILE) throw new SysError(Errno.ACCES);
    const head = new Uint8Array(8);
    node.read(head, 0);
    if (isComponent(head)) {
      // A component is loaded (transpiled or found in the cache) as its process starts.
      const bytes = new Uint8Array(node.size());
      node.read(bytes, 0);
      return { kind: "component", name: path, bytes };
    }
    const program = this.programs.forFile(node.contentIdentity(), node.stat(), path, () => {
      const bytes = new Uint8Array(node.size());
      node.read(bytes, 0);
      return bytes;
    }, engine === "worker");
    return program.name === path ? program : { ...program, name: path };
  }

  /** Creates a process and starts it. EAGAIN when the container's pids limit is reached. */
  spawn(req: SpawnRequest): Process {
    const container = req.container;
    const releaseFds = () => req.fds.forEach(([, e]) => e.file.release());
    try {
      const limiter = container.limiter;
      limiter.admit();
      // The last PIDS_RESERVE slots are the kernel's own: no container can starve the host of processes.
      const reserve = Math.min(PIDS_RESERVE, Math.floor(this.maxProcesses / PIDS_RESERVE_MAX_SHARE));
      const tableLimit = container === this.hostContainer ? this.maxProcesses : this.maxProcesses - reserve;
      if (this.processes.live >= tableLimit) throw new SysError(Errno.AGAIN);
      const engine = req.engine ?? container.engine ?? this.engineKind;
      const base = req.base ?? [container.ns.root];
      let program = req.program ?? this.loadProgram(container, base, req.path!, engine);
      let memoryLimited = false;
      // The process's memory may grow only to what its limits allow (with --memory, what the container has left).
      if (!isComponentProgram(program)) {
        const memory = program.memory && limiter.memoryFor(program.memory);
        // A new object is a maximum lowered to what the container's --memory has left.
        memoryLimited = memory !== program.memory;
        if (memoryLimited) program = { ...program, memory };
      }
      const cwdChain = container.ns.dirChain([container.ns.root], req.cwd);
      const proc = new Process({
        host: this, container, parent: req.parent, argv: req.argv, env: req.env, cwd: req.cwd, cwdChain, user: req.user,
      });
      proc.memoryLimited = memoryLimited;
      this.processes.add();
      limiter.arm(this.scheduler);
      if (req.newGroup) proc.pgid = proc.pid;
      if (req.terminal) {
        proc.ctty = req.terminal;
        req.terminal.session = proc.session;
        req.terminal.setForeground(proc.pgid);
      }
      for (const [fd, entry] of req.fds) proc.fds.put(fd, entry);
      if (isComponentProgram(program)) this.startComponent(proc, program);
      else this.engines[engine].start(proc, program);
      return proc;
    } catch (e) {
      releaseFds();
      throw e;
    }
  }

  /**
   * Runs a program to its end and returns its exit code and output: the library's main entry.
   * `program` is a path inside the kernel's filesystem, Wasm bytes, or a program from
   * `kernel.programs.compile()` (compiled once, started many times).
   */
  async run(program: string | Uint8Array | Program, options: RunOptions = {}): Promise<RunResult> {
    const own = options.preopenRoot === false;
    if (own && options.container) throw new Error("kernel.run: preopenRoot false runs in a container of its own; pass no container");
    const dirs = options.dirs ?? [];
    const roots = dirs.map((d) => this.dirRoot(d));
    const container = own ? this.moduleContainer(dirs, roots, options.limits) : options.container ?? this.host;
    const capture = options.capture ?? true;
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    const tty = options.tty ?? false;
    const stdout = options.stdoutTo ? new HostOutputStream(options.stdoutTo, tty) : new OutputStream(outputSink(capture ? out : null, options.onStdout), tty);
    const stderr = options.stderrTo ? new HostOutputStream(options.stderrTo, tty) : new OutputStream(outputSink(capture ? err : null, options.onStderr), tty);
    const terminal = tty ? this.terminalFor(container, options.stdin, stdout) : undefined;
    if (terminal && options.terminalSize) terminal.resize(options.terminalSize);
    const stdin: OpenFile = terminal ? new TerminalInput(terminal) : this.stdinFor(options.stdin);
    const fds: Array<[number, FdEntry]> = [
      [0, { file: stdin, rightsBase: stdin.rightsMask, rightsInheriting: 0 }],
      [1, { file: stdout, rightsBase: stdout.rightsMask, rightsInheriting: 0 }],
      [2, { file: stderr, rightsBase: stderr.rightsMask, rightsInheriting: 0 }],
    ];
    const sockets = options.sockets ?? [];
    sockets.forEach((file, i) => fds.push([3 + i, { file, rightsBase: file.rightsMask, rightsInheriting: file.rightsMask }]));
    // Each preopen: the chain of vnodes from the namespace root to its directory, and its name.
    const preopens: Array<[Vnode[], string]> = own ? [] : [[[container.ns.root], "/"]];
    dirs.forEach((dir, i) => preopens.push([own ? [roots[i]] : this.mountDir(container.ns, dir, roots[i]), dir.guest]));
    preopens.forEach(([chain, name], i) => {
      const file = new DirectoryFile(chain[chain.length - 1], chain);
      fds.push([3 + sockets.length + i, { file, rightsBase: RIGHTS_DIR, rightsInheriting: RIGHTS_ALL, preopen: name }]);
    });
    const env = Array.isArray(options.env) ? options.env : Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
    const argv0 = options.argv0 ?? (typeof program === "string" ? program : "main.wasm");
    const engine = container.engine ?? this.engineKind;
    const loaded = typeof program === "string" ? undefined
      : program instanceof Uint8Array && isComponent(program) ? await this.loadComponent({ kind: "component", name: argv0, bytes: program }, fds)
      : program instanceof Uint8Array ? this.programs.compile(program, argv0, engine === "worker")
      : isComponentProgram(program) && !program.loaded ? await this.loadComponent(program, fds)
      : program;
    const proc = this.spawn({
      container, parent: null, path: typeof program === "string" ? program : undefined, program: loaded,
      argv: [argv0, ...(options.args ?? [])], env, cwd: options.cwd ?? "/", fds, user: options.user, terminal,
    });
    options.onStart?.(proc);
    const status = await proc.exited.finally(() => terminal?.detach());
    const limitHit = own ? container.limiter.hit : undefined;
    const signal = (status & 0x7f) !== 0 ? status & 0x7f : undefined;
    const exitCode = signal !== undefined ? 128 + signal : (status >> 8) & 0xff;
    if (!capture) return { exitCode, signal, status, stdout: "", stderr: "", stdoutBytes: new Uint8Array(0), stderrBytes: new Uint8Array(0), limitHit };
    const stdoutBytes = Buffer.concat(out);
    const stderrBytes = Buffer.concat(err);
    return { exitCode, signal, status, stdout: stdoutBytes.toString("utf8"), stderr: stderrBytes.toString("utf8"), stdoutBytes, stderrBytes, limitHit };
  }

  /** A component loaded for a process with `fds` (so that run() refuses a bad one before starting it). */
  private async loadComponent(program: ComponentProgram, fds: ReadonlyArray<[number, FdEntry]>): Promise<ComponentProgram> {
    const [{ loader }, { waitingCallsFor }] = await Promise.all([this.loadComponentSupport(), import("./component/runner.js")]);
    return { ...program, loaded: await loader.load(program.bytes, program.name, waitingCallsFor(fds)) };
  }

  /**
   * Starts a component process. Spawned by path (exec) before any component was loaded, it starts
   * once the machinery is imported; meanwhile it is an inline process whose kill needs no action,
   * as the runner's own are.
   */
  private startComponent(proc: Process, program: ComponentProgram): void {
    if (this.componentSupport) return this.componentSupport.runner.start(proc, program);
    proc.inline = true;
    proc.engine = { kind: "inline", kill: () => undefined };
    this.loadComponentSupport().then(({ runner }) => runner.start(proc, program), (e: unknown) => {
      this.log(`wasmbox: ${program.name}: cannot load the component support: ${e instanceof Error ? e.message : String(e)}`);
      proc.finish(126 << 8);
    });
  }

  /**
   * The container of a run in wasmtime's model (preopenRoot false): its root is the folder
   * preopened as "/" (the last one, if several), else an empty read-only directory; it has no
   * /dev or /proc, and none are made in a host folder.
   */
  private moduleContainer(dirs: ReadonlyArray<DirMount | TmpfsMount>, roots: Vnode[], limits?: Partial<ContainerLimits>): Container {
    const slash = dirs.map((d) => d.guest).lastIndexOf("/");
    const root = slash >= 0 ? roots[slash] : new MemFs(this.allocDev(), { readOnly: true }).root;
    const n = this.nextContainer++;
    return new Container({ id: `m${n}`, name: `m${n}`, hostname: this.hostContainer.hostname, ns: new MountNamespace(root, "module"), limits, capabilitySandbox: true });
  }

  /** Standard input from what run() was given. */
  private stdinFor(given: RunOptions["stdin"]): InputStream {
    if (given instanceof InputStream) return given;
    if (typeof given === "string" || given instanceof Uint8Array) return InputStream.of(given);
    const input = new InputStream();
    if (given) input.attach(given);
    else input.end();
    return input;
  }

  /** A run's terminal: it reads `given` (the host terminal when that is the CLI's stdin) and echoes to `screen`. */
  private terminalFor(container: Container, stdin: RunOptions["stdin"], screen: OpenFile): Terminal {
    const echo = (bytes: Uint8Array) => void screen.write([bytes]);
    // A terminal's keys are read from the start (^C must reach it while no one reads).
    const given = typeof stdin === "function" ? stdin() : stdin;
    if (typeof given === "string" || given instanceof Uint8Array || given instanceof InputStream || !given) {
      const terminal = new Terminal(container, echo, () => this.current);
      if (given instanceof InputStream) terminal.attachInput(given);
      else if (given) terminal.feed(typeof given === "string" ? Buffer.from(given) : given);
      else terminal.hangup();
      return terminal;
    }
    // The host terminal's mode and window go with the host's own stdin only (an exec's stream from a client has its own).
    const terminal = new Terminal(container, echo, () => this.current, given === process.stdin ? this.terminal : undefined);
    terminal.attach(given);
    return terminal;
  }

  /** The OOM killer ended a guest (its memory passed its container's limit): the kernel log says so, as Linux's does. */
  reportOomKill(proc: Process): void {
    this.messages.add(`Out of memory: Killed process ${proc.pid} (${proc.name}) total-vm:${Math.floor(proc.memoryBytes / 1024)}kB, container ${proc.container.name}`, proc.container);
  }

  /** A trap ended a guest: tell its stderr what and where, as wasmtime does. */
  reportTrap(proc: Process, name: string, error: unknown): void {
    const e = error as Error | undefined;
    const frames = String(e?.stack ?? "").split("\n").filter((l) => l.includes("wasm://") || l.includes("wasm-function")).slice(0, 8);
    const text = [`wasmbox: ${name}: trap: ${e?.message ?? String(error)}`, ...frames.map((f) => "    " + f.trim())].join("\n") + "\n";
    this.messages.add(`traps: ${proc.name}[${proc.pid}] ${e?.message ?? String(error)}`, proc.container);
    try {
      const entry = proc.fds.has(2) ? proc.fds.get(2) : undefined;
      if (entry) entry.file.write([Buffer.from(text)]);
      else this.log(text.trimEnd());
    } catch {
      this.log(text.trimEnd());
    }
  }

  /** A handler threw something that is not an errno: a kernel bug. It traps that process only. */
  reportBug(proc: Process, error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error));
    this.bugs.push(e);
    this.log(`wasmbox: kernel bug in a syscall of pid ${proc.pid} (${proc.name}): ${e.stack ?? e.message}`);
  }

  /**
   * A signal from outside (the CLI got SIGINT): to the foreground group of pid 1's terminal, or
   * to pid 1 when it has none.
   */
  interrupt(container: Container = this.host, sig = SIGINT): void {
    const init = container.liveProcesses().find((p) => p.pid === 1);
    if (init?.ctty) init.ctty.signalForeground(sig);
    else init?.signal(sig);
  }

  /** Prints a line to the kernel log. */
  notice(line: string): void {
    this.log(line);
  }
}

/**
 * What an output stream of kernel.run() does with a chunk: keeps it (when captured) and passes it
 * on. Made out here so that the closure holds only these two, not all of run()'s variables.
 */
function outputSink(list: Uint8Array[] | null, also?: (chunk: Uint8Array) => void): (chunk: Uint8Array) => void {
  return (chunk) => {
    list?.push(chunk);
    also?.(chunk);
  };
}
