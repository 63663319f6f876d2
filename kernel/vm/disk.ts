// VM disks and shared roots: turning an image's layers (LayerEntry[][]) into a root filesystem.
// A VM gets a full private copy of every byte; containers share one read-only root built once.
import { FsApi } from "../fs-api.js";
import type { Kernel } from "../kernel.js";
import type { LayerEntry } from "../vfs/layer.js";
import { MemFs } from "../vfs/memory.js";
import { MountNamespace } from "../vfs/namespace.js";

/** Bytes of file data in the layers (what a full copy of the image holds). */
export function layerBytes(layers: readonly (readonly LayerEntry[])[]): number {
  let n = 0;
  for (const layer of layers) for (const e of layer) n += e.data?.byteLength ?? 0;
  return n;
}

/** A deep copy of the layers: new entry objects and new buffers for every file (nothing shared). */
export function copyLayers(layers: readonly (readonly LayerEntry[])[]): LayerEntry[][] {
  return layers.map((layer) => layer.map((e) => ({ ...e, ...(e.data ? { data: new Uint8Array(e.data) } : {}) })));
}

/** Options of a root built from layers. */
export interface RootOptions {
  /** Refuse writes (a root shared by many containers). */
  readOnly?: boolean;
  /** Most bytes of file data (the disk size); ENOSPC past it. */
  byteLimit?: number;
}

/** Builds a new in-memory filesystem holding the layers applied bottom first; returns it. */
export function buildRoot(kernel: Kernel, layers: readonly (readonly LayerEntry[])[], options: RootOptions = {}): MemFs {
  const fs = new MemFs(kernel.allocDev());
  const api = new FsApi(new MountNamespace(fs.root));
  for (const layer of layers) api.writeEntries(layer);
  for (const dir of ["dev", "proc", "tmp"]) if (!api.exists("/" + dir)) api.mkdir("/" + dir, { mode: dir === "tmp" ? 0o1777 : 0o755 });
  if (options.byteLimit !== undefined) fs.byteLimit = Math.max(options.byteLimit, fs.usedBytes);
  fs.readOnly = options.readOnly ?? false;
  return fs;
}
