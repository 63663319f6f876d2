// Instances of ended processes, put back to their state right after instantiation, for the next
// process of the same program and bindings (the inline engine); each is as good as a new instance.
import type { InstanceContext } from "./imports.js";
import type { ResetPlan } from "./module-rewrite.js";

/** A live instance with what the inline engine and its reset need. */
export interface ReusableInstance {
  memory: WebAssembly.Memory | null;
  /** A view of all of `memory` (valid while it has not grown; a grown one is never reused). */
  bytes: Uint8Array | null;
  /** The context its syscall imports reach their process through (attached while it runs). */
  ctx: InstanceContext;
  /** Runs `_start` (through JSPI's promising when some import suspends). */
  entry: () => unknown;
  /** Its mutable globals with their values right after instantiation. */
  globals: Array<[WebAssembly.Global, unknown]>;
  /** Its tables with their entries right after instantiation. */
  tables: Array<[WebAssembly.Table, unknown[]]>;
}

/**
 * The pool of one kernel. An instance is only reused by a process whose imports it was bound
 * for (`key`: the same calls suspending, the same allow-list, the same memory limit). Its reset
 * covers everything a Wasm instance holds: memory (rewritten from the module's data image and
 * zeroed past it), mutable globals and table entries. Instances whose memory or tables grew are
 * let go, as are modules the rewrite could not make resettable (ResetPlan null).
 */
export class InstancePool {
  private readonly free = new WeakMap<WebAssembly.Module, Map<string, ReusableInstance[]>>();
  /** Each module's memory right after instantiation, up to its data segments' end. */
  private readonly images = new WeakMap<WebAssembly.Module, Uint8Array>();
  private size = 0;
  /** How many processes have run on a reused instance. */
  reuses = 0;

  /** `capacity`: most instances kept (0: none, every process gets a new one); `perKey`: most per program and binding. */
  constructor(readonly capacity = 64, private readonly perKey = 16) {}

  /** A reset instance of `module` bound as `key`, if one is free. */
  take(module: WebAssembly.Module, key: string): ReusableInstance | undefined {
    const found = this.free.get(module)?.get(key)?.pop();
    if (found) {
      this.size--;
      this.reuses++;
    }
    return found;
  }

  /**
   * Records a new instance's first state (call before any of its code runs): the module's memory
   * image, once per module, and this instance's globals and tables.
   */
  capture(module: WebAssembly.Module, plan: ResetPlan, instance: WebAssembly.Instance, memory: WebAssembly.Memory | null, ctx: InstanceContext, entry: () => unknown): ReusableInstance {
    if (memory && !this.images.has(module)) this.images.set(module, new Uint8Array(memory.buffer, 0, plan.imageBytes).slice());
    const globals = plan.globals.map((name): [WebAssembly.Global, unknown] => {
      const global = instance.exports[name] as WebAssembly.Global;
      return [global, global.value];
    });
    const tables = plan.tables.map((name): [WebAssembly.Table, unknown[]] => {
      const table = instance.exports[name] as WebAssembly.Table;
      return [table, Array.from({ length: table.length }, (_, i) => table.get(i))];
    });
    return { memory, bytes: memory && new Uint8Array(memory.buffer), ctx, entry, globals, tables };
  }

  /**
   * Takes back the instance of an ended process (no guest code of it can run any more), reset;
   * false when it is not kept (it grew, or the pool is full): then it is the caller's to drop.
   */
  give(module: WebAssembly.Module, key: string, used: ReusableInstance): boolean {
    if (this.size >= this.capacity) return false;
    // A memory that grew has a new buffer (the view taken at capture no longer covers it).
    if (used.memory && used.memory.buffer !== used.bytes?.buffer) return false;
    for (const [table, entries] of used.tables) if (table.length !== entries.length) return false;
    let byKey = this.free.get(module);
    if (!byKey) this.free.set(module, (byKey = new Map()));
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    if (list.length >= this.perKey) return false;
    if (used.bytes) {
      const image = this.images.get(module)!;
      used.bytes.set(image);
      used.bytes.fill(0, image.length);
    }
    for (const [global, value] of used.globals) global.value = value;
    for (const [table, entries] of used.tables) {
      for (let i = 0; i < entries.length; i++) if (table.get(i) !== entries[i]) table.set(i, entries[i]);
    }
    list.push(used);
    this.size++;
    return true;
  }
}
