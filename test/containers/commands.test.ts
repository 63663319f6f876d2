// test/containers: docker's everyday commands through the CLI against a real daemon process:
// ps --filter/--format, stats (streaming and --no-stream), rename, pause/unpause, attach,
// --restart policies, events, daemon stop, version, info, system df and system prune.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { daemonCommand } from "../../containers/client.js";
import { processAlive } from "../../containers/process-alive.js";
import { daemonHarness, until } from "../helpers/daemon.js";

const setup = daemonHarness("wbcmd");

/** The CLI as its own process on this Node; resolves with its output once `lines` lines came (then it is killed) or it ended. */
function cliProcess(home: string, args: string[], lines: number) {
  const command = daemonCommand(process.env).slice(0, -1);
  const child = spawn(command[0]!, [...command.slice(1), ...args], { env: { ...process.env, WASMBOX_HOME: home, WASMBOX_NO_REEXEC: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
    if (stdout.split("\n").length > lines) child.kill("SIGTERM");
  });
  return new Promise<{ stdout: string; ms: number }>((resolve) => {
    let first = 0;
    child.stdout.once("data", () => (first = performance.now()));
    child.on("close", () => resolve({ stdout, ms: performance.now() - first }));
  });
}

describe("container commands", () => {
  it("ps --filter and --format", async () => {
    const { cli } = await setup();
    expect((await cli("run", "-d", "--name", "web", "--label", "tier=front", "-l", "team", "base", "sleep", "100")).code).toBe(0);
    expect((await cli("run", "--name", "ok", "-l", "tier=back", "base", "true")).code).toBe(0);
    expect((await cli("run", "--name", "bad", "base", "sh", "-c", "exit 3")).code).toBe(3);
    const names = async (...args: string[]) => (await cli("ps", ...args, "--format", "{{.Names}}")).stdout.split("\n").filter(Boolean).sort();
    expect(await names()).toEqual(["web"]);
    expect(await names("-a")).toEqual(["bad", "ok", "web"]);
    expect(await names("--filter", "status=exited")).toEqual(["bad", "ok"]);
    expect(await names("-f", "exited=3")).toEqual(["bad"]);
    expect(await names("-a", "-f", "name=o")).toEqual(["ok"]);
    expect(await names("-a", "-f", "ancestor=base")).toEqual(["bad", "ok", "web"]);
    expect(await names("-a", "-f", "ancestor=hello")).toEqual([]);
    const id = (await cli("inspect", "-f", "{{.Id}}", "web")).stdout.trim();
    expect(await names("-a", "-f", `id=${id.slice(0, 8)}`)).toEqual(["web"]);
    expect(await names("-a", "-f", "status=exited", "-f", "status=running")).toEqual(["bad", "ok", "web"]);
    expect(await names("-a", "-f", "label=tier")).toEqual(["ok", "web"]);
    expect(await names("-a", "-f", "label=tier=back")).toEqual(["ok"]);
    expect(await names("-a", "-f", "label=team", "-f", "label=tier=front")).toEqual(["web"]);
    // The image's LABELs, with the --label ones over them.
    expect(JSON.parse((await cli("inspect", "-f", "{{json .Config.Labels}}", "web")).stdout)).toMatchObject({ tier: "front", team: "" });
    const table = await cli("ps", "--format", "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.State}}");
    expect(table.stdout).toBe(`CONTAINER ID   IMAGE   COMMAND       STATE\n${id.slice(0, 12)}   base    "sleep 100"   running\n`);
    const json = JSON.parse((await cli("ps", "--format", "json")).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ ID: id.slice(0, 12), Names: "web", Image: "base", State: "running" });
    expect((await cli("ps", "--format", "{{.ID}} {{.Status}}")).stdout).toMatch(new RegExp(`^${id.slice(0, 12)} Up .+\\n$`));
    const badFilter = await cli("ps", "-f", "color=red");
    expect(badFilter.code).toBe(1);
    expect(badFilter.stderr).toMatch(/invalid filter 'color'/);
    expect((await cli("ps", "--format", "{{.Nope}}")).code).toBe(125);
  });

  it("stats streams frames every second; --no-stream prints one", async () => {
    const { cli, home } = await setup();
    expect((await cli("run", "-d", "--name", "s1", "base", "sleep", "100")).code).toBe(0);
    const once = await cli("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}");
    expect(once.stdout).toMatch(/^s1 \d+\n$/);
    // Two frames, a second apart.
    const streamed = await cliProcess(home, ["stats", "--format", "{{.Name}} {{.CPUPerc}}"], 2);
    const frames = streamed.stdout.split("\n").filter(Boolean);
    expect(frames.length).toBe(2);
    expect(streamed.ms).toBeGreaterThan(700);
    for (const frame of frames) expect(frame).toMatch(/^s1 \d+\.\d\d%$/);
  }, 30_000);

  it("rename, pause and unpause (the paused container's processes do not run)", async () => {
    const { cli } = await setup();
    expect((await cli("run", "-d", "--name", "tick", "base", "sh", "-c", "while true; do echo t; sleep 0.05; done")).code).toBe(0);
    expect((await cli("rename", "tick", "tock")).code).toBe(0);
    expect((await cli("inspect", "-f", "{{.Name}}", "tock")).stdout).toBe("/tock\n");
    expect((await cli("logs", "tick")).code).toBe(1);
    expect((await cli("rename", "tock", "bad name")).stderr).toMatch(/Invalid container name/);
    await until(() => cli("logs", "tock").then((r) => r.stdout), (t) => t.length > 4);
    expect((await cli("pause", "tock")).stdout).toBe("tock\n");
    expect((await cli("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", "tock")).stdout).toBe("paused true\n");
    expect((await cli("ps", "--format", "{{.Status}}")).stdout).toMatch(/\(Paused\)\n$/);
    const before = (await cli("logs", "tock")).stdout.length;
    await new Promise((r) => setTimeout(r, 400));
    expect((await cli("logs", "tock")).stdout.length).toBe(before);
    expect((await cli("pause", "tock")).stderr).toMatch(/already paused/);
    expect((await cli("unpause", "tock")).code).toBe(0);
    await until(() => cli("logs", "tock").then((r) => String(r.stdout.length)), (t) => Number(t) > before);
    expect((await cli("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", "tock")).stdout).toBe("running false\n");
    expect((await cli("unpause", "tock")).stderr).toMatch(/is not paused/);
    // A paused container still stops.
    expect((await cli("pause", "tock")).code).toBe(0);
    expect((await cli("stop", "-t", "1", "tock")).code).toBe(0);
    expect((await cli("inspect", "-f", "{{.State.Status}}", "tock")).stdout).toBe("exited\n");
  });

  it("attach shows the output from now on and ends with the container's status", async () => {
    const { cli } = await setup();
    expect((await cli("run", "-d", "--name", "a1", "base", "sh", "-c", "echo early; sleep 1; echo late; exit 4")).code).toBe(0);
    await until(() => cli("logs", "a1").then((r) => r.stdout), (t) => t.includes("early"));
    const attached = await cli("attach", "a1");
    expect(attached).toMatchObject({ code: 4, stdout: "late\n" });
    expect((await cli("attach", "a1")).stderr).toMatch(/cannot attach to a stopped container/);
  });

  it("attach passes stdin to a container started with -i and ends with its status", async () => {
    const { cli, home } = await setup();
    expect((await cli("run", "-d", "-i", "--name", "in1", "base", "sh")).code).toBe(0);
    const command = daemonCommand(process.env).slice(0, -1);
    const child = spawn(command[0]!, [...command.slice(1), "attach", "in1"], { env: { ...process.env, WASMBOX_HOME: home, WASMBOX_NO_REEXEC: "1" }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const code = new Promise<number | null>((resolve) => child.on("close", resolve));
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdin.end("echo typed-$((40 + 2))\nexit 5\n");
    expect({ code: await code, stdout, stderr }).toEqual({ code: 5, stdout: "typed-42\n", stderr: "" });
    expect((await cli("inspect", "-f", "{{.State.ExitCode}}", "in1")).stdout).toBe("5\n");
    // Without -i there is no stdin to attach: output only.
    expect((await cli("run", "-d", "--name", "out1", "base", "sleep", "100")).code).toBe(0);
    expect((await cli("attach", "--detach-keys", "ctrl-1", "out1")).stderr).toMatch(/Invalid detach keys \(ctrl-1\)/);
  });

  it("a container waiting for its policy's restart shows as Restarting in ps and inspect", async () => {
    const { cli } = await setup();
    expect((await cli("run", "-d", "--name", "again", "--restart", "always", "base", "sh", "-c", "exit 3")).code).toBe(0);
    // The backoff doubles from 100 ms: soon a wait is long enough for ps (without -a) to see it.
    const status = await until(() => cli("ps", "--format", "{{.Names}} {{.State}} {{.Status}}").then((r) => r.stdout), (t) => /^again restarting Restarting \(3\) .+ ago\n$/.test(t), "ps showing it restarting");
    expect(status).toMatch(/^again restarting Restarting \(3\) (Less than a second|\d+ seconds?) ago\n$/);
    await until(() => cli("inspect", "-f", "{{.State.Restarting}} {{.State.Running}} {{.State.Status}}", "again").then((r) => r.stdout), (t) => t === "true true restarting\n", "inspect's State.Restarting");
    // As docker: rm refuses it without -f (a restart may come between: then it is running, refused as well).
    expect((await cli("rm", "again")).stderr).toMatch(/container is (restarting|running)/);
    expect((await cli("stop", "again")).code).toBe(0);
    expect((await cli("inspect", "-f", "{{.State.Restarting}} {{.State.Running}} {{.State.Status}} {{.State.ExitCode}}", "again")).stdout).toBe("false false exited 3\n");
    expect((await cli("ps", "-q")).stdout).toBe("");
  });

  it("--restart: on-failure:N restarts N times with backoff, always restarts, a stop stays stopped", async () => {
    const { cli } = await setup();
    expect((await cli("run", "-d", "--name", "flaky", "--restart", "on-failure:2", "base", "sh", "-c", "echo run; exit 1")).code).toBe(0);
    await until(() => cli("inspect", "-f", "{{.RestartCount}} {{.State.Status}}", "flaky").then((r) => r.stdout), (t) => t === "2 exited\n");
    // None after the second: the count stays.
    await new Promise((r) => setTimeout(r, 600));
    expect((await cli("inspect", "-f", "{{.RestartCount}} {{.HostConfig.RestartPolicy.Name}}", "flaky")).stdout).toBe("2 on-failure\n");
    expect((await cli("logs", "flaky")).stdout).toBe("run\nrun\nrun\n");
    expect((await cli("run", "-d", "--name", "fine", "--restart", "on-failure", "base", "true")).code).toBe(0);
    expect((await cli("wait", "fine")).stdout).toBe("0\n");
    await new Promise((r) => setTimeout(r, 300));
    expect((await cli("inspect", "-f", "{{.RestartCount}}", "fine")).stdout).toBe("0\n");
    expect((await cli("run", "-d", "--name", "again", "--restart", "always", "base", "sh", "-c", "sleep 0.1")).code).toBe(0);
    await until(() => cli("inspect", "-f", "{{.RestartCount}}", "again").then((r) => r.stdout), (t) => Number(t) >= 2);
    expect((await cli("stop", "again")).code).toBe(0);
    const count = (await cli("inspect", "-f", "{{.RestartCount}}", "again")).stdout;
    await new Promise((r) => setTimeout(r, 500));
    expect((await cli("inspect", "-f", "{{.RestartCount}} {{.State.Status}}", "again")).stdout).toBe(`${count.trim()} exited\n`);
    const bad = await cli("run", "-d", "--restart", "sometimes", "base", "true");
    expect(bad).toMatchObject({ code: 125, stderr: expect.stringMatching(/invalid restart policy 'sometimes'/) });
    expect((await cli("run", "-d", "--rm", "--restart", "always", "base", "true")).stderr).toMatch(/conflicting options: --restart and --rm/);
    expect((await cli("run", "--restart", "always", "base", "true")).stderr).toMatch(/--restart always needs -d/);
  }, 30_000);

  it("events: --since replays, --until ends, --filter selects", async () => {
    const { cli } = await setup();
    const since = String(Date.now() / 1000);
    expect((await cli("run", "-d", "--name", "ev", "base", "sh", "-c", "exit 2")).code).toBe(0);
    expect((await cli("wait", "ev")).code).toBe(0);
    expect((await cli("rename", "ev", "ev2")).code).toBe(0);
    expect((await cli("rm", "ev2")).code).toBe(0);
    const until = String(Date.now() / 1000 + 0.2);
    const all = await cli("events", "--since", since, "--until", until);
    const actions = all.stdout.split("\n").filter(Boolean).map((line) => line.split(" ")[2]);
    expect(actions).toEqual(["create", "start", "die", "rename", "destroy"]);
    expect(all.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z container create [0-9a-f]{64} \(image=base, name=ev\)\n/);
    expect(all.stdout).toContain("(exitCode=2, image=base, name=ev)");
    const died = await cli("events", "--since", since, "--until", until, "--filter", "event=die", "--format", "json");
    expect(JSON.parse(died.stdout)).toMatchObject({ Type: "container", Action: "die", Actor: { Attributes: { exitCode: "2", name: "ev" } } });
  });

  it("version, info, system df and system prune", async () => {
    const { cli } = await setup();
    expect((await cli("version")).stdout).toMatch(/^Client:\n Version: +0\.1\.0\n Node: +v\d+/);
    expect((await cli("run", "-d", "--name", "up", "base", "sleep", "100")).code).toBe(0);
    expect((await cli("run", "--name", "down", "base", "sh", "-c", "seq 1 5000 > /root/n")).code).toBe(0);
    expect((await cli("version")).stdout).toMatch(/\nServer:\n Version: +0\.1\.0\n[^]*Pid: +\d+\n$/);
    const info = (await cli("info")).stdout;
    expect(info).toMatch(/^Containers: 2\n Running: 1\n Paused: 0\n Stopped: 1\nImages: 2\n/);
    expect((await cli("info", "-f", "{{.ContainersRunning}}")).stdout).toBe("1\n");
    const df = (await cli("system", "df")).stdout;
    expect(df).toMatch(/^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE\nImages\s+2\s+1\s+\S+\s+\S+ \(\d+%\)\nContainers\s+2\s+1\s/);
    const pruned = await cli("system", "prune", "-f");
    expect(pruned.stdout).toMatch(/^Deleted Containers:\n[0-9a-f]{64}\n\nTotal reclaimed space: [\d.]+kB\n$/);
    expect((await cli("ps", "-a", "--format", "{{.Names}}")).stdout).toBe("up\n");
    // -a removes the images no container uses (hello), not base, which "up" uses.
    const helloId = (await cli("image", "inspect", "-f", "{{.Id}}", "hello")).stdout.trim();
    const baseId = (await cli("image", "inspect", "-f", "{{.Id}}", "base")).stdout.trim();
    const all = await cli("system", "prune", "-a", "-f");
    expect(all.stdout).toMatch(/^Deleted Images:\ndeleted: sha256:[0-9a-f]{64}\n\nTotal reclaimed space: /);
    expect(all.stdout).toContain(`deleted: ${helloId}\n`);
    expect(all.stdout).not.toContain(baseId);
  });

  it("daemon stop stops the containers with their stop timeout and exits", async () => {
    const { cli, home } = await setup();
    expect((await cli("run", "-d", "--name", "svc", "base", "sleep", "100")).code).toBe(0);
    const pid = Number(await readFile(join(home, "daemon.pid"), "utf8"));
    const stopped = await cli("daemon", "stop");
    expect(stopped).toMatchObject({ code: 0, stdout: `wasmbox daemon stopped (pid ${pid})\n` });
    expect(processAlive(pid)).toBe(false);
    // A new daemon finds it stopped by its signal (143), not lost (255).
    expect((await cli("inspect", "-f", "{{.State.ExitCode}}", "svc")).stdout).toBe("143\n");
    expect((await cli("daemon", "stop")).code).toBe(0);
  });
});
