// images/: the world of a WebAssembly component (what `inspect` shows): its WIT as jco prints it
// (`jco wit`), and the interfaces and functions it imports and exports, from an image's entry point or a file.
import { isComponent, type LayerEntry } from "../kernel/host.js";
import type { ImageStore, StoredImage } from "./store.js";

/** A component's world: the WIT text and its imports and exports by name (`wasi:cli/run@0.2.3`, `greet`). */
export interface ComponentWorld {
  World: string;
  Imports: string[];
  Exports: string[];
}

/** The world of a component's bytes (jco's componentWit); an Error naming what is wrong when jco cannot read it. */
export async function componentWorld(bytes: Uint8Array): Promise<ComponentWorld> {
  const { componentWit } = await import("@bytecodealliance/jco");
  const wit = await componentWit(bytes);
  const imports: string[] = [];
  const exports: string[] = [];
  // The world's own items are indented once: `  import NAME;`, `  export NAME: func(...)`.
  for (const line of wit.split("\n")) {
    const m = /^ {2}(import|export) (%?[^\s:;]+(?::[^\s;]+)?)/.exec(line);
    if (!m) continue;
    const name = m[2]!.replace(/^%/, "").replace(/:$/, "");
    (m[1] === "import" ? imports : exports).push(name);
  }
  return { World: wit, Imports: imports, Exports: exports };
}

/** The bytes of the file at `path` in an image's layers (the last layer that has it wins), if any. */
function fileInLayers(layers: LayerEntry[][], path: string): Uint8Array | undefined {
  const wanted = path.replace(/^\/+/, "");
  let found: Uint8Array | undefined;
  for (const layer of layers) {
    for (const entry of layer) {
      if (entry.path.replace(/^\.?\/+/, "") === wanted) found = entry.type === "file" ? entry.data : undefined;
    }
  }
  return found;
}

/** The world of an image whose entry point (Entrypoint, else Cmd) is a component; undefined for any other image. */
export async function imageComponentWorld(store: ImageStore, image: StoredImage): Promise<ComponentWorld | undefined> {
  const program = image.config.config?.Entrypoint?.[0] ?? image.config.config?.Cmd?.[0];
  if (!program?.startsWith("/")) return undefined;
  const bytes = fileInLayers(await store.loadLayers(image), program);
  return bytes && isComponent(bytes) ? componentWorld(bytes) : undefined;
}
