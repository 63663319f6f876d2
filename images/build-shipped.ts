// images/: builds the images wasmbox ships (images/base, images/hello) into the default store
// ($WASMBOX_HOME or ~/.wasmbox); run by `npm run build:images`. Incremental through the layer cache.
import { chmod, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageFolder } from "../userland/paths.js";
import { baseRootfs } from "../userland/rootfs.js";
import type { LayerEntry } from "../kernel/index.js";
import { buildImage, type BuildResult } from "./builder.js";
import { ImageStore, wasmboxHome } from "./store.js";

const IMAGES_DIR = packageFolder(import.meta.url);

/** Writes layer entries as a host directory tree (modes kept), for use as a COPY source. */
export async function writeEntriesToDirectory(entries: readonly LayerEntry[], root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const entry of sorted) {
    const path = join(root, entry.path);
    await mkdir(dirname(path), { recursive: true });
    if (entry.type === "dir") await mkdir(path, { recursive: true });
    else if (entry.type === "symlink") await symlink(entry.target ?? "", path);
    else if (entry.type === "file") await writeFile(path, entry.data ?? new Uint8Array());
    else if (entry.type === "hardlink") await writeFile(path, entries.find((e) => e.path === entry.target)?.data ?? new Uint8Array());
    if (entry.type !== "symlink") await chmod(path, entry.mode & 0o7777);
  }
  for (const entry of sorted) if (entry.type === "dir") await chmod(join(root, entry.path), entry.mode & 0o7777);
}

/** Builds base (from the userland build) and the demo images into the store of `home`. */
export async function buildShippedImages(options: { home?: string; userlandBuildDir?: string; write?: (text: string) => void } = {}): Promise<BuildResult[]> {
  const store = await ImageStore.open(options.home ?? wasmboxHome(process.env));
  const staging = join(IMAGES_DIR, "build", "base");
  await writeEntriesToDirectory(await baseRootfs(options.userlandBuildDir), join(staging, "rootfs"));
  const results: BuildResult[] = [];
  results.push(await buildImage(store, { contextDir: staging, containerfile: join(IMAGES_DIR, "base", "Containerfile"), tags: ["base"], write: options.write }));
  results.push(await buildImage(store, { contextDir: join(IMAGES_DIR, "hello"), tags: ["hello"], write: options.write }));
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  const results = await buildShippedImages({ write: (text) => process.stdout.write(text) });
  const cached = results.reduce((sum, r) => sum + r.cachedSteps, 0);
  console.log(`built ${results.length} images into ${wasmboxHome(process.env)} in ${Math.round(performance.now() - started)} ms (${cached} steps from cache)`);
}
