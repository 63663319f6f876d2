// THE syscall table: one declarative entry per call, and the one dispatch path built from it.
// Import objects, --trace, the per-container allow-list and `wasmbox syscalls` all derive from here.
import type { GuestMemory } from "../abi/memory.js";
import type { ParamKind, ResultKind, WasmType } from "../abi/types.js";
import type { Process } from "../proc/process.js";
import { Wait } from "../proc/wait.js";
import { prebuiltDispatcher } from "./prebuilt-dispatchers.js";

export const WASI_MODULE = "wasi_snapshot_preview1";

/** One named parameter of a call: its name and the kind that decodes it. */
export type Param = readonly [string, ParamKind<unknown>];

/** The decoded values a handler gets for a list of parameters, in order: each kind's value type. */
export type DecodedArgs<Ps extends readonly Param[]> = { [I in keyof Ps]: Ps[I] extends readonly [string, ParamKind<infer T>] ? T : never };

/**
 * What a handler may return: the result's value (written through the out-pointers; nothing for a
 * call without a result), or a Wait when the call must sleep and be tried again.
 */
export type HandlerReturn<R> = R | Wait;

/** One system call, as declared: the handler's arguments and return derive from its parameter and result kinds. */
export interface SyscallSpec<Ps extends readonly Param[], R> {
  readonly name: string;
  readonly module: string;
  readonly params: Ps;
  readonly result?: ResultKind<R>;
  /** Whether the handler may return a Wait (and so the guest may have to wait). */
  readonly mayBlock: boolean;
  /** proc_exit: no errno is returned, the call never comes back. */
  readonly noReturn?: boolean;
  /** Gets decoded values; returns the result value (or a Wait); errors are thrown as SysError. */
  readonly handler: (proc: Process, ...args: DecodedArgs<Ps>) => HandlerReturn<R>;
  readonly doc: string;
}

/**
 * One system call in the table, its types erased (the table holds calls of every signature); the
 * only caller of its handler is its generated dispatcher, which decodes with the same kinds.
 */
export interface SyscallDef {
  readonly name: string;
  readonly module: string;
  readonly params: readonly Param[];
  readonly result?: ResultKind<unknown>;
  readonly mayBlock: boolean;
  readonly noReturn?: boolean;
  readonly handler: (proc: Process, ...args: never) => unknown;
  readonly doc: string;
}

/** Declares a syscall: checks the handler against its kinds, then gives the table's erased entry. */
export function syscall<const Ps extends readonly Param[], R = void>(spec: SyscallSpec<Ps, R>): SyscallDef {
  return spec;
}

/** The Wasm parameter types of a call, as a guest declares its import. */
export function wasmParams(def: SyscallDef): WasmType[] {
  return [...def.params.flatMap(([, kind]) => kind.wasm), ...(def.result?.wasm ?? [])];
}

/** The call's signature as a human reads it: `fd_write(fd: fd, iovs: iovecs) -> size`. */
export function signature(def: SyscallDef): string {
  const params = def.params.map(([name, kind]) => `${name}: ${kind.name}`).join(", ");
  return `${def.name}(${params})` + (def.noReturn ? " -> !" : def.result ? ` -> errno, ${def.result.name}` : " -> errno");
}

/** The context a dispatcher needs from the process it serves. */
export interface SyscallContext {
  readonly proc: Process;
  /** The guest's memory (set once the instance exists). */
  mem: GuestMemory;
  /** Whether the caller should give up the CPU at this blocking-capable call. */
  preempt(): boolean;
}

/** Turns anything a handler threw into an errno, or rethrows what must unwind the guest. */
export type FailFn = (error: unknown) => number;

/**
 * Parks the caller on a Wait and then calls `again` (the whole call once more, or the Wait's
 * resume), until it gives a value, which `done` writes out. Settles with the errno.
 */
export type BlockFn = (wait: Wait, again: () => unknown, done: (value: unknown) => number) => Promise<number>;

/**
 * Builds the guest-callable function for one entry: decode the raw arguments, call the handler,
 * write the result through the out-pointers, return the errno. Generated once per entry and
 * process so that the hot path is a straight-line function V8 can inline.
 */
export function makeDispatcher(
  def: SyscallDef, ctx: SyscallContext, fail: FailFn, block: BlockFn, factories: DispatcherFactories, suspends = def.mayBlock,
): (...raw: number[]) => unknown {
  return factories.get(def, suspends)(ctx, def.handler, fail, block, def.result, Wait, YIELD, ...def.params.map(([, kind]) => kind));
}

/** A generated dispatcher factory: given the parts (see makeDispatcher), the guest-callable function. */
export type DispatcherFactory = (...parts: unknown[]) => (...raw: number[]) => unknown;

/**
 * The generated dispatcher factories, one per table entry and mode, kept by a kernel so that each
 * is compiled once. A plain-mode dispatcher of a may-block call treats a Wait as a kernel bug: it
 * is only used where the engine proved the call cannot block.
 */
export class DispatcherFactories {
  private readonly suspending = new WeakMap<SyscallDef, DispatcherFactory>();
  private readonly plain = new WeakMap<SyscallDef, DispatcherFactory>();

  get(def: SyscallDef, suspends: boolean): DispatcherFactory {
    const cache = suspends ? this.suspending : this.plain;
    let factory = cache.get(def);
    if (!factory) {
      // The CLI's bundle carries the kernel table's factories made at build time (prebuilt-dispatchers.ts):
      // compiled from the bundle's code cache, where new Function parses and compiles at each start.
      factory = prebuiltDispatcher(dispatcherKey(def, suspends)) ?? dispatcherFactory(def, suspends);
      cache.set(def, factory);
    }
    return factory;
  }
}

/**
 * What a dispatcher's source depends on, as one string: the call's name, each parameter's and the
 * result's number of Wasm values, and the mode. Two entries with one key have the same dispatcher source.
 */
export function dispatcherKey(def: SyscallDef, suspends: boolean): string {
  const params = def.params.map(([, kind]) => kind.wasm.length).join(",");
  return `${def.name}/${params}/${def.result ? def.result.wasm.length : "-"}/${suspends ? "suspends" : def.mayBlock ? "plain-may-block" : "plain"}`;
}

/** The parameter names and body of the dispatcher factory for one entry and mode (dispatcherFactory compiles them). */
export function dispatcherSource(def: SyscallDef, suspends: boolean): { params: string[]; body: string } {
  const decoders = def.params.map(([, kind]) => kind);
  let argIndex = 0;
  const decoded: string[] = [];
  decoders.forEach((kind, i) => {
    const raws = kind.wasm.map(() => `a${argIndex++}`);
    decoded.push(`d${i}.decode(mem, ${raws.join(", ")})`);
  });
  const outs = (def.result?.wasm ?? []).map(() => `a${argIndex++}`);
  const rawNames = Array.from({ length: argIndex }, (_, i) => `a${i}`);
  const call = `handler(ctx.proc${decoded.length ? ", " + decoded.join(", ") : ""})`;
  const write = def.result ? `out.encode(mem, v, ${outs.join(", ")}); ` : "";
  const body = [
    `return function ${def.name}(${rawNames.join(", ")}) {`,
    `  const mem = ctx.mem;`,
    `  ctx.proc.host.current = ctx.proc;`,
    `  try {`,
    suspends ? `    if (ctx.preempt()) return block(YIELD, () => ${call}, (v) => { ${write}return 0; });` : ``,
    `    const v = ${call};`,
    suspends ? `    if (v instanceof Wait) return block(v, () => ${call}, (v) => { ${write}return 0; });` : ``,
    !suspends && def.mayBlock ? `    if (v instanceof Wait) throw new Error("kernel bug: ${def.name} had to wait where it cannot block");` : ``,
    `    ${write}return 0;`,
    `  } catch (e) { return fail(e); }`,
    `};`,
  ].join("\n");
  return { params: ["ctx", "handler", "fail", "block", "out", "Wait", "YIELD", ...decoders.map((_, i) => `d${i}`)], body };
}

function dispatcherFactory(def: SyscallDef, suspends: boolean): DispatcherFactory {
  const { params, body } = dispatcherSource(def, suspends);
  return new Function(...params, body) as DispatcherFactory;
}

/** A Wait that is over at once: used to give the CPU to others when a slice is used up. */
const YIELD = new Wait(Promise.resolve());
