// The hypervisor: runs images as VMs. A guest is a worker thread (its own V8 isolate, with
// resourceLimits) that boots its own Kernel over a private copy of the image (vm-guest.ts); the
// host relays its console, waits for its exit, stops or kills it, and survives whatever it does.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { SIGTERM } from "../abi/wasmbox-abi.js";
import type { EngineChoice } from "../kernel.js";
import type { LayerEntry } from "../vfs/layer.js";
import { ThreadCpuClock } from "../proc/thread-clock.js";
import { copyLayers, layerBytes } from "./disk.js";
import type { VmNetwork } from "./nic.js";
import type { GuestBootData, GuestMessage, GuestStats, HostMessage } from "./protocol.js";

const MB = 1024 * 1024;

/** What boot() takes. */
export interface VmOptions {
  /** The image's layers, bottom first; the guest gets its own full copy. */
  layers: readonly (readonly LayerEntry[])[];
  /** The command (argv[0] is a path or a name on PATH inside the guest). */
  argv: string[];
  env?: Record<string, string> | string[];
  cwd?: string;
  /** The guest's memory in MiB: its JS heap limit and the cap on its processes' linear memory (default 256). */
  memoryMb?: number;
  /** Virtual CPUs: 1 runs guest processes on the guest's thread; more gives each process a thread. */
  cpus?: number;
  /** How the guest kernel runs its processes (default: inline where JSPI exists, worker for cpus > 1). */
  engine?: EngineChoice;
  hostname?: string;
  name?: string;
  /** Start /bin/init as pid 1 with the command when the image has it (default true). */
  init?: boolean;
  /** The user and group ids the command (and exec) runs as in the guest (default root). */
  user?: { uid: number; gid: number };
  /** Keep the console's stdin open for writeStdin() (default false: EOF at once). */
  stdin?: boolean;
  /** The console is a terminal: the command leads a session on it (keys typed go through its line discipline), with this window. */
  tty?: boolean;
  terminalSize?: { rows: number; cols: number };
  onStdout?: (chunk: Uint8Array) => void;
  onStderr?: (chunk: Uint8Array) => void;
  /** Kernel messages of the guest. */
  onLog?: (line: string) => void;
  /** Keep the console output in the exit record (default true). */
  capture?: boolean;
  /** Its network card on a host network (attachVmNetwork); absent: loopback only. */
  network?: VmNetwork;
}

/** Where a guest is in its life. */
export type GuestState = "booting" | "running" | "exited" | "crashed" | "oom" | "killed";

/** How a guest ended. */
export interface GuestExit {
  /** The command's exit code (128 + signal when a signal ended it); 137 when killed or out of memory, 134 when crashed. */
  exitCode: number;
  signal?: number;
  /** exit: pid 1 ended; killed: kill() or stop() past its timeout; crashed: the guest kernel threw; oom: heap exhausted. */
  reason: "exit" | "killed" | "crashed" | "oom";
  /** What went wrong, for crashed and oom. */
  message?: string;
  stdout: string;
  stderr: string;
}

/** What exec() gives back. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Milliseconds the command ran, measured inside the guest. */
  ms: number;
}

/**
 * How to start the guest's code: vm-guest.js next to this file (built), or vm-guest.ts when running
 * from source, loaded through tsx's tsImport (hooks given by --import do not reach workers on Node 20).
 */
function guestEntry(): { url: URL; eval?: false } | { code: string; eval: true } {
  const js = new URL("./vm-guest.js", import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js };
  const ts = new URL("./vm-guest.ts", import.meta.url);
  if (!existsSync(fileURLToPath(ts))) throw new Error(`wasmbox: the VM guest entry is missing (${fileURLToPath(js)})`);
  const tsxDir = dirname(createRequire(import.meta.url).resolve("tsx/package.json"));
  const api = pathToFileURL(join(tsxDir, "dist", "esm", "api", "index.mjs")).href;
  const code = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(ts.href)}, ${JSON.stringify(ts.href)}))` +
    `.catch((e) => { setImmediate(() => { throw e; }); });`;
  return { code, eval: true };
}

/** One running (or ended) VM. */
export class Guest {
  /** For listings beside containers (`ps` shows the kind). */
  readonly kind = "vm" as const;
  readonly id: string;
  readonly name: string;
  readonly memoryMb: number;
  readonly cpus: number;
  /** Bytes of image data this guest holds its own copy of. */
  readonly diskBytes: number;
  state: GuestState = "booting";
  /** Milliseconds from boot() until the guest kernel was up, and until pid 1 ran. */
  kernelUpMs?: number;
  bootMs?: number;
  /** Pid of the command's first process inside the guest (1 with init). */
  pid?: number;
  /** The CPU clock of the OS thread the guest runs on (where the system says which it is). */
  private clock?: ThreadCpuClock;
  /** Resolves once pid 1 runs (or the guest ended first). */
  readonly running: Promise<void>;
  /** Resolves when the guest is gone, however it went. */
  readonly exited: Promise<GuestExit>;
  exit?: GuestExit;
  private readonly worker: Worker;
  private readonly out: Uint8Array[] = [];
  private readonly err: Uint8Array[] = [];
  private readonly pending = new Map<number, (value: unknown) => void>();
  private nextRequest = 1;
  private resolveRunning!: () => void;
  private resolveExit!: (exit: GuestExit) => void;
  private stopTimer?: NodeJS.Timeout;
  /** Its network cards by number (0: the one it booted with); one per network it is on. */
  private readonly nics = new Map<number, VmNetwork>();
  private nextNic = 0;

  /** `number` is the guest's number within its hypervisor (its id is vmN). */
  constructor(options: VmOptions, number: number) {
    this.id = `vm${number}`;
    this.name = options.name ?? this.id;
    this.memoryMb = options.memoryMb ?? 256;
    this.cpus = Math.max(1, Math.floor(options.cpus ?? 1));
    this.running = new Promise((resolve) => (this.resolveRunning = resolve));
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    const bootAt = performance.timeOrigin + performance.now();
    const capture = options.capture ?? true;
    // The guest's disk: a full copy of every byte of the image, made here and moved to the guest.
    const layers = copyLayers(options.layers);
    this.diskBytes = layerBytes(layers);
    const transfer = layers.flatMap((l) => l.flatMap((e) => (e.data ? [e.data.buffer as ArrayBuffer] : [])));
    const env = Array.isArray(options.env) ? options.env : Object.entries(options.env ?? { PATH: "/bin" }).map(([k, v]) => `${k}=${v}`);
    const engine = options.engine ?? (this.cpus > 1 ? "worker" : "auto");
    const data: GuestBootData = {
      layers, argv: options.argv, env, cwd: options.cwd ?? "/", hostname: options.hostname ?? this.name, engine,
      memoryBytes: this.memoryMb * MB, diskBytes: this.diskBytes + Math.floor((this.memoryMb * MB) / 4),
      init: options.init ?? true, stdin: options.stdin ?? false, tty: options.tty ?? false, terminalSize: options.terminalSize, bootAt, ...(options.user ? { user: options.user } : {}),
      ...(options.network ? { network: options.network.config } : {}),
    };
    const entry = guestEntry();
    this.worker = new Worker(entry.eval ? entry.code : entry.url, {
      eval: entry.eval ?? false,
      workerData: data,
      transferList: transfer,
      stdout: false,
      stderr: false,
      resourceLimits: {
        maxOldGenerationSizeMb: this.memoryMb,
        maxYoungGenerationSizeMb: Math.max(1, Math.min(16, Math.floor(this.memoryMb / 8))),
        stackSizeMb: 4,
      },
    });
    this.worker.on("message", (msg: GuestMessage) => {
      switch (msg.type) {
        case "up": this.kernelUpMs = msg.ms; return;
        case "thread":
          this.clock?.close();
          this.clock = ThreadCpuClock.open(msg.tid);
          return;
        case "started":
          this.bootMs = msg.ms;
          this.pid = msg.pid;
          if (this.state === "booting") this.state = "running";
          this.resolveRunning();
          return;
        case "stdout":
          if (capture) this.out.push(msg.data);
          options.onStdout?.(msg.data);
          return;
        case "stderr":
          if (capture) this.err.push(msg.data);
          options.onStderr?.(msg.data);
          return;
        case "log": options.onLog?.(msg.line); return;
        case "exit": return this.end({ exitCode: msg.exitCode, signal: msg.signal, reason: "exit" });
        case "error": return this.end({ exitCode: 127, reason: "exit", message: msg.message }, msg.message + "\n");
        case "stats": this.pending.get(msg.id)?.(msg.stats); this.pending.delete(msg.id); return;
        case "exec-result": {
          const { exitCode, stdout, stderr, ms } = msg;
          this.pending.get(msg.id)?.({ exitCode, stdout, stderr, ms });
          this.pending.delete(msg.id);
          return;
        }
        case "put-result": this.pending.get(msg.id)?.(msg.error ?? null); this.pending.delete(msg.id); return;
        case "net": this.nics.get(msg.nic)?.receive(msg.message); return;
      }
    });
    if (options.network) this.plug(options.network);
    this.worker.on("error", (error: Error & { code?: string }) => {
      if (error.code === "ERR_WORKER_OUT_OF_MEMORY") this.end({ exitCode: 137, reason: "oom", message: error.message });
      else this.end({ exitCode: 134, reason: "crashed", message: error.message });
    });
    this.worker.on("exit", () => this.end({ exitCode: 137, reason: "killed", message: "the guest's thread ended" }));
  }

  /** Records the end (once), stops the worker, and settles every waiter. */
  private end(exit: Omit<GuestExit, "stdout" | "stderr">, stderrText?: string): void {
    if (this.exit) return;
    if (stderrText) this.err.push(Buffer.from(stderrText));
    clearTimeout(this.stopTimer);
    this.exit = { ...exit, stdout: Buffer.concat(this.out).toString("utf8"), stderr: Buffer.concat(this.err).toString("utf8") };
    this.state = exit.reason === "exit" ? "exited" : exit.reason;
    for (const nic of this.nics.values()) nic.detach();
    this.nics.clear();
    this.clock?.close();
    for (const resolve of this.pending.values()) resolve(undefined);
    this.pending.clear();
    void this.worker.terminate();
    this.resolveRunning();
    this.resolveExit(this.exit);
  }

  /** Its network cards, the one it booted with first. */
  get networks(): VmNetwork[] {
    return [...this.nics.values()];
  }

  /** Gives `network` a card number and starts relaying it; returns the number. */
  private plug(network: VmNetwork): number {
    const nic = this.nextNic++;
    this.nics.set(nic, network);
    network.start(
      (message, transfer) => {
        if (!this.exit) this.worker.postMessage({ type: "net", nic, message } satisfies HostMessage, transfer);
      },
      (config) => this.send({ type: "net-config", nic, config }),
    );
    return nic;
  }

  /**
   * Plugs another network card into the running guest (`network connect`): its kernel gets an
   * interface on that network. An ended guest: the card is detached at once.
   */
  attachNetwork(network: VmNetwork): void {
    if (this.exit) {
      network.detach();
      return;
    }
    const nic = this.plug(network);
    this.send({ type: "net-attach", nic, config: network.config });
  }

  /** Pulls a card out (`network disconnect`): its connections are reset, the guest's interface goes. */
  detachNetwork(network: VmNetwork): void {
    for (const [nic, card] of this.nics) {
      if (card !== network) continue;
      this.nics.delete(nic);
      card.detach();
      this.send({ type: "net-detach", nic });
    }
  }

  private send(message: HostMessage): void {
    if (!this.exit) this.worker.postMessage(message);
  }

  /** Feeds the console's stdin (boot with stdin: true). */
  writeStdin(data: string | Uint8Array): void {
    this.send({ type: "stdin", data: typeof data === "string" ? Buffer.from(data) : data });
  }

  /** Ends the console's stdin (EOF). */
  endStdin(): void {
    this.send({ type: "stdin-end" });
  }

  /** The console terminal's new window (boot with tty): its foreground group gets SIGWINCH. */
  resize(size: { rows: number; cols: number }): void {
    this.send({ type: "resize", rows: size.rows, cols: size.cols });
  }

  /**
   * CPU time (ms) the guest has used: its thread's clock read from here (so a spinning guest is
   * counted too) or as it reported it in `stats`, plus its processes that ran on threads of their own.
   */
  cpuMs(stats: GuestStats | undefined): number {
    const own = (this.exit ? undefined : this.clock?.readNs()) ?? stats?.threadCpuNs ?? 0;
    return Math.floor((own + (stats?.workerCpuNs ?? 0)) / 1e6);
  }

  /** Sends a signal to pid 1 (init forwards TERM and INT to the command). */
  signal(signal: number): void {
    this.send({ type: "signal", signal });
  }

  /** SIGTERM to pid 1, then kill() if the guest is still there after `timeoutMs`. */
  stop(timeoutMs = 10_000): Promise<GuestExit> {
    if (!this.exit) {
      this.signal(SIGTERM);
      clearTimeout(this.stopTimer);
      this.stopTimer = setTimeout(() => this.kill(), timeoutMs);
      this.stopTimer.unref?.();
    }
    return this.exited;
  }

  /** Ends the guest at once, whatever it is doing (even spinning). */
  kill(): Promise<GuestExit> {
    this.end({ exitCode: 137, reason: "killed" });
    return this.exited;
  }

  /** Asks the guest about itself; undefined if it does not answer within `timeoutMs` (spinning, gone). */
  stats(timeoutMs = 2000): Promise<GuestStats | undefined> {
    return this.request<GuestStats>((id) => ({ type: "stats", id }), timeoutMs);
  }

  /**
   * Runs another command inside the running guest (as `docker exec` or ssh would), with the boot
   * environment and directory unless given; `ms` is its run time in the guest.
   */
  exec(argv: string[], timeoutMs = 30_000, options: { env?: string[]; cwd?: string } = {}): Promise<ExecResult | undefined> {
    return this.request((id) => ({ type: "exec", id, argv, ...options }), timeoutMs);
  }

  /** Copies a file into the running guest's disk (as `docker cp` or scp would). */
  async putFile(path: string, data: Uint8Array, mode = 0o755, timeoutMs = 10_000): Promise<void> {
    const result = await this.request<string | null>((id) => ({ type: "put", id, path, data, mode }), timeoutMs);
    if (result !== null) throw new Error(`${this.name}: cannot write ${path}: ${result ?? "the guest did not answer"}`);
  }

  /** Makes the guest kernel misbehave (for isolation tests): throw, exhaust its heap, or spin. */
  injectFault(fault: "crash" | "heap" | "spin"): void {
    this.send({ type: "fault", fault });
  }

  private request<T>(make: (id: number) => HostMessage, timeoutMs: number): Promise<T | undefined> {
    if (this.exit) return Promise.resolve(undefined);
    const id = this.nextRequest++;
    return new Promise<T | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.pending.set(id, (value) => {
        clearTimeout(timer);
        resolve(value as T | undefined);
      });
      this.send(make(id));
    });
  }
}

/** Boots and keeps track of guests. Nothing a guest does can throw into the hypervisor. */
export class Hypervisor {
  private readonly guests = new Map<string, Guest>();
  private nextGuest = 1;

  /** Starts a guest; it boots in the background (await guest.running, guest.exited). */
  boot(options: VmOptions): Guest {
    const guest = new Guest(options, this.nextGuest++);
    this.guests.set(guest.id, guest);
    return guest;
  }

  /** Every guest booted here, ended ones included. */
  list(): Guest[] {
    return [...this.guests.values()];
  }

  /** Forgets an ended guest (a running one is killed first). */
  async remove(id: string): Promise<boolean> {
    const guest = this.get(id);
    if (!guest) return false;
    await guest.kill();
    return this.guests.delete(guest.id);
  }

  /** A guest by id or name. */
  get(id: string): Guest | undefined {
    return this.guests.get(id) ?? [...this.guests.values()].find((g) => g.name === id);
  }

  /** Kills every guest still running. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.guests.values()].map((g) => g.kill()));
  }
}
