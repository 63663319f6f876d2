// test/images: references in docker's grammar (registry host and port, repository, tag, digest, docker.io's
// library/ prefix), the names pulled images are stored under, platform selection in an index, auth challenges.
import { describe, expect, it } from "vitest";
import { localNameOf, normalizeReference, parseReference, parseRemoteReference } from "../../images/reference.js";
import { isLoopbackRegistry, parseChallenge, RegistryHttp } from "../../images/registry/http.js";
import { selectPlatform } from "../../images/registry/pull.js";
import { bar, LayerProgress } from "../../images/registry/progress.js";
import { MEDIA_TYPE_INDEX, MEDIA_TYPE_MANIFEST } from "../../images/oci.js";

const DIGEST = "sha256:" + "ab".repeat(32);

describe("remote references", () => {
  it("splits registry, repository, tag and digest as docker does", () => {
    expect(parseRemoteReference("alpine")).toEqual({ registry: "docker.io", repository: "library/alpine", tag: "latest", explicitRegistry: false });
    expect(parseRemoteReference("docker.io/library/alpine:3.20")).toMatchObject({ registry: "docker.io", repository: "library/alpine", tag: "3.20", explicitRegistry: true });
    expect(parseRemoteReference("index.docker.io/team/app")).toMatchObject({ registry: "docker.io", repository: "team/app" });
    expect(parseRemoteReference("localhost:5000/team/app:v1")).toMatchObject({ registry: "localhost:5000", repository: "team/app", tag: "v1" });
    expect(parseRemoteReference("localhost/app")).toMatchObject({ registry: "localhost", repository: "app" });
    expect(parseRemoteReference("ghcr.io/o/r@" + DIGEST)).toEqual({ registry: "ghcr.io", repository: "o/r", digest: DIGEST, explicitRegistry: true });
    expect(parseRemoteReference("ghcr.io/o/r:1@" + DIGEST)).toMatchObject({ tag: "1", digest: DIGEST });
    expect(parseRemoteReference("[::1]:5000/app")).toMatchObject({ registry: "[::1]:5000", repository: "app" });
    expect(parseRemoteReference("team/app")).toMatchObject({ registry: "docker.io", repository: "team/app" });
    expect(parseRemoteReference("app", "registry.example:8443")).toMatchObject({ registry: "registry.example:8443", repository: "app", explicitRegistry: false });
  });

  it("refuses malformed references with the reason", () => {
    expect(() => parseRemoteReference("Alpine")).toThrow(/invalid reference format: "Alpine" \(repository names/);
    expect(() => parseRemoteReference("app@sha256:abc")).toThrow(/bad digest "sha256:abc"/);
    expect(() => parseRemoteReference("app:")).toThrow(/bad tag ""/);
    expect(() => parseRemoteReference("bad_host:x/app")).toThrow(/invalid reference format/);
  });

  it("stores pulled images under the name the user typed, docker.io's spelled short", () => {
    expect(localNameOf(parseRemoteReference("docker.io/library/alpine:3"))).toBe("alpine:3");
    expect(localNameOf(parseRemoteReference("alpine"))).toBe("alpine:latest");
    expect(localNameOf(parseRemoteReference("docker.io/team/app"))).toBe("team/app:latest");
    expect(localNameOf(parseRemoteReference("localhost:5000/app:1"))).toBe("localhost:5000/app:1");
    expect(localNameOf(parseRemoteReference("app", "reg.example"))).toBe("app:latest");
    expect(localNameOf(parseRemoteReference("reg.example/app@" + DIGEST))).toBe(`reg.example/app@${DIGEST}`);
  });

  it("local names: docker.io/library/ resolves to the short name; the shipped names stay as they are", () => {
    expect(normalizeReference("docker.io/library/alpine")).toBe("alpine:latest");
    expect(normalizeReference("base")).toBe("base:latest");
    expect(normalizeReference("hello:latest")).toBe("hello:latest");
    expect(parseReference("app@" + DIGEST)).toEqual({ name: "app", tag: "", digest: DIGEST });
  });
});

describe("registry protocol pieces", () => {
  it("parses WWW-Authenticate challenges", () => {
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"')).toEqual({
      scheme: "bearer", params: { realm: "https://auth.example/token", service: "registry.example", scope: "repository:a/b:pull,push" },
    });
    expect(parseChallenge('Basic realm="wasmbox-test"')).toEqual({ scheme: "basic", params: { realm: "wasmbox-test" } });
  });

  it("allows plain HTTP only to loopback registries by default; elsewhere https (docker.io's API host is registry-1)", async () => {
    expect(["localhost:5000", "127.0.0.1:21000", "127.1.2.3", "[::1]:5000", "app.localhost"].every(isLoopbackRegistry)).toBe(true);
    expect(["ghcr.io", "10.0.0.1:5000", "localhost.example.com", "128.0.0.1"].some(isLoopbackRegistry)).toBe(false);
    const remote = new RegistryHttp("registry.example:5000");
    await expect(remote.baseUrl()).resolves.toEqual(new URL("https://registry.example:5000"));
    remote.close();
    const hub = new RegistryHttp("docker.io");
    expect(hub.apiHost).toBe("registry-1.docker.io");
    hub.close();
  });

  it("picks wasip1/wasm, then docker's wasi/wasm, then wasip2 from an index; names what it offers when nothing fits", () => {
    const entry = (os: string, architecture: string, n: number) => ({ mediaType: MEDIA_TYPE_MANIFEST, digest: "sha256:" + String(n).repeat(64), size: 1, platform: { os, architecture } });
    const index = { schemaVersion: 2 as const, mediaType: MEDIA_TYPE_INDEX, manifests: [entry("linux", "amd64", 1), entry("wasip2", "wasm", 2), entry("wasi", "wasm", 3)] };
    expect(selectPlatform(index, undefined, "x").digest).toBe("sha256:" + "3".repeat(64));
    expect(selectPlatform({ ...index, manifests: [...index.manifests, entry("wasip1", "wasm", 4)] }, undefined, "x").digest).toBe("sha256:" + "4".repeat(64));
    expect(selectPlatform({ ...index, manifests: index.manifests.slice(0, 2) }, undefined, "x").digest).toBe("sha256:" + "2".repeat(64));
    expect(selectPlatform(index, "linux/amd64", "x").digest).toBe("sha256:" + "1".repeat(64));
    expect(() => selectPlatform({ ...index, manifests: index.manifests.slice(0, 1) }, undefined, "reg/app:1")).toThrow(
      "no matching manifest for wasip1/wasm, wasi/wasm or wasip2/wasm in the image index of reg/app:1; it offers linux/amd64",
    );
  });

  it("draws docker's progress bar", () => {
    expect(bar(0, 100)).toBe(`[${" ".repeat(50)}]  0B/100B`);
    expect(bar(50, 100)).toBe(`[${"=".repeat(24)}>${" ".repeat(25)}]  50B/100B`);
    expect(bar(100, 100)).toBe(`[${"=".repeat(50)}]  100B/100B`);
  });

  it("shows per-layer progress: redrawn lines with bars on a terminal, one plain line per status change elsewhere", () => {
    let plain = "";
    const lines = new LayerProgress((t) => (plain += t), false);
    lines.status("aaaaaaaaaaaa", "Pulling fs layer");
    for (let done = 0; done <= 1000; done += 250) lines.bytes("aaaaaaaaaaaa", "Downloading", done, 1000);
    lines.status("aaaaaaaaaaaa", "Pull complete");
    expect(plain).toBe("aaaaaaaaaaaa: Pulling fs layer\naaaaaaaaaaaa: Downloading\naaaaaaaaaaaa: Pull complete\n");

    let screen = "";
    const tty = new LayerProgress((t) => (screen += t), true);
    tty.status("aaaaaaaaaaaa", "Pulling fs layer");
    tty.status("bbbbbbbbbbbb", "Already exists");
    tty.bytes("aaaaaaaaaaaa", "Downloading", 1000, 1000);
    expect(screen).toBe(
      "\x1b[2Kaaaaaaaaaaaa: Pulling fs layer\n" +
      "\x1b[1A\x1b[2Kaaaaaaaaaaaa: Pulling fs layer\n\x1b[2Kbbbbbbbbbbbb: Already exists\n" +
      `\x1b[2A\x1b[2Kaaaaaaaaaaaa: Downloading ${bar(1000, 1000)}\n\x1b[2Kbbbbbbbbbbbb: Already exists\n`,
    );
  });
});
