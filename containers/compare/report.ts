// containers/compare: the comparison's report as data (what measure.ts fills in, what format.ts
// and html.ts print, what `wasmbox bench compare --json` writes), and the percentile helpers.

/** The outcome of a command in an instance. */
export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** How it ended: exit, or (VMs) killed, crashed, oom. */
  reason?: string;
}

/** Latency percentiles in milliseconds. */
export interface Latency {
  samples: number;
  firstMs: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The faults of the isolation rows, in the order they are printed. */
export const FAULTS = ["trap", "cpu-hog", "guest-kernel-crash", "heap-exhaustion", "spin"] as const;

/** One fault of the isolation rows. */
export type Fault = (typeof FAULTS)[number];

/** One isolation experiment: a fault in one instance, and what became of the others. */
export interface IsolationResult {
  fault: Fault;
  /** Whether the fault was really injected (false: the outcome follows from the design, see note). */
  measured: boolean;
  victim?: string;
  /** How the victim ended (exit code / reason), when measured. */
  victimOutcome?: string;
  /** Instances that answered a command afterwards (spin: while the spinner still ran), out of those not hit. */
  othersAlive: number;
  othersTotal: number;
  /** Whether the host (the benchmark's own kernel and process) kept running. */
  hostAlive: boolean;
  /** cpu-hog: how long the hog ran; spin: how long the spinner ran until it ended or was killed (ms). */
  hogMs?: number;
  /** The slowest answer of another instance while the fault was on (ms). */
  othersSlowestAnswerMs?: number;
  note: string;
}

/** Everything measured for one mode. */
export interface ModeFigures {
  mode: "container" | "vm";
  count: number;
  /** From asking for an instance (create + start) to its command's first output (or end), started one at a time. */
  start: Latency;
  /** From the first start request until all N instances, started together, have printed (or ended). */
  allRunningMs: number;
  /** From the first start request until all N commands ended. */
  allDoneMs: number;
  /** The command's result in the first instance, and whether all N gave the same. */
  output: CommandResult & { allIdentical: boolean };
  memory: {
    /** Growth of the host process's resident memory per idle instance (N idle instances, after GC). */
    perInstanceBytes: number;
    /** Idle instances measured. */
    instances: number;
    /** What an idle instance accounts for itself, on average (`stats`): linear memory (+ isolate heap for a VM). */
    accountedPerInstanceBytes: number;
    baselineRssBytes: number;
    rssWithAllBytes: number;
    method: string;
  };
  syscalls: { workload: string; count: number; ms: number; perSecond: number };
  pipe: { workload: string; bytes: number; ms: number; bytesPerSecond: number };
  /** Between two instances of the mode over the virtual network (absent in reports made before it was measured). */
  network?: NetworkFigures;
  disk: {
    /** Image data held privately by each instance (its upper, or its whole disk copy). */
    perInstanceBytes: number;
    /** Image data held once and shared by every instance. */
    sharedBytes: number;
  };
  budget: { budgetBytes: number; instances: number };
  isolation: IsolationResult[];
}

/** The network rows: one instance fetches from and sends to another over the bridge (a VM's through its relay). */
export interface NetworkFigures {
  /** The request workload: `requests` small HTTP GETs one after another (each a wget process, connection and request). */
  requestWorkload: string;
  requests: number;
  /** Mean milliseconds per request (best of 3 runs). */
  requestMs: number;
  /** The throughput workload: `bytes` over one TCP connection (nc to nc). */
  transferWorkload: string;
  bytes: number;
  transferMs: number;
  bytesPerSecond: number;
}

/** The whole report. */
export interface CompareReport {
  date: string;
  host: { node: string; platform: string; arch: string; cpus: number; memoryBytes: number };
  image: string;
  imageBytes: number;
  cmd: string[];
  count: number;
  vmMemoryMb: number;
  vmCpus: number;
  modes: { container: ModeFigures; vm: ModeFigures };
  ratios: {
    /** VM boot p50 over container start p50. */
    startP50: number;
    /** Memory per idle VM over memory per idle container. */
    memoryPerInstance: number;
  };
  goals: { containerStart100xFaster: boolean; containerMemoryAtMost1of20: boolean; sameOutputInBothModes: boolean };
}

/** Nearest-rank percentile of sorted samples. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The latency figures of some samples (in the order taken: the first is the cold one). */
export function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    samples: samples.length, firstMs: samples[0] ?? 0, meanMs: samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length),
    p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] ?? 0,
  };
}
