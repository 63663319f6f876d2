// test/containers: the docker-style flags as data: sizes, durations, volumes, env files, syscall
// profiles and signals, and the errors a bad flag gives.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import { kindOf, parseDuration, parseSignal, parseSize, SpecError, SYSCALL_PROFILES, type ContainerSpec } from "../../containers/spec.js";
import { parseVmMemoryMb, parseVolume, specFromOptions } from "../../containers/options.js";
import { tempDir } from "./helpers.js";

const names = new Kernel({ log: () => undefined }).syscalls.map((s) => s.name);

describe("container flags", () => {
  it("makes a VM with --vm: memory and CPUs, a container otherwise (and in configs from before VMs)", () => {
    const context = { cwd: "/", env: {}, syscallNames: names };
    expect(specFromOptions({}, context)).toMatchObject({ kind: "container" });
    expect(specFromOptions({}, context).vm).toBeUndefined();
    expect(specFromOptions({ vm: true }, context)).toMatchObject({ kind: "vm", vm: { memoryMb: 256, cpus: 1 } });
    expect(specFromOptions({ vm: true, vmMemory: "1g", vmCpus: "2", env: ["A=1"] }, context)).toMatchObject({ kind: "vm", vm: { memoryMb: 1024, cpus: 2 }, env: ["A=1"] });
    expect(parseVmMemoryMb("96")).toBe(96);
    expect(parseVmMemoryMb("65536k")).toBe(64);
    expect(() => parseVmMemoryMb("8m")).toThrow(/at least 16m/);
    expect(() => specFromOptions({ vm: true, readOnly: true }, context)).toThrow(/--read-only is not supported with --vm/);
    expect(() => specFromOptions({ vmCpus: "2" }, context)).toThrow(/need --vm/);
    expect(kindOf({} as ContainerSpec)).toBe("container");
  });

  it("parses sizes, durations, volumes and signals", () => {
    expect(parseSize("512k", "-m")).toBe(512 * 1024);
    expect(parseSize("64m", "-m")).toBe(64 * 1024 * 1024);
    expect(parseSize("1g", "-m")).toBe(1024 ** 3);
    expect(parseSize("100", "-m")).toBe(100);
    expect(() => parseSize("lots", "-m")).toThrow(SpecError);
    expect(parseDuration("500ms", "--cpu-time")).toBe(500);
    expect(parseDuration("2", "--cpu-time")).toBe(2000);
    expect(parseDuration("1m", "--cpu-time")).toBe(60000);
    expect(parseVolume("/a:/b:ro", "/")).toEqual({ host: "/a", guest: "/b", readOnly: true });
    expect(parseVolume("rel:/b", "/work")).toEqual({ host: "/work/rel", guest: "/b", readOnly: false });
    expect(() => parseVolume("/a:b", "/")).toThrow(/absolute/);
    expect(parseSignal("SIGTERM")).toBe(15);
    expect(parseSignal("kill")).toBe(9);
    expect(parseSignal("10")).toBe(10);
    expect(() => parseSignal("SIGNOPE")).toThrow(SpecError);
  });

  it("builds limits, env and profiles from the flags", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "env"), "A=1\n# comment\n\nHOMEDIR\n");
    await writeFile(join(dir, "calls"), "fd_write # stdout\nproc_exit\n");
    const spec = specFromOptions({
      memory: "8m", pidsLimit: "5", ulimit: ["nofile=64:128"], storageLimit: "1m", cpus: "0.5", cpuTime: "2s", timeLimit: "1m",
      env: ["B=2", "USER"], envFile: ["env"], syscalls: "calls", syscallErrno: "eperm", readOnly: true, rm: true, init: false,
    }, { cwd: dir, env: { USER: "me", HOMEDIR: "/h" }, syscallNames: names });
    expect(spec.limits).toEqual({ memoryBytes: 8 << 20, pids: 5, nofile: 64, storageBytes: 1 << 20, cpuShares: 512, cpuTimeMs: 2000, wallTimeMs: 60000 });
    expect(spec.env).toEqual(["A=1", "HOMEDIR=/h", "B=2", "USER=me"]);
    expect(spec.syscalls).toEqual({ profile: "calls", allowed: ["fd_write", "proc_exit"] });
    expect(spec.refusedErrno).toBe("EPERM");
    expect(spec.readOnly && spec.autoRemove && !spec.init).toBe(true);
    expect(specFromOptions({ syscalls: "default" }, { cwd: dir, env: {}, syscallNames: names }).syscalls).toBeUndefined();
    expect(SYSCALL_PROFILES["no-spawn"]!.allow(names)).not.toContain("proc_spawn");
    expect(() => specFromOptions({ syscalls: "nonesuch" }, { cwd: dir, env: {}, syscallNames: names })).toThrow(/neither a profile/);
    await writeFile(join(dir, "bad"), "fd_write\nmade_up_call\n");
    expect(() => specFromOptions({ syscalls: "bad" }, { cwd: dir, env: {}, syscallNames: names })).toThrow(/made_up_call/);
    expect(() => specFromOptions({ engine: "turbo" }, { cwd: dir, env: {}, syscallNames: names })).toThrow(SpecError);
  });
});
