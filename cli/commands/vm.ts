// VM mode and the comparison: `wasmbox vm run` boots an image as a VM (the runtime's VM instance,
// as `run --vm`), and `wasmbox bench compare` measures containers against VMs.
import { writeFile } from "node:fs/promises";
import * as nodePath from "node:path";
import type { Command } from "commander";
import { formatHtml } from "../../containers/compare/html.js";
import { formatTable, progressBar } from "../../containers/compare/format.js";
import { compare } from "../../containers/compare/measure.js";
import { ImageError } from "../../images/errors.js";
import { ImageStore } from "../../images/store.js";
import type { LayerEntry } from "../../kernel/host.js";
import { parseVmCpus, parseVmMemoryMb } from "../../containers/options.js";
import { parseSize } from "../../containers/spec.js";
import { addCreateFlags, checkedCreateOptions, runImageCommand, usageChecked } from "./containers.js";
import { baseRootfs } from "../../userland/rootfs.js";
import { CliExit, type CliIo } from "../io.js";

/** The create flags `vm run` takes (by key), as run and create declare them. */
const VM_RUN_FLAGS = new Set(["vmMemory", "vmCpus", "env", "interactive", "name", "init", "engine"]);

/** What a VM or the benchmark needs of an image. */
export interface OpenedImage {
  layers: LayerEntry[][];
  entrypoint: string[];
  cmd: string[];
  env: string[];
  cwd: string;
}

/** An image's layers and config: from the store, or the built-in base image when the store lacks it. */
export async function openImage(io: CliIo, image: string): Promise<OpenedImage> {
  try {
    const store = await ImageStore.openFor(io.env);
    const { config, layers } = await store.openForRun(image);
    return { layers, entrypoint: config.Entrypoint ?? [], cmd: config.Cmd ?? [], env: config.Env ?? ["PATH=/bin"], cwd: config.WorkingDir || "/" };
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    if (image === "base" || image === "base:latest") {
      return { layers: [await baseRootfs()], entrypoint: [], cmd: ["/bin/sh"], env: ["PATH=/bin", "HOME=/root"], cwd: "/" };
    }
    throw new CliExit(125, `wasmbox: ${error.message}`);
  }
}

/**
 * Runs IMAGE as a VM with CMD (or the image's command) in the foreground, as `run --vm` does (a
 * VM instance of the CLI's ContainerRuntime); returns the exit code. For `vm run`.
 */
export async function runVmCommand(io: CliIo, image: string, args: string[], values: Readonly<Record<string, unknown>> = {}): Promise<number> {
  const options = checkedCreateOptions(io, { ...values, vm: true });
  return runImageCommand(io, image, args, options, false);
}

/** Registers `vm run` and `bench compare`. */
export function registerVmCommands(program: Command, io: CliIo, exitCode: (code: number) => void): void {
  if (program.commands.some((c) => c.name() === "vm")) return; // registered already
  const vm = program.command("vm").description("run images as virtual machines (each its own isolate, kernel and disk copy)");
  const run = vm.command("run")
    .description("boot IMAGE as a VM and run CMD (or the image's command) under init as pid 1")
    .usage("[options] IMAGE [CMD...]")
    .argument("<image>", "an image name or id")
    .argument("[cmd...]", "the command and its arguments")
    .passThroughOptions()
    .allowExcessArguments()
    .action(async (image: string, cmd: string[], opts: Record<string, unknown>) => {
      exitCode(await runVmCommand(io, image, cmd, opts));
    });
  addCreateFlags(run, (key) => VM_RUN_FLAGS.has(key));

  const bench = program.commands.find((c) => c.name() === "bench") ?? program.command("bench").description("benchmarks");
  bench.command("compare")
    .description("start N containers and N VMs of the same image and command, and compare them")
    .option("--count <N>", "instances of each kind", "10")
    .option("--image <IMAGE>", "the image", "base")
    .option("--cmd <CMD...>", "the command (default: sh -c 'echo hi; ls /bin | head -3')")
    .option("--vm-memory <SIZE>", "memory of each VM", "128m")
    .option("--vm-cpus <N>", "virtual CPUs of each VM", "1")
    .option("--budget <SIZE>", "memory budget for the 'how many fit' figure (default: half the host's memory)")
    .option("--json", "print the figures as JSON")
    .option("--html <FILE>", "also write an HTML report with charts")
    .option("--no-progress", "no progress bar on stderr")
    .action(async (opts: { count: string; image: string; cmd?: string[]; vmMemory: string; vmCpus: string; budget?: string; json?: boolean; html?: string; progress: boolean }) => {
      const budget = opts.budget ?? "";
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 1 || count > 10_000) throw new CliExit(2, `wasmbox: --count ${opts.count}: expected a whole number from 1 (2 or more for the isolation rows)`);
      const img = await openImage(io, opts.image);
      const cmd = opts.cmd && opts.cmd.length > 0 ? (opts.cmd.length === 1 && opts.cmd[0]!.includes(" ") ? ["sh", "-c", opts.cmd[0]!] : opts.cmd) : ["sh", "-c", "echo hi; ls /bin | head -3"];
      const image = { id: opts.image, config: { Env: img.env, Entrypoint: img.entrypoint, Cmd: img.cmd, WorkingDir: img.cwd }, layers: img.layers };
      const report = await compare({
        image, imageName: opts.image, count, cmd,
        vmMemoryMb: usageChecked(() => parseVmMemoryMb(opts.vmMemory)), vmCpus: usageChecked(() => parseVmCpus(opts.vmCpus)),
        // A bare number is MiB, as --vm-memory's.
        budgetBytes: opts.budget === undefined ? undefined : usageChecked(() => (/^\d+$/.test(budget) ? Number(budget) * 1024 ** 2 : parseSize(budget, "--budget"))),
        progress: opts.progress ? (done, total, label) => io.stderr(progressBar(done, total, label)) : undefined,
      });
      if (opts.json) io.stdout(JSON.stringify(report, null, 2) + "\n");
      else io.stdout(formatTable(report));
      if (opts.html) {
        const file = nodePath.resolve(io.cwd, opts.html);
        await writeFile(file, formatHtml(report));
        if (!opts.json) io.stdout(`HTML report: ${file}\n`);
      }
      exitCode(0);
    });
}
