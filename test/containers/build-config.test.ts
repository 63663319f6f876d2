// test/containers: what a built image's config does at run time, on the real kernel: USER (build RUN steps
// and the container's processes, as uids /proc shows), ENTRYPOINT with CMD as its arguments in docker's rules.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { kernelBuildRunner } from "../../cli/commands/build-runner.js";
import type { CliIo } from "../../cli/io.js";
import { buildImage } from "../../images/builder.js";
import { buildShippedImages } from "../../images/build-shipped.js";
import { ImageStore } from "../../images/store.js";
import { flattenLayers } from "../../images/layer-tar.js";
import { storeImageSource } from "../../containers/images.js";
import type { ContainerRuntime } from "../../containers/runtime.js";
import { makeRuntime, runIn, tempDir } from "./helpers.js";

const CONTAINERFILE = [
  "FROM base AS users",
  "USER user",
  "RUN grep -E '^(Uid|Gid)' /proc/self/status > /tmp/build-ids",
  "USER 0",
  "RUN echo 'svc:x:4000:100::/:/bin/sh' >> /etc/passwd",
  "USER svc:user",
  "FROM users AS exec-entry",
  'ENTRYPOINT ["echo", "entry"]',
  'CMD ["default", "args"]',
  "FROM users AS shell-entry",
  'CMD ["ignored"]',
  "ENTRYPOINT echo shell-form",
].join("\n");

describe("built images at run time", () => {
  let runtime: ContainerRuntime;
  let store: ImageStore;
  beforeAll(async () => {
    const home = await tempDir();
    const ctx = await tempDir();
    await buildShippedImages({ home, write: () => undefined });
    await writeFile(join(ctx, "Containerfile"), CONTAINERFILE);
    const io: CliIo = { stdout: () => undefined, stderr: () => undefined, env: { WASMBOX_HOME: home }, cwd: ctx };
    store = await ImageStore.open(home);
    const runner = kernelBuildRunner(io);
    for (const target of ["users", "exec-entry", "shell-entry"]) {
      await buildImage(store, { contextDir: ctx, tags: [target], target, runner });
    }
    const images = storeImageSource(store);
    runtime = await makeRuntime({ images: { users: await images("users"), "exec-entry": await images("exec-entry"), "shell-entry": await images("shell-entry") } });
  }, 120_000);

  it("runs RUN steps and the container's processes as USER, resolved in the image's /etc/passwd", async () => {
    const ids = await runIn(runtime, ["sh", "-c", "cat /tmp/build-ids; grep -E '^(Uid|Gid)' /proc/self/status"], {}, "users");
    const view = flattenLayers(await store.loadLayers(await store.resolve("users")));
    expect(view.get("tmp/build-ids")).toMatchObject({ type: "file", uid: 1000, gid: 1000 });
    expect(view.get("etc/passwd")).toMatchObject({ uid: 0, gid: 0 });
    expect(ids.stdout).toBe("Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nUid:\t4000\t4000\t4000\t4000\nGid:\t1000\t1000\t1000\t1000\n");
    const overridden = await runIn(runtime, ["grep", "Uid", "/proc/self/status"], { user: "root" }, "users");
    expect(overridden.stdout).toBe("Uid:\t0\t0\t0\t0\n");
    const unknown = await runIn(runtime, ["true"], { user: "nobody" }, "users");
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toContain("unable to find user nobody: no matching entries in passwd file");
    expect(unknown.record.state.error).toContain("unable to find user nobody");
  });

  it("runs a VM's command as USER too, resolved in the image's layers before it boots", async () => {
    const vm = await runIn(runtime, ["grep", "-E", "^(Uid|Gid)", "/proc/self/status"], { vm: true, vmMemory: "64m" }, "users");
    expect(vm.stdout).toBe("Uid:\t4000\t4000\t4000\t4000\nGid:\t1000\t1000\t1000\t1000\n");
    const unknown = await runIn(runtime, ["true"], { vm: true, vmMemory: "64m", user: "nobody" }, "users");
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toContain("unable to find user nobody");
    expect(unknown.record.state.error).toContain("unable to find user nobody");
  }, 30_000);

  it("gives exec-form ENTRYPOINT the CMD as arguments, replaced by run's arguments, and --entrypoint overrides both", async () => {
    expect((await runIn(runtime, [], {}, "exec-entry")).stdout).toBe("entry default args\n");
    expect((await runIn(runtime, ["given"], {}, "exec-entry")).stdout).toBe("entry given\n");
    expect((await runIn(runtime, ["override"], { entrypoint: "echo" }, "exec-entry")).stdout).toBe("override\n");
    expect((await runIn(runtime, [], { entrypoint: "pwd" }, "exec-entry")).stdout).toBe("/\n");
  });

  it("runs shell-form ENTRYPOINT without CMD or run's arguments", async () => {
    // As with docker, CMD and the arguments reach `sh -c` only as $0, $1...: the command never sees them.
    expect((await runIn(runtime, [], {}, "shell-entry")).stdout).toBe("shell-form\n");
    expect((await runIn(runtime, ["extra", "args"], {}, "shell-entry")).stdout).toBe("shell-form\n");
  });
});
