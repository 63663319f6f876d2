// The inline engine's instance pool: a reused instance must be as good as a new one (memory,
// globals, tables back to their first state), serve only processes bound like its first, and
// the module rewrite must refuse what cannot be reset from outside.
import binaryen from "binaryen";
import { describe, expect, it } from "vitest";
import { hasJspi, Kernel, type Process } from "../../kernel/index.js";
import { rewriteModule } from "../../kernel/engines/module-rewrite.js";
import { InputStream } from "../../kernel/stdio.js";
import { MemFs } from "../../kernel/vfs/memory.js";
import { waitUntil } from "../helpers/poll.js";
import { wat } from "../helpers/wat.js";

const FEATURES = binaryen.Features.MVP | binaryen.Features.ReferenceTypes | binaryen.Features.BulkMemory | binaryen.Features.MutableGlobals | binaryen.Features.SIMD128;
const IMPORTS = `
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))`;

/** Prints `counter big data heap table[0]()` as five characters ("75A01" when fresh), then changes each of them. */
const stateful = (extra = "") => wat(`(module ${IMPORTS}
  (type $r (func (result i32)))
  (memory 1)
  (global $counter (mut i32) (i32.const 7))
  (global $big (mut i64) (i64.const 5))
  (table $t 2 funcref)
  (elem (i32.const 0) $one $two)
  (data (i32.const 100) "A")
  (func $one (result i32) (i32.const 1))
  (func $two (result i32) (i32.const 2))
  (func (export "_start")
    (i32.store8 (i32.const 200) (i32.add (i32.const 48) (global.get $counter)))
    (i32.store8 (i32.const 201) (i32.add (i32.const 48) (i32.wrap_i64 (global.get $big))))
    (i32.store8 (i32.const 202) (i32.load8_u (i32.const 100)))
    (i32.store8 (i32.const 203) (i32.add (i32.const 48) (i32.load8_u (i32.const 60000))))
    (i32.store8 (i32.const 204) (i32.add (i32.const 48) (call_indirect (type $r) (i32.const 0))))
    (i32.store8 (i32.const 205) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 200)) (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (global.set $big (i64.add (global.get $big) (i64.const 1)))
    (i32.store8 (i32.const 100) (i32.const 90))
    (i32.store8 (i32.const 60000) (i32.const 9))
    (table.set $t (i32.const 0) (ref.func $two))
    ${extra}))`, FEATURES);

/** Echoes one read of stdin (up to 16 bytes), blocking until it comes. */
const echoOnce = () => wat(`(module ${IMPORTS}
  (memory 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 300)) (i32.store (i32.const 4) (i32.const 16))
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store (i32.const 4) (i32.load (i32.const 8)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`);

/** The pool is the inline engine's: where the runtime has no JSPI there is nothing to test. */
const INLINE = hasJspi() ? (["inline"] as const) : ([] as const);

describe.each(INLINE)("instance reuse on the %s engine", (engine) => {
  const kernel = (reuseInstances = true) => new Kernel({ engine, log: () => undefined, reuseInstances });

  it("gives each process the first state of memory, globals and tables, as a new instance would", async () => {
    for (const reuse of [true, false]) {
      const k = kernel(reuse);
      const program = k.programs.compile(stateful(), "stateful", false);
      const outputs: string[] = [];
      for (let i = 0; i < 3; i++) outputs.push((await k.run(program)).stdout);
      expect(outputs).toEqual(["75A01\n", "75A01\n", "75A01\n"]);
      expect(k.instancePool.reuses).toBe(reuse ? 2 : 0);
    }
  });

  it("resets an instance that trapped half-way", async () => {
    const k = kernel();
    const program = k.programs.compile(stateful("(unreachable)"), "trapper", false);
    const first = await k.run(program);
    const second = await k.run(program);
    expect([first.stdout, first.exitCode]).toEqual(["75A01\n", 134]);
    expect([second.stdout, second.exitCode]).toEqual(["75A01\n", 134]);
    expect(k.instancePool.reuses).toBe(1);
  });

  it("lets nothing one container's process left in memory reach another container's", async () => {
    const k = kernel();
    const program = k.programs.compile(stateful(), "stateful", false);
    const containers = [0, 1].map(() => k.createContainer({ root: new MemFs(k.allocDev()).root }));
    for (let i = 0; i < 4; i++) expect((await k.run(program, { container: containers[i % 2] })).stdout).toBe("75A01\n");
    expect(k.instancePool.reuses).toBe(3);
  });

  it("hands an instance only to a process its imports were bound for", async () => {
    const k = kernel();
    const program = k.programs.compile(stateful(), "stateful", false);
    const root = () => new MemFs(k.allocDev()).root;
    const quiet = k.createContainer({ root: root(), allowedSyscalls: new Set(["fd_read"]) });
    const open = k.createContainer({ root: root() });
    expect((await k.run(program, { container: quiet })).stdout).toBe("");
    expect(quiet.refusedCalls).toEqual(["fd_write"]);
    expect((await k.run(program, { container: open })).stdout).toBe("75A01\n");
    expect((await k.run(program, { container: quiet })).stdout).toBe("");
    expect(k.instancePool.reuses).toBe(1);
    // A container with a memory limit binds a different maximum.
    const limited = k.createContainer({ root: root(), limits: { memoryBytes: 4 * 65536 } });
    expect((await k.run(program, { container: limited })).stdout).toBe("75A01\n");
    expect(k.instancePool.reuses).toBe(1);
  });

  it("lets go of an instance whose memory or table grew", async () => {
    const k = kernel();
    const memoryGrower = k.programs.compile(stateful("(drop (memory.grow (i32.const 1)))"), "memory", false);
    const tableGrower = k.programs.compile(stateful("(drop (table.grow $t (ref.null func) (i32.const 1)))"), "table", false);
    for (const program of [memoryGrower, tableGrower]) {
      expect((await k.run(program)).stdout).toBe("75A01\n");
      expect((await k.run(program)).stdout).toBe("75A01\n");
    }
    expect(k.instancePool.reuses).toBe(0);
  });

  it("reuses the instance of a process killed while it waited, and it runs as new", async () => {
    const k = kernel();
    const program = k.programs.compile(echoOnce(), "echo", false);
    let proc: Process | undefined;
    const killed = k.run(program, { stdin: new InputStream(), onStart: (p) => (proc = p) });
    await waitUntil("the echo process blocked on stdin", () => proc?.state === "BLOCKED");
    proc!.kill(9);
    expect((await killed).exitCode).toBe(137);
    const input = new InputStream();
    const second = k.run(program, { stdin: input });
    input.push(Buffer.from("hi"));
    expect((await second).stdout).toBe("hi");
    expect(k.instancePool.reuses).toBe(1);
  });

  it("does not pool the instances of a traced kernel", async () => {
    const lines: string[] = [];
    const k = new Kernel({ engine, log: () => undefined, trace: (line) => lines.push(line) });
    const program = k.programs.compile(stateful(), "stateful", false);
    await k.run(program);
    await k.run(program);
    expect(lines.filter((l) => l.includes("fd_write"))).toHaveLength(2);
    expect(k.instancePool.reuses).toBe(0);
  });
});

describe("the module rewrite's reset plan", () => {
  const plan = (text: string) => rewriteModule(wat(`(module ${text})`, FEATURES), false, 65536);

  it("exports mutable globals and tables under their index, after imported ones", async () => {
    const rewritten = plan(`
      (import "env" "g" (global $imported i32))
      (global $constant i32 (i32.const 1))
      (global $counter (mut i32) (i32.const 42))
      (table $t 1 funcref)
      (memory 1)
      (data (i32.const 1000) "abc")
      (func (export "_start"))`);
    expect(rewritten.reset).toEqual({ globals: ["wasmbox:state:global:2"], tables: ["wasmbox:state:table:0"], imageBytes: 1003 });
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(rewritten.bytes as Uint8Array<ArrayBuffer>), {
      env: { g: 7 }, "wasmbox:memory": { memory },
    });
    expect((instance.exports["wasmbox:state:global:2"] as WebAssembly.Global).value).toBe(42);
    expect(instance.exports["wasmbox:state:table:0"]).toBeInstanceOf(WebAssembly.Table);
    expect(new TextDecoder().decode(new Uint8Array(memory.buffer, 1000, 3))).toBe("abc");
  });

  it("leaves the state unexported when the module will not be reset (a run once), and it still runs", () => {
    const text = `(module (global $counter (mut i32) (i32.const 42)) (table $t 1 funcref) (memory 1) (data (i32.const 1000) "abc") (func (export "_start")))`;
    const once = rewriteModule(wat(text, FEATURES), false, 65536, { resettable: false });
    expect(once.reset).toBeNull();
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
    const module = new WebAssembly.Module(once.bytes as Uint8Array<ArrayBuffer>);
    expect(WebAssembly.Module.exports(module).map((e) => e.name)).toEqual(["_start"]);
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: "wasmbox:memory", name: "memory", kind: "memory" }]);
    new WebAssembly.Instance(module, { "wasmbox:memory": { memory } });
    expect(new TextDecoder().decode(new Uint8Array(memory.buffer, 1000, 3))).toBe("abc");
  });

  it("refuses what cannot be reset from outside", () => {
    expect(plan(`(memory 1) (func $init) (start $init) (func (export "_start"))`).reset).toBeNull();
    expect(plan(`(memory 1) (data $p "x") (func (export "_start") (data.drop $p))`).reset).toBeNull();
    expect(plan(`(memory 1) (func (export "wasmbox:state:global:0")) (func (export "_start"))`).reset).toBeNull();
    expect(plan(`(memory 1) (global (mut v128) (v128.const i32x4 0 0 0 0)) (func (export "_start"))`).reset).toBeNull();
    expect(plan(`(memory 1) (table 1 funcref) (func $f) (elem $p func $f) (func (export "_start") (elem.drop $p))`).reset).toBeNull();
    // A passive segment that is never dropped, and an active one that is (a no-op), are fine.
    expect(plan(`(memory 1) (table 1 funcref) (func $f) (elem $p func $f) (func (export "_start") (table.init $p (i32.const 0) (i32.const 0) (i32.const 1)))`).reset).not.toBeNull();
    expect(plan(`(memory 1) (data $p "x") (func (export "_start") (memory.init $p (i32.const 0) (i32.const 0) (i32.const 1)))`).reset).not.toBeNull();
    expect(plan(`(memory 1) (data $a (i32.const 8) "x") (func (export "_start") (data.drop $a))`).reset).toEqual({ globals: [], tables: [], imageBytes: 9 });
  });
});
