// csplit, watch, bc and grep's context: csplit, bc and grep checked against the host's GNU tools (the
// same script in a fresh directory on both sides), watch by its screen output over a few rounds.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kernel } from "../../kernel/index.js";
import { bootKernel, loadRootfs, sh, onHostSh } from "./helpers.js";

let kernel: Kernel;
const hostDirs: string[] = [];
let counter = 0;
beforeAll(async () => { kernel = bootKernel(await loadRootfs()); }, 120_000);
afterAll(() => { for (const d of hostDirs) rmSync(d, { recursive: true, force: true }); });

function onHost(script: string, stdin: string): { stdout: string; code: number } {
  return onHostSh(script, hostDirs, { stdin });
}

async function inKernel(script: string, stdin = "") {
  const dir = `/tmp/more${counter++}`;
  kernel.fs.mkdir(dir, { recursive: true });
  return sh(kernel, script, { cwd: dir, stdin });
}

async function same(script: string, stdin = "") {
  const want = onHost(script, stdin);
  const got = await inKernel(script, stdin);
  expect({ stdout: got.stdout, code: got.exitCode }, got.stderr).toEqual(want);
}

const SECTIONS = "printf 'a\\n--\\nb\\nc\\n--\\nd\\n--\\ne\\n' > s; seq 1 20 > in; ";
const SHOW = "; for f in $(ls | grep -v '^s$' | grep -v '^in$'); do echo \"$f: $(tr '\\n' ' ' < $f)\"; done";

describe("csplit against GNU csplit", () => {
  it.each([
    ["line numbers", "csplit in 5 12"],
    ["-f and -n, regexes", "csplit -f part -n 3 in /7/ '/1[35]/'"],
    ["{*} repeats, -s", "csplit -s s '/^--$/' '{*}'"],
    ["%skip% with an offset", "csplit s '%^--$%1' '/d/'"],
    ["a line number repeated", "csplit in 5 '{2}'"],
    ["-z drops empty pieces", "csplit -z s '/^--$/' '{*}'"],
    ["out of range: pieces removed, status 1", "csplit in 50 2>/dev/null; echo status $?"],
    ["-k keeps them", "csplit -k in '/3/' '{5}' 2>/dev/null; echo status $?"],
  ])("%s", async (_name, script) => {
    await same(SECTIONS + script + SHOW);
  });
});

describe("grep's context lines against GNU grep", () => {
  const FILES = "printf 'a\\nb\\nc\\nd\\ne\\nf\\ng\\nb\\nh\\n' > f; printf 'x\\nb\\ny\\n' > g; ";
  it.each([
    ["-A after each match", "grep -A1 b f"],
    ["-B before, overlapping groups joined", "grep -B2 e f; grep -B3 b f"],
    ["-C with line numbers: - for context, : for matches, -- between groups", "grep -C1 -n b f"],
    ["across files, with names", "grep -A1 b f g"],
    ["with -v", "grep -B1 -n -v '[a-e]' f"],
    ["-A 0 still sets groups off", "grep -A 0 b f"],
    ["-c ignores context", "grep -C1 -c b f"],
    ["a bad count", "grep -A x b f 2>&1; echo status $?"],
    ["with several -e", "grep -e b -e d -A1 f"],
  ])("%s", async (_name, script) => {
    await same(FILES + script);
  });
});

describe("watch", () => {
  it("clears the screen, shows the header and the command's output every round; -t drops the header", async () => {
    const r = await inKernel("WATCH_COUNT=2 watch -n 0.1 echo hi; WATCH_COUNT=1 watch -t -x echo 'a  b'");
    const clear = "\x1b[H\x1b[2J";
    const rounds = r.stdout.split(clear).slice(1);
    expect(rounds.length).toBe(3);
    expect(rounds[0]).toMatch(/^Every 0\.1s: echo hi {4}\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}\n\nhi\n$/);
    expect(rounds[1]).toMatch(/^Every 0\.1s: echo hi .*\n\nhi\n$/);
    expect(rounds[2]).toBe("a  b\n");
  });
  it("refuses a bad interval and a missing command", async () => {
    expect((await inKernel("watch -n x true")).exitCode).toBe(1);
    expect((await inKernel("watch")).exitCode).toBe(1);
  });
});

/** Arithmetic, scale, bases, long numbers, variables, arrays, functions and control flow. */
const BC_PROGRAM = "1+2*3\n2^10\nscale=5; 1/3\n-7/2\n7%3\nscale=0; 7%3; -7%3\nscale=3; 7.5%2\n2^-2\nscale=10; sqrt(2)\nsqrt(16)\nobase=16; 255; -255; 10.5\nobase=2; 10\nobase=10; ibase=16; FF; A\nibase=A\n123456789012345678901234567890*987654321098765432109876543210\n2^300\nx = 5; x += 3; x\nx++; x; ++x; --x; x--; x\na[3] = 7; a[3] + a[2]\ndefine f(n) { if (n <= 1) return (1); return (n * f(n - 1)); }\nf(30)\ndefine g(x) { auto y; y = x * 2; return (y); }\ny = 9; g(4); y\ni = 0; while (i < 3) { i; i += 1 }\nfor (i = 0; i < 10; i++) { if (i == 2) continue; if (i == 5) break; print i, \" \" }\nprint \"\\n\"\n\"string\\n\"\n1 < 2; 2 < 1; 1 == 1 && 0 || 1; !0\nlength(123.45); scale(123.45); length(0.001)\nscale = 20; 1/7\n.5 + .25\nobase=20; 12345\nobase=10\nlast\ndefine h(a[], n) { return (a[n]); }\nb[2] = 42; h(b[], 2)\nscale=4; 3.14159 * 2\n1/0\n5\n";
/** The math library of -l at scales 20, 50 and 5. */
const BC_MATH = "s(1); c(1); a(1); l(2); e(1); j(0,1); j(2,3)\ne(10); l(1000); s(-2.5); c(3); a(-0.3); e(-1)\nscale=50; e(1); 4*a(1)\nscale=5; l(10); s(100)\n";

describe("bc against GNU bc", () => {
  it("arithmetic, scale, ibase/obase, 70-column lines, functions, arrays and control flow", async () => {
    await same("bc 2>/dev/null", BC_PROGRAM);
  });
  it("-l: s c a l e j to the last digit", async () => {
    await same("bc -l", BC_MATH);
  });
  it("files before standard input, quit, halt, and errors on stderr", async () => {
    await same("echo 'x = 6 * 7' > prog.bc && echo 'x; quit; 5' > q.bc && echo x | bc prog.bc && bc prog.bc q.bc && echo '1; halt; 2' | bc && echo '1/0; 3' | bc 2>/dev/null");
    const r = await inKernel("printf '1/0; 3\\n4\\n2 +; 5\\n6\\n' | bc");
    expect(r.stdout).toBe("4\n6\n");
    expect(r.stderr).toContain("Divide by zero");
    expect(r.stderr).toContain("syntax error");
  });
});

describe("nice and renice: the kernel's per-process nice value", () => {
  it("nice raises the value by -n N (10 by default) for its command, relative as GNU nice's", async () => {
    await same("b=$(nice); echo $(( $(nice nice) - b )) $(( $(nice -n 5 nice) - b )) $(( $(nice -3 nice -n 2 nice) - b )) $(( $(nice --adjustment=4 sh -c nice) - b )); nice -n 5; echo $?; nice -n x true; echo $?");
  });
  it("clamps at 19; children inherit the value; ps -o ni shows it", async () => {
    const r = await inKernel("nice -n 15 nice -n 15 nice; nice -n 7 sh -c 'nice; sh -c nice; ps -o ni,comm | grep ps$'");
    expect(r.stdout).toBe("19\n7\n7\n 7 ps\n");
  });
  it("renice sets a process's value and prints it as util-linux's renice does; a missing pid fails", async () => {
    const r = await inKernel("sh -c 'renice -n 3 -p $$ | sed s/^[0-9]*/PID/; renice 2 $$ | sed s/^[0-9]*/PID/; nice'; renice 5 -p 999999; echo $?");
    expect(r.stdout).toBe("PID (process ID) old priority 0, new priority 3\nPID (process ID) old priority 3, new priority 2\n2\n1\n");
    expect(r.stderr).toContain("renice: failed to get priority for 999999 (process ID): No such process");
  });
  // The host's renice is not run here: -g and -u would renice the machine's own processes.
  it("renice -g sets every process of a group and reports the lowest old value, as util-linux's renice", async () => {
    const r = await inKernel(`sh -c 'sleep 1 & renice 4 -p $! >/dev/null; renice -n 6 -g 0 | sed s/^[0-9]*/PGID/; ps -o ni,comm | grep sleep; while read k v; do [ $k = PGid: ] && g=$v; done < /proc/$$/status; renice 2 --pgrp $g | sed s/^[0-9]*/PGID/; nice; wait'`);
    expect(r.stdout).toBe("PGID (process group ID) old priority 0, new priority 6\n 6 sleep\nPGID (process group ID) old priority 6, new priority 2\n2\n");
  });
  it("renice -u takes a user name or uid; -p, -g and -u switch the kind of the ids after them", async () => {
    const r = await inKernel("renice 3 -u root; renice 1 --user 0 -p 0 -g 0 -u 0; echo $?");
    expect(r.stdout).toBe("0 (user ID) old priority 0, new priority 3\n0 (user ID) old priority 3, new priority 1\n0 (process ID) old priority 1, new priority 1\n0 (process group ID) old priority 1, new priority 1\n0 (user ID) old priority 1, new priority 1\n0\n");
  });
  it("a user may raise its own processes' values but not lower them (EACCES)", async () => {
    const r = await kernel.run("/bin/sh", { args: ["-c", "renice 5 -u 1000; renice 1 -p $$; echo $?; nice"], env: { PATH: "/bin" }, cwd: "/tmp", stdin: "", user: { uid: 1000, gid: 100 } });
    expect(r.stdout).toBe("1000 (user ID) old priority 0, new priority 5\n1\n5\n");
    expect(r.stderr.replace(/for \d+ /, "for PID ")).toBe("renice: failed to set priority for PID (process ID): Permission denied\n");
  });
  it("renice's errors are util-linux's: unknown user, bad id, no such group, missing and invalid priority", async () => {
    const r = await inKernel("renice 1 -u nosuch; echo $?; renice 1 -g 12x; echo $?; renice 1 -g 4242 -u 4242; echo $?; renice 3; echo $?; renice x 1; echo $?; renice 1 -p; echo $?");
    expect(r.stdout).toBe("1\n1\n1\n1\n1\n0\n");
    expect(r.stderr).toBe([
      "renice: unknown user nosuch",
      "renice: bad process group ID value: 12x",
      "renice: failed to get priority for 4242 (process group ID): No such process",
      "renice: failed to get priority for 4242 (user ID): No such process",
      "renice: not enough arguments", "Try 'renice --help' for more information.",
      "renice: invalid priority 'x'", "Try 'renice --help' for more information.", "",
    ].join("\n"));
  });
});
