// vitest configuration of the second run of `npm test`, on the machine's Node (test/run-on-host-node.sh):
// the same settings as vitest.config.ts, for the test folders whose outcome depends on the engine or on that Node.
import { configDefaults, defineConfig } from "vitest/config";
import pinned from "./vitest.config.js";

/**
 * The folders under test/ that run a second time, on the machine's Node (Node 20 here: no JSPI, so
 * `auto` picks the worker engine). The rule: a folder is here when its tests drive the kernel and its
 * engines (kernel, proc, wasi, component, net: syscalls, processes, signals, preemption, memory,
 * sockets, WASI conformance, components that cannot wait without JSPI), or start the CLI as a process
 * on the Node running the tests (cli: the bin's re-exec to the pinned Node, buffered output, the
 * terminal). Every other folder (containers, images, userland, vm, programs, and any new one) runs
 * once, on the pinned Node: image store, specs, registries, archives, the daemon's protocol and the
 * utilities' output do not depend on the engine, and where a test there does (a worker's CPU-time
 * limit, a VM's worker processes) it asks for `engine: "worker"` itself, which the pinned Node runs
 * as well. A new test file lands in one set or the other by its folder; PINNED_ONLY_FILES takes out
 * of these folders the files that depend on neither.
 */
export const HOST_NODE_FOLDERS = ["kernel", "proc", "wasi", "component", "net", "cli"] as const;

/**
 * Files in those folders that run on the pinned Node only, each with its reason: nothing in them
 * depends on the engine or on the Node the CLI starts on.
 */
export const PINNED_ONLY_FILES = [
  // The syscall table's dispatchers called straight from the test with hostile and random arguments: no engine runs a guest.
  "test/kernel/fuzz.test.ts",
  "test/kernel/robustness.test.ts",
  // The load-time rewrite as a transform of bytes, and the inline engine's preemption and instance
  // pool, which a Node without JSPI does not have (their tests there would skip).
  "test/kernel/rewrite-in-place.test.ts",
  "test/kernel/loop-outlining.test.ts",
  "test/proc/preemption.test.ts",
  "test/proc/instance-reuse.test.ts",
  // Flag values refused before any kernel or daemon is asked.
  "test/cli/create-flags.test.ts",
  // The image store seen from a fresh home (list, build, save, load, rmi): no engine in it.
  "test/cli/images-home.test.ts",
  // The terminal through the daemon: its forwarding, attach and exec plumbing, and VMs (vm/ runs once
  // too). The kernel's terminal under the worker engine (keys, ^C, ^Z, SIGWINCH) is terminal.test.ts.
  "test/cli/terminal-daemon.test.ts",
  // Foreground runs sent to the daemon's network: the daemon's containers and attach protocol, the
  // same whichever Node starts the CLI (it re-runs itself on the pinned Node).
  "test/net/foreground-network.test.ts",
  // The JavaScript component's `jco componentize` build (about 30 s of CPU on a fresh machine) would
  // run twice at once; components under the worker engine are conformance.test.ts and processes.test.ts.
  "test/component/javascript.test.ts",
] as const;

export default defineConfig({
  ...pinned,
  test: { ...pinned.test, include: HOST_NODE_FOLDERS.map((folder) => `test/${folder}/**/*.test.ts`), exclude: [...configDefaults.exclude, ...PINNED_ONLY_FILES] },
});
