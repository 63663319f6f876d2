// vitest configuration: every suite under test/, generous timeouts (guests are real programs,
// and CI machines are shared), forks so a crashing worker cannot take the runner down.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Bare image names resolve against this registry, a closed port on loopback: a test that runs a
    // missing image gets a quick, local refusal, and never asks docker.io.
    env: { WASMBOX_REGISTRY: "127.0.0.1:1" },
  },
});
