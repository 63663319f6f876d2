// A random-syscall fuzzer with a fixed seed: every entry of the syscall table called with random
// fds, pointers in and out of bounds, huge lengths, random flags and random memory contents.
import { describe, expect, it } from "vitest";
import { Errno, Kernel } from "../../kernel/index.js";
import { wasmParams } from "../../kernel/syscalls/table.js";
import { RIGHTS_FILE } from "../../kernel/wasi.js";
import { ProcExit, ProcKilled } from "../../kernel/proc/wait.js";
import { blockedReader, liveProcess, PAGE } from "../helpers/live-process.js";
import { wat, WASI_IMPORTS } from "../helpers/wat.js";
import { xorshift32 } from "../helpers/random.js";

/** Calls per run: a few thousand in CI; set WASMBOX_FUZZ_ITERATIONS for a longer run. */
const ITERATIONS = Number(process.env.WASMBOX_FUZZ_ITERATIONS ?? 6000);
/** The seed (WASMBOX_FUZZ_SEED to try others); failures name the seed and the call. */
const SEED = Number(process.env.WASMBOX_FUZZ_SEED ?? 20261201);
/** The guest's memory, in pages. */
const PAGES = 4;
/** No call may take longer than this. */
const MAX_CALL_MS = 1000;
/** Bytes of guest memory rewritten before each call. */
const SCRIBBLE = 64;
/** Calls that end their caller by design (checked by robustness.test.ts). */
const ENDS_CALLER = new Set(["proc_exit", "proc_raise", "proc_signal"]);

describe("syscall fuzzer", () => {
  it(`survives ${ITERATIONS} random calls (seed ${SEED}) with errnos only, each under a second`, async () => {
    const kernel = new Kernel({ log: () => undefined });
    const exits = wat(`(module ${WASI_IMPORTS} (memory (export "memory") 1) (func (export "_start") (call $proc_exit (i32.const 3))))`);
    kernel.fs.writeFile("/x", exits);
    kernel.fs.writeFile("/r", blockedReader(1));
    kernel.fs.mkdir("/d");
    kernel.fs.writeFile("/d/f", "data");
    const size = PAGES * PAGE;
    /** A fresh victim with fds worth hitting: a regular file with every right (fd 4) and a pipe (fds 5 and 6). */
    const victim = async () => {
      const live = await liveProcess(kernel, PAGES, undefined, false);
      live.mem.write(0, Buffer.from("d/f"));
      expect(live.call("path_open", 3, 0, 0, 3, 0, BigInt(RIGHTS_FILE), 0n, 0, 16)).toBe(0);
      expect(live.call("fd_pipe", 16, 20)).toBe(0);
      expect([live.mem.u32(16), live.mem.u32(20)]).toEqual([5, 6]);
      return live;
    };
    let p = await victim();
    let bound = p.bound.filter((b) => !ENDS_CALLER.has(b.def.name));
    let victims = 1;
    const next = xorshift32(SEED);
    const fds = [0, 1, 2, 3, 4, 5, 6, 7, 64, 1023, 1024, 4294967294, 0xffffffff];
    const i64s = [0n, 1n, 4096n, 2n ** 31n, 2n ** 32n, 2n ** 40n, 2n ** 62n, 2n ** 63n - 1n, -1n, -(2n ** 63n)];
    /** A pointer: mostly in bounds, sometimes at the very end, past it, or wrapped. */
    const pointer = () => {
      const r = next() % 10;
      if (r < 6) return next() % size;
      if (r === 6) return size - (next() % 16);
      if (r === 7) return size + (next() % 1024);
      return [0, 0xffffffff, 0x7fffffff, 0xfffffff0][next() % 4]!;
    };
    /** A length or count: mostly small, sometimes huge. */
    const length = () => {
      const r = next() % 10;
      if (r < 6) return next() % 64;
      if (r < 8) return next() % (2 * size);
      return [1024, 1025, 50_000_000, 0x7fffffff, 0xffffffff][next() % 5]!;
    };
    const arg = (kind: string, wasm: string) => {
      if (wasm === "i64") return i64s[next() % i64s.length]! + BigInt(next() % 3);
      if (kind === "fd") return fds[next() % fds.length]!;
      if (kind === "flags" || kind === "u32" || kind === "s32") return next() % 4 === 0 ? next() | 0 : next() % 16;
      if (kind === "ptr") return pointer();
      return next() % 2 === 0 ? pointer() : length();
    };
    let slowest = { ms: 0, name: "" };
    let made = 0;
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const { def, fn } = bound[next() % bound.length]!;
      // Random memory contents, so that iovecs, strings, fdmaps and subscriptions are random too;
      // half the time well-formed pairs (small iovecs, or fd numbers), which reach deeper.
      const scribble = Buffer.alloc(SCRIBBLE);
      const pairs = next() % 3;
      for (let j = 0; j < SCRIBBLE; j += 4) {
        const word = pairs === 0 ? next() : pairs === 1 ? (j % 8 === 0 ? next() % size : next() % 64) : fds[next() % fds.length]!;
        scribble.writeUInt32LE(word >>> 0, j);
      }
      p.mem.write(next() % (size - SCRIBBLE), scribble);
      const args: Array<number | bigint> = [];
      for (const [, kind] of def.params) for (const wasm of kind.wasm) args.push(arg(kind.name, wasm));
      for (const _ of def.result?.wasm ?? []) args.push(pointer());
      expect(args.length, def.name).toBe(wasmParams(def).length);
      const started = performance.now();
      let result: unknown;
      try {
        result = fn(...(args as number[]));
      } catch (e) {
        // Only the kernel's own unwinding may leave a call (a SIGPIPE to a writer without readers):
        // the victim is then dead, and a new one takes its place.
        expect(e instanceof ProcExit || e instanceof ProcKilled, `${def.name}(${args.join(", ")}) threw ${e} (seed ${SEED}, call ${i})`).toBe(true);
        await p.stop();
        p = await victim();
        bound = p.bound.filter((b) => !ENDS_CALLER.has(b.def.name));
        victims++;
        continue;
      }
      const ms = performance.now() - started;
      made++;
      if (ms > slowest.ms) slowest = { ms, name: `${def.name}(${args.join(", ")})` };
      if (result instanceof Promise) {
        pending.push(result.catch(() => undefined));
        continue;
      }
      expect(typeof result, def.name).toBe("number");
      // Every answer is one of WASI's errnos (a name in the Errno enum), never another number.
      expect((Errno as Readonly<Record<number, string>>)[result as number], `${def.name}(${args.join(", ")}) returned ${String(result)}`).toBeDefined();
    }
    expect(kernel.bugs).toEqual([]);
    expect(made).toBeGreaterThan(ITERATIONS / 2);
    expect(victims).toBeLessThan(ITERATIONS / 10);
    expect(slowest.ms, slowest.name).toBeLessThan(MAX_CALL_MS);
    await p.stop();
    // The kernel survives: a new process runs to its end.
    const after = await kernel.run(exits);
    expect(after.exitCode).toBe(3);
    for (const proc of kernel.host.liveProcesses()) proc.kill(9);
  }, 300_000);
});
