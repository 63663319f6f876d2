// `wasmbox run COMPONENT.wasm`: a WebAssembly component (WASI 0.2) on a kernel embedded in the CLI,
// in the same wasmtime model as a module run (only --dir/--tmpfs preopens); jco's transpile is cached in $WASMBOX_HOME/components.
import { join } from "node:path";
import { type ComponentProgram, type Container, type RunResult } from "../../kernel/host.js";
import { wasmboxHome } from "../../images/home.js";
import { CliExit, type CliIo } from "../io.js";
import { cliHostOutputs } from "../host-outputs.js";
import { cliKernel, endOfRun, runFailure, stdinIsTerminal, type RunModuleOptions } from "./run-module.js";
import { componentInvocation } from "../invoke-component.js";

/** The interface whose import gives a CLI component run the host's network. */
export const OUTGOING_HTTP = "wasi:http/outgoing-handler";

/** Runs a component file; returns the exit code. */
export async function runComponent(io: CliIo, file: string, bytes: Uint8Array, args: string[], options: RunModuleOptions): Promise<number> {
  if (options.memoryBytes !== undefined) {
    throw new CliExit(2, `wasmbox: --memory does not apply to a component (${file}): its memories belong to its own core modules`);
  }
  const kernel = cliKernel(io, { ...options, reuseInstances: false, preemption: false, componentCacheDir: join(wasmboxHome(io.env), "components") });
  // kernel.run() loads it (jco's transpile, or the cached one) for the fds it gets, and refuses a bad one with ProgramError.
  // Its outgoing HTTP requests reach the host's network, as with wasmtime run -S http.
  const program: ComponentProgram = { kind: "component", name: file, bytes, hostNetworkFor: [OUTGOING_HTTP], runOnly: true };
  if (options.invoke !== undefined) {
    program.invoke = await componentInvocation(file, bytes, options.invoke, args, (text) => {
      kernel.hostOutputs.flush();
      io.stdout(text);
    });
    args = [];
  }
  let container: Container | undefined;
  const interrupt = () => {
    if (container) kernel.interrupt(container);
  };
  process.on("SIGINT", interrupt);
  const host = cliHostOutputs(kernel, io);
  let result: RunResult;
  try {
    result = await kernel.run(program, {
      argv0: file, args, env: options.env ?? [], dirs: options.preopens ?? [], preopenRoot: false,
      limits: { wallTimeMs: options.timeLimit?.ms },
      // Made only when the guest first reads it, as a module run's (see CliIo.stdin).
      stdin: () => io.stdin, tty: stdinIsTerminal(io), capture: false,
      stdoutTo: host.stdout, stderrTo: host.stderr,
      onStart: (proc) => (container = proc.container),
    });
  } catch (e) {
    throw runFailure(e, file);
  } finally {
    host.close();
    process.off("SIGINT", interrupt);
  }
  return endOfRun(io, file, result, options.timeLimit?.text);
}
