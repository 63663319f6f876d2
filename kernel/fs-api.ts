// The kernel's filesystem as a library API (absolute paths, no fds): what tests, images and the
// CLI use to put files in place and read them back. Guests go through the syscalls instead.
import { Errno, SysError } from "./errno.js";
import { Filetype, type Filestat } from "./wasi.js";
import type { LayerEntry } from "./vfs/layer.js";
import type { MountNamespace } from "./vfs/namespace.js";
import type { Vnode } from "./vfs/vnode.js";

export class FsApi {
  constructor(private readonly ns: MountNamespace) {}

  private resolve(path: string, follow = true) {
    return this.ns.resolve([this.ns.root], path.startsWith("/") ? path : "/" + path, follow, false);
  }

  /** The vnode at `path` (following symlinks). ENOENT if none. */
  lookup(path: string, follow = true): Vnode {
    const r = this.resolve(path, follow);
    if (!r.node) throw new SysError(Errno.NOENT, path);
    return r.node;
  }

  exists(path: string): boolean {
    try {
      this.lookup(path, false);
      return true;
    } catch {
      return false;
    }
  }

  /** Creates the directory and its parents as needed; returns it. */
  mkdirp(path: string, mode = 0o755): Vnode {
    let dir = this.ns.root;
    let at = "";
    for (const name of path.split("/").filter((c) => c && c !== ".")) {
      at += "/" + name;
      const found = dir.lookup(name);
      const next = found ? this.ns.cross(found) : undefined;
      if (next?.type === Filetype.SYMBOLIC_LINK) {
        dir = this.lookup(at);
        continue;
      }
      if (next && next.type !== Filetype.DIRECTORY) throw new SysError(Errno.NOTDIR, at);
      dir = next ?? dir.create(name, Filetype.DIRECTORY, mode);
    }
    return dir;
  }

  mkdir(path: string, options: { recursive?: boolean; mode?: number } = {}): void {
    if (options.recursive) {
      this.mkdirp(path, options.mode);
      return;
    }
    const r = this.resolve(path, false);
    if (r.node) throw new SysError(Errno.EXIST, path);
    r.parent.create(r.name, Filetype.DIRECTORY, options.mode ?? 0o755);
  }

  /** Writes a whole file (creating or truncating it). */
  writeFile(path: string, data: string | Uint8Array, mode = 0o644): void {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    const r = this.resolve(path);
    let node = r.node;
    if (!node) node = r.parent.create(r.name, Filetype.REGULAR_FILE, mode);
    if (node.type !== Filetype.REGULAR_FILE) throw new SysError(Errno.ISDIR, path);
    node.truncate(0);
    if (bytes.length > 0) node.write(bytes, 0);
    node.chmod(mode);
  }

  readFile(path: string): Uint8Array {
    const node = this.lookup(path);
    if (node.type !== Filetype.REGULAR_FILE) throw new SysError(Errno.ISDIR, path);
    const out = new Uint8Array(node.size());
    node.read(out, 0);
    return out;
  }

  readText(path: string): string {
    return Buffer.from(this.readFile(path)).toString("utf8");
  }

  symlink(target: string, path: string): void {
    const r = this.resolve(path, false);
    if (r.node) throw new SysError(Errno.EXIST, path);
    r.parent.symlink(r.name, target);
  }

  readlink(path: string): string {
    return this.lookup(path, false).readlink();
  }

  stat(path: string, follow = true): Filestat {
    return this.lookup(path, follow).stat();
  }

  readdir(path: string): string[] {
    return this.lookup(path).list().sort();
  }

  /** Removes a file or an empty directory. */
  remove(path: string): void {
    const r = this.resolve(path, false);
    if (!r.node) throw new SysError(Errno.NOENT, path);
    if (r.node.type === Filetype.DIRECTORY) r.parent.rmdir(r.name);
    else r.parent.unlink(r.name);
  }

  /** Writes a layer's entries below `at` (whiteouts are applied as deletions). */
  writeEntries(entries: readonly LayerEntry[], at = "/"): void {
    const prefix = at.endsWith("/") ? at : at + "/";
    const links: LayerEntry[] = [];
    for (const entry of entries) {
      const path = prefix + entry.path.replace(/^\/+/, "");
      const name = path.slice(path.lastIndexOf("/") + 1);
      if (name.startsWith(".wh.")) {
        const victim = path.slice(0, path.length - name.length) + name.slice(4);
        if (name !== ".wh..wh..opq" && this.exists(victim)) this.removeTree(victim);
        continue;
      }
      const parent = path.slice(0, path.lastIndexOf("/")) || "/";
      this.mkdirp(parent);
      if (entry.type === "dir") {
        const dir = this.mkdirp(path, entry.mode);
        if (dir.fs.readOnly) continue; // a mount point such as /proc: the mounted filesystem decides
        dir.chmod(entry.mode);
        if (entry.mtimeNs !== undefined) dir.setTimes(entry.mtimeNs, entry.mtimeNs);
      } else if (entry.type === "file") {
        if (this.exists(path)) this.remove(path);
        this.writeFile(path, entry.data ?? new Uint8Array(0), entry.mode);
        if (entry.mtimeNs !== undefined) this.lookup(path).setTimes(entry.mtimeNs, entry.mtimeNs);
      } else if (entry.type === "symlink") {
        if (this.exists(path)) this.remove(path);
        this.symlink(entry.target ?? "", path);
      } else {
        links.push(entry);
      }
    }
    for (const entry of links) {
      const path = prefix + entry.path.replace(/^\/+/, "");
      const target = this.lookup(prefix + (entry.target ?? "").replace(/^\/+/, ""), false);
      if (this.exists(path)) this.remove(path);
      const r = this.resolve(path, false);
      r.parent.link(r.name, target);
    }
  }

  /** Removes a path and everything below it. */
  removeTree(path: string): void {
    const node = this.lookup(path, false);
    if (node.type === Filetype.DIRECTORY) for (const name of node.list()) this.removeTree(`${path}/${name}`);
    this.remove(path);
  }
}
