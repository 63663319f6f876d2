// The harness of the daemon tests: a fresh WASMBOX_HOME with the shipped images, the CLI run
// in-process against it (the daemon it starts is a real process), and cleanup of those daemons.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach } from "vitest";
import { processAlive } from "../../containers/process-alive.js";
import { runCli } from "../../cli/index.js";
import type { CliIo } from "../../cli/io.js";
import { buildShippedImages } from "../../images/build-shipped.js";
import { tempDir } from "../containers/helpers.js";
import { stopDaemonOf } from "./stop-daemon.js";

/** Registers the cleanup (every daemon a test started is killed) and returns `setup`. */
export function daemonHarness(prefix: string) {
  const homes: string[] = [];
  afterEach(async () => {
    for (const home of homes.splice(0)) await stopDaemonOf(home);
  });
  /** A home with the shipped images, and a `cli(...args)` that runs wasmbox against it. */
  return async function setup() {
    const home = await tempDir(`${prefix}-`);
    const work = await tempDir(`${prefix}-work-`);
    await buildShippedImages({ home, write: () => undefined });
    homes.push(home);
    const cli = async (...args: string[]) => {
      let stdout = "";
      let stderr = "";
      const io: CliIo = {
        stdout: (t) => void (stdout += Buffer.from(t as Uint8Array).toString()),
        stderr: (t) => void (stderr += Buffer.from(t as Uint8Array).toString()),
        env: { ...process.env, WASMBOX_HOME: home }, cwd: work,
      };
      const code = await runCli(args, io);
      return { code, stdout, stderr };
    };
    return { home, work, cli };
  };
}

/**
 * Polls a CLI command (on the daemon's answers, not on time) until `check` holds; past `timeoutMs`
 * fails naming `what` and the last answer seen.
 */
export async function until(probe: () => Promise<string>, check: (text: string) => boolean, what = "the daemon's answer", timeoutMs = 30_000): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const text = await probe();
    if (check(text)) return text;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(text)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Kills the daemon of `home` with SIGKILL (no chance to save anything) and waits until it is gone; its pid. */
export async function killDaemon(home: string): Promise<number> {
  const pid = Number(await readFile(join(home, "daemon.pid"), "utf8"));
  process.kill(pid, "SIGKILL");
  await until(async () => (processAlive(pid) ? "alive" : "dead"), (t) => t === "dead", `daemon ${pid} to be gone`);
  return pid;
}
