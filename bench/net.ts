// `npm run bench -- net`: the kernel's network against the host's, each baseline from the same run:
// TCP throughput between two containers on the bridge (inline engine) against node:net on host
// loopback; connections per second likewise; a published httpd under wrk against a minimal node:http
// server serving the same file (when Debian's wrk is installed).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Kernel } from "../kernel/index.js";
import { MemFs } from "../kernel/host.js";
import type { Figure } from "./kernel.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.resolve(HERE, "../../bench/c/netbench.c");
/** Data each throughput round moves, in MiB. */
const MIB = 256;
/** Connections each connection round makes. */
const CONNECTIONS = 20000;
/** Host ports for the baselines and the published httpd (this project's range, 127.0.0.1 only). */
const HOST_PORT = 42300;
const HTTPD_PORT = 42301;
const NODE_HTTP_PORT = 42302;

function build(dir: string): Uint8Array {
  const out = path.join(dir, "netbench.wasm");
  const r = spawnSync("clang", ["--target=wasm32-wasi", "-O2", SOURCE, "-o", out]);
  if (r.status !== 0) throw new Error(`clang could not build netbench.c: ${r.stderr?.toString() ?? r.error?.message}`);
  return readFileSync(out);
}

/** Two containers on the default bridge of one kernel: "server" and "client". */
function pair(kernel: Kernel) {
  const make = (name: string) => kernel.createContainer({ root: new MemFs(kernel.allocDev()).root, name, network: "bridge" });
  return { server: make("server"), client: make("client") };
}

/**
 * MiB of the warm-up round before the measured one (the guest's code tiers up, the kernel's paths
 * get compiled): as much as the measured round, since a shorter one left the measured round slower
 * than a third would be.
 */
const WARMUP_MIB = MIB;
/** Connections of the warm-up round before the measured one (as many, likewise). */
const WARMUP_CONNECTIONS = CONNECTIONS;

/** A round's wall time and the CPU time of this thread (the kernel's, where inline guests run too). */
interface Timed {
  seconds: number;
  /** Undefined where Node cannot read one thread's clock (before 23.9). */
  threadCpuSeconds?: number;
}

/** Times `work`: wall clock, and this thread's CPU clock (other threads, such as V8's GC helpers, not counted). */
async function timed(work: () => Promise<void>): Promise<Timed> {
  const threadCpu = Reflect.get(process, "threadCpuUsage") as ((previous?: NodeJS.CpuUsage) => NodeJS.CpuUsage) | undefined;
  const cpuBefore = threadCpu?.call(process);
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = cpuBefore && threadCpu?.call(process, cpuBefore);
  return { seconds, threadCpuSeconds: cpu ? (cpu.user + cpu.system) / 1e6 : undefined };
}

/** GB/s between two containers (wall clock), and GB per second of the kernel thread's CPU. */
async function containerThroughput(kernel: Kernel, guest: Uint8Array, mib = MIB): Promise<{ gbps: number; gbPerCpuSecond?: number }> {
  const { server, client } = pair(kernel);
  const program = kernel.programs.compile(guest, "netbench", false);
  const bytes = mib * 1024 * 1024;
  const time = await timed(async () => {
    const sink = kernel.run(program, { args: ["tcp-sink", "5001"], container: server });
    const source = await kernel.run(program, { args: ["tcp-source", "server", "5001", String(mib)], container: client });
    const received = await sink;
    if (source.exitCode !== 0 || Number(received.stdout) !== bytes) throw new Error(`container throughput run failed: ${received.stdout} ${received.stderr} ${source.stderr}`);
  });
  // Each round leaves the bridge, so that the next round's "server" is the only one by that name.
  for (const c of [server, client]) kernel.networks.leaveAll(c.net);
  return { gbps: bytes / time.seconds / 1e9, gbPerCpuSecond: time.threadCpuSeconds ? bytes / time.threadCpuSeconds / 1e9 : undefined };
}

async function hostThroughput(): Promise<number> {
  const chunk = Buffer.alloc(65536);
  let received = 0;
  const done = new Promise<void>((resolve) => {
    const server = net.createServer((s) => {
      s.on("data", (c: Buffer) => (received += c.length));
      s.on("end", () => {
        server.close();
        resolve();
      });
    });
    server.listen(HOST_PORT, "127.0.0.1", () => {
      const socket = net.connect(HOST_PORT, "127.0.0.1");
      let left = MIB * 16;
      const pump = () => {
        while (left > 0) {
          left--;
          if (!socket.write(chunk)) return void socket.once("drain", pump);
        }
        socket.end();
      };
      socket.on("connect", pump);
    });
  });
  const started = process.hrtime.bigint();
  await done;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return received / seconds / 1e9;
}

/** Connections per second between two containers (wall clock), and the kernel thread's CPU per connection (µs). */
async function containerConnections(kernel: Kernel, guest: Uint8Array, count = CONNECTIONS): Promise<{ perSecond: number; cpuMicros?: number }> {
  const { server, client } = pair(kernel);
  const program = kernel.programs.compile(guest, "netbench", false);
  const time = await timed(async () => {
    const accepting = kernel.run(program, { args: ["conn-server", "5002", String(count)], container: server });
    const connecting = await kernel.run(program, { args: ["conn-client", "server", "5002", String(count)], container: client });
    await accepting;
    if (connecting.exitCode !== 0) throw new Error(`connection run failed: ${connecting.stderr}`);
  });
  for (const c of [server, client]) kernel.networks.leaveAll(c.net);
  return { perSecond: count / time.seconds, cpuMicros: time.threadCpuSeconds ? (time.threadCpuSeconds * 1e6) / count : undefined };
}

async function hostConnections(): Promise<number> {
  const count = Math.min(CONNECTIONS, 5000);
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve) => server.listen(HOST_PORT, "127.0.0.1", resolve));
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(HOST_PORT, "127.0.0.1", () => {
        s.destroy();
        resolve();
      });
      s.on("error", reject);
    });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  server.close();
  return count / seconds;
}

/**
 * Requests per second wrk reaches on a URL (2 threads, 16 connections, 5 s). wrk runs as a child
 * while this event loop serves (both servers live in this process).
 */
function wrk(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("wrk", ["-t2", "-c16", "-d5s", url]);
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.on("close", () => {
      const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`wrk gave no figure: ${out}`));
    });
  });
}

async function httpdFigure(): Promise<Figure | undefined> {
  if (spawnSync("wrk", ["--version"]).error) return undefined;
  const { ContainerRuntime } = await import("../containers/runtime.js");
  const { specFromOptions } = await import("../containers/options.js");
  const { baseRootfs } = await import("../userland/rootfs.js");
  const page = "<html><body>" + "x".repeat(4000) + "</body></html>\n";
  const kernel = new Kernel({ log: () => undefined });
  const layers = [await baseRootfs(), [{ path: "srv/index.html", type: "file" as const, mode: 0o644, data: Buffer.from(page) }]];
  const runtime = new ContainerRuntime({ kernel, images: async () => ({ id: "sha256:httpd", config: { Env: ["PATH=/bin"], Cmd: ["/bin/sh"] }, layers }) });
  const spec = specFromOptions({ publish: [`127.0.0.1:${HTTPD_PORT}:80`] }, { cwd: "/", env: {}, syscallNames: kernel.syscalls.map((s) => s.name) });
  const record = await runtime.create({ ...spec, image: "httpd", command: ["httpd", "-f", "-p", "80", "-h", "/srv"] });
  await runtime.start(record.spec.id);
  await new Promise((r) => setTimeout(r, 300));
  const ours = await wrk(`http://127.0.0.1:${HTTPD_PORT}/index.html`);
  runtime.kill(record.spec.id);
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(page);
  });
  await new Promise<void>((resolve) => server.listen(NODE_HTTP_PORT, "127.0.0.1", resolve));
  const baseline = await wrk(`http://127.0.0.1:${NODE_HTTP_PORT}/`);
  server.close();
  return { name: "published httpd under wrk (4 KiB page, 16 connections)", value: ours, unit: "req/s", baseline, baselineName: "node:http", ratio: ours / baseline, target: ">= 0.5x" };
}

export async function benchNet(): Promise<Figure[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "wasmbox-netbench-"));
  try {
    const guest = build(dir);
    const kernel = new Kernel({ engine: "inline", log: () => undefined });
    // Steady state for both sides: each figure follows a warm-up round of its own kind.
    const coldThroughput = await containerThroughput(kernel, guest, WARMUP_MIB);
    const ours = await containerThroughput(kernel, guest);
    await hostThroughput();
    const host = await hostThroughput();
    const coldConns = await containerConnections(kernel, guest, WARMUP_CONNECTIONS);
    const conns = await containerConnections(kernel, guest);
    await hostConnections();
    const hostConns = await hostConnections();
    const cpuOfBytes = ours.gbPerCpuSecond ? `; ${ours.gbPerCpuSecond.toFixed(2)} GB per CPU-second of the kernel thread` : "";
    const cpuOfConns = conns.cpuMicros ? `; ${conns.cpuMicros.toFixed(1)} µs of the kernel thread's CPU each` : "";
    const figures: Figure[] = [
      { name: `TCP container to container (${MIB} MiB, 128 KiB writes, after a ${WARMUP_MIB} MiB warm-up at ${coldThroughput.gbps.toFixed(2)} GB/s${cpuOfBytes})`, value: ours.gbps, unit: "GB/s", baseline: host, baselineName: "node:net host loopback", ratio: ours.gbps / host, target: ">= 2 GB/s and >= 2x" },
      { name: `TCP connections container to container (${CONNECTIONS}, after ${WARMUP_CONNECTIONS} at ${coldConns.perSecond.toFixed(0)}/s${cpuOfConns})`, value: conns.perSecond, unit: "conn/s", baseline: hostConns, baselineName: "node:net host loopback", ratio: conns.perSecond / hostConns, target: ">= 50,000/s" },
    ];
    const httpd = await httpdFigure();
    if (httpd) figures.push(httpd);
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
