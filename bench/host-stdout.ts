// `node dist/bench/host-stdout.js [COUNT]`: one-byte fd_write calls to the real host stdout (a file),
// through the CLI as a whole process, against node:wasi running the same module; ns per call.
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import binaryen from "binaryen";
import { ARG_COUNT } from "./guests.js";

/** Writes one byte to fd 1, argv[1] times (decimal). */
const WRITER = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "x")
  ${ARG_COUNT}
  (func (export "_start") (local $n i32) (local $i i32)
    (local.set $n (call $count))
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 1))
    (block $end (loop $l
      (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))))`;

/** node:wasi running argv[1] with the rest as its args, stdio inherited. */
const NODE_WASI = `import { WASI } from "node:wasi"; import { readFileSync } from "node:fs";
const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: "preview1", args: [file, ...args], env: {} });
const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), { wasi_snapshot_preview1: wasi.wasiImport });
wasi.start(instance);`;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Wall time (ms) of the fastest of `runs` runs of `args`, stdout into `out`. */
function fastest(args: string[], out: string, runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const fd = openSync(out, "w");
    const start = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: ["ignore", fd, "inherit"], cwd: ROOT });
    best = Math.min(best, performance.now() - start);
    closeSync(fd);
    if (r.status !== 0) throw new Error(`${args.join(" ")}: exit ${r.status}`);
  }
  return best;
}

/** ns per call of `args` + COUNT over `args` + 0 (start-up taken out). */
function perCall(args: string[], count: number, out: string): number {
  return ((fastest([...args, String(count)], out, 3) - fastest([...args, "0"], out, 3)) * 1e6) / count;
}

const count = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(path.join(tmpdir(), "wasmbox-bench-stdout-"));
try {
  const module = binaryen.parseText(WRITER);
  const guest = path.join(dir, "writer.wasm");
  writeFileSync(guest, module.emitBinary());
  module.dispose();
  const runner = path.join(dir, "node-wasi.mjs");
  writeFileSync(runner, NODE_WASI);
  const out = path.join(dir, "out");
  const cli = path.join(ROOT, "dist/cli/wasmbox.cjs");
  const wasmbox = perCall([cli, "run", guest], count, out);
  const nodeWasi = perCall(["--no-warnings", runner, guest], count, out);
  console.log(`host stdout (a file), 1-byte fd_write, whole process, Node ${process.version}, ${count.toLocaleString("en-US")} calls:`);
  console.log(`  wasmbox run: ${wasmbox.toFixed(0)} ns/call  node:wasi: ${nodeWasi.toFixed(0)} ns/call  ratio ${(nodeWasi / wasmbox).toFixed(2)}x (target >= 4x)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
