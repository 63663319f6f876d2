// containers/: a container's filesystem outside its run: the root mounted from its image and saved
// upper (for start, diff, commit, export and cp of a stopped one), its changes, and copies in and out.
import {
  type Kernel, FsApi, type LayerEntry, MemFs, MountNamespace, type LayerTrees, loadEntries, OverlayFs, type DiffLine, Filetype,
} from "../kernel/host.js";
import type { ContainerFiles } from "./files.js";
import type { ContainerInstance } from "./instance.js";
import { RuntimeError, type ContainerRecord } from "./registry.js";
import type { ContainerSpec } from "./spec.js";
import type { RunnableImage } from "./runtime.js";

/** What the filesystem part of the runtime works with. */
export interface ContainerFsDeps {
  kernel: Kernel;
  trees: LayerTrees;
  /** The image a record was made from (by id, else by the name it was created with). */
  imageOf(spec: ContainerSpec): Promise<RunnableImage>;
  files?: ContainerFiles;
}

/** The filesystems of a runtime's containers. */
export class ContainerFilesystems {
  constructor(private readonly deps: ContainerFsDeps) {}

  /** The container's root filesystem: the live one, or one mounted from the image and saved upper. */
  async rootOf(record: ContainerRecord, live: ContainerInstance | undefined): Promise<OverlayFs> {
    if (live) return live.overlay;
    const image = await this.deps.imageOf(record.spec);
    let upper = record.upperFs;
    if (!upper) {
      upper = new MemFs(this.deps.kernel.allocDev(), { type: "upper" });
      loadEntries(upper, await this.savedUpper(record));
      if (record.spec.limits.storageBytes !== undefined) upper.byteLimit = record.spec.limits.storageBytes;
      record.upperFs = upper;
    }
    return new OverlayFs(this.deps.kernel.allocDev(), { lowers: image.layers.map((l) => this.deps.trees.tree(l)), upper });
  }

  private async savedUpper(record: ContainerRecord): Promise<LayerEntry[]> {
    record.upper ??= (await this.deps.files?.loadUpper(record.spec.id)) ?? [];
    return record.upper;
  }

  /** What the container changed against its image: docker-diff lines and the layer entries. */
  async changes(record: ContainerRecord, live: ContainerInstance | undefined): Promise<{ lines: DiffLine[]; entries: LayerEntry[] }> {
    const diff = (await this.rootOf(record, live)).diff();
    // The kernel makes /dev and /proc to mount on when an image lacks them: not the container's doing.
    const made = new Set(diff.lines.filter((l) => l.kind === "A" && (l.path === "/dev" || l.path === "/proc")).map((l) => l.path));
    return { lines: diff.lines.filter((l) => !made.has(l.path)), entries: diff.entries.filter((e) => !made.has("/" + e.path)) };
  }

  /** The container's whole filesystem as layer entries (docker export), without /dev and /proc contents. */
  async exportEntries(record: ContainerRecord, live: ContainerInstance | undefined): Promise<LayerEntry[]> {
    const root = await this.rootOf(record, live);
    return readTree(new FsApi(new MountNamespace(root.root)), "/", "", (p) => p === "dev" || p === "proc");
  }

  /** Copies a path out of a container (docker cp CONTAINER:PATH -): entries named from its basename. */
  async copyOut(record: ContainerRecord, live: ContainerInstance | undefined, ref: string, path: string): Promise<LayerEntry[]> {
    const fs = live ? new FsApi(live.container.ns) : new FsApi(new MountNamespace((await this.rootOf(record, live)).root));
    const clean = normalizeGuestPath(path);
    const base = clean === "/" ? "" : clean.slice(clean.lastIndexOf("/") + 1);
    try {
      return readTree(fs, clean, base, () => false);
    } catch (e) {
      throw new RuntimeError(`Could not find the file ${path} in container ${ref}: ${errorText(e)}`, 404);
    }
  }

  /**
   * Copies entries into a container (docker cp - CONTAINER:PATH). Entries are named from the source's
   * basename `name`: into PATH when it is a directory, else as PATH itself. A stopped one's upper is saved.
   */
  async copyIn(record: ContainerRecord, live: ContainerInstance | undefined, ref: string, path: string, entries: LayerEntry[], name: string): Promise<void> {
    const root = await this.rootOf(record, live);
    if (entries.some((e) => e.path.split("/").includes("..") || (e.type === "hardlink" && (e.target ?? "").split("/").includes("..")))) {
      throw new RuntimeError(`cannot copy to ${ref}:${path}: the archive has a path with ".." in it`);
    }
    // A stopped container's volumes are mounted too, so a copy into one reaches its host folder as when it runs.
    let ns = live?.container.ns;
    if (!ns) {
      ns = new MountNamespace(root.root);
      for (const mount of record.spec.mounts) this.deps.kernel.mountHostDir(ns, mount);
    }
    const fs = new FsApi(ns);
    let dir = normalizeGuestPath(path);
    try {
      let existing: Filetype | undefined;
      try {
        existing = fs.stat(dir).filetype;
      } catch {
        existing = undefined;
      }
      if (existing !== Filetype.DIRECTORY && dir !== "/") {
        const newName = dir.slice(dir.lastIndexOf("/") + 1);
        dir = dir.slice(0, dir.lastIndexOf("/")) || "/";
        entries = entries.map((e) => ({ ...e, path: renameTop(e.path, name, newName), ...(e.type === "hardlink" ? { target: renameTop(e.target ?? "", name, newName) } : {}) }));
      }
      if (fs.stat(dir).filetype !== Filetype.DIRECTORY) throw new RuntimeError(`${path}: not a directory`);
      for (const entry of entries) {
        const readOnly = readOnlyMountAt(ns, fs, dir === "/" ? `/${entry.path}` : `${dir}/${entry.path}`, record.spec);
        if (readOnly) throw new RuntimeError(`cannot copy to ${ref}:${path}: ${readOnly} is mounted read-only`, 409);
      }
      fs.writeEntries(entries, dir);
    } catch (e) {
      if (e instanceof RuntimeError) throw e;
      throw new RuntimeError(`cannot copy to ${ref}:${path}: ${errorText(e)}`);
    }
    if (!record.live) {
      record.upper = root.upperEntries();
      await this.deps.files?.saveUpper(record.spec.id, record.upper);
    }
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Whether writing `path` would change a read-only filesystem: what holds the nearest existing
 * directory above it (symlinks followed), named for the message (the volume HOST:GUEST:ro, a
 * mount's path, or "the root filesystem"); undefined if writable.
 */
function readOnlyMountAt(ns: MountNamespace, fs: FsApi, path: string, spec: ContainerSpec): string | undefined {
  const clean = normalizeGuestPath(path);
  let at = clean.slice(0, clean.lastIndexOf("/")) || "/";
  for (;;) {
    let node;
    try {
      node = fs.lookup(at);
    } catch {
      node = undefined;
    }
    if (node) {
      if (!node.fs.readOnly) return undefined;
      const mount = ns.mountList().filter((m) => m.root.fs === node.fs).at(-1);
      const volume = spec.mounts.find((m) => m.guest === mount?.path || normalizeGuestPath(m.guest) === mount?.path);
      return volume ? `the volume ${volume.host}:${mount!.path}:ro` : mount && mount.path !== "/" ? mount.path : "the root filesystem";
    }
    if (at === "/") return undefined;
    at = at.slice(0, at.lastIndexOf("/")) || "/";
  }
}

function renameTop(path: string, from: string, to: string): string {
  return path === from ? to : path.startsWith(from + "/") ? to + path.slice(from.length) : path;
}

function normalizeGuestPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return "/" + parts.join("/");
}

/** Reads a tree of the container's filesystem as layer entries under `as` (symlinks not followed). */
function readTree(fs: FsApi, path: string, as: string, skip: (rel: string) => boolean): LayerEntry[] {
  const out: LayerEntry[] = [];
  const walk = (at: string, rel: string) => {
    const st = fs.stat(at, false);
    if (rel && skip(rel)) {
      out.push({ path: rel, type: "dir", mode: st.mode, mtimeNs: st.mtim });
      return;
    }
    if (st.filetype === Filetype.DIRECTORY) {
      if (rel) out.push({ path: rel, type: "dir", mode: st.mode, mtimeNs: st.mtim });
      for (const name of fs.readdir(at)) walk(at === "/" ? `/${name}` : `${at}/${name}`, rel ? `${rel}/${name}` : name);
    } else if (st.filetype === Filetype.SYMBOLIC_LINK) {
      out.push({ path: rel, type: "symlink", mode: 0o777, target: fs.readlink(at), mtimeNs: st.mtim });
    } else if (st.filetype === Filetype.REGULAR_FILE) {
      out.push({ path: rel, type: "file", mode: st.mode, data: fs.readFile(at), mtimeNs: st.mtim });
    }
  };
  walk(path, as);
  return out;
}
