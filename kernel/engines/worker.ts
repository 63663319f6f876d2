// The worker engine: one worker_thread per process; its syscalls reach the kernel synchronously
// through a SharedArrayBuffer and Atomics.wait, and are run by the same dispatchers as inline.
import { availableParallelism, loadavg } from "node:os";
import { Worker } from "node:worker_threads";
import { GuestMemory } from "../abi/memory.js";
import type { Process } from "../proc/process.js";
import { wasmParams } from "../syscalls/table.js";
import { bindSyscalls } from "./imports.js";
import { resultList, settle, type Engine, type LoadedProgram } from "./engine.js";
import { MEMORY_IMPORT, PREEMPT_IMPORT } from "./module-rewrite.js";

/** Control block layout (Int32 slots): state, call index, result, may-spin; then 8-byte argument slots. */
const STATE = 0;
const CALL = 1;
const RESULT = 2;
/** 1 while the machine seems to have a core for each side of a call, 0 when it does not: the worker then never spins. */
const MAY_SPIN = 3;
const ARGS_SLOT = 2; // first BigInt64 slot (byte 16)
const MAX_ARGS = 16;
/** How long the kernel thread spins waiting for a chatty guest's next call (ms). */
const SPIN_WAIT_MS = 0.05;
/**
 * After a spin that timed out, how many requests go through the event loop before spinning again:
 * doubled at each spin in a row that did not pay off (up to the maximum), reset when one does.
 */
const SPIN_BACKOFF_MIN = 16;
const SPIN_BACKOFF_MAX = 4096;
/** How often the kernel thread looks at the load average (ms). */
const LOAD_CHECK_MS = 500;
const REQUEST = 1;
const RESPONSE = 2;
/** The process has ended: no more requests are served (the worker parks until terminated). */
const ENDED = 3;

/** Busy-waits up to `ms` while the state is `value`; whether it changed. */
function spinWhile(i32: Int32Array, value: number, ms: number): boolean {
  const until = performance.now() + ms;
  for (;;) {
    for (let i = 0; i < 200; i++) if (Atomics.load(i32, STATE) !== value) return true;
    if (performance.now() > until) return false;
  }
}

/** The code a worker runs (self-contained: it is sent as source text). */
function workerMain(): void {
  const { workerData, parentPort } = require("node:worker_threads") as typeof import("node:worker_threads");
  const { module, memory, control, calls, memoryImport, preemptImport, invoke } = workerData;
  const i32 = new Int32Array(control);
  const i64 = new BigInt64Array(control);
  const imports: Record<string, Record<string, unknown>> = {};
  if (memory) imports[memoryImport.module] = { [memoryImport.name]: memory };
  // Spinning pays only while the kernel thread runs at the same time: after a spin that ran out,
  // the next `skip` calls sleep at once, `skip` doubling (up to 4096 calls) until a spin pays again.
  let skip = 0;
  let skipNext = 1;
  // A worker can be stopped from outside: preemption checks (if any) get a budget that never ends.
  imports[preemptImport.module] = { [preemptImport.name]: () => 0x7fffffff };
  calls.forEach((call: { module: string; name: string; types: string[] }, index: number) => {
    const types = call.types;
    (imports[call.module] ??= {})[call.name] = (...args: Array<number | bigint>) => {
      for (let k = 0; k < types.length; k++) {
        if (types[k] === "i64") i64[2 + k] = args[k] as bigint;
        else i32[4 + 2 * k] = args[k] as number;
      }
      i32[1] = index;
      Atomics.store(i32, 0, 1);
      Atomics.notify(i32, 0);
      // The kernel usually answers within microseconds: spin briefly before sleeping, since
      // waking a sleeping thread costs tens of microseconds on an idle machine; but not when the
      // kernel says the machine has no core to spare (slot 3), nor right after spins that ran out.
      // A wait can end early: the kernel's notify for the previous answer may come late, once
      // this request is already posted. So sleep until the state itself changes, never trusting a
      // wake-up alone.
      if (skip > 0) skip--;
      else if (Atomics.load(i32, 3) === 1) {
        for (let spin = 0; spin < 4000 && Atomics.load(i32, 0) === 1; spin++);
        if (Atomics.load(i32, 0) === 1) {
          skip = skipNext;
          skipNext = Math.min(skipNext * 2, 4096);
        } else skipNext = 1;
      }
      while (Atomics.load(i32, 0) === 1) Atomics.wait(i32, 0, 1);
      if (Atomics.load(i32, 0) === 3) Atomics.wait(i32, 0, 3); // ended: park until terminated
      return i32[2];
    };
  });
  try {
    const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
    if (invoke) {
      // --invoke: a reactor's _initialize first, then the export; its results go back with "done".
      const init = instance.exports._initialize as (() => void) | undefined;
      const fn = instance.exports[invoke.name] as ((...args: Array<number | bigint>) => unknown) | undefined;
      if (typeof fn !== "function") throw new Error(`the module exports no function ${invoke.name}`);
      if (typeof init === "function") init();
      const value = fn(...invoke.args);
      parentPort!.postMessage({ done: true, results: Array.isArray(value) ? value : value === undefined ? [] : [value] });
      return;
    }
    const start = (instance.exports._start ?? instance.exports.main) as () => void;
    if (typeof start !== "function") throw new Error("the module exports no _start function");
    start();
    parentPort!.postMessage({ done: true });
  } catch (error) {
    const e = error as Error;
    parentPort!.postMessage({ done: false, name: e?.name, message: String(e?.message ?? e), stack: String(e?.stack ?? "") });
  }
}

/** An error from the worker, rebuilt on the kernel's side. */
class GuestTrap extends Error {
  constructor(name: string, message: string, stack: string) {
    super(message);
    this.name = name;
    this.stack = stack;
  }
}

export class WorkerEngine implements Engine {
  readonly kind = "worker" as const;
  /** Processes of this engine whose worker is running; the kernel thread only spins for a lone one. */
  private running = 0;
  private readonly cores = availableParallelism();

  /**
   * Whether a spinning pair of threads (the kernel's and a worker's) can both be on a core: the
   * 1-minute load average, which counts this pair too, is at most the number of cores (plus a
   * half for noise). Read every LOAD_CHECK_MS at most; Windows has no load average (0): spin there.
   */
  private coresToSpare(): boolean {
    return loadavg()[0] <= this.cores + 0.5;
  }

  start(proc: Process, program: LoadedProgram): void {
    proc.inline = false;
    const memory = program.memory
      ? new WebAssembly.Memory({ initial: program.memory.minimum, maximum: proc.kernel.memoryMaxPages(proc.container, program), shared: true } as WebAssembly.MemoryDescriptor)
      : null;
    const control = new SharedArrayBuffer(16 + MAX_ARGS * 8);
    const i32 = new Int32Array(control);
    const i64 = new BigInt64Array(control);
    i32[MAY_SPIN] = this.coresToSpare() ? 1 : 0;
    const ctx = { proc, mem: new GuestMemory(memory ?? new WebAssembly.Memory({ initial: 0 })), preempt: () => false };
    proc.memory = memory ?? undefined;
    proc.mem = ctx.mem;
    const calls = bindSyscalls(proc, ctx, program.imports).map(({ def, fn }) => ({
      module: def.module, name: def.name, types: wasmParams(def), def, fn: fn as (...raw: unknown[]) => unknown,
    }));
    const worker = new Worker(`(${workerMain.toString()})()`, {
      eval: true,
      workerData: { module: program.module, memory, control, memoryImport: MEMORY_IMPORT, preemptImport: PREEMPT_IMPORT, calls: calls.map(({ module, name, types }) => ({ module, name, types })),
        invoke: program.invoke ? { name: program.invoke.name, args: program.invoke.args } : undefined },
      stdout: false,
      stderr: false,
    });
    let finished = false;
    this.running++;
    const end = (outcome: { ok: true } | { ok: false; error: unknown }) => {
      if (finished) return;
      finished = true;
      this.running--;
      // Wakes the serve loop if it sleeps on the control block, so no waiter outlives the process.
      Atomics.store(i32, STATE, ENDED);
      Atomics.notify(i32, STATE);
      settle(proc, program, outcome);
      void worker.terminate();
    };
    proc.engine = { kind: "worker", kill: () => end({ ok: false, error: undefined }) };
    worker.on("message", (msg: { done: boolean; results?: unknown; name?: string; message?: string; stack?: string }) => {
      if (msg.done && program.invoke) program.invoke.results(resultList(msg.results));
      end(msg.done ? { ok: true } : { ok: false, error: new GuestTrap(msg.name ?? "Error", msg.message ?? "", msg.stack ?? "") });
    });
    worker.on("error", (error) => end({ ok: false, error }));
    worker.on("exit", () => end({ ok: false, error: new Error("the worker exited unexpectedly") }));

    let resumedAt = performance.now();
    // A chatty guest's next request usually comes within microseconds: spin for it right here
    // instead of through the event loop, whose wake-up costs 10-50 us. Only while it is the one
    // worker process running (with several, the kernel thread must serve them all), while the
    // machine has a core for each side, and when a spin times out the guest is computing (or its
    // thread is not running): back off to the event loop, longer at each spin in a row that ran out.
    let backoff = 0;
    let backoffNext = SPIN_BACKOFF_MIN;
    let loadCheckedAt = performance.now();
    const serve = async (): Promise<void> => {
      while (!finished) {
        const state = Atomics.load(i32, STATE);
        if (state !== REQUEST) {
          if (state === RESPONSE && backoff === 0 && this.running === 1 && i32[MAY_SPIN] === 1) {
            if (spinWhile(i32, RESPONSE, SPIN_WAIT_MS)) {
              backoffNext = SPIN_BACKOFF_MIN;
              continue;
            }
            backoff = backoffNext;
            backoffNext = Math.min(backoffNext * 2, SPIN_BACKOFF_MAX);
          }
          const waiting = Atomics.waitAsync(i32, STATE, state);
          if (waiting.async) await waiting.value;
          continue;
        }
        if (backoff > 0) backoff--;
        proc.kernel.scheduler.charge(proc, performance.now() - resumedAt);
        // A paused container's worker waits in its syscall until unpause (docker pause).
        if (proc.container.paused) await proc.kernel.scheduler.acquire(proc);
        if (finished) return;
        const call = calls[i32[CALL]];
        const args = call.types.map((t, k) => (t === "i64" ? i64[ARGS_SLOT + k] : i32[4 + 2 * k]));
        let result: unknown;
        try {
          result = call.fn(...args);
          if (result instanceof Promise) result = await result;
        } catch (error) {
          end({ ok: false, error });
          return;
        }
        if (finished) return;
        i32[RESULT] = typeof result === "number" ? result : 0;
        resumedAt = performance.now();
        if (resumedAt - loadCheckedAt > LOAD_CHECK_MS) {
          loadCheckedAt = resumedAt;
          Atomics.store(i32, MAY_SPIN, this.coresToSpare() ? 1 : 0);
        }
        Atomics.store(i32, STATE, RESPONSE);
        Atomics.notify(i32, STATE);
      }
    };
    proc.kernel.scheduler.acquire(proc).then(serve);
  }
}
