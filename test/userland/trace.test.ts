// trace (strace over the kernel's proc_trace): the calls a command makes, decoded, with results,
// errors, children (-f), filters (-e), times (-T -tt), the summary (-c) and its exit status.
import { beforeAll, describe, expect, it } from "vitest";
import type { Kernel } from "../../kernel/index.js";
import { bootKernel, loadRootfs, sh } from "./helpers.js";

let kernel: Kernel;
beforeAll(async () => { kernel = bootKernel(await loadRootfs()); }, 120_000);

/** The trace lines of a run (its stderr, or the -o file), without the traced command's own errors. */
function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

describe("trace", () => {
  it("prints each call with its decoded arguments and result, and the exit, as strace does", async () => {
    const r = await sh(kernel, "trace echo hi");
    expect(r.stdout).toBe("hi\n");
    const shown = lines(r.stderr);
    expect(shown).toContain('fd_write(fd=1, iovs="hi\\n"[3]) = 3');
    expect(shown).toContain("args_sizes_get() = 2,8");
    expect(shown.at(-2)).toBe("proc_exit(code=0) = ?");
    expect(shown.at(-1)).toBe("+++ exited with 0 +++");
    expect(r.exitCode).toBe(0);
  });

  it("shows a failed call as -1 ERRNO (message) and exits with the command's status", async () => {
    const r = await sh(kernel, "trace -o /tmp/ls.trace ls /nope; echo status=$?; cat /tmp/ls.trace");
    expect(r.stdout).toContain("status=2\n");
    expect(r.stdout).toContain('path_filestat_get(fd=3, flags=0x0, path="nope") = -1 ENOENT (No such file or directory)\n');
    expect(r.stdout).toContain("+++ exited with 2 +++\n");
    expect(r.stderr).toBe("ls: cannot access '/nope': No such file or directory\n");
  });

  it("follows children with -f, marking each line with its pid; without -f only the command's own calls", async () => {
    const plain = lines((await sh(kernel, "trace -o /tmp/t1 sh -c 'echo a | cat'; cat /tmp/t1")).stdout);
    expect(plain.some((l) => l.startsWith("proc_spawn(path=\"/bin/cat\""))).toBe(true);
    expect(plain.filter((l) => l.startsWith("fd_write"))).toEqual([]);
    expect(plain.filter((l) => l.startsWith("+++"))).toEqual(["+++ exited with 0 +++"]);
    const followed = lines((await sh(kernel, "trace -f -o /tmp/t2 sh -c 'echo a | cat'; cat /tmp/t2")).stdout);
    const writes = followed.filter((l) => /^\[pid +\d+\] fd_write\(fd=1, iovs="a\\n"\[2\]\) = 2$/.test(l));
    expect(writes).toHaveLength(2);
    expect(new Set(writes.map((l) => l.slice(0, 11))).size).toBe(2);
    expect(followed.filter((l) => l.includes("+++ exited with 0 +++"))).toHaveLength(3);
    // The shell's wait sleeps while its children run: unfinished, then resumed.
    expect(followed.some((l) => /proc_wait\(pid=\d+, options=0x0 <unfinished \.\.\.>$/.test(l))).toBe(true);
    expect(followed.some((l) => /<\.\.\. proc_wait resumed>\) = \d+,0$/.test(l))).toBe(true);
  });

  it("filters with -e trace= (names, %classes, !), -Z and -e status=", async () => {
    const only = lines((await sh(kernel, "mkdir -p /tmp/empty; trace -qq -e trace=fd_write,%file -o /tmp/t3 ls /nope /tmp/empty >/dev/null; cat /tmp/t3")).stdout);
    expect(only.length).toBeGreaterThan(2);
    expect(only.filter((l) => !l.startsWith("fd_write(") && !l.startsWith("path_"))).toEqual([]);
    const not = lines((await sh(kernel, "trace -e '!fd_write' -o /tmp/t4 echo x; cat /tmp/t4")).stdout);
    expect(not.some((l) => l.startsWith("fd_write"))).toBe(false);
    expect(not.some((l) => l.startsWith("args_get"))).toBe(true);
    const failed = lines((await sh(kernel, "trace -Z -qq -o /tmp/t5 ls /nope; cat /tmp/t5")).stdout);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((l) => / = -1 E[A-Z]+ \(/.test(l))).toBe(true);
    const same = lines((await sh(kernel, "trace -e status=failed -qq -o /tmp/t6 ls /nope; cat /tmp/t6")).stdout);
    expect(same).toEqual(failed);
  });

  it("shows the time spent (-T) and the time of day (-tt), and a read's data once read (-s)", async () => {
    const r = await sh(kernel, "echo hello world | trace -T -tt -s 5 -o /tmp/t7 cat; cat /tmp/t7");
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{6} fd_read\(fd=0, iovs="hello"\.\.\.\[12\]\) = 12 <\d+\.\d{6}>$/m);
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{6} \+\+\+ exited with 0 \+\+\+$/m);
  });

  it("counts calls, errors and time with -c", async () => {
    const r = await sh(kernel, "mkdir -p /tmp/empty; trace -c -o /tmp/t8 ls /nope /tmp/empty >/dev/null; cat /tmp/t8");
    const table = lines(r.stdout);
    expect(table[0]).toBe("% time     seconds  usecs/call     calls    errors syscall");
    expect(table[1]).toBe("------ ----------- ----------- --------- --------- ----------------");
    const row = (name: string) => table.find((l) => l.endsWith(` ${name}`))!.trim().split(/\s+/);
    expect(row("path_filestat_get")[3]).toBe("2");
    expect(row("path_filestat_get")[4]).toBe("1");
    expect(row("total")[0]).toBe("100.00");
    expect(table.some((l) => l.includes("+++"))).toBe(false);
  });

  it("reports a command killed by a signal and exits 128+signal", async () => {
    const r = await sh(kernel, "trace -e trace=proc_signal sh -c 'kill -9 $$'; echo status=$?");
    expect(r.stdout).toBe("status=137\n");
    expect(lines(r.stderr)).toEqual(["proc_signal(pid=" + r.stderr.match(/pid=(\d+)/)![1] + ", sig=9) = ?", "+++ killed by SIGKILL +++"]);
  });

  it("refuses a bad command line with a message", async () => {
    const r = await sh(kernel, "trace; echo $?; trace -p 1; echo $?; trace nosuch; echo $?; trace -e foo=1 true; echo $?");
    expect(r.stdout).toBe("1\n1\n1\n1\n");
    expect(r.stderr).toContain("trace: must have COMMAND to run");
    expect(r.stderr).toContain("attaching to a running process is not supported");
    expect(r.stderr).toContain("trace: can't stat 'nosuch': No such file or directory");
    expect(r.stderr).toContain("invalid -e qualifier 'foo'");
  });
});
