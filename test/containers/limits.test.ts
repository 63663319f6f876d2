// test/containers: each limit hit on purpose: the container says which (limitHit, OOMKilled in
// inspect) and a sibling container running at the same time is not affected.
import { describe, expect, it } from "vitest";
import { inspectOf } from "../../containers/format.js";
import type { CreateOptions } from "../../containers/options.js";
import { makeRuntime, runIn, sh, start } from "./helpers.js";

const SIBLING = sh("seq 1 20000 | sort | wc -l; mkdir /tmp/d; echo ok > /tmp/d/f; cat /tmp/d/f");

/** Runs `script` with `flags` next to a sibling container; returns both outcomes. */
async function withSibling(flags: CreateOptions, script: string) {
  const rt = await makeRuntime();
  const sibling = await start(rt, SIBLING);
  const limited = await runIn(rt, sh(script), flags);
  const other = await sibling.done();
  expect(other.exitCode).toBe(0);
  expect(other.stdout).toBe("20000\nok\n");
  expect(other.record.state.limitHit).toBeUndefined();
  return limited;
}

describe("container limits", () => {
  it("--memory: growth past it fails and the container is marked OOM-killed", async () => {
    const r = await withSibling({ memory: "2m", init: false }, "seq 1 200000 | sort | wc -l");
    expect(r.record.state.limitHit).toBe("memory");
    expect(r.record.state.oomKilled).toBe(true);
    const state = inspectOf(r.record).State as Record<string, unknown>;
    expect(state.OOMKilled).toBe(true);
    expect(state.LimitHit).toBe("memory");
  });

  it("--pids-limit: spawning past it fails with EAGAIN", async () => {
    const r = await withSibling({ pidsLimit: "2" }, "sleep 0 & sleep 0 & wait; echo done");
    expect(r.stderr).toMatch(/Resource temporarily unavailable/);
    expect(r.record.state.limitHit).toBe("pids");
  });

  it("--ulimit nofile: opening past it fails with EMFILE", async () => {
    const r = await withSibling({ ulimit: ["nofile=4"], init: false }, "cat /etc/passwd");
    expect(r.stderr).toMatch(/Too many open files/);
    expect(r.record.state.limitHit).toBe("nofile");
  });

  it("--storage-limit: the upper layer refuses writes past it (ENOSPC)", async () => {
    // cat reports the failed write (seq does not check its writes: it exits 0 even so).
    const r = await withSibling({ storageLimit: "1k" }, "seq 1 2000 | cat > /tmp/f");
    expect(r.record.state.limitHit).toBe("storage");
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe("cat: write error: No space left on device\n");
  });

  it("--time-limit: the container is killed after its wall-clock time", async () => {
    const r = await withSibling({ timeLimit: "200ms" }, "sleep 100");
    expect(r.exitCode).toBe(137);
    expect(r.record.state.limitHit).toBe("wall-time");
  });

  it("--cpu-time: a busy container is killed (inline engine, checked at syscalls)", async () => {
    const r = await withSibling({ cpuTime: "100ms" }, "while true; do echo x > /dev/null; done");
    expect(r.exitCode).toBe(137);
    expect(r.record.state.limitHit).toBe("cpu-time");
  });

  // The shell's builtin `true` makes no syscall: without preemption checks this loop would hold the
  // kernel's thread for good (the sibling container and the limit's timer could never run).
  const SPIN = "while true; do true; done";

  it("--cpu-time: an inline process computing without syscalls is killed (preemption checks)", async () => {
    const r = await withSibling({ cpuTime: "100ms", init: false }, SPIN);
    expect(r.exitCode).toBe(137);
    expect(r.record.state.limitHit).toBe("cpu-time");
  });

  it("--time-limit: an inline process computing without syscalls is killed at the wall-clock limit", async () => {
    const r = await withSibling({ timeLimit: "200ms", init: false }, SPIN);
    expect(r.exitCode).toBe(137);
    expect(r.record.state.limitHit).toBe("wall-time");
  });

  it("--cpu-time: a worker process computing without syscalls is killed too", async () => {
    const r = await withSibling({ cpuTime: "100ms", engine: "worker", init: false }, "while true; do true; done");
    expect(r.exitCode).toBe(137);
    expect(r.record.state.limitHit).toBe("cpu-time");
  });

  it("--read-only: the root refuses writes", async () => {
    const r = await withSibling({ readOnly: true }, "touch /x; echo y > /tmp/z; echo end");
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(r.stdout).toBe("end\n");
  });

  it("--syscalls: refused calls return ENOSYS (or EPERM) and are recorded", async () => {
    const r = await withSibling({ syscalls: "readonly-fs" }, "mkdir /x; echo rc=$?");
    expect(r.stdout).toBe("rc=1\n");
    expect(r.stderr).toMatch(/Function not implemented/);
    expect(r.record.state.refusedCalls).toContain("path_create_directory");
    const perm = await withSibling({ syscalls: "no-spawn", syscallErrno: "EPERM" }, "ls /");
    expect(perm.stderr).toMatch(/Operation not permitted/);
    expect(perm.record.state.refusedCalls).toContain("proc_spawn");
  });

  it("--cpu-shares and --cpus reach the scheduler's weight", async () => {
    const rt = await makeRuntime();
    const a = await start(rt, sh("echo ready; sleep 1000"), { cpuShares: "512" });
    const b = await start(rt, sh("echo ready; sleep 1000"), { cpus: "2" });
    expect(a.record.live!.container.limits.cpuShares).toBe(512);
    expect(b.record.live!.container.limits.cpuShares).toBe(2048);
    await rt.stop(a.record.spec.id, 0);
    await rt.stop(b.record.spec.id, 0);
  });
});
