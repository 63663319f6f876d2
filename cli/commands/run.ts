// `wasmbox run`: an image runs as a container (docker-style, see containers.ts) or, with --vm, as a
// VM: in the foreground in the CLI, or with -d through the daemon, both like a container. A module
// run never gets here (run-cli.ts sends it to run-module.ts); the flags are declared in run-flags.ts.
import { Option, type Command } from "commander";
import { CliExit, type CliIo } from "../io.js";
import { isModuleFile, runFlags } from "../run-flags.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Every flag of `run` (made once here: commander declares them all). */
const RUN_FLAGS = runFlags();

/** The module-only flags commander may have parsed for an image: [option key, flag]. */
const MODULE_ONLY: ReadonlyArray<[string, string]> = RUN_FLAGS.filter((f) => !f.image).map((f) => {
  const long = /--([a-z-]+)/.exec(f.flags)![1]!;
  return [long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), "--" + long];
});

/** The flags that shape a VM (--vm and what only applies with it). */
const VM_FLAGS = ["--vm", "--vm-memory", "--vm-cpus"];

/** The heading a run flag is listed under in `run --help`: for modules, for both, for containers, for VMs. */
function helpGroupOf(flags: string, module: boolean, image: boolean): string {
  const long = /--[a-z-]+/.exec(flags)?.[0] ?? "";
  if (VM_FLAGS.includes(long)) return "Options for VMs (with --vm):";
  if (module && image) return "Options for modules and containers:";
  return module ? "Options for modules (MODULE.wasm, wasmtime-style):" : "Options for containers (IMAGE, docker-style):";
}

/** Registers `run` (help shows every flag, grouped: for modules, for containers, for VMs). */
export function registerRunCommand(program: Command, io: CliIo, exitCode: (code: number) => void): void {
  const run = program
    .command("run")
    .description("run a WebAssembly module (MODULE.wasm or .wat, wasmtime-style) or an image (IMAGE, docker-style) with arguments")
    .usage("[options] MODULE.wasm|IMAGE [ARGS...]")
    .argument("<target>", "a .wasm or .wat file, or an image name")
    .argument("[args...]", "arguments for the program");
  for (const flag of RUN_FLAGS) {
    const option = new Option(flag.flags, flag.description).helpGroup(helpGroupOf(flag.flags, flag.module, flag.image));
    if (flag.repeatable) option.argParser(collect);
    run.addOption(option);
  }
  run.passThroughOptions()
    .allowExcessArguments()
    .action(async (target: string, args: string[], opts: Record<string, unknown>) => {
      if (isModuleFile(io, target)) {
        // run-cli.ts takes every module run it can parse; one that reaches here has a flag it does not know.
        throw new CliExit(2, `wasmbox: run: cannot parse the flags for module ${target}`);
      }
      const wrong = MODULE_ONLY.find(([key]) => opts[key] !== undefined);
      if (wrong) throw new CliExit(2, `wasmbox: run: ${wrong[1]} does not apply to an image (${target})`);
      // -e is --env-var here (the module flags' spelling): both are the image's --env.
      const list = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : []);
      const env = [...list(opts.env), ...list(opts.envVar)];
      const { checkedCreateOptions, runImageCommand } = await import("./containers.js");
      const options = checkedCreateOptions(io, { ...opts, env });
      exitCode(await runImageCommand(io, target, args, options, opts.detach === true));
    });
}
