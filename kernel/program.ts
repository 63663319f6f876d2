// Loading programs: checks that bytes are a Wasm module the kernel can run, rewrites its memory into
// an import, compiles once per content, and explains every refusal in one line naming the file.
import { Errno, SysError } from "./errno.js";
import type { LoadedProgram } from "./engines/engine.js";
import { rewriteModule, GROW_IMPORT, MEMORY_IMPORT, PREEMPT_IMPORT, type RewriteOptions } from "./engines/module-rewrite.js";
import { moduleSyscalls } from "./engines/imports.js";
import type { SyscallDef } from "./syscalls/table.js";
import { isComponent } from "./component/detect.js";

/** The largest memory a module may declare, in pages (4 GiB). */
export const MAX_PAGES = 65536;
/** The largest module the kernel loads (V8's own limit on a module, 1 GiB): larger is ENOEXEC. */
export const MAX_MODULE_BYTES = 1024 * 1024 * 1024;
/** The default budget of the compiled-module cache (256 MiB of estimated memory, see programCost). */
export const DEFAULT_PROGRAM_CACHE_BYTES = 256 * 1024 * 1024;
/** What a compiled module costs beyond its code, whatever its size (measured: about 70 KiB of RSS). */
const MODULE_OVERHEAD_BYTES = 64 * 1024;
/** Compiled code and metadata per module byte (measured 2.3x for busybox right after compiling; more once run). */
const COMPILED_BYTES_PER_MODULE_BYTE = 3;

/** The memory a compiled program is estimated to hold, as the cache counts it. */
export function programCost(moduleBytes: number): number {
  return MODULE_OVERHEAD_BYTES + COMPILED_BYTES_PER_MODULE_BYTE * moduleBytes;
}

/** A program the kernel refuses to run; `message` names the file and the problem. */
export class ProgramError extends SysError {
  constructor(errno: Errno, readonly detail: string) {
    super(errno, detail);
    this.message = detail;
  }
}

/**
 * Compiled programs by content digest (sha256 of the module bytes) and memory kind, so identical
 * modules share one compiled module; owned by one kernel. Bounded: least recently used programs
 * are dropped once their estimated memory (programCost) passes `budget` (a program still running
 * keeps its module; the newest program always stays).
 */
export class ProgramCache {
  /** Digest -> program, in least-recently-used-first order (a hit moves it to the end). */
  private readonly compiled = new Map<string, { program: LoadedProgram; bytes: number }>();
  private readonly byFile = new WeakMap<object, { mtim: bigint; size: bigint; shared: boolean; program: LoadedProgram; key: string }>();
  /** Estimated bytes of the programs held (programCost of each). */
  bytes = 0;

  /**
   * `preemption`: whether modules for the inline engine get preemption checks; `growSignal`:
   * whether each memory.grow tells the kernel of a refusal (see GROW_IMPORT).
   */
  constructor(private readonly table: readonly SyscallDef[], readonly budget = DEFAULT_PROGRAM_CACHE_BYTES, private readonly preemption = true, private readonly growSignal = true, private readonly outlineLoops = true) {}

  /** How many compiled programs it holds. */
  get size(): number {
    return this.compiled.size;
  }

  /**
   * The program for a file (its content's identity), recompiled only when its mtime or size changes.
   * ENOEXEC for a file larger than MAX_MODULE_BYTES (checked before reading it).
   */
  forFile(file: object, version: { mtim: bigint; size: bigint }, name: string, read: () => Uint8Array, shared: boolean): LoadedProgram {
    const cached = this.byFile.get(file);
    if (cached && cached.mtim === version.mtim && cached.size === version.size && cached.shared === shared && this.touch(cached.key)) return cached.program;
    if (version.size > BigInt(MAX_MODULE_BYTES)) throw new ProgramError(Errno.NOEXEC, `${name}: larger than the largest module the kernel loads (${MAX_MODULE_BYTES} bytes)`);
    const bytes = read();
    const key = digestKey(bytes, shared);
    const program = this.compile(bytes, name, shared, undefined, key);
    this.byFile.set(file, { mtim: version.mtim, size: version.size, shared, program, key });
    return program;
  }

  /**
   * Checks and compiles `bytes` (cached by content digest). `entry`: the export that will be called
   * (--invoke), checked instead of `_start`.
   */
  compile(bytes: Uint8Array, name: string, shared: boolean, entry?: string, key = digestKey(bytes, shared) + (entry === undefined ? "" : `:${entry}`)): LoadedProgram {
    const hit = this.compiled.get(key);
    if (hit) {
      this.touch(key);
      return hit.program.name === name ? hit.program : { ...hit.program, name };
    }
    const program = compileProgram(bytes, name, shared, this.table, entry, { preempt: this.preemption && !shared, outline: this.outlineLoops, growSignal: this.growSignal });
    const cost = programCost(bytes.length);
    this.compiled.set(key, { program, bytes: cost });
    this.bytes += cost;
    this.evict();
    return program;
  }

  /**
   * Checks and compiles `bytes` for one run, without hashing or keeping it: a CLI module run
   * compiles its module once, and a sha256 of a large module costs about as much as compiling it.
   * `consume`: the caller gives up `bytes` and its buffer's bytes before it (RewriteOptions.inPlace).
   */
  compileOnce(bytes: Uint8Array, name: string, shared: boolean, entry?: string, consume = false): Promise<LoadedProgram> {
    // Never reset for a next run either: the rewrite leaves out what a reset needs.
    return compileProgramAsync(bytes, name, shared, this.table, entry, { preempt: this.preemption && !shared, outline: this.outlineLoops, growSignal: this.growSignal, resettable: false, inPlace: consume });
  }

  /** Marks `key` most recently used; false when it was evicted. */
  private touch(key: string): boolean {
    const entry = this.compiled.get(key);
    if (!entry) return false;
    this.compiled.delete(key);
    this.compiled.set(key, entry);
    return true;
  }

  /** Drops least recently used programs until the held bytes fit the budget (the newest always stays). */
  private evict(): void {
    for (const [key, entry] of this.compiled) {
      if (this.bytes <= this.budget || this.compiled.size <= 1) break;
      this.compiled.delete(key);
      this.bytes -= entry.bytes;
    }
  }

  /** Forgets compiled modules (for memory experiments). */
  clear(): void {
    this.compiled.clear();
    this.bytes = 0;
  }
}

/** The cache key of a module: the sha256 of its bytes, and whether its memory is shared. */
function digestKey(bytes: Uint8Array, shared: boolean): string {
  // node:crypto is loaded on first use: a CLI module run (compileOnce) never hashes, and saves ~17 ms of start.
  return process.getBuiltinModule("node:crypto").createHash("sha256").update(bytes).digest("hex") + (shared ? ":shared" : "");
}

/**
 * Validates and compiles a module (a command, or one exporting `entry`); throws ProgramError with a
 * one-line reason. `preempt`: add the inline engine's preemption checks (a worker's thread can be
 * stopped from outside without them).
 */
export function compileProgram(bytes: Uint8Array, name: string, shared: boolean, table: readonly SyscallDef[], entry?: string, options: RewriteOptions = { preempt: !shared, growSignal: true }): LoadedProgram {
  const rewritten = prepareModule(bytes, name, shared, options);
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(rewritten.bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw invalidModule(name, e);
  }
  return loadedProgram(module, rewritten, name, table, entry);
}

/**
 * compileProgram with V8's asynchronous compile, which validates and compiles off the main thread:
 * a large module's first run (the CLI) waits less for it.
 */
export async function compileProgramAsync(bytes: Uint8Array, name: string, shared: boolean, table: readonly SyscallDef[], entry?: string, options: RewriteOptions = { preempt: !shared, growSignal: true }): Promise<LoadedProgram> {
  const rewritten = prepareModule(bytes, name, shared, options);
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(rewritten.bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw invalidModule(name, e);
  }
  return loadedProgram(module, rewritten, name, table, entry);
}

/** Checks a module's header and rewrites it for the kernel (ENOEXEC with a one-line reason). */
function prepareModule(bytes: Uint8Array, name: string, shared: boolean, options: RewriteOptions): ReturnType<typeof rewriteModule> {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new ProgramError(Errno.NOEXEC, `${name}: not a WebAssembly module (no \\0asm magic number)`);
  }
  if (isComponent(bytes)) {
    throw new ProgramError(Errno.NOEXEC, `${name}: a WebAssembly component, not a core module (kernel.run() and spawn load components; compile() takes core modules)`);
  }
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    const version = Buffer.from(bytes.subarray(4, 8)).readUInt32LE(0);
    throw new ProgramError(Errno.NOEXEC, `${name}: unsupported WebAssembly binary version ${version}`);
  }
  try {
    return rewriteModule(bytes, shared, MAX_PAGES, options);
  } catch (e) {
    throw new ProgramError(Errno.NOEXEC, `${name}: malformed WebAssembly module: ${(e as Error).message}`);
  }
}

/** V8's refusal of a module as ENOEXEC with its reason. */
function invalidModule(name: string, e: unknown): ProgramError {
  const msg = (e instanceof Error ? e.message : String(e)).replace(/^WebAssembly\.(Module\(\)|compile\(\)): /, "");
  return new ProgramError(Errno.NOEXEC, `${name}: invalid WebAssembly module: ${msg}`);
}

/** Checks a compiled module's imports and entry point against the kernel, and describes it. */
function loadedProgram(module: WebAssembly.Module, rewritten: ReturnType<typeof rewriteModule>, name: string, table: readonly SyscallDef[], entry?: string): LoadedProgram {
  const internal = [
    `${MEMORY_IMPORT.module}.${MEMORY_IMPORT.name}`,
    ...(rewritten.preemptible ? [`${PREEMPT_IMPORT.module}.${PREEMPT_IMPORT.name}`] : []),
    ...(rewritten.growSignal ? [`${GROW_IMPORT.module}.${GROW_IMPORT.name}`] : []),
  ];
  const { defs: imports, missing } = moduleSyscalls(module, table, internal);
  if (missing.length > 0) {
    throw new ProgramError(Errno.NOEXEC, `${name}: imports what the kernel does not provide: ${missing.join(", ")}`);
  }
  const exports = WebAssembly.Module.exports(module);
  if (entry !== undefined) {
    if (!exports.some((e) => e.kind === "function" && e.name === entry)) throw new ProgramError(Errno.NOEXEC, `${name}: exports no function ${entry}`);
  } else if (!exports.some((e) => e.kind === "function" && (e.name === "_start" || e.name === "main"))) {
    throw new ProgramError(Errno.NOEXEC, `${name}: exports no _start function (is it a WASI command?)`);
  }
  return {
    name, module, imports,
    memory: rewritten.memory ? { minimum: rewritten.memory.minimum, maximum: Math.min(rewritten.memory.maximum ?? MAX_PAGES, MAX_PAGES) } : null,
    reset: rewritten.reset,
    preemptible: rewritten.preemptible,
    growSignal: rewritten.growSignal,
  };
}
