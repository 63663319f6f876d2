// containers/: what a container is made from, as data: the spec saved as config.json, its state
// record, the docker-style flags that build a spec (declared as data, shared by run and create),
// sizes and durations, and the named syscall profiles of --syscalls.
import { networkSpec, type NetworkSpec } from "./network.js";
import { readFileSync } from "node:fs";
import { posix, resolve } from "node:path";
import {
  SIGABRT, SIGALRM, SIGBUS, SIGCHLD, SIGCONT, SIGFPE, SIGHUP, SIGILL, SIGINT, SIGKILL, SIGPIPE, SIGQUIT, SIGSEGV,
  SIGSTOP, SIGTERM, SIGTRAP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGUSR1, SIGUSR2, SIGWINCH, type DirMount,
  type EngineChoice, type ContainerLimits, type LimitHit,
} from "../kernel/host.js";
import { DEFAULT_LOG_OPTIONS, type LogOptions } from "./logs.js";
import type { HealthcheckConfig } from "../images/oci.js";
import type { HealthcheckOverride, HealthState } from "./health.js";
import { parseGoDuration } from "../images/duration.js";

/** What an instance is: a container on the daemon's shared kernel, or a VM (a hypervisor guest with its own kernel). */
export type InstanceKind = "container" | "vm";

/** How a container was asked for: saved as `config.json`, never changed after create. */
export interface ContainerSpec {
  id: string;
  name: string;
  created: string;
  /** The image as the user named it, and its id (config digest). */
  image: string;
  imageId: string;
  entrypoint: string[];
  cmd: string[];
  /** `--user` or the image's USER (`name[:group]` or `uid[:gid]`), resolved against the container's /etc/passwd at start. */
  user?: string;
  env: string[];
  workdir: string;
  hostname: string;
  mounts: DirMount[];
  limits: Partial<ContainerLimits> & { storageBytes?: number };
  /** Seconds between the stop signal and SIGKILL. */
  stopTimeout: number;
  stopSignal: string;
  readOnly: boolean;
  /** `--syscalls`: the profile name (or file) and the names it allows; none = all. */
  syscalls?: { profile: string; allowed: string[] };
  refusedErrno: "ENOSYS" | "EPERM";
  engine: EngineChoice;
  autoRemove: boolean;
  tty: boolean;
  interactive: boolean;
  /** Run the image's /bin/init as pid 1 (when it has one) with the command as its arguments. */
  init: boolean;
  /** Container or VM, chosen at create (`--vm`); absent in configs written before VMs: a container. */
  kind?: InstanceKind;
  /** A VM's memory (MiB: heap limit and cap on its processes' memory) and virtual CPUs. */
  vm?: { memoryMb: number; cpus: number };
  /** `--log-opt`: rotate its log past maxSize bytes, keep maxFile files (absent: the defaults). */
  log?: LogOptions;
  /** The image's HEALTHCHECK merged with the --health-* flags (absent: none, or NONE); the image's SHELL for CMD-SHELL. */
  healthcheck?: HealthcheckConfig;
  shell?: string[];
  /** The image's EXPOSE ports (`80/tcp`), for inspect and for -P to publish; its LABELs with `--label`s over them. */
  exposedPorts?: string[];
  labels?: Record<string, string>;
  /** `--network`, `-p`, `--host-outbound` (absent in configs written before networks: the default bridge). */
  network?: NetworkSpec;
  /** `--restart`: when the daemon starts it again after it ends (absent: never). */
  restart?: RestartPolicy;
}

/** docker's restart policies; maximumRetryCount bounds on-failure (0: no bound). */
export interface RestartPolicy {
  name: "no" | "on-failure" | "always" | "unless-stopped";
  maximumRetryCount: number;
}

/** Parses --label KEY=VALUE (a bare KEY has an empty value, as docker's). */
function parseLabels(values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf("=");
    const key = eq < 0 ? value : value.slice(0, eq);
    if (!key) throw new SpecError(`--label ${value}: expected KEY=VALUE`);
    labels[key] = eq < 0 ? "" : value.slice(eq + 1);
  }
  return labels;
}

/** Parses --restart no|on-failure[:N]|always|unless-stopped. */
export function parseRestartPolicy(text: string): RestartPolicy {
  const m = /^(no|on-failure|always|unless-stopped)(?::(\d+))?$/.exec(text.trim());
  if (!m) throw new SpecError(`invalid restart policy '${text}': expected no, on-failure[:N], always or unless-stopped`);
  if (m[2] !== undefined && m[1] !== "on-failure") throw new SpecError(`invalid restart policy '${text}': only on-failure takes a maximum retry count`);
  return { name: m[1] as RestartPolicy["name"], maximumRetryCount: m[2] === undefined ? 0 : Number(m[2]) };
}

/** The kind of an instance (configs written before VMs are containers). */
export function kindOf(spec: ContainerSpec): InstanceKind {
  return spec.kind ?? "container";
}

export type ContainerStatus = "created" | "running" | "exited";

/** What happened to a container: saved as `state.json` on every change. */
export interface ContainerState {
  status: ContainerStatus;
  exitCode: number;
  oomKilled: boolean;
  limitHit?: LimitHit;
  error?: string;
  startedAt?: string;
  finishedAt?: string;
  restartCount: number;
  /** Stopped by stop or kill (not by its own end): restart policies other than always leave it stopped. */
  manuallyStopped?: boolean;
  /** Paused (`pause`): its processes are not scheduled until `unpause`. */
  paused?: boolean;
  /** Syscalls its allow-list refused, most recent last (at most 100 kept). */
  refusedCalls: string[];
  /** A VM's figures from its last boot: bytes of its private disk copy, ms until its kernel was up and until pid 1 ran. */
  vm?: VmFigures;
  /** State.Health while it has a health check (containers/health.ts). */
  health?: HealthState;
}

/** What a VM's last boot measured. */
export interface VmFigures {
  diskBytes: number;
  kernelUpMs?: number;
  bootMs?: number;
}

/** A fresh state for a created container. */
export function createdState(): ContainerState {
  return { status: "created", exitCode: 0, oomKilled: false, restartCount: 0, refusedCalls: [] };
}

/** What `run`/`create` take besides the image and command (the parsed flags). */
export interface CreateOptions {
  name?: string;
  env?: string[];
  envFile?: string[];
  volume?: string[];
  workdir?: string;
  hostname?: string;
  entrypoint?: string;
  user?: string;
  engine?: string;
  memory?: string;
  pidsLimit?: string;
  ulimit?: string[];
  storageLimit?: string;
  cpus?: string;
  cpuShares?: string;
  stopTimeout?: string;
  stopSignal?: string;
  cpuTime?: string;
  timeLimit?: string;
  readOnly?: boolean;
  syscalls?: string;
  syscallErrno?: string;
  rm?: boolean;
  tty?: boolean;
  interactive?: boolean;
  init?: boolean;
  vm?: boolean;
  vmMemory?: string;
  vmCpus?: string;
  logOpt?: string[];
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthStartPeriod?: string;
  healthStartInterval?: string;
  healthRetries?: string;
  /** false: --no-healthcheck. */
  healthcheck?: boolean;
  network?: string;
  publish?: string[];
  hostOutbound?: boolean;
  restart?: string;
  label?: string[];
}

/** The flags of run and create, as data: [flags, description, repeatable]. */
export const CREATE_FLAGS: ReadonlyArray<[string, string, boolean?]> = [
  ["--name <name>", "assign a name to the container"],
  ["-e, --env <K=V>", "set an environment variable (a bare K takes the CLI's value); repeatable", true],
  ["--env-file <file>", "read K=V lines from a file; repeatable", true],
  ["-v, --volume <HOST:GUEST[:ro]>", "bind-mount a host directory; repeatable", true],
  ["-w, --workdir <dir>", "working directory inside the container"],
  ["--hostname <name>", "container hostname (default: the short id)"],
  ["--entrypoint <path>", "override the image's entrypoint"],
  ["--health-cmd <command>", "the command that checks health (run by the shell; replaces the image's HEALTHCHECK CMD)"],
  ["--health-interval <duration>", "time between health checks (e.g. 30s, 500ms)"],
  ["--health-timeout <duration>", "longest a health check may run"],
  ["--health-start-period <duration>", "failures in this time after start do not count"],
  ["--health-start-interval <duration>", "time between health checks during the start period"],
  ["--health-retries <n>", "failures in a row that make it unhealthy"],
  ["--no-healthcheck", "disable the image's HEALTHCHECK"],
  ["-u, --user <user[:group]>", "run as this user (name or uid, from the image's /etc/passwd; default the image's USER)"],
  ["--engine <kind>", "auto, inline (JSPI) or worker", ],
  ["-m, --memory <size>", "linear memory limit across its processes (e.g. 64m)"],
  ["--pids-limit <n>", "most live processes"],
  ["--ulimit <nofile=N>", "per-process limits (nofile=N[:M]); repeatable", true],
  ["--storage-limit <size>", "most bytes the writable layer may hold"],
  ["--cpus <n>", "CPU weight as a number of CPUs (1 = 1024 shares)"],
  ["-c, --cpu-shares <n>", "relative CPU weight (default 1024)"],
  ["--stop-timeout <seconds>", "seconds to wait after the stop signal before SIGKILL (default 10)"],
  ["--stop-signal <signal>", "signal that stop sends first (default SIGTERM)"],
  ["--cpu-time <duration>", "kill the container after this much CPU time (e.g. 5s)"],
  ["--time-limit <duration>", "kill the container after this much wall-clock time (e.g. 30s)"],
  ["--read-only", "mount the root filesystem read-only"],
  ["--syscalls <profile>", "syscall allow-list: default, no-spawn, readonly-fs, minimal, or a file of names"],
  ["--syscall-errno <errno>", "what a refused syscall returns: ENOSYS (default) or EPERM"],
  ["--rm", "remove the container when it exits"],
  ["-t, --tty", "give the container a terminal"],
  ["-i, --interactive", "keep standard input open"],
  ["--no-init", "run the command as pid 1 even when the image has /bin/init"],
  ["--vm", "make it a VM: its own isolate, kernel and copy of the image (ps shows KIND vm)"],
  ["--vm-memory <size>", "with --vm: the guest's memory, its heap limit and its processes' cap (default 256m)"],
  ["--vm-cpus <n>", "with --vm: virtual CPUs; 1 runs every guest process on the guest's thread (default 1)"],
  ["-l, --label <KEY=VALUE>", "set metadata on the container (ps --filter label=KEY[=VALUE]); repeatable", true],
  ["--restart <policy>", "restart when it ends: no (default), on-failure[:N], always, unless-stopped (the daemon restarts it, with docker's backoff)"],
  ["--log-opt <K=V>", "log rotation: max-size=SIZE (default 20m), max-file=N (default 5); repeatable", true],
  ["--network <name>", "bridge (default), none (loopback only), host (the host's network, through node:net) or a user network"],
  ["-p, --publish <[HOSTIP:]HOSTPORT:CONTAINERPORT>", "publish a container port on a host port (HOSTIP defaults to 0.0.0.0); repeatable", true],
  ["--host-outbound", "let a bridge container connect to host addresses (through node:net, as a NAT would)"],
];

/** Parses --log-opt max-size=SIZE and max-file=N (docker's local driver's options) over the defaults. */
export function parseLogOptions(values: readonly string[]): LogOptions {
  const options = { ...DEFAULT_LOG_OPTIONS };
  for (const value of values) {
    const m = /^(max-size|max-file)=(.*)$/.exec(value);
    if (!m) throw new SpecError(`--log-opt ${value}: expected max-size=SIZE or max-file=N`);
    if (m[1] === "max-size") options.maxSize = parseSize(m[2]!, "--log-opt max-size");
    else options.maxFile = parseCount(m[2]!, "--log-opt max-file");
  }
  if (options.maxSize < 4096) throw new SpecError(`--log-opt max-size: at least 4k`);
  if (options.maxFile < 1) throw new SpecError(`--log-opt max-file: at least 1`);
  return options;
}

/** The CreateOptions key of a flag (`--pids-limit` pidsLimit, `--no-init` init) and the kind of value it takes. */
function optionOf(flags: string): { key: string; kind: "string" | "strings" | "boolean" } {
  const long = /--(?:no-)?([a-z-]+)/.exec(flags)![1]!;
  const key = long.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
  const repeatable = CREATE_FLAGS.find(([f]) => f === flags)?.[2];
  return { key, kind: !flags.includes("<") ? "boolean" : repeatable ? "strings" : "string" };
}

/** Checks CreateOptions that came as JSON (the daemon's create body): every key a flag, every value of its flag's type. */
export function checkCreateOptions(value: unknown): CreateOptions {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new SpecError("options must be a JSON object");
  const kinds = new Map(CREATE_FLAGS.map(([flags]) => optionOf(flags)).map((o) => [o.key, o.kind]));
  for (const [key, v] of Object.entries(value)) {
    const kind = kinds.get(key);
    if (!kind) throw new SpecError(`unknown option: ${key}`);
    if (v === undefined || v === null) continue;
    const ok = kind === "boolean" ? typeof v === "boolean" : kind === "string" ? typeof v === "string" : Array.isArray(v) && v.every((x) => typeof x === "string");
    if (!ok) throw new SpecError(`option ${key} must be ${kind === "strings" ? "a list of strings" : `a ${kind}`}`);
  }
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as CreateOptions;
}

/** Flags that shape a container on the shared kernel and mean nothing to a VM: [option, flag]. */
const CONTAINER_ONLY: ReadonlyArray<[keyof CreateOptions, string]> = [
  ["volume", "--volume"], ["readOnly", "--read-only"], ["syscalls", "--syscalls"], ["syscallErrno", "--syscall-errno"],
  ["storageLimit", "--storage-limit"], ["memory", "--memory (use --vm-memory)"], ["pidsLimit", "--pids-limit"], ["ulimit", "--ulimit"],
  ["cpuTime", "--cpu-time"], ["timeLimit", "--time-limit"], ["cpus", "--cpus (use --vm-cpus)"], ["cpuShares", "--cpu-shares"],
  ["publish", "--publish"], ["network", "--network"], ["hostOutbound", "--host-outbound"],
];

/** Parses --vm-memory: a size (256m, 1g) or a bare number of MiB; at least 16m. Returns MiB. */
export function parseVmMemoryMb(text: string): number {
  const mb = /^\d+$/.test(text.trim()) ? Number(text) : parseSize(text, "--vm-memory") / 1024 ** 2;
  if (!(mb >= 16)) throw new SpecError(`--vm-memory ${text}: a VM needs at least 16m`);
  return Math.floor(mb);
}

/** The VM part of a spec: undefined without --vm; container-only flags are refused with it. */
function vmOptions(options: CreateOptions): ContainerSpec["vm"] {
  if (!options.vm) {
    if (options.vmMemory !== undefined || options.vmCpus !== undefined) throw new SpecError("--vm-memory and --vm-cpus need --vm");
    return undefined;
  }
  for (const [key, flag] of CONTAINER_ONLY) {
    const value = options[key];
    if (value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0)) throw new SpecError(`${flag} is not supported with --vm (a VM has its own kernel and disk)`);
  }
  const cpus = options.vmCpus === undefined ? 1 : Number(options.vmCpus);
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 64) throw new SpecError(`--vm-cpus ${options.vmCpus}: expected a whole number from 1 to 64`);
  return { memoryMb: options.vmMemory === undefined ? 256 : parseVmMemoryMb(options.vmMemory), cpus };
}

/** Parses a size: bytes, or a number with b/k/m/g (docker's units, powers of 1024). */
export function parseSize(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg])?i?b?$/i.exec(text.trim());
  if (!m) throw new SpecError(`${flag} ${text}: expected a size such as 512k, 64m or 1g`);
  const unit = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? "b").toLowerCase() as "b"];
  return Math.floor(Number(m[1]) * unit);
}

/** Parses a duration: seconds, or a number with ms/s/m/h. Returns milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new SpecError(`${flag} ${text}: expected a duration such as 500ms, 10s or 2m`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "s"];
  return Math.round(Number(m[1]) * unit);
}

function parseCount(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new SpecError(`${flag} ${text}: expected a whole number`);
  return Number(text);
}

/** A bad flag or spec; the CLI prints the message and exits 125, as docker does. */
export class SpecError extends Error {}

/** Syscalls that change the filesystem (refused by the readonly-fs profile). */
const FS_WRITE_CALLS = [
  "path_create_directory", "path_link", "path_rename", "path_symlink", "path_unlink_file", "path_remove_directory",
  "path_filestat_set_times", "fd_filestat_set_times", "fd_filestat_set_size", "fd_allocate", "fd_pwrite",
];
/** What a program needs to print and exit (the minimal profile). */
const MINIMAL_CALLS = [
  "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "fd_write", "fd_read", "fd_close", "fd_fdstat_get",
  "fd_prestat_get", "fd_prestat_dir_name", "fd_seek", "clock_time_get", "clock_res_get", "random_get", "proc_exit", "sched_yield",
];

/**
 * The named syscall profiles: each maps every syscall name of the kernel to the allowed subset;
 * `readOnlyFs` also has the kernel check the flags and rights of the calls it allows (path_open
 * with CREAT/TRUNC/write rights, fd_write to a regular file: EROFS), not only their names.
 */
export const SYSCALL_PROFILES: Record<string, { description: string; allow(all: readonly string[]): string[] | undefined; readOnlyFs?: boolean }> = {
  default: { description: "every syscall", allow: () => undefined },
  "no-spawn": { description: "everything but proc_spawn", allow: (all) => all.filter((n) => n !== "proc_spawn") },
  "readonly-fs": { description: "no calls that change files or directories", allow: (all) => all.filter((n) => !FS_WRITE_CALLS.includes(n)), readOnlyFs: true },
  minimal: { description: "args, environment, stdio, clocks, random and exit", allow: (all) => all.filter((n) => MINIMAL_CALLS.includes(n)) },
};

/** Resolves --syscalls: a profile name, or a file with one syscall name per line (# comments). */
export function syscallProfile(value: string, all: readonly string[], cwd: string): ContainerSpec["syscalls"] {
  const named = SYSCALL_PROFILES[value];
  if (named) {
    const allowed = named.allow(all);
    return allowed ? { profile: value, allowed } : undefined;
  }
  let text: string;
  try {
    text = readFileSync(resolve(cwd, value), "utf8");
  } catch {
    throw new SpecError(`--syscalls ${value}: neither a profile (${Object.keys(SYSCALL_PROFILES).join(", ")}) nor a readable file`);
  }
  const names = text.split("\n").map((l) => l.replace(/#.*/, "").trim()).filter(Boolean);
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length) throw new SpecError(`--syscalls ${value}: unknown syscalls: ${unknown.join(", ")}`);
  return { profile: value, allowed: names };
}

/** Parses -v HOST:GUEST[:ro|:rw]. */
export function parseVolume(value: string, cwd: string): DirMount {
  const parts = value.split(":");
  let readOnly = false;
  if (parts.length === 3) {
    if (parts[2] !== "ro" && parts[2] !== "rw") throw new SpecError(`-v ${value}: mode must be ro or rw`);
    readOnly = parts[2] === "ro";
  } else if (parts.length !== 2) {
    throw new SpecError(`-v ${value}: expected HOST:GUEST[:ro]`);
  }
  const [host, given] = parts as [string, string];
  if (!host || !given.startsWith("/")) throw new SpecError(`-v ${value}: the guest path must be absolute`);
  // `/a/../x` is `/x`: a mount point is made by name, and a directory literally named ".." could never be saved.
  const guest = posix.normalize(given).replace(/(.)\/+$/, "$1");
  if (guest === "/") throw new SpecError(`-v ${value}: cannot mount over the container's root`);
  return { host: resolve(cwd, host), guest, readOnly };
}

/** Reads --env-file lines (K=V, a bare K takes the CLI's value; # comments and blank lines skipped). */
export function readEnvFile(file: string, cwd: string, env: Record<string, string | undefined>): string[] {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), "utf8");
  } catch (e) {
    throw new SpecError(`--env-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map((l) => envPair(l, env)).filter((l): l is string => !!l);
}

function envPair(value: string, env: Record<string, string | undefined>): string | undefined {
  if (value.includes("=")) return value;
  return env[value] === undefined ? undefined : `${value}=${env[value]}`;
}

/** Merges `KEY=value` lists; later ones win. */
export function mergeEnv(...lists: string[][]): string[] {
  const map = new Map<string, string>();
  for (const list of lists) for (const pair of list) {
    const eq = pair.indexOf("=");
    map.set(eq < 0 ? pair : pair.slice(0, eq), pair);
  }
  return [...map.values()];
}

/** The image-independent part of a spec, from the flags (the runtime adds image, id and command). */
export function specFromOptions(
  options: CreateOptions,
  context: { cwd: string; env: Record<string, string | undefined>; syscallNames: readonly string[] },
): Omit<ContainerSpec, "id" | "name" | "created" | "image" | "imageId" | "entrypoint" | "cmd" | "hostname" | "workdir" | "healthcheck"> & { name?: string; hostname?: string; workdir?: string; entrypoint?: string[]; healthcheck?: HealthcheckOverride } {
  const vm = vmOptions(options);
  const limits: ContainerSpec["limits"] = {};
  if (options.memory !== undefined) limits.memoryBytes = parseSize(options.memory, "--memory");
  if (options.pidsLimit !== undefined) limits.pids = parseCount(options.pidsLimit, "--pids-limit");
  for (const u of options.ulimit ?? []) {
    const m = /^nofile=(\d+)(?::(\d+))?$/.exec(u);
    if (!m) throw new SpecError(`--ulimit ${u}: only nofile=N[:M] is supported`);
    limits.nofile = Number(m[1]);
  }
  if (options.storageLimit !== undefined) limits.storageBytes = parseSize(options.storageLimit, "--storage-limit");
  if (options.cpus !== undefined) {
    const cpus = Number(options.cpus);
    if (!(cpus > 0)) throw new SpecError(`--cpus ${options.cpus}: expected a positive number`);
    limits.cpuShares = Math.max(2, Math.round(cpus * 1024));
  }
  if (options.cpuShares !== undefined) limits.cpuShares = Math.max(2, parseCount(options.cpuShares, "--cpu-shares"));
  if (options.cpuTime !== undefined) limits.cpuTimeMs = parseDuration(options.cpuTime, "--cpu-time");
  if (options.timeLimit !== undefined) limits.wallTimeMs = parseDuration(options.timeLimit, "--time-limit");
  const engine = (options.engine ?? "auto") as EngineChoice;
  if (!["auto", "inline", "worker"].includes(engine)) throw new SpecError(`--engine ${engine}: expected auto, inline or worker`);
  const errno = (options.syscallErrno ?? "ENOSYS").toUpperCase();
  if (errno !== "ENOSYS" && errno !== "EPERM") throw new SpecError(`--syscall-errno ${errno}: expected ENOSYS or EPERM`);
  const restart = options.restart === undefined ? undefined : parseRestartPolicy(options.restart);
  if (restart && restart.name !== "no" && options.rm) throw new SpecError("conflicting options: --restart and --rm");
  const env = mergeEnv(
    ...(options.envFile ?? []).map((f) => readEnvFile(f, context.cwd, context.env)),
    (options.env ?? []).map((e) => envPair(e, context.env)).filter((e): e is string => !!e),
  );
  return {
    name: options.name,
    hostname: options.hostname,
    workdir: options.workdir,
    entrypoint: options.entrypoint !== undefined ? (options.entrypoint ? [options.entrypoint] : []) : undefined,
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...healthOverride(options),
    env,
    mounts: (options.volume ?? []).map((v) => parseVolume(v, context.cwd)),
    limits,
    stopTimeout: options.stopTimeout !== undefined ? parseCount(options.stopTimeout, "--stop-timeout") : 10,
    stopSignal: options.stopSignal ?? "SIGTERM",
    readOnly: !!options.readOnly,
    syscalls: options.syscalls ? syscallProfile(options.syscalls, context.syscallNames, context.cwd) : undefined,
    refusedErrno: errno,
    engine,
    autoRemove: !!options.rm,
    tty: !!options.tty,
    interactive: !!options.interactive,
    init: options.init !== false,
    kind: vm ? "vm" : "container",
    ...(options.logOpt?.length ? { log: parseLogOptions(options.logOpt) } : {}),
    ...(vm ? {} : { network: networkSpec(options) }),
    ...(restart && restart.name !== "no" ? { restart } : {}),
    ...(options.label?.length ? { labels: parseLabels(options.label) } : {}),
    ...(vm ? { vm } : {}),
  };
}

/** The --health-* flags as an override of the image's HEALTHCHECK (durations in ns, as the config keeps them). */
function healthOverride(options: CreateOptions): { healthcheck?: HealthcheckOverride } {
  const override: HealthcheckOverride = {};
  if (options.healthcheck === false) override.disable = true;
  if (options.healthCmd !== undefined) override.Test = ["CMD-SHELL", options.healthCmd];
  const durations = [["healthInterval", "Interval", "--health-interval"], ["healthTimeout", "Timeout", "--health-timeout"], ["healthStartPeriod", "StartPeriod", "--health-start-period"], ["healthStartInterval", "StartInterval", "--health-start-interval"]] as const;
  for (const [option, field, flag] of durations) {
    const text = options[option];
    if (text === undefined) continue;
    try {
      override[field] = parseGoDuration(text);
    } catch (e) {
      throw new SpecError(`${flag} ${text}: ${(e as Error).message}`);
    }
  }
  if (options.healthRetries !== undefined) override.Retries = parseCount(options.healthRetries, "--health-retries");
  return Object.keys(override).length ? { healthcheck: override } : {};
}

/** Signal numbers by name (with or without SIG), as kill -s takes them. */
export const SIGNALS: Record<string, number> = {
  HUP: SIGHUP, INT: SIGINT, QUIT: SIGQUIT, ILL: SIGILL, TRAP: SIGTRAP, ABRT: SIGABRT, BUS: SIGBUS, FPE: SIGFPE,
  KILL: SIGKILL, USR1: SIGUSR1, SEGV: SIGSEGV, USR2: SIGUSR2, PIPE: SIGPIPE, ALRM: SIGALRM, TERM: SIGTERM,
  CHLD: SIGCHLD, CONT: SIGCONT, STOP: SIGSTOP, TSTP: SIGTSTP, TTIN: SIGTTIN, TTOU: SIGTTOU, URG: SIGURG, WINCH: SIGWINCH,
};

/** Parses a signal given by number or name. */
export function parseSignal(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const n = SIGNALS[text.toUpperCase().replace(/^SIG/, "")];
  if (n === undefined) throw new SpecError(`invalid signal: ${text}`);
  return n;
}
