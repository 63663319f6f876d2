// `wasmbox run --invoke 'name(args)' COMPONENT`: WAVE arguments typed by the component's WIT, the
// result printed in WAVE, as wasmtime does. The component is made here from WAT and WIT with jco's wasm-tools.
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { componentEmbed, componentNew, parse } from "@bytecodealliance/jco";
import { runCli } from "../../cli/run-cli.js";
import type { CliIo } from "../../cli/io.js";

const WIT = `package test:calc;
world calc {
  export add: func(a: u32, b: u32) -> u32;
  export negate: func(x: s64) -> s64;
  export both: func(a: bool, b: bool) -> bool;
  export half: func(x: f64) -> f64;
}`;

const WAT = `(module
  (memory (export "memory") 1)
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "negate") (param i64) (result i64) (i64.sub (i64.const 0) (local.get 0)))
  (func (export "both") (param i32 i32) (result i32) (i32.and (local.get 0) (local.get 1)))
  (func (export "half") (param f64) (result f64) (f64.mul (local.get 0) (f64.const 0.5))))`;

let dir: string;
let file: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "wasmbox-invoke-"));
  file = join(dir, "calc.wasm");
  const core = await parse(WAT);
  writeFileSync(file, await componentNew(await componentEmbed({ binary: core, witSource: WIT, world: "calc" })));
  return () => rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** Runs the CLI in process; its exit code and what it wrote. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const text = (t: string | Uint8Array) => (typeof t === "string" ? t : Buffer.from(t).toString("utf8"));
  const io: CliIo = {
    cwd: dir, env: { ...process.env, WASMBOX_HOME: join(dir, "home") },
    stdout: (t) => void (stdout += text(t)), stderr: (t) => void (stderr += text(t)),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe("--invoke on a component", () => {
  it("calls an export with WAVE arguments and prints its result", async () => {
    expect(await cli(["run", "--invoke", "add(40, 2)", file])).toEqual({ code: 0, stdout: "42\n", stderr: "" });
    expect((await cli(["run", "--invoke", "negate(-9007199254740993)", file])).stdout).toBe("9007199254740993\n");
    expect((await cli(["run", "--invoke", "both(true, false)", file])).stdout).toBe("false\n");
    expect((await cli(["run", "--invoke", "half(3)", file])).stdout).toBe("1.5\n");
  }, 60_000);

  it("refuses a bad call in one line naming it", async () => {
    const wrongType = await cli(["run", "--invoke", "add(1, \"x\")", file]);
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr).toBe("wasmbox: --invoke add(1, \"x\"): expected a value of type u32\n");
    const range = await cli(["run", "--invoke", "add(1, 4294967296)", file]);
    expect(range.stderr).toBe("wasmbox: --invoke add(1, 4294967296): 4294967296 is out of range for u32\n");
    const count = await cli(["run", "--invoke", "add(1)", file]);
    expect(count.stderr).toBe("wasmbox: --invoke add(1): add takes 2 argument(s) (a: u32, b: u32), 1 given\n");
    const missing = await cli(["run", "--invoke", "mul(1, 2)", file]);
    expect(missing).toMatchObject({ code: 2, stderr: `wasmbox: ${file}: exports no function mul\n` });
  }, 60_000);
});
