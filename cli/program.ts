// The whole wasmbox CLI as a commander program: createCli() registers every command, thin calls
// into the kernel, containers and image store. run-cli.ts loads it for all but module runs.
import { Command } from "commander";
import { registerImageCommands } from "./commands/images.js";
import { registerRunCommand } from "./commands/run.js";
import { registerSyscallsCommand } from "./commands/syscalls.js";
import { registerExtraCommands } from "./commands/extra.js";
import { registerRegistryCommands } from "./commands/registry.js";
import { registerServeCommand } from "./commands/serve.js";
import { kernelBuildRunner } from "./commands/build-runner.js";
import type { CliIo } from "./io.js";
import { hasJspi } from "../kernel/index.js";

/** What --version prints: wasmbox's version, the Node running it, and the engine `auto` picks there. */
function versionLine(): string {
  return `wasmbox 0.1.0 (Node ${process.version}, engine ${hasJspi() ? "inline (JSPI)" : "worker (no JSPI)"})`;
}

/** Builds the CLI program. `exitCode` receives a command's exit status (a guest's, for run). */
export function createCli(io: CliIo, exitCode: (code: number) => void = () => undefined): Command {
  const program = new Command("wasmbox")
    .description("a small operating system for WebAssembly programs: one kernel, many containers, and VMs beside them")
    .version(versionLine(), "-V, --version", "print the version, the Node it runs on and the engine guests get")
    .enablePositionalOptions()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .exitOverride();
  registerRunCommand(program, io, exitCode);
  registerSyscallsCommand(program, io);
  registerImageCommands(program, io, { buildRunner: async () => kernelBuildRunner(io) });
  registerRegistryCommands(program, io);
  registerServeCommand(program, io, exitCode);
  registerExtraCommands(program, io, exitCode);
  return program;
}
