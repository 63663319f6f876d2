// images/: `wasmbox import MODULE.wasm NAME[:TAG]`: a one-layer image holding one WebAssembly module at
// /bin/NAME, with an Entrypoint that runs it. Checks the module header; writes via the store like a build.
// The registry client makes the same kind of image from a pulled Wasm OCI artifact (writeWasmModuleImage).
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { ImageError } from "./errors.js";
import { encodeLayer } from "./layer-tar.js";
import { IMAGE_ARCHITECTURE, IMAGE_OS, type ImageConfig } from "./oci.js";
import { normalizeReference } from "./reference.js";
import type { ImageStore, StoredImage } from "./store.js";

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** True when bytes start with the `\0asm` header of a WebAssembly module or component. */
export function isWasmBinary(data: Uint8Array): boolean {
  return data.byteLength >= 8 && WASM_MAGIC.every((byte, i) => data[i] === byte);
}

/** How a one-module image is described: its program name, history line, os, creation time and manifest annotations. */
export interface WasmModuleImageOptions {
  program: string;
  createdBy: string;
  os?: string;
  created?: string;
  annotations?: Record<string, string>;
}

/** Writes (untagged) an image whose one layer holds `data` at /bin/PROGRAM and whose Entrypoint runs it. */
export async function writeWasmModuleImage(store: ImageStore, data: Uint8Array, options: WasmModuleImageOptions): Promise<StoredImage> {
  const program = options.program.replace(/[^A-Za-z0-9._-]/g, "_") || "main";
  const layer = await encodeLayer([
    { path: "bin", type: "dir", mode: 0o755, mtimeNs: 0n },
    { path: `bin/${program}`, type: "file", mode: 0o755, data, mtimeNs: 0n },
  ]);
  const blob = await store.writeBlob(layer.blob);
  const created = options.created ?? new Date().toISOString();
  const config: ImageConfig = {
    created,
    architecture: IMAGE_ARCHITECTURE,
    os: options.os ?? IMAGE_OS,
    config: { Env: ["PATH=/bin"], Entrypoint: [`/bin/${program}`], WorkingDir: "/" },
    rootfs: { type: "layers", diff_ids: [layer.diffId] },
    history: [{ created, created_by: options.createdBy }],
  };
  return store.writeImage(config, [{ mediaType: layer.mediaType, ...blob }], options.annotations);
}

/** Imports a .wasm module as image `ref` whose Entrypoint is `/bin/<module name>`; returns the tagged image. */
export async function importWasmModule(store: ImageStore, modulePath: string, ref: string): Promise<StoredImage> {
  const tag = normalizeReference(ref);
  const data = await readFile(modulePath).catch((error: Error) => {
    throw new ImageError(`import: cannot read ${modulePath}: ${error.message}`);
  });
  if (!isWasmBinary(data)) throw new ImageError(`import: ${modulePath} is not a WebAssembly module (no \\0asm header)`);
  const program = basename(modulePath).replace(/\.wasm$/i, "");
  const image = await writeWasmModuleImage(store, data, { program, createdBy: `wasmbox import ${basename(modulePath)}` });
  await store.tagImage(image.manifestDigest, image.manifestSize, [tag]);
  return { ...image, refs: [tag] };
}
