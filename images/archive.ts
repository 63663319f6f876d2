// images/: `save` and `load`: the OCI image layout in a tar (plus docker's manifest.json, so `docker load`
// reads it too), and loading such an archive or a `docker save` archive, streamed with tar-stream. A load
// stages every blob as a temp file, verifies all digests and references, then renames and updates index.json.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { open, readFile, rename, rm } from "node:fs/promises";
import { basename, join, posix } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { ImageError } from "./errors.js";
import { temporaryPathFor } from "./fs-atomic.js";
import {
  ANNOTATION_CONTAINERD_NAME, ANNOTATION_REF_NAME, DOCKER_MEDIA_TYPE_MANIFEST_LIST, MEDIA_TYPE_CONFIG, MEDIA_TYPE_INDEX,
  MEDIA_TYPE_LAYER_GZIP, MEDIA_TYPE_LAYER_TAR, MEDIA_TYPE_MANIFEST, digestHex, isGzipLayer, jsonBytes, sha256Digest,
  type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest,
} from "./oci.js";
import { normalizeDockerName, normalizeReference } from "./reference.js";
import type { ImageStore, StoredImage } from "./store.js";

/** One image as docker's manifest.json lists it. */
interface DockerManifestItem {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/** Writes the images to an OCI archive at `outFile` (atomically); blobs shared by several images go in once. */
export async function saveImages(store: ImageStore, names: string[], outFile: string): Promise<StoredImage[]> {
  const images = await Promise.all(names.map((name) => store.resolve(name)));
  const pack = tar.pack();
  const written = new Set<string>();
  const mtime = new Date(0);
  const addFile = (name: string, data: Buffer) => pack.entry({ name, size: data.byteLength, mode: 0o644, mtime, type: "file" }, data);
  const temporary = temporaryPathFor(outFile);
  const output = pipeline(pack, createWriteStream(temporary, { flags: "wx" }));
  try {
    addFile("oci-layout", jsonBytes({ imageLayoutVersion: "1.0.0" }));
    pack.entry({ name: "blobs/", type: "directory", mode: 0o755, mtime });
    pack.entry({ name: "blobs/sha256/", type: "directory", mode: 0o755, mtime });
    const index: ImageIndex = { schemaVersion: 2, mediaType: MEDIA_TYPE_INDEX, manifests: [] };
    const dockerManifest: DockerManifestItem[] = [];
    for (const [i, image] of images.entries()) {
      const owner = `image ${names[i]}`;
      const blobs: Descriptor[] = [{ mediaType: MEDIA_TYPE_MANIFEST, digest: image.manifestDigest, size: image.manifestSize }, image.manifest.config, ...image.manifest.layers];
      for (const blob of blobs) {
        if (written.has(blob.digest)) continue;
        written.add(blob.digest);
        addFile(`blobs/sha256/${digestHex(blob.digest)}`, await store.readBlob(blob.digest, owner, blob.size));
      }
      const refs = image.refs.includes(normalizeReference(names[i]!)) ? [normalizeReference(names[i]!)] : image.refs;
      const descriptor = { mediaType: MEDIA_TYPE_MANIFEST, digest: image.manifestDigest, size: image.manifestSize };
      if (refs.length === 0) index.manifests.push(descriptor);
      for (const ref of refs) {
        index.manifests.push({ ...descriptor, annotations: { [ANNOTATION_REF_NAME]: ref, [ANNOTATION_CONTAINERD_NAME]: ref } });
      }
      const Config = `blobs/sha256/${digestHex(image.id)}`;
      const listed = dockerManifest.find((item) => item.Config === Config);
      if (listed) listed.RepoTags = [...new Set([...(listed.RepoTags ?? []), ...refs])];
      else dockerManifest.push({ Config, RepoTags: refs, Layers: image.manifest.layers.map((layer) => `blobs/sha256/${digestHex(layer.digest)}`) });
    }
    addFile("index.json", jsonBytes(index));
    addFile("manifest.json", jsonBytes(dockerManifest));
    pack.finalize();
    await output;
    await rename(temporary, outFile);
  } catch (error) {
    pack.destroy();
    await output.catch(() => {});
    await rm(temporary, { force: true });
    if ((error as NodeJS.ErrnoException).code) throw new ImageError(`save: cannot write ${outFile}: ${(error as Error).message}`);
    throw error;
  }
  return images;
}

/** A file of the archive staged as a temp file in the store's blob directory, with its digest. */
interface StagedFile {
  temporaryPath: string;
  digest: string;
  size: number;
}

const METADATA_FILES = new Set(["oci-layout", "index.json", "manifest.json", "repositories"]);

/** Loads an OCI archive or a `docker save` archive (optionally gzip'd) into the store; all or nothing. */
export async function loadArchive(store: ImageStore, file: string): Promise<StoredImage[]> {
  const label = `archive ${basename(file)}`;
  const staged = new Map<string, StagedFile>();
  const metadata = new Map<string, Buffer>();
  try {
    await readArchive(store, file, label, staged, metadata);
    const loader = new ArchiveImages(store, label, staged, metadata);
    const images = await loader.collect();
    const committed = new Set<string>();
    for (const [name, stagedFile] of [...staged]) {
      if (!loader.needed.has(stagedFile.digest) || committed.has(stagedFile.digest)) continue;
      await rename(stagedFile.temporaryPath, store.blobPath(stagedFile.digest));
      committed.add(stagedFile.digest);
      staged.delete(name);
    }
    for (const blob of loader.extraBlobs) await store.writeBlob(blob);
    await store.tagImages(images.map((image) => ({ manifestDigest: image.manifestDigest, manifestSize: image.manifestSize, refs: image.refs })));
    return images;
  } finally {
    for (const stagedFile of staged.values()) await rm(stagedFile.temporaryPath, { force: true });
  }
}

async function readArchive(store: ImageStore, file: string, label: string, staged: Map<string, StagedFile>, metadata: Map<string, Buffer>): Promise<void> {
  const head = await readHead(file, label);
  const extract = tar.extract();
  const links = new Map<string, string>();
  const source = createReadStream(file);
  const feeding = head[0] === 0x1f && head[1] === 0x8b ? pipeline(source, createGunzip(), extract) : pipeline(source, extract);
  feeding.catch(() => {}); // its failure surfaces through the entry loop or the await below
  try {
    for await (const entry of extract) {
      const name = posix.normalize(entry.header.name).replace(/^\.\/|^\//, "");
      if (entry.header.type === "symlink" || entry.header.type === "link") {
        links.set(name, entry.header.type === "symlink" ? posix.join(posix.dirname(name), entry.header.linkname ?? "") : posix.normalize(entry.header.linkname ?? ""));
      }
      if (entry.header.type !== "file" && entry.header.type !== "contiguous-file") {
        entry.resume();
        continue;
      }
      if (METADATA_FILES.has(name) || name.endsWith("/json") || name.endsWith("/VERSION")) {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        metadata.set(name, Buffer.concat(chunks));
        continue;
      }
      const stagedFile = await stageEntry(store, entry);
      staged.set(name, stagedFile);
      const blobName = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(name);
      if (blobName && stagedFile.digest !== "sha256:" + blobName[1]) {
        throw new ImageError(`${label}: blob sha256:${blobName[1]} is corrupt (its content hashes to ${stagedFile.digest}); nothing was loaded`);
      }
    }
    await feeding;
  } catch (error) {
    await feeding.catch(() => {});
    if (error instanceof ImageError) throw error;
    throw new ImageError(`${label} is truncated or not a tar archive (${(error as Error).message}); nothing was loaded`);
  }
  for (const [name, target] of links) {
    const resolved = staged.get(target);
    if (resolved) staged.set(name, { ...resolved, temporaryPath: resolved.temporaryPath });
  }
}

async function readHead(file: string, label: string): Promise<Buffer> {
  try {
    const handle = await open(file, "r");
    try {
      const head = Buffer.alloc(2);
      await handle.read(head, 0, 2, 0);
      return head;
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new ImageError(`${label}: cannot read ${file}: ${(error as Error).message}`);
  }
}

async function stageEntry(store: ImageStore, entry: AsyncIterable<unknown>): Promise<StagedFile> {
  const temporaryPath = temporaryPathFor(join(store.blobDir, "blob"));
  const handle = await open(temporaryPath, "wx", 0o644);
  const hash = createHash("sha256");
  let size = 0;
  try {
    for await (const chunk of entry) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      size += bytes.byteLength;
      await handle.write(bytes);
    }
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporaryPath, { force: true });
    throw error;
  }
  await handle.close();
  return { temporaryPath, digest: "sha256:" + hash.digest("hex"), size };
}

/** Works out the images of an extracted archive and checks that every blob they need is there and intact. */
class ArchiveImages {
  readonly needed = new Set<string>();
  readonly extraBlobs: Buffer[] = [];
  private readonly byDigest = new Map<string, StagedFile>();

  constructor(private readonly store: ImageStore, private readonly label: string, private readonly staged: Map<string, StagedFile>, private readonly metadata: Map<string, Buffer>) {
    for (const file of staged.values()) this.byDigest.set(file.digest, file);
  }

  async collect(): Promise<StoredImage[]> {
    const dockerItems = this.metadata.has("manifest.json") ? this.json<DockerManifestItem[]>("manifest.json", this.metadata.get("manifest.json")!) : [];
    if (this.metadata.has("index.json")) return this.fromOciIndex(this.json<ImageIndex>("index.json", this.metadata.get("index.json")!), dockerItems);
    if (this.metadata.has("manifest.json")) return Promise.all(dockerItems.map((item) => this.fromDockerItem(item)));
    throw new ImageError(`${this.label} has neither index.json (OCI) nor manifest.json (docker save); nothing was loaded`);
  }

  private json<T>(what: string, data: Buffer): T {
    try {
      return JSON.parse(data.toString("utf8")) as T;
    } catch {
      throw new ImageError(`${this.label}: ${what} is not valid JSON; nothing was loaded`);
    }
  }

  /** Reads a blob by digest from the archive, or from the store when the archive left it out. */
  private async blob(digest: string, owner: string): Promise<Buffer> {
    const file = this.byDigest.get(digest);
    this.needed.add(digest);
    if (file) return readFile(file.temporaryPath);
    if (await this.store.hasBlob(digest)) return this.store.readBlob(digest, owner);
    throw new ImageError(`${this.label}: ${owner}: blob ${digest} is missing from the archive; nothing was loaded`);
  }

  private async fromOciIndex(index: ImageIndex, dockerItems: DockerManifestItem[]): Promise<StoredImage[]> {
    const images: StoredImage[] = [];
    for (const descriptor of index.manifests ?? []) {
      const refs = new Set<string>();
      const containerdName = descriptor.annotations?.[ANNOTATION_CONTAINERD_NAME];
      const refName = descriptor.annotations?.[ANNOTATION_REF_NAME];
      if (containerdName) refs.add(normalizeDockerName(containerdName));
      else if (refName) refs.add(normalizeDockerName(refName));
      const owner = `image ${[...refs][0] ?? descriptor.digest}`;
      const manifestDigest = await this.imageManifestOf(descriptor, owner);
      const manifestBlob = await this.blob(manifestDigest, owner);
      const manifest = this.json<ImageManifest>(`manifest ${manifestDigest}`, manifestBlob);
      if (refs.size === 0) for (const item of dockerItems) if (item.Config.endsWith(digestHex(manifest.config.digest))) for (const tag of item.RepoTags ?? []) refs.add(normalizeDockerName(tag));
      const config = this.json<ImageConfig>(`config ${manifest.config.digest}`, await this.blob(manifest.config.digest, owner));
      await this.checkLayers(manifest.layers, config, owner);
      const same = images.find((image) => image.manifestDigest === manifestDigest);
      if (same) same.refs = [...new Set([...same.refs, ...checkedRefs([...refs], this.label)])];
      else images.push({ id: manifest.config.digest, manifestDigest, manifestSize: manifestBlob.byteLength, manifest, config, refs: checkedRefs([...refs], this.label) });
    }
    return images;
  }

  /** Follows an image index (multi-platform) to one image manifest, preferring wasm. */
  private async imageManifestOf(descriptor: Descriptor, owner: string): Promise<string> {
    if (descriptor.mediaType !== MEDIA_TYPE_INDEX && descriptor.mediaType !== DOCKER_MEDIA_TYPE_MANIFEST_LIST) return descriptor.digest;
    const nested = this.json<ImageIndex>(`index ${descriptor.digest}`, await this.blob(descriptor.digest, owner));
    const chosen = nested.manifests.find((d) => d.platform?.architecture === "wasm") ?? nested.manifests[0];
    if (!chosen) throw new ImageError(`${this.label}: ${owner}: index ${descriptor.digest} lists no manifests`);
    return this.imageManifestOf(chosen, owner);
  }

  private async checkLayers(layers: Descriptor[], config: ImageConfig, owner: string): Promise<void> {
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== layers.length) throw new ImageError(`${this.label}: ${owner}: ${layers.length} layers but the config lists ${diffIds.length} diff_ids`);
    for (const [i, layer] of layers.entries()) {
      const data = await this.blob(layer.digest, owner);
      if (data.byteLength !== layer.size) throw new ImageError(`${this.label}: ${owner}: layer ${layer.digest} has ${data.byteLength} bytes, its descriptor says ${layer.size}`);
      const diffId = await uncompressedDigest(data, isGzipLayer(layer.mediaType));
      if (diffId !== diffIds[i]) throw new ImageError(`${this.label}: ${owner}: layer ${layer.digest} uncompresses to ${diffId}, the config says ${diffIds[i]}; nothing was loaded`);
    }
  }

  private async fromDockerItem(item: DockerManifestItem): Promise<StoredImage> {
    const refs = (item.RepoTags ?? []).map(normalizeDockerName);
    const owner = `image ${refs[0] ?? item.Config}`;
    const stagedFile = (path: string) => {
      const file = this.staged.get(posix.normalize(path));
      if (!file) throw new ImageError(`${this.label}: ${owner}: ${path} is missing from the archive; nothing was loaded`);
      this.needed.add(file.digest);
      return file;
    };
    const configFile = stagedFile(item.Config);
    const configBlob = await readFile(configFile.temporaryPath);
    const config = this.json<ImageConfig>(item.Config, configBlob);
    const layers: Descriptor[] = [];
    for (const path of item.Layers) {
      const file = stagedFile(path);
      const data = await readFile(file.temporaryPath);
      const gzip = data[0] === 0x1f && data[1] === 0x8b;
      layers.push({ mediaType: gzip ? MEDIA_TYPE_LAYER_GZIP : MEDIA_TYPE_LAYER_TAR, digest: file.digest, size: file.size });
    }
    await this.checkLayers(layers, config, owner);
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_MANIFEST,
      config: { mediaType: MEDIA_TYPE_CONFIG, digest: configFile.digest, size: configFile.size },
      layers,
    };
    const manifestBlob = jsonBytes(manifest);
    this.extraBlobs.push(manifestBlob);
    return { id: configFile.digest, manifestDigest: sha256Digest(manifestBlob), manifestSize: manifestBlob.byteLength, manifest, config, refs: checkedRefs(refs, this.label) };
  }
}

function checkedRefs(refs: string[], label: string): string[] {
  return refs.map((ref) => {
    try {
      return normalizeReference(ref);
    } catch (error) {
      throw new ImageError(`${label}: ${(error as Error).message}; nothing was loaded`);
    }
  });
}

async function uncompressedDigest(data: Buffer, gzip: boolean): Promise<string> {
  if (!gzip) return sha256Digest(data);
  const hash = createHash("sha256");
  const gunzip = createGunzip();
  gunzip.on("data", (chunk: Buffer) => hash.update(chunk));
  await pipeline(async function* () {
    yield data;
  }, gunzip).catch((error: Error) => {
    throw new ImageError(`layer is not valid gzip (${error.message})`);
  });
  return "sha256:" + hash.digest("hex");
}
