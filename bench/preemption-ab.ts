// A/B benchmark of the inline engine's preemption checks: the same guest run on a Kernel with
// `preemption: true` and `false`, alternating in fresh child processes, medians of each side.
// Run: `npm run bench -- preemption` or `node --import tsx bench/preemption-ab.ts` (AB_CASES=sieve,interp,compress AB_PAIRS=5 AB_RUNS=3).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Kernel } from "../kernel/index.js";
import { guestBytes } from "./guests.js";
import { programGuests } from "./program-guests.js";

/** A guest measured: its arguments and its module's bytes. */
interface AbCase {
  args: string[];
  bytes: () => Uint8Array;
}

/** The guests measured: the kernel bench's sieve and the programs bench's interpreter and compressor. */
const CASES: Record<"sieve" | "interp" | "compress", AbCase> = {
  sieve: { args: ["3"], bytes: () => guestBytes("compute") },
  interp: { args: ["27", "3000000"], bytes: () => readFileSync(programGuest("interp")) },
  compress: { args: ["2", "1"], bytes: () => readFileSync(programGuest("compress")) },
};
/** A programs-bench guest: from AB_PROGRAMS_DIR (a folder of built guests) when set, else built by program-guests.ts. */
function programGuest(name: "interp" | "compress"): string {
  const dir = process.env.AB_PROGRAMS_DIR;
  return dir ? join(dir, `${name}.wasm`) : programGuests()[name];
}

type CaseName = keyof typeof CASES;

/** What a child prints: its first (cold) run and the median of its next runs (ms of CPU time). */
interface ChildTimes {
  first: number;
  warm: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** In a child: compiles the guest once, runs it `runs` times, times each run. */
async function child(name: CaseName, preemption: boolean, runs: number): Promise<ChildTimes> {
  const c = CASES[name];
  const kernel = new Kernel({ log: () => undefined, preemption });
  const program = kernel.programs.compile(c.bytes(), name, kernel.engineKind === "worker");
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    // CPU time, not wall time: the figure stays usable on a machine shared with other work.
    const t = process.cpuUsage();
    const r = await kernel.run(program, { args: c.args });
    const used = process.cpuUsage(t);
    times.push((used.user + used.system) / 1000);
    if (r.exitCode !== 0) throw new Error(`${name} exited ${r.exitCode}`);
  }
  return { first: times[0]!, warm: runs > 1 ? median(times.slice(1)) : times[0]! };
}

/**
 * Steady state in one process: the guest compiled on a kernel with checks and on one without, run
 * alternately `rounds` times after a first run each (which tiers the hot code up); the fastest
 * round of each side (CPU time), the figure least moved by other work on the machine.
 */
async function steadyState(name: CaseName, rounds: number): Promise<{ on: number; off: number }> {
  const c = CASES[name];
  const bytes = c.bytes();
  const sides = [true, false].map((preemption) => {
    const kernel = new Kernel({ log: () => undefined, preemption });
    return { kernel, program: kernel.programs.compile(bytes, name, kernel.engineKind === "worker"), best: Infinity };
  });
  for (let round = 0; round <= rounds; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      const t = process.cpuUsage();
      const r = await side.kernel.run(side.program, { args: c.args });
      const used = process.cpuUsage(t);
      if (r.exitCode !== 0) throw new Error(`${name} exited ${r.exitCode}`);
      if (round > 0) side.best = Math.min(side.best, (used.user + used.system) / 1000);
    }
  }
  return { on: sides[0]!.best, off: sides[1]!.best };
}

/** Runs `pairs` pairs of children (on/off, order alternating) per case and prints medians, then each case's steady state. */
export async function benchPreemption(names: CaseName[], pairs: number, runs: number): Promise<void> {
  const script = fileURLToPath(import.meta.url);
  const fromSource = script.endsWith(".ts");
  const spawn = (name: CaseName, on: boolean): ChildTimes =>
    JSON.parse(execFileSync(process.execPath, [...(fromSource ? ["--import", "tsx"] : []), script, "child", name, on ? "on" : "off", String(runs)], { encoding: "utf8" })) as ChildTimes;
  for (const name of names) {
    const on: ChildTimes[] = [];
    const off: ChildTimes[] = [];
    for (let p = 0; p < pairs; p++) {
      if (p % 2 === 0) {
        on.push(spawn(name, true));
        off.push(spawn(name, false));
      } else {
        off.push(spawn(name, false));
        on.push(spawn(name, true));
      }
    }
    const line = (key: keyof ChildTimes) => {
      const a = median(on.map((t) => t[key]));
      const b = median(off.map((t) => t[key]));
      const ratios = on.map((t, i) => t[key] / off[i]![key]);
      return `${key} on ${a.toFixed(0)} off ${b.toFixed(0)} ms, median cost ${((a / b - 1) * 100).toFixed(1)}% (pairs ${ratios.map((r) => ((r - 1) * 100).toFixed(0)).join(",")}%)`;
    };
    process.stdout.write(`${name}: ${line("first")}; ${line("warm")}\n`);
  }
  for (const name of names) {
    const { on, off } = await steadyState(name, STEADY_ROUNDS);
    process.stdout.write(`${name}: steady state in one process, fastest of ${STEADY_ROUNDS} alternating rounds: on ${on.toFixed(1)} off ${off.toFixed(1)} ms, cost ${((on / off - 1) * 100).toFixed(1)}%\n`);
  }
}

/** Rounds of each side in the steady-state figure. */
const STEADY_ROUNDS = 20;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === "child") {
    const [name, on, runs] = rest;
    process.stdout.write(JSON.stringify(await child(name as CaseName, on === "on", Number(runs))));
  } else {
    const names = (process.env.AB_CASES ?? "sieve,interp,compress").split(",") as CaseName[];
    await benchPreemption(names, Number(process.env.AB_PAIRS ?? 5), Number(process.env.AB_RUNS ?? 3));
  }
}
