// A container's --memory is one budget for all its processes: growth that passes it together ends
// the largest process (the OOM killer), marks the container, and leaves the others running.
import { describe, expect, it } from "vitest";
import { hasJspi, Kernel, type Process, MemFs, InputStream } from "../../kernel/host.js";
import { waitUntil } from "../helpers/poll.js";
import { wat } from "../helpers/wat.js";
import { grower } from "./guests.js";

/**
 * Grows its 1-page memory (declared maximum: `maximum` pages, none when undefined) by `first`
 * pages, then by `second` unless 0 (results ignored: a refusal is -1), then ends as `end` says: a trap
 * (unreachable), an out-of-bounds load, proc_exit(1), or proc_exit(0).
 */
function growThen(first: number, second: number, end: "unreachable" | "out-of-bounds" | "exit 1" | "exit 0", maximum?: number): Uint8Array {
  const ending = {
    "unreachable": "unreachable",
    "out-of-bounds": "(drop (i32.load (i32.const -8)))",
    "exit 1": "(call $proc_exit (i32.const 1))",
    "exit 0": "(call $proc_exit (i32.const 0))",
  }[end];
  return wat(`(module
    (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
    (memory (export "memory") 1 ${maximum ?? ""})
    (func (export "_start")
      (drop (memory.grow (i32.const ${first})))
      ${second > 0 ? `(drop (memory.grow (i32.const ${second})))` : ""}
      ${ending}))`);
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

  it("calls a failure out of memory only after a grow refused at the --memory maximum", async () => {
    const kernel = new Kernel({ engine, log: () => undefined });
    const run = async (guest: Uint8Array, memoryBytes: number | undefined = 1 * MiB) => {
      const container = kernel.createContainer({ root: new MemFs(kernel.allocDev()).root, limits: { memoryBytes } });
      const result = await kernel.run(guest, { container });
      return { exitCode: result.exitCode, hit: container.limiter.hit, oomKilled: container.limiter.oomKilled };
    };
    const oom = { exitCode: 137, hit: "memory", oomKilled: true };
    // 1 MiB is 16 pages: growing to 16 succeeds, one more is refused, and the trap that follows is
    // the limit's kill, as the OOM killer's (137).
    expect(await run(growThen(15, 1, "unreachable"))).toEqual(oom);
    // A doubling allocator's request refused well short of the maximum is out of memory too.
    expect(await run(growThen(100, 0, "unreachable"))).toEqual(oom);
    // A guest that exits by itself after the refusal keeps its status (memory.grow told it -1).
    expect(await run(growThen(15, 1, "exit 1"))).toEqual({ exitCode: 1, hit: undefined, oomKilled: false });
    // Memory full but no grow refused: a trap or an out-of-bounds access is the guest's own (134).
    const own = { exitCode: 134, hit: undefined, oomKilled: false };
    expect(await run(growThen(15, 0, "unreachable"))).toEqual(own);
    expect(await run(growThen(15, 0, "out-of-bounds"))).toEqual(own);
    // A refusal followed by a grow that succeeds is forgotten.
    expect(await run(growThen(100, 15, "unreachable"))).toEqual(own);
    // A guest that copes with the refusal and exits 0 was not killed.
    expect(await run(growThen(100, 0, "exit 0"))).toEqual({ exitCode: 0, hit: undefined, oomKilled: false });
    // Refused at the module's own declared maximum, with --memory far above it: not the limit.
    expect(await run(growThen(15, 1, "unreachable", 16), 64 * MiB)).toEqual(own);
    // Without --memory, nothing is an OOM kill of this kind.
    expect(await run(growThen(15, 1, "unreachable", 16), undefined)).toEqual(own);
  });
});
