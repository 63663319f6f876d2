// `npm run bench -- fgrun`: the start-to-end time of a foreground `wasmbox run --rm base true` as a
// CLI process, on the daemon's user network (run in the daemon, attached) against --network none
// (run in the CLI's own kernel) as the baseline, the two interleaved in the same run; medians.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { buildShippedImages } from "../images/build-shipped.js";
import type { Figure } from "./kernel.js";

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../cli/bin.js");
/** Runs of each path (after one warm-up of each). */
const RUNS = 15;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function benchForegroundRun(): Promise<Figure[]> {
  const home = mkdtempSync(path.join(tmpdir(), "wasmbox-fgrun-"));
  const env = { ...process.env, WASMBOX_HOME: home, WASMBOX_NO_REEXEC: "1" };
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`wasmbox ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
    return r.stdout;
  };
  const timedRun = (network: string) => {
    const started = process.hrtime.bigint();
    cli("run", "--rm", "--network", network, "base", "true");
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  try {
    await buildShippedImages({ home, write: () => undefined });
    cli("network", "create", "app");
    cli("run", "-d", "--name", "web", "--network", "app", "base", "sleep", "1000");
    const inDaemon: number[] = [];
    const inCli: number[] = [];
    timedRun("app");
    timedRun("none");
    for (let i = 0; i < RUNS; i++) {
      inDaemon.push(timedRun("app"));
      inCli.push(timedRun("none"));
    }
    const daemonMs = median(inDaemon);
    const cliMs = median(inCli);
    return [{
      name: `foreground run --rm base true, in the daemon (--network app; median of ${RUNS} CLI processes)`, value: daemonMs, unit: "ms",
      baseline: cliMs, baselineName: "in the CLI's kernel (--network none)", ratio: daemonMs / cliMs,
    }];
  } finally {
    const pid = Number(readFileSync(path.join(home, "daemon.pid"), "utf8"));
    if (pid) process.kill(pid, "SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    rmSync(home, { recursive: true, force: true });
  }
}
