// Buffered host output through the CLI as a whole process (dist/cli/bin.js on the Node running the
// tests: inline engine on the pinned Node, worker engine on Node 20): order, prompts, exits, ttys.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { wat, WASI_IMPORTS } from "../helpers/wat.js";

const BIN = path.resolve("dist/cli/bin.js");
/** The pinned Node (a devDependency): the only one here with JSPI, for the test that needs the inline engine. */
const PINNED_NODE = path.resolve("node_modules/node/bin/node");

/** `$put(ptr, len)` writes to fd 1, `$err(ptr, len)` to fd 2. */
const PUT = `
  (func $write (param $fd i32) (param $p i32) (param $n i32)
    (i32.store (i32.const 0) (local.get $p)) (i32.store (i32.const 4) (local.get $n))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $put (param $p i32) (param $n i32) (call $write (i32.const 1) (local.get $p) (local.get $n)))
  (func $err (param $p i32) (param $n i32) (call $write (i32.const 2) (local.get $p) (local.get $n)))`;

/** 300 rounds of "out\n" to stdout one byte a call, then "err\n" to stderr in one call. */
const INTERLEAVED = wat(`(module ${WASI_IMPORTS} (memory (export "memory") 1) (data (i32.const 100) "out\\nerr\\n") ${PUT}
  (func (export "_start") (local $i i32) (local $k i32)
    (loop $round
      (local.set $k (i32.const 0))
      (loop $byte
        (call $put (i32.add (i32.const 100) (local.get $k)) (i32.const 1))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $byte (i32.lt_u (local.get $k) (i32.const 4))))
      (call $err (i32.const 104) (i32.const 4))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $i) (i32.const 300))))))`);

/** Prints "name? " (no newline), reads stdin once, prints "hello " and what it read. */
const PROMPT = wat(`(module ${WASI_IMPORTS} (memory (export "memory") 1) (data (i32.const 100) "name? hello ") ${PUT}
  (func (export "_start")
    (call $put (i32.const 100) (i32.const 6))
    (i32.store (i32.const 16) (i32.const 1024)) (i32.store (i32.const 20) (i32.const 256))
    (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
    (call $put (i32.const 106) (i32.const 6))
    (call $put (i32.const 1024) (i32.load (i32.const 24)))))`);

/** Writes "partial" one byte a call, then traps. */
const TRAP_AFTER_OUTPUT = wat(`(module ${WASI_IMPORTS} (memory (export "memory") 1) (data (i32.const 100) "partial") ${PUT}
  (func (export "_start") (local $k i32)
    (loop $byte
      (call $put (i32.add (i32.const 100) (local.get $k)) (i32.const 1))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $byte (i32.lt_u (local.get $k) (i32.const 7))))
    (unreachable)))`);

/** Writes "bye" to stdout and "!" to stderr, then proc_exit(3). */
const EXIT_AFTER_OUTPUT = wat(`(module ${WASI_IMPORTS} (memory (export "memory") 1) (data (i32.const 100) "bye!") ${PUT}
  (func (export "_start")
    (call $put (i32.const 100) (i32.const 3)) (call $err (i32.const 103) (i32.const 1))
    (call $proc_exit (i32.const 3))))`);

/** Writes "a", computes for about a second (no syscall: long enough for `script` to be scheduled on a loaded machine), then writes "b\n". */
const WRITE_THEN_COMPUTE = wat(`(module ${WASI_IMPORTS} (memory (export "memory") 1) (data (i32.const 100) "ab\\n") ${PUT}
  (func (export "_start") (local $i i32) (local $x i32)
    (call $put (i32.const 100) (i32.const 1))
    (loop $spin
      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 31)) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $spin (i32.lt_u (local.get $i) (i32.const 1200000000))))
    (i32.store (i32.const 200) (local.get $x))
    (call $put (i32.const 101) (i32.const 2))))`);

function scratch(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "wasmbox-out-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const guests: Record<string, Uint8Array> = {
    "interleaved.wasm": INTERLEAVED, "prompt.wasm": PROMPT, "trap.wasm": TRAP_AFTER_OUTPUT,
    "exit.wasm": EXIT_AFTER_OUTPUT, "compute.wasm": WRITE_THEN_COMPUTE,
  };
  for (const [name, bytes] of Object.entries(guests)) writeFileSync(path.join(dir, name), bytes);
  return dir;
}

/** Runs the CLI with stdout and stderr both into one file (as `> file 2>&1`); returns exit code and the file. */
function runIntoOneFile(dir: string, args: string[]): { status: number | null; text: string } {
  const file = path.join(dir, "out.txt");
  const fd = openSync(file, "w");
  try {
    const r = spawnSync(process.execPath, [BIN, "run", ...args], { cwd: dir, stdio: ["ignore", fd, fd], env: { ...process.env, WASMBOX_HOME: path.join(dir, "home") } });
    return { status: r.status, text: readFileSync(file, "utf8") };
  } finally {
    closeSync(fd);
  }
}

describe.runIf(existsSync(BIN))("host output of `wasmbox run` (buffered when not a terminal)", () => {
  it("keeps the order of stdout and stderr written into one file (2>&1)", () => {
    const dir = scratch();
    const r = runIntoOneFile(dir, ["interleaved.wasm"]);
    expect(r.status).toBe(0);
    expect(r.text).toBe("out\nerr\n".repeat(300));
  });

  it("gets a prompt out before the guest blocks reading stdin", async () => {
    const dir = scratch();
    const child = spawn(process.execPath, [BIN, "run", "prompt.wasm"], { cwd: dir, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, WASMBOX_HOME: path.join(dir, "home") } });
    let out = "";
    // Only once the prompt has arrived does the test answer: a prompt kept in a buffer would hang here (the test times out).
    const prompted = new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out === "name? ") resolve();
      });
    });
    await prompted;
    child.stdin.end("ann\n");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(out).toBe("name? hello ann\n");
  }, 30_000);

  it("flushes what a guest wrote before it trapped, ahead of the trap message", () => {
    const r = runIntoOneFile(scratch(), ["trap.wasm"]);
    expect(r.status).toBe(134);
    expect(r.text).toMatch(/^partialwasmbox: trap\.wasm: trap: unreachable/);
  });

  it("flushes what a guest wrote before proc_exit", () => {
    const r = runIntoOneFile(scratch(), ["exit.wasm"]);
    expect(r.status).toBe(3);
    expect(r.text).toBe("bye!");
  });

  it("ends quietly with 141 when the reader of stdout goes away (| head -1)", () => {
    const dir = scratch();
    const busybox = path.resolve("userland/build/busybox.wasm");
    const script = `{ "${process.execPath}" "${BIN}" run "${busybox}" yes 2>err.txt; echo $? >status.txt; } | head -1`;
    const r = spawnSync("sh", ["-c", script], { cwd: dir, encoding: "utf8", env: { ...process.env, WASMBOX_HOME: path.join(dir, "home") } });
    expect(r.stdout).toBe("y\n");
    expect(readFileSync(path.join(dir, "status.txt"), "utf8")).toBe("141\n");
    expect(readFileSync(path.join(dir, "err.txt"), "utf8")).toBe("");
  });
});

/** A pty for the CLI's stdout: `script` from util-linux (bsdutils). */
const SCRIPT = spawnSync("sh", ["-c", "command -v script"], { encoding: "utf8" }).stdout.trim();

// The CLI below is started on the pinned Node whichever Node runs the tests: the machine's Node's run
// (npm test's second one, beside the first on a loaded machine) would only repeat it.
const onPinnedNode = existsSync(PINNED_NODE) && realpathSync(process.execPath) === realpathSync(PINNED_NODE);

describe.runIf(existsSync(BIN) && onPinnedNode)("host output to a terminal", () => {
  // The inline engine (pinned Node) shows the difference: there, a module run has no preemption
  // checks (no --time-limit), so a guest computing holds the thread and buffered output waits for
  // its next call; the worker engine's timer flushes it anyway.
  it.runIf(SCRIPT !== "")("is not buffered: a write reaches the terminal before the guest computes on", async () => {
    const dir = scratch();
    const arrivals = async (command: string[]) => {
      const child = spawn(command[0], command.slice(1), { cwd: dir, stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, WASMBOX_HOME: path.join(dir, "home") } });
      const chunks: Array<{ at: number; text: string }> = [];
      child.stdout.on("data", (chunk: Buffer) => chunks.push({ at: performance.now(), text: chunk.toString() }));
      await new Promise((resolve) => child.on("close", resolve));
      return chunks;
    };
    const cli = `"${PINNED_NODE}" "${BIN}" run --engine inline compute.wasm`;
    const onTerminal = await arrivals([SCRIPT, "-qc", cli, "/dev/null"]);
    expect(onTerminal[0].text).toBe("a");
    expect(onTerminal.map((c) => c.text).join("")).toBe("ab\r\n");
    expect(onTerminal[onTerminal.length - 1].at - onTerminal[0].at).toBeGreaterThan(100);
    // The same run into a pipe: "a" waits in the buffer until the guest's next write.
    const onPipe = await arrivals(["sh", "-c", cli]);
    expect(onPipe.map((c) => c.text)).toEqual(["ab\n"]);
  }, 60_000);
});
