// containers/: the container runtime on one kernel: the lifecycle of containers and VMs (create,
// start, stop, kill, restart, remove, wait, exec, pause...), their events and restart policies. It
// composes the parts: registry.ts (records and names), state.ts (state changes), container-fs.ts
// (a container's filesystem), vm-boot.ts (VMs), persistence.ts (records on disk). Used embedded
// by `wasmbox run` and by the daemon.
import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import {
  SIGKILL, Errno, type Container, type Kernel, FsApi, type LayerEntry, type MountNamespace, LayerTrees, type OverlayFs, type DiffLine,
  DEFAULT_PATH, findOnPath, isRegularFile, type Guest,
} from "../kernel/host.js";
import type { Credentials } from "../images/users.js";
import { containerCredentials, layerCredentials } from "./users.js";
import { healthSpec, startHealthMonitor } from "./health.js";
import type { ContainerConfig } from "../images/oci.js";
import { IsoClock } from "./clock.js";
import type { LogWriter } from "./logs.js";
import { KeyedQueue } from "./queue.js";
import { attachNetwork, networkSpec, publishVmPorts, vmNetwork, type AttachedNetwork } from "./network.js";
import type { ContainerFiles } from "./files.js";
import { ContainerInstance, isWasmModule, VmInstance, type ExecOptions, type Instance, type InstanceEnd, type StreamIo } from "./instance.js";
import { kindOf, parseSignal, SYSCALL_PROFILES, type ContainerSpec } from "./spec.js";
import { mergeEnv, type SpecFromOptions } from "./options.js";
import { ContainerRegistry, RuntimeError, type ContainerRecord } from "./registry.js";
import { createdState, markExited, markPaused, markRestarting, markRunning, markStartFailed, markStoppedByHand, withHealth, withVmFigures } from "./state.js";
import { ContainerFilesystems } from "./container-fs.js";
import { VmBooter } from "./vm-boot.js";
import { RecordPersistence } from "./persistence.js";

export type { StreamIo } from "./instance.js";
export { RuntimeError, type ContainerRecord } from "./registry.js";
export { startExitCode } from "./state.js";

/** An image ready to run: what the runtime needs from images/ (or from a build). */
export interface RunnableImage {
  id: string;
  config: ContainerConfig;
  /** Layers bottom first; the same arrays for every container of the image (the trees are cached by them). */
  layers: LayerEntry[][];
}

/** Where the runtime gets images: by reference (name, tag or id). */
export type ImageSource = (ref: string) => Promise<RunnableImage>;

/** One entry of `events` (docker's message shape). */
export interface RuntimeEvent {
  Type: "container";
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  time: number;
  timeNano: number;
}

/** Options of a runtime. */
export interface RuntimeOptions {
  kernel: Kernel;
  images: ImageSource;
  /** Persists records (config, state, upper, logs); without it containers live in memory only. */
  files?: ContainerFiles;
  /** Apply restart policies (the daemon does; a CLI running one container in the foreground does not). */
  restartPolicies?: boolean;
}

/** docker's restart backoff: the first wait, the longest, and how long a run must last to reset it. */
const RESTART_FIRST_DELAY_MS = 100;
const RESTART_MAX_DELAY_MS = 60_000;
const RESTART_RESET_AFTER_MS = 10_000;

/** What create() takes: the parsed flags plus the image and command. */
export type CreateRequest = SpecFromOptions & { image: string; command: string[] };

/** The container runtime of one kernel. */
export class ContainerRuntime {
  readonly kernel: Kernel;
  readonly trees: LayerTrees;
  readonly files?: ContainerFiles;
  /** Emits "log" (id, stream, chunk), "exit" (id, record) and "event" (RuntimeEvent: create, start, die, ...). */
  readonly events = new EventEmitter();
  private readonly images: ImageSource;
  private readonly registry = new ContainerRegistry();
  private readonly clock = new IsoClock();
  private readonly vms = new VmBooter();
  private readonly filesystems: ContainerFilesystems;
  private readonly persistence: RecordPersistence;
  /** The lifecycle calls of each container, one after another (by id). */
  private readonly ops = new KeyedQueue();
  /** Ids whose removal is under way: a refresh that read their files just before must not bring them back. */
  private readonly removing = new Set<string>();
  /** Records whose end is being saved and that --rm removes from inside that save (it must not wait for itself). */
  private readonly settlingSelf = new Set<ContainerRecord>();
  private readonly restartPolicies: boolean;
  /** Set by shutdown(): no restart policy fires after it. */
  private shuttingDown = false;

  constructor(options: RuntimeOptions) {
    this.kernel = options.kernel;
    this.images = options.images;
    this.files = options.files;
    this.trees = new LayerTrees(() => this.kernel.allocDev());
    this.events.setMaxListeners(0);
    this.restartPolicies = options.restartPolicies ?? false;
    this.filesystems = new ContainerFilesystems({ kernel: this.kernel, trees: this.trees, files: this.files, imageOf: (spec) => this.imageOf(spec) });
    this.persistence = new RecordPersistence({ files: this.files, kernel: this.kernel, registry: this.registry, removing: this.removing, clock: this.clock });
  }

  /** The image a record was made from: by id, else by the name it was created with. */
  private imageOf(spec: ContainerSpec): Promise<RunnableImage> {
    return this.images(spec.imageId).catch(() => this.images(spec.image));
  }

  /**
   * Loads the records kept in files (new ones, and the state of those not created or run here).
   * Calls made while one runs share the next one, which starts after it: each caller sees the
   * files as they were at least when it called.
   */
  refresh(): Promise<void> {
    return this.persistence.refresh();
  }

  /** Every record, newest first. */
  list(all = true): ContainerRecord[] {
    // A container waiting for its policy's restart is listed with the running ones, as docker's ps does.
    return [...this.registry.all()].filter((r) => all || r.state.status === "running" || r.restartTimer !== undefined).sort((a, b) => (a.spec.created < b.spec.created ? 1 : -1));
  }

  /** A record by full id, unique id prefix, or name. */
  find(ref: string): ContainerRecord {
    return this.registry.find(ref);
  }

  /** Creates a container from an image: resolves the image and command, saves the spec. */
  async create(request: CreateRequest): Promise<ContainerRecord> {
    const image = await this.images(request.image).catch((e: Error) => {
      throw new RuntimeError(`Unable to find image '${request.image}': ${e.message}`, 404);
    });
    const id = this.registry.newId();
    const name = this.registry.nameForCreate(request.name);
    const config = image.config;
    const entrypoint = request.entrypoint ?? config.Entrypoint ?? [];
    const cmd = request.command.length > 0 ? request.command : request.entrypoint !== undefined ? [] : (config.Cmd ?? []);
    if (entrypoint.length + cmd.length === 0) throw new RuntimeError("No command specified");
    const { command: _command, healthcheck: healthFlags, ...rest } = request;
    const spec: ContainerSpec = {
      ...rest,
      id, name, created: this.clock.now(), image: request.image, imageId: image.id,
      entrypoint, cmd,
      ...(request.user || config.User ? { user: request.user || config.User } : {}),
      ...healthSpec(config, healthFlags),
      ...(config.ExposedPorts && Object.keys(config.ExposedPorts).length ? { exposedPorts: Object.keys(config.ExposedPorts) } : {}),
      ...(config.Labels && Object.keys(config.Labels).length || request.labels ? { labels: { ...config.Labels, ...request.labels } } : {}),
      env: mergeEnv([`PATH=${DEFAULT_PATH}`], config.Env ?? [], request.env, [`HOSTNAME=${request.hostname ?? id.slice(0, 12)}`]),
      workdir: request.workdir ?? (config.WorkingDir || "/"),
      hostname: request.hostname ?? id.slice(0, 12),
      stopSignal: config.StopSignal && request.stopSignal === "SIGTERM" ? config.StopSignal : request.stopSignal,
    };
    const record: ContainerRecord = { spec, state: createdState(), ownedHere: true };
    this.registry.add(record);
    await this.files?.create(spec, record.state);
    this.emitEvent(record, "create");
    return record;
  }

  /**
   * The live container of a record (undefined when it is not running); a VM is refused: `what`
   * (diff, cp...) needs the container's filesystem or processes on this kernel.
   */
  private sharedKernelOnly(record: ContainerRecord, what: string): ContainerInstance | undefined {
    if (kindOf(record.spec) === "vm") throw new RuntimeError(`${record.spec.name} is a VM: ${what} is not supported (its disk and processes are inside the guest)`, 501);
    return record.live as ContainerInstance | undefined;
  }

  /** The container's root filesystem: the live one, or one mounted from the image and saved upper. */
  private rootOf(record: ContainerRecord, what: string): Promise<OverlayFs> {
    return this.filesystems.rootOf(record, this.sharedKernelOnly(record, what));
  }

  /**
   * Runs a lifecycle call on a container once the calls before it on the same container are done
   * (404 when it was removed meanwhile, 409 while its removal is under way).
   */
  private async locked<T>(ref: string, work: (record: ContainerRecord) => Promise<T>): Promise<T> {
    const found = this.find(ref);
    return this.ops.run(found.spec.id, async () => {
      if (found.removal) {
        if (this.registry.get(found.spec.id) === found) throw new RuntimeError(`removal of container ${found.spec.name} is already in progress`, 409);
        throw new RuntimeError(`No such container: ${ref}`, 404);
      }
      return work(found);
    });
  }

  /** The open standard input of a running container started by the daemon with -i; undefined otherwise. */
  stdinOf(ref: string): NodeJS.WritableStream | undefined {
    const record = this.find(ref);
    return record.live ? record.stdin : undefined;
  }

  /** Starts a created or exited container or VM; resolves once pid 1 runs (or failed to start). */
  start(ref: string, io: StreamIo = {}): Promise<ContainerRecord> {
    return this.locked(ref, (record) => this.startNow(record, io));
  }

  private async startNow(record: ContainerRecord, io: StreamIo): Promise<ContainerRecord> {
    if (record.live) return record;
    // The last run's state and upper are saved first, so that save cannot overwrite this start's.
    await record.settling;
    if (record.removal) throw new RuntimeError(`removal of container ${record.spec.name} is already in progress`, 409);
    if (record.state.status === "running") throw new RuntimeError(`container ${record.spec.name} is running in another wasmbox process`, 409);
    const spec = record.spec;
    record.log?.close();
    record.log = this.files?.logWriter(spec.id, spec.log);
    const onStderr = this.logSink(record.log, spec.id, "stderr", io.onStderr);
    // Started without a caller's stdin (the daemon's start) but with -i: stdin stays open for `attach`.
    record.stdin?.end();
    record.stdin = io.stdin === undefined && spec.interactive ? new PassThrough() : undefined;
    if (record.stdin) io = { ...io, stdin: record.stdin, tty: io.tty ?? spec.tty };
    const streams: StreamIo = { ...io, onStdout: this.logSink(record.log, spec.id, "stdout", io.onStdout), onStderr };
    const onError = textWriter(onStderr);
    const instance = await (kindOf(spec) === "vm" ? this.bootVm(record, streams, onError) : this.startContainer(record, streams, onError)).catch((e: unknown) => {
      record.log?.close();
      throw e;
    });
    if (!instance) {
      record.log?.close();
      return record;
    }
    await this.files?.saveState(spec.id, record.state);
    if (instance instanceof VmInstance) await this.booted(record, instance);
    return record;
  }

  /**
   * Where a container's output goes: its log file, "log" listeners, then `also`. (The closures
   * that outlive a start are made in small functions like this one: a closure made inside
   * start() would hold all of start()'s variables, and V8 was seen to keep every ended
   * container's objects through young-generation collections that way.)
   */
  private logSink(log: LogWriter | undefined, id: string, stream: "stdout" | "stderr", also?: (chunk: Uint8Array) => void): (chunk: Uint8Array) => void {
    return (chunk) => {
      log?.write(stream, chunk);
      if (this.events.listenerCount("log")) this.events.emit("log", id, stream, chunk);
      also?.(chunk);
    };
  }

  /** Waits until a VM's init runs (or it ended first), then keeps its boot figures in the state for inspect. */
  private async booted(record: ContainerRecord, instance: VmInstance): Promise<void> {
    await instance.guest.running;
    if (record.live !== instance) return;
    record.state = withVmFigures(record.state, instance.vmFigures());
    await this.files?.saveState(record.spec.id, record.state);
  }

  /** Makes a just-started instance the record's live one (in the same tick as its start, so no second start slips in). */
  private launched(record: ContainerRecord, instance: Instance): Instance {
    record.live = instance;
    record.ownedHere = true;
    record.upper = undefined;
    record.state = markRunning(record.state, this.clock.now());
    record.done = instance.ended.then((end) => this.finish(record, instance, end));
    record.health = startHealthMonitor(record.spec, record.state.health, (argv, io) => instance.exec(argv, { ...io, env: record.spec.env, workdir: record.spec.workdir }), (health) => {
      const changed = health.Status !== record.state.health?.Status;
      record.state = withHealth(record.state, health);
      if (changed && record.live === instance) void this.files?.saveState(record.spec.id, record.state).catch(() => undefined);
    });
    this.emitEvent(record, "start");
    return instance;
  }

  /** Starts pid 1 of a container over its overlay root; undefined when it was started meanwhile or cannot run (marked exited). */
  private async startContainer(record: ContainerRecord, io: StreamIo, onError: (text: string) => void): Promise<Instance | undefined> {
    const spec = record.spec;
    const overlay = await this.rootOf(record, "start");
    if (record.live) return undefined;
    const container = this.kernel.createContainer({
      root: overlay.root, id: spec.id, name: spec.name, hostname: spec.hostname, limits: spec.limits,
      allowedSyscalls: spec.syscalls ? new Set(spec.syscalls.allowed) : undefined, refusedErrno: spec.refusedErrno === "EPERM" ? Errno.PERM : Errno.NOSYS,
      readOnlyFs: spec.syscalls ? SYSCALL_PROFILES[spec.syscalls.profile]?.readOnlyFs === true : false,
    });
    overlay.onNoSpace = storageLimitMarker(container);
    if (spec.engine !== "auto") container.engine = spec.engine;
    let program: { path: string; argv: string[]; user?: Credentials };
    let network: AttachedNetwork | undefined;
    try {
      const fs = new FsApi(container.ns);
      for (const mount of spec.mounts) this.kernel.mountHostDir(container.ns, mount);
      fs.mkdirp(spec.workdir);
      program = { ...this.resolveProgram(container.ns, spec), user: containerCredentials(container.ns, spec.user) };
      network = await attachNetwork(this.kernel, container, spec.network ?? networkSpec({}), fs);
      overlay.readOnly = spec.readOnly;
      if (record.live) {
        network.detach();
        return undefined;
      }
    } catch (e) {
      record.upper = undefined;
      record.upperFs = overlay.upper;
      record.ownedHere = true;
      const message = e instanceof Error ? e.message : String(e);
      record.state = markStartFailed(record.state, message, this.clock.now());
      record.settling = this.settle(record, overlay);
      // The start fails, as docker's does: the caller exits 127 or 126 by the message (startExitCode).
      await record.settling;
      throw new RuntimeError(message);
    }
    // What a guest syncs is on disk when its fd_sync returns (the saves run one after another),
    // so a daemon killed after that keeps it; other writes are saved when the container stops.
    if (this.files) container.onSync = this.persistence.upperSaver(record, overlay);
    const instance = new ContainerInstance(this.kernel, container, overlay, spec, program, io, onError);
    record.network = network;
    void instance.ended.then(() => {
      network.detach();
      if (record.network === network) record.network = undefined;
    });
    return this.launched(record, instance);
  }

  /** Boots a VM from a full copy of the image (its command runs under the guest's own init and kernel); undefined when started meanwhile. */
  private async bootVm(record: ContainerRecord, io: StreamIo, onError: (text: string) => void): Promise<Instance | undefined> {
    const spec = record.spec;
    const image = await this.imageOf(spec);
    if (record.live) return undefined;
    let user: Credentials | undefined;
    try {
      user = layerCredentials(image.layers, spec.user);
    } catch (e) {
      // As a container's: the start fails, and the container is exited with the reason (wait returns).
      const message = e instanceof Error ? e.message : String(e);
      record.state = markStartFailed(record.state, message, this.clock.now());
      await this.files?.saveState(spec.id, record.state);
      throw new RuntimeError(message);
    }
    const network = vmNetwork(this.kernel, spec.network, [spec.name, spec.hostname]);
    let ports: AttachedNetwork | undefined;
    if (network && spec.network && spec.network.publish.length > 0) {
      try {
        ports = await publishVmPorts(this.kernel, network, spec.network.publish);
      } catch (e) {
        network.detach();
        const message = e instanceof Error ? e.message : String(e);
        record.state = markStartFailed(record.state, message, this.clock.now());
        await this.files?.saveState(spec.id, record.state);
        throw new RuntimeError(message);
      }
      if (record.live) {
        ports.detach();
        network.detach();
        return undefined;
      }
    }
    let guest: Guest;
    try {
      guest = this.vms.boot(spec, image, user, network, io, (line) => this.kernel.notice(`wasmbox: VM ${spec.name}: ${line}`));
    } catch (e) {
      ports?.detach();
      throw e;
    }
    const instance = new VmInstance(guest, onError, io);
    if (ports) {
      const attached = ports;
      record.network = attached;
      void instance.ended.then(() => {
        attached.detach();
        if (record.network === attached) record.network = undefined;
      });
    }
    return this.launched(record, instance);
  }

  /** pid 1's program: the command found on PATH, under /bin/init when the image has one. */
  private resolveProgram(ns: MountNamespace, spec: ContainerSpec): { path: string; argv: string[] } {
    const argv = [...spec.entrypoint, ...spec.cmd];
    const path = findOnPath(ns, argv[0]!, spec.env);
    if (!path) throw new RuntimeError(`exec: "${argv[0]}": executable file not found in $PATH`);
    if (!isWasmModule(ns, path)) throw new RuntimeError(`exec: "${argv[0]}": permission denied: ${path} is not a WebAssembly module`);
    const canSpawn = !spec.syscalls || spec.syscalls.allowed.includes("proc_spawn");
    if (spec.init && canSpawn && path !== "/bin/init" && isRegularFile(ns, "/bin/init")) return { path: "/bin/init", argv: ["init", path, ...argv.slice(1)] };
    return { path, argv: [argv[0]!, ...argv.slice(1)] };
  }

  /** Records the end of pid 1 (the instance has stopped everything else): state and upper saved. */
  private finish(record: ContainerRecord, instance: Instance, end: InstanceEnd): void {
    if (record.live !== instance) return;
    record.health?.stop();
    record.health = undefined;
    record.state = markExited(record.state, end, this.clock.now());
    record.live = undefined;
    record.log?.close();
    record.stdin?.end();
    record.stdin = undefined;
    if (end.oomKilled) this.emitEvent(record, "oom");
    this.emitEvent(record, "die", { exitCode: String(end.exitCode) });
    if (instance.overlay) record.upperFs = instance.overlay.upper;
    record.settling = this.settle(record, instance.overlay);
  }

  /** Saves an ended instance's upper (containers) and state; removes it if it was --rm; then emits "exit". */
  private async settle(record: ContainerRecord, overlay?: OverlayFs): Promise<void> {
    try {
      if (this.files) {
        // A failed save is in the state (State.Error); the state is saved all the same.
        if (overlay) record.upper = await this.persistence.saveUpper(record, overlay).catch(() => undefined);
        await this.files.saveState(record.spec.id, record.state);
      }
      if (record.spec.autoRemove && this.registry.has(record.spec.id)) {
        this.settlingSelf.add(record);
        try {
          await this.removeNow(record);
        } finally {
          this.settlingSelf.delete(record);
        }
      }
      this.scheduleRestart(record);
    } catch (e) {
      this.kernel.notice(`wasmbox: saving container ${record.spec.id.slice(0, 12)}: ${(e as Error).message}`);
    } finally {
      this.events.emit("exit", record.spec.id, record);
    }
  }

  /** Whether a container that just ended is to be started again by its restart policy (docker's rules). */
  private restartDue(record: ContainerRecord): boolean {
    const policy = record.spec.restart;
    const { state } = record;
    if (!policy || !this.restartPolicies || this.shuttingDown || record.removal || state.manuallyStopped) return false;
    if (policy.name === "always" || policy.name === "unless-stopped") return true;
    return state.exitCode !== 0 && (policy.maximumRetryCount === 0 || state.restartCount < policy.maximumRetryCount);
  }

  /** Starts an ended container again after docker's backoff when its policy says so. */
  private scheduleRestart(record: ContainerRecord): void {
    if (!this.restartDue(record)) return;
    const ranMs = Date.parse(record.state.finishedAt ?? "") - Date.parse(record.state.startedAt ?? "");
    const delay = ranMs >= RESTART_RESET_AFTER_MS || record.restartDelayMs === undefined ? RESTART_FIRST_DELAY_MS : Math.min(record.restartDelayMs * 2, RESTART_MAX_DELAY_MS);
    record.restartDelayMs = delay;
    clearTimeout(record.restartTimer);
    const timer = setTimeout(() => {
      // It reads as restarting until its start is done (a VM boots for a while), as docker's does.
      void this.locked(record.spec.id, async (r) => {
        if (r.live || !this.restartDue(r)) return;
        r.state = markRestarting(r.state);
        await this.startNow(r, {});
      }).catch((e: Error) => this.kernel.notice(`wasmbox: restarting container ${record.spec.id.slice(0, 12)}: ${e.message}`))
        .finally(() => {
          if (record.restartTimer === timer) record.restartTimer = undefined;
        });
    }, delay);
    record.restartTimer = timer;
  }

  /** Starts, as the daemon comes up, the containers whose policy is always (or unless-stopped, not stopped by hand). */
  async restartAtBoot(): Promise<void> {
    if (!this.restartPolicies) return;
    for (const record of this.list(true)) {
      const policy = record.spec.restart?.name;
      if (record.live || record.state.status !== "exited") continue;
      if (policy === "always" || (policy === "unless-stopped" && !record.state.manuallyStopped)) {
        await this.start(record.spec.id).catch((e: Error) => this.kernel.notice(`wasmbox: restarting container ${record.spec.id.slice(0, 12)}: ${e.message}`));
      }
    }
  }

  /** Sends a runtime event to its listeners (the daemon's `events`). */
  private emitEvent(record: ContainerRecord, action: string, attributes: Record<string, string> = {}): void {
    if (this.events.listenerCount("event") === 0) return;
    const ms = Date.now();
    const event: RuntimeEvent = {
      Type: "container", Action: action,
      Actor: { ID: record.spec.id, Attributes: { image: record.spec.image, name: record.spec.name, ...attributes } },
      time: Math.floor(ms / 1000), timeNano: ms * 1_000_000,
    };
    this.events.emit("event", event);
  }

  /** Waits until the container is not running (and its record is saved); returns its exit code. */
  async wait(ref: string): Promise<number> {
    const record = this.find(ref);
    if (record.state.status === "created" && !record.live) {
      // Not started yet: wait for its first end, as docker wait does.
      await new Promise<void>((resolve) => {
        const ended = (id: string) => {
          if (id !== record.spec.id) return;
          this.events.off("exit", ended);
          resolve();
        };
        this.events.on("exit", ended);
      });
    }
    await this.settled(record);
    return record.state.exitCode;
  }

  /** Sends the stop signal, then SIGKILL after the timeout (seconds; the spec's by default). */
  stop(ref: string, timeout?: number): Promise<ContainerRecord> {
    return this.locked(ref, (record) => this.stopNow(record, timeout));
  }

  private async stopNow(record: ContainerRecord, timeout?: number): Promise<ContainerRecord> {
    const live = record.live;
    if (!live && record.state.status === "running") throw new RuntimeError(`container ${record.spec.name} is running in another wasmbox process`, 409);
    clearTimeout(record.restartTimer);
    record.restartTimer = undefined;
    record.state = markStoppedByHand(record.state);
    if (!live) {
      await this.files?.saveState(record.spec.id, record.state);
      return record;
    }
    const seconds = timeout ?? record.spec.stopTimeout;
    this.emitEvent(record, "kill", { signal: String(parseSignal(record.spec.stopSignal)) });
    if (record.state.paused) this.resume(record, live);
    live.signal(parseSignal(record.spec.stopSignal));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), seconds * 1000)));
    const killed = await Promise.race([live.ended.then(() => false), expired]);
    clearTimeout(timer);
    if (killed) {
      live.signal(SIGKILL);
      await live.ended;
    }
    await this.settled(record);
    this.emitEvent(record, "stop");
    return record;
  }

  /** Sends a signal to pid 1 (SIGKILL goes to every process). */
  kill(ref: string, signal = "SIGKILL"): ContainerRecord {
    const record = this.find(ref);
    if (!record.live) throw new RuntimeError(`Cannot kill container: ${ref}: container ${record.spec.id.slice(0, 12)} is not running`, 409);
    const sig = parseSignal(signal);
    record.state = markStoppedByHand(record.state);
    this.emitEvent(record, "kill", { signal: String(sig) });
    // A paused container is unpaused for SIGKILL (its processes must run to die); other signals wait for unpause.
    if (sig === SIGKILL && record.state.paused) this.resume(record, record.live);
    record.live.signal(sig);
    return record;
  }

  /** Stops (if running) and starts again. */
  restart(ref: string, timeout?: number, io: StreamIo = {}): Promise<ContainerRecord> {
    return this.locked(ref, async (record) => {
      await this.stopNow(record, timeout);
      const started = await this.startNow(record, io);
      this.emitEvent(record, "restart");
      return started;
    });
  }

  /** Waits for a running container to end and its state and upper to be saved. */
  private async settled(record: ContainerRecord): Promise<void> {
    await record.done;
    await record.settling;
  }

  /** Removes a container (force: kill it first if running). */
  remove(ref: string, force = false): Promise<ContainerRecord> {
    return this.locked(ref, async (record) => {
      if (record.live) {
        if (!force) throw new RuntimeError(`cannot remove container "/${record.spec.name}": container is running: stop the container before removing or force remove`, 409);
      } else if (record.state.status === "running") {
        throw new RuntimeError(`container ${record.spec.name} is running in another wasmbox process`, 409);
      } else if ((record.restartTimer !== undefined || this.restartDue(record)) && !force) {
        // Waiting for its policy's restart, or just ended with one due (its end still being saved).
        throw new RuntimeError(`cannot remove container "/${record.spec.name}": container is restarting: stop the container before removing or force remove`, 409);
      }
      await this.removeNow(record);
      return record;
    });
  }

  /**
   * Removes a record: kills it if it runs, waits until its end is saved, forgets it, deletes its
   * directory. Also --rm's removal at the end of a run (which cannot wait for the lifecycle lock:
   * a stop holding it waits for that end).
   */
  private removeNow(record: ContainerRecord): Promise<void> {
    return (record.removal ??= (async () => {
      const id = record.spec.id;
      this.removing.add(id);
      clearTimeout(record.restartTimer);
      record.restartTimer = undefined;
      try {
        if (record.live) {
          if (record.state.paused) this.resume(record, record.live);
          record.live.signal(SIGKILL);
          await record.done;
        }
        if (record.settling && !this.settlingSelf.has(record)) await record.settling;
        this.registry.delete(record);
        await this.files?.remove(id);
      } finally {
        this.removing.delete(id);
      }
      this.emitEvent(record, "destroy");
      if (record.state.status === "created") this.events.emit("exit", id, record);
    })());
  }

  /** Removes every stopped container; returns their ids and the bytes their directories held. */
  async prune(): Promise<{ ids: string[]; reclaimedBytes: number }> {
    const removed: string[] = [];
    let reclaimedBytes = 0;
    for (const record of this.list(true)) {
      if (record.live || record.state.status === "running") continue;
      const bytes = (await this.files?.diskUsage(record.spec.id)) ?? 0;
      // One started or removed meanwhile is not pruned (409 or 404 from its lifecycle lock).
      const gone = await this.remove(record.spec.id).then(() => true, (e: unknown) => {
        if (e instanceof RuntimeError) return false;
        throw e;
      });
      if (gone) {
        removed.push(record.spec.id);
        reclaimedBytes += bytes;
      }
    }
    return { ids: removed, reclaimedBytes };
  }

  /** Runs another program in a running container (or VM, through its guest); resolves with its exit code. */
  async exec(ref: string, argv: string[], options: StreamIo & Partial<Pick<ExecOptions, "env" | "workdir" | "user" | "onStart">> = {}): Promise<number> {
    const record = this.find(ref);
    const live = record.live;
    if (!live) throw new RuntimeError(`container ${record.spec.id.slice(0, 12)} is not running`, 409);
    if (argv.length === 0) throw new RuntimeError("exec needs a command");
    return live.exec(argv, { ...options, env: mergeEnv(record.spec.env, options.env ?? []), workdir: options.workdir ?? record.spec.workdir });
  }

  /** The processes of a running container (docker top). */
  top(ref: string): { pid: number; ppid: number; state: string; cpuMs: number; command: string }[] {
    const record = this.find(ref);
    const live = this.sharedKernelOnly(record, "top");
    if (!live) throw new RuntimeError(`container ${record.spec.id.slice(0, 12)} is not running`, 409);
    return live.top();
  }

  /** Resource use of a container or VM (docker stats). */
  async stats(ref: string): Promise<{ id: string; name: string; kind: string; cpuMs: number; uptimeMs: number; memoryBytes: number; memoryLimit?: number; pids: number; storageBytes: number; storageLimit?: number }> {
    const record = this.find(ref);
    const { spec } = record;
    const use = record.live ? await record.live.use() : { cpuMs: 0, memoryBytes: 0, pids: 0, storageBytes: 0 };
    const uptimeMs = record.live && record.state.startedAt ? Math.max(0, Date.now() - Date.parse(record.state.startedAt)) : 0;
    const memoryLimit = spec.vm ? spec.vm.memoryMb * 1024 * 1024 : spec.limits.memoryBytes;
    return { id: spec.id, name: spec.name, kind: kindOf(spec), ...use, uptimeMs, memoryLimit, storageLimit: spec.limits.storageBytes };
  }

  /** What the container changed against its image: docker-diff lines and the layer entries. */
  async changes(ref: string): Promise<{ lines: DiffLine[]; entries: LayerEntry[] }> {
    const record = this.find(ref);
    return this.filesystems.changes(record, this.sharedKernelOnly(record, "diff"));
  }

  /** The image a commit makes: the container's image layers plus its changes as one more layer. */
  async commitParts(ref: string): Promise<{ record: ContainerRecord; image: RunnableImage; layer: LayerEntry[] }> {
    const record = this.find(ref);
    this.sharedKernelOnly(record, "commit");
    const image = await this.imageOf(record.spec);
    const { entries } = await this.changes(ref);
    return { record, image, layer: entries };
  }

  /** The container's whole filesystem as layer entries (docker export), without /dev and /proc contents. */
  async exportEntries(ref: string): Promise<LayerEntry[]> {
    const record = this.find(ref);
    return this.filesystems.exportEntries(record, this.sharedKernelOnly(record, "export"));
  }

  /** Copies a path out of a container (docker cp CONTAINER:PATH -): entries named from its basename. */
  async copyOut(ref: string, path: string): Promise<LayerEntry[]> {
    const record = this.find(ref);
    return this.filesystems.copyOut(record, this.sharedKernelOnly(record, "cp"), ref, path);
  }

  /**
   * Copies entries into a container (docker cp - CONTAINER:PATH). Entries are named from the source's
   * basename `name`: into PATH when it is a directory, else as PATH itself. A stopped one's upper is saved.
   */
  copyIn(ref: string, path: string, entries: LayerEntry[], name: string): Promise<void> {
    return this.locked(ref, (record) => this.filesystems.copyIn(record, this.sharedKernelOnly(record, "cp"), ref, path, entries, name));
  }

  /**
   * Stops every running container and VM, each with its stop timeout (stop signal, then SIGKILL),
   * and waits for their records to be saved; no restart policy fires after it.
   */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const r of this.registry.all()) {
      clearTimeout(r.restartTimer);
      r.restartTimer = undefined;
    }
    const live = [...this.registry.all()].filter((r) => r.live);
    await Promise.all(live.map(async (r) => {
      const instance = r.live!;
      if (r.state.paused) this.resume(r, instance);
      instance.signal(parseSignal(r.spec.stopSignal));
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), r.spec.stopTimeout * 1000)));
      if (await Promise.race([instance.ended.then(() => false), expired])) instance.signal(SIGKILL);
      clearTimeout(timer);
      await this.settled(r);
    }));
  }

  /** docker pause: the scheduler stops running the container's processes (not for VMs). */
  pause(ref: string): Promise<ContainerRecord> {
    return this.locked(ref, async (record) => {
      const live = this.sharedKernelOnly(record, "pause");
      if (!live) throw new RuntimeError(`Container ${record.spec.id.slice(0, 12)} is not running`, 409);
      if (record.state.paused) throw new RuntimeError(`Container ${record.spec.id.slice(0, 12)} is already paused`, 409);
      this.kernel.scheduler.pause(live.container);
      record.state = markPaused(record.state, true);
      await this.files?.saveState(record.spec.id, record.state);
      this.emitEvent(record, "pause");
      return record;
    });
  }

  /** docker unpause: its processes are scheduled again. */
  unpause(ref: string): Promise<ContainerRecord> {
    return this.locked(ref, async (record) => {
      const live = this.sharedKernelOnly(record, "unpause");
      if (!live || !record.state.paused) throw new RuntimeError(`Container ${record.spec.id.slice(0, 12)} is not paused`, 409);
      this.resume(record, live);
      await this.files?.saveState(record.spec.id, record.state);
      return record;
    });
  }

  /** Lets a paused container's processes run again. */
  private resume(record: ContainerRecord, live: Instance): void {
    if (live instanceof ContainerInstance) this.kernel.scheduler.unpause(live.container);
    record.state = markPaused(record.state, false);
    this.emitEvent(record, "unpause");
  }

  /** docker rename: a new name for a container (free, and valid as create's). */
  rename(ref: string, newName: string): Promise<ContainerRecord> {
    return this.locked(ref, async (record) => {
      const oldName = this.registry.rename(record, newName);
      await this.files?.saveSpec(record.spec);
      this.emitEvent(record, "rename", { oldName: "/" + oldName });
      return record;
    });
  }
}

/** Marks a container whose upper ran out of space (limitHit "storage"). */
function storageLimitMarker(container: Container): () => void {
  return () => container.limiter.record("storage");
}

/** Writes text to an output callback as bytes. */
function textWriter(out: (chunk: Uint8Array) => void): (text: string) => void {
  return (text) => out(Buffer.from(text));
}
