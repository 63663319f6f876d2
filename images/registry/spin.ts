// images/registry: Spin applications published as OCI artifacts (`spin registry push`): a config of media type
// application/vnd.fermyon.spin.application.v1+config holding the locked app (components, their sources and
// files by digest, triggers, env), one layer per component's Wasm and one per static file. A pull makes one
// image of them: each component at /bin/ID, each file at its path, the command-trigger (or only) component as
// the Entrypoint. Spin's own host interfaces (HTTP and Redis triggers, key-value...) are Spin's to provide.
import { readFile, rm } from "node:fs/promises";
import { isWasmBinary } from "../import-wasm.js";
import type { LayerEntry } from "../../kernel/index.js";
import { encodeLayer } from "../layer-tar.js";
import { IMAGE_ARCHITECTURE, isSha256Digest, shortId, type Descriptor, type ImageConfig, type ImageManifest } from "../oci.js";
import { formatRemoteReference, type RemoteReference } from "../reference.js";
import type { ImageStore, StoredImage } from "../store.js";
import type { RegistryClient } from "./client.js";
import { RegistryError } from "./http.js";
import type { LayerProgress } from "./progress.js";

/** The config media type of a Spin application artifact. */
export const SPIN_APPLICATION_MEDIA_TYPE = "application/vnd.fermyon.spin.application.v1+config";
/** A component's Wasm, and a static file, as layers of a Spin artifact. */
export const SPIN_WASM_LAYER_MEDIA_TYPE = "application/vnd.wasm.content.layer.v1+wasm";
export const SPIN_DATA_LAYER_MEDIA_TYPE = "application/vnd.wasm.content.layer.v1+data";
/** Spin's mark on a data layer that stands for an empty file (registries may refuse empty blobs: it holds two placeholder bytes). */
const EMPTY_DATA_ANNOTATION = "com.fermyon.spin.application.layer.isEmpty";
/** The most a locked-app config may hold. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** A content reference of the locked app: a layer by digest. */
interface LockedContent {
  digest?: string;
}

/** The parts of Spin's locked app that wasmbox uses. */
interface LockedApp {
  triggers?: { id?: string; trigger_type?: string; trigger_config?: { component?: string } }[];
  components?: {
    id?: string;
    source?: { content?: LockedContent };
    env?: Record<string, string>;
    files?: { content?: LockedContent; path?: string }[];
  }[];
}

/** Whether a manifest is a Spin application (by its config's media type). */
export function isSpinApplication(manifest: ImageManifest): boolean {
  return manifest.config.mediaType === SPIN_APPLICATION_MEDIA_TYPE;
}

/** Pulls a Spin application artifact into one image (untagged; the caller tags it). Blobs it adds are listed in `added`. */
export async function pullSpinApplication(
  client: RegistryClient, store: ImageStore, ref: RemoteReference, manifest: ImageManifest, manifestDigest: string,
  downloads: string, progress: LayerProgress, added: string[],
): Promise<StoredImage> {
  const where = formatRemoteReference(ref);
  const refuse = (why: string): never => {
    throw new RegistryError(client.registry, `${where} is a Spin application that wasmbox cannot run: ${why}`);
  };
  for (const layer of manifest.layers) {
    if (layer.mediaType !== SPIN_WASM_LAYER_MEDIA_TYPE && layer.mediaType !== SPIN_DATA_LAYER_MEDIA_TYPE) {
      refuse(`layer ${layer.digest} has media type ${layer.mediaType} (wasmbox reads ${SPIN_WASM_LAYER_MEDIA_TYPE} and ${SPIN_DATA_LAYER_MEDIA_TYPE} layers)`);
    }
  }
  if (manifest.config.size > MAX_CONFIG_BYTES) refuse(`its locked-app config has ${manifest.config.size} bytes (at most ${MAX_CONFIG_BYTES})`);
  const app = parseLockedApp(await download(client, ref.repository, manifest.config, downloads), refuse);
  const components = app.components ?? [];
  if (components.length === 0) refuse("its locked app lists no components");
  const layers = new Map(manifest.layers.map((l) => [l.digest, l]));
  const layerOf = (content: LockedContent | undefined, what: string): Descriptor => {
    const layer = content?.digest && isSha256Digest(content.digest) ? layers.get(content.digest) : undefined;
    return layer ?? refuse(`${what} names content ${content?.digest ?? "(none)"}, which is not one of its layers`);
  };

  const entries: LayerEntry[] = [{ path: "bin", type: "dir", mode: 0o755, mtimeNs: 0n }];
  const dirs = new Set(["bin"]);
  const fetched = new Map<string, Buffer>();
  const bytesOf = async (layer: Descriptor): Promise<Buffer> => {
    const known = fetched.get(layer.digest);
    if (known) return known;
    const id = shortId(layer.digest);
    progress.status(id, "Pulling fs layer");
    const data = await download(client, ref.repository, layer, downloads, (done, total) => progress.bytes(id, "Downloading", done, total));
    progress.status(id, "Pull complete");
    fetched.set(layer.digest, data);
    return data;
  };
  for (const component of components) {
    const id = component.id ?? refuse("a component has no id");
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) refuse(`component id ${JSON.stringify(id)} is not a file name`);
    const wasm = await bytesOf(layerOf(component.source?.content, `component ${id}'s source`));
    if (!isWasmBinary(wasm)) refuse(`component ${id}'s source is not a WebAssembly binary (no \\0asm header)`);
    entries.push({ path: `bin/${id}`, type: "file", mode: 0o755, data: wasm, mtimeNs: 0n });
    for (const file of component.files ?? []) {
      const path = (file.path ?? "").split("/").filter((p) => p !== "" && p !== ".");
      if (path.length === 0 || path.includes("..")) refuse(`component ${id} has a file at ${JSON.stringify(file.path)}`);
      const layer = layerOf(file.content, `component ${id}'s file ${file.path}`);
      const data = layer.annotations?.[EMPTY_DATA_ANNOTATION] === "true" ? Buffer.alloc(0) : await bytesOf(layer);
      for (let i = 1; i < path.length; i++) {
        const dir = path.slice(0, i).join("/");
        if (!dirs.has(dir)) entries.push({ path: dir, type: "dir", mode: 0o755, mtimeNs: 0n });
        dirs.add(dir);
      }
      entries.push({ path: path.join("/"), type: "file", mode: 0o644, data, mtimeNs: 0n });
    }
  }

  // What runs: the component of the command trigger (spin's `command` plugin), else the only one.
  const triggers = app.triggers ?? [];
  const command = triggers.find((t) => t.trigger_type === "command")?.trigger_config?.component ?? (components.length === 1 ? components[0]!.id : undefined);
  const main = components.find((c) => c.id === command);
  const triggerTypes = [...new Set(triggers.map((t) => t.trigger_type ?? "unknown"))].join(",");
  const layer = await encodeLayer(entries);
  const existed = await store.hasBlob(layer.digest);
  const blob = await store.writeBlob(layer.blob);
  if (!existed) added.push(blob.digest);
  const created = new Date(0).toISOString();
  const env = Object.entries(main?.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const config: ImageConfig = {
    created,
    architecture: IMAGE_ARCHITECTURE,
    os: components.some((c) => isComponentBinary(fetched.get(c.source!.content!.digest!)!)) ? "wasip2" : "wasip1",
    config: {
      Env: ["PATH=/bin", ...env], WorkingDir: "/",
      ...(main ? { Entrypoint: [`/bin/${main.id}`] } : { Cmd: [`/bin/${components[0]!.id}`] }),
      Labels: {
        "dev.wasmbox.spin.components": components.map((c) => c.id).join(","),
        ...(triggerTypes ? { "dev.wasmbox.spin.triggers": triggerTypes } : {}),
      },
    },
    rootfs: { type: "layers", diff_ids: [layer.diffId] },
    history: [{ created, created_by: `wasmbox pull ${where} (Spin application ${manifestDigest}, ${components.length} components)` }],
  };
  const image = await store.writeImage(config, [{ mediaType: layer.mediaType, ...blob }], {
    "org.opencontainers.image.base.digest": manifestDigest, "org.opencontainers.image.base.name": where,
  });
  for (const digest of [image.id, image.manifestDigest]) if (!added.includes(digest)) added.push(digest);
  return image;
}

/** Downloads one blob (verified by the client) and reads it. */
async function download(client: RegistryClient, repository: string, descriptor: Descriptor, downloads: string, progress?: (done: number, total: number) => void): Promise<Buffer> {
  const file = await client.downloadBlob(repository, descriptor, downloads, progress);
  try {
    return await readFile(file);
  } finally {
    await rm(file, { force: true });
  }
}

function parseLockedApp(bytes: Buffer, refuse: (why: string) => never): LockedApp {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    return refuse("its config is not JSON");
  }
  if (typeof value !== "object" || value === null || !Array.isArray((value as LockedApp).components)) refuse("its config is not a locked app (no components list)");
  return value as LockedApp;
}

/** A component binary (not a core module): version 1 of the core format is `01 00 00 00`, components set the layer field. */
function isComponentBinary(data: Uint8Array): boolean {
  return data[4] !== 0x01 || data[6] !== 0x00;
}
