// The overlay filesystem (a container's root): read-only lower layers, each an in-memory tree built
// once per layer and shared by every container, under one writable upper MemFs per container.
// Lookups merge top-down honouring OCI whiteouts; writes copy up; deletions of lower entries leave
// whiteouts in the upper, so the upper is exactly the container's diff (see diff()).
import { Errno, SysError } from "../errno.js";
import { Filetype, type Filestat } from "../wasi.js";
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX, type LayerEntry } from "./layer.js";
import { MemDir, MemFile, MemFs } from "./memory.js";
import { checkName, checkRenameOver, Vnode, type FileSystem } from "./vnode.js";

/** Lower layer trees by the identity of their entry arrays: each layer is built once and shared. */
export class LayerTrees {
  private readonly trees = new WeakMap<readonly LayerEntry[], MemFs>();

  constructor(private readonly allocDev: () => bigint) {}

  /** The read-only tree of a layer (built on first use; whiteout entries are kept as files). */
  tree(entries: readonly LayerEntry[]): MemFs {
    let fs = this.trees.get(entries);
    if (!fs) {
      fs = new MemFs(this.allocDev(), { type: "layer" });
      loadEntries(fs, entries);
      fs.readOnly = true;
      this.trees.set(entries, fs);
    }
    return fs;
  }
}

/** Writes layer entries into a MemFs as they are (whiteouts stay files): for layers and saved uppers. */
export function loadEntries(fs: MemFs, entries: readonly LayerEntry[]): void {
  const links: LayerEntry[] = [];
  const parentOf = (path: string): { dir: MemDir; name: string } | undefined => {
    const parts = path.split("/").filter((p) => p && p !== ".");
    if (parts.length === 0 || parts.includes("..")) return undefined;
    let dir = fs.root;
    for (const part of parts.slice(0, -1)) {
      let next = dir.entries.get(part);
      if (!(next instanceof MemDir)) {
        if (next) dir.unlink(part);
        next = dir.create(part, Filetype.DIRECTORY, 0o755) as MemDir;
      }
      dir = next as MemDir;
    }
    return { dir, name: parts[parts.length - 1]! };
  };
  for (const entry of entries) {
    if (entry.type === "hardlink") {
      links.push(entry);
      continue;
    }
    const at = parentOf(entry.path);
    if (!at) continue;
    const { dir, name } = at;
    const existing = dir.entries.get(name);
    if (existing && !(existing instanceof MemDir && entry.type === "dir")) {
      if (existing instanceof MemDir) removeTree(dir, name);
      else dir.unlink(name);
    }
    let node: Vnode;
    if (entry.type === "dir") node = dir.entries.get(name) ?? dir.create(name, Filetype.DIRECTORY, entry.mode);
    else if (entry.type === "file") node = dir.createFile(name, entry.mode, entry.data ?? new Uint8Array(0));
    else node = dir.symlink(name, entry.target ?? "");
    if (entry.type !== "symlink") node.chmod(entry.mode);
    if (entry.uid || entry.gid) node.setOwner(entry.uid ?? 0, entry.gid ?? 0);
    if (entry.mtimeNs !== undefined) node.setTimes(entry.mtimeNs, entry.mtimeNs);
  }
  for (const entry of links) {
    const at = parentOf(entry.path);
    const target = parentOf(entry.target ?? "");
    const node = target?.dir.entries.get(target.name);
    if (!at || !node || node instanceof MemDir) continue;
    if (at.dir.entries.has(at.name)) at.dir.unlink(at.name);
    at.dir.link(at.name, node);
  }
}

/** A node's owner for its layer entry (left out for root, the default). */
function owner(st: Filestat): { uid?: number; gid?: number } {
  return st.uid || st.gid ? { uid: st.uid, gid: st.gid } : {};
}

function removeTree(dir: Vnode, name: string): void {
  const node = dir.lookup(name);
  if (!node) return;
  if (node.type === Filetype.DIRECTORY) {
    for (const child of node.list()) removeTree(node, child);
    dir.rmdir(name);
  } else {
    dir.unlink(name);
  }
}

const isWhiteout = (name: string) => name.startsWith(WHITEOUT_PREFIX);

/** One line of `docker diff`: A(dded), C(hanged) or D(eleted) and the path. */
export interface DiffLine {
  kind: "A" | "C" | "D";
  path: string;
}

/** Options of an overlay. */
export interface OverlayOptions {
  /** The lower layer trees, bottom first. */
  lowers: MemFs[];
  /** The writable upper (its byteLimit is the storage limit); a fresh one when omitted. */
  upper?: MemFs;
  readOnly?: boolean;
  /** Called when a write fails for lack of space in the upper (for limitHit "storage"). */
  onNoSpace?: () => void;
}

/** An overlay mount: the merged view of the lowers under one upper. */
export class OverlayFs implements FileSystem {
  readonly type = "overlay";
  readonly keepsOwners = true;
  readOnly: boolean;
  readonly upper: MemFs;
  /** Lower trees, top first. */
  readonly lowers: MemFs[];
  readonly root: OverlayNode;
  onNoSpace?: () => void;

  constructor(readonly dev: bigint, options: OverlayOptions) {
    this.readOnly = options.readOnly ?? false;
    this.upper = options.upper ?? new MemFs(dev, { type: "upper" });
    this.lowers = [...options.lowers].reverse();
    this.onNoSpace = options.onNoSpace;
    const lowerDirs = this.upper.root.lookup(OPAQUE_WHITEOUT) ? [] : mergeDirs(this.lowers.map((fs) => fs.root));
    this.root = new OverlayNode(this, "", null, this.upper.root, lowerDirs, 0n);
  }

  usage() {
    return this.upper.usage();
  }

  /** Runs a change to the upper, reporting ENOSPC to onNoSpace. */
  guard<T>(change: () => T): T {
    try {
      return change();
    } catch (e) {
      if (e instanceof SysError && e.errno === Errno.NOSPC) this.onNoSpace?.();
      throw e;
    }
  }

  /** The canonical node of `parent`'s entry `name`, if the merged view has one. */
  child(parent: OverlayNode, name: string): OverlayNode | undefined {
    const cached = parent.children?.get(name);
    if (cached) return cached;
    if (isWhiteout(name)) return undefined;
    let upper: Vnode | undefined;
    let opaque = false;
    if (parent.upper) {
      upper = parent.upper.lookup(name);
      if (!upper && parent.upper.lookup(WHITEOUT_PREFIX + name)) return undefined;
      opaque = !!parent.upper.lookup(OPAQUE_WHITEOUT);
    }
    let lowers: Vnode[] = [];
    if (!opaque) {
      lowers = lowerEntries(parent.lowers, name);
      if (upper && lowers.length && (upper.type === Filetype.DIRECTORY) !== (lowers[0]!.type === Filetype.DIRECTORY)) lowers = [];
      if (upper?.type === Filetype.DIRECTORY && upper.lookup(OPAQUE_WHITEOUT)) lowers = [];
    }
    if (!upper && lowers.length === 0) return undefined;
    const node = new OverlayNode(this, name, parent, upper, lowers, 0n);
    (parent.children ??= new Map()).set(name, node);
    return node;
  }

  /** Forgets `parent`'s cached entry `name` (after unlink/rmdir/create). */
  forget(parent: OverlayNode, name: string): void {
    parent.children?.delete(name);
  }

  /** Moves a cached node to its new place (after rename); a moved directory no longer merges lowers. */
  move(node: OverlayNode, parent: OverlayNode, name: string): void {
    this.forget(node.parent!, node.name);
    this.forget(parent, name);
    node.parent = parent;
    node.name = name;
    if (node.type === Filetype.DIRECTORY) node.lowers = [];
    (parent.children ??= new Map()).set(name, node);
  }

  /** Whether a lower layer shows `name` in directory `parent` (so that deleting it needs a whiteout). */
  lowerHas(parent: OverlayNode, name: string): boolean {
    if (parent.upper?.lookup(OPAQUE_WHITEOUT)) return false;
    return lowerEntries(parent.lowers, name).length > 0;
  }

  /** What the container changed: the upper as layer entries (whiteouts included) and docker-diff lines. */
  diff(): { entries: LayerEntry[]; lines: DiffLine[] } {
    const lines: DiffLine[] = [];
    const entries = this.walkUpper(lines);
    lines.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { entries, lines };
  }

  /** The upper as layer entries (whiteouts included), parents before children: what a save writes. */
  upperEntries(): LayerEntry[] {
    return this.walkUpper(undefined);
  }

  /**
   * Walks the upper depth-first (names sorted) with a stack of its own, not the JS stack, so a
   * tree of any depth can be saved (20,000 nested directories overflowed a recursive walk).
   */
  private walkUpper(lines: DiffLine[] | undefined): LayerEntry[] {
    const entries: LayerEntry[] = [];
    const seen = new Map<Vnode, string>();
    type Level = { dir: Vnode; lowerDirs: Vnode[]; prefix: string; names: string[]; next: number };
    const level = (dir: Vnode, lowerDirs: Vnode[], prefix: string): Level =>
      ({ dir, lowerDirs: dir.lookup(OPAQUE_WHITEOUT) ? [] : lowerDirs, prefix, names: dir.list().sort(), next: 0 });
    const stack: Level[] = [level(this.upper.root, this.root.lowers, "")];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next === top.names.length) {
        stack.pop();
        continue;
      }
      const { dir, lowerDirs, prefix } = top;
      const name = top.names[top.next++]!;
      const node = dir.lookup(name)!;
      const path = prefix + name;
      const st = node.stat();
      if (isWhiteout(name)) {
        entries.push({ path, type: "file", mode: 0, data: new Uint8Array(0) });
        if (name !== OPAQUE_WHITEOUT) lines?.push({ kind: "D", path: "/" + prefix + name.slice(WHITEOUT_PREFIX.length) });
        continue;
      }
      const below = lowerEntries(lowerDirs, name);
      lines?.push({ kind: below.length > 0 ? "C" : "A", path: "/" + path });
      if (node.type === Filetype.DIRECTORY) {
        entries.push({ path, type: "dir", mode: st.mode, mtimeNs: st.mtim, ...owner(st) });
        stack.push(level(node, below[0]?.type === Filetype.DIRECTORY ? below : [], path + "/"));
      } else if (node.type === Filetype.SYMBOLIC_LINK) {
        entries.push({ path, type: "symlink", mode: 0o777, target: node.readlink(), mtimeNs: st.mtim, ...owner(st) });
      } else if (seen.has(node)) {
        entries.push({ path, type: "hardlink", mode: st.mode, target: seen.get(node) });
      } else {
        seen.set(node, path);
        entries.push({ path, type: "file", mode: st.mode, data: (node as MemFile).contents(), mtimeNs: st.mtim, ...owner(st) });
      }
    }
    return entries;
  }
}

/** The lower directories that merge into one directory view: stop below an opaque one. */
function mergeDirs(dirs: Vnode[]): Vnode[] {
  const out: Vnode[] = [];
  for (const dir of dirs) {
    out.push(dir);
    if (dir.lookup(OPAQUE_WHITEOUT)) break;
  }
  return out;
}

/** `name` in merged lower directories (top first): the topmost entry, or every merging directory. */
function lowerEntries(dirs: Vnode[], name: string): Vnode[] {
  const found: Vnode[] = [];
  for (const dir of dirs) {
    if (dir.lookup(WHITEOUT_PREFIX + name)) break;
    const node = dir.lookup(name);
    if (node) {
      if (node.type !== Filetype.DIRECTORY) {
        if (found.length === 0) found.push(node);
        break;
      }
      found.push(node);
      if (node.lookup(OPAQUE_WHITEOUT)) break;
    } else if (found.length > 0) {
      continue;
    }
  }
  return found;
}

/**
 * One entry of an overlay, canonical per (parent, name) so that every open of a path shares one
 * copy-up. Reads go to the upper copy if any, else the topmost lower.
 */
export class OverlayNode extends Vnode {
  readonly type: Filetype;
  readonly ino: bigint;
  /** Cached child nodes (directories only, created on first lookup). */
  children?: Map<string, OverlayNode>;

  constructor(
    readonly fs: OverlayFs,
    public name: string,
    public parent: OverlayNode | null,
    public upper: Vnode | undefined,
    /** For a directory, the lower directories merged under it (top first); else the topmost lower. */
    public lowers: Vnode[],
    ino: bigint,
  ) {
    super();
    const real = upper ?? lowers[0]!;
    this.type = real.type;
    const lower = lowers[0];
    if (ino) this.ino = ino;
    else if (lower) this.ino = (BigInt(fs.lowers.indexOf(lower.fs as MemFs) + 1) << 40n) | lower.ino;
    else this.ino = real.ino;
  }

  /** The path from the overlay root ("" for the root, else "/a/b"). */
  get path(): string {
    return this.parent ? this.parent.path + "/" + this.name : "";
  }

  /** The node whose data this view shows. */
  private get real(): Vnode {
    return this.upper ?? this.lowers[0]!;
  }

  /** The object whose contents programs are cached by: the same lower file in every container. */
  override contentIdentity(): object {
    return this.real;
  }

  stat(): Filestat {
    const st = this.real.stat();
    return { ...st, dev: this.fs.dev, ino: this.ino, nlink: this.type === Filetype.DIRECTORY ? 2n : st.nlink };
  }

  private writable(): void {
    if (this.fs.readOnly) throw new SysError(Errno.ROFS);
  }

  /** Copies this path (and its parents) into the upper; returns the upper node. */
  copyUp(): Vnode {
    if (this.upper) return this.upper;
    this.writable();
    const parentUpper = this.parent!.copyUp();
    const lower = this.lowers[0]!;
    const name = this.name;
    const st = lower.stat();
    this.upper = this.fs.guard(() => {
      if (parentUpper.lookup(WHITEOUT_PREFIX + name)) parentUpper.unlink(WHITEOUT_PREFIX + name);
      if (lower.type === Filetype.DIRECTORY) return parentUpper.create(name, Filetype.DIRECTORY, st.mode);
      if (lower.type === Filetype.SYMBOLIC_LINK) return parentUpper.symlink(name, lower.readlink());
      return (parentUpper as MemDir).createFile(name, st.mode, (lower as MemFile).contents());
    });
    this.upper.setTimes(st.atim, st.mtim);
    if (st.uid || st.gid) this.upper.setOwner(st.uid, st.gid);
    return this.upper;
  }

  /** Copies up this directory and everything below it, so it no longer needs its lowers. */
  private copyUpTree(): void {
    this.copyUp();
    if (this.type !== Filetype.DIRECTORY) return;
    for (const name of this.list()) this.fs.child(this, name)!.copyUpTree();
    if (this.lowers.length && !this.upper!.lookup(OPAQUE_WHITEOUT)) this.fs.guard(() => this.upper!.create(OPAQUE_WHITEOUT, Filetype.REGULAR_FILE, 0));
    this.lowers = [];
  }

  override setTimes(atim: bigint | null, mtim: bigint | null): void {
    this.copyUp().setTimes(atim, mtim);
  }
  override chmod(mode: number): void {
    this.copyUp().chmod(mode);
  }
  override setOwner(uid: number, gid: number): void {
    this.copyUp().setOwner(uid, gid);
  }

  override read(buf: Uint8Array, pos: number): number {
    return this.real.read(buf, pos);
  }
  override write(buf: Uint8Array, pos: number): number {
    this.writable();
    const upper = this.copyUp();
    return this.fs.guard(() => upper.write(buf, pos));
  }
  override size(): number {
    return this.real.size();
  }
  override truncate(size: number): void {
    this.writable();
    const upper = this.copyUp();
    this.fs.guard(() => upper.truncate(size));
  }
  override allocate(offset: number, len: number): void {
    this.writable();
    const upper = this.copyUp();
    this.fs.guard(() => upper.allocate(offset, len));
  }
  override readlink(): string {
    return this.real.readlink();
  }

  override lookup(name: string): Vnode | undefined {
    if (this.type !== Filetype.DIRECTORY) return super.lookup(name);
    return this.fs.child(this, name);
  }

  override list(): string[] {
    if (this.type !== Filetype.DIRECTORY) return super.list();
    const names = new Set<string>();
    const hidden = new Set<string>();
    let opaque = false;
    const take = (dir: Vnode) => {
      for (const name of dir.list()) {
        if (name === OPAQUE_WHITEOUT) opaque = true;
        else if (isWhiteout(name)) hidden.add(name.slice(WHITEOUT_PREFIX.length));
        else if (!hidden.has(name)) names.add(name);
      }
    };
    if (this.upper) take(this.upper);
    for (const dir of this.lowers) {
      if (opaque) break;
      take(dir);
    }
    return [...names];
  }

  /** Places a new entry `name` in the upper (removing a stale whiteout; a new directory over a deleted lower one is opaque). */
  private place<T extends Vnode>(name: string, make: (dir: Vnode) => T): OverlayNode {
    if (this.type !== Filetype.DIRECTORY) throw new SysError(Errno.NOTDIR);
    checkName(name);
    if (isWhiteout(name)) throw new SysError(Errno.INVAL);
    this.writable();
    if (this.lookup(name)) throw new SysError(Errno.EXIST);
    const dir = this.copyUp();
    this.fs.guard(() => {
      const hadWhiteout = !!dir.lookup(WHITEOUT_PREFIX + name);
      if (hadWhiteout) dir.unlink(WHITEOUT_PREFIX + name);
      const made = make(dir);
      if (made.type === Filetype.DIRECTORY && (hadWhiteout || this.fs.lowerHas(this, name))) made.create(OPAQUE_WHITEOUT, Filetype.REGULAR_FILE, 0);
    });
    this.fs.forget(this, name);
    return this.fs.child(this, name)!;
  }

  override create(name: string, type: Filetype.REGULAR_FILE | Filetype.DIRECTORY, mode: number): Vnode {
    return this.place(name, (dir) => dir.create(name, type, mode));
  }

  override symlink(name: string, target: string): Vnode {
    return this.place(name, (dir) => dir.symlink(name, target));
  }

  override link(name: string, target: Vnode): void {
    if (!(target instanceof OverlayNode) || target.fs !== this.fs) throw new SysError(Errno.XDEV);
    if (target.type === Filetype.DIRECTORY) throw new SysError(Errno.PERM);
    this.writable();
    const upper = target.copyUp();
    const node = this.place(name, (dir) => {
      dir.link(name, upper);
      return upper;
    });
    (node as { ino: bigint }).ino = target.ino;
  }

  /** Removes entry `name` from the view: from the upper, plus a whiteout if a lower has it. */
  private remove(name: string, dirWanted: boolean): void {
    if (this.type !== Filetype.DIRECTORY) throw new SysError(Errno.NOTDIR);
    this.writable();
    const node = this.fs.child(this, name);
    if (!node) throw new SysError(Errno.NOENT);
    const isDir = node.type === Filetype.DIRECTORY;
    if (dirWanted && !isDir) throw new SysError(Errno.NOTDIR);
    if (!dirWanted && isDir) throw new SysError(Errno.ISDIR);
    if (isDir && node.list().length > 0) throw new SysError(Errno.NOTEMPTY);
    const dir = this.copyUp();
    const needsWhiteout = this.fs.lowerHas(this, name);
    this.fs.guard(() => {
      if (node.upper) {
        if (isDir) for (const hidden of node.upper.list()) node.upper.unlink(hidden);
        if (isDir) dir.rmdir(name);
        else dir.unlink(name);
      }
      if (needsWhiteout && !dir.lookup(WHITEOUT_PREFIX + name)) dir.create(WHITEOUT_PREFIX + name, Filetype.REGULAR_FILE, 0);
    });
    this.fs.forget(this, name);
  }

  override unlink(name: string): void {
    this.remove(name, false);
  }

  override rmdir(name: string): void {
    this.remove(name, true);
  }

  override rename(name: string, toDir: Vnode, toName: string): void {
    if (this.type !== Filetype.DIRECTORY) throw new SysError(Errno.NOTDIR);
    if (!(toDir instanceof OverlayNode) || toDir.fs !== this.fs) throw new SysError(Errno.XDEV);
    if (toDir.type !== Filetype.DIRECTORY) throw new SysError(Errno.NOTDIR);
    checkName(toName);
    if (isWhiteout(toName)) throw new SysError(Errno.INVAL);
    this.writable();
    const node = this.fs.child(this, name);
    if (!node) throw new SysError(Errno.NOENT);
    const existing = this.fs.child(toDir, toName);
    if (existing === node) return;
    if (existing) checkRenameOver(node, existing);
    if (node.type === Filetype.DIRECTORY) {
      for (let d: OverlayNode | null = toDir; d; d = d.parent) if (d === node) throw new SysError(Errno.INVAL);
    }
    node.copyUpTree();
    const fromUpper = this.copyUp();
    const toUpper = toDir.copyUp();
    const sourceInLower = this.fs.lowerHas(this, name);
    const targetInLower = this.fs.lowerHas(toDir, toName);
    this.fs.guard(() => {
      if (existing?.upper && existing.type === Filetype.DIRECTORY) {
        for (const hidden of existing.upper.list()) existing.upper.unlink(hidden);
      }
      if (toUpper.lookup(WHITEOUT_PREFIX + toName)) toUpper.unlink(WHITEOUT_PREFIX + toName);
      fromUpper.rename(name, toUpper, toName);
      if (node.type === Filetype.DIRECTORY && targetInLower && !node.upper!.lookup(OPAQUE_WHITEOUT)) {
        node.upper!.create(OPAQUE_WHITEOUT, Filetype.REGULAR_FILE, 0);
      }
      if (sourceInLower && !fromUpper.lookup(WHITEOUT_PREFIX + name)) fromUpper.create(WHITEOUT_PREFIX + name, Filetype.REGULAR_FILE, 0);
    });
    this.fs.move(node, toDir, toName);
  }

  override same(other: Vnode): boolean {
    return this === other || (other instanceof OverlayNode && other.fs === this.fs && other.ino === this.ino);
  }
}
