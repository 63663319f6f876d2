// Processes, pipes and the scheduler on both engines (the worker engine alone where the runtime
// has no JSPI): big and multi-stage pipelines, many sleepers, kills, orphans, wait statuses, fds.
import { describe, expect, it } from "vitest";
import { hasJspi, Kernel, type Process } from "../../kernel/index.js";
import { Pipe } from "../../kernel/proc/pipe.js";
import { InputStream } from "../../kernel/stdio.js";
import { RIGHTS_STREAM } from "../../kernel/wasi.js";
import type { OpenFile } from "../../kernel/vfs/open-file.js";
import { baseRootfs } from "../../userland/rootfs.js";
import { waitUntil } from "../helpers/poll.js";
import { blockedReader, consumer, producer, sleeper, spinner } from "./guests.js";

const ENGINES = hasJspi() ? (["inline", "worker"] as const) : (["worker"] as const);
const entry = (file: OpenFile) => ({ file, rightsBase: RIGHTS_STREAM, rightsInheriting: 0 });

async function shellKernel(engine: "inline" | "worker"): Promise<Kernel> {
  const kernel = new Kernel({ engine, log: () => undefined });
  kernel.fs.writeEntries((await baseRootfs()).filter((e) => !/^(proc|dev)(\/|$)/.test(e.path)));
  return kernel;
}

/** Starts `program` in the kernel's host container with the given fds. */
function start(kernel: Kernel, bytes: Uint8Array, fds: Array<[number, OpenFile]>, argv = ["guest"]): Process {
  const program = kernel.programs.compile(bytes, argv[0], kernel.engineKind === "worker");
  return kernel.spawn({ container: kernel.host, parent: null, program, argv, env: [], cwd: "/", fds: fds.map(([fd, f]) => [fd, entry(f)]) });
}

describe.each(ENGINES)("processes on the %s engine", (engine) => {
  it("moves 10 MB through a pipe with every byte checked", async () => {
    const kernel = new Kernel({ engine, log: () => undefined });
    // Some 150 times the pipe's capacity: the writer and the reader each block and wake many times over.
    const total = 10 * 1000 * 1000;
    const [r, w] = new Pipe(kernel.allocIno()).open();
    const writer = start(kernel, producer(total), [[1, w]]);
    const reader = start(kernel, consumer(total), [[0, r]]);
    expect(await reader.exited).toBe(0);
    expect(await writer.exited).toBe(0);
  });

  it("runs a three-stage pipeline (producer | cat | checker)", async () => {
    const kernel = await shellKernel(engine);
    const total = 3 * 1000 * 1000;
    const [r1, w1] = new Pipe(kernel.allocIno()).open();
    const [r2, w2] = new Pipe(kernel.allocIno()).open();
    const a = start(kernel, producer(total), [[1, w1]]);
    const cat = kernel.spawn({ container: kernel.host, parent: null, path: "/bin/cat", argv: ["cat"], env: [], cwd: "/", fds: [[0, entry(r1)], [1, entry(w2)]] });
    const c = start(kernel, consumer(total), [[0, r2]]);
    expect(await c.exited).toBe(0);
    expect(await cat.exited).toBe(0);
    expect(await a.exited).toBe(0);
  });

  it("serves many chatty processes at once and loses no wake-up", async () => {
    // Four pipelines of ~1,000 syscalls each, side by side, three times: on the worker engine,
    // more threads than cores, so a notify often arrives late. The count checks every line arrived.
    const kernel = await shellKernel(engine);
    const script = "i=0; while [ $i -lt 1000 ]; do echo $i; i=$((i+1)); done | wc -l";
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(Array.from({ length: 4 }, () => kernel.run("/bin/sh", { args: ["-c", script], env: ["PATH=/bin"] })));
      expect(results.map((r) => [r.exitCode, r.stdout.trim()])).toEqual(Array(4).fill([0, "1000"]));
    }
  }, 60_000);

  it("keeps 1,000 processes sleeping at once, and wakes them all", async () => {
    const kernel = new Kernel({ engine, log: () => undefined });
    // One thread each on the worker engine, and each takes a while to start: fewer, longer sleepers.
    const count = engine === "inline" ? 1000 : 16;
    const program = kernel.programs.compile(sleeper(engine === "inline" ? 300 : 4000), "sleeper", kernel.engineKind === "worker");
    const runs = Array.from({ length: count }, () => kernel.run(program));
    await waitUntil(`all ${count} sleepers blocked`, () => kernel.host.pids.list().filter((p) => p.state === "BLOCKED").length === count);
    const results = await Promise.all(runs);
    expect(results.every((r) => r.exitCode === 0)).toBe(true);
  });

  it("kills a process blocked in read, and one blocked in write, while others run", async () => {
    const kernel = new Kernel({ engine, log: () => undefined });
    const [r, w] = new Pipe(kernel.allocIno()).open();
    const reader = start(kernel, blockedReader(), [[0, r]]);
    const [r2, w2] = new Pipe(kernel.allocIno()).open();
    const writer = start(kernel, producer(10 * 1000 * 1000), [[1, w2]]); // fills the pipe, then blocks
    await waitUntil("the reader and the writer blocked on their pipes", () => reader.state === "BLOCKED" && writer.state === "BLOCKED");
    const bystander = kernel.run(sleeper(50));
    reader.signal(15);
    writer.signal(9);
    expect(await reader.exited).toBe(15);
    expect(await writer.exited).toBe(9);
    expect((await bystander).exitCode).toBe(0);
    w.release();
    r2.release();
  });

  it("gives the wait statuses a shell expects", async () => {
    const kernel = await shellKernel(engine);
    const run = (cmd: string) => kernel.run("/bin/sh", { args: ["-c", cmd], env: { PATH: "/bin" } });
    expect((await run("exit 3")).exitCode).toBe(3);
    expect((await run('sh -c "exit 7"; echo $?')).stdout).toBe("7\n");
    expect((await run('sh -c "kill -9 \\$\\$"; echo $?')).stdout).toBe("137\n");
    expect((await run("kill -TERM $$; echo not reached")).exitCode).toBe(143);
  });

  it("passes fds to children and honours dup2 redirections", async () => {
    const kernel = await shellKernel(engine);
    const r = await kernel.run("/bin/sh", { args: ["-c", "(echo out; echo err >&2) 2>&1 | wc -l; echo x 3>/tmp/f >&3; cat /tmp/f"], env: { PATH: "/bin" } });
    expect(r.stdout.split(/\s+/).filter(Boolean)).toEqual(["2", "x"]);
    expect(r.stderr).toBe("");
  });

  it("re-parents orphans to pid 1 of their namespace, and reaps them", async () => {
    const kernel = await shellKernel(engine);
    const stdin = new InputStream();
    let init!: Process;
    const initRun = kernel.run(blockedReader(), { stdin, onStart: (p) => (init = p) });
    expect(init.pid).toBe(1);
    const r = await kernel.run("/bin/sh", { args: ["-c", "sleep 0.3 & echo $!"], env: { PATH: "/bin" } });
    const orphan = kernel.host.pids.get(Number(r.stdout.trim()))!;
    expect(orphan.parent).toBe(init);
    expect(init.children.has(orphan)).toBe(true);
    await orphan.exited;
    expect(orphan.state).toBe("ZOMBIE");
    stdin.end();
    await initRun;
  });
});

describe.runIf(ENGINES.includes("worker" as never))("the worker engine", () => {
  it("kills a guest spinning in a tight loop", async () => {
    const kernel = new Kernel({ engine: "worker", log: () => undefined });
    let proc!: Process;
    const run = kernel.run(spinner(), { onStart: (p) => (proc = p) });
    await new Promise((r) => setTimeout(r, 100));
    expect(proc.state).not.toBe("ZOMBIE");
    proc.signal(9);
    expect((await run).exitCode).toBe(137);
  });
});
