// Builds the WASI conformance guests: every test/guests/wasi/NAME.ts becomes NAME.wasm beside it.
// `--check` builds into a temp dir instead and fails (exit 1, naming files) if a committed .wasm differs or is missing;
// a check that passed leaves a stamp of its inputs (test/guests/build/check.stamp), and the next one with the same inputs is skipped.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const GUESTS = join(HERE, "wasi");
const SHIM_CONFIG = fileURLToPath(import.meta.resolve("@assemblyscript/wasi-shim/asconfig.json"));
const COMPILER_MANIFEST = fileURLToPath(import.meta.resolve("assemblyscript/package.json"));
const CHECK_STAMP = join(HERE, "build", "check.stamp");
/** Folders whose files decide the guests' bytes: the guests and their libraries, the userland's WASI bindings, the shim. */
const INPUT_DIRS = [HERE, join(HERE, "../../userland/lib"), dirname(SHIM_CONFIG)];

/** Fixed compiler flags: same inputs, same bytes. */
const FLAGS = ["--config", relative(process.cwd(), SHIM_CONFIG), "--runtime", "stub", "--optimizeLevel", "2", "--shrinkLevel", "1", "--noColors"];

/** Compiles one guest source into outFile; returns the compiler's diagnostics on failure. */
async function compileGuest(source: string, outFile: string): Promise<string | null> {
  const { default: asc } = await import("assemblyscript/asc");
  const { error, stderr } = await asc.main([source, "--outFile", outFile, ...FLAGS]);
  return error ? `${error.message}\n${stderr.toString()}` : null;
}

/** Builds every guest into outDir; returns the names of guests that failed to compile. */
async function buildAll(outDir: string): Promise<string[]> {
  const names = readdirSync(GUESTS).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
  const failed: string[] = [];
  for (const name of names) {
    const problem = await compileGuest(join(GUESTS, `${name}.ts`), join(outDir, `${name}.wasm`));
    if (problem) {
      failed.push(name);
      process.stderr.write(`${name}.ts: ${problem}\n`);
    }
  }
  return failed;
}

/** A hash of everything the check depends on: compiler, flags, sources and the committed .wasm files. */
function inputsHash(): string {
  // The compiler's version from its manifest: loading the compiler itself is what a skipped check saves.
  const hash = createHash("sha256").update(readFileSync(COMPILER_MANIFEST)).update(JSON.stringify(FLAGS));
  for (const dir of INPUT_DIRS) {
    const files = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(ts|wasm|json)$/.test(e.name) && !e.parentPath.startsWith(dirname(CHECK_STAMP)))
      .map((e) => join(e.parentPath, e.name))
      .sort();
    for (const file of files) hash.update(relative(dir, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

/** Rebuilds into a temp dir and lists committed .wasm files that are missing or differ; skipped when nothing changed since a check passed. */
async function check(): Promise<number> {
  const inputs = inputsHash();
  if (existsSync(CHECK_STAMP) && readFileSync(CHECK_STAMP, "utf8") === inputs) {
    process.stdout.write("guest .wasm files: sources unchanged since the last check passed\n");
    return 0;
  }
  const out = mkdtempSync(join(tmpdir(), "wasmbox-guests-"));
  try {
    const failed = await buildAll(out);
    const stale: string[] = [];
    for (const file of readdirSync(out).filter((f) => f.endsWith(".wasm")).sort()) {
      const committed = join(GUESTS, file);
      if (!existsSync(committed)) stale.push(`${file} (missing)`);
      else if (!readFileSync(committed).equals(readFileSync(join(out, file)))) stale.push(`${file} (differs)`);
    }
    if (failed.length > 0 || stale.length > 0) {
      for (const f of failed) process.stderr.write(`test/guests/wasi/${f}.ts does not compile\n`);
      for (const s of stale) process.stderr.write(`test/guests/wasi/${s}: run npm run build:guests\n`);
      return 1;
    }
    process.stdout.write(`all ${readdirSync(out).length} guest .wasm files match their sources\n`);
    mkdirSync(dirname(CHECK_STAMP), { recursive: true });
    writeFileSync(CHECK_STAMP, inputs);
    return 0;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  if (process.argv.includes("--check")) return check();
  const failed = await buildAll(GUESTS);
  return failed.length > 0 ? 1 : 0;
}

process.exitCode = await main();
