// containers/: the options of run, create and exec, declared once as a table, and the one parser
// that turns them (commander's values or the daemon's JSON) into a typed, checked part of a spec.
import { readFileSync } from "node:fs";
import { posix, resolve } from "node:path";
import type { DirMount, EngineChoice } from "../kernel/host.js";
import { parseGoDuration } from "../images/duration.js";
import type { HealthcheckOverride } from "./health.js";
import { DEFAULT_LOG_OPTIONS, type LogOptions } from "./logs.js";
import { networkSpec } from "./network.js";
import { parseCount, parseDuration, parseSignal, parseSize, SpecError, SYSCALL_PROFILES, type ContainerSpec, type RestartPolicy } from "./spec.js";

/** What a flag takes: a value, a repeatable value (a list), or nothing (a switch; `--no-X` sets X false). */
export type FlagKind = "string" | "strings" | "boolean";

/** One option: commander's spelling, its key in the parsed options (commander's camel case), its kind and help. */
export interface FlagDeclaration {
  readonly flags: string;
  readonly key: string;
  readonly kind: FlagKind;
  readonly description: string;
  /** A flag that shapes a container on the shared kernel and means nothing to a VM (true, or the VM flag to use instead). */
  readonly containerOnly?: true | string;
}

/** The flags of run and create, as data. */
export const CREATE_FLAGS = [
  { flags: "--name <name>", key: "name", kind: "string", description: "assign a name to the container" },
  { flags: "-e, --env <K=V>", key: "env", kind: "strings", description: "set an environment variable (a bare K takes the CLI's value); repeatable" },
  { flags: "--env-file <file>", key: "envFile", kind: "strings", description: "read K=V lines from a file; repeatable" },
  { flags: "-v, --volume <HOST:GUEST[:ro]>", key: "volume", kind: "strings", containerOnly: true, description: "bind-mount a host directory; repeatable" },
  { flags: "-w, --workdir <dir>", key: "workdir", kind: "string", description: "working directory inside the container" },
  { flags: "--hostname <name>", key: "hostname", kind: "string", description: "container hostname (default: the short id)" },
  { flags: "--entrypoint <path>", key: "entrypoint", kind: "string", description: "override the image's entrypoint" },
  { flags: "--health-cmd <command>", key: "healthCmd", kind: "string", description: "the command that checks health (run by the shell; replaces the image's HEALTHCHECK CMD)" },
  { flags: "--health-interval <duration>", key: "healthInterval", kind: "string", description: "time between health checks (e.g. 30s, 500ms)" },
  { flags: "--health-timeout <duration>", key: "healthTimeout", kind: "string", description: "longest a health check may run" },
  { flags: "--health-start-period <duration>", key: "healthStartPeriod", kind: "string", description: "failures in this time after start do not count" },
  { flags: "--health-start-interval <duration>", key: "healthStartInterval", kind: "string", description: "time between health checks during the start period" },
  { flags: "--health-retries <n>", key: "healthRetries", kind: "string", description: "failures in a row that make it unhealthy" },
  { flags: "--no-healthcheck", key: "healthcheck", kind: "boolean", description: "disable the image's HEALTHCHECK" },
  { flags: "-u, --user <user[:group]>", key: "user", kind: "string", description: "run as this user (name or uid, from the image's /etc/passwd; default the image's USER)" },
  { flags: "--engine <kind>", key: "engine", kind: "string", description: "auto, inline (JSPI) or worker" },
  { flags: "-m, --memory <size>", key: "memory", kind: "string", containerOnly: "use --vm-memory", description: "linear memory limit across its processes (e.g. 64m)" },
  { flags: "--pids-limit <n>", key: "pidsLimit", kind: "string", containerOnly: true, description: "most live processes" },
  { flags: "--ulimit <nofile=N>", key: "ulimit", kind: "strings", containerOnly: true, description: "per-process limits (nofile=N[:M]); repeatable" },
  { flags: "--storage-limit <size>", key: "storageLimit", kind: "string", containerOnly: true, description: "most bytes the writable layer may hold" },
  { flags: "--cpus <n>", key: "cpus", kind: "string", containerOnly: "use --vm-cpus", description: "CPU weight as a number of CPUs (1 = 1024 shares)" },
  { flags: "-c, --cpu-shares <n>", key: "cpuShares", kind: "string", containerOnly: true, description: "relative CPU weight (default 1024)" },
  { flags: "--stop-timeout <seconds>", key: "stopTimeout", kind: "string", description: "seconds to wait after the stop signal before SIGKILL (default 10)" },
  { flags: "--stop-signal <signal>", key: "stopSignal", kind: "string", description: "signal that stop sends first (default SIGTERM)" },
  { flags: "--cpu-time <duration>", key: "cpuTime", kind: "string", containerOnly: true, description: "kill the container after this much CPU time (e.g. 5s)" },
  { flags: "--time-limit <duration>", key: "timeLimit", kind: "string", containerOnly: true, description: "kill the container after this much wall-clock time (e.g. 30s)" },
  { flags: "--read-only", key: "readOnly", kind: "boolean", containerOnly: true, description: "mount the root filesystem read-only" },
  { flags: "--syscalls <profile>", key: "syscalls", kind: "string", containerOnly: true, description: "syscall allow-list: default, no-spawn, readonly-fs, minimal, or a file of names" },
  { flags: "--syscall-errno <errno>", key: "syscallErrno", kind: "string", containerOnly: true, description: "what a refused syscall returns: ENOSYS (default) or EPERM" },
  { flags: "--rm", key: "rm", kind: "boolean", description: "remove the container when it exits" },
  { flags: "-t, --tty", key: "tty", kind: "boolean", description: "give the container a terminal (a VM: its guest kernel's terminal)" },
  { flags: "-i, --interactive", key: "interactive", kind: "boolean", description: "keep standard input open (a VM's console too)" },
  { flags: "--no-init", key: "init", kind: "boolean", description: "run the command as pid 1 even when the image has /bin/init" },
  { flags: "--vm", key: "vm", kind: "boolean", description: "make it a VM: its own isolate, kernel and copy of the image (ps shows KIND vm)" },
  { flags: "--vm-memory <size>", key: "vmMemory", kind: "string", description: "with --vm: the guest's memory, its heap limit and its processes' cap (default 256m)" },
  { flags: "--vm-cpus <n>", key: "vmCpus", kind: "string", description: "with --vm: virtual CPUs; 1 runs every guest process on the guest's thread (default 1)" },
  { flags: "-l, --label <KEY=VALUE>", key: "label", kind: "strings", description: "set metadata on the container (ps --filter label=KEY[=VALUE]); repeatable" },
  { flags: "--restart <policy>", key: "restart", kind: "string", description: "restart when it ends: no (default), on-failure[:N], always, unless-stopped (the daemon restarts it, with docker's backoff)" },
  { flags: "--log-opt <K=V>", key: "logOpt", kind: "strings", description: "log rotation: max-size=SIZE (default 20m), max-file=N (default 5); repeatable" },
  { flags: "--network <name>", key: "network", kind: "string", description: "bridge (default), none (loopback only), host (the host's network, through node:net) or a user network" },
  { flags: "-p, --publish <[HOSTIP:]HOSTPORT:CONTAINERPORT[/udp]>", key: "publish", kind: "strings", description: "publish a container port on a host port, TCP or with /udp UDP (a VM's: TCP only; HOSTIP defaults to 0.0.0.0); repeatable" },
  { flags: "--host-outbound", key: "hostOutbound", kind: "boolean", containerOnly: true, description: "let a bridge container connect to host addresses (through node:net, as a NAT would)" },
] as const satisfies readonly FlagDeclaration[];

/** The flags of exec. */
export const EXEC_FLAGS = [
  { flags: "-i, --interactive", key: "interactive", kind: "boolean", description: "pass standard input" },
  { flags: "-t, --tty", key: "tty", kind: "boolean", description: "give it a terminal" },
  { flags: "-e, --env <K=V>", key: "env", kind: "strings", description: "set an environment variable (a bare K takes the CLI's value); repeatable" },
  { flags: "-w, --workdir <dir>", key: "workdir", kind: "string", description: "working directory" },
  { flags: "-u, --user <user[:group]>", key: "user", kind: "string", description: "run as this user (default the container's)" },
] as const satisfies readonly FlagDeclaration[];

/** The value each kind of flag has once parsed. */
interface KindValue {
  string: string;
  strings: string[];
  boolean: boolean;
}

/** The parsed options of a flag table: each key optional, typed by its flag's kind. */
export type OptionsOf<Table extends readonly FlagDeclaration[]> = { [F in Table[number] as F["key"]]?: KindValue[F["kind"]] };

/** What `run`/`create` take besides the image and command (the parsed flags). */
export type CreateOptions = OptionsOf<typeof CREATE_FLAGS>;

/** What `exec` takes besides the container and command. */
export type ExecFlags = OptionsOf<typeof EXEC_FLAGS>;

/** The given values of a table's flags (commander's parsed flags, or JSON); `strict` refuses keys that are no flag. */
function givenValues(table: readonly FlagDeclaration[], values: unknown, strict: boolean): Map<string, unknown> {
  if (typeof values !== "object" || values === null || Array.isArray(values)) throw new SpecError("options must be a JSON object");
  const keys = new Set(table.map((flag) => flag.key));
  const given = new Map<string, unknown>();
  for (const [key, value] of Object.entries(values)) {
    if (!keys.has(key)) {
      if (strict) throw new SpecError(`unknown option: ${key}`);
      continue;
    }
    if (value !== undefined && value !== null) given.set(key, value);
  }
  return given;
}

function booleanValue(flag: FlagDeclaration, value: unknown): boolean {
  if (typeof value !== "boolean") throw new SpecError(`option ${flag.key} must be a boolean`);
  return value;
}

function stringValue(flag: FlagDeclaration, value: unknown): string {
  if (typeof value !== "string") throw new SpecError(`option ${flag.key} must be a string`);
  return value;
}

function stringsValue(flag: FlagDeclaration, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw new SpecError(`option ${flag.key} must be a list of strings`);
  return value;
}

/**
 * The create options from untyped values (commander's parsed flags, or the daemon's JSON body),
 * each checked against its flag's kind. `strict` (JSON) refuses keys that are no flag; otherwise
 * they are left out (commander's values of a command's other flags).
 */
export function createOptionsFrom(values: unknown, strict = false): CreateOptions {
  const given = givenValues(CREATE_FLAGS, values, strict);
  const options: CreateOptions = {};
  for (const flag of CREATE_FLAGS) {
    const value = given.get(flag.key);
    if (value === undefined) continue;
    if (flag.kind === "boolean") options[flag.key] = booleanValue(flag, value);
    else if (flag.kind === "string") options[flag.key] = stringValue(flag, value);
    else options[flag.key] = stringsValue(flag, value);
  }
  return options;
}

/** The exec options from commander's parsed flags, each checked against its flag's kind. */
export function execFlagsFrom(values: unknown): ExecFlags {
  const given = givenValues(EXEC_FLAGS, values, false);
  const options: ExecFlags = {};
  for (const flag of EXEC_FLAGS) {
    const value = given.get(flag.key);
    if (value === undefined) continue;
    if (flag.kind === "boolean") options[flag.key] = booleanValue(flag, value);
    else if (flag.kind === "string") options[flag.key] = stringValue(flag, value);
    else options[flag.key] = stringsValue(flag, value);
  }
  return options;
}

/** The engines a guest may run on. */
const ENGINES: readonly EngineChoice[] = ["auto", "inline", "worker"];

/** Parses --engine: auto, inline (JSPI) or worker. */
export function parseEngine(text: string): EngineChoice {
  const engine = ENGINES.find((e) => e === text);
  if (!engine) throw new SpecError(`--engine ${text}: expected auto, inline or worker`);
  return engine;
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

const RESTART_POLICIES: ReadonlyArray<RestartPolicy["name"]> = ["no", "on-failure", "always", "unless-stopped"];

/** Parses --restart no|on-failure[:N]|always|unless-stopped. */
export function parseRestartPolicy(text: string): RestartPolicy {
  const m = /^([a-z-]+)(?::(\d+))?$/.exec(text.trim());
  const name = RESTART_POLICIES.find((p) => p === m?.[1]);
  if (!m || !name) throw new SpecError(`invalid restart policy '${text}': expected no, on-failure[:N], always or unless-stopped`);
  if (m[2] !== undefined && name !== "on-failure") throw new SpecError(`invalid restart policy '${text}': only on-failure takes a maximum retry count`);
  return { name, maximumRetryCount: m[2] === undefined ? 0 : Number(m[2]) };
}

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

/** A VM's memory when --vm-memory is not given (MiB), and its virtual CPUs. */
export const DEFAULT_VM_MEMORY_MB = 256;
export const DEFAULT_VM_CPUS = 1;
const MAX_VM_CPUS = 64;

/** Parses --vm-memory: a size (256m, 1g) or a bare number of MiB; at least 16m. Returns MiB. */
export function parseVmMemoryMb(text: string): number {
  const mb = /^\d+$/.test(text.trim()) ? Number(text) : parseSize(text, "--vm-memory") / 1024 ** 2;
  if (!(mb >= 16)) throw new SpecError(`--vm-memory ${text}: a VM needs at least 16m`);
  return Math.floor(mb);
}

/** Parses --vm-cpus: a whole number from 1 to 64. */
export function parseVmCpus(text: string): number {
  const cpus = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(cpus >= 1 && cpus <= MAX_VM_CPUS)) throw new SpecError(`--vm-cpus ${text}: expected a whole number from 1 to ${MAX_VM_CPUS}`);
  return cpus;
}

/** Parses --cpus: a positive number of CPUs, as CPU shares (1 CPU = 1024 shares, at least 2). */
function sharesOfCpus(text: string): number {
  const cpus = /^\d+(\.\d+)?$|^\.\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(cpus > 0)) throw new SpecError(`--cpus ${text}: expected a positive number`);
  return Math.max(2, Math.round(cpus * 1024));
}

/** Whether an option was given (a switch on, a value, a non-empty list). */
function given(value: string | string[] | boolean | undefined): boolean {
  return value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0);
}

/** The VM part of a spec: undefined without --vm; container-only flags are refused with it. */
function vmOptions(options: CreateOptions): ContainerSpec["vm"] {
  if (!options.vm) {
    if (options.vmMemory !== undefined || options.vmCpus !== undefined) throw new SpecError("--vm-memory and --vm-cpus need --vm");
    return undefined;
  }
  for (const flag of CREATE_FLAGS) {
    if (!("containerOnly" in flag) || !given(options[flag.key])) continue;
    const long = /--[a-z-]+/.exec(flag.flags)![0];
    const instead = flag.containerOnly === true ? "" : ` (${flag.containerOnly})`;
    throw new SpecError(`${long}${instead} is not supported with --vm (a VM has its own kernel and disk)`);
  }
  return {
    memoryMb: options.vmMemory === undefined ? DEFAULT_VM_MEMORY_MB : parseVmMemoryMb(options.vmMemory),
    cpus: options.vmCpus === undefined ? DEFAULT_VM_CPUS : parseVmCpus(options.vmCpus),
  };
}

/**
 * Resolves --syscalls: a profile name, or a file with one syscall name per line (# comments), over
 * the kernel's names `all` (absent: only checked, by checkCreateFlags, the names left unchecked).
 */
function syscallProfile(value: string, all: readonly string[] | undefined, cwd: string): ContainerSpec["syscalls"] {
  const named = SYSCALL_PROFILES[value];
  if (named) {
    const allowed = named.allow(all ?? []);
    return allowed ? { profile: value, allowed } : undefined;
  }
  let text: string;
  try {
    text = readFileSync(resolve(cwd, value), "utf8");
  } catch {
    throw new SpecError(`--syscalls ${value}: neither a profile (${Object.keys(SYSCALL_PROFILES).join(", ")}) nor a readable file`);
  }
  const names = text.split("\n").map((l) => l.replace(/#.*/, "").trim()).filter(Boolean);
  const unknown = all ? names.filter((n) => !all.includes(n)) : [];
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
  const [host = "", given = ""] = parts;
  if (!host || !given.startsWith("/")) throw new SpecError(`-v ${value}: the guest path must be absolute`);
  // `/a/../x` is `/x`: a mount point is made by name, and a directory literally named ".." could never be saved.
  const guest = posix.normalize(given).replace(/(.)\/+$/, "$1");
  if (guest === "/") throw new SpecError(`-v ${value}: cannot mount over the container's root`);
  return { host: resolve(cwd, host), guest, readOnly };
}

/**
 * One -e/--env value as an environment entry: `K=V` as given; a bare `K` takes the caller's value
 * and is left out when the caller has none (docker's and wasmtime's rule). For containers, VMs,
 * exec and module runs alike.
 */
export function envEntry(value: string, callerEnv: Readonly<Record<string, string | undefined>>): string | undefined {
  if (value.indexOf("=") > 0) return value;
  const own = callerEnv[value];
  return own === undefined ? undefined : `${value}=${own}`;
}

/** The -e values as environment entries (bare names resolved by envEntry). */
export function envEntries(values: readonly string[], callerEnv: Readonly<Record<string, string | undefined>>): string[] {
  return values.map((v) => envEntry(v, callerEnv)).filter((e): e is string => e !== undefined);
}

/** Reads --env-file lines (K=V, a bare K takes the caller's value; # comments and blank lines skipped). */
export function readEnvFile(file: string, cwd: string, callerEnv: Readonly<Record<string, string | undefined>>): string[] {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), "utf8");
  } catch (e) {
    const code = e instanceof Error && "code" in e ? String(e.code) : String(e);
    throw new SpecError(`--env-file ${file}: ${code}`);
  }
  return envEntries(text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")), callerEnv);
}

/** Merges `KEY=value` lists; later ones win (a KEY keeps its first place). */
export function mergeEnv(...lists: ReadonlyArray<readonly string[]>): string[] {
  const map = new Map<string, string>();
  for (const list of lists) for (const pair of list) {
    const eq = pair.indexOf("=");
    map.set(eq < 0 ? pair : pair.slice(0, eq), pair);
  }
  return [...map.values()];
}

/** Where the options are read: the caller's directory and environment, and the kernel's syscall names (for --syscalls files). */
export interface OptionsContext {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  syscallNames: readonly string[];
}

/** The part of a spec the options make (the runtime adds the image, id and command). */
export type SpecFromOptions = Omit<ContainerSpec, "id" | "name" | "created" | "image" | "imageId" | "entrypoint" | "cmd" | "hostname" | "workdir" | "healthcheck">
  & { name?: string; hostname?: string; workdir?: string; entrypoint?: string[]; healthcheck?: HealthcheckOverride };

/** Parses and checks every create option: the image-independent part of a spec. Throws SpecError naming the flag. */
export function specFromOptions(options: CreateOptions, context: OptionsContext): SpecFromOptions {
  return buildSpec(options, context);
}

/**
 * Checks every create option as specFromOptions does, where no kernel is at hand (the CLI before it
 * asks the daemon): only a --syscalls file's names are left for the daemon to check.
 */
export function checkCreateFlags(options: CreateOptions, context: Omit<OptionsContext, "syscallNames">): void {
  buildSpec(options, context);
}

function buildSpec(options: CreateOptions, context: Omit<OptionsContext, "syscallNames"> & { syscallNames?: readonly string[] }): SpecFromOptions {
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
  if (options.cpus !== undefined) limits.cpuShares = sharesOfCpus(options.cpus);
  if (options.cpuShares !== undefined) limits.cpuShares = Math.max(2, parseCount(options.cpuShares, "--cpu-shares"));
  if (options.cpuTime !== undefined) limits.cpuTimeMs = parseDuration(options.cpuTime, "--cpu-time");
  if (options.timeLimit !== undefined) limits.wallTimeMs = parseDuration(options.timeLimit, "--time-limit");
  const engine = parseEngine(options.engine ?? "auto");
  const errno = (options.syscallErrno ?? "ENOSYS").toUpperCase();
  if (errno !== "ENOSYS" && errno !== "EPERM") throw new SpecError(`--syscall-errno ${options.syscallErrno}: expected ENOSYS or EPERM`);
  const restart = options.restart === undefined ? undefined : parseRestartPolicy(options.restart);
  if (restart && restart.name !== "no" && options.rm) throw new SpecError("conflicting options: --restart and --rm");
  const stopSignal = options.stopSignal ?? "SIGTERM";
  parseSignal(stopSignal);
  const env = mergeEnv(...(options.envFile ?? []).map((f) => readEnvFile(f, context.cwd, context.env)), envEntries(options.env ?? [], context.env));
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
    stopSignal,
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
    network: networkSpec(options),
    ...(restart && restart.name !== "no" ? { restart } : {}),
    ...(options.label?.length ? { labels: parseLabels(options.label) } : {}),
    ...(vm ? { vm } : {}),
  };
}

const HEALTH_DURATIONS = [
  ["healthInterval", "Interval", "--health-interval"], ["healthTimeout", "Timeout", "--health-timeout"],
  ["healthStartPeriod", "StartPeriod", "--health-start-period"], ["healthStartInterval", "StartInterval", "--health-start-interval"],
] as const;

/** The --health-* flags as an override of the image's HEALTHCHECK (durations in ns, as the config keeps them). */
function healthOverride(options: CreateOptions): { healthcheck?: HealthcheckOverride } {
  const override: HealthcheckOverride = {};
  if (options.healthcheck === false) override.disable = true;
  if (options.healthCmd !== undefined) override.Test = ["CMD-SHELL", options.healthCmd];
  for (const [option, field, flag] of HEALTH_DURATIONS) {
    const text = options[option];
    if (text === undefined) continue;
    try {
      override[field] = parseGoDuration(text);
    } catch (e) {
      throw new SpecError(`${flag} ${text}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (options.healthRetries !== undefined) override.Retries = parseCount(options.healthRetries, "--health-retries");
  return Object.keys(override).length ? { healthcheck: override } : {};
}

/** What exec runs with: the flags parsed, -e resolved against the caller's environment. */
export interface ExecRequestOptions {
  env: string[];
  workdir?: string;
  user?: string;
  tty: boolean;
  interactive: boolean;
}

/** Parses exec's flags (the environment's bare names take the caller's values, as run's do). */
export function execOptionsOf(flags: ExecFlags, callerEnv: Readonly<Record<string, string | undefined>>): ExecRequestOptions {
  return {
    env: envEntries(flags.env ?? [], callerEnv), tty: !!flags.tty, interactive: !!flags.interactive,
    ...(flags.workdir !== undefined ? { workdir: flags.workdir } : {}), ...(flags.user !== undefined ? { user: flags.user } : {}),
  };
}

/** Checks CreateOptions that came as JSON (the daemon's create body): every key a flag, every value of its flag's type. */
export function checkCreateOptions(value: unknown): CreateOptions {
  return createOptionsFrom(value, true);
}
