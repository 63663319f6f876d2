// User networks on disk ($WASMBOX_HOME/networks.json), so that they outlive the daemon: written at
// each network create and rm, read when a daemon starts (before any container starts again).
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DEFAULT_NETWORK, subnetIndex, SysError } from "../kernel/host.js";
import { PRIVATE_FILE } from "./files.js";
import type { ContainerRuntime } from "./runtime.js";

/** One network as the file keeps it (docker's field names). */
interface NetworkEntry {
  Name: string;
  Id: string;
  Created: string;
  /** N of its subnet 10.88.N.0/24. */
  SubnetIndex: number;
}

/** The file of a runtime that keeps files (undefined for an in-memory one). */
function networksFile(runtime: ContainerRuntime): string | undefined {
  return runtime.files ? join(dirname(runtime.files.dir), "networks.json") : undefined;
}

/** Writes the runtime's user networks (all but the default one); a rename makes the new file appear whole. */
export function saveNetworks(runtime: ContainerRuntime): void {
  const file = networksFile(runtime);
  if (!file) return;
  const entries: NetworkEntry[] = runtime.kernel.networks.list().filter((n) => n.name !== DEFAULT_NETWORK)
    .map((n) => ({ Name: n.name, Id: n.id, Created: n.created, SubnetIndex: subnetIndex(n) }));
  // Synchronous: two quick creates cannot finish their writes out of order.
  writeFileSync(file + ".tmp", JSON.stringify(entries, null, 2) + "\n", { mode: PRIVATE_FILE });
  renameSync(file + ".tmp", file);
}

/**
 * Makes the networks the file keeps again, with their ids and subnets (so containers get the same
 * addresses' network back). A file that cannot be read, or an entry that does not fit, is a notice, not a failure.
 */
export function restoreNetworks(runtime: ContainerRuntime): void {
  const file = networksFile(runtime);
  if (!file) return;
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") runtime.kernel.notice(`wasmbox: ${file}: ${(e as Error).message}`);
    return;
  }
  if (!Array.isArray(entries)) return runtime.kernel.notice(`wasmbox: ${file}: not a list of networks`);
  for (const entry of entries as Partial<NetworkEntry>[]) {
    const { Name, Id, Created, SubnetIndex } = entry;
    if (typeof Name !== "string" || typeof Id !== "string" || typeof Created !== "string" || typeof SubnetIndex !== "number") {
      runtime.kernel.notice(`wasmbox: ${file}: skipped a malformed entry`);
      continue;
    }
    try {
      runtime.kernel.networks.create(Name, { id: Id, index: SubnetIndex, created: Created });
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      runtime.kernel.notice(`wasmbox: network ${Name} not restored: ${e.message}`);
    }
  }
}
