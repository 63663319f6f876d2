// test/containers: the HEALTHCHECK monitor's rules, as docker's daemon has them, with a scripted probe
// and millisecond intervals: starting -> healthy, the failing streak and retries, the start period, timeouts;
// then one container on the real kernel whose probe outlives its timeout.
import { describe, expect, it } from "vitest";
import { execProbe, healthSpec, healthSuffix, HealthMonitor, probeArgv, type HealthProbe, type HealthState } from "../../containers/health.js";
import type { HealthcheckConfig } from "../../images/oci.js";
import { makeRuntime, start } from "./helpers.js";
import { waitUntil } from "../helpers/poll.js";

const MS = 1e6;

/** A probe that answers from a script of exit codes (the last one repeats), counting its calls. */
function scripted(codes: number[]): HealthProbe & { calls: string[][] } {
  const calls: string[][] = [];
  const probe = async (argv: string[]) => {
    calls.push(argv);
    const exitCode = codes[Math.min(calls.length - 1, codes.length - 1)]!;
    return { exitCode, output: `probe ${calls.length}\n`, timedOut: false };
  };
  return Object.assign(probe, { calls });
}

/** Runs a monitor until `done` holds for a reported state (deadline 3s); returns every state reported. */
async function watch(config: HealthcheckConfig, probe: HealthProbe, done: (state: HealthState) => boolean): Promise<HealthState[]> {
  const seen: HealthState[] = [];
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const monitor = new HealthMonitor(config, probeArgv(config), probe, (state) => {
    seen.push(state);
    if (done(state)) finish();
  });
  const deadline = setTimeout(finish, 3000);
  monitor.start();
  await finished;
  clearTimeout(deadline);
  monitor.stop();
  if (!done(seen.at(-1)!)) throw new Error(`the monitor never reached the expected state; saw ${JSON.stringify(seen.map((s) => s.Status))}`);
  return seen;
}

describe("HealthMonitor", () => {
  it("starts as starting, turns healthy on success, unhealthy after `retries` failures in a row, and back", async () => {
    const probe = scripted([0, 1, 1, 0]);
    const config: HealthcheckConfig = { Test: ["CMD-SHELL", "check it"], Interval: 5 * MS, Retries: 2 };
    const seen = await watch(config, probe, (state) => state.Log.length === 4);
    expect(seen.map((s) => `${s.Status}/${s.FailingStreak}`)).toEqual(["starting/0", "healthy/0", "healthy/1", "unhealthy/2", "healthy/0"]);
    expect(probe.calls[0]).toEqual(["/bin/sh", "-c", "check it"]);
    expect(seen.at(-1)!.Log.map((entry) => [entry.ExitCode, entry.Output])).toEqual([[0, "probe 1\n"], [1, "probe 2\n"], [1, "probe 3\n"], [0, "probe 4\n"]]);
    expect(Date.parse(seen.at(-1)!.Log[0]!.End)).toBeGreaterThanOrEqual(Date.parse(seen.at(-1)!.Log[0]!.Start));
  });

  it("keeps the last five results and does not count failures in the start period", async () => {
    const probe = scripted([1]);
    const config: HealthcheckConfig = { Test: ["CMD", "/bin/check", "--fast"], Interval: 5 * MS, StartPeriod: 60 * MS, Retries: 1 };
    const seen = await watch(config, probe, (state) => state.Status === "unhealthy");
    const early = seen.filter((s) => s.Log.length > 0 && s.FailingStreak === 0);
    expect(early.length).toBeGreaterThan(0);
    expect(early.every((s) => s.Status === "starting")).toBe(true);
    expect(probe.calls[0]).toEqual(["/bin/check", "--fast"]);
    const more = await watch({ ...config, StartPeriod: undefined, Retries: 10 }, scripted([1]), (state) => state.FailingStreak === 7);
    expect(more.at(-1)!.Log).toHaveLength(5);
    expect(more.at(-1)!.Status).toBe("starting");
  });

  it("kills a probe past its timeout and records exit -1 with docker's message", async () => {
    let killed = 0;
    const probe = execProbe(async (_argv, io) => {
      io.onStdout(Buffer.from("partial"));
      return new Promise<number>((resolve) => io.onStart({ kill: () => void (killed++, resolve(137)) }));
    });
    const seen = await watch({ Test: ["CMD", "hang"], Interval: 5 * MS, Timeout: 20 * MS, Retries: 1 }, probe, (state) => state.Status === "unhealthy");
    expect(seen.at(-1)!.Log[0]).toMatchObject({ ExitCode: -1, Output: "Health check exceeded timeout (20ms)" });
    expect(killed).toBeGreaterThanOrEqual(1);
  });

  it("merges the image's HEALTHCHECK with the run flags, and shows the status as ps does", () => {
    const image = { Healthcheck: { Test: ["CMD", "a"], Interval: 30_000 * MS, Retries: 5 }, Shell: ["/bin/ash", "-c"] };
    expect(healthSpec(image, { Interval: 1000 * MS })).toEqual({ healthcheck: { Test: ["CMD", "a"], Interval: 1000 * MS, Retries: 5 }, shell: ["/bin/ash", "-c"] });
    expect(healthSpec(image, { disable: true }).healthcheck).toBeUndefined();
    expect(healthSpec({ Healthcheck: { Test: ["NONE"] } }, undefined).healthcheck).toBeUndefined();
    expect(healthSpec({}, { Test: ["CMD-SHELL", "true"] }).healthcheck).toEqual({ Test: ["CMD-SHELL", "true"] });
    expect(probeArgv({ Test: ["CMD-SHELL", "x && y"] }, ["/bin/ash", "-c"])).toEqual(["/bin/ash", "-c", "x && y"]);
    expect(healthSuffix({ Status: "starting", FailingStreak: 0, Log: [] })).toBe(" (health: starting)");
    expect(healthSuffix({ Status: "unhealthy", FailingStreak: 3, Log: [] })).toBe(" (unhealthy)");
    expect(healthSuffix(undefined)).toBe("");
  });
});

describe("health checks on the real kernel", () => {
  it("kills a probe that outlives --health-timeout and turns the container unhealthy", async () => {
    const runtime = await makeRuntime();
    const { record } = await start(runtime, ["sleep", "30"], { healthCmd: "echo probing; sleep 30", healthInterval: "50ms", healthTimeout: "150ms", healthRetries: "1" });
    await waitUntil("the container to turn unhealthy", () => record.state.health?.Status === "unhealthy", 10_000, 20);
    expect(record.state.health).toMatchObject({ Status: "unhealthy", FailingStreak: 1 });
    expect(record.state.health!.Log[0]).toMatchObject({ ExitCode: -1, Output: "Health check exceeded timeout (150ms)" });
    expect(record.spec.healthcheck).toEqual({ Test: ["CMD-SHELL", "echo probing; sleep 30"], Interval: 50e6, Timeout: 150e6, Retries: 1 });
    // Each timed-out probe was killed: after two of them, at most the one under way is left.
    await waitUntil("two probes in the health log", () => (record.state.health?.Log.length ?? 0) >= 2, 10_000, 20);
    expect(record.state.health!.Log.length).toBeGreaterThanOrEqual(2);
    const shells = runtime.top(record.spec.id).filter((p) => p.command.startsWith("/bin/sh -c echo probing"));
    expect(shells.length).toBeLessThanOrEqual(1);
    await runtime.remove(record.spec.id, true);
  }, 20_000);
});
