// containers/: where containers meet the image store: an ImageSource over a store, `commit`
// (a container's changes as one more layer on its image), `container import` (a filesystem
// tarball as a one-layer image), and the image calls that depend on which containers use an image
// (rmi, image prune, system df), answered from the runtime's records. Writes go through ImageStore,
// so they are atomic like builds.
import type { LayerEntry } from "../kernel/index.js";
import { imageSize } from "../images/format.js";
import { decodeLayer, encodeLayer } from "../images/layer-tar.js";
import { IMAGE_ARCHITECTURE, IMAGE_OS, shortId, type ContainerConfig, type ImageConfig } from "../images/oci.js";
import { normalizeReference } from "../images/reference.js";
import type { ImageStore, StoredImage } from "../images/store.js";
import type { ContainerFiles } from "./files.js";
import { statusOf } from "./format.js";
import { RuntimeError } from "./registry.js";
import type { ContainerRuntime, ImageSource } from "./runtime.js";

/** The runtime's view of a store: resolve, then the shared decoded layers. */
export function storeImageSource(store: ImageStore): ImageSource {
  return async (ref) => {
    const { image, config, layers } = await store.openForRun(ref);
    return { id: image.id, config, layers };
  };
}

/** docker commit: the container's diff as a new top layer; config from the container. Returns the image. */
export async function commitContainer(
  runtime: ContainerRuntime, store: ImageStore, ref: string, repo: string | undefined, options: { message?: string; author?: string } = {},
): Promise<StoredImage> {
  const { record, layer } = await runtime.commitParts(ref);
  const base = await store.resolve(record.spec.imageId).catch(() => store.resolve(record.spec.image));
  const spec = record.spec;
  const encoded = await encodeLayer(layer);
  const blob = await store.writeBlob(encoded.blob);
  const created = new Date().toISOString();
  const runtimeConfig: ContainerConfig = {
    ...(base.config.config ?? {}),
    Env: spec.env.filter((e) => !e.startsWith("HOSTNAME=")),
    Entrypoint: spec.entrypoint.length ? spec.entrypoint : null,
    Cmd: spec.cmd,
    WorkingDir: spec.workdir,
    ...(spec.user ? { User: spec.user } : {}),
    // docker commit keeps the container's health check (the image's, or the one --health-* made; none after --no-healthcheck).
    Healthcheck: spec.healthcheck,
  };
  const config: ImageConfig = {
    ...structuredClone(base.config),
    created,
    ...(options.author ? { author: options.author } : {}),
    config: runtimeConfig,
    rootfs: { type: "layers", diff_ids: [...base.config.rootfs.diff_ids, encoded.diffId] },
    history: [...(base.config.history ?? []), { created, created_by: `wasmbox commit ${spec.name}`, ...(options.message ? { comment: options.message } : {}) }],
  };
  const image = await store.writeImage(config, [...base.manifest.layers, { mediaType: encoded.mediaType, ...blob }]);
  const refs = repo ? [normalizeReference(repo)] : [];
  await store.tagImage(image.manifestDigest, image.manifestSize, refs);
  return { ...image, refs };
}

/** docker import: a filesystem tarball (as `container export` writes) becomes a one-layer image. */
export async function importFilesystem(store: ImageStore, tar: Uint8Array, ref: string | undefined, config: ContainerConfig = {}): Promise<StoredImage> {
  const entries: LayerEntry[] = await decodeLayer(tar);
  const encoded = await encodeLayer(entries);
  const blob = await store.writeBlob(encoded.blob);
  const created = new Date().toISOString();
  const image = await store.writeImage({
    created, architecture: IMAGE_ARCHITECTURE, os: IMAGE_OS,
    config: { Env: ["PATH=/bin:/usr/bin"], ...config },
    rootfs: { type: "layers", diff_ids: [encoded.diffId] },
    history: [{ created, created_by: "wasmbox container import" }],
  }, [{ mediaType: encoded.mediaType, ...blob }]);
  const refs = ref ? [normalizeReference(ref)] : [];
  await store.tagImage(image.manifestDigest, image.manifestSize, refs);
  return { ...image, refs };
}

/** The ids of the images the runtime's containers (in any state) are made from. */
export function imagesInUse(runtime: ContainerRuntime): Set<string> {
  return new Set(runtime.list(true).map((record) => record.spec.imageId));
}

/** What one `rmi NAME` did, in docker's answer to DELETE /images/NAME: one object per untagged ref and deleted id. */
export type ImageDeleteItem = { Untagged: string } | { Deleted: string };

/**
 * docker rmi of one name against the runtime's containers: removing a tag that is one of several
 * leaves the image for its containers; anything else an image is used by is refused with 409 (an
 * image id a running container uses even with `force`; with `force` an untagged image stays, `<none>`,
 * for its stopped containers). 404 for no such image.
 */
export async function removeImage(runtime: ContainerRuntime, store: ImageStore, name: string, force: boolean): Promise<ImageDeleteItem[]> {
  await store.assertRemovable(name);
  const image = await store.resolve(name).catch((e: Error) => {
    throw new RuntimeError(e.message, 404);
  });
  const users = runtime.list(true).filter((record) => record.spec.imageId === image.id);
  const byTag = image.refs.includes(referenceOrUndefined(name) ?? "");
  if (!byTag && image.refs.length > 1 && !force) {
    throw new RuntimeError(`conflict: unable to delete ${shortId(image.id)} (must be forced) - image is referenced in multiple repositories`, 409);
  }
  if (users.length > 0 && !(byTag && image.refs.length > 1)) {
    const running = users.find((record) => record.state.status === "running");
    if (!byTag && running) throw new RuntimeError(`conflict: unable to delete ${shortId(image.id)} (cannot be forced) - image is being used by running container ${running.spec.id.slice(0, 12)}`, 409);
    if (!force) {
      throw new RuntimeError(byTag
        ? `conflict: unable to remove repository reference "${name}" (must force) - container ${users[0]!.spec.id.slice(0, 12)} is using its referenced image ${shortId(image.id)}`
        : `conflict: unable to delete ${shortId(image.id)} (must be forced) - image is being used by stopped container ${users[0]!.spec.id.slice(0, 12)}`, 409);
    }
  }
  const { untagged, deleted } = await store.removeImage(name, force, users.length > 0);
  return [...untagged.map((ref) => ({ Untagged: ref })), ...deleted.map((id) => ({ Deleted: id }))];
}

/** docker image prune: dangling images (with `all`, every image) that no container uses; with `buildCache`, the build cache too. */
export async function pruneImages(runtime: ContainerRuntime, store: ImageStore, options: { all: boolean; buildCache: boolean }): Promise<{ ImagesDeleted: { Deleted: string }[]; SpaceReclaimed: number }> {
  const { deleted, reclaimedBytes } = await store.prune({ ...options, keep: imagesInUse(runtime) });
  return { ImagesDeleted: deleted.map((id) => ({ Deleted: id })), SpaceReclaimed: reclaimedBytes };
}

/** docker's GET /system/df answer, as wasmbox has it (no volumes; the build cache as a count and a size). */
export interface DiskUsage {
  LayersSize: number;
  Images: { Id: string; RepoTags: string[]; Size: number; Containers: number }[];
  Containers: { Id: string; Names: string[]; ImageID: string; State: string; SizeRw: number }[];
  Volumes: never[];
  BuildCache: { Count: number; Size: number };
}

/** What the images, the containers (their directories) and the build cache take on disk, and which images containers use. */
export async function diskUsage(runtime: ContainerRuntime, store: ImageStore, files: ContainerFiles): Promise<DiskUsage> {
  const records = runtime.list(true);
  const images = await store.listImages();
  const containers = [];
  for (const record of records) {
    containers.push({ Id: record.spec.id, Names: ["/" + record.spec.name], ImageID: record.spec.imageId, State: statusOf(record), SizeRw: await files.diskUsage(record.spec.id) });
  }
  const cache = await store.buildCacheBytes();
  return {
    LayersSize: images.reduce((sum, image) => sum + imageSize(image), 0),
    Images: images.map((image) => ({ Id: image.id, RepoTags: image.refs, Size: imageSize(image), Containers: records.filter((record) => record.spec.imageId === image.id).length })),
    Containers: containers,
    Volumes: [],
    BuildCache: { Count: cache.entries, Size: cache.bytes },
  };
}

/** A reference's full `name:tag`, or undefined when `text` is not one (an id). */
function referenceOrUndefined(text: string): string | undefined {
  try {
    return normalizeReference(text);
  } catch {
    return undefined;
  }
}
