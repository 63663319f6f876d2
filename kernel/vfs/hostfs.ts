// A host directory mounted into the guest (--dir HOST::GUEST). The guest can never leave it: the
// VFS resolves one component at a time (lstat, never letting the host follow a symlink), and each
// operation re-checks that its host directory still lies inside the mount root (check-vs-use races).
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { Errno, errnoOf, SysError } from "../errno.js";
import { Filetype, type Filestat } from "../wasi.js";
import { checkName, checkRenameOver, Vnode, type FileSystem } from "./vnode.js";

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;

function filetypeOf(st: fs.BigIntStats | fs.Stats): Filetype {
  if (st.isFile()) return Filetype.REGULAR_FILE;
  if (st.isDirectory()) return Filetype.DIRECTORY;
  if (st.isSymbolicLink()) return Filetype.SYMBOLIC_LINK;
  if (st.isCharacterDevice()) return Filetype.CHARACTER_DEVICE;
  if (st.isBlockDevice()) return Filetype.BLOCK_DEVICE;
  if (st.isSocket()) return Filetype.SOCKET_STREAM;
  return Filetype.UNKNOWN;
}

/** Runs a host fs call, turning host errors into errnos. */
function host<T>(call: () => T): T {
  try {
    return call();
  } catch (e) {
    throw e instanceof SysError ? e : new SysError(errnoOf(e));
  }
}

export class HostFs implements FileSystem {
  readonly type = "hostfs";
  readonly root: HostNode;
  readonly rootReal: string;
  /** One vnode per host path, so that an open directory follows its renames. */
  private readonly nodes = new Map<string, HostNode>();
  /**
   * Exact nanosecond times set through this mount, keyed by inode: the host's utimes takes
   * floating-point seconds, which cannot hold 19 digits. Used while the host's own mtime still
   * shows what we set (nobody else touched the file since).
   */
  readonly exactTimes = new Map<bigint, { atim: bigint; mtim: bigint; hostMtim: bigint }>();

  constructor(readonly dev: bigint, hostRoot: string, readonly readOnly: boolean) {
    this.rootReal = host(() => fs.realpathSync(hostRoot));
    const st = host(() => fs.statSync(this.rootReal, { bigint: true }));
    if (!st.isDirectory()) throw new SysError(Errno.NOTDIR, hostRoot);
    this.root = new HostNode(this, this.rootReal, Filetype.DIRECTORY, st.ino);
    this.nodes.set(this.rootReal, this.root);
  }

  /** The vnode for a host path (the same object while the path names the same inode). */
  node(hostPath: string, type: Filetype, ino: bigint): HostNode {
    const known = this.nodes.get(hostPath);
    if (known && known.ino === ino && known.type === type) return known;
    const node = new HostNode(this, hostPath, type, ino);
    this.nodes.set(hostPath, node);
    return node;
  }

  /** Follows a rename made through this mount: vnodes below `from` now live below `to`. */
  moved(from: string, to: string): void {
    this.nodes.delete(to);
    for (const [path, node] of [...this.nodes]) {
      if (path !== from && !path.startsWith(from + nodePath.sep)) continue;
      this.nodes.delete(path);
      node.hostPath = to + path.slice(from.length);
      this.nodes.set(node.hostPath, node);
    }
  }

  /** Forgets a removed path. */
  removed(hostPath: string): void {
    this.nodes.delete(hostPath);
  }

  usage() {
    try {
      const s = fs.statfsSync(this.rootReal);
      return { bytes: s.blocks * s.bsize, usedBytes: (s.blocks - s.bfree) * s.bsize, inodes: s.files, usedInodes: s.files - s.ffree };
    } catch {
      return { bytes: 0, usedBytes: 0, inodes: 0, usedInodes: 0 };
    }
  }

  /** Refuses a host path whose directory has been moved outside the root (or replaced by a link). */
  guard(hostPath: string): string {
    const dir = hostPath === this.rootReal ? hostPath : nodePath.dirname(hostPath);
    const real = host(() => fs.realpathSync(dir));
    if (real !== this.rootReal && !real.startsWith(this.rootReal + nodePath.sep)) throw new SysError(Errno.ACCES);
    return hostPath === this.rootReal ? real : nodePath.join(real, nodePath.basename(hostPath));
  }

  /** Opens without following a final symlink, and checks what was opened is still inside. */
  open(hostPath: string, flags: number, mode = 0o644): number {
    const safe = this.guard(hostPath);
    const fd = host(() => fs.openSync(safe, flags | O_NOFOLLOW, mode));
    try {
      const real = fs.readlinkSync(`/proc/self/fd/${fd}`);
      if (real !== this.rootReal && !real.startsWith(this.rootReal + nodePath.sep)) throw new SysError(Errno.ACCES);
    } catch (e) {
      if (e instanceof SysError) {
        fs.closeSync(fd);
        throw e;
      }
      // No /proc on this host: the guard above is the check.
    }
    return fd;
  }
}

export class HostNode extends Vnode {
  constructor(readonly fs: HostFs, public hostPath: string, readonly type: Filetype, readonly ino: bigint) {
    super();
  }

  private lstat(): fs.BigIntStats {
    return host(() => fs.lstatSync(this.fs.guard(this.hostPath), { bigint: true }));
  }

  stat(): Filestat {
    const st = this.lstat();
    const exact = this.fs.exactTimes.get(st.ino);
    const same = exact !== undefined && exact.hostMtim === st.mtimeNs;
    return {
      dev: this.fs.dev, ino: st.ino, filetype: filetypeOf(st), nlink: st.nlink, size: st.size,
      atim: same ? exact.atim : st.atimeNs, mtim: same ? exact.mtim : st.mtimeNs, ctim: st.ctimeNs,
      mode: Number(st.mode & 0o7777n), uid: 0, gid: 0,
    };
  }

  override setTimes(atim: bigint | null, mtim: bigint | null): void {
    const before = this.stat();
    const a = atim ?? before.atim;
    const m = mtim ?? before.mtim;
    host(() => fs.lutimesSync(this.fs.guard(this.hostPath), Number(a) / 1e9, Number(m) / 1e9));
    const after = this.lstat();
    this.fs.exactTimes.set(after.ino, { atim: a, mtim: m, hostMtim: after.mtimeNs });
  }

  override chmod(mode: number): void {
    if (this.type === Filetype.SYMBOLIC_LINK) return;
    host(() => fs.chmodSync(this.fs.guard(this.hostPath), mode & 0o7777));
  }

  override size(): number {
    return Number(this.lstat().size);
  }

  override read(buf: Uint8Array, pos: number): number {
    if (this.type !== Filetype.REGULAR_FILE) return super.read(buf, pos);
    const fd = this.fs.open(this.hostPath, O_RDONLY);
    try {
      return host(() => fs.readSync(fd, buf, 0, buf.length, pos));
    } finally {
      fs.closeSync(fd);
    }
  }

  override write(buf: Uint8Array, pos: number): number {
    if (this.type !== Filetype.REGULAR_FILE) return super.write(buf, pos);
    const fd = this.fs.open(this.hostPath, O_WRONLY);
    try {
      return host(() => fs.writeSync(fd, buf, 0, buf.length, pos));
    } finally {
      fs.closeSync(fd);
    }
  }

  override truncate(size: number): void {
    if (this.type !== Filetype.REGULAR_FILE) return super.truncate(size);
    const fd = this.fs.open(this.hostPath, O_WRONLY);
    try {
      host(() => fs.ftruncateSync(fd, size));
    } finally {
      fs.closeSync(fd);
    }
  }

  private child(name: string): string {
    checkName(name);
    if (this.type !== Filetype.DIRECTORY) throw new SysError(Errno.NOTDIR);
    return nodePath.join(this.hostPath, name);
  }

  override lookup(name: string): Vnode | undefined {
    if (name === "." || name === "..") return undefined;
    const path = this.child(name);
    let st: fs.BigIntStats;
    try {
      st = fs.lstatSync(this.fs.guard(path), { bigint: true });
    } catch (e) {
      const errno = errnoOf(e);
      if (errno === Errno.NOENT) return undefined;
      throw new SysError(errno);
    }
    return this.fs.node(path, filetypeOf(st), st.ino);
  }

  override list(): string[] {
    if (this.type !== Filetype.DIRECTORY) return super.list();
    return host(() => fs.readdirSync(this.fs.guard(this.hostPath)));
  }

  override create(name: string, type: Filetype.REGULAR_FILE | Filetype.DIRECTORY, mode: number): Vnode {
    const path = this.child(name);
    if (type === Filetype.DIRECTORY) host(() => fs.mkdirSync(this.fs.guard(path), { mode }));
    else fs.closeSync(this.fs.open(path, O_WRONLY | O_CREAT | O_EXCL, mode));
    return this.lookup(name)!;
  }

  override symlink(name: string, target: string): Vnode {
    const path = this.child(name);
    host(() => fs.symlinkSync(target, this.fs.guard(path)));
    return this.lookup(name)!;
  }

  override link(name: string, target: Vnode): void {
    if (!(target instanceof HostNode) || target.fs !== this.fs) throw new SysError(Errno.XDEV);
    const path = this.child(name);
    host(() => fs.linkSync(this.fs.guard(target.hostPath), this.fs.guard(path)));
  }

  override unlink(name: string): void {
    const node = this.lookup(name);
    if (!node) throw new SysError(Errno.NOENT);
    if (node.type === Filetype.DIRECTORY) throw new SysError(Errno.ISDIR);
    host(() => fs.unlinkSync(this.fs.guard(this.child(name))));
    this.fs.removed(this.child(name));
  }

  override rmdir(name: string): void {
    const node = this.lookup(name);
    if (!node) throw new SysError(Errno.NOENT);
    if (node.type !== Filetype.DIRECTORY) throw new SysError(Errno.NOTDIR);
    host(() => fs.rmdirSync(this.fs.guard(this.child(name))));
    this.fs.removed(this.child(name));
  }

  override rename(name: string, toDir: Vnode, toName: string): void {
    if (!(toDir instanceof HostNode) || toDir.fs !== this.fs) throw new SysError(Errno.XDEV);
    const node = this.lookup(name);
    if (!node) throw new SysError(Errno.NOENT);
    const existing = toDir.lookup(toName);
    if (existing) {
      if (existing.same(node)) return;
      checkRenameOver(node, existing);
    }
    host(() => fs.renameSync(this.fs.guard(this.child(name)), this.fs.guard(toDir.child(toName))));
    this.fs.moved(this.child(name), toDir.child(toName));
  }

  override readlink(): string {
    if (this.type !== Filetype.SYMBOLIC_LINK) return super.readlink();
    return host(() => fs.readlinkSync(this.fs.guard(this.hostPath)));
  }
}
