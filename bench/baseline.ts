// The compute guest's cold runs in a fresh process, started by bench/kernel.ts as a child with the
// V8 flags it compares (Node's defaults, or --no-liftoff for information): node:wasi's and ours,
// in the order argv[3] names ("kernel-first" or node:wasi first), so that neither always goes first.
import { openSync } from "node:fs";
import { WASI } from "node:wasi";
import { Kernel } from "../kernel/index.js";
import { guestBytes } from "./guests.js";

// One cold run: a second run in this process would reuse code V8 tiered up during the first.
const rounds = process.argv[2] ?? "3";

/** One cold run under node:wasi. */
function wasiComputeMs(): number {
  const wasi = new WASI({ version: "preview1", args: ["compute", rounds], returnOnExit: true, stdout: openSync("/dev/null", "w") });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(guestBytes("compute") as Uint8Array<ArrayBuffer>), wasi.getImportObject() as WebAssembly.Imports);
  const started = performance.now();
  if (wasi.start(instance) !== 0) throw new Error("the compute guest counted the primes wrong");
  return performance.now() - started;
}

/** The same cold run on a kernel (its own compiled module, so nothing tiered up above is reused). */
async function kernelComputeMs(): Promise<number> {
  const kernel = new Kernel({ log: () => undefined });
  const program = kernel.programs.compile(guestBytes("compute"), "compute", kernel.engineKind === "worker");
  const t = performance.now();
  const result = await kernel.run(program, { args: [rounds] });
  if (result.exitCode !== 0) throw new Error("the compute guest counted the primes wrong");
  return performance.now() - t;
}

if (process.argv[3] === "kernel-first") {
  const kernelMs = await kernelComputeMs();
  process.stdout.write(JSON.stringify({ computeMs: wasiComputeMs(), kernelComputeMs: kernelMs }) + "\n");
} else {
  const computeMs = wasiComputeMs();
  process.stdout.write(JSON.stringify({ computeMs, kernelComputeMs: await kernelComputeMs() }) + "\n");
}
