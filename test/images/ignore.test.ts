// test/images: .containerignore / .dockerignore patterns as docker (moby's patternmatcher, over Go's
// filepath.Match) reads them: `*` within a name, `**` across directories, parents, `!` exceptions, last match wins.
import { describe, expect, it } from "vitest";
import { IgnoreMatcher } from "../../images/context.js";

function excluded(rules: string, paths: string[]): string[] {
  const matcher = new IgnoreMatcher(rules.split("\n"));
  return paths.filter((path) => matcher.isExcluded(path));
}

describe(".containerignore patterns", () => {
  it("matches names with * and ?, never across a /", () => {
    expect(excluded("*.log\nfile?.txt", ["a.log", "dir/a.log", "file1.txt", "file10.txt", "logs.log/inner"])).toEqual(["a.log", "file1.txt", "logs.log/inner"]);
  });

  it("matches any depth with **, and everything below a directory/**, not the directory", () => {
    expect(excluded("**/*.tmp\nbuild/**\na/**/z", ["x.tmp", "d/e/x.tmp", "build", "build/out/bin", "a/z", "a/b/c/z", "az"])).toEqual(["x.tmp", "d/e/x.tmp", "build/out/bin", "a/z", "a/b/c/z"]);
  });

  it("excludes what an excluded directory holds, lets ! bring files back, and the last matching rule wins", () => {
    const rules = "# comment\n/docs\n!docs/keep.md\nsecret*\n!secret-ok\nsecret-ok\n";
    expect(excluded(rules, ["docs", "docs/drop.md", "docs/keep.md", "secret.key", "secret-ok", "other"])).toEqual(["docs", "docs/drop.md", "secret.key", "secret-ok"]);
  });

  it("reads character classes as Go does: [^...] negates, [a-c] ranges, \\ escapes", () => {
    expect(excluded("[^a]x\n[a-c]y\n\\*z", ["ax", "bx", "by", "dy", "*z", "qz"])).toEqual(["bx", "by", "*z"]);
  });
});
