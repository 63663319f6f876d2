// test/images: save and load (OCI archive and docker-save archive), layer sharing between loads, and the
// failure cases: truncated tar, wrong digest, missing blob; each with its message and the store unchanged.
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { describe, expect, it } from "vitest";
import { loadArchive, saveImages } from "../../images/archive.js";
import { buildImage } from "../../images/builder.js";
import { layerEntriesToTar } from "../../images/layer-tar.js";
import { sha256Digest } from "../../images/oci.js";
import { ImageStore } from "../../images/store.js";
import { snapshotStore, tempDir, writeTree } from "./helpers.js";

interface TarFile {
  name: string;
  data: Buffer;
}

async function readTar(bytes: Buffer): Promise<TarFile[]> {
  const extract = tar.extract();
  const files: TarFile[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      if (entry.header.type === "file") files.push({ name: entry.header.name, data: Buffer.concat(chunks) });
    }
  })();
  extract.end(bytes);
  await done;
  return files;
}

async function writeTar(files: TarFile[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const file of files) pack.entry({ name: file.name, size: file.data.byteLength }, file.data);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A store with `base` (one layer) and `app` (FROM base, one more layer), and a saved archive of both. */
async function savedStore() {
  const home = await tempDir();
  const context = await tempDir();
  await writeTree(context, { Base: "FROM scratch\nCOPY base.txt /etc/base.txt\nCMD [\"/bin/sh\"]\n", App: "FROM base\nCOPY app.txt /app/app.txt\n", "base.txt": "base", "app.txt": "app" });
  const store = await ImageStore.open(home);
  await buildImage(store, { contextDir: context, containerfile: join(context, "Base"), tags: ["base"] });
  await buildImage(store, { contextDir: context, containerfile: join(context, "App"), tags: ["app:1.0"] });
  const archive = join(await tempDir(), "images.tar");
  await saveImages(store, ["base", "app:1.0"], archive);
  return { home, store, archive };
}

/** Loads a bad archive into a store holding another image; expects `message` and an unchanged store. */
async function expectLoadFails(archiveBytes: Buffer, message: RegExp) {
  const home = await tempDir();
  const context = await tempDir();
  await writeTree(context, { Containerfile: "FROM scratch\nCOPY other.txt /other.txt\n", "other.txt": "other" });
  const store = await ImageStore.open(home);
  await buildImage(store, { contextDir: context, tags: ["other"] });
  const before = await snapshotStore(home);
  const file = join(await tempDir(), "bad.tar");
  await writeFile(file, archiveBytes);
  await expect(loadArchive(store, file)).rejects.toThrow(message);
  expect(await snapshotStore(home)).toEqual(before);
}

describe("save and load", () => {
  it("round-trips images into a fresh home with the same ids, manifests, layers and tags", async () => {
    const { store, archive } = await savedStore();
    const names = (await readTar(await readFile(archive))).map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(["oci-layout", "index.json", "manifest.json"]));
    const dockerManifest = JSON.parse((await readTar(await readFile(archive))).find((f) => f.name === "manifest.json")!.data.toString());
    expect(dockerManifest[1]).toMatchObject({ RepoTags: ["app:1.0"], Layers: [expect.stringMatching(/^blobs\/sha256\//), expect.stringMatching(/^blobs\/sha256\//)] });
    const fresh = await ImageStore.open(await tempDir());
    const loaded = await loadArchive(fresh, archive);
    expect(loaded.map((image) => image.refs)).toEqual([["base:latest"], ["app:1.0"]]);
    for (const ref of ["base", "app:1.0"]) {
      const [original, copy] = [await store.resolve(ref), await fresh.resolve(ref)];
      expect(copy.id).toBe(original.id);
      expect(copy.manifestDigest).toBe(original.manifestDigest);
      expect(await fresh.loadLayers(copy)).toEqual(await store.loadLayers(original));
    }
    expect((await fresh.verify()).problems).toEqual([]);
    const index = JSON.parse(await readFile(join(fresh.root, "index.json"), "utf8"));
    expect(index.manifests.map((d: { annotations: Record<string, string> }) => d.annotations["org.opencontainers.image.ref.name"]).sort()).toEqual(["app:1.0", "base:latest"]);
  });

  it("accepts a gzip-compressed archive", async () => {
    const { archive } = await savedStore();
    const gz = join(await tempDir(), "images.tar.gz");
    await writeFile(gz, gzipSync(await readFile(archive)));
    const fresh = await ImageStore.open(await tempDir());
    expect((await loadArchive(fresh, gz)).length).toBe(2);
  });

  it("shares decoded layers: every load of an image's layers returns the same objects", async () => {
    const { store } = await savedStore();
    const base = await store.resolve("base");
    const app = await store.resolve("app:1.0");
    const first = await store.loadLayers(app);
    const second = await store.loadLayers(await store.resolve("app:1.0"));
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
    expect((await store.loadLayers(base))[0]).toBe(first[0]);
    expect(Object.isFrozen(first[0])).toBe(true);
    const other = await ImageStore.open(store.home);
    expect((await other.loadLayers(app))[0]).not.toBe(first[0]);
  });

  it("rejects a truncated archive and changes nothing", async () => {
    const { archive } = await savedStore();
    const bytes = await readFile(archive);
    await expectLoadFails(bytes.subarray(0, Math.floor(bytes.byteLength / 2)), /archive bad\.tar is truncated or not a tar archive/);
  });

  it("rejects a blob whose content does not match its digest and changes nothing", async () => {
    const { archive, store } = await savedStore();
    const layer = (await store.resolve("app:1.0")).manifest.layers[1]!.digest;
    const files = await readTar(await readFile(archive));
    const target = files.find((f) => f.name === `blobs/sha256/${layer.slice(7)}`)!;
    target.data = Buffer.from(target.data);
    target.data[600] = target.data[600]! ^ 0xff;
    await expectLoadFails(await writeTar(files), new RegExp(`blob ${layer} is corrupt \\(its content hashes to sha256:`));
  });

  it("rejects an archive missing a blob and changes nothing", async () => {
    const { archive, store } = await savedStore();
    const layer = (await store.resolve("app:1.0")).manifest.layers[1]!.digest;
    const files = (await readTar(await readFile(archive))).filter((f) => f.name !== `blobs/sha256/${layer.slice(7)}`);
    await expectLoadFails(await writeTar(files), new RegExp(`image app:1.0: blob ${layer} is missing from the archive`));
  });

  it("loads a docker save archive (legacy layout) and checks its diff_ids", async () => {
    const layerTar = await layerEntriesToTar([{ path: "hello.txt", type: "file", mode: 0o644, data: new TextEncoder().encode("from docker") }]);
    const diffId = sha256Digest(layerTar);
    const config = Buffer.from(JSON.stringify({ architecture: "wasm", os: "wasip1", config: { Cmd: ["/hello"] }, rootfs: { type: "layers", diff_ids: [diffId] }, history: [{ created_by: "COPY hello.txt /" }] }));
    const configHex = sha256Digest(config).slice(7);
    const layerId = "a".repeat(64);
    const manifest = [{ Config: `${configHex}.json`, RepoTags: ["docker.io/library/legacy:1"], Layers: [`${layerId}/layer.tar`] }];
    const archive = (files: TarFile[]) => writeTar(files);
    const files: TarFile[] = [
      { name: `${layerId}/VERSION`, data: Buffer.from("1.0") },
      { name: `${layerId}/json`, data: Buffer.from("{}") },
      { name: `${layerId}/layer.tar`, data: layerTar },
      { name: `${configHex}.json`, data: config },
      { name: "manifest.json", data: Buffer.from(JSON.stringify(manifest)) },
      { name: "repositories", data: Buffer.from(JSON.stringify({ legacy: { "1": layerId } })) },
    ];
    const file = join(await tempDir(), "docker.tar");
    await writeFile(file, await archive(files));
    const store = await ImageStore.open(await tempDir());
    const [image] = await loadArchive(store, file);
    expect(image!.refs).toEqual(["legacy:1"]);
    expect(image!.id).toBe("sha256:" + configHex);
    const resolved = await store.resolve("legacy:1");
    const [layer] = await store.loadLayers(resolved);
    expect(Buffer.from(layer![0]!.data!).toString()).toBe("from docker");
    expect((await store.verify()).problems).toEqual([]);

    const badConfig = Buffer.from(JSON.stringify({ architecture: "wasm", os: "wasip1", rootfs: { type: "layers", diff_ids: ["sha256:" + "0".repeat(64)] } }));
    const badHex = sha256Digest(badConfig).slice(7);
    const bad = files.map((f) => (f.name === `${configHex}.json` ? { name: `${badHex}.json`, data: badConfig } : f.name === "manifest.json" ? { name: f.name, data: Buffer.from(JSON.stringify([{ ...manifest[0], Config: `${badHex}.json` }])) } : f));
    await expectLoadFails(await archive(bad), /uncompresses to sha256:[0-9a-f]{64}, the config says sha256:0{64}; nothing was loaded/);
  });
});

describe("store integrity", () => {
  it("names the digest and the image when a blob is corrupt or missing, and verify() finds it", async () => {
    const { store } = await savedStore();
    const app = await store.resolve("app:1.0");
    const layer = app.manifest.layers[1]!.digest;
    await writeFile(store.blobPath(layer), "garbage");
    const fresh = await ImageStore.open(store.home);
    await expect(fresh.loadLayers(await fresh.resolve("app:1.0"))).rejects.toThrow(`image app:1.0: blob ${layer} is corrupt (its content hashes to ${sha256Digest("garbage")})`);
    const report = await fresh.verify();
    expect(report.problems).toContain(`image app:1.0: blob ${layer} is corrupt (its content hashes to ${sha256Digest("garbage")})`);
    await rm(store.blobPath(app.id));
    await expect(fresh.resolve("app:1.0")).rejects.toThrow(`image app:1.0: blob ${app.id} is missing from the store`);
    expect((await fresh.verify()).problems.some((p) => p.includes(`blob ${app.id} is missing`))).toBe(true);
  });

  it("untags, deletes and prunes like docker", async () => {
    const { store } = await savedStore();
    const base = await store.resolve("base");
    await store.tagImage(base.manifestDigest, base.manifestSize, ["base:v1"]);
    await expect(store.removeImage(base.id.slice(7, 19))).rejects.toThrow(/must be forced/);
    expect(await store.removeImage("base:v1")).toEqual({ untagged: ["base:v1"], deleted: [] });
    const app = await store.resolve("app:1.0");
    expect(await store.removeImage("app:1.0")).toEqual({ untagged: ["app:1.0"], deleted: [app.id] });
    await expect(store.resolve("app:1.0")).rejects.toThrow("no such image: app:1.0");
    expect(await store.hasBlob(app.manifest.layers[1]!.digest)).toBe(true);
    const pruned = await store.prune({ buildCache: true });
    expect(pruned.reclaimedBytes).toBeGreaterThan(0);
    expect(await store.hasBlob(app.manifest.layers[1]!.digest)).toBe(false);
    expect(await store.hasBlob(base.manifest.layers[0]!.digest)).toBe(true);
    expect((await store.verify()).problems).toEqual([]);
  });
});
