// runCli(): a module run (`run MODULE.wasm`, `MODULE.wasm`) goes straight to run-module.ts, parsed
// by run-flags.ts; anything else loads the whole commander program (program.ts) first. The build
// bundles this file and what a module run needs into one (dist/cli/run-cli.bundle.cjs, see bin.ts).
import { importModule } from "../kernel/core.js";
import { startCli, type CodeCacheToSave } from "./cli-main.js";
import { exitCodeOf, type CliIo } from "./io.js";
import { REGISTRY_COMMANDS } from "./registry-commands.cjs";
import { isModuleFile, isModuleName, MODULE_FLAGS, parseRunArgs, type ParsedRun } from "./run-flags.js";

/** The module run `argv` asks for, if it is one: `run [FLAGS] MODULE ARGS` or wasmtime's `[FLAGS] MODULE ARGS`. */
function moduleRunOf(argv: readonly string[], io: CliIo): ParsedRun | undefined {
  const first = argv[0];
  if (first === undefined) return undefined;
  if (first === "run") {
    const parsed = parseRunArgs(argv.slice(1));
    return parsed && isModuleFile(io, parsed.target) ? parsed : undefined;
  }
  // Without `run`: a module path first, or a module flag first (a command name never starts with "-").
  const moduleFlag = MODULE_FLAGS.some((f) => f.flags.split(/[ ,=]+/).includes(first.split("=")[0]!));
  if (!moduleFlag && !isModuleName(first) && !first.includes("/")) return undefined;
  const parsed = parseRunArgs(argv);
  return parsed && isModuleFile(io, parsed.target) ? parsed : undefined;
}

/** Whether `argv` asks for a module run (the bin keeps the bundle's code cache after one; see bin.ts). */
export function isModuleRun(argv: readonly string[], io: CliIo): boolean {
  return moduleRunOf(argv, io) !== undefined;
}

/** The bin's entry (wasmbox.cts): runs the command line as the process and exits; the code cache is kept after a module run. */
export function cliMain(argv: string[], cache: CodeCacheToSave | undefined): Promise<never> {
  return startCli(argv, cache, { runCli, worthCaching: isModuleRun });
}

/** Runs the CLI on `argv` (without node and script); resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const moduleRun = moduleRunOf(argv, io);
    if (moduleRun) {
      const { runModuleCommand } = await import("./commands/run-module.js");
      return await runModuleCommand(io, moduleRun);
    }
    if (REGISTRY_COMMANDS.has(argv[0] ?? "")) {
      // Without the other commands (the bin loads registry-cli.ts's own bundle for these instead of this one).
      const registry = await import("./registry-cli.js");
      return await registry.runCli(argv, io);
    }
    let code = 0;
    // Through importModule: the bundle leaves program.js (and all the commands) out, to be loaded
    // from beside it only when a command other than a module run needs them.
    const { createCli } = (await importModule(new URL("./program.js", import.meta.url).href)) as typeof import("./program.js");
    const program = createCli(io, (c) => (code = c));
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (e) {
    return exitCodeOf(e, io);
  }
}
