// The commands beyond run, syscalls and images: container lifecycle, VM mode and benchmarks.
// Each group registers itself here so that cli/index.ts stays a list.
import type { Command } from "commander";
import type { CliIo } from "../io.js";

export function registerExtraCommands(_program: Command, _io: CliIo, _exitCode: (code: number) => void): void {}
