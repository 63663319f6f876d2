// Kernel benchmarks (issues 2 and 3): syscall rates, hello start-to-exit, spawn per engine, pipe
// throughput, worker round trips, a compute loop and many blocked processes, against node:wasi.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { WASI } from "node:wasi";
import { Kernel, hasJspi, type LoadedProgram } from "../kernel/index.js";
import { Pipe } from "../kernel/proc/pipe.js";
import { RIGHTS_STREAM } from "../kernel/wasi.js";
import { guestBytes, type GuestName } from "./guests.js";

/** One printed figure: a name, our value, the baseline's, and the ratio (higher is better). */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  baselineName?: string;
  ratio?: number;
  target?: string;
}

async function nodeWasi(bytes: Uint8Array, module: WebAssembly.Module, args: string[], preopens: Record<string, string>): Promise<void> {
  const wasi = new WASI({ version: "preview1", args: ["guest", ...args], preopens, returnOnExit: true, stdout: 2 });
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports);
  wasi.start(instance);
  void bytes;
}

function quietNodeWasi(module: WebAssembly.Module, args: string[], preopens: Record<string, string>, devNull: number): void {
  const wasi = new WASI({ version: "preview1", args: ["guest", ...args], preopens, returnOnExit: true, stdout: devNull });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
  wasi.start(instance);
}

const perSecond = (count: number, ms: number) => (count / ms) * 1000;

/** Runs every kernel benchmark and returns the figures. */
export async function benchKernel(log: (line: string) => void = () => undefined): Promise<Figure[]> {
  const figures: Figure[] = [];
  const bytes = (name: GuestName) => guestBytes(name);
  const kernel = new Kernel({ log: () => undefined });
  const program = (name: GuestName, k = kernel): LoadedProgram => k.programs.compile(bytes(name), name, k.engineKind === "worker");
  const fsRoot = mkdtempSync(path.join(existsShm() ? "/dev/shm" : tmpdir(), "wasmbox-bench-"));
  const { openSync } = await import("node:fs");
  const devNull = openSync("/dev/null", "w");

  // fd_write of 1 byte to /dev/null.
  {
    const n = 2_000_000;
    const t0 = performance.now();
    await kernel.run(program("writeNull"), { args: [String(n)] });
    const ours = perSecond(n, performance.now() - t0);
    const module = new WebAssembly.Module(bytes("writeNull") as Uint8Array<ArrayBuffer>);
    const t1 = performance.now();
    quietNodeWasi(module, [String(n)], { "/": "/" }, devNull);
    const theirs = perSecond(n, performance.now() - t1);
    figures.push({ name: "fd_write 1 byte to /dev/null", value: ours, unit: "calls/s", baseline: theirs, baselineName: "node:wasi", ratio: ours / theirs, target: ">= 4x" });
    log("fd_write done");
  }

  // 4 KiB fd_read of an in-memory file (64 MiB).
  {
    const size = 64 * 1024 * 1024;
    const data = Buffer.alloc(size, 7);
    kernel.fs.mkdir("/bench", { recursive: true });
    kernel.fs.writeFile("/bench/data", data);
    mkdirSync(path.join(fsRoot, "bench"), { recursive: true });
    writeFileSync(path.join(fsRoot, "bench", "data"), data);
    const calls = size / 4096 + 1;
    const t0 = performance.now();
    await kernel.run(program("read4k"));
    const ours = perSecond(calls, performance.now() - t0);
    const module = new WebAssembly.Module(bytes("read4k") as Uint8Array<ArrayBuffer>);
    const check = new WASI({ version: "preview1", args: ["guest"], preopens: { "/": fsRoot }, returnOnExit: true });
    const exit = check.start(new WebAssembly.Instance(module, check.getImportObject() as WebAssembly.Imports));
    if (exit !== 0) throw new Error(`the node:wasi baseline of fd_read could not open its file (exit ${exit})`);
    const t1 = performance.now();
    quietNodeWasi(module, [], { "/": fsRoot }, devNull);
    const theirs = perSecond(calls, performance.now() - t1);
    figures.push({ name: "fd_read 4 KiB of an in-memory file", value: ours, unit: "calls/s", baseline: theirs, baselineName: "node:wasi (tmpfs file)", ratio: ours / theirs, target: ">= 2x" });
    kernel.fs.remove("/bench/data");
    log("fd_read done");
  }

  // Hello world start to exit, from a compiled module.
  {
    const hello = program("hello");
    const runs = 2000;
    for (let i = 0; i < 50; i++) await kernel.run(hello);
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) await kernel.run(hello);
    const ours = (performance.now() - t0) / runs;
    const module = new WebAssembly.Module(bytes("hello") as Uint8Array<ArrayBuffer>);
    for (let i = 0; i < 50; i++) quietNodeWasi(module, [], {}, devNull);
    const t1 = performance.now();
    for (let i = 0; i < runs; i++) quietNodeWasi(module, [], {}, devNull);
    const theirs = (performance.now() - t1) / runs;
    figures.push({ name: `hello start to exit (${kernel.engineKind})`, value: ours * 1000, unit: "us", baseline: theirs * 1000, baselineName: "node:wasi", ratio: theirs / ours, target: ">= 8x" });
    log("hello done");
  }

  // Spawn to exit: inline against worker.
  if (hasJspi()) {
    const worker = new Kernel({ engine: "worker", log: () => undefined });
    const wHello = program("hello", worker);
    const iHello = program("hello");
    const wRuns = 40;
    await worker.run(wHello);
    const t0 = performance.now();
    for (let i = 0; i < wRuns; i++) await worker.run(wHello);
    const workerMs = (performance.now() - t0) / wRuns;
    const t1 = performance.now();
    for (let i = 0; i < 2000; i++) await kernel.run(iHello);
    const inlineMs = (performance.now() - t1) / 2000;
    figures.push({ name: "spawn to exit, inline vs worker", value: inlineMs * 1000, unit: "us", baseline: workerMs * 1000, baselineName: "worker engine", ratio: workerMs / inlineMs, target: ">= 100x" });
    log("spawn done");
  }

  // Pipe throughput between two processes, 64 KiB writes.
  for (const engine of hasJspi() ? (["inline", "worker"] as const) : (["worker"] as const)) {
    const k = new Kernel({ engine, log: () => undefined });
    const chunks = engine === "inline" ? 16384 : 4096;
    const ms = await pipeRun(k, program("pipeWriter", k), program("pipeReader", k), chunks);
    const gbps = (chunks * 65536) / (ms / 1000) / 1e9;
    figures.push({ name: `pipe throughput, 64 KiB writes (${engine})`, value: gbps, unit: "GB/s", target: engine === "inline" ? ">= 2 GB/s" : ">= 1 GB/s" });
    log(`pipe ${engine} done`);
  }

  // Worker engine round trip.
  {
    const k = new Kernel({ engine: "worker", log: () => undefined });
    const n = 200_000;
    const t0 = performance.now();
    await k.run(program("writeNull", k), { args: [String(n)] });
    figures.push({ name: "worker engine syscall round trips", value: perSecond(n, performance.now() - t0), unit: "calls/s", target: ">= 100k/s" });
    log("worker round trip done");
  }

  // Compute loop against node:wasi.
  {
    const n = "400";
    const t0 = performance.now();
    await kernel.run(program("compute"), { args: [n] });
    const ours = performance.now() - t0;
    const module = new WebAssembly.Module(bytes("compute") as Uint8Array<ArrayBuffer>);
    const t1 = performance.now();
    quietNodeWasi(module, [n], {}, devNull);
    const theirs = performance.now() - t1;
    figures.push({ name: "compute loop (400M iterations)", value: ours, unit: "ms", baseline: theirs, baselineName: "node:wasi", ratio: theirs / ours, target: ">= 1.4x" });
    log("compute done");
  }

  // 1,000 blocked processes: kernel-side memory each.
  {
    const k = new Kernel({ log: () => undefined });
    const prog = program("blockedReader", k);
    const count = 1000;
    globalThis.gc?.();
    const before = process.memoryUsage();
    const procs: Array<import("../kernel/index.js").Process> = [];
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      const input = new (await import("../kernel/stdio.js")).InputStream();
      runs.push(k.run(prog, { stdin: input, onStart: (p) => procs.push(p) }));
    }
    await new Promise((r) => setTimeout(r, 500));
    globalThis.gc?.();
    const after = process.memoryUsage();
    const linear = procs.reduce((n, p) => n + p.memoryBytes, 0);
    const heapPer = (after.heapUsed + after.external - before.heapUsed - before.external - linear) / count;
    figures.push({ name: `kernel-side memory per blocked process (${k.engineKind}, ${count} live)`, value: heapPer / 1024, unit: "KiB", target: "<= 64 KiB" });
    for (const p of procs) p.kill(9);
    await Promise.all(runs);
    log("blocked done");
  }
  return figures;
}

async function pipeRun(k: Kernel, writer: LoadedProgram, reader: LoadedProgram, chunks: number): Promise<number> {
  const [r, w] = new Pipe(k.allocIno()).open();
  const entry = (file: import("../kernel/vfs/open-file.js").OpenFile) => ({ file, rightsBase: RIGHTS_STREAM, rightsInheriting: 0 });
  const t0 = performance.now();
  const wp = k.spawn({ container: k.host, parent: null, program: writer, argv: ["w", String(chunks)], env: [], cwd: "/", fds: [[1, entry(w)]] });
  const rp = k.spawn({ container: k.host, parent: null, program: reader, argv: ["r"], env: [], cwd: "/", fds: [[0, entry(r)]] });
  await Promise.all([wp.exited, rp.exited]);
  return performance.now() - t0;
}

function existsShm(): boolean {
  try {
    return require_fs().statSync("/dev/shm").isDirectory();
  } catch {
    return false;
  }
}

function require_fs(): typeof import("node:fs") {
  return process.getBuiltinModule("node:fs");
}

void nodeWasi;
