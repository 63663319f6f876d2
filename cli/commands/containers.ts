// Container commands (placeholder until containers land): running an image.
// Replaced by the container lifecycle implementation.
import type { Command } from "commander";
import { CliExit, type CliIo } from "../io.js";

/** Runs an image as a container; returns the exit code. */
export async function runImageCommand(_io: CliIo, image: string, _args: string[], _opts: Record<string, unknown>, _command: Command): Promise<number> {
  throw new CliExit(2, `wasmbox: ${image}: not a module file, and images cannot run yet`);
}
