// The inline engine's fast path for fd_pread / fd_pwrite on host files (kernel/engines/fast-io.ts):
// every result is the same with it on and off, including the calls a hostile guest makes.
import fs from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Errno, Kernel } from "../../kernel/index.js";
import { dispatcherBytes, PROMOTE_AFTER, thunkBytes } from "../../kernel/engines/fast-io.js";
import { wat } from "../helpers/wat.js";

/**
 * A guest that opens files in its preopen (fd 3), makes enough preads for the kernel to give its
 * fds the fast path, then makes the calls below and prints one line per call: the errno, the
 * count, and the bytes read (up to 16). Memory: 8 result, 16 iovec, 24 second iovec, 100 "f",
 * 104 "g", 200 "XY", 1024 data, 4096 output.
 */
const GUEST = wat(`(module
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pread" (func $fd_pread (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_renumber" (func $fd_renumber (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_rights" (func $set_rights (param i32 i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $set_flags (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "f")
  (data (i32.const 104) "g")
  (data (i32.const 200) "XY")
  (global $out (mut i32) (i32.const 4096))
  (func $ch (param $c i32)
    (i32.store8 (global.get $out) (local.get $c))
    (global.set $out (i32.add (global.get $out) (i32.const 1))))
  (func $num (param $v i32)
    (if (i32.ge_u (local.get $v) (i32.const 10)) (then (call $num (i32.div_u (local.get $v) (i32.const 10)))))
    (call $ch (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10)))))
  ;; Prints "errno count bytes": the count from address 8, the bytes from the data buffer when a read succeeded.
  (func $record (param $e i32) (param $read i32)
    (local $n i32) (local $i i32)
    (call $num (local.get $e)) (call $ch (i32.const 32))
    (local.set $n (if (result i32) (local.get $e) (then (i32.const 0)) (else (i32.load (i32.const 8)))))
    (call $num (local.get $n)) (call $ch (i32.const 32))
    (if (i32.and (local.get $read) (i32.eqz (local.get $e)))
      (then (block $done (loop $each
        (br_if $done (i32.ge_u (local.get $i) (select (local.get $n) (i32.const 16) (i32.lt_u (local.get $n) (i32.const 16)))))
        (call $ch (i32.load8_u (i32.add (i32.const 1024) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))))
    (call $ch (i32.const 10)))
  (func $clear (local $i i32)
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (i32.const 64)))
      (i64.store (i32.add (i32.const 1024) (local.get $i)) (i64.const 0))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $each)))
    (i32.store (i32.const 8) (i32.const 0)))
  ;; pread of len bytes at off into the data buffer, recorded.
  (func $pr (param $fd i32) (param $off i64) (param $len i32)
    (call $clear)
    (i32.store (i32.const 16) (i32.const 1024)) (i32.store (i32.const 20) (local.get $len))
    (call $record (call $fd_pread (local.get $fd) (i32.const 16) (i32.const 1) (local.get $off) (i32.const 8)) (i32.const 1)))
  ;; pwrite of "XY" at off, recorded.
  (func $pw (param $fd i32) (param $off i64)
    (i32.store (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 200)) (i32.store (i32.const 20) (i32.const 2))
    (call $record (call $fd_pwrite (local.get $fd) (i32.const 16) (i32.const 1) (local.get $off) (i32.const 8)) (i32.const 0)))
  (func $open (param $name i32) (param $rights i64) (result i32)
    (drop (call $path_open (i32.const 3) (i32.const 0) (local.get $name) (i32.const 1) (i32.const 0) (local.get $rights) (i64.const 0) (i32.const 0) (i32.const 12)))
    (i32.load (i32.const 12)))
  (func $warm (param $fd i32) (local $i i32)
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (i32.const ${PROMOTE_AFTER + 4})))
      (i32.store (i32.const 16) (i32.const 1024)) (i32.store (i32.const 20) (i32.const 4))
      (drop (call $fd_pread (local.get $fd) (i32.const 16) (i32.const 1) (i64.const 0) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each))))
  (func (export "_start") (local $a i32) (local $b i32) (local $c i32) (local $d i32)
    ;; a: read, write and seek; b: read and seek only.
    (local.set $a (call $open (i32.const 100) (i64.const 70)))
    (local.set $b (call $open (i32.const 100) (i64.const 6)))
    (call $warm (local.get $a)) (call $warm (local.get $b))
    (call $pr (local.get $a) (i64.const 0) (i32.const 5))
    (call $pw (local.get $a) (i64.const 2))
    (call $pr (local.get $a) (i64.const 0) (i32.const 8))
    ;; A short read at the end, and one past it.
    (call $pr (local.get $a) (i64.const 9) (i32.const 8))
    (call $pr (local.get $a) (i64.const 100) (i32.const 8))
    ;; A write on an fd without FD_WRITE.
    (call $pw (local.get $b) (i64.const 0))
    ;; Hostile calls: a huge iovec count, the iovec array, a buffer and the result outside memory.
    (call $clear)
    (i32.store (i32.const 16) (i32.const 1024)) (i32.store (i32.const 20) (i32.const 4))
    (call $record (call $fd_pread (local.get $a) (i32.const 16) (i32.const 0x40000000) (i64.const 0) (i32.const 8)) (i32.const 0))
    (call $record (call $fd_pread (local.get $a) (i32.const 16) (i32.const 0x20000000) (i64.const 0) (i32.const 8)) (i32.const 0))
    (call $record (call $fd_pread (local.get $a) (i32.const 0xfffffff0) (i32.const 1) (i64.const 0) (i32.const 8)) (i32.const 0))
    (call $record (call $fd_pwrite (local.get $a) (i32.const 65532) (i32.const 1) (i64.const 0) (i32.const 8)) (i32.const 0))
    (i32.store (i32.const 24) (i32.const 0xffff0000)) (i32.store (i32.const 28) (i32.const 100))
    (call $record (call $fd_pread (local.get $a) (i32.const 24) (i32.const 1) (i64.const 0) (i32.const 8)) (i32.const 0))
    (call $record (call $fd_pwrite (local.get $a) (i32.const 24) (i32.const 1) (i64.const 0) (i32.const 8)) (i32.const 0))
    (i32.store (i32.const 24) (i32.const 65500)) (i32.store (i32.const 28) (i32.const 100))
    (call $record (call $fd_pread (local.get $a) (i32.const 24) (i32.const 1) (i64.const 0) (i32.const 8)) (i32.const 0))
    (call $record (call $fd_pread (local.get $a) (i32.const 16) (i32.const 1) (i64.const 0) (i32.const 0xfffffffe)) (i32.const 0))
    (call $record (call $fd_pwrite (local.get $a) (i32.const 16) (i32.const 1) (i64.const 0) (i32.const 65534)) (i32.const 0))
    ;; Offsets: negative, 2^63, 2^53, 2^53 - 1 (past the end), and a write there.
    (call $pr (local.get $a) (i64.const -1) (i32.const 4))
    (call $pr (local.get $a) (i64.const 0x8000000000000000) (i32.const 4))
    (call $pr (local.get $a) (i64.const 0x20000000000000) (i32.const 4))
    (call $pr (local.get $a) (i64.const 0x1fffffffffffff) (i32.const 4))
    (call $pw (local.get $a) (i64.const 0x1ffffffffffff0))
    (call $pw (local.get $a) (i64.const -2))
    ;; Two iovecs, and an empty one.
    (call $clear)
    (i32.store (i32.const 16) (i32.const 1024)) (i32.store (i32.const 20) (i32.const 3))
    (i32.store (i32.const 24) (i32.const 1027)) (i32.store (i32.const 28) (i32.const 3))
    (call $record (call $fd_pread (local.get $a) (i32.const 16) (i32.const 2) (i64.const 0) (i32.const 8)) (i32.const 1))
    (call $pr (local.get $a) (i64.const 0) (i32.const 0))
    (call $record (call $fd_pread (local.get $a) (i32.const 16) (i32.const 0) (i64.const 0) (i32.const 8)) (i32.const 0))
    ;; c (file g) renumbered over by a: c now reads f, a is closed.
    (local.set $c (call $open (i32.const 104) (i64.const 70)))
    (call $warm (local.get $c))
    (call $num (call $fd_renumber (local.get $a) (local.get $c))) (call $ch (i32.const 10))
    (call $pr (local.get $c) (i64.const 0) (i32.const 5))
    (call $pr (local.get $a) (i64.const 0) (i32.const 5))
    ;; c closed and its number given to another open of g: reads see g.
    (call $num (call $fd_close (local.get $c))) (call $ch (i32.const 10))
    (local.set $d (call $open (i32.const 104) (i64.const 78)))
    (call $num (i32.eq (local.get $d) (local.get $a))) (call $ch (i32.const 10))
    (call $pr (local.get $d) (i64.const 0) (i32.const 5))
    (call $pr (local.get $c) (i64.const 0) (i32.const 5))
    ;; Rights dropped to FD_SEEK: no more reads.
    (call $num (call $set_rights (local.get $b) (i64.const 4) (i64.const 0))) (call $ch (i32.const 10))
    (call $pr (local.get $b) (i64.const 0) (i32.const 5))
    ;; O_APPEND (d has FD_FDSTAT_SET_FLAGS): a pwrite appends.
    (call $warm (local.get $d))
    (call $num (call $set_flags (local.get $d) (i32.const 1))) (call $ch (i32.const 10))
    (call $pw (local.get $d) (i64.const 0))
    (call $pr (local.get $d) (i64.const 0) (i32.const 16))
    (i32.store (i32.const 16) (i32.const 4096)) (i32.store (i32.const 20) (i32.sub (global.get $out) (i32.const 4096)))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 8)))))`);

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(tmpdir(), "wasmbox-fast-io-"));
  fs.writeFileSync(path.join(dir, "f"), "hello world!");
  fs.writeFileSync(path.join(dir, "g"), "ggggg");
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The first 16 bytes of a file (a guest's write far out makes it sparse and huge). */
function head(file: string): string {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(16);
    return buf.subarray(0, fs.readSync(fd, buf, 0, 16, 0)).toString("latin1");
  } finally {
    fs.closeSync(fd);
  }
}

/** Runs GUEST on a fresh copy of the files, with the fast path on or off; its output, the files after, and how many fds got the fast path. */
async function run(fast: boolean, options: { readOnly?: boolean; trace?: string[] } = {}) {
  fs.writeFileSync(path.join(dir, "f"), "hello world!");
  fs.writeFileSync(path.join(dir, "g"), "ggggg");
  const trace = options.trace;
  const kernel = new Kernel({ log: () => undefined, fastHostIo: fast, ...(trace ? { trace: (line: string) => trace.push(line) } : {}) });
  const r = await kernel.run(GUEST, { dirs: [{ host: dir, guest: "/m", readOnly: options.readOnly }], preopenRoot: false, capture: true });
  return {
    exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, mapped: kernel.fastIo.mapped,
    f: head(path.join(dir, "f")), fSize: fs.statSync(path.join(dir, "f")).size,
    g: fs.readFileSync(path.join(dir, "g"), "latin1"),
  };
}

describe("fast path for fd_pread / fd_pwrite on host files", () => {
  it.runIf(new Kernel({ log: () => undefined }).engineKind === "inline")("gives every call the same result as the JS handler", async () => {
    const on = await run(true);
    const off = await run(false);
    // a, b, c and d each got the fast path once warmed up.
    expect(on.mapped).toBeGreaterThanOrEqual(4);
    expect(off.mapped).toBe(0);
    expect(on).toEqual({ ...off, mapped: on.mapped });
    expect(on.exitCode).toBe(0);
    const lines = on.stdout.split("\n");
    expect(lines.slice(0, 6)).toEqual(["0 5 hello", "0 2 ", "0 8 heXYo wo", "0 3 ld!", "0 0 ", `${Errno.NOTCAPABLE} 0 `]);
    // Hostile: IOV_MAX, EFAULT for the iovecs, a buffer and the result outside memory.
    expect(lines.slice(6, 15)).toEqual([
      `${Errno.INVAL} 0 `, `${Errno.INVAL} 0 `, `${Errno.FAULT} 0 `, `${Errno.FAULT} 0 `,
      `${Errno.FAULT} 0 `, `${Errno.FAULT} 0 `, `${Errno.FAULT} 0 `, `${Errno.FAULT} 0 `, `${Errno.FAULT} 0 `,
    ]);
    expect(lines.slice(15, 19)).toEqual([`${Errno.INVAL} 0 `, `${Errno.INVAL} 0 `, `${Errno.INVAL} 0 `, "0 0 "]);
    expect(lines.slice(21, 24)).toEqual(["0 6 heXYo ", "0 0 ", "0 0 "]);
    // Renumbered, closed and reopened: the fd reads the file it names now, never the old one.
    expect(lines.slice(24, 27)).toEqual(["0", "0 5 heXYo", `${Errno.BADF} 0 `]);
    expect(lines.slice(27, 31)).toEqual(["0", "1", "0 5 ggggg", `${Errno.BADF} 0 `]);
    expect(lines.slice(31, 33)).toEqual(["0", `${Errno.NOTCAPABLE} 0 `]);
    expect(lines.slice(33, 36)).toEqual(["0", "0 2 ", "0 7 gggggXY"]);
  });

  it.runIf(new Kernel({ log: () => undefined }).engineKind === "inline")("refuses writes on a read-only mount as the JS handler does", async () => {
    const on = await run(true, { readOnly: true });
    const off = await run(false, { readOnly: true });
    expect(on).toEqual({ ...off, mapped: on.mapped });
    // The mount gives no write right: the read-only fd b still reads through the fast path.
    expect(on.mapped).toBeGreaterThanOrEqual(1);
    expect(on.stdout.split("\n")[5]).toBe(`${Errno.NOTCAPABLE} 0 `);
    expect(on.f).toBe("hello world!");
    expect(on.g).toBe("ggggg");
  });

  it.runIf(new Kernel({ log: () => undefined }).engineKind === "inline")("starts afresh for the next process on a reused instance", async () => {
    const kernel = new Kernel({ log: () => undefined });
    const outputs: string[] = [];
    const mapped: number[] = [];
    for (let i = 0; i < 2; i++) {
      fs.writeFileSync(path.join(dir, "f"), "hello world!");
      fs.writeFileSync(path.join(dir, "g"), "ggggg");
      const r = await kernel.run(GUEST, { dirs: [{ host: dir, guest: "/m" }], preopenRoot: false, capture: true });
      outputs.push(r.stdout);
      mapped.push(kernel.fastIo.mapped);
    }
    expect(kernel.instancePool.reuses).toBe(1);
    expect(outputs[1]).toBe(outputs[0]);
    expect(mapped[1]).toBe(2 * mapped[0]!);
    expect(outputs[0]).toBe((await run(false)).stdout);
  });

  it("is off when the kernel traces: every call is listed", async () => {
    const trace: string[] = [];
    const traced = await run(true, { trace });
    const off = await run(false);
    expect(traced.mapped).toBe(0);
    expect({ ...traced, mapped: 0 }).toEqual({ ...off, mapped: 0 });
    const preads = trace.filter((line) => / fd_pread\(/.test(line)).length;
    // 4 warm-up rounds of PROMOTE_AFTER + 4 calls, and 23 more.
    expect(preads).toBe(4 * (PROMOTE_AFTER + 4) + 23);
  });

  it("generates modules V8 validates", () => {
    expect(WebAssembly.validate(dispatcherBytes())).toBe(true);
    expect(WebAssembly.validate(thunkBytes())).toBe(true);
  });
});
