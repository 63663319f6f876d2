// The shell inside the kernel: syntax, expansion, redirections, pipelines, jobs and errors,
// each checked against the exact output and exit status a POSIX shell gives.
import { beforeAll, describe, expect, it } from "vitest";
import type { LayerEntry } from "../../kernel/host.js";
import { bootKernel, loadRootfs, sh } from "./helpers.js";

let rootfs: LayerEntry[];
beforeAll(async () => { rootfs = await loadRootfs(); }, 120_000);

async function run(script: string, stdin?: string) {
  return sh(bootKernel(rootfs), script, { stdin });
}

describe("sh", () => {
  const cases: Array<[string, string, string, number]> = [
    ["echo", "echo hello world", "hello world\n", 0],
    ["quotes and escapes", `echo 'a  b' "c  d" e\\ f "x\\"y" '$HOME'`, "a  b c  d e f x\"y $HOME\n", 0],
    ["variables", "X=1; Y=two; echo $X ${Y} ${Z:-dflt} ${#Y}", "1 two dflt 3\n", 0],
    ["status", "false; echo $?; true; echo $?", "1\n0\n", 0],
    ["and or", "true && echo a; false && echo b; false || echo c; true || echo d", "a\nc\n", 0],
    ["if", "if [ 2 -gt 1 ]; then echo yes; else echo no; fi; if test -z x; then echo 1; elif [ a = a ]; then echo 2; fi", "yes\n2\n", 0],
    ["for", "for i in 1 2 3; do echo -n $i; done; echo", "123\n", 0],
    ["while", "i=0; while [ $i -lt 3 ]; do i=$((i+1)); echo $i; done", "1\n2\n3\n", 0],
    ["arithmetic", "echo $((2*3+4)) $((10/3)) $((7%3))", "10 3 1\n", 0],
    ["command substitution", "x=$(echo hi | tr a-z A-Z); echo \"[$x]\" `echo b`", "[HI] b\n", 0],
    ["glob", "mkdir g && cd g && touch b.txt a.txt c.log && echo *.txt && echo ?.log && echo '*.txt'", "a.txt b.txt\nc.log\n*.txt\n", 0],
    ["redirections", "echo one > f; echo two >> f; cat < f; wc -l < f", "one\ntwo\n2\n", 0],
    ["stderr redirection", "cat nofile 2> err; echo $?; cat err; cat nofile 2>&1 | tr a-z A-Z", "1\ncat: nofile: No such file or directory\nCAT: NOFILE: NO SUCH FILE OR DIRECTORY\n", 0],
    ["pipeline", "echo 'b\na\nc' | sort | head -2", "a\nb\n", 0],
    ["builtin in pipeline", "for i in 3 1 2; do echo $i; done | sort", "1\n2\n3\n", 0],
    ["background and wait", "sleep 0.05 & echo started; wait; echo done", "started\ndone\n", 0],
    ["pid", "test $$ -gt 0 && echo ok", "ok\n", 0],
    ["cd and pwd", "cd /etc && pwd && cd .. && pwd", "/etc\n/\n", 0],
    ["export", "export A=1; B=2; sh -c 'echo $A.$B'", "1.\n", 0],
    ["unset", "A=1; unset A; echo \"${A-unset}\"", "unset\n", 0],
    ["exit status", "exit 3", "", 3],
    ["case", "case foo.c in *.h) echo h;; *.c) echo c;; esac", "c\n", 0],
    ["functions", "greet() { echo hi $1; return 4; }; greet bob; echo $?", "hi bob\n4\n", 0],
    ["positional", "set -- a b c; echo $# $2; shift; echo $@", "3 b\nb c\n", 0],
    ["negation", "! false && echo neg", "neg\n", 0],
    ["read", "echo 'x y z' | { read a b; echo $b; }", "y z\n", 0],
    ["$LINENO: the current command's line (in eval, from the eval's line; a set LINENO is a plain variable)", "echo $LINENO\n\nif true; then\n  echo \"at $LINENO\"\nfi; eval 'echo $LINENO'\necho $((LINENO * 2)); LINENO=x; echo $LINENO", "1\nat 4\n5\n12\nx\n", 0],
  ];
  for (const [name, script, stdout, code] of cases) {
    it(name, async () => {
      const r = await run(script);
      expect({ stdout: r.stdout, stderr: r.stderr, code: r.exitCode }).toEqual({ stdout, stderr: "", code });
    });
  }

  it("says not found with status 127, naming the line as dash does", async () => {
    const r = await run("nosuchcmd arg");
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toBe("sh: 1: nosuchcmd: not found\n");
  });

  it("signs a script's runtime errors with its name and line, and -c's with NAME", async () => {
    const r = await run("printf 'echo a\\n\\ncd /nope\\nnosuch\\n' > /tmp/err.sh; sh /tmp/err.sh; sh -c 'true\n  nosuch2' myname");
    expect(r.stdout).toBe("a\n");
    expect(r.stderr).toMatch(/^\/tmp\/err\.sh: 3: cd: .*\n\/tmp\/err\.sh: 4: nosuch: not found\nmyname: 2: nosuch2: not found\n$/);
  });

  it("reports a syntax error with status 2", async () => {
    const r = await run("if true; then echo x");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^sh: 1: Syntax error/);
  });

  it("runs a script file with arguments", async () => {
    const kernel = bootKernel(rootfs);
    kernel.fs.writeFile("/tmp/s.sh", "echo $0 $1 $#\nfor f in \"$@\"; do echo \"<$f>\"; done\nexit 5\n");
    const r = await sh(kernel, "", { args: ["/tmp/s.sh", "a b", "c"] });
    expect(r.stdout).toBe("/tmp/s.sh a b 2\n<a b>\n<c>\n");
    expect(r.exitCode).toBe(5);
  });

  it("reads commands from piped stdin without a prompt", async () => {
    const kernel = bootKernel(rootfs);
    const r = await sh(kernel, "", { args: [], stdin: "echo one\nif true\nthen echo two\nfi\nX=3\necho $X\nexit 7\necho never\n" });
    expect(r.stdout).toBe("one\ntwo\n3\n");
    expect(r.exitCode).toBe(7);
  });

  it("cat missing gives the GNU message and status 1", async () => {
    const r = await run("cat missing");
    expect(r.stderr).toBe("cat: missing: No such file or directory\n");
    expect(r.exitCode).toBe(1);
  });
});

describe("pipelines at volume", () => {
  it("seq 1 100000 | sort -n -r | head -3", async () => {
    const r = await run("seq 1 100000 | sort -n -r | head -3");
    expect(r.stdout).toBe("100000\n99999\n99998\n");
  });
  it("runs builtins in a loop without syscalls: a lone [ is no glob pattern, so test reads no directory", async () => {
    const r = await run(`cd /tmp && touch '[' x1 && echo [ x[ [x] [x]1 && trace -c -o /tmp/loop.trace sh -c 'i=0; while [ "$i" -lt 50 ]; do i=$((i + 1)); done; [ $i -eq 50 ]' && cat /tmp/loop.trace`);
    expect(r.stdout.split("\n")[0]).toBe("[ x[ [x] x1");
    expect(r.stdout).not.toContain("fd_readdir");
    expect(r.stdout).toContain("proc_exit");
    expect(r.exitCode).toBe(0);
  });

  it("yes | head -1000000 | wc -l", async () => {
    const r = await run("yes | head -1000000 | wc -l");
    expect(r.stdout).toBe("1000000\n");
    expect(r.exitCode).toBe(0);
  }, 30_000);
});

describe("interactive sh on a terminal", () => {
  it("prompts, edits the line (backspace, arrows) and runs it", async () => {
    const kernel = bootKernel(rootfs);
    // "echo hellp", backspace, "o", left arrow, right arrow, Enter; then ^D on an empty line.
    const r = await kernel.run("/bin/sh", {
      args: [], tty: true, cwd: "/", env: { PATH: "/bin", PWD: "/" },
      stdin: "echo hellp\x7fo\x1b[D\x1b[C\rexit 4\r",
    });
    expect(r.stdout).toContain("$ ");
    expect(r.stdout).toContain("hello\n");
    expect(r.exitCode).toBe(4);
  });
});
