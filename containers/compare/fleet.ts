// containers/compare: the comparison's containers and VMs, made as `wasmbox run [--vm]` makes them (create +
// start on a ContainerRuntime, its public API only), on a runtime without files: nothing lands in `ps -a`.
import { type EngineChoice, Kernel } from "../../kernel/index.js";
import { ContainerRuntime, type RunnableImage } from "../runtime.js";
import { VmInstance, type Instance } from "../instance.js";
import { specFromOptions, type CreateOptions } from "../options.js";
import type { CommandResult } from "./report.js";

/** A started instance as the comparison holds it. */
export interface Started {
  kind: "container" | "vm";
  name: string;
  id: string;
  /** Milliseconds from create until `runtime.start` returned (a VM's pid 1 runs; a container's may have run a while). */
  startMs: number;
  /**
   * Milliseconds from create until the command's first output (or its end, if it prints nothing):
   * the same boundary for both kinds, whatever an engine runs before start() returns.
   */
  firstOutput: Promise<number>;
  /** Settles when pid 1 has ended, with its output. */
  exited: Promise<CommandResult>;
}

/** An exec's result and how long it took, seen from the host. */
export type Timed = CommandResult & { ms: number };

/** What a fleet is made of. */
export interface FleetOptions {
  image: RunnableImage;
  /** The image's name as the user gave it (the runtime's image source answers only this). */
  imageName: string;
  engine?: EngineChoice;
  vmMemoryMb?: number;
  vmCpus?: number;
  /** A kernel to run the containers on (default: a quiet one of its own). */
  kernel?: Kernel;
}

/** The comparison's containers and VMs, all on one in-memory ContainerRuntime. */
export class Fleet {
  readonly runtime: ContainerRuntime;
  private readonly options: FleetOptions;

  /** Makes the runtime (in memory: no state directory) and its kernel. */
  constructor(options: FleetOptions) {
    this.options = options;
    const kernel = options.kernel ?? new Kernel({ engine: options.engine ?? "auto", hostname: "wasmbox", log: () => undefined });
    const image = options.image;
    this.runtime = new ContainerRuntime({ kernel, images: imageSource(options.imageName, image) });
  }

  /** The spec flags of one kind, parsed as `wasmbox run` parses them. */
  private flags(kind: "container" | "vm", name: string): CreateOptions {
    const o = this.options;
    // The command is given in full (as --cmd): the image's entrypoint is not put before it.
    if (kind === "container") return { name, engine: o.engine, entrypoint: "" };
    return { name, engine: o.engine, entrypoint: "", vm: true, vmMemory: `${o.vmMemoryMb ?? 128}m`, vmCpus: String(o.vmCpus ?? 1) };
  }

  /** Creates and starts an instance running `argv`; resolves once its pid 1 runs. */
  async start(kind: "container" | "vm", argv: string[], name: string): Promise<Started> {
    const runtime = this.runtime;
    const t0 = performance.now();
    const spec = specFromOptions(this.flags(kind, name), { cwd: "/", env: {}, syscallNames: runtime.kernel.syscalls.map((s) => s.name) });
    const { spec: { id } } = await runtime.create({ ...spec, image: this.options.imageName, command: argv });
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    let printed!: (ms: number) => void;
    const firstOutput = new Promise<number>((resolve) => (printed = resolve));
    const onOutput = (into: Uint8Array[]) => (c: Uint8Array) => {
      if (out.length + err.length === 0) printed(performance.now() - t0);
      into.push(c);
    };
    const record = await runtime.start(id, { stdin: null, onStdout: onOutput(out), onStderr: onOutput(err) });
    const startMs = performance.now() - t0;
    const live = record.live;
    const exited = runtime.wait(id).then((exitCode): CommandResult => {
      printed(performance.now() - t0);
      return { exitCode, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), reason: endReason(live) };
    });
    return { kind, name, id, startMs, firstOutput, exited };
  }

  /** Runs a command in a running instance; undefined when it is not running or does not answer within `timeoutMs`. */
  async exec(target: Started, argv: string[], timeoutMs = 30_000): Promise<Timed | undefined> {
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    const t = performance.now();
    const run = this.runtime.exec(target.id, argv, { onStdout: (c) => void out.push(c), onStderr: (c) => void err.push(c) }).then(
      (exitCode): Timed => ({ exitCode, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), ms: performance.now() - t }),
      () => undefined,
    );
    return within(run, timeoutMs);
  }

  /** Copies an executable file into a running instance (`cp` for a container, the guest's own copy for a VM). */
  async putFile(target: Started, path: string, data: Uint8Array): Promise<void> {
    const live = this.runtime.find(target.id).live;
    if (live instanceof VmInstance) return live.guest.putFile(path, data);
    const name = path.slice(path.lastIndexOf("/") + 1);
    await this.runtime.copyIn(target.id, path.slice(0, path.lastIndexOf("/")) || "/", [{ path: name, type: "file", mode: 0o755, data }], name);
  }

  /** Makes a VM's guest kernel misbehave: throw (a panic), exhaust its heap, or spin. */
  fault(target: Started, fault: "crash" | "heap" | "spin"): void {
    const live = this.runtime.find(target.id).live;
    if (!(live instanceof VmInstance)) throw new Error(`${target.name} is not a VM: its kernel is the shared one`);
    live.guest.injectFault(fault);
  }

  /** SIGKILL to every process of the instance; resolves once it has ended. */
  async kill(target: Started): Promise<CommandResult> {
    try {
      this.runtime.kill(target.id, "SIGKILL");
    } catch {
      // Ended already.
    }
    return target.exited;
  }

  /** Forgets an ended instance (`wasmbox rm`), so that a long comparison does not pile up records. */
  async remove(target: Started): Promise<void> {
    await target.exited;
    await this.runtime.remove(target.id, true);
  }

  /** What the instance reports for itself (`stats`): memory it accounts for, and its private image data. */
  async use(target: Started): Promise<{ memoryBytes: number; storageBytes: number }> {
    const { memoryBytes, storageBytes } = await this.runtime.stats(target.id);
    return { memoryBytes, storageBytes };
  }

  /** Kills whatever still runs (containers and VMs) and waits for them to end. */
  async shutdown(): Promise<void> {
    await this.runtime.shutdown();
  }
}

/** The only image a fleet runs, by the name given (or its id). */
function imageSource(name: string, image: RunnableImage): (ref: string) => Promise<RunnableImage> {
  return async (ref) => {
    if (ref === name || ref === image.id) return image;
    throw new Error(`the comparison runs ${name} only`);
  };
}

/** How an instance ended: a VM's guest knows (exit, killed, crashed, oom); a container's pid 1 exited. */
function endReason(live: Instance | undefined): string {
  return live instanceof VmInstance ? (live.guest.exit?.reason ?? "exit") : "exit";
}

/** The promise's value, or undefined if it takes longer than `ms`. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
