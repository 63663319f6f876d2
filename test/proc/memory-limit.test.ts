// A container's --memory is one budget for all its processes: growth that passes it together ends
// the largest process (the OOM killer), marks the container, and leaves the others running.
import { describe, expect, it } from "vitest";
import { hasJspi, Kernel, type Process, MemFs, InputStream } from "../../kernel/host.js";
import { waitUntil } from "../helpers/poll.js";
import { wat } from "../helpers/wat.js";
import { grower } from "./guests.js";

/** Grows its 1-page memory by `first` pages, then by `second`; traps (unreachable) at the first refusal, else exits 0. */
function growThenTrap(first: number, second: number): Uint8Array {
  return wat(`(module
    (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
    (memory (export "memory") 1)
    (func (export "_start")
      (if (i32.eq (memory.grow (i32.const ${first})) (i32.const -1)) (then unreachable))
      (if (i32.eq (memory.grow (i32.const ${second})) (i32.const -1)) (then unreachable))
      (call $proc_exit (i32.const 0))))`);
}

const ENGINES = hasJspi() ? (["inline", "worker"] as const) : (["worker"] as const);
const MiB = 1024 * 1024;

describe.each(ENGINES)("the memory limit on the %s engine", (engine) => {
  it("kills the largest process when processes that started small grow past the limit together", async () => {
    const kernel = new Kernel({ engine, log: () => undefined });
    const root = new MemFs(kernel.allocDev()).root;
    const container = kernel.createContainer({ root, limits: { memoryBytes: 8 * MiB } });
    const program = kernel.programs.compile(grower(64), "grower", engine === "worker"); // 4 MiB of growth
    const bigger = kernel.programs.compile(grower(80), "bigger", engine === "worker"); // 5 MiB
    const inputs = [new InputStream(), new InputStream()];
    const procs: Process[] = [];
    const runs = [program, bigger].map((p, i) => kernel.run(p, { container, stdin: inputs[i], onStart: (proc) => procs.push(proc) }));
    await waitUntil("both growers blocked on stdin", () => procs.length === 2 && procs.every((p) => p.state === "BLOCKED"));
    // Both started when the container had room for each to grow; together they pass 8 MiB.
    inputs[0].push(Buffer.from("x"));
    await waitUntil("the first grower at 4 MiB and blocked again", () => procs[0].memoryBytes >= 4 * MiB && procs[0].state === "BLOCKED");
    inputs[1].push(Buffer.from("x"));
    const killed = await runs[1];
    expect(killed.exitCode).toBe(137);
    expect(container.limiter.oomKilled).toBe(true);
    expect(container.limiter.hit).toBe("memory");
    expect(procs[0].state).toBe("BLOCKED");
    inputs[0].end();
    expect((await runs[0]).exitCode).toBe(0);
  });

  it("counts a trap as an OOM kill only when the guest's memory had reached its maximum", async () => {
    const kernel = new Kernel({ engine, log: () => undefined });
    const run = async (first: number, second: number) => {
      const container = kernel.createContainer({ root: new MemFs(kernel.allocDev()).root, limits: { memoryBytes: 1 * MiB } });
      const result = await kernel.run(growThenTrap(first, second), { container });
      return { exitCode: result.exitCode, hit: container.limiter.hit, oomKilled: container.limiter.oomKilled };
    };
    // 1 MiB is 16 pages: growing to 16 succeeds, one more is refused and the guest traps at its maximum.
    expect(await run(15, 1)).toEqual({ exitCode: 134, hit: "memory", oomKilled: true });
    // Refused a large request with most of its memory free: a trap of its own, not the limit's kill.
    expect(await run(100, 0)).toEqual({ exitCode: 134, hit: undefined, oomKilled: false });
    // Within the limit throughout.
    expect(await run(7, 8)).toEqual({ exitCode: 0, hit: undefined, oomKilled: false });
  });
});
