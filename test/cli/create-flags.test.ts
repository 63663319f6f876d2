// `wasmbox run IMAGE`, `run -d`, `create`, `run --vm` and `vm run` through the CLI library, in-process:
// a bad flag value ends each of them the same way (docker's 125 and one line naming the flag), before any daemon is asked.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/index.js";

const cwd = mkdtempSync(path.join(tmpdir(), "wasmbox-flags-"));
const home = path.join(cwd, "home");
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const text = (s: string | Uint8Array) => (typeof s === "string" ? s : Buffer.from(s).toString());
  const code = await runCli(args, { stdout: (s) => void (stdout += text(s)), stderr: (s) => void (stderr += text(s)), env: { WASMBOX_HOME: home }, cwd });
  return { code, stdout, stderr };
}

/** The commands that take the create flags: each given the same flags before the image. */
const PATHS: Array<[string, (flags: string[]) => string[]]> = [
  ["run", (flags) => ["run", ...flags, "base", "true"]],
  ["run -d", (flags) => ["run", "-d", ...flags, "base", "true"]],
  ["create", (flags) => ["create", ...flags, "base", "true"]],
];
const VM_PATHS: Array<[string, (flags: string[]) => string[]]> = [
  ...PATHS.map(([name, argv]): [string, (flags: string[]) => string[]] => [`${name} --vm`, (flags) => argv(["--vm", ...flags])]),
  ["vm run", (flags) => ["vm", "run", ...flags, "base", "true"]],
];

const BAD: Array<[string[], string, Array<[string, (flags: string[]) => string[]]>]> = [
  [["--memory", "lots"], "wasmbox: --memory lots: expected a size such as 512k, 64m or 1g\n", PATHS],
  [["--cpus", "0"], "wasmbox: --cpus 0: expected a positive number\n", PATHS],
  [["--engine", "turbo"], "wasmbox: --engine turbo: expected auto, inline or worker\n", [...PATHS, ...VM_PATHS]],
  [["--vm-memory", "1t"], "wasmbox: --vm-memory 1t: expected a size such as 512k, 64m or 1g\n", VM_PATHS],
  [["--vm-cpus", "0"], "wasmbox: --vm-cpus 0: expected a whole number from 1 to 64\n", VM_PATHS],
  [["--memory", "8m"], "wasmbox: --memory (use --vm-memory) is not supported with --vm (a VM has its own kernel and disk)\n", VM_PATHS.slice(0, 3)],
];

describe("a bad create flag", () => {
  for (const [flags, message, paths] of BAD) {
    it(`${flags.join(" ")}: exit 125 and the same line through ${paths.map(([name]) => name).join(", ")}`, async () => {
      for (const [name, argv] of paths) {
        const r = await cli(argv(flags));
        expect({ name, ...r }).toEqual({ name, code: 125, stdout: "", stderr: message });
      }
      // Refused before a daemon was started or a container made.
      expect(existsSync(path.join(home, "daemon.sock"))).toBe(false);
      expect(existsSync(path.join(home, "containers"))).toBe(false);
    });
  }
});
