// test/containers: escape attempts from one container fail: other containers' files, `..` and
// symlinks past the root, host paths, other containers' pids and signals, /proc, mounted dirs.
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { waitUntil } from "../helpers/poll.js";
import { makeRuntime, runIn, sh, start, tempDir } from "./helpers.js";

describe("container isolation", () => {
  it("gives each container its own root: writes stay in their container", async () => {
    const rt = await makeRuntime();
    const a = await runIn(rt, sh("echo secret > /tmp/secret; echo mine > /etc/hostname; cat /tmp/secret"));
    expect(a.stdout).toBe("secret\n");
    const b = await runIn(rt, sh("cat /tmp/secret; cat /etc/hostname"));
    expect(b.stderr).toMatch(/No such file/);
    expect(b.stdout).toBe("wasmbox\n");
  });

  it("keeps .. and absolute paths inside the container root; host paths do not exist", async () => {
    const rt = await makeRuntime();
    const r = await runIn(rt, sh(`cd /../../..; pwd; cat /../../../tmp/../etc/hostname; ls ${process.cwd()}; cat /../../${process.cwd()}/package.json`));
    expect(r.stdout).toBe("/\nwasmbox\n");
    expect(r.stderr).toMatch(/No such file/);
    expect(r.stderr).not.toMatch(/wasmbox"/);
  });

  it("resolves symlinks inside the container, whatever they point at", async () => {
    const rt = await makeRuntime();
    const r = await runIn(rt, sh(`ln -s / /tmp/root; ln -s ../../../../../../.. /tmp/up; ln -s ${process.cwd()} /tmp/host; ls /tmp/root/; cat /tmp/root/../../etc/hostname; cat /tmp/up/etc/hostname; ls /tmp/host/; cat /tmp/host/package.json`));
    expect(r.stdout.split("\n")).toContain("bin");
    expect(r.stdout).toContain("wasmbox\n");
    expect(r.stdout).not.toContain("package.json");
    expect(r.stdout).not.toContain('"name"');
    // `..` past the root through a symlink is refused (WASI's rule for paths under a preopened directory).
    expect(r.stderr).toMatch(/\/tmp\/up\/etc\/hostname: Operation not permitted/);
    expect(r.stderr).toMatch(/\/tmp\/host\/package.json: No such file/);
  });

  it("scopes pids, kill and /proc to the container", async () => {
    const rt = await makeRuntime();
    const a = await start(rt, sh("echo ready; sleep 1000"), { init: false });
    await waitUntil("container a to print ready", () => a.out.stdout.includes("ready"));
    // "ready" comes before sh has spawned its sleep: wait for both to exist.
    await waitUntil("sh and its sleep in container a", () => rt.top(a.record.spec.id).length === 2);
    expect(rt.top(a.record.spec.id).map((p) => p.pid)).toEqual([1, 2]);
    const b = await runIn(rt, sh("ls /proc | grep -E '^[0-9]+$' | sort -n | tr '\\n' ' '; echo; cat /proc/1/cmdline | tr '\\0' ' '; echo; kill -9 2 3 4 5; kill -9 -1; echo unreachable"), { init: false });
    expect(b.stdout.split("\n")[1]).toContain("sh -c ls /proc");
    const pids = b.stdout.split("\n")[0]!.trim().split(" ").map(Number);
    expect(pids[0]).toBe(1);
    expect(pids.length).toBeLessThanOrEqual(6);
    // kill -1 reaches every process of B but its pid 1 (as on Linux), and nothing of A.
    expect(b.stdout).toContain("unreachable");
    // A and its sleep are untouched by B's kill -9 2 and kill -9 -1.
    expect(a.record.live).toBeDefined();
    expect(rt.top(a.record.spec.id).map((p) => p.pid)).toEqual([1, 2]);
    rt.kill(a.record.spec.id, "SIGKILL");
    expect((await a.done()).exitCode).toBe(137);
  });

  it("shows each container its own hostname and mounts", async () => {
    const rt = await makeRuntime();
    const r = await runIn(rt, sh("hostname; cat /proc/mounts"), { hostname: "box-a" });
    expect(r.stdout.split("\n")[0]).toBe("box-a");
    expect(r.stdout).toContain("overlay / overlay rw");
    expect(r.stdout).not.toContain(process.cwd());
  });

  it("keeps a mounted directory's symlinks and .. inside the container, and ro mounts read-only", async () => {
    const host = await tempDir();
    const shared = join(host, "shared");
    await mkdir(shared);
    await writeFile(join(shared, "f"), "in-mount\n");
    await writeFile(join(host, "secret.txt"), "host secret\n");
    await symlink("/", join(shared, "escape"));
    await symlink("..", join(shared, "up"));
    const rt = await makeRuntime();
    const a = await runIn(rt, sh(`cat /data/f; cat /data/up/secret.txt; cat /data/escape${host}/secret.txt; cat /data/../${host}/secret.txt; echo x > /data/new; echo done`), { volume: [`${shared}:/data:ro`] });
    expect(a.stdout).toBe("in-mount\ndone\n");
    expect(a.stdout + a.stderr).not.toContain("host secret");
    expect(a.stderr).toMatch(/Read-only file system/);
    const b = await runIn(rt, sh("ls /data"));
    expect(b.stderr).toMatch(/No such file/);
  });
});
