// The inline engine: the guest runs on the kernel's thread and suspends at blocking syscalls
// with JSPI (WebAssembly.Suspending / promising). Calls that never block stay plain imports.
import { GuestMemory } from "../abi/memory.js";
import type { Process } from "../proc/process.js";
import { bindSyscalls } from "./imports.js";
import { settle, type Engine, type LoadedProgram } from "./engine.js";
import { MEMORY_IMPORT } from "./memory-import.js";

interface Jspi {
  Suspending: new (fn: (...args: any[]) => unknown) => unknown;
  promising: (fn: unknown) => (...args: unknown[]) => Promise<unknown>;
}

/** Whether this runtime has JSPI with the standard API. */
export function hasJspi(): boolean {
  const wa = WebAssembly as unknown as Partial<Jspi>;
  return typeof wa.Suspending === "function" && typeof wa.promising === "function";
}

export class InlineEngine implements Engine {
  readonly kind = "inline" as const;

  start(proc: Process, program: LoadedProgram): void {
    const jspi = WebAssembly as unknown as Jspi;
    proc.inline = true;
    proc.engine = { kind: "inline", kill: () => undefined };
    const memory = program.memory ? new WebAssembly.Memory({ initial: program.memory.minimum, maximum: program.memory.maximum }) : null;
    const ctx = {
      proc,
      mem: new GuestMemory(memory ?? new WebAssembly.Memory({ initial: 0 })),
      preempt: () => proc.kernel.scheduler.shouldYield(proc),
    };
    const imports: Record<string, Record<string, unknown>> = {};
    if (memory) imports[MEMORY_IMPORT.module] = { [MEMORY_IMPORT.name]: memory };
    for (const [key, { def, fn }] of bindSyscalls(proc, ctx, proc.kernel.syscalls)) {
      const dot = key.indexOf(".");
      (imports[key.slice(0, dot)] ??= {})[def.name] = def.mayBlock ? new jspi.Suspending(fn) : fn;
    }
    let entry: (...args: unknown[]) => Promise<unknown>;
    try {
      const instance = new WebAssembly.Instance(program.module, imports as WebAssembly.Imports);
      const exported = instance.exports.memory;
      if (!memory && exported instanceof WebAssembly.Memory) ctx.mem = new GuestMemory(exported);
      proc.memory = memory ?? (exported instanceof WebAssembly.Memory ? exported : undefined);
      proc.mem = ctx.mem;
      const start = instance.exports._start ?? instance.exports.main;
      if (typeof start !== "function") throw new Error("the module exports no _start function");
      entry = jspi.promising(start);
    } catch (error) {
      settle(proc, program, { ok: false, error });
      return;
    }
    proc.kernel.scheduler.acquire(proc).then(() => {
      if (proc.killSignal !== undefined) return settle(proc, program, { ok: false, error: undefined });
      return entry().then(
        () => settle(proc, program, { ok: true }),
        (error) => settle(proc, program, { ok: false, error }),
      );
    });
  }
}
