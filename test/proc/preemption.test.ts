// Preemption on the inline engine: a guest that never blocks (computing without syscalls, or making
// only calls that cannot block) still lets other processes and the event loop run, can be killed,
// and is ended by its container's CPU-time and wall-clock limits.
import { describe, expect, it } from "vitest";
import { hasJspi, Kernel, type Process } from "../../kernel/index.js";
import { MemFs } from "../../kernel/vfs/memory.js";
import { wat, WASI_IMPORTS } from "../helpers/wat.js";

/**
 * Spins until the word at address 0 is set (then returns: exit 0); with `syscalls`, writes "x" to
 * stdout each time round. Gives up after `bound` rounds with a trap (exit 134), so that a kernel
 * without preemption fails these tests instead of hanging them.
 */
const spin = (syscalls: boolean, bound: bigint) => wat(`(module ${WASI_IMPORTS}
  (memory (export "memory") 1)
  (func (export "_start") (local $n i64)
    (local.set $n (i64.const ${bound}))
    (i32.store (i32.const 8) (i32.const 16)) (i32.store (i32.const 12) (i32.const 1))
    (i32.store8 (i32.const 16) (i32.const 120))
    (loop $spin
      ${syscalls ? "(drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 20)))" : ""}
      (if (i32.load (i32.const 0)) (then (return)))
      (local.set $n (i64.sub (local.get $n) (i64.const 1)))
      (br_if $spin (i64.ne (local.get $n) (i64.const 0))))
    (unreachable)))`);

const SPINNERS = [
  { name: "without syscalls", bytes: () => spin(false, 2_000_000_000n) },
  { name: "on calls that never block (writes to a discarded stdout)", bytes: () => spin(true, 5_000_000n) },
];

/** Prints "hi" and exits. */
const hello = () => wat(`(module ${WASI_IMPORTS}
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(hasJspi())("preemption of busy guests on the inline engine", () => {
  const kernel = () => new Kernel({ engine: "inline", log: () => undefined });

  it.each(SPINNERS)("lets timers and another process run while a guest spins $name", async ({ bytes }) => {
    const k = kernel();
    let spinner!: Process;
    const spinning = k.run(bytes(), { capture: false, onStart: (p) => (spinner = p) });
    const timerAsked = performance.now();
    await sleep(20);
    expect(performance.now() - timerAsked).toBeLessThan(1000);
    expect((await k.run(hello())).stdout).toBe("hi\n");
    expect(spinner.state).not.toBe("ZOMBIE");
    expect(spinner.cpuNs).toBeGreaterThan(0);
    new Uint8Array(spinner.memory!.buffer)[0] = 1;
    expect((await spinning).exitCode).toBe(0);
  });

  it.each(SPINNERS)("kills a guest spinning $name", async ({ bytes }) => {
    const k = kernel();
    let spinner!: Process;
    const spinning = k.run(bytes(), { capture: false, onStart: (p) => (spinner = p) });
    await sleep(50);
    expect(spinner.state).not.toBe("ZOMBIE");
    spinner.kill(9);
    expect((await spinning).exitCode).toBe(137);
  });

  it("gives two spinners their turns", async () => {
    const k = kernel();
    const spinners: Process[] = [];
    const runs = [0, 1].map(() => k.run(spin(false, 2_000_000_000n), { onStart: (p) => spinners.push(p) }));
    await sleep(200);
    // Both have run: each was charged CPU time, and both are still spinning.
    for (const p of spinners) {
      expect(p.state).not.toBe("ZOMBIE");
      expect(p.cpuNs).toBeGreaterThan(5e6);
    }
    for (const p of spinners) new Uint8Array(p.memory!.buffer)[0] = 1;
    expect((await Promise.all(runs)).map((r) => r.exitCode)).toEqual([0, 0]);
  });

  it.each([
    { limit: { cpuTimeMs: 100 }, hit: "cpu-time" },
    { limit: { wallTimeMs: 100 }, hit: "wall-time" },
  ])("ends a guest computing without syscalls at its container's $hit limit", async ({ limit, hit }) => {
    const k = kernel();
    const container = k.createContainer({ root: new MemFs(k.allocDev()).root, limits: limit });
    const started = performance.now();
    const result = await k.run(spin(false, 2_000_000_000n), { container });
    expect(result.exitCode).toBe(137);
    expect(container.limitHit).toBe(hit);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
