// POSIX shell features checked against the host's /bin/sh (dash on Debian): each script runs in
// wasmbox's sh inside a kernel and in the host shell, and stdout and exit status must be the same.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LayerEntry } from "../../kernel/host.js";
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
    ["inside $( ), to a file, on fd 3, in if and case", "x=$(cat <<EOF\nhi (paren ' \"\nEOF\n)\necho \"$x\"\ncat <<EOF >out; cat out\nto file\nEOF\ncat 3<<EOF <&3\nfd three\nEOF\nif true; then\n  cat <<-END\n\tin if\n\tEND\nfi\ncase a in a) cat <<EOF;;\ncase body\nEOF\nesac\necho $((1<<2)) $(echo $((1<<3))\n)\n"],
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

describe("set options", () => {
  compareAll([
    ["set -e ends the shell at a failed command", "set -e; echo a; false; echo no"],
    ["set -e is ignored in conditions, && || lists but the last, and !", "set -e; false && true; echo yes; ! true; echo yes2; if false; then :; fi; while false; do :; done; false || true; echo yes3; true && false; echo no"],
    ["set -e: a failed substitution in an assignment, a function, a subshell", "set -e; f() { false; echo inf; }; f || echo handled; x=$(false) || echo subst; (false) || echo sub; f; echo no"],
    ["set -e: a group on the left of && keeps going", "set -e; { false; echo in; } && echo a; echo b"],
    ["set -e: the subshell's own commands", "set -e; (echo in; false; echo no); echo never"],
    ["set -u: an unset variable ends the shell with status 2", "set -u; echo ${zz-d} $# \"$@\" $*; echo ${zz:-e}; echo $zz; echo no"],
    ["set -u: ${#x} of an unset x", "set -u; x=1; echo ${#x}; echo ${#zz}; echo no"],
    ["set -f turns off globbing", "touch a1 a2; echo a*; set -f; echo a*; set +f; echo a*"],
    ["set -C refuses to overwrite; >| forces", "set -C; echo a > f; echo b > f; echo rc=$?; echo c >| f; cat f"],
    ["set -n reads without running", "echo before; set -n; echo no"],
    ["set -x traces to stderr", "set -x; echo hi; x=1; echo $x"],
    ["set -- and set - -", "set -- a b; echo $# $1; set --; echo $#; set - -; echo $# \"$1\"; set -- -x y; echo $1 $2"],
    ["set -a exports", "set -a; v=1; sh -c 'echo $v'"],
    ["$- lists the options", "set -e; case $- in *e*) echo e;; esac; set +e; case $- in *e*) echo still;; *) echo off;; esac"],
    ["set -o and +o by name", "set -o errexit; case $- in *e*) echo on;; esac; set +o errexit; false; echo off; set -o noglob; echo /e*"],
    ["set -o with a bad name ends the shell", "set -o bad; echo no"],
    ["sh -e and sh -u on the command line", "sh -ec 'false; echo no'; echo $?; sh -uc 'echo $nope; echo no'; echo $?"],
  ]);

  it("set -o pipefail: the last failing stage's status", async () => {
    const r = await sh(bootKernel(rootfs), "false | true; echo $?; set -o pipefail; false | true; echo $?; (exit 3) | false | true; echo $?; true | true; echo $?");
    expect(r.stdout).toBe("0\n1\n1\n0\n");
  });

  it("set -x writes '+ ' and the command to stderr", async () => {
    const r = await sh(bootKernel(rootfs), "set -x; echo hi; x=1");
    expect(r.stderr).toBe("+ echo hi\n+ x=1\n");
  });
});

describe("errors", () => {
  compareAll([
    ["an unterminated quote is a syntax error, status 2", "echo a\necho \"abc\necho no"],
    ["a lone ;", ";"],
    ["an unterminated $(", "echo $(echo"],
    ["a bad for loop variable", "for - in a; do :; done"],
    ["if with an empty condition", "echo first\nif then fi\necho no"],
    ["an empty subshell", "echo a; ( ; echo b"],
    ["the lines before a syntax error run", "echo one\necho two\nif true; then\necho three\nfi fi\necho no"],
    ["a redirection error gives status 2", "cat < nofile; echo rc=$?; echo x > /nonexist/f; echo rc=$?; { echo; } < nofile; echo rc=$?"],
    ["a redirection error on a special builtin ends the shell", ": < nofile; echo no"],
    ["assigning a read-only variable ends the shell", "readonly r=1; echo $r; r=2; echo no"],
    ["unset of a read-only variable ends the shell", "readonly r=1; unset r; echo no"],
    ["${x?} ends the shell", "echo ${x?}; echo no"],
    ["${x?message} ends the shell", "echo ${x?custom msg}; echo no"],
    ["shift past the end ends the shell", "set -- a; shift 2; echo no"],
    ["an illegal set option ends the shell", "set -Z; echo no"],
    ["exit with a bad number ends the shell with status 2", "exit foo; echo no"],
    ["break 0 ends the shell", "for i in 1; do break 0; done; echo no"],
    ["a failed cd has status 2", "cd /nonexistent; echo rc=$?"],
    [". of a missing file ends the shell", ". /nonexistent; echo no"],
    ["odd input never aborts the shell", "for s in ')' 'fi' '|' '&&' 'f()' 'case x in' 'echo ${' 'echo $((' \"'\" '`' '<' '<<' 'cat <<' 'for x in' '!' ';;' 'if true; then; fi' '(' '{' 'x=$(' 'echo ${x:-${y}'; do sh -c \"$s\" 2>/dev/null; echo \"$? \"; done"],
  ]);

  it("says the line of a syntax error", async () => {
    const r = await sh(bootKernel(rootfs), "echo a\n\nfor - in x; do :; done\n");
    expect(r.stderr).toBe("sh: 3: Syntax error: Bad for loop variable\n");
    expect(r.exitCode).toBe(2);
  });
});

describe("arithmetic", () => {
  compareAll([
    ["C operators and precedence", "echo $((7&3|8^1)) $((~5)) $((!0)) $((5>3 && 2<1)) $((10 >> 1 <= 5)) $((1<<62)) $((-3 % 2)) $((-7 / 2)) $(( 5 != 5 )) $(( 3 >= 3 )) $((2+3*4-(6-1)))"],
    ["?: with unevaluated branches", "echo $((1 ? 2 : 3)) $((1 ? 0 ? 7 : 8 : 9)) $((0 ? 1/0 : 4)) $((0 && 1/0)) $((1 || 1/0)) $((0 ? (w=5) : 2)) ${w-unset}"],
    ["assignments", "echo $((y+=3)) $((z = 2 * 3)) $((a=b=4)) $a $b $y $z; x=3; echo $(( x *= 2 )) $x $((x<<=2)) $((q|=6)) $((q^=3)) $((q&=4)) $((q%=3)) $((q-=1)) $((q/=1)) $((q>>=1))"],
    ["octal, hex and 64-bit values", "echo $((010 + 0x10)) $((0x7fffffffffffffff)) $((-9223372036854775807-1)) $((9223372036854775807 + 1)); h=0x1f; v=' 12 '; echo $((h)) $((h+1)) $((v*v)) $(( -v ))"],
    ["division by zero is an error", "echo $((1/0)); echo no"],
    ["a bad constant is an error", "echo $((08)); echo no"],
    ["a variable that is not a number is an error", "x=abc; echo $((x)); echo no"],
  ]);
});

describe("expansion", () => {
  compareAll([
    ["field splitting on $IFS", "x=\"a::b:c:\"; IFS=:; for f in $x; do echo \"<$f>\"; done; y=\" a : b \"; IFS=\" :\"; for f in $y; do echo \"[$f]\"; done; IFS=; z=\"p q\"; for f in $z; do echo \"{$f}\"; done; unset IFS; w=\"  s   t  \"; for f in $w; do echo \"($f)\"; done; IFS=:; set -- $x; echo $#"],
    ["\"$*\" joins with the first character of IFS", "set -- a b c; IFS=:; echo \"$*\"; IFS=; echo \"$*\"; unset IFS; echo \"$*\""],
    ["\"$@\" with no parameters is no field", "set --; for a in \"$@\"; do echo \"<$a>\"; done; set -- 'a b' c; for a in \"$@\"; do echo \"<$a>\"; done; echo \"x$@y\""],
  ]);
});

describe("builtins", () => {
  compareAll([
    ["trap on a signal, EXIT, listing and reset", "trap 'echo bye' EXIT; trap 'echo usr' USR1; trap; kill -USR1 $$; echo after; trap - USR1; trap"],
    ["trap '' ignores, trap SIG resets, numbers and bad names", "trap x BAD; echo rc=$?; trap '' INT; trap; trap INT; trap; trap 'echo t' 0 TERM; trap"],
    ["exit inside the EXIT trap sets the status", "trap 'echo bye; exit 3' EXIT; exit 5"],
    ["the EXIT trap runs after the last command", "f() { trap 'echo in' EXIT; }; f; echo x; false"],
    ["getopts with arguments, bundles, --, an illegal option", "while getopts ab:c o -a -b val -c -d -bx -- rest; do echo \"$o ${OPTARG-unset} $OPTIND\"; done; echo end $OPTIND"],
    ["getopts silent mode and OPTIND=1 to start again", "set -- -x -y arg; while getopts :xz: o; do echo \"$o ${OPTARG-u}\"; done; echo $OPTIND; OPTIND=1; getopts :z: o -z; echo \"$? $o $OPTARG\"; OPTIND=1; getopts a: o -a; echo \"$? $o\"; OPTIND=1; while getopts xy o -xy -x; do echo $o; done"],
    ["type and command", "type echo; type nosuch; echo $?; type ls >/dev/null; echo $?; f() { :; }; command -v f; command -v cd; f() { echo func; }; command echo notfunc; command -v nosuch; echo $?"],
    ["alias and unalias, from the next line on", "alias ll='echo listing'\nll a b\nalias say='echo said' e=echo\nsay x; e y\nalias ll\nunalias ll; ll; echo rc=$?\nll 2>/dev/null; echo rc=$?\nalias nope; echo rc=$?\nf() { say in function; }\nf\n"],
    ["functions and aliases in pipelines, $( ), subshells and background jobs", "f() { echo hi $1; }\nalias al='echo aliased'\nf a | cat\necho $(f b) $(al x)\n( f c; al y )\nf d &\nwait\nal z | cat\n"],
    ["subshells keep $$, $? and unexported variables", "echo $$ > p1; (echo $$) > p2; x=$(echo $$); [ \"$(cat p1)\" = \"$(cat p2)\" ] && [ \"$(cat p1)\" = \"$x\" ] && echo same\nfalse; echo $(echo $?); ( echo $? )\nv=1; export w=2; (sh -c 'echo [$v] [$w]'); echo $(echo $v)\n"],
    ["eval", "eval 'x=1; echo $x'; eval \"echo \\$x\"; eval 'for i in 1 2; do echo $i; done'"],
    ["exec 3>&1 then >&3, and 3>&-", "exec 3>&1; echo to3 >&3; exec 3>&-; echo closed >&3; echo rc=$?"],
    ["<> and n<&-", "echo abc > f; exec 4<>f; read x <&4; echo $x; exec 4<&-; cat <&4; echo rc=$?"],
    ["umask: octal, -S, symbolic, and what new files and directories get", "umask 022; umask; umask -S; umask 027; umask; touch um_f; mkdir um_d; ls -ld um_f um_d | cut -c1-10; rm -r um_f um_d; umask u=rwx,g=rx,o=; umask; umask g-x; umask -S; umask 8; echo rc=$?; sh -c umask"],
    ["local: dynamic scope, put back (or unset) at return, exported locals seen by children, not outside a function", "x=g; f() { local x; echo \"in:[$x]\"; x=l; local y=2; g2; }; g2() { echo \"g2 sees x=$x y=$y\"; }; f; echo \"out:[$x] [${y-unset}]\"; export e=1; h() { local e=2; sh -c 'echo child e=$e'; }; h; sh -c 'echo after e=$e'; r() { local n=$1; if [ $n -gt 0 ]; then r $((n - 1)); fi; echo n=$n; }; r 2; local z=1; echo rc=$?"],
    ["hash finds commands or fails", "hash ls cat; echo $?; hash nosuch; echo $?; hash -r; echo $?; hash echo; echo $?"],
    ["read -r, read and IFS", "printf 'a\\\\b c\\n' | { read -r x y; printf '%s|%s\\n' \"$x\" \"$y\"; }; printf 'a\\\\b c\\n' | { read x; echo \"$x\"; }; printf ' lead  trail \\n' | { read x; echo \"[$x]\"; }; printf 'a:b:c\\n' | { IFS=: read x y; echo \"$x|$y\"; }"],
  ]);
});

describe("fds a shell opened reach its children", () => {
  compareAll([
    ["exec 3<file, then a child shell reads <&3; exec 4>file and a child writes >&4; other commands still find their files", "echo hi > f; exec 3<f; sh -c 'cat <&3'; exec 4>g; sh -c 'echo to4 >&4'; cat g; ls f g; sh -c 'cat <&5' 2>/dev/null; echo $?"],
  ]);
});

describe("a command ended by a signal is reported by its name, non-interactive too (not INT or PIPE)", () => {
  compareAll([
    ["KILL, TERM, INT, PIPE", "(sh -c 'kill -9 $$'; echo $?; sh -c 'kill -TERM $$'; echo $?; sh -c 'kill -INT $$'; echo $?; sh -c 'kill -PIPE $$'; echo $?) 2>&1"],
  ]);
});

describe("set -v: the lines as read go to stderr (a script file and stdin, not -c, as in dash)", () => {
  const script = "printf 'set -v\\n# c\\necho a; echo b\\n\\nif true\\nthen echo c\\nfi\\ncat <<E\\nbody\\nE\\necho d\\n# end\\n' > v.sh; ";
  compareAll([
    ["a script file", script + "sh v.sh 2>&1"],
    ["stdin, and sh -v", script + "sh < v.sh 2>&1; sed 1d v.sh | sh -v 2>&1"],
    ["nothing for -c", "sh -v -c 'echo hi' 2>&1; sh -c 'set -v; echo two' 2>&1"],
  ]);
});

/** Runs script in wasmbox and in the host's bash (for what dash lacks): same stdout and status. */
async function sameAsBash(script: string) {
  const ours = await sh(bootKernel(rootfs), script);
  const host = spawnSync("bash", ["-c", script], { cwd: hostDir, encoding: "utf8", env: { PATH: "/usr/bin:/bin", HOME: "/root" } });
  expect({ stdout: ours.stdout, code: ours.exitCode }, ours.stderr).toEqual({ stdout: host.stdout, code: host.status });
}

describe("what dash lacks, against bash", () => {
  const cases: Cases = [
    ["fds above 9: exec 12>file, >&12, 12>&-, 15<file", "exec 12>f; echo x >&12; echo y 1>&12; exec 12>&-; cat f; echo z >&12 2>/dev/null || echo closed; exec 15<f; read a <&15; read b <&15; echo $a$b; { echo out; echo err >&2; } 2>&1 13>&1 >/dev/null 1>&13"],
    ["$LINENO inside sh -c (dash leaves it empty there)", "echo $LINENO\necho $LINENO\nf() {\n  echo $LINENO; }\nf"],
  ];
  for (const [name, script] of cases) it(name, async () => { await sameAsBash(script); });
});
