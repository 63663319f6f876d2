// images/registry: `wasmbox pull`: resolves a reference to a manifest (an index picks the wasi/wasm platform),
// downloads the blobs the store lacks (resumable, each verified before it enters the store), then tags the image,
// the commit point. A Wasm OCI artifact (one application/wasm layer) becomes a runnable one-module image.
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { ImageError } from "../errors.js";
import { syncPath } from "../fs-atomic.js";
import { isWasmBinary, writeWasmModuleImage } from "../import-wasm.js";
import {
  ANNOTATION_REF_NAME, DOCKER_MEDIA_TYPE_LAYER_GZIP, DOCKER_MEDIA_TYPE_MANIFEST, DOCKER_MEDIA_TYPE_MANIFEST_LIST, MEDIA_TYPE_CONFIG, MEDIA_TYPE_INDEX,
  MEDIA_TYPE_LAYER_GZIP, MEDIA_TYPE_LAYER_TAR, MEDIA_TYPE_MANIFEST, digestHex, isSha256Digest, jsonBytes, sha256Digest, shortId, type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest,
} from "../oci.js";
import { formatRemoteReference, localNameOf, parseRemoteReference, type RemoteReference } from "../reference.js";
import type { ImageStore, StoredImage } from "../store.js";
import { RegistryClient, type FetchedManifest } from "./client.js";
import { RegistryError } from "./http.js";
import type { LayerProgress } from "./progress.js";
import { BlobSources } from "./sources.js";
import { RepoDigests } from "./repo-digests.js";
import { isSpinApplication, pullSpinApplication } from "./spin.js";

/** Docker's image config media type (same JSON as the OCI config). */
export const DOCKER_MEDIA_TYPE_CONFIG = "application/vnd.docker.container.image.v1+json";
const DOCKER_MEDIA_TYPE_LAYER_TAR = "application/vnd.docker.image.rootfs.diff.tar";
/** Layer media types of Wasm OCI artifacts: the CNCF Wasm OCI convention's, wasm-to-oci's, runwasi's, containerd-wasm-shims'. */
const WASM_LAYER_TYPES = new Set([
  "application/wasm", "application/vnd.wasm.content.layer.v1+wasm", "application/vnd.bytecodealliance.wasm.component.layer.v0+wasm",
  "application/vnd.module.wasm.content.layer.v1+wasm",
]);
/** Platforms that run here, most preferred first: core modules (wasip1 and docker's wasi/wasm), then components. */
export const WASM_PLATFORMS: readonly string[] = ["wasip1/wasm", "wasi/wasm", "wasi/wasm32", "wasip1/wasm32", "wasip2/wasm", "wasip2/wasm32"];
/** Blobs downloaded at once (docker's max-concurrent-downloads); the config takes the first turn. */
const CONCURRENT_DOWNLOADS = 3;

/** What a pull needs besides the store. */
export interface PullOptions {
  home: string;
  /** Registry for names without one. */
  defaultRegistry: string;
  tlsVerify?: boolean;
  /** `os/arch[/variant]` to pick from an index instead of the first wasm platform. */
  platform?: string;
  progress: LayerProgress;
}

/** What a pull did. */
export interface PullResult {
  image: StoredImage;
  /** The name it is stored under (`alpine:3`, `localhost:5000/app:1`). */
  localName: string;
  /** The fully qualified reference (`docker.io/library/alpine:3`). */
  remote: string;
  /** Digest of the manifest (or index) the reference pointed at. */
  digest: string;
  upToDate: boolean;
}

/**
 * Pulls `text` into the store; on any failure the store is left as it was (only downloads/ may keep partial blobs).
 * The store may still be opening (a new home writes its first files): the registry is asked for the manifest meanwhile.
 */
export async function pullImage(opening: ImageStore | Promise<ImageStore>, text: string, options: PullOptions): Promise<PullResult> {
  const storeReady = Promise.resolve(opening);
  storeReady.catch(() => undefined); // awaited below; failing before that must not be an unhandled rejection
  const ref = parseRemoteReference(text, options.defaultRegistry);
  const client = await RegistryClient.connect(ref.registry, options.home, { tlsVerify: options.tlsVerify });
  const added: string[] = [];
  try {
    options.progress.message(`${ref.tag ?? ref.digest}: Pulling from ${ref.repository}`);
    const [fetched, top] = await fetchImageManifest(client, ref, options.platform);
    return await pullWith(client, await storeReady, ref, fetched, top, options, added);
  } catch (error) {
    // A store still opening finishes first: nothing of this pull goes on after it returns.
    const store = await storeReady.catch(() => undefined);
    if (store) for (const digest of added) await rm(store.blobPath(digest), { force: true });
    throw error;
  } finally {
    client.close();
  }
}

/** The image manifest `ref` names (picked from an index when it names one), and what `ref` itself names. */
async function fetchImageManifest(client: RegistryClient, ref: RemoteReference, platform: string | undefined): Promise<[FetchedManifest, FetchedManifest]> {
  const top = await client.getManifest(ref.repository, ref.digest ?? ref.tag!);
  if (!isIndexType(top.mediaType)) return [top, top];
  const index = parseJson<ImageIndex>(top, client.registry);
  const chosen = selectPlatform(index, platform, `${formatRemoteReference(ref)} (${client.registry})`);
  const fetched = await client.getManifest(ref.repository, chosen.digest);
  if (isIndexType(fetched.mediaType)) throw new RegistryError(client.registry, `manifest ${chosen.digest} is a nested index; wasmbox pulls an image manifest`);
  return [fetched, top];
}

async function pullWith(
  client: RegistryClient, store: ImageStore, ref: RemoteReference, fetched: FetchedManifest, top: FetchedManifest, options: PullOptions, added: string[],
): Promise<PullResult> {
  const { progress } = options;
  const localName = localNameOf(ref);
  const manifest = parseJson<ImageManifest>(fetched, client.registry);
  checkManifest(manifest, fetched, client.registry);
  const downloads = join(options.home, "downloads");
  const before = (await store.readIndex()).manifests.find((d) => d.annotations?.[ANNOTATION_REF_NAME] === localName)?.digest;

  let image: StoredImage;
  const wasmLayers = manifest.layers.filter((layer) => WASM_LAYER_TYPES.has(layer.mediaType) || layer.mediaType.endsWith("+wasm"));
  if (isSpinApplication(manifest)) {
    image = await pullSpinApplication(client, store, ref, manifest, fetched.digest, downloads, progress, added);
  } else if (wasmLayers.length > 0) {
    if (manifest.layers.length !== 1) {
      const types = [...new Set(manifest.layers.map((l) => l.mediaType))].join(", ");
      throw new RegistryError(client.registry, `${formatRemoteReference(ref)} is a Wasm artifact with ${manifest.layers.length} layers (${types}) and a config of media type ${manifest.config.mediaType}; wasmbox runs single-module artifacts (one application/wasm layer) and Spin applications`);
    }
    image = await pullWasmArtifact(client, store, ref, manifest, fetched.digest, downloads, options, added);
  } else {
    for (const layer of manifest.layers) {
      if (!LAYER_TYPES[layer.mediaType]) throw new RegistryError(client.registry, `layer ${layer.digest} has media type ${layer.mediaType}, which wasmbox cannot unpack (it reads tar and tar+gzip layers)`);
    }
    // Blobs are downloaded, flushed and verified into downloads/ first and moved into the store together at the end, so a
    // pull killed while downloading (even by SIGKILL, when no rollback runs) leaves the store as it was.
    const staged = new Map<string, string>();
    // The manifest is known now: staged (flushed) while the layers download.
    const storedManifest = isOciManifest(fetched, manifest) ? fetched.bytes : jsonBytes(toOciManifest(manifest));
    const manifestDigest = sha256Digest(storedManifest);
    const manifestStaged = stageBytes(store, storedManifest, manifestDigest, downloads, staged);
    manifestStaged.catch(() => undefined); // awaited below; a failure meanwhile must not be unhandled
    const checkConfig = async () => {
      const configFile = await fetchToStage(client, store, ref.repository, manifest.config, downloads, staged, undefined);
      const configBytes = configFile ? await readFile(configFile) : await store.readBlob(manifest.config.digest, formatRemoteReference(ref));
      const config = parseConfig(configBytes, manifest.config.digest, client.registry);
      if (config.rootfs?.diff_ids?.length !== manifest.layers.length) {
        throw new RegistryError(client.registry, `image config ${manifest.config.digest} lists ${config.rootfs?.diff_ids?.length ?? 0} diff_ids for ${manifest.layers.length} layers`);
      }
      const platform = `${config.os}/${config.architecture}`;
      if (!WASM_PLATFORMS.includes(platform)) progress.message(`WARNING: the image's platform (${platform}) is not a WebAssembly one (${WASM_PLATFORMS.slice(0, 3).join(", ")}); its programs may not run here`);
    };
    const uniqueLayers = manifest.layers.filter((layer, i) => manifest.layers.findIndex((l) => l.digest === layer.digest) === i);
    const pullLayer = async (layer: Descriptor) => {
      const id = shortId(layer.digest);
      if (await store.hasBlob(layer.digest)) return progress.status(id, "Already exists");
      progress.status(id, "Pulling fs layer");
      await fetchToStage(client, store, ref.repository, layer, downloads, staged, (done, total) => progress.bytes(id, "Downloading", done, total));
      progress.status(id, "Verifying Checksum");
      progress.status(id, "Download complete");
    };
    // The config is fetched and checked first in line but beside the layers, not before them: a bad config
    // stops further downloads, and nothing enters the store unless every blob arrived intact.
    await forEachLimited([checkConfig, ...uniqueLayers.map((layer) => () => pullLayer(layer))], CONCURRENT_DOWNLOADS, (work) => work());
    await manifestStaged;
    await Promise.all([...staged].map(async ([digest, file]) => {
      await rename(file, store.blobPath(digest));
      added.push(digest);
    }));
    // One flush of the blobs directory makes every rename durable before index.json names the image.
    if (staged.size > 0) await syncPath(store.blobDir);
    for (const layer of uniqueLayers) if (staged.has(layer.digest)) progress.status(shortId(layer.digest), "Pull complete");
    image = await store.readImage(manifestDigest);
  }
  // The tag is the commit point. Beside it, two records of where the image came from, hints that need no order with
  // it (a failure only loses the record; a record of an image a failed tag left out names blobs nothing uses).
  const [tagged] = await Promise.allSettled([
    store.tagImage(image.manifestDigest, image.manifestSize, [localName]),
    new RepoDigests(options.home).record(image.id, localNameOf({ ...ref, tag: undefined, digest: top.digest })),
    new BlobSources(options.home).record([manifest.config.digest, ...manifest.layers.map((l) => l.digest)], { registry: client.registry, repository: ref.repository }),
  ]);
  if (tagged.status === "rejected") throw tagged.reason;
  added.length = 0; // committed: nothing to roll back from here on
  progress.message(`Digest: ${top.digest}`);
  const upToDate = before === image.manifestDigest;
  progress.message(`Status: ${upToDate ? "Image is up to date" : "Downloaded newer image"} for ${localName}`);
  return { image: { ...image, refs: [localName] }, localName, remote: formatRemoteReference(ref), digest: top.digest, upToDate };
}

/** A Wasm OCI artifact: its module, verified, as a one-layer image whose Entrypoint runs it. */
async function pullWasmArtifact(
  client: RegistryClient, store: ImageStore, ref: RemoteReference, manifest: ImageManifest, manifestDigest: string, downloads: string, options: PullOptions, added: string[],
): Promise<StoredImage> {
  const layer = manifest.layers[0]!;
  const id = shortId(layer.digest);
  let artifactConfig: { os?: string; architecture?: string; created?: string } = {};
  if (manifest.config.size > 2 && manifest.config.size <= 1024 * 1024) {
    const configFile = await client.downloadBlob(ref.repository, manifest.config, downloads);
    try {
      artifactConfig = JSON.parse(await readFile(configFile, "utf8")) as typeof artifactConfig;
    } catch {
      artifactConfig = {};
    } finally {
      await rm(configFile, { force: true });
    }
  }
  options.progress.status(id, "Pulling fs layer");
  const moduleFile = await client.downloadBlob(ref.repository, layer, downloads, (done, total) => options.progress.bytes(id, "Downloading", done, total));
  try {
    const data = await readFile(moduleFile);
    if (!isWasmBinary(data)) throw new RegistryError(client.registry, `layer ${layer.digest} (${layer.mediaType}) is not a WebAssembly binary (no \\0asm header)`);
    const isComponent = data[4] !== 0x01; // core modules are version 1; components have layer 1 in bytes 6-7
    const os = artifactConfig.os?.startsWith("wasi") ? artifactConfig.os : isComponent ? "wasip2" : "wasip1";
    options.progress.status(id, "Download complete");
    const program = ref.repository.split("/").at(-1)!;
    const image = await writeWasmModuleImage(store, data, {
      program, os, created: artifactConfig.created ?? new Date(0).toISOString(),
      createdBy: `wasmbox pull ${formatRemoteReference(ref)} (Wasm artifact ${manifestDigest})`,
      annotations: { "org.opencontainers.image.base.digest": manifestDigest, "org.opencontainers.image.base.name": formatRemoteReference(ref) },
    });
    for (const digest of [image.manifest.layers[0]!.digest, image.id, image.manifestDigest]) if (!added.includes(digest)) added.push(digest);
    options.progress.status(id, "Pull complete");
    return image;
  } finally {
    await rm(moduleFile, { force: true });
  }
}

/** Picks the manifest of an index to run here: `wanted` (`os/arch[/variant]`) or the first WASM_PLATFORMS entry present. */
export function selectPlatform(index: ImageIndex, wanted: string | undefined, what: string): Descriptor {
  const platformOf = (d: Descriptor) => (d.platform ? `${d.platform.os}/${d.platform.architecture}` : undefined);
  const candidates = index.manifests.filter((d) => isSha256Digest(d.digest));
  if (wanted) {
    const hit = candidates.find((d) => platformOf(d) === wanted || (d.platform && `${platformOf(d)}/${(d.platform as { variant?: string }).variant}` === wanted));
    if (hit) return hit;
  } else {
    for (const platform of WASM_PLATFORMS) {
      const hit = candidates.find((d) => platformOf(d) === platform);
      if (hit) return hit;
    }
    if (candidates.length === 1 && !candidates[0]!.platform) return candidates[0]!;
  }
  const offered = [...new Set(candidates.map((d) => platformOf(d) ?? "no platform"))].join(", ") || "nothing";
  throw new ImageError(`no matching manifest for ${wanted ?? "wasip1/wasm, wasi/wasm or wasip2/wasm"} in the image index of ${what}; it offers ${offered}`);
}

const LAYER_TYPES: Record<string, string> = {
  [MEDIA_TYPE_LAYER_TAR]: MEDIA_TYPE_LAYER_TAR,
  [MEDIA_TYPE_LAYER_GZIP]: MEDIA_TYPE_LAYER_GZIP,
  [DOCKER_MEDIA_TYPE_LAYER_GZIP]: MEDIA_TYPE_LAYER_GZIP,
  [DOCKER_MEDIA_TYPE_LAYER_TAR]: MEDIA_TYPE_LAYER_TAR,
};

function isIndexType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPE_INDEX || mediaType === DOCKER_MEDIA_TYPE_MANIFEST_LIST;
}

function isOciManifest(fetched: FetchedManifest, manifest: ImageManifest): boolean {
  return fetched.mediaType === MEDIA_TYPE_MANIFEST && manifest.config.mediaType === MEDIA_TYPE_CONFIG && manifest.layers.every((l) => LAYER_TYPES[l.mediaType] === l.mediaType);
}

/** Docker's schema2 manifest in OCI terms (same blobs, OCI media types), as skopeo writes it into an OCI layout. */
function toOciManifest(manifest: ImageManifest): ImageManifest {
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_MANIFEST,
    config: { mediaType: MEDIA_TYPE_CONFIG, digest: manifest.config.digest, size: manifest.config.size },
    layers: manifest.layers.map((l) => ({ mediaType: LAYER_TYPES[l.mediaType]!, digest: l.digest, size: l.size, ...(l.annotations ? { annotations: l.annotations } : {}) })),
    ...(manifest.annotations ? { annotations: manifest.annotations } : {}),
  };
}

function parseJson<T>(fetched: FetchedManifest, registry: string): T {
  try {
    return JSON.parse(fetched.bytes.toString("utf8")) as T;
  } catch {
    throw new RegistryError(registry, `manifest ${fetched.digest} is not JSON`);
  }
}

function checkManifest(manifest: ImageManifest, fetched: FetchedManifest, registry: string): void {
  if (fetched.mediaType !== MEDIA_TYPE_MANIFEST && fetched.mediaType !== DOCKER_MEDIA_TYPE_MANIFEST) {
    throw new RegistryError(registry, `manifest ${fetched.digest} has media type ${fetched.mediaType}; wasmbox pulls OCI and Docker schema 2 image manifests`);
  }
  const descriptors = [manifest.config, ...(Array.isArray(manifest.layers) ? manifest.layers : [])];
  if (manifest.schemaVersion !== 2 || !manifest.config || !Array.isArray(manifest.layers)) throw new RegistryError(registry, `manifest ${fetched.digest} is not a schema 2 image manifest`);
  for (const d of descriptors) {
    if (!isSha256Digest(d.digest) || !Number.isSafeInteger(d.size) || d.size < 0) throw new RegistryError(registry, `manifest ${fetched.digest}: bad descriptor ${JSON.stringify(d)} (wasmbox verifies sha256 digests)`);
  }
}

function parseConfig(bytes: Buffer, digest: string, registry: string): ImageConfig {
  try {
    return JSON.parse(bytes.toString("utf8")) as ImageConfig;
  } catch {
    throw new RegistryError(registry, `image config ${digest} is not JSON`);
  }
}

/** Downloads a blob the store lacks into downloads/ (verified) and records it in `staged`; returns the file, or undefined when the store has it. */
async function fetchToStage(
  client: RegistryClient, store: ImageStore, repository: string, descriptor: Descriptor, downloads: string, staged: Map<string, string>, progress: ((done: number, total: number) => void) | undefined,
): Promise<string | undefined> {
  if (await store.hasBlob(descriptor.digest)) return undefined;
  const file = await client.downloadBlob(repository, descriptor, downloads, progress);
  staged.set(descriptor.digest, file);
  return file;
}

/** Writes `data` (whose digest is `digest`) flushed into downloads/ and records it in `staged`, unless the store has it. */
async function stageBytes(store: ImageStore, data: Buffer, digest: string, downloads: string, staged: Map<string, string>): Promise<void> {
  if (await store.hasBlob(digest)) return;
  await mkdir(downloads, { recursive: true });
  const file = join(downloads, `${digestHex(digest)}.partial`);
  const handle = await open(file, "w");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  staged.set(digest, file);
}

/** Runs `work` over `items`, at most `limit` at a time; the first failure rejects (after the running ones settle). */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length && errors.length === 0) {
      const item = items[next++]!;
      await work(item).catch((error: unknown) => void errors.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length) throw errors[0];
}
