// The rewrite's loop outlining (on-stack replacement by hand, kernel/engines/code-scan.ts) against
// random programs: loops in loops, branches of every kind out of them, returns, exceptions.
import binaryen from "binaryen";
import { describe, expect, it } from "vitest";
import { PREEMPT_IMPORT, rewriteModule } from "../../kernel/engines/module-rewrite.js";
import { wat } from "../helpers/wat.js";

const FEATURES = binaryen.Features.MVP | binaryen.Features.Multivalue | binaryen.Features.MutableGlobals | binaryen.Features.SIMD128 | binaryen.Features.ExceptionHandling | binaryen.Features.ReferenceTypes;

/** A small seeded generator (xorshift32): the same programs every run. */
function random(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

interface Label {
  name: string;
  /** A branch to it carries an i32 (a block with a result). */
  valued: boolean;
}

/**
 * A random function `run(seed)`: nested blocks and loops, branches out of them (br, br_if,
 * br_table, with and without values), returns from inside loops, calls, i64, f64 and v128
 * locals, sometimes loops inside a try_table that a throw leaves. Each loop iteration spends
 * one unit of a global fuel and returns when it is out, so every program ends; each statement
 * folds the locals into an exported global, so a local the rewrite got wrong shows.
 */
export function program(seed: number): string {
  const pick = random(seed);
  const twoResults = pick(3) === 0;
  const results = twoResults ? "(result i32 i64)" : "(result i32)";
  const returned = twoResults ? "(local.get $a) (local.get $x)" : "(local.get $a)";
  let labels = 0;
  // Branches out of loops are rare (so loops run long); ifs go either way.
  const rare = () => ["(i32.lt_u (i32.and (local.get $c) (i32.const 1023)) (i32.const 3))", "(i32.eqz (i32.and (local.get $b) (i32.const 255)))"][pick(2)]!;
  // A loop goes round until the fuel is down to a level of its own, or 64 times.
  const again = () => (pick(3) > 0 ? `(i32.gt_s (global.get $fuel) (i32.const ${pick(50_000)}))` : "(i32.ne (i32.and (local.get $c) (i32.const 63)) (i32.const 0))");
  const cond = () => ["(i32.and (local.get $c) (i32.const 1))", "(i32.lt_u (i32.and (local.get $c) (i32.const 255)) (i32.const 3))", "(i32.eqz (i32.and (local.get $b) (i32.const 15)))"][pick(3)]!;
  const statement = (open: Label[], depth: number): string => {
    const plain = open.filter((l) => !l.valued);
    const kind = pick(depth >= 4 ? 5 : 15);
    switch (kind) {
      case 12:
        // A temporary: written, then read in the same block.
        return "(local.set $t (i32.mul (local.get $c) (i32.const 7))) (local.set $a (i32.add (local.get $a) (local.get $t)))";
      case 13:
        // A read of the temporary that no write in its block may cover.
        return "(local.set $b (i32.xor (local.get $b) (local.get $t)))";
      case 14:
        // Written in one arm, read in the other.
        return `(if ${cond()} (then (local.set $t (i32.add (local.get $t) (local.get $c)))) (else (local.set $a (i32.sub (local.get $a) (local.get $t)))))`;
      case 0:
        return "(local.set $a (i32.add (i32.mul (local.get $a) (i32.const 31)) (local.get $b)))";
      case 1:
        return "(local.set $x (i64.add (i64.mul (local.get $x) (i64.const 1000003)) (i64.extend_i32_u (local.get $a))))";
      case 2:
        return "(local.set $b (i32.xor (local.get $b) (call $mix (local.get $c)))) (local.set $f (f64.add (local.get $f) (f64.convert_i32_s (local.get $b))))";
      case 3:
        return "(local.set $v (i32x4.add (local.get $v) (i32x4.splat (local.get $a)))) (global.set $trace (i32.xor (global.get $trace) (i32x4.extract_lane 3 (local.get $v))))";
      case 4:
        return "(global.set $trace (i32.add (i32.mul (global.get $trace) (i32.const 17)) (i32.xor (local.get $a) (i32.xor (local.get $t) (i32.wrap_i64 (local.get $x))))))";
      case 5:
      case 6: {
        const name = `$l${labels++}`;
        const body = block(open.concat({ name, valued: false }), depth + 1);
        return `(loop ${name} (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (global.set $fuel (i32.sub (global.get $fuel) (i32.const 1)))
          (if (i32.le_s (global.get $fuel) (i32.const 0)) (then (return ${returned})))
          ${body} (br_if ${name} ${again()}))`;
      }
      case 7: {
        const name = `$b${labels++}`;
        if (pick(4) === 0) return `(local.set $a (i32.add (local.get $a) (block ${name} (result i32) ${block(open.concat({ name, valued: true }), depth + 1)} (local.get $b))))`;
        return `(block ${name} ${block(open.concat({ name, valued: false }), depth + 1)})`;
      }
      case 8: {
        if (open.length === 0) return "(nop)";
        const target = open[pick(open.length)]!;
        if (target.valued) return `(drop (br_if ${target.name} (local.get $a) ${rare()}))`;
        return pick(2) === 0 ? `(br_if ${target.name} ${rare()})` : `(if ${rare()} (then (br ${target.name})))`;
      }
      case 9: {
        if (plain.length === 0) return "(nop)";
        const targets = [0, 1, 2].map(() => plain[pick(plain.length)]!.name).join(" ");
        return `(if ${rare()} (then (br_table ${targets} (i32.and (local.get $c) (i32.const 3)))))`;
      }
      case 10:
        return `(if (i32.eq (i32.and (local.get $c) (i32.const 8191)) (i32.const ${pick(8192)})) (then (return ${returned})))`;
      case 11:
      default: {
        if (pick(3) !== 0) return `(if ${cond()} (then ${block(open, depth + 1)}) (else ${block(open, depth + 1)}))`;
        // A loop inside a try_table that a throw from a callee leaves.
        const name = `$h${labels++}`;
        return `(block ${name} (try_table (catch_all ${name}) ${block(open.concat({ name, valued: false }), depth + 1)} (if (i32.eqz (i32.and (local.get $c) (i32.const 4095))) (then (call $boom)))))`;
      }
    }
  };
  const block = (open: Label[], depth: number) => Array.from({ length: 1 + pick(4) }, () => statement(open, depth)).join("\n");
  const body = block([], 0);
  return `(module
    (tag $stop)
    (global $trace (export "trace") (mut i32) (i32.const 0))
    (global $fuel (export "fuel") (mut i32) (i32.const 0))
    (func $mix (param $n i32) (result i32) (i32.xor (i32.mul (local.get $n) (i32.const 2654435761)) (i32.shr_u (local.get $n) (i32.const 7))))
    (func $boom (throw $stop))
    (func (export "run") (param $seed i32) (param $fuel i32) ${results}
      (local $a i32) (local $b i32) (local $c i32) (local $t i32) (local $x i64) (local $f f64) (local $v v128)
      (global.set $fuel (local.get $fuel))
      (local.set $a (local.get $seed)) (local.set $b (i32.const 12345)) (local.set $x (i64.const 99))
      ${body}
      ${returned}))`;
}

/** How many function bodies a module's code section has. */
function bodyCount(bytes: Uint8Array): number {
  let at = 8;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return value;
    }
  };
  while (at < bytes.length) {
    const id = bytes[at++]!;
    const size = leb();
    if (id === 10) return leb();
    at += size;
  }
  return 0;
}

/** Runs `run` over a few seeds: the results, the trace and the fuel left after each. */
function outcomes(bytes: Uint8Array, imports: WebAssembly.Imports): unknown[] {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), imports);
  const exports = instance.exports as { run: (seed: number, fuel: number) => unknown; trace: WebAssembly.Global; fuel: WebAssembly.Global };
  return [1, 77, 4242].map((seed) => {
    let result: unknown;
    try {
      result = exports.run(seed, 50_000);
    } catch (e) {
      result = `threw ${(e as Error).constructor.name}`;
    }
    return [result, exports.trace.value, exports.fuel.value];
  });
}

describe("loop outlining", () => {
  it("computes what the module computes, on 150 random programs whose loops run in their outlined copies", () => {
    let outlined = 0;
    let refills = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const text = program(seed);
      const bytes = wat(text, FEATURES);
      const rewritten = rewriteModule(bytes, false, 65536, { preempt: true });
      expect(rewritten.preemptible, `program ${seed}`).toBe(true);
      outlined += bodyCount(rewritten.bytes) - bodyCount(bytes);
      // A budget of one unit: every LOOP_BATCH iterations the loop calls its outlined copy.
      const imports = { [PREEMPT_IMPORT.module]: { [PREEMPT_IMPORT.name]: () => (refills++, 1) } };
      expect(outcomes(rewritten.bytes, imports), `program ${seed}:\n${text}`).toEqual(outcomes(bytes, {}));
    }
    // Most programs have loops that can be outlined, and the runs went through the outlined copies.
    expect(outlined).toBeGreaterThan(100);
    expect(refills).toBeGreaterThan(1000);
  });

  it("passes in what a loop may read before writing (a local written in one arm of an if and read in the other, or in a block a branch skips) and what it may leave as it was", () => {
    const bytes = wat(`(module
      (func (export "arms") (param $n i32) (result i32) (local $t i32) (local $i i32) (local $s i32)
        (local.set $t (i32.const 1000))
        (loop $l
          (if (i32.and (local.get $i) (i32.const 1))
            (then (local.set $t (i32.add (local.get $i) (i32.const 5))))
            (else (local.set $s (i32.add (local.get $s) (local.get $t)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $s))
      (func (export "skipped") (param $n i32) (result i32) (local $t i32) (local $i i32) (local $s i32)
        (local.set $t (i32.const 7))
        (loop $l
          (block $b
            (br_if $b (i32.and (local.get $i) (i32.const 2)))
            (local.set $t (i32.mul (local.get $i) (i32.const 3))))
          (local.set $s (i32.xor (i32.mul (local.get $s) (i32.const 31)) (local.get $t)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $s))
      (func (export "partly") (param $n i32) (result i32) (local $t i32) (local $i i32)
        (local.set $t (i32.const 12345))
        (loop $l
          (if (i32.eq (local.get $i) (i32.const 99999999)) (then (local.set $t (i32.const 1))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (i32.add (local.get $t) (local.get $i))))`);
    const rewritten = rewriteModule(bytes, false, 65536, { preempt: true });
    expect(bodyCount(rewritten.bytes) - bodyCount(bytes)).toBe(3);
    // Without outlining (a kernel that lives for one short run) the checks stay, the copies go.
    const plain = rewriteModule(bytes, false, 65536, { preempt: true, outline: false });
    expect(plain.preemptible).toBe(true);
    expect(bodyCount(plain.bytes)).toBe(bodyCount(bytes));
    const run = (module: Uint8Array, imports: WebAssembly.Imports) => {
      const exports = new WebAssembly.Instance(new WebAssembly.Module(module as Uint8Array<ArrayBuffer>), imports).exports as Record<string, (n: number) => number>;
      return [exports.arms!(100_000), exports.skipped!(100_000), exports.partly!(100_000)];
    };
    const imports = { [PREEMPT_IMPORT.module]: { [PREEMPT_IMPORT.name]: () => 1 } };
    expect(run(rewritten.bytes, imports)).toEqual(run(bytes, {}));
    expect(run(plain.bytes, imports)).toEqual(run(bytes, {}));
  });
});
