// The kernel's host outputs (kernel/host-output.ts) in-process: when the buffer of a host fd goes
// out (other fd, a millisecond, full, blocking, process end), errors, terminals, and many writers.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Errno, Kernel, type SysError, InputStream, type LayerEntry } from "../../kernel/host.js";
import { bootKernel, loadRootfs } from "../userland/helpers.js";
import { wat, WASI_IMPORTS } from "../helpers/wat.js";

/** Two host outputs of a fresh kernel whose sinks append to one list, as `2>&1` into one file would. */
function twoOutputs(terminal = false) {
  const kernel = new Kernel({ log: () => undefined });
  const writes: string[] = [];
  const stdout = kernel.hostOutputs.open((b) => writes.push(Buffer.from(b).toString()), terminal);
  const stderr = kernel.hostOutputs.open((b) => writes.push("E:" + Buffer.from(b).toString()), terminal);
  return { kernel, writes, stdout, stderr };
}

const bytes = (s: string) => Buffer.from(s);

/** The errno `fn` threw (undefined when it did not throw). */
function errnoThrown(fn: () => void): Errno | undefined {
  try {
    fn();
  } catch (e) {
    return (e as SysError).errno;
  }
  return undefined;
}

/**
 * Makes the kernel's monotonic clock (process.uptime, see kernel/clock.ts) stand still; returns
 * how to move it on by some milliseconds.
 */
function fakeUptime(): (ms: number) => void {
  let seconds = process.uptime();
  vi.spyOn(process, "uptime").mockImplementation(() => seconds);
  return (ms) => void (seconds += ms / 1000);
}

/** Stops the clock (and the safety timer) for a test that must not see a millisecond pass on a loaded machine. */
function frozenClock(): void {
  vi.useFakeTimers({ toFake: ["setTimeout"] });
  fakeUptime();
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("HostOutput", () => {
  it("keeps writes until a write to the other host fd, which flushes them first", () => {
    frozenClock();
    const { writes, stdout, stderr } = twoOutputs();
    stdout.write(bytes("a"));
    stdout.write(bytes("b"));
    expect(writes).toEqual([]);
    stderr.write(bytes("x"));
    expect(writes).toEqual(["ab"]);
    stdout.write(bytes("c"));
    expect(writes).toEqual(["ab", "E:x"]);
  });

  it("flushes at the first write a millisecond after the first unflushed byte", () => {
    // Only the clock is fake: the real timer cannot fire in the middle of this synchronous test.
    const advance = fakeUptime();
    const { writes, stdout } = twoOutputs();
    stdout.write(bytes("a"));
    advance(0.5);
    stdout.write(bytes("b"));
    expect(writes).toEqual([]);
    advance(0.6);
    stdout.write(bytes("c"));
    expect(writes).toEqual(["abc"]);
  });

  it("flushes from a timer when nobody writes again", async () => {
    const { writes, stdout } = twoOutputs();
    stdout.write(bytes("late"));
    expect(writes).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writes).toEqual(["late"]);
  });

  it("flushes a full buffer and passes a write larger than the buffer straight on", () => {
    frozenClock();
    const { writes, stdout } = twoOutputs();
    stdout.write(new Uint8Array(60_000).fill(97));
    stdout.write(new Uint8Array(10_000).fill(98));
    expect(writes.map((w) => w.length)).toEqual([60_000]);
    stdout.write(new Uint8Array(100_000).fill(99));
    expect(writes.map((w) => w.length)).toEqual([60_000, 10_000, 100_000]);
  });

  it("grows its buffer as writes come (from 4 KB) and keeps what it held, in order, up to 64 KiB", () => {
    frozenClock();
    const { writes, stdout } = twoOutputs();
    const chunk = (i: number) => new Uint8Array(3000).fill(65 + (i % 26));
    // 21 chunks (63,000 bytes) fit in 64 KiB: the buffer doubled from 4 KB four times on the way.
    for (let i = 0; i < 21; i++) stdout.write(chunk(i));
    expect(writes).toEqual([]);
    stdout.write(chunk(21));
    expect(writes.map((w) => w.length)).toEqual([63_000]);
    expect(writes[0]).toBe(Array.from({ length: 21 }, (_, i) => String.fromCharCode(65 + (i % 26)).repeat(3000)).join(""));
    stdout.write(bytes("!"));
    stdout.write(new Uint8Array(100_000).fill(99));
    expect(writes.map((w) => w.length)).toEqual([63_000, 3001, 100_000]);
    expect(writes[1]).toBe(String.fromCharCode(65 + 21).repeat(3000) + "!");
  });

  it("writes a terminal's output at once", () => {
    const { writes, stdout, stderr } = twoOutputs(true);
    stdout.write(bytes("a"));
    stderr.write(bytes("b"));
    stdout.write(bytes("c"));
    expect(writes).toEqual(["a", "E:b", "c"]);
  });

  it("gives a host error met by a flush nobody waited on to the next write", () => {
    frozenClock();
    const kernel = new Kernel({ log: () => undefined });
    let open = true;
    const out = kernel.hostOutputs.open(() => {
      if (!open) throw Object.assign(new Error("EPIPE: broken pipe, write"), { code: "EPIPE" });
    }, false);
    out.write(bytes("lost"));
    open = false;
    kernel.hostOutputs.flush();
    expect(errnoThrown(() => out.write(bytes("x")))).toBe(Errno.PIPE);
    out.write(bytes("y"));
    expect(errnoThrown(() => out.flush())).toBe(Errno.PIPE);
  });
});

/** Prints "name? ", reads stdin, prints what it read. */
const PROMPT = wat(`(module ${WASI_IMPORTS} (memory (export "memory") 1) (data (i32.const 100) "name? ")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store (i32.const 16) (i32.const 1024)) (i32.store (i32.const 20) (i32.const 256))
    (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
    (i32.store (i32.const 0) (i32.const 1024)) (i32.store (i32.const 4) (i32.load (i32.const 24)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`);

describe("host output of processes", () => {
  it("goes out when a process blocks, not only when the timer fires", async () => {
    // No timer can flush here: the prompt must go out because the reader blocks.
    vi.useFakeTimers({ toFake: ["setTimeout"] });
    const { kernel, writes, stdout, stderr } = twoOutputs();
    const stdin = new InputStream();
    const done = kernel.run(PROMPT, { stdin, stdoutTo: stdout, stderrTo: stderr });
    // (A worker takes tens of milliseconds to start: wait for the prompt up to 10 s, by event-loop turns.)
    const until = performance.now() + 10_000;
    while (writes.length === 0 && performance.now() < until) await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(["name? "]);
    stdin.push(bytes("ann\n"));
    stdin.end();
    expect((await done).exitCode).toBe(0);
    expect(writes).toEqual(["name? ", "ann\n"]);
  });

  describe("of a shell and its children, sharing one stdout and stderr", () => {
    let rootfs: LayerEntry[];
    beforeAll(async () => {
      rootfs = await loadRootfs();
    }, 120_000);

    it("keep the order the writes were made in across processes and fds", async () => {
      const kernel = bootKernel(rootfs);
      const writes: string[] = [];
      const stdout = kernel.hostOutputs.open((b) => writes.push(Buffer.from(b).toString()), false);
      const stderr = kernel.hostOutputs.open((b) => writes.push(Buffer.from(b).toString()), false);
      const script = "echo 1; echo 2 >&2; echo 3 | cat; cat /nonexistent; echo 5; echo 6 | cat >&2; for i in 7 8; do echo $i; done | cat; echo 9";
      const r = await kernel.run("/bin/sh", {
        args: ["-c", script], env: { PATH: "/bin" }, cwd: "/tmp", stdin: "", stdoutTo: stdout, stderrTo: stderr,
      });
      expect(r.exitCode).toBe(0);
      expect(writes.join("")).toBe("1\n2\n3\ncat: /nonexistent: No such file or directory\n5\n6\n7\n8\n9\n");
    }, 60_000);
  });
});
