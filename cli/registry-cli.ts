// cli/: the registry commands' own entry (pull, push, login, logout, search): the build bundles it apart
// (dist/cli/registry-cli.bundle.cjs, see build-bundle.ts), so the bin's pull loads and deserializes half the code.
import { startCli, type CodeCacheToSave } from "./cli-main.js";
import { createRegistryCli } from "./commands/registry.js";
import { exitCodeOf, type CliIo } from "./io.js";

/** The bin's entry (wasmbox.cts) for a registry command: runs it as the process and exits; every run leaves a code cache worth keeping. */
export function cliMain(argv: string[], cache: CodeCacheToSave | undefined): Promise<never> {
  return startCli(argv, cache, { runCli, worthCaching: () => true });
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
