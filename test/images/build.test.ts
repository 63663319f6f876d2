// test/images: building images for real: COPY/ADD semantics, ENV/ARG substitution, RUN through a fake
// runner, the layer cache, --no-cache, .containerignore, gzip layers, and errors that leave the store intact.
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { buildImage, type BuildOptions } from "../../images/builder.js";
import { encodeLayer, flattenLayers, layerEntriesToTar } from "../../images/layer-tar.js";
import { ImageStore } from "../../images/store.js";
import { collector, FakeRunner, snapshotStore, tempDir, writeTree } from "./helpers.js";

async function setup(files: Record<string, string | Uint8Array>) {
  const home = await tempDir();
  const context = await tempDir();
  await writeTree(context, files);
  return { home, context, store: await ImageStore.open(home) };
}

async function build(store: ImageStore, context: string, extra: Partial<BuildOptions> = {}) {
  const progress = collector();
  const result = await buildImage(store, { contextDir: context, tags: ["app"], write: progress.write, ...extra });
  return { ...result, progress: progress.text() };
}

async function files(store: ImageStore, ref: string) {
  const image = await store.resolve(ref);
  const view = flattenLayers(await store.loadLayers(image));
  return new Map([...view].map(([path, entry]) => [path, entry.type === "file" ? Buffer.from(entry.data!).toString() : entry.type]));
}

describe("build", () => {
  it("builds config and layers with docker's COPY, ADD, ENV, ARG, WORKDIR semantics", async () => {
    const tarball = await layerEntriesToTar([{ path: "pkg/readme", type: "file", mode: 0o644, data: new TextEncoder().encode("from tar") }]);
    const { store, context } = await setup({
      Containerfile: [
        "ARG VERSION=1.0",
        "FROM scratch",
        "ARG VERSION",
        "ARG GREETING=hello",
        "ENV APP_HOME=/srv/app NAME=${GREETING}-$VERSION",
        "WORKDIR $APP_HOME",
        "COPY src/ ./",
        "COPY *.txt notes/",
        "COPY one.txt /single",
        "ADD vendor.tar /opt/",
        "COPY --chmod=700 --chown=7:8 tool.sh /usr/bin/",
        'LABEL org.example.version="$VERSION" maintainer=me',
        "EXPOSE 8080 53/udp",
        "USER 1000",
        'ENTRYPOINT ["/bin/sh"]',
        'CMD ["-c", "echo $NAME"]',
      ].join("\n"),
      "src/main.sh": "echo main\n",
      "src/lib/util.sh": "echo util\n",
      "one.txt": "1",
      "two.txt": "2",
      "tool.sh": "#!/bin/sh\n",
      "vendor.tar": tarball,
    });
    const { image, progress } = await build(store, context, { buildArgs: { GREETING: "hi" } });
    const config = image.config.config!;
    expect(image.config).toMatchObject({ architecture: "wasm", os: "wasip1" });
    expect(config.Env).toEqual(["APP_HOME=/srv/app", "NAME=hi-1.0"]);
    expect(config.WorkingDir).toBe("/srv/app");
    expect(config.Labels).toEqual({ "org.example.version": "1.0", maintainer: "me" });
    expect(config.ExposedPorts).toEqual({ "8080/tcp": {}, "53/udp": {} });
    expect(config.User).toBe("1000");
    expect(config.Entrypoint).toEqual(["/bin/sh"]);
    expect(config.Cmd).toEqual(["-c", "echo $NAME"]);
    expect(image.config.rootfs.diff_ids).toHaveLength(6);
    expect(image.config.history).toHaveLength(12);
    const tree = await files(store, "app");
    expect(tree.get("srv/app/main.sh")).toBe("echo main\n");
    expect(tree.get("srv/app/lib/util.sh")).toBe("echo util\n");
    expect(tree.get("srv/app/notes/one.txt")).toBe("1");
    expect(tree.get("srv/app/notes/two.txt")).toBe("2");
    expect(tree.get("single")).toBe("1");
    expect(tree.get("opt/pkg/readme")).toBe("from tar");
    const view = flattenLayers(await store.loadLayers(image));
    expect(view.get("usr/bin/tool.sh")).toMatchObject({ mode: 0o700, uid: 7, gid: 8 });
    expect(view.get("usr")).toMatchObject({ type: "dir", mode: 0o755 });
    expect(progress).toMatch(/^STEP 1\/16: ARG VERSION=1.0\nSTEP 2\/16: FROM scratch\n/);
    expect(progress).toContain(`Successfully tagged app:latest\n`);
    expect(progress).toContain(`--> ${image.id.slice(7, 19)}\n`);
  });

  it("reuses every step on an unchanged rebuild, and only later steps after a change", async () => {
    const runner = new FakeRunner();
    const { store, context } = await setup({
      Containerfile: "FROM scratch\nCOPY a.txt /a.txt\nRUN touch /made\nCOPY b.txt /b.txt\nCMD [\"/bin/sh\"]\n",
      "a.txt": "a",
      "b.txt": "b",
    });
    const first = await build(store, context, { runner });
    expect(first.cachedSteps).toBe(0);
    expect(runner.calls).toHaveLength(1);
    const second = await build(store, context, { runner });
    expect(second.cachedSteps).toBe(4);
    expect(second.image.id).toBe(first.image.id);
    expect(second.progress).toContain("--> Using cache " + first.image.id.slice(7));
    expect(runner.calls).toHaveLength(1);
    await writeTree(context, { "b.txt": "changed" });
    const third = await build(store, context, { runner });
    expect(third.cachedSteps).toBe(2);
    expect(runner.calls).toHaveLength(1);
    expect((await files(store, "app")).get("b.txt")).toBe("changed");
    const uncached = await build(store, context, { runner, noCache: true });
    expect(uncached.cachedSteps).toBe(0);
    expect(runner.calls).toHaveLength(2);
    expect(uncached.image.config.rootfs.diff_ids).toEqual(third.image.config.rootfs.diff_ids);
  });

  it("turns RUN changes into layers with whiteouts, passing env, args, workdir and user", async () => {
    const runner = new FakeRunner();
    const { store, context } = await setup({ Containerfile: "FROM scratch\nARG MODE=fast\nENV A=1\nWORKDIR /w\nUSER 5\nRUN touch keep gone && mkdir d\nRUN rm gone && echo hi\n" });
    const { image, progress } = await build(store, context, { runner });
    expect(runner.calls[0]).toMatchObject({ argv: ["/bin/sh", "-c", "touch keep gone && mkdir d"], env: ["A=1", "MODE=fast"], workdir: "/w", user: "5" });
    expect(runner.calls[1]!.layers).toHaveLength(2);
    const top = (await store.loadLayers(image)).at(-1)!;
    expect(top.map((e) => e.path)).toEqual(["w/.wh.gone"]);
    expect([...(await files(store, "app")).keys()].sort()).toEqual(["w", "w/d", "w/keep"]);
    expect(progress).toContain("hi\n");
  });

  it("honours .containerignore with ** and ! exceptions", async () => {
    const { store, context } = await setup({
      Containerfile: "FROM scratch\nCOPY . /ctx/\n",
      ".containerignore": "# build junk\n**/*.log\nnode_modules\nsecret*\n!secret-public.txt\ndocs\n!docs/keep.md\n",
      "app.js": "js",
      "debug.log": "x",
      "deep/er/trace.log": "x",
      "deep/er/ok.txt": "ok",
      "node_modules/m/index.js": "x",
      "secret.key": "x",
      "secret-public.txt": "pub",
      "docs/drop.md": "x",
      "docs/keep.md": "keep",
    });
    await build(store, context);
    const paths = [...(await files(store, "app")).entries()].filter(([, v]) => v !== "dir").map(([k]) => k).sort();
    expect(paths).toEqual(["ctx/.containerignore", "ctx/Containerfile", "ctx/app.js", "ctx/deep/er/ok.txt", "ctx/docs/keep.md", "ctx/secret-public.txt"]);
    await writeTree(context, { "more.log": "ignored change" });
    expect((await build(store, context)).cachedSteps).toBe(1);
    await expect(build(store, context, { containerfile: join(context, "Bad"), tags: ["x"] }).catch((e: Error) => e.message)).resolves.toMatch(/cannot read/);
    await writeTree(context, { Bad: "FROM scratch\nCOPY secret.key /\n" });
    await expect(build(store, context, { containerfile: join(context, "Bad") })).rejects.toThrow(`${join(context, "Bad")}:2: COPY failed: "secret.key" is excluded by .containerignore`);
  });

  it("stores gzip layers when asked and reads them back", async () => {
    const { store, context } = await setup({ Containerfile: "FROM scratch\nCOPY f /f\n", f: "data".repeat(1000) });
    const { image } = await build(store, context, { gzip: true });
    expect(image.manifest.layers[0]!.mediaType).toBe("application/vnd.oci.image.layer.v1.tar+gzip");
    expect(image.manifest.layers[0]!.size).toBeLessThan(1000);
    expect((await files(store, "app")).get("f")).toBe("data".repeat(1000));
    expect((await store.verify()).problems).toEqual([]);
  });

  it("builds FROM a local image and keeps an inherited CMD unless ENTRYPOINT changes", async () => {
    const { store, context } = await setup({ Containerfile: "FROM scratch\nCOPY f /f\nCMD [\"/bin/sh\"]\n", f: "base", Child: "FROM app\nCOPY g /g\n", Ep: "FROM app\nENTRYPOINT /bin/x\n", g: "child" });
    await build(store, context);
    const child = await build(store, context, { containerfile: join(context, "Child"), tags: ["child:1"] });
    expect(child.image.config.config!.Cmd).toEqual(["/bin/sh"]);
    expect(child.image.manifest.layers[0]).toEqual((await store.resolve("app")).manifest.layers[0]);
    expect([...(await files(store, "child:1")).keys()].sort()).toEqual(["f", "g"]);
    const ep = await build(store, context, { containerfile: join(context, "Ep"), tags: ["ep"] });
    expect(ep.image.config.config).toMatchObject({ Entrypoint: ["/bin/sh", "-c", "/bin/x"], Cmd: null });
  });

  it.each([
    ["FROM scratch\nCOPY missing.txt /", /Containerfile:2: COPY failed: "missing.txt": not found in the build context/],
    ["FROM scratch\nCOPY a b /dir", /Containerfile:2: COPY with more than one source file: the destination must be a directory and end with a \//],
    ["FROM scratch\nCOPY ../outside /", /Containerfile:2: COPY failed: "..\/outside": forbidden path outside the build context/],
    ["FROM nosuchimage\n", /Containerfile:1: FROM nosuchimage: no such image: nosuchimage/],
    ["FROM scratch\nEXPOSE http", /Containerfile:2: EXPOSE: invalid port "http"/],
    ["FROM scratch\nENV X=${UNSET:?needs a value}", /Containerfile:2: ENV: UNSET: needs a value/],
    ["FROM scratch\nCOPY a /a\nRUN touch x && false", /Containerfile:3: RUN failed: process "\/bin\/sh -c touch x && false" exited with code 1/],
    ["FROM scratch\nCOPY --chown=nobody a /a", /Containerfile:2: COPY --chown: no user "nobody" in the image's \/etc\/passwd/],
    ["FROM scratch\nUNKNOWN x", /Containerfile:2: unknown instruction: UNKNOWN/],
    ["FROM scratch\nUSER nobody\nRUN true", /Containerfile:3: RUN: USER nobody: unable to find user nobody: no matching entries in passwd file/],
    ["FROM scratch\nADD b /", /Containerfile:2: ADD b: compressed with xz, which docker would unpack; wasmbox unpacks plain and gzip tar archives only/],
    ["FROM scratch\nADD https://example.com/x.tar /", /Containerfile:2: ADD from a URL is not supported: "https:\/\/example.com\/x.tar" \(builds have no network/],
  ])("fails %j with a clear message and leaves the store intact", async (text, message) => {
    const { store, context, home } = await setup({ Containerfile: "FROM scratch\nCOPY a /a\n", a: "a", b: new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2]) });
    await build(store, context);
    const before = await snapshotStore(home);
    await writeTree(context, { Containerfile: text });
    await expect(build(store, context, { runner: new FakeRunner(), tags: ["app", "other"] })).rejects.toThrow(message);
    const after = await snapshotStore(home);
    expect(after.index).toBe(before.index);
    for (const [name, content] of Object.entries(before.blobs)) expect(after.blobs[name]).toBe(content);
  });

  it("builds multi-stage files: FROM a stage, COPY --from by name, index and image, only the stages the target needs", async () => {
    const runner = new FakeRunner();
    const { store, context } = await setup({
      Containerfile: [
        "ARG BASE=scratch",
        "FROM $BASE AS deps",
        "COPY --chown=7:8 dep.txt /deps/dep.txt",
        "FROM deps AS Build",
        "RUN touch /made",
        "COPY src/ /src/",
        "FROM scratch AS unused",
        "COPY not-there /nope",
        "FROM nosuchimage AS unused2",
        "FROM scratch",
        "COPY --from=build /deps/ /app/deps/",
        "COPY --from=build /made /app/made",
        "COPY --from=1 /src/main.sh /app/",
        "COPY --from=build --chown=9:9 /deps/dep.txt /app/chowned",
        "COPY --from=lib /lib/link /app/",
        "LABEL stage=final",
      ].join("\n"),
      "dep.txt": "dep",
      "src/main.sh": "echo main\n",
      Lib: "FROM scratch\nCOPY lib/ /lib/\n",
      "lib/real.so": "library",
    });
    await writeTree(context, {});
    const { symlink } = await import("node:fs/promises");
    await symlink("real.so", join(context, "lib/link"));
    await build(store, context, { containerfile: join(context, "Lib"), tags: ["lib"] });
    const { image, progress } = await build(store, context, { runner });
    const tree = await files(store, "app");
    expect([...tree.entries()].filter(([, v]) => v !== "dir").sort()).toEqual([
      ["app/chowned", "dep"],
      ["app/deps/dep.txt", "dep"],
      ["app/link", "library"],
      ["app/made", ""],
      ["app/main.sh", "echo main\n"],
    ]);
    expect(image.config.config!.Labels).toEqual({ stage: "final" });
    expect(image.config.rootfs.diff_ids).toHaveLength(5);
    const view = flattenLayers(await store.loadLayers(image));
    expect(view.get("app/deps/dep.txt")).toMatchObject({ uid: 7, gid: 8 });
    expect(view.get("app/chowned")).toMatchObject({ uid: 9, gid: 9 });
    expect(view.get("app/main.sh")).toMatchObject({ uid: 0, gid: 0 });
    expect(runner.calls).toHaveLength(1);
    expect(progress).not.toContain("unused");
    expect(progress).toMatch(/^STEP 1\/13: ARG BASE=scratch\nSTEP 2\/13: FROM \$BASE AS deps\n/);

    const target = await build(store, context, { runner, target: "BUILD", tags: ["app:build"] });
    expect([...(await files(store, "app:build")).entries()].filter(([, v]) => v !== "dir").sort()).toEqual([
      ["deps/dep.txt", "dep"],
      ["made", ""],
      ["src/main.sh", "echo main\n"],
    ]);
    expect(target.progress).not.toContain("LABEL");
    expect(target.cachedSteps).toBe(3);
    expect(runner.calls).toHaveLength(1);
    await expect(build(store, context, { target: "nope" })).rejects.toThrow('target stage "nope" could not be found in Containerfile (stages: deps, build, unused, unused2)');
  });

  it.each([
    ["FROM scratch AS a\nCOPY --from=b /x /x\nFROM scratch AS b\nFROM a", /Containerfile:2: COPY: "b" names stage 1, which comes later: a stage can only use earlier stages/],
    ["FROM scratch\nCOPY --from=0 /x /x", /Containerfile:2: COPY --from=0: stage 0 is this stage itself/],
    ["FROM scratch AS a\nFROM scratch\nCOPY --from=a /missing /x", /Containerfile:3: COPY failed: "\/missing": not found in stage a/],
    ["FROM scratch\nCOPY --from=nosuchimage /x /x", /Containerfile:2: COPY --from=nosuchimage: no such image: nosuchimage/],
  ])("refuses the multi-stage mistake %j", async (text, message) => {
    const { store, context } = await setup({ Containerfile: text });
    await expect(build(store, context)).rejects.toThrow(message);
  });

  it("unpacks local tar archives, plain and gzip, with ADD; copies other files and keeps archives packed with COPY", async () => {
    const tarball = await layerEntriesToTar([{ path: "pkg/bin/tool", type: "file", mode: 0o755, data: new TextEncoder().encode("tool") }, { path: "pkg/link", type: "symlink", mode: 0o777, target: "bin/tool" }]);
    const { store, context } = await setup({
      Containerfile: "FROM scratch\nADD plain.tar /plain/\nADD packed.tgz /gz\nADD notes.txt /notes.txt\nCOPY plain.tar /kept.tar\n",
      "plain.tar": tarball,
      "packed.tgz": gzipSync(tarball),
      "notes.txt": "not an archive",
    });
    const { image } = await build(store, context);
    const view = flattenLayers(await store.loadLayers(image));
    const tree = await files(store, "app");
    expect(tree.get("plain/pkg/bin/tool")).toBe("tool");
    expect(tree.get("gz/pkg/bin/tool")).toBe("tool");
    expect(view.get("gz/pkg/bin/tool")).toMatchObject({ mode: 0o755 });
    expect(view.get("gz/pkg/link")).toMatchObject({ type: "symlink", target: "bin/tool" });
    expect(tree.get("notes.txt")).toBe("not an archive");
    expect(Buffer.from(view.get("kept.tar")!.data!).equals(Buffer.from(tarball))).toBe(true);
  });

  it("creates reproducible layers: same content, same digests, even without the cache", async () => {
    const a = await setup({ Containerfile: "FROM scratch\nCOPY . /x/\n", f: "same" });
    const b = await setup({ Containerfile: "FROM scratch\nCOPY . /x/\n", f: "same" });
    const first = await build(a.store, a.context);
    const second = await build(b.store, b.context, { noCache: true });
    expect(second.image.manifest.layers).toEqual(first.image.manifest.layers);
    expect((await encodeLayer([])).digest).toMatch(/^sha256:/);
  });
});
