// test/containers: the overlay filesystem on its own: merged lookups and listings, whiteouts,
// copy-up, renames, storage limit, read-only, and diff() (entries and docker-diff lines), of any depth.
import { describe, expect, it } from "vitest";
import {
  Errno, SysError, FsApi, type LayerEntry, MemFs, MountNamespace, LayerTrees, OverlayFs, Filetype,
} from "../../kernel/host.js";

const text = (s: string) => new TextEncoder().encode(s);
const file = (path: string, data: string, mode = 0o644): LayerEntry => ({ path, type: "file", mode, data: text(data) });
const dir = (path: string): LayerEntry => ({ path, type: "dir", mode: 0o755 });

const base: LayerEntry[] = [dir("etc"), file("etc/a", "A0"), file("etc/b", "B0"), dir("data"), file("data/x", "X"), dir("data/sub"), file("data/sub/y", "Y"), { path: "link", type: "symlink", mode: 0o777, target: "etc/a" }];
const second: LayerEntry[] = [file("etc/a", "A1"), file("etc/.wh.b", ""), dir("opaque"), file("opaque/.wh..wh..opq", ""), file("opaque/new", "N")];

function setup(options: { byteLimit?: number; readOnly?: boolean; onNoSpace?: () => void } = {}, trees = new LayerTrees(counter())) {
  const upper = new MemFs(99n, { byteLimit: options.byteLimit });
  const overlay = new OverlayFs(100n, { lowers: [trees.tree(base), trees.tree(second)], upper, readOnly: options.readOnly, onNoSpace: options.onNoSpace });
  const fs = new FsApi(new MountNamespace(overlay.root));
  return { overlay, fs, trees };
}

function counter(): () => bigint {
  let n = 1n;
  return () => n++;
}

function errnoOf(fn: () => unknown): Errno | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof SysError) return e.errno;
    throw e;
  }
  return undefined;
}

describe("overlay", () => {
  it("merges layers top-down and honours whiteouts", () => {
    const { fs } = setup();
    expect(fs.readText("/etc/a")).toBe("A1");
    expect(fs.exists("/etc/b")).toBe(false);
    expect(fs.readdir("/etc")).toEqual(["a"]);
    expect(fs.readdir("/")).toEqual(["data", "etc", "link", "opaque"]);
    expect(fs.readText("/link")).toBe("A1");
    expect(fs.readdir("/data/sub")).toEqual(["y"]);
    expect(fs.exists("/etc/.wh.b")).toBe(false);
  });

  it("builds each layer tree once and shares it", () => {
    const trees = new LayerTrees(counter());
    const one = setup({}, trees);
    const two = setup({}, trees);
    expect(one.overlay.lowers[0]).toBe(two.overlay.lowers[0]);
    one.fs.writeFile("/etc/a", "mine");
    expect(two.fs.readText("/etc/a")).toBe("A1");
    expect(trees.tree(second).root.lookup("etc")!.size()).toBe(4096);
    expect(trees.tree(second).root.lookup("etc")!.lookup("a")!.size()).toBe(2);
  });

  it("copies up on write, once per path, and keeps the inode number", () => {
    const { fs, overlay } = setup();
    const before = fs.stat("/data/x").ino;
    const n1 = fs.lookup("/data/x");
    const n2 = fs.lookup("/data/x");
    expect(n1).toBe(n2);
    n1.write(text("Z"), 1);
    expect(Buffer.from(fs.readFile("/data/x")).toString()).toBe("XZ");
    expect(fs.stat("/data/x").ino).toBe(before);
    expect(overlay.upper.root.lookup("data")!.lookup("x")).toBeDefined();
    expect(overlay.diff().lines).toEqual([{ kind: "C", path: "/data" }, { kind: "C", path: "/data/x" }]);
  });

  it("chmod and utimes copy up", () => {
    const { fs, overlay } = setup();
    fs.lookup("/etc/a").chmod(0o600);
    fs.lookup("/data/sub/y").setTimes(1n, 2n);
    expect(fs.stat("/etc/a").mode).toBe(0o600);
    expect(fs.stat("/data/sub/y").mtim).toBe(2n);
    expect(overlay.diff().lines.map((l) => l.kind + " " + l.path)).toEqual(["C /data", "C /data/sub", "C /data/sub/y", "C /etc", "C /etc/a"]);
  });

  it("deletes lower entries with whiteouts and lists the rest", () => {
    const { fs, overlay } = setup();
    fs.remove("/data/x");
    fs.removeTree("/data/sub");
    expect(fs.readdir("/data")).toEqual([]);
    const { entries, lines } = overlay.diff();
    expect(lines.map((l) => l.kind + " " + l.path)).toEqual(["C /data", "D /data/sub", "D /data/x"]);
    expect(entries.map((e) => e.path).sort()).toEqual(["data", "data/.wh.sub", "data/.wh.x"]);
    fs.mkdir("/data/sub");
    expect(fs.readdir("/data/sub")).toEqual([]);
    expect(overlay.diff().entries.map((e) => e.path)).toContain("data/sub/.wh..wh..opq");
  });

  it("refuses rmdir of a non-empty merged directory and unlink of a directory", () => {
    const { fs } = setup();
    expect(errnoOf(() => fs.lookup("/data").rmdir("sub"))).toBe(Errno.NOTEMPTY);
    expect(errnoOf(() => fs.lookup("/data").unlink("sub"))).toBe(Errno.ISDIR);
    expect(errnoOf(() => fs.lookup("/data").rmdir("x"))).toBe(Errno.NOTDIR);
    expect(errnoOf(() => fs.lookup("/").create(".wh.etc", 4, 0o644))).toBe(Errno.INVAL);
  });

  it("recreating a deleted file clears its whiteout", () => {
    const { fs, overlay } = setup();
    fs.remove("/etc/a");
    fs.writeFile("/etc/a", "again");
    expect(fs.readText("/etc/a")).toBe("again");
    expect(overlay.diff().entries.map((e) => e.path)).toEqual(["etc", "etc/a"]);
  });

  it("renames files and whole lower directories", () => {
    const { fs, overlay } = setup();
    fs.lookup("/etc").rename("a", fs.lookup("/data"), "a2");
    expect(fs.exists("/etc/a")).toBe(false);
    expect(fs.readText("/data/a2")).toBe("A1");
    fs.lookup("/").rename("data", fs.lookup("/"), "moved");
    expect(fs.readdir("/moved").sort()).toEqual(["a2", "sub", "x"]);
    expect(fs.readText("/moved/sub/y")).toBe("Y");
    expect(fs.exists("/data")).toBe(false);
    const lines = overlay.diff().lines.map((l) => l.kind + " " + l.path);
    expect(lines).toContain("D /data");
    expect(lines).toContain("A /moved");
    expect(lines).toContain("D /etc/a");
  });

  it("hard links copy up their target and share it", () => {
    const { fs } = setup();
    fs.lookup("/").link("hard", fs.lookup("/data/x"));
    fs.lookup("/hard").write(text("H"), 0);
    expect(fs.readText("/data/x")).toBe("H");
    expect(fs.stat("/hard").ino).toBe(fs.stat("/data/x").ino);
  });

  it("charges the upper for copy-ups and writes (ENOSPC at the storage limit)", () => {
    let hits = 0;
    const { fs } = setup({ byteLimit: 10, onNoSpace: () => hits++ });
    fs.writeFile("/small", "12345");
    expect(errnoOf(() => fs.writeFile("/big", "1234567890"))).toBe(Errno.NOSPC);
    expect(hits).toBe(1);
    expect(fs.readText("/etc/a")).toBe("A1");
  });

  it("refuses every change when read-only", () => {
    const { fs } = setup({ readOnly: true });
    expect(errnoOf(() => fs.writeFile("/new", "x"))).toBe(Errno.ROFS);
    expect(errnoOf(() => fs.lookup("/etc/a").write(text("x"), 0))).toBe(Errno.ROFS);
    expect(errnoOf(() => fs.remove("/etc/a"))).toBe(Errno.ROFS);
    expect(fs.readText("/etc/a")).toBe("A1");
  });

  it("an opaque lower directory hides what is below it", () => {
    const trees = new LayerTrees(counter());
    const low: LayerEntry[] = [dir("opaque"), file("opaque/old", "O")];
    const overlay = new OverlayFs(5n, { lowers: [trees.tree(low), trees.tree(second)] });
    const fs = new FsApi(new MountNamespace(overlay.root));
    expect(fs.readdir("/opaque")).toEqual(["new"]);
    expect(fs.exists("/opaque/old")).toBe(false);
  });

  it("a saved upper reloads with its whiteouts and gives the same diff", async () => {
    const { loadEntries } = await import("../../kernel/host.js");
    const { fs, overlay, trees } = setup();
    fs.remove("/etc/a");
    fs.writeFile("/data/new", "n");
    const saved = overlay.diff();
    const upper = new MemFs(7n);
    loadEntries(upper, saved.entries);
    const again = new OverlayFs(8n, { lowers: [trees.tree(base), trees.tree(second)], upper });
    expect(again.diff().lines).toEqual(saved.lines);
    expect(new FsApi(new MountNamespace(again.root)).exists("/etc/a")).toBe(false);
  });

  it("walks an upper of 8,000 nested directories without recursion (diff and the entries a save writes)", () => {
    const { overlay, fs } = setup();
    let at = fs.mkdirp("/deep");
    for (let i = 0; i < 8000; i++) at = at.create("d", Filetype.DIRECTORY, 0o755);
    const entries = overlay.upperEntries();
    expect(entries).toHaveLength(8001);
    expect(entries.at(-1)!.path).toBe("deep" + "/d".repeat(8000));
    const { lines } = overlay.diff();
    expect(lines).toHaveLength(8001);
    expect(lines[0]).toEqual({ kind: "A", path: "/deep" });
  });
});
