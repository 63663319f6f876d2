// The guest side of a VM: the code a hypervisor worker runs. It boots its own Kernel in this
// isolate, builds its own disk from its private copy of the image, compiles the image's programs
// itself, starts init (pid 1) with the command, and speaks the protocol in protocol.ts.
import { parentPort, workerData } from "node:worker_threads";
import { getHeapStatistics } from "node:v8";
import { SIGKILL } from "../abi/wasmbox-abi.js";
import type { Container } from "../jail/container.js";
import { FsApi } from "../fs-api.js";
import { Kernel } from "../kernel.js";
import type { Process } from "../proc/process.js";
import { InputStream } from "../stdio.js";
import { currentThreadId, ownThreadCpuNs } from "../proc/thread-clock.js";
import { buildRoot } from "./disk.js";
import { findOnPath, isRegularFile } from "../vfs/command-path.js";
import { GuestNic } from "./guest-nic.js";
import type { GuestBootData, GuestMessage, GuestNetConfig, GuestStats, HostMessage } from "./protocol.js";

function post(message: GuestMessage): void {
  parentPort!.postMessage(message);
}

/** Milliseconds since the host called boot(). */
function sinceBoot(data: GuestBootData): number {
  return performance.timeOrigin + performance.now() - data.bootAt;
}

function boot(data: GuestBootData): void {
  // A VM's kernel compiles its programs anew at each boot: it leaves loops in place (see KernelOptions.outlineLoops), as the CLI's one-run kernel does.
  const kernel = new Kernel({ engine: data.engine, hostname: data.hostname, outlineLoops: false, log: (line) => post({ type: "log", line }) });
  const disk = buildRoot(kernel, data.layers, { byteLimit: data.diskBytes });
  data.layers.length = 0; // the disk holds the bytes now; drop the boot copy
  const container = kernel.createContainer({ root: disk.root, id: "vm", hostname: data.hostname, limits: { memoryBytes: data.memoryBytes } });
  const nics = new Map<number, GuestNic>();
  const plug = (nic: number, config: GuestNetConfig): GuestNic => {
    const card = new GuestNic(kernel, container.net, config, (message, transfer) => parentPort!.postMessage({ type: "net", nic, message } satisfies GuestMessage, transfer));
    nics.set(nic, card);
    return card;
  };
  let rewriteHosts: () => void = () => undefined;
  if (data.network) {
    const nic = plug(0, data.network);
    if (isRegularFile(container.ns, "/etc/hosts")) rewriteHosts = nic.mountHostsFile(container);
  }
  const kernelUpMs = sinceBoot(data);
  post({ type: "up", ms: kernelUpMs });
  // The host reads this thread's CPU clock itself (it answers even while the guest spins).
  const tid = currentThreadId();
  if (tid !== undefined) post({ type: "thread", tid });
  let initRunningMs = 0;

  const stdin = new InputStream();
  if (!data.stdin) stdin.end();
  let init: Process | undefined;
  const withInit = data.init && isRegularFile(container.ns, "/bin/init");
  const [path, ...args] = withInit ? ["/bin/init", ...data.argv] : [commandPath(container, data.env, data.argv[0] ?? "/bin/sh"), ...data.argv.slice(1)];

  const stats = (): GuestStats => {
    const heap = getHeapStatistics();
    return {
      heapUsed: heap.used_heap_size, heapTotal: heap.total_heap_size,
      guestMemory: container.limiter.memoryBytes(), diskBytes: disk.usedBytes,
      processes: container.liveProcesses().length, kernelUpMs, initRunningMs,
      threadCpuNs: ownThreadCpuNs(),
      // Inline processes run on this thread (its clock counts them); worker ones on threads of their own.
      workerCpuNs: kernel.engineKind === "worker" ? container.limiter.cpuNs : 0,
    };
  };

  parentPort!.on("message", (msg: HostMessage) => {
    switch (msg.type) {
      case "stdin": return stdin.push(msg.data);
      case "stdin-end": return stdin.end();
      case "signal":
        if (init) init.signal(msg.signal);
        return;
      case "resize":
        init?.ctty?.resize({ rows: msg.rows, cols: msg.cols });
        return;
      case "stats": return post({ type: "stats", id: msg.id, stats: stats() });
      case "exec": {
        const [p, ...a] = msg.argv;
        const env = msg.env ?? data.env;
        const t0 = performance.now();
        kernel.run(commandPath(container, env, p), { container, args: a, argv0: p, env, cwd: msg.cwd ?? data.cwd, user: data.user }).then(
          (r) => post({ type: "exec-result", id: msg.id, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 }),
          (e: Error) => post({ type: "exec-result", id: msg.id, exitCode: 127, stdout: "", stderr: `${p}: ${e.message}\n`, ms: performance.now() - t0 }),
        );
        return;
      }
      case "put": {
        try {
          const api = new FsApi(container.ns);
          api.mkdirp(msg.path.slice(0, msg.path.lastIndexOf("/")) || "/");
          api.writeFile(msg.path, msg.data, msg.mode);
          post({ type: "put-result", id: msg.id });
        } catch (e) {
          post({ type: "put-result", id: msg.id, error: (e as Error).message });
        }
        return;
      }
      case "fault": return fault(msg.fault);
      case "net": return nics.get(msg.nic)?.receive(msg.message);
      case "net-config": return nics.get(msg.nic)?.apply(msg.config);
      case "net-attach":
        plug(msg.nic, msg.config);
        rewriteHosts();
        return;
      case "net-detach":
        nics.get(msg.nic)?.detach();
        nics.delete(msg.nic);
        rewriteHosts();
        return;
    }
  });

  kernel.run(path, {
    container, args, argv0: path, env: data.env, cwd: data.cwd, stdin, capture: false, user: data.user,
    tty: data.tty ?? false, terminalSize: data.terminalSize,
    onStdout: (chunk) => post({ type: "stdout", data: chunk }),
    onStderr: (chunk) => post({ type: "stderr", data: chunk }),
    onStart: (proc) => {
      init = proc;
      initRunningMs = sinceBoot(data);
      post({ type: "started", pid: proc.pid, ms: initRunningMs });
    },
  }).then(
    (r) => {
      // init is gone: like a kernel after pid 1 exits, stop everything else in the guest.
      for (const p of container.liveProcesses()) p.kill(SIGKILL);
      post({ type: "exit", exitCode: r.exitCode, signal: r.signal, status: r.status });
    },
    (e: Error) => post({ type: "error", message: `${path}: ${e.message === "NOENT" ? "not found" : e.message}` }),
  );
}

/** A command's file on the guest's PATH (kernel/vfs/command-path.ts); a name not found is run as given, to fail as NOENT. */
function commandPath(container: Container, env: readonly string[], name: string): string {
  return findOnPath(container.ns, name, env) ?? name;
}

/** Fault injection, for isolation tests and the benchmark: what a misbehaving guest kernel does. */
function fault(kind: "crash" | "heap" | "spin"): void {
  if (kind === "crash") {
    setImmediate(() => {
      throw new Error("guest kernel panic (injected fault)");
    });
  } else if (kind === "heap") {
    const hog: unknown[] = [];
    const grow = () => {
      for (let i = 0; i < 100_000; i++) hog.push({ i, s: "x".repeat(16) + i });
      setImmediate(grow);
    };
    grow();
  } else {
    for (;;) {
      // spins forever, right here in the message handler: only terminate() ends it
    }
  }
}

boot(workerData as GuestBootData);
