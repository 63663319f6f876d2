// Test helpers for userland: boots a kernel with the base root filesystem and runs shell
// scripts in it, returning exit code, stdout and stderr.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kernel, type LayerEntry } from "../../kernel/host.js";
import { baseRootfs } from "../../userland/rootfs.js";
import { buildUserland } from "../../userland/build.js";

/** Builds the userland (if stale) and returns the base image entries. */
export async function loadRootfs(): Promise<LayerEntry[]> {
  await buildUserland();
  return baseRootfs();
}

/** A kernel holding the base image; /proc and /dev are the kernel's own mounts, so they are skipped. */
export function bootKernel(rootfs: LayerEntry[]): Kernel {
  const kernel = new Kernel();
  kernel.fs.writeEntries(rootfs.filter((entry) => entry.path !== "proc" && entry.path !== "dev"));
  return kernel;
}

/** Runs `sh -c script` in cwd (default /tmp) with PATH=/bin. */
export async function sh(kernel: Kernel, script: string, options: { stdin?: string; cwd?: string; args?: string[] } = {}) {
  const cwd = options.cwd ?? "/tmp";
  return kernel.run("/bin/sh", {
    args: options.args ?? ["-c", script],
    env: { PATH: "/bin", HOME: "/root", PWD: cwd },
    stdin: options.stdin ?? "",
    cwd,
  });
}

/**
 * Runs `script` with the host's sh in a fresh directory (pushed on `made`, for the caller to remove),
 * LC_ALL=C plus `env`: its stdout and exit status, the host side of a comparison with the kernel's tools.
 */
export function onHostSh(script: string, made: string[], options: { stdin?: string; env?: Record<string, string> } = {}): { stdout: string; code: number } {
  const dir = mkdtempSync(join(tmpdir(), "wasmbox-host-"));
  made.push(dir);
  try {
    const env = { PATH: process.env.PATH, LC_ALL: "C", ...options.env };
    return { stdout: execFileSync("sh", ["-c", script], { cwd: dir, input: options.stdin ?? "", env }).toString(), code: 0 };
  } catch (error) {
    const e = error as { stdout: Buffer; status: number };
    return { stdout: e.stdout.toString(), code: e.status };
  }
}
