// `wasmbox run`: a module file runs on a kernel embedded in the CLI (wasmtime-style); anything
// else is an image and runs as a container (docker-style, see containers.ts) or, with --vm, as a
// VM: in the foreground in the CLI (vm.ts), or with -d through the daemon like a container.
import { existsSync, statSync } from "node:fs";
import * as nodePath from "node:path";
import type { Command } from "commander";
import type { EngineChoice } from "../../kernel/index.js";
import { CliExit, type CliIo } from "../io.js";
import { addCreateFlags, runImageCommand } from "./containers.js";
import { runModule } from "./run-module.js";
import { runVmCommand } from "./vm.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Whether `target` names a module file on the host rather than an image. */
function isModuleFile(io: CliIo, target: string): boolean {
  const path = nodePath.resolve(io.cwd, target);
  return target.endsWith(".wasm") || (existsSync(path) && statSync(path).isFile());
}

export function registerRunCommand(program: Command, io: CliIo, exitCode: (code: number) => void): void {
  const run = program
    .command("run")
    .description("run a WebAssembly module (MODULE.wasm) or an image (IMAGE) with arguments")
    .usage("[options] MODULE.wasm|IMAGE [ARGS...]")
    .argument("<target>", "a .wasm file, or an image name")
    .argument("[args...]", "arguments for the program")
    .option("--dir <HOST[::GUEST]>", "give the guest a host directory (repeatable)", collect)
    .option("--env <K=V>", "set an environment variable (repeatable)", collect)
    .option("-e, --env-var <K=V>", "set an environment variable (repeatable, as docker)", collect)
    .option("--trace", "print every syscall to stderr, like strace")
    .option("--engine <kind>", "auto, inline (JSPI) or worker", "auto")
    .option("-d, --detach", "run an image's container (or VM, with --vm) in the background through the daemon and print its id")
    .option("--vm", "run the image as a virtual machine: its own isolate, kernel and copy of the disk (with -d: through the daemon)")
    .option("--vm-memory <SIZE>", "with --vm: the guest's memory (e.g. 256m, 1g)")
    .option("--vm-cpus <N>", "with --vm: 1 runs every guest process on the guest's one thread; more gives each its own");
  // The container flags (docker run's), for images; -e and --engine are declared above.
  addCreateFlags(run, ["--env <", "--engine", "--vm"])
    .passThroughOptions()
    .allowExcessArguments()
    .action(async (target: string, args: string[], opts: Record<string, unknown>, command: Command) => {
      const engine = opts.engine as EngineChoice;
      if (!["auto", "inline", "worker"].includes(engine)) throw new CliExit(2, `wasmbox: --engine ${engine}: expected auto, inline or worker`);
      const env = [...((opts.env as string[]) ?? []), ...((opts.envVar as string[]) ?? [])];
      if (isModuleFile(io, target)) {
        exitCode(await runModule(io, target, args, { dir: opts.dir as string[], env, trace: Boolean(opts.trace), engine }));
        return;
      }
      if (opts.vm && !opts.detach) {
        exitCode(await runVmCommand(io, target, args, { ...opts, env, interactive: Boolean(opts.interactive) }));
        return;
      }
      exitCode(await runImageCommand(io, target, args, { ...opts, env }, command));
    });
}
