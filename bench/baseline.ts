// Baselines that must run with Node's default V8 flags: started by bench/kernel.ts as a child
// process (the benchmark itself runs with the kernel's compile-tier policy, --no-liftoff).
import { openSync } from "node:fs";
import { WASI } from "node:wasi";
import { Kernel } from "../kernel/index.js";
import { guestBytes } from "./guests.js";

const devNull = openSync("/dev/null", "w");
// One cold run: a second run in this process would reuse code V8 tiered up during the first.
const rounds = process.argv[2] ?? "3";
const wasi = new WASI({ version: "preview1", args: ["compute", rounds], returnOnExit: true, stdout: devNull });
const instance = new WebAssembly.Instance(new WebAssembly.Module(guestBytes("compute") as Uint8Array<ArrayBuffer>), wasi.getImportObject() as WebAssembly.Imports);
const started = performance.now();
if (wasi.start(instance) !== 0) throw new Error("the compute guest counted the primes wrong");
const computeMs = performance.now() - started;

/** Our own hello start with Node's defaults: the best of four rounds of 2,000 starts (us). */
async function helloStartUs(): Promise<number> {
  const kernel = new Kernel({ log: () => undefined });
  const hello = kernel.programs.compile(guestBytes("hello"), "hello", kernel.engineKind === "worker");
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 4; round++) {
    const t = performance.now();
    for (let i = 0; i < 2000; i++) await kernel.run(hello);
    best = Math.min(best, ((performance.now() - t) / 2000) * 1000);
  }
  return best;
}

process.stdout.write(JSON.stringify({ computeMs, helloUs: await helloStartUs() }) + "\n");
