// WASI preview1 conformance: runs every guest in test/guests/wasi under the wasmbox kernel and
// compares its stdout and exit code with NAME.expected (decided from the spec and Linux, not copied).
import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { GUEST_DIR, guestNames, runSpec, guestWasm, expectedOutput, render, runUnderKernel, type KernelScratch } from "./guests.js";

/** All 46 functions of wasi_snapshot_preview1 (legacy/preview1/witx/wasi_snapshot_preview1.witx). */
const PREVIEW1_FUNCTIONS = [
  "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get", "clock_time_get",
  "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get", "fd_fdstat_set_flags",
  "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread",
  "fd_prestat_get", "fd_prestat_dir_name", "fd_pwrite", "fd_read", "fd_readdir", "fd_renumber", "fd_seek",
  "fd_sync", "fd_tell", "fd_write", "path_create_directory", "path_filestat_get", "path_filestat_set_times",
  "path_link", "path_open", "path_readlink", "path_remove_directory", "path_rename", "path_symlink",
  "path_unlink_file", "poll_oneoff", "proc_exit", "proc_raise", "sched_yield", "random_get", "sock_accept",
  "sock_recv", "sock_send", "sock_shutdown",
];

const names = guestNames();

describe("the guest set", () => {
  it("has a built .wasm and an .expected beside every source", () => {
    const incomplete = names.filter((n) => !existsSync(join(GUEST_DIR, `${n}.wasm`)) || !existsSync(join(GUEST_DIR, `${n}.expected`)));
    expect(incomplete).toEqual([]);
  });

  it("calls every one of the 46 wasi_snapshot_preview1 functions somewhere", () => {
    const used = new Set<string>();
    for (const n of names) {
      for (const imp of WebAssembly.Module.imports(new WebAssembly.Module(guestWasm(n)))) {
        if (imp.module === "wasi_snapshot_preview1") used.add(imp.name);
      }
    }
    expect(PREVIEW1_FUNCTIONS).toHaveLength(46);
    expect(PREVIEW1_FUNCTIONS.filter((f) => !used.has(f))).toEqual([]);
  });
});

const SCRATCHES: KernelScratch[] = ["memory", "host-dir", "host-root"];
const WHERE: Record<KernelScratch, string> = {
  memory: "the in-memory root",
  "host-dir": "a mounted host directory",
  "host-root": "a host directory preopened as / alone (wasmtime's --dir DIR::/)",
};
for (const scratch of SCRATCHES) {
  describe(`wasmbox kernel, scratch in ${WHERE[scratch]}`, () => {
    it.each(names)("%s", async (name) => {
      const run = await runUnderKernel(guestWasm(name), runSpec(name), scratch);
      expect(render(run), `stderr: ${run.stderr}`).toBe(expectedOutput(name));
    }, 30_000);
  });
}
