// /proc for one container: a read-only filesystem generated on each read from the kernel's tables
// (per-pid status, limits and cmdline, self, uptime, meminfo, mounts, sys/kernel/*). Sees only its container.
import { Errno, SysError } from "../errno.js";
import type { Container } from "../jail/container.js";
import type { Kernel } from "../kernel.js";
import type { Process } from "../proc/process.js";
import { Filetype, type Filestat } from "../wasi.js";
import { nowNs, Vnode, type FileSystem } from "./vnode.js";

type Content = () => string;
type Listing = () => Map<string, () => Vnode>;

class ProcNode extends Vnode {
  constructor(
    readonly fs: ProcFs,
    readonly ino: bigint,
    readonly type: Filetype,
    private readonly content?: Content,
    private readonly listing?: Listing,
    private readonly target?: () => string,
  ) {
    super();
  }
  stat(): Filestat {
    const t = nowNs();
    const size = this.type === Filetype.REGULAR_FILE ? 0n : this.type === Filetype.SYMBOLIC_LINK ? BigInt(this.readlink().length) : 0n;
    return { dev: this.fs.dev, ino: this.ino, filetype: this.type, nlink: 1n, size, atim: t, mtim: t, ctim: t, mode: this.type === Filetype.DIRECTORY ? 0o555 : 0o444, uid: 0, gid: 0 };
  }
  override read(buf: Uint8Array, pos: number): number {
    if (!this.content) return super.read(buf, pos);
    const data = Buffer.from(this.content());
    if (pos >= data.length) return 0;
    const n = Math.min(buf.length, data.length - pos);
    buf.set(data.subarray(pos, pos + n));
    return n;
  }
  override write(): number {
    throw new SysError(Errno.ACCES);
  }
  override truncate(): void {
    throw new SysError(Errno.ACCES);
  }
  override size(): number {
    return 0;
  }
  override lookup(name: string): Vnode | undefined {
    if (!this.listing) return super.lookup(name);
    return this.listing().get(name)?.();
  }
  override list(): string[] {
    if (!this.listing) return super.list();
    return [...this.listing().keys()];
  }
  override readlink(): string {
    if (!this.target) return super.readlink();
    return this.target();
  }
}

const STATE_NAMES: Record<string, string> = { RUNNING: "R (running)", RUNNABLE: "R (running)", BLOCKED: "S (sleeping)", ZOMBIE: "Z (zombie)" };

/** The /proc filesystem of one container. */
export class ProcFs implements FileSystem {
  readonly type = "proc";
  readonly readOnly = true;
  private readonly nodes = new Map<string, ProcNode>();
  private nextIno = 1n;
  readonly root: Vnode;

  constructor(readonly dev: bigint, private readonly kernel: Kernel, private readonly container: Container) {
    this.root = this.dir("/", () => this.rootListing());
  }

  usage() {
    return { bytes: 0, usedBytes: 0, inodes: 0, usedInodes: 0 };
  }

  private node(path: string, make: (ino: bigint) => ProcNode): ProcNode {
    let node = this.nodes.get(path);
    if (!node) {
      node = make(this.nextIno++);
      this.nodes.set(path, node);
    }
    return node;
  }
  private dir(path: string, listing: Listing): ProcNode {
    return this.node(path, (ino) => new ProcNode(this, ino, Filetype.DIRECTORY, undefined, listing));
  }
  private file(path: string, content: Content): ProcNode {
    return this.node(path, (ino) => new ProcNode(this, ino, Filetype.REGULAR_FILE, content));
  }

  private rootListing(): Map<string, () => Vnode> {
    const k = this.kernel;
    const c = this.container;
    const entries = new Map<string, () => Vnode>();
    for (const proc of c.pids.list()) entries.set(String(proc.pid), () => this.pidDir(proc));
    entries.set("self", () => this.node("/self", (ino) => new ProcNode(this, ino, Filetype.SYMBOLIC_LINK, undefined, undefined, () => {
      const cur = k.current;
      return cur && cur.container === c ? String(cur.pid) : "1";
    })));
    entries.set("uptime", () => this.file("/uptime", () => {
      const up = (Date.now() - k.bootedAt) / 1000;
      return `${up.toFixed(2)} ${up.toFixed(2)}\n`;
    }));
    entries.set("meminfo", () => this.file("/meminfo", () => {
      const { total, used } = k.memoryInfo(c);
      const kb = (n: number) => `${Math.floor(n / 1024)} kB`.padStart(12);
      const free = Math.max(0, total - used);
      return `MemTotal:    ${kb(total)}\nMemFree:     ${kb(free)}\nMemAvailable:${kb(free)}\nMemUsed:     ${kb(used)}\n`;
    }));
    entries.set("kmsg", () => this.file("/kmsg", () => k.messages.text(c, k.host)));
    entries.set("mounts", () => this.file("/mounts", () =>
      c.ns.mountList().map((m) => `${m.source} ${m.path} ${m.root.fs.type} ${m.root.fs.readOnly ? "ro" : "rw"} 0 0\n`).join("")));
    entries.set("loadavg", () => this.file("/loadavg", () => {
      const n = k.scheduler.runnable().length;
      return `${n}.00 ${n}.00 ${n}.00 ${n + (k.scheduler.running ? 1 : 0)}/${c.pids.list().length} ${c.pids.list().length}\n`;
    }));
    entries.set("sys", () => this.dir("/sys", () => new Map([["kernel", () => this.dir("/sys/kernel", () => new Map([
      ["hostname", () => this.file("/sys/kernel/hostname", () => c.hostname + "\n")],
      ["ostype", () => this.file("/sys/kernel/ostype", () => "wasmbox\n")],
      ["osrelease", () => this.file("/sys/kernel/osrelease", () => k.release + "\n")],
      ["version", () => this.file("/sys/kernel/version", () => `#1 ${k.engineKind}\n`)],
    ]))]])));
    return entries;
  }

  private pidDir(proc: Process): Vnode {
    const base = `/${proc.pid}@${proc.startedAt}`;
    return this.dir(base, () => new Map([
      ["status", () => this.file(base + "/status", () => [
        `Name:\t${proc.name}`, `State:\t${proc.stoppedBy !== 0 && proc.state !== "ZOMBIE" ? "T (stopped)" : STATE_NAMES[proc.state]}`, `Pid:\t${proc.pid}`,
        `PPid:\t${proc.parent?.container === proc.container ? proc.parent.pid : 0}`, `PGid:\t${proc.pgid}`,
        `Uid:\t${proc.uid}\t${proc.uid}\t${proc.uid}\t${proc.uid}`, `Gid:\t${proc.gid}\t${proc.gid}\t${proc.gid}\t${proc.gid}`, `VmRSS:\t${Math.floor(proc.memoryBytes / 1024)} kB`,
        `CpuMs:\t${Math.floor((proc.cpuNs + this.kernel.scheduler.currentSliceNs(proc)) / 1e6)}`,
        `StartMs:\t${proc.startedAt}`, `Nice:\t${proc.nice}`, `Engine:\t${proc.engine?.kind ?? "none"}`, "",
      ].join("\n"))],
      ["limits", () => this.file(base + "/limits", () => limitsText(proc))],
      ["cmdline", () => this.file(base + "/cmdline", () => proc.argv.map((a) => a + "\0").join(""))],
      ["environ", () => this.file(base + "/environ", () => proc.env.map((a) => a + "\0").join(""))],
      ["cwd", () => this.node(base + "/cwd", (ino) => new ProcNode(this, ino, Filetype.SYMBOLIC_LINK, undefined, undefined, () => proc.cwd))],
    ]));
  }
}

/** /proc/PID/limits in Linux's layout: the container's limits as they bind this process (what ulimit reads). */
function limitsText(proc: Process): string {
  const limits = proc.container.limits;
  const row = (name: string, value: number | undefined, units: string) => {
    const shown = value === undefined ? "unlimited" : String(value);
    return `${name.padEnd(25)} ${shown.padEnd(20)} ${shown.padEnd(20)} ${units}`.trimEnd() + "\n";
  };
  const memory = proc.container.limiter.memoryLimit();
  return `${"Limit".padEnd(25)} ${"Soft Limit".padEnd(20)} ${"Hard Limit".padEnd(20)} Units\n`
    + row("Max cpu time", limits.cpuTimeMs === undefined ? undefined : Math.ceil(limits.cpuTimeMs / 1000), "seconds")
    + row("Max file size", undefined, "bytes")
    + row("Max processes", limits.pids, "processes")
    + row("Max open files", limits.nofile, "files")
    + row("Max address space", memory, "bytes");
}
