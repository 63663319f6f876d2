// containers/: how container records are shown, in docker's shapes: the `ps` summary and status
// text (with the kind: container or vm), `inspect` JSON (with which limit was hit and OOMKilled,
// and a VM's memory and boot figures), and `diff` lines. Pure functions.
import { humanAge } from "../images/format.js";
import type { DiffLine } from "../kernel/host.js";
import type { ContainerRecord } from "./runtime.js";
import { kindOf, type ContainerState, type InstanceKind } from "./spec.js";
import { healthSuffix } from "./health.js";

/** The `ps --filter` keys the daemon understands (docker's names). */
const FILTER_KEYS = ["status", "name", "id", "ancestor", "exited", "kind", "label"];
const STATUSES = ["created", "running", "paused", "restarting", "exited"];

/** docker's `filters` query parameter (`{"status": ["exited"]}`), checked; a FilterError names what is wrong. */
export function parseFilters(text: string | null): Record<string, string[]> {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FilterError(`filters=${text}: not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new FilterError("filters must be a JSON object of lists");
  const filters: Record<string, string[]> = {};
  for (const [key, list] of Object.entries(value)) {
    if (!FILTER_KEYS.includes(key)) throw new FilterError(`invalid filter '${key}' (known: ${FILTER_KEYS.join(", ")})`);
    if (!Array.isArray(list) || !list.every((v) => typeof v === "string")) throw new FilterError(`filter ${key} must be a list of strings`);
    if (key === "status") for (const v of list) if (!STATUSES.includes(v)) throw new FilterError(`invalid filter 'status=${v}' (one of ${STATUSES.join(", ")})`);
    if (key === "exited") for (const v of list) if (!/^\d+$/.test(v)) throw new FilterError(`invalid filter 'exited=${v}': an exit code`);
    filters[key] = list as string[];
  }
  return filters;
}

/** A filter the daemon cannot apply. */
export class FilterError extends Error {}

/** Whether a container passes every filter (values of one key: any of them, of label: all; keys: all of them). */
export function matchesFilters(record: ContainerRecord, filters: Record<string, string[]>): boolean {
  const { spec, state } = record;
  const status = statusOf(record);
  const tests: Record<string, (v: string) => boolean> = {
    status: (v) => v === status,
    name: (v) => spec.name.includes(v.replace(/^\//, "")),
    id: (v) => spec.id.startsWith(v),
    ancestor: (v) => spec.image === v || spec.image === v.replace(/:latest$/, "") || `${spec.image}:latest` === v || spec.imageId.replace(/^sha256:/, "").startsWith(v.replace(/^sha256:/, "")),
    exited: (v) => state.status === "exited" && state.exitCode === Number(v),
    kind: (v) => kindOf(spec) === v,
    label: (v) => {
      const eq = v.indexOf("=");
      const labels = spec.labels ?? {};
      return eq < 0 ? v in labels : labels[v.slice(0, eq)] === v.slice(eq + 1);
    },
  };
  // Labels must all match (docker's); the values of another key are alternatives.
  return Object.entries(filters).every(([key, values]) => (key === "label" ? values.every((v) => tests[key]!(v)) : values.some((v) => tests[key]!(v))));
}

/** docker's State.Status: created, running, paused, restarting (ended, its policy's next start pending) or exited. */
export function statusOf(record: ContainerRecord): string {
  if (isRestarting(record)) return "restarting";
  return record.state.status === "running" && record.state.paused ? "paused" : record.state.status;
}

/** Whether a container has ended and waits for the start its restart policy scheduled (docker's State.Restarting). */
export function isRestarting(record: ContainerRecord): boolean {
  return record.state.status === "exited" && record.restartTimer !== undefined;
}

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
  Labels: Record<string, string>;
  /** Its published ports while it runs (docker's shape). */
  Ports: Array<{ IP: string; PrivatePort: number; PublicPort: number; Type: "tcp" | "udp" }>;
}

/** docker ps's PORTS column: `127.0.0.1:8080->80/tcp, ...`. */
export function portsColumn(ports: ContainerSummary["Ports"] | undefined): string {
  return (ports ?? []).map((p) => `${p.IP.includes(":") ? `[${p.IP}]` : p.IP}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`).join(", ");
}

/** docker's status column: `Up 5 seconds`, `Exited (0) 3 minutes ago`, `Restarting (1) 2 seconds ago`, `Created`. */
export function statusText(state: ContainerState, now = Date.now(), restarting = false): string {
  if (restarting) return `Restarting (${state.exitCode}) ${humanAge(state.finishedAt, now)}`;
  if (state.status === "running") return `Up ${humanAge(state.startedAt, now).replace(/ ago$/, "")}${state.paused ? " (Paused)" : healthSuffix(state.health)}`;
  if (state.status === "exited") return `Exited (${state.exitCode}) ${humanAge(state.finishedAt, now)}`;
  return "Created";
}

export function summaryOf(record: ContainerRecord): ContainerSummary {
  const { spec, state } = record;
  return {
    Id: spec.id, Names: ["/" + spec.name], Image: spec.image, ImageID: spec.imageId,
    Command: [...spec.entrypoint, ...spec.cmd].join(" "), Created: spec.created, State: statusOf(record), Status: statusText(state, Date.now(), isRestarting(record)),
    Kind: kindOf(spec), Labels: spec.labels ?? {},
    Ports: record.live ? (record.network?.published ?? []).map((p) => ({ IP: p.hostIp, PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.protocol })) : [],
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
      Status: statusOf(record),
      // docker's: a container waiting for its policy's restart counts as running, and restarting.
      Running: state.status === "running" || isRestarting(record),
      Paused: state.status === "running" && state.paused === true,
      Restarting: isRestarting(record),
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
      RestartPolicy: { Name: spec.restart?.name ?? "no", MaximumRetryCount: spec.restart?.maximumRetryCount ?? 0 },
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
