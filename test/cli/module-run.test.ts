// `wasmbox run MODULE` as wasmtime runs it: preopens only from --dir/--tmpfs (in order, from fd 3,
// really the host folders), `wasmbox MODULE`, .wat, --invoke, --env K, --memory, --time-limit, flags
// refused where they do not apply; and, as whole processes, the bin's re-exec on a Node without JSPI.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { runCli } from "../../cli/index.js";
import { formatFloat } from "../../cli/invoke.js";
import { wat, WASI_IMPORTS } from "../helpers/wat.js";

async function cli(args: string[], cwd: string, env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (s) => (stdout += typeof s === "string" ? s : Buffer.from(s).toString()),
    stderr: (s) => (stderr += typeof s === "string" ? s : Buffer.from(s).toString()),
    env: { WASMBOX_HOME: path.join(cwd, "home"), ...env }, cwd,
  });
  return { code, stdout, stderr };
}

/** Prints one line per preopen from fd 3 on: "FD NAME INO" (the inode fd_filestat_get gives). */
const PRESTATS = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $dirname (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fstat (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0: iovec, 16: prestat, 32: filestat, 96..120: digits, 256: the line
  (func $num (param $v i64) (param $at i32) (result i32) (local $t i32)
    (local.set $t (i32.const 120))
    (loop $digit
      (local.set $t (i32.sub (local.get $t) (i32.const 1)))
      (i32.store8 (local.get $t) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $v) (i64.const 0))))
    (loop $copy
      (i32.store8 (local.get $at) (i32.load8_u (local.get $t)))
      (local.set $at (i32.add (local.get $at) (i32.const 1)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $copy (i32.lt_u (local.get $t) (i32.const 120))))
    (local.get $at))
  (func (export "_start") (local $fd i32) (local $p i32)
    (local.set $fd (i32.const 3))
    (block $done (loop $each
      (br_if $done (call $prestat (local.get $fd) (i32.const 16)))
      (local.set $p (call $num (i64.extend_i32_u (local.get $fd)) (i32.const 256)))
      (i32.store8 (local.get $p) (i32.const 32))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (drop (call $dirname (local.get $fd) (local.get $p) (i32.load (i32.const 20))))
      (local.set $p (i32.add (local.get $p) (i32.load (i32.const 20))))
      (i32.store8 (local.get $p) (i32.const 32))
      (drop (call $fstat (local.get $fd) (i32.const 32)))
      (local.set $p (call $num (i64.load (i32.const 40)) (i32.add (local.get $p) (i32.const 1))))
      (i32.store8 (local.get $p) (i32.const 10))
      (i32.store (i32.const 0) (i32.const 256))
      (i32.store (i32.const 4) (i32.sub (i32.add (local.get $p) (i32.const 1)) (i32.const 256)))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
      (br $each))))
)`;

/** Prints its first environment variable (if any), then exits 0. */
const FIRST_ENV = `(module ${WASI_IMPORTS}
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $esizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $env (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $p i32) (local $n i32)
    (drop (call $esizes (i32.const 16) (i32.const 20)))
    (if (i32.eqz (i32.load (i32.const 16))) (then (return)))
    (drop (call $env (i32.const 1024) (i32.const 2048)))
    (local.set $p (i32.load (i32.const 1024)))
    (block $end (loop $len (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $len)))
    (i32.store8 (i32.add (local.get $p) (local.get $n)) (i32.const 10))
    (i32.store (i32.const 0) (local.get $p)) (i32.store (i32.const 4) (i32.add (local.get $n) (i32.const 1)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;

/** Grows its memory (1 page) by 4 pages: exit 1 if memory.grow failed (-1), else 0. */
const GROW = `(module ${WASI_IMPORTS} (memory (export "memory") 1)
  (func (export "_start") (call $proc_exit (i32.eq (memory.grow (i32.const 4)) (i32.const -1)))))`;

/** Prints "sleeping", then sleeps 20 s in poll_oneoff (a relative monotonic clock subscription). */
const SLEEP = `(module ${WASI_IMPORTS}
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 256) "sleeping\\n")
  (func (export "_start")
    (i32.store (i32.const 192) (i32.const 256)) (i32.store (i32.const 196) (i32.const 9))
    (drop (call $fd_write (i32.const 1) (i32.const 192) (i32.const 1) (i32.const 200)))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const 20000000000))
    (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))`;

/** Prints "hello" and exits with argv's count minus one (so its exit code says how many arguments it got). */
const HELLO = `(module ${WASI_IMPORTS}
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "hello\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $sizes (i32.const 16) (i32.const 20)))
    (call $proc_exit (i32.sub (i32.load (i32.const 16)) (i32.const 1)))))`;

/** A library module: no _start, an export of every number type (reactor-style _initialize sets a global). */
const CALC = `(module
  (global $base (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $base (i32.const 1000)))
  (func (export "add") (param i32 i32) (result i32) (i32.add (global.get $base) (i32.add (local.get 0) (local.get 1))))
  (func (export "mix") (param i64 f32 f64) (result i64 f32 f64)
    (i64.mul (local.get 0) (i64.const 2)) (f32.mul (local.get 1) (f32.const 2)) (f64.div (local.get 2) (f64.const 3))))`;

/** A scratch folder with the guests in it, removed when the calling test ends. */
function scratch(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "wasmbox-modrun-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "prestats.wasm"), wat(PRESTATS));
  writeFileSync(path.join(dir, "env.wasm"), wat(FIRST_ENV));
  writeFileSync(path.join(dir, "grow.wasm"), wat(GROW));
  writeFileSync(path.join(dir, "sleep.wasm"), wat(SLEEP));
  writeFileSync(path.join(dir, "hello.wasm"), wat(HELLO));
  writeFileSync(path.join(dir, "calc.wasm"), wat(CALC, 0x0fffffff));
  writeFileSync(path.join(dir, "hello.wat"), HELLO);
  return dir;
}

const busybox = path.resolve("userland/build/busybox.wasm");
const ino = (p: string) => String(statSync(p, { bigint: true }).ino);

describe("preopens: wasmtime's model", () => {
  it("--dir . reads and writes the host folder itself", async () => {
    const dir = scratch();
    writeFileSync(path.join(dir, "in.txt"), "from the host\n");
    const read = await cli(["run", "--dir", ".", busybox, "cat", "in.txt"], dir);
    expect(read).toMatchObject({ code: 0, stdout: "from the host\n" });
    const write = await cli(["run", "--dir", ".", busybox, "sh", "-c", "echo from the guest > out.txt"], dir);
    expect(write.code).toBe(0);
    expect(readFileSync(path.join(dir, "out.txt"), "utf8")).toBe("from the guest\n");
  });

  it("--dir D::/ makes the host folder the guest's /", async () => {
    const dir = scratch();
    mkdirSync(path.join(dir, "root"));
    writeFileSync(path.join(dir, "root", "a.txt"), "A\n");
    expect(await cli(["run", "--dir", "root::/", busybox, "cat", "/a.txt", "a.txt"], dir)).toMatchObject({ code: 0, stdout: "A\nA\n" });
    expect((await cli(["run", "--dir", "root::/", busybox, "sh", "-c", "echo B > /b.txt"], dir)).code).toBe(0);
    expect(readFileSync(path.join(dir, "root", "b.txt"), "utf8")).toBe("B\n");
  });

  it("gives exactly the --dir and --tmpfs folders, in order from fd 3, under their names as written", async () => {
    const dir = scratch();
    mkdirSync(path.join(dir, "a"));
    mkdirSync(path.join(dir, "b"));
    const abs = path.join(dir, "b");
    const r = await cli(["run", "--dir", ".", "--tmpfs", "/tmp", "--dir", "./a", "--dir", `${abs}::data`, "--dir", "a::data", "--dir", abs, "prestats.wasm"], dir);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => l.split(" "));
    expect(lines.map(([fd, name]) => `${fd} ${name}`)).toEqual(["3 .", "4 /tmp", "5 ./a", "6 data", "7 data", `8 ${abs}`]);
    // Each fd is its own host folder, even where two share a name.
    expect(lines.map(([, , i]) => i)).toEqual([ino(dir), lines[1]![2], ino(path.join(dir, "a")), ino(abs), ino(path.join(dir, "a")), ino(abs)]);
  });

  it("reads an absolute symlink as a guest path: inside a folder that is /, refused in any other", async () => {
    const dir = scratch();
    mkdirSync(path.join(dir, "d"));
    writeFileSync(path.join(dir, "d", "in.txt"), "inside\n");
    symlinkSync("/in.txt", path.join(dir, "d", "link"));
    expect(await cli(["run", "--dir", "d::/", busybox, "cat", "/link"], dir)).toMatchObject({ code: 0, stdout: "inside\n" });
    const other = await cli(["run", "--dir", "d", busybox, "cat", "d/link"], dir);
    expect(other).toMatchObject({ code: 1, stdout: "" });
  });

  it("preopens nothing without --dir: no in-memory root", async () => {
    const dir = scratch();
    expect(await cli(["run", "prestats.wasm"], dir)).toMatchObject({ code: 0, stdout: "" });
    const ls = await cli(["run", busybox, "ls", "/"], dir);
    expect(ls.code).not.toBe(0);
  });

  it("--tmpfs is an empty writable folder that leaves nothing on the host", async () => {
    const dir = scratch();
    const r = await cli(["run", "--tmpfs", "/scratch", busybox, "sh", "-c", "echo x > /scratch/f && echo written"], dir);
    expect(r).toMatchObject({ code: 0, stdout: "written\n" });
    expect(await cli(["run", "--tmpfs", "/scratch", busybox, "ls", "-a", "/scratch"], dir)).toMatchObject({ code: 0, stdout: ".\n..\n" });
    expect(await cli(["run", "--dir", ".", "--tmpfs", "/scratch", busybox, "ls", "/scratch"], dir)).toMatchObject({ code: 0, stdout: "" });
  });

  it("refuses a --dir that does not exist, in one line naming it, exit 2", async () => {
    const dir = scratch();
    expect(await cli(["run", "--dir", "/nonexistent", "hello.wasm"], dir)).toEqual({ code: 2, stdout: "", stderr: "wasmbox: --dir /nonexistent: no such directory\n" });
    expect(await cli(["run", "--dir", "hello.wasm::/x", "hello.wasm"], dir)).toEqual({ code: 2, stdout: "", stderr: "wasmbox: --dir hello.wasm: not a directory\n" });
  });
});

describe("wasmtime's habits", () => {
  it("runs `wasmbox MODULE.wasm ARGS` without the word run, flags first or not", async () => {
    const dir = scratch();
    expect(await cli(["hello.wasm", "a", "b"], dir)).toMatchObject({ code: 2, stdout: "hello\n" });
    expect(await cli(["--dir", ".", "prestats.wasm"], dir)).toMatchObject({ code: 0, stdout: `3 . ${ino(dir)}\n` });
  });

  it("runs a .wat text module, and names the line of a syntax error", async () => {
    const dir = scratch();
    expect(await cli(["run", "hello.wat", "x"], dir)).toMatchObject({ code: 1, stdout: "hello\n" });
    writeFileSync(path.join(dir, "bad.wat"), "(module\n  (func (i32.frobnicate)))\n");
    const bad = await cli(["bad.wat"], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^wasmbox: bad\.wat:2:\d+: .+\n$/);
  });

  it("--invoke calls an export with typed arguments and prints each result on a line", async () => {
    const dir = scratch();
    expect(await cli(["run", "--invoke", "add", "calc.wasm", "2", "-5"], dir)).toMatchObject({ code: 0, stdout: "997\n" });
    const mix = await cli(["--invoke", "mix", "calc.wasm", "-9007199254740993", "0.1", "1"], dir);
    expect(mix).toMatchObject({ code: 0, stdout: "-18014398509481986\n0.2\n0.3333333333333333\n" });
    const count = await cli(["run", "--invoke", "add", "calc.wasm", "1"], dir);
    expect(count).toMatchObject({ code: 2, stderr: "wasmbox: --invoke add: the function takes 2 argument(s), 1 given\n" });
    const bad = await cli(["run", "--invoke", "add", "calc.wasm", "1", "2.5"], dir);
    expect(bad).toMatchObject({ code: 2, stderr: "wasmbox: --invoke add: argument 2 (2.5): not a valid i32\n" });
    const missing = await cli(["run", "--invoke", "sub", "calc.wasm"], dir);
    expect(missing).toMatchObject({ code: 2, stderr: "wasmbox: calc.wasm: exports no function sub\n" });
  });

  it("prints floats as wasmtime (Rust) does", () => {
    expect([formatFloat(3, false), formatFloat(-0, false), formatFloat(Infinity, false), formatFloat(NaN, true)]).toEqual(["3", "-0", "inf", "NaN"]);
    expect([formatFloat(1e21, false), formatFloat(1.5e-7, false), formatFloat(Math.fround(0.1), true)]).toEqual(["1000000000000000000000", "0.00000015", "0.1"]);
  });

  it("--env K takes K from the host environment, and leaves it out when the host has none", async () => {
    const dir = scratch();
    expect(await cli(["run", "--env", "FROM_HOST", "env.wasm"], dir, { FROM_HOST: "yes" })).toMatchObject({ code: 0, stdout: "FROM_HOST=yes\n" });
    expect(await cli(["run", "--env", "FROM_HOST", "env.wasm"], dir)).toMatchObject({ code: 0, stdout: "" });
    expect(await cli(["run", "--env", "K=", "env.wasm"], dir)).toMatchObject({ code: 0, stdout: "K=\n" });
  });

  it("--memory caps linear memory: memory.grow past it returns -1", async () => {
    const dir = scratch();
    expect((await cli(["run", "grow.wasm"], dir)).code).toBe(0);
    expect((await cli(["run", "--memory", "256k", "grow.wasm"], dir)).code).toBe(1);
    expect((await cli(["run", "--memory", "320k", "grow.wasm"], dir)).code).toBe(0);
    expect(await cli(["run", "--memory", "16k", "grow.wasm"], dir)).toMatchObject({ code: 2, stderr: "wasmbox: grow.wasm: its memory starts at 65536 bytes, more than --memory 16384\n" });
  });

  it("--memory: a trap after a grow refused at the limit is out of memory (137, said on stderr); a trap of its own is not", async () => {
    const dir = scratch();
    // Grows by 4 pages, then traps whether or not the grow succeeded.
    writeFileSync(path.join(dir, "grow-trap.wasm"), wat(`(module (memory (export "memory") 1)
      (func (export "_start") (drop (memory.grow (i32.const 4))) unreachable))`));
    const refused = await cli(["run", "--memory", "256k", "grow-trap.wasm"], dir);
    expect(refused).toMatchObject({ code: 137, stderr: "wasmbox: grow-trap.wasm: out of memory: killed at its --memory limit\n" });
    const own = await cli(["run", "--memory", "320k", "grow-trap.wasm"], dir);
    expect(own.code).toBe(134);
    expect(own.stderr).not.toMatch(/out of memory/);
  });

  it("--time-limit kills a blocked module after the wall-clock time, exit 137, and says why", async () => {
    const dir = scratch();
    const started = Date.now();
    // A second: time enough for the guest to print first, even when its worker thread is slow to start on a busy machine.
    const r = await cli(["run", "--time-limit", "1s", "sleep.wasm"], dir);
    expect(r).toMatchObject({ code: 137, stdout: "sleeping\n", stderr: "wasmbox: sleep.wasm: killed: --time-limit 1s passed\n" });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("--time-limit also ends a module that computes without syscalls (it then gets preemption checks)", async () => {
    const dir = scratch();
    writeFileSync(path.join(dir, "spin.wasm"), wat(`(module ${WASI_IMPORTS} (memory (export "memory") 1)
      (func (export "_start") (loop $forever (br $forever))))`));
    const started = Date.now();
    const r = await cli(["run", "--time-limit", "300ms", "spin.wasm"], dir);
    expect(r).toMatchObject({ code: 137, stderr: "wasmbox: spin.wasm: killed: --time-limit 300ms passed\n" });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("refuses every flag that does not apply to a module, naming it, exit 2", async () => {
    const dir = scratch();
    const cases: string[][] = [["-d"], ["--detach"], ["-v", "/a:/b"], ["--name", "x"], ["--rm"], ["--vm"], ["-it"], ["--read-only"], ["--pids-limit", "3"], ["-w", "/"]];
    for (const flags of cases) {
      const r = await cli(["run", ...flags, "hello.wasm"], dir);
      const shown = flags[0] === "-it" ? "--interactive" : flags[0];
      expect(r, flags.join(" ")).toEqual({ code: 2, stdout: "", stderr: `wasmbox: run: ${shown} does not apply to a module (hello.wasm)\n` });
    }
    // Flags run does not know at all (or not yet: -p is the network's) are refused the same way before a module.
    expect(await cli(["run", "-p", "8080:80", "hello.wasm"], dir)).toEqual({ code: 2, stdout: "", stderr: "wasmbox: run: -p does not apply to a module (hello.wasm)\n" });
    expect(await cli(["run", "--privileged", "hello.wasm"], dir)).toEqual({ code: 2, stdout: "", stderr: "wasmbox: run: --privileged does not apply to a module (hello.wasm)\n" });
  });

  it("refuses the module-only flags on an image, naming each, exit 2", async () => {
    const dir = scratch();
    for (const flags of [["--dir", "."], ["--tmpfs", "/tmp"], ["--trace"], ["--invoke", "f"]]) {
      const r = await cli(["run", ...flags, "base"], dir);
      expect(r, flags.join(" ")).toEqual({ code: 2, stdout: "", stderr: `wasmbox: run: ${flags[0]} does not apply to an image (base)\n` });
    }
  });
});

/** Runs the built bin as a whole process on `node`, with `env` added to this one's. */
function bin(node: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(node, [path.resolve("dist/cli/bin.js"), ...args], { cwd, env: { ...process.env, ...env }, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Resolves once the sleep guest in `child` has said it sleeps (so its signal handling is in place). */
function sleeping(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => child.stdout!.on("data", (d: Buffer) => d.toString().includes("sleeping") && resolve()));
}

/** The machine's own Node (the first on PATH outside node_modules, as test/run-on-host-node.sh finds it). */
const hostNode = (process.env.PATH ?? "").split(path.delimiter).filter((d) => d && !d.includes("node_modules"))
  .map((d) => path.join(d, "node")).find((p) => spawnSync(p, ["--version"]).status === 0) ?? "";
const hostHasJspi = hostNode === "" || spawnSync(hostNode, ["-p", "typeof WebAssembly.Suspending"], { encoding: "utf8" }).stdout?.trim() === "function";

describe.skipIf(hostHasJspi)("the bin on a Node without JSPI (needs `npm run build:ts`)", () => {
  it("re-runs itself under the bundled Node: the guest runs on the inline engine", () => {
    const dir = scratch();
    const r = bin(hostNode, ["run", "--trace", "hello.wasm", "x", "y"], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("hello\n");
    expect(r.stderr).toMatch(/^\[kernel\] engine inline, Node v2[4-9]\./);
    expect(bin(hostNode, ["--version"], dir).stdout).toMatch(/Node v2[4-9].*engine inline/);
  });

  it("keeps the Node it was started on with WASMBOX_NO_REEXEC=1 or --engine worker", () => {
    const dir = scratch();
    const hostVersion = spawnSync(hostNode, ["--version"], { encoding: "utf8" }).stdout.trim();
    expect(bin(hostNode, ["--version"], dir, { WASMBOX_NO_REEXEC: "1" }).stdout).toContain(`Node ${hostVersion}, engine worker`);
    const r = bin(hostNode, ["run", "--engine", "worker", "--trace", "hello.wasm"], dir);
    expect(r).toMatchObject({ code: 0, stdout: "hello\n" });
    expect(r.stderr).toContain(`[kernel] engine worker, Node ${hostVersion}`);
  });

  it("passes a signal on to the child and dies of the same signal", async () => {
    const dir = scratch();
    const child = spawn(hostNode, [path.resolve("dist/cli/bin.js"), "run", "sleep.wasm"], { cwd: dir, stdio: ["ignore", "pipe", "ignore"] });
    await sleeping(child);
    child.kill("SIGTERM");
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("exit", (c, s) => resolve([c, s])));
    expect({ code, signal }).toEqual({ code: null, signal: "SIGTERM" });
  }, 30_000);
});

describe("the bin as a whole process", () => {
  it("runs a module through the fast path with the shebang's plain node (no --no-liftoff)", () => {
    expect(readFileSync(path.resolve("cli/bin.ts"), "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    const dir = scratch();
    expect(bin(process.execPath, ["hello.wasm"], dir)).toMatchObject({ code: 0, stdout: "hello\n", stderr: "" });
    expect(bin(process.execPath, ["run", "--dir", "/nonexistent", "hello.wasm"], dir)).toMatchObject({ code: 2, stderr: "wasmbox: --dir /nonexistent: no such directory\n" });
  });

  it("passes SIGINT to the guest, which dies of it: exit 130", async () => {
    const dir = scratch();
    const child = spawn(process.execPath, [path.resolve("dist/cli/bin.js"), "run", "sleep.wasm"], { cwd: dir, stdio: ["ignore", "pipe", "ignore"] });
    await sleeping(child);
    child.kill("SIGINT");
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("exit", (c, s) => resolve([c, s])));
    expect({ code, signal }).toEqual({ code: 130, signal: null });
  }, 30_000);
});
