// A live guest process whose syscalls a test calls directly (as the engines' dispatchers do): for
// hostile-argument tests and the syscall fuzzer. The guest blocks reading stdin until it is killed.
import { Kernel, type Process } from "../../kernel/index.js";
import type { Container } from "../../kernel/jail/container.js";
import { GuestMemory } from "../../kernel/abi/memory.js";
import { bindSyscalls, type BoundImport } from "../../kernel/engines/imports.js";
import { InputStream } from "../../kernel/stdio.js";
import { wat, WASI_IMPORTS } from "./wat.js";

/** How long a live process may take to start (its module compiled, its memory made). */
const START_TIMEOUT_MS = 20_000;

/** Bytes in a Wasm page. */
export const PAGE = 65536;

/** A guest of `pages` pages that blocks reading stdin, so its process stays alive while a test calls its syscalls. */
export function blockedReader(pages: number): Uint8Array {
  return wat(`(module ${WASI_IMPORTS}
    (memory (export "memory") ${pages})
    (func (export "_start")
      (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 16))
      (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))))`);
}

/** A process to call syscalls on. */
export interface LiveProcess {
  proc: Process;
  mem: GuestMemory;
  bound: BoundImport[];
  /** Calls syscall `name` with raw Wasm arguments (i64 as bigint); returns its errno (or its promise). */
  call(name: string, ...args: Array<number | bigint>): number | Promise<unknown>;
  /** Kills the process and waits for its end. */
  stop(): Promise<void>;
}

/**
 * Starts a blocked reader of `pages` pages in `container` (default: the kernel's host) and binds
 * its syscalls; `capture` false lets its output go (for calls that write much).
 */
export async function liveProcess(kernel: Kernel, pages = 1, container?: Container, capture = true): Promise<LiveProcess> {
  let proc: Process | undefined;
  let failed: unknown;
  const run = kernel.run(blockedReader(pages), { stdin: new InputStream(), container, capture, onStart: (p) => (proc = p) });
  run.catch((e: unknown) => (failed = e ?? new Error("run failed")));
  const deadline = performance.now() + START_TIMEOUT_MS;
  while (!proc?.memory) {
    await new Promise((r) => setTimeout(r, 5));
    if (failed !== undefined) throw failed;
    if (performance.now() > deadline) throw new Error(`timed out after ${START_TIMEOUT_MS} ms waiting for the blocked reader's process to start`);
  }
  const started: Process = proc;
  const mem = new GuestMemory(started.memory!);
  const bound = bindSyscalls(kernel, started, { proc: started, mem, preempt: () => false }, kernel.syscalls);
  const byName = new Map(bound.map((b) => [b.def.name, b.fn]));
  return {
    proc: started, mem, bound,
    call: (name, ...args) => byName.get(name)!(...(args as number[])) as number | Promise<unknown>,
    async stop() {
      if (!started.ended) started.kill(9);
      await run;
    },
  };
}
