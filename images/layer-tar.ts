// images/: converts a layer between the kernel's form (LayerEntry[], kernel/vfs/layer.ts) and a tar
// blob (optionally gzip), deterministically, with tar-stream and node:zlib (loaded on first use: a pull never needs it);
// also flattens a layer stack.
import { createHash, type Hash } from "node:crypto";
import { totalmem } from "node:os";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import type { Header } from "tar-stream";

type Headers = Partial<Header> & Pick<Header, "name">;
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX, type LayerEntry } from "../kernel/host.js";
import { ImageError } from "./errors.js";
import { MEDIA_TYPE_LAYER_GZIP, MEDIA_TYPE_LAYER_TAR, sha256Digest } from "./oci.js";

/**
 * The most a layer may unpack to by default, whatever the host: 1 GiB (a decoded layer's files
 * are held in memory by every kernel that runs it, so this is what one image may cost a daemon).
 */
const MAX_DEFAULT_LAYER_BYTES = 1024 * 1024 * 1024;
/** The share of the host's memory one unpacked layer may take by default (an eighth). */
const DEFAULT_LAYER_MEMORY_SHARE = 8;
/** How much gunzip inflates at a time while a layer streams through (64 KiB). */
const INFLATE_CHUNK = 64 * 1024;

/**
 * The largest a layer may unpack to (its tar's size) unless the store is told otherwise:
 * min(1 GiB, host memory / 8). A gzip bomb is refused once this much came out of zlib.
 */
export function defaultMaxLayerBytes(): number {
  return Math.min(MAX_DEFAULT_LAYER_BYTES, Math.floor(totalmem() / DEFAULT_LAYER_MEMORY_SHARE));
}

/** The refusal of a layer that unpacks past `max` bytes. */
function tooLarge(max: number): ImageError {
  return new ImageError(`layer unpacks to more than ${max} bytes (the largest unpacked layer allowed)`);
}

/**
 * The uncompressed tar of a layer blob in chunks, inflated a chunk at a time (never whole), and
 * refused with ImageError once more than `max` bytes came out; gzip errors are ImageErrors too.
 */
export async function* layerTarChunks(blob: Uint8Array, max = defaultMaxLayerBytes()): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (!isGzipData(bytes)) {
    if (bytes.length > max) throw tooLarge(max);
    yield bytes;
    return;
  }
  const gunzip = process.getBuiltinModule("node:zlib").createGunzip({ chunkSize: INFLATE_CHUNK });
  gunzip.end(bytes);
  let total = 0;
  try {
    for await (const chunk of gunzip) {
      total += (chunk as Buffer).length;
      if (total > max) throw tooLarge(max);
      yield chunk as Buffer;
    }
  } catch (error) {
    if (error instanceof ImageError) throw error;
    throw new ImageError(`layer is not valid gzip: ${(error as Error).message}`);
  } finally {
    gunzip.destroy();
  }
}

/** The diff_id of a layer blob (sha256 of its uncompressed tar), streamed: ImageError past `max` bytes. */
export async function layerDiffId(blob: Uint8Array, max = defaultMaxLayerBytes()): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of layerTarChunks(blob, max)) hash.update(chunk);
  return "sha256:" + hash.digest("hex");
}

/** A layer ready to store: its blob, blob digest, uncompressed digest (diff_id) and media type. */
export interface EncodedLayer {
  blob: Buffer;
  digest: string;
  diffId: string;
  mediaType: string;
}

/** Normalizes a tar or layer path to the LayerEntry form; returns "" for the root; throws on `..`. */
export function normalizeLayerPath(name: string): string {
  const parts = name.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) throw new ImageError(`layer path escapes the layer root: "${name}"`);
  return parts.join("/");
}

/** Orders entries as written to tar: by path, so a directory always precedes what it contains. */
export function sortLayerEntries(entries: readonly LayerEntry[]): LayerEntry[] {
  return [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function tarHeaderOf(entry: LayerEntry): Headers {
  const mtime = new Date(Number((entry.mtimeNs ?? 0n) / 1_000_000n));
  const common = { mode: entry.mode & 0o7777, uid: entry.uid ?? 0, gid: entry.gid ?? 0, mtime, uname: "", gname: "" };
  switch (entry.type) {
    case "dir":
      return { ...common, name: entry.path + "/", type: "directory" };
    case "file":
      return { ...common, name: entry.path, type: "file", size: entry.data?.byteLength ?? 0 };
    case "symlink":
      return { ...common, name: entry.path, type: "symlink", linkname: entry.target ?? "" };
    case "hardlink":
      return { ...common, name: entry.path, type: "link", linkname: entry.target ?? "" };
  }
}

/** Writes entries as an uncompressed tar: sorted, uid/gid 0 unless set, mtimes from the entries. */
export async function layerEntriesToTar(entries: readonly LayerEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const seen = new Set<string>();
  for (const entry of sortLayerEntries(entries)) {
    const path = normalizeLayerPath(entry.path);
    if (path === "") continue;
    if (seen.has(path)) throw new ImageError(`layer has two entries for "${path}"`);
    seen.add(path);
    const normalized = { ...entry, path };
    const data = entry.type === "file" && entry.data ? Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength) : undefined;
    if (entry.type === "file") pack.entry(tarHeaderOf(normalized), data ?? Buffer.alloc(0));
    else pack.entry(tarHeaderOf(normalized));
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Encodes a layer to a blob with its digests; `gzip` compresses it (the diff_id stays the tar's digest). */
export async function encodeLayer(entries: readonly LayerEntry[], options: { gzip?: boolean } = {}): Promise<EncodedLayer> {
  const tarBytes = await layerEntriesToTar(entries);
  const diffId = sha256Digest(tarBytes);
  if (!options.gzip) return { blob: tarBytes, digest: diffId, diffId, mediaType: MEDIA_TYPE_LAYER_TAR };
  const blob = process.getBuiltinModule("node:zlib").gzipSync(tarBytes, { level: 6 });
  return { blob, digest: sha256Digest(blob), diffId, mediaType: MEDIA_TYPE_LAYER_GZIP };
}

/** True when bytes start with the gzip magic number. */
export function isGzipData(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** True when bytes look like a tar archive (ustar magic at offset 257). */
export function isTarData(bytes: Uint8Array): boolean {
  return bytes.length >= 262 && Buffer.from(bytes.subarray(257, 262)).toString("latin1") === "ustar";
}

/** Returns the uncompressed tar of a layer blob (gunzips when it starts with the gzip magic); ImageError past `max` bytes. */
export function layerTarBytes(blob: Uint8Array, max = defaultMaxLayerBytes()): Buffer {
  const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (!isGzipData(bytes)) return bytes;
  try {
    return process.getBuiltinModule("node:zlib").gunzipSync(bytes, { maxOutputLength: max });
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(max);
    throw error;
  }
}

function layerEntryOf(header: Headers, data: Buffer): LayerEntry | undefined {
  const path = normalizeLayerPath(header.name);
  if (path === "") return undefined;
  const base = {
    path,
    mode: (header.mode ?? 0o644) & 0o7777,
    mtimeNs: BigInt(header.mtime?.getTime() ?? 0) * 1_000_000n,
    uid: header.uid ?? 0,
    gid: header.gid ?? 0,
  };
  switch (header.type) {
    case "file":
    case "contiguous-file":
    case undefined:
    case null:
      return { ...base, type: "file", data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
    case "directory":
      return { ...base, type: "dir" };
    case "symlink":
      return { ...base, type: "symlink", target: header.linkname ?? "" };
    case "link":
      return { ...base, type: "hardlink", target: normalizeLayerPath(header.linkname ?? "") };
    default:
      return undefined; // devices and fifos have no LayerEntry form; a wasm guest cannot use them
  }
}

/**
 * Decodes a layer blob (tar or gzip'd tar) into entries in archive order, streaming it through
 * zlib and tar-stream; throws ImageError when corrupt or when it unpacks past `options.maxBytes`.
 * `options.hash` is fed the uncompressed tar on the way (for the diff_id, in the same pass).
 */
export async function decodeLayer(blob: Uint8Array, options: { maxBytes?: number; hash?: Hash } = {}): Promise<LayerEntry[]> {
  const hash = options.hash;
  const chunks = layerTarChunks(blob, options.maxBytes ?? defaultMaxLayerBytes());
  const source = Readable.from(hash ? (async function* () {
    for await (const chunk of chunks) {
      hash.update(chunk);
      yield chunk;
    }
  })() : chunks);
  const extract = tar.extract();
  const entries: LayerEntry[] = [];
  const max = options.maxBytes ?? defaultMaxLayerBytes();
  let declared = 0;
  const done = (async () => {
    for await (const entry of extract) {
      // The sizes the headers declare are checked before any data is kept: a bomb of one huge
      // file is refused at its header, not after a gigabyte of it was buffered.
      declared += entry.header.size ?? 0;
      if (declared > max) throw tooLarge(max);
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const layerEntry = layerEntryOf(entry.header, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      if (layerEntry) entries.push(layerEntry);
    }
  })();
  const feeding = pipeline(source, extract);
  try {
    await Promise.all([feeding, done]);
  } catch (error) {
    extract.destroy();
    if (error instanceof ImageError) throw error;
    throw new ImageError(`layer is not a valid tar archive: ${(error as Error).message}`);
  }
  return entries;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

function deleteTree(view: Map<string, LayerEntry>, path: string, keepSelf: boolean): void {
  if (!keepSelf) view.delete(path);
  const prefix = path === "" ? "" : path + "/";
  for (const key of view.keys()) if (key.startsWith(prefix) && key !== path) view.delete(key);
}

/** Merges a layer stack (bottom first) into one path -> entry view, applying OCI whiteouts. */
export function flattenLayers(layers: readonly (readonly LayerEntry[])[]): Map<string, LayerEntry> {
  const view = new Map<string, LayerEntry>();
  for (const layer of layers) {
    for (const entry of layer) {
      const name = baseName(entry.path);
      if (name === OPAQUE_WHITEOUT) deleteTree(view, parentOf(entry.path), true);
      else if (name.startsWith(WHITEOUT_PREFIX)) {
        const dir = parentOf(entry.path);
        deleteTree(view, (dir ? dir + "/" : "") + name.slice(WHITEOUT_PREFIX.length), false);
      }
    }
    for (const entry of layer) {
      if (baseName(entry.path).startsWith(WHITEOUT_PREFIX)) continue;
      const below = view.get(entry.path);
      if (below?.type === "dir" && entry.type !== "dir") deleteTree(view, entry.path, false);
      view.set(entry.path, entry);
    }
  }
  return view;
}
