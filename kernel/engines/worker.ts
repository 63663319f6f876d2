// The worker engine: one worker_thread per process; its syscalls reach the kernel synchronously
// through a SharedArrayBuffer and Atomics.wait, and are run by the same dispatchers as inline.
import { GuestMemory } from "../abi/memory.js";
import type { Process } from "../proc/process.js";
import { wasmParams } from "../syscalls/table.js";
import { bindSyscalls } from "./imports.js";
import { resultList, settle, type Engine, type EngineKernel, type LoadedProgram } from "./engine.js";
import { GROW_IMPORT, MEMORY_IMPORT, PREEMPT_IMPORT } from "./module-rewrite.js";

/**
 * The control block both threads share: its Int32 slots (state, call index, result, may-spin), the
 * first 8-byte argument slot, and the states a call goes through. The worker's code is sent as
 * source text, so it gets this object in its workerData instead of importing it.
 */
const PROTOCOL = {
  /** Int32 slot: REQUEST, RESPONSE or ENDED. */
  STATE: 0,
  /** Int32 slot: the index of the call requested, in the worker's list of calls. */
  CALL: 1,
  /** Int32 slot: the call's result. */
  RESULT: 2,
  /** Int32 slot: 1 while the machine seems to have a core for each side of a call, 0 when it does not: the worker then never spins. */
  MAY_SPIN: 3,
  /** The first BigInt64 slot of the arguments (byte 16); an i32 argument k is Int32 slot 2 * (ARGS_SLOT + k). */
  ARGS_SLOT: 2,
  /** Int32 slot after the 16 argument slots: 1 while the guest's last memory.grow was refused at its maximum. */
  GROW_REFUSED: 4 + 2 * 16,
  /** The worker posted a call and waits. */
  REQUEST: 1,
  /** The kernel answered. */
  RESPONSE: 2,
  /** The process has ended: no more requests are served (the worker parks until terminated). */
  ENDED: 3,
  /** The most spins the worker makes waiting for an answer before sleeping. */
  SPINS: 4000,
  /** The most calls a worker lets go by without spinning after spins that ran out. */
  SKIP_MAX: 4096,
} as const;
type Protocol = typeof PROTOCOL;
const { STATE, CALL, RESULT, MAY_SPIN, ARGS_SLOT, REQUEST, RESPONSE, ENDED } = PROTOCOL;
const MAX_ARGS = 16;
/** The control block's bytes: four Int32 slots, the arguments, the grow-refused slot (padded to 8). */
const CONTROL_BYTES = 16 + MAX_ARGS * 8 + 8;
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

/** What a worker posts: first the OS thread it runs on (where the system says: its CPU clock), then once: its guest's code returned (with --invoke's results), or threw. */
type WorkerReport =
  | { thread: number }
  | { done: true; results?: unknown }
  | { done: false; name?: string; message?: string; stack?: string };

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
  // Not require(): the module-run bundle rewrites require into a helper this source text lacks.
  const { workerData, parentPort } = process.getBuiltinModule("node:worker_threads");
  const { module, memory, maximumPages, control, calls, memoryImport, preemptImport, growImport, invoke } = workerData;
  const P: Protocol = workerData.protocol;
  // Which OS thread this is (Linux): the kernel charges the process by that thread's CPU clock.
  try {
    const task = Number(process.getBuiltinModule("node:fs").readlinkSync("/proc/thread-self").split("/").pop());
    if (Number.isInteger(task) && task > 0) parentPort!.postMessage({ thread: task });
  } catch {
    // No procfs: the kernel charges wall time between syscalls instead.
  }
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
  // Each memory.grow (of a module rewritten with the grow signal) comes here: a request past the
  // maximum is refused and marked in the control block for the kernel (as engines/grow.ts does inline).
  if (memory) {
    (imports[growImport.module] ??= {})[growImport.name] = (pages: number) => {
      const delta = pages >>> 0;
      if (memory.buffer.byteLength / 65536 + delta > maximumPages) {
        Atomics.store(i32, P.GROW_REFUSED, 1);
        return -1;
      }
      let old: number;
      try {
        old = memory.grow(delta);
      } catch {
        return -1;
      }
      Atomics.store(i32, P.GROW_REFUSED, 0);
      return old;
    };
  }
  calls.forEach((call: { module: string; name: string; types: string[] }, index: number) => {
    const types = call.types;
    (imports[call.module] ??= {})[call.name] = (...args: Array<number | bigint>) => {
      for (let k = 0; k < types.length; k++) {
        if (types[k] === "i64") i64[P.ARGS_SLOT + k] = args[k] as bigint;
        else i32[2 * (P.ARGS_SLOT + k)] = args[k] as number;
      }
      i32[P.CALL] = index;
      Atomics.store(i32, P.STATE, P.REQUEST);
      Atomics.notify(i32, P.STATE);
      // The kernel usually answers within microseconds: spin briefly before sleeping, since
      // waking a sleeping thread costs tens of microseconds on an idle machine; but not when the
      // kernel says the machine has no core to spare (MAY_SPIN), nor right after spins that ran out.
      // A wait can end early: the kernel's notify for the previous answer may come late, once
      // this request is already posted. So sleep until the state itself changes, never trusting a
      // wake-up alone.
      if (skip > 0) skip--;
      else if (Atomics.load(i32, P.MAY_SPIN) === 1) {
        for (let spin = 0; spin < P.SPINS && Atomics.load(i32, P.STATE) === P.REQUEST; spin++);
        if (Atomics.load(i32, P.STATE) === P.REQUEST) {
          skip = skipNext;
          skipNext = Math.min(skipNext * 2, P.SKIP_MAX);
        } else skipNext = 1;
      }
      while (Atomics.load(i32, P.STATE) === P.REQUEST) Atomics.wait(i32, P.STATE, P.REQUEST);
      if (Atomics.load(i32, P.STATE) === P.ENDED) Atomics.wait(i32, P.STATE, P.ENDED); // ended: park until terminated
      return i32[P.RESULT];
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
      const report: WorkerReport = { done: true, results: Array.isArray(value) ? value : value === undefined ? [] : [value] };
      parentPort!.postMessage(report);
      return;
    }
    const start = (instance.exports._start ?? instance.exports.main) as () => void;
    if (typeof start !== "function") throw new Error("the module exports no _start function");
    start();
    const report: WorkerReport = { done: true };
    parentPort!.postMessage(report);
  } catch (error) {
    const e = error as Error;
    const report: WorkerReport = { done: false, name: e?.name, message: String(e?.message ?? e), stack: String(e?.stack ?? "") };
    parentPort!.postMessage(report);
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
  /** The host's cores, read on the first check (node:os is loaded then: a kernel that runs no worker never loads it). */
  private cores: number | undefined;

  constructor(private readonly kernel: EngineKernel) {}

  /**
   * Whether a spinning pair of threads (the kernel's and a worker's) can both be on a core: the
   * 1-minute load average, which counts this pair too, is at most the number of cores (plus a
   * half for noise). Read every LOAD_CHECK_MS at most; Windows has no load average (0): spin there.
   */
  private coresToSpare(): boolean {
    const os = process.getBuiltinModule("node:os");
    this.cores ??= os.availableParallelism();
    return os.loadavg()[0] <= this.cores + 0.5;
  }

  start(proc: Process, program: LoadedProgram): void {
    proc.inline = false;
    const memory = program.memory
      ? new WebAssembly.Memory({ initial: program.memory.minimum, maximum: program.memory.maximum, shared: true } as WebAssembly.MemoryDescriptor)
      : null;
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const i32 = new Int32Array(control);
    const i64 = new BigInt64Array(control);
    i32[MAY_SPIN] = this.coresToSpare() ? 1 : 0;
    const ctx = { proc, mem: new GuestMemory(memory ?? new WebAssembly.Memory({ initial: 0 })), preempt: () => false };
    proc.memory = memory ?? undefined;
    proc.mem = ctx.mem;
    const calls = bindSyscalls(this.kernel, proc, ctx, program.imports).map(({ def, fn }) => ({
      module: def.module, name: def.name, types: wasmParams(def), def, fn: fn as (...raw: unknown[]) => unknown,
    }));
    // node:worker_threads is loaded on first use: the inline engine never needs it.
    const { Worker } = process.getBuiltinModule("node:worker_threads");
    const worker = new Worker(`(${workerMain.toString()})()`, {
      eval: true,
      workerData: { protocol: PROTOCOL, module: program.module, memory, maximumPages: program.memory?.maximum ?? 0, control, memoryImport: MEMORY_IMPORT, preemptImport: PREEMPT_IMPORT, growImport: GROW_IMPORT, calls: calls.map(({ module, name, types }) => ({ module, name, types })),
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
      proc.growRefused = Atomics.load(i32, PROTOCOL.GROW_REFUSED) === 1;
      settle(this.kernel, proc, program, outcome);
      void worker.terminate();
    };
    proc.engine = { kind: "worker", kill: () => end({ ok: false, error: undefined }) };
    worker.on("message", (msg: WorkerReport) => {
      if ("thread" in msg) return void (finished || proc.host.scheduler.useThreadClock(proc, msg.thread));
      if (!msg.done) return end({ ok: false, error: new GuestTrap(msg.name ?? "Error", msg.message ?? "", msg.stack ?? "") });
      if (program.invoke) program.invoke.results(resultList(msg.results));
      end({ ok: true });
    });
    worker.on("error", (error) => end({ ok: false, error }));
    worker.on("exit", () => end({ ok: false, error: new Error("the worker exited unexpectedly") }));

    const scheduler = proc.host.scheduler;
    scheduler.resumeWorker(proc);
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
        scheduler.pauseWorker(proc);
        // A stopped process (SIGSTOP, ^Z) makes no call until SIGCONT: its thread waits for the answer.
        if (proc.stoppedBy !== 0) {
          try {
            await proc.whileStopped();
          } catch {
            return;
          }
          if (finished) return;
          proc.state = "RUNNING";
        }
        // A paused container's worker waits in its syscall until unpause (docker pause).
        if (proc.container.paused) await scheduler.acquire(proc);
        if (finished) return;
        const call = calls[i32[CALL]];
        const args = call.types.map((t, k) => (t === "i64" ? i64[ARGS_SLOT + k] : i32[2 * (ARGS_SLOT + k)]));
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
        scheduler.resumeWorker(proc);
        const now = performance.now();
        if (now - loadCheckedAt > LOAD_CHECK_MS) {
          loadCheckedAt = now;
          Atomics.store(i32, MAY_SPIN, this.coresToSpare() ? 1 : 0);
        }
        Atomics.store(i32, STATE, RESPONSE);
        Atomics.notify(i32, STATE);
      }
    };
    scheduler.acquire(proc).then(serve);
  }
}
