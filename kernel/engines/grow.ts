// What each memory.grow of a rewritten module calls (GROW_IMPORT) on the inline engine: it grows the
// memory as the instruction would, and records a grow refused at the memory's maximum on the process.
import type { SyscallContext } from "../syscalls/table.js";
import { WASM_PAGE_BYTES } from "../jail/limits.js";

/**
 * The grow import for an instance whose memory is `memory` with maximum `maximumPages`: the old
 * size in pages, or -1 when refused. A request past the maximum marks the process (growRefused),
 * a grow that succeeds clears the mark; a refusal for want of host memory does not mark it.
 */
export function growImport(ctx: Pick<SyscallContext, "proc">, memory: WebAssembly.Memory, maximumPages: number): (pages: number) => number {
  return (pages) => {
    const delta = pages >>> 0;
    if (memory.buffer.byteLength / WASM_PAGE_BYTES + delta > maximumPages) {
      ctx.proc.growRefused = true;
      return -1;
    }
    let old: number;
    try {
      old = memory.grow(delta);
    } catch {
      return -1;
    }
    ctx.proc.growRefused = false;
    return old;
  };
}
