// VM mode and the comparison: `wasmbox vm run` boots an image as a bare VM (kernel/vm; `run --vm`
// makes a VM container through the runtime instead), and `wasmbox bench compare` measures containers against VMs.
import { writeFile } from "node:fs/promises";
import * as nodePath from "node:path";
import type { Command } from "commander";
import { formatHtml } from "../../containers/compare/html.js";
import { formatTable, progressBar } from "../../containers/compare/format.js";
import { compare } from "../../containers/compare/measure.js";
import { ImageError } from "../../images/errors.js";
import { ImageStore } from "../../images/store.js";
import { type EngineChoice, type LayerEntry, Hypervisor } from "../../kernel/host.js";
import { baseRootfs } from "../../userland/rootfs.js";
import { CliExit, type CliIo } from "../io.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Options of a VM run (as commander gives them). */
export interface VmRunOptions {
  vmMemory?: string;
  vmCpus?: string | number;
  env?: string[];
  engine?: string;
  interactive?: boolean;
  name?: string;
  init?: boolean;
}

/** Parses a memory size: 512, 512m, 512M, 1g, 1.5G, 65536k (a bare number is MiB). Returns MiB. */
export function parseMemoryMb(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?$/i.exec(text.trim());
  if (!m) throw new CliExit(2, `wasmbox: --vm-memory ${text}: expected a size such as 256m or 1g`);
  const value = Number(m[1]);
  const unit = (m[2] || "m").toLowerCase();
  const mb = unit === "k" ? value / 1024 : unit === "m" ? value : unit === "g" ? value * 1024 : value * 1024 * 1024;
  if (mb < 16) throw new CliExit(2, `wasmbox: --vm-memory ${text}: a VM needs at least 16m`);
  return Math.floor(mb);
}

function parseCpus(text: string | number | undefined): number {
  if (text === undefined) return 1;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new CliExit(2, `wasmbox: --vm-cpus ${text}: expected a whole number from 1 to 64`);
  return n;
}

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

/** Merges `K=V` lists: later entries override earlier ones of the same name. */
function mergeEnv(...lists: string[][]): string[] {
  const map = new Map<string, string>();
  for (const list of lists) for (const kv of list) map.set(kv.includes("=") ? kv.slice(0, kv.indexOf("=")) : kv, kv);
  return [...map.values()];
}

/** Runs IMAGE as a VM with CMD (or the image's command); returns the exit code. For `vm run` (`run --vm` goes through the container runtime). */
export async function runVmCommand(io: CliIo, image: string, args: string[], opts: VmRunOptions | Record<string, unknown> = {}): Promise<number> {
  const o = opts as VmRunOptions;
  const memoryMb = o.vmMemory !== undefined ? parseMemoryMb(String(o.vmMemory)) : 256;
  const cpus = parseCpus(o.vmCpus);
  const engine = (o.engine ?? "auto") as EngineChoice;
  if (!["auto", "inline", "worker"].includes(engine)) throw new CliExit(2, `wasmbox: --engine ${engine}: expected auto, inline or worker`);
  const img = await openImage(io, image);
  // Arguments replace the image's CMD and follow its ENTRYPOINT, as docker.
  const argv = [...img.entrypoint, ...(args.length > 0 ? args : img.cmd)];
  if (argv.length === 0) throw new CliExit(125, `wasmbox: ${image}: the image has no command; give one`);
  const interactive = Boolean(o.interactive) && io.stdin !== undefined;
  const guest = new Hypervisor().boot({
    layers: img.layers, argv, env: mergeEnv(img.env, o.env ?? []), cwd: img.cwd, memoryMb, cpus, engine,
    name: o.name, init: o.init ?? true, stdin: interactive, capture: false,
    onStdout: (chunk) => io.stdout(chunk), onStderr: (chunk) => io.stderr(chunk),
    onLog: (line) => io.stderr(line + "\n"),
  });
  const onData = (chunk: Buffer | string) => guest.writeStdin(typeof chunk === "string" ? chunk : new Uint8Array(chunk));
  const onEnd = () => guest.endStdin();
  if (interactive) {
    io.stdin!.on("data", onData);
    io.stdin!.on("end", onEnd);
  }
  const onSignal = () => void guest.stop(10_000);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const exit = await guest.exited;
    if (exit.reason === "oom") io.stderr(`wasmbox: VM ${guest.name} ran out of memory (--vm-memory ${memoryMb}m): ${exit.message ?? ""}\n`);
    else if (exit.reason === "crashed") io.stderr(`wasmbox: VM ${guest.name} crashed: ${exit.message ?? ""}\n`);
    else if (exit.reason === "exit" && exit.message) io.stderr(`wasmbox: ${exit.message}\n`);
    return exit.exitCode;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (interactive) {
      io.stdin!.off("data", onData);
      io.stdin!.off("end", onEnd);
      (io.stdin as NodeJS.ReadableStream & { pause?: () => void }).pause?.();
    }
  }
}

/** Registers `vm run` and `bench compare`. */
export function registerVmCommands(program: Command, io: CliIo, exitCode: (code: number) => void): void {
  if (program.commands.some((c) => c.name() === "vm")) return; // registered already
  const vm = program.command("vm").description("run images as virtual machines (each its own isolate, kernel and disk copy)");
  vm.command("run")
    .description("boot IMAGE as a VM and run CMD (or the image's command) under init as pid 1")
    .usage("[options] IMAGE [CMD...]")
    .argument("<image>", "an image name or id")
    .argument("[cmd...]", "the command and its arguments")
    .option("--vm-memory <SIZE>", "the guest's memory: heap limit and cap on its processes' memory (e.g. 256m, 1g)", "256m")
    .option("--vm-cpus <N>", "virtual CPUs (1: processes share the guest's thread; more: a thread per process)", "1")
    .option("-e, --env <K=V>", "set an environment variable (repeatable)", collect)
    .option("-i, --interactive", "keep stdin open and feed it to the guest's console")
    .option("--name <NAME>", "the VM's name (and hostname)")
    .option("--no-init", "run the command as pid 1 instead of /bin/init")
    .option("--engine <kind>", "how the guest kernel runs processes: auto, inline or worker", "auto")
    .passThroughOptions()
    .allowExcessArguments()
    .action(async (image: string, cmd: string[], opts: VmRunOptions) => {
      exitCode(await runVmCommand(io, image, cmd, opts));
    });

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
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 1 || count > 10_000) throw new CliExit(2, `wasmbox: --count ${opts.count}: expected a whole number from 1 (2 or more for the isolation rows)`);
      const img = await openImage(io, opts.image);
      const cmd = opts.cmd && opts.cmd.length > 0 ? (opts.cmd.length === 1 && opts.cmd[0]!.includes(" ") ? ["sh", "-c", opts.cmd[0]!] : opts.cmd) : ["sh", "-c", "echo hi; ls /bin | head -3"];
      const image = { id: opts.image, config: { Env: img.env, Entrypoint: img.entrypoint, Cmd: img.cmd, WorkingDir: img.cwd }, layers: img.layers };
      const report = await compare({
        image, imageName: opts.image, count, cmd,
        vmMemoryMb: parseMemoryMb(opts.vmMemory), vmCpus: parseCpus(opts.vmCpus),
        budgetBytes: opts.budget ? parseMemoryMb(opts.budget) * 1024 * 1024 : undefined,
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
