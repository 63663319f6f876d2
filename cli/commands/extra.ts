// The commands beyond run, syscalls and images: container lifecycle, VM mode, wasmbox itself (system).
// Each group registers itself here so that cli/index.ts stays a list.
import type { Command } from "commander";
import type { CliIo } from "../io.js";
import { registerContainerCommands } from "./containers.js";
import { registerVmCommands } from "./vm.js";
import { registerNetworkCommands } from "./network.js";
import { registerSystemCommands } from "./system.js";

export function registerExtraCommands(program: Command, io: CliIo, exitCode: (code: number) => void): void {
  registerContainerCommands(program, io, exitCode);
  registerVmCommands(program, io, exitCode);
  registerNetworkCommands(program, io);
  registerSystemCommands(program, io, exitCode);
}
