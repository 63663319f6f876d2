// The BuildRunner that images/ uses for RUN: runs the command in a build container on a kernel
// embedded in the CLI, over the image's layers so far, and hands back the container's diff.
import { Kernel } from "../../kernel/index.js";
import type { BuildRunner } from "../../images/build-steps.js";
import { ContainerRuntime, startExitCode, type RunnableImage } from "../../containers/runtime.js";
import { specFromOptions } from "../../containers/options.js";
import type { CliIo } from "../io.js";

/** A RUN executor: one kernel and runtime for the whole build, one throwaway container per RUN. */
export function kernelBuildRunner(io: CliIo): BuildRunner {
  const images = new Map<string, RunnableImage>();
  let runtime: ContainerRuntime | undefined;
  let step = 0;
  return {
    async run(request) {
      // A build's kernel lives for one build: its RUN steps' programs are compiled without outlined loops (see cliKernel).
      const kernel = runtime?.kernel ?? new Kernel({ log: (line) => io.stderr(line + "\n"), outlineLoops: false });
      runtime ??= new ContainerRuntime({
        kernel,
        images: async (ref) => {
          const image = images.get(ref);
          if (!image) throw new Error(`no build stage ${ref}`);
          return image;
        },
      });
      const ref = `build-step-${++step}`;
      images.set(ref, { id: ref, config: {}, layers: request.layers });
      const context = { cwd: io.cwd, env: {}, syscallNames: kernel.syscalls.map((s) => s.name) };
      const record = await runtime.create({
        ...specFromOptions({ init: false }, context), image: ref, command: request.argv, entrypoint: [],
        env: request.env, workdir: request.workdir || "/", ...(request.user ? { user: request.user } : {}),
      });
      const log = (chunk: Uint8Array) => request.log(Buffer.from(chunk).toString("utf8"));
      try {
        // A command that cannot start ends the step with its status (127, 126), its reason in the build's output.
        const failed = await runtime.start(record.spec.id, { onStdout: log, onStderr: log }).then(() => undefined, (e: Error) => e.message);
        if (failed !== undefined) {
          log(Buffer.from(`wasmbox: ${failed}\n`));
          return { exitCode: startExitCode(failed), changes: [] };
        }
        const exitCode = await runtime.wait(record.spec.id);
        const { entries } = await runtime.changes(record.spec.id);
        return { exitCode, changes: entries };
      } finally {
        await runtime.remove(record.spec.id, true);
        images.delete(ref);
      }
    },
  };
}
