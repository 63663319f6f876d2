// Robustness: every syscall of the table, called many times with random and out-of-range
// arguments, returns an errno (or parks the caller) and never throws out of the kernel.
import { describe, expect, it } from "vitest";
import { Errno, Kernel } from "../../kernel/index.js";
import { GuestMemory } from "../../kernel/abi/memory.js";
import { bindSyscalls } from "../../kernel/engines/imports.js";
import { wasmParams } from "../../kernel/syscalls/table.js";
import { ProcExit, ProcKilled } from "../../kernel/proc/wait.js";
import { InputStream } from "../../kernel/stdio.js";
import { wat, WASI_IMPORTS } from "../helpers/wat.js";
import { xorshift32 } from "../helpers/random.js";

/** A guest that blocks reading stdin, so its process stays alive while the test calls its syscalls. */
const BLOCKED_READER = wat(`(module ${WASI_IMPORTS}
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 16))
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))))`);

const INTERESTING_I32 = [0, 1, 2, 3, 4, 5, 8, 64, 65535, 65536, 65537, 0x7fffffff, -1, -2, 0x80000000 | 0, 0xfffffff0 | 0];
const INTERESTING_I64 = [0n, 1n, -1n, 4096n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 32n];

describe("syscall robustness", () => {
  it("answers random and out-of-range arguments with errnos, never a throw", async () => {
    const kernel = new Kernel({ log: () => undefined });
    kernel.fs.mkdir("/scratch");
    kernel.fs.writeFile("/scratch/file", "contents");
    kernel.fs.symlink("file", "/scratch/link");
    const stdin = new InputStream();
    let proc!: import("../../kernel/index.js").Process;
    const run = kernel.run(BLOCKED_READER, { stdin, onStart: (p) => (proc = p) });
    await new Promise((r) => setTimeout(r, 50));
    const ctx = { proc, mem: new GuestMemory(proc.memory!), preempt: () => false };
    const bound = bindSyscalls(kernel, proc, ctx, kernel.syscalls);
    const next = xorshift32(12345);
    const pending: Promise<unknown>[] = [];
    let calls = 0;
    for (const { def, fn } of bound) {
      const types = wasmParams(def);
      for (let round = 0; round < 300; round++) {
        const args = types.map((t) => {
          const r = next();
          if (t === "i64") return INTERESTING_I64[r % INTERESTING_I64.length] + BigInt(r % 3);
          return r % 4 === 0 ? r | 0 : INTERESTING_I32[r % INTERESTING_I32.length];
        });
        // proc_exit / proc_raise / proc_signal end the caller by design: checked last, below.
        if (def.name === "proc_exit" || def.name === "proc_raise" || def.name === "proc_signal") continue;
        if (def.name === "fd_close" || def.name === "fd_renumber" || def.name === "fd_dup2") {
          // Never close stdin/out/err or the preopen: later calls need a live process.
          if (args.some((a) => typeof a === "number" && a >= 0 && a <= 3)) continue;
        }
        if (def.name === "proc_spawn" || def.name === "tty_mode") continue;
        calls++;
        const result = fn(...(args as number[]));
        if (result instanceof Promise) {
          pending.push(result.catch(() => undefined));
          continue;
        }
        expect(typeof result, def.name).toBe("number");
        // Every answer is one of WASI's errnos (a name in the Errno enum), never another number.
        expect((Errno as Readonly<Record<number, string>>)[result as number], `${def.name} returned ${String(result)}`).toBeDefined();
      }
    }
    expect(calls).toBeGreaterThan(10_000);
    expect(kernel.bugs).toEqual([]);
    expect(proc.ended).toBe(false);
    // The calls that unwind: they throw the kernel's exit/kill signals, nothing else.
    for (const name of ["proc_signal", "proc_raise", "proc_exit"]) {
      const { fn } = bound.find((b) => b.def.name === name)!;
      const args = name === "proc_signal" ? [0, 99] : name === "proc_raise" ? [200] : [7];
      try {
        const r = fn(...args);
        expect(r, name).toBe(28); // EINVAL for the bad signal numbers
      } catch (e) {
        expect(e instanceof ProcExit || e instanceof ProcKilled, name).toBe(true);
      }
    }
    proc.kill(9);
    const result = await run;
    expect(result.signal).toBe(9);
  });

  it("gives EFAULT for pointers past the end of memory", async () => {
    const kernel = new Kernel({ log: () => undefined });
    const guest = wat(`(module ${WASI_IMPORTS}
      (memory (export "memory") 1)
      (func (export "_start")
        ;; iovec pointing past the end of the one page
        (i32.store (i32.const 0) (i32.const 65530)) (i32.store (i32.const 4) (i32.const 100))
        (call $proc_exit (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`);
    const result = await kernel.run(guest);
    expect(result.exitCode).toBe(21); // EFAULT
    expect(result.stdout).toBe("");
  });
});
