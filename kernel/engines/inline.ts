// The inline engine: the guest runs on the kernel's thread and suspends at blocking syscalls
// with JSPI (WebAssembly.Suspending / promising). Calls that never block stay plain imports.
import { GuestMemory } from "../abi/memory.js";
import type { EngineHandle, Process } from "../proc/process.js";
import { bindSyscalls, InstanceContext } from "./imports.js";
import type { ReusableInstance } from "./instance-pool.js";
import { resultList, settle, type Invocation, type Engine, type EngineKernel, type LoadedProgram } from "./engine.js";
import { GROW_IMPORT, INITIAL_BUDGET, MEMORY_IMPORT, PREEMPT_IMPORT } from "./module-rewrite.js";
import { growImport } from "./grow.js";
import { preemptionPoint } from "./preempt.js";
import { SOCKET_MAKING_CALLS } from "../syscalls/sock.js";
import { WASI_MODULE } from "../syscalls/table.js";
import { FastIo } from "./fast-io.js";

interface Jspi {
  Suspending: new (fn: (...args: never) => unknown) => unknown;
  promising: (fn: unknown) => (...args: unknown[]) => Promise<unknown>;
}

/** Whether this runtime has JSPI with the standard API. */
export function hasJspi(): boolean {
  const wa = WebAssembly as unknown as Partial<Jspi>;
  return typeof wa.Suspending === "function" && typeof wa.promising === "function";
}

/**
 * The calls that may really block this process, and so must suspend the Wasm stack (each
 * suspending import costs about 0.2 us a call even when it does not suspend). fd_read and
 * fd_write can only block on an fd that can (a pipe end, a socket, a live input stream), and a process can
 * only come to hold one by inheriting it, by fd_pipe or by opening or accepting a socket: so when it starts with none and cannot
 * make a pipe, they stay plain imports.
 */
export function blockingCalls(proc: Process, program: LoadedProgram): Set<string> {
  const names = new Set<string>();
  let makesPipes = false;
  for (const def of program.imports) {
    if (def.mayBlock) names.add(def.name);
    if (def.name === "fd_pipe" || SOCKET_MAKING_CALLS.includes(def.name)) makesPipes = true;
  }
  if (!makesPipes && (names.has("fd_read") || names.has("fd_write"))) {
    let blockingRead = false;
    let blockingWrite = false;
    for (const [, entry] of proc.fds.entries()) {
      blockingRead ||= entry.file.canBlockRead();
      blockingWrite ||= entry.file.canBlockWrite();
    }
    if (!blockingRead) names.delete("fd_read");
    if (!blockingWrite) names.delete("fd_write");
  }
  return names;
}

/**
 * What an instance's imports were bound for, beyond its program: a pooled instance serves only a
 * process for which bindSyscalls() would build the same imports.
 */
function bindingKey(proc: Process, suspends: ReadonlySet<string>, maximumPages: number): string {
  const container = proc.container;
  const allowed = container.allowedSyscalls ? `${[...container.allowedSyscalls].sort().join(",")}:${container.refusedErrno}` : "*";
  return `${maximumPages}|${[...suspends].join(",")}|${container.limiter.timed ? "timed" : ""}|${allowed}`;
}

/**
 * What --invoke runs in place of `_start`: a reactor's `_initialize` (when exported), then the
 * export with its arguments; the results go to the invocation. `wrap` is JSPI's promising() when
 * some import may suspend (it takes only Wasm functions, so each export is wrapped on its own).
 */
function invoker(instance: WebAssembly.Instance, invoke: Invocation, wrap: Jspi["promising"] | null): () => unknown {
  const init = instance.exports._initialize;
  const fn = instance.exports[invoke.name];
  if (typeof fn !== "function") throw new Error(`the module exports no function ${invoke.name}`);
  if (!wrap) {
    return () => {
      if (typeof init === "function") init();
      invoke.results(resultList(fn(...invoke.args)));
    };
  }
  const call = wrap(fn);
  const first = typeof init === "function" ? wrap(init) : null;
  return async () => {
    if (first) await first();
    invoke.results(resultList(await call(...invoke.args)));
  };
}

export class InlineEngine implements Engine {
  readonly kind = "inline" as const;
  /** Every inline process's handle: a kill needs no engine action (the pending wait is rejected and the guest unwinds). */
  private readonly handle: EngineHandle = { kind: "inline", kill: () => undefined };

  constructor(private readonly kernel: EngineKernel) {}

  start(proc: Process, program: LoadedProgram): void {
    proc.inline = true;
    proc.engine = this.handle;
    const kernel = this.kernel;
    const suspends = blockingCalls(proc, program);
    const maximum = program.memory ? program.memory.maximum : 0;
    // A traced kernel's or process's imports print through its trace: those are not pooled.
    const key = program.reset && !program.invoke && !kernel.trace && !proc.trace && kernel.instancePool.capacity > 0 ? bindingKey(proc, suspends, maximum) : undefined;
    let live = key === undefined ? undefined : kernel.instancePool.take(program.module, key);
    if (live) live.ctx.attach(proc);
    else {
      live = this.instantiate(proc, program, suspends, maximum, key);
      if (!live) return;
    }
    const { ctx, memory, entry } = live;
    proc.memory = memory ?? undefined;
    proc.mem = ctx.mem;
    /** Settles the process, lets its instance go of it, and gives the instance (or its memory) back. */
    const ended = (outcome: { ok: true } | { ok: false; error: unknown }) => {
      settle(kernel, proc, program, outcome);
      ctx.detach();
      if (key !== undefined && kernel.instancePool.give(program.module, key, live)) return;
      if (memory && program.memory) kernel.memoryPool.give(memory, program.memory.minimum, maximum);
    };
    proc.host.scheduler.acquire(proc).then(() => {
      if (proc.killSignal !== undefined) return ended({ ok: false, error: undefined });
      let result: unknown;
      try {
        result = entry();
      } catch (error) {
        return ended({ ok: false, error });
      }
      if (!(result instanceof Promise)) return ended({ ok: true });
      return result.then(() => ended({ ok: true }), (error) => ended({ ok: false, error }));
    });
  }

  /**
   * A new instance of `program` for `proc`; with a pool key, its first state is captured for
   * reuse. Undefined when instantiation failed (the process has then ended).
   */
  private instantiate(proc: Process, program: LoadedProgram, suspends: ReadonlySet<string>, maximum: number, key: string | undefined): ReusableInstance | undefined {
    const jspi = WebAssembly as unknown as Jspi;
    const pool = this.kernel.memoryPool;
    const memory = program.memory ? pool.take(program.memory.minimum, maximum) : null;
    const ctx = new InstanceContext(proc, new GuestMemory(memory ?? new WebAssembly.Memory({ initial: 0 })));
    const imports: Record<string, Record<string, unknown>> = {};
    if (memory) {
      imports[MEMORY_IMPORT.module] = { [MEMORY_IMPORT.name]: memory };
      if (program.growSignal) imports[GROW_IMPORT.module]![GROW_IMPORT.name] = growImport(ctx, memory, maximum);
    }
    if (program.preemptible) imports[PREEMPT_IMPORT.module] = { [PREEMPT_IMPORT.name]: new jspi.Suspending(preemptionPoint(ctx, INITIAL_BUDGET)) };
    const bound = bindSyscalls(this.kernel, proc, ctx, program.imports, suspends);
    for (const { def, fn } of bound) {
      (imports[def.module] ??= {})[def.name] = suspends.has(def.name) ? new jspi.Suspending(fn) : fn;
    }
    // Preads and pwrites on host files go to node:wasi through a dispatcher once the kernel has vetted the fd.
    if (memory) {
      ctx.fastIo = FastIo.create(this.kernel.fastIo, proc, memory, bound, this.kernel.trace !== undefined);
      if (ctx.fastIo) Object.assign(imports[WASI_MODULE]!, ctx.fastIo.exports);
    }
    try {
      const instance = new WebAssembly.Instance(program.module, imports as WebAssembly.Imports);
      const exported = instance.exports.memory;
      if (!memory && exported instanceof WebAssembly.Memory) ctx.mem = new GuestMemory(exported);
      // A program none of whose calls can block here and without preemption checks never
      // suspends: it runs as a plain call, without the new stack that promising() sets up.
      const wrap = suspends.size > 0 || program.preemptible ? jspi.promising : null;
      const start = instance.exports._start ?? instance.exports.main;
      if (!program.invoke && typeof start !== "function") throw new Error("the module exports no _start function");
      const entry = program.invoke ? invoker(instance, program.invoke, wrap) : wrap ? wrap(start) : (start as () => unknown);
      const own = memory ?? (exported instanceof WebAssembly.Memory ? exported : null);
      if (key !== undefined && program.reset) return this.kernel.instancePool.capture(program.module, program.reset, instance, own, ctx, entry);
      return { memory: own, bytes: null, ctx, entry, globals: [], tables: [] };
    } catch (error) {
      settle(this.kernel, proc, program, { ok: false, error });
      ctx.detach();
      if (memory && program.memory) pool.give(memory, program.memory.minimum, maximum);
      return undefined;
    }
  }
}
