// bench/: image build figures: a first build into an empty store versus an unchanged rebuild (the layer
// cache's win; target >= 10x), and a first layer decode versus the shared, cached one. Importable; no I/O but temp dirs.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { buildImage } from "../images/builder.js";
import { ImageStore } from "../images/store.js";

/** The figures benchImages() measures; times in milliseconds. */
export interface ImageBenchFigures {
  files: number;
  contextBytes: number;
  firstBuildMs: number;
  rebuildMs: number;
  rebuildSpeedup: number;
  rebuildTargetMet: boolean;
  firstLayerLoadMs: number;
  sharedLayerLoadMs: number;
}

/** Builds a synthetic app (many small files, one larger one) twice and loads its layers twice. */
export async function benchImages(options: { files?: number; fileBytes?: number; rebuilds?: number } = {}): Promise<ImageBenchFigures> {
  const fileCount = options.files ?? 1000;
  const fileBytes = options.fileBytes ?? 4096;
  const rebuilds = options.rebuilds ?? 5;
  const root = await mkdtemp(join(tmpdir(), "wasmbox-bench-images-"));
  try {
    const context = join(root, "context");
    await mkdir(join(context, "src"), { recursive: true });
    for (let i = 0; i < fileCount; i++) {
      const dir = join(context, "src", `pkg${i % 20}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `file${i}.txt`), randomBytes(fileBytes / 2).toString("hex"));
    }
    await writeFile(join(context, "big.bin"), randomBytes(4 << 20));
    await writeFile(join(context, ".containerignore"), "**/*.log\n");
    await writeFile(
      join(context, "Containerfile"),
      'FROM scratch\nENV APP=/app\nWORKDIR /app\nCOPY src/ ./src/\nCOPY big.bin /app/data/\nLABEL bench=yes\nCMD ["/bin/sh"]\n',
    );
    const store = await ImageStore.open(join(root, "home"));
    const build = () => buildImage(store, { contextDir: context, tags: ["bench"] });
    let started = performance.now();
    const first = await build();
    const firstBuildMs = performance.now() - started;
    started = performance.now();
    for (let i = 0; i < rebuilds; i++) {
      const again = await build();
      if (again.image.id !== first.image.id || again.cachedSteps !== again.steps - 1) throw new Error("bench: rebuild did not come from the cache");
    }
    const rebuildMs = (performance.now() - started) / rebuilds;
    const image = await store.resolve("bench");
    started = performance.now();
    await store.loadLayers(image);
    const firstLayerLoadMs = performance.now() - started;
    started = performance.now();
    await store.loadLayers(image);
    const sharedLayerLoadMs = performance.now() - started;
    const rebuildSpeedup = firstBuildMs / rebuildMs;
    return {
      files: fileCount + 1,
      contextBytes: fileCount * fileBytes + (4 << 20),
      firstBuildMs: round(firstBuildMs),
      rebuildMs: round(rebuildMs),
      rebuildSpeedup: round(rebuildSpeedup),
      rebuildTargetMet: rebuildSpeedup >= 10,
      firstLayerLoadMs: round(firstLayerLoadMs),
      sharedLayerLoadMs: round(sharedLayerLoadMs),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
