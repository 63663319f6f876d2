// `npm run bench -- components`: a component's start (transpile cached) against the same program as
// a core module and against `jco run`, and 1-byte stream writes against preview2-shim's (through `jco run`).
import asc from "assemblyscript/asc";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { componentNew, preview1AdapterCommandPath } from "@bytecodealliance/jco";
import { packageFolder } from "../userland/paths.js";
import type { Figure } from "./kernel.js";

const repoDir = dirname(packageFolder(import.meta.url));
/** The guest of the component tests: hello, bytes N, ... (test/guests/component/tool.ts). */
const TOOL_SOURCE = join(repoDir, "test", "guests", "component", "tool.ts");
const CLI = join(repoDir, "dist", "cli", "bin.js");
const START_ROUNDS = 7;
const JCO_ROUNDS = 3;
const WRITES = 200_000;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Runs node with `argv`, stdout to /dev/null; the CPU time (user + sys) it and its children took,
 * in ms, from bash's `times` (children's rusage): steadier than wall time on a shared machine.
 * Throws on a non-zero exit.
 */
function timedNode(argv: string[], home: string): number {
  const script = '"$@" > /dev/null 2> /dev/null; s=$?; times; exit $s';
  const r = spawnSync("bash", ["-c", script, "bash", process.execPath, ...argv], { env: { ...process.env, WASMBOX_HOME: home }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`node ${argv.join(" ")}: exit ${r.status ?? r.signal}`);
  const children = r.stdout.trim().split("\n")[1] ?? "";
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (seconds.length !== 2) throw new Error(`cannot read bash's times output: ${r.stdout}`);
  return (seconds[0]! + seconds[1]!) * 1000;
}

/** The tool guest as a core module and as a component (jco new --wasi-command), written into `work`. */
async function buildTool(work: string): Promise<{ module: string; component: string }> {
  const module = join(work, "tool.wasm");
  const shim = fileURLToPath(import.meta.resolve("@assemblyscript/wasi-shim/asconfig.json"));
  const { error, stderr } = await asc.main([TOOL_SOURCE, "--outFile", module, "--config", relative(process.cwd(), shim),
    "--runtime", "stub", "-O3", "--noAssert", "--noColors"]);
  if (error) throw new Error(`${TOOL_SOURCE}: ${error.message}\n${stderr.toString()}`);
  const component = join(work, "tool.component.wasm");
  writeFileSync(component, await componentNew(readFileSync(module), [["wasi_snapshot_preview1", readFileSync(preview1AdapterCommandPath())]]));
  return { module, component };
}

/** The jco CLI's script (jco run transpiles the component and runs it on preview2-shim). */
function jcoCli(): string {
  const main = createRequire(import.meta.url).resolve("@bytecodealliance/jco");
  return join(dirname(main), "jco.js");
}

/** The component figures. */
export async function benchComponents(log: (line: string) => void = () => undefined): Promise<Figure[]> {
  const work = mkdtempSync(join(tmpdir(), "wasmbox-bench-comp-"));
  try {
    const home = join(work, "home");
    const tool = await buildTool(work);
    log("built the tool guest");
    // The first run transpiles and fills $WASMBOX_HOME/components: every timed start is cached.
    timedNode([CLI, "run", tool.component, "hello"], home);
    timedNode([CLI, "run", tool.module, "hello"], home);
    const comp: number[] = [];
    const mod: number[] = [];
    for (let round = 0; round < START_ROUNDS; round++) {
      const pair = [() => comp.push(timedNode([CLI, "run", tool.component, "hello"], home)), () => mod.push(timedNode([CLI, "run", tool.module, "hello"], home))];
      if (round % 2 === 1) pair.reverse();
      pair.forEach((run) => run());
    }
    log("component and module starts");
    const jco = jcoCli();
    const jcoRuns = Array.from({ length: JCO_ROUNDS }, () => timedNode([jco, "run", tool.component, "hello"], home));
    log("jco run starts");
    // 1-byte writes: the CPU time of N writes beyond that of a run with none, on each side.
    const oursMany = timedNode([CLI, "run", tool.component, "bytes", String(WRITES)], home);
    const oursNone = timedNode([CLI, "run", tool.component, "bytes", "0"], home);
    const shimMany = timedNode([jco, "run", tool.component, "bytes", String(WRITES)], home);
    const shimNone = timedNode([jco, "run", tool.component, "bytes", "0"], home);
    log("1-byte writes");
    const ours = WRITES / Math.max(1e-3, (oursMany - oursNone) / 1000);
    const shim = WRITES / Math.max(1e-3, (shimMany - shimNone) / 1000);
    const c = median(comp);
    const m = median(mod);
    const j = median(jcoRuns);
    return [
      { name: `wasmbox run of a hello component, transpile cached, whole process, CPU time user+sys, median of ${START_ROUNDS}`, value: c, unit: "ms", baseline: m, baselineName: "the same program as a core module", ratio: c / m, target: "<= 2x" },
      { name: `the same component start against jco run (transpiles every start, preview2-shim), CPU time, median of ${JCO_ROUNDS}`, value: c, unit: "ms", baseline: j, baselineName: "jco run", ratio: j / c, target: ">= 10x faster" },
      { name: `1-byte stream writes from a component to /dev/null (${WRITES.toLocaleString("en-US")} writes, CPU time beyond a run with none)`, value: ours, unit: "writes/s", baseline: shim, baselineName: "preview2-shim (jco run)", ratio: ours / shim, target: ">= 2x" },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
