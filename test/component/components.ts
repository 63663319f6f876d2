// Test side of components: builds the guests of test/guests (AssemblyScript, compiled here) and wraps
// core modules as components with jco's preview1 command adapter, as `jco new --wasi-command` does.
import asc from "assemblyscript/asc";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { componentNew, preview1AdapterCommandPath } from "@bytecodealliance/jco";

const SHIM_CONFIG = fileURLToPath(import.meta.resolve("@assemblyscript/wasi-shim/asconfig.json"));
/** The source of the tool guest (hello, upcase, bytes N, cat FILE, put FILE TEXT). */
export const TOOL_SOURCE = join(dirname(fileURLToPath(import.meta.url)), "..", "guests", "component", "tool.ts");

/** A core module wrapped as a WASI command component (jco new MODULE --wasi-command). */
export async function asComponent(module: Uint8Array): Promise<Uint8Array> {
  return componentNew(module, [["wasi_snapshot_preview1", readFileSync(preview1AdapterCommandPath())]]);
}

/** Compiles an AssemblyScript guest source to a core module (the flags of test/guests/build.ts). */
export async function compileGuest(source: string): Promise<Uint8Array> {
  const out = mkdtempSync(join(tmpdir(), "wasmbox-comp-guest-"));
  try {
    const outFile = join(out, "guest.wasm");
    const { error, stderr } = await asc.main([source, "--outFile", outFile, "--config", relative(process.cwd(), SHIM_CONFIG),
      "--runtime", "stub", "--optimizeLevel", "2", "--shrinkLevel", "1", "--noColors"]);
    if (error) throw new Error(`${source}: ${error.message}\n${stderr.toString()}`);
    return new Uint8Array(readFileSync(outFile));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The tool guest as a core module and as a component. */
export async function buildTool(): Promise<{ module: Uint8Array; component: Uint8Array }> {
  const module = await compileGuest(TOOL_SOURCE);
  return { module, component: await asComponent(module) };
}
