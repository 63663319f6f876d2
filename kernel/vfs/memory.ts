// The in-memory filesystem: directories and symlinks as JS objects, file contents in memfs's
// core `Node` (growable buffers). Used for the root of a kernel, image layers and container uppers.
import { createRequire } from "node:module";
import type { Node as MemfsNode } from "@jsonjoy.com/fs-core/lib/Node.js";
import { Errno, SysError } from "../errno.js";
import { Filetype, type Filestat } from "../wasi.js";
import { checkName, checkRenameOver, nowNs, Vnode, type FileSystem } from "./vnode.js";

const requireCjs = createRequire(import.meta.url);

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
  readOnly: boolean;
  byteLimit: number;
  usedBytes = 0;
  inodes = 0;
  private nextIno = 1n;
  readonly root: MemDir;
  /** memfs's Node class, loaded with this filesystem's first file (see fileData()). */
  private fileClass?: typeof MemfsNode;

  constructor(readonly dev: bigint, options: MemFsOptions = {}) {
    this.type = options.type ?? "memfs";
    this.readOnly = options.readOnly ?? false;
    this.byteLimit = options.byteLimit ?? Number.POSITIVE_INFINITY;
    this.root = new MemDir(this, 0o755);
  }

  /**
   * A new holder of file bytes. memfs's core (24 CommonJS modules) is loaded only once some
   * filesystem makes a file: a module run that makes none starts about a tenth faster without it.
   */
  fileData(): MemfsNode {
    this.fileClass ??= requireCjs("@jsonjoy.com/fs-core/lib/Node.js").Node;
    return new this.fileClass!(0);
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

  /** Called when the last link goes. */
  release(): void {
    this.fs.inodes--;
  }
}

/** A regular file whose bytes live in a memfs Node. */
export class MemFile extends MemNode {
  readonly type = Filetype.REGULAR_FILE;
  private readonly data: MemfsNode;

  constructor(fs: MemFs, mode: number, contents?: Uint8Array) {
    super(fs, mode);
    this.data = fs.fileData();
    if (contents && contents.length > 0) {
      fs.charge(contents.length);
      this.data.write(asBuffer(contents), 0, contents.length, 0);
    }
  }

  override size(): number {
    return this.data.getSize();
  }

  override read(buf: Uint8Array, pos: number): number {
    // Straight from memfs's buffer: its own read() allocates a Date and a Buffer view per call.
    const n = Math.min(buf.length, this.data.getSize() - pos);
    if (n <= 0) return 0;
    this.data.buf.copy(buf, 0, pos, pos + n);
    return n;
  }

  override write(buf: Uint8Array, pos: number): number {
    const grow = pos + buf.length - this.data.getSize();
    if (grow > 0) this.fs.charge(grow);
    const n = this.data.write(asBuffer(buf), 0, buf.length, pos);
    this.mtim = this.ctim = nowNs();
    return n;
  }

  override truncate(size: number): void {
    this.fs.charge(size - this.data.getSize());
    this.data.truncate(size);
    this.mtim = this.ctim = nowNs();
  }

  /** The whole contents (a copy). */
  contents(): Uint8Array {
    const out = new Uint8Array(this.size());
    this.read(out, 0);
    return out;
  }

  override release(): void {
    super.release();
    this.fs.charge(-this.size());
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

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
