// images/: the files of an earlier build stage or another image, as `COPY --from` sees them: paths are
// absolute in that image's root, symlinks on the way (and at the end) are followed, globs match its files.
import { createHash } from "node:crypto";
import { posix } from "node:path";
import type { LayerEntry } from "../kernel/index.js";
import { cleanRelativePath, globToRegExp, hasGlob } from "./context.js";
import { ImageError } from "./errors.js";
import { flattenLayers } from "./layer-tar.js";

/** One selected path: `path` as the Containerfile named it, `real` where it is after following symlinks. */
export interface ImageFileEntry {
  path: string;
  real: string;
  type: "file" | "dir" | "symlink";
  mode: number;
  /** The owner in that image: COPY --from keeps it unless --chown says otherwise, as BuildKit does. */
  uid: number;
  gid: number;
}

/** How many symlinks one lookup may follow before it is called a loop (Linux's MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

/** A read-only view of an image's files for COPY --from; `label` names the stage or image in errors. */
export class ImageFiles {
  private readonly view: Map<string, LayerEntry>;

  constructor(layers: readonly (readonly LayerEntry[])[], readonly label: string) {
    this.view = flattenLayers(layers);
  }

  /** The entry at `path` (relative, cleaned) with every symlink followed; undefined when missing. */
  private resolve(path: string): { real: string; entry: LayerEntry } | undefined {
    let pending = path === "" ? [] : path.split("/");
    let done: string[] = [];
    let followed = 0;
    while (pending.length > 0) {
      const name = pending.shift()!;
      const candidate = [...done, name].join("/");
      const entry = this.view.get(candidate);
      if (!entry) return undefined;
      if (entry.type === "symlink") {
        if (++followed > MAX_SYMLINKS) throw new ImageError(`${this.label}: too many levels of symbolic links at /${candidate}`);
        const target = entry.target ?? "";
        const base = target.startsWith("/") ? "/" : "/" + done.join("/");
        pending = [...cleanRelativePath(posix.resolve(base, target)).split("/").filter(Boolean), ...pending];
        done = [];
        continue;
      }
      done = [...done, name];
    }
    const real = done.join("/");
    if (real === "") return { real, entry: { path: "", type: "dir", mode: 0o755 } };
    const entry = this.view.get(real);
    return entry ? { real, entry } : undefined;
  }

  private entryOf(path: string, real: string, entry: LayerEntry): ImageFileEntry {
    const type = entry.type === "dir" ? "dir" : entry.type === "symlink" ? "symlink" : "file";
    return { path, real, type, mode: entry.mode, uid: entry.uid ?? 0, gid: entry.gid ?? 0 };
  }

  /** Resolves one COPY --from source (absolute or relative to the image's root) to entries. */
  async select(source: string): Promise<ImageFileEntry[]> {
    const cleaned = cleanRelativePath(source);
    const path = cleaned === ".." || cleaned.startsWith("../") ? "" : cleaned;
    if (hasGlob(path)) {
      const regex = globToRegExp(path);
      const matches = [...this.view.values()].filter((entry) => regex.test(entry.path));
      if (matches.length === 0) throw new ImageError(`"${source}" matches nothing in ${this.label}`);
      return matches.map((entry) => this.entryOf(entry.path, entry.path, entry));
    }
    const found = this.resolve(path);
    if (!found) throw new ImageError(`"${source}": not found in ${this.label}`);
    return [this.entryOf(path, found.real, found.entry)];
  }

  /** The entries under a selected directory (relative to it, symlinks inside kept as links), or the entry itself. */
  async contentsOf(selected: ImageFileEntry): Promise<{ relative: string; entry: ImageFileEntry }[]> {
    if (selected.type !== "dir") return [{ relative: "", entry: selected }];
    const prefix = selected.real === "" ? "" : selected.real + "/";
    const out: { relative: string; entry: ImageFileEntry }[] = [];
    for (const entry of this.view.values()) {
      if (!entry.path.startsWith(prefix) || entry.path === selected.real) continue;
      out.push({ relative: entry.path.slice(prefix.length), entry: this.entryOf(entry.path, entry.path, entry) });
    }
    return out.sort((a, b) => a.relative.localeCompare(b.relative));
  }

  /** A file's bytes or a symlink's target. */
  async read(entry: ImageFileEntry): Promise<{ data?: Uint8Array; target?: string }> {
    const found = this.view.get(entry.real);
    if (!found) return {};
    if (found.type === "symlink") return { target: found.target };
    if (found.type === "hardlink") return { data: this.view.get(found.target ?? "")?.data ?? new Uint8Array() };
    if (found.type === "file") return { data: found.data ?? new Uint8Array() };
    return {};
  }

  /** The sha256 (hex) of what `read` gives. */
  async contentHash(entry: ImageFileEntry): Promise<string> {
    if (entry.type === "dir") return "";
    const content = await this.read(entry);
    return createHash("sha256").update(content.data ?? content.target ?? "").digest("hex");
  }
}
