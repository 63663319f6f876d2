// Preemption on the inline engine: a guest that never blocks (computing without syscalls, or making
// only calls that cannot block) still lets other processes and the event loop run, can be killed,
// and is ended by its container's CPU-time and wall-clock limits; the checks the load-time rewrite
// adds for that keep what a module computes.
import binaryen from "binaryen";
import { describe, expect, it } from "vitest";
import { hasJspi, Kernel, type Process } from "../../kernel/index.js";
import { GROW_IMPORT, MEMORY_IMPORT, PREEMPT_IMPORT, rewriteModule } from "../../kernel/engines/module-rewrite.js";
import { MemFs } from "../../kernel/vfs/memory.js";
import { wat, WASI_IMPORTS } from "../helpers/wat.js";

/**
 * Spins until the word at address 0 is set (then returns: exit 0); with `syscalls`, writes "x" to
 * stdout each time round. Gives up after `bound` rounds with a trap (exit 134), so that a kernel
 * without preemption fails these tests instead of hanging them.
 */
const spin = (syscalls: boolean, bound: bigint) => wat(`(module ${WASI_IMPORTS}
  (memory (export "memory") 1)
  (func (export "_start") (local $n i64)
    (local.set $n (i64.const ${bound}))
    (i32.store (i32.const 8) (i32.const 16)) (i32.store (i32.const 12) (i32.const 1))
    (i32.store8 (i32.const 16) (i32.const 120))
    (loop $spin
      ${syscalls ? "(drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 20)))" : ""}
      (if (i32.load (i32.const 0)) (then (return)))
      (local.set $n (i64.sub (local.get $n) (i64.const 1)))
      (br_if $spin (i64.ne (local.get $n) (i64.const 0))))
    (unreachable)))`);

/**
 * Runs 2^depth calls of loop-free functions (each calls the next twice) unless the word at 0 is
 * set, which makes every call return at once (then: exit 0). A chain that ends traps (exit 134).
 * No function loops or recurses, so only the budget spent on the way down can preempt it.
 */
const callChain = (depth: number) => {
  const funcs = ["(func $f0 (if (i32.load (i32.const 0)) (then (return))) (i32.store (i32.const 4) (i32.add (i32.load (i32.const 4)) (i32.const 1))))"];
  for (let i = 1; i <= depth; i++) funcs.push(`(func $f${i} (if (i32.load (i32.const 0)) (then (return))) (call $f${i - 1}) (call $f${i - 1}))`);
  return wat(`(module ${WASI_IMPORTS}
    (memory (export "memory") 1)
    ${funcs.join("\n    ")}
    (func (export "_start") (call $f${depth}) (if (i32.eqz (i32.load (i32.const 0))) (then (unreachable)))))`);
};

const SPINNERS = [
  { name: "without syscalls", bytes: () => spin(false, 2_000_000_000n) },
  { name: "on calls that never block (writes to a discarded stdout)", bytes: () => spin(true, 5_000_000n) },
  { name: "through 2^33 calls of loop-free functions", bytes: () => callChain(33) },
];

/** Prints "hi" and exits. */
const hello = () => wat(`(module ${WASI_IMPORTS}
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(hasJspi())("preemption of busy guests on the inline engine", () => {
  const kernel = () => new Kernel({ engine: "inline", log: () => undefined });

  it.each(SPINNERS)("lets timers and another process run while a guest spins $name", async ({ bytes }) => {
    const k = kernel();
    let spinner!: Process;
    const spinning = k.run(bytes(), { capture: false, onStart: (p) => (spinner = p) });
    const timerAsked = performance.now();
    await sleep(20);
    expect(performance.now() - timerAsked).toBeLessThan(1000);
    expect((await k.run(hello())).stdout).toBe("hi\n");
    expect(spinner.state).not.toBe("ZOMBIE");
    expect(spinner.cpuNs).toBeGreaterThan(0);
    new Uint8Array(spinner.memory!.buffer)[0] = 1;
    expect((await spinning).exitCode).toBe(0);
  });

  it.each(SPINNERS)("kills a guest spinning $name", async ({ bytes }) => {
    const k = kernel();
    let spinner!: Process;
    const spinning = k.run(bytes(), { capture: false, onStart: (p) => (spinner = p) });
    await sleep(50);
    expect(spinner.state).not.toBe("ZOMBIE");
    spinner.kill(9);
    expect((await spinning).exitCode).toBe(137);
  });

  it("gives two spinners their turns", async () => {
    const k = kernel();
    const spinners: Process[] = [];
    const runs = [0, 1].map(() => k.run(spin(false, 2_000_000_000n), { onStart: (p) => spinners.push(p) }));
    await sleep(200);
    // Both have run: each was charged CPU time, and both are still spinning.
    for (const p of spinners) {
      expect(p.state).not.toBe("ZOMBIE");
      expect(p.cpuNs).toBeGreaterThan(5e6);
    }
    for (const p of spinners) new Uint8Array(p.memory!.buffer)[0] = 1;
    expect((await Promise.all(runs)).map((r) => r.exitCode)).toEqual([0, 0]);
  });

  it.each([
    { limit: { cpuTimeMs: 100 }, hit: "cpu-time" },
    { limit: { wallTimeMs: 100 }, hit: "wall-time" },
  ])("ends a guest computing without syscalls at its container's $hit limit", async ({ limit, hit }) => {
    const k = kernel();
    const container = k.createContainer({ root: new MemFs(k.allocDev()).root, limits: limit });
    const started = performance.now();
    const result = await k.run(spin(false, 2_000_000_000n), { container });
    expect(result.exitCode).toBe(137);
    expect(container.limiter.hit).toBe(hit);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("the rewrite's preemption checks", () => {
  // Function indices shift by one (the refill import comes before the module's own functions):
  // calls, call_indirect through an element segment, ref.func in a global, exports and the start
  // function must all still reach the same functions.
  const source = `(module
    (import "env" "log" (func $log (param i32)))
    (type $r (func (result i32)))
    (table $t 2 funcref)
    (elem (i32.const 0) $seven $loop)
    (global $ref funcref (ref.func $seven))
    (global $started (mut i32) (i32.const 0))
    (memory 1)
    (func $seven (result i32) (i32.const 7))
    (func $loop (result i32) (local $i i32) (local $s i32)
      (loop $l
        (local.set $s (i32.add (local.get $s) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 1000000))))
      (local.get $s))
    (func $init (global.set $started (i32.const 1)))
    (start $init)
    (func (export "run") (result i32)
      (call $log (call_indirect (type $r) (i32.const 0)))
      (call $log (global.get $started))
      (call $log (memory.grow (i32.const 2)))
      (i32.add (call $seven) (call_indirect (type $r) (i32.const 1)))))`;
  const FEATURES = binaryen.Features.MVP | binaryen.Features.ReferenceTypes | binaryen.Features.BulkMemory | binaryen.Features.MutableGlobals;

  it("keeps what the module computes and calls the refill import from a long loop", () => {
    const bytes = wat(source, FEATURES);
    const rewritten = rewriteModule(bytes, false, 65536, { preempt: true, growSignal: true });
    expect(rewritten.preemptible).toBe(true);
    expect(rewritten.growSignal).toBe(true);
    const outcome = (module: Uint8Array, extra: Record<string, unknown>) => {
      const logged: number[] = [];
      const instance = new WebAssembly.Instance(new WebAssembly.Module(module as Uint8Array<ArrayBuffer>), {
        env: { log: (v: number) => logged.push(v) }, ...extra,
      });
      return { result: (instance.exports.run as () => number)(), logged };
    };
    let refills = 0;
    const grows: number[] = [];
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
    const after = outcome(rewritten.bytes, {
      // Both imports of the memory module: the memory, and what each memory.grow now calls.
      [MEMORY_IMPORT.module]: { [MEMORY_IMPORT.name]: memory, [GROW_IMPORT.name]: (pages: number) => (grows.push(pages), memory.grow(pages)) },
      [PREEMPT_IMPORT.module]: { [PREEMPT_IMPORT.name]: () => (refills++, 10_000) },
    });
    expect(after).toEqual(outcome(bytes, {}));
    expect(after.logged).toEqual([7, 1, 1]); // memory.grow's result: the old size in pages
    expect(grows).toEqual([2]);
    expect(after.result).toBe(7 + 1783293664);
    // A million iterations spend a million units of the budget: about a hundred refills of 10,000.
    expect(refills).toBeGreaterThan(50);
    expect(refills).toBeLessThan(200);
  });

  it("hints each check's branches as not taken, in a branch-hint section before the code section", () => {
    // A branch-hint section of the module's own: its offsets would be wrong after the rewrite.
    const bytes = withCustomSection(wat(source, FEATURES), BRANCH_HINTS, [1, 0, 1, 3, 1, 0]);
    const rewritten = rewriteModule(bytes, false, 65536, { preempt: true, growSignal: true }).bytes;
    const sections = readSections(rewritten);
    const hintSections = sections.filter((s) => s.name === BRANCH_HINTS);
    expect(hintSections).toHaveLength(1);
    expect(sections.indexOf(hintSections[0]!)).toBe(sections.findIndex((s) => s.id === 10) - 1);
    const bodies = functionBodies(rewritten, sections.find((s) => s.id === 10)!);
    const hinted = branchHints(rewritten, sections);
    // Imports: env.log, the refill and grow imports. $seven and $init have no check, $loop a loop
    // check (two branches: its local count at the loop's header, then the global budget after the
    // loop's end, before it calls its outlined copy), run an entry check; the outlined copy of
    // $loop's loop (function 7, after the module's own) its header's.
    expect([...hinted.keys()]).toEqual([4, 6, 7]);
    expect(hinted.get(4)).toHaveLength(2);
    expect(hinted.get(6)).toHaveLength(1);
    expect(hinted.get(7)).toHaveLength(1);
    for (const [func, offsets] of hinted) for (const at of offsets) expect([0x04, 0x0d]).toContain(rewritten[bodies[func - 3]! + at]); // if, br_if
    expect(WebAssembly.validate(rewritten as Uint8Array<ArrayBuffer>)).toBe(true);
  });

  // Every kind of branch out of loops the rewrite wraps: br_if with a value out of two loops,
  // br_table to the inner loop, the outer loop and the block around both, a loop with a result,
  // a loop with two results (its block type a type index),
  // a branch to the function's own label, a try_table catch outside a loop, and br_on_null.
  const branchy = `(module
    (tag $stop)
    (func $nested (export "nested") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $acc i32)
      (block $out (result i32)
        (loop $outer
          (local.set $j (i32.const 0))
          (block $next
            (loop $inner
              (local.set $acc (i32.add (local.get $acc) (i32.const 3)))
              (drop (br_if $out (i32.const -1) (i32.gt_u (local.get $acc) (i32.const 5000000))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br_table $inner $next $outer
                (select (i32.const 0) (select (i32.const 1) (i32.const 2) (i32.and (local.get $j) (i32.const 1)))
                  (i32.lt_u (local.get $j) (i32.const 2000))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $acc)))
    (func $valued (export "valued") (param $n i32) (result i32) (local $i i32)
      (i32.add (i32.const 1)
        (loop $l (result i32)
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n)))
          (i32.mul (local.get $i) (i32.const 2)))))
    (func $pair (export "pair") (param $n i32) (result i32) (local $i i32) (local $t (tuple i32 i32))
      (local.set $t (loop $l (result i32 i32)
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n)))
        (tuple.make 2 (local.get $i) (i32.const 5))))
      (i32.add (tuple.extract 2 0 (local.get $t)) (tuple.extract 2 1 (local.get $t))))
    (func $early (export "early") (param $n i32) (result i32) (local $i i32)
      (loop $l
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (if (i32.eq (local.get $i) (local.get $n)) (then (return (i32.const 42))))
        (br $l))
      (unreachable))
    (func $caught (export "caught") (param $n i32) (result i32) (local $i i32)
      (block $handler
        (try_table (catch_all $handler)
          (loop $l
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (if (i32.eq (local.get $i) (local.get $n)) (then (throw $stop)))
            (br $l))))
      (local.get $i))
    (func $nulls (export "nulls") (param $n i32) (result i32) (local $i i32) (local $r funcref)
      (block $isnull
        (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $r (select (result funcref) (ref.null func) (ref.func $nested) (i32.eq (local.get $i) (local.get $n))))
          (drop (br_on_null $isnull (local.get $r)))
          (br $l)))
      (local.get $i)))`;

  it("wraps each loop so that its call of the preemption point sits outside it, keeping every branch's target", () => {
    const bytes = wat(branchy, binaryen.Features.ReferenceTypes | binaryen.Features.GC | binaryen.Features.ExceptionHandling | binaryen.Features.Multivalue | binaryen.Features.MutableGlobals);
    const rewritten = rewriteModule(bytes, false, 65536, { preempt: true });
    expect(rewritten.preemptible).toBe(true);
    let refills = 0;
    const run = (module: Uint8Array, imports: WebAssembly.Imports) => {
      const exports = new WebAssembly.Instance(new WebAssembly.Module(module as Uint8Array<ArrayBuffer>), imports).exports as Record<string, (n: number) => number>;
      return [exports.nested!(40), exports.nested!(4000), exports.valued!(300_000), exports.pair!(300_000), exports.early!(200_000), exports.caught!(300_000), exports.nulls!(300_000)];
    };
    // A budget of one unit: every LOOP_BATCH iterations leave the loop for the refill (which ends
    // a run whose branches went astray, instead of letting it loop for ever).
    const refill = () => {
      if (++refills > 100_000) throw new Error("the loops never ended");
      return 1;
    };
    const after = run(rewritten.bytes, { [PREEMPT_IMPORT.module]: { [PREEMPT_IMPORT.name]: refill } });
    expect(after).toEqual(run(bytes, {}));
    expect(after).toEqual([after[0], -1, 600_001, 300_005, 42, 300_000, 300_000]);
    expect(refills).toBeGreaterThan(1000);
  });

  it("keeps the call inside a loop with parameters (which the wrap cannot describe), and it still yields", () => {
    // (func (export "run") (param i32) (result i32) local.get 0  loop (param i32) (result i32)
    //   i32.const -1 i32.add  local.tee 0  local.get 0  br_if 0  end)
    const type = [0x60, 1, 0x7f, 1, 0x7f];
    const body = [0, 0x20, 0, 0x03, 0, 0x41, 0x7f, 0x6a, 0x22, 0, 0x20, 0, 0x0d, 0, 0x0b, 0x0b];
    const bytes = Uint8Array.from([
      0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
      1, type.length + 1, 1, ...type,
      3, 2, 1, 0,
      7, 7, 1, 3, 0x72, 0x75, 0x6e, 0, 0,
      10, body.length + 2, 1, body.length, ...body,
    ]);
    expect(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)).toBe(true);
    const rewritten = rewriteModule(bytes, false, 65536, { preempt: true });
    expect(rewritten.preemptible).toBe(true);
    const { result, refills } = runWithRefills(rewritten.bytes, 100_000);
    expect(result).toBe(0);
    expect(refills).toBeGreaterThan(50);
  });

  it("keeps the call inside a loop in a function with the legacy exception instructions (try, catch_all), and it still yields", () => {
    const bytes = wat(`(module
      (tag $stop)
      (func (export "run") (param $n i32) (result i32) (local $i i32)
        (try (do
          (loop $l
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (if (i32.eq (local.get $i) (local.get $n)) (then (throw $stop)))
            (br $l)))
         (catch_all (nop)))
        (local.get $i)))`, binaryen.Features.ExceptionHandling | binaryen.Features.ReferenceTypes);
    const rewritten = rewriteModule(bytes, false, 65536, { preempt: true });
    expect(rewritten.preemptible).toBe(true);
    const sections = readSections(rewritten.bytes);
    const bodies = functionBodies(rewritten.bytes, sections.find((s) => s.id === 10)!);
    // The loop's check is an if (the call inside the loop), not a wrapped loop's br_if.
    const offsets = branchHints(rewritten.bytes, sections).get(1) ?? [];
    expect(offsets.length).toBeGreaterThan(0);
    for (const at of offsets) expect(rewritten.bytes[bodies[0]! + at]).toBe(0x04);
    const { result, refills } = runWithRefills(rewritten.bytes, 200_000);
    expect(result).toBe(200_000);
    expect(refills).toBeGreaterThan(100);
  });

  it("spends the budget at entry only in functions that recurse, loop or may run long through their callees", () => {
    const bytes = wat(`(module
      (import "env" "log" (func $log (param i32)))
      (type $v (func))
      (table 1 funcref)
      (elem (i32.const 0) $viaTable)
      (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func $helper (param i32) (result i32) (call $leaf (call $leaf (local.get 0))))
      (func $logs (call $log (i32.const 1)))
      (func $fib (param i32) (result i32)
        (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
          (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
      (func $ping (param i32) (if (local.get 0) (then (call $pong (i32.sub (local.get 0) (i32.const 1))))))
      (func $pong (param i32) (call $ping (local.get 0)))
      (func $viaTable (call_indirect (type $v) (i32.const 0)))
      (func $loopLeaf (local $i i32) (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 9)))))
      (func $callsLoopLeaf (call $loopLeaf))
      (func $looper (local $i i32)
        (loop $l (drop (call $helper (local.get $i))) (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 9)))))
      (func (export "run")
        (drop (call $helper (i32.const 1))) (call $logs) (drop (call $fib (i32.const 5))) (call $ping (i32.const 3))
        (call $callsLoopLeaf) (call $looper)))`);
    const names = ["leaf", "helper", "logs", "fib", "ping", "pong", "viaTable", "loopLeaf", "callsLoopLeaf", "looper", "run"];
    const rewritten = rewriteModule(bytes, false, 65536, { preempt: true }).bytes;
    const sections = readSections(rewritten);
    const bodies = functionBodies(rewritten, sections.find((s) => s.id === 10)!);
    const hints = branchHints(rewritten, sections);
    // The entry check comes first in a body and branches with an if; a loop's check with a br_if.
    // Imports: env.log and the refill: the module's own functions start at index 2.
    const checkedAtEntry = names.filter((_, i) => {
      const offsets = hints.get(i + 2) ?? [];
      return offsets.length > 0 && rewritten[bodies[i]! + offsets[0]!] === 0x04;
    });
    // run: its own bytes and those of every unchecked callee stay small, so it needs no check either.
    expect(checkedAtEntry).toEqual(["fib", "ping", "pong", "viaTable", "callsLoopLeaf", "looper"]);
    expect(WebAssembly.validate(rewritten as Uint8Array<ArrayBuffer>)).toBe(true);
  });

  it("leaves a module without checks when its code has an instruction the decoder does not know", () => {
    const bytes = wat(`(module (memory 1) (func (export "_start") (loop $l (br $l))))`);
    const code = bytes.lastIndexOf(0x03); // the loop opcode: make it an unknown one
    const broken = bytes.slice();
    broken[code] = 0x16;
    expect(rewriteModule(broken, false, 65536, { preempt: true }).preemptible).toBe(false);
    expect(rewriteModule(bytes, false, 65536, { preempt: true }).preemptible).toBe(true);
  });
});

/** Runs a rewritten module's export run(n) with a refill import that hands out one unit at a time; its result and the refills. */
function runWithRefills(bytes: Uint8Array, n: number): { result: number; refills: number } {
  let refills = 0;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {
    [PREEMPT_IMPORT.module]: { [PREEMPT_IMPORT.name]: () => (refills++, 1) },
  });
  const result = (instance.exports.run as (n: number) => number)(n);
  return { result, refills };
}

const BRANCH_HINTS = "metadata.code.branch_hint";

/** A cursor over a module's bytes. */
interface ByteCursor {
  bytes: Uint8Array;
  at: number;
}

function readLeb(c: ByteCursor): number {
  let value = 0;
  for (let scale = 1; ; scale *= 128) {
    const byte = c.bytes[c.at++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
  }
}

/** A module's sections: id, custom section name, where the contents (after a custom section's name) start and end. */
function readSections(bytes: Uint8Array): { id: number; name?: string; contentAt: number; end: number }[] {
  const sections = [];
  const c = { bytes, at: 8 };
  while (c.at < bytes.length) {
    const id = bytes[c.at++]!;
    const size = readLeb(c);
    const end = c.at + size;
    let name: string | undefined;
    if (id === 0) {
      const length = readLeb(c);
      name = new TextDecoder().decode(bytes.subarray(c.at, c.at + length));
      c.at += length;
    }
    sections.push({ id, name, contentAt: c.at, end });
    c.at = end;
  }
  return sections;
}

/** The branch hints section's offsets by function index, each checked to be a one-byte "not taken" hint. */
function branchHints(bytes: Uint8Array, sections: ReturnType<typeof readSections>): Map<number, number[]> {
  const hinted = new Map<number, number[]>();
  const section = sections.find((s) => s.name === BRANCH_HINTS);
  if (!section) return hinted;
  const c = { at: section.contentAt, bytes };
  for (let funcs = readLeb(c); funcs > 0; funcs--) {
    const func = readLeb(c);
    const offsets: number[] = [];
    for (let n = readLeb(c); n > 0; n--) {
      offsets.push(readLeb(c));
      expect(readLeb(c)).toBe(1); // the hint's size
      expect(bytes[c.at++]).toBe(0); // not taken
    }
    hinted.set(func, offsets);
  }
  expect(c.at).toBe(section.end);
  return hinted;
}

/** Where each function body of the code section starts (after its size). */
function functionBodies(bytes: Uint8Array, code: { contentAt: number }): number[] {
  const c = { bytes, at: code.contentAt };
  const starts: number[] = [];
  for (let n = readLeb(c); n > 0; n--) {
    const size = readLeb(c);
    starts.push(c.at);
    c.at += size;
  }
  return starts;
}

/** The module with a custom section added at its end. */
function withCustomSection(bytes: Uint8Array, name: string, contents: number[]): Uint8Array {
  const nameBytes = [...new TextEncoder().encode(name)];
  const body = [nameBytes.length, ...nameBytes, ...contents];
  return Uint8Array.from([...bytes, 0, body.length, ...body]);
}
