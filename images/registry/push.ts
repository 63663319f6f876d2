// images/registry: `wasmbox push`: sends an image's blobs the repository lacks (HEAD first; a cross-repository
// mount when the blob is known in another repository of the same registry; else a monolithic or chunked upload),
// then PUTs the manifest under the tag, last, so an interrupted push never leaves a tag pointing at missing blobs.
import { ImageError } from "../errors.js";
import { MEDIA_TYPE_MANIFEST, shortId, type Descriptor } from "../oci.js";
import { formatRemoteReference, localNameOf, parseRemoteReference } from "../reference.js";
import type { ImageStore } from "../store.js";
import { DEFAULT_CHUNK_BYTES, RegistryClient } from "./client.js";
import { RegistryError } from "./http.js";
import type { LayerProgress } from "./progress.js";
import { BlobSources } from "./sources.js";
import { RepoDigests } from "./repo-digests.js";

const CONCURRENT_UPLOADS = 3;

/** What a push needs besides the store. */
export interface PushOptions {
  home: string;
  defaultRegistry: string;
  tlsVerify?: boolean;
  /** Blobs above this size go up in PATCH chunks of it (default 16 MiB). */
  chunkBytes?: number;
  progress: LayerProgress;
}

/** What a push did. */
export interface PushResult {
  remote: string;
  tag: string;
  digest: string;
  size: number;
}

/** Pushes the local image `text` to the registry its name says (or the default registry). */
export async function pushImage(store: ImageStore, text: string, options: PushOptions): Promise<PushResult> {
  const ref = parseRemoteReference(text, options.defaultRegistry);
  if (!ref.tag) throw new ImageError(`push ${text}: push a tag, not a digest (the registry names the manifest by its content)`);
  const image = await store.resolve(text);
  const client = await RegistryClient.connect(ref.registry, options.home, { tlsVerify: options.tlsVerify });
  const sources = new BlobSources(options.home);
  const { progress } = options;
  try {
    progress.message(`The push refers to repository [${ref.registry}/${ref.repository}]`);
    const manifestBytes = await store.readBlob(image.manifestDigest, `image ${text}`);
    const blobs: Descriptor[] = [...image.manifest.layers, image.manifest.config];
    const unique = blobs.filter((blob, i) => blobs.findIndex((b) => b.digest === blob.digest) === i);
    const queue = [...unique];
    const worker = async () => {
      for (let blob = queue.shift(); blob; blob = queue.shift()) {
        const id = shortId(blob.digest);
        const isConfig = blob.digest === image.manifest.config.digest;
        const say = (status: string) => !isConfig && progress.status(id, status);
        if (!isConfig) progress.status(id, "Preparing");
        if (await client.hasBlob(ref.repository, blob)) {
          say("Layer already exists");
          continue;
        }
        const mountFrom = (await sources.of(blob.digest)).find((s) => s.registry === ref.registry && s.repository !== ref.repository);
        const start = await client.startUpload(ref.repository, mountFrom ? { digest: blob.digest, repository: mountFrom.repository } : undefined);
        if (start.mounted) {
          say(`Mounted from ${mountFrom!.repository}`);
          continue;
        }
        await client.uploadBlob(ref.repository, start, store.blobPath(blob.digest), blob, options.chunkBytes ?? DEFAULT_CHUNK_BYTES, (done, total) => !isConfig && progress.bytes(id, "Pushing", done, total))
          .catch((error: unknown) => {
            if (error instanceof RegistryError && error.code === "DIGEST_INVALID") {
              throw new ImageError(`push ${text}: the registry computed another digest for local blob ${blob.digest}: the store's copy is corrupt (check with: wasmbox images --verify)`);
            }
            throw error;
          });
        say("Pushed");
      }
    };
    const running = Array.from({ length: Math.min(CONCURRENT_UPLOADS, unique.length) }, worker);
    const settled = await Promise.allSettled(running);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    const digest = await client.putManifest(ref.repository, ref.tag, manifestBytes, image.manifest.mediaType ?? MEDIA_TYPE_MANIFEST);
    await sources.record(unique.map((b) => b.digest), { registry: ref.registry, repository: ref.repository }).catch(() => undefined);
    await new RepoDigests(options.home).record(image.id, localNameOf({ ...ref, tag: undefined, digest })).catch(() => undefined);
    return { remote: formatRemoteReference(ref), tag: ref.tag, digest, size: manifestBytes.byteLength };
  } finally {
    client.close();
  }
}
