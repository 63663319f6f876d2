// The wasmbox CLI as a library: createCli() returns a commander program whose commands are thin
// calls into the kernel and image store. The bin file only parses process.argv with it.
import { Command } from "commander";
import { registerImageCommands } from "./commands/images.js";
import { registerRunCommand } from "./commands/run.js";
import { registerSyscallsCommand } from "./commands/syscalls.js";
import { registerExtraCommands } from "./commands/extra.js";
import { kernelBuildRunner } from "./commands/build-runner.js";
import { CliExit, type CliIo } from "./io.js";

/** Builds the CLI program. `exitCode` receives a command's exit status (a guest's, for run). */
export function createCli(io: CliIo, exitCode: (code: number) => void = () => undefined): Command {
  const program = new Command("wasmbox")
    .description("a small operating system for WebAssembly programs: one kernel, many containers, and VMs beside them")
    .version("0.1.0")
    .enablePositionalOptions()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .exitOverride();
  registerRunCommand(program, io, exitCode);
  registerSyscallsCommand(program, io);
  registerImageCommands(program, io, { buildRunner: async () => kernelBuildRunner(io) });
  registerExtraCommands(program, io, exitCode);
  return program;
}

/** Runs the CLI on `argv` (without node and script); resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code = 0;
  const program = createCli(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CliExit) {
      if (e.message) io.stderr(e.message.endsWith("\n") ? e.message : e.message + "\n");
      return e.code;
    }
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === "string" && ce.code.startsWith("commander.")) return ce.exitCode ?? 2;
    throw e;
  }
}

export { CliExit, type CliIo };
