// test/containers: Containerfile RUN on the kernel: the command runs in a build container over the
// image's layers and its diff (whiteouts included) becomes the step's layer.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kernelBuildRunner } from "../../cli/commands/build-runner.js";
import type { CliIo } from "../../cli/io.js";
import { buildImage } from "../../images/builder.js";
import { buildShippedImages } from "../../images/build-shipped.js";
import { ImageStore } from "../../images/store.js";
import { storeImageSource } from "../../containers/images.js";
import { makeRuntime, runIn, tempDir } from "./helpers.js";

describe("kernelBuildRunner", () => {
  it("runs RUN in a container and keeps its changes as a layer", async () => {
    const home = await tempDir();
    const ctx = await tempDir();
    await buildShippedImages({ home, write: () => undefined });
    await mkdir(ctx, { recursive: true });
    await writeFile(join(ctx, "Containerfile"), 'FROM base\nENV WHO=builder\nRUN echo "made by $WHO" > /root/made && rm /etc/group && echo logged\nRUN exit 0\nCMD ["cat", "/root/made"]\n');
    let log = "";
    const io: CliIo = { stdout: () => undefined, stderr: () => undefined, env: { WASMBOX_HOME: home }, cwd: ctx };
    const store = await ImageStore.open(home);
    await buildImage(store, { contextDir: ctx, tags: ["made"], runner: kernelBuildRunner(io), write: (t) => void (log += t) });
    expect(log).toContain("logged\n");
    const images = storeImageSource(store);
    const made = await images("made");
    const rt = await makeRuntime({ images: { made } });
    const r = await runIn(rt, ["sh", "-c", "cat /root/made; ls /etc"], {}, "made");
    expect(r.stdout).toBe("made by builder\nhostname\nhosts\npasswd\nprofile\nresolv.conf\n");
  });

  it("fails the build when RUN fails", async () => {
    const home = await tempDir();
    const ctx = await tempDir();
    await buildShippedImages({ home, write: () => undefined });
    await writeFile(join(ctx, "Containerfile"), "FROM base\nRUN sh -c 'exit 4'\n");
    const io: CliIo = { stdout: () => undefined, stderr: () => undefined, env: { WASMBOX_HOME: home }, cwd: ctx };
    await expect(buildImage(await ImageStore.open(home), { contextDir: ctx, tags: ["bad"], runner: kernelBuildRunner(io), write: () => undefined })).rejects.toThrow(/4/);
  });
});
