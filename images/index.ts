// images/: the public entry point of the image layer (barrel): the store the kernel reads images from,
// the builder and its BuildRunner contract, archives, references, layer conversion and the OCI types.
export { ImageStore, wasmboxHome, type StoredImage, type VerifyReport } from "./store.js";
export { buildImage, type BuildOptions, type BuildResult, type BuildRunner, type BuildRunRequest } from "./builder.js";
export { loadArchive, saveImages } from "./archive.js";
export { importWasmModule } from "./import-wasm.js";
export { parseContainerfile, ContainerfileError, type Instruction } from "./containerfile.js";
export { ImageError } from "./errors.js";
export { parseReference, normalizeReference, formatReference, DEFAULT_TAG, type ImageReference } from "./reference.js";
export { encodeLayer, decodeLayer, flattenLayers, layerEntriesToTar, type EncodedLayer } from "./layer-tar.js";
export type { ContainerConfig, Descriptor, HistoryEntry, ImageConfig, ImageIndex, ImageManifest } from "./oci.js";
