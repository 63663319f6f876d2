// Telling a WebAssembly component from a core module by its header (kept apart from the loader so
// that a module run checks it without loading the component code).

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
/** The component binary format's version that jco reads (the header's version field; a core module has 1). */
export const COMPONENT_VERSION = 0x0d;

/** Whether `bytes` is a WebAssembly component: the magic number, then a layer field of 1 (a core module's is 0). */
export function isComponent(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) return false;
  return bytes[6] === 0x01 && bytes[7] === 0x00;
}

/** The component's binary format version when it is not the one jco reads. */
export function unsupportedComponentVersion(bytes: Uint8Array): number | undefined {
  const version = bytes[4]! | (bytes[5]! << 8);
  return version === COMPONENT_VERSION ? undefined : version;
}
