// containers/compare: the container-versus-VM comparison (`wasmbox bench compare`): one function per figure
// over a Fleet (fleet.ts: the runtime's containers and VMs); compare() runs them all. Printing: format.ts, html.ts.
import { totalmem, cpus as hostCpus } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Kernel, layerBytes } from "../../kernel/host.js";
import type { RunnableImage } from "../runtime.js";
import { specFromOptions } from "../options.js";
import { Fleet, within, type Started, type Timed } from "./fleet.js";
import { COUNTDOWN_PATH, countdownWasm, TRAP_PATH, TRAP_WASM } from "./guests.js";
import { latency, type CompareReport, type IsolationResult, type ModeFigures, type NetworkFigures } from "./report.js";

type Mode = "container" | "vm";

/** What compare() takes. */
export interface CompareOptions {
  image: RunnableImage;
  /** The image's name as the user gave it. */
  imageName: string;
  count: number;
  cmd: string[];
  vmMemoryMb?: number;
  vmCpus?: number;
  engine?: "auto" | "inline" | "worker";
  /** The memory budget for the "how many fit" figure (default: half of the host's memory). */
  budgetBytes?: number;
  /** Iterations of the syscall workload (default 2000) and bytes of the pipe workload (default 20 MB). */
  syscallLoops?: number;
  pipeBytes?: number;
  /** Requests of the network latency workload (default 50) and bytes of its throughput workload (default 8 MB). */
  netRequests?: number;
  netBytes?: number;
  /** Loops of the CPU hog (default 10^9, about 0.3-1 s) and most loops of the spinner (default 2 x 10^9). */
  hogLoops?: number;
  spinLoops?: number;
  /** Called as work advances: steps done, steps in all, what is happening. */
  progress?: (done: number, total: number, label: string) => void;
}

/** Start latency: `count` instances of `cmd`, one after another (each alone on the machine), from create to first output. */
export async function measureStarts(fleet: Fleet, mode: Mode, cmd: string[], count: number, tick: (label: string) => void = () => undefined): Promise<number[]> {
  const starts: number[] = [];
  for (let i = 0; i < count; i++) {
    const inst = await fleet.start(mode, cmd, `${mode}-seq-${i + 1}`);
    starts.push(await inst.firstOutput);
    await fleet.remove(inst);
    tick(`${mode}: start ${i + 1}/${count}`);
  }
  return starts;
}

/** `count` instances of `cmd` started together: until all have printed (or ended), until all ended, and their output. */
export async function measureTogether(fleet: Fleet, mode: Mode, cmd: string[], count: number): Promise<Pick<ModeFigures, "allRunningMs" | "allDoneMs" | "output">> {
  const t0 = performance.now();
  const runs = await Promise.all(Array.from({ length: count }, (_, i) => fleet.start(mode, cmd, `${mode}-run-${i + 1}`)));
  await Promise.all(runs.map((r) => r.firstOutput));
  const allRunningMs = performance.now() - t0;
  const results = await Promise.all(runs.map((r) => r.exited));
  const allDoneMs = performance.now() - t0;
  await Promise.all(runs.map((r) => fleet.remove(r)));
  const first = results[0]!;
  const allIdentical = results.every((r) => r.exitCode === first.exitCode && r.stdout === first.stdout && r.stderr === first.stderr);
  return { allRunningMs, allDoneMs, output: { ...first, allIdentical } };
}

/** What startIdle() measured: the idle instances themselves (for the later figures) and their memory and disk. */
export interface IdleFigures {
  idle: Started[];
  memory: ModeFigures["memory"];
  diskPerInstanceBytes: number;
}

/** `count` idle instances (`sleep`): growth of the host's RSS per instance after full GCs, and what each accounts for. */
export async function startIdle(fleet: Fleet, mode: Mode, count: number, tick: (label: string) => void = () => undefined): Promise<IdleFigures> {
  await collect();
  const baseline = process.memoryUsage.rss();
  const idle = await Promise.all(Array.from({ length: count }, (_, i) => fleet.start(mode, ["sleep", "100000"], `${mode}-idle-${i + 1}`).then((s) => {
    tick(`${mode}: idle instances`);
    return s;
  })));
  // Each answers once, so that what a first exec sets up is counted too.
  await Promise.all(idle.map((inst) => fleet.exec(inst, ["true"], 30_000)));
  await collect();
  const withAll = process.memoryUsage.rss();
  const uses = await Promise.all(idle.map((i) => fleet.use(i)));
  return {
    idle,
    memory: {
      perInstanceBytes: Math.max(0, (withAll - baseline) / count), instances: count,
      accountedPerInstanceBytes: uses.reduce((a, u) => a + u.memoryBytes, 0) / count,
      baselineRssBytes: baseline, rssWithAllBytes: withAll,
      method: "growth of the host process's RSS with N idle instances (init and sleep, as `wasmbox run` starts them), after full GCs, divided by N",
    },
    diskPerInstanceBytes: uses[0]!.storageBytes,
  };
}

/** The syscall workload: a shell loop of `loops` echos to /dev/null. */
export function syscallWorkload(loops: number): string {
  return `i=0; while [ $i -lt ${loops} ]; do echo $i; i=$((i+1)); done > /dev/null`;
}

/** The pipe workload: `bytes` through a pipe, counted at its end. */
export function pipeWorkload(bytes: number): string {
  return `yes | head -c ${bytes} | wc -c`;
}

/** The port of the network workloads' httpd, and of their nc listener. */
const HTTP_PORT = 8080;
const NC_PORT = 9000;

/** A shell loop running `command` until it succeeds (5 s at most): a listener may be starting again. */
function retried(command: string): string {
  return `for i in $(seq 1 100); do ${command} && exit 0; sleep 0.05; done; exit 1`;
}

/** The network request workload: `requests` GETs of a small file from `server`'s httpd, one after another. */
export function requestWorkload(server: string, requests: number): string {
  return `i=0; while [ $i -lt ${requests} ]; do wget -q -O /dev/null http://${server}:${HTTP_PORT}/ping || exit 1; i=$((i+1)); done`;
}

/** The network throughput workload: a file of `bytes` through nc to `server`'s nc listener. */
export function transferWorkload(server: string): string {
  return retried(`nc ${server} ${NC_PORT} < /tmp/blob`);
}

/**
 * The network rows of one mode: a server instance (httpd, and nc listening again and again) and a
 * client instance of the same kind on the default bridge; the client times `requests` small GETs
 * and a `bytes` transfer (best of 3 each). Both instances are removed afterwards.
 */
export async function measureNetwork(fleet: Fleet, mode: Mode, o: { requests: number; bytes: number }): Promise<NetworkFigures> {
  const name = `${mode}-net-server`;
  const server = await fleet.start(mode, ["sh", "-c", `mkdir -p /tmp/www && echo pong > /tmp/www/ping && httpd -f -p ${HTTP_PORT} -h /tmp/www & while true; do nc -l -p ${NC_PORT} > /dev/null; done`], name);
  const client = await fleet.start(mode, ["sleep", "100000"], `${mode}-net-client`);
  try {
    const ready = await fleet.exec(client, ["sh", "-c", `${retried(`wget -q -O /dev/null http://${name}:${HTTP_PORT}/ping`)}`], 60_000);
    if (ready?.exitCode !== 0) throw new Error(`${mode}: ${name} did not answer over the network: ${ready?.stderr ?? "no answer"}`);
    await fleet.exec(client, ["sh", "-c", `head -c ${o.bytes} /dev/zero > /tmp/blob`], 60_000);
    const requests = requestWorkload(name, o.requests);
    const fetched = await bestOf3(fleet, client, requests);
    const transfer = transferWorkload(name);
    const sent = await bestOf3(fleet, client, transfer);
    if (fetched?.exitCode !== 0 || sent?.exitCode !== 0) throw new Error(`${mode}: the network workloads failed: ${fetched?.stderr ?? ""}${sent?.stderr ?? ""}`);
    return {
      requestWorkload: requests, requests: o.requests, requestMs: fetched.ms / o.requests,
      transferWorkload: transfer, bytes: o.bytes, transferMs: sent.ms, bytesPerSecond: sent.ms > 0 ? (o.bytes / sent.ms) * 1000 : 0,
    };
  } finally {
    await Promise.all([server, client].map((inst) => fleet.kill(inst).then(() => fleet.remove(inst))));
  }
}

/** Runs a shell script in an instance three times; the fastest run counts (the first warms the kernel's code up). */
export async function bestOf3(fleet: Fleet, inst: Started, script: string): Promise<Timed | undefined> {
  let fastest: Timed | undefined;
  for (let i = 0; i < 3; i++) {
    const r = await fleet.exec(inst, ["sh", "-c", script], 120_000);
    if (r && (!fastest || r.ms < fastest.ms)) fastest = r;
  }
  return fastest;
}

/** Syscalls a script makes (it is deterministic): counted on a tracing kernel, as pid 1 of a container of the runtime there. */
export async function countSyscalls(image: RunnableImage, imageName: string, script: string): Promise<number> {
  let n = 0;
  const kernel = new Kernel({ trace: () => n++, log: () => undefined });
  const { runtime } = new Fleet({ image, imageName, kernel });
  const spec = specFromOptions({ init: false }, { cwd: "/", env: {}, syscallNames: kernel.syscalls.map((s) => s.name) });
  const { spec: { id } } = await runtime.create({ ...spec, image: imageName, command: ["sh", "-c", script] });
  await runtime.start(id);
  await runtime.wait(id);
  return n;
}

/** How many of `instances` answer `echo` within `timeoutMs`, and the slowest answer (ms). */
export async function alive(fleet: Fleet, instances: Started[], timeoutMs = 5000): Promise<{ alive: number; slowestMs: number }> {
  const answers = await Promise.all(instances.map((i) => fleet.exec(i, ["echo", "alive"], timeoutMs)));
  const ok = answers.filter((a) => a?.stdout === "alive\n");
  return { alive: ok.length, slowestMs: Math.max(0, ...ok.map((a) => a!.ms)) };
}

/** A program that traps in one instance: its process ends with SIGABRT; does the instance, do the others, go on? */
export async function isolateTrap(fleet: Fleet, victim: Started, others: Started[]): Promise<IsolationResult> {
  await fleet.putFile(victim, TRAP_PATH, TRAP_WASM);
  const trapped = await fleet.exec(victim, [TRAP_PATH], 10_000);
  const victimLives = (await alive(fleet, [victim])).alive === 1;
  const rest = await alive(fleet, others);
  return {
    fault: "trap", measured: true, victim: victim.name,
    victimOutcome: trapped ? `trapped process exit ${trapped.exitCode}; the instance itself ${victimLives ? "kept running" : "died"}` : "no answer",
    othersAlive: rest.alive, othersTotal: others.length, hostAlive: true, othersSlowestAnswerMs: rest.slowestMs,
    note: "a guest program executes `unreachable`: its process ends with SIGABRT (134), everything else goes on",
  };
}

/**
 * A CPU hog (`loops` iterations, no syscalls) in one instance: how long do the others take to answer
 * meanwhile? The pings are sent in the same tick as the hog, and again 100 ms in.
 */
export async function isolateHog(fleet: Fleet, mode: Mode, victim: Started, others: Started[], loops: number): Promise<IsolationResult> {
  await fleet.putFile(victim, COUNTDOWN_PATH, countdownWasm(loops));
  const hog = fleet.exec(victim, [COUNTDOWN_PATH], 120_000);
  const ping = async (i: Started) => (await fleet.exec(i, ["echo", "alive"], 60_000)) ?? { stdout: "", ms: 60_000 };
  const first = others.map(ping);
  const later = await new Promise<typeof first>((resolve) => setTimeout(() => resolve(others.map(ping)), 100));
  const answers = await Promise.all([...first, ...later]);
  const hogRun = await hog;
  const answered = (k: number) => answers[k]!.stdout === "alive\n" && answers[k + others.length]!.stdout === "alive\n";
  return {
    fault: "cpu-hog", measured: true, victim: victim.name,
    victimOutcome: hogRun ? `counted down ${loops} loops in ${hogRun.ms.toFixed(0)} ms, exit ${hogRun.exitCode}` : "no answer",
    othersAlive: others.filter((_, k) => answered(k)).length, othersTotal: others.length, hostAlive: true,
    hogMs: hogRun?.ms, othersSlowestAnswerMs: Math.max(0, ...answers.map((a) => a.ms)),
    note: mode === "vm"
      ? "a guest program computes without syscalls: it holds its own guest's thread only"
      : "a guest program computes without syscalls in one container while the others are asked to echo",
  };
}

/**
 * A guest program that spins without syscalls (up to `loops` iterations, so that a kernel that cannot
 * interrupt it still gets its thread back) in one instance, and the others asked to echo in the same
 * tick (the spinner was spawned first, so it runs first). Those that answer while it still spins count
 * as alive; then it is killed with its instance (`wasmbox kill`). No timer is used to wait: a thread held by the spinner would delay it.
 */
export async function isolateSpin(fleet: Fleet, victim: Started, others: Started[], loops: number): Promise<IsolationResult> {
  await fleet.putFile(victim, COUNTDOWN_PATH, countdownWasm(loops));
  const t0 = performance.now();
  let endedAt: number | undefined;
  const spinner = fleet.exec(victim, [COUNTDOWN_PATH], 600_000).then((r) => {
    endedAt = performance.now();
    return r;
  });
  const answers = await Promise.all(others.map(async (i) => {
    const r = await fleet.exec(i, ["echo", "alive"], 600_000);
    return { ok: r?.stdout === "alive\n" && endedAt === undefined, ms: r?.ms ?? 600_000 };
  }));
  const stillSpinning = endedAt === undefined;
  const k0 = performance.now();
  if (stillSpinning) await fleet.kill(victim);
  await spinner;
  const killMs = performance.now() - k0;
  const spunMs = (endedAt ?? performance.now()) - t0;
  const othersAlive = answers.filter((a) => a.ok).length;
  return {
    fault: "spin", measured: true, victim: victim.name,
    victimOutcome: stillSpinning ? `killed while spinning after ${spunMs.toFixed(0)} ms (kill of its instance took ${killMs.toFixed(1)} ms)`
      : `ran its ${loops} loops to the end (${spunMs.toFixed(0)} ms) before the others answered`,
    othersAlive, othersTotal: others.length, hostAlive: true, hogMs: spunMs,
    othersSlowestAnswerMs: Math.max(0, ...answers.map((a) => a.ms)),
    note: othersAlive === others.length
      ? "a guest spinning without syscalls does not hold up the others: they answer while it spins, and kill ends it"
      : "a guest spinning without syscalls holds the kernel's thread: the others answer only once it stops",
  };
}

/** A fault in a VM's guest kernel (panic, heap exhaustion, spinning): does it end alone, do the other VMs go on? */
export async function isolateGuestKernel(fleet: Fleet, victim: Started, rest: Started[], fault: "guest-kernel-crash" | "heap-exhaustion" | "spin"): Promise<IsolationResult> {
  const kind = fault === "guest-kernel-crash" ? "crash" : fault === "heap-exhaustion" ? "heap" : "spin";
  fleet.fault(victim, kind);
  const t = performance.now();
  const ended = await within(victim.exited, kind === "spin" ? 500 : 60_000);
  const others = await alive(fleet, rest);
  let outcome = ended ? `${ended.reason} (exit ${ended.exitCode}) after ${Math.round(performance.now() - t)} ms` : "still spinning";
  if (!ended) {
    const k0 = performance.now();
    await fleet.kill(victim);
    outcome += `; kill() ended it in ${(performance.now() - k0).toFixed(1)} ms`;
  }
  const notes = {
    "guest-kernel-crash": "the guest kernel throws an uncaught exception (a kernel panic)",
    "heap-exhaustion": "the guest kernel allocates until its isolate's heap limit (--vm-memory) is hit",
    spin: "the guest kernel's thread spins forever; stop() cannot reach it, kill() terminates the isolate",
  };
  return { fault, measured: true, victim: victim.name, victimOutcome: outcome, othersAlive: others.alive, othersTotal: rest.length, hostAlive: true, othersSlowestAnswerMs: others.slowestMs, note: notes[fault] };
}

/** The faults of a shared kernel that are not injected (they would end the benchmark): what follows from the design. */
export function sharedKernelFaults(othersTotal: number): IsolationResult[] {
  return [
    {
      fault: "guest-kernel-crash", measured: false, othersAlive: 0, othersTotal, hostAlive: false,
      note: "containers share one kernel: a kernel panic or heap exhaustion there ends every container (not injected: it would end the benchmark)",
    },
    {
      fault: "heap-exhaustion", measured: false, othersAlive: 0, othersTotal, hostAlive: false,
      note: "a container's linear memory is capped by its limits, but the kernel's own heap is shared: exhausting it ends every container (not injected)",
    },
  ];
}

/** Every isolation row of one mode, on the idle instances (some of which end). */
export async function measureIsolation(fleet: Fleet, mode: Mode, idle: Started[], loops: { hog: number; spin: number }, tick: (label: string) => void = () => undefined): Promise<IsolationResult[]> {
  const isolation: IsolationResult[] = [];
  const victim = idle[0]!;
  const others = idle.slice(1);
  isolation.push(await isolateTrap(fleet, victim, others));
  tick(`${mode}: isolation (trap)`);
  isolation.push(await isolateHog(fleet, mode, victim, others, loops.hog));
  tick(`${mode}: isolation (cpu-hog)`);
  if (mode === "container") {
    isolation.push(...sharedKernelFaults(others.length));
    isolation.push(await isolateSpin(fleet, victim, others, loops.spin));
    tick(`${mode}: isolation (spin)`);
    return isolation;
  }
  // Each guest-kernel fault takes the next VM; those hit are left out of the later rows' others.
  const faults = ["guest-kernel-crash", "heap-exhaustion", "spin"] as const;
  for (let k = 0; k < faults.length && k + 1 < idle.length; k++) {
    isolation.push(await isolateGuestKernel(fleet, idle[k + 1]!, [victim, ...idle.slice(k + 2)], faults[k]!));
    tick(`${mode}: isolation (${faults[k]})`);
  }
  return isolation;
}

/** What measureMode() needs besides the fleet. */
interface ModeOptions {
  count: number;
  cmd: string[];
  syscallLoops: number;
  pipeBytes: number;
  netRequests: number;
  netBytes: number;
  hogLoops: number;
  spinLoops: number;
  budgetBytes: number;
  sharedBytes: number;
  syscallCount: number;
}

/** Measures one mode: starts, N together, N idle (memory, disk), workloads, isolation. */
export async function measureMode(fleet: Fleet, mode: Mode, o: ModeOptions, tick: (label: string) => void = () => undefined): Promise<ModeFigures> {
  const starts = await measureStarts(fleet, mode, o.cmd, o.count, tick);
  const together = await measureTogether(fleet, mode, o.cmd, o.count);
  tick(`${mode}: ${o.count} together`);
  const { idle, memory, diskPerInstanceBytes } = await startIdle(fleet, mode, o.count, tick);
  const syscalls = syscallWorkload(o.syscallLoops);
  const sys = await bestOf3(fleet, idle[0]!, syscalls);
  tick(`${mode}: syscall workload`);
  const pipeScript = pipeWorkload(o.pipeBytes);
  const pipe = await bestOf3(fleet, idle[0]!, pipeScript);
  tick(`${mode}: pipe workload`);
  const network = await measureNetwork(fleet, mode, { requests: o.netRequests, bytes: o.netBytes });
  tick(`${mode}: network workloads`);
  // With one instance there are no others to watch: the isolation rows need two.
  const isolation = o.count > 1 ? await measureIsolation(fleet, mode, idle, { hog: o.hogLoops, spin: o.spinLoops }, tick) : [];
  await Promise.all(idle.map((inst) => fleet.kill(inst).then(() => fleet.remove(inst))));
  const sysMs = sys?.ms ?? 0;
  const pipeMs = pipe?.ms ?? 0;
  const pipeBytes = Number(pipe?.stdout.trim() ?? 0);
  return {
    mode, count: o.count, start: latency(starts), ...together, memory,
    syscalls: { workload: syscalls, count: o.syscallCount, ms: sysMs, perSecond: sysMs > 0 ? (o.syscallCount / sysMs) * 1000 : 0 },
    pipe: { workload: pipeScript, bytes: pipeBytes, ms: pipeMs, bytesPerSecond: pipeMs > 0 ? (pipeBytes / pipeMs) * 1000 : 0 },
    network,
    disk: { perInstanceBytes: diskPerInstanceBytes, sharedBytes: mode === "container" ? o.sharedBytes : 0 },
    budget: { budgetBytes: o.budgetBytes, instances: memory.perInstanceBytes > 0 ? Math.floor(o.budgetBytes / memory.perInstanceBytes) : 0 },
    isolation,
  };
}

/** Steps the progress bar counts for `count` instances of each kind. */
export function progressSteps(count: number): number {
  // per mode: N starts + 1 together + N idle + 3 workloads; isolation: 3 for containers, up to 5 for VMs
  return 2 * (2 * count + 4) + (count > 1 ? 3 + 2 + Math.min(3, count - 1) : 0);
}

/** Runs the whole comparison: containers first, then VMs, in this process, on one in-memory runtime. */
export async function compare(options: CompareOptions): Promise<CompareReport> {
  const count = Math.max(1, Math.floor(options.count));
  const vmMemoryMb = options.vmMemoryMb ?? 128;
  const vmCpus = options.vmCpus ?? 1;
  const total = progressSteps(count);
  let done = 0;
  const tick = (label: string) => options.progress?.(++done, total, label);
  const syscallLoops = options.syscallLoops ?? 2000;
  const imageBytes = layerBytes(options.image.layers);
  const common = {
    count, cmd: options.cmd, syscallLoops, pipeBytes: options.pipeBytes ?? 20_000_000,
    netRequests: options.netRequests ?? 50, netBytes: options.netBytes ?? 8_000_000,
    hogLoops: options.hogLoops ?? 1e9, spinLoops: options.spinLoops ?? 2e9,
    budgetBytes: options.budgetBytes ?? Math.floor(totalmem() / 2),
    syscallCount: await countSyscalls(options.image, options.imageName, syscallWorkload(syscallLoops)),
  };
  const fleet = new Fleet({ image: options.image, imageName: options.imageName, engine: options.engine, vmMemoryMb, vmCpus });
  let container: ModeFigures;
  let vm: ModeFigures;
  try {
    // Containers share the image's layers: each layer's tree is built once by the runtime, whatever the count.
    container = await measureMode(fleet, "container", { ...common, sharedBytes: imageBytes }, tick);
    vm = await measureMode(fleet, "vm", { ...common, sharedBytes: 0 }, tick);
  } finally {
    await fleet.shutdown();
  }
  options.progress?.(total, total, "done");
  return report(options, { container, vm }, { count, vmMemoryMb, vmCpus, imageBytes });
}

/** The report from both modes' figures: ratios and goals. */
export function report(options: Pick<CompareOptions, "imageName" | "cmd">, modes: { container: ModeFigures; vm: ModeFigures }, o: { count: number; vmMemoryMb: number; vmCpus: number; imageBytes: number }): CompareReport {
  const { container, vm } = modes;
  const same = container.output.exitCode === vm.output.exitCode && container.output.stdout === vm.output.stdout && container.output.stderr === vm.output.stderr;
  const startRatio = container.start.p50Ms > 0 ? vm.start.p50Ms / container.start.p50Ms : 0;
  const memRatio = container.memory.perInstanceBytes > 0 ? vm.memory.perInstanceBytes / container.memory.perInstanceBytes : 0;
  return {
    date: new Date().toISOString(),
    host: { node: process.version, platform: process.platform, arch: process.arch, cpus: hostCpus().length, memoryBytes: totalmem() },
    image: options.imageName, imageBytes: o.imageBytes, cmd: options.cmd, count: o.count, vmMemoryMb: o.vmMemoryMb, vmCpus: o.vmCpus,
    modes,
    ratios: { startP50: startRatio, memoryPerInstance: memRatio },
    goals: {
      containerStart100xFaster: startRatio >= 100,
      containerMemoryAtMost1of20: memRatio >= 20 || (container.memory.perInstanceBytes === 0 && vm.memory.perInstanceBytes > 0),
      sameOutputInBothModes: same,
    },
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
