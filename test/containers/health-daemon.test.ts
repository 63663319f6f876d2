// test/containers: HEALTHCHECK end to end through the CLI and a real daemon: an image built with a fast
// health check, its status in `ps` and `inspect` going starting -> unhealthy -> healthy as the probe's file appears;
// exec -u on the way.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { daemonHarness } from "../helpers/daemon.js";

const setup = daemonHarness("wbh");

/** Polls `probe` until `check` holds, failing with `what` and the last answer after 20 s. */
async function eventually(what: string, probe: () => Promise<string>, check: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + 20_000;
  let last = "";
  while (Date.now() < deadline) {
    last = await probe();
    if (check(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not happen within 20 s; last answer: ${last}`);
}

describe("HEALTHCHECK through the daemon", () => {
  it("runs the image's health check and shows it in ps and inspect", async () => {
    const { cli, work } = await setup();
    await writeFile(join(work, "Containerfile"), 'FROM base\nEXPOSE 80 53/udp\nLABEL tier=web\nHEALTHCHECK --interval=100ms --timeout=5s --retries=2 CMD test -f /tmp/ok && echo fine\nCMD ["sleep", "100"]\n');
    const built = await cli("build", "-q", "-t", "checked", ".");
    expect(built.stderr).toBe("");
    expect(built.code).toBe(0);
    const inspectImage = await cli("image", "inspect", "-f", "{{json .Config.Healthcheck}}", "checked");
    expect(JSON.parse(inspectImage.stdout)).toEqual({ Test: ["CMD-SHELL", "test -f /tmp/ok && echo fine"], Interval: 100_000_000, Timeout: 5_000_000_000, Retries: 2 });

    const started = await cli("run", "-d", "--name", "svc", "checked");
    expect(started.stderr).toBe("");
    expect(started.code).toBe(0);
    const health = async () => JSON.parse((await cli("inspect", "-f", "{{json .State.Health}}", "svc")).stdout) as { Status: string; FailingStreak: number; Log: { ExitCode: number; Output: string }[] };
    await eventually("unhealthy after two failed probes", async () => JSON.stringify(await health()), (text) => text.includes('"Status":"unhealthy"'));
    expect((await cli("ps")).stdout).toMatch(/Up .* \(unhealthy\)\s+svc\n/);
    expect((await health()).Log.at(-1)!.ExitCode).toBe(1);

    expect((await cli("exec", "svc", "touch", "/tmp/ok")).code).toBe(0);
    expect((await cli("exec", "svc", "grep", "Uid", "/proc/self/status")).stdout).toBe("Uid:\t0\t0\t0\t0\n");
    expect((await cli("exec", "-u", "user", "svc", "grep", "Uid", "/proc/self/status")).stdout).toBe("Uid:\t1000\t1000\t1000\t1000\n");
    const unknown = await cli("exec", "-u", "nobody", "svc", "true");
    expect(unknown.code).toBe(126);
    expect(unknown.stderr).toContain("unable to find user nobody: no matching entries in passwd file");
    await eventually("healthy once /tmp/ok exists", () => cli("ps").then((r) => r.stdout), (text) => /Up .* \(healthy\)\s+svc\n/.test(text));
    const healthy = await health();
    expect(healthy).toMatchObject({ Status: "healthy", FailingStreak: 0 });
    expect(healthy.Log.at(-1)).toMatchObject({ ExitCode: 0, Output: "fine\n" });
    expect(healthy.Log.length).toBeLessThanOrEqual(5);
    const config = JSON.parse((await cli("inspect", "-f", "{{json .Config}}", "svc")).stdout) as Record<string, unknown>;
    expect(config).toMatchObject({ ExposedPorts: { "80/tcp": {}, "53/udp": {} }, Labels: { tier: "web" }, Healthcheck: { Test: ["CMD-SHELL", "test -f /tmp/ok && echo fine"] } });

    expect((await cli("run", "-d", "--name", "off", "--no-healthcheck", "checked")).code).toBe(0);
    const [off] = JSON.parse((await cli("inspect", "off")).stdout) as { State: Record<string, unknown>; Config: Record<string, unknown> }[];
    expect(off!.State).not.toHaveProperty("Health");
    expect(off!.Config).not.toHaveProperty("Healthcheck");
    expect((await cli("ps")).stdout).toMatch(/Up [^(\n]*\s+off\n/);
    expect((await cli("rm", "-f", "svc", "off")).code).toBe(0);
  }, 60_000);
});
