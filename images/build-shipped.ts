// images/: builds the images wasmbox ships (images/base, images/hello) into the package's own
// read-only store (images/build/package-home), which every wasmbox home sees; run by `npm run
// build:images`. Incremental through the layer cache.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageFolder } from "../userland/paths.js";
import { baseRootfs } from "../userland/rootfs.js";
import type { LayerEntry } from "../kernel/index.js";
import { buildImage, type BuildResult } from "./builder.js";
import { ImageStore, shippedImagesHome, wasmboxHome } from "./store.js";

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

/** A digest of layer entries: paths, kinds, modes, link targets and contents. */
function entriesDigest(entries: readonly LayerEntry[]): string {
  const hash = createHash("sha256");
  for (const entry of [...entries].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    hash.update(JSON.stringify([entry.path, entry.type, entry.mode, entry.target ?? ""])).update(entry.data ?? new Uint8Array()).update("\0");
  }
  return hash.digest("hex");
}

/**
 * The base image's build context, images/build/base-DIGEST/ (its files in rootfs/), laid out once
 * per content: written under a temporary name and renamed into place, so builds at the same time
 * (test files run in parallel) never see each other's half-written tree. Older contexts are removed.
 */
async function stageBaseContext(entries: readonly LayerEntry[]): Promise<string> {
  const buildDir = join(IMAGES_DIR, "build");
  const name = `base-${entriesDigest(entries).slice(0, 16)}`;
  const context = join(buildDir, name);
  if (existsSync(join(context, "rootfs"))) return context;
  await mkdir(buildDir, { recursive: true });
  for (const old of await readdir(buildDir)) {
    if (old === "base" || (old.startsWith("base-") && old !== name)) await rm(join(buildDir, old), { recursive: true, force: true });
  }
  const temporary = await mkdtemp(join(buildDir, ".base-"));
  try {
    await writeEntriesToDirectory(entries, join(temporary, "rootfs"));
    await rename(temporary, context);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    // Another build laid out the same content first: use it.
    if (!existsSync(join(context, "rootfs"))) throw error;
  }
  return context;
}

/** Builds base (from the userland build) and the demo images into the store of `home`. */
export async function buildShippedImages(options: { home?: string; userlandBuildDir?: string; write?: (text: string) => void } = {}): Promise<BuildResult[]> {
  const store = await ImageStore.open(options.home ?? shippedImagesHome({}) ?? wasmboxHome(process.env));
  const staging = await stageBaseContext(await baseRootfs(options.userlandBuildDir));
  const results: BuildResult[] = [];
  results.push(await buildImage(store, { contextDir: staging, containerfile: join(IMAGES_DIR, "base", "Containerfile"), tags: ["base"], write: options.write }));
  results.push(await buildImage(store, { contextDir: join(IMAGES_DIR, "hello"), tags: ["hello"], write: options.write }));
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  const results = await buildShippedImages({ write: (text) => process.stdout.write(text) });
  const cached = results.reduce((sum, r) => sum + r.cachedSteps, 0);
  console.log(`built ${results.length} images into ${shippedImagesHome({}) ?? wasmboxHome(process.env)} in ${Math.round(performance.now() - started)} ms (${cached} steps from cache)`);
}
