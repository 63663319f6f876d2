// The in-memory filesystem: directories and symlinks as JS objects, file contents in sparse chunked
// buffers (sparse-bytes.ts). Used for the root of a kernel, image layers and container uppers.
import { Errno, SysError } from "../errno.js";
import { SparseBytes } from "./sparse-bytes.js";
import { Filetype, type Filestat } from "../wasi.js";
import { checkName, checkRenameOver, nowNs, Vnode, type FileSystem } from "./vnode.js";

/**
 * The largest in-memory file (2 GiB - 1): past it writes and size changes give EFBIG. Files are
 * sparse, so the limit is not about memory held (the storage limit is) but about what the kernel
 * may have to copy whole: a file read as a program, copied up from a layer, committed or exported.
 */
export const MEMFS_MAX_FILE_SIZE = 2 ** 31 - 1;

/** Options of an in-memory filesystem. */
export interface MemFsOptions {
  readOnly?: boolean;
  /** Most bytes of file data it may hold (ENOSPC past it). */
  byteLimit?: number;
  type?: string;
}

/** An in-memory filesystem; each instance has its own device id and inode numbers. */
export class MemFs implements FileSystem {
  readonly type: string;
  readonly keepsOwners = true;
  readOnly: boolean;
  byteLimit: number;
  usedBytes = 0;
  inodes = 0;
  private nextIno = 1n;
  readonly root: MemDir;

  constructor(readonly dev: bigint, options: MemFsOptions = {}) {
    this.type = options.type ?? "memfs";
    this.readOnly = options.readOnly ?? false;
    this.byteLimit = options.byteLimit ?? Number.POSITIVE_INFINITY;
    this.root = new MemDir(this, 0o755);
  }

  allocIno(): bigint {
    this.inodes++;
    return this.nextIno++;
  }

  /** Charges `delta` bytes of file data, refusing growth past the limit. */
  charge(delta: number): void {
    if (delta > 0 && this.usedBytes + delta > this.byteLimit) throw new SysError(Errno.NOSPC);
    this.usedBytes += delta;
  }

  usage() {
    const limit = Number.isFinite(this.byteLimit) ? this.byteLimit : Math.max(this.usedBytes, 1 << 30);
    return { bytes: limit, usedBytes: this.usedBytes, inodes: 1 << 20, usedInodes: this.inodes };
  }
}

/** What every in-memory inode has: numbers, times, mode. */
abstract class MemNode extends Vnode {
  readonly ino: bigint;
  nlink = 1;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
  uid = 0;
  gid = 0;

  constructor(readonly fs: MemFs, public mode: number) {
    super();
    this.ino = fs.allocIno();
    this.atim = this.mtim = this.ctim = nowNs();
  }

  stat(): Filestat {
    return {
      dev: this.fs.dev, ino: this.ino, filetype: this.type, nlink: BigInt(this.nlink),
      size: BigInt(this.size()), atim: this.atim, mtim: this.mtim, ctim: this.ctim,
      mode: this.mode, uid: this.uid, gid: this.gid,
    };
  }

  override setTimes(atim: bigint | null, mtim: bigint | null): void {
    if (atim !== null) this.atim = atim;
    if (mtim !== null) this.mtim = mtim;
    this.ctim = nowNs();
  }

  override chmod(mode: number): void {
    this.mode = mode & 0o7777;
    this.ctim = nowNs();
  }
  override setOwner(uid: number, gid: number): void {
    this.uid = uid;
    this.gid = gid;
  }

  /** Called when the last link goes. */
  release(): void {
    this.fs.inodes--;
  }
}

/**
 * A regular file whose bytes live in sparse chunks. Its filesystem is charged the bytes it holds
 * (the smaller of its size and its allocated chunks), before anything is allocated.
 */
export class MemFile extends MemNode {
  readonly type = Filetype.REGULAR_FILE;
  private readonly data = new SparseBytes();

  constructor(fs: MemFs, mode: number, contents?: Uint8Array) {
    super(fs, mode);
    if (contents && contents.length > 0) this.write(contents, 0);
  }

  override size(): number {
    return this.data.length;
  }

  /** The bytes charged to the filesystem for this file. */
  private held(): number {
    return Math.min(this.data.length, this.data.allocated);
  }

  override read(buf: Uint8Array, pos: number): number {
    return this.data.read(buf, pos);
  }

  /** EFBIG past MEMFS_MAX_FILE_SIZE; ENOSPC past the filesystem's byte limit (nothing allocated then). */
  override write(buf: Uint8Array, pos: number): number {
    if (buf.length === 0) return 0;
    const end = pos + buf.length;
    if (end > MEMFS_MAX_FILE_SIZE) throw new SysError(Errno.FBIG);
    const after = Math.min(Math.max(end, this.data.length), this.data.allocated + this.data.growthFor(pos, buf.length));
    const before = this.held();
    this.fs.charge(after - before);
    const n = this.data.write(buf, pos);
    this.fs.charge(this.held() - after);
    this.mtim = this.ctim = nowNs();
    return n;
  }

  /** EFBIG past MEMFS_MAX_FILE_SIZE; growing allocates nothing (the new part is a hole). */
  override truncate(size: number): void {
    if (size > MEMFS_MAX_FILE_SIZE) throw new SysError(Errno.FBIG);
    const before = this.held();
    this.data.truncate(size);
    this.fs.charge(this.held() - before);
    this.mtim = this.ctim = nowNs();
  }

  /**
   * posix_fallocate: EFBIG past MEMFS_MAX_FILE_SIZE; ENOSPC when writing the whole range could
   * not fit in what the filesystem has left. The range stays a hole until written (the space is
   * checked, not held: a later write may still meet ENOSPC if others took the space meanwhile).
   */
  override allocate(offset: number, len: number): void {
    if (offset + len > MEMFS_MAX_FILE_SIZE) throw new SysError(Errno.FBIG);
    const written = Math.min(Math.max(offset + len, this.data.length), this.data.allocated + this.data.growthFor(offset, len));
    if (this.fs.usedBytes + written - this.held() > this.fs.byteLimit) throw new SysError(Errno.NOSPC);
    if (offset + len > this.data.length) this.truncate(offset + len);
  }

  /** The whole contents (a copy). */
  contents(): Uint8Array {
    const out = new Uint8Array(this.size());
    this.read(out, 0);
    return out;
  }

  override release(): void {
    super.release();
    this.fs.charge(-this.held());
  }
}

/** A symbolic link. */
export class MemSymlink extends MemNode {
  readonly type = Filetype.SYMBOLIC_LINK;
  constructor(fs: MemFs, readonly target: string) {
    super(fs, 0o777);
  }
  override size(): number {
    return Buffer.byteLength(this.target);
  }
  override readlink(): string {
    return this.target;
  }
}

/** A directory: a map from names to inodes. */
export class MemDir extends MemNode {
  readonly type = Filetype.DIRECTORY;
  readonly entries = new Map<string, MemNode>();

  constructor(fs: MemFs, mode: number) {
    super(fs, mode);
    this.nlink = 2;
  }

  override size(): number {
    return 4096;
  }

  override lookup(name: string): Vnode | undefined {
    return this.entries.get(name);
  }

  override list(): string[] {
    return [...this.entries.keys()];
  }

  private add(name: string, node: MemNode): void {
    checkName(name);
    if (this.entries.has(name)) throw new SysError(Errno.EXIST);
    this.entries.set(name, node);
    if (node instanceof MemDir) this.nlink++;
    this.mtim = this.ctim = nowNs();
  }

  private drop(name: string, node: MemNode): void {
    this.entries.delete(name);
    if (node instanceof MemDir) this.nlink--;
    node.nlink -= node instanceof MemDir ? 2 : 1;
    if (node.nlink <= 0) node.release();
    node.ctim = this.mtim = this.ctim = nowNs();
  }

  override create(name: string, type: Filetype.REGULAR_FILE | Filetype.DIRECTORY, mode: number): Vnode {
    const node = type === Filetype.DIRECTORY ? new MemDir(this.fs, mode) : new MemFile(this.fs, mode);
    this.add(name, node);
    return node;
  }

  /** Adds a file with the given contents (used when loading layers). */
  createFile(name: string, mode: number, contents: Uint8Array): MemFile {
    const node = new MemFile(this.fs, mode, contents);
    this.add(name, node);
    return node;
  }

  override symlink(name: string, target: string): Vnode {
    const node = new MemSymlink(this.fs, target);
    this.add(name, node);
    return node;
  }

  override link(name: string, target: Vnode): void {
    if (!(target instanceof MemNode) || target.fs !== this.fs) throw new SysError(Errno.XDEV);
    if (target instanceof MemDir) throw new SysError(Errno.PERM);
    this.add(name, target);
    target.nlink++;
    target.ctim = nowNs();
  }

  override unlink(name: string): void {
    const node = this.entries.get(name);
    if (!node) throw new SysError(Errno.NOENT);
    if (node instanceof MemDir) throw new SysError(Errno.ISDIR);
    this.drop(name, node);
  }

  override rmdir(name: string): void {
    const node = this.entries.get(name);
    if (!node) throw new SysError(Errno.NOENT);
    if (!(node instanceof MemDir)) throw new SysError(Errno.NOTDIR);
    if (node.entries.size > 0) throw new SysError(Errno.NOTEMPTY);
    this.drop(name, node);
  }

  override rename(name: string, toDir: Vnode, toName: string): void {
    const node = this.entries.get(name);
    if (!node) throw new SysError(Errno.NOENT);
    if (!(toDir instanceof MemDir) || toDir.fs !== this.fs) throw new SysError(Errno.XDEV);
    checkName(toName);
    const existing = toDir.entries.get(toName);
    if (existing === node) return;
    if (existing) {
      checkRenameOver(node, existing);
      toDir.drop(toName, existing);
    }
    this.entries.delete(name);
    if (node instanceof MemDir) this.nlink--;
    toDir.entries.set(toName, node);
    if (node instanceof MemDir) toDir.nlink++;
    node.ctim = this.mtim = this.ctim = toDir.mtim = toDir.ctim = nowNs();
  }
}
