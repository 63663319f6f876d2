// images/: the image store, an OCI image layout at `$WASMBOX_HOME/images/` (oci-layout, index.json,
// blobs/sha256/...), plus the build cache at `$WASMBOX_HOME/build-cache/` (one file per step key).
// index.json holds one descriptor per `name:tag` (annotation org.opencontainers.image.ref.name = the full
// `name:tag`); a descriptor without that annotation is a dangling image (`<none>`). Every blob read is
// verified against its digest; every write is a temp file + rename, and index.json is replaced last, so
// an interrupted build or load leaves the store as it was. Layers decoded for the kernel are cached per
// store object by diff_id: each layer is decoded once and the same frozen array is handed to every caller.
import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { join, resolve as resolvePath } from "node:path";
import { packageFolder } from "../userland/paths.js";
import type { LayerEntry } from "../kernel/index.js";
import { ImageError } from "./errors.js";
import { writeFileAtomic } from "./fs-atomic.js";
import { createHash } from "node:crypto";
import { decodeLayer, defaultMaxLayerBytes, layerDiffId } from "./layer-tar.js";
import {
  ANNOTATION_REF_NAME, MEDIA_TYPE_CONFIG, MEDIA_TYPE_INDEX, MEDIA_TYPE_MANIFEST, digestHex, isSha256Digest, jsonBytes,
  sha256Digest, shortId, type ContainerConfig, type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest,
} from "./oci.js";
import { looksLikeImageId, normalizeReference } from "./reference.js";

/** An image as read from the store, every blob verified. `id` is the config digest, as docker's image id. */
export interface StoredImage {
  id: string;
  manifestDigest: string;
  manifestSize: number;
  manifest: ImageManifest;
  config: ImageConfig;
  /** `name:tag` references pointing at it; empty for a dangling image. */
  refs: string[];
}

/** Result of `verify()`: what was checked and every problem found (empty when the store is sound). */
export interface VerifyReport {
  images: number;
  blobs: number;
  problems: string[];
}

import { wasmboxHome } from "./home.js";
export { wasmboxHome };
/**
 * The home whose store holds the images the installed package ships (base, hello; built by `npm run
 * build:images` into images/build/package-home): read-only, and seen from every wasmbox home.
 * `$WASMBOX_SHIPPED_IMAGES` names another one; set empty, there is none.
 */
export function shippedImagesHome(env: Record<string, string | undefined>): string | undefined {
  const given = env.WASMBOX_SHIPPED_IMAGES;
  if (given !== undefined) return given === "" ? undefined : given;
  return join(packageFolder(import.meta.url), "build", "package-home");
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === "ENOENT";
}

/** An OCI image layout on disk with wasmbox's index conventions, build cache and shared-layer cache. */
/** Options of an image store. */
export interface ImageStoreOptions {
  /** The most one layer may unpack to, in bytes (default: min(1 GiB, host memory / 8)). */
  maxLayerBytes?: number;
  /** A home whose images are seen here too, read-only (the package's shipped images); none by default. */
  shippedHome?: string;
}

export class ImageStore {
  readonly root: string;
  readonly blobDir: string;
  readonly cacheDir: string;
  /** The images directory of the read-only shipped store, when there is one (and it is not this store). */
  readonly shippedRoot?: string;
  private readonly decodedLayers = new Map<string, Promise<LayerEntry[]>>();

  /** The most one layer may unpack to (a gzip bomb is refused while streaming, never inflated whole). */
  readonly maxLayerBytes: number;

  private constructor(readonly home: string, options: ImageStoreOptions = {}) {
    this.maxLayerBytes = options.maxLayerBytes ?? defaultMaxLayerBytes();
    this.root = join(home, "images");
    this.blobDir = join(this.root, "blobs", "sha256");
    this.cacheDir = join(home, "build-cache");
    const shipped = options.shippedHome && join(options.shippedHome, "images");
    this.shippedRoot = shipped && resolvePath(shipped) !== resolvePath(this.root) ? shipped : undefined;
  }

  /** The store of a CLI or daemon environment: `$WASMBOX_HOME`'s, with the package's shipped images seen in it. */
  static openFor(env: Record<string, string | undefined>): Promise<ImageStore> {
    return ImageStore.open(wasmboxHome(env), { shippedHome: shippedImagesHome(env) });
  }

  /** Opens (creating when missing) the store under a wasmbox home directory. */
  static async open(home: string, options: ImageStoreOptions = {}): Promise<ImageStore> {
    const store = new ImageStore(home, options);
    await mkdir(store.blobDir, { recursive: true });
    await mkdir(store.cacheDir, { recursive: true });
    const layoutFile = join(store.root, "oci-layout");
    // A new store's two files are written (and flushed) together.
    await Promise.all([
      exists(layoutFile).then((found) => (found ? undefined : writeFileAtomic(layoutFile, JSON.stringify({ imageLayoutVersion: "1.0.0" })))),
      exists(join(store.root, "index.json")).then((found) => (found ? undefined : store.writeIndex({ schemaVersion: 2, mediaType: MEDIA_TYPE_INDEX, manifests: [] }))),
    ]);
    return store;
  }

  /** Path of a blob file. */
  blobPath(digest: string): string {
    if (!isSha256Digest(digest)) throw new ImageError(`invalid digest "${digest}"`);
    return join(this.blobDir, digestHex(digest));
  }

  /** True when the blob file exists (its content is not checked). */
  async hasBlob(digest: string): Promise<boolean> {
    return (await exists(this.blobPath(digest))) || (this.shippedRoot !== undefined && (await exists(this.shippedBlobPath(digest))));
  }

  /** Where a blob of the shipped store would be. */
  private shippedBlobPath(digest: string): string {
    return join(this.shippedRoot ?? this.root, "blobs", "sha256", digestHex(digest));
  }

  /** Reads a blob and checks its digest (and size when given); errors name the digest and `owner`. */
  async readBlob(digest: string, owner: string, expectedSize?: number): Promise<Buffer> {
    let data: Buffer;
    try {
      data = await readFile(this.blobPath(digest)).catch((error: unknown) => {
        if (isNotFound(error) && this.shippedRoot) return readFile(this.shippedBlobPath(digest));
        throw error;
      });
    } catch (error) {
      if (isNotFound(error)) throw new ImageError(`${owner}: blob ${digest} is missing from the store (${this.blobPath(digest)})`);
      throw error;
    }
    const actual = sha256Digest(data);
    if (actual !== digest) throw new ImageError(`${owner}: blob ${digest} is corrupt (its content hashes to ${actual})`);
    if (expectedSize !== undefined && data.byteLength !== expectedSize) {
      throw new ImageError(`${owner}: blob ${digest} has ${data.byteLength} bytes, its descriptor says ${expectedSize}`);
    }
    return data;
  }

  /** Reads and parses a JSON blob, verified. */
  async readJsonBlob<T>(digest: string, owner: string): Promise<T> {
    return parseJsonBlob<T>(await this.readBlob(digest, owner), digest, owner);
  }

  /** Reads one image by manifest digest, verifying manifest and config. */
  async readImage(manifestDigest: string, refs: string[] = []): Promise<StoredImage> {
    const owner = `image ${refs[0] ?? shortId(manifestDigest)}`;
    const manifestBlob = await this.readBlob(manifestDigest, owner);
    const manifest = parseJsonBlob<ImageManifest>(manifestBlob, manifestDigest, owner);
    if (!manifest.config?.digest || !Array.isArray(manifest.layers)) throw new ImageError(`${owner}: manifest ${manifestDigest} is not an image manifest`);
    const config = await this.readJsonBlob<ImageConfig>(manifest.config.digest, owner);
    return { id: manifest.config.digest, manifestDigest, manifestSize: manifestBlob.byteLength, manifest, config, refs };
  }

  /** Stores a blob (atomically; a no-op when an intact copy exists) and returns its digest and size. */
  async writeBlob(data: Uint8Array): Promise<{ digest: string; size: number }> {
    const digest = sha256Digest(data);
    const path = this.blobPath(digest);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.size !== data.byteLength) await writeFileAtomic(path, data);
    return { digest, size: data.byteLength };
  }

  /** Reads index.json. */
  async readIndex(): Promise<ImageIndex> {
    const text = await readFile(join(this.root, "index.json"), "utf8");
    try {
      const index = JSON.parse(text) as ImageIndex;
      if (!Array.isArray(index.manifests)) throw new Error("no manifests array");
      return index;
    } catch (error) {
      throw new ImageError(`the store's index.json is corrupt (${(error as Error).message}): ${join(this.root, "index.json")}`);
    }
  }

  /** Replaces index.json atomically: the commit point of every build, tag, load and removal. */
  async writeIndex(index: ImageIndex): Promise<void> {
    await writeFileAtomic(join(this.root, "index.json"), JSON.stringify(index, null, 2) + "\n");
  }

  /** The shipped store's index (no manifests when there is none). */
  private async shippedIndex(): Promise<ImageIndex> {
    if (!this.shippedRoot) return { schemaVersion: 2, mediaType: MEDIA_TYPE_INDEX, manifests: [] };
    const text = await readFile(join(this.shippedRoot, "index.json"), "utf8").catch(() => undefined);
    const index = text === undefined ? undefined : (JSON.parse(text) as ImageIndex);
    return { schemaVersion: 2, mediaType: MEDIA_TYPE_INDEX, manifests: Array.isArray(index?.manifests) ? index.manifests : [] };
  }

  /** The images seen here: this store's, then the shipped store's tagged ones whose names this store does not use. */
  async viewIndex(): Promise<ImageIndex> {
    const own = await this.readIndex();
    const names = new Set(own.manifests.map((d) => d.annotations?.[ANNOTATION_REF_NAME]).filter(Boolean));
    const shipped = (await this.shippedIndex()).manifests.filter((d) => {
      const ref = d.annotations?.[ANNOTATION_REF_NAME];
      return ref !== undefined && !names.has(ref);
    });
    return { ...own, manifests: [...own.manifests, ...shipped] };
  }

  /**
   * Whether `text` names an image only the shipped store has (by that name, or by id with no entry
   * of this store's): such an image is the installed package's and cannot be removed.
   */
  async isShippedOnly(text: string): Promise<boolean> {
    if (!this.shippedRoot) return false;
    const image = await this.resolve(text);
    const own = await this.readIndex();
    const wanted = safeNormalize(text);
    if (wanted && image.refs.includes(wanted)) return !own.manifests.some((d) => d.annotations?.[ANNOTATION_REF_NAME] === wanted);
    return !own.manifests.some((d) => d.digest === image.manifestDigest);
  }

  /** Refuses (ImageError) to remove an image of the installed package. */
  async assertRemovable(text: string): Promise<void> {
    if (await this.isShippedOnly(text)) {
      throw new ImageError(`unable to remove ${text}: it is an image of the installed wasmbox package (read-only, in ${this.shippedRoot}); tag it to have a name of your own`);
    }
  }

  /** Every image in index.json, one per manifest, with its refs; dangling images have no refs. */
  async listImages(): Promise<StoredImage[]> {
    const refsByManifest = new Map<string, string[]>();
    for (const descriptor of (await this.viewIndex()).manifests) {
      const refs = refsByManifest.get(descriptor.digest) ?? [];
      const ref = descriptor.annotations?.[ANNOTATION_REF_NAME];
      if (ref) refs.push(ref);
      refsByManifest.set(descriptor.digest, refs);
    }
    const images: StoredImage[] = [];
    for (const [digest, refs] of refsByManifest) images.push(await this.readImage(digest, refs));
    return images;
  }

  /** Finds an image by `name[:tag]`, image id (prefix), or manifest digest; ImageError when there is none. */
  async resolve(text: string): Promise<StoredImage> {
    const index = await this.viewIndex();
    const wanted = safeNormalize(text);
    const hit = wanted && index.manifests.find((d) => d.annotations?.[ANNOTATION_REF_NAME] === wanted);
    if (hit) return this.readImage(hit.digest, this.refsOf(index, hit.digest));
    if (looksLikeImageId(text)) {
      const prefix = text.startsWith("sha256:") ? text : "sha256:" + text;
      const matches = new Set<string>();
      for (const image of await this.listImages()) {
        if (image.id.startsWith(prefix) || image.manifestDigest.startsWith(prefix)) matches.add(image.manifestDigest);
      }
      if (matches.size > 1) throw new ImageError(`image id prefix "${text}" is ambiguous (${matches.size} images match)`);
      const [digest] = matches;
      if (digest) return this.readImage(digest, this.refsOf(index, digest));
    }
    throw new ImageError(`no such image: ${text}`);
  }

  private refsOf(index: ImageIndex, manifestDigest: string): string[] {
    return index.manifests.filter((d) => d.digest === manifestDigest).map((d) => d.annotations?.[ANNOTATION_REF_NAME]).filter((r): r is string => !!r);
  }

  /** Writes config and manifest blobs for an image (not yet tagged) and returns it. */
  async writeImage(config: ImageConfig, layers: Descriptor[], annotations?: Record<string, string>): Promise<StoredImage> {
    const configBlob = await this.writeBlob(jsonBytes(config));
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_MANIFEST,
      config: { mediaType: MEDIA_TYPE_CONFIG, ...configBlob },
      layers,
      ...(annotations ? { annotations } : {}),
    };
    const manifestBlob = await this.writeBlob(jsonBytes(manifest));
    return { id: configBlob.digest, manifestDigest: manifestBlob.digest, manifestSize: manifestBlob.size, manifest, config, refs: [] };
  }

  /** Points each `name:tag` at the manifest, in one atomic index.json update (see tagImages). */
  async tagImage(manifestDigest: string, manifestSize: number, refs: string[]): Promise<void> {
    await this.tagImages([{ manifestDigest, manifestSize, refs }]);
  }

  /**
   * Adds images to index.json and points their `name:tag`s at them, all in one atomic update. An image that
   * loses its last tag stays as a dangling (`<none>`) entry, as docker keeps it, until `rmi` or `image prune`.
   */
  async tagImages(images: { manifestDigest: string; manifestSize: number; refs: string[] }[]): Promise<void> {
    const index = await this.readIndex();
    let manifests = index.manifests;
    for (const { manifestDigest, manifestSize, refs } of images) {
      const wanted = refs.map(normalizeReference);
      const kept = manifests.filter((d) => {
        const ref = d.annotations?.[ANNOTATION_REF_NAME];
        return ref ? !wanted.includes(ref) : d.digest !== manifestDigest;
      });
      for (const lost of manifests) {
        if (kept.includes(lost) || lost.digest === manifestDigest) continue;
        if (!kept.some((d) => d.digest === lost.digest)) kept.push({ mediaType: MEDIA_TYPE_MANIFEST, digest: lost.digest, size: lost.size });
      }
      for (const ref of wanted) {
        kept.push({ mediaType: MEDIA_TYPE_MANIFEST, digest: manifestDigest, size: manifestSize, annotations: { [ANNOTATION_REF_NAME]: ref } });
      }
      if (!kept.some((d) => d.digest === manifestDigest)) kept.push({ mediaType: MEDIA_TYPE_MANIFEST, digest: manifestDigest, size: manifestSize });
      manifests = kept;
    }
    if (JSON.stringify(index.manifests) !== JSON.stringify(manifests)) await this.writeIndex({ ...index, manifests });
  }

  /**
   * Removes a tag, or a whole image by id (`force` needed when several tags point at it); deletes the
   * image once no tag is left and then the blobs nothing references. Returns what was untagged/deleted.
   */
  async removeImage(text: string, force = false, inUse = false): Promise<{ untagged: string[]; deleted: string[] }> {
    await this.assertRemovable(text);
    const image = await this.resolve(text);
    const byTag = image.refs.includes(safeNormalize(text) ?? "");
    const untagged = byTag ? [safeNormalize(text)!] : image.refs;
    if (!byTag && image.refs.length > 1 && !force) {
      throw new ImageError(`conflict: unable to delete ${shortId(image.id)} (must be forced) - image is referenced in multiple repositories`);
    }
    const index = await this.readIndex();
    const remainingRefs = image.refs.filter((ref) => !untagged.includes(ref));
    const manifests = index.manifests.filter((d) => {
      if (d.digest !== image.manifestDigest) return true;
      const ref = d.annotations?.[ANNOTATION_REF_NAME];
      return ref !== undefined && remainingRefs.includes(ref);
    });
    // An image a container uses stays, untagged (`<none>`), as docker keeps it under `rmi -f`.
    const keep = inUse && remainingRefs.length === 0;
    if (keep) manifests.push({ mediaType: MEDIA_TYPE_MANIFEST, digest: image.manifestDigest, size: image.manifestSize });
    await this.writeIndex({ ...index, manifests });
    const deleted = remainingRefs.length === 0 && !keep ? [image.id] : [];
    if (deleted.length) await this.collectGarbage();
    return { untagged, deleted };
  }

  /** Removes dangling images (and with `buildCache` the build cache), then unreferenced blobs. */
  async prune(options: { buildCache?: boolean; keep?: ReadonlySet<string>; all?: boolean } = {}): Promise<{ deleted: string[]; reclaimedBytes: number }> {
    const index = await this.readIndex();
    // `keep`: ids of images containers use (never pruned); `all`: tagged images nothing uses go too.
    const candidates = index.manifests.filter((d) => options.all || !d.annotations?.[ANNOTATION_REF_NAME]);
    const dangling: Descriptor[] = [];
    const deleted: string[] = [];
    for (const descriptor of candidates) {
      const image = await this.readImage(descriptor.digest).catch(() => undefined);
      if (image && options.keep?.has(image.id)) continue;
      dangling.push(descriptor);
      if (!deleted.includes(image?.id ?? descriptor.digest)) deleted.push(image?.id ?? descriptor.digest);
    }
    if (dangling.length) await this.writeIndex({ ...index, manifests: index.manifests.filter((d) => !dangling.includes(d)) });
    if (options.buildCache) await rm(this.cacheDir, { recursive: true, force: true }).then(() => mkdir(this.cacheDir, { recursive: true }));
    let reclaimedBytes = await this.collectGarbage({ temporaryFiles: true });
    // Blobs of failed pulls, kept so that the next pull resumes them (images/registry/client.ts downloadBlob).
    const downloads = join(this.home, "downloads");
    for (const name of await readdir(downloads).catch(() => [])) {
      reclaimedBytes += (await stat(join(downloads, name)).catch(() => undefined))?.size ?? 0;
      await rm(join(downloads, name), { force: true });
    }
    return { deleted, reclaimedBytes };
  }

  /** The build cache: its entries, and the bytes of the blobs only it keeps (what dropping it frees). */
  async buildCacheBytes(): Promise<{ entries: number; bytes: number }> {
    const blobsOf = async (digests: string[]) => {
      const blobs = new Map<string, number>();
      for (const digest of digests) {
        const manifest = await this.readJsonBlob<ImageManifest>(digest, "disk usage").catch(() => undefined);
        if (!manifest) continue;
        blobs.set(digest, 0);
        for (const d of [manifest.config, ...manifest.layers]) blobs.set(d.digest, d.size);
      }
      return blobs;
    };
    const keys = await readdir(this.cacheDir);
    const cached: string[] = [];
    for (const key of keys) {
      const digest = await this.buildCacheGet(key);
      if (digest) cached.push(digest);
    }
    const indexed = await blobsOf((await this.readIndex()).manifests.map((d) => d.digest));
    let bytes = 0;
    for (const [digest, size] of await blobsOf(cached)) if (!indexed.has(digest)) bytes += size;
    return { entries: cached.length, bytes };
  }

  /** Deletes blobs referenced by neither index.json nor the build cache; returns the bytes freed. */
  async collectGarbage(options: { temporaryFiles?: boolean } = {}): Promise<number> {
    const live = new Set<string>();
    const manifests = (await this.readIndex()).manifests.map((d) => d.digest);
    for (const key of await readdir(this.cacheDir)) {
      const digest = await this.buildCacheGet(key);
      if (digest) manifests.push(digest);
    }
    for (const digest of manifests) {
      live.add(digest);
      const manifest = await this.readJsonBlob<ImageManifest>(digest, "garbage collection").catch(() => undefined);
      if (!manifest) continue;
      live.add(manifest.config.digest);
      for (const layer of manifest.layers) live.add(layer.digest);
    }
    let freed = 0;
    for (const name of await readdir(this.blobDir)) {
      const isTemporary = name.startsWith(".tmp-");
      if (isTemporary ? !options.temporaryFiles : live.has("sha256:" + name)) continue;
      const path = join(this.blobDir, name);
      freed += (await stat(path)).size;
      await rm(path, { force: true });
    }
    return freed;
  }

  /** Looks up a build-cache key; returns the cached step's manifest digest when its blobs still exist. */
  async buildCacheGet(key: string): Promise<string | undefined> {
    const digest = await readFile(join(this.cacheDir, key), "utf8").then((t) => t.trim()).catch(() => undefined);
    return digest && isSha256Digest(digest) && (await this.hasBlob(digest)) ? digest : undefined;
  }

  /** Records the manifest digest a build step produced under its cache key. */
  async buildCachePut(key: string, manifestDigest: string): Promise<void> {
    await writeFileAtomic(join(this.cacheDir, key), manifestDigest + "\n");
  }

  /**
   * Returns the image's layers, bottom first, for the kernel. Each layer is decoded once per store object
   * (keyed by diff_id) and the same frozen array is returned to every caller; read-only, never mutate.
   */
  async loadLayers(image: StoredImage): Promise<LayerEntry[][]> {
    const diffIds = image.config.rootfs?.diff_ids ?? [];
    const owner = `image ${image.refs[0] ?? shortId(image.id)}`;
    if (diffIds.length !== image.manifest.layers.length) {
      throw new ImageError(`${owner}: manifest has ${image.manifest.layers.length} layers but the config lists ${diffIds.length} diff_ids`);
    }
    return Promise.all(image.manifest.layers.map((layer, i) => this.loadLayer(layer, diffIds[i]!, owner)));
  }

  /** Resolves an image and loads its shared layers: everything `wasmbox run IMAGE` needs from the store. */
  async openForRun(text: string): Promise<{ image: StoredImage; config: ContainerConfig; layers: LayerEntry[][] }> {
    const image = await this.resolve(text);
    return { image, config: image.config.config ?? {}, layers: await this.loadLayers(image) };
  }

  private loadLayer(layer: Descriptor, diffId: string, owner: string): Promise<LayerEntry[]> {
    const cached = this.decodedLayers.get(diffId);
    if (cached) return cached;
    const loading = (async () => {
      const blob = await this.readBlob(layer.digest, owner, layer.size);
      const hash = createHash("sha256");
      const entries = await decodeLayer(blob, { maxBytes: this.maxLayerBytes, hash }).catch((error: Error) => {
        throw new ImageError(`${owner}: layer ${layer.digest}: ${error.message}`);
      });
      const actualDiffId = "sha256:" + hash.digest("hex");
      if (actualDiffId !== diffId) throw new ImageError(`${owner}: layer ${layer.digest} uncompresses to ${actualDiffId}, the config says ${diffId}`);
      for (const entry of entries) Object.freeze(entry);
      return Object.freeze(entries) as LayerEntry[];
    })();
    this.decodedLayers.set(diffId, loading);
    loading.catch(() => this.decodedLayers.delete(diffId));
    return loading;
  }

  /** Checks the whole store: layout files, every image's manifest, config, layers and diff_ids, every blob. */
  async verify(): Promise<VerifyReport> {
    const problems: string[] = [];
    const layout = await readFile(join(this.root, "oci-layout"), "utf8").then((t) => JSON.parse(t) as { imageLayoutVersion?: string }).catch(() => undefined);
    if (!layout?.imageLayoutVersion) problems.push(`oci-layout is missing or invalid in ${this.root}`);
    let images: StoredImage[] = [];
    try {
      const index = await this.readIndex();
      for (const digest of new Set(index.manifests.map((d) => d.digest))) {
        try {
          const image = await this.readImage(digest, this.refsOf(index, digest));
          images.push(image);
          const owner = `image ${image.refs[0] ?? shortId(image.id)}`;
          const diffIds = image.config.rootfs?.diff_ids ?? [];
          if (diffIds.length !== image.manifest.layers.length) problems.push(`${owner}: ${image.manifest.layers.length} layers but ${diffIds.length} diff_ids`);
          for (const [i, layer] of image.manifest.layers.entries()) {
            try {
              const blob = await this.readBlob(layer.digest, owner, layer.size);
              const diffId = await layerDiffId(blob, this.maxLayerBytes).catch((error: Error) => {
                throw new ImageError(`${owner}: layer ${layer.digest}: ${error.message}`);
              });
              if (diffIds[i] && diffId !== diffIds[i]) problems.push(`${owner}: layer ${layer.digest} uncompresses to ${diffId}, the config says ${diffIds[i]}`);
            } catch (error) {
              problems.push(errorText(error));
            }
          }
        } catch (error) {
          problems.push(errorText(error));
        }
      }
    } catch (error) {
      problems.push(errorText(error));
      images = [];
    }
    const names = (await readdir(this.blobDir)).filter((name) => !name.startsWith("."));
    for (const name of names) {
      const actual = sha256Digest(await readFile(join(this.blobDir, name)));
      if (actual !== "sha256:" + name) problems.push(`blob sha256:${name} is corrupt (its content hashes to ${actual})`);
    }
    return { images: images.length, blobs: names.length, problems: [...new Set(problems)] };
  }
}

function parseJsonBlob<T>(data: Buffer, digest: string, owner: string): T {
  try {
    return JSON.parse(data.toString("utf8")) as T;
  } catch {
    throw new ImageError(`${owner}: blob ${digest} is not valid JSON`);
  }
}

function errorText(error: unknown): string {
  if (error instanceof ImageError) return error.message;
  throw error;
}

function safeNormalize(text: string): string | undefined {
  try {
    return normalizeReference(text);
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
