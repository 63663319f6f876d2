// VM mode: the same image gives the same output as a container and as a VM; a guest that is killed,
// traps, crashes, exhausts its heap or spins ends alone while other guests and the host go on.
import { beforeAll, describe, expect, it } from "vitest";
import { Fleet } from "../../containers/compare/fleet.js";
import { TRAP_WASM } from "../../containers/compare/guests.js";
import { Kernel } from "../../kernel/index.js";
import type { LayerEntry } from "../../kernel/vfs/layer.js";
import { buildRoot, copyLayers, Hypervisor, layerBytes } from "../../kernel/vm/index.js";
import { buildUserland } from "../../userland/build.js";
import { baseRootfs } from "../../userland/rootfs.js";

const ENV = ["PATH=/bin", "HOME=/root"];
let layers: LayerEntry[][];

beforeAll(async () => {
  await buildUserland();
  // The base image plus a layer with a program that traps, identical for both modes.
  layers = [await baseRootfs(), [{ path: "usr/bin/trap", type: "file", mode: 0o755, data: TRAP_WASM }, { path: "usr", type: "dir", mode: 0o755 }]];
});

/** Containers of the same layers, started through a ContainerRuntime of their own (as `wasmbox run` starts them). */
function containers(): Fleet {
  return new Fleet({ image: { id: "vm-test", config: { Env: ENV }, layers }, imageName: "vm-test" });
}

const SCRIPTS = [
  "echo hi; ls /bin | head -3",
  "echo a b c | wc -w; seq 1 5 | sort -r | head -2",
  "cd /tmp && echo data > f && cat f && ls /tmp",
  "echo to stderr >&2; false",
  "exit 7",
  "printf '%s\\n' one two three | grep t | tr a-z A-Z",
];

describe("disk", () => {
  it("copies every byte of the image for a VM and builds a root from the layers", () => {
    const copy = copyLayers(layers);
    const src = layers[0]!.find((e) => e.path === "bin/busybox")!;
    const dst = copy[0]!.find((e) => e.path === "bin/busybox")!;
    expect(dst.data).toEqual(src.data);
    expect(dst.data!.buffer).not.toBe(src.data!.buffer);
    expect(layerBytes(copy)).toBe(layerBytes(layers));
    const kernel = new Kernel({ log: () => undefined });
    const root = buildRoot(kernel, layers);
    expect(root.usedBytes).toBe(layerBytes(layers));
  });
});

describe("same output in both modes", () => {
  it.each(SCRIPTS)("sh -c %j", async (script) => {
    const c = await (await containers().start("container", ["sh", "-c", script], "c1")).exited;
    const guest = new Hypervisor().boot({ layers, argv: ["sh", "-c", script], env: ENV, memoryMb: 128 });
    const v = await guest.exited;
    expect(v.reason).toBe("exit");
    expect({ exitCode: v.exitCode, stdout: v.stdout, stderr: v.stderr }).toEqual({ exitCode: c.exitCode, stdout: c.stdout, stderr: c.stderr });
    expect(guest.bootMs).toBeGreaterThan(0);
  });

  // Two CPUs give each of the guest's processes a thread (its kernel on the worker engine, as every
  // VM's is on a Node without JSPI): this file runs on the pinned Node only, so it asks for them here.
  it("sh -c with pipes and a child's exit code, on two CPUs", async () => {
    const script = `${SCRIPTS[1]}; sh -c "exit 5"; echo $?`;
    const c = await (await containers().start("container", ["sh", "-c", script], "c2")).exited;
    const v = await new Hypervisor().boot({ layers, argv: ["sh", "-c", script], env: ENV, memoryMb: 128, cpus: 2 }).exited;
    expect(c).toMatchObject({ exitCode: 0, stdout: "3\n5\n4\n5\n" });
    expect({ reason: v.reason, exitCode: v.exitCode, stdout: v.stdout, stderr: v.stderr }).toEqual({ reason: "exit", exitCode: c.exitCode, stdout: c.stdout, stderr: c.stderr });
  });
});

describe("a VM", () => {
  it("runs init as pid 1 with the command, relays stdin, and answers exec and stats", async () => {
    const hv = new Hypervisor();
    const guest = hv.boot({ layers, argv: ["cat"], env: ENV, stdin: true, memoryMb: 128 });
    await guest.running;
    expect(guest.state).toBe("running");
    const ps = await guest.exec(["ps", "-ef"]);
    expect(ps?.stdout).toMatch(/^root\s+1\s+0\s.*\/bin\/init cat$/m);
    const stats = await guest.stats();
    expect(stats?.diskBytes).toBe(layerBytes(layers));
    expect(stats?.heapUsed).toBeGreaterThan(0);
    guest.writeStdin("ping\n");
    guest.endStdin();
    const exit = await guest.exited;
    expect(exit).toMatchObject({ reason: "exit", exitCode: 0, stdout: "ping\n" });
    expect(hv.list()).toContain(guest);
  });

  it("stops: SIGTERM reaches the command through init", async () => {
    const guest = new Hypervisor().boot({ layers, argv: ["sleep", "100"], env: ENV, memoryMb: 128 });
    await guest.running;
    const exit = await guest.stop(10_000);
    expect(exit.reason).toBe("exit");
    expect(exit.exitCode).toBe(143);
  });

  it("runs the command as pid 1 without init", async () => {
    const guest = new Hypervisor().boot({ layers, argv: ["sh", "-c", "echo $$"], env: ENV, init: false, memoryMb: 128 });
    expect((await guest.exited).stdout).toBe("1\n");
  });
});

describe("isolation: faults in guests while others run", () => {
  it("a guest killed, trapping, crashing, out of memory or spinning ends alone", async () => {
    const hv = new Hypervisor();
    const boot = (argv: string[], extra: { memoryMb?: number; stdin?: boolean } = {}) => hv.boot({ layers, argv, env: ENV, memoryMb: 128, ...extra });
    // The bystanders: one waits on its console, one computes while the others fail.
    const waiter = boot(["cat"], { stdin: true });
    const worker = boot(["sh", "-c", "i=0; while [ $i -lt 300 ]; do i=$((i+1)); done; echo counted $i"]);
    // The victims.
    const killed = boot(["sleep", "100"]);
    const trapped = boot(["/usr/bin/trap"]);
    const crashed = boot(["sleep", "100"]);
    const oom = boot(["sleep", "100"], { memoryMb: 64 });
    const spinning = boot(["sleep", "100"]);
    await Promise.all([killed, crashed, oom, spinning, waiter].map((g) => g.running));

    void killed.kill();
    crashed.injectFault("crash");
    oom.injectFault("heap");
    spinning.injectFault("spin");
    const spinStop = spinning.stop(500); // SIGTERM cannot reach a spinning guest: killed after the timeout

    expect(await killed.exited).toMatchObject({ reason: "killed", exitCode: 137 });
    const trap = await trapped.exited;
    expect(trap).toMatchObject({ reason: "exit", exitCode: 134 });
    expect(trap.stderr).toMatch(/trap/);
    expect(await crashed.exited).toMatchObject({ reason: "crashed", exitCode: 134 });
    expect((await crashed.exited).message).toMatch(/panic/);
    const o = await oom.exited;
    expect(o.reason).toBe("oom");
    expect(o.exitCode).toBe(137);
    expect(await spinStop).toMatchObject({ reason: "killed" });

    // The others never noticed.
    expect(await waiter.exec(["echo", "still here"])).toMatchObject({ exitCode: 0, stdout: "still here\n" });
    waiter.writeStdin("bye\n");
    waiter.endStdin();
    expect(await waiter.exited).toMatchObject({ reason: "exit", exitCode: 0, stdout: "bye\n" });
    expect(await worker.exited).toMatchObject({ reason: "exit", exitCode: 0, stdout: "counted 300\n" });
    // And neither did the host's own kernel.
    const host = await containers().start("container", ["echo", "host ok"], "host-ok");
    expect(await host.exited).toMatchObject({ exitCode: 0, stdout: "host ok\n" });
    expect(hv.list().map((g) => g.state).sort()).toEqual(["crashed", "exited", "exited", "exited", "killed", "killed", "oom"]);
  });
});
