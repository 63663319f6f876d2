// The inline engine's fast path for fd_pread and fd_pwrite on host files: a small generated Wasm
// dispatcher sends calls on an fd the kernel has vetted straight to node:wasi's C++ functions.
import type { WASI as NodeWasi, WASIOptions } from "node:wasi";
import { Rights } from "../wasi.js";
import { RegularFile } from "../vfs/open-file.js";
import type { FdTable, FdWatcher } from "../proc/fd-table.js";
import type { Process } from "../proc/process.js";
import type { BoundImport } from "./imports.js";
import { ByteWriter, leb, nameBytes } from "./wasm-binary.js";

/**
 * Guest fds below this can take the fast path (the dispatcher's table has a slot per fd and
 * operation); higher ones always go through the kernel's JS handler.
 */
export const FAST_FDS = 64;
/** Calls on one fd through the JS handler before the kernel tries to give it the fast path: short-lived opens cost nothing. */
export const PROMOTE_AFTER = 16;
/** The most bytes a fast call may move: larger calls go to the JS handler, whatever they give. */
const FAST_BYTES = 1 << 30;
/** The largest offset a fast call may have: Number.MAX_SAFE_INTEGER, past which the JS handler gives EINVAL. */
const FAST_OFFSET = 0x1f_ffff_ffff_ffffn;

/** The calls the fast path serves, each with its slot range in the dispatcher's table. */
const OPS = ["fd_pread", "fd_pwrite"] as const;
type FastOp = (typeof OPS)[number];

// Wasm encoding constants used below.
const I32 = 0x7f;
const I64 = 0x7e;
const FUNCREF = 0x70;
const OP = {
  if: 0x04, end: 0x0b, return: 0x0f, call: 0x10, callIndirect: 0x11,
  localGet: 0x20, localSet: 0x21, localTee: 0x22, tableGet: 0x25, i32Load: 0x28, memorySize: 0x3f,
  i32Const: 0x41, i64Const: 0x42, i32Eqz: 0x45, i32Eq: 0x46, i32LtU: 0x49, i64LeU: 0x58,
  i32Add: 0x6a, i32Sub: 0x6b, i32And: 0x71, i64Add: 0x7c, i64Shl: 0x86, i64ExtendI32U: 0xad, refIsNull: 0xd1,
} as const;
const EMPTY_BLOCK = 0x40;

function sleb(value: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = Number(value & 0x7fn);
    value >>= 7n;
    const done = (value === 0n && (byte & 0x40) === 0) || (value === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A function body: its local declarations (count, type pairs) and code, with the length in front. */
function body(w: ByteWriter, locals: Array<[number, number]>, code: number[]): void {
  const inner = new ByteWriter(code.length + 16);
  inner.leb(locals.length);
  for (const [count, type] of locals) {
    inner.leb(count);
    inner.byte(type);
  }
  inner.bytes(code);
  inner.byte(OP.end);
  w.leb(inner.length);
  w.bytes(inner.result());
}

/** The module header and type section both modules share: type 0 is (fd, iovs, iovs_len, offset, out) -> errno. */
function header(w: ByteWriter): void {
  w.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  w.section(1, (s) => {
    s.leb(2);
    s.bytes([0x60, 5, I32, I32, I32, I64, I32, 1, I32]);
    s.bytes([0x60, 4, I32, I32, I64, I32, 1, I32]);
  });
}

/**
 * The dispatcher: imports the guest's memory ("k" "memory") and the kernel's JS handlers
 * ("k" "fd_pread", "k" "fd_pwrite"); exports fd_pread and fd_pwrite for the guest and the table
 * "slots" for the kernel (slot fd: fd's pread, slot FAST_FDS + fd: its pwrite). A call takes the
 * slot's function only when the slot is set and its arguments are plain (see `plain`); anything
 * else (a bad pointer, many iovecs, a huge offset) goes to the JS handler, which gives the errno.
 */
export function dispatcherBytes(): Uint8Array<ArrayBuffer> {
  const w = new ByteWriter(512);
  header(w);
  w.section(2, (s) => {
    s.leb(3);
    s.bytes([...nameBytes("k"), ...nameBytes("memory"), 0x02, 0x00, 0x00]);
    for (const op of OPS) s.bytes([...nameBytes("k"), ...nameBytes(op), 0x00, 0x00]);
  });
  // Functions 2 (fd_pread) and 3 (fd_pwrite).
  w.section(3, (s) => s.bytes([2, 0, 0]));
  w.section(4, (s) => s.bytes([1, FUNCREF, 0x00, ...leb(FAST_FDS * OPS.length)]));
  w.section(7, (s) => {
    s.leb(3);
    s.bytes([...nameBytes("fd_pread"), 0x00, 2]);
    s.bytes([...nameBytes("fd_pwrite"), 0x00, 3]);
    s.bytes([...nameBytes("slots"), 0x01, 0]);
  });
  w.section(10, (s) => {
    s.leb(2);
    OPS.forEach((_, i) => body(s, [[1, I64], [1, I32]], dispatchCode(i, i * FAST_FDS)));
  });
  return new Uint8Array(w.result());
}

/**
 * One exported call. It takes the slot's function, with node:wasi's fd 0 (where that slot's WASI
 * object has the host file) in place of the guest's fd, when fd < FAST_FDS, the slot is set and
 * the arguments are plain: one iovec of 1 to FAST_BYTES bytes, the iovec, its buffer and the
 * 4-byte result inside memory, an offset at most FAST_OFFSET. Anything else goes to JS handler
 * number `handler` as it came: the JS handler gives its errno (EFAULT, EINVAL) and reads or
 * writes several iovecs. Params: 0 fd, 1 iovs, 2 iovs_len, 3 offset, 4 result pointer; locals:
 * 5 memory size in bytes (i64), 6 the buffer's length.
 */
function dispatchCode(handler: number, base: number): number[] {
  const [fd, iovs, count, offset, out, size, length] = [0, 1, 2, 3, 4, 5, 6];
  const args = [OP.localGet, fd, OP.localGet, iovs, OP.localGet, count, OP.localGet, offset, OP.localGet, out];
  const fastArgs = [OP.i32Const, 0, OP.localGet, iovs, OP.localGet, count, OP.localGet, offset, OP.localGet, out];
  const slot = [OP.localGet, fd, ...(base === 0 ? [] : [OP.i32Const, ...sleb(BigInt(base)), OP.i32Add])];
  /** Pushes whether `local` (an i32 pointer) + `bytes` <= size. */
  const fits = (local: number, bytes: number) => [OP.localGet, local, OP.i64ExtendI32U, OP.i64Const, bytes, OP.i64Add, OP.localGet, size, OP.i64LeU];
  return [
    OP.localGet, fd, OP.i32Const, ...sleb(BigInt(FAST_FDS)), OP.i32LtU, OP.if, EMPTY_BLOCK,
    ...slot, OP.tableGet, 0, OP.refIsNull, OP.i32Eqz, OP.if, EMPTY_BLOCK,
    OP.localGet, count, OP.i32Const, 1, OP.i32Eq, OP.localGet, offset, OP.i64Const, ...sleb(FAST_OFFSET), OP.i64LeU, OP.i32And, OP.if, EMPTY_BLOCK,
    OP.memorySize, 0, OP.i64ExtendI32U, OP.i64Const, 16, OP.i64Shl, OP.localSet, size,
    ...fits(iovs, 8), ...fits(out, 4), OP.i32And, OP.if, EMPTY_BLOCK,
    // 1 <= length <= FAST_BYTES, and buffer + length <= size.
    OP.localGet, iovs, OP.i32Load, 2, 4, OP.localTee, length, OP.i32Const, 1, OP.i32Sub, OP.i32Const, ...sleb(BigInt(FAST_BYTES)), OP.i32LtU,
    OP.localGet, iovs, OP.i32Load, 2, 0, OP.i64ExtendI32U, OP.localGet, length, OP.i64ExtendI32U, OP.i64Add, OP.localGet, size, OP.i64LeU, OP.i32And,
    OP.if, EMPTY_BLOCK,
    ...fastArgs, ...slot, OP.callIndirect, 0, 0, OP.return,
    OP.end, OP.end, OP.end, OP.end, OP.end,
    ...args, OP.call, handler,
  ];
}

/**
 * What a slot holds: node:wasi's call ("n" "f"), imported and exported again, which makes it a
 * Wasm function a table can take (the call goes straight to node:wasi, no frame in between).
 */
export function thunkBytes(): Uint8Array<ArrayBuffer> {
  const w = new ByteWriter(64);
  header(w);
  w.section(2, (s) => {
    s.leb(1);
    s.bytes([...nameBytes("n"), ...nameBytes("f"), 0x00, 0x00]);
  });
  w.section(7, (s) => {
    s.leb(1);
    s.bytes([...nameBytes("f"), 0x00, 0]);
  });
  return new Uint8Array(w.result());
}

/** node:wasi's constructor, as this Node has it; undefined where it lacks what the fast path needs (finalizeBindings: Node 24.4+). */
type WasiConstructor = new (options: WASIOptions) => NodeWasi & { finalizeBindings?: unknown; wasiImport: Record<string, unknown> };

/** The kernel's compiled fast-path modules and node:wasi, made at first use; `supported` false where this Node cannot run the fast path. */
export class FastIoModules {
  private loaded: { dispatcher: WebAssembly.Module; thunk: WebAssembly.Module; Wasi: WasiConstructor } | null | undefined;
  /** How many fds have been given the fast path (all processes). */
  mapped = 0;

  /** `enabled` false: the kernel was asked for no fast path (KernelOptions.fastHostIo). */
  constructor(private on: boolean) {}

  /** Whether new mappings may be made. */
  get enabled(): boolean {
    return this.on;
  }

  /** Stops making mappings (node:wasi failed here); those made stay until their fd changes. */
  disable(): void {
    this.on = false;
  }

  /** The modules and node:wasi's WASI class, or null where the fast path cannot run here. */
  get(): { dispatcher: WebAssembly.Module; thunk: WebAssembly.Module; Wasi: WasiConstructor } | null {
    if (!this.enabled) return null;
    if (this.loaded === undefined) this.loaded = FastIoModules.load();
    return this.loaded;
  }

  private static load(): { dispatcher: WebAssembly.Module; thunk: WebAssembly.Module; Wasi: WasiConstructor } | null {
    let Wasi: WasiConstructor;
    try {
      Wasi = quietly(() => process.getBuiltinModule("node:wasi") as unknown as { WASI: WasiConstructor }).WASI;
    } catch {
      return null;
    }
    if (typeof (Wasi.prototype as { finalizeBindings?: unknown }).finalizeBindings !== "function") return null;
    return { dispatcher: new WebAssembly.Module(dispatcherBytes()), thunk: new WebAssembly.Module(thunkBytes()), Wasi };
  }
}

/** What a slot of the dispatcher holds for one guest fd: node:wasi's WASI object that has the host file as its fd 0, and the open file. */
interface Mapping {
  file: RegularFile;
  wasi: NodeWasi;
  /** Stops watching the open file. */
  unwatch: () => void;
}

/**
 * One instance's fast path: its dispatcher, the mappings it holds, and the process it serves.
 * Only the kernel writes the table (the guest sees the dispatcher's two functions, never the
 * table or node:wasi). A mapping is made after PROMOTE_AFTER calls on an fd, only when every
 * call the JS handler could get on that fd with plain arguments would go the same way (see
 * `vet`); any change to the fd (close, renumber, rights) or to its open file (flags, close)
 * removes it first.
 */
export class FastIo implements FdWatcher {
  private readonly slots: WebAssembly.Table;
  private readonly mappings = new Map<number, Mapping>();
  private readonly counts = new Uint8Array(FAST_FDS);
  private proc: Process | null;
  /** The guest's fd_pread and fd_pwrite. */
  readonly exports: Record<FastOp, (...raw: number[]) => unknown>;

  private constructor(
    private readonly kernelModules: FastIoModules, private readonly modules: NonNullable<ReturnType<FastIoModules["get"]>>, proc: Process, private readonly memory: WebAssembly.Memory, handlers: Record<FastOp, (...raw: number[]) => unknown>,
  ) {
    this.proc = proc;
    const counted = (op: FastOp) => {
      const handler = handlers[op];
      const counts = this.counts;
      return (fd: number, iovs: number, count: number, offset: bigint, out: number) => {
        if (fd >>> 0 < FAST_FDS && ++counts[fd] === PROMOTE_AFTER) this.tryPromote(fd);
        return handler(fd, iovs, count, offset as unknown as number, out);
      };
    };
    const instance = new WebAssembly.Instance(modules.dispatcher, { k: { memory, fd_pread: counted("fd_pread"), fd_pwrite: counted("fd_pwrite") } });
    this.slots = instance.exports.slots as WebAssembly.Table;
    this.exports = { fd_pread: instance.exports.fd_pread as (...raw: number[]) => unknown, fd_pwrite: instance.exports.fd_pwrite as (...raw: number[]) => unknown };
    proc.fds.watcher = this;
  }

  /**
   * The fast path for an instance's imports `bound`, or null when it may not have one: the kernel
   * or process is traced, the container has time limits (checked at each call), the memory is
   * shared or absent, this Node lacks what it needs, the program imports neither call, or the
   * process can reach no host file.
   */
  static create(modules: FastIoModules, proc: Process, memory: WebAssembly.Memory | null, bound: readonly BoundImport[], traced: boolean): FastIo | null {
    if (traced || proc.trace || proc.container.limiter.timed || !memory) return null;
    if (typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer) return null;
    const handlers: Partial<Record<FastOp, (...raw: number[]) => unknown>> = {};
    for (const { def, fn } of bound) {
      if ((def.name === "fd_pread" || def.name === "fd_pwrite") && def.module === "wasi_snapshot_preview1") handlers[def.name] = fn;
    }
    if (!handlers.fd_pread && !handlers.fd_pwrite) return null;
    // The dispatcher costs about 15 us an instance: a process that cannot reach a host file goes without.
    if (!modules.enabled || !reachesHostFiles(proc)) return null;
    // A call the allow-list refuses keeps its refusing function.
    for (const op of OPS) if (proc.container.allowedSyscalls && !proc.container.allowedSyscalls.has(op)) return null;
    const loaded = modules.get();
    if (!loaded) return null;
    const refuse = () => {
      throw new Error("kernel bug: the fast path called a call the program does not import");
    };
    try {
      return new FastIo(modules, loaded, proc, memory, { fd_pread: handlers.fd_pread ?? refuse, fd_pwrite: handlers.fd_pwrite ?? refuse });
    } catch {
      // A memory the dispatcher cannot import (a 64-bit one): the JS handlers serve.
      return null;
    }
  }

  /** Serves `proc` (a pooled instance's next process). */
  attach(proc: Process): void {
    this.proc = proc;
    proc.fds.watcher = this;
  }

  /** Lets go of the process: every mapping goes. */
  detach(): void {
    this.forgetAll();
    if (this.proc?.fds.watcher === this) this.proc.fds.watcher = undefined;
    this.proc = null;
  }

  /** The fd changed (closed, replaced, renumbered, its rights): its mapping goes, and its count starts again. */
  fdChanged(fd: number): void {
    if (fd >>> 0 >= FAST_FDS) return;
    this.counts[fd] = 0;
    this.forget(fd);
  }

  /** Every mapping goes. */
  forgetAll(): void {
    for (const fd of [...this.mappings.keys()]) this.forget(fd);
    this.counts.fill(0);
  }

  private forget(fd: number): void {
    const mapping = this.mappings.get(fd);
    if (!mapping) return;
    this.slots.set(fd, null);
    this.slots.set(FAST_FDS + fd, null);
    this.mappings.delete(fd);
    mapping.unwatch();
  }

  /**
   * promote(), where a failure (node:wasi refused under Node's permission model, say) only
   * turns the fast path off for the kernel: the call goes on through the JS handler.
   */
  private tryPromote(fd: number): void {
    try {
      this.promote(fd);
    } catch {
      this.forget(fd);
      this.kernelModules.disable();
    }
  }

  /** After PROMOTE_AFTER calls on fd through JS: maps it when `vet` allows either call. */
  private promote(fd: number): void {
    if (!this.kernelModules.enabled) return;
    const proc = this.proc;
    if (!proc || this.mappings.has(fd)) return;
    const vetted = vet(proc, proc.fds, fd);
    if (!vetted.read && !vetted.write) return;
    const file = vetted.file!;
    const hostFd = vetted.hostFd!;
    const wasi = quietly(() => new this.modules.Wasi({ version: "preview1", args: [], env: {}, stdin: hostFd, stdout: hostFd, stderr: hostFd, returnOnExit: true }));
    (wasi as unknown as { finalizeBindings(instance: object, options: { memory: WebAssembly.Memory }): void }).finalizeBindings({ exports: {} }, { memory: this.memory });
    const thunk = (op: FastOp) => new WebAssembly.Instance(this.modules.thunk, { n: { f: wasi.wasiImport[op] } }).exports.f;
    const unwatch = file.watch(() => this.forget(fd));
    this.mappings.set(fd, { file, wasi, unwatch });
    this.kernelModules.mapped++;
    if (vetted.read) this.slots.set(fd, thunk("fd_pread"));
    if (vetted.write) this.slots.set(FAST_FDS + fd, thunk("fd_pwrite"));
  }
}

/** Whether `proc` holds a host fd or sees a host folder in its mounts: only then can it open a host file. */
function reachesHostFiles(proc: Process): boolean {
  for (const [, entry] of proc.fds.entries()) if (entry.file.vnode?.fs.type === HOST_FS) return true;
  return proc.container.ns.mountList().some((mount) => mount.root.fs.type === HOST_FS);
}

/** The filesystem type of host folders (HostFs.type). */
const HOST_FS = "hostfs";

/**
 * Which fast calls fd may have: pread when every plain pread the JS handler gets would read the
 * host file (the rights FD_READ and FD_SEEK, a regular host file opened for reading), pwrite
 * likewise (FD_WRITE and FD_SEEK, a mount and container that may be written, opened for writing,
 * not O_APPEND, whose pwrite the JS handler turns into an append).
 */
export function vet(proc: Process, fds: FdTable, fd: number): { read: boolean; write: boolean; file?: RegularFile; hostFd?: number } {
  if (!fds.has(fd)) return { read: false, write: false };
  const entry = fds.get(fd);
  const file = entry.file;
  if (!(file instanceof RegularFile)) return { read: false, write: false };
  const access = file.hostAccess();
  if (!access) return { read: false, write: false };
  const rights = (need: number) => (entry.rightsBase & need) === need;
  const read = access.read && rights(Rights.FD_READ | Rights.FD_SEEK);
  const write = access.write && rights(Rights.FD_WRITE | Rights.FD_SEEK) && file.flags === 0 && !file.vnode.fs.readOnly && !proc.container.readOnlyFs;
  return { read, write, file, hostFd: access.fd };
}

/**
 * Runs `make` without node:wasi's one-time "WASI is an experimental feature" warning: the kernel
 * uses it as an implementation detail, and the user's stderr must not show it. Other warnings
 * emitted meanwhile pass through.
 */
function quietly<T>(make: () => T): T {
  const emit = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === "string" ? warning : warning.message;
    if (/^WASI is an experimental feature/.test(text)) return;
    return (emit as (...args: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return make();
  } finally {
    process.emitWarning = emit;
  }
}
