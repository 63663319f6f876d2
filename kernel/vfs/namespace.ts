// A mount namespace and path resolution (namei): walks components, crosses mounts, expands
// symlinks (ELOOP after 40), and keeps every walk from a directory fd beneath that directory.
import { Errno, SysError } from "../errno.js";
import { Filetype } from "../wasi.js";
import type { Vnode } from "./vnode.js";
import { PATH_MAX } from "../abi/limits.js";

/** The most symlinks one resolution may expand, as Linux's MAXSYMLINKS. */
export const MAX_SYMLINKS = 40;
export { PATH_MAX } from "../abi/limits.js";

/** One entry of the mount table. */
export interface Mount {
  /** The mounted filesystem's root. */
  root: Vnode;
  /** Where it is mounted, as a path in this namespace. */
  path: string;
  /** What it is (a host path, "overlay", "proc", ...), for /proc/mounts. */
  source: string;
}

/** The result of resolving a path: the last directory, the last name, and what it names (if anything). */
export interface Resolved {
  /** Vnodes from the namespace root to the directory that holds `name` (inclusive); for a path
   *  that ends at a directory ("a/b/.", "a/.."), name is "." and the chain ends at that directory. */
  parentPath: Vnode[];
  parent: Vnode;
  name: string;
  node: Vnode | undefined;
  /** Whether the path ended in '/'. */
  trailingSlash: boolean;
}

/** A root and the filesystems mounted below it. */
export class MountNamespace {
  /** Mounts by the mount point's device, then inode (numbers as keys: no string per lookup). */
  private readonly mounts = new Map<bigint, Map<bigint, Mount>>();
  /** The same mounts in the order they were made, for the mount table. */
  private readonly mountOrder: Mount[] = [];
  /** Whether a file is mounted over a file somewhere (then every component is checked, not only directories). */
  private fileMounts = false;

  constructor(readonly root: Vnode, readonly rootSource = "rootfs") {}

  /** Mounts `root` over the directory `at` (whose path is `path`), or a file over a file (docker's /etc/hosts). */
  mount(at: Vnode, root: Vnode, path: string, source: string): void {
    if (at.type !== Filetype.DIRECTORY && (at.type !== Filetype.REGULAR_FILE || root.type !== Filetype.REGULAR_FILE)) throw new SysError(Errno.NOTDIR);
    let byIno = this.mounts.get(at.fs.dev);
    if (!byIno) this.mounts.set(at.fs.dev, (byIno = new Map()));
    const mount = { root, path, source };
    if (at.type === Filetype.REGULAR_FILE) this.fileMounts = true;
    const replaced = byIno.get(at.ino);
    byIno.set(at.ino, mount);
    if (replaced) this.mountOrder[this.mountOrder.indexOf(replaced)] = mount;
    else this.mountOrder.push(mount);
  }

  /** The mount table, root first. */
  mountList(): Mount[] {
    return [{ root: this.root, path: "/", source: this.rootSource }, ...this.mountOrder];
  }

  /** The vnode to use for `node`: the mounted root if something is mounted on it. */
  cross(node: Vnode): Vnode {
    if (this.mounts.size === 0 || (node.type !== Filetype.DIRECTORY && !this.fileMounts)) return node;
    return this.mounts.get(node.fs.dev)?.get(node.ino)?.root ?? node;
  }

  /**
   * Resolves `path` starting at the directory whose vnode chain is `base`.
   * `follow`: whether a symlink in the last component is followed. `confined`: whether the walk
   * must stay beneath base (WASI's rule for paths relative to a directory fd); absolute paths are
   * only accepted when not confined.
   */
  resolve(base: Vnode[], path: string, follow: boolean, confined: boolean): Resolved {
    if (path.length === 0) throw new SysError(Errno.NOENT);
    if (path.includes("\0")) throw new SysError(Errno.INVAL);
    if (path.length > PATH_MAX) throw new SysError(Errno.NAMETOOLONG);
    if (path.startsWith("/") && confined) throw new SysError(Errno.PERM);
    const floor = confined ? base.length : 1;
    let stack = path.startsWith("/") ? [this.root] : base.slice();
    let pending = path.split("/").reverse();
    const trailingSlash = path.endsWith("/");
    let links = 0;
    let leftFloor = false;

    for (;;) {
      const name = pending.pop();
      if (name === undefined) break;
      const isLast = pending.every((c) => c === "" || c === ".");
      const dir = stack[stack.length - 1];
      if (name === "" || name === ".") {
        if (isLast) return this.finish(stack, base, floor, leftFloor, ".", dir, trailingSlash);
        continue;
      }
      if (dir.type !== Filetype.DIRECTORY) throw new SysError(Errno.NOTDIR);
      if (name === "..") {
        if (stack.length <= floor && !leftFloor) throw new SysError(confined ? Errno.PERM : Errno.NOENT);
        if (stack.length > 1) stack.pop();
        if (isLast) return this.finish(stack, base, floor, leftFloor, ".", stack[stack.length - 1], trailingSlash);
        continue;
      }
      if (name.length > 255) throw new SysError(Errno.NAMETOOLONG);
      const found = dir.lookup(name);
      const node = found ? this.cross(found) : undefined;
      if (node && node.type === Filetype.SYMBOLIC_LINK && (!isLast || follow || trailingSlash)) {
        if (++links > MAX_SYMLINKS) throw new SysError(Errno.LOOP);
        const target = node.readlink();
        if (target.length === 0) throw new SysError(Errno.NOENT);
        if (target.startsWith("/")) {
          stack = [this.root];
          // A confined walk must come back beneath base, even when base is not below this root
          // (a preopen that is a host folder itself, not mounted in the namespace).
          if (confined) leftFloor = true;
        }
        const rest = target.split("/").reverse();
        if (trailingSlash && isLast) rest.unshift("");
        pending = pending.concat(rest);
        continue;
      }
      if (isLast) return this.finish(stack, base, floor, leftFloor, name, node, trailingSlash);
      if (!node) throw new SysError(Errno.NOENT);
      if (node.type !== Filetype.DIRECTORY) throw new SysError(Errno.NOTDIR);
      stack.push(node);
    }
    return this.finish(stack, base, floor, leftFloor, ".", stack[stack.length - 1], trailingSlash);
  }

  private finish(
    stack: Vnode[], base: Vnode[], floor: number, leftFloor: boolean, name: string,
    node: Vnode | undefined, trailingSlash: boolean,
  ): Resolved {
    if (leftFloor) {
      // An absolute symlink took the walk to the root; it must have come back beneath base.
      if (stack.length < floor || !base.slice(0, floor).every((b, i) => b.same(stack[i]))) {
        throw new SysError(Errno.PERM);
      }
    }
    if (trailingSlash && node && node.type !== Filetype.DIRECTORY) throw new SysError(Errno.NOTDIR);
    // For "." (a path that ends at a directory), the directory is its own parent.
    return { parentPath: stack, parent: stack[stack.length - 1], name, node, trailingSlash };
  }

  /** The vnode a path names (following symlinks unless told not to); ENOENT if none. */
  lookup(base: Vnode[], path: string, follow = true, confined = false): Vnode {
    const r = this.resolve(base, path, follow, confined);
    if (!r.node) throw new SysError(Errno.NOENT);
    return r.node;
  }

  /** The chain of vnodes from the root to the directory at `path`. */
  dirChain(base: Vnode[], path: string, confined = false): Vnode[] {
    const r = this.resolve(base, path, true, confined);
    if (!r.node) throw new SysError(Errno.NOENT);
    if (r.node.type !== Filetype.DIRECTORY) throw new SysError(Errno.NOTDIR);
    return r.name === "." ? r.parentPath : [...r.parentPath, r.node];
  }
}
