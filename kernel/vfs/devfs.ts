// /dev: null, zero, full, random, urandom, stdin/stdout/stderr (the caller's fds 0-2) and tty
// (the caller's controlling terminal).
// Each device is a vnode whose open gives a character-device open file.
import { Errno, SysError } from "../errno.js";
import type { Kernel } from "../kernel.js";
import { shareEntry } from "../proc/fd-table.js";
import { ControllingTerminal } from "../proc/terminal.js";
import { Filetype, type Filestat } from "../wasi.js";
import { MemFs, type MemDir } from "./memory.js";
import { CharDeviceFile, type OpenFile } from "./open-file.js";
import { nowNs, Vnode, type FileSystem } from "./vnode.js";

class DeviceNode extends Vnode {
  readonly type = Filetype.CHARACTER_DEVICE;
  private atim = nowNs();
  private mtim = this.atim;

  constructor(readonly fs: FileSystem, readonly ino: bigint, private readonly opener: (self: DeviceNode) => OpenFile) {
    super();
  }
  stat(): Filestat {
    return { dev: this.fs.dev, ino: this.ino, filetype: this.type, nlink: 1n, size: 0n, atim: this.atim, mtim: this.mtim, ctim: this.mtim, mode: 0o666, uid: 0, gid: 0 };
  }
  override setTimes(atim: bigint | null, mtim: bigint | null): void {
    if (atim !== null) this.atim = atim;
    if (mtim !== null) this.mtim = mtim;
  }
  override openSpecial(): OpenFile {
    return this.opener(this);
  }
}

/** Builds /dev as a small memory filesystem holding device nodes. */
export function makeDevFs(kernel: Kernel, dev: bigint): MemFs {
  const fs = new MemFs(dev, { type: "devtmpfs" });
  const root: MemDir = fs.root;
  let ino = 1000n;
  const device = (name: string, onRead: (b: Uint8Array) => number, onWrite: (b: Uint8Array) => number) => {
    const node = new DeviceNode(fs, ino++, (self) => new CharDeviceFile(self, onRead, onWrite));
    root.entries.set(name, node as never);
  };
  device("null", () => 0, (b) => b.length);
  device("zero", (b) => (b.fill(0), b.length), (b) => b.length);
  device("full", (b) => (b.fill(0), b.length), () => {
    throw new SysError(Errno.NOSPC);
  });
  // node:crypto is loaded on first use (it costs a module run ~17 ms of start when imported up front).
  const random = (b: Uint8Array) => (process.getBuiltinModule("node:crypto").randomFillSync(b), b.length);
  device("random", random, (b) => b.length);
  device("urandom", random, (b) => b.length);
  ["stdin", "stdout", "stderr"].forEach((name, fd) => {
    const node = new DeviceNode(fs, ino++, () => {
      const proc = kernel.current;
      if (!proc || !proc.fds.has(fd)) throw new SysError(Errno.NOENT);
      const file = shareEntry(proc.fds.get(fd)).file;
      return file;
    });
    root.entries.set(name, node as never);
  });
  // The controlling terminal of the caller's session, whatever its fds are (less on a pipe reads keys here). ENXIO without one, as Linux.
  const tty = new DeviceNode(fs, ino++, () => {
    const terminal = kernel.current?.ctty;
    if (!terminal) throw new SysError(Errno.NXIO);
    return new ControllingTerminal(terminal);
  });
  root.entries.set("tty", tty as never);
  fs.readOnly = true;
  return fs;
}
