// containers/: where containers meet the image store: an ImageSource over a store, `commit`
// (a container's changes as one more layer on its image) and `container import` (a filesystem
// tarball as a one-layer image). Writes go through ImageStore, so they are atomic like builds.
import type { LayerEntry } from "../kernel/index.js";
import { decodeLayer, encodeLayer } from "../images/layer-tar.js";
import { IMAGE_ARCHITECTURE, IMAGE_OS, type ContainerConfig, type ImageConfig } from "../images/oci.js";
import { normalizeReference } from "../images/reference.js";
import type { ImageStore, StoredImage } from "../images/store.js";
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
