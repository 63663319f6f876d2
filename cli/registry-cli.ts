// cli/: the registry commands' own entry (pull, push, login, logout, search): the build bundles it apart
// (dist/cli/registry-cli.bundle.cjs, see build-bundle.ts), so the bin's pull loads and deserializes half the code.
import { createRegistryCli } from "./commands/registry.js";
import { exitCodeOf, type CliIo } from "./io.js";

/** Never a module run (the bin asks, to know when to keep its code cache). */
export function isModuleRun(): boolean {
  return false;
}

/** Runs a registry command line (`pull IMAGE`, ...); resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    await createRegistryCli(io).parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    return exitCodeOf(e, io);
  }
}
