// containers/compare: the tiny guest programs of the comparison's isolation rows, as Wasm bytes made
// here (no toolchain): one that traps, and a countdown that computes without a single syscall.

/** A tiny WASI command whose _start traps (unreachable): the "crash" of the isolation check. */
export const TRAP_WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x07, 0x0a, 0x01, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00, // export "_start"
  0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b, // code: unreachable
]);

/** Where the trap program is put inside an instance. */
export const TRAP_PATH = "/tmp/trap.wasm";

/** Where a countdown program is put inside an instance. */
export const COUNTDOWN_PATH = "/tmp/countdown.wasm";

/** Signed LEB128, as Wasm's i64.const takes it. */
function sleb128(value: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = Number(value & 0x7fn);
    value >>= 7n;
    const done = (value === 0n && (byte & 0x40) === 0) || (value === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/**
 * A WASI command whose _start counts an i64 down from `loops` to 0 and returns, without a single
 * syscall: a CPU hog (10^9 loops take about 0.3-1 s) or, with a large count, a guest that spins.
 */
export function countdownWasm(loops: number | bigint): Uint8Array {
  // (local i64) i64.const N; local.set 0; loop: local.get 0; i64.const 1; i64.sub; local.tee 0; i64.eqz; i32.eqz; br_if 0; end; end
  const body = [0x01, 0x01, 0x7e, 0x42, ...sleb128(BigInt(loops)), 0x21, 0x00, 0x03, 0x40,
    0x20, 0x00, 0x42, 0x01, 0x7d, 0x22, 0x00, 0x50, 0x45, 0x0d, 0x00, 0x0b, 0x0b];
  const code = [0x01, body.length, ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
    0x03, 0x02, 0x01, 0x00,
    0x07, 0x0a, 0x01, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00,
    0x0a, code.length, ...code,
  ]);
}
