// test/containers: what the lifecycle reports is true, through the CLI against a real daemon and
// the CLI as a real process: rmi, image prune and system df of an image in use, --rm runs killed, FinishedAt, out of memory,
// measured CPU, prune's figure, docker's exit codes, and output into a closed pipe.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { daemonCommand } from "../../containers/client.js";
import { daemonHarness, killDaemon, until } from "../helpers/daemon.js";

const setup = daemonHarness("wbtruth");

/**
 * The wasmbox CLI as its own process (the command the daemon is started with, minus "daemon"), on
 * this Node (no re-exec: a SIGKILL must reach the process that runs the container).
 */
function cliProcess(home: string, args: string[], shell?: string) {
  const command = daemonCommand(process.env).slice(0, -1);
  const env = { ...process.env, WASMBOX_HOME: home, WASMBOX_NO_REEXEC: "1" };
  const quoted = [...command, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const child = shell
    ? spawn("/bin/sh", ["-c", `${quoted} ${shell}`], { env, stdio: ["ignore", "pipe", "pipe"] })
    : spawn(command[0]!, [...command.slice(1), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, ended };
}

describe("lifecycle truth", () => {
  it("rmi refuses an image a container uses; rmi -f untags and the container still starts", async () => {
    const { cli } = await setup();
    expect((await cli("tag", "base", "mine:1")).code).toBe(0);
    const id = (await cli("create", "--name", "user", "mine:1", "true")).stdout.trim();
    // The daemon's refusal of a create ends it with 125, as docker's.
    expect(await cli("create", "--name", "user", "mine:1", "true")).toMatchObject({ code: 125, stderr: expect.stringMatching(/^Error response from daemon: Conflict\. The container name "\/user" is already in use/) });
    // base names the same image too: untagging one of two names needs no force.
    expect((await cli("rmi", "base")).stdout).toBe("Untagged: base:latest\n");
    const refused = await cli("rmi", "mine:1");
    expect(refused.code).toBe(1);
    const imageId = (await cli("image", "inspect", "-f", "{{.Id}}", "mine:1")).stdout.trim().slice(7, 19);
    expect(refused.stderr).toBe(`Error response from daemon: conflict: unable to remove repository reference "mine:1" (must force) - container ${id.slice(0, 12)} is using its referenced image ${imageId}\n`);
    const forced = await cli("rmi", "-f", "mine:1");
    expect(forced).toMatchObject({ code: 0, stdout: "Untagged: mine:1\n" });
    expect((await cli("images")).stdout).toMatch(new RegExp(`<none>\\s+<none>\\s+${imageId}`));
    expect((await cli("start", "-a", "user")).code).toBe(0);
  });

  it("an image a container uses, through the CLI as a process: rmi refuses it, image prune keeps it, system df counts it (the daemon answers, started when none runs)", async () => {
    const { cli, home } = await setup();
    // mine:1 becomes base's only name (untagging one of two names is no conflict).
    expect((await cli("tag", "base", "mine:1")).code).toBe(0);
    expect((await cli("rmi", "base")).code).toBe(0);
    const id = (await cli("create", "--name", "user", "mine:1", "true")).stdout.trim();
    const imageOf = async (name: string) => (await cli("image", "inspect", "-f", "{{.Id}}", name)).stdout.trim();
    const [used, unused] = [await imageOf("mine:1"), await imageOf("hello")];
    expect(used).not.toBe(unused);
    // No daemon runs: each command below starts or asks one (the CLI reads no container file itself).
    expect((await cliProcess(home, ["daemon", "stop"]).ended).code).toBe(0);
    const refused = await cliProcess(home, ["rmi", "mine:1"]).ended;
    expect(refused).toMatchObject({ code: 1, stdout: "" });
    expect(refused.stderr).toBe(`Error response from daemon: conflict: unable to remove repository reference "mine:1" (must force) - container ${id.slice(0, 12)} is using its referenced image ${used.slice(7, 19)}\n`);
    const df = await cliProcess(home, ["system", "df"]).ended;
    expect(df.code).toBe(0);
    // Three images (mine:1 and hello in this home, the installed package's read-only base), the one the container uses active; one stopped container.
    expect(df.stdout).toMatch(/\nImages\s+3\s+1\s+[\d.]+[kM]B\s+[\d.]+[kM]B \(\d+%\)\nContainers\s+1\s+0\s/);
    const pruned = await cliProcess(home, ["image", "prune", "-a", "-f"]).ended;
    expect(pruned).toMatchObject({ code: 0, stderr: "" });
    expect(pruned.stdout).toMatch(new RegExp(`^Deleted Images:\ndeleted: ${unused}\n\nTotal reclaimed space: [\\d.]+[kM]?B\n$`));
    const images = (await cliProcess(home, ["images"]).ended).stdout;
    expect(images).toMatch(/\nmine\s+1\s/);
    expect((await cli("images", "-q", "--no-trunc")).stdout).not.toContain(unused);
    expect((await cli("start", "-a", "user")).code).toBe(0);
  });

  it("a foreground --rm run killed with SIGTERM or SIGKILL, or an -d --rm one whose daemon died, leaves nothing", async () => {
    const { cli, home } = await setup();
    for (const signal of ["SIGTERM", "SIGQUIT", "SIGKILL"] as const) {
      const run = cliProcess(home, ["run", "--rm", "--name", "fg", "base", "sleep", "100"]);
      await until(() => cli("ps").then((r) => r.stdout), (t) => t.includes(" fg\n"));
      run.child.kill(signal);
      const end = await run.ended;
      if (signal === "SIGKILL") expect(end.signal).toBe("SIGKILL");
      else expect(end.code).toBe(signal === "SIGTERM" ? 143 : 131);
      expect((await cli("ps", "-a", "-q")).stdout).toBe("");
    }
    expect((await cli("run", "-d", "--rm", "--name", "bg", "base", "sleep", "100")).code).toBe(0);
    await killDaemon(home);
    expect((await cli("ps", "-a", "-q")).stdout).toBe("");
  }, 60_000);

  it("FinishedAt does not move once set, also when its daemon died", async () => {
    const { cli, home } = await setup();
    expect((await cli("run", "-d", "--name", "gone", "base", "sleep", "100")).code).toBe(0);
    await killDaemon(home);
    const first = (await cli("inspect", "-f", "{{.State.FinishedAt}}", "gone")).stdout;
    expect(first).toMatch(/^\d{4}-\d\d-\d\dT/);
    await new Promise((r) => setTimeout(r, 50));
    expect((await cli("inspect", "-f", "{{.State.FinishedAt}}", "gone")).stdout).toBe(first);
    expect((await cli("ps", "-a")).stdout).toMatch(/Exited \(255\)/);
    expect((await cli("inspect", "-f", "{{.State.FinishedAt}}", "gone")).stdout).toBe(first);
  });

  it("out of memory reads the same in the foreground and with -d: 137, named on stderr, OOMKilled", async () => {
    const { cli } = await setup();
    const fg = await cli("run", "--name", "fg", "--memory", "2m", "base", "sort", "/dev/zero");
    expect(fg.code).toBe(137);
    expect(fg.stderr).toMatch(/^wasmbox: out of memory: .*\n$/);
    expect(fg.stderr).not.toMatch(/trap|wasm-function/);
    expect((await cli("run", "-d", "--name", "bg", "--memory", "2m", "base", "sort", "/dev/zero")).code).toBe(0);
    expect((await cli("wait", "bg")).stdout).toBe("137\n");
    expect((await cli("logs", "bg")).stderr).toBe(fg.stderr);
    expect((await cli("inspect", "-f", "{{.State.OOMKilled}} {{.State.ExitCode}}", "fg", "bg")).stdout).toBe("true 137\ntrue 137\n");
  });

  it("stats shows the CPU time a container's processes used: none for one that sleeps", async () => {
    const { cli } = await setup();
    expect((await cli("run", "-d", "--name", "idle", "base", "sh", "-c", "while true; do sleep 1; done")).code).toBe(0);
    expect((await cli("run", "-d", "--name", "busy", "base", "sh", "-c", "while true; do :; done")).code).toBe(0);
    const cpu = async (name: string) => Number(/(\d+\.\d+)s/.exec((await cli("stats", "--no-stream", name)).stdout)![1]);
    // The busy one has used 0.3 s of CPU only once at least that much time went by: were sleeping
    // charged as CPU time, the idle one would show as much by then.
    await until(async () => String(await cpu("busy")), (seconds) => Number(seconds) > 0.3, "0.3 s of CPU time for the busy container");
    expect(await cpu("idle")).toBeLessThan(0.2);
  });

  it("container prune reports the space it reclaimed", async () => {
    const { cli } = await setup();
    expect((await cli("run", "--name", "writer", "base", "sh", "-c", "seq 1 20000 > /root/numbers; seq 1 2000")).code).toBe(0);
    const pruned = await cli("container", "prune", "-f");
    const kb = Number(/Total reclaimed space: ([\d.]+)kB\n$/.exec(pruned.stdout)?.[1]);
    expect(kb).toBeGreaterThan(100);
  });

  it("exit codes are docker's, the same in the foreground and with -d", async () => {
    const { cli } = await setup();
    for (const detach of [[], ["-d"]]) {
      const missing = await cli("run", ...detach, "base", "nosuch");
      expect(missing).toMatchObject({ code: 127, stderr: 'Error response from daemon: exec: "nosuch": executable file not found in $PATH\n' });
      const notWasm = await cli("run", ...detach, "base", "/etc/passwd");
      expect(notWasm.code).toBe(126);
      expect(notWasm.stderr).toMatch(/^Error response from daemon: exec: "\/etc\/passwd": permission denied/);
      const noImage = await cli("run", ...detach, "nope:1", "true");
      expect(noImage.code).toBe(125);
      // As docker: the client says it will pull, then the pull's error (vitest.config.ts points the
      // default registry at a closed loopback port, so no test asks a registry outside the machine).
      expect(noImage.stderr).toMatch(/^Unable to find image 'nope:1' locally\n/);
      expect(noImage.stderr).toMatch(/^Error response from daemon: registry 127\.0\.0\.1:1: /m);
      expect((await cli("run", ...detach, "--memory", "lots", "base", "true")).code).toBe(125);
    }
    expect((await cli("ps", "--bogus")).code).toBe(125);
    expect((await cli("run", "base", "sh", "-c", "exit 7")).code).toBe(7);
  });

  it("output into a closed pipe ends quietly", async () => {
    const { cli, home } = await setup();
    expect((await cli("run", "--name", "lots", "base", "seq", "1", "200000")).code).toBe(0);
    const logs = await cliProcess(home, ["logs", "lots"], "| head -1").ended;
    expect(logs).toMatchObject({ code: 0, stdout: "1\n", stderr: "" });
  }, 30_000);
});
