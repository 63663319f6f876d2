// vitest configuration: every suite under test/, generous timeouts (guests are real programs,
// and CI machines are shared), forks so a crashing worker cannot take the runner down, one per core.
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // vitest's default leaves a core to itself (cores - 1): one test file at a time on two cores. The
    // runner itself hardly computes, and much of a file's time is spent waiting (on daemons, child
    // processes, sleeps), so every core runs a file.
    maxWorkers: availableParallelism(),
    // Bare image names resolve against this registry, a closed port on loopback: a test that runs a
    // missing image gets a quick, local refusal, and never asks docker.io.
    env: { WASMBOX_REGISTRY: "127.0.0.1:1" },
  },
});
