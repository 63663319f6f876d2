// kernel/vfs: how a command name becomes a file, for containers and VMs alike: a name with a slash
// as given, else the first directory of the environment's PATH (or DEFAULT_PATH) holding that file.
import { Filetype } from "../wasi.js";
import type { MountNamespace } from "./namespace.js";

/** The PATH a command is searched on when the environment has none (and the one images start with). */
export const DEFAULT_PATH = "/bin:/usr/bin";

/** Whether `path` names a regular file in the namespace (a missing component is no exception). */
export function isRegularFile(ns: MountNamespace, path: string): boolean {
  try {
    return ns.resolve([ns.root], path, true, false).node?.type === Filetype.REGULAR_FILE;
  } catch {
    return false;
  }
}

/** A command's path: as given when it has a '/', else the first PATH entry holding it; undefined when none does. */
export function findOnPath(ns: MountNamespace, command: string, env: readonly string[]): string | undefined {
  if (command.includes("/")) return isRegularFile(ns, command) ? command : undefined;
  const path = env.find((e) => e.startsWith("PATH="))?.slice("PATH=".length) ?? DEFAULT_PATH;
  for (const dir of path.split(":").filter(Boolean)) {
    const candidate = `${dir.replace(/\/$/, "")}/${command}`;
    if (isRegularFile(ns, candidate)) return candidate;
  }
  return undefined;
}
