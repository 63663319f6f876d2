// test/images: pull, push, login, search against a real registry (Debian's docker-registry, started per test on a
// loopback port): push then pull into a fresh store and run, auth, chunked upload and mounts, a registry killed
// mid-push, a tampered blob, a resumed download, Wasm OCI artifacts, Spin apps (several layers), RepoDigests,
// and skopeo reading and writing the store.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../cli/index.js";
import { encodeLayer } from "../../images/layer-tar.js";
import { IMAGE_ARCHITECTURE, IMAGE_OS, MEDIA_TYPE_INDEX, MEDIA_TYPE_MANIFEST, sha256Digest } from "../../images/oci.js";
import { ImageStore } from "../../images/store.js";
import { registryBlobPath, requireTool, startProxy, startRegistry, startTokenServer, type TestProxy, type TestRegistry, type TestTokenServer } from "../helpers/registry.js";
import { wat, WASI_IMPORTS } from "../helpers/wat.js";
import { snapshotStore, tempDir } from "./helpers.js";

/** A guest that prints one line: the module the registry tests push, pull and run. */
function greeter(text: string): Uint8Array {
  const line = text + "\n";
  return wat(`(module ${WASI_IMPORTS}
    (memory (export "memory") 1)
    (data (i32.const 16) "${line.replace(/\n/g, "\\n")}")
    (func (export "_start")
      (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const ${line.length}))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`);
}

async function cli(home: string, args: string[], stdin?: string) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (s) => (stdout += typeof s === "string" ? s : Buffer.from(s).toString()),
    stderr: (s) => (stderr += typeof s === "string" ? s : Buffer.from(s).toString()),
    env: { WASMBOX_HOME: home }, cwd: home,
    stdin: stdin === undefined ? undefined : (Readable.from([Buffer.from(stdin)]) as never),
  });
  return { code, stdout, stderr };
}

/** A fresh home holding `name`: the greeter module imported as a one-layer image. */
async function homeWithGreeter(name: string, text = "hello from the registry"): Promise<string> {
  const home = await tempDir("wasmbox-reg-home-");
  await writeFile(join(home, "greet.wasm"), greeter(text));
  const imported = await cli(home, ["import", join(home, "greet.wasm"), name]);
  expect(imported.code, imported.stderr).toBe(0);
  return home;
}

/** A home holding `name`: an image with one layer of `bytes` random bytes (incompressible, gzip-wrapped). */
async function homeWithBigImage(name: string, bytes: number): Promise<{ home: string; layerDigest: string }> {
  const home = await tempDir("wasmbox-reg-home-");
  const store = await ImageStore.open(home);
  const layer = await encodeLayer([{ path: "data.bin", type: "file", mode: 0o644, data: randomBytes(bytes), mtimeNs: 0n }], { gzip: true });
  const blob = await store.writeBlob(layer.blob);
  const image = await store.writeImage({ architecture: IMAGE_ARCHITECTURE, os: IMAGE_OS, rootfs: { type: "layers", diff_ids: [layer.diffId] }, config: { Cmd: ["/bin/sh"] } }, [{ mediaType: layer.mediaType, ...blob }]);
  await store.tagImage(image.manifestDigest, image.manifestSize, [name]);
  return { home, layerDigest: blob.digest };
}

const running: (TestRegistry | TestProxy | TestTokenServer)[] = [];
afterEach(async () => {
  for (const thing of running.splice(0).reverse()) await ("stop" in thing ? thing.stop() : thing.close());
});
async function registry(auth?: Parameters<typeof startRegistry>[0]): Promise<TestRegistry> {
  const started = await startRegistry(auth);
  running.push(started);
  return started;
}

describe("registries (docker-registry)", () => {
  it("push, push again (layers exist), pull into a fresh store, run; chunked upload; cross-repository mount; search", async () => {
    const reg = await registry();
    const ref = `${reg.host}/demo/greet:v1`;
    const home = await homeWithGreeter(ref);
    const pushed = await cli(home, ["push", ref]);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stderr).toContain(`The push refers to repository [${reg.host}/demo/greet]`);
    expect(pushed.stderr).toMatch(/^[0-9a-f]{12}: Pushed$/m);
    expect(pushed.stdout).toMatch(/^v1: digest: sha256:[0-9a-f]{64} size: \d+\n$/);
    const again = await cli(home, ["push", ref]);
    expect(again.stderr).toMatch(/^[0-9a-f]{12}: Layer already exists$/m);
    expect(again.stderr).not.toMatch(/Pushed/);

    const mounted = await cli(home, ["tag", ref, `${reg.host}/other/greet:v1`]).then(() => cli(home, ["push", `${reg.host}/other/greet:v1`]));
    expect(mounted.stderr, reg.log()).toMatch(/^[0-9a-f]{12}: Mounted from demo\/greet$/m);

    // RepoDigests: NAME@DIGEST for each repository the image was pushed to (or pulled from), as docker's inspect.
    const pushedDigest = pushed.stdout.match(/digest: (sha256:[0-9a-f]{64})/)![1]!;
    const repoDigests = async (where: string, name: string) => JSON.parse((await cli(where, ["inspect", "-f", "{{json .RepoDigests}}", name])).stdout) as string[];
    expect(await repoDigests(home, ref)).toEqual([`${reg.host}/demo/greet@${pushedDigest}`, `${reg.host}/other/greet@${pushedDigest}`]);

    const fresh = await tempDir("wasmbox-reg-fresh-");
    const pulled = await cli(fresh, ["pull", ref]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(await repoDigests(fresh, ref)).toEqual([`${reg.host}/demo/greet@${pushedDigest}`]);
    expect(pulled.stdout).toBe(`${ref}\n`);
    expect(pulled.stderr).toMatch(/^v1: Pulling from demo\/greet\n[0-9a-f]{12}: Pulling fs layer\n/);
    expect(pulled.stderr).toContain(`Status: Downloaded newer image for ${ref}`);
    expect(pulled.stderr).toContain(pushed.stdout.match(/digest: (sha256:[0-9a-f]{64})/)![1]);
    const run = await cli(fresh, ["run", "--rm", ref]);
    expect(run.stdout).toBe("hello from the registry\n");
    const repull = await cli(fresh, ["pull", ref]);
    expect(repull.stderr).toMatch(/^[0-9a-f]{12}: Already exists$/m);
    expect(repull.stderr).toContain(`Status: Image is up to date for ${ref}`);
    expect((await cli(fresh, ["images", "--verify"])).stdout).toMatch(/1 images, 3 blobs verified, no problems/);

    const big = await homeWithBigImage(`${reg.host}/chunked:1`, 300_000);
    const chunked = await cli(big.home, ["push", "--chunk-size", "65536", `${reg.host}/chunked:1`]);
    expect(chunked.code, chunked.stderr).toBe(0);
    const chunkedPull = await cli(await tempDir("wasmbox-reg-fresh-"), ["pull", `${reg.host}/chunked:1`]);
    expect(chunkedPull.code, chunkedPull.stderr).toBe(0);

    const search = await cli(home, ["search", `${reg.host}/greet`]);
    expect(search.stdout).toBe(`NAME\n${reg.host}/demo/greet\n${reg.host}/other/greet\n`);
    const digestHome = await tempDir("wasmbox-reg-fresh-");
    const digestRef = `${reg.host}/demo/greet@${pushed.stdout.match(/sha256:[0-9a-f]{64}/)![0]}`;
    const byDigest = await cli(digestHome, ["pull", digestRef]);
    expect(byDigest.code, byDigest.stderr).toBe(0);
    expect((await cli(digestHome, ["images"])).stdout).toMatch(new RegExp(`\\n${reg.host}/demo/greet\\s+<none>\\s+[0-9a-f]{12}\\s`));
    expect((await cli(digestHome, ["run", "--rm", digestRef])).stdout).toBe("hello from the registry\n");
  });

  it("names: a missing image names the registry asked; bare names use the configured default registry", async () => {
    const reg = await registry();
    const home = await homeWithGreeter(`${reg.host}/library/greet:v1`);
    expect((await cli(home, ["push", `${reg.host}/library/greet:v1`])).code).toBe(0);
    const missing = await cli(home, ["pull", `${reg.host}/nothing/here:v9`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.split("\n").at(-2)).toBe(`Error response from daemon: registry ${reg.host}: manifest nothing/here:v9: not found (no such repository or tag)`);
    const fresh = await tempDir("wasmbox-reg-fresh-");
    await writeFile(join(fresh, "registries.json"), JSON.stringify({ defaultRegistry: reg.host }));
    const bare = await cli(fresh, ["pull", "library/greet:v1"]);
    expect(bare.code, bare.stderr).toBe(0);
    expect((await cli(fresh, ["run", "--rm", "library/greet:v1"])).stdout).toBe("hello from the registry\n");
    const implicit = await cli(await tempDir("wasmbox-reg-fresh-"), ["run", "--rm", `${reg.host}/library/greet:v1`]);
    expect(implicit.stderr).toMatch(new RegExp(`^Unable to find image '${reg.host}/library/greet:v1' locally\nv1: Pulling from library/greet\n`));
    expect(implicit).toMatchObject({ code: 0, stdout: "hello from the registry\n" });
    const runMissing = await cli(fresh, ["run", "--rm", "nope:1"]);
    expect(runMissing.code).toBe(125);
    expect(runMissing.stderr).toContain("Unable to find image 'nope:1' locally\n");
    expect(runMissing.stderr).toContain(`Error response from daemon: registry ${reg.host}: manifest nope:1: not found (no such repository or tag)\n`);
    const unknown = await cli(fresh, ["pull", "nope"]);
    expect(unknown.stderr.split("\n").at(-2)).toBe(`Error response from daemon: registry ${reg.host}: manifest nope:latest: not found (no such repository or tag)`);
  });

  it("htpasswd basic auth: refused without login, login --password-stdin (auth.json 0600, never printed), logout", async () => {
    requireTool("/usr/bin/htpasswd", "apache2-utils");
    const reg = await registry({ kind: "htpasswd", users: { alice: "s3cret-pass" } });
    const ref = `${reg.host}/private/greet:1`;
    const home = await homeWithGreeter(ref);
    const refused = await cli(home, ["push", ref]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Error response from daemon: registry ${reg.host}: authentication required (log in with: wasmbox login ${reg.host})`);
    const wrong = await cli(home, ["login", reg.host, "-u", "alice", "--password-stdin"], "wrong\n");
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/HTTP 401/);
    const login = await cli(home, ["login", reg.host, "-u", "alice", "--password-stdin"], "s3cret-pass\n");
    expect(login).toMatchObject({ code: 0, stdout: "Login Succeeded\n" });
    expect(login.stderr + login.stdout).not.toContain("s3cret");
    expect((await stat(join(home, "auth.json"))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(home, "auth.json"), "utf8")).not.toContain("s3cret-pass");
    const pushed = await cli(home, ["push", ref]);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout + pushed.stderr).not.toContain("s3cret");
    const fresh = await tempDir("wasmbox-reg-fresh-");
    expect((await cli(fresh, ["pull", ref])).code).toBe(1);
    expect((await cli(fresh, ["login", reg.host, "-u", "alice", "-p", "s3cret-pass"])).stderr).toContain("WARNING! Using --password via the CLI is insecure");
    expect((await cli(fresh, ["pull", ref])).code).toBe(0);
    expect((await cli(fresh, ["logout", reg.host])).stdout).toBe(`Removing login credentials for ${reg.host}\n`);
    expect((await cli(fresh, ["logout", reg.host])).stdout).toBe(`Not logged in to ${reg.host}\n`);
    expect((await cli(fresh, ["login", reg.host, "-u", "alice"])).code).toBe(125);
  });

  it("token auth (WWW-Authenticate: Bearer realm/service/scope): anonymous refused, login, push and pull with scoped tokens", async () => {
    const tokens = await startTokenServer({ bob: "t0ken-pass" });
    running.push(tokens);
    const reg = await registry(tokens.auth);
    const ref = `${reg.host}/tok/greet:1`;
    const home = await homeWithGreeter(ref);
    const anonymous = await cli(home, ["push", ref]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain(`Error response from daemon: registry ${reg.host}: unauthorized: the token server http://127.0.0.1:`);
    expect(anonymous.stderr).toContain("refused anonymous access (HTTP 401)");
    const login = await cli(home, ["login", reg.host, "-u", "bob", "--password-stdin"], "t0ken-pass");
    expect(login).toMatchObject({ code: 0, stdout: "Login Succeeded\n" });
    const pushed = await cli(home, ["push", ref]);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(tokens.requests.filter((r) => r.user === "bob").flatMap((r) => r.scopes)).toContain("repository:tok/greet:pull,push");
    const fresh = await tempDir("wasmbox-reg-fresh-");
    expect((await cli(fresh, ["login", reg.host, "-u", "bob", "--password-stdin"], "t0ken-pass\n")).code).toBe(0);
    const pulled = await cli(fresh, ["pull", ref]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect((await cli(fresh, ["run", "--rm", ref])).stdout).toBe("hello from the registry\n");
    expect(tokens.requests.at(-1)).toEqual({ user: "bob", scopes: ["repository:tok/greet:pull"] });
  });

  it("a registry killed mid-push or mid-pull: a clear error, the store unchanged, no tag on the registry, the next push completes", async () => {
    const reg = await registry();
    let patches = 0;
    let killAt = 3;
    let layerToCut = "";
    const proxy = await startProxy(reg.host, (req) => {
      if (req.method === "PATCH" && ++patches === killAt) return { action: "before", run: () => reg.kill() };
      if (req.method === "GET" && killAt === -1 && layerToCut && req.url?.endsWith(layerToCut)) return { action: "cut-response-after", bytes: 500_000, then: () => reg.kill() };
      return { action: "forward" };
    });
    running.push(proxy);
    const ref = `${proxy.host}/big:1`;
    const { home, layerDigest } = await homeWithBigImage(ref, 2_000_000);
    const before = await snapshotStore(home);
    const failed = await cli(home, ["push", "--chunk-size", "262144", ref]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(new RegExp(`^Error response from daemon: registry ${proxy.host}: connection (reset|refused)`, "m"));
    expect(await snapshotStore(home)).toEqual(before);
    await reg.restart();
    const manifest = await fetch(`http://${reg.host}/v2/big/manifests/1`, { headers: { accept: MEDIA_TYPE_MANIFEST } });
    expect(manifest.status).toBe(404);
    const blob = await fetch(`http://${reg.host}/v2/big/blobs/${layerDigest}`, { method: "HEAD" });
    expect(blob.status).toBe(404);
    killAt = 0;
    const pushed = await cli(home, ["push", "--chunk-size", "262144", ref]);
    expect(pushed.code, pushed.stderr).toBe(0);

    killAt = -1;
    layerToCut = layerDigest;
    const fresh = await tempDir("wasmbox-reg-fresh-");
    const freshBefore = await snapshotStore(fresh);
    const pull = await cli(fresh, ["pull", ref]);
    expect(pull.code).toBe(1);
    expect(pull.stderr).toMatch(new RegExp(`^Error response from daemon: registry ${proxy.host}: connection (reset|refused)`, "m"));
    const after = await snapshotStore(fresh);
    expect(after.blobs).toEqual(freshBefore.blobs);
    expect(JSON.parse(after.index).manifests).toEqual([]);
    const kept = (await stat(join(fresh, "downloads", `${layerDigest.slice("sha256:".length)}.partial`))).size; // kept to be resumed
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(2_000_000);
    expect((await cli(fresh, ["image", "prune"])).stdout).toMatch(/^Total reclaimed space: [1-9][\d.]*[kM]?B\n$/);
    expect(await readdir(join(fresh, "downloads"))).toEqual([]);
  });

  it("a tampered blob in the registry's storage is refused by its digest; the store is left as it was", async () => {
    const reg = await registry();
    const ref = `${reg.host}/tampered:1`;
    const { home, layerDigest } = await homeWithBigImage(ref, 50_000);
    expect((await cli(home, ["push", ref])).code).toBe(0);
    const path = registryBlobPath(reg, layerDigest);
    const data = await readFile(path);
    data[data.length >> 1]! ^= 0xff;
    await writeFile(path, data);
    const fresh = await tempDir("wasmbox-reg-fresh-");
    await ImageStore.open(fresh);
    const before = await snapshotStore(fresh);
    const pulled = await cli(fresh, ["pull", ref]);
    expect(pulled.code).toBe(1);
    expect(pulled.stderr.split("\n").at(-2)).toBe(`Error response from daemon: registry ${reg.host}: blob ${layerDigest} is corrupt: its content hashes to ${sha256Digest(data)}; refused`);
    expect(await snapshotStore(fresh)).toEqual(before);
  });

  it("a download cut off mid-blob resumes with a Range request and verifies the whole blob", async () => {
    const reg = await registry();
    let cut = false;
    let layerToCut = "";
    const proxy = await startProxy(reg.host, (req) => {
      if (req.method !== "GET" || !layerToCut || !req.url?.endsWith(layerToCut) || cut) return { action: "forward" };
      cut = true;
      return { action: "cut-response-after", bytes: 100_000 };
    });
    running.push(proxy);
    const ref = `${proxy.host}/resume:1`;
    const { home, layerDigest } = await homeWithBigImage(ref, 400_000);
    expect((await cli(home, ["push", ref])).code).toBe(0);
    proxy.requests.length = 0;
    layerToCut = layerDigest;
    const fresh = await tempDir("wasmbox-reg-fresh-");
    const pulled = await cli(fresh, ["pull", ref]);
    expect(pulled.code, pulled.stderr).toBe(0);
    const layerGets = proxy.requests.filter((r) => r.url.endsWith(layerDigest));
    expect(layerGets.length).toBe(2);
    expect(layerGets[1]!.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect((await cli(fresh, ["images", "--verify"])).stdout).toMatch(/no problems/);
  });

  it("blobs behind a redirect and in chunked encoding are read through node:http; plain answers by the reused-buffer reader", async () => {
    const reg = await registry();
    let layerToBend = "";
    const proxy = await startProxy(reg.host, (req) => {
      if (req.method !== "GET" || !layerToBend || !req.url?.includes(layerToBend)) return { action: "forward" };
      return req.url.endsWith("?moved=1") ? { action: "chunked" } : { action: "redirect", location: `${req.url}?moved=1` };
    });
    running.push(proxy);
    const ref = `${proxy.host}/bent:1`;
    const { home, layerDigest } = await homeWithBigImage(ref, 300_000);
    expect((await cli(home, ["push", ref])).code).toBe(0);
    proxy.requests.length = 0;
    layerToBend = layerDigest;
    const fresh = await tempDir("wasmbox-reg-fresh-");
    const pulled = await cli(fresh, ["pull", ref]);
    expect(pulled.code, pulled.stderr).toBe(0);
    // The reused-buffer GET met the redirect and left it to node:http, which asked again, followed it, and read the chunked answer.
    expect(proxy.requests.filter((r) => r.url.includes(layerDigest)).map((r) => r.url.endsWith("?moved=1"))).toEqual([false, false, true]);
    expect((await cli(fresh, ["images", "--verify"])).stdout).toMatch(/no problems/);
    expect(await readFile(join(fresh, "images", "blobs", "sha256", layerDigest.slice("sha256:".length)))).toEqual(await readFile(registryBlobPath(reg, layerDigest)));
  });

  it("a Wasm OCI artifact (one application/wasm layer) behind an image index: the wasip1/wasm entry is pulled and runs; --platform picks another", async () => {
    const reg = await registry();
    const home = await homeWithGreeter(`${reg.host}/art:other`);
    expect((await cli(home, ["push", `${reg.host}/art:other`])).code).toBe(0);
    const put = async (path: string, body: Uint8Array, contentType: string) => {
      const response = await fetch(`http://${reg.host}${path}`, { method: "PUT", body, headers: { "content-type": contentType } });
      expect(response.status, await response.clone().text()).toBe(201);
    };
    const upload = async (data: Uint8Array) => {
      const started = await fetch(`http://${reg.host}/v2/art/blobs/uploads/`, { method: "POST" });
      expect(started.status).toBe(202);
      const location = new URL(started.headers.get("location")!, `http://${reg.host}`);
      location.searchParams.set("digest", sha256Digest(data));
      await put(location.pathname + location.search, data, "application/octet-stream");
      return { digest: sha256Digest(data), size: data.byteLength };
    };
    const module = greeter("hello from a wasm artifact");
    const wasmConfigType = "application/vnd.wasm.config.v0+json";
    const layer = await upload(module);
    const config = await upload(Buffer.from(JSON.stringify({ created: "2025-01-01T00:00:00Z", architecture: "wasm", os: "wasip1", layerDigests: [layer.digest] })));
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: MEDIA_TYPE_MANIFEST, artifactType: wasmConfigType,
      config: { mediaType: wasmConfigType, ...config }, layers: [{ mediaType: "application/wasm", ...layer }],
    }));
    await put("/v2/art/manifests/module", manifest, MEDIA_TYPE_MANIFEST);
    const other = await fetch(`http://${reg.host}/v2/art/manifests/other`, { headers: { accept: MEDIA_TYPE_MANIFEST } });
    const otherBytes = Buffer.from(await other.arrayBuffer());
    const index = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: MEDIA_TYPE_INDEX,
      manifests: [
        { mediaType: MEDIA_TYPE_MANIFEST, digest: sha256Digest(otherBytes), size: otherBytes.byteLength, platform: { architecture: "amd64", os: "linux" } },
        { mediaType: MEDIA_TYPE_MANIFEST, digest: sha256Digest(manifest), size: manifest.byteLength, platform: { architecture: "wasm", os: "wasip1" } },
      ],
    }));
    await put("/v2/art/manifests/multi", index, MEDIA_TYPE_INDEX);

    const fresh = await tempDir("wasmbox-reg-fresh-");
    const pulled = await cli(fresh, ["pull", `${reg.host}/art:multi`]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stderr).toContain(`Digest: ${sha256Digest(index)}`);
    expect((await cli(fresh, ["run", "--rm", `${reg.host}/art:multi`])).stdout).toBe("hello from a wasm artifact\n");
    const inspected = JSON.parse((await cli(fresh, ["inspect", `${reg.host}/art:multi`])).stdout) as { Os: string; Config: { Entrypoint: string[] } }[];
    expect(inspected[0]).toMatchObject({ Os: "wasip1", Config: { Entrypoint: ["/bin/art"] } });
    const linux = await cli(fresh, ["pull", "--platform", "linux/amd64", `${reg.host}/art:multi`]);
    expect(linux.code, linux.stderr).toBe(0);
    expect((await cli(fresh, ["run", "--rm", `${reg.host}/art:multi`])).stdout).toBe("hello from the registry\n");
    const none = await cli(fresh, ["pull", "--platform", "linux/arm64", `${reg.host}/art:multi`]);
    expect(none.stderr).toContain("no matching manifest for linux/arm64 in the image index of");
    expect(none.stderr).toContain("it offers linux/amd64, wasip1/wasm");
  });

  it("a Spin application (locked-app config, a Wasm layer per component, data layers): pulled into one image, its command component runs", async () => {
    const reg = await registry();
    const put = async (path: string, body: Uint8Array, contentType: string) => {
      const response = await fetch(`http://${reg.host}${path}`, { method: "PUT", body, headers: { "content-type": contentType } });
      expect(response.status, await response.clone().text()).toBe(201);
    };
    const upload = async (data: Uint8Array) => {
      const started = await fetch(`http://${reg.host}/v2/spinapp/blobs/uploads/`, { method: "POST" });
      expect(started.status).toBe(202);
      const location = new URL(started.headers.get("location")!, `http://${reg.host}`);
      location.searchParams.set("digest", sha256Digest(data));
      await put(location.pathname + location.search, data, "application/octet-stream");
      return { digest: sha256Digest(data), size: data.byteLength };
    };
    const wasmType = "application/vnd.wasm.content.layer.v1+wasm";
    const dataType = "application/vnd.wasm.content.layer.v1+data";
    const tool = await upload(greeter("hello from a spin command"));
    const web = await upload(greeter("hello from the web component"));
    const page = await upload(Buffer.from("<h1>static</h1>\n"));
    const empty = await upload(Buffer.from([0, 0])); // Spin's placeholder for an empty file
    const lockedApp = {
      spin_lock_version: 1,
      metadata: { name: "demo" },
      triggers: [
        { id: "trigger--tool", trigger_type: "command", trigger_config: { component: "tool" } },
        { id: "trigger--web", trigger_type: "http", trigger_config: { component: "web", route: "/..." } },
      ],
      components: [
        { id: "web", source: { content_type: "application/wasm", content: { digest: web.digest } }, files: [{ content: { digest: page.digest }, path: "static/index.html" }] },
        { id: "tool", source: { content_type: "application/wasm", content: { digest: tool.digest } }, env: { GREETING: "hi" }, files: [{ content: { digest: empty.digest }, path: "data/empty.txt" }] },
      ],
    };
    const config = await upload(Buffer.from(JSON.stringify(lockedApp)));
    const manifestFor = (layers: object[]) => Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: MEDIA_TYPE_MANIFEST,
      config: { mediaType: "application/vnd.fermyon.spin.application.v1+config", ...config }, layers,
    }));
    await put("/v2/spinapp/manifests/v1", manifestFor([
      { mediaType: wasmType, ...web }, { mediaType: dataType, ...page }, { mediaType: wasmType, ...tool },
      { mediaType: dataType, ...empty, annotations: { "com.fermyon.spin.application.layer.isEmpty": "true" } },
    ]), MEDIA_TYPE_MANIFEST);

    const fresh = await tempDir("wasmbox-reg-fresh-");
    const pulled = await cli(fresh, ["pull", `${reg.host}/spinapp:v1`]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect((await cli(fresh, ["run", "--rm", `${reg.host}/spinapp:v1`])).stdout).toBe("hello from a spin command\n");
    expect((await cli(fresh, ["run", "--rm", "--entrypoint", "/bin/web", `${reg.host}/spinapp:v1`])).stdout).toBe("hello from the web component\n");
    const inspected = JSON.parse((await cli(fresh, ["inspect", `${reg.host}/spinapp:v1`])).stdout) as { Config: { Entrypoint: string[]; Env: string[]; Labels: Record<string, string> } }[];
    expect(inspected[0]!.Config).toMatchObject({ Entrypoint: ["/bin/tool"], Env: ["PATH=/bin", "GREETING=hi"], Labels: { "dev.wasmbox.spin.components": "web,tool", "dev.wasmbox.spin.triggers": "command,http" } });
    const { layers } = await (await ImageStore.open(fresh)).openForRun(`${reg.host}/spinapp:v1`);
    const files = new Map(layers.flat().filter((e) => e.type === "file").map((e) => [e.path, Buffer.from(e.data!).toString()]));
    expect(files.get("static/index.html")).toBe("<h1>static</h1>\n");
    expect(files.get("data/empty.txt")).toBe("");
    expect([...files.keys()].sort()).toEqual(["bin/tool", "bin/web", "data/empty.txt", "static/index.html"]);

    // A layer kind wasmbox does not read is refused by name, and nothing is stored.
    const archiveType = "application/vnd.fermyon.spin.archive.layer.v1+tar";
    await put("/v2/spinapp/manifests/archived", manifestFor([{ mediaType: wasmType, ...tool }, { mediaType: archiveType, ...page }]), MEDIA_TYPE_MANIFEST);
    const other = await tempDir("wasmbox-reg-fresh-");
    const refused = await cli(other, ["pull", `${reg.host}/spinapp:archived`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`is a Spin application that wasmbox cannot run: layer ${page.digest} has media type ${archiveType}`);
    expect((await snapshotStore(other)).blobs).toEqual({});
  });

  it("skopeo reads the store as an OCI layout and copies images between the store and the registry, both ways", async () => {
    requireTool("/usr/bin/skopeo", "skopeo");
    const reg = await registry();
    const name = `${reg.host}/sk/greet:1`;
    const home = await homeWithGreeter(name);
    const store = await ImageStore.open(home);
    const image = await store.resolve(name);
    const skopeo = (...args: string[]) => {
      const result = spawnSync("skopeo", ["--insecure-policy", ...args], { encoding: "utf8", env: { ...process.env, HOME: home } });
      expect(result.status, result.stderr).toBe(0);
      return result.stdout;
    };
    const inspected = JSON.parse(skopeo("inspect", `oci:${store.root}:${name}`)) as { Digest: string; Architecture: string; Os: string; Layers: string[] };
    expect(inspected).toMatchObject({ Digest: image.manifestDigest, Architecture: "wasm", Os: "wasip1", Layers: image.manifest.layers.map((l) => l.digest) });
    skopeo("copy", "--dest-tls-verify=false", `oci:${store.root}:${name}`, `docker://${reg.host}/sk/oci:1`);
    skopeo("copy", "--dest-tls-verify=false", "--format", "v2s2", `oci:${store.root}:${name}`, `docker://${reg.host}/sk/docker:1`);
    const fresh = await tempDir("wasmbox-reg-fresh-");
    for (const repo of ["sk/oci:1", "sk/docker:1"]) {
      const pulled = await cli(fresh, ["pull", `${reg.host}/${repo}`]);
      expect(pulled.code, pulled.stderr).toBe(0);
      expect((await cli(fresh, ["run", "--rm", `${reg.host}/${repo}`])).stdout).toBe("hello from the registry\n");
    }
    expect((await cli(home, ["push", name])).code).toBe(0);
    const copyHome = await tempDir("wasmbox-reg-fresh-");
    skopeo("copy", "--src-tls-verify=false", `docker://${name}`, `oci:${join(copyHome, "images")}:copied:1`);
    expect((await cli(copyHome, ["run", "--rm", "copied:1"])).stdout).toBe("hello from the registry\n");
    expect((await cli(copyHome, ["images", "--verify"])).stdout).toMatch(/1 images, \d+ blobs verified, no problems/);
  });
});
