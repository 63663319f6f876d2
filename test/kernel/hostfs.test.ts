// Host-directory mounts (kernel/vfs/hostfs.ts) driven through the syscall table of a live guest:
// open files that outlive an unlink or rename, and directory fds that a host-side swap cannot redirect.
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Kernel, type Process } from "../../kernel/index.js";
import { GuestMemory } from "../../kernel/abi/memory.js";
import { bindSyscalls } from "../../kernel/engines/imports.js";
import { InputStream } from "../../kernel/stdio.js";
import { HostFs } from "../../kernel/vfs/hostfs.js";
import { RegularFile, DirectoryFile } from "../../kernel/vfs/open-file.js";
import { Errno, SysError } from "../../kernel/errno.js";
import type { Vnode } from "../../kernel/vfs/vnode.js";
import { FDFLAGS_APPEND, Filetype, OFLAGS_CREAT, OFLAGS_DIRECTORY, RIGHTS_ALL, RIGHTS_DIR, Rights } from "../../kernel/wasi.js";
import { wat, WASI_IMPORTS } from "../helpers/wat.js";

/** A guest that blocks reading stdin, so the test can make syscalls as that process meanwhile. */
const BLOCKED_READER = wat(`(module ${WASI_IMPORTS}
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 16))
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))))`);

/** Guest memory layout the calls below use. */
const RESULT = 256;
const IOVEC = 512;
const STRING_A = 1024;
const STRING_B = 3072;
const DATA = 8192;
const DATA_SIZE = 4096;
/** The preopen of the mount in the guest (fd 3 is "/"). */
const MOUNT_FD = 4;

/** A live guest process with its host mount, and its syscalls callable by name. */
class Guest {
  private readonly calls = new Map<string, (...args: Array<number | bigint>) => unknown>();
  private readonly encoder = new TextEncoder();

  private constructor(readonly kernel: Kernel, readonly proc: Process, readonly ended: Promise<unknown>, private readonly stdin: InputStream) {
    const ctx = { proc, mem: new GuestMemory(proc.memory!), preempt: () => false };
    // The dispatchers take what Wasm passes: numbers, and bigints for i64 parameters.
    for (const { def, fn } of bindSyscalls(kernel, proc, ctx, kernel.syscalls)) this.calls.set(def.name, fn as (...args: Array<number | bigint>) => unknown);
  }

  /** Starts a guest with `host` mounted at /m (fd 4). */
  static async start(host: string): Promise<Guest> {
    const kernel = new Kernel({ log: () => undefined });
    const stdin = new InputStream();
    let proc!: Process;
    const ended = kernel.run(BLOCKED_READER, { stdin, dirs: [{ host, guest: "/m" }], onStart: (p) => (proc = p) });
    for (let i = 0; i < 200 && !proc?.memory; i++) await new Promise((r) => setTimeout(r, 10));
    return new Guest(kernel, proc, ended, stdin);
  }

  private get bytes(): Uint8Array {
    return new Uint8Array(this.proc.memory!.buffer);
  }

  private get view(): DataView {
    return new DataView(this.proc.memory!.buffer);
  }

  /** Calls syscall `name`; returns its errno. */
  call(name: string, ...args: Array<number | bigint>): number {
    const result = this.calls.get(name)!(...args);
    if (typeof result !== "number") throw new Error(`${name} did not answer at once`);
    return result;
  }

  /** Puts a string in guest memory at `at`; returns [pointer, length]. */
  str(text: string, at = STRING_A): [number, number] {
    const encoded = this.encoder.encode(text);
    this.bytes.set(encoded, at);
    return [at, encoded.length];
  }

  /** path_open beneath `dirFd`: the errno (the new fd is at RESULT). */
  openErrno(dirFd: number, name: string, oflags = 0, fdflags = 0, rights = oflags & OFLAGS_DIRECTORY ? RIGHTS_DIR : RIGHTS_ALL): number {
    return this.call("path_open", dirFd, 1, ...this.str(name), oflags, BigInt(rights), BigInt(RIGHTS_ALL), fdflags, RESULT);
  }

  /** path_open beneath `dirFd`; the new fd, or throws the errno. */
  open(dirFd: number, name: string, oflags = 0, fdflags = 0, rights?: number): number {
    const errno = this.openErrno(dirFd, name, oflags, fdflags, rights);
    if (errno !== 0) throw new SysError(errno);
    return this.view.getUint32(RESULT, true);
  }

  /** Writes `text` at `pos` (fd_pwrite), or at the offset (fd_write) when pos is null; the count written. */
  write(fd: number, text: string, pos: bigint | null = null): number {
    const [ptr, len] = this.str(text, DATA);
    this.view.setUint32(IOVEC, ptr, true);
    this.view.setUint32(IOVEC + 4, len, true);
    const errno = pos === null ? this.call("fd_write", fd, IOVEC, 1, RESULT) : this.call("fd_pwrite", fd, IOVEC, 1, pos, RESULT);
    if (errno !== 0) throw new SysError(errno);
    return this.view.getUint32(RESULT, true);
  }

  /** Reads up to 4 KiB at `pos` (fd_pread), as text. */
  pread(fd: number, pos: bigint): string {
    this.view.setUint32(IOVEC, DATA, true);
    this.view.setUint32(IOVEC + 4, DATA_SIZE, true);
    const errno = this.call("fd_pread", fd, IOVEC, 1, pos, RESULT);
    if (errno !== 0) throw new SysError(errno);
    return Buffer.from(this.bytes.subarray(DATA, DATA + this.view.getUint32(RESULT, true))).toString();
  }

  /** fd_filestat_get: the file's size and link count. */
  fstat(fd: number): { size: bigint; nlink: bigint; ino: bigint } {
    const errno = this.call("fd_filestat_get", fd, DATA);
    if (errno !== 0) throw new SysError(errno);
    return { ino: this.view.getBigUint64(DATA + 8, true), nlink: this.view.getBigUint64(DATA + 24, true), size: this.view.getBigUint64(DATA + 32, true) };
  }

  /** path_filestat_get (no follow): the errno. */
  pathStat(dirFd: number, name: string): number {
    return this.call("path_filestat_get", dirFd, 0, ...this.str(name), DATA);
  }

  /** fd_readdir from cookie 0: the names listed. */
  readdir(fd: number): string[] {
    const errno = this.call("fd_readdir", fd, DATA, DATA_SIZE, 0n, RESULT);
    if (errno !== 0) throw new SysError(errno);
    const used = this.view.getUint32(RESULT, true);
    const names: string[] = [];
    for (let at = 0; at + 24 <= used;) {
      const length = this.view.getUint32(DATA + at + 16, true);
      names.push(Buffer.from(this.bytes.subarray(DATA + at + 24, DATA + at + 24 + length)).toString());
      at += 24 + length;
    }
    return names.sort();
  }

  /** Ends the guest and waits for it. */
  async end(): Promise<void> {
    this.stdin.end();
    await this.ended;
  }
}

/** Host fds of this process that name something beneath `dir`. */
function hostFdsUnder(dir: string): string[] {
  return fs.readdirSync("/proc/self/fd").flatMap((fd) => {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      return target === dir || target.startsWith(dir + "/") ? [target] : [];
    } catch {
      return [];
    }
  });
}

/** A listing of a host tree (names and file contents), to tell whether anything in it changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const full = path.join(dir, name);
    const st = fs.lstatSync(full);
    out[name] = st.isFile() ? fs.readFileSync(full, "utf8") : st.isDirectory() ? "<dir>" : `-> ${fs.readlinkSync(full)}`;
  }
  return out;
}

let base: string;
let mount: string;
let outside: string;

beforeEach(() => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), "wasmbox-hostfs-")));
  mount = path.join(base, "mnt");
  outside = path.join(base, "outside");
  fs.mkdirSync(mount);
  fs.mkdirSync(outside);
});

afterEach(() => {
  fs.rmSync(base, { recursive: true, force: true });
});

describe("host files stay files while open", () => {
  it("reads, writes and stats a file unlinked while open, through its fd", async () => {
    fs.writeFileSync(path.join(mount, "tmp"), "hello world");
    const guest = await Guest.start(mount);
    const fd = guest.open(MOUNT_FD, "tmp");
    expect(guest.call("path_unlink_file", MOUNT_FD, ...guest.str("tmp"))).toBe(0);
    expect(fs.existsSync(path.join(mount, "tmp"))).toBe(false);
    expect(guest.pread(fd, 6n)).toBe("world");
    expect(guest.write(fd, "HELLO", 0n)).toBe(5);
    expect(guest.write(fd, "!!")).toBe(2);
    expect(guest.pread(fd, 0n)).toBe("!!LLO world");
    expect(guest.fstat(fd)).toMatchObject({ size: 11n, nlink: 0n });
    expect(guest.call("fd_filestat_set_size", fd, 4n)).toBe(0);
    expect(guest.pread(fd, 0n)).toBe("!!LL");
    expect(guest.call("fd_sync", fd)).toBe(0);
    await guest.end();
  });

  it("keeps working when the host unlinks the file", async () => {
    fs.writeFileSync(path.join(mount, "tmp"), "data");
    const guest = await Guest.start(mount);
    const fd = guest.open(MOUNT_FD, "tmp");
    fs.unlinkSync(path.join(mount, "tmp"));
    expect(guest.write(fd, "more", 4n)).toBe(4);
    expect(guest.pread(fd, 0n)).toBe("datamore");
    expect(guest.fstat(fd).size).toBe(8n);
    await guest.end();
  });

  it("writes into the renamed file after a rename, by the guest or by the host", async () => {
    fs.writeFileSync(path.join(mount, "a"), "");
    const guest = await Guest.start(mount);
    const fd = guest.open(MOUNT_FD, "a");
    expect(guest.call("path_rename", MOUNT_FD, ...guest.str("a"), MOUNT_FD, ...guest.str("b", STRING_B))).toBe(0);
    expect(guest.write(fd, "one ")).toBe(4);
    fs.renameSync(path.join(mount, "b"), path.join(mount, "c"));
    expect(guest.write(fd, "two")).toBe(3);
    expect(fs.readdirSync(mount)).toEqual(["c"]);
    expect(fs.readFileSync(path.join(mount, "c"), "utf8")).toBe("one two");
    expect(guest.fstat(fd).ino).toBe(fs.statSync(path.join(mount, "c"), { bigint: true }).ino);
    await guest.end();
  });

  it("appends after what the host appended meanwhile (O_APPEND)", async () => {
    fs.writeFileSync(path.join(mount, "log"), "1\n");
    const guest = await Guest.start(mount);
    const fd = guest.open(MOUNT_FD, "log", 0, FDFLAGS_APPEND);
    expect(guest.write(fd, "2\n")).toBe(2);
    fs.appendFileSync(path.join(mount, "log"), "host\n");
    expect(guest.write(fd, "3\n")).toBe(2);
    expect(guest.write(fd, "4\n", 0n)).toBe(2);
    expect(fs.readFileSync(path.join(mount, "log"), "utf8")).toBe("1\n2\nhost\n3\n4\n");
    await guest.end();
  });

  it("opens for writing only what the host lets it write, as wasmtime does", async () => {
    fs.writeFileSync(path.join(mount, "ro"), "read only", { mode: 0o444 });
    fs.writeFileSync(path.join(mount, "wo"), "", { mode: 0o200 });
    const guest = await Guest.start(mount);
    const root = process.getuid?.() === 0;
    // Write rights on a file the host will not let us write: EACCES at open (sqlite then retries read-only).
    expect(guest.openErrno(MOUNT_FD, "ro")).toBe(root ? 0 : Errno.ACCES);
    const reader = guest.open(MOUNT_FD, "ro", 0, 0, Rights.FD_READ | Rights.FD_SEEK);
    expect(guest.pread(reader, 5n)).toBe("only");
    const writer = guest.open(MOUNT_FD, "wo", 0, 0, Rights.FD_WRITE | Rights.FD_READ);
    expect(guest.write(writer, "written")).toBe(7);
    expect(fs.readFileSync(path.join(mount, "wo"), "utf8")).toBe("written");
    await guest.end();
  });

  it("holds one host fd per open file and closes all of them when the guest ends", async () => {
    fs.mkdirSync(path.join(mount, "d"));
    fs.writeFileSync(path.join(mount, "d", "f"), "x");
    const guest = await Guest.start(mount);
    const dirFd = guest.open(MOUNT_FD, "d", OFLAGS_DIRECTORY);
    const fileFd = guest.open(dirFd, "f");
    expect(hostFdsUnder(base)).toContain(path.join(mount, "d", "f"));
    expect(guest.call("fd_close", fileFd)).toBe(0);
    expect(hostFdsUnder(base)).not.toContain(path.join(mount, "d", "f"));
    expect(hostFdsUnder(base)).toContain(path.join(mount, "d"));
    await guest.end();
    expect(hostFdsUnder(base)).toEqual([]);
  });
});

/** The host-side attack: `mnt/d` is moved to `mnt/d.orig` and replaced by a symlink to `outside`. */
function swapForSymlink(): void {
  fs.renameSync(path.join(mount, "d"), path.join(mount, "d.orig"));
  fs.symlinkSync(outside, path.join(mount, "d"));
}

function unswap(): void {
  fs.unlinkSync(path.join(mount, "d"));
  fs.renameSync(path.join(mount, "d.orig"), path.join(mount, "d"));
}

/** node:fs calls that change the host; the swap is made right before the first one an operation makes. */
const MUTATING_CALLS = ["mkdirSync", "unlinkSync", "rmdirSync", "renameSync", "linkSync", "symlinkSync", "openSync"] as const;

/**
 * Arms a swap for the window between the kernel's checks and its host call: the next call that
 * changes the host (an open that creates, a mkdir, an unlink...) first swaps the directory.
 * Returns how many swaps happened and a function that restores node:fs.
 */
function swapBeforeNextChange(): { swaps: () => number; restore: () => void } {
  const mutable = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = new Map(MUTATING_CALLS.map((name) => [name, mutable[name]]));
  let swaps = 0;
  let armed = true;
  for (const name of MUTATING_CALLS) {
    const original = originals.get(name)!;
    mutable[name] = (...args: unknown[]) => {
      const creates = name !== "openSync" || (typeof args[1] === "number" && (args[1] & fs.constants.O_CREAT) !== 0);
      if (armed && creates) {
        armed = false;
        swaps++;
        for (const [n, f] of originals) mutable[n] = f;
        syncBuiltinESMExports();
        swapForSymlink();
      }
      return original(...args);
    };
  }
  syncBuiltinESMExports();
  return {
    swaps: () => swaps,
    restore: () => {
      for (const [n, f] of originals) mutable[n] = f;
      syncBuiltinESMExports();
    },
  };
}

describe("a directory swapped for a symlink cannot redirect calls outside the mount", () => {
  /** Each operation, made through a directory fd on mnt/d: what it does, and the entry it leaves in the original directory. */
  const OPERATIONS: Array<[string, (g: Guest, dirFd: number) => number, string]> = [
    ["path_create_directory", (g, d) => g.call("path_create_directory", d, ...g.str("newdir")), "newdir"],
    ["path_open(CREAT)", (g, d) => g.openErrno(d, "newfile", OFLAGS_CREAT), "newfile"],
    ["path_unlink_file", (g, d) => g.call("path_unlink_file", d, ...g.str("victim")), "-victim"],
    ["path_remove_directory", (g, d) => g.call("path_remove_directory", d, ...g.str("victimdir")), "-victimdir"],
    ["path_rename", (g, d) => g.call("path_rename", d, ...g.str("victim"), d, ...g.str("renamed", STRING_B)), "renamed"],
    ["path_symlink", (g, d) => g.call("path_symlink", ...g.str("target"), d, ...g.str("newlink", STRING_B)), "newlink"],
    ["path_link", (g, d) => g.call("path_link", d, 0, ...g.str("victim"), d, ...g.str("hardlink", STRING_B)), "hardlink"],
  ];

  function populate(): void {
    for (const dir of [path.join(mount, "d"), outside]) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "victim"), dir === outside ? "outside, keep" : "inside");
      fs.mkdirSync(path.join(dir, "victimdir"));
    }
    fs.writeFileSync(path.join(outside, "secret"), "host only");
  }

  it.each(OPERATIONS)("%s between the check and the host call", async (_name, operate, effect) => {
    populate();
    const before = snapshot(outside);
    const guest = await Guest.start(mount);
    const dirFd = guest.open(MOUNT_FD, "d", OFLAGS_DIRECTORY);
    const hook = swapBeforeNextChange();
    let errno: number;
    try {
      errno = operate(guest, dirFd);
    } finally {
      hook.restore();
    }
    expect(hook.swaps()).toBe(1);
    expect(snapshot(outside)).toEqual(before);
    // The call acted on the directory the fd opened (now mnt/d.orig), as openat would.
    expect(errno).toBe(0);
    const original = fs.readdirSync(path.join(mount, "d.orig"));
    if (effect.startsWith("-")) expect(original).not.toContain(effect.slice(1));
    else expect(original).toContain(effect);
    await guest.end();
  });

  it.each(OPERATIONS)("%s after the swap, through the fd opened before it", async (_name, operate) => {
    populate();
    const before = snapshot(outside);
    const guest = await Guest.start(mount);
    const dirFd = guest.open(MOUNT_FD, "d", OFLAGS_DIRECTORY);
    swapForSymlink();
    operate(guest, dirFd);
    expect(snapshot(outside)).toEqual(before);
    unswap();
    await guest.end();
  });

  it("holds when the swap is made by a guest of another kernel sharing the volume", async () => {
    populate();
    const before = snapshot(outside);
    const victim = await Guest.start(mount);
    const attacker = await Guest.start(mount);
    const dirFd = victim.open(MOUNT_FD, "d", OFLAGS_DIRECTORY);
    expect(attacker.call("path_rename", MOUNT_FD, ...attacker.str("d"), MOUNT_FD, ...attacker.str("d.orig", STRING_B))).toBe(0);
    // A module run may not make absolute links (EPERM, as wasmtime); a relative one leads out as well.
    const escape = path.relative(mount, outside);
    expect(attacker.call("path_symlink", ...attacker.str(escape), MOUNT_FD, ...attacker.str("d", STRING_B))).toBe(0);
    expect(fs.realpathSync(path.join(mount, "d"))).toBe(fs.realpathSync(outside));
    expect(OPERATIONS.map(([, operate]) => operate(victim, dirFd))).toEqual([0, 0, 0, 0, Errno.NOENT, 0, Errno.NOENT]);
    expect(snapshot(outside)).toEqual(before);
    // In order: made newdir and newfile, removed victim and victimdir (so rename and link found no victim), made newlink.
    expect(fs.readdirSync(path.join(mount, "d.orig")).sort()).toEqual(["newdir", "newfile", "newlink"]);
    await victim.end();
    await attacker.end();
  });

  it("lists and stats the directory the fd opened, never the symlink's target", async () => {
    populate();
    const guest = await Guest.start(mount);
    const dirFd = guest.open(MOUNT_FD, "d", OFLAGS_DIRECTORY);
    swapForSymlink();
    expect(guest.readdir(dirFd)).toEqual([".", "..", "victim", "victimdir"]);
    expect(guest.pathStat(dirFd, "secret")).toBe(Errno.NOENT);
    expect(guest.pathStat(dirFd, "victim")).toBe(0);
    const fd = guest.open(dirFd, "victim");
    expect(guest.pread(fd, 0n)).toBe("inside");
    // Through the mount's own fd, the name d is now the host's symlink, not a way out.
    expect(() => guest.open(MOUNT_FD, "d/secret")).toThrow(SysError);
    await guest.end();
  });
});

describe.each([
  ["/proc/self/fd", true],
  ["realpath guard (no /proc)", false],
])("HostFs vnodes, %s mode", (_mode, procFd) => {
  function mounted(): HostFs {
    const hostFs = new HostFs(99n, mount, false, { procFd });
    expect(hostFs.procFd).toBe(procFd);
    return hostFs;
  }

  it("creates, lists, renames, links and removes entries", () => {
    const root = mounted().root;
    const dir = root.create("dir", Filetype.DIRECTORY, 0o755);
    const file = dir.create("file", Filetype.REGULAR_FILE, 0o644);
    expect(file.write(new TextEncoder().encode("abc"), 0)).toBe(3);
    dir.symlink("link", "file");
    dir.link("hard", file);
    expect(dir.list().sort()).toEqual(["file", "hard", "link"]);
    expect(dir.lookup("link")!.readlink()).toBe("file");
    expect(file.stat().nlink).toBe(2n);
    dir.rename("file", root, "moved");
    expect(fs.readFileSync(path.join(mount, "moved"), "utf8")).toBe("abc");
    dir.unlink("hard");
    dir.unlink("link");
    root.rmdir("dir");
    expect(fs.readdirSync(mount)).toEqual(["moved"]);
  });

  it("works below more directories than it keeps fds for, and closes them once nothing is open", async () => {
    const hostFs = mounted();
    const names = Array.from({ length: 100 }, (_, i) => `d${i}`);
    let dir: Vnode = hostFs.root;
    for (const name of names) dir = dir.create(name, Filetype.DIRECTORY, 0o755);
    const leaf = dir.create("leaf", Filetype.REGULAR_FILE, 0o644);
    // A bounded cache in /proc mode (the least recently used directories are closed), none without.
    expect(hostFdsUnder(base)).toHaveLength(procFd ? 64 : 0);
    // Writing opens and closes the file: with nothing left open, the cache is closed at once.
    expect(leaf.write(new TextEncoder().encode("deep"), 0)).toBe(4);
    expect(hostFdsUnder(base)).toEqual([]);
    let again: Vnode = hostFs.root;
    for (const name of names) again = again.lookup(name)!;
    expect(again.lookup("leaf")).toBe(leaf);
    expect(fs.readFileSync(path.join(mount, ...names, "leaf"), "utf8")).toBe("deep");
    await new Promise((resolve) => setImmediate(resolve));
    expect(hostFdsUnder(base)).toEqual([]);
  });

  it("changes the mode of a file nobody may read or write, and of a directory", () => {
    const root = mounted().root;
    const file = root.create("locked", Filetype.REGULAR_FILE, 0o644);
    const dir = root.create("dir", Filetype.DIRECTORY, 0o755);
    file.chmod(0);
    expect(fs.statSync(path.join(mount, "locked")).mode & 0o777).toBe(0);
    file.chmod(0o640);
    expect(file.stat().mode).toBe(0o640);
    dir.chmod(0o700);
    expect(fs.statSync(path.join(mount, "dir")).mode & 0o777).toBe(0o700);
    expect(dir.stat().mode).toBe(0o700);
  });

  it("reads and writes several buffers at once, short at the end of the file", () => {
    const file = mounted().root.create("v", Filetype.REGULAR_FILE, 0o644);
    const open = new RegularFile(file, 0);
    const encode = (text: string) => new TextEncoder().encode(text);
    expect(open.pwrite([encode("abc"), new Uint8Array(0), encode("defgh")], 2)).toBe(8);
    const [first, second] = [new Uint8Array(4), new Uint8Array(8)];
    expect(open.pread([first, second], 1)).toBe(9);
    expect(Buffer.from(first).toString("latin1")).toBe("\0abc");
    expect(Buffer.from(second.subarray(0, 5)).toString()).toBe("defgh");
    open.release();
    expect(fs.readFileSync(path.join(mount, "v"), "latin1")).toBe("\0\0abcdefgh");
  });

  it("keeps exact nanosecond times set through the mount", () => {
    const file = mounted().root.create("t", Filetype.REGULAR_FILE, 0o644);
    file.setTimes(1_000_000_000_123_456_789n, 2_000_000_000_987_654_321n);
    expect(file.stat()).toMatchObject({ atim: 1_000_000_000_123_456_789n, mtim: 2_000_000_000_987_654_321n });
    const open = new RegularFile(file, 0);
    open.setTimes(null, 3_000_000_000_000_000_001n);
    expect(open.stat()).toMatchObject({ atim: 1_000_000_000_123_456_789n, mtim: 3_000_000_000_000_000_001n });
    open.release();
  });

  it("reads and writes an open file after it is unlinked", () => {
    const root = mounted().root;
    const file = root.create("f", Filetype.REGULAR_FILE, 0o644);
    const open = new RegularFile(file, 0);
    root.unlink("f");
    expect(open.write([new TextEncoder().encode("kept")])).toBe(4);
    const buf = new Uint8Array(8);
    expect(open.pread([buf], 0)).toBe(4);
    expect(Buffer.from(buf.subarray(0, 4)).toString()).toBe("kept");
    open.release();
    expect(hostFdsUnder(base)).toEqual([]);
  });

  it("refuses to act in a directory swapped for a symlink to outside", () => {
    fs.mkdirSync(path.join(mount, "d"));
    fs.writeFileSync(path.join(outside, "victim"), "keep");
    const root = mounted().root;
    const dir = root.lookup("d")!;
    const held = new DirectoryFile(dir, [root, dir]);
    swapForSymlink();
    const before = snapshot(outside);
    const attempts = [
      () => dir.create("new", Filetype.REGULAR_FILE, 0o644), () => dir.create("newdir", Filetype.DIRECTORY, 0o755),
      () => dir.unlink("victim"), () => dir.symlink("l", "x"), () => dir.list(), () => dir.lookup("victim"),
    ];
    for (const attempt of attempts) {
      try {
        const result = attempt();
        // Acting on the original directory is right too (what /proc mode does); never the target.
        expect(procFd).toBe(true);
        if (Array.isArray(result)) expect(result).not.toContain("victim");
        if (result === undefined) expect(attempt).toBe(attempts[5]);
      } catch (e) {
        expect(e).toBeInstanceOf(SysError);
      }
    }
    expect(snapshot(outside)).toEqual(before);
    held.release();
    expect(hostFdsUnder(base)).toEqual([]);
  });
});
