// bench/: container figures (issue 6): container start (create + start + hello exit) from a cached
// image on a running kernel against node:wasi running the same module from a compiled module
// (target >= 10x); memory of 1,000 idle containers (target <= 300 MiB); 10,000 containers started
// and stopped in sequence, memory before and after. Importable; prints nothing itself.
import { openSync, closeSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { WASI } from "node:wasi";
import { Kernel, InputStream, type LayerEntry } from "../kernel/index.js";
import { ContainerRuntime, type RunnableImage } from "../containers/runtime.js";
import { specFromOptions } from "../containers/options.js";
import { guestBytes } from "./guests.js";

const MiB = 1024 * 1024;

/** The figures benchContainers() measures; times in microseconds, memory in MiB. */
export interface ContainerBenchFigures {
  engine: string;
  startUs: number;
  nodeWasiUs: number;
  startSpeedup: number;
  startTargetMet: boolean;
  idleContainers: number;
  idleTotalMiB: number;
  /** Resident set growth over the same 1,000 (includes the guests' linear memories as the OS sees them). */
  idleRssMiB: number;
  /** Linear memory the idle guests declare (virtual; the OS commits only touched pages). */
  idleGuestMemoryMiB: number;
  idlePerContainerKiB: number;
  idleTargetMet: boolean;
  cycles: number;
  cycleMemoryBeforeMiB: number;
  cycleMemoryAfterMiB: number;
  cycleGrowthMiB: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A full collection (node's gc, exposed at run time when the process was not started with it), for memory figures. */
function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc ?? exposeGc();
  gc();
  gc();
}

function exposeGc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** Memory the process holds for JS and Wasm: heap used plus external (Wasm memories, buffers). */
function usedBytes(): number {
  collect();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** One-module images: /bin/hello, /bin/idle (blocks reading stdin). */
function images(): Record<string, RunnableImage> {
  const layer = (name: string, bytes: Uint8Array): LayerEntry[][] => [[
    { path: "bin", type: "dir", mode: 0o755 },
    { path: `bin/${name}`, type: "file", mode: 0o755, data: bytes },
    { path: "dev", type: "dir", mode: 0o755 },
    { path: "proc", type: "dir", mode: 0o555 },
  ]];
  return {
    hello: { id: "sha256:hello", config: { Entrypoint: ["/bin/hello"] }, layers: layer("hello", guestBytes("hello")) },
    idle: { id: "sha256:idle", config: { Entrypoint: ["/bin/idle"] }, layers: layer("idle", guestBytes("blockedReader")) },
  };
}

/** Measures the container figures on one kernel. */
export async function benchContainers(options: { starts?: number; idle?: number; cycles?: number; engine?: "auto" | "inline" | "worker" } = {}): Promise<ContainerBenchFigures> {
  const starts = options.starts ?? 2000;
  const idleCount = options.idle ?? 1000;
  const cycles = options.cycles ?? 10_000;
  const kernel = new Kernel({ engine: options.engine ?? "auto", log: () => undefined });
  const known = images();
  const runtime = new ContainerRuntime({
    kernel,
    images: async (ref) => {
      const image = known[ref];
      if (!image) throw new Error(`bench: no image ${ref}`);
      return image;
    },
  });
  const flags = specFromOptions({ init: false }, { cwd: "/", env: {}, syscallNames: kernel.syscalls.map((s) => s.name) });
  const quiet = { onStdout: () => undefined };
  const startOne = async (image: string, stdin?: InputStream) => {
    const record = await runtime.create({ ...flags, image, command: [] });
    await runtime.start(record.spec.id, { ...quiet, stdin: stdin ?? null });
    return record.spec.id;
  };
  /** One container's create + start + hello exit (ms); it is removed after, outside the time, so nothing piles up. */
  const helloCycle = async () => {
    const t0 = performance.now();
    const id = await startOne("hello");
    await runtime.wait(id);
    const ms = performance.now() - t0;
    await runtime.remove(id);
    return ms;
  };

  // node:wasi, the same module compiled once, output to /dev/null.
  const module = new WebAssembly.Module(guestBytes("hello") as Uint8Array<ArrayBuffer>);
  const devNull = openSync("/dev/null", "w");
  const nodeWasi = () => {
    const wasi = new WASI({ version: "preview1", args: ["hello"], returnOnExit: true, stdout: devNull });
    wasi.start(new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports));
  };

  // Container start against node:wasi: warm both up (the JIT and the pools), then rounds that
  // measure one right after the other, so that each round's ratio compares the two under the same
  // load of a shared machine; the median round counts.
  for (let i = 0; i < 4000; i++) await helloCycle();
  for (let i = 0; i < 1000; i++) nodeWasi();
  const ours: number[] = [];
  const theirs: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < 7; round++) {
    // Each side starts on a collected heap, so that neither pays for the other's garbage.
    collect();
    let ms = 0;
    for (let i = 0; i < starts; i++) ms += await helloCycle();
    collect();
    const t0 = performance.now();
    for (let i = 0; i < starts / 2; i++) nodeWasi();
    ours.push((ms / starts) * 1000);
    theirs.push(((performance.now() - t0) / (starts / 2)) * 1000);
    ratios.push(theirs[round]! / ours[round]!);
  }
  closeSync(devNull);
  const startUs = median(ours);
  const nodeWasiUs = median(theirs);
  const startSpeedup = median(ratios);

  // 1,000 idle containers: each one's pid 1 blocked reading a stdin that never ends.
  const before = usedBytes();
  const rssBefore = process.memoryUsage().rss;
  const idle: string[] = [];
  const stdins: InputStream[] = [];
  for (let i = 0; i < idleCount; i++) {
    const stdin = new InputStream();
    stdins.push(stdin);
    idle.push(await startOne("idle", stdin));
  }
  const idleBytes = usedBytes() - before;
  const idleRss = process.memoryUsage().rss - rssBefore;
  let guestMemory = 0;
  for (const id of idle) guestMemory += (await runtime.stats(id)).memoryBytes;
  for (const id of idle) runtime.kill(id, "SIGKILL");
  for (const id of idle) {
    await runtime.wait(id);
    await runtime.remove(id);
  }
  stdins.length = 0;

  // 10,000 containers started and stopped in sequence.
  const cycleBefore = usedBytes();
  for (let i = 0; i < cycles; i++) await helloCycle();
  const cycleAfter = usedBytes();

  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    engine: kernel.engineKind,
    startUs: round(startUs),
    nodeWasiUs: round(nodeWasiUs),
    startSpeedup: round(startSpeedup),
    startTargetMet: startSpeedup >= 10,
    idleContainers: idleCount,
    idleTotalMiB: round(idleBytes / MiB),
    idleRssMiB: round(idleRss / MiB),
    idleGuestMemoryMiB: round(guestMemory / MiB),
    idlePerContainerKiB: round(idleBytes / idleCount / 1024),
    idleTargetMet: Math.max(idleBytes, idleRss) + guestMemory <= 300 * MiB,
    cycles,
    cycleMemoryBeforeMiB: round(cycleBefore / MiB),
    cycleMemoryAfterMiB: round(cycleAfter / MiB),
    cycleGrowthMiB: round((cycleAfter - cycleBefore) / MiB),
  };
}

/** The figures as printable lines. */
export function formatContainerFigures(f: ContainerBenchFigures): string[] {
  return [
    `container start (create+start+hello exit, ${f.engine}): ${f.startUs} us; node:wasi from a compiled module: ${f.nodeWasiUs} us; ratio ${f.startSpeedup}x, median of 7 paired rounds (target >= 10x: ${f.startTargetMet ? "met" : "NOT met"})`,
    `${f.idleContainers} idle containers: ${f.idleTotalMiB} MiB total (heap + external), ${f.idlePerContainerKiB} KiB each, RSS +${f.idleRssMiB} MiB, guest linear memory ${f.idleGuestMemoryMiB} MiB (target <= 300 MiB: ${f.idleTargetMet ? "met" : "NOT met"})`,
    `${f.cycles} containers started and stopped: memory ${f.cycleMemoryBeforeMiB} MiB before, ${f.cycleMemoryAfterMiB} MiB after (growth ${f.cycleGrowthMiB} MiB)`,
  ];
}
