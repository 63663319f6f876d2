// vitest configuration: every suite under test/, generous timeouts (guests are real programs,
// and CI machines are shared), forks so a crashing worker cannot take the runner down, one per core.
import { statfsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/** statfs's type of a tmpfs (Linux), and the free bytes it needs before the tests put their temporary folders there. */
const TMPFS_MAGIC = 0x01021994;
const TMPFS_MIN_FREE_BYTES = 4 * 1024 ** 3;

/**
 * Where the tests' temporary folders go: /dev/shm when it is a tmpfs with room to spare, since the
 * image store and the container records flush every file they write (fsync: 8 to 14 ms each on
 * this machine's disk, nothing on a tmpfs); otherwise the system's own (TMPDIR left alone).
 */
function tmpfsForTests(): Record<string, string> {
  try {
    const fs = statfsSync("/dev/shm");
    return fs.type === TMPFS_MAGIC && fs.bavail * fs.bsize >= TMPFS_MIN_FREE_BYTES ? { TMPDIR: "/dev/shm" } : {};
  } catch {
    return {};
  }
}

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
    env: { WASMBOX_REGISTRY: "127.0.0.1:1", ...tmpfsForTests() },
  },
});
