// gzip, tar, checksums and base64 in the kernel, checked against the host's gzip, tar,
// sha256sum/sha1sum/md5sum and base64: the same input through both, and archives crossing over.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kernel } from "../../kernel/index.js";
import { bootKernel, loadRootfs, sh } from "./helpers.js";

let kernel: Kernel;
let hostDir: string;
beforeAll(async () => {
  kernel = bootKernel(await loadRootfs());
  hostDir = mkdtempSync(join(tmpdir(), "wasmbox-archive-"));
}, 120_000);
afterAll(() => rmSync(hostDir, { recursive: true, force: true }));

/** Text with repeats and variety, so deflate uses matches, literals and several blocks. */
function sampleText(lines: number): string {
  const words = ["alpha", "beta", "gamma", "delta", "wasm", "kernel", "pipe", "τ", "\t", "x"];
  let out = "";
  for (let i = 0; i < lines; i++) out += `${i} ${words[i % words.length]} ${words[(i * 7) % words.length]} ${(i * 2654435761) % 1000003}\n`;
  return out;
}

function host(cmd: string, args: string[], input?: string | Uint8Array, cwd?: string): Buffer {
  return execFileSync(cmd, args, { input, cwd, maxBuffer: 64 << 20 });
}

async function run(script: string, stdin = "") {
  const r = await sh(kernel, script, { stdin });
  return { ...r, text: r.stdout };
}

describe("checksums and base64", () => {
  const input = sampleText(3000);
  for (const tool of ["sha256sum", "sha1sum", "md5sum"]) {
    it(`${tool} matches the host`, async () => {
      const r = await run(`${tool}`, input);
      expect(r.stdout).toBe(host(tool, [], input).toString());
    });
  }
  it("sha256sum -c passes and fails like the host", async () => {
    const r = await run("mkdir -p c && cd c && printf one > a && printf two > b && sha256sum a b > sums && sha256sum -c sums; printf 2 > b; sha256sum -c sums; echo status $?");
    expect(r.stdout).toBe("a: OK\nb: OK\na: OK\nb: FAILED\nstatus 1\n");
    expect(r.stderr).toContain("WARNING: 1 computed checksum did NOT match");
  });
  it("base64 encodes and decodes like the host, with -w", async () => {
    expect((await run("base64", input)).stdout).toBe(host("base64", [], input).toString());
    expect((await run("base64 -w 0", "hello")).stdout).toBe(host("base64", ["-w", "0"], "hello").toString());
    const encoded = host("base64", [], input).toString();
    expect((await run("base64 -d", encoded)).stdout).toBe(input);
    expect((await run("echo '!!!' | base64 -d")).exitCode).toBe(1);
  });
  it("--tag, -c on BSD-style lines, --ignore-missing, --quiet, --status, --strict and an empty list, as the host's", async () => {
    const script = "printf one > a; printf two > b; sha256sum --tag a b > tagged; cat tagged; md5sum --tag a; sha256sum -c tagged; "
      + "sha256sum a b > sums; rm b; sha256sum -c sums 2>&1; echo $?; sha256sum -c --ignore-missing sums; echo $?; sha256sum -c --ignore-missing --quiet sums; echo $?; "
      + "echo junk >> sums; sha256sum -c --quiet sums 2>&1; echo $?; printf one > b; sha256sum -c --status sums; echo $?; sha256sum -c --strict sums 2>&1; echo $?; "
      + "sha256sum -c < /dev/null 2>&1; echo $?; echo garbage > g; sha256sum -c g 2>&1; echo $?; sha256sum --quiet a 2>&1; echo $?";
    const dir = mkdtempSync(join(hostDir, "sum-"));
    const want = execFileSync("sh", ["-c", script], { cwd: dir, env: { PATH: process.env.PATH, LC_ALL: "C" } }).toString();
    expect((await run(`mkdir sumt && cd sumt && ${script}`)).stdout).toBe(want);
  });
  it("base64 -d: a last group short of its padding is invalid input (status 1), after what decoded", async () => {
    const script = "echo aGVsbG8= | base64 -d; echo $?; echo aGVsbG8 | base64 -d 2>&1; echo $?; echo 'aGVs bG8=' | base64 -di; echo $?";
    const dir = mkdtempSync(join(hostDir, "b64-"));
    const want = execFileSync("sh", ["-c", script], { cwd: dir, env: { PATH: process.env.PATH, LC_ALL: "C" } }).toString();
    expect((await run(script)).stdout).toBe(want);
  });
  it("cksum matches the host", async () => {
    expect((await run("cksum", input)).stdout).toBe(host("cksum", [], input).toString());
  });
});

describe("gzip", () => {
  const input = sampleText(20000);
  it("wasmbox gzip output is read by the host's gunzip, at levels 1, 6 and 9", async () => {
    kernel.fs.writeFile("/tmp/g.txt", input);
    for (const level of [1, 6, 9]) {
      const r = await run(`gzip -${level} -c g.txt > g${level}.gz`);
      expect(r.exitCode).toBe(0);
      const gz = kernel.fs.readFile(`/tmp/g${level}.gz`);
      expect(host("gzip", ["-dc"], gz).toString()).toBe(input);
      // Real compression: within 15% of the host's size at the same level.
      expect(gz.length).toBeLessThan(host("gzip", [`-${level}`, "-c"], input).length * 1.15);
    }
  });
  it("host gzip output is read by wasmbox gunzip and zcat (multi-member too)", async () => {
    const a = host("gzip", ["-9", "-c"], input);
    const b = host("gzip", ["-1", "-c"], "tail\n");
    kernel.fs.writeFile("/tmp/h.txt.gz", Buffer.concat([a, b]));
    const r = await run("gunzip h.txt.gz && ls h.txt* && md5sum < h.txt && zcat < /dev/null; echo $?");
    const expected = host("md5sum", [], input + "tail\n").toString();
    expect(r.stdout).toBe(`h.txt\n${expected}1\n`);
  });
  it("gzip FILE replaces it with FILE.gz, -k keeps it, -t tests, bad data fails", async () => {
    const r = await run("mkdir z && cd z && echo data > f && gzip f && ls && gzip -t f.gz && echo ok && gzip -dk f.gz; ls; echo junk > bad.gz; gunzip bad.gz; echo $?");
    expect(r.stdout).toBe("f.gz\nok\nf\nf.gz\n1\n");
    expect(r.stderr).toContain("bad.gz: not in gzip format");
  });
  it("short inputs take the fixed codes: the host reads them, no bigger than the host's", async () => {
    for (const text of ["a\n", "hello hello hello hello\n", sampleText(3)]) {
      const r = await run("gzip -n -c", text);
      const gz = r.stdoutBytes;
      expect(host("gzip", ["-dc"], gz).toString()).toBe(text);
      expect(gz.length).toBeLessThanOrEqual(host("gzip", ["-n", "-c"], text).length);
    }
  });
  it("-l, -v, -r, -S and gunzip NAME finding NAME.gz, as the host's gzip prints them", async () => {
    const script = "seq 100 > a; seq 3 > b; gzip -v a b 2>&1; gzip -l a.gz b.gz; gzip -tv b.gz; gzip -dv a 2>&1; gunzip -c b | head -1; "
      + "mkdir -p d/s; seq 10 > d/x; seq 5 > d/s/y; gzip -r d; find d | sort; gzip -dr d; find d | sort; gzip -S .zz a; ls a*; gzip -d -S .zz a.zz; ls a*; "
      + "gzip -l nosuch 2>&1; echo $?; gzip -l < /dev/null 2>&1; echo $?; gzip b.gz 2>&1; echo $?; gzip --bogus 2>&1; echo $?";
    const dir = mkdtempSync(join(hostDir, "l-"));
    const want = execFileSync("sh", ["-c", script], { cwd: dir, env: { PATH: process.env.PATH, LC_ALL: "C" } }).toString()
      .replaceAll("\ngzip: stdin", "gzip: stdin");
    const r = await run(`mkdir gl && cd gl && ${script}`);
    expect(r.stdout).toBe(want);
  });
  it("incompressible and empty input round-trip through the host", async () => {
    const random = Buffer.alloc(100_000);
    for (let i = 0; i < random.length; i++) random[i] = (i * 1103515245 + 12345) >>> 16 & 255;
    kernel.fs.writeFile("/tmp/rnd", random);
    await run("gzip -c rnd > rnd.gz; gzip -c < /dev/null > empty.gz");
    expect(Buffer.compare(host("gzip", ["-dc"], kernel.fs.readFile("/tmp/rnd.gz")), random)).toBe(0);
    expect(host("gzip", ["-dc"], kernel.fs.readFile("/tmp/empty.gz")).length).toBe(0);
  });
});

describe("tar", () => {
  const longName = `${"d".repeat(60)}/${"e".repeat(60)}/${"f".repeat(90)}.txt`;
  const veryLongLeaf = "n".repeat(120);
  it("an archive made by wasmbox (with -z, long names, symlinks) is read by the host's tar", async () => {
    const setup = `mkdir -p t/src/sub t/src/${longName.substring(0, longName.lastIndexOf("/"))} && cd t && echo hello > src/a.txt && seq 500 > src/sub/b && ln -s a.txt src/link && echo deep > src/${longName} && echo leaf > src/sub/${veryLongLeaf}`;
    const r = await run(`${setup} && tar -czf out.tgz src && tar cf out.tar src`);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    for (const [file, flags] of [["out.tgz", "-xzf"], ["out.tar", "-xf"]]) {
      const dest = join(hostDir, file);
      mkdirSync(dest);
      writeFileSync(join(dest, file), kernel.fs.readFile(`/tmp/t/${file}`));
      host("tar", [flags, file], undefined, dest);
      expect(readFileSync(join(dest, "src/a.txt"), "utf8")).toBe("hello\n");
      expect(readFileSync(join(dest, "src/sub/b"), "utf8")).toBe(host("seq", ["500"]).toString());
      expect(readFileSync(join(dest, "src", longName), "utf8")).toBe("deep\n");
      expect(readFileSync(join(dest, "src/sub", veryLongLeaf), "utf8")).toBe("leaf\n");
      expect(readFileSync(join(dest, "src/link"), "utf8")).toBe("hello\n");
      const listing = host("tar", ["-tf", file], undefined, dest).toString().split("\n").filter(Boolean).sort();
      const own = (await run(`cd t && tar -tf ${file}`)).stdout.split("\n").filter(Boolean).sort();
      expect(own).toEqual(listing);
    }
  });
  it("an archive made by the host (gnu and pax formats, gzipped) is extracted by wasmbox", async () => {
    const src = join(hostDir, "hostsrc");
    mkdirSync(join(src, "dir", "x".repeat(110)), { recursive: true });
    writeFileSync(join(src, "dir/file"), sampleText(200));
    writeFileSync(join(src, "dir", "x".repeat(110), "y".repeat(120)), "long\n");
    for (const format of ["gnu", "pax"]) {
      const archive = host("tar", [`--format=${format}`, "-czf", "-", "dir"], undefined, src);
      kernel.fs.writeFile(`/tmp/host-${format}.tgz`, archive);
      const r = await run(`mkdir -p x-${format} && tar -xzf host-${format}.tgz -C x-${format} && cat x-${format}/dir/file | md5sum && cat x-${format}/dir/${"x".repeat(110)}/${"y".repeat(120)}`);
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe(host("md5sum", [], sampleText(200)).toString() + "long\n");
    }
  });
  it("tar --strip-components and -a, as the host's tar; -j and -r refused with a reason", async () => {
    const script = "mkdir -p d/e; echo hi > d/f; echo x > d/e/g; tar cf x.tar d && mkdir o && tar xf x.tar -C o --strip-components=1 && find o | sort; mkdir p; tar -x -f x.tar -C p --strip-components 2; find p | sort; tar caf y.tar.gz d/f; gzip -t y.tar.gz && echo gzipped; tar xaf y.tar.gz -O";
    const dir = mkdtempSync(join(hostDir, "strip-"));
    const want = execFileSync("sh", ["-c", script], { cwd: dir, env: { PATH: process.env.PATH, LC_ALL: "C" } }).toString();
    expect((await run(`mkdir stripdir && cd stripdir && ${script}`)).stdout).toBe(want);
    const refused = await run("cd stripdir && tar cjf z.tbz d; echo $?; tar rf x.tar d; echo $?");
    expect(refused.stdout).toBe("2\n2\n");
    expect(refused.stderr).toContain("bzip2: compression is not available");
  });
  it("tar -tv lists like GNU tar; selected members, -O and missing members", async () => {
    const r = await run("mkdir -p v/d && cd v && echo 12345 > d/f && touch -d @0 d/f 2>/dev/null; tar cf a.tar d && tar -xOf a.tar d/f && tar tf a.tar d/f && tar tf a.tar nope; echo $?");
    expect(r.stdout).toBe("12345\nd/f\n2\n");
    expect(r.stderr).toContain("nope: Not found in archive");
    const v = await run("cd v && tar tvf a.tar d/f");
    expect(v.stdout).toMatch(/^-rw-r--r-- root\/root +6 \d{4}-\d\d-\d\d \d\d:\d\d d\/f\n$/);
  });
});
