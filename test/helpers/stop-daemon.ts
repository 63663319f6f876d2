// Ends the daemon that a test's CLI started on demand for a home (ps, rmi, image prune... start one),
// so that no daemon outlives its test or writes into a home being removed.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { processAlive } from "../../containers/process-alive.js";

/**
 * Ends the daemon of `home`, if one was started there, and waits (a few seconds at most) until it is
 * gone: the home is removed next. SIGKILL: the test is over, nothing of its containers is looked at
 * again, and a polite stop would spend the stop signal's round and the saving of every container
 * (a second or more on a busy machine) for nothing. Its containers' threads end with it.
 */
export async function stopDaemonOf(home: string): Promise<void> {
  const pid = Number(await readFile(join(home, "daemon.pid"), "utf8").catch(() => "0"));
  if (!pid) return;
  // A daemon.pid left by a daemon that died names no process of ours: only a live wasmbox daemon is
  // killed (where /proc tells; elsewhere the pid is trusted).
  const command = await readFile(`/proc/${pid}/cmdline`, "utf8").catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" && existsSync("/proc/self") ? "" : undefined));
  if (command !== undefined && !command.split("\0").includes("daemon")) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return; // already gone
  }
  for (let waited = 0; waited < 5000 && processAlive(pid); waited += 20) await new Promise((r) => setTimeout(r, 20));
}
