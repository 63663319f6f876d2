// Builds the userland: compiles userland/bin/main.ts (the multi-call binary holding sh, init and
// the utilities) with AssemblyScript into userland/build/busybox.wasm. Run by `npm run build:userland`.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { packageFolder } from "./paths.js";

const userlandDir = packageFolder(import.meta.url);
const repoDir = dirname(userlandDir);
const shimDir = join(repoDir, "node_modules/@assemblyscript/wasi-shim/assembly");

/** Compiler flags for every program; part of the build hash. -O3 measured faster than -Os at similar size. */
const COMPILER_FLAGS = [
  "-O3", "--noAssert", "--runtime", "incremental", "--exportStart", "_start",
  "--lib", relative(repoDir, shimDir),
  "--use", "ASC_WASI=1", "--use", "abort=wasi_abort", "--use", "trace=wasi_trace",
  "--use", "seed=wasi_seed", "--use", "Date=wasi_Date",
  "--initialMemory", "4",
];

/** The programs built: output name -> entry file. */
const PROGRAMS: Record<string, string> = { busybox: "userland/bin/main.ts" };

/** Every file that affects the output, sorted, relative to the repo. */
function sourceFiles(): string[] {
  const files: string[] = ["kernel/abi/wasmbox-abi.ts", "userland/build.ts"];
  for (const dir of ["userland/lib", "userland/bin", relative(repoDir, shimDir)]) {
    for (const entry of readdirSync(join(repoDir, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith(".ts")) files.push(relative(repoDir, join(entry.parentPath, entry.name)));
    }
  }
  return files.sort();
}

/** The compiler's version, read from its package.json: loading the compiler itself takes a second, which an up-to-date build skips. */
function compilerVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(join(repoDir, "node_modules/assemblyscript/package.json"), "utf8"));
  return typeof manifest === "object" && manifest !== null && "version" in manifest ? String(manifest.version) : "unknown";
}

function buildHash(files: string[]): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ compiler: compilerVersion(), flags: COMPILER_FLAGS, programs: PROGRAMS }));
  for (const file of files) hash.update(file).update("\0").update(readFileSync(join(repoDir, file))).update("\0");
  return hash.digest("hex");
}

/** Compiles one program; throws with the compiler's messages (file:line) on error. */
async function compile(name: string, entry: string, outDir: string): Promise<void> {
  const { default: asc } = await import("assemblyscript/asc");
  const out = join(outDir, `${name}.wasm`);
  let messages = "";
  const sink = { write(text: string | Uint8Array) { messages += typeof text === "string" ? text : Buffer.from(text).toString(); return true; } };
  const result = await asc.main([entry, "-o", relative(repoDir, out), ...COMPILER_FLAGS], { stdout: sink, stderr: sink });
  if (result.error) throw new Error(`userland: compiling ${entry} failed:\n${messages}`);
}

/** Builds all programs into buildDir unless the stamp says they are up to date; returns whether it compiled. */
export async function buildUserland(buildDir = join(userlandDir, "build")): Promise<boolean> {
  const stampFile = join(buildDir, ".stamp");
  const hash = buildHash(sourceFiles());
  const outputsExist = Object.keys(PROGRAMS).every((name) => existsSync(join(buildDir, `${name}.wasm`)));
  if (outputsExist && existsSync(stampFile) && readFileSync(stampFile, "utf8") === hash) return false;
  mkdirSync(buildDir, { recursive: true });
  process.chdir(repoDir);
  for (const [name, entry] of Object.entries(PROGRAMS)) await compile(name, entry, buildDir);
  writeFileSync(stampFile, hash);
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const started = Date.now();
  buildUserland().then(
    (compiled) => process.stdout.write(compiled ? `userland built in ${Date.now() - started} ms\n` : "userland up to date\n"),
    (error: Error) => { process.stderr.write(`${error.message}\n`); process.exit(1); },
  );
}
