// `wasmbox run MODULE.wasm` and `wasmbox syscalls` through the CLI library, in-process:
// exit codes, traps (134), refused modules (exit 2, one line), --dir, --env and --trace.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { runCli } from "../../cli/index.js";
import { wat, WASI_IMPORTS } from "../helpers/wat.js";

async function cli(args: string[], cwd: string, stdin?: string) {
  let stdout = "";
  let stderr = "";
  const { Readable } = await import("node:stream");
  const code = await runCli(args, {
    stdout: (s) => (stdout += typeof s === "string" ? s : Buffer.from(s).toString()),
    stderr: (s) => (stderr += typeof s === "string" ? s : Buffer.from(s).toString()),
    env: { WASMBOX_HOME: path.join(cwd, "home") }, cwd,
    stdin: stdin === undefined ? undefined : (Readable.from([Buffer.from(stdin)]) as never),
  });
  return { code, stdout, stderr };
}

/** A guest that prints its argv (one per line), then the file /data/in.txt if argv[1] is "read". */
const ECHO_ARGS = wat(`(module ${WASI_IMPORTS}
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $esizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $env (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $print (param $p i32) (local $n i32)
    (block $end (loop $len (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $len)))
    (i32.store8 (i32.add (local.get $p) (local.get $n)) (i32.const 10))
    (i32.store (i32.const 0) (local.get $p)) (i32.store (i32.const 4) (i32.add (local.get $n) (i32.const 1)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start") (local $i i32)
    (drop (call $sizes (i32.const 16) (i32.const 20)))
    (drop (call $args (i32.const 1024) (i32.const 2048)))
    (loop $each
      (call $print (i32.load (i32.add (i32.const 1024) (i32.mul (local.get $i) (i32.const 4)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $each (i32.lt_u (local.get $i) (i32.load (i32.const 16)))))
    (drop (call $esizes (i32.const 16) (i32.const 20)))
    (drop (call $env (i32.const 1024) (i32.const 4096)))
    (if (i32.load (i32.const 16)) (then (call $print (i32.load (i32.const 1024)))))
    (call $proc_exit (i32.load (i32.const 16)))))`);

const TRAP = wat(`(module ${WASI_IMPORTS} (memory (export "memory") 1)
  (func $inner (unreachable))
  (func (export "_start") (call $inner)))`);

const MISSING_IMPORT = wat(`(module (import "env" "frobnicate" (func $f)) (import "wasi_snapshot_preview1" "sock_open" (func $g))
  (memory (export "memory") 1) (func (export "_start") (call $f)))`);

/** A directory with the test modules in it, removed when the calling test ends. */
function scratch(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "wasmbox-cli-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "echo.wasm"), ECHO_ARGS);
  writeFileSync(path.join(dir, "trap.wasm"), TRAP);
  writeFileSync(path.join(dir, "missing.wasm"), MISSING_IMPORT);
  writeFileSync(path.join(dir, "text.wasm"), "this is not wasm\n");
  writeFileSync(path.join(dir, "truncated.wasm"), ECHO_ARGS.subarray(0, 40));
  return dir;
}

describe("wasmbox run MODULE.wasm", () => {
  it("passes argv (argv[0] as given) and env, and exits with the guest's code", async () => {
    const dir = scratch();
    const r = await cli(["run", "--env", "GREETING=hi", "echo.wasm", "one", "--two"], dir);
    expect(r.stdout).toBe("echo.wasm\none\n--two\nGREETING=hi\n");
    expect(r.code).toBe(1); // proc_exit(number of env vars)
  });

  it("prints a trap with its Wasm frames and exits 134", async () => {
    const r = await cli(["run", "trap.wasm"], scratch());
    expect(r.code).toBe(134);
    expect(r.stderr).toMatch(/trap\.wasm: trap: unreachable/);
    expect(r.stderr).toMatch(/wasm-function\[\d+\]/);
  });

  it("refuses a file that is not Wasm, a truncated one, and missing imports, in one line each, exit 2", async () => {
    const dir = scratch();
    const text = await cli(["run", "text.wasm"], dir);
    expect(text).toMatchObject({ code: 2, stdout: "" });
    expect(text.stderr).toBe("wasmbox: text.wasm: not a WebAssembly module (no \\0asm magic number)\n");
    const truncated = await cli(["run", "truncated.wasm"], dir);
    expect(truncated.code).toBe(2);
    expect(truncated.stderr).toMatch(/^wasmbox: truncated\.wasm: (invalid|malformed) WebAssembly module: .+\n$/);
    const missing = await cli(["run", "missing.wasm"], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("wasmbox: missing.wasm: imports what the kernel does not provide: env.frobnicate, wasi_snapshot_preview1.sock_open\n");
    const absent = await cli(["run", "absent.wasm"], dir);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toMatch(/^wasmbox: absent\.wasm: cannot read: ENOENT\n$/);
  });

  it("gives a host directory with --dir HOST::GUEST, and nothing outside it", async () => {
    const dir = scratch();
    const data = path.join(dir, "data");
    (await import("node:fs")).mkdirSync(data);
    writeFileSync(path.join(data, "in.txt"), "from the host\n");
    (await import("node:fs")).symlinkSync("/etc/passwd", path.join(data, "escape"));
    const busybox = path.resolve("userland/build/busybox.wasm");
    const read = await cli(["run", "--dir", "data::/mnt", busybox, "cat", "/mnt/in.txt"], dir);
    expect(read).toMatchObject({ code: 0, stdout: "from the host\n" });
    const up = await cli(["run", "--dir", "data::/mnt", busybox, "cat", "/mnt/../../../etc/passwd"], dir);
    expect(up.code).toBe(1);
    expect(up.stdout).toBe("");
    const link = await cli(["run", "--dir", "data::/mnt", busybox, "cat", "/mnt/escape"], dir);
    expect(link.code).toBe(1); // the absolute symlink is a guest path: /etc/passwd does not exist in the guest
    expect(link.stdout).toBe("");
  });

  it("ends a writer with SIGPIPE (exit 141) when the host side of stdout goes away", async () => {
    const dir = scratch();
    let written = 0;
    const code = await runCli(["run", path.resolve("userland/build/busybox.wasm"), "yes"], {
      stdout: () => {
        if (++written > 3) throw Object.assign(new Error("EPIPE: broken pipe, write"), { code: "EPIPE" });
      },
      stderr: () => undefined,
      env: {}, cwd: dir,
    });
    expect(code).toBe(141);
    expect(written).toBe(4);
  });

  it("traces every syscall with decoded arguments and results", async () => {
    const r = await cli(["run", "--trace", "echo.wasm", "x"], scratch());
    expect(r.stderr).toMatch(/\[1\] args_sizes_get\(\) = 0/);
    expect(r.stderr).toMatch(/\[1\] fd_write\(fd=1, iovs=\[10\]\) = 0/);
    expect(r.stderr).toMatch(/\[1\] proc_exit\(code=0\) = \? \(exit 0\)/);
  });
});

describe("wasmbox syscalls", () => {
  it("prints all 46 WASI calls and the kernel's own, with signature and may-block", async () => {
    const r = await cli(["syscalls"], scratch());
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+MODULE\s+SIGNATURE\s+MAY-BLOCK\s+IMPLEMENTED$/);
    expect(lines.filter((l) => l.includes("wasi_snapshot_preview1"))).toHaveLength(46);
    expect(r.stdout).toMatch(/fd_read\s+wasi_snapshot_preview1\s+fd_read\(fd: fd, iovs: iovecs\) -> errno, u32\s+yes\s+yes/);
    expect(r.stdout).toMatch(/proc_spawn\s+wasmbox\s+/);
  });
});
