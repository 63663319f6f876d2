// images/: `wasmbox import MODULE.wasm NAME[:TAG]`: a one-layer image holding one WebAssembly module at
// /bin/NAME, with an Entrypoint that runs it. Checks the module header; writes via the store like a build.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { ImageError } from "./errors.js";
import { encodeLayer } from "./layer-tar.js";
import { IMAGE_ARCHITECTURE, IMAGE_OS, type ImageConfig } from "./oci.js";
import { normalizeReference } from "./reference.js";
import type { ImageStore, StoredImage } from "./store.js";

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Imports a .wasm module as image `ref` whose Entrypoint is `/bin/<module name>`; returns the tagged image. */
export async function importWasmModule(store: ImageStore, modulePath: string, ref: string): Promise<StoredImage> {
  const tag = normalizeReference(ref);
  const data = await readFile(modulePath).catch((error: Error) => {
    throw new ImageError(`import: cannot read ${modulePath}: ${error.message}`);
  });
  if (data.byteLength < 8 || WASM_MAGIC.some((byte, i) => data[i] !== byte)) {
    throw new ImageError(`import: ${modulePath} is not a WebAssembly module (no \\0asm header)`);
  }
  const program = basename(modulePath).replace(/\.wasm$/i, "").replace(/[^A-Za-z0-9._-]/g, "_") || "main";
  const layer = await encodeLayer([
    { path: "bin", type: "dir", mode: 0o755, mtimeNs: 0n },
    { path: `bin/${program}`, type: "file", mode: 0o755, data, mtimeNs: 0n },
  ]);
  const blob = await store.writeBlob(layer.blob);
  const created = new Date().toISOString();
  const config: ImageConfig = {
    created,
    architecture: IMAGE_ARCHITECTURE,
    os: IMAGE_OS,
    config: { Env: ["PATH=/bin"], Entrypoint: [`/bin/${program}`], WorkingDir: "/" },
    rootfs: { type: "layers", diff_ids: [layer.diffId] },
    history: [{ created, created_by: `wasmbox import ${basename(modulePath)}` }],
  };
  const image = await store.writeImage(config, [{ mediaType: layer.mediaType, ...blob }]);
  await store.tagImage(image.manifestDigest, image.manifestSize, [tag]);
  return { ...image, refs: [tag] };
}
