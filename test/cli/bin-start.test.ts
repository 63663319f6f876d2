// The bin as a whole process: the module-run bundle it runs as a vm script, its V8 code cache (kept,
// refreshed when stale or damaged, never trusted blindly), and the modules it imports from outside.
// Needs `npm run build:ts` (dist/cli/wasmbox.cjs, the package's bin, and dist/cli/run-cli.bundle.cjs).
import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { wat, WASI_IMPORTS } from "../helpers/wat.js";

const HELLO = `(module ${WASI_IMPORTS}
  (memory (export "memory") 1)
  (data (i32.const 64) "hello\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;

function scratch(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "wasmbox-binstart-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "hello.wasm"), wat(HELLO));
  writeFileSync(path.join(dir, "hello.wat"), HELLO);
  return dir;
}

/** Runs the built bin under this test's Node, with Node's compile cache (and so the bundle's) in `dir`/cache. */
function bin(args: string[], dir: string) {
  const env = { ...process.env, WASMBOX_HOME: path.join(dir, "home"), NODE_COMPILE_CACHE: path.join(dir, "cache") };
  delete env.NODE_DISABLE_COMPILE_CACHE;
  const r = spawnSync(process.execPath, [path.resolve("dist/cli/wasmbox.cjs"), ...args], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The bundle's code cache file for a kind of command in `dir`/cache (beside the folders per version Node keeps its own in). */
function cacheFile(dir: string, kind: "module" | "registry" = "module"): string | undefined {
  const root = path.join(dir, "cache");
  const file = existsSync(root) ? readdirSync(root).find((f) => new RegExp(`^wasmbox-run-cli-[0-9a-f]+-${kind}\\.v8$`).test(f)) : undefined;
  return file && path.join(root, file);
}

describe("the package's bin", () => {
  it("is CommonJS (no ES module loader at start), and dist/cli/bin.js still runs it", () => {
    const pkg = JSON.parse(readFileSync(path.resolve("package.json"), "utf8")) as { bin: Record<string, string> };
    expect(pkg.bin.wasmbox).toBe("dist/cli/wasmbox.cjs");
    expect(readFileSync(path.resolve("cli/wasmbox.cts"), "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    const dir = scratch();
    expect(bin(["run", "hello.wasm"], dir)).toMatchObject({ code: 0, stdout: "hello\n", stderr: "" });
    const env = { ...process.env, WASMBOX_HOME: path.join(dir, "home"), NODE_COMPILE_CACHE: path.join(dir, "cache") };
    const forwarded = spawnSync(process.execPath, [path.resolve("dist/cli/bin.js"), "run", "hello.wasm", "a b"], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
    expect({ code: forwarded.status, stdout: forwarded.stdout, stderr: forwarded.stderr }).toEqual({ code: 0, stdout: "hello\n", stderr: "" });
    const failed = spawnSync(process.execPath, [path.resolve("dist/cli/bin.js"), "run", "missing.wasm"], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
    expect(failed.status).toBe(2);
    expect(failed.stderr).toContain("missing.wasm");
  });
});

describe("the bin's module-run bundle and its code cache", () => {
  it("loads no file but the bin and its bundle for a module run (registry-commands.cjs is inside the bin)", () => {
    const dir = scratch();
    expect(bin(["run", "hello.wasm"], dir).code).toBe(0);
    const env = { ...process.env, WASMBOX_HOME: path.join(dir, "home"), NODE_COMPILE_CACHE: path.join(dir, "cache"), NODE_DEBUG: "module" };
    const r = spawnSync(process.execPath, [path.resolve("dist/cli/wasmbox.cjs"), "run", "hello.wasm"], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("hello\n");
    // Node's module debug log names each load, by pid (a Node without JSPI re-runs the bin under the
    // bundled one, which logs too): in each process the bin (module "."), and nothing after but, in
    // one that re-runs, the re-exec's own file. The process that runs the command loads the bin alone.
    const binFile = path.resolve("dist/cli/wasmbox.cjs");
    const reexec = path.resolve("dist/cli/reexec.cjs");
    const loads = new Map<string, string[]>();
    for (const [, pid, file] of r.stderr.matchAll(/^MODULE (\d+): load "([^"]+)"/gm)) loads.set(pid!, [...(loads.get(pid!) ?? []), file!]);
    expect(loads.size).toBe("Suspending" in WebAssembly ? 1 : 2);
    for (const files of loads.values()) expect(files).toEqual(files.length === 1 ? [binFile] : [binFile, reexec]);
    expect([...loads.values()].filter((files) => files.length === 1)).toHaveLength(1);
    // Not even the builtins go through the module loader: the bundle gets them from Node's table.
    const requests = [...r.stderr.matchAll(/Module\._load REQUEST (\S+)/g)].map((m) => m[1]);
    expect(requests).toEqual("Suspending" in WebAssembly ? [] : ["./reexec.cjs"]);
    // The bundle is one function expression: compiled as read, it defines nothing by itself.
    const bundle = readFileSync(path.resolve("dist/cli/run-cli.bundle.cjs"), "utf8");
    expect(bundle.startsWith("(function (exports, require, module, __filename, __dirname, import_meta, import_module) {")).toBe(true);
    expect(bundle.trimEnd().endsWith("})")).toBe(true);
  });

  it("keeps a code cache after the first run and runs the same from it", () => {
    const dir = scratch();
    expect(bin(["run", "hello.wasm"], dir)).toMatchObject({ code: 0, stdout: "hello\n", stderr: "" });
    const file = cacheFile(dir);
    expect(file).toBeDefined();
    const first = statSync(file!);
    // The first line names the bundle's build and the Node it was taken on.
    expect(readFileSync(file!, "latin1").split("\n")[0]).toMatch(/^\d+:[\d.]+:v\d+\.\d+\.\d+:\w+ *$/);
    // Padded to whole 8 bytes, so that V8 takes the data where it lies (it copies data not aligned to a pointer).
    expect((readFileSync(file!, "latin1").indexOf("\n") + 1) % 8).toBe(0);
    expect(bin(["run", "hello.wasm"], dir)).toMatchObject({ code: 0, stdout: "hello\n", stderr: "" });
    // Accepted: not written again.
    expect(statSync(file!).mtimeMs).toBe(first.mtimeMs);
  });

  // Only root can give a file to another user: CI runs as root.
  it.runIf(process.getuid?.() === 0)("ignores a cache another user wrote (the folder may be shared) and writes its own", () => {
    const dir = scratch();
    expect(bin(["run", "hello.wasm"], dir).code).toBe(0);
    const file = cacheFile(dir)!;
    chownSync(file, 12345, 12345);
    expect(bin(["run", "hello.wasm"], dir)).toMatchObject({ code: 0, stdout: "hello\n", stderr: "" });
    expect(statSync(file).uid).toBe(0);
  });

  it("runs the same from a damaged or stale cache, and writes a good one in its place", () => {
    const dir = scratch();
    expect(bin(["run", "hello.wasm"], dir).code).toBe(0);
    const file = cacheFile(dir)!;
    const good = readFileSync(file);
    const stampEnd = good.indexOf(0x0a) + 1;
    /** Whether the file holds a whole cache for this build again, one the next run accepts (leaves as it is). */
    const rewritten = () => {
      const now = readFileSync(file);
      const kept = statSync(file).mtimeMs;
      return now.subarray(0, stampEnd).equals(good.subarray(0, stampEnd)) && now.length > good.length / 2
        && bin(["run", "hello.wasm"], dir).code === 0 && statSync(file).mtimeMs === kept;
    };
    // V8's data cut short under the right first line: V8 refuses it.
    writeFileSync(file, good.subarray(0, stampEnd + 64));
    expect(bin(["run", "hello.wasm"], dir)).toMatchObject({ code: 0, stdout: "hello\n", stderr: "" });
    expect(rewritten()).toBe(true);
    // Another build's first line: not even offered to V8.
    writeFileSync(file, Buffer.concat([Buffer.from("1:2:v0.0.0:x64\n"), good.subarray(stampEnd)]));
    expect(bin(["run", "hello.wasm"], dir)).toMatchObject({ code: 0, stdout: "hello\n", stderr: "" });
    expect(rewritten()).toBe(true);
  });

  it("imports what the bundle leaves out: binaryen for a text module, the commands for anything else", () => {
    const dir = scratch();
    expect(bin(["run", "hello.wat"], dir)).toMatchObject({ code: 0, stdout: "hello\n", stderr: "" });
    expect(bin(["images"], dir)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^REPOSITORY +TAG/), stderr: "" });
    expect(bin(["nosuchcommand"], dir).code).toBe(125);
  });

  it("keeps a cache per kind of command: none after other commands, which would leave a module run's code out of it", () => {
    const dir = scratch();
    expect(bin(["images"], dir).code).toBe(0);
    expect(cacheFile(dir)).toBeUndefined();
    // A registry command (here one that needs no registry) keeps its own.
    expect(bin(["logout", "127.0.0.1:1"], dir).stderr).not.toMatch(/Error: |at /);
    expect(cacheFile(dir, "registry")).toBeDefined();
    expect(cacheFile(dir)).toBeUndefined();
    expect(bin(["run", "hello.wasm"], dir)).toMatchObject({ code: 0, stdout: "hello\n" });
    expect(cacheFile(dir)).toBeDefined();
  });
});
