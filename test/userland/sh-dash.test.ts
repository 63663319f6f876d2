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

/** A shell function printing each argument in brackets: shows the fields a word expanded to. */
const ARGV = "argv() { for a in \"$@\"; do printf '[%s]' \"$a\"; done; echo; }; ";

describe("field splitting and quoting inside ${NAME-word}, $@ and $*", () => {
  compareAll([
    ["the word of ${u-word} keeps its quotes and is split where unquoted", ARGV + "argv 1 ${u:-\"2 3\" \"4 5\"} 6; argv 1${u:-\"2 3\" \"4 5\"}6; argv ${u:-a b c} ${u:-'a b c'} \"${u:-'b'}\" \"${u:-\"a b\"}\"; argv ${a:-${a:-\"1 2\" \"3 4\"}5 \"6 7\"}; var='a b c'; argv ${u:-A$var \" $var\"D E F}; IFS=_; argv 1${u:-\"2_3\"x_x\"4_5\"}6; IFS=x; v=; echo ${v:-AxBxC} \"${v:-AxBxC}\"x ${v:-\"AxBxC\"}x"],
    ["unquoted $@ and $* give a field per parameter, whatever IFS is", ARGV + "set -- 'a b' c ''; argv $* \"$*\" $@ \"$@\"; IFS=''; argv $* \"$*\" $@ \"$@\"; IFS=zx; argv $* \"$*\" $@ \"$@\"; IFS=:; set -- x 'y z'; argv $@ \"$*\""],
    ["an empty unquoted expansion is no field, IFS empty or not", ARGV + "x=; argv $x a $x; IFS=; argv $x b $x; set -- ''; argv $@ c $*"],
    ["$@ and $* where nothing is split join with IFS's first character", "set -- 'a b' c; s=$@; echo \"$s\"; IFS=:; s=$@; echo \"$s\"; s=\"$@\"; echo \"$s\"; s=$*; echo \"$s\"; cat <<E\n$@|$*\nE\n"],
    ["tilde prefixes in assignments, export and ${u-~}", "HOME=/home/bob; x=foo:~; echo $x; x=~:foo:~/b; echo $x; x='foo:~'; echo $x; x=foo:~,; echo $x; export v=~:~/a; echo $v; readonly r=~/src; echo $r; echo ${u:-~} \"${u:-~}\" ${u:-\"~\"} ${HOME:+~/z}; f() { local w=a:~; echo $w; }; f; a=~root; echo $a ~root/x"],
    ["export, readonly and local arguments are not split", "x='a  b'; export y=$x; echo \"$y\"; readonly z=$x; echo \"$z\"; f() { local w=$x; echo \"$w\"; }; f"],
    ["quotes and backslashes in case patterns and ${x%pattern}", "for w in \"it's\" 'a*b' 'x?'; do case $w in *\\'*) echo quote;; a\\**) echo star;; \"x?\") echo q;; esac; done; foo=\"'a b c d'\"; printf '[%s]' ${foo%d\\'} \"${foo#\\'a}\" \"${foo%'c d'\\'}\"; echo; p='*c'; v=abc; echo ${v%$p} ${v%\"$p\"}"],
    ["forms dash does not have are a bad substitution", "x=abc; echo ${x:1}; echo no"],
    ["${#x}, ${#@}, ${@}, ${*:-d}", "set -- a bb; x=hello; echo ${#x} ${#@} ${#*} ${#} \"${@}\" ${*:-d}; set --; echo ${*:-d} ${@-e}"],
  ]);
});

describe("echo as dash has it", () => {
  compareAll([
    ["only a first -n is an option; backslash sequences are always read", "echo \"a\\tb\\nc\\\\d\\e\\x41\\101\\0101\\01011\\c zz\"; echo -n x; echo -e y; echo -n -n z; echo -nn q; echo '\\v\\f\\r\\a\\b'; echo \"\\8\\9\\07\\08\\0\\q\\\\\"; echo '--' -n; echo '\\0777|\\0400|\\0377'; echo '\\1\\12\\123\\1234|\\'; echo 'a\\c' b; echo c"],
  ]);
});

describe("read as dash has it", () => {
  compareAll([
    ["splitting on IFS, the last name taking the rest less one trailing delimiter, backslashes, status 1 at end of input, bad use", "for inp in 'a:b:' 'a:b::' 'a:b' ' a : b : ' 'a::b' ':a' '' 'x'; do printf '%s\\n' \"$inp\" | { IFS=': '; read x y; printf '[%s][%s]' \"$x\" \"$y\"; }; printf '%s\\n' \"$inp\" | { IFS=':'; read x y z; printf '<%s><%s><%s>\\n' \"$x\" \"$y\" \"$z\"; }; done; printf 'a\\\\ b c\\\\\\\\d e\\\\\\n f\\n' | { read x y; printf '[%s][%s]\\n' \"$x\" \"$y\"; }; printf 'abc' | { read x; echo \"$? $x\"; }; read x < /dev/null; echo \"$? [$x]\"; read; echo $?; read -n 1 x; echo $?; echo ' a b ' | { read -r x; echo \"[$x]\"; }"],
    ["backslash-newline joins lines; -r keeps backslashes", "read x y <<'EOF'\none-\\\ntwo three-\\\nfour five\nEOF\nprintf '[%s][%s]\\n' \"$x\" \"$y\"; IFS=:; read a b c d <<'EOF'\n  \\\\a :b\\: c:d\\\n  e\nEOF\nprintf '[%s|%s|%s|%s]\\n' \"$a\" \"$b\" \"$c\" \"$d\"; read -r r <<'EOF'\na\\b\\\nEOF\necho \"$r\""],
  ]);
});

describe("command substitutions: backquotes and case inside $( )", () => {
  compareAll([
    ["a backslash in backquotes quotes only $ ` \\ (and \" in double quotes); nested backquotes", "echo 1 `echo $` 2 `echo \\$` 3 `echo \\\\$` 4 `echo \\\\\\$` 5 `echo \\\\\\\\$`; echo \"x `echo \\\"hi\\\"`\" `echo \\`echo nested\\``; echo [1 `echo \\ `] [2 `echo \\\\ `] [3 `echo \\\\\\\\ `]"],
    ["case ... esac with pattern parentheses inside $( )", "echo $(foo=a; case $foo in [0-9]) echo number;; [a-z]) echo letter ;; esac) $(case x in (x) echo px;; esac) \"$(case y in y|z) echo q;; esac)\" $(echo case; echo esac)"],
  ]);
});

describe("getopts as dash has it", () => {
  compareAll([
    ["OPTIND starts at 1 and is the next argument's index even inside a bundle", "echo $OPTIND; getopts ab opt -ab; echo $OPTIND $opt; getopts ab opt -ab; echo $OPTIND $opt; getopts ab opt -ab; echo $? $OPTIND $opt; OPTIND=1; getopts 'abc:' opt -abc10; echo $OPTIND $opt; getopts 'abc:' opt -abc10; getopts 'abc:' opt -abc10; echo $OPTIND $opt $OPTARG"],
    ["set -- and a changed spec start again; a word that is no option ends", "set -- -h -c foo x; while getopts hc: opt; do echo \"$opt ${OPTARG-}\"; done; echo $OPTIND; set --; getopts hc: opt; echo $? $OPTIND; set -- x -h; getopts h opt; echo $? $OPTIND; set -- -c -d -e E; while getopts cde: opt; do echo $opt; done; set -- -f; getopts f: opt 2>&1; echo \"$opt $OPTIND\""],
    ["a bad variable name, and OPTIND set to a bad number", "set -- -c foo; getopts 'hc:' opt-; echo status=$? OPTARG=$OPTARG OPTIND=$OPTIND; OPTIND=0; getopts a: foo; echo $?; OPTIND=-1; echo no"],
  ]);
});

describe("kill as dash has it", () => {
  compareAll([
    ["kill -l, bad signals, options and numbers: dash's messages and status 2", "kill -l 9; kill -l 130; kill -l 200; echo rc=$?; kill -l 0; echo rc=$?; kill -l EXIT; echo rc=$?; kill; echo rc=$?; kill -s; echo rc=$?; kill -9; echo rc=$?; kill -QUIT 999999; echo rc=$?; kill 0x; echo rc=$?; kill -n 9 1; echo rc=$?; kill -SigterM 1; echo rc=$?; kill -s 9999 1; echo rc=$?; kill -l | head -3; kill -l | tail -2"],
  ]);
});

describe("umask as dash has it", () => {
  compareAll([
    ["symbolic modes: who, several operators, copies, X, commas, only the first argument", "for m in u=, 'u=, g+, o-' a=X a-X g=u o+g u-w+x ug=rw,o= =r +x -x s a=rwxs ''; do umask 0246; umask \"$m\" 2>&1; echo \"$m $? $(umask)\"; done; umask 0124; umask a=X; umask"],
    ["octal masks keep nine bits; bad numbers, modes and options", "umask 1234567; umask; umask 8; echo $?; umask ' '; echo $?; umask -rwx; echo $?; umask -=+; echo $?; umask -S; umask 022; umask -S"],
  ]);
});

describe(". and function names as dash has them", () => {
  compareAll([
    [". looks for a name without / in PATH only (files, not directories); a directory reads as nothing", "mkdir -p dir/hello.sh pathdir; echo 'echo from-path' > pathdir/cmd; echo 'echo from-cwd' > cmd; PATH=\"$PWD/dir:$PWD/pathdir:$PATH\" . cmd; echo status=$?; . ./dir/; echo status=$?; . ./cmd; . nosuchfile; echo no"],
    ["a function name must be a name", "f-x() { echo f; }\necho no"],
    ["a function name with =", "echo a\nf=x() { echo f; }\necho no"],
  ]);
});

describe("syntax errors in dash's words", () => {
  const cases: Cases = [["fi", "fi"], ["if true; then echo; fi x", "if true; then echo; fi x"], ["echo a; ;", "echo a; ;"], ["if then fi", "if then fi"], ["( ; )", "( ; )"], ["for - in a; do :; done", "for - in a; do :; done"], ["echo \"abc", "echo \"abc"], ["echo $((1+2)", "echo $((1+2)"], ["case x in", "case x in"], ["case x in a) ;; b", "case x in a) ;; b"], ["while true; do :; done done", "while true; do :; done done"], ["{ }", "{ }"], ["echo `echo", "echo `echo"], ["echo a >", "echo a >"], ["case", "case"], ["for x in a b", "for x in a b"], ["&&", "&&"], ["echo |", "echo |"], ["a | | b", "a | | b"], ["if true; fi", "if true; fi"], ["echo )", "echo )"], ["until", "until"], ["f() foo", "f() foo"], ["echo $(echo", "echo $(echo"], ["echo \"$(echo", "echo \"$(echo"], ["echo `echo \"", "echo `echo \""], ["echo 'a", "echo 'a"], ["echo \"`a", "echo \"`a"]];
  compareAll(cases.map(([name, script]) => [name, `echo before\n${script}\necho after`]));
});

describe("aliases as dash expands them", () => {
  compareAll([
    ["a value ending in a blank makes the next word an alias too", "alias hi='echo hello world ' punct='!!!' one='ONE ' two='TWO ' e_='echo one '\nhi punct\ne_ two hello\nalias hi='echo hello world'\nhi punct\n"],
    ["an alias for a compound command's words, {, ( and a pipeline", "alias e_='for i in 1 2 3; do echo $i;' L='{' P='(' t1='echo hi | tr a-z A-Z' FOR1='for ' FOR2='FOR1 ' eye='i ' IN='in '\ne_ done\nL echo one; echo two; }\nP echo three )\nt1\nFOR2 eye IN 4 5; do echo $i; done\n"],
    ["an alias defined before a line that needs it to parse", "alias L='{'\nL echo one; }\necho after\nfi\n"],
  ]);
});

describe("cd as dash has it", () => {
  compareAll([
    ["-L -P --, CDPATH (printing the directory it chose), cd -, OLDPWD exported, chdir, dash's message", "cd /; cd /tmp; echo \"old: $OLDPWD\"; env | grep -c '^OLDPWD=/$'; cd - ; cd -- /; echo $PWD; mkdir -p /tmp/spam/foo /tmp/eggs/foo /tmp/eggs/bar; cd /tmp; CDPATH='/tmp/spam:/tmp/eggs'; cd foo; echo status=$?; pwd; cd bar; pwd; cd ./nosuch; echo $?; CDPATH=; cd /tmp/spam/foo/../..; pwd; cd -P /tmp; pwd; cd -L /; pwd; cd -x; echo $?; chdir /tmp; pwd; cd /nonexistent; echo $?"],
  ]);
});

describe("assignments that must not last", () => {
  compareAll([
    ["before a function or a regular builtin, for the command only (exported meanwhile); IFS starts set", "foo=bar true; echo foo=$foo; true() { echo true func $foo; }; foo=bar true; echo foo=$foo; f() { sh -c 'echo child $x'; }; x=1 f; echo x=${x-unset}; x=2; x=3 f; echo $x; IFS=: read a b <<E\n1:2\nE\necho \"$a $b [$IFS]\"; y=1 export z=2; echo $y $z; unset IFS"],
    ["words of a background job or pipeline stage expand in the child", "echo ${foo=1}; echo $foo; echo ${bar=2} & wait; echo ${bar-unset}; echo $((n=5)) | cat; echo ${n-unset}; ls ${d=/} > /dev/null & wait; echo ${d-unset}"],
  ]);
});

describe("assignment words as dash reads them", () => {
  compareAll([
    ["an external command's assignments see the ones before them", "FOO=foo BAR=\"[$FOO][$BAZ]\" BAZ=baz env | grep -E '^(FOO|BAR|BAZ)=' | sort; echo ${FOO-unset}"],
    ["export and readonly named by an expansion still take assignments whole", "words='a b c'; e=export; r=readonly; $e ex=$words; $r ro=$words; printf '[%s]' \"$ex\" \"$ro\"; echo"],
    ["local is a special builtin: its assignments stay and a failed redirection ends the shell", "f() { E=env local v=var; echo $E $v; local w=1 > /nonexistent/dir/x; echo no; }; f; echo no"],
  ]);
});

describe("trap and wait as dash checks their arguments", () => {
  compareAll([
    ["trap names in any case but without SIG; bad ones reported without the line", "trap - SIGINT; echo $?; trap 'echo x' int; echo $?; trap - INT; trap 'echo HUP' SIGHUP; echo $?; trap 'echo HUP' 1; echo $?; trap - -- INT; echo $?; trap 0 EXIT; echo $?"],
    ["trap -p is an illegal option (and trap is special)", "trap -p; echo no"],
    ["wait takes no options and pids as numbers", "wait -n; echo $?; wait zzz; echo $?; wait --all; echo $?; sleep 0 & wait $!; echo $?"],
  ]);
});

describe("set's odd arguments as dash reads them", () => {
  compareAll([
    ["a lone + is ignored, a lone - keeps the parameters, -o vi and emacs are accepted", "set +; echo plus \"$@\"; set -x + -v x y; case $- in *v*) echo v;; esac; echo plus \"$@\"; set +xv; set - +; echo \"$@\"; set + -; echo \"$@\"; set -o vi; echo $?; set -o emacs; echo $?; set -- a b; set -; echo $#"],
  ]);
});

describe("errors that end the shell, and return's number", () => {
  compareAll([
    ["an expansion error in a redirection's word", "echo hi > file$(( 42 / 0 )) in\necho inside=$?\n"],
    ["an expansion error in a case pattern", "case foo in\n  ( $(( 42 / 0 )) ) echo hi;;\nesac\necho inside=$?\n"],
    ["return keeps its number whole; a sign or a number past 2^31-1 is illegal", "f() { return $1; }; f 255; echo $?; f 256; echo $?; f 2147483647; echo $?; (f 2147483648); echo $?; f -1; echo no"],
  ]);
});

describe("finding commands as dash does", () => {
  compareAll([
    ["remembered until PATH changes or hash -r; a gone one searched for after its directory; files without x passed over or refused", "mkdir -p one two; PATH=\"$PWD/one:$PWD/two:$PATH\"; printf 'echo two\\n' > two/mycmd; chmod +x two/mycmd; mycmd; printf 'echo one\\n' > one/mycmd; chmod +x one/mycmd; mycmd; hash -r; mycmd; rm one/mycmd; mycmd; echo status=$?; PATH=$PATH; mycmd; printf 'echo n\\n' > one/nx; printf 'echo x\\n' > two/nx; chmod +x two/nx; nx; touch tf; ./tf; echo $?"],
    ["the old oils case: a remembered command deleted is not found", "mkdir -p one two; PATH=\"$PWD/one:$PWD/two:$PATH\"; printf 'echo two\\n' > two/mycmd; chmod +x two/mycmd; mycmd; printf 'echo one\\n' > one/mycmd; chmod +x one/mycmd; rm two/mycmd; mycmd; echo status=$?"],
  ]);
});

describe("set -e around compound commands, break outside loops, odd redirections", () => {
  compareAll([
    ["set -e spares a group whose and-or list stopped early", "set -e; { test no = yes && echo hi; }; echo status=$?; { false && true; true; }; echo b; if true; then false && true; fi; echo c; (false && true); echo d"],
    ["set -e still ends the shell at a failed subshell after such a list", "set -e; false && true; (exit 1); echo no"],
    ["break and continue outside a loop do nothing; break N stops at the loops there are; a function's break is not its caller's", "if true; then echo one; continue; echo two; fi; break; echo b=$?; for i in 1 2; do for j in a b; do echo $i$j; break 5; done; done; f() { break; echo inf; }; for i in 1 2; do f; echo $i; done; while true; do while true; do break 2; done; echo no; done; echo end"],
    ["n>&n is no change; unset of a bad name ends the shell", ": 3>&3; echo hello; unset %; echo no"],
    [">&WORD that is no number ends the shell", "echo one 1>&/tmp/x; echo status=$?"],
  ]);
});

describe("type, command -v and function names as dash has them", () => {
  compareAll([
    ["aliases and keywords described; type takes no options; command -v describes its first name", "alias ll='ls -l'\ntype ll while cd eval nosuch; echo $?; command -v ll while cd; echo $?; command -V ll while; type -v cd; f() { :; }; type f; command -v f"],
    ["no function may be named as a special builtin", "echo a\neval() { echo func; }\necho no"],
  ]);
});

describe("assignments beside a command, as dash orders them", () => {
  compareAll([
    ["an expansion error in an assignment before a command ends the shell", "abc=${a?bc} echo hello; echo blah"],
    ["without a command the redirection comes first: when it fails nothing is assigned", "abc=def > /does/not/exist1\necho abc=$abc\n"],
    ["exec's program gets the assignments before it; $* joins with an empty IFS for :+", "printf 'echo hello $BLAH\\n' > snork; chmod +x snork; sh -c 'BLAH=123 exec ./snork'; set -- '' ''; IFS=; echo argv=${*:+plus} argv=${*+plus} \"argv=${*:-minus}\""],
  ]);
});

describe("bracket expressions with character classes (case, pathname expansion, ${x%pattern})", () => {
  compareAll([
    ["classes, negation, a ] first, a - last, quoted members", "for w in a Z 5 ']' '-' x '!' ' ' '.'; do r=; case \"$w\" in [[:alpha:]]) r=alpha;; esac; case \"$w\" in []]) r=\"$r close\";; esac; case \"$w\" in [a-]) r=\"$r a-\";; esac; case \"$w\" in [!a-z]) r=\"$r notlower\";; esac; case \"$w\" in [[:punct:][:space:]]) r=\"$r punctspace\";; esac; case \"$w\" in [\\]]) r=\"$r esc\";; esac; echo \"$w:$r\"; done"],
    ["every class on one character of each kind", "for c in a Q 7 ' ' '\t' ';' '~'; do for k in alpha digit alnum upper lower space blank punct graph print cntrl xdigit; do case \"$c\" in [[:$k:]]) printf %s \"$k \";; esac; done; echo; done"],
    ["in pathname expansion and in trimming", "touch a1 b2 C3 _4; echo [[:upper:]]* *[[:digit:]] [![:lower:]]*; x=abc123; echo ${x%%[[:digit:]]*} ${x##*[[:alpha:]]}"],
  ]);
});

describe("test with one argument, test -t, printf's empty numbers and $PPID, as dash has them", () => {
  compareAll([
    ["one argument is true when not empty, even an operator or a parenthesis", "[ = ]; echo $?; [ ] ]; echo $?; [ '!' ]; echo $?; [ '(' ]; echo $?; [ ')' ]; echo $?; [ -n ]; echo $?; [ '' ]; echo $?; test '('; echo $?"],
    ["-t with a word that is not a number is an error", "[ -t invalid ]; echo $?; [ -t 99 ]; echo $?; [ -t ' 1' ]; echo $?"],
    ["an empty argument to a number conversion is 0, without an error", "printf '%d|%x|%o|%u|%f|%s|\\n' '' '' '' '' '' ''; echo $?"],
    ["$PPID is a number, the same in child shells, not taken from the environment", "echo $PPID | grep -c '^[0-9][0-9]*$'; a=$PPID; (test \"$PPID\" = \"$a\" && echo same); echo $(test \"$PPID\" = \"$a\" && echo same); PPID=xx sh -c 'echo $PPID' | grep -c xx"],
  ]);
});

describe("a backslash-newline inside a parameter expansion, as dash reads it", () => {
  compareAll([
    ["$\\<newline>? is $?, and ${ } may be split the same way, quoted or not (not in single quotes)", "echo $\\\n?; echo ${\\\nx-y} ${x\\\n-z} \"$\\\n?\" '$\\\n?'; x=1; echo \"${x\\\n}\" ${x:-\\\n'q\\\nr'}"],
  ]);
});

describe("test's errors in dash's words, with the line", () => {
  compareAll([
    ["numbers, a missing ] or ), an unknown unary operator", "[ abc -eq 1 ]; echo $?; [ '' -lt 1 ]; echo $?; [ 1 -eq 1 -a x -lt 2 ]; echo $?; [ 1 -eq 1; echo $?; [ \\( 1 ]; echo $?; [ -q x ]; echo $?; test 1 -gt 2x; echo $?"],
    ["numbers past 64 bits are errors, leading zeros and signs are not", "for n in 99999999999999999999 9223372036854775807 9223372036854775808 -9223372036854775809 007 -0 +5 ' 12' -00; do [ 1 = 1 -a $n -gt 1 ]; echo \"$n $?\"; [ $n -gt 1 ]; echo $?; done"],
  ]);
});

describe("printf's errors with the line, and its options, as dash has them", () => {
  compareAll([
    ["bad directives and numbers, no format, an option", "printf '%q\\n' x; echo $?; printf '%d\\n' abc; echo $?; printf '%d\\n' 3x; echo $?; printf; echo $?; printf '%*d\\n' a 1; echo $?; printf -v x y; echo $?; printf -- '%s\\n' a; printf -; echo; printf -5; echo $?"],
  ]);
});

describe("read's last variable: a trailing delimiter goes only when the rest is one field, as in dash", () => {
  compareAll([
    ["IFS of x and space, of : and space, with escapes", "IFS='x '; echo 'a ax  x  ' | (read a b; echo \"[$a][$b]\"); echo 'a ax  x  x' | (read a b; echo \"[$a][$b]\"); IFS=': '; for s in 'a:b:' 'a:b::' 'a:b: ' 'a b:' 'a b c:' 'a b:c:' 'a b\\\\:c:' 'a bc: ' 'a :' 'a b\\\\ :'; do printf '%s\\n' \"$s\" | (read a b; echo \"[$a][$b]\"); done"],
  ]);
});

describe("tildes in the word of ${x-word} inside an assignment, as dash expands them", () => {
  compareAll([
    ["after a : only in an assignment, not quoted, not in other words", "HOME=/h; echo ${u-~:~} ${u-~/a:~}; case ${u-~:~} in *) echo ${u-~:~};; esac; x=${u-~:~}; echo $x; export y=${u-~:~}; echo $y; x=\"${u-~:~}\"; echo $x; x=${u-a:~}; echo $x;  x=${u-a:\"~\"}; echo $x; x=${u+~:~}; echo $x; u=1; x=${u+~:~}; echo $x; x=~:${undef-~:~}; echo $x; x=${u-$(echo ~)}; echo $x"],
  ]);
});
