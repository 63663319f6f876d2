// Loading programs: checks that bytes are a Wasm module the kernel can run, rewrites its memory into
// an import, compiles once per content, and explains every refusal in one line naming the file.
import { createHash } from "node:crypto";
import { Errno, SysError } from "./errno.js";
import type { LoadedProgram } from "./engines/engine.js";
import { rewriteModule, MEMORY_IMPORT, PREEMPT_IMPORT } from "./engines/module-rewrite.js";
import { missingImports } from "./engines/imports.js";
import type { SyscallDef } from "./syscalls/table.js";

/** The largest memory a module may declare, in pages (4 GiB). */
export const MAX_PAGES = 65536;

/** A program the kernel refuses to run; `message` names the file and the problem. */
export class ProgramError extends SysError {
  constructor(errno: Errno, readonly detail: string) {
    super(errno, detail);
    this.message = detail;
  }
}

/** Compiled programs by content hash and memory kind; owned by one kernel. */
export class ProgramCache {
  private readonly compiled = new Map<string, LoadedProgram>();
  private readonly byFile = new WeakMap<object, { mtim: bigint; size: bigint; shared: boolean; program: LoadedProgram }>();

  /** `preemption`: whether modules for the inline engine get preemption checks. */
  constructor(private readonly table: readonly SyscallDef[], private readonly preemption = true) {}

  /** The program for a file (its content's identity), recompiled only when its mtime or size changes. */
  forFile(file: object, version: { mtim: bigint; size: bigint }, name: string, read: () => Uint8Array, shared: boolean): LoadedProgram {
    const cached = this.byFile.get(file);
    if (cached && cached.mtim === version.mtim && cached.size === version.size && cached.shared === shared) return cached.program;
    const program = this.compile(read(), name, shared);
    this.byFile.set(file, { mtim: version.mtim, size: version.size, shared, program });
    return program;
  }

  /**
   * Checks and compiles `bytes` (cached by content). `entry`: the export that will be called
   * (--invoke), checked instead of `_start`.
   */
  compile(bytes: Uint8Array, name: string, shared: boolean, entry?: string): LoadedProgram {
    const key = createHash("sha256").update(bytes).digest("hex") + (shared ? ":shared" : "") + (entry === undefined ? "" : `:${entry}`);
    const hit = this.compiled.get(key);
    if (hit) return { ...hit, name };
    const program = compileProgram(bytes, name, shared, this.table, entry, this.preemption && !shared);
    this.compiled.set(key, program);
    return program;
  }

  /** Forgets compiled modules (for memory experiments). */
  clear(): void {
    this.compiled.clear();
  }
}

/**
 * Validates and compiles a module (a command, or one exporting `entry`); throws ProgramError with a
 * one-line reason. `preempt`: add the inline engine's preemption checks (a worker's thread can be
 * stopped from outside without them).
 */
export function compileProgram(bytes: Uint8Array, name: string, shared: boolean, table: readonly SyscallDef[], entry?: string, preempt = !shared): LoadedProgram {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new ProgramError(Errno.NOEXEC, `${name}: not a WebAssembly module (no \\0asm magic number)`);
  }
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    const version = Buffer.from(bytes.subarray(4, 8)).readUInt32LE(0);
    throw new ProgramError(Errno.NOEXEC, `${name}: unsupported WebAssembly binary version ${version} (a component? only core modules run here)`);
  }
  let rewritten: ReturnType<typeof rewriteModule>;
  try {
    rewritten = rewriteModule(bytes, shared, MAX_PAGES, { preempt });
  } catch (e) {
    throw new ProgramError(Errno.NOEXEC, `${name}: malformed WebAssembly module: ${(e as Error).message}`);
  }
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(rewritten.bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    const msg = (e as Error).message.replace(/^WebAssembly\.Module\(\): /, "");
    throw new ProgramError(Errno.NOEXEC, `${name}: invalid WebAssembly module: ${msg}`);
  }
  const internal = [`${MEMORY_IMPORT.module}.${MEMORY_IMPORT.name}`, ...(rewritten.preemptible ? [`${PREEMPT_IMPORT.module}.${PREEMPT_IMPORT.name}`] : [])];
  const missing = missingImports(module, table, internal);
  if (missing.length > 0) {
    throw new ProgramError(Errno.NOEXEC, `${name}: imports what the kernel does not provide: ${missing.join(", ")}`);
  }
  const exports = WebAssembly.Module.exports(module);
  if (entry !== undefined) {
    if (!exports.some((e) => e.kind === "function" && e.name === entry)) throw new ProgramError(Errno.NOEXEC, `${name}: exports no function ${entry}`);
  } else if (!exports.some((e) => e.kind === "function" && (e.name === "_start" || e.name === "main"))) {
    throw new ProgramError(Errno.NOEXEC, `${name}: exports no _start function (is it a WASI command?)`);
  }
  const byKey = new Map(table.map((d) => [`${d.module}.${d.name}`, d]));
  const imports = WebAssembly.Module.imports(module)
    .filter((i) => i.kind === "function" && !internal.includes(`${i.module}.${i.name}`))
    .map((i) => byKey.get(`${i.module}.${i.name}`)!);
  return {
    name, module, imports,
    memory: rewritten.memory ? { minimum: rewritten.memory.minimum, maximum: Math.min(rewritten.memory.maximum ?? MAX_PAGES, MAX_PAGES) } : null,
    reset: rewritten.reset,
    preemptible: rewritten.preemptible,
  };
}
