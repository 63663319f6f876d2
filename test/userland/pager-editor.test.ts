// less and vi on the kernel's terminal: keys fed as the terminal's input in raw mode, the screen
// checked for what the pager shows and the file checked for what the editor wrote.
import { beforeAll, describe, expect, it } from "vitest";
import type { Kernel } from "../../kernel/index.js";
import { bootKernel, loadRootfs, sh } from "./helpers.js";

let kernel: Kernel;
beforeAll(async () => { kernel = bootKernel(await loadRootfs()); }, 120_000);

const CLEAR = "\x1b[H\x1b[2J";
const ESC = "\x1b";

function onTerminal(script: string, keys: string) {
  return kernel.run("/bin/sh", { args: ["-c", script], tty: true, cwd: "/tmp", env: { PATH: "/bin" }, stdin: keys });
}

/** The screens drawn (each starts by clearing), their lines without the terminal's CRs. */
function screens(out: string): string[][] {
  return out.split(CLEAR).slice(1).map((s) => s.split("\r\n"));
}

describe("less", () => {
  it("pages forward with space, back with b, searches with /, quits with q", async () => {
    const r = await onTerminal("seq 100 > /tmp/pages; less /tmp/pages", " b/50\rnq");
    const shown = screens(r.stdout);
    expect(shown.map((s) => s[0])).toEqual(["1", "24", "1", "50", "50"]);
    expect(shown[0].length).toBe(24);
    expect(shown[0][23]).toBe("\x1b[7m/tmp/pages\x1b[0m");
    expect(shown[4][23]).toContain("Pattern not found");
    expect(r.exitCode).toBe(0);
  });
  it("shows (END) at the end, and G and g jump", async () => {
    const r = await onTerminal("seq 30 > /tmp/thirty; less /tmp/thirty", "Ggq");
    const shown = screens(r.stdout);
    expect(shown[1][0]).toBe("8");
    expect(shown[1][23]).toBe("\x1b[7m(END)\x1b[0m");
    expect(shown[2][0]).toBe("1");
  });
  it("copies its input like cat when standard output is not a terminal", async () => {
    const r = await sh(kernel, "seq 3 > /tmp/three; less /tmp/three; seq 2 | more");
    expect(r.stdout).toBe("1\n2\n3\n1\n2\n");
  });
  it("pages a pipe (cmd | less), taking its keys from /dev/tty", async () => {
    const r = await onTerminal("seq 100 | less; echo status=$?", " /77\rq");
    const shown = screens(r.stdout);
    expect(shown.map((s) => s[0])).toEqual(["1", "24", "77"]);
    expect(shown[0][23]).toBe(":");
    expect(r.stdout).toContain("status=0");
  });
});

describe("/dev/tty", () => {
  it("is the controlling terminal: written to the screen, read from the keyboard while stdin is a pipe", async () => {
    const r = await onTerminal("echo to-screen > /dev/tty; echo piped | { read a; read b < /dev/tty; echo \"$a $b\"; }", "typed\r");
    expect(r.stdout).toContain("to-screen");
    expect(r.stdout).toContain("piped typed");
  });
  it("gives ENXIO to a process without a controlling terminal, as Linux", async () => {
    const r = await sh(kernel, "echo x > /dev/tty; echo status=$?; test -c /dev/tty && echo is-a-device");
    expect(r.stderr).toMatch(/\/dev\/tty: No such device or address/);
    expect(r.stdout).toBe("status=2\nis-a-device\n");
  });
});

describe("vi", () => {
  // The expected files were checked against vim (vim -u NONE -N -es -c 'exe "normal! KEYS"' -c wq).
  const visualCases: Array<[string, string, string, string]> = [
    ["v with a motion, then d (charwise, across lines)", "one two three\nfour five\nsix\nseven\n", "wvjd", "one five\nsix\nseven\n"],
    ["V over two lines, d, then p puts them back as lines", "one two three\nfour five\nsix\nseven\n", "jVjdp", "one two three\nseven\nfour five\nsix\n"],
    ["V with > and >> shift right by a tab", "a\nb\nc\nd\n", "Vj>jj>>", "\ta\n\tb\n\tc\nd\n"],
    ["V with < removes a tab or up to 8 spaces", "\tx\n        y\n   z\n", "Vjj<", "x\ny\nz\n"],
    ["marks: m sets, ` goes to the place, ' to the line", "one two\nthree\nfour\nfive\n", "lmajjmb`ax'bdd", "oe two\nthree\nfive\n"],
    ["v e c changes the selection", "one two three\nfour five\n", `wvecXY${ESC}`, "one XY three\nfour five\n"],
    ["o swaps the ends of the selection", "abc\ndef\nghi\n", "lvjohd", "f\nghi\n"],
  ];
  for (const [name, content, keys, want] of visualCases) {
    it(name, async () => {
      const file = `/tmp/vis${visualCases.findIndex((c) => c[0] === name)}`;
      const r = await onTerminal(`printf '${content}' > ${file}; vi ${file}; cat ${file}`, keys + ":wq\r");
      expect(r.stdout.endsWith(want), r.stdout.slice(-200)).toBe(true);
    });
  }
  it("v and V show the selection in reverse video, from the anchor to the cursor either way, as vim", async () => {
    const REV = "\x1b[7m"; const END = "\x1b[m";
    const r = await onTerminal("printf 'one two three\\nfour five\\n\\nsix\\n' > /tmp/vsel; vi /tmp/vsel", "wvjVjVgg$vhv:q!\r");
    const visual = screens(r.stdout).filter((s) => s[23].startsWith("-- VISUAL"));
    expect(visual.map((s) => s.slice(0, 4))).toEqual([
      ["one " + REV + "t" + END + "wo three", "four five", "", "six"],
      ["one " + REV + "two three " + END, REV + "four " + END + "five", "", "six"],
      [REV + "one two three" + END, REV + "four five" + END, "", "six"],
      [REV + "one two three" + END, REV + "four five" + END, REV + " " + END, "six"],
      ["one two thre" + REV + "e" + END, "four five", "", "six"],
      ["one two thr" + REV + "ee" + END, "four five", "", "six"],
    ]);
    expect(visual.map((s) => s[23].replace(/\x1b\[.*/, ""))).toEqual(["-- VISUAL --", "-- VISUAL --", "-- VISUAL LINE --", "-- VISUAL LINE --", "-- VISUAL --", "-- VISUAL --"]);
    const after = screens(r.stdout).filter((s) => !s[23].startsWith("-- VISUAL")).slice(1);
    expect(after.length).toBeGreaterThan(1);
    for (const screen of after) expect(screen.join("\n")).not.toContain(REV);
  });
  it(":N goes to a line, :r FILE reads a file in below it, :e FILE edits another (refused while changed)", async () => {
    const script = "printf 'a\\nb\\nc\\n' > /tmp/er1; printf 'in1\\nin2\\n' > /tmp/er2; printf 'other\\n' > /tmp/er3; vi /tmp/er1; cat /tmp/er1 /tmp/er3";
    const r = await onTerminal(script, ":2\r:r /tmp/er2\rjx:e /tmp/er3\r:w\r:e /tmp/er3\rAX" + ESC + ":wq\r");
    expect(r.stdout).toContain("E37: No write since last change");
    expect(r.stdout.endsWith("a\nb\nin1\nn2\nc\notherX\n"), r.stdout.slice(-200)).toBe(true);
  });
  it("moves, deletes, yanks, puts, inserts and writes with :wq", async () => {
    const keys = `jddkAX${ESC}oNEW line${ESC}0xyyP:wq\r`;
    const r = await onTerminal("printf 'one two\\nthree\\n' > /tmp/ed1; vi /tmp/ed1 && cat /tmp/ed1", keys);
    expect(r.stdout.endsWith("one twoX\nEW line\nEW line\n")).toBe(true);
  });
  it("w, b, $, x, i, a, O, J and / search", async () => {
    const keys = `wx$xbiB${ESC}/gam\raZ${ESC}Otop${ESC}kJ:w\r:q\r`;
    const r = await onTerminal("printf 'alpha beta\\ngamma\\n' > /tmp/ed2; vi /tmp/ed2; cat /tmp/ed2", keys);
    expect(r.stdout.endsWith("alpha Bet top\ngZamma\n")).toBe(true);
  });
  it("takes counts: 2dw, 3dd, 2yy, 2p, and u undoes", async () => {
    const r = await onTerminal("printf 'one two three four\\n1\\n2\\n3\\n4\\n5\\n' > /tmp/ed5; vi /tmp/ed5; cat /tmp/ed5", "2dwj3dduGk2yygg2p:wq\r");
    expect(r.stdout.endsWith("three four\n4\n5\n4\n5\n1\n2\n3\n4\n5\n")).toBe(true);
  });
  it("changes with cw (and . to repeat it), cc, C and D", async () => {
    const keys = `cwALPHA${ESC}w.jccNEW${ESC}jCIRD${ESC}jD:wq\r`;
    const r = await onTerminal("printf 'alpha beta gamma\\nsecond line\\nthird line here\\nfourth\\n' > /tmp/ed6; vi /tmp/ed6; cat /tmp/ed6", keys);
    expect(r.stdout.endsWith("ALPHA ALPHA gamma\nNEW\nthIRD\nfour\n")).toBe(true);
  });
  it("searches with / n N, undoes and redoes (u, ^R), yanks a word and puts it twice, ZZ writes and quits", async () => {
    const keys = "/foo\rnnN3xu\x120yw$2pZZ";
    const r = await onTerminal("printf 'foo bar foo baz foo\\nnothing\\nfoo end\\n' > /tmp/ed7; vi /tmp/ed7; cat /tmp/ed7", keys);
    expect(r.stdout.endsWith("foo bar foo baz foo foo \nnothing\nfoo end\n")).toBe(true);
  });
  it("substitutes with :s over a range, and counts repeat . and x", async () => {
    const keys = `:%s/a/X/g\r:1s/X/Y/\rjj0x2.:wq\r`;
    const r = await onTerminal("printf 'a1 a2 a3\\nb a b\\nabcdef\\n' > /tmp/ed8; vi /tmp/ed8; cat /tmp/ed8", keys);
    expect(r.stdout.endsWith("Y1 X2 X3\nb X b\ndef\n")).toBe(true);
  });
  it("moves with arrow keys in insert mode; ESC alone ends it even when the next key follows at once", async () => {
    const r = await onTerminal("vi /tmp/ed9; cat /tmp/ed9", `ihello${ESC}[DX${ESC}[A${ESC}oline2${ESC}:wq\r`);
    expect(r.stdout.endsWith("hellXo\nline2\n")).toBe(true);
  });
  it(":q refuses to lose changes, :q! quits, and a new file is made by :w", async () => {
    const r = await onTerminal("vi /tmp/ed3; cat /tmp/ed3; vi /tmp/ed4; test -e /tmp/ed4 || echo no ed4", `ihello${ESC}:q\r:w\r:q\r` + `x:q!\r`);
    expect(r.stdout).toContain("E37: No write since last change (add ! to override)");
    expect(r.stdout).toContain("hello\n");
    expect(r.stdout.endsWith("no ed4\n")).toBe(true);
  });
});
