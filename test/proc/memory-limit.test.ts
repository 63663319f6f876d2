// A container's --memory is one budget for all its processes: growth that passes it together ends
// the largest process (the OOM killer), marks the container, and leaves the others running.
import { describe, expect, it } from "vitest";
import { hasJspi, Kernel, type Process, MemFs, InputStream } from "../../kernel/host.js";
import { grower } from "./guests.js";

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
    while (procs.length < 2 || procs.some((p) => p.state !== "BLOCKED")) await new Promise((r) => setTimeout(r, 5));
    // Both started when the container had room for each to grow; together they pass 8 MiB.
    inputs[0].push(Buffer.from("x"));
    while (procs[0].memoryBytes < 4 * MiB || procs[0].state !== "BLOCKED") await new Promise((r) => setTimeout(r, 5));
    inputs[1].push(Buffer.from("x"));
    const killed = await runs[1];
    expect(killed.exitCode).toBe(137);
    expect(container.oomKilled).toBe(true);
    expect(container.limitHit).toBe("memory");
    expect(procs[0].state).toBe("BLOCKED");
    inputs[0].end();
    expect((await runs[0]).exitCode).toBe(0);
  });
});
