// containers/: what a container is made from, as data: the spec saved as config.json, its state
// record, the docker-style flags that build a spec (declared as data, shared by run and create),
// sizes and durations, and the named syscall profiles of --syscalls.
import type { NetworkSpec } from "./network.js";
import {
  SIGABRT, SIGALRM, SIGBUS, SIGCHLD, SIGCONT, SIGFPE, SIGHUP, SIGILL, SIGINT, SIGKILL, SIGPIPE, SIGQUIT, SIGSEGV,
  SIGSTOP, SIGTERM, SIGTRAP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGUSR1, SIGUSR2, SIGWINCH, type DirMount,
  type EngineChoice, type ContainerLimits, type LimitHit,
} from "../kernel/core.js";
import type { LogOptions } from "./logs.js";
import type { HealthcheckConfig } from "../images/oci.js";
import type { HealthState } from "./health.js";

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

/** Parses a whole number of a flag. */
export function parseCount(text: string, flag: string): number {
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
