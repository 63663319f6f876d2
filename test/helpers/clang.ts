// Builds C test guests for wasm32-wasi with Debian's clang at test time (no binary is committed).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

/** Compiles SOURCE (a .c file) into DIR; returns the path of the module. */
export function buildC(source: string, dir: string): string {
  const out = path.join(dir, path.basename(source).replace(/\.c$/, ".wasm"));
  const r = spawnSync("clang", ["--target=wasm32-wasi", "-O2", "-Wl,--strip-debug", source, "-o", out]);
  if (r.error || r.status !== 0) {
    throw new Error(`clang could not build ${source} for wasm32-wasi (Debian: apt-get install clang lld wasi-libc libclang-rt-dev-wasm32): ${r.error?.message ?? r.stderr.toString()}`);
  }
  return out;
}

/** Compiles SOURCE into DIR; returns the module's bytes. */
export function buildCBytes(source: string, dir: string): Uint8Array {
  return readFileSync(buildC(source, dir));
}
