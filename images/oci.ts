// images/: the OCI image-spec data types (index, manifest, config, descriptor) and sha256 digests.
// Pure data and hashing; store.ts and archive.ts read and write these shapes as JSON blobs.
import { createHash } from "node:crypto";

export const MEDIA_TYPE_INDEX = "application/vnd.oci.image.index.v1+json";
export const MEDIA_TYPE_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const MEDIA_TYPE_CONFIG = "application/vnd.oci.image.config.v1+json";
export const MEDIA_TYPE_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
export const MEDIA_TYPE_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
/** Docker's media types, accepted when reading archives written by docker. */
export const DOCKER_MEDIA_TYPE_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_MEDIA_TYPE_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const DOCKER_MEDIA_TYPE_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
/** Annotation naming an image in index.json; wasmbox writes the full `name:tag`. */
export const ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name";
/** containerd's / docker's full image name annotation, read and written for interoperability. */
export const ANNOTATION_CONTAINERD_NAME = "io.containerd.image.name";
export const IMAGE_ARCHITECTURE = "wasm";
export const IMAGE_OS = "wasip1";

/** A reference to a blob: what it is, its digest and its size in bytes. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string };
}

/** index.json and image indexes. */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** An image manifest: one config and the layers, bottom first. */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/**
 * docker's health check (in the config as docker writes it): Test is ["NONE"], ["CMD", argv...] or
 * ["CMD-SHELL", command]; durations are nanoseconds, 0 or absent meaning the default (30s, 30s, 0, 5s; 3 retries).
 */
export interface HealthcheckConfig {
  Test: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** The runtime part of an image config (what `run` uses). */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  /** Docker's SHELL instruction; not in the OCI spec, kept as docker does. */
  Shell?: string[];
  /** Docker's HEALTHCHECK; not in the OCI spec, kept as docker does. */
  Healthcheck?: HealthcheckConfig;
}

/** One history record: which instruction made which layer (or none, when empty_layer). */
export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The image config blob (application/vnd.oci.image.config.v1+json). */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  config?: ContainerConfig;
  rootfs: { type: "layers"; diff_ids: string[] };
  history?: HistoryEntry[];
}

/** Returns `sha256:<hex>` of the bytes. */
export function sha256Digest(data: Uint8Array | string): string {
  return "sha256:" + createHash("sha256").update(data).digest("hex");
}

/** True when `digest` is a well-formed `sha256:<64 hex>` digest. */
export function isSha256Digest(digest: string): boolean {
  return /^sha256:[0-9a-f]{64}$/.test(digest);
}

/** The hex part of a `sha256:` digest. */
export function digestHex(digest: string): string {
  return digest.slice("sha256:".length);
}

/** Docker's short image id: the first 12 hex characters of the digest. */
export function shortId(digest: string): string {
  return digestHex(digest).slice(0, 12);
}

/** True when a layer descriptor's media type says its tar is gzip-compressed. */
export function isGzipLayer(mediaType: string): boolean {
  return mediaType.endsWith("gzip");
}

/** Canonical JSON bytes for a blob (stable key order as written, no whitespace). */
export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}
