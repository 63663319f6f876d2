// test/images: layer tar conversion (round trip, determinism, gzip, whiteouts), references and word expansion.
import { describe, expect, it } from "vitest";
import type { LayerEntry } from "../../kernel/host.js";
import { decodeLayer, encodeLayer, flattenLayers } from "../../images/layer-tar.js";
import { parseReference, normalizeDockerName } from "../../images/reference.js";
import { expandWord, splitWords } from "../../images/words.js";
import { ImageError } from "../../images/errors.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const longName = "deep/" + "x".repeat(120) + "/file.txt";
const entries: LayerEntry[] = [
  { path: "etc", type: "dir", mode: 0o755, mtimeNs: 1_700_000_000_000_000_000n },
  { path: "etc/passwd", type: "file", mode: 0o644, data: bytes("root:x:0:0::/root:/bin/sh\n"), uid: 0, gid: 0, mtimeNs: 1_700_000_000_000_000_000n },
  { path: "bin/sh", type: "file", mode: 0o755, data: bytes("\0asm"), uid: 1000, gid: 100 },
  { path: "bin/ls", type: "hardlink", mode: 0o755, target: "bin/sh" },
  { path: "usr/bin/sh", type: "symlink", mode: 0o777, target: "../../bin/sh" },
  { path: "tmp/.wh.gone", type: "file", mode: 0o644, data: new Uint8Array() },
  { path: "var/.wh..wh..opq", type: "file", mode: 0o644, data: new Uint8Array() },
  { path: longName, type: "file", mode: 0o600, data: bytes("long") },
];

describe("layer tar", () => {
  it("round-trips every entry type, whiteouts and long names", async () => {
    const decoded = await decodeLayer((await encodeLayer(entries)).blob);
    const byPath = new Map(decoded.map((e) => [e.path, e]));
    expect([...byPath.keys()].sort()).toEqual(entries.map((e) => e.path).sort());
    expect(byPath.get("bin/sh")).toMatchObject({ type: "file", mode: 0o755, uid: 1000, gid: 100 });
    expect(Buffer.from(byPath.get("bin/sh")!.data!).toString()).toBe("\0asm");
    expect(byPath.get("bin/ls")).toMatchObject({ type: "hardlink", target: "bin/sh" });
    expect(byPath.get("usr/bin/sh")).toMatchObject({ type: "symlink", target: "../../bin/sh" });
    expect(byPath.get("etc/passwd")!.mtimeNs).toBe(1_700_000_000_000_000_000n);
    expect(byPath.get("tmp/.wh.gone")!.type).toBe("file");
    expect(Buffer.from(byPath.get(longName)!.data!).toString()).toBe("long");
  });

  it("gives the same digest for the same content in any order, and sorts entries", async () => {
    const a = await encodeLayer(entries);
    const b = await encodeLayer([...entries].reverse());
    expect(a.digest).toBe(b.digest);
    const paths = (await decodeLayer(a.blob)).map((e) => e.path);
    expect(paths).toEqual([...paths].sort());
  });

  it("gzips when asked: digest of the blob differs, diff_id is the tar's", async () => {
    const plain = await encodeLayer(entries);
    const gzipped = await encodeLayer(entries, { gzip: true });
    expect(gzipped.mediaType).toBe("application/vnd.oci.image.layer.v1.tar+gzip");
    expect(gzipped.diffId).toBe(plain.diffId);
    expect(gzipped.digest).not.toBe(plain.digest);
    expect((await decodeLayer(gzipped.blob)).length).toBe(entries.length);
  });

  it("rejects paths that leave the layer and corrupt tars", async () => {
    await expect(encodeLayer([{ path: "../x", type: "dir", mode: 0o755 }])).rejects.toThrow(/escapes the layer root/);
    const blob = (await encodeLayer(entries)).blob;
    await expect(decodeLayer(blob.subarray(0, 700))).rejects.toThrow(ImageError);
  });

  it("flattens a stack applying whiteouts and opaque directories", () => {
    const f = (path: string): LayerEntry => ({ path, type: "file", mode: 0o644, data: new Uint8Array() });
    const d = (path: string): LayerEntry => ({ path, type: "dir", mode: 0o755 });
    const view = flattenLayers([
      [d("a"), f("a/1"), f("a/2"), d("b"), f("b/1"), f("c")],
      [f("a/.wh.1"), f("b/.wh..wh..opq"), f("b/new"), f("d")],
    ]);
    expect([...view.keys()].sort()).toEqual(["a", "a/2", "b", "b/new", "c", "d"]);
  });
});

describe("references and words", () => {
  it("parses NAME[:TAG] with docker's rules", () => {
    expect(parseReference("base")).toEqual({ name: "base", tag: "latest" });
    expect(parseReference("localhost:5000/team/app:v1.2")).toEqual({ name: "localhost:5000/team/app", tag: "v1.2" });
    expect(() => parseReference("Bad")).toThrow(/invalid reference format/);
    expect(() => parseReference("x:")).toThrow(/invalid reference format/);
    expect(normalizeDockerName("docker.io/library/alpine:3")).toBe("alpine:3");
  });

  it("expands variables, quotes and escapes as docker does", () => {
    const vars: Record<string, string> = { A: "1", EMPTY: "" };
    const lookup = (name: string) => vars[name];
    expect(expandWord("$A-${A}-${B:-dflt}-${A:+set}-${EMPTY:-e}", lookup)).toBe("1-1-dflt-set-e");
    expect(expandWord("'$A' \"$A\" \\$A", lookup)).toBe("$A 1 $A");
    expect(() => expandWord("${B:?must be set}", lookup)).toThrow("B: must be set");
    expect(splitWords('a "b c" d\\ e')).toEqual(["a", '"b c"', "d\\ e"]);
    expect(() => splitWords('a "b')).toThrow(/unterminated double quote/);
  });
});

describe("docker-style formats", () => {
  it("prints sizes and ages as docker does", async () => {
    const { humanAge, humanSize } = await import("../../images/format.js");
    expect([humanSize(512), humanSize(4096), humanSize(94_700), humanSize(12_345_678)]).toEqual(["512B", "4.1kB", "94.7kB", "12.3MB"]);
    const now = Date.parse("2026-01-10T12:00:00Z");
    const ago = (ms: number) => humanAge(new Date(now - ms).toISOString(), now);
    expect([ago(300), ago(1000), ago(30_000), ago(100_000), ago(600_000), ago(3_600_000), ago(5 * 3_600_000), ago(3 * 86_400_000)]).toEqual([
      "Less than a second ago", "1 second ago", "30 seconds ago", "About a minute ago", "10 minutes ago", "About an hour ago", "5 hours ago", "3 days ago",
    ]);
  });
});
