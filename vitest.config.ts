// vitest configuration: every suite under test/, generous timeouts (guests are real programs,
// and CI machines are shared), forks so a crashing worker cannot take the runner down.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
