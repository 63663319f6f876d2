// Builds a process's syscall functions from the table: the one dispatch path, plus the
// allow-list (refused calls are recorded) and --trace (strace-like lines) wrapped around it.
import { SIGSYS } from "../abi/wasmbox-abi.js";
import { nameOfErrno, SysError } from "../errno.js";
import type { GuestMemory } from "../abi/memory.js";
import type { Process } from "../proc/process.js";
import { ProcExit, ProcKilled, type Wait } from "../proc/wait.js";
import { errnoName, traceClockUs, type TraceSink } from "../proc/trace-sink.js";
import { makeDispatcher, type SyscallContext, type SyscallDef } from "../syscalls/table.js";
import type { EngineKernel } from "./engine.js";
import type { FastIo } from "./fast-io.js";

/** One import a module asks for, resolved to its syscall. */
export interface BoundImport {
  def: SyscallDef;
  fn: (...raw: number[]) => unknown;
}

/** What a handler threw that must end the guest rather than become an errno. */
export function isUnwind(error: unknown): boolean {
  return error instanceof ProcExit || error instanceof ProcKilled;
}

/**
 * Builds the dispatcher of each syscall in `defs` (a program's imports), in the same order.
 * `suspends` names the may-block calls that really may block here (default: all of them).
 */
export function bindSyscalls(
  kernel: Pick<EngineKernel, "dispatchers" | "trace" | "reportBug">, proc: Process, ctx: SyscallContext, defs: readonly SyscallDef[], suspends?: ReadonlySet<string>,
): BoundImport[] {
  // The functions reach the process through `ctx` only, so that a detached InstanceContext lets it go.
  const { container } = proc;
  const fail = (error: unknown): number => {
    const self = ctx.proc;
    // A call that failed may have signalled its own caller to death (EPIPE brings SIGPIPE).
    if (self.killSignal !== undefined) throw new ProcKilled(self.killSignal);
    if (error instanceof SysError) return error.errno;
    if (isUnwind(error)) throw error;
    kernel.reportBug(self, error);
    throw error;
  };
  const block = (wait: Wait, again: () => unknown, done: (v: unknown) => number) =>
    ctx.proc.block(wait, (w) => retry(ctx.proc, w, again), done, fail);
  const bound: BoundImport[] = [];
  for (const def of defs) {
    let fn: (...raw: number[]) => unknown;
    if (container.allowedSyscalls && !container.allowedSyscalls.has(def.name)) {
      const errno = container.refusedErrno;
      fn = () => {
        ctx.proc.container.refusedCalls.push(def.name);
        if (def.noReturn) throw new ProcKilled(SIGSYS);
        return errno;
      };
    } else {
      fn = makeDispatcher(def, ctx, fail, block, kernel.dispatchers, suspends ? suspends.has(def.name) : def.mayBlock);
    }
    if (container.limiter.timed) fn = timeLimited(fn, ctx);
    if (kernel.trace) fn = traced(def, fn, ctx, kernel.trace);
    if (proc.trace) fn = recorded(def, fn, ctx, proc.trace);
    bound.push({ def, fn });
  }
  return bound;
}

/**
 * The context of an inline instance, which outlives its process: a pooled memory keeps a weak
 * list of the instances that used it (which V8's young-generation GC treats as strong), and a
 * reset instance serves the next process of its program. Detached, it keeps only the
 * dispatchers, not the process, its container and files.
 */
export class InstanceContext implements SyscallContext {
  private served: Process | null;
  /** The instance's fast path for host-file preads and pwrites, if it has one: it follows the process served. */
  fastIo: FastIo | null = null;

  constructor(proc: Process, public mem: GuestMemory) {
    this.served = proc;
  }

  /** The process served; a call into a detached instance is a kernel bug. */
  get proc(): Process {
    if (this.served === null) throw new Error("kernel bug: a syscall into an instance whose process has ended");
    return this.served;
  }

  /** Whether the caller should give up the CPU: its slice is used up and others wait. */
  preempt(): boolean {
    const proc = this.proc;
    return proc.host.scheduler.shouldYield(proc);
  }

  /** Lets go of the process, once no guest code can call in again. */
  detach(): void {
    this.fastIo?.detach();
    this.served = null;
  }

  /** Points a detached context (of a reused instance) at the process it now serves. */
  attach(proc: Process): void {
    this.served = proc;
    this.fastIo?.attach(proc);
  }
}

/** Checks the container's CPU and wall-clock limits at each syscall: past one, the whole container is killed. */
function timeLimited(fn: (...raw: number[]) => unknown, ctx: SyscallContext): (...raw: number[]) => unknown {
  return (...raw: number[]) => {
    const proc = ctx.proc;
    proc.container.limiter.enforceTime(proc, proc.host.scheduler);
    return fn(...raw);
  };
}

function traced(def: SyscallDef, fn: (...raw: number[]) => unknown, ctx: SyscallContext, out: (line: string) => void): (...raw: number[]) => unknown {
  return (...raw: number[]) => {
    const proc = ctx.proc;
    const args = describeArgs(def, proc, raw);
    const head = `[${proc.pid}] ${def.name}(${args})`;
    const show = (r: unknown) => {
      const errno = typeof r === "number" ? r : 0;
      out(`${head} = ${errno === 0 ? "0" : `${errno} (${nameOfErrno(errno) ?? "?"})`}`);
      return r;
    };
    try {
      const r = fn(...raw);
      if (r instanceof Promise) {
        out(`${head} <blocked>`);
        return r.then(show, (e) => {
          out(`${head} = ${describeUnwind(e)}`);
          throw e;
        });
      }
      return show(r);
    } catch (e) {
      out(`${head} = ${describeUnwind(e)}`);
      throw e;
    }
  };
}

/**
 * Records each call into a trace sink (proc_trace): pid, start (us), duration (us), name,
 * arguments, then errno and value: "0" and the result read back, an errno and its name, "blocked"
 * when the call sleeps (its end follows as another record), or "exit"/"killed" when it unwinds.
 */
function recorded(def: SyscallDef, fn: (...raw: number[]) => unknown, ctx: SyscallContext, sink: TraceSink): (...raw: number[]) => unknown {
  const { strsize } = sink.options;
  return (...raw: number[]) => {
    const proc = ctx.proc;
    const start = traceClockUs();
    const args = describeArgs(def, proc, raw, strsize, -1);
    const done = (r: unknown) => {
      const errno = typeof r === "number" ? r : 0;
      let value = "";
      if (errno !== 0) value = errnoName(errno);
      else if (def.result?.decode) {
        try {
          value = String(resultValue(def, proc, raw));
        } catch {
          value = "?";
        }
      }
      // A read's buffers are cut to the count it returned; others (prestat_dir_name) are shown whole.
      const count = value === "" ? Infinity : Number(value);
      const after = strsize > 0 && errno === 0 && fillsBuffers(def) ? describeArgs(def, proc, raw, strsize, Number.isFinite(count) ? count : Infinity) : args;
      sink.record([proc.pid, start, traceClockUs() - start, def.name, after, errno, value]);
      return r;
    };
    const unwound = (e: unknown) => {
      const [kind, value] = e instanceof ProcExit ? ["exit", e.code] : e instanceof ProcKilled ? ["killed", e.signal] : ["error", e instanceof Error ? e.message : String(e)];
      sink.record([proc.pid, start, traceClockUs() - start, def.name, args, kind, value]);
      throw e;
    };
    try {
      const r = fn(...raw);
      if (r instanceof Promise) {
        sink.record([proc.pid, start, 0, def.name, args, "blocked", ""]);
        return r.then(done, unwound);
      }
      return done(r);
    } catch (e) {
      return unwound(e);
    }
  };
}

/** The value a call wrote through its out-pointers (the raw arguments after its parameters). */
function resultValue(def: SyscallDef, proc: Process, raw: readonly number[]): string {
  const result = def.result!;
  const at = def.params.reduce((n, [, kind]) => n + kind.wasm.length, 0);
  return result.format(result.decode!(proc.mem, ...raw.slice(at, at + result.wasm.length)));
}

/** Calls whose buffer parameters the kernel fills (shown after the call, cut to the count read). */
function fillsBuffers(def: SyscallDef): boolean {
  return def.params.some(([, kind]) => kind.name === "buf") || /read|recv/.test(def.name);
}

/** Bytes as strace quotes them: C escapes, octal for the rest, cut at `max` with "..." after. */
export function quoteBytes(bytes: Uint8Array, max: number): string {
  let text = "\"";
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c === 0x22 || c === 0x5c) text += "\\" + String.fromCharCode(c);
    else if (c === 0x0a) text += "\\n";
    else if (c === 0x09) text += "\\t";
    else if (c === 0x0d) text += "\\r";
    else if (c >= 0x20 && c < 0x7f) text += String.fromCharCode(c);
    else {
      const next = i + 1 < n ? bytes[i + 1]! : 0;
      const octal = c.toString(8);
      text += "\\" + (next >= 0x30 && next <= 0x37 ? octal.padStart(3, "0") : octal);
    }
  }
  return text + "\"" + (bytes.length > max ? "..." : "");
}

function describeUnwind(e: unknown): string {
  if (e instanceof ProcExit) return `? (exit ${e.code})`;
  if (e instanceof ProcKilled) return `? (killed by signal ${e.signal})`;
  return `? (${e instanceof Error ? e.message : String(e)})`;
}

/**
 * Arguments decoded by type, as strace prints them; undecodable ones shown raw. With `strsize`,
 * data buffers are shown as quoted strings of up to that many bytes; `filled` is then the count a
 * read gave (-1: before the call, when a buffer the kernel fills shows only its size).
 */
function describeArgs(def: SyscallDef, proc: Process, raw: readonly number[], strsize = 0, filled = -1): string {
  const parts: string[] = [];
  let i = 0;
  const fills = strsize > 0 && fillsBuffers(def);
  for (const [name, kind] of def.params) {
    const slice = raw.slice(i, i + kind.wasm.length) as number[];
    i += kind.wasm.length;
    let text: string;
    try {
      const shown = strsize > 0 && (kind.name === "iovecs" || kind.name === "bytes" || kind.name === "buf") && (!fills || filled >= 0);
      if (shown) text = quoteBuffers(kind.decode(proc.mem, ...slice) as Uint8Array | Uint8Array[], fills ? filled : Infinity, strsize);
      else text = kind.name === "buf" ? `0x${(slice[0] >>> 0).toString(16)}[${slice[1] >>> 0}]` : kind.format(kind.decode(proc.mem, ...slice), slice);
    } catch {
      text = slice.map((v) => String(v)).join(",") + " <bad>";
    }
    parts.push(`${name}=${text}`);
  }
  return parts.join(", ");
}

/** Buffers (one, or an iovec list) quoted as one string of their first `count` bytes. */
function quoteBuffers(value: Uint8Array | Uint8Array[], count: number, strsize: number): string {
  const list = value instanceof Uint8Array ? [value] : value;
  const total = Math.min(count, list.reduce((n, b) => n + b.length, 0));
  const joined = new Uint8Array(Math.min(total, strsize + 1));
  let at = 0;
  for (const b of list) {
    if (at >= joined.length) break;
    const part = b.subarray(0, joined.length - at);
    joined.set(part, at);
    at += part.length;
  }
  return quoteBytes(joined.subarray(0, Math.min(total, strsize)), strsize) + (total > strsize ? "..." : "") + `[${total}]`;
}

/**
 * The table's entries `module` imports, in import order, and as "module.name" (with its kind when not
 * a function) the imports that neither the table nor the engine (`internal`: the rewrite's own) satisfy.
 */
export function moduleSyscalls(module: WebAssembly.Module, table: readonly SyscallDef[], internal: readonly string[]): { defs: SyscallDef[]; missing: string[] } {
  const known = new Map(table.map((d) => [`${d.module}.${d.name}`, d]));
  const defs: SyscallDef[] = [];
  const missing: string[] = [];
  for (const imp of WebAssembly.Module.imports(module)) {
    const key = `${imp.module}.${imp.name}`;
    if (internal.includes(key)) continue;
    const def = imp.kind === "function" ? known.get(key) : undefined;
    if (def) defs.push(def);
    else missing.push(imp.kind === "function" ? key : `${key} (${imp.kind})`);
  }
  return { defs, missing };
}

/** A blocked call made again once its wait is over: others made calls meanwhile, so the kernel's current process is set back first. */
function retry(proc: Process, wait: Wait, again: () => unknown): unknown {
  proc.host.current = proc;
  return wait.resume ? wait.resume() : again();
}
