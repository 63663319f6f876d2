// The WASI conformance guests wrapped as components (preview1 command adapter) give the same stdout
// and exit code under the kernel as the same guests run as core modules.
import { describe, expect, it } from "vitest";
import { hasJspi, isComponent, Kernel } from "../../kernel/host.js";
import { guestWasm, render, runSpec, runUnderKernel } from "../wasi/guests.js";
import { asComponent } from "./components.js";

/**
 * The guests whose results a component shares with its module. The rest test what the preview1
 * adapter itself answers differently, as it does under wasmtime: it traps on pointers past memory
 * (args, environ, efault, prestat, random), keeps no rights (rights, rights_inherit, sync,
 * set_size, pread_pwrite, allocate_advise, times), writes and reads one iovec a call (stdio),
 * ends with 0 or 1 only (proc_exit), has no CPU-time clocks (clocks), no signals or sockets
 * (proc_raise, sock), its own readdir cookies (readdir, readdir_cookies) and append state (append).
 */
const SAME_AS_MODULE = [
  "close", "directories", "fdstat", "inodes", "link", "path_open", "path_strings", "poll_clock", "poll_fd",
  "readlink", "rename_dirs", "rename_files", "renumber", "sandbox", "sched_yield", "seek", "symlink",
  "symlink_absolute", "symlink_loops", "times_now", "trailing_slash",
];

/** Guests that wait (a poll on a clock): a component can wait only where JSPI suspends it. */
const WAITS = ["poll_clock"];

describe("a component from a conformance guest", () => {
  it("is told from a core module by its header", async () => {
    const module = guestWasm("seek");
    expect(isComponent(module)).toBe(false);
    expect(isComponent(await asComponent(module))).toBe(true);
  });

  it.each(SAME_AS_MODULE.filter((name) => hasJspi() || !WAITS.includes(name)))("%s gives what the module gives", async (name) => {
    const spec = runSpec(name);
    const asModule = await runUnderKernel(guestWasm(name), spec, "memory");
    const asComp = await runUnderKernel(await asComponent(guestWasm(name)), spec, "memory");
    expect(render(asComp), `stderr: ${asComp.stderr}`).toBe(render(asModule));
  }, 60_000);

  it.skipIf(hasJspi())("without JSPI, a guest that must wait ends saying why", async () => {
    const run = await runUnderKernel(await asComponent(guestWasm("poll_clock")), runSpec("poll_clock"), "memory");
    expect(run.stderr).toMatch(/poll_clock: poll has to wait, and a component can wait only with JSPI \(WebAssembly.Suspending\), which Node v\d+/);
    expect(run.exitCode).toBe(1);
  }, 60_000);

  it("gives the same over a mounted host directory", async () => {
    const spec = runSpec("rename_files");
    const asModule = await runUnderKernel(guestWasm("rename_files"), spec, "host-root");
    const asComp = await runUnderKernel(await asComponent(guestWasm("rename_files")), spec, "host-root");
    expect(render(asComp), `stderr: ${asComp.stderr}`).toBe(render(asModule));
  }, 60_000);

  it("is transpiled once: a second start of the same component comes from the cache", async () => {
    const component = await asComponent(guestWasm("sched_yield"));
    const kernel = new Kernel();
    const first = await kernel.run(component, { argv0: "sched_yield" });
    const again = new Kernel();
    const second = await again.run(component, { argv0: "sched_yield" });
    expect(second.stdout).toBe(first.stdout);
    expect(first.exitCode).toBe(0);
    expect(again.components.transpiles).toBe(0);
  }, 60_000);
});
