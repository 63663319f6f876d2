// containers/: how container records are shown, in docker's shapes: the `ps` summary and status
// text (with the kind: container or vm), `inspect` JSON (with which limit was hit and OOMKilled,
// and a VM's memory and boot figures), and `diff` lines. Pure functions.
import { humanAge } from "../images/format.js";
import type { DiffLine } from "../kernel/host.js";
import type { ContainerRecord } from "./runtime.js";
import { kindOf, type ContainerState, type InstanceKind } from "./spec.js";
import { healthSuffix } from "./health.js";

/** A `ps` row as the API returns it (docker's /containers/json names). */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: string;
  State: string;
  Status: string;
  /** container (on the daemon's shared kernel) or vm (a guest with its own kernel). */
  Kind: InstanceKind;
}

/** docker's status column: `Up 5 seconds`, `Exited (0) 3 minutes ago`, `Created`. */
export function statusText(state: ContainerState, now = Date.now()): string {
  if (state.status === "running") return `Up ${humanAge(state.startedAt, now).replace(/ ago$/, "")}${healthSuffix(state.health)}`;
  if (state.status === "exited") return `Exited (${state.exitCode}) ${humanAge(state.finishedAt, now)}`;
  return "Created";
}

export function summaryOf(record: ContainerRecord): ContainerSummary {
  const { spec, state } = record;
  return {
    Id: spec.id, Names: ["/" + spec.name], Image: spec.image, ImageID: spec.imageId,
    Command: [...spec.entrypoint, ...spec.cmd].join(" "), Created: spec.created, State: state.status, Status: statusText(state),
    Kind: kindOf(spec),
  };
}

/** `docker inspect` for a container. */
export function inspectOf(record: ContainerRecord): Record<string, unknown> {
  const { spec, state } = record;
  const argv = [...spec.entrypoint, ...spec.cmd];
  const boot = record.live?.vmFigures?.() ?? state.vm;
  return {
    Id: spec.id,
    Kind: kindOf(spec),
    Created: spec.created,
    Path: argv[0],
    Args: argv.slice(1),
    State: {
      Status: state.status,
      Running: state.status === "running",
      OOMKilled: state.oomKilled,
      LimitHit: state.limitHit ?? null,
      Dead: false,
      Pid: record.live?.pid ?? 0,
      ExitCode: state.exitCode,
      Error: state.error ?? "",
      StartedAt: state.startedAt ?? "0001-01-01T00:00:00Z",
      FinishedAt: state.finishedAt ?? "0001-01-01T00:00:00Z",
      RefusedSyscalls: record.live ? record.live.refusedCalls() : state.refusedCalls,
      ...(spec.healthcheck ? { Health: state.health ?? { Status: "starting", FailingStreak: 0, Log: [] } } : {}),
    },
    Image: spec.imageId,
    Name: "/" + spec.name,
    RestartCount: state.restartCount,
    HostConfig: {
      Binds: spec.mounts.map((m) => `${m.host}:${m.guest}${m.readOnly ? ":ro" : ""}`),
      AutoRemove: spec.autoRemove,
      ReadonlyRootfs: spec.readOnly,
      Memory: spec.limits.memoryBytes ?? 0,
      PidsLimit: spec.limits.pids ?? null,
      CpuShares: spec.limits.cpuShares ?? 0,
      Ulimits: spec.limits.nofile !== undefined ? [{ Name: "nofile", Soft: spec.limits.nofile, Hard: spec.limits.nofile }] : null,
      StorageLimit: spec.limits.storageBytes ?? 0,
      CpuTimeLimitMs: spec.limits.cpuTimeMs ?? 0,
      TimeLimitMs: spec.limits.wallTimeMs ?? 0,
      Syscalls: spec.syscalls ? { Profile: spec.syscalls.profile, Allowed: spec.syscalls.allowed.length, RefusedErrno: spec.refusedErrno } : { Profile: "default" },
      Engine: spec.engine,
    },
    VM: spec.vm
      ? { MemoryMb: spec.vm.memoryMb, Cpus: spec.vm.cpus, DiskBytes: boot?.diskBytes ?? null, KernelUpMs: boot?.kernelUpMs ?? null, BootMs: boot?.bootMs ?? null }
      : null,
    Mounts: spec.mounts.map((m) => ({ Type: "bind", Source: m.host, Destination: m.guest, RW: !m.readOnly })),
    Config: {
      Hostname: spec.hostname,
      Env: spec.env,
      Cmd: spec.cmd,
      Entrypoint: spec.entrypoint,
      User: spec.user ?? "",
      ...(spec.healthcheck ? { Healthcheck: spec.healthcheck } : {}),
      ...(spec.exposedPorts ? { ExposedPorts: Object.fromEntries(spec.exposedPorts.map((port) => [port, {}])) } : {}),
      Labels: spec.labels ?? {},
      WorkingDir: spec.workdir,
      Image: spec.image,
      Tty: spec.tty,
      OpenStdin: spec.interactive,
      StopSignal: spec.stopSignal,
      StopTimeout: spec.stopTimeout,
      Init: spec.init,
    },
  };
}

/** docker's /changes kinds: 0 modified, 1 added, 2 deleted. */
export function changeKind(line: DiffLine): number {
  return line.kind === "C" ? 0 : line.kind === "A" ? 1 : 2;
}
