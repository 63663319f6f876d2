// The scheduler's policies, by what they do: how the one inline CPU is shared between two busy
// containers, one running a single spinner and the other three (FairSharePolicy: half each;
// RoundRobinPolicy: a quarter to the lone spinner, as every process gets the same turns).
import { describe, expect, it } from "vitest";
import { FairSharePolicy, hasJspi, Kernel, RoundRobinPolicy, SIGKILL, type Process, type SchedulerPolicy, MemFs } from "../../kernel/host.js";
import { spinner } from "./guests.js";

/** How long the spinners share the CPU before the shares are read. */
const RUN_MS = 400;

/** Runs 1 spinner in container A and 3 in container B for RUN_MS; A's share of the CPU the two used. */
async function loneSpinnerShare(policy: SchedulerPolicy): Promise<number> {
  const kernel = new Kernel({ engine: "inline", policy, log: () => undefined });
  const container = (name: string) => kernel.createContainer({ root: new MemFs(kernel.allocDev()).root, name, limits: { cpuShares: 1024 } });
  const a = container("a");
  const b = container("b");
  const program = kernel.programs.compile(spinner(), "spinner", false);
  const procs: Process[] = [];
  const runs = [a, b, b, b].map((c) => kernel.run(program, { container: c, onStart: (p) => procs.push(p) }));
  await new Promise((resolve) => setTimeout(resolve, RUN_MS));
  const used = [a.limiter.cpuNs, b.limiter.cpuNs];
  for (const p of procs) p.kill(SIGKILL);
  expect((await Promise.all(runs)).map((r) => r.exitCode)).toEqual([137, 137, 137, 137]);
  // Both containers ran: the spinners were preempted at their slices, not run to the end one by one.
  expect(used[0]).toBeGreaterThan(0);
  expect(used[1]).toBeGreaterThan(0);
  return used[0] / (used[0] + used[1]);
}

describe.runIf(hasJspi())("scheduler policies on the inline engine", () => {
  it("FairSharePolicy gives two containers of equal --cpu-shares half the CPU each, whatever their process counts", async () => {
    const share = await loneSpinnerShare(new FairSharePolicy());
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
  });

  it("RoundRobinPolicy gives every process the same turns, so the container of one spinner among four gets a quarter", async () => {
    const share = await loneSpinnerShare(new RoundRobinPolicy());
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.35);
  });
});

describe("FairSharePolicy and nice values", () => {
  const groupA = { limiter: { cpuNs: 0 }, limits: { cpuShares: 1024 } };
  const groupB = { limiter: { cpuNs: 5e9 }, limits: { cpuShares: 1024 } };
  const stub = (container: object, nice: number, cpuNs: number) => ({ container, nice, cpuNs }) as unknown as Process;

  it("keeps FIFO within a container when its runnable processes have one nice value", () => {
    expect(new FairSharePolicy().pick([stub(groupB, 0, 0), stub(groupA, 5, 9e9), stub(groupA, 5, 1e9)])).toBe(1);
  });

  it("weighs a container's runnable processes by nice: 1.25x the CPU a step", () => {
    const policy = new FairSharePolicy();
    // nice 0 used 2 s, nice 5 used 1 s: per weight 2 s vs 1 s * 1.25^5 = 3.05 s, so nice 0 runs.
    expect(policy.pick([stub(groupA, 5, 1e9), stub(groupA, 0, 2e9)])).toBe(1);
    // nice 0 used 4 s: 4 s against 3.05 s, so now the niced one runs.
    expect(policy.pick([stub(groupA, 5, 1e9), stub(groupA, 0, 4e9)])).toBe(0);
    // Only the chosen container's processes are weighed: container B's stays behind.
    expect(policy.pick([stub(groupB, -20, 0), stub(groupA, 5, 1e9), stub(groupA, 0, 4e9)])).toBe(1);
  });
});
