// test/vm: VMs as daemon instances, from the CLI (in-process, as the bin runs it) against a real
// daemon process: create --vm, start, ps KIND, logs, exec, stop, wait, kill, rm, run -d --vm,
// inspect's figures, the commands a VM refuses, a VM's record across a killed daemon, restart
// policies for VMs, and CPU time read from the threads' own clocks (a VM's, a worker container's).
// Nothing waits on time: output is polled through the daemon until it shows.
import { describe, expect, it } from "vitest";
import { daemonHarness, killDaemon, until } from "../helpers/daemon.js";

const setup = daemonHarness("wbx-vm");

const LOOP = 'echo "hello from $(hostname)"; while true; do sleep 1; done';

describe("VMs through the daemon", () => {
  it("create --vm, start, ps KIND, logs, inspect, exec, stats, stop, wait, start again, kill, rm", async () => {
    const { cli } = await setup();
    const created = await cli("create", "--vm", "--vm-memory", "96m", "--name", "vm1", "--hostname", "guest1", "base", "sh", "-c", LOOP);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect((await cli("ps", "-a")).stdout).toMatch(new RegExp(`^CONTAINER ID\\s+KIND\\s+IMAGE[^\\n]*\\n${id.slice(0, 12)}\\s+vm\\s+base\\s+.*Created\\s+vm1\\n$`));
    expect((await cli("ps")).stdout).not.toContain("vm1");

    expect((await cli("start", "vm1")).code).toBe(0);
    expect((await cli("ps")).stdout).toMatch(new RegExp(`${id.slice(0, 12)}\\s+vm\\s+base\\s+.*Up .*vm1\\n`));
    expect(await until(() => cli("logs", "vm1").then((r) => r.stdout), (t) => t.includes("hello"))).toBe("hello from guest1\n");
    const inspect = await cli("inspect", "-f", "{{.Kind}} {{.State.Status}} {{.State.Pid}} {{.VM.MemoryMb}} {{.VM.Cpus}}", "vm1");
    expect(inspect.stdout).toBe("vm running 1 96 1\n");
    const boot = JSON.parse((await cli("inspect", "-f", "{{json .VM}}", "vm1")).stdout) as Record<string, number>;
    expect(boot.DiskBytes).toBeGreaterThan(0);
    expect(boot.BootMs).toBeGreaterThan(0);
    expect(boot.KernelUpMs).toBeGreaterThan(0);

    const exec = await cli("exec", "-e", "WHO=you", "-w", "/etc", "vm1", "sh", "-c", "echo $WHO in $(hostname):$(pwd); exit 4");
    expect(exec.stdout).toBe("you in guest1:/etc\n");
    expect(exec.code).toBe(4);
    expect((await cli("stats", "--no-stream", "vm1")).stdout).toMatch(/\n[0-9a-f]{12}\s+vm1\s+[\d.]+%\s+[\d.]+s\s+[\d.]+\w+ \/ 101MB\s+\d+\s/);
    for (const command of [["diff", "vm1"], ["top", "vm1"], ["export", "vm1"], ["commit", "vm1", "x:1"], ["cp", "vm1:/etc/passwd", "out"]]) {
      const refused = await cli(...command);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(`wasmbox: vm1 is a VM: ${command[0]} is not supported (its disk and processes are inside the guest)\n`);
    }

    // stop: SIGTERM to the guest's init, which passes it to sh (128 + 15).
    expect((await cli("stop", "-t", "30", "vm1")).stdout).toBe("vm1\n");
    expect((await cli("wait", "vm1")).stdout).toBe("143\n");
    expect((await cli("ps", "-a")).stdout).toMatch(/\s+vm\s+.*Exited \(143\) .* ago\s+vm1\n/);
    expect((await cli("inspect", "-f", "{{.State.Status}} {{.State.Pid}} {{.VM.MemoryMb}}", "vm1")).stdout).toBe("exited 0 96\n");

    // A second start boots the VM afresh; its console output is appended to the same log.
    expect((await cli("start", "vm1")).code).toBe(0);
    await until(() => cli("logs", "vm1").then((r) => r.stdout), (t) => t === "hello from guest1\nhello from guest1\n");
    const refused = await cli("rm", "vm1");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/container is running/);
    expect((await cli("kill", "-s", "KILL", "vm1")).stdout).toBe("vm1\n");
    expect((await cli("wait", "vm1")).stdout).toBe("137\n");
    expect((await cli("rm", "vm1")).stdout).toBe("vm1\n");
    expect((await cli("ps", "-a", "-q")).stdout).toBe("");
  });

  it("run -d --vm: exit codes, logs -f, a missing command, rm -f, and VMs beside containers in ps", async () => {
    const { cli } = await setup();
    const quick = await cli("run", "-d", "--vm", "--vm-memory", "64m", "--name", "quick", "base", "sh", "-c", "echo out; echo err >&2; exit 5");
    expect(quick.code).toBe(0);
    expect((await cli("wait", "quick")).stdout).toBe("5\n");
    const logs = await cli("logs", "-f", "quick");
    expect(logs.stdout).toBe("out\n");
    expect(logs.stderr).toBe("err\n");
    expect((await cli("inspect", "-f", "{{.Kind}} {{.State.ExitCode}}", "quick")).stdout).toBe("vm 5\n");

    expect((await cli("run", "-d", "--vm", "--name", "lost", "base", "nosuchcommand")).code).toBe(0);
    expect((await cli("wait", "lost")).stdout).toBe("127\n");
    const lost = await cli("logs", "lost");
    expect(lost.stderr).toMatch(/nosuchcommand/);

    expect((await cli("run", "-d", "--name", "box", "base", "sleep", "100")).code).toBe(0);
    expect((await cli("run", "-d", "--vm", "--name", "busy", "base", "sh", "-c", "echo up; sleep 100")).code).toBe(0);
    const ps = (await cli("ps", "-a")).stdout;
    expect(ps).toMatch(/\s+container\s+base\s+.*Up .*box\n/);
    expect(ps).toMatch(/\s+vm\s+base\s+.*Up .*busy\n/);
    expect(ps).toMatch(/\s+vm\s+base\s+.*Exited \(5\) .*quick\n/);
    // logs -f on a running VM ends when it does (whether it attached before the kill or after).
    await until(() => cli("logs", "busy").then((r) => r.stdout), (t) => t === "up\n");
    const follow = cli("logs", "-f", "busy");
    expect((await cli("kill", "busy")).code).toBe(0);
    expect(await follow).toEqual({ code: 0, stdout: "up\n", stderr: "" });
    expect((await cli("wait", "busy")).stdout).toBe("137\n");
    const refused = await cli("rm", "box");
    expect(refused.stderr).toMatch(/container is running/);
    expect((await cli("rm", "-f", "box", "busy")).stdout).toBe("box\nbusy\n");
    expect((await cli("ps", "-q")).stdout).toBe("");
  });

  it("refuses container-only flags with --vm, and VM flags without it", async () => {
    const { cli } = await setup();
    const volume = await cli("create", "--vm", "-v", "/tmp:/host", "base");
    // docker's rule: wasmbox's own errors end create with 125, as they end run.
    expect(volume.code).toBe(125);
    expect(volume.stderr).toMatch(/--volume is not supported with --vm/);
    const memory = await cli("create", "--vm", "-m", "64m", "base");
    expect(memory.stderr).toMatch(/--memory \(use --vm-memory\) is not supported with --vm/);
    expect((await cli("create", "--vm-memory", "64m", "base")).stderr).toMatch(/--vm-memory and --vm-cpus need --vm/);
    expect((await cli("create", "--vm", "--vm-memory", "8m", "base")).stderr).toMatch(/a VM needs at least 16m/);
    expect((await cli("create", "--vm", "--vm-cpus", "0", "base")).stderr).toMatch(/--vm-cpus 0/);
  });

  it("keeps a VM's record and console log across a killed daemon, and starts it again", async () => {
    const { cli, home } = await setup();
    const id = (await cli("run", "-d", "--vm", "--name", "long", "base", "sh", "-c", "echo started; sleep 1000")).stdout.trim();
    await until(() => cli("logs", "long").then((r) => r.stdout), (t) => t.includes("started"));
    await killDaemon(home);
    // A new daemon starts on demand; the VM the dead one ran shows as exited, still a VM.
    expect((await cli("ps", "-a")).stdout).toMatch(new RegExp(`${id.slice(0, 12)}\\s+vm\\s+.*Exited \\(255\\).*long\\n`));
    expect((await cli("logs", "long")).stdout).toBe("started\n");
    expect((await cli("start", "long")).code).toBe(0);
    await until(() => cli("logs", "long").then((r) => r.stdout), (t) => t === "started\nstarted\n");
    expect((await cli("inspect", "-f", "{{.Kind}} {{.State.Status}}", "long")).stdout).toBe("vm running\n");
    expect((await cli("rm", "-f", "long")).code).toBe(0);
  });

  it("--restart on-failure:2 restarts a failing VM twice, counted in inspect and ps, then leaves it exited", async () => {
    const { cli } = await setup();
    expect((await cli("run", "-d", "--vm", "--vm-memory", "64m", "--name", "flaky", "--restart", "on-failure:2", "base", "sh", "-c", "echo try; exit 3")).code).toBe(0);
    // Between runs (its backoff, then its boot) it reads as restarting, with the last exit code.
    await until(() => cli("ps", "-a", "--format", "{{.Names}} {{.Status}}").then((r) => r.stdout), (t) => /^flaky Restarting \(3\) /m.test(t), "ps showing Restarting");
    await until(() => cli("logs", "flaky").then((r) => r.stdout), (t) => t === "try\ntry\ntry\n", "three runs");
    await until(() => cli("inspect", "-f", "{{.RestartCount}} {{.State.Status}} {{.State.Restarting}}", "flaky").then((r) => r.stdout), (t) => t === "2 exited false\n", "two restarts, then exited");
    expect((await cli("ps", "-a", "--format", "{{.Names}} {{.Status}}")).stdout).toMatch(/^flaky Exited \(3\) /m);
    expect((await cli("inspect", "-f", "{{.Kind}} {{.State.ExitCode}}", "flaky")).stdout).toBe("vm 3\n");
  }, 60_000);

  it("stats: a spinning VM and a spinning worker-engine container are charged the CPU their threads used", async () => {
    const { cli } = await setup();
    // `:` is a shell builtin: the loop makes no syscall, so only the thread's own clock sees its CPU.
    expect((await cli("run", "-d", "--vm", "--vm-memory", "64m", "--name", "spinvm", "base", "sh", "-c", "while :; do :; done")).code).toBe(0);
    expect((await cli("run", "-d", "--engine", "worker", "--name", "spinbox", "base", "sh", "-c", "while :; do :; done")).code).toBe(0);
    const cpuSeconds = (name: string) => cli("stats", "--no-stream", "--format", "{{.CPUTime}}", name).then((r) => r.stdout);
    for (const name of ["spinvm", "spinbox"]) await until(() => cpuSeconds(name), (t) => parseFloat(t) >= 0.3, `0.3 s of CPU for ${name}`);
    // The spinners go now: they would take the cores from the rest of the suite while the idle one is watched.
    expect((await cli("rm", "-f", "spinvm", "spinbox")).code).toBe(0);
    // An idle container is charged little of its wall time (a worker parked in its syscall uses no CPU).
    expect((await cli("run", "-d", "--engine", "worker", "--name", "idle", "base", "sleep", "1000")).code).toBe(0);
    await until(() => cli("stats", "--no-stream", "--format", "{{.PIDs}}", "idle").then((r) => r.stdout), (t) => Number(t) >= 1, "the idle container's processes");
    await new Promise((r) => setTimeout(r, 1500));
    expect(parseFloat(await cpuSeconds("idle"))).toBeLessThan(1);
    expect((await cli("rm", "-f", "idle")).code).toBe(0);
  }, 60_000);
});
