// test/images: the shipped images (images/base from the userland build, images/hello) build into a fresh
// home, hold what `wasmbox run` needs, and rebuild entirely from the cache.
import { describe, expect, it } from "vitest";
import { buildShippedImages } from "../../images/build-shipped.js";
import { flattenLayers } from "../../images/layer-tar.js";
import { ImageStore } from "../../images/store.js";
import { tempDir } from "./helpers.js";

describe("shipped images", () => {
  it("builds base and hello, then rebuilds them from the cache", async () => {
    const home = await tempDir();
    const first = await buildShippedImages({ home });
    expect(first.map((r) => r.cachedSteps)).toEqual([0, 0]);
    const store = await ImageStore.open(home);
    const base = await store.resolve("base");
    expect(base.config.config).toMatchObject({ Cmd: ["/bin/sh"], Env: ["PATH=/bin", "HOME=/root"] });
    const baseView = flattenLayers(await store.loadLayers(base));
    expect(baseView.get("bin/sh")).toMatchObject({ type: "symlink", target: "busybox" });
    expect(baseView.get("bin/busybox")?.data?.subarray(0, 4)).toEqual(new Uint8Array([0, 0x61, 0x73, 0x6d]));
    expect(baseView.get("tmp")).toMatchObject({ type: "dir", mode: 0o1777 });
    const hello = await store.resolve("hello");
    expect(hello.config.config).toMatchObject({ Cmd: ["/bin/sh", "/app/hello.sh"], WorkingDir: "/app" });
    const helloLayers = await store.loadLayers(hello);
    expect(helloLayers[0]).toBe((await store.loadLayers(base))[0]);
    expect(flattenLayers(helloLayers).get("app/hello.sh")?.type).toBe("file");
    const second = await buildShippedImages({ home });
    expect(second.map((r) => r.cachedSteps)).toEqual([5, 5]);
    expect(second[1]!.image.id).toBe(hello.id);
  }, 60_000);
});
