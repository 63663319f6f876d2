// The container-versus-VM comparison (`wasmbox bench compare`): starts N containers (processes in
// their own namespaces over shared read-only layers, one kernel) and N VMs (kernel/vm guests, each
// its own isolate, kernel and disk copy) of the same image and command, and measures both.
import { totalmem, cpus as hostCpus } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Container } from "../kernel/container/container.js";
import { FsApi } from "../kernel/fs-api.js";
import { Kernel, type EngineChoice } from "../kernel/kernel.js";
import type { Process } from "../kernel/proc/process.js";
import { InputStream } from "../kernel/stdio.js";
import type { LayerEntry } from "../kernel/vfs/layer.js";
import { LayerTrees, OverlayFs } from "../kernel/vfs/overlay.js";
import { Hypervisor, layerBytes, type Guest } from "../kernel/vm/index.js";

const MB = 1024 * 1024;

/** A tiny WASI command whose _start traps (unreachable): the "crash" of the isolation check. */
export const TRAP_WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x07, 0x0a, 0x01, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00, // export "_start"
  0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b, // code: unreachable
]);

/** Where the trap program lives inside an instance for the isolation check. */
export const TRAP_PATH = "/tmp/trap.wasm";

/** A WASI command that counts down from 10^9 without a single syscall (a CPU hog; about 0.3-1 s). */
export const HOG_WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
  0x07, 0x0a, 0x01, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00,
  // code: (local i32) i32.const 1e9; local.set 0; loop: local.get 0; i32.const 1; i32.sub; local.tee 0; br_if 0
  0x0a, 0x1a, 0x01, 0x18, 0x01, 0x01, 0x7f, 0x41, 0x80, 0x94, 0xeb, 0xdc, 0x03, 0x21, 0x00, 0x03, 0x40,
  0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b, 0x0b,
]);

/** Where the CPU hog lives inside an instance. */
export const HOG_PATH = "/tmp/hog.wasm";

// ---------------------------------------------------------------------------------------------
// One instance, either kind: what the measurements need of a container or a VM.

/** The outcome of a command in an instance. */
export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** How it ended: exit, or (VMs) killed, crashed, oom. */
  reason?: string;
}

/** A running container or VM, seen the same way by the benchmark. */
export interface Instance {
  readonly kind: "container" | "vm";
  readonly name: string;
  /** Resolves once its first process runs; the value is milliseconds since start was asked. */
  readonly running: Promise<number>;
  readonly exited: Promise<CommandResult>;
  writeStdin(data: string): void;
  endStdin(): void;
  /** Runs another command inside it; undefined when it does not answer within the timeout. */
  exec(argv: string[], timeoutMs?: number): Promise<(CommandResult & { ms: number }) | undefined>;
  putFile(path: string, data: Uint8Array): Promise<void>;
  kill(): Promise<CommandResult>;
  /** Bytes of image data it holds privately (its writable layer, or its whole disk). */
  privateDiskBytes(): Promise<number>;
  /** Memory it accounts for itself: its processes' linear memory (and for a VM, its isolate's heap). */
  accountedMemoryBytes(): Promise<number>;
}

/** What starting an instance takes. */
export interface StartOptions {
  argv: string[];
  env: string[];
  /** Keep stdin open (writeStdin/endStdin); otherwise EOF at once. */
  stdin?: boolean;
  name?: string;
}

/**
 * The container side: one shared kernel; each container is a pid and mount namespace whose root is
 * an overlay of the image's layers (each layer's tree built once, shared read-only) under its own
 * empty writable upper. The seam to the container runtime is kept to this class.
 */
export class ContainerHost {
  readonly kernel: Kernel;
  private readonly trees: LayerTrees;
  private readonly lowers;
  private n = 0;

  constructor(readonly layers: readonly (readonly LayerEntry[])[], engine: EngineChoice = "auto") {
    this.kernel = new Kernel({ engine, hostname: "wasmbox", log: () => undefined });
    this.trees = new LayerTrees(() => this.kernel.allocDev());
    this.lowers = layers.map((l) => this.trees.tree(l));
  }

  /** Bytes of image data in the shared layers (held once, whatever the number of containers). */
  get sharedBytes(): number {
    return this.lowers.reduce((n, fs) => n + fs.usedBytes, 0);
  }

  start(options: StartOptions): Instance {
    const t0 = performance.now();
    const name = options.name ?? `c${++this.n}`;
    const overlay = new OverlayFs(this.kernel.allocDev(), { lowers: this.lowers });
    const container = this.kernel.createContainer({ root: overlay.root, name, hostname: name });
    const stdin = new InputStream(null);
    if (!options.stdin) stdin.end();
    const kernel = this.kernel;
    let proc: Process | undefined;
    let resolveRunning!: (ms: number) => void;
    const running = new Promise<number>((resolve) => (resolveRunning = resolve));
    const exited = kernel.run(which(container, options.env, options.argv[0]!), {
      container, args: options.argv.slice(1), argv0: options.argv[0], env: options.env, stdin,
      onStart: (p) => {
        proc = p;
        resolveRunning(performance.now() - t0);
      },
    }).then(
      (r): CommandResult => ({ exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, reason: "exit" }),
      (e: Error): CommandResult => {
        resolveRunning(performance.now() - t0);
        return { exitCode: 127, stdout: "", stderr: `${options.argv[0]}: ${e.message}\n`, reason: "exit" };
      },
    );
    return {
      kind: "container", name, running, exited,
      writeStdin: (data) => stdin.push(Buffer.from(data)),
      endStdin: () => stdin.end(),
      exec: async (argv) => {
        const t = performance.now();
        try {
          const r = await kernel.run(which(container, options.env, argv[0]!), { container, args: argv.slice(1), argv0: argv[0], env: options.env });
          return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t };
        } catch (e) {
          return { exitCode: 127, stdout: "", stderr: `${argv[0]}: ${(e as Error).message}\n`, ms: performance.now() - t };
        }
      },
      putFile: async (path, data) => new FsApi(container.ns).writeFile(path, data, 0o755),
      kill: () => {
        for (const p of container.liveProcesses()) p.kill(9);
        proc?.kill(9);
        return exited;
      },
      privateDiskBytes: async () => overlay.upper.usedBytes,
      accountedMemoryBytes: async () => container.memoryBytes(),
    };
  }
}

/** The VM side: a hypervisor booting one guest per instance. */
export class VmHost {
  readonly hypervisor = new Hypervisor();
  readonly guests: Guest[] = [];

  constructor(readonly layers: readonly (readonly LayerEntry[])[], readonly memoryMb = 128, readonly cpus = 1, readonly engine: EngineChoice = "auto") {}

  start(options: StartOptions): Instance {
    const t0 = performance.now();
    const guest = this.hypervisor.boot({
      layers: this.layers, argv: options.argv, env: options.env, memoryMb: this.memoryMb, cpus: this.cpus,
      engine: this.engine, stdin: options.stdin, name: options.name,
    });
    this.guests.push(guest);
    const result = (g: Guest): CommandResult => {
      const e = g.exit!;
      return { exitCode: e.exitCode, stdout: e.stdout, stderr: e.stderr + (e.message && e.reason !== "exit" ? `${e.reason}: ${e.message}\n` : ""), reason: e.reason };
    };
    return {
      kind: "vm", name: guest.name,
      running: guest.running.then(() => performance.now() - t0),
      exited: guest.exited.then(() => result(guest)),
      writeStdin: (data) => guest.writeStdin(data),
      endStdin: () => guest.endStdin(),
      exec: (argv, timeoutMs) => guest.exec(argv, timeoutMs),
      putFile: (path, data) => guest.putFile(path, data),
      kill: () => guest.kill().then(() => result(guest)),
      privateDiskBytes: async () => (await guest.stats())?.diskBytes ?? guest.diskBytes,
      accountedMemoryBytes: async () => {
        const stats = await guest.stats();
        return stats ? stats.heapTotal + stats.guestMemory : 0;
      },
    };
  }

  /** Asks a guest to misbehave (guest kernel panic, heap exhaustion, spinning). */
  fault(instance: Instance, fault: "crash" | "heap" | "spin"): void {
    this.guests.find((g) => g.name === instance.name)?.injectFault(fault);
  }

  async shutdown(): Promise<void> {
    await this.hypervisor.shutdown();
  }
}

/** Finds a command on PATH inside a container (a name with a slash is taken as is). */
function which(container: Container, env: string[], name: string): string {
  if (name.includes("/")) return name;
  const fs = new FsApi(container.ns);
  const path = env.find((e) => e.startsWith("PATH="))?.slice(5) ?? "/bin";
  for (const dir of path.split(":")) if (dir && fs.exists(`${dir}/${name}`)) return `${dir}/${name}`;
  return name;
}

// ---------------------------------------------------------------------------------------------
// The figures.

/** Latency percentiles in milliseconds. */
export interface Latency {
  samples: number;
  firstMs: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** One isolation experiment: a fault in one instance, and what became of the others. */
export interface IsolationResult {
  fault: "trap" | "cpu-hog" | "guest-kernel-crash" | "heap-exhaustion" | "spin";
  /** Whether the fault was really injected (false: the outcome follows from the design, see note). */
  measured: boolean;
  victim?: string;
  /** How the victim ended (exit code / reason), when measured. */
  victimOutcome?: string;
  /** Instances still answering a command afterwards, out of those not hit. */
  othersAlive: number;
  othersTotal: number;
  /** Whether the host (the benchmark's own kernel and process) kept running. */
  hostAlive: boolean;
  /** cpu-hog: how long the hog ran, and the slowest answer of another instance meanwhile (ms). */
  hogMs?: number;
  othersSlowestAnswerMs?: number;
  note: string;
}

/** Everything measured for one mode. */
export interface ModeFigures {
  mode: "container" | "vm";
  count: number;
  /** From asking for an instance to its first process running, started one at a time. */
  start: Latency;
  /** From the first start request until all N instances, started together, run. */
  allRunningMs: number;
  /** From the first start request until all N commands ended. */
  allDoneMs: number;
  /** The command's result in the first instance, and whether all N gave the same. */
  output: CommandResult & { allIdentical: boolean };
  memory: {
    /** Growth of the host process's resident memory per idle instance (N idle instances, after GC). */
    perInstanceBytes: number;
    /** Idle instances measured. */
    instances: number;
    /** What an idle instance accounts for itself, on average: linear memory (+ isolate heap for a VM). */
    accountedPerInstanceBytes: number;
    baselineRssBytes: number;
    rssWithAllBytes: number;
    method: string;
  };
  syscalls: { workload: string; count: number; ms: number; perSecond: number };
  pipe: { workload: string; bytes: number; ms: number; bytesPerSecond: number };
  disk: {
    /** Image data held privately by each instance (its upper, or its whole disk copy). */
    perInstanceBytes: number;
    /** Image data held once and shared by every instance. */
    sharedBytes: number;
  };
  budget: { budgetBytes: number; instances: number };
  isolation: IsolationResult[];
}

/** The whole report. */
export interface CompareReport {
  date: string;
  host: { node: string; platform: string; arch: string; cpus: number; memoryBytes: number };
  image: string;
  imageBytes: number;
  cmd: string[];
  count: number;
  vmMemoryMb: number;
  vmCpus: number;
  modes: { container: ModeFigures; vm: ModeFigures };
  ratios: {
    /** VM boot p50 over container start p50. */
    startP50: number;
    /** Memory per idle VM over memory per idle container. */
    memoryPerInstance: number;
  };
  goals: { containerStart100xFaster: boolean; containerMemoryAtMost1of20: boolean; sameOutputInBothModes: boolean };
}

/** What compare() takes. */
export interface CompareOptions {
  layers: readonly (readonly LayerEntry[])[];
  image: string;
  count: number;
  cmd: string[];
  env?: string[];
  vmMemoryMb?: number;
  vmCpus?: number;
  engine?: EngineChoice;
  /** The memory budget for the "how many fit" figure (default: half of the host's memory). */
  budgetBytes?: number;
  /** Iterations of the syscall workload (default 2000) and bytes of the pipe workload (default 20 MB). */
  syscallLoops?: number;
  pipeBytes?: number;
  /** Called as work advances: steps done, steps in all, what is happening. */
  progress?: (done: number, total: number, label: string) => void;
}

/** Nearest-rank percentile of sorted samples. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    samples: samples.length, firstMs: samples[0] ?? 0, meanMs: samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length),
    p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] ?? 0,
  };
}

/** A full garbage collection (so memory deltas count what is live); exposes gc when the process lacks it. */
async function collect(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? exposeGc();
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 30));
  }
}

function exposeGc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** How many of `instances` answer a trivial command within a few seconds. */
async function alive(instances: Instance[]): Promise<number> {
  const answers = await Promise.all(instances.map((i) => i.exec(["echo", "alive"], 5000).then((r) => r?.stdout === "alive\n", () => false)));
  return answers.filter(Boolean).length;
}

type Host = { start(options: StartOptions): Instance };

/** Measures one mode. */
async function measureMode(mode: "container" | "vm", host: Host, options: Required<Pick<CompareOptions, "count" | "cmd" | "syscallLoops" | "pipeBytes">> & { env: string[]; budgetBytes: number; sharedBytes: number; vm?: VmHost; layers: readonly (readonly LayerEntry[])[] }, tick: (label: string) => void): Promise<ModeFigures> {
  const { count, cmd, env } = options;
  // 1a. Start latency: N instances of the command, one after another (each alone on the machine).
  const starts: number[] = [];
  for (let i = 0; i < count; i++) {
    const inst = host.start({ argv: cmd, env, name: `${mode}-seq-${i + 1}` });
    starts.push(await inst.running);
    await inst.exited;
    tick(`${mode}: start ${i + 1}/${count}`);
  }
  // 1b. N instances of the command started together: time until all run, and their output.
  const t0 = performance.now();
  const runs: Instance[] = [];
  for (let i = 0; i < count; i++) runs.push(host.start({ argv: cmd, env, name: `${mode}-run-${i + 1}` }));
  await Promise.all(runs.map((r) => r.running));
  const allRunningMs = performance.now() - t0;
  const results = await Promise.all(runs.map((r) => r.exited));
  const allDoneMs = performance.now() - t0;
  tick(`${mode}: ${count} together`);
  const first = results[0]!;
  const allIdentical = results.every((r) => r.exitCode === first.exitCode && r.stdout === first.stdout && r.stderr === first.stderr);

  // 2. N idle instances (cat, stdin open) for memory, disk, workloads and isolation.
  await collect();
  const baseline = process.memoryUsage.rss();
  const idle: Instance[] = [];
  for (let i = 0; i < count; i++) idle.push(host.start({ argv: ["cat"], env, stdin: true, name: `${mode}-idle-${i + 1}` }));
  await Promise.all(idle.map((inst) => inst.running.then(() => tick(`${mode}: idle instances`))));
  await Promise.all(idle.map((inst) => inst.exec(["true"], 30_000)));
  await collect();
  const withAll = process.memoryUsage.rss();
  const perInstance = Math.max(0, (withAll - baseline) / count);
  const diskPrivate = await idle[0]!.privateDiskBytes();
  const accounted = (await Promise.all(idle.map((i) => i.accountedMemoryBytes()))).reduce((a, b) => a + b, 0) / count;

  // 3. Workloads inside one idle instance.
  const syscallWorkload = `i=0; while [ $i -lt ${options.syscallLoops} ]; do echo $i; i=$((i+1)); done > /dev/null`;
  // Each workload runs three times and the fastest run counts (the first warms the kernel's code up).
  const best = async (script: string) => {
    let fastest: (CommandResult & { ms: number }) | undefined;
    for (let i = 0; i < 3; i++) {
      const r = await idle[0]!.exec(["sh", "-c", script], 120_000);
      if (r && (!fastest || r.ms < fastest.ms)) fastest = r;
    }
    return fastest;
  };
  const sys = await best(syscallWorkload);
  tick(`${mode}: syscall workload`);
  const pipeWorkload = `yes | head -c ${options.pipeBytes} | wc -c`;
  const pipe = await best(pipeWorkload);
  tick(`${mode}: pipe workload`);
  const syscallCount = await countSyscalls(syscallWorkload, options.layers);

  // 4. Isolation: faults in some instances while the rest keep running.
  const isolation: IsolationResult[] = [];
  const trapVictim = idle[0]!;
  await trapVictim.putFile(TRAP_PATH, TRAP_WASM);
  const trapped = await trapVictim.exec([TRAP_PATH], 10_000);
  const others = idle.filter((i) => i !== trapVictim);
  isolation.push({
    fault: "trap", measured: true, victim: trapVictim.name,
    victimOutcome: trapped ? `trapped process exit ${trapped.exitCode}; the instance itself ${(await alive([trapVictim])) === 1 ? "kept running" : "died"}` : "no answer",
    othersAlive: await alive(others), othersTotal: others.length, hostAlive: true,
    note: "a guest program executes `unreachable`: its process ends with SIGABRT (134), everything else goes on",
  });
  tick(`${mode}: isolation (trap)`);

  // A CPU hog in one instance: how long do the others take to answer meanwhile? The pings are sent
  // in the same tick as the hog (on one kernel thread, nothing else could run before it), and again
  // 100 ms in for VMs (whose hosts stay responsive).
  await trapVictim.putFile(HOG_PATH, HOG_WASM);
  const hog = trapVictim.exec([HOG_PATH], 120_000);
  const ping = (i: Instance) => {
    const t = performance.now();
    return i.exec(["echo", "alive"], 60_000).then((r) => ({ ok: r?.stdout === "alive\n", ms: performance.now() - t }));
  };
  const pings = [others.map(ping)];
  if (mode === "vm") pings.push(await new Promise<typeof pings[0]>((resolve) => setTimeout(() => resolve(others.map(ping)), 100)));
  const answers = await Promise.all(pings.flat());
  const hogRun = await hog;
  isolation.push({
    fault: "cpu-hog", measured: true, victim: trapVictim.name,
    victimOutcome: hogRun ? `counted to 10^9 in ${hogRun.ms.toFixed(0)} ms, exit ${hogRun.exitCode}` : "no answer",
    othersAlive: Math.min(others.length, answers.filter((a) => a.ok).length), othersTotal: others.length, hostAlive: true,
    hogMs: hogRun?.ms, othersSlowestAnswerMs: Math.max(0, ...answers.map((a) => a.ms)),
    note: mode === "vm"
      ? "a guest program computes without syscalls: it holds its own guest's thread only"
      : "a guest program computes without syscalls: on the inline engine it holds the one kernel thread, so every other container waits for it",
  });
  tick(`${mode}: isolation (cpu-hog)`);
  if (mode === "vm" && options.vm) {
    const faults: Array<["guest-kernel-crash" | "heap-exhaustion" | "spin", "crash" | "heap" | "spin", string]> = [
      ["guest-kernel-crash", "crash", "the guest kernel throws an uncaught exception (a kernel panic)"],
      ["heap-exhaustion", "heap", "the guest kernel allocates until its isolate's heap limit (--vm-memory) is hit"],
      ["spin", "spin", "the guest kernel's thread spins forever; stop() cannot reach it, kill() terminates the isolate"],
    ];
    let k = 1;
    for (const [fault, kind, note] of faults) {
      const victim = idle[k++];
      if (!victim) break;
      const hit = idle.slice(1, k);
      options.vm.fault(victim, kind);
      const t = performance.now();
      const ended = await within(victim.exited, kind === "spin" ? 500 : 60_000);
      const rest = idle.filter((i) => !hit.includes(i));
      const othersAlive = await alive(rest);
      let outcome = ended ? `${ended.reason} (exit ${ended.exitCode}) after ${Math.round(performance.now() - t)} ms` : "still spinning";
      if (!ended) {
        const k0 = performance.now();
        await victim.kill();
        outcome += `; kill() ended it in ${(performance.now() - k0).toFixed(1)} ms`;
      }
      isolation.push({ fault, measured: true, victim: victim.name, victimOutcome: outcome, othersAlive, othersTotal: rest.length, hostAlive: true, note });
      tick(`${mode}: isolation (${fault})`);
    }
  } else {
    isolation.push({
      fault: "guest-kernel-crash", measured: false, othersAlive: 0, othersTotal: count - 1, hostAlive: false,
      note: "containers share one kernel: a kernel panic or heap exhaustion there ends every container (not injected: it would end the benchmark)",
    });
    isolation.push({
      fault: "heap-exhaustion", measured: false, othersAlive: 0, othersTotal: count - 1, hostAlive: false,
      note: "a container's linear memory is capped by its limits, but the kernel's own heap is shared: exhausting it ends every container (not injected)",
    });
    isolation.push({
      fault: "spin", measured: false, othersAlive: 0, othersTotal: count - 1, hostAlive: false,
      note: "on the inline engine a guest spinning without syscalls holds the kernel's thread: every container stalls until it makes a syscall (the worker engine contains it)",
    });
  }

  for (const inst of idle) inst.endStdin();
  await Promise.all(idle.map((inst) => within(inst.exited, 10_000).then((r) => r ?? inst.kill())));

  const sysMs = sys?.ms ?? 0;
  const pipeMs = pipe?.ms ?? 0;
  const pipeBytes = Number(pipe?.stdout.trim() ?? 0);
  return {
    mode, count,
    start: latency(starts), allRunningMs, allDoneMs,
    output: { ...first, allIdentical },
    memory: {
      perInstanceBytes: perInstance, instances: count, accountedPerInstanceBytes: accounted, baselineRssBytes: baseline, rssWithAllBytes: withAll,
      method: "growth of the host process's RSS with N idle instances (cat waiting on stdin), after full GCs, divided by N",
    },
    syscalls: { workload: syscallWorkload, count: syscallCount, ms: sysMs, perSecond: sysMs > 0 ? (syscallCount / sysMs) * 1000 : 0 },
    pipe: { workload: pipeWorkload, bytes: pipeBytes, ms: pipeMs, bytesPerSecond: pipeMs > 0 ? (pipeBytes / pipeMs) * 1000 : 0 },
    disk: { perInstanceBytes: diskPrivate, sharedBytes: mode === "container" ? options.sharedBytes : 0 },
    budget: { budgetBytes: options.budgetBytes, instances: perInstance > 0 ? Math.floor(options.budgetBytes / perInstance) : 0 },
    isolation,
  };
}

/** Syscalls the workload makes (it is deterministic): counted on a tracing kernel. */
async function countSyscalls(workload: string, countLayers: readonly (readonly LayerEntry[])[]): Promise<number> {
  let n = 0;
  const kernel = new Kernel({ trace: () => n++, log: () => undefined });
  const trees = new LayerTrees(() => kernel.allocDev());
  const container = kernel.createContainer({ root: new OverlayFs(kernel.allocDev(), { lowers: countLayers.map((l) => trees.tree(l)) }).root });
  await kernel.run(which(container, ["PATH=/bin"], "sh"), { container, args: ["-c", workload], argv0: "sh", env: ["PATH=/bin"] });
  return n;
}

/** Runs the whole comparison: containers first, then VMs, in this process. */
export async function compare(options: CompareOptions): Promise<CompareReport> {
  const count = Math.max(2, Math.floor(options.count));
  const env = options.env ?? ["PATH=/bin", "HOME=/root"];
  const vmMemoryMb = options.vmMemoryMb ?? 128;
  const vmCpus = options.vmCpus ?? 1;
  const budgetBytes = options.budgetBytes ?? Math.floor(totalmem() / 2);
  // steps: per mode N starts + 1 together + N idle + 2 workloads + isolation (2 for containers, up to 5 for VMs)
  const total = 2 * (2 * count + 3) + 2 + 1 + Math.min(4, count);
  let done = 0;
  const tick = (label: string) => options.progress?.(++done, total, label);
  const common = { count, cmd: options.cmd, env, budgetBytes, syscallLoops: options.syscallLoops ?? 2000, pipeBytes: options.pipeBytes ?? 20_000_000, layers: options.layers };

  const containers = new ContainerHost(options.layers, options.engine);
  const container = await measureMode("container", containers, { ...common, sharedBytes: containers.sharedBytes }, tick);
  const vms = new VmHost(options.layers, vmMemoryMb, vmCpus, options.engine);
  let vm: ModeFigures;
  try {
    vm = await measureMode("vm", vms, { ...common, sharedBytes: 0, vm: vms }, tick);
  } finally {
    await vms.shutdown();
  }
  options.progress?.(total, total, "done");
  const same = container.output.exitCode === vm.output.exitCode && container.output.stdout === vm.output.stdout && container.output.stderr === vm.output.stderr;
  const startRatio = container.start.p50Ms > 0 ? vm.start.p50Ms / container.start.p50Ms : 0;
  const memRatio = container.memory.perInstanceBytes > 0 ? vm.memory.perInstanceBytes / container.memory.perInstanceBytes : 0;
  return {
    date: new Date().toISOString(),
    host: { node: process.version, platform: process.platform, arch: process.arch, cpus: hostCpus().length, memoryBytes: totalmem() },
    image: options.image, imageBytes: layerBytes(options.layers), cmd: options.cmd, count, vmMemoryMb, vmCpus,
    modes: { container, vm },
    ratios: { startP50: startRatio, memoryPerInstance: memRatio },
    goals: {
      containerStart100xFaster: startRatio >= 100,
      containerMemoryAtMost1of20: memRatio >= 20 || (container.memory.perInstanceBytes === 0 && vm.memory.perInstanceBytes > 0),
      sameOutputInBothModes: same,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Presentation: a table, an HTML page with inline SVG charts, a progress bar.

/** Bytes for people: 1.5 MiB. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let u = 0;
  let v = Math.abs(n);
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${n < 0 ? "-" : ""}${v >= 100 || u === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

function ms(n: number): string {
  return n >= 100 ? `${n.toFixed(0)} ms` : n >= 1 ? `${n.toFixed(2)} ms` : `${(n * 1000).toFixed(0)} us`;
}

function rate(n: number, unit: string): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M${unit}/s` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k${unit}/s` : `${n.toFixed(0)} ${unit}/s`;
}

/** What a fault did to the other instances, in a few words. */
function isolationCell(m: ModeFigures, fault: IsolationResult["fault"]): string {
  const i = m.isolation.find((x) => x.fault === fault);
  if (!i) return "-";
  if (!i.measured) return `all ${i.othersTotal} others ${fault === "spin" ? "stall" : "end"} (shared kernel; not injected)`;
  if (fault === "cpu-hog") return `others answered within ${ms(i.othersSlowestAnswerMs ?? 0)} (hog ran ${ms(i.hogMs ?? 0)})`;
  return `${i.othersAlive}/${i.othersTotal} others alive`;
}

/** The rows of the comparison: label, container value, VM value. */
export function rows(report: CompareReport): Array<[string, string, string]> {
  const { container: c, vm: v } = report.modes;
  const both = (f: (m: ModeFigures) => string): [string, string] => [f(c), f(v)];
  return [
    ["start latency p50 (one at a time)", ...both((m) => ms(m.start.p50Ms))],
    ["start latency p95", ...both((m) => ms(m.start.p95Ms))],
    ["start latency p99", ...both((m) => ms(m.start.p99Ms))],
    ["first start (cold)", ...both((m) => ms(m.start.firstMs))],
    [`time until all ${report.count} run`, ...both((m) => ms(m.allRunningMs))],
    [`time until all ${report.count} done`, ...both((m) => ms(m.allDoneMs))],
    ["memory per idle instance (host RSS)", ...both((m) => formatBytes(m.memory.perInstanceBytes))],
    ["memory it accounts for (heap + linear)", ...both((m) => formatBytes(m.memory.accountedPerInstanceBytes))],
    ["syscall rate (shell loop, best of 3)", ...both((m) => rate(m.syscalls.perSecond, "calls"))],
    ["pipe throughput (yes | head -c, best of 3)", ...both((m) => `${formatBytes(m.pipe.bytesPerSecond)}/s`)],
    ["disk: image data per instance", ...both((m) => formatBytes(m.disk.perInstanceBytes))],
    ["disk: shared image data", ...both((m) => formatBytes(m.disk.sharedBytes))],
    [`fit in ${formatBytes(c.budget.budgetBytes)}`, ...both((m) => String(m.budget.instances))],
    ...(["trap", "cpu-hog", "guest-kernel-crash", "heap-exhaustion", "spin"] as const).map((f): [string, string, string] => [`isolation: ${f}`, ...both((m) => isolationCell(m, f))]),
    ["output identical across instances", ...both((m) => (m.output.allIdentical ? "yes" : "no"))],
  ];
}

/** The horizontal comparison as a plain-text table. */
export function formatTable(report: CompareReport): string {
  const table = [["", `containers (${report.count})`, `VMs (${report.count})`], ...rows(report)];
  const width = [0, 1].map((col) => Math.max(...table.map((r) => r[col]!.length)));
  const lines = table.map((r) => `${r[0]!.padEnd(width[0]!)}  ${r[1]!.padEnd(width[1]!)}  ${r[2]}`);
  lines.splice(1, 0, "-".repeat(Math.min(120, lines[0]!.length + 10)));
  const g = report.goals;
  lines.push(
    "",
    `image ${report.image} (${formatBytes(report.imageBytes)}), command: ${report.cmd.join(" ")}; VMs: ${report.vmMemoryMb} MiB, ${report.vmCpus} vCPU; ${report.host.cpus} host CPUs, Node ${report.host.node}`,
    `VM boot / container start (p50): ${report.ratios.startP50.toFixed(0)}x (goal >= 100x: ${g.containerStart100xFaster ? "met" : "NOT met"})`,
    `memory per idle VM / per idle container: ${report.ratios.memoryPerInstance.toFixed(1)}x (goal >= 20x: ${g.containerMemoryAtMost1of20 ? "met" : "NOT met"})`,
    `same output in both modes: ${g.sameOutputInBothModes ? "yes" : "NO"}`,
  );
  return lines.join("\n") + "\n";
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A horizontal bar chart (two bars: containers, VMs) as inline SVG; log scale when they differ a lot. */
function barChart(title: string, values: [number, number], format: (n: number) => string): string {
  const [a, b] = values;
  const max = Math.max(a, b, 1e-9);
  const log = max / Math.max(Math.min(a, b), 1e-9) > 50 && Math.min(a, b) > 0;
  const scale = (v: number) => (v <= 0 ? 0 : log ? Math.max(2, (Math.log10(v / Math.min(a, b)) + 1) / (Math.log10(max / Math.min(a, b)) + 1) * 360) : (v / max) * 360);
  const bar = (y: number, label: string, v: number, color: string) =>
    `<text x="0" y="${y + 14}" font-size="12">${label}</text><rect x="90" y="${y}" width="${scale(v).toFixed(1)}" height="18" fill="${color}"/>` +
    `<text x="${(95 + scale(v)).toFixed(1)}" y="${y + 14}" font-size="12">${escapeHtml(format(v))}</text>`;
  return `<figure><figcaption>${escapeHtml(title)}${log ? " (log scale)" : ""}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="560" height="56" role="img" aria-label="${escapeHtml(title)}">` +
    bar(4, "containers", a, "#2a7ab0") + bar(30, "VMs", b, "#c0562b") + `</svg></figure>`;
}

/** A self-contained HTML report (no scripts, no network): the table and one chart per figure. */
export function formatHtml(report: CompareReport): string {
  const { container: c, vm: v } = report.modes;
  const charts = [
    barChart("start latency p50", [c.start.p50Ms, v.start.p50Ms], ms),
    barChart("start latency p99", [c.start.p99Ms, v.start.p99Ms], ms),
    barChart(`time until all ${report.count} run`, [c.allRunningMs, v.allRunningMs], ms),
    barChart("memory per idle instance", [c.memory.perInstanceBytes, v.memory.perInstanceBytes], formatBytes),
    barChart("syscall rate", [c.syscalls.perSecond, v.syscalls.perSecond], (n) => rate(n, "calls")),
    barChart("pipe throughput", [c.pipe.bytesPerSecond, v.pipe.bytesPerSecond], (n) => `${formatBytes(n)}/s`),
    barChart("image data held per instance", [c.disk.perInstanceBytes, v.disk.perInstanceBytes], formatBytes),
    barChart(`instances that fit in ${formatBytes(c.budget.budgetBytes)}`, [c.budget.instances, v.budget.instances], (n) => n.toFixed(0)),
  ].join("\n");
  const table = rows(report).map(([label, a, b]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(a)}</td><td>${escapeHtml(b)}</td></tr>`).join("\n");
  const iso = [...c.isolation, ...v.isolation].map((i, n) =>
    `<tr><td>${n < c.isolation.length ? "container" : "VM"}</td><td>${escapeHtml(i.fault)}</td><td>${i.measured ? "measured" : "by design"}</td>` +
    `<td>${escapeHtml(i.victimOutcome ?? "")}</td><td>${i.measured ? `${i.othersAlive}/${i.othersTotal}` : `0/${i.othersTotal} (expected)`}</td><td>${escapeHtml(i.note)}</td></tr>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>wasmbox: containers vs VMs</title>
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em}table{border-collapse:collapse}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}figure{margin:1em 0}figcaption{font-weight:600}</style></head>
<body>
<h1>wasmbox: containers vs VMs</h1>
<p>${escapeHtml(report.date)} &middot; image <code>${escapeHtml(report.image)}</code> (${escapeHtml(formatBytes(report.imageBytes))}) &middot;
command <code>${escapeHtml(report.cmd.join(" "))}</code> &middot; ${report.count} of each &middot; VMs ${report.vmMemoryMb} MiB, ${report.vmCpus} vCPU &middot;
Node ${escapeHtml(report.host.node)} on ${escapeHtml(report.host.platform)}/${escapeHtml(report.host.arch)}, ${report.host.cpus} CPUs</p>
<p>VM boot / container start (p50): <b>${report.ratios.startP50.toFixed(0)}x</b> (goal 100x: ${report.goals.containerStart100xFaster ? "met" : "not met"}) &middot;
memory per VM / per container: <b>${report.ratios.memoryPerInstance.toFixed(1)}x</b> (goal 20x: ${report.goals.containerMemoryAtMost1of20 ? "met" : "not met"}) &middot;
same output: <b>${report.goals.sameOutputInBothModes ? "yes" : "no"}</b></p>
<table><tr><th></th><th>containers</th><th>VMs</th></tr>
${table}
</table>
<h2>Charts</h2>
${charts}
<h2>Isolation</h2>
<table><tr><th>mode</th><th>fault</th><th></th><th>victim</th><th>others alive</th><th>what happens</th></tr>
${iso}
</table>
<h2>Method</h2>
<p>${escapeHtml(c.memory.method)}. Syscall rate: <code>${escapeHtml(c.syscalls.workload)}</code> (${c.syscalls.count} syscalls, counted on a tracing kernel).
Pipe throughput: <code>${escapeHtml(c.pipe.workload)}</code>.</p>
</body></html>
`;
}

/** A one-line progress bar for stderr ("\r" redraws it; a newline ends it). */
export function progressBar(done: number, total: number, label: string, width = 30): string {
  const filled = Math.round((Math.min(done, total) / Math.max(1, total)) * width);
  return `\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${String(done).padStart(String(total).length)}/${total} ${label.slice(0, 40).padEnd(40)}` + (done >= total ? "\n" : "");
}

export { MB };
