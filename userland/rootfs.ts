// The base image's root filesystem as layer entries: /bin (the multi-call binary and one symlink
// per program), /etc, /tmp, /home, /root, and empty /proc and /dev for the kernel to mount on.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { LayerEntry } from "../kernel/index.js";
import { packageFolder } from "./paths.js";

/** Where `npm run build:userland` writes the Wasm programs. */
export const USERLAND_BUILD_DIR = join(packageFolder(import.meta.url), "build");

/** Every program in /bin; each is a symlink to /bin/busybox, which dispatches on its name. */
export const APPLETS: readonly string[] = [
  "sh", "init", "ls", "cat", "echo", "mkdir", "rm", "rmdir", "cp", "mv", "ln", "touch", "stat", "wc",
  "head", "tail", "grep", "egrep", "sed", "sort", "uniq", "cut", "tr", "tee", "seq", "yes", "find",
  "xargs", "env", "printenv", "true", "false", "sleep", "date", "uname", "hostname", "ps", "kill",
  "basename", "dirname", "readlink", "du", "df", "free", "which", "test", "[", "pwd", "sync",
  "printf", "stty", "nc", "httpd", "wget", "ip",
  // utilities of issue 17
  "md5sum", "sha1sum", "sha256sum", "base64", "cksum", "gzip", "gunzip", "zcat", "tar", "awk",
  "tac", "rev", "paste", "comm", "join", "nl", "fold", "split", "shuf", "cmp", "diff", "patch",
  "od", "xxd", "hexdump", "hd", "dd", "expr", "mktemp", "realpath", "timeout", "nohup", "nice", "renice", "time", "id", "whoami",
  "groups", "uptime", "clear", "mount", "chmod", "chown", "chgrp", "dmesg", "csplit", "watch", "bc", "less", "more", "vi",
  "trace",
];

const PASSWD = "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n";
const GROUP = "root:x:0:\nusers:x:100:\nuser:x:1000:\n";
const PROFILE = "export PATH=/bin\nexport HOME=${HOME:-/root}\n";

function dir(path: string, mode = 0o755): LayerEntry {
  return { path, type: "dir", mode };
}

function textFile(path: string, text: string): LayerEntry {
  return { path, type: "file", mode: 0o644, data: new TextEncoder().encode(text) };
}

/** The base image layout, reading the built binary from buildDir (built first if missing). */
export async function baseRootfs(buildDir: string = USERLAND_BUILD_DIR): Promise<LayerEntry[]> {
  const binary = join(buildDir, "busybox.wasm");
  if (!existsSync(binary)) {
    const { buildUserland } = await import("./build.js");
    await buildUserland(buildDir);
  }
  const data = new Uint8Array(await readFile(binary));
  return [
    dir("bin"),
    { path: "bin/busybox", type: "file", mode: 0o755, data },
    ...APPLETS.map((name): LayerEntry => ({ path: `bin/${name}`, type: "symlink", mode: 0o777, target: "busybox" })),
    dir("etc"),
    textFile("etc/passwd", PASSWD),
    textFile("etc/group", GROUP),
    textFile("etc/hostname", "wasmbox\n"),
    // Placeholders the container runtime mounts its network's files over (as docker's images have them).
    textFile("etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"),
    textFile("etc/resolv.conf", ""),
    textFile("etc/profile", PROFILE),
    dir("tmp", 0o1777),
    dir("home"),
    dir("root", 0o700),
    dir("proc", 0o555),
    dir("dev"),
  ];
}
