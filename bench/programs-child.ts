// The in-process half of the programs benchmark, started by programs.ts as a child with Node's
// default flags: runs a guest on a wasmbox Kernel and on node:wasi in this one process, in rounds.
import { closeSync, openSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { WASI } from "node:wasi";
import { Kernel } from "../kernel/index.js";

/** What programs.ts asks for (JSON in argv[2]). */
export interface ChildRequest {
  /** The guest module. */
  wasm: string;
  /** Its arguments after argv[0]. */
  args: string[];
  /** A host folder given to the guest as /data (both sides), or none. */
  dataDir?: string;
  /** Rounds; each runs both sides, in alternating order. */
  rounds: number;
  /** A scratch folder for node:wasi's stdout. */
  scratch: string;
}

/**
 * What the child prints (JSON): each side's run times (ms of wall time, and of this thread's CPU
 * time) and its stdout from the first round.
 */
export interface ChildResult {
  ours: number[];
  theirs: number[];
  oursCpu: number[];
  theirsCpu: number[];
  oursOutput: string;
  theirsOutput: string;
}

/**
 * The CPU time (user + system, ms) of this thread (Node 23.9 and later; the process's before):
 * both sides run on it, and unlike the wall time it does not count the time the OS gave the CPU
 * to others, which on a loaded host swings the wall time of a 200 ms run by 2x.
 */
function cpuMs(): number {
  const node = process as NodeJS.Process & { threadCpuUsage?: () => NodeJS.CpuUsage };
  const usage = node.threadCpuUsage ? node.threadCpuUsage() : node.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** The guest's name for the host folder in both runtimes. */
export const DATA_GUEST = "/data";

async function main(request: ChildRequest): Promise<ChildResult> {
  const bytes = readFileSync(request.wasm);
  // Both sides compile before timing starts; a round times one run from instantiation to exit.
  // One kernel serves every round, as node:wasi keeps its module: V8 has tiered up the compiled
  // module and the kernel's syscall dispatchers (made once per kernel) after the first round.
  // As `wasmbox run MODULE` has it without --time-limit: no preemption checks, and wasmtime's
  // preopens (only the folder, in a container of the run's own: preopenRoot false).
  const kernel = new Kernel({ log: () => undefined, preemption: false, growSignal: false });
  const program = kernel.programs.compile(bytes, path.basename(request.wasm), kernel.engineKind === "worker");
  const module = new WebAssembly.Module(bytes);
  const dirs = request.dataDir ? [{ host: request.dataDir, guest: DATA_GUEST }] : [];
  const preopens: Record<string, string> = request.dataDir ? { [DATA_GUEST]: request.dataDir } : {};
  const result: ChildResult = { ours: [], theirs: [], oursCpu: [], theirsCpu: [], oursOutput: "", theirsOutput: "" };
  const ours = async (first: boolean) => {
    const t = performance.now();
    const cpu = cpuMs();
    const r = await kernel.run(program, { args: request.args, dirs, capture: first, preopenRoot: false });
    result.oursCpu.push(cpuMs() - cpu);
    result.ours.push(performance.now() - t);
    if (r.exitCode !== 0) throw new Error(`${request.wasm} exited ${r.exitCode} on wasmbox: ${r.stderr}`);
    if (first) result.oursOutput = r.stdout;
  };
  const theirs = (first: boolean) => {
    const outFile = path.join(request.scratch, "node-wasi.out");
    const out = openSync(first ? outFile : "/dev/null", "w");
    try {
      const wasi = new WASI({ version: "preview1", args: [request.wasm, ...request.args], preopens, returnOnExit: true, stdout: out });
      const t = performance.now();
      const cpu = cpuMs();
      const code = wasi.start(new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports));
      result.theirsCpu.push(cpuMs() - cpu);
      result.theirs.push(performance.now() - t);
      if (code !== 0) throw new Error(`${request.wasm} exited ${code} on node:wasi`);
    } finally {
      closeSync(out);
    }
    if (first) result.theirsOutput = readFileSync(outFile, "utf8");
  };
  for (let round = 0; round < request.rounds; round++) {
    if (round % 2 === 0) {
      await ours(round === 0);
      theirs(round === 0);
    } else {
      theirs(false);
      await ours(false);
    }
  }
  return result;
}

process.stdout.write(JSON.stringify(await main(JSON.parse(process.argv[2] ?? "{}") as ChildRequest)) + "\n");
