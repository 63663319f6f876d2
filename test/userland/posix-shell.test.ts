// POSIX shell features checked against the host's /bin/sh (dash on Debian): each script runs in
// wasmbox's sh inside a kernel and in the host shell, and stdout and exit status must be the same.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LayerEntry } from "../../kernel/vfs/layer.js";
import { bootKernel, loadRootfs, sh } from "./helpers.js";

let rootfs: LayerEntry[];
let hostDir: string;
beforeAll(async () => {
  rootfs = await loadRootfs();
  hostDir = mkdtempSync(join(tmpdir(), "wasmbox-posix-sh-"));
}, 120_000);
afterAll(() => rmSync(hostDir, { recursive: true, force: true }));

/** Runs script in wasmbox and on the host; both must print the same and exit the same. */
async function sameAsHost(script: string, stdin = "") {
  const ours = await sh(bootKernel(rootfs), script, { stdin });
  const host = spawnSync("/bin/sh", ["-c", script], { cwd: hostDir, input: stdin, encoding: "utf8", env: { PATH: "/usr/bin:/bin", HOME: "/root" } });
  expect({ stdout: ours.stdout, code: ours.exitCode }).toEqual({ stdout: host.stdout, code: host.status });
  return ours;
}

/** Cases: [test name, script]. */
type Cases = Array<[string, string]>;

function compareAll(cases: Cases) {
  for (const [name, script] of cases) it(name, async () => { await sameAsHost(script); });
}

describe("here-documents", () => {
  compareAll([
    ["expands $x, $(...), `...` and $(( )) in an unquoted body", "x=world\ncat <<EOF\nhello $x $(echo sub) `echo bq` $((1+2))\n\"quoted\" 'single' \\$x \\\\ \\a\nEOF\n"],
    ["quoted delimiters keep the body literal", "x=1\ncat <<'EOF'\nno $x `here`\nEOF\ncat <<\"E F\"\nalso $x\nE F\ncat <<\\EOF\nesc $x\nEOF\n"],
    ["<<- strips leading tabs", "cat <<-EOF\n\t\ttabbed\n\tEOF\necho after\n"],
    ["in a function", "f() {\n\tcat <<-EOF\n\t\targ $1\n\tEOF\n}\nf one\nf two\n"],
    ["in a loop", "for i in 1 2; do cat <<EOF\nloop $i\nEOF\ndone\n"],
    ["two on one line", "cat <<A; cat <<B\na\nA\nb\nB\n"],
    ["into a pipeline", "cat <<EOF | tr a-z A-Z\npiped\nEOF\ncat <<EOF | while read l; do echo \"w $l\"; done\nq1\nq2\nEOF\n"],
    ["feeding a while loop", "while read l; do echo \"got $l\"; done <<EOF\nr1\nr2\nEOF\n"],
    ["in a subshell", "( cat <<EOF )\nsub\nEOF\necho end\n"],
    ["ended by the end of input", "cat <<EOF\nno end"],
    ["larger than a pipe", "s=$(seq 1 20000)\ncat <<EOF | wc -c\n$s\nEOF\ncat <<EOF | tail -1\n$s\nEOF\n"],
  ]);

  it("reads the body from further lines of piped stdin", async () => {
    const r = await sh(bootKernel(rootfs), "", { args: [], stdin: "cat <<EOF\none $((1+1))\nEOF\necho done\n" });
    expect(r.stdout).toBe("one 2\ndone\n");
  });

  it("reads the body interactively with the PS2 prompt", async () => {
    const kernel = bootKernel(rootfs);
    const r = await kernel.run("/bin/sh", { args: [], tty: true, cwd: "/", env: { PATH: "/bin", PWD: "/" }, stdin: "cat <<EOF\rbody\rEOF\rexit 3\r" });
    expect(r.stdout).toContain("> ");
    expect(r.stdout).toContain("body\n");
    expect(r.exitCode).toBe(3);
  });
});

describe("printf", () => {
  compareAll([
    ["conversions", "printf '%s %d %i %u %o %x %X %c %%\\n' str 42 -7 3 8 255 255 hello"],
    ["format reuse over extra arguments", "printf '%s\\n' a b c; printf '%s %s\\n' a b c; printf 'x\\n' a b; printf '%s %d|' ; echo"],
    ["widths, precisions and flags", "printf '%5.2s|%-4d|%04d|%+d|% d|%#o|%#x|%.3d|%#.3x\\n' abcdef 3 -5 5 5 8 255 5 5; printf '%*d|%-*.*f|[%*s]\\n' 5 3 8 2 3.14159 -5 ab"],
    ["floats rounded as C does", "printf '%.1f %.1f %.0f %.0f %e %g %g %g %G\\n' 0.25 0.35 2.5 3.5 12345.678 0.0001 1e-5 123456789 1e-10; printf '%.10f %.20f %f %e\\n' 0.1 0.1 1e20 1.7976931348623157e308; printf '%08.3f|%-8.2e|%+.2f|% .2f|%#.0f|%#g\\n' -3.14159 1234.5 2 2 2 1; printf '%5.1f%%\\n' 99.95"],
    ["escapes in the format and in %b", "printf 'a\\tb\\\\c\\101\\0101\\n'; printf '%b|%b\\n' 'x\\ty\\0101z' 'q\\101'; printf '%b\\n' 'stop\\chere' more; echo"],
    ["numeric arguments: 'a, 0x1F, octal, signs", "printf '%d %d %d %d %d\\n' \"'a\" 0x1F 010 -0x10 ' +3'; printf '%u %o %x\\n' -1 -1 -1; printf '%d\\n' 9223372036854775807 -9223372036854775808"],
    ["invalid numbers: message, output, status 1", "printf '%d|%d|%s\\n' 12abc abc x; echo rc=$?; printf '%f\\n' 1.5x; echo rc=$?"],
    ["invalid directive stops with status 2", "printf 'ab%zcd\\n'; echo \" rc=$?\"; printf; echo \" rc=$?\""],
    ["the printf utility in /bin", "/bin/printf '%s=%d\\n' a 1 b 2; echo rc=$?"],
  ]);
});
