// chmod, chown, ls -l and stat over the kernel's modes and owners, checked against the host's
// coreutils (the same script in a fresh directory on both sides, as root, TZ=UTC), and the
// kernel's permission checks for a non-root user.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Kernel } from "../../kernel/index.js";
import { bootKernel, loadRootfs, sh, onHostSh } from "./helpers.js";

let kernel: Kernel;
const hostDirs: string[] = [];
let counter = 0;
beforeAll(async () => { kernel = bootKernel(await loadRootfs()); }, 120_000);
afterAll(() => { for (const d of hostDirs) rmSync(d, { recursive: true, force: true }); });

const hostIsRoot = process.getuid?.() === 0;

function onHost(script: string): { stdout: string; code: number } {
  return onHostSh(script, hostDirs, { env: { TZ: "UTC" } });
}

async function inKernel(script: string, user?: { uid: number; gid: number }) {
  const dir = `/tmp/perm${counter++}`;
  kernel.fs.mkdir(dir, { recursive: true });
  if (user) {
    // A directory the user owns, as its home would be.
    const r = await sh(kernel, `chown ${user.uid}:${user.gid} ${dir}`);
    expect(r.exitCode, r.stderr).toBe(0);
    return kernel.run("/bin/sh", { args: ["-c", script], env: { PATH: "/bin", HOME: dir }, cwd: dir, stdin: "", user });
  }
  return sh(kernel, script, { cwd: dir });
}

/** Runs script on both sides and expects equal output and status. */
async function same(script: string) {
  const want = onHost(script);
  const got = await inKernel(script);
  expect({ stdout: got.stdout, code: got.exitCode }, got.stderr).toEqual(want);
  return got;
}

const FILES = "printf abc > f && seq 1000 > big && seq 300000 > huge && touch -t 202001020304 old && ln -s f link; ";

describe.runIf(hostIsRoot)("ls -l against GNU ls", () => {
  it("mode, links, owner, size, recent and old dates, symlink target", async () => {
    await same(FILES + "chmod 4755 f && chmod 640 old && ls -l f big old link");
  });
  it("-h sizes, -n numbers, -g and -o columns, -i-free -t and -r orders", async () => {
    await same(FILES + "ls -lh f big huge; ls -n f; ls -go big f; ls -1t f old; ls -r f big old");
  });
  it("-la shows . and .., -d a directory, -F classifies", async () => {
    await same(FILES + "mkdir d && chmod 1777 d && touch d/.hidden d/x && ls -la d | sed 1d | grep -v ' [.][.]$' | cut -c1-10; ls -a d; ls -A d; ls -ld d | cut -c1-10; chmod +x big; ls -F");
  });
});

describe.runIf(hostIsRoot)("chmod, chown and stat against coreutils", () => {
  const modes = ["u+x", "go-r", "a=rx", "u=rwx,g=rx,o=", "+t", "g+s", "0750", "u+s,o-rwx", "=r", "a+X", "o=u", "750", "-w"];
  it.each(modes)("chmod %s", async (mode) => {
    await same(`touch f && mkdir d && chmod ${mode} f d && stat -c '%a %A' f d`);
  });
  it("chmod -R, -v and -c, and a bad mode", async () => {
    await same("mkdir -p a/b && touch a/f a/b/g && chmod -R go-rx a && stat -c '%a %n' a a/b a/f a/b/g && chmod -v 644 a/f && chmod -c 644 a/f && chmod -c 600 a/f; chmod 9 a/f; echo $?");
  });
  it("chown USER:GROUP, chown :GROUP, chgrp, and stat's owner fields", async () => {
    // The host has its own users: compare numeric ids only.
    await same("touch f g && chown 1000:100 f && stat -c '%u %g' f && chown :0 f && stat -c '%u %g' f && chgrp 100 g && stat -c '%u %g' g && chown -R 1000 . && stat -c '%u' f g");
  });
});

describe("owners and modes in wasmbox", () => {
  it("names owners from /etc/passwd and /etc/group", async () => {
    const r = await inKernel("touch f && chown user:users f && ls -l f | cut -d' ' -f1,3,4 && stat -c '%U %G %u %g' f && chown root: f && stat -c '%U:%G' f");
    expect(r.stdout).toBe("-rw-r--r-- user users\nuser users 1000 100\nroot:root\n");
  });
  it("a non-root user is held to the mode bits and may not give files away", async () => {
    const script = [
      "id -u", "echo hi > mine", "chmod -w mine", "echo x > mine 2>/dev/null || echo refused write", "test -w mine || echo not writable",
      "cat mine", "chmod 0 mine", "cat mine 2>/dev/null || echo refused read", "test -r mine || echo not readable",
      "chmod 644 /etc/passwd 2>&1", "echo x >> /etc/hostname 2>/dev/null || echo refused system file", "chown root mine 2>&1",
      "ls -l mine | cut -d' ' -f1,3,4", "test -x /bin/ls && echo can run ls",
    ].join("; ");
    const r = await inKernel(script, { uid: 1000, gid: 1000 });
    expect(r.stdout).toBe([
      "1000", "refused write", "not writable", "hi", "refused read", "not readable",
      "chmod: changing permissions of '/etc/passwd': Operation not permitted", "refused system file",
      "chown: changing ownership of 'mine': Operation not permitted", "---------- user user", "can run ls", "",
    ].join("\n"));
  });
  it("root reads and writes whatever the bits say", async () => {
    const r = await inKernel("echo a > f && chmod 0 f && echo b >> f && cat f && test -w f && test -r f && ! test -x f && echo ok");
    expect(r.stdout).toBe("a\nb\nok\n");
  });
});
