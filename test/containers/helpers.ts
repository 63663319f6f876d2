// test/containers: shared fixtures: a kernel and container runtime over the base userland layer
// (in memory, or with files under a temp home), and a helper that runs one container to its end.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { Kernel, type LayerEntry } from "../../kernel/host.js";
import { ContainerFiles } from "../../containers/files.js";
import { ContainerRuntime, type ContainerRecord, type RunnableImage } from "../../containers/runtime.js";
import { specFromOptions, type CreateOptions } from "../../containers/options.js";
import { baseRootfs } from "../../userland/rootfs.js";

const created: string[] = [];
afterEach(async () => {
  for (const dir of created.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test. */
export async function tempDir(prefix = "wasmbox-containers-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

let base: Promise<LayerEntry[]> | undefined;
/** The base userland layer (built once per test file). */
export function baseLayer(): Promise<LayerEntry[]> {
  return (base ??= baseRootfs());
}

/** A runtime whose only image is "base" (plus any extra images given). */
export async function makeRuntime(options: { home?: string; kernel?: Kernel; images?: Record<string, RunnableImage> } = {}): Promise<ContainerRuntime> {
  const layers = [await baseLayer()];
  const images: Record<string, RunnableImage> = { base: { id: "sha256:base", config: { Env: ["PATH=/bin"], Cmd: ["/bin/sh"] }, layers }, ...options.images };
  const kernel = options.kernel ?? new Kernel({ log: () => undefined });
  return new ContainerRuntime({
    kernel,
    files: options.home ? await ContainerFiles.open(options.home) : undefined,
    images: async (ref) => {
      const image = images[ref] ?? Object.values(images).find((i) => i.id === ref);
      if (!image) throw new Error(`no such image: ${ref}`);
      return image;
    },
  });
}

/** What a container printed and how it ended. */
export interface Outcome {
  record: ContainerRecord;
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Creates and starts a container of `image` with `command`; `wait` false returns once it runs. */
export async function start(runtime: ContainerRuntime, command: string[], flags: CreateOptions = {}, image = "base") {
  const out = { stdout: "", stderr: "" };
  const spec = specFromOptions(flags, { cwd: "/", env: {}, syscallNames: runtime.kernel.syscalls.map((s) => s.name) });
  const record = await runtime.create({ ...spec, image, command });
  // A command that cannot start fails the start (as docker's); its reason is kept as the run's stderr.
  await runtime.start(record.spec.id, {
    onStdout: (c) => void (out.stdout += Buffer.from(c).toString()),
    onStderr: (c) => void (out.stderr += Buffer.from(c).toString()),
  }).catch((e: Error) => void (out.stderr += `wasmbox: ${e.message}\n`));
  return {
    record,
    out,
    done: async (): Promise<Outcome> => ({ record, exitCode: await runtime.wait(record.spec.id), ...out }),
  };
}

/** Runs a container to its end. */
export async function runIn(runtime: ContainerRuntime, command: string[], flags: CreateOptions = {}, image = "base"): Promise<Outcome> {
  return (await start(runtime, command, flags, image)).done();
}

/** `sh -c script` as a command. */
export const sh = (script: string) => ["sh", "-c", script];
