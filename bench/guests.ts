// The benchmark guests, as WebAssembly text compiled with binaryen when the benchmark starts:
// small loops around one syscall each, so a figure measures the kernel, not the guest.
import binaryen from "binaryen";

const IMPORTS = `
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))`;

/** Reads decimal argv[1] (the iteration count); argv strings are written at 1024. */
export const ARG_COUNT = `
  (func $count (result i32) (local $p i32) (local $n i32) (local $c i32)
    (drop (call $args_get (i32.const 512) (i32.const 1024)))
    (local.set $p (i32.load (i32.const 516)))
    (block $done (loop $digits
      (local.set $c (i32.load8_u (local.get $p)))
      (br_if $done (i32.lt_u (local.get $c) (i32.const 48)))
      (local.set $n (i32.add (i32.mul (local.get $n) (i32.const 10)) (i32.sub (local.get $c) (i32.const 48))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $digits)))
    (local.get $n))`;

/** Opens the path at 256 (length at 252) under preopen fd 3; fd at 248. */
const OPEN = (rights: string) => `
  (func $open (result i32)
    (if (call $path_open (i32.const 3) (i32.const 1) (i32.const 256) (i32.load (i32.const 252)) (i32.const 0)
          (i64.const ${rights}) (i64.const 0) (i32.const 0) (i32.const 248))
      (then (call $proc_exit (i32.const 99))))
    (i32.load (i32.const 248)))`;

function module(body: string, data: string): string {
  return `(module ${IMPORTS} (memory (export "memory") 2) ${data} ${ARG_COUNT} ${body})`;
}

const path = (p: string) => `(data (i32.const 252) "\\${p.length.toString(16).padStart(2, "0")}\\00\\00\\00${p}")`;

export const GUEST_TEXT = {
  /** Writes 1 byte to dev/null argv[1] times. */
  writeNull: module(`${OPEN("64")}
    (func (export "_start") (local $fd i32) (local $i i32) (local $n i32)
      (local.set $n (call $count)) (local.set $fd (call $open))
      (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 1))
      (loop $l (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))`, path("dev/null")),
  /** Reads the file bench/data in 4 KiB fd_reads to EOF, argv[1] times (seeking back to 0). */
  read4k: module(`${OPEN("6")}
    (func (export "_start") (local $fd i32) (local $pass i32) (local $n i32)
      (local.set $n (call $count)) (local.set $fd (call $open))
      (i32.store (i32.const 0) (i32.const 4096)) (i32.store (i32.const 4) (i32.const 4096))
      (loop $passes
        (loop $l (drop (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
          (br_if $l (i32.ne (i32.load (i32.const 8)) (i32.const 0))))
        (drop (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 0) (i32.const 16)))
        (local.set $pass (i32.add (local.get $pass) (i32.const 1)))
        (br_if $passes (i32.lt_u (local.get $pass) (local.get $n)))))`, path("bench/data")),
  /** Prints hello and exits 0. */
  hello: module(`
    (func (export "_start")
      (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 6))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))`, `(data (i32.const 64) "hello\\n")`),
  /** Writes argv[1] chunks of 64 KiB to stdout. */
  pipeWriter: module(`
    (func (export "_start") (local $i i32) (local $n i32)
      (local.set $n (call $count))
      (i32.store (i32.const 0) (i32.const 65536)) (i32.store (i32.const 4) (i32.const 65536))
      (loop $l
        (i32.store (i32.const 0) (i32.const 65536)) (i32.store (i32.const 4) (i32.const 65536))
        (loop $part (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
          (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.load (i32.const 8))))
          (i32.store (i32.const 4) (i32.sub (i32.load (i32.const 4)) (i32.load (i32.const 8))))
          (br_if $part (i32.ne (i32.load (i32.const 4)) (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))`, ""),
  /** Reads stdin in 64 KiB reads until EOF. */
  pipeReader: module(`
    (func (export "_start")
      (i32.store (i32.const 0) (i32.const 65536)) (i32.store (i32.const 4) (i32.const 65536))
      (loop $l (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (br_if $l (i32.ne (i32.load (i32.const 8)) (i32.const 0)))))`, ""),
  /** A compute-bound guest: argv[1] rounds of a sieve of Eratosthenes over 16 MB, no syscalls inside. */
  compute: module(`
    (func (export "_start") (local $i i32) (local $j i32) (local $n i32) (local $round i32) (local $rounds i32) (local $primes i32)
      (local.set $rounds (call $count)) (local.set $n (i32.const 16000000))
      (drop (memory.grow (i32.const 250)))
      (loop $each
        (memory.fill (i32.const 65536) (i32.const 0) (local.get $n))
        (local.set $primes (i32.const 0))
        (local.set $i (i32.const 2))
        (loop $outer
          (if (i32.eqz (i32.load8_u offset=65536 (local.get $i))) (then
            (local.set $primes (i32.add (local.get $primes) (i32.const 1)))
            (local.set $j (i32.add (local.get $i) (local.get $i)))
            (block $done (loop $inner
              (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
              (i32.store8 offset=65536 (local.get $j) (i32.const 1))
              (local.set $j (i32.add (local.get $j) (local.get $i)))
              (br $inner)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
        (local.set $round (i32.add (local.get $round) (i32.const 1)))
        (br_if $each (i32.lt_u (local.get $round) (local.get $rounds))))
      (if (i32.ne (local.get $primes) (i32.const 1031130)) (then (call $proc_exit (i32.const 1)))))`, ""),
  /** Blocks reading stdin (for the many-blocked-processes figure). */
  blockedReader: module(`
    (func (export "_start")
      (i32.store (i32.const 0) (i32.const 4096)) (i32.store (i32.const 4) (i32.const 16))
      (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))))`, ""),
};

export type GuestName = keyof typeof GUEST_TEXT;

/** Compiles one guest to bytes. */
export function guestBytes(name: GuestName): Uint8Array {
  const m = binaryen.parseText(GUEST_TEXT[name]);
  m.setFeatures(binaryen.Features.MutableGlobals | binaryen.Features.SignExt | binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt);
  try {
    if (!m.validate()) throw new Error(`bench guest ${name} is invalid`);
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}
