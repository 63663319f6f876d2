// The shell against dash, stderr included: each script runs in wasmbox's sh inside a kernel and in
// the host's dash (named "sh", so messages read "sh: LINE: ..."); stdout, stderr and status must match.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LayerEntry } from "../../kernel/host.js";
import { bootKernel, loadRootfs, sh } from "./helpers.js";

/** dash itself where installed (Debian's /bin/sh is dash too). */
const DASH = existsSync("/bin/dash") ? "/bin/dash" : "/bin/sh";

let rootfs: LayerEntry[];
let hostDir: string;
beforeAll(async () => {
  rootfs = await loadRootfs();
  hostDir = mkdtempSync(join(tmpdir(), "wasmbox-sh-dash-"));
}, 120_000);
afterAll(() => rmSync(hostDir, { recursive: true, force: true }));

/** Runs script (as sh -c) in wasmbox and in dash, each in a fresh directory; all three outputs must be the same. */
async function sameAsDash(script: string, stdin = "") {
  const ours = await sh(bootKernel(rootfs), script, { stdin });
  const dir = mkdtempSync(join(hostDir, "case-"));
  const host = spawnSync(DASH, ["-c", script], { argv0: "sh", cwd: dir, input: stdin, encoding: "utf8", env: { PATH: "/usr/bin:/bin", HOME: "/root" } });
  expect({ stdout: ours.stdout, stderr: ours.stderr, code: ours.exitCode }).toEqual({ stdout: host.stdout, stderr: host.stderr, code: host.status });
}

/** Cases: [test name, script]. */
type Cases = Array<[string, string]>;

function compareAll(cases: Cases) {
  for (const [name, script] of cases) it(name, async () => { await sameAsDash(script); });
}

describe("arithmetic, parsed once and cached", () => {
  compareAll([
    ["the same texts again in a loop, and many different texts", "i=0; s=0; while [ $i -lt 300 ]; do s=$(( (s + i * 7) % 1003 )); i=$((i+1)); done; echo $s $i\ni=0; while [ $i -lt 400 ]; do eval \"x=\\$((i + $i))\"; i=$((i+1)); done; echo $x"],
    ["a cached text meets a value that is not a number", "for v in 1 2 abc; do echo $((v + 1)); done; echo no"],
    ["a cached division meets zero", "for d in 2 1 0; do echo $((6 / d)); done; echo no"],
    ["malformed texts: the error, and what ran before it", "echo $(((a=3) + )); echo $a"],
    ["set -u does not apply inside $(( ))", "set -u; echo $((nope + 1)) $((0 && nope2)); echo $nope"],
    ["a read-only target", "readonly r=1; echo $((r + 1)); echo $((r = 2)); echo no"],
    ["unevaluated branches neither assign nor fail", "x=abc; echo $((0 && x)) $((1 || x)) $((0 ? x : 2)) $((1 ? 5 : (v=3))) ${v-unset}"],
  ]);
});

describe("the status of a command without a command name", () => {
  compareAll([
    ["assignments alone: 0, or the last command substitution's", "false; x=1; echo $?; x=$(false); echo $?; x=$(exit 3) y=2; echo $?; false; x=$?; echo $x"],
    ["redirections alone and words that expand to nothing", "false; $empty; echo $?; $(false); echo $?; false; >/dev/null; echo $?; x=1 $(exit 4); echo $?"],
  ]);
});

describe("test and [ with three arguments (the shell's quick path)", () => {
  compareAll([
    ["numbers and strings compared", "for a in 1 -1 01 +3 ' 2'; do for b in 1 2 -1; do [ \"$a\" -lt \"$b\" ]; printf '%s ' $?; test \"$a\" -ge \"$b\"; printf '%s ' $?; [ \"$a\" = \"$b\" ]; printf '%s ' $?; [ \"$a\" != \"$b\" ]; printf '%s|' $?; [ $a -eq $b ] && [ $a -le $b ] && [ $a -ge $b ] && ! [ $a -ne $b ] && ! [ $a -gt $b ] && printf e; done; echo; done"],
    ["a binary operator in the middle wins over ! and (", "[ = = = ]; echo $?; [ ! = x ]; echo $?; [ '(' = ')' ]; echo $?; [ ! != x ]; echo $?"],
  ]);
});

describe("errors name the line of the command running, in compound commands, child shells, eval and . files", () => {
  compareAll([
    ["for arith", "echo a\nfor i in 1 2\ndo\n  :\n  echo $((1/0))\ndone"],
    ["while body", "i=0\nwhile [ $i -lt 1 ]\ndo\n  i=$((i+1))\n  echo ${nope?gone}\ndone"],
    ["while cond", "while\n  true\n  [ $((1/0)) ]\ndo :; done"],
    ["if elif", "if false\nthen :\nelif true\nthen\n  nosuch\nelse\n  :\nfi"],
    ["case body", "case x in\n  y) :;;\n  x)\n    :\n    nosuch\n    ;;\nesac"],
    ["function arith", "f() {\n  :\n  echo $((1/0))\n}\n\nf"],
    ["pipe head arith", "echo start\n(\n  echo a\n  :\n  :\n  nosuch\n  echo $((1/0))\n) | head -1\necho $?"],
    ["pipe in func", "f() {\n  :\n  nosuch | cat\n  echo $((1/0)) | cat\n}\n:\nf"],
    ["for in subshell", "(\nfor i in 1 2\ndo\n  :\n  echo $((1/0))\ndone\n)"],
    ["heredoc in loop", "for i in 1; do\n  cat <<EOF\n$i\nEOF\n  nosuch\ndone"],
    ["eval", "echo a\neval 'echo b\nnosuch'\necho c"],
    ["eval subshell", "eval ':\n(\n:\nnosuch\n)'"],
    ["dot file", "printf ':\\n:\\nnosuch\\n' > d.sh\n. ./d.sh\necho $?"],
    ["dot in function", "printf ':\\nnosuch\\n' > d.sh\nf() {\n  . ./d.sh\n}\nf"],
    ["func def in eval", "eval ':\n:\nf() {\n  nosuch\n}'\n:\nf\nf | cat"],
    ["func from dot", "printf ':\\nf() {\\n  :\\n  nosuch\\n}\\n' > d.sh\n:\n. ./d.sh\n:\nf\nf | cat\n(f)\necho $(f)"],
    ["func in child", "f() {\n  :\n  nosuch\n}\n:\nf | cat\n( f )\nx=$(f)\nf &\nwait"],
    ["alias in child", "alias a='nosuch'\n:\n( :\n a\n)\n"],
    ["redir compound", "{\n :\n} > /nonexist/x\nwhile false; do :; done < /nonexist\n"],
    ["heredoc subst", "cat <<EOF\n$(nosuch)\nline\n$(nosuch2)\nEOF"],
    ["cmdsub multiline", "echo a\necho $(\n:\nnosuch\n) $(nosuch2)"],
    ["andor", "true &&\n  nosuch ||\n  nosuch2"],
    ["for word error", "for i in 1 \\\n  ${x?no}\ndo :; done"],
    ["background", "nosuch &\nwait\n:\n(\n :\n nosuch\n) &\nwait"],
    ["nested for while", "for i in 1; do\n  while true; do\n    if true; then\n      echo $((2/0))\n    fi\n  done\ndone"],
    ["multi-line command", "echo a \\\n  b \\\n  $((1/0))"],
    ["script file", "printf 'echo a\\nfor i in 1\\ndo\\n  nosuch\\ndone\\n(\\n:\\nnosuch\\n) | cat\\nf() {\\n  echo $((1/0))\\n}\\nf\\n' > s.sh\nsh s.sh"],
    ["script file subshell funcs", "printf 'f() { :; }\\ng() { :; }\\n(\\n  :\\n  :\\n  nosuch\\n)\\nf | nosuch2\\n' > s.sh\nsh s.sh"],
  ]);
});

describe("set -v echoes the lines of a . file as they are read (not eval's text)", () => {
  const file = "printf 'echo in-dot\\n# c\\necho two\\nif true\\nthen echo x\\nfi\\n' > d.sh; ";
  compareAll([
    ["a . file", file + "set -v; . ./d.sh; echo after; eval 'echo e1\necho e2' 2>&1"],
    ["a . file in a function in a pipeline, and a file that sets -v itself", file + "set -v; f() { . ./d.sh; }; f | cat; set +v; printf 'set -v\\necho a\\n' > e.sh; . ./e.sh"],
  ]);
});
