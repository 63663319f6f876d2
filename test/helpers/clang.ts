// Builds C test guests for wasm32-wasi with Debian's clang at test time (no binary is committed),
// each kept in test/guests/build/c/ under a hash of its inputs, so a later run with the same inputs skips clang.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const FLAGS = ["--target=wasm32-wasi", "-O2", "-Wl,--strip-debug"];
const CACHE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../guests/build/c");
/** wasi-libc as Debian installs it: linked into every module. */
const WASI_LIBC = "/usr/lib/wasm32-wasi/libc.a";

function clang(args: string[]): ReturnType<typeof spawnSync> {
  return spawnSync("clang", args);
}

function failure(source: string, r: ReturnType<typeof spawnSync>): Error {
  return new Error(`clang could not build ${source} for wasm32-wasi (Debian: apt-get install clang lld wasi-libc libclang-rt-dev-wasm32): ${r.error?.message ?? r.stderr?.toString()}`);
}

/** What decides the module's bytes: clang's version, the flags, wasi-libc, the source and the headers beside it. */
function inputsKey(source: string): string {
  const version = clang(["--version"]);
  if (version.error || version.status !== 0) throw failure(source, version);
  const hash = createHash("sha256").update(version.stdout?.toString() ?? "").update(JSON.stringify(FLAGS));
  if (existsSync(WASI_LIBC)) {
    const libc = statSync(WASI_LIBC);
    hash.update(`${libc.size} ${libc.mtimeMs}`);
  }
  hash.update(readFileSync(source));
  const dir = path.dirname(source);
  for (const header of readdirSync(dir).filter((f) => f.endsWith(".h")).sort()) hash.update(header).update(readFileSync(path.join(dir, header)));
  return hash.digest("hex").slice(0, 32);
}

/** Compiles SOURCE (a .c file) into DIR (or copies the module built from the same inputs before); returns the path of the module. */
export function buildC(source: string, dir: string): string {
  const out = path.join(dir, path.basename(source).replace(/\.c$/, ".wasm"));
  const cached = path.join(CACHE, `${path.basename(source, ".c")}-${inputsKey(source)}.wasm`);
  if (!existsSync(cached)) {
    mkdirSync(CACHE, { recursive: true });
    // Built under a name of its own and renamed into place: test files running at once may build it together.
    const temporary = `${cached}.${process.pid}.tmp`;
    const r = clang([...FLAGS, source, "-o", temporary]);
    if (r.error || r.status !== 0) {
      rmSync(temporary, { force: true });
      throw failure(source, r);
    }
    renameSync(temporary, cached);
  }
  copyFileSync(cached, out);
  return out;
}

/** Compiles SOURCE into DIR; returns the module's bytes. */
export function buildCBytes(source: string, dir: string): Uint8Array {
  return readFileSync(buildC(source, dir));
}
