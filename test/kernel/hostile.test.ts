// Hostile guests: calls that used to crash, freeze or starve the kernel, each answered with an
// errno (or refused by a limit) while the kernel and its other containers go on.
import { createHash } from "node:crypto";
import { createGzip } from "node:zlib";
import tar from "tar-stream";
import { describe, expect, it } from "vitest";
import { ImageStore } from "../../images/store.js";
import { MEDIA_TYPE_LAYER_GZIP } from "../../images/oci.js";
import { tempDir } from "../images/helpers.js";
import { Kernel } from "../../kernel/index.js";
import { Errno } from "../../kernel/errno.js";
import { MemFs, MEMFS_MAX_FILE_SIZE } from "../../kernel/vfs/memory.js";
import { IOV_MAX, ARG_MAX, PAIRS_MAX } from "../../kernel/abi/limits.js";
import { PIPE_CAPACITY } from "../../kernel/proc/pipe.js";
import { programCost } from "../../kernel/program.js";
import { OFLAGS_CREAT, OFLAGS_TRUNC, RIGHTS_FILE, Rights } from "../../kernel/wasi.js";
import { makeRuntime, runIn, sh } from "../containers/helpers.js";
import { liveProcess, PAGE, blockedReader } from "../helpers/live-process.js";
import { wat } from "../helpers/wat.js";

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
/** The preopened root ("/") of a kernel.run process. */
const ROOT_FD = 3;
/** Where the tests lay out arguments in guest memory (past the guest's own iovec at 0). */
const SCRATCH = 1024;

/**
 * A gzip bomb layer made on the fly: a tar holding one file of `size` zero bytes, gzipped while it
 * streams (never held whole); returns the blob (a few MB) and the tar's digest (its diff_id).
 */
async function gzipBomb(size: number): Promise<{ blob: Buffer; diffId: string }> {
  const pack = tar.pack();
  const gzip = createGzip({ level: 1, chunkSize: MiB });
  const hash = createHash("sha256");
  const out: Buffer[] = [];
  pack.on("data", (chunk: unknown) => hash.update(chunk as Buffer));
  pack.pipe(gzip);
  gzip.on("data", (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((resolve) => gzip.on("end", resolve));
  const file = pack.entry({ name: "zeros", size, mode: 0o644 });
  const zeros = Buffer.alloc(MiB);
  for (let sent = 0; sent < size; sent += zeros.length) {
    if (!file.write(zeros)) await new Promise<void>((resolve) => file.once("drain", () => resolve()));
  }
  file.end(Buffer.alloc(0));
  pack.finalize();
  await ended;
  return { blob: Buffer.concat(out), diffId: "sha256:" + hash.digest("hex") };
}

const quiet = () => new Kernel({ log: () => undefined });

/** Writes a string at `at` in guest memory and returns [ptr, len]. */
function put(mem: { write(p: number, b: Uint8Array): void }, at: number, text: string): [number, number] {
  const bytes = Buffer.from(text);
  mem.write(at, bytes);
  return [at, bytes.length];
}

/** Opens `path` under the preopened root with `oflags` and `rights`; returns [errno, fd]. */
function open(p: Awaited<ReturnType<typeof liveProcess>>, path: string, oflags: number, rights: number): [number, number] {
  const [ptr, len] = put(p.mem, SCRATCH, path);
  const out = SCRATCH - 8;
  const errno = p.call("path_open", ROOT_FD, 0, ptr, len, oflags, BigInt(rights), 0n, 0, out) as number;
  return [errno, errno === 0 ? p.mem.u32(out) : -1];
}

describe("hostile guests", () => {
  it("bounds every array a guest passes: iovecs (IOV_MAX), fdmaps, argv and environment", async () => {
    const kernel = quiet();
    // 200,000 zero-length iovecs: before, each became a host array element (50M took the heap).
    const p = await liveProcess(kernel, 64);
    const iovs = 4 * PAGE;
    const nwritten = 8;
    expect(p.call("fd_write", 1, iovs, IOV_MAX, nwritten)).toBe(0);
    expect(p.call("fd_write", 1, iovs, IOV_MAX + 1, nwritten)).toBe(Errno.INVAL);
    expect(p.call("fd_write", 1, iovs, 200_000, nwritten)).toBe(Errno.INVAL);
    expect(p.call("fd_pwrite", 1, iovs, 200_000, 0n, nwritten)).toBe(Errno.INVAL);
    expect(p.call("fd_read", 0, iovs, IOV_MAX + 1, nwritten)).toBe(Errno.INVAL);
    // proc_spawn: argv past ARG_MAX is E2BIG, an fdmap past PAIRS_MAX is EINVAL, both before any work.
    const [path, pathLen] = put(p.mem, SCRATCH, "/bin/none");
    const big = 16 * PAGE;
    const ret = SCRATCH - 8;
    expect(p.call("proc_spawn", path, pathLen, big, ARG_MAX + 1, 0, 0, 0, 0, 0, 0, 0, ret)).toBe(Errno.TOOBIG);
    expect(p.call("proc_spawn", path, pathLen, 0, 0, 0, 0, 0, 0, big, PAIRS_MAX + 1, 0, ret)).toBe(Errno.INVAL);
    // A path longer than PATH_MAX is refused before it is decoded into a host string.
    expect(p.call("path_open", ROOT_FD, 0, big, 8 * PAGE, 0, 0n, 0n, 0, ret)).toBe(Errno.NAMETOOLONG);
    // poll_oneoff: subscriptions that cannot fit in memory are EFAULT before anything is read.
    expect(p.call("poll_oneoff", 0, 0, 0xffff_ffff, ret)).toBe(Errno.FAULT);
    // ... and more than the fd limit allows (two per fd plus a few clocks) is EINVAL, not an array of 20,000.
    expect(p.call("poll_oneoff", 0, 0, 20_000, ret)).toBe(Errno.INVAL);
    expect(kernel.bugs).toEqual([]);
    await p.stop();
  });

  it("refuses child fds past the fd limit at once (4294967294 in a fdmap, fd_renumber, fd_dup2)", async () => {
    const kernel = quiet();
    kernel.fs.writeFile("/true.wasm", blockedReader(1));
    const p = await liveProcess(kernel);
    const [path, pathLen] = put(p.mem, SCRATCH, "/true.wasm");
    const fdmap = SCRATCH + 64;
    p.mem.setU32(fdmap, 4294967294);
    p.mem.setU32(fdmap + 4, 1);
    const started = Date.now();
    expect(p.call("proc_spawn", path, pathLen, 0, 0, 0, 0, 0, 0, fdmap, 1, 0, SCRATCH - 8)).toBe(Errno.BADF);
    p.mem.setU32(fdmap, kernel.host.limits.nofile);
    expect(p.call("proc_spawn", path, pathLen, 0, 0, 0, 0, 0, 0, fdmap, 1, 0, SCRATCH - 8)).toBe(Errno.BADF);
    expect(p.call("fd_dup2", 1, 4294967294)).toBe(Errno.BADF);
    expect(p.call("fd_renumber", 1, 4294967294)).toBe(Errno.BADF);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(p.proc.fds.size).toBe(4);
    expect(kernel.bugs).toEqual([]);
    await p.stop();
  }, 20_000);

  it("keeps in-memory files sparse and bounded: EFBIG past the largest file, ENOSPC under a storage limit", async () => {
    const kernel = quiet();
    const p = await liveProcess(kernel, 2);
    const fs = kernel.root;
    const [errno, fd] = open(p, "sparse", OFLAGS_CREAT, RIGHTS_FILE);
    expect(errno).toBe(0);
    const data = 2048;
    p.mem.write(data, Buffer.from("x"));
    p.mem.setU32(SCRATCH, data);
    p.mem.setU32(SCRATCH + 4, 1);
    const before = fs.usedBytes;
    // A write at 1 TB: EFBIG, not a trap ("Failed to allocate memory").
    expect(p.call("fd_pwrite", fd, SCRATCH, 1, 2n ** 40n, SCRATCH + 8)).toBe(Errno.FBIG);
    expect(p.call("fd_pwrite", fd, SCRATCH, 1, BigInt(MEMFS_MAX_FILE_SIZE), SCRATCH + 8)).toBe(Errno.FBIG);
    expect(p.call("fd_filestat_set_size", fd, BigInt(MEMFS_MAX_FILE_SIZE) + 1n)).toBe(Errno.FBIG);
    expect(p.call("fd_allocate", fd, BigInt(MEMFS_MAX_FILE_SIZE), 1n)).toBe(Errno.FBIG);
    // A write at 1 GiB holds one chunk, not a gigabyte (before: 2 GiB allocated, doubling).
    expect(p.call("fd_pwrite", fd, SCRATCH, 1, BigInt(GiB), SCRATCH + 8)).toBe(0);
    expect(p.mem.u32(SCRATCH + 8)).toBe(1);
    expect(fs.usedBytes - before).toBeLessThanOrEqual(64 * KiB);
    const node = kernel.root.root.lookup("sparse")!;
    expect(node.size()).toBe(GiB + 1);
    const back = new Uint8Array(4);
    expect(node.read(back, GiB - 3)).toBe(4);
    expect([...back]).toEqual([0, 0, 0, "x".charCodeAt(0)]);
    // Growing by set_size makes a hole too.
    expect(p.call("fd_filestat_set_size", fd, BigInt(2 * GiB - 1))).toBe(0);
    expect(fs.usedBytes - before).toBeLessThanOrEqual(64 * KiB);
    // Offsets past 2^53 - 1, and those negative as an i64 (2^63 and up as a u64): EINVAL, no read or write.
    for (const offset of [2n ** 53n, 2n ** 63n - 1n, -1n, -(2n ** 63n)]) {
      p.mem.setU32(SCRATCH + 8, 7);
      expect(p.call("fd_pwrite", fd, SCRATCH, 1, offset, SCRATCH + 8)).toBe(Errno.INVAL);
      expect(p.call("fd_pread", fd, SCRATCH, 1, offset, SCRATCH + 8)).toBe(Errno.INVAL);
      expect(p.mem.u32(SCRATCH + 8)).toBe(7);
    }
    // The largest offset that is a safe integer is a valid position: reading there finds the end.
    expect(p.call("fd_pread", fd, SCRATCH, 1, 2n ** 53n - 1n, SCRATCH + 8)).toBe(0);
    expect(p.mem.u32(SCRATCH + 8)).toBe(0);
    await p.stop();

    // Under a storage limit, data past it is ENOSPC and nothing is allocated for the attempt.
    const limited = quiet();
    const root = new MemFs(limited.allocDev(), { byteLimit: MiB });
    const container = limited.createContainer({ root: root.root });
    const q = await liveProcess(limited, 40, container);
    const [e2, fd2] = open(q, "f", OFLAGS_CREAT, RIGHTS_FILE);
    expect(e2).toBe(0);
    q.mem.setU32(SCRATCH, 4 * PAGE);
    q.mem.setU32(SCRATCH + 4, 2 * MiB);
    expect(q.call("fd_pwrite", fd2, SCRATCH, 1, BigInt(GiB), SCRATCH + 8)).toBe(Errno.NOSPC);
    expect(root.usedBytes).toBe(0);
    q.mem.setU32(SCRATCH + 4, 512 * KiB);
    expect(q.call("fd_pwrite", fd2, SCRATCH, 1, BigInt(GiB), SCRATCH + 8)).toBe(0);
    expect(root.usedBytes).toBe(512 * KiB);
    // fd_allocate of more than is left is ENOSPC at once (the range itself stays a hole).
    expect(q.call("fd_allocate", fd2, 0n, BigInt(MiB))).toBe(Errno.NOSPC);
    expect(q.call("fd_allocate", fd2, 0n, BigInt(256 * KiB))).toBe(0);
    expect(root.usedBytes).toBe(512 * KiB);
    expect(limited.bugs).toEqual([]);
    await q.stop();
  });

  it("--syscalls readonly-fs checks flags and rights: O_CREAT, O_TRUNC and writes give EROFS", async () => {
    const rt = await makeRuntime();
    const r = await runIn(rt, sh(
      // A redirection error is status 2 (POSIX, dash); `echo` is not a special builtin, so the shell goes on.
      "echo owned > /etc/passwd; echo rc=$?; echo > /tmp/new; echo rc=$?; echo ok > /dev/null; echo null=$?; head -c 5 /etc/passwd; echo; cat /tmp/new",
    ), { syscalls: "readonly-fs", init: false });
    expect(r.stdout).toBe("rc=2\nrc=2\nnull=0\nroot:\n");
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(r.stderr).toMatch(/\/tmp\/new/);

    // The same rules at the syscall level, in a read-only-fs container of a kernel.
    const kernel = quiet();
    kernel.fs.writeFile("/file", "contents");
    const container = kernel.createContainer({ root: kernel.root.root, readOnlyFs: true });
    const p = await liveProcess(kernel, 1, container);
    expect(open(p, "new", OFLAGS_CREAT, Rights.FD_READ)[0]).toBe(Errno.ROFS);
    expect(open(p, "file", OFLAGS_TRUNC, Rights.FD_READ)[0]).toBe(Errno.ROFS);
    expect(open(p, "file", 0, Rights.FD_READ | Rights.FD_WRITE)[0]).toBe(Errno.ROFS);
    const [errno, fd] = open(p, "file", 0, Rights.FD_READ);
    expect(errno).toBe(0);
    expect(p.call("fd_write", fd, 0, 1, SCRATCH)).toBe(Errno.NOTCAPABLE);
    expect(open(p, "dev/null", 0, Rights.FD_WRITE)[0]).toBe(0);
    expect(new TextDecoder().decode(kernel.fs.readFile("/file"))).toBe("contents");
    await p.stop();
  }, 60_000);

  it("keeps one container from starving the rest: default pids and memory limits, a bounded module cache, pipes as memory", async () => {
    // pids: a container gets a default limit, and the kernel keeps a reserve of the table for itself.
    const kernel = new Kernel({ log: () => undefined, maxProcesses: 32, containerPidsLimit: 1000 });
    const greedy = kernel.createContainer({ root: new MemFs(kernel.allocDev()).root });
    const started = [];
    let refused = 0;
    for (let i = 0; i < 32 && refused === 0; i++) {
      try {
        started.push(await liveProcess(kernel, 1, greedy));
      } catch (e) {
        expect((e as { errno?: number }).errno).toBe(Errno.AGAIN);
        refused++;
      }
    }
    expect(started.length).toBe(28);
    const host = await liveProcess(kernel);
    await host.stop();
    for (const p of started) await p.stop();
    const small = new Kernel({ log: () => undefined, containerPidsLimit: 3 });
    const c = small.createContainer({ root: new MemFs(small.allocDev()).root });
    expect(c.limits.pids).toBe(3);
    expect(new Kernel({ log: () => undefined }).createContainer({ root: new MemFs(1n).root }).limits.pids).toBe(1024);

    // memory: without --memory a container still has a limit; spawns past it are ENOMEM.
    const memKernel = new Kernel({ log: () => undefined, containerMemoryBytes: 4 * PAGE });
    const mc = memKernel.createContainer({ root: new MemFs(memKernel.allocDev()).root });
    const procs = [];
    for (let i = 0; i < 4; i++) procs.push(await liveProcess(memKernel, 1, mc));
    await expect(liveProcess(memKernel, 1, mc)).rejects.toMatchObject({ errno: Errno.NOMEM });
    expect(mc.limiter.hit).toBe("memory");
    for (const p of procs) await p.stop();

    // pipes count as the container's memory: fd_pipe past the limit is ENOMEM, closing gives it back.
    const pipeKernel = quiet();
    const pc = pipeKernel.createContainer({ root: new MemFs(pipeKernel.allocDev()).root, limits: { memoryBytes: PAGE + 4 * PIPE_CAPACITY } });
    const p = await liveProcess(pipeKernel, 1, pc);
    const fds: number[] = [];
    for (let i = 0; i < 4; i++) {
      expect(p.call("fd_pipe", SCRATCH, SCRATCH + 4)).toBe(0);
      fds.push(p.mem.u32(SCRATCH), p.mem.u32(SCRATCH + 4));
    }
    expect(pc.limiter.memoryBytes()).toBe(PAGE + 4 * PIPE_CAPACITY);
    expect(p.call("fd_pipe", SCRATCH, SCRATCH + 4)).toBe(Errno.NOMEM);
    for (const fd of fds.slice(0, 2)) expect(p.call("fd_close", fd)).toBe(0);
    expect(pc.limiter.memoryBytes()).toBe(PAGE + 3 * PIPE_CAPACITY);
    expect(p.call("fd_pipe", SCRATCH, SCRATCH + 4)).toBe(0);
    await p.stop();
    expect(pc.limiter.memoryBytes()).toBe(0);

    // the compiled-module cache: shared by digest, bounded by bytes (least recently used go first).
    const budget = MiB;
    const cacheKernel = new Kernel({ log: () => undefined, programCacheBytes: budget });
    const variant = (i: number) => wat(`(module (memory (export "memory") 1) (func (export "_start") (drop (i32.const ${i}))))`);
    const a = cacheKernel.programs.compile(variant(0), "a", false);
    expect(cacheKernel.programs.compile(variant(0), "b", false).module).toBe(a.module);
    // A tiny module costs about 64 KiB: the budget holds some fifteen, and forty more push the first out.
    for (let i = 1; i < 40; i++) cacheKernel.programs.compile(variant(i), `v${i}`, false);
    expect(cacheKernel.programs.bytes).toBeLessThanOrEqual(budget);
    expect(cacheKernel.programs.size).toBeLessThanOrEqual(Math.floor(budget / programCost(0)));
    expect(cacheKernel.programs.size).toBeGreaterThan(1);
    expect(cacheKernel.programs.compile(variant(0), "c", false).module).not.toBe(a.module);
  }, 60_000);

  it("refuses a gzip bomb layer while streaming it: images --verify and run report it, memory stays flat", async () => {
    // 256 MiB of zeros (a few hundred kB gzipped) against a 16 MiB limit: a store that held what it
    // unpacks would grow by far more than the 128 MiB allowed below.
    const bomb = await gzipBomb(256 * MiB);
    expect(bomb.blob.length).toBeLessThan(4 * MiB);
    const home = await tempDir();
    const maxLayerBytes = 16 * MiB;
    const store = await ImageStore.open(home, { maxLayerBytes });
    const layer = await store.writeBlob(bomb.blob);
    const image = await store.writeImage(
      { architecture: "wasm", os: "wasip1", rootfs: { type: "layers", diff_ids: [bomb.diffId] } },
      [{ mediaType: MEDIA_TYPE_LAYER_GZIP, ...layer }],
    );
    await store.tagImage(image.manifestDigest, image.manifestSize, ["bomb:latest"]);
    const rssBefore = process.memoryUsage().rss;
    const report = await store.verify();
    expect(report.problems.join("\n")).toMatch(/unpacks to more than 16777216 bytes/);
    await expect(store.openForRun("bomb")).rejects.toThrow(/unpacks to more than 16777216 bytes/);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(128 * MiB);
  }, 120_000);
});
