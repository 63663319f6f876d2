// The module rewrite in place (RewriteOptions.inPlace, a CLI run's compileOnce): the same module as a
// rewrite into a new buffer, with the unchanged sections left where they were when there is room.
import { describe, expect, it } from "vitest";
import { rewriteModule } from "../../kernel/engines/module-rewrite.js";
import { wat, WASI_IMPORTS } from "../helpers/wat.js";

const MODULE = `(module ${WASI_IMPORTS}
  (memory 2 10)
  (global $g (mut i32) (i32.const 7))
  (table 2 funcref)
  (elem (i32.const 0) $a $b)
  (data (i32.const 64) "in place\\n")
  (func $a (result i32) (i32.const 1))
  (func $b (result i32) (i32.const 2))
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 9))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;

/** `bytes` copied into a buffer of its own after `headroom` bytes of 0xEE. */
function withHeadroom(bytes: Uint8Array, headroom: number): { buffer: ArrayBuffer; view: Uint8Array } {
  const buffer = new ArrayBuffer(headroom + bytes.length);
  new Uint8Array(buffer, 0, headroom).fill(0xee);
  const view = new Uint8Array(buffer, headroom, bytes.length);
  view.set(bytes);
  return { buffer, view };
}

describe("the module rewrite in place", () => {
  const original = wat(MODULE);
  const copied = rewriteModule(original, false, 65536, { resettable: false });

  it("gives the same module as a rewrite into a new buffer, written into the given buffer", () => {
    const { buffer, view } = withHeadroom(original, 4096);
    const inPlace = rewriteModule(view, false, 65536, { resettable: false, inPlace: true });
    expect(Buffer.from(inPlace.bytes).equals(Buffer.from(copied.bytes))).toBe(true);
    expect(inPlace.bytes.buffer).toBe(buffer);
    // The code and data sections (the unchanged rest) did not move: the module ends where the input did.
    expect(inPlace.bytes.byteOffset + inPlace.bytes.length).toBe(4096 + original.length);
    expect(inPlace.memory).toEqual(copied.memory);
    // It runs, its memory imported as the kernel gives it.
    const printed: number[] = [];
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 10 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(inPlace.bytes as Uint8Array<ArrayBuffer>), {
      "wasmbox:memory": { memory },
      wasi_snapshot_preview1: {
        fd_write: (_fd: number, iov: number) => {
          const view = new DataView(memory.buffer);
          printed.push(...new Uint8Array(memory.buffer, view.getUint32(iov, true), view.getUint32(iov + 4, true)));
          return 0;
        },
        fd_read: () => 0,
        proc_exit: () => undefined,
      },
    });
    (instance.exports._start as () => void)();
    expect(Buffer.from(printed).toString()).toBe("in place\n");
  });

  it("makes a new buffer when there is no room before the bytes, and leaves a module that needs no change as it is", () => {
    const { buffer, view } = withHeadroom(original, 0);
    const inPlace = rewriteModule(view, false, 65536, { resettable: false, inPlace: true });
    expect(Buffer.from(inPlace.bytes).equals(Buffer.from(copied.bytes))).toBe(true);
    expect(inPlace.bytes.buffer).not.toBe(buffer);
    const plain = wat(`(module (func (export "_start")))`);
    expect(rewriteModule(plain, false, 65536, { resettable: false, inPlace: true }).bytes).toBe(plain);
  });

  it("is not done where the code changes too (preemption checks): a new buffer, the input left as it was", () => {
    const { buffer, view } = withHeadroom(original, 4096);
    const before = Buffer.from(new Uint8Array(buffer)).toString("hex");
    const preempted = rewriteModule(view, false, 65536, { preempt: true, resettable: false, inPlace: true });
    expect(preempted.preemptible).toBe(true);
    expect(preempted.bytes.buffer).not.toBe(buffer);
    expect(Buffer.from(new Uint8Array(buffer)).toString("hex")).toBe(before);
  });
});
