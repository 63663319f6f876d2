// Programs benchmarks ("real programs run as under wasmtime and start as fast as node:wasi"): the CLI
// as a whole process and in-process runs of AssemblyScript guests, each against node:wasi, same run.
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { Figure } from "./kernel.js";
import { LARGE_FUNCTIONS, programGuests, type ProgramGuest } from "./program-guests.js";
import type { ChildRequest, ChildResult } from "./programs-child.js";

/** The node:wasi baseline as a user would write it: read the file, compile, instantiate, start. */
const NODE_WASI_SCRIPT = `// node:wasi baseline written by wasmbox's programs benchmark: node run.mjs MODULE.wasm ARGS...
import { readFileSync } from "node:fs";
import { WASI } from "node:wasi";
const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: "preview1", args: [file, ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
`;

/** How many rounds and iterations; WASMBOX_BENCH_QUICK=1 shrinks them for trying changes out. */
interface Sizes {
  startRounds: number;
  cpuRounds: number;
  computeRounds: number;
  blockRounds: number;
  blockPasses: number;
  byteWrites: number;
  byteRounds: number;
}

/**
 * Round sizes. A host-mount round makes 1,024 x blockPasses calls: 200 passes take about 0.2-1.3 s
 * a side, where CPU time here moves in 4 ms ticks (30 passes were 6-8 ticks: one tick moved a
 * round's ratio by 12-15%).
 */
function sizes(quick: boolean): Sizes {
  return quick
    ? { startRounds: 2, cpuRounds: 3, computeRounds: 3, blockRounds: 2, blockPasses: 10, byteWrites: 100_000, byteRounds: 1 }
    : { startRounds: 5, cpuRounds: 101, computeRounds: 15, blockRounds: 21, blockPasses: 200, byteWrites: 1_000_000, byteRounds: 3 };
}

/** Both sides' commands, and where they run. */
interface Sides {
  guests: Record<ProgramGuest, string>;
  work: string;
  /** argv (after the node binary) of the CLI running `wasm ARGS`. */
  cli: (wasm: string, args: string[]) => string[];
  /** argv (after the node binary) of the node:wasi script running `wasm ARGS`. */
  nodeWasi: (wasm: string, args: string[]) => string[];
}

/** Runs every programs benchmark and returns the figures. */
export async function benchPrograms(log: (line: string) => void = () => undefined): Promise<Figure[]> {
  const guests = programGuests(log);
  const work = mkdtempSync(path.join(tmpdir(), "wasmbox-programs-"));
  try {
    const baseline = path.join(work, "node-wasi-run.mjs");
    writeFileSync(baseline, NODE_WASI_SCRIPT);
    // The compiled CLI, as the installed bin (package.json's, wasmbox.cjs) runs it, under the same node binary as the baseline.
    const fromSource = import.meta.url.endsWith(".ts");
    const bin = fileURLToPath(new URL(fromSource ? "../cli/bin.ts" : "../cli/wasmbox.cjs", import.meta.url));
    const sides: Sides = {
      guests, work,
      cli: (wasm, args) => [...(fromSource ? ["--import", "tsx"] : []), bin, "run", wasm, ...args],
      nodeWasi: (wasm, args) => [baseline, wasm, ...args],
    };
    const n = sizes(process.env.WASMBOX_BENCH_QUICK === "1");
    const figures: Figure[] = [];
    figures.push(largeModuleStart(sides, n));
    log("large module start");
    figures.push(helloCpu(sides, n));
    log("hello CPU");
    figures.push(...compute(sides, n));
    log("compute");
    figures.push(...hostBlocks(sides, n));
    log("host-mount blocks");
    figures.push(byteWrites(sides, n));
    log("one-byte writes");
    return figures;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** A fresh WASMBOX_HOME under the work dir: no compile cache or other state from an earlier run. */
function freshHome(sides: Sides): string {
  return mkdtempSync(path.join(sides.work, "home-"));
}

/** Spawns node with `argv` (stdout to `stdoutFd` or /dev/null); returns the wall time in ms. Throws on a non-zero exit. */
function timedRun(argv: string[], home: string, stdoutFd: number | "ignore" = "ignore"): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, argv, { stdio: ["ignore", stdoutFd, "pipe"], env: { ...process.env, WASMBOX_HOME: home }, maxBuffer: 1 << 24 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`node ${argv.join(" ")}: exit ${r.status ?? r.signal}: ${r.stderr.toString().slice(0, 2000)}`);
  return ms;
}

/** Runs `a` and `b` once per round, alternating which goes first; returns each one's results. */
function paired<T>(rounds: number, a: () => T, b: () => T): [T[], T[]] {
  const as: T[] = [];
  const bs: T[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      as.push(a());
      bs.push(b());
    } else {
      bs.push(b());
      as.push(a());
    }
  }
  return [as, bs];
}

/** 1. Start to exit of a 20 MB module, first run (fresh WASMBOX_HOME each time), wall time. */
function largeModuleStart(sides: Sides, n: Sizes): Figure {
  const wasm = sides.guests.large;
  const mb = statSync(wasm).size / 1e6;
  const [ours, theirs] = paired(n.startRounds, () => timedRun(sides.cli(wasm, []), freshHome(sides)), () => timedRun(sides.nodeWasi(wasm, []), freshHome(sides)));
  const o = median(ours);
  const t = median(theirs);
  return {
    name: `wasmbox run of a ${mb.toFixed(1)} MB module (${LARGE_FUNCTIONS.toLocaleString("en-US")} functions), first run, whole process, median of ${n.startRounds}`,
    value: o, unit: "ms", baseline: t, baselineName: "node:wasi script", ratio: t / o, target: ">= 0.83x (at most 1.2x the time)",
  };
}

/**
 * The user and system CPU time of one command and everything it waited for: bash's `times` after
 * the command prints its children's rusage (getrusage(RUSAGE_CHILDREN), millisecond digits), and
 * the only child is the node process (its own children included once reaped).
 */
function cpuRun(argv: string[], home: string, err: string): { cpuMs: number; wallMs: number } {
  const script = '"$@" > /dev/null 2> "$WASMBOX_BENCH_ERR"; s=$?; times; exit $s';
  const t = performance.now();
  const r = spawnSync("bash", ["-c", script, "bash", process.execPath, ...argv], { env: { ...process.env, WASMBOX_HOME: home, WASMBOX_BENCH_ERR: err }, encoding: "utf8" });
  const wallMs = performance.now() - t;
  if (r.status !== 0) throw new Error(`node ${argv.join(" ")}: exit ${r.status ?? r.signal}: ${readFileSync(err, "utf8").slice(0, 2000)}`);
  // `times` prints the shell's own user and system time, then its children's: "0m0.041s 0m0.012s".
  const children = r.stdout.trim().split("\n")[1] ?? "";
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (seconds.length !== 2) throw new Error(`cannot read bash's times output: ${r.stdout}`);
  return { cpuMs: (seconds[0]! + seconds[1]!) * 1000, wallMs };
}

/**
 * The mean of the middle 80% of `values` (a tenth left out at each end): the CPU time of a whole
 * process comes in whole milliseconds from bash and, on this shared host, one start in twenty or so
 * takes several more; a median of such values moves by a whole millisecond (2.5% of a start) at once.
 */
function trimmedMean(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length / 10);
  const middle = sorted.slice(cut, sorted.length - cut);
  return middle.reduce((sum, v) => sum + v, 0) / middle.length;
}

/**
 * 2. `wasmbox run hello.wasm` as a whole process: CPU time (user + sys), over 101 paired rounds. One
 * start's CPU time swings by ±4 ms here, against a difference between the sides of a millisecond
 * or two: 15 rounds could not tell the sides apart.
 */
function helloCpu(sides: Sides, n: Sizes): Figure {
  const wasm = sides.guests.hello;
  const home = freshHome(sides);
  const err = path.join(sides.work, "stderr");
  const cpu = (argv: string[]) => () => cpuRun(argv, home, err);
  // One run of each first, not counted: a user's second run, with the OS's file cache warm.
  cpu(sides.cli(wasm, []))();
  cpu(sides.nodeWasi(wasm, []))();
  const [ours, theirs] = paired(n.cpuRounds, cpu(sides.cli(wasm, [])), cpu(sides.nodeWasi(wasm, [])));
  const o = trimmedMean(ours.map((r) => r.cpuMs));
  const t = trimmedMean(theirs.map((r) => r.cpuMs));
  const wall = `wall ${median(ours.map((r) => r.wallMs)).toFixed(0)} vs ${median(theirs.map((r) => r.wallMs)).toFixed(0)} ms`;
  return {
    name: `wasmbox run hello.wasm, whole process, CPU time user+sys (${wall}), mean of the middle 80% of ${n.cpuRounds} paired rounds`,
    value: o, unit: "ms CPU", baseline: t, baselineName: "node:wasi script", ratio: t / o, target: ">= 1x (at most the CPU time)",
  };
}

/**
 * Each side's median CPU time (ms) over the rounds of an in-process comparison, the first round
 * left out (it warms up: V8 tiers the hot functions up from Liftoff, the kernel's own code is
 * compiled; it is shown apart), and its median wall time. The CPU time of the thread both sides
 * run on is what decides: on this shared host the wall time of one round swings by 2x with the
 * load (0.82-1.55x for the same code in one day) while the CPU time stays within a few percent.
 */
function steady(r: ChildResult): { ours: number; theirs: number; oursWall: number; theirsWall: number } {
  return {
    ours: median(r.oursCpu.slice(1)), theirs: median(r.theirsCpu.slice(1)),
    oursWall: median(r.ours.slice(1)), theirsWall: median(r.theirs.slice(1)),
  };
}

/**
 * The median over the rounds (the first left out) of each round's CPU-time ratio, node:wasi's over
 * ours: the two sides of a round run back to back, so a slow stretch of the shared host weighs on
 * both, where each side's own median takes its rounds from different stretches.
 */
function pairedRatio(r: ChildResult): number {
  return median(r.oursCpu.slice(1).map((ours, i) => r.theirsCpu[i + 1]! / ours));
}

/** Runs programs-child.js (Node's default flags) for one in-process comparison. */
function child(request: ChildRequest): ChildResult {
  const fromSource = import.meta.url.endsWith(".ts");
  const script = fileURLToPath(new URL(fromSource ? "./programs-child.ts" : "./programs-child.js", import.meta.url));
  const out = execFileSync(process.execPath, [...(fromSource ? ["--import", "tsx"] : []), script, JSON.stringify(request)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return JSON.parse(out) as ChildResult;
}

/** 3. Compute shaped like real programs: an interpreter's dispatch loop and an LZ77 compressor. */
function compute(sides: Sides, n: Sizes): Figure[] {
  const cases: Array<{ guest: ProgramGuest; args: string[]; name: string }> = [
    { guest: "interp", args: ["27", "3000000"], name: "bytecode interpreter (fib(27) + 3M-iteration mixed loop)" },
    { guest: "compress", args: ["2", "1"], name: "LZ77 compress + decompress + Adler-32 of 2 MiB" },
  ];
  return cases.map((c) => {
    const r = child({ wasm: sides.guests[c.guest], args: c.args, rounds: n.computeRounds, scratch: sides.work });
    if (r.oursOutput !== r.theirsOutput) throw new Error(`${c.guest}: wasmbox printed ${JSON.stringify(r.oursOutput)}, node:wasi ${JSON.stringify(r.theirsOutput)}`);
    const m = steady(r);
    const wall = `wall ${m.oursWall.toFixed(0)} vs ${m.theirsWall.toFixed(0)} ms`;
    return {
      name: `${c.name}, in-process, Node's default flags, CPU time, median of ${n.computeRounds - 1} after a first round (first ${r.ours[0]!.toFixed(0)} vs ${r.theirs[0]!.toFixed(0)} ms; ${wall})`,
      value: m.ours, unit: "ms CPU", baseline: m.theirs, baselineName: "node:wasi", ratio: m.theirs / m.ours, target: ">= 0.91x (at most 1.1x the time)",
    };
  });
}

/** 4. 4 KiB fd_pread and fd_pwrite on a file in a host folder given as /data, calls per second. */
function hostBlocks(sides: Sides, n: Sizes): Figure[] {
  const blocks = 1024; // a 4 MiB file, visited in a scattered order
  const dataDir = path.join(sides.work, "data");
  mkdirSync(dataDir);
  writeFileSync(path.join(dataDir, "blocks"), Buffer.alloc(blocks * 4096, 0x61));
  return (["read", "write"] as const).map((mode) => {
    const args = [mode, "/data", "blocks", String(blocks), String(n.blockPasses)];
    const r = child({ wasm: sides.guests.blocks, args, dataDir, rounds: n.blockRounds, scratch: sides.work });
    if (r.oursOutput !== r.theirsOutput) throw new Error(`blocks ${mode}: wasmbox printed ${JSON.stringify(r.oursOutput)}, node:wasi ${JSON.stringify(r.theirsOutput)}`);
    const calls = blocks * n.blockPasses;
    const m = steady(r);
    const o = (calls / m.ours) * 1000;
    const t = (calls / m.theirs) * 1000;
    const wall = `wall ${(calls / m.oursWall).toFixed(0)}k vs ${(calls / m.theirsWall).toFixed(0)}k calls/s`; // calls per ms: thousands per second
    return {
      name: `fd_${mode === "read" ? "pread" : "pwrite"} 4 KiB on a 4 MiB file in a host folder (--dir), in-process, calls per CPU-second, median of ${n.blockRounds - 1} after a first round, ratio the median of the rounds' own (${wall})`,
      value: o, unit: "calls/s", baseline: t, baselineName: "node:wasi (preopens)", ratio: pairedRatio(r), target: ">= 1x",
    };
  });
}

/** 5. One-byte fd_write calls to the CLI's real stdout, a host file: ns per call beyond a zero-write run. */
function byteWrites(sides: Sides, n: Sizes): Figure {
  const wasm = sides.guests.bytes;
  const home = freshHome(sides);
  const outFile = path.join(sides.work, "stdout");
  const run = (argv: (wasm: string, args: string[]) => string[], count: number): number => {
    const fd = openSync(outFile, "w");
    try {
      const ms = timedRun(argv(wasm, [String(count)]), home, fd);
      if (statSync(outFile).size !== count) throw new Error(`one-byte writes: ${statSync(outFile).size} bytes reached stdout, not ${count}`);
      return ms;
    } finally {
      closeSync(fd);
    }
  };
  const perCall = (argv: (wasm: string, args: string[]) => string[]) => () => ({ zero: run(argv, 0), full: run(argv, n.byteWrites) });
  const [ours, theirs] = paired(n.byteRounds, perCall(sides.cli), perCall(sides.nodeWasi));
  const ns = (runs: Array<{ zero: number; full: number }>) => ((median(runs.map((r) => r.full)) - median(runs.map((r) => r.zero))) / n.byteWrites) * 1e6;
  const o = ns(ours);
  const t = ns(theirs);
  return {
    name: `${n.byteWrites.toLocaleString("en-US")} one-byte fd_writes to stdout redirected to a file, wasmbox run whole process, start-up subtracted, median of ${n.byteRounds}`,
    value: o, unit: "ns/call", baseline: t, baselineName: "node:wasi script", ratio: t / o, target: ">= 4x",
  };
}
