// bench/: `wasmbox pull` of a 50 MB image (5 layers of incompressible data) from a local docker-registry versus
// `skopeo copy docker://... oci:...` of the same image in the same run; both are whole commands (a process each).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeLayer } from "../images/layer-tar.js";
import { IMAGE_ARCHITECTURE, IMAGE_OS, type Descriptor } from "../images/oci.js";
import { LayerProgress } from "../images/registry/progress.js";
import { pushImage } from "../images/registry/push.js";
import { ImageStore } from "../images/store.js";
import type { Figure } from "./kernel.js";

const MB = 1000 * 1000;
/** This project's loopback port range; the bench registry takes one port of it (WASMBOX_BENCH_PORT: that one). */
const PORT = Number(process.env.WASMBOX_BENCH_PORT) || 21000 + Math.floor(Math.random() * 1000);
const CLI = fileURLToPath(new URL("../cli/bin.js", import.meta.url));

/** Milliseconds a command takes; throws with its stderr when it fails. */
function timed(command: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${command} ${args.join(" ")} failed (${code}): ${stderr}`))));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Pull time of wasmbox vs skopeo copy for one image of `megabytes` MB, `rounds` times each, alternating. */
export async function benchRegistry(options: { megabytes?: number; rounds?: number; log?: (line: string) => void } = {}): Promise<Figure[]> {
  const megabytes = options.megabytes ?? 50;
  const rounds = options.rounds ?? 5;
  for (const [path, pkg] of [["/usr/bin/docker-registry", "docker-registry"], ["/usr/bin/skopeo", "skopeo"]]) {
    if (!existsSync(path!)) throw new Error(`bench registry: ${path} is missing: apt-get install ${pkg}`);
  }
  const root = await mkdtemp(join(tmpdir(), "wasmbox-bench-registry-"));
  const config = join(root, "config.yml");
  await writeFile(config, `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(root, "storage")}\nhttp:\n  addr: 127.0.0.1:${PORT}\n`);
  const registry = spawn("/usr/bin/docker-registry", ["serve", config], { stdio: "ignore" });
  try {
    const deadline = Date.now() + 15_000;
    while ((await fetch(`http://127.0.0.1:${PORT}/v2/`).then((r) => r.status, () => 0)) !== 200) {
      if (Date.now() > deadline) throw new Error(`bench registry: docker-registry did not answer on 127.0.0.1:${PORT}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const ref = `127.0.0.1:${PORT}/bench/big:1`;
    options.log?.(`building a ${megabytes} MB image and pushing it to ${ref}`);
    const sourceHome = join(root, "source");
    const store = await ImageStore.open(sourceHome);
    const layers: Descriptor[] = [];
    const diffIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const layer = await encodeLayer([{ path: `data${i}.bin`, type: "file", mode: 0o644, data: randomBytes((megabytes * MB) / 5), mtimeNs: 0n }], { gzip: true });
      layers.push({ mediaType: layer.mediaType, ...(await store.writeBlob(layer.blob)) });
      diffIds.push(layer.diffId);
    }
    const image = await store.writeImage({ architecture: IMAGE_ARCHITECTURE, os: IMAGE_OS, rootfs: { type: "layers", diff_ids: diffIds } }, layers);
    await store.tagImage(image.manifestDigest, image.manifestSize, [ref]);
    await pushImage(store, ref, { home: sourceHome, defaultRegistry: "docker.io", progress: new LayerProgress(() => undefined, false) });

    const wasmboxMs: number[] = [];
    const skopeoMs: number[] = [];
    // Round 0 is a warm-up of both, not counted: the build has just rewritten the CLI's bundle, so wasmbox's first run
    // makes its V8 code cache (as a user's first pull after an install does), and skopeo's files enter the page cache.
    for (let round = 0; round <= rounds; round++) {
      const home = join(root, `pull-${round}`);
      const ours = await timed(process.execPath, [CLI, "pull", "-q", ref], { WASMBOX_HOME: home });
      const layout = join(root, `skopeo-${round}`);
      const theirs = await timed("skopeo", ["--insecure-policy", "copy", "-q", "--src-tls-verify=false", `docker://${ref}`, `oci:${layout}:big:1`], { HOME: root });
      options.log?.(`${round === 0 ? "warm-up" : `round ${round}`}: wasmbox ${Math.round(ours)} ms, skopeo ${Math.round(theirs)} ms`);
      if (round > 0) {
        wasmboxMs.push(ours);
        skopeoMs.push(theirs);
      }
      await rm(home, { recursive: true, force: true });
      await rm(layout, { recursive: true, force: true });
    }
    const ours = median(wasmboxMs);
    const theirs = median(skopeoMs);
    return [{
      name: `registry: pull of a ${megabytes} MB image (median of ${rounds})`, value: ours, unit: "ms",
      baseline: theirs, baselineName: "skopeo copy", ratio: theirs / ours, target: ">= 1x (as fast as skopeo)",
    }];
  } finally {
    registry.kill("SIGTERM");
    await new Promise((r) => registry.once("exit", r));
    await rm(root, { recursive: true, force: true });
  }
}
