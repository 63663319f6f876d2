// The CLI of VM mode, in-process: `vm run`, and one whole `bench compare --count 1 --json --html`
// (figures checked for shape and sanity, never for timing).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompareReport } from "../../containers/compare/report.js";
import { progressSteps } from "../../containers/compare/measure.js";
import { registerVmCommands, runVmCommand } from "../../cli/commands/vm.js";
import { createCli, type CliIo } from "../../cli/index.js";
import { ContainerFiles } from "../../containers/files.js";
import { buildUserland } from "../../userland/build.js";
import { APPLETS } from "../../userland/rootfs.js";

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
    // Its hostname is its short id, as a container's and a daemon VM's.
    expect(r.stdout).toMatch(/^hi from [0-9a-f]{12}\n$/);
    expect(r.code).toBe(3);
  });

  it("is `run --vm` in the foreground: a VM of the runtime, its record kept as a container's", async () => {
    const out: string[] = [];
    const io: CliIo = { stdout: (t) => void out.push(typeof t === "string" ? t : Buffer.from(t).toString()), stderr: () => undefined, env: { WASMBOX_HOME: home }, cwd: home };
    expect(await runVmCommand(io, "base", ["echo", "via run --vm"], { vmMemory: "64m", vmCpus: "1", name: "fgvm" })).toBe(0);
    expect(out.join("")).toBe("via run --vm\n");
    const files = await ContainerFiles.open(home);
    const specs = await Promise.all((await files.list()).map(async (id) => (await files.load(id))?.spec));
    expect(specs.find((s) => s?.name === "fgvm")).toMatchObject({ kind: "vm", vm: { memoryMb: 64, cpus: 1 } });
  });

  it("refuses bad values and container-only flags as run and create do: 125, one line", async () => {
    await expect(cli(["vm", "run", "--vm-memory", "8m", "base", "true"])).rejects.toThrow(/^wasmbox: --vm-memory 8m: a VM needs at least 16m$/);
    await expect(cli(["vm", "run", "--vm-cpus", "1.5", "base", "true"])).rejects.toThrow(/^wasmbox: --vm-cpus 1.5: expected a whole number from 1 to 64$/);
    await expect(cli(["vm", "run", "--memory", "8m", "base", "true"])).rejects.toThrow(/unknown option '--memory'/);
  });
});

describe("wasmbox bench compare", () => {
  // The measuring functions, the table and the page are tested on their own (test/containers/compare/);
  // this is the one whole run, through the CLI, with one instance of each kind.
  it("--count 1 --json --html: figures of both modes from the runtime's containers and VMs, a page with charts", async () => {
    const html = join(home, "report.html");
    const containersBefore = await (await ContainerFiles.open(home)).list();
    const r = await cli(["bench", "compare", "--count", "1", "--json", "--html", html, "--vm-memory", "96m"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as CompareReport;
    expect(report).toMatchObject({ count: 1, image: "base", vmMemoryMb: 96, vmCpus: 1, cmd: ["sh", "-c", "echo hi; ls /bin | head -3"] });
    for (const m of [report.modes.container, report.modes.vm]) {
      expect(m.start.samples).toBe(1);
      expect(m.start.p50Ms).toBeGreaterThan(0);
      expect(m.allDoneMs).toBeGreaterThanOrEqual(m.allRunningMs);
      // /bin holds busybox and a link per applet, which ls sorts by byte value.
      const firstThree = [...new Set([...APPLETS, "busybox"])].sort().slice(0, 3).join("\n");
      expect(m.output).toMatchObject({ exitCode: 0, stdout: `hi\n${firstThree}\n`, stderr: "", allIdentical: true });
      expect(m.syscalls.count).toBeGreaterThan(2000);
      expect(m.pipe.bytes).toBe(20_000_000);
      expect(m.isolation).toEqual([]);
    }
    // Containers share the image's layers; every VM holds its own copy of all of it.
    expect(report.imageBytes).toBeGreaterThan(100_000);
    expect(report.modes.container.disk).toEqual({ perInstanceBytes: 0, sharedBytes: report.imageBytes });
    expect(report.modes.vm.disk).toEqual({ perInstanceBytes: report.imageBytes, sharedBytes: 0 });
    expect(report.modes.vm.start.p50Ms).toBeGreaterThan(report.modes.container.start.p50Ms);
    expect(report.goals.sameOutputInBothModes).toBe(true);
    expect(r.stderr).toMatch(/\[#+\s*\] *\d+\/\d+/); // the progress bar
    expect(r.stderr.endsWith(`] ${progressSteps(1)}/${progressSteps(1)} ${"done".padEnd(40)}\n`)).toBe(true);
    const page = readFileSync(html, "utf8");
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain("<tr><th>isolation: spin</th><td>- (needs --count 2)</td><td>- (needs --count 2)</td></tr>");
    // Nothing of the comparison is left in the user's containers (`ps -a` reads $WASMBOX_HOME/containers).
    expect(await (await ContainerFiles.open(home)).list()).toEqual(containersBefore);
  });

  it("refuses a count below 1", async () => {
    await expect(cli(["bench", "compare", "--count", "0"])).rejects.toThrow(/--count 0: expected a whole number from 1/);
  });
});
