// A host directory mounted into the guest (--dir HOST::GUEST, -v): vnodes whose every call acts on
// an opened host object (a directory fd, an open file's fd), never on a path resolved a second time.
import type { BigIntStats, Stats } from "node:fs";
import { join as joinPath, sep as pathSep } from "node:path";
import { Errno, errnoOf, SysError } from "../errno.js";
import { Filetype, type Filestat } from "../wasi.js";
import { checkName, checkRenameOver, Vnode, type FileContents, type FileSystem, type HostAccess, type VnodeHold } from "./vnode.js";

/**
 * node:fs itself, not an ES namespace of it: the CLI's bundle would copy its hundred-odd exports
 * onto a namespace object at every start (~0.3 ms of a module run's).
 */
const fs = process.getBuiltinModule("node:fs");

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY, O_NONBLOCK } = fs.constants;

/**
 * Linux's O_PATH (the generic value: x86, arm, arm64, riscv, ppc, s390): node:fs does not name it.
 * Opens an inode without reading or writing it, which chmod through /proc/self/fd/N then acts on.
 */
const LINUX_O_PATH = 0o10000000;

/** Directory fds a mount keeps open for directories no open file holds (the most recently used). */
const IDLE_DIRECTORY_FDS = 64;

/** Host errors with which opening for reading and writing may fail where opening only for writing works. */
const READ_REFUSALS = new Set<Errno>([Errno.ACCES, Errno.PERM]);

function filetypeOf(st: BigIntStats | Stats): Filetype {
  if (st.isFile()) return Filetype.REGULAR_FILE;
  if (st.isDirectory()) return Filetype.DIRECTORY;
  if (st.isSymbolicLink()) return Filetype.SYMBOLIC_LINK;
  if (st.isCharacterDevice()) return Filetype.CHARACTER_DEVICE;
  if (st.isBlockDevice()) return Filetype.BLOCK_DEVICE;
  if (st.isSocket()) return Filetype.SOCKET_STREAM;
  return Filetype.UNKNOWN;
}

/** The SysError for a host error. */
function hostError(e: unknown): SysError {
  return e instanceof SysError ? e : new SysError(errnoOf(e));
}

/** Runs a host fs call, turning host errors into errnos. */
function host<T>(call: () => T): T {
  try {
    return call();
  } catch (e) {
    throw hostError(e);
  }
}

/** Options of a host mount beyond its path. */
export interface HostFsOptions {
  /**
   * Whether to act through /proc/self/fd (Linux). Left out, it is detected once for this mount;
   * false forces the weaker realpath guard (the mode other platforms get), for its tests.
   */
  procFd?: boolean;
}

/**
 * A mounted host directory.
 *
 * - A directory vnode opens its host directory (O_DIRECTORY|O_NOFOLLOW, from its parent's fd) and
 *   names its entries as /proc/self/fd/N/NAME. Linux resolves /proc/self/fd/N to the opened
 *   directory itself, so that is openat(N, NAME): a directory swapped for a symlink to a host path
 *   after the check cannot redirect a create, unlink, rename, link, readdir... outside the mount.
 *   An open directory (a DirectoryFile) holds its fd, so it keeps its identity; other directories'
 *   fds are cached (at most IDLE_DIRECTORY_FDS per mount, all closed when nothing is open).
 * - An open regular file holds one host fd (opened at path_open, closed with the open file) and
 *   reads and writes at positions on it: it stays usable after an unlink or rename, as POSIX has it.
 * - Without /proc/self/fd (checked once per mount), each call resolves the directory's real path
 *   and refuses one outside the mount before acting on it: a weaker guard, open to a host-side swap
 *   between the check and the call.
 */
export class HostFs implements FileSystem {
  readonly type = "hostfs";
  readonly root: HostNode;
  readonly rootReal: string;
  /** The host device of the mounted directory. */
  readonly rootDev: bigint;
  /** Whether calls act through /proc/self/fd/N (directory fds) rather than checked real paths. */
  readonly procFd: boolean;
  /**
   * Exact nanosecond times set through this mount, keyed by inode: the host's utimes takes
   * floating-point seconds, which cannot hold 19 digits. Used while the host's own mtime still
   * shows what we set (nobody else touched the file since).
   */
  readonly exactTimes = new Map<bigint, { atim: bigint; mtim: bigint; hostMtim: bigint }>();
  /** Directories whose fd is open but held by no open file, least recently used first. */
  private readonly idleDirectories = new Set<HostNode>();
  /** Open files on this mount holding a host fd (files and held directories). */
  private openHandles = 0;
  /** Whether a closing of the idle directory fds is due once the current calls are done. */
  private flushScheduled = false;

  constructor(readonly dev: bigint, hostRoot: string, readonly readOnly: boolean, options: HostFsOptions = {}) {
    this.rootReal = host(() => fs.realpathSync(hostRoot));
    const st = host(() => fs.statSync(this.rootReal, { bigint: true }));
    if (!st.isDirectory()) throw new SysError(Errno.NOTDIR, hostRoot);
    this.rootDev = st.dev;
    this.procFd = options.procFd ?? HostFs.procFdWorks(this.rootReal);
    this.root = new HostNode(this, undefined, "", Filetype.DIRECTORY, st.ino);
  }

  /** Whether /proc/self/fd/N/. names the directory opened as fd N (Linux with /proc mounted). */
  private static procFdWorks(dir: string): boolean {
    if (process.platform !== "linux") return false;
    let fd = -1;
    try {
      fd = fs.openSync(dir, O_RDONLY | O_DIRECTORY);
      const opened = fs.fstatSync(fd, { bigint: true });
      const named = fs.statSync(`/proc/self/fd/${fd}/.`, { bigint: true });
      return opened.dev === named.dev && opened.ino === named.ino;
    } catch {
      return false;
    } finally {
      if (fd >= 0) fs.closeSync(fd);
    }
  }

  usage() {
    try {
      const s = fs.statfsSync(this.rootReal);
      return { bytes: s.blocks * s.bsize, usedBytes: (s.blocks - s.bfree) * s.bsize, inodes: s.files, usedInodes: s.files - s.ffree };
    } catch {
      return { bytes: 0, usedBytes: 0, inodes: 0, usedInodes: 0 };
    }
  }

  /** The real path of `hostPath` if it lies inside the mount (the weaker mode's guard); EACCES if not. */
  inside(hostPath: string): string {
    const real = host(() => fs.realpathSync(hostPath));
    if (real !== this.rootReal && !real.startsWith(this.rootReal + pathSep)) throw new SysError(Errno.ACCES);
    return real;
  }

  /** The guest-visible stat of a host stat, with the exact times set through this mount. */
  filestat(st: BigIntStats): Filestat {
    const exact = this.exactTimes.get(st.ino);
    const same = exact !== undefined && exact.hostMtim === st.mtimeNs;
    return {
      dev: this.dev, ino: st.ino, filetype: filetypeOf(st), nlink: st.nlink, size: st.size,
      atim: same ? exact.atim : st.atimeNs, mtim: same ? exact.mtim : st.mtimeNs, ctim: st.ctimeNs,
      mode: Number(st.mode & 0o7777n), uid: 0, gid: 0,
    };
  }

  /** Remembers the exact times just set on a file whose host stat is now `after`. */
  timesSet(atim: bigint, mtim: bigint, after: BigIntStats): void {
    this.exactTimes.set(after.ino, { atim, mtim, hostMtim: after.mtimeNs });
  }

  /** Counts an open file that holds a host fd. */
  handleOpened(): void {
    this.openHandles++;
  }

  /** Counts one going; when none is left, the cached directory fds are closed too. */
  handleClosed(): void {
    if (--this.openHandles === 0) this.closeIdleDirectories();
  }

  private closeIdleDirectories(): void {
    for (const dir of this.idleDirectories) dir.closeDirectoryFd();
    this.idleDirectories.clear();
  }

  /**
   * Marks a directory's open fd as used now (and not held); closes the least recently used past
   * the bound. With nothing open on the mount (a lookup from the kernel or a container's shell
   * between commands), the cache is closed once the current calls are done, so that a mount
   * nobody uses any more holds no host fd. Calls are synchronous: no path naming a directory fd
   * outlives the turn of the event loop it was made in.
   */
  directoryIdle(dir: HostNode): void {
    this.idleDirectories.delete(dir);
    this.idleDirectories.add(dir);
    if (this.openHandles === 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushWhenUnused());
    }
    if (this.idleDirectories.size <= IDLE_DIRECTORY_FDS) return;
    const oldest = this.idleDirectories.values().next().value!;
    this.idleDirectories.delete(oldest);
    oldest.closeDirectoryFd();
  }

  private flushWhenUnused(): void {
    this.flushScheduled = false;
    if (this.openHandles === 0) this.closeIdleDirectories();
  }

  /** Takes a directory out of the idle cache: an open file holds it now, or its fd is closing. */
  directoryNotIdle(dir: HostNode): void {
    this.idleDirectories.delete(dir);
  }
}

/** An open host file: one host fd, positioned reads and writes on it. */
class HostFileHandle implements FileContents {
  private closed = false;

  constructor(private readonly node: HostNode, private readonly fd: number, private readonly access: number) {
    node.fs.handleOpened();
  }

  read(buf: Uint8Array, pos: number): number {
    if (this.access === O_WRONLY) throw new SysError(Errno.ACCES);
    try {
      return fs.readSync(this.fd, buf, 0, buf.length, pos);
    } catch (e) {
      throw hostError(e);
    }
  }

  write(buf: Uint8Array, pos: number): number {
    if (this.access === O_RDONLY) throw new SysError(Errno.ACCES);
    try {
      return fs.writeSync(this.fd, buf, 0, buf.length, pos);
    } catch (e) {
      throw hostError(e);
    }
  }

  readv(bufs: Uint8Array[], pos: number): number {
    if (this.access === O_WRONLY) throw new SysError(Errno.ACCES);
    return host(() => fs.readvSync(this.fd, bufs, pos));
  }

  writev(bufs: Uint8Array[], pos: number): number {
    if (this.access === O_RDONLY) throw new SysError(Errno.ACCES);
    return host(() => fs.writevSync(this.fd, bufs, pos));
  }

  private hostStat(): BigIntStats {
    return host(() => fs.fstatSync(this.fd, { bigint: true }));
  }

  size(): number {
    return Number(this.hostStat().size);
  }

  truncate(size: number): void {
    if (this.access === O_RDONLY) throw new SysError(Errno.ACCES);
    host(() => fs.ftruncateSync(this.fd, size));
  }

  stat(): Filestat {
    return this.node.fs.filestat(this.hostStat());
  }

  setTimes(atim: bigint | null, mtim: bigint | null): void {
    const before = this.stat();
    const a = atim ?? before.atim;
    const m = mtim ?? before.mtim;
    host(() => fs.futimesSync(this.fd, Number(a) / 1e9, Number(m) / 1e9));
    this.node.fs.timesSet(a, m, this.hostStat());
  }

  sync(): void {
    host(() => fs.fsyncSync(this.fd));
  }

  hostAccess(): HostAccess | undefined {
    return this.closed ? undefined : { fd: this.fd, read: this.access !== O_WRONLY, write: this.access !== O_RDONLY };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
    this.node.fs.handleClosed();
  }
}

/** What an open directory keeps: its hold on the directory's fd, released once. */
class DirectoryHold implements VnodeHold {
  private released = false;

  constructor(private readonly dir: HostNode) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    this.dir.unhold();
  }
}

/** A host file, directory or symlink, known by its parent directory's vnode and its name there. */
export class HostNode extends Vnode {
  /** Entries looked up so far, so that a name keeps its vnode while it names the same inode. */
  private readonly children = new Map<string, HostNode>();
  /** The host directory, opened (directories in /proc mode); -1 when not open. */
  private directoryFd = -1;
  /** Open files holding this directory's fd. */
  private holds = 0;
  /** Set once unlinked, replaced or found changed: the vnode no longer names a host entry. */
  private gone = false;

  /** `parent` and `name` say where the entry is; the root has no parent. */
  constructor(
    readonly fs: HostFs, private parent: HostNode | undefined, private name: string,
    readonly type: Filetype, readonly ino: bigint,
  ) {
    super();
  }

  /** The host path as last known (the weaker mode acts on it, after checking its real path). */
  hostPath(): string {
    return this.parent ? joinPath(this.parent.hostPath(), this.name) : this.fs.rootReal;
  }

  /** The fd of this host directory, opened from the parent's fd if not open yet (/proc mode). */
  private openDirectory(): number {
    if (this.directoryFd >= 0) {
      if (this.holds === 0) this.fs.directoryIdle(this);
      return this.directoryFd;
    }
    if (this.gone) throw new SysError(Errno.NOENT);
    const path = this.parent ? this.parent.entryPath(this.name) : this.fs.rootReal;
    let fd: number;
    try {
      fd = fs.openSync(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (e) {
      // A symlink or a file where this directory was: the directory this vnode named is gone.
      const errno = errnoOf(e);
      throw new SysError(errno === Errno.LOOP || errno === Errno.NOTDIR ? Errno.NOENT : errno);
    }
    try {
      const st = fs.fstatSync(fd, { bigint: true });
      // The root is reopened by its path: the same directory, or the mount is gone.
      if (st.ino !== this.ino || (!this.parent && st.dev !== this.fs.rootDev)) throw new SysError(Errno.NOENT);
    } catch (e) {
      fs.closeSync(fd);
      throw hostError(e);
    }
    this.directoryFd = fd;
    if (this.holds === 0) this.fs.directoryIdle(this);
    return fd;
  }

  /** Closes the directory's fd (the mount's cache evicted it). */
  closeDirectoryFd(): void {
    if (this.directoryFd < 0) return;
    fs.closeSync(this.directoryFd);
    this.directoryFd = -1;
  }

  /** A host path naming entry `name` of this directory, resolved from the opened directory itself. */
  private entryPath(name: string): string {
    if (this.fs.procFd) return `/proc/self/fd/${this.openDirectory()}/${name}`;
    return joinPath(this.fs.inside(this.hostPath()), name);
  }

  /** A host path naming this entry itself (its parent's entry path; the root's checked real path). */
  private selfPath(): string {
    if (this.gone) throw new SysError(Errno.NOENT);
    return this.parent ? this.parent.entryPath(this.name) : this.fs.inside(this.fs.rootReal);
  }

  private lstat(): BigIntStats {
    if (this.fs.procFd && this.type === Filetype.DIRECTORY) {
      const fd = this.openDirectory();
      return host(() => fs.fstatSync(fd, { bigint: true }));
    }
    const path = this.selfPath();
    return host(() => fs.lstatSync(path, { bigint: true }));
  }

  override hold(): VnodeHold {
    if (this.fs.procFd) {
      this.openDirectory();
      this.fs.directoryNotIdle(this);
    }
    this.holds++;
    this.fs.handleOpened();
    return new DirectoryHold(this);
  }

  /** An open file holding this directory closed; with no hold left its fd joins the idle cache. */
  unhold(): void {
    if (--this.holds === 0 && this.directoryFd >= 0) {
      if (this.gone) this.closeDirectoryFd();
      else this.fs.directoryIdle(this);
    }
    this.fs.handleClosed();
  }

  /** Runs `act` while both directories' fds are held (a second directory's opening cannot close the first's). */
  private withBoth<T>(other: HostNode, act: () => T): T {
    const mine = this.hold();
    try {
      const theirs = other.hold();
      try {
        return act();
      } finally {
        theirs.release();
      }
    } finally {
      mine.release();
    }
  }

  stat(): Filestat {
    return this.fs.filestat(this.lstat());
  }

  override setTimes(atim: bigint | null, mtim: bigint | null): void {
    const before = this.stat();
    const a = atim ?? before.atim;
    const m = mtim ?? before.mtim;
    if (this.fs.procFd && this.type === Filetype.DIRECTORY) {
      const fd = this.openDirectory();
      host(() => fs.futimesSync(fd, Number(a) / 1e9, Number(m) / 1e9));
    } else {
      const path = this.selfPath();
      host(() => fs.lutimesSync(path, Number(a) / 1e9, Number(m) / 1e9));
    }
    this.fs.timesSet(a, m, this.lstat());
  }

  override chmod(mode: number): void {
    if (this.type === Filetype.SYMBOLIC_LINK) return;
    if (!this.fs.procFd) {
      const path = this.selfPath();
      host(() => fs.chmodSync(path, mode & 0o7777));
      return;
    }
    if (this.type === Filetype.DIRECTORY) {
      const fd = this.openDirectory();
      host(() => fs.fchmodSync(fd, mode & 0o7777));
      return;
    }
    // Not fchmod: a file may be readable and writable by nobody. An O_PATH fd opened without
    // following names this very inode; chmod of /proc/self/fd/N acts on it.
    const fd = host(() => fs.openSync(this.selfPath(), LINUX_O_PATH | O_NOFOLLOW));
    try {
      if (host(() => fs.fstatSync(fd)).isSymbolicLink()) return; // replaced by a link on the host: nothing to change
      host(() => fs.chmodSync(`/proc/self/fd/${fd}`, mode & 0o7777));
    } finally {
      fs.closeSync(fd);
    }
  }

  override size(): number {
    return Number(this.lstat().size);
  }

  override openHandle(writable: boolean): FileContents {
    if (this.type !== Filetype.REGULAR_FILE) throw new SysError(Errno.INVAL);
    const path = this.selfPath();
    // As wasmtime: an open with write rights opens the host file for writing (EACCES now if it may
    // not be written, which is what makes sqlite fall back to read-only); a file that may be
    // written but not read is opened write-only.
    const modes = writable ? [O_RDWR, O_WRONLY] : [O_RDONLY];
    for (let i = 0; ; i++) {
      let fd: number;
      try {
        // O_NONBLOCK: a FIFO swapped in on the host must not block the kernel (refused below).
        fd = fs.openSync(path, modes[i] | O_NOFOLLOW | O_NONBLOCK);
      } catch (e) {
        const errno = errnoOf(e);
        if (i + 1 < modes.length && READ_REFUSALS.has(errno)) continue;
        throw new SysError(errno);
      }
      const st = host(() => fs.fstatSync(fd, { bigint: true }));
      if (!st.isFile() || st.ino !== this.ino) {
        fs.closeSync(fd);
        throw new SysError(Errno.NOENT);
      }
      return new HostFileHandle(this, fd, modes[i]);
    }
  }

  /** Runs `act` on a handle opened for this one call (the kernel's own reads and writes). */
  private withHandle<T>(writable: boolean, act: (handle: FileContents) => T): T {
    const handle = this.openHandle(writable);
    try {
      return act(handle);
    } finally {
      handle.close!();
    }
  }

  override read(buf: Uint8Array, pos: number): number {
    if (this.type !== Filetype.REGULAR_FILE) return super.read(buf, pos);
    return this.withHandle(false, (h) => h.read(buf, pos));
  }

  override write(buf: Uint8Array, pos: number): number {
    if (this.type !== Filetype.REGULAR_FILE) return super.write(buf, pos);
    return this.withHandle(true, (h) => h.write(buf, pos));
  }

  override truncate(size: number): void {
    if (this.type !== Filetype.REGULAR_FILE) return super.truncate(size);
    this.withHandle(true, (h) => h.truncate(size));
  }

  private checkChild(name: string): void {
    checkName(name);
    // The namespace resolves "." and ".." itself; on the host they would leave the opened directory.
    if (name === "." || name === "..") throw new SysError(Errno.INVAL);
    if (this.type !== Filetype.DIRECTORY) throw new SysError(Errno.NOTDIR);
  }

  /** The vnode for entry `name` seen as (type, ino): the one known if it still matches. */
  private childNode(name: string, type: Filetype, ino: bigint): HostNode {
    const known = this.children.get(name);
    if (known && known.ino === ino && known.type === type) return known;
    known?.drop();
    const node = new HostNode(this.fs, this, name, type, ino);
    this.children.set(name, node);
    return node;
  }

  /** Forgets entry `name` (unlinked, removed or replaced by a rename). */
  private forget(name: string): void {
    this.children.get(name)?.drop();
    this.children.delete(name);
  }

  /** This vnode no longer names a host entry: an fd no open file holds is closed now. */
  private drop(): void {
    this.gone = true;
    if (this.holds > 0) return;
    this.fs.directoryNotIdle(this);
    this.closeDirectoryFd();
  }

  override lookup(name: string): Vnode | undefined {
    if (name === "." || name === "..") return undefined;
    this.checkChild(name);
    let st: BigIntStats;
    try {
      st = fs.lstatSync(this.entryPath(name), { bigint: true });
    } catch (e) {
      const errno = errnoOf(e);
      if (errno === Errno.NOENT) return undefined;
      throw new SysError(errno);
    }
    return this.childNode(name, filetypeOf(st), st.ino);
  }

  /** lookup() of an entry just made: ENOENT if the host removed it already. */
  private made(name: string): Vnode {
    const node = this.lookup(name);
    if (!node) throw new SysError(Errno.NOENT);
    return node;
  }

  override list(): string[] {
    if (this.type !== Filetype.DIRECTORY) return super.list();
    const path = this.fs.procFd ? `/proc/self/fd/${this.openDirectory()}` : this.fs.inside(this.hostPath());
    return host(() => fs.readdirSync(path));
  }

  override create(name: string, type: Filetype.REGULAR_FILE | Filetype.DIRECTORY, mode: number): Vnode {
    this.checkChild(name);
    const path = this.entryPath(name);
    if (type === Filetype.DIRECTORY) host(() => fs.mkdirSync(path, { mode }));
    else fs.closeSync(host(() => fs.openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode)));
    return this.made(name);
  }

  override symlink(name: string, target: string): Vnode {
    this.checkChild(name);
    const path = this.entryPath(name);
    host(() => fs.symlinkSync(target, path));
    return this.made(name);
  }

  override link(name: string, target: Vnode): void {
    if (!(target instanceof HostNode) || target.fs !== this.fs) throw new SysError(Errno.XDEV);
    this.checkChild(name);
    const from = target.parent;
    if (!from || target.gone) throw new SysError(target.gone ? Errno.NOENT : Errno.PERM);
    // link(2) does not follow a symlink it is given: the link is to the entry itself.
    this.withBoth(from, () => {
      const source = from.entryPath(target.name);
      host(() => fs.linkSync(source, this.entryPath(name)));
    });
  }

  override unlink(name: string): void {
    const node = this.lookup(name);
    if (!node) throw new SysError(Errno.NOENT);
    if (node.type === Filetype.DIRECTORY) throw new SysError(Errno.ISDIR);
    const path = this.entryPath(name);
    host(() => fs.unlinkSync(path));
    this.forget(name);
  }

  override rmdir(name: string): void {
    const node = this.lookup(name);
    if (!node) throw new SysError(Errno.NOENT);
    if (node.type !== Filetype.DIRECTORY) throw new SysError(Errno.NOTDIR);
    const path = this.entryPath(name);
    host(() => fs.rmdirSync(path));
    this.forget(name);
  }

  override rename(name: string, toDir: Vnode, toName: string): void {
    if (!(toDir instanceof HostNode) || toDir.fs !== this.fs) throw new SysError(Errno.XDEV);
    toDir.checkChild(toName);
    this.withBoth(toDir, () => {
      const node = this.lookup(name) as HostNode | undefined;
      if (!node) throw new SysError(Errno.NOENT);
      const existing = toDir.lookup(toName);
      if (existing) {
        if (existing.same(node)) return;
        checkRenameOver(node, existing);
      }
      const from = this.entryPath(name);
      host(() => fs.renameSync(from, toDir.entryPath(toName)));
      // The vnode moves with its entry: an open directory follows the rename.
      this.children.delete(name);
      toDir.forget(toName);
      toDir.children.set(toName, node);
      node.parent = toDir;
      node.name = toName;
    });
  }

  override readlink(): string {
    if (this.type !== Filetype.SYMBOLIC_LINK) return super.readlink();
    const path = this.selfPath();
    return host(() => fs.readlinkSync(path));
  }
}
