// The core utilities inside the kernel, each run through sh -c and checked against the output
// and status GNU coreutils/BusyBox give for the same command line.
import { beforeAll, describe, expect, it } from "vitest";
import type { LayerEntry } from "../../kernel/host.js";
import { bootKernel, loadRootfs, sh } from "./helpers.js";

let rootfs: LayerEntry[];
beforeAll(async () => { rootfs = await loadRootfs(); }, 120_000);

const SETUP = "printf 'b 2\\na 10\\nc 1\\na 10\\n' > d.txt; ";

const cases: Array<[string, string, string, number]> = [
  ["ls -1 -a", "mkdir x && touch x/b x/a x/.h && ls -a x", ".\n..\n.h\na\nb\n", 0],
  ["ls -R", "mkdir -p r/s && touch r/f r/s/g && ls -R r", "r:\nf\ns\n\nr/s:\ng\n", 0],
  ["ls -l", "echo abc > f && ls -l f | tr -s ' ' | cut -d' ' -f1,2,5,9", "-rw-r--r-- 1 4 f\n", 0],
  ["mkdir -p, rmdir", "mkdir -p a/b/c && rmdir a/b/c && ls a", "b\n", 0],
  ["rm -r -f", "mkdir -p t/u && touch t/u/f && rm -r t && rm -f nothing && ls", "", 0],
  ["rm missing", "rm nothing", "", 1],
  ["cp -r, mv", "mkdir s && echo hi > s/f && cp -r s d && mv d/f d/g && cat d/g && ls s", "hi\nf\n", 0],
  ["ln -s, readlink", "echo x > t && ln -s t l && readlink l && cat l", "t\nx\n", 0],
  ["stat -c", "echo 1234 > f && stat -c '%n %s %F' f", "f 5 regular file\n", 0],
  ["wc", SETUP + "wc d.txt; wc -l < d.txt", " 4  8 18 d.txt\n4\n", 0],
  ["head, tail", "seq 10 | head -n 3; seq 10 | tail -n 2; seq 5 | tail -n +4", "1\n2\n3\n9\n10\n4\n5\n", 0],
  ["grep -i -v -n -c", SETUP + "grep -n a d.txt; grep -i -c A d.txt; grep -v a d.txt", "2:a 10\n4:a 10\n2\nb 2\nc 1\n", 0],
  ["grep -E -r", "mkdir g && echo 'foo1' > g/a && echo bar > g/b && grep -rE 'o+[0-9]' g", "g/a:foo1\n", 0],
  ["grep no match", "echo x | grep y", "", 1],
  ["sed", "seq 5 | sed -n '2,3p'; echo hello | sed 's/l/L/g'; seq 3 | sed '2d'; echo abc | sed -e 's/\\(b\\)/[\\1]/'", "2\n3\nheLLo\n1\n3\na[b]c\n", 0],
  ["sed -i", "echo one > f && sed -i 's/one/two/' f && cat f", "two\n", 0],
  ["sort -k -u, uniq -c", SETUP + "sort -k2 -n d.txt | uniq -c", "      1 c 1\n      1 b 2\n      2 a 10\n", 0],
  ["sort -u -r", "echo 'b\na\nb' | sort -u -r", "b\na\n", 0],
  ["cut, tr", "echo a:b:c | cut -d: -f2; echo hello | tr a-y b-z; echo aabbcc | tr -d b", "b\nifmmp\naacc\n", 0],
  ["tee", "echo t | tee f1 > /dev/null; cat f1", "t\n", 0],
  ["seq, yes", "seq 2 2 6; yes x | head -2", "2\n4\n6\nx\nx\n", 0],
  ["find -name -type", "mkdir -p f/d && touch f/a.c f/d/b.c f/x && find f -name '*.c' -type f", "f/a.c\nf/d/b.c\n", 0],
  ["xargs", "echo 'a b c' | xargs -n 2 echo", "a b\nc\n", 0],
  ["env, printenv", "env -i A=1 printenv A; FOO=bar printenv FOO", "1\nbar\n", 0],
  ["true, false", "true; echo $?; false; echo $?", "0\n1\n", 0],
  ["basename, dirname", "basename /a/b.txt .txt; dirname /a/b/c; dirname x", "b\n/a/b\n.\n", 0],
  ["which", "which ls sh", "/bin/ls\n/bin/sh\n", 0],
  ["hostname, uname", "hostname >/dev/null && uname", "wasmbox\n", 0],
  ["date", "date -d @0", "Thu Jan  1 00:00:00 UTC 1970\n", 0],
  ["du -s, df, free", "mkdir q && du -s q | cut -f2 && df / | head -1 | cut -c1-10 && free | head -1 | tr -s ' ' | cut -d' ' -f2", "q\nFilesystem\ntotal\n", 0],
  ["ps, kill", "sleep 5 & ps | grep -c ' sleep 5$'; kill $!; wait $!; echo $?", "1\n143\n", 0],
];

describe("utilities", () => {
  for (const [name, script, stdout, code] of cases) {
    it(name, async () => {
      const r = await sh(bootKernel(rootfs), script);
      expect({ stdout: r.stdout, code: r.exitCode }).toEqual({ stdout, code });
    });
  }
});
