// Layer sharing (issue 5): kernel memory with 1 and with 100 containers of one image that holds
// 16 MiB of files. Shared read-only layers mean the 99 extra containers add no copy of them.
import { Kernel, InputStream, type LayerEntry } from "../kernel/index.js";
import { ContainerRuntime, type RunnableImage } from "../containers/runtime.js";
import { specFromOptions } from "../containers/options.js";
import { guestBytes } from "./guests.js";
import type { Figure } from "./kernel.js";

const MiB = 1024 * 1024;

/** Heap plus external memory after full collections (a few, with turns between, so that memory
 *  freed late, such as Wasm memories of earlier benchmarks, is gone before it is read). */
async function usedBytes(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Memory held with 1 and with 100 idle containers of a 16 MiB image. */
export async function benchSharing(): Promise<Figure[]> {
  const imageBytes = 16 * MiB;
  const layers: LayerEntry[][] = [[
    { path: "bin", type: "dir", mode: 0o755 },
    { path: "bin/idle", type: "file", mode: 0o755, data: guestBytes("blockedReader") },
    { path: "data", type: "dir", mode: 0o755 },
    ...Array.from({ length: 16 }, (_, i): LayerEntry => ({ path: `data/blob${i}`, type: "file", mode: 0o644, data: new Uint8Array(MiB).fill(i + 1) })),
    { path: "dev", type: "dir", mode: 0o755 },
    { path: "proc", type: "dir", mode: 0o555 },
  ]];
  const image: RunnableImage = { id: "sha256:sharing", config: { Entrypoint: ["/bin/idle"] }, layers };
  const kernel = new Kernel({ log: () => undefined });
  const runtime = new ContainerRuntime({ kernel, images: async () => image });
  const flags = specFromOptions({ init: false }, { cwd: "/", env: {}, syscallNames: kernel.syscalls.map((s) => s.name) });
  const stdins: InputStream[] = [];
  const ids: string[] = [];
  const startOne = async () => {
    const stdin = new InputStream();
    stdins.push(stdin);
    const record = await runtime.create({ ...flags, image: "sharing", command: [] });
    await runtime.start(record.spec.id, { onStdout: () => undefined, stdin });
    ids.push(record.spec.id);
  };
  const base = await usedBytes();
  await startOne();
  const one = (await usedBytes()) - base;
  for (let i = 1; i < 100; i++) await startOne();
  const hundred = (await usedBytes()) - base;
  for (const stdin of stdins) stdin.end();
  for (const id of ids) await runtime.wait(id);
  const perExtra = (hundred - one) / 99;
  return [
    { name: "kernel memory with 1 container of a 16 MiB image", value: one / MiB, unit: "MiB" },
    { name: "kernel memory with 100 containers of that image", value: hundred / MiB, unit: "MiB" },
    {
      name: "memory each extra container adds (image data shared, not copied)", value: perExtra / 1024, unit: "KiB",
      baseline: imageBytes / 1024, baselineName: "a private copy of the image's files", ratio: imageBytes / perExtra, target: "far below the image size",
    },
  ];
}
