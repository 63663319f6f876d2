// Ends the daemon that a test's CLI started on demand for a home (ps, rmi, image prune... start one),
// so that no daemon outlives its test or writes into a home being removed.
import { readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Ends the daemon of `home`, if one was started there (SIGTERM to the pid in daemon.pid), and waits
 * (a few seconds at most) until it stopped writing there: the home is removed next.
 */
export async function stopDaemonOf(home: string): Promise<void> {
  const pid = Number(await readFile(join(home, "daemon.pid"), "utf8").catch(() => "0"));
  if (!pid) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return; // already gone
  }
  for (let waited = 0; waited < 5000 && isAlive(pid); waited += 20) await new Promise((r) => setTimeout(r, 20));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
