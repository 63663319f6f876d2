// The comparison's measuring functions, each on its own with one or a few instances and small
// workloads, on one Fleet (containers and VMs started through the ContainerRuntime) for the file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Fleet, type Started } from "../../../containers/compare/fleet.js";
import { countdownWasm } from "../../../containers/compare/guests.js";
import {
  alive, bestOf3, countSyscalls, measureIsolation, measureNetwork, measureStarts, measureTogether, pipeWorkload, startIdle, syscallWorkload,
} from "../../../containers/compare/measure.js";
import { layerBytes } from "../../../kernel/host.js";
import type { RunnableImage } from "../../../containers/runtime.js";
import { buildUserland } from "../../../userland/build.js";
import { APPLETS, baseRootfs } from "../../../userland/rootfs.js";

const CMD = ["sh", "-c", "echo hi; ls /bin | head -3"];
/** What CMD prints: /bin holds busybox and a link per applet, which ls sorts by byte value. */
const CMD_OUTPUT = `hi\n${[...new Set([...APPLETS, "busybox"])].sort().slice(0, 3).join("\n")}\n`;
let image: RunnableImage;
let fleet: Fleet;

beforeAll(async () => {
  await buildUserland();
  image = { id: "base", config: { Env: ["PATH=/bin", "HOME=/root"] }, layers: [await baseRootfs()] };
  fleet = new Fleet({ image, imageName: "base", vmMemoryMb: 64 });
});

afterAll(async () => {
  await fleet?.shutdown();
});

describe("the countdown guest", () => {
  it("is a valid module that runs its loops and returns", () => {
    const module = new WebAssembly.Module(countdownWasm(1000n));
    const instance = new WebAssembly.Instance(module, {});
    expect(WebAssembly.Module.exports(module)).toEqual([{ name: "_start", kind: "function" }]);
    expect((instance.exports._start as () => unknown)()).toBe(undefined);
    // The count is a signed LEB128: a large one is more bytes, not a different program shape.
    expect(countdownWasm(4e9).length - countdownWasm(1000).length).toBe(3);
  });
});

describe("starts", () => {
  it("times create + start one at a time, for containers and VMs", async () => {
    const labels: string[] = [];
    const c = await measureStarts(fleet, "container", CMD, 2, (l) => labels.push(l));
    const v = await measureStarts(fleet, "vm", CMD, 1);
    expect(c).toHaveLength(2);
    expect(v).toHaveLength(1);
    expect(Math.min(...c)).toBeGreaterThan(0);
    // A VM boots an isolate and a kernel and copies the disk; a container is a few objects on a
    // running kernel. (The first container start also compiles the image's program for this
    // kernel, once: with the preemption checks and their outlined loops, which a VM's guest
    // kernel does not get; the second start is the container's own cost.)
    expect(v[0]!).toBeGreaterThan(c[1]!);
    expect(labels).toEqual(["container: start 1/2", "container: start 2/2"]);
    // The first output comes after start() returned (a VM) or with it (a container may run meanwhile), never before.
    const one = await fleet.start("vm", ["sh", "-c", "sleep 0.2; echo late"], "vm-late");
    expect(await one.firstOutput).toBeGreaterThanOrEqual(one.startMs + 150);
    expect(await one.exited).toMatchObject({ exitCode: 0, stdout: "late\n" });
    const quiet = await fleet.start("container", ["true"], "quiet");
    expect(await quiet.firstOutput).toBeGreaterThan(0);
    await Promise.all([fleet.remove(one), fleet.remove(quiet)]);
    // Nothing is left, not even a record, and the records were the runtime's own (in memory, no files).
    expect(fleet.runtime.files).toBe(undefined);
    expect(fleet.runtime.list(true)).toEqual([]);
  });

  it("starts N together and gives the first output and whether all agree", async () => {
    for (const mode of ["container", "vm"] as const) {
      const r = await measureTogether(fleet, mode, CMD, 2);
      expect(r.output).toMatchObject({ exitCode: 0, stdout: CMD_OUTPUT, stderr: "", allIdentical: true });
      expect(r.allDoneMs).toBeGreaterThanOrEqual(r.allRunningMs);
      expect(r.allRunningMs).toBeGreaterThan(0);
    }
  });
});

describe("the network rows", () => {
  it("time requests and a transfer between two containers and between two VMs, and remove them", async () => {
    for (const mode of ["container", "vm"] as const) {
      const net = await measureNetwork(fleet, mode, { requests: 3, bytes: 300_000 });
      expect(net).toMatchObject({ requests: 3, bytes: 300_000 });
      expect(net.requestWorkload).toContain(`http://${mode}-net-server:8080/ping`);
      expect(net.requestMs).toBeGreaterThan(0);
      expect(net.bytesPerSecond).toBeCloseTo((300_000 / net.transferMs) * 1000);
    }
    expect(fleet.runtime.list(true)).toEqual([]);
  });
});

describe("idle instances, workloads and isolation", () => {
  const idle: { container: Started[]; vm: Started[] } = { container: [], vm: [] };

  it("idle containers share the image; idle VMs each hold a full copy", async () => {
    const c = await startIdle(fleet, "container", 2);
    const v = await startIdle(fleet, "vm", 4);
    idle.container = c.idle;
    idle.vm = v.idle;
    expect(c.diskPerInstanceBytes).toBe(0);
    expect(v.diskPerInstanceBytes).toBe(layerBytes(image.layers));
    expect(c.memory.instances).toBe(2);
    // init and sleep: each has its linear memory.
    expect(c.memory.accountedPerInstanceBytes).toBeGreaterThanOrEqual(2 * 65536);
    // A VM's own figure adds its isolate's heap: megabytes, not the container's kilobytes.
    expect(v.memory.accountedPerInstanceBytes).toBeGreaterThan(c.memory.accountedPerInstanceBytes + 1024 * 1024);
    expect(c.memory.perInstanceBytes).toBe(Math.max(0, (c.memory.rssWithAllBytes - c.memory.baselineRssBytes) / 2));
    expect((await alive(fleet, [...c.idle, ...v.idle])).alive).toBe(6);
  });

  it("counts the syscall workload's calls (deterministic) and runs the workloads in both kinds", async () => {
    const counts = await Promise.all([50, 100, 150].map((n) => countSyscalls(image, "base", syscallWorkload(n))));
    expect(counts[0]).toBeGreaterThan(50);
    expect(counts[1]! - counts[0]!).toBe(counts[2]! - counts[1]!);
    for (const inst of [idle.container[0]!, idle.vm[0]!]) {
      const sys = await bestOf3(fleet, inst, syscallWorkload(50));
      expect(sys).toMatchObject({ exitCode: 0, stdout: "" });
      const pipe = await bestOf3(fleet, inst, pipeWorkload(100_000));
      expect(pipe).toMatchObject({ exitCode: 0, stdout: "100000\n" });
      expect(pipe!.ms).toBeGreaterThan(0);
    }
  });

  it("containers: a trap ends one process; a hog and a spinner are measured against the other", async () => {
    const [victim, other] = idle.container as [Started, Started];
    const labels: string[] = [];
    const rows = await measureIsolation(fleet, "container", [victim, other], { hog: 2e7, spin: 1e8 }, (l) => labels.push(l));
    expect(rows.map((r) => r.fault)).toEqual(["trap", "cpu-hog", "guest-kernel-crash", "heap-exhaustion", "spin"]);
    expect(labels).toEqual(["container: isolation (trap)", "container: isolation (cpu-hog)", "container: isolation (spin)"]);
    const [trap, hog, crash, , spin] = rows as [typeof rows[0], typeof rows[0], typeof rows[0], typeof rows[0], typeof rows[0]];
    expect(trap).toMatchObject({ measured: true, othersAlive: 1, othersTotal: 1, victimOutcome: "trapped process exit 134; the instance itself kept running" });
    expect(hog).toMatchObject({ measured: true, othersAlive: 1, othersTotal: 1 });
    expect(hog.victimOutcome).toMatch(/^counted down 20000000 loops in \d+ ms, exit 0$/);
    expect(crash).toMatchObject({ measured: false, othersAlive: 0, othersTotal: 1, hostAlive: false });
    expect(spin).toMatchObject({ measured: true, othersTotal: 1 });
    // Whatever the engine does, the row says what happened: answered while it spun (then killed), or waited.
    if (spin.othersAlive === 1) expect(spin.victimOutcome).toMatch(/^killed while spinning after \d+ ms/);
    else expect(spin.victimOutcome).toMatch(/^ran its 100000000 loops to the end/);
    // On the worker engine the spinner has a thread of its own: the other answers while it spins.
    if (fleet.runtime.kernel.engineKind === "worker") expect(spin.othersAlive).toBe(1);
    // A spinner still running once the other answered is killed with its container; the other never noticed.
    if (spin.othersAlive === 1) expect((await victim.exited).exitCode).toBe(137);
    expect((await alive(fleet, [other])).alive).toBe(1);
  });

  it("VMs: a trap, a hog, a guest kernel panic, heap exhaustion and a spinning guest kernel each end alone", async () => {
    const rows = await measureIsolation(fleet, "vm", idle.vm, { hog: 2e7, spin: 3e8 });
    expect(rows.map((r) => [r.fault, r.measured, r.othersAlive, r.othersTotal])).toEqual([
      ["trap", true, 3, 3], ["cpu-hog", true, 3, 3], ["guest-kernel-crash", true, 3, 3], ["heap-exhaustion", true, 2, 2], ["spin", true, 1, 1],
    ]);
    expect(rows[2]!.victimOutcome).toMatch(/^crashed \(exit 134\)/);
    expect(rows[3]!.victimOutcome).toMatch(/^oom \(exit 137\)/);
    expect(rows[4]!.victimOutcome).toMatch(/^still spinning; kill\(\) ended it/);
    // The trap and hog victim is the one left: it still answers.
    expect((await alive(fleet, [idle.vm[0]!])).alive).toBe(1);
  });
});
