// Test guests for the process tests, as WebAssembly text: a pattern producer and a checking
// consumer (every byte verified), a sleeper, a blocked reader/writer and a tight loop.
import { wat } from "../helpers/wat.js";

const IMPORTS = `
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))`;

/** The byte at stream offset `i`: a pattern that catches lost, repeated and reordered bytes. */
export function patternByte(i: number): number {
  return (i * 131 + (i >>> 16)) & 0xff;
}
const PATTERN = `(i32.and (i32.add (i32.mul (local.get $off) (i32.const 131)) (i32.shr_u (local.get $off) (i32.const 16))) (i32.const 255))`;

/** Writes `total` bytes of the pattern to stdout in 64 KiB writes (looping on short writes). */
export function producer(total: number): Uint8Array {
  return wat(`(module ${IMPORTS} (memory (export "memory") 3)
    (func (export "_start") (local $off i32) (local $i i32) (local $start i32) (local $end i32)
      (block $done (loop $chunk
        (br_if $done (i32.ge_u (local.get $start) (i32.const ${total})))
        (local.set $end (i32.add (local.get $start) (i32.const 65536)))
        (if (i32.gt_u (local.get $end) (i32.const ${total})) (then (local.set $end (i32.const ${total}))))
        (local.set $off (local.get $start))
        (loop $fill
          (i32.store8 (i32.add (i32.const 1024) (i32.sub (local.get $off) (local.get $start))) ${PATTERN})
          (local.set $off (i32.add (local.get $off) (i32.const 1)))
          (br_if $fill (i32.lt_u (local.get $off) (local.get $end))))
        (i32.store (i32.const 0) (i32.const 1024))
        (i32.store (i32.const 4) (i32.sub (local.get $end) (local.get $start)))
        (loop $part
          (if (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)) (then (call $proc_exit (i32.const 3))))
          (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.load (i32.const 8))))
          (i32.store (i32.const 4) (i32.sub (i32.load (i32.const 4)) (i32.load (i32.const 8))))
          (br_if $part (i32.ne (i32.load (i32.const 4)) (i32.const 0))))
        (local.set $start (local.get $end))
        (br $chunk)))))`);
}

/** Reads stdin to EOF checking every byte against the pattern: exit 0 if all `total` match, 1 on a wrong byte, 2 on a wrong count. */
export function consumer(total: number): Uint8Array {
  return wat(`(module ${IMPORTS} (memory (export "memory") 3)
    (func (export "_start") (local $off i32) (local $n i32) (local $i i32)
      (loop $read
        (i32.store (i32.const 0) (i32.const 1024)) (i32.store (i32.const 4) (i32.const 65536))
        (if (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)) (then (call $proc_exit (i32.const 4))))
        (local.set $n (i32.load (i32.const 8)))
        (local.set $i (i32.const 0))
        (block $checked (loop $check
          (br_if $checked (i32.ge_u (local.get $i) (local.get $n)))
          (if (i32.ne (i32.load8_u (i32.add (i32.const 1024) (local.get $i))) ${PATTERN}) (then (call $proc_exit (i32.const 1))))
          (local.set $off (i32.add (local.get $off) (i32.const 1)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $check)))
        (br_if $read (i32.ne (local.get $n) (i32.const 0))))
      (if (i32.ne (local.get $off) (i32.const ${total})) (then (call $proc_exit (i32.const 2))))))`);
}

/** Sleeps `ms` milliseconds with poll_oneoff on the monotonic clock, then exits 0. */
export function sleeper(ms: number): Uint8Array {
  return wat(`(module ${IMPORTS} (memory (export "memory") 1)
    (func (export "_start")
      (i64.store (i32.const 0) (i64.const 42))         ;; userdata
      (i32.store8 (i32.const 8) (i32.const 0))          ;; tag: clock
      (i32.store (i32.const 16) (i32.const 1))          ;; monotonic
      (i64.store (i32.const 24) (i64.const ${ms * 1_000_000}))
      (i32.store16 (i32.const 40) (i32.const 0))        ;; relative
      (if (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)) (then (call $proc_exit (i32.const 5))))
      (if (i64.ne (i64.load (i32.const 64)) (i64.const 42)) (then (call $proc_exit (i32.const 6))))))`);
}

/** Reads stdin once (blocks while it is empty). */
export const blockedReader = (): Uint8Array => wat(`(module ${IMPORTS} (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 16))
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))))`);

/** Spins forever without a syscall. */
export const spinner = (): Uint8Array => wat(`(module ${IMPORTS} (memory (export "memory") 1)
  (func (export "_start") (loop $forever (br $forever))))`);

/** Reads one byte from stdin, grows its memory by `pages` (exit 3 if it cannot), then blocks reading stdin again. */
export function grower(pages: number): Uint8Array {
  return wat(`(module ${IMPORTS} (memory (export "memory") 1)
    (func $read
      (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 1))
      (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))))
    (func (export "_start")
      (call $read)
      (if (i32.eq (memory.grow (i32.const ${pages})) (i32.const -1)) (then (call $proc_exit (i32.const 3))))
      (i32.store8 (i32.const ${pages * 65536}) (i32.const 1))
      (call $read)))`);
}
