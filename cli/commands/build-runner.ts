// The BuildRunner that images/ uses for RUN: runs the command in a build container on a kernel.
// Placeholder until overlays land: refuses RUN with a clear message.
import type { BuildRunner } from "../../images/build-steps.js";
import type { CliIo } from "../io.js";

export function kernelBuildRunner(_io: CliIo): BuildRunner {
  return {
    async run() {
      throw new Error("RUN needs the container runtime, which is not built yet");
    },
  };
}
