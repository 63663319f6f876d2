// images/: a host file or tree as layer entries, and layer entries written out to the host: what
// `cp` moves between the host and a container (the CLI's side of the archive the daemon takes or gives).
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { LayerEntry } from "../kernel/index.js";

/** Reads a host file or tree as layer entries named from `name`. */
export function readHostEntries(path: string, name: string): LayerEntry[] {
  const entries: LayerEntry[] = [];
  const walk = (at: string, rel: string) => {
    const st = lstatSync(at);
    const mtimeNs = BigInt(Math.floor(st.mtimeMs)) * 1_000_000n;
    if (st.isSymbolicLink()) entries.push({ path: rel, type: "symlink", mode: 0o777, target: readlinkSync(at), mtimeNs });
    else if (st.isDirectory()) {
      entries.push({ path: rel, type: "dir", mode: st.mode & 0o7777, mtimeNs });
      for (const child of readdirSync(at)) walk(join(at, child), `${rel}/${child}`);
    } else if (st.isFile()) entries.push({ path: rel, type: "file", mode: st.mode & 0o7777, data: readFileSync(at), mtimeNs });
  };
  walk(path, name);
  return entries;
}

/** Writes entries named from `name` to the host: into `dst` when it is a directory, else as `dst`. */
export function writeHostEntries(entries: LayerEntry[], dst: string, name: string): void {
  const intoDir = existsSync(dst) && statSync(dst).isDirectory();
  const place = (path: string) => (intoDir ? join(dst, path) : name && (path === name || path.startsWith(name + "/")) ? join(dst, path.slice(name.length)) : join(dst, path));
  for (const entry of entries) {
    const at = place(entry.path);
    mkdirSync(dirname(at), { recursive: true });
    if (entry.type === "dir") mkdirSync(at, { recursive: true });
    else if (entry.type === "symlink") {
      if (!existsSync(at)) symlinkSync(entry.target ?? "", at);
    } else if (entry.type === "file") {
      writeFileSync(at, entry.data ?? new Uint8Array());
      chmodSync(at, entry.mode & 0o7777);
    }
  }
}
