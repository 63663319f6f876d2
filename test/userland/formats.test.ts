// ps, df and du in the formats other tools parse: busybox's ps columns and procps' -ef and aux,
// GNU df's and du's columns, checked by parsing the output as awk and cut users do; dmesg.
import { beforeAll, describe, expect, it } from "vitest";
import { MemFs, type Kernel } from "../../kernel/host.js";
import { wat } from "../helpers/wat.js";
import { bootKernel, loadRootfs, sh } from "./helpers.js";

let kernel: Kernel;
let counter = 0;
beforeAll(async () => { kernel = bootKernel(await loadRootfs()); }, 120_000);

async function run(script: string) {
  const dir = `/tmp/fmt${counter++}`;
  kernel.fs.mkdir(dir, { recursive: true });
  const r = await sh(kernel, script, { cwd: dir });
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout;
}

describe("ps", () => {
  it("busybox's PID USER TIME COMMAND, one row per process", async () => {
    const out = await run("sleep 5 & ps; kill $!");
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toBe("PID   USER     TIME  COMMAND");
    const sleep = lines.find((l) => l.endsWith(" sleep 5"));
    expect(sleep).toMatch(/^ {1,4}\d+ root {5} {1,4}\d+:\d\d sleep 5$/);
    expect(lines.some((l) => /^ +\d+ root +\d+:\d\d ps$/.test(l))).toBe(true);
  });
  it("-ef: UID PID PPID C STIME TTY TIME CMD, with the parent's pid", async () => {
    const out = await run("ps -ef | awk -v me=$$ 'NR == 1 { print } $8 == \"ps\" { print ($3 == me ? \"child of sh\" : \"other\"), $1, ($7 ~ /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]$/) }'");
    expect(out).toBe("UID        PID  PPID  C STIME TTY          TIME CMD\nchild of sh root 1\n");
  });
  it("aux: USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND", async () => {
    const out = await run("ps aux | awk 'NR == 1 { print } $11 == \"ps\" { print $1, ($3 ~ /^[0-9]+[.][0-9]$/), ($6 > 0), $8 }'");
    expect(out).toBe("USER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\nroot 1 1 R\n");
  });
  it("-o picks columns", async () => {
    const out = await run("ps -o pid,user,comm | awk 'NR == 1 || $3 == \"ps\" { print $2, $3 }'");
    expect(out).toBe("USER COMMAND\nroot ps\n");
  });
  it("-p PIDS, -o col= (no header), -o col=TITLE, pgid and group columns, --no-headers, as procps", async () => {
    const out = await run("ps -o pid= -p $$; ps -o comm=NAME -p $$; ps -p $$ -o pgid,group | tail -1 | awk '{ print ($1 > 0), $2 }'; ps --no-headers -p $$ -o comm; ps -p 999999 -o pid=; echo $?; true");
    const pid = out.split("\n")[0].trim();
    expect(Number(pid)).toBeGreaterThan(0);
    expect(out.split("\n").slice(1).join("\n")).toBe("NAME\nsh\n1 root\nsh\n1\n");
  });
  it("a non-root process shows its user", async () => {
    const r = await kernel.run("/bin/sh", { args: ["-c", "ps | grep ' ps$'"], env: { PATH: "/bin" }, cwd: "/tmp", stdin: "", user: { uid: 1000, gid: 1000 } });
    expect(r.stdout).toMatch(/^ +\d+ user +\d+:\d\d ps\n$/);
  });
});

describe("df", () => {
  it("GNU's header and columns, the use rounded up, the mount point", async () => {
    const out = await run("head -c 300000 /dev/zero > f && df . && df -h / | sed 1d | awk '{ print $1, $6, ($2 ~ /^[0-9.]+[KMGT]?$/) }'");
    const [header, row, human] = out.trimEnd().split("\n");
    expect(header).toBe("Filesystem     1K-blocks  Used Available Use% Mounted on");
    const [fs, blocks, used, avail, pct, mount] = row.split(/ +/);
    expect([fs, mount]).toEqual(["rootfs", "/"]);
    expect(Number(used)).toBeGreaterThanOrEqual(293);
    expect(Math.abs(Number(blocks) - Number(used) - Number(avail))).toBeLessThanOrEqual(1);
    expect(pct).toBe(`${Math.ceil((Number(used) * 100) / Number(blocks))}%`);
    // Columns line up: every value ends where its header does.
    expect(row.indexOf(" " + pct) + pct.length + 1).toBe(header.indexOf("Use%") + 4);
    expect(human).toBe("rootfs / 1");
  });
  it("pseudo filesystems only with -a; -T adds the type", async () => {
    const out = await run("df | grep -c proc; df -a | grep -c ' /proc$'; df -T / | sed 1d | awk '{ print $2 }'");
    expect(out).toMatch(/^0\n1\n(memfs|overlay)\n$/);
  });
});

describe("du", () => {
  const TREE = "mkdir -p a/b && seq 2000 > a/b/f && seq 10 > a/g && ";
  it("directories after what they hold, in KiB; -a with files", async () => {
    expect(await run(TREE + "du a")).toBe("13\ta/b\n18\ta\n");
    expect(await run(TREE + "du -a a")).toBe("9\ta/b/f\n13\ta/b\n1\ta/g\n18\ta\n");
  });
  it("-s, -c (a directory counted once), -h, -b and -d", async () => {
    expect(await run(TREE + "du -s a/b a")).toBe("13\ta/b\n5\ta\n");
    expect(await run(TREE + "du -c a a/b")).toBe("13\ta/b\n18\ta\n18\ttotal\n");
    expect(await run(TREE + "du -sh a && seq 300000 > big && du -h big")).toBe("18K\ta\n1.9M\tbig\n");
    expect(await run(TREE + "du -b a/g a/b/f && du -d 0 a")).toBe("21\ta/g\n8893\ta/b/f\n18\ta\n");
  });
});

/** Grows its 1-page memory by `pages`; traps (unreachable) when refused. */
function growOrTrap(pages: number): Uint8Array {
  return wat(`(module
    (memory (export "memory") 1)
    (func (export "_start")
      (if (i32.eq (memory.grow (i32.const ${pages})) (i32.const -1)) (then unreachable))))`);
}

describe("dmesg", () => {
  it("shows boot messages, a trap and an OOM kill, with times; -t without", async () => {
    const trapBox = kernel.createContainer({ root: new MemFs(kernel.allocDev()).root, name: "trapbox", limits: { memoryBytes: 1 << 20 } });
    // A trap of its own (no grow was refused): 134, logged as a trap.
    expect((await kernel.run(wat(`(module (memory (export "memory") 1) (func (export "_start") unreachable))`), { container: trapBox })).exitCode).toBe(134);
    const oomBox = kernel.createContainer({ root: new MemFs(kernel.allocDev()).root, name: "oombox", limits: { memoryBytes: 1 << 20 } });
    expect((await kernel.run(growOrTrap(15), { container: oomBox })).exitCode).toBe(0);
    expect((await kernel.run(wat(`(module (memory (export "memory") 1) (func (export "_start") (drop (memory.grow (i32.const 15))) (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))))`), { container: oomBox })).exitCode).toBe(137);
    const out = await run("dmesg");
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^\[ +\d+\.\d{6}\] wasmbox version /);
    expect(lines.some((l) => /^\[ +\d+\.\d{6}\] container trapbox: created/.test(l))).toBe(true);
    expect(lines.some((l) => /\] traps: .*\[\d+\] unreachable/.test(l))).toBe(true);
    expect(lines.some((l) => /\] Out of memory: Killed process \d+ \(.*\) total-vm:\d+kB, container oombox$/.test(l))).toBe(true);
    expect((await run("dmesg -t | head -1"))).toMatch(/^wasmbox version /);
  });
  it("a container reads the kernel's messages and its own, not another container's", async () => {
    kernel.createContainer({ root: new MemFs(kernel.allocDev()).root, name: "other" });
    const mine = kernel.createContainer({ root: kernel.ns.root, name: "mine" });
    const r = await kernel.run("/bin/dmesg", { container: mine, args: ["-t"] });
    expect(r.stdout).toContain("container mine: created");
    expect(r.stdout).toContain("wasmbox version");
    expect(r.stdout).not.toContain("container other");
  });
});
