// test/containers: the lifecycle commands from the CLI (in-process, as the bin runs them) against a
// real daemon process started on demand, including a killed and restarted daemon; diff and commit
// round trips; run without -d on the CLI's own kernel.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { daemonHarness, killDaemon, until } from "../helpers/daemon.js";

const setup = daemonHarness("wbx");

describe("container lifecycle through the daemon", () => {
  it("run -d, ps, logs, exec, top, stats, stop, start, restart, kill, wait, rm, inspect", async () => {
    const { cli } = await setup();
    const run = await cli("run", "-d", "--name", "web", "-e", "WHO=you", "base", "sh", "-c", 'echo "hello $WHO"; while true; do sleep 1; done');
    expect(run.code).toBe(0);
    const id = run.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const ps = await cli("ps");
    expect(ps.stdout).toMatch(/^CONTAINER ID\s+KIND\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES\n/);
    expect(ps.stdout).toMatch(new RegExp(`${id.slice(0, 12)}\\s+container\\s+base\\s+"sh -c echo "hello \\$…"\\s+.*Up .*web\\n`));
    expect(await until(() => cli("logs", "web").then((r) => r.stdout), (t) => t.includes("hello"))).toBe("hello you\n");
    const exec = await cli("exec", id.slice(0, 6), "sh", "-c", "echo $WHO; hostname; cat /proc/1/cmdline | tr '\\0' ' '");
    expect(exec.code).toBe(0);
    expect(exec.stdout).toMatch(new RegExp(`^you\\n${id.slice(0, 12)}\\ninit /bin/sh -c`));
    expect((await cli("exec", "web", "sh", "-c", "exit 3")).code).toBe(3);
    expect((await cli("top", "web")).stdout).toMatch(/PID\s+PPID\s+STAT\s+TIME\s+CMD\n1\s+0\s+\w+\s+[\d:]+\s+init \/bin\/sh/);
    expect((await cli("stats", "--no-stream", "web")).stdout).toMatch(/CONTAINER ID\s+NAME\s+CPU %\s+CPU TIME\s+MEM USAGE \/ LIMIT\s+PIDS\s+STORAGE \/ LIMIT\n[0-9a-f]{12}\s+web\s+\d+\.\d\d%\s/);
    expect((await cli("stop", "-t", "5", "web")).stdout).toBe("web\n");
    expect((await cli("ps", "-a")).stdout).toMatch(/Exited \(143\) .* ago\s+web\n/);
    expect((await cli("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.Config.Hostname}}", "web")).stdout).toBe(`exited 143 ${id.slice(0, 12)}\n`);
    expect((await cli("start", "web")).code).toBe(0);
    expect((await cli("ps", "-q")).stdout).toBe(id.slice(0, 12) + "\n");
    expect((await cli("restart", "-t", "0", "web")).code).toBe(0);
    expect((await cli("kill", "-s", "KILL", "web")).stdout).toBe("web\n");
    expect((await cli("wait", "web")).stdout).toBe("137\n");
    const rmRunning = await cli("run", "-d", "--name", "busy", "base", "sleep", "100");
    expect(rmRunning.code).toBe(0);
    const refused = await cli("rm", "busy");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/container is running/);
    expect((await cli("rm", "-f", "busy")).code).toBe(0);
    expect((await cli("container", "prune")).stdout).toContain(id);
    expect((await cli("ps", "-a", "-q")).stdout).toBe("");
    expect((await cli("logs", "nothing")).stderr).toMatch(/No such container: nothing/);
  });

  it("diff and commit round-trip, cp both ways, export and import", async () => {
    const { cli, work } = await setup();
    expect((await cli("run", "--name", "c1", "base", "sh", "-c", "echo data > /root/x; rm /etc/group; mkdir /srv")).code).toBe(0);
    expect((await cli("diff", "c1")).stdout).toBe("C /etc\nD /etc/group\nC /root\nA /root/x\nA /srv\n");
    const commit = await cli("commit", "-m", "test", "c1", "mine:1");
    expect(commit.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const back = await cli("run", "--rm", "mine:1", "sh", "-c", "cat /root/x; ls /etc; ls -d /srv");
    expect(back.stdout).toBe("data\nhostname\nhosts\npasswd\nprofile\nresolv.conf\n/srv\n");
    expect((await cli("history", "mine:1")).stdout).toMatch(/wasmbox commit c1/);
    await writeFile(join(work, "in.txt"), "from host\n");
    expect((await cli("cp", join(work, "in.txt"), "c1:/root/")).code).toBe(0);
    expect((await cli("cp", "c1:/root/in.txt", join(work, "out.txt"))).code).toBe(0);
    expect(await readFile(join(work, "out.txt"), "utf8")).toBe("from host\n");
    expect((await cli("diff", "c1")).stdout).toContain("A /root/in.txt\n");
    expect((await cli("container", "export", "-o", join(work, "fs.tar"), "c1")).code).toBe(0);
    const imported = await cli("container", "import", "-c", 'CMD ["/bin/sh"]', join(work, "fs.tar"), "flat:1");
    expect(imported.stdout).toMatch(/^sha256:/);
    expect((await cli("run", "--rm", "flat:1", "cat", "/root/in.txt", "/root/x")).stdout).toBe("from host\ndata\n");
  });

  it("keeps containers, logs and uppers across a killed daemon", async () => {
    const { cli, home } = await setup();
    const id = (await cli("run", "-d", "--name", "long", "base", "sh", "-c", "echo before > /root/state; echo started; sleep 1000")).stdout.trim();
    await until(() => cli("logs", "long").then((r) => r.stdout), (t) => t.includes("started"));
    expect((await cli("stop", "-t", "0", "long")).code).toBe(0);
    expect((await cli("start", "long")).code).toBe(0);
    await until(() => cli("logs", "long").then((r) => r.stdout), (t) => t === "started\nstarted\n");
    // What a guest syncs survives the daemon's death (fsync returns once the upper is saved).
    expect((await cli("exec", "long", "sh", "-c", "echo kept > /root/synced; sync /root/synced")).code).toBe(0);
    const pid = await killDaemon(home);
    // A new daemon starts on demand; the container it never ran shows as exited.
    const ps = await cli("ps", "-a");
    expect(ps.stdout).toMatch(new RegExp(`${id.slice(0, 12)}.*Exited \\(255\\).*long\\n`));
    expect(Number(await readFile(join(home, "daemon.pid"), "utf8"))).not.toBe(pid);
    expect((await cli("logs", "long")).stdout).toBe("started\nstarted\n");
    expect((await cli("diff", "long")).stdout).toBe("C /root\nA /root/state\nA /root/synced\n");
    expect((await cli("start", "long")).code).toBe(0);
    const out = await cli("exec", "long", "cat", "/root/state", "/root/synced");
    expect(out.stdout).toBe("before\nkept\n");
    expect((await cli("rm", "-f", "long")).code).toBe(0);
  });

  it("runs an image without -d on the CLI's own kernel, with docker's exit codes", async () => {
    const { cli, home } = await setup();
    const hello = await cli("run", "--rm", "hello");
    expect(hello.stdout).toContain("Hello from wasmbox!");
    expect((await cli("run", "--rm", "base", "sh", "-c", "exit 7")).code).toBe(7);
    const missing = await cli("run", "--rm", "base", "nosuchcommand");
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/executable file not found/);
    expect((await cli("run", "--rm", "nosuchimage")).code).toBe(125);
    const kept = await cli("run", "--name", "kept", "base", "true");
    expect(kept.code).toBe(0);
    await expect(readFile(join(home, "daemon.pid"), "utf8")).rejects.toThrow();
  });
});
