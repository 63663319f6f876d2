// test/images: shared fixtures for the image tests: temp homes and contexts, a store snapshot to prove a
// failed operation changed nothing, and a fake BuildRunner that interprets a few shell commands.
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { afterEach } from "vitest";
import { OPAQUE_WHITEOUT, type LayerEntry } from "../../kernel/host.js";
import type { BuildRunner, BuildRunRequest } from "../../images/builder.js";
import { flattenLayers } from "../../images/layer-tar.js";
import { stopDaemonOf } from "../helpers/stop-daemon.js";

const created: string[] = [];
afterEach(async () => {
  for (const dir of created.splice(0)) {
    // A home where rmi or image prune asked a daemon: that daemon ends first.
    await stopDaemonOf(dir);
    await rm(dir, { recursive: true, force: true });
  }
});

/** A fresh temporary directory, removed after the test. */
export async function tempDir(prefix = "wasmbox-images-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Writes files (path -> content) under `root`, creating directories. */
export async function writeTree(root: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** index.json plus every blob file name and content: equal snapshots mean the store did not change. */
export async function snapshotStore(home: string): Promise<{ index: string; blobs: Record<string, string> }> {
  const root = join(home, "images");
  const blobs: Record<string, string> = {};
  const dir = join(root, "blobs", "sha256");
  for (const name of (await readdir(dir).catch(() => [])).sort()) blobs[name] = (await readFile(join(dir, name))).toString("base64");
  return { index: await readFile(join(root, "index.json"), "utf8").catch(() => ""), blobs };
}

/** A BuildRunner that understands `touch`, `rm`, `mkdir`, `echo X > F`, `echo X`, `true`, `false`, `exit N`. */
export class FakeRunner implements BuildRunner {
  readonly calls: BuildRunRequest[] = [];

  async run(request: BuildRunRequest): Promise<{ exitCode: number; changes: LayerEntry[] }> {
    this.calls.push(request);
    const script = request.argv[0] === "/bin/sh" && request.argv[1] === "-c" ? request.argv[2]! : request.argv.join(" ");
    const view = flattenLayers(request.layers);
    const changes = new Map<string, LayerEntry>();
    const resolvePath = (path: string) => posix.resolve(request.workdir, path).slice(1);
    for (const command of script.split(/&&|;/).map((c) => c.trim()).filter(Boolean)) {
      const [name, ...args] = command.split(/\s+/);
      const redirect = /^echo (.*?) > (\S+)$/.exec(command);
      if (redirect) {
        changes.set(resolvePath(redirect[2]!), { path: resolvePath(redirect[2]!), type: "file", mode: 0o644, data: new TextEncoder().encode(redirect[1] + "\n") });
      } else if (name === "echo") request.log(args.join(" ") + "\n");
      else if (name === "touch") for (const arg of args) changes.set(resolvePath(arg), { path: resolvePath(arg), type: "file", mode: 0o644, data: new Uint8Array() });
      else if (name === "mkdir") for (const arg of args.filter((a) => !a.startsWith("-"))) changes.set(resolvePath(arg), { path: resolvePath(arg), type: "dir", mode: 0o755 });
      else if (name === "rm") {
        for (const arg of args.filter((a) => !a.startsWith("-"))) {
          const path = resolvePath(arg);
          if (changes.delete(path)) continue;
          if (!view.has(path)) {
            request.log(`rm: ${arg}: No such file or directory\n`);
            return { exitCode: 1, changes: [] };
          }
          const slash = path.lastIndexOf("/");
          const whiteout = `${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`;
          changes.set(whiteout, { path: whiteout, type: "file", mode: 0o644, data: new Uint8Array() });
        }
      } else if (name === "clear") {
        const path = resolvePath(args[0]!);
        changes.set(`${path}/${OPAQUE_WHITEOUT}`, { path: `${path}/${OPAQUE_WHITEOUT}`, type: "file", mode: 0o644, data: new Uint8Array() });
      } else if (name === "true") continue;
      else if (name === "false") return { exitCode: 1, changes: [] };
      else if (name === "exit") return { exitCode: Number(args[0]), changes: [] };
      else {
        request.log(`sh: ${name}: not found\n`);
        return { exitCode: 127, changes: [] };
      }
    }
    return { exitCode: 0, changes: [...changes.values()] };
  }
}

/** Collects what a build writes as progress. */
export function collector(): { write: (text: string) => void; text: () => string } {
  let out = "";
  return { write: (text) => void (out += text), text: () => out };
}
