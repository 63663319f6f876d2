// containers/: HEALTHCHECK as docker's daemon runs it (moby daemon/health.go): a probe in the running
// container every interval, killed past its timeout; starting -> healthy / unhealthy after `retries` failures in a row.
import type { ContainerConfig, HealthcheckConfig } from "../images/oci.js";

export type HealthStatus = "starting" | "healthy" | "unhealthy";

/** One probe's result, as `inspect` shows it in State.Health.Log. */
export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

/** State.Health: the status, failures in a row, and the last results (docker keeps 5). */
export interface HealthState {
  Status: HealthStatus;
  FailingStreak: number;
  Log: HealthLogEntry[];
}

/** Runs argv in the container; resolves with its exit code and output (stdout then stderr, cut to a limit). */
export type HealthProbe = (argv: string[], timeoutMs: number) => Promise<{ exitCode: number; output: string; timedOut: boolean }>;

const NS_PER_MS = 1e6;
/** docker's defaults, in ms: interval 30s, timeout 30s, no start period, start interval 5s; 3 retries. */
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_START_INTERVAL_MS = 5_000;
const DEFAULT_RETRIES = 3;
/** How many results State.Health.Log keeps (docker's maxLogEntries). */
const MAX_LOG_ENTRIES = 5;
/** The most output kept per result (docker's maxOutputLen). */
export const MAX_HEALTH_OUTPUT = 4096;

/** True when the config asks for probes (not absent, not NONE). */
export function hasHealthcheck(config: HealthcheckConfig | undefined): config is HealthcheckConfig {
  return !!config && config.Test.length > 0 && config.Test[0] !== "NONE";
}

/** The command a probe runs: CMD's argv as is, CMD-SHELL's text under the image's shell. */
export function probeArgv(config: HealthcheckConfig, shell: string[] = ["/bin/sh", "-c"]): string[] {
  const [kind, ...rest] = config.Test;
  if (kind === "CMD-SHELL") return [...shell, rest.join(" ")];
  return rest;
}

/** `ps` STATUS's suffix: ` (healthy)`, ` (unhealthy)`, ` (health: starting)`, or nothing. */
export function healthSuffix(health: HealthState | undefined): string {
  if (!health) return "";
  return health.Status === "starting" ? " (health: starting)" : ` (${health.Status})`;
}

/** Probes one running container until stopped; reports every new state through `onChange`. */
export class HealthMonitor {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly startedAt: number;
  private state: HealthState;

  constructor(
    private readonly config: HealthcheckConfig,
    private readonly argv: string[],
    private readonly probe: HealthProbe,
    private readonly onChange: (health: HealthState) => void,
    previous?: HealthState,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    this.state = { Status: "starting", FailingStreak: 0, Log: previous?.Log ?? [] };
  }

  /** The state now. */
  get health(): HealthState {
    return this.state;
  }

  /** Reports the starting state and schedules the first probe. */
  start(): void {
    this.onChange(this.state);
    this.schedule();
  }

  /** Stops probing (a probe under way finishes, but its result is dropped). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private get startPeriodMs(): number {
    return (this.config.StartPeriod ?? 0) / NS_PER_MS;
  }

  private inStartPeriod(): boolean {
    return this.now() - this.startedAt < this.startPeriodMs;
  }

  /** The wait before the next probe: the start interval while starting inside the start period, else the interval. */
  private nextDelayMs(): number {
    if (this.state.Status === "starting" && this.inStartPeriod() && this.config.StartInterval) {
      return this.config.StartInterval / NS_PER_MS || DEFAULT_START_INTERVAL_MS;
    }
    return (this.config.Interval ?? 0) / NS_PER_MS || DEFAULT_INTERVAL_MS;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.runProbe(), this.nextDelayMs());
    this.timer.unref?.();
  }

  private async runProbe(): Promise<void> {
    const timeoutMs = (this.config.Timeout ?? 0) / NS_PER_MS || DEFAULT_TIMEOUT_MS;
    const start = new Date(this.now()).toISOString();
    let result: { exitCode: number; output: string; timedOut: boolean };
    try {
      result = await this.probe(this.argv, timeoutMs);
    } catch (error) {
      result = { exitCode: -1, output: (error as Error).message, timedOut: false };
    }
    if (this.stopped) return;
    const entry: HealthLogEntry = {
      Start: start,
      End: new Date(this.now()).toISOString(),
      ExitCode: result.timedOut ? -1 : result.exitCode,
      Output: result.timedOut ? `Health check exceeded timeout (${formatSeconds(timeoutMs)})` : result.output.slice(0, MAX_HEALTH_OUTPUT),
    };
    this.record(entry);
    this.schedule();
  }

  /** docker's handleProbeResult: success resets the streak; failures in the start period do not count while starting. */
  private record(entry: HealthLogEntry): void {
    const log = [...this.state.Log, entry].slice(-MAX_LOG_ENTRIES);
    let { Status, FailingStreak } = this.state;
    if (entry.ExitCode === 0) {
      Status = "healthy";
      FailingStreak = 0;
    } else if (!(Status === "starting" && this.inStartPeriod())) {
      FailingStreak++;
      const retries = this.config.Retries || DEFAULT_RETRIES;
      if (FailingStreak >= retries) Status = "unhealthy";
    }
    this.state = { Status, FailingStreak, Log: log };
    this.onChange(this.state);
  }
}

/** A duration as Go prints it for whole and fractional seconds (`30s`, `1.5s`, `100ms`). */
function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}

/** How a probe runs a command in the container: the instance's exec, with an `onStart` to kill it past the timeout. */
export type HealthExec = (
  argv: string[],
  io: { onStdout: (chunk: Uint8Array) => void; onStderr: (chunk: Uint8Array) => void; onStart: (process: { kill(signal: number): void }) => void },
) => Promise<number>;

const SIGKILL = 9;

/** A HealthProbe over an exec: output collected up to MAX_HEALTH_OUTPUT, the command killed at the timeout. */
export function execProbe(exec: HealthExec): HealthProbe {
  return async (argv, timeoutMs) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    const keep = (chunk: Uint8Array) => {
      if (kept >= MAX_HEALTH_OUTPUT) return;
      const part = Buffer.from(chunk.subarray(0, MAX_HEALTH_OUTPUT - kept));
      chunks.push(part);
      kept += part.length;
    };
    let started: { kill(signal: number): void } | undefined;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const run = exec(argv, { onStdout: keep, onStderr: keep, onStart: (process) => (started = process) });
    const outcome = await Promise.race([run, timedOut]).finally(() => clearTimeout(timer));
    if (outcome === "timeout") {
      started?.kill(SIGKILL);
      run.catch(() => undefined);
      return { exitCode: -1, output: "", timedOut: true };
    }
    return { exitCode: outcome, output: Buffer.concat(chunks).toString("utf8"), timedOut: false };
  };
}

/** The --health-* flags of run/create: each one replaces the image's field (docker's merge); `disable` is --no-healthcheck. */
export interface HealthcheckOverride extends Partial<HealthcheckConfig> {
  disable?: boolean;
}

/** The health check a new container gets: the image's, merged with the flags; none for NONE or --no-healthcheck. */
export function healthSpec(image: ContainerConfig, override: HealthcheckOverride | undefined): { healthcheck?: HealthcheckConfig; shell?: string[] } {
  if (override?.disable) return { healthcheck: undefined };
  const { disable: _disable, ...fields } = override ?? {};
  const merged: HealthcheckConfig = { ...image.Healthcheck, ...fields, Test: fields.Test ?? image.Healthcheck?.Test ?? [] };
  if (!hasHealthcheck(merged)) return { healthcheck: undefined };
  return { healthcheck: merged, ...(image.Shell ? { shell: image.Shell } : {}) };
}

/** Starts probing a just-started container when its spec has a health check; undefined otherwise. */
export function startHealthMonitor(
  spec: { healthcheck?: HealthcheckConfig; shell?: string[] },
  previous: HealthState | undefined,
  exec: HealthExec,
  onChange: (health: HealthState) => void,
): HealthMonitor | undefined {
  if (!hasHealthcheck(spec.healthcheck)) return undefined;
  const monitor = new HealthMonitor(spec.healthcheck, probeArgv(spec.healthcheck, spec.shell), execProbe(exec), onChange, previous);
  monitor.start();
  return monitor;
}
