// xargs, find and awk in the kernel, each script run by the host's sh with its findutils and
// awk and by wasmbox in an identical fresh directory: the outputs and statuses must be the same.
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

async function inKernel(script: string, stdin: string) {
  const dir = `/tmp/case${counter++}`;
  kernel.fs.mkdir(dir, { recursive: true });
  const r = await sh(kernel, script, { cwd: dir, stdin });
  return { stdout: r.stdout, code: r.exitCode, stderr: r.stderr };
}

/** Runs script on both sides and expects equal output and status (and some output). */
async function same(script: string, stdin = "") {
  const want = onHost(script, stdin);
  const got = await inKernel(script, stdin);
  expect({ stdout: got.stdout, code: got.code }, got.stderr).toEqual(want);
  return got;
}

const TREE = "mkdir -p t/a/b t/c && echo hello > t/a/f.txt && echo x > t/a/b/g.TXT && seq 2000 > t/big && touch t/c/empty && ln -s a t/link; ";

describe("xargs", () => {
  const cases: Array<[string, string, string]> = [
    ["-n1 (the old failure)", "xargs -n1 echo", "a b  c\nd\n"],
    ["-n 2 and default echo", "xargs -n 2", "1 2 3 4 5\n"],
    ["-I{} per line", "xargs -I{} echo 'item [{}]'", "one two\n  three\n"],
    ["-0 with spaces", "printf 'a b\\0c\\0' | xargs -0 -n1 echo", ""],
    ["-L 2", "xargs -L 2 echo", "a b\nc\nd e f\n"],
    ["-r with no input", "xargs -r echo never; echo status $?", ""],
    ["no -r runs once", "xargs echo once", ""],
    ["quotes and backslashes", "xargs -n1 echo", "'a b' \"c d\" e\\ f\n"],
    ["exit 123 when a command fails", "xargs -n1 sh -c 'test $0 != b'; echo $?", "a b c\n"],
    ["-P 3 runs them all", "xargs -P 3 -n 1 echo | sort", "3 1 2 5 4\n"],
    ["-d ,", "printf 'x,y,z' | xargs -d , -n 1 echo", ""],
    ["-t traces to stderr", "xargs -t -n 2 echo 2>/dev/null", "p q r\n"],
    ["-I with a replacement over twice the argument's length", "xargs -I X echo X-X-X", "a b\nlonger line\n"],
    ["GNU's long options", "xargs --max-args=2 --no-run-if-empty --verbose echo 2>&1", "a b c\n"],
    ["-a FILE, and -i, -l, -e with their values attached", "printf 'p q\\nr\\n' > f; xargs -a f -l echo; echo 'x y' | xargs -ifoo echo foo-foo; echo 'a b _ c' | xargs -e_ echo; echo 'a _ b' | xargs -e echo", ""],
    ["bad counts and options: GNU's messages, status 1", "xargs -n 0 echo 2>&1; echo $?; xargs -L x 2>&1; echo $?; xargs --bogus 2>&1; echo $?; xargs -a nosuch echo 2>&1 | sed 's/[^a-z ].nosuch.//'; echo $?", ""],
    ["an unmatched quote: the words before it run, status 1", "xargs echo 2>/dev/null; echo $?", "a 'b\n"],
    ["status 255 and a signal name the command", "xargs sh -c 'exit 255' 2>&1; echo $?; echo x | xargs sh -c 'kill -9 $$' 2>&1; echo $?", "a\n"],
  ];
  for (const [name, script, stdin] of cases) it(name, async () => { await same(script, stdin); });
});

describe("find", () => {
  const cases: Array<[string, string]> = [
    ["-name -type", "find t -name '*.txt' -type f"],
    ["-iname", "find t -iname '*.txt' | sort"],
    ["-path", "find t -path '*/a/*' | sort"],
    ["-maxdepth -mindepth", "find t -mindepth 1 -maxdepth 1 | sort"],
    ["-type d and l", "find t -type d | sort; find t -type l"],
    ["! and -o with parentheses", "find t \\( -name big -o -name empty \\) -print | sort; find t/a ! -type d | sort"],
    ["-prune", "find t -name a -prune -o -type f -print | sort"],
    ["-exec ;", "find t -name '*.txt' -exec echo found {} \\;"],
    ["-exec with {} more than once in an argument", "find t -name big -exec echo {}-{}-{} \\;"],
    ["-exec +", "find t -type f -exec echo {} + | tr ' ' '\\n' | sort"],
    ["-print0 | xargs -0", "find t -type f -print0 | xargs -0 wc -c | sort"],
    ["-size", "find t -type f -size +2k; find t -type f -size -1k | sort; find t -size 0 -type f; find t -type f -size 4001c"],
    ["-empty", "find t -empty | sort"],
    ["-newer and -mtime", "touch -d @0 t/c/empty 2>/dev/null || true; find t -type f -mtime -1 | sort; find t -type f -newer t/c/empty | sort"],
    ["-delete", "find t -name '*.txt' -delete; find t -type f | sort"],
    ["-regex", "find t -regex '.*/[fg]\\..*' | sort"],
    ["unknown predicate", "find t -bogus"],
    ["-perm (exact, -all, /any, symbolic), -user, -group, -uid, -readable, -executable", "chmod 755 t/big; find t -perm 755 -type f; find t -perm -u+x -type f; find t -perm /o+w | sort; find t -perm -644 -type f | sort; find t -user root -name big; find t -group root -name big; find t -uid 0 -name big; find t -readable -name big; find t -executable -type f; find t -nouser"],
    ["-printf's directives, widths and precision", "chmod 640 t/a/f.txt; find t -printf '%m %#m %M %u %g %U %n %y %Y %p %f %P %H %h %l|%-6f|%.3p|\\n' | sort; find t -type f -printf '%6s|%d %k\\n' | sort"],
    ["-printf's times and an unknown directive", "touch -d '2020-01-02 03:04:05' t/big; find t/big -printf '%TY-%Tm-%Td %TH:%TM %Tk %Ta|%T@|%t|%T+\\n' | sed 's/[.][0-9]*/.N/g'; find t/big -printf '%z %w\\n' 2>&1"],
    ["-ls as GNU find shows it", "touch -d '2020-01-02 03:04:05' t/a/f.txt t/link; find t/a/f.txt t/link -ls | sed 's/^ *[0-9]* *[0-9]* //'"],
    ["-newermt and -samefile", "touch -d 2020-01-02 t/c/empty; find t -type f -newermt 2021-01-01 | sort; find t -samefile t/big; find t -newermt 'never' 2>&1"],
    ["bad arguments: GNU's messages", "find t -maxdepth 2>&1; find t -maxdepth x 2>&1; find t -foo 2>&1; find t -size 3x 2>&1; find t -mtime x 2>&1; find t -name f x 2>&1; find t -perm 9 2>&1; find t -user nosuch 2>&1; find t -group nosuch 2>&1; find t -name x \\) 2>&1; echo $?"],
    ["missing path", "find nowhere; echo $?"],
  ];
  for (const [name, script] of cases) it(name, async () => { await same(TREE + script); });
});

const DATA = "alice 30 nyc\nbob 25 sf\ncarol 35 nyc\ndave 40 la\neve 28 sf\n";

describe("awk", () => {
  // POSIX: a field past NF has the uninitialized value, both "" and 0 (gawk's documented behaviour;
  // mawk compares it as a string only, so $4 == 0 is false there): checked against the text, not the host.
  it("a field past NF is the uninitialized value: equal to 0 and to \"\"", async () => {
    const r = await inKernel("echo 'a b c' | awk '$4 == 0 { print \"num\" } $4 == \"\" { print \"str\" } $4 < 1 { print \"lt\" } { if (!$4) print \"false\"; x = $4; if (x == 0 && x == \"\") print \"both\"; print length($4), NF }'", "");
    expect(r.stdout).toBe("num\nstr\nlt\nfalse\nboth\n0 3\n");
  });
  const cases: Array<[string, string]> = [
    ["sum a column", "awk '{ s += $2 } END { print s, NR, s / NR }'"],
    ["a field compared with a constant: numbers, strings, a field that is not a number", "awk '$2 > 30 { a++ } $1 == \"bob\" { b++ } $1 < \"c\" { c++ } $1 != 5 { d++ } $1 > 5 { e++ } END { print a, b, c, d, e }'"],
    ["op= in place with $N read before any split: short and blank records, tabs, non-numbers, NF, $0 replaced", "printf '1 2 3\\n  4\\t5   6  \\n7 8\\n\\n a b c d\\n1e3 -5 +3.5\\nx y 12abc\\n' | awk '{ s += $3; p -= $2; m *= 2; m += $1; d /= 2; q %= 5; q += $3 } NR == 2 { $0 = \"100 200 300\"; s += $3 } { n += NF; t = s } END { print s, p, m, d, q, n, t }'"],
    ["counters changed in place stay apart from their copies", "awk '{ n++; c += $2 } NR == 1 { first = n; f = c } END { x = 1; y = x; x++; x++; y2 = x; x += 5; a[1] = x; x--; print n, c, first, f, x, y, y2, a[1] }'"],
    ["a function changing a global while a comparison holds it", "awk 'function g() { cnt++; return cnt } BEGIN { cnt = 5; cnt++; print (cnt < g()), cnt; printf \"%d %d\\n\", cnt, g() }'"],
    ["-F and -v", "awk -F' ' -v min=29 '$2 > min { print $1 }'"],
    ["regex patterns and ranges", "awk '/^b/,/^d/ { print NR \": \" $1 }'"],
    ["arrays and for-in with sort", "awk '{ n[$3]++; t[$3] += $2 } END { for (c in n) print c, n[c], t[c] }' | sort"],
    ["in and delete", "awk '{ a[$1] } END { delete a[\"bob\"]; print (\"bob\" in a), (\"eve\" in a), length(a) }'"],
    ["functions with recursion and array params", "awk 'function fact(n) { return n <= 1 ? 1 : n * fact(n - 1) } function fill(arr, k) { arr[k] = k * 2 } BEGIN { print fact(10); fill(x, 3); print x[3] }'"],
    ["printf and sprintf", "awk '{ printf \"%-6s|%5.1f|%03d|%x|%c|%e\\n\", $1, $2 / 3, NR, $2, 65 + NR, $2 * 1000 } END { s = sprintf(\"%s-%d\", \"z\", 7.9); print s }'"],
    ["string functions", "awk 'BEGIN { s = \"hello world\"; print length(s), substr(s, 7), substr(s, 2, 3), index(s, \"o w\"), toupper(s), tolower(\"ABC\") }'"],
    ["sub gsub & and \\\\&", "awk '{ gsub(/[aeiou]/, \"<&>\"); sub(/>/, \"\\\\&\"); print }'"],
    ["split and match", "awk 'BEGIN { n = split(\"a:b::c\", p, \":\"); print n, p[1], p[4]; n = split(\"x1y22z\", q, /[0-9]+/); print n, q[3]; print match(\"foobar\", /o+b/), RSTART, RLENGTH }'"],
    ["field assignment, NF and $0", "awk '{ $2 = \"X\"; print; print NF } NR == 2 { NF = 1; print; $5 = \"e\"; print; print NF }'"],
    ["OFS ORS", "awk 'BEGIN { OFS = \"-\"; ORS = \"|\\n\" } { $1 = $1; print }'"],
    ["getline forms", "printf 'l1\\nl2\\n' > f; awk 'BEGIN { while ((getline line < \"f\") > 0) n++; print n, NR; getline < \"f\"; print $0, NR } NR == 1 { getline; print \"now\", $1, NR } NR == 3 { getline x; print x, NR } END { \"echo piped\" | getline v; print v; close(\"echo piped\") }'"],
    ["print to pipe and file", "awk '{ print $2 | \"sort -n\"; print $1 > \"names\" } END { close(\"sort -n\"); print \"done\" }'; cat names"],
    ["next and exit", "awk 'NR == 2 { next } NR == 4 { exit 3 } { print } END { print \"end\" }'; echo $?"],
    ["comparisons: strnum fields and strings", "awk '{ print ($2 < 100), ($1 < \"c\"), ($2 == \"25\"), (\"10\" < \"9\") }'"],
    ["uninitialized and arithmetic", "awk 'BEGIN { print x + 0, x \"\", length(x); print 2 ^ 10, -2 ^ 2, 7 % 3, int(-3.7), 1 / 4, 1e6, 0.1 + 0.2 }'"],
    ["increment and assignment ops", "awk 'BEGIN { i = 5; print i++ + ++i, i; i *= 2; i -= 1; i /= 3; i %= 2; print i; a[\"k\"]++; a[\"k\"] += 2; print a[\"k\"] }'"],
    ["while do for break continue", "awk 'BEGIN { while (i < 10) { i++; if (i == 3) continue; if (i == 6) break; printf \"%d \", i }; do { j++ } while (j < 5); for (k = 0; k < 3; k++) ; print j, k }'"],
    ["ternary, logic, regex match ops", "awk '{ print ($2 > 30 ? \"old\" : \"young\"), ($3 ~ /^n/ && $2 < 35), ($1 !~ \"a\") }'"],
    ["multidimensional subscripts", "awk '{ g[$3, $1] = $2 } END { for (k in g) { split(k, p, SUBSEP); print p[1], p[2], g[k] } }' | sort"],
    ["-f program file and ARGV", "printf 'BEGIN { for (i = 0; i < ARGC; i++) if (i > 0) print ARGV[i] }\\n' > p.awk; awk -f p.awk one two"],
    ["FS regex and tab", "printf 'a,b;c\\n' | awk -F'[,;]' '{ print $3, $1 }'; printf 'x\\ty z\\n' | awk -F'\\t' '{ print $2 }'"],
    ["command-line assignment between files", "echo 1 > f1; echo 2 > f2; awk '{ print v, $0, FILENAME, FNR }' v=a f1 v=b f2"],
    ["paragraph mode RS", "printf 'a b\\nc\\n\\n\\nd e\\n' | awk 'BEGIN { RS = \"\" } { print NR \": \" $1 \"/\" $NF \"/\" NF }'"],
    ["system and its status", "awk 'BEGIN { r = system(\"exit 3\"); print \"status\", r }'"],
    ["syntax error", "awk 'BEGIN { print ( }' 2>/dev/null; echo $?"],
    ["FS assigned in an action splits from the next record on", "printf 'a:b\\nc:d\\n' | awk '{ FS = \":\"; print $1 }'; echo 'x:y' | awk '{ FS = \":\"; $0 = $0; print $1 }'"],
    ["printf and sprintf short of arguments: status 2, what came before printed", "awk 'BEGIN { printf \"%s %s %s\\n\", \"a\", \"b\" }' 2>/dev/null; echo $?; awk 'BEGIN { x = sprintf(\"%d %d\", 1); print \"never\" }' 2>/dev/null; echo $?"],
    ["a missing input file: status 2", "awk '{ print }' nosuch 2>/dev/null; echo $?"],
  ];
  for (const [name, script] of cases) it(name, async () => { await same(script, DATA); });
});

const FILES = "printf 'apple 1\\nbanana 2\\ncherry 3\\ndate 4\\n' > a; printf 'banana x\\ncherry y\\nelder z\\n' > b; seq 1 40 > n; ";

describe("line tools", () => {
  const cases: Array<[string, string]> = [
    ["tac and rev", "tac a; printf 'x\\ny' | tac; echo; rev a"],
    ["paste", "paste a b; paste -d, a b; paste -s -d: n; cut -c1 a | paste - -"],
    ["comm", "cut -d' ' -f1 a > a1; cut -d' ' -f1 b > b1; comm a1 b1; comm -12 a1 b1; comm -3 a1 b1"],
    ["join", "join a b; join -a 1 a b; join -v 2 a b; join -o 1.2,2.2,0 a b; join -t ' ' -1 1 -2 1 a b"],
    ["nl", "printf 'a\\n\\nb\\n' > e; nl e; nl -b a e; nl -n ln -w 3 -s ': ' e; nl -n rz -v 9 e"],
    ["fold", "printf 'The quick brown fox jumps over the lazy dog again and again\\n' > q; fold -w 10 q; fold -s -w 12 q; fold -w 7 -b q"],
    ["split -l and -b", "split -l 15 n; wc -l xaa xab xac; split -b 20 -d -a 3 n p; ls p*; cat p000"],
    ["shuf is a permutation", "shuf n | sort -n | md5sum; shuf -i 1-10 | sort -n | tr '\\n' ' '; shuf -e a b c | sort; shuf -n 3 n | wc -l"],
    ["sort keys: F.C positions, per-key flags, several keys, -b, -d, -f with -u, global flags in clusters", "printf 'b 2\\na 10\\nc 1\\n' > s; sort -k2n s; sort -k2,2nr s; sort -k1.2 a; sort -k1.1,1.1 -k2,2n s; sort -t' ' -k2 -n s; sort -nk2 s; sort -rk2n s; printf 'a 1\\nA 1\\nb 2\\n' | sort -f -k1,1 -u; printf 'x  3\\nx 2\\n' | sort -b -k2; printf 'x  3\\nx 2\\n' | sort -k2b; printf 'b!a\\nb a\\nba\\n' | sort -d; printf 'Z\\na\\nB\\n' | sort -fr"],
    ["sort -g -h -V -M -R -z -m, -c/-C and GNU's errors", "printf 'v1.10\\nv1.9\\nv1.2\\nv1.2a\\nv1~rc\\n' | sort -V; printf '1.5K\\n1M\\n900\\n-2K\\n0\\n' | sort -h; printf 'nan\\n1e3\\n-inf\\n2\\nabc\\n' | sort -g; printf 'Jan\\nMar\\nFeb\\nxyz\\n' | sort -M; printf 'a\\nb\\na\\n' | sort -R | sort | uniq -c; printf 'b\\0a\\0' | sort -z | tr '\\0' '|'; echo; sort -m a b | head -3; printf '1\\n3\\n2\\n' | sort -c 2>&1; echo $?; printf '1\\n1\\n' | sort -cu 2>&1; echo $?; printf '1\\n3\\n2\\n' | sort -C; echo $?; sort nosuch 2>&1; echo $?; sort -k 0 a 2>&1; echo $?; sort -t ab a 2>&1; echo $?; sort --bogus 2>&1; echo $?; sort -k1x a 2>&1; echo $?"],
    ["comm and join check the order as GNU's do (status 1 once unsorted lines went unpaired)", "printf 'b\\na\\n' > u; comm u a 2>&1; echo $?; comm --nocheck-order u a; echo $?; comm --check-order u a 2>&1; echo $?; printf 'b 1\\na 2\\n' > v; join v a 2>&1; echo $?; join --nocheck-order v a; echo $?; join --check-order v a 2>&1; echo $?; comm a b > /dev/null; echo $?"],
    ["comm --output-delimiter, --total, -z; join --header, -z; paste -z", "comm --output-delimiter=, a b; comm --total -12 a b; comm -z a b | tr '\\0' '|'; echo; printf 'k v\\nz 1\\n' > h1; printf 'k w\\nz 2\\n' > h2; join --header h1 h2; join --header a b; printf 'a 1\\0b 2\\0' > z1; printf 'a x\\0' > z2; join -z z1 z2 | tr '\\0' '|'; echo; paste -z z1 z2 | tr '\\0' '|'; echo"],
    ["nl -b pREGEX, sections (-h -f -d -p), -l", "nl -bpb a; nl -d: a; printf 'a\\n\\n\\n\\nb\\n\\n\\n' | nl -l 2 -ba; printf '\\\\:\\\\:\\\\:\\nh\\n\\\\:\\\\:\\nb1\\nb2\\n\\\\:\\nf\\n' | nl -ha -fa; printf '\\\\:\\\\:\\nb1\\n\\\\:\\\\:\\nb2\\n' | nl -p; nl -b x a 2>&1; nl -n xx a 2>&1; echo $?"],
    ["split -n N, l/N, K/N, -C, --additional-suffix, --numeric-suffixes=N, -x, -e, --verbose", "split -n 2 a p; cat paa; echo; split -n l/3 a l; for f in l*; do echo \"$f: $(tr '\\n' ' ' < $f)\"; done; split -n 2/3 a; echo; split -C 12 a c; ls c*; split -b 10 --additional-suffix=.txt a s; ls s*; split --numeric-suffixes=5 -l 2 a r; ls r*; split -x -l 1 n h; ls h* | tail -2; split -e -n 50 b f; ls f* | wc -l; split --verbose -l 2 a v; split nosuch 2>&1; split -l 0 a 2>&1; echo $?"],
    ["csplit -b, shuf -z -o -e -i and its errors, timeout -v and bad usage", "csplit -f pre -b '%02d.txt' a 3; ls pre*; csplit -b '%03x' a 2; ls xx*; csplit -b x a 2 2>&1; shuf -z -e a b | tr '\\0' '\\n' | sort; shuf -o out -e a b; sort out; shuf -e a -n 1 b | wc -l; shuf -i 5-1 2>&1; shuf a b 2>&1; echo $?; timeout -v 0.1 sleep 1 2>&1; echo $?; timeout 2>&1; echo $?; timeout -s FOO 1 true 2>&1; echo $?; timeout --bogus 1 true 2>&1; echo $?"],
    ["cmp", "cp a c; cmp a c; echo $?; cmp a b; echo $?; cmp -s a b; echo $?; printf 'apple 1\\nbanana 3\\n' > d; cmp -l a d 2>/dev/null; echo $?"],
    ["cmp -l's offsets as wide as the shorter file's length; -b names the bytes", "seq 1000 > c7; seq 1000 | sed 's/999/99x/' > c8; cmp -l c7 c8; cmp -l a b | head -3; cmp -lb a b | head -2; cmp -b a b; printf 'a\\001\\377\\177' > x; printf 'a\\002\\376 ' > y; cmp -lb x y; cmp -b x y"],
    ["cmp -n, -i and skip operands, long options, bad usage (status 2)", "cmp a b -n 2; echo $?; cmp --bytes=2 a b; echo $?; cmp -i 2:3 a b; echo $?; cmp a b 1 2; echo $?; cmp --ignore-initial=1k a b; echo $?; cmp -l -s a b 2>&1; echo $?; cmp -i x a b 2>&1; echo $?; cmp --bogus a b 2>&1; echo $?"],
    ["cmp's EOF message: after a newline, inside a line, with -l", "printf 'a\\nb\\n' > c1; printf 'a\\nb\\nc\\n' > c2; printf 'a\\nb' > c3; cmp c1 c2 2>&1; cmp -l c1 c2 2>&1; cmp c3 c2 2>&1; echo $?"],
  ];
  for (const [name, script] of cases) it(name, async () => { await same(FILES + script); });
});

describe("sed blocks, hold space, branches and multiline commands", () => {
  const cases: Array<[string, string]> = [
    ["{ } with an address, and q inside", "printf 'a\\nb\\nc\\n' | sed -n '/b/{p;q}'; seq 3 | sed -n '2{=;p}'; seq 5 | sed '2,4{s/^/>/;/3/d}'"],
    ["hold space: tac with 1!G;h;$p, x and H", "seq 5 | sed -n '1!G;h;$p'; seq 4 | sed '$!{h;d};x;G'; seq 3 | sed -n 'H;${x;s/\\n/,/g;p}'"],
    ["labels: join all lines with :a;N;$!ba", "printf 'a\\nb\\nc\\n' | sed ':a;N;$!ba;s/\\n/,/g'"],
    ["t and T branch on a replacement", "printf 'x1\\ny\\nx2\\n' | sed -n 's/x/X/;t done;p;b;:done;s/$/!/p'; echo 'a b' | sed 's/a/A/;T;s/b/B/'; echo 'c b' | sed 's/a/A/;T;s/b/B/'"],
    ["N, P and D as a sliding window; Q", "seq 6 | sed 'N;P;D'; seq 5 | sed '$!N;s/\\n/-/'; seq 3 | sed '2Q'"],
    ["unmatched braces and missing labels fail", "seq 2 | sed '{p'; echo $?; seq 2 | sed 'p}'; echo $?; seq 2 | sed 'b nowhere'; echo $?"],
  ];
  for (const [name, script] of cases) it(name, async () => { await same(script); });
});

describe("sed files, l and =", () => {
  const cases: Array<[string, string]> = [
    ["r FILE appends a file after the cycle; a missing file adds nothing", "echo R1 > r; seq 3 | sed '2r r'; seq 2 | sed 'r nothing'; seq 3 | sed -n '$r r'"],
    ["w FILE and s///w write the selected lines", "seq 6 | sed -n -e '/[24]/w even' -e 's/5/five/w subs'; cat even subs; seq 2 | sed 'w /dev/stdout'"],
    ["w files are created even when nothing is written", "seq 2 | sed -n '/x/w none'; wc -c < none"],
    ["l escapes and wraps at 70; l N wraps at N", "printf 'a\\tb\\\\c\\001\\200\\n' | sed -n l; seq -s x 60 | sed -n l; echo abcdef | sed -n 'l 3'; echo abc | sed -n 'l 0'"],
    ["a last line without a newline is printed without one, the newline written before anything after it", "printf 'a\\nb' | sed 's/a/x/' | od -c; printf 'a' | sed p | od -c; printf 'a' | sed -n '$p;$=' | od -c; printf 'a\\nb' | sed '$a x' | od -c; printf 'a\\nb' | sed N | od -c; printf a > f1; printf b > f2; sed p f1 f2 | od -c; printf a > f; sed -i s/a/b/ f; od -c f"],
    ["= prints line numbers", "printf 'a\nb\nc\n' | sed -n '$='; seq 3 | sed '2='"],
  ];
  for (const [name, script] of cases) it(name, async () => { await same(script); });
});

describe("diff and patch", () => {
  const edit = "seq 1 30 > old; seq 1 30 | sed -e 's/^5$/five/' -e '12d' -e '20a\\\nextra' -e 's/^28$/XX/' > new; ";
  const cases: Array<[string, string]> = [
    ["normal output", "diff old new; echo $?"],
    ["unified output", "diff -u old new | tail -n +3; diff -U 1 old new | tail -n +3"],
    ["identical files", "diff old old; echo $?; diff -u old old; echo $?"],
    ["-q and missing file", "diff -q old new; echo $?; diff old nothing 2>/dev/null; echo $?"],
    ["no newline at end", "printf 'a\\nb' > x; printf 'a\\nc\\n' > y; diff x y; diff -u x y | tail -n +3"],
    ["added and deleted at the edges", "printf 'a\\nb\\n' > x; printf 'z\\na\\nb\\nc\\n' > y; diff x y; diff -u y x | tail -n +3; : > empty; diff empty x; diff -u x empty | tail -n +3"],
    ["-i -w -b -B", "printf 'Hello  World\\n\\nend\\n' > x; printf 'hello world\\nend\\n' > y; diff -i x y; echo $?; diff -i -b -B x y; echo $?; diff -w -i -B x y; echo $?"],
    ["-r on directories", "mkdir -p d1/s d2/s; echo 1 > d1/f; echo 2 > d2/f; echo o > d1/only; echo same > d1/s/g; echo same > d2/s/g; diff -r d1 d2; echo $?"],
    ["context format (-c, -C N): changes, additions and deletions at the edges", "printf 'x\\ny\\n' > c3; : > c4; diff -c old new | tail -n +3; diff -C 1 old new | tail -n +3; diff -c c4 c3 | tail -n +3; diff -c c3 c4 | tail -n +3; printf 'x\\nz' > c6; diff -c c3 c6 | tail -n +3; echo $?"],
    ["ed script (-e)", "printf 'x\\ny\\n' > c3; : > c4; diff -e old new; diff -e c4 c3; diff -e c3 c4; echo $?"],
    ["-s reports identical files; conflicting styles and unknown options are errors (status 2)", "diff -s old old; echo $?; diff -u -c old new 2>&1; echo $?; diff --bogus old new 2>&1; echo $?"],
    ["a file and a directory: the directory's file of that name", "mkdir d; cp new d/old; diff old d; echo $?; diff d old > /dev/null; echo $?; diff old . ; echo $?; diff new d 2>&1; echo $?"],
    ["patch applies a unified diff", "diff -u old new > p.diff; cp old work; patch work < p.diff; cmp work new && echo same"],
    ["patch -R and -p1 with offsets", "mkdir -p a1 b1; cp old a1/f; cp new b1/f; diff -u a1/f b1/f > p.diff; mkdir t; (echo header; cat new) > t/f; cd t && patch -p1 -R < ../p.diff && (echo header; cat ../old) | cmp - f && echo reverted"],
    ["patch applies a normal diff to the named file, and -R reverts it", "diff old new > p.diff; cp old work; patch work p.diff; cmp work new && echo same; patch -R work < p.diff; cmp work old && echo back; printf 'a\\nb' > x; printf 'a\\nc' > y; diff x y > q; patch x q; cmp x y && echo last-line"],
    ["patch failure", "printf 'x\\n' > work; diff -u old new > p.diff; patch work < p.diff; echo $?; ls work*"],
  ];
  for (const [name, script] of cases) it(name, async () => { await same(edit + script); });
});

describe("dumps, dates and process tools", () => {
  const bytes = "printf 'abcdefghijklmnopqrstu\\001\\377' > b; printf '\\200\\377ab' > s; seq 100 > n; ";
  const cases: Array<[string, string]> = [
    ["od formats", bytes + "od b; od -c b; od -An -tx1 b; od -tx1 -c s; for t in d1 d2 d4 d8 u1 u2 u4 u8 o1 o2 o4 o8 x1 x2 x4 x8 c a; do od -An -t $t s; done; od -A d -N 5 -j 2 n; od -A x -x n | head -3"],
    ["xxd and its reverse", bytes + "xxd b; xxd -p b; xxd b | xxd -r | cmp - b && echo rt; xxd -p b | xxd -r -p | cmp - b && echo rt2; xxd -l 5 -s 2 n; xxd -c 8 -g 1 s; xxd -u s; xxd -i s"],
    ["od -l, -t TYPEz, --endian, long options, skipping past the end", "printf 'apple 1\\nbanana 2\\ncherry 3\\n' > a; seq 100 > n; od -l n | head -2; od -tx1z -w8 a; od -tcz a | tail -2; od -tx2z --endian=big a | head -2; od --format=x1 --read-bytes=4 a; od -j 1000 n 2>&1; echo $?"],
    ["xxd -s from the end and +N, -b (-bits), -e, -ps and xxd's long spellings", "printf 'apple 1\\nbanana 2\\ncherry 3\\n' > a; xxd -s -5 a; xxd -s +3 -l 4 a; xxd -b a | head -2; xxd -bits -c 4 a | head -2; xxd -e a | head -2; xxd -e -g 2 a | head -1; xxd -ps -c 8 a | head -2; xxd -postscript -cols 10 a | head -1; xxd -ps a | xxd -r -ps | head -2"],
    ["hexdump -x -d -o -c -b, as util-linux's formats, several in one run", "printf 'apple 1\\nbanana 2\\ncherry 3\\ndate 4\\n' > a; hexdump -x a; hexdump -d a; hexdump -o a; hexdump -c a; hexdump -b a; hexdump -b -x -n 20 a; printf 'a\\0\\tb\\200' | hexdump -c; printf 'abc' | hexdump -d"],
    ["hexdump", bytes + "hexdump -C b; hexdump b; hexdump -C n | head -3; hexdump -C < /dev/null"],
    ["dd", "seq 100 > n; dd if=n of=o bs=10 count=3 skip=2 2>/dev/null; cat o; dd if=n bs=4 count=2 status=none; echo; printf XXXX | dd of=n bs=1 seek=2 conv=notrunc 2>/dev/null; head -3 n; echo hello | dd conv=ucase 2>/dev/null; dd if=n of=/dev/null bs=1k 2>&1 | head -2"],
    ["dd conv=swab,block,unblock,excl,nocreat, iflag=skip_bytes,count_bytes,fullblock, oflag=seek_bytes,append, and its errors", "seq 100 > n; printf 'abc' | dd conv=swab 2>/dev/null; echo; printf 'ab\\ncdefghij\\nk' | dd cbs=4 conv=block 2>/dev/null | od -c; printf 'ab  cd  ' | dd cbs=4 conv=unblock 2>/dev/null | od -c; dd if=n iflag=skip_bytes skip=3 bs=4 count=1 status=none; echo; dd if=n bs=3 count=5 iflag=count_bytes status=none; echo; seq 3 | dd bs=2 iflag=fullblock status=none; dd if=n of=o oflag=append conv=notrunc count=1 bs=3 status=none; dd if=n of=o oflag=append conv=notrunc count=1 bs=3 status=none; cat o; dd if=n of=o2 conv=excl count=1 status=none; dd if=n of=o2 conv=excl count=1 status=none 2>&1; echo $?; dd if=n of=none conv=nocreat status=none 2>&1; echo $?; dd if=n of=o3 bs=1 seek=4 oflag=seek_bytes count=2 status=none; od -c o3 | head -1; dd conv=lcase,ucase 2>&1; echo $?; dd foo=bar 2>&1; echo $?; dd status=bogus 2>&1; echo $?; dd iflag=bogus 2>&1; echo $?"],
    ["expr", "expr 3 + 4 \\* 2; expr length abcdef; expr abcd : 'a\\(.*\\)'; expr abcd : 'ab*'; expr 5 \\> 3; expr 0; echo $?; expr 10 / 3 % 2; expr substr hello 2 3; expr index hello l; expr '' \\| x; expr a \\& 0; echo $?; expr 1 + a 2>/dev/null; echo $?; expr \\( 1 + 2 \\) \\* 3"],
    ["expr: integers of any size, GNU's syntax errors and statuses", "expr 9999999999999999999 + 1; expr 99999999999999999999 '*' 99999999999999999999; expr -99999999999999999999 / 7; expr 99999999999999999999 % -7; expr 00012 + 1; expr 99999999999999999999 '>' 9; expr 1 + 2>&1; echo $?; expr 2>&1; echo $?; expr 5 / 0 2>&1; echo $?; expr '(' 1 + 2 2>&1; echo $?; expr 1 2 2>&1; echo $?; expr a + 1 2>&1; echo $?"],
    ["date -d and +FORMAT", "date -d '2024-02-29 13:45:10' +%s; date -d @1700000000 '+%Y-%m-%d %H:%M:%S %a %A %b %B %j %e %I %p %y %D %R %u %w %C %k %l %z %Z %N %h'; date -u -d '2020-01-01T00:00:00Z'; date -d 2020-01-01; date -R -d @0; date -I -d @0; date -d '2020-03-01 2 days ago' +%F; date -d @86399 +%-H:%-M"],
    ["date +FORMAT: week numbers (%U %W %V %G %g), %q, flags (^ # - _ 0) and widths, %3N", "for d in 2020-01-01 2020-12-31 2021-01-03 2021-01-04 2024-12-30 2026-12-31 2027-01-01 2015-12-31 2016-01-01; do date -d $d '+%U %W %V %G %g %u %q'; done; date -d @0 '+%_5d|%-5d|%05d|%^B|%#A|%10B|%^a|%#b|%3N|%Q'; date -d @1700000000.25 +%s.%N"],
    ["date -d: month names, MM/DD/YYYY, YYYYMMDD, zones, am/pm, weekdays with next/last, calendar months, ago", "for d in 'Jan 5 2020' '5 Jan 2020' 'January 5, 2020' '01/05/2020' 20200105 '2024-01-31 + 1 month' '2024-02-29 1 year' '2024-03-10 next week' '2024-03-10 last month' '2024-03-10 2 years ago' '2024-01-15 -1 day'; do date -d \"$d\" +%F; done; for d in '2020-06-01T12:00:00+02:00' '2024-01-15 10:00 +0200' '2024-01-15T10:00:00Z' '2024-01-15 10:00 UTC' '2024-03-10 3pm' '2024-03-10 12am' '2024-03-10 3:30pm' '2024-01-15 +2 hours'; do date -u -d \"$d\" '+%F %T'; done; date -d monday +%a; date -d 'next monday' +%a; date -d 'last friday' +%a; date -d 'this friday' +%a"],
    ["date: invalid dates, -I and --rfc-3339 forms, -s refused", "for d in garbage 2024-02-30 'Feb 30 2020' 2020-13-01 25:00 24:00 next noon; do date -d \"$d\" > /dev/null 2>&1; echo $?; done; date -I -d 2020-06-01; date -Iseconds -d @0; date -Ins -d @0; date -Ihours -d @0; date -R -d @0; date --rfc-3339=seconds -d @0; date --rfc-3339=date -d @0; date --rfc-3339=ns -d @0"],
    ["touch -d -t -r and date -r", "touch -d '2001-02-03 04:05:06' f; date -r f; touch -t 202001020304.05 g; date -r g +%s; touch -r f h; date -r h +%s"],
    ["realpath", "seq 3 > f; ln -s f l; mkdir -p d/e; realpath --relative-to=d/e l; realpath --relative-to=. -m nope/x; realpath nope/x 2>/dev/null; echo $?; basename $(realpath l)"],
    ["timeout", "timeout 0.2 sleep 5; echo $?; timeout 5 sh -c 'exit 3'; echo $?; timeout -s KILL 0.1 sleep 3; echo $?; timeout --preserve-status 0.1 sleep 3; echo $?"],
    ["nice, nohup, time", "nice; nice -n 5 echo hi; nohup echo ok; time -p true 2>/dev/null; echo $?"],
    ["chmod --reference, GNU's usage errors", "echo x > a; echo y > b; chmod 640 b; chmod --reference=b a; stat -c %a a; chmod nosuch a 2>&1; echo $?; chmod 2>&1; echo $?; chmod 644 2>&1; echo $?; chmod --reference=nosuch a 2>&1; echo $?"],
    ["env -C, -0, -u NAME, --unset=NAME and its usage errors (status 125)", "env -C / pwd; env --chdir=/ pwd; env -0 -i A=1 B=2 | tr '\\0' '|'; echo; env -u HOME sh -c 'echo ${HOME-unset}'; env --unset=HOME sh -c 'echo ${HOME-unset}'; env -C 2>&1; echo $?; env -0 true 2>&1; echo $?; env -x 2>&1; echo $?; env -C nosuch true 2>&1; echo $?"],
    ["id takes uids and several users; sleep's fractions, units and errors", "id -nu 0; id -u 0; id 0; id -n 2>&1; echo $?; id root root; sleep 0.05 .05 5e-2 0.001m 0.00001h; echo $?; sleep 1x 2>&1; echo $?; sleep 2>&1; echo $?; sleep -1 2>&1; echo $?"],
    ["ls -C, -x and -m fill 80 columns as GNU's (tabs at tab stops); -Q, -s, -L, --full-time, long options", "seq 30 | while read i; do touch file$i; done; ls -C; ls -x; COLUMNS=40 ls -C; ls -m; ls -Q file1 file2; ls -s file1 file2; ln -s file1 link; ls -lL link | cut -c1; ls --full-time file1 | grep -c ' +0000 file1$'; ls --all --almost-all --reverse -d . ; ls --bogus 2>&1; echo $?; wc -L file1; printf 'ab\\tc\\nx' | wc -L; printf 'a\\0file2\\0' > l0; echo x > a; wc --files0-from=l0"],
    ["mktemp --suffix and a template with text after its X's", "mktemp --suffix=.txt -p . | grep -c '^./tmp.*txt$'; mktemp fooXXXbar | grep -c '^foo...bar$'; mktemp --suffix=/x 2>&1; echo $?; mktemp a b 2>&1; echo $?"],
    ["realpath --relative-base, -z, and usage errors", "mkdir -p d/e; realpath --relative-base=. d/e; realpath --relative-base=d --relative-to=d/e d; realpath --relative-base=d /; realpath -z d | tr '\\0' '|' | sed 's|.*/||'; echo; realpath 2>&1; echo $?"],
    ["mktemp", "t=$(mktemp); test -f $t && echo file; d=$(mktemp -d); test -d $d && echo dir; mktemp -p . abcXXXXXX | cut -c1-5; mktemp x 2>/dev/null; echo $?; rm -r $t $d"],
  ];
  for (const [name, script] of cases) it(name, async () => { await same(script); });

  it("id, whoami and groups read /etc/passwd and /etc/group (everyone is root in wasmbox)", async () => {
    const r = await inKernel("id; id -u; id -un; id -G; whoami; groups; groups user; id nobody; echo $?", "");
    expect(r.stdout).toBe("uid=0(root) gid=0(root) groups=0(root)\n0\nroot\n0\nroot\nroot\nuser : user\n1\n");
  });
  it("time prints real, user and sys (the child's CPU time); times the shell's and its children's; ulimit reads /proc/self/limits", async () => {
    const r = await inKernel("time -p sh -c 'i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done'; time true; times; ulimit; ulimit -n; ulimit -a; ulimit -n 5; echo rc=$?; cat /proc/self/limits", "");
    expect(r.stderr).toMatch(/^real \d+\.\d\d\nuser \d+\.\d\d\nsys 0\.00\n\nreal\t0m\d+\.\d{3}s\nuser\t0m\d+\.\d{3}s\nsys\t0m0\.000s\nsh: ulimit: error setting limit/);
    const user = Number(/user (\d+\.\d\d)/.exec(r.stderr)![1]);
    const real = Number(/real (\d+\.\d\d)/.exec(r.stderr)![1]);
    expect(user).toBeLessThanOrEqual(real + 0.01);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^0m\d+\.\d{6}s 0m0\.000000s$/);
    expect(lines[1]).toMatch(/^0m\d+\.\d{6}s 0m0\.000000s$/);
    expect(lines[1]).not.toBe("0m0.000000s 0m0.000000s");
    expect(lines.slice(2, 4)).toEqual(["unlimited", "1024"]);
    expect(lines[4]).toBe("time(seconds)        unlimited");
    expect(lines).toContain("nofiles              1024");
    expect(r.stdout).toContain("rc=2\nLimit                     Soft Limit           Hard Limit           Units\n");
    expect(r.stdout).toContain("Max open files            1024                 1024                 files\n");
  });
  it("uptime and mount read /proc", async () => {
    const r = await inKernel("uptime; uptime -p; mount | head -1; mount -t proc", "");
    expect(r.stdout).toMatch(/^ \d\d:\d\d:\d\d up \d+ min,  1 user,  load average: [\d.]+, [\d.]+, [\d.]+\nup \d+ minutes?\n\S+ on \/ type \S+ \(rw\)\nproc on \/proc type proc \(ro\)\n$/);
  });
});
