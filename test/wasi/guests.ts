// Host side of the WASI conformance suite: finds the guests in test/guests/wasi, reads each one's
// run spec, and runs a guest under node:wasi or the wasmbox kernel, rendering the .expected format.
//
// Format of NAME.expected: the guest's exact stdout, then one line `exit N` (its exit code).
// A guest may declare its inputs in a line of its source: `// @run {"args": [...], "env": {...}, "stdin": "..."}`;
// without one it runs with args [NAME] and an empty environment and stdin.
// Scratch directory: under node:wasi the guest gets one preopen, "/" = a fresh host temp dir (fd 3);
// under the kernel fd 3 is the kernel's in-memory "/", plus optionally a host temp dir mounted at
// /scratch (fd 4). Guests use the last preopen (see scratch() in test/guests/lib/check.ts).
import { readFileSync, readdirSync, mkdtempSync, mkdirSync, rmSync, openSync, closeSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { WASI } from "node:wasi";

/** Folder holding NAME.ts, NAME.wasm and NAME.expected for every guest. */
export const GUEST_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "guests", "wasi");

/** What a guest is given when it runs. */
export interface RunSpec {
  args: string[];
  env: Record<string, string>;
  stdin: string;
}

/** What a run produced, in the comparable form. */
export interface GuestRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Names of all guests (sources in GUEST_DIR), sorted. */
export function guestNames(): string[] {
  return readdirSync(GUEST_DIR).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
}

/** The run spec a guest's source declares, with defaults filled in. */
export function runSpec(name: string): RunSpec {
  const source = readFileSync(join(GUEST_DIR, `${name}.ts`), "utf8");
  const line = source.split("\n").find((l) => l.startsWith("// @run "));
  const declared = line ? (JSON.parse(line.slice("// @run ".length)) as Partial<RunSpec>) : {};
  return { args: declared.args ?? [name], env: declared.env ?? {}, stdin: declared.stdin ?? "" };
}

/** The built guest module bytes. */
export function guestWasm(name: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(join(GUEST_DIR, `${name}.wasm`)));
}

export function expectedOutput(name: string): string {
  return readFileSync(join(GUEST_DIR, `${name}.expected`), "utf8");
}

/** The .expected rendering of a run: stdout, then `exit N`. */
export function render(run: GuestRun): string {
  return `${run.stdout}exit ${run.exitCode}\n`;
}

/** Runs a guest under node:wasi with "/" preopened as a fresh temp dir; stdio are temp files. */
export function runUnderNodeWasi(wasm: Uint8Array<ArrayBuffer>, spec: RunSpec): GuestRun {
  const work = mkdtempSync(join(tmpdir(), "wasmbox-nodewasi-"));
  const scratchDir = join(work, "scratch");
  const stdio = join(work, "stdio");
  try {
    mkdirSync(scratchDir);
    mkdirSync(stdio);
    writeFileSync(join(stdio, "in"), spec.stdin);
    const fds = [openSync(join(stdio, "in"), "r"), openSync(join(stdio, "out"), "w"), openSync(join(stdio, "err"), "w")];
    let exitCode: number;
    try {
      const wasi = new WASI({
        version: "preview1",
        args: spec.args,
        env: spec.env,
        preopens: { "/": scratchDir },
        returnOnExit: true,
        stdin: fds[0],
        stdout: fds[1],
        stderr: fds[2],
      });
      const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), wasi.getImportObject() as WebAssembly.Imports);
      exitCode = wasi.start(instance);
    } finally {
      // A guest may have renumbered or closed its stdio, which closes the host fd under node:wasi.
      fds.forEach((fd) => { try { closeSync(fd); } catch { /* already closed by the guest */ } });
    }
    return {
      stdout: readFileSync(join(stdio, "out"), "utf8"),
      stderr: readFileSync(join(stdio, "err"), "utf8"),
      exitCode,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Where a guest's scratch directory lives when it runs under the kernel. */
export type KernelScratch = "memory" | "host-dir" | "host-root";

/**
 * Runs a guest under a fresh wasmbox kernel. "memory": the scratch is the kernel's in-memory "/"
 * (fd 3). "host-dir": a fresh host temp dir is also mounted at /scratch (fd 4) and used instead.
 * "host-root": wasmtime's model (`wasmbox run --dir TMP::/`): that temp dir is the only preopen,
 * fd 3, named "/", as node:wasi's `preopens: { "/": dir }` has it.
 */
export async function runUnderKernel(wasm: Uint8Array, spec: RunSpec, scratch: KernelScratch): Promise<GuestRun> {
  const { Kernel } = await import("../../kernel/index.js");
  const kernel = new Kernel();
  const hostDir = scratch !== "memory" ? mkdtempSync(join(tmpdir(), "wasmbox-kernel-")) : undefined;
  try {
    const r = await kernel.run(wasm, {
      argv0: spec.args[0],
      args: spec.args.slice(1),
      env: spec.env,
      stdin: spec.stdin,
      dirs: hostDir ? [{ host: hostDir, guest: scratch === "host-root" ? "/" : "/scratch" }] : [],
      preopenRoot: scratch !== "host-root",
    });
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
  } finally {
    if (hostDir) rmSync(hostDir, { recursive: true, force: true });
  }
}
