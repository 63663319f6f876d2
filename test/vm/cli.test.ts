// The CLI of VM mode, in-process: `vm run` and `bench compare --count 5 --json` / `--html`
// (figures checked for shape and sanity, never for timing).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompareReport, ModeFigures } from "../../bench/compare.js";
import { parseMemoryMb, registerVmCommands, runVmCommand } from "../../cli/commands/vm.js";
import { createCli, type CliIo } from "../../cli/index.js";
import { buildUserland } from "../../userland/build.js";

let home: string;

beforeAll(async () => {
  await buildUserland();
  home = mkdtempSync(join(tmpdir(), "wasmbox-vm-"));
});

afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Runs the CLI with collected output; the image store is an empty temporary home (base is built in). */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => void (stdout += typeof t === "string" ? t : Buffer.from(t).toString()),
    stderr: (t) => void (stderr += typeof t === "string" ? t : Buffer.from(t).toString()),
    env: { WASMBOX_HOME: home, PATH: "/bin" }, cwd: home,
  };
  let code = 0;
  const program = createCli(io, (c) => (code = c));
  registerVmCommands(program, io, (c) => (code = c)); // a no-op once cli/commands/extra.ts registers it
  await program.parseAsync(argv, { from: "user" });
  return { code, stdout, stderr };
}

describe("wasmbox vm run", () => {
  it("boots the image as a VM, runs the command, returns its exit code", async () => {
    const r = await cli(["vm", "run", "--vm-memory", "96m", "base", "sh", "-c", "echo hi from $(hostname); exit 3"]);
    expect(r.stdout).toMatch(/^hi from vm\d+/);
    expect(r.code).toBe(3);
  });

  it("is what `run --vm` calls", async () => {
    const out: string[] = [];
    const io: CliIo = { stdout: (t) => void out.push(typeof t === "string" ? t : Buffer.from(t).toString()), stderr: () => undefined, env: { WASMBOX_HOME: home }, cwd: home };
    expect(await runVmCommand(io, "base", ["echo", "via run --vm"], { vmMemory: "64m", vmCpus: "1" })).toBe(0);
    expect(out.join("")).toBe("via run --vm\n");
  });

  it("names a missing image", async () => {
    await expect(cli(["vm", "run", "no-such-image"])).rejects.toThrow(/no such image/);
  });

  it("parses memory sizes", () => {
    expect(parseMemoryMb("256")).toBe(256);
    expect(parseMemoryMb("512m")).toBe(512);
    expect(parseMemoryMb("1g")).toBe(1024);
    expect(parseMemoryMb("1.5GiB")).toBe(1536);
    expect(() => parseMemoryMb("lots")).toThrow(/--vm-memory/);
    expect(() => parseMemoryMb("4m")).toThrow(/at least/);
  });
});

function checkMode(m: ModeFigures, mode: string): void {
  expect(m.mode).toBe(mode);
  expect(m.count).toBe(5);
  for (const v of [m.start.p50Ms, m.start.p95Ms, m.start.p99Ms, m.start.firstMs, m.allRunningMs, m.allDoneMs]) {
    expect(Number.isFinite(v) && v > 0).toBe(true);
  }
  expect(m.start.samples).toBe(5);
  expect(m.start.p50Ms).toBeLessThanOrEqual(m.start.p95Ms);
  expect(m.start.p95Ms).toBeLessThanOrEqual(m.start.p99Ms);
  expect(m.allDoneMs).toBeGreaterThanOrEqual(m.allRunningMs);
  expect(m.output).toMatchObject({ exitCode: 0, stdout: "hi\n[\nbasename\nbusybox\n", allIdentical: true });
  expect(m.memory.perInstanceBytes).toBeGreaterThanOrEqual(0);
  expect(m.memory.accountedPerInstanceBytes).toBeGreaterThan(0);
  expect(m.syscalls.count).toBeGreaterThan(1000);
  expect(m.syscalls.perSecond).toBeGreaterThan(0);
  expect(m.pipe.bytes).toBe(20_000_000);
  expect(m.pipe.bytesPerSecond).toBeGreaterThan(0);
  expect(m.budget.instances).toBeGreaterThanOrEqual(0);
  const trap = m.isolation.find((i) => i.fault === "trap")!;
  expect(trap).toMatchObject({ measured: true, othersAlive: 4, othersTotal: 4, hostAlive: true });
}

describe("wasmbox bench compare", () => {
  it("--count 5 --json gives well-formed figures for both modes; --html writes charts", async () => {
    const html = join(home, "report.html");
    const r = await cli(["bench", "compare", "--count", "5", "--json", "--html", html, "--vm-memory", "96m"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as CompareReport;
    expect(report.count).toBe(5);
    expect(report.image).toBe("base");
    expect(report.imageBytes).toBeGreaterThan(0);
    checkMode(report.modes.container, "container");
    checkMode(report.modes.vm, "vm");
    // Containers share the image's layers; every VM holds its own copy of all of it.
    expect(report.modes.container.disk.perInstanceBytes).toBe(0);
    expect(report.modes.container.disk.sharedBytes).toBe(report.imageBytes);
    expect(report.modes.vm.disk.perInstanceBytes).toBe(report.imageBytes);
    // Every VM fault was injected and contained.
    const vmFaults = report.modes.vm.isolation.filter((i) => i.measured).map((i) => i.fault);
    expect(vmFaults).toEqual(["trap", "cpu-hog", "guest-kernel-crash", "heap-exhaustion", "spin"]);
    const hog = report.modes.container.isolation.find((i) => i.fault === "cpu-hog")!;
    expect(hog).toMatchObject({ measured: true, othersAlive: 4, othersTotal: 4 });
    expect(hog.hogMs).toBeGreaterThan(0);
    for (const i of report.modes.vm.isolation) expect(i.othersAlive).toBe(i.othersTotal);
    expect(report.goals.sameOutputInBothModes).toBe(true);
    expect(typeof report.goals.containerStart100xFaster).toBe("boolean");
    expect(Number.isFinite(report.ratios.startP50)).toBe(true);
    expect(r.stderr).toMatch(/\[#+\s*\] *\d+\/\d+/); // the progress bar
    const page = readFileSync(html, "utf8");
    expect(page).toMatch(/^<!doctype html>/);
    expect((page.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(6);
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it("prints the comparison as a table", async () => {
    const r = await cli(["bench", "compare", "--count", "2", "--no-progress", "--cmd", "echo same"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/start latency p50/);
    expect(r.stdout).toMatch(/memory per idle instance/);
    expect(r.stdout).toMatch(/memory it accounts for/);
    expect(r.stdout).toMatch(/same output in both modes: yes/);
    expect(r.stderr).toBe("");
  });
});
