// The CLI's stdout and stderr as the kernel's host outputs (kernel/host-output.ts): buffered
// unless a terminal, and flushed however the run ends (return, error, process exit, SIGTERM/SIGHUP).
import type { HostOutput, Kernel } from "../kernel/index.js";
import type { CliIo } from "./io.js";

/** What a module run writes its guests' fds 1 and 2 to; close() flushes and removes the exit hooks. */
export interface CliHostOutputs {
  stdout: HostOutput;
  stderr: HostOutput;
  close(): void;
}

/** Host fds 1 and 2 of this CLI run, through `io`, shared by every process of `kernel`. */
export function cliHostOutputs(kernel: Kernel, io: CliIo): CliHostOutputs {
  const outputs = kernel.hostOutputs;
  const stdout = outputs.open((bytes) => io.stdout(bytes), Boolean(io.stdoutIsTerminal));
  const stderr = outputs.open((bytes) => io.stderr(bytes), Boolean(io.stderrIsTerminal));
  const flush = () => outputs.flush();
  // A signal that ends the CLI first lets the output out, then ends it as the signal would have.
  const onSignal = (signal: NodeJS.Signals) => {
    flush();
    removeHooks();
    process.kill(process.pid, signal);
  };
  const removeHooks = () => {
    process.off("exit", flush);
    process.off("SIGTERM", onSignal);
    process.off("SIGHUP", onSignal);
  };
  process.on("exit", flush);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  return {
    stdout, stderr,
    close: () => {
      removeHooks();
      flush();
    },
  };
}
