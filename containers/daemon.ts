// containers/: the daemon: one kernel and container runtime serving the HTTP+JSON API of API.md
// over a unix socket at `$WASMBOX_HOME/daemon.sock` (node:http). Routes are a table; handlers
// are thin calls into ContainerRuntime. Started by `wasmbox daemon`, on demand by the CLI.
import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { Kernel, type EngineChoice } from "../kernel/index.js";
import { decodeLayer, layerEntriesToTar } from "../images/layer-tar.js";
import { ImageStore } from "../images/store.js";
import { ImageError } from "../images/errors.js";
import { daemonSocketPath, DaemonClient } from "./client.js";
import { ContainerFiles } from "./files.js";
import { changeKind, inspectOf, summaryOf } from "./format.js";
import { commitContainer, storeImageSource } from "./images.js";
import { ContainerRuntime, RuntimeError } from "./runtime.js";
import { specFromOptions, SpecError, type CreateOptions } from "./spec.js";

/** Options of a daemon. */
export interface DaemonOptions {
  home: string;
  engine?: EngineChoice;
  log?: (line: string) => void;
}

/** A running daemon. */
export interface Daemon {
  runtime: ContainerRuntime;
  socketPath: string;
  /** Kills its containers (saving their state), closes the socket. */
  close(): Promise<void>;
  /** Resolves when a client asked it to shut down (POST /shutdown). */
  closed: Promise<void>;
}

interface Ctx {
  runtime: ContainerRuntime;
  store: ImageStore;
  files: ContainerFiles;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  params: string[];
  shutdown: () => void;
}

type Handler = (ctx: Ctx) => Promise<unknown>;

const json = (ctx: Ctx, status: number, value: unknown) => {
  ctx.res.writeHead(status, { "content-type": "application/json" });
  ctx.res.end(JSON.stringify(value) + "\n");
};

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function jsonBody<T>(req: IncomingMessage): Promise<T> {
  const data = await body(req);
  try {
    return JSON.parse(data.toString("utf8") || "{}") as T;
  } catch {
    throw new RuntimeError("request body is not JSON");
  }
}

const flag = (q: URLSearchParams, name: string) => ["1", "true"].includes(q.get(name) ?? "");

/** Streams NDJSON frames for a process's output; ends with {exit}. */
function ndjson(ctx: Ctx): (frame: Record<string, unknown>) => void {
  ctx.res.writeHead(200, { "content-type": "application/x-ndjson" });
  return (frame) => void ctx.res.write(JSON.stringify(frame) + "\n");
}

const b64 = (chunk: Uint8Array) => Buffer.from(chunk).toString("base64");

/** The route table: method, path pattern, handler. */
const ROUTES: Array<[string, RegExp, Handler]> = [
  ["GET", /^\/_ping$/, async (ctx) => json(ctx, 200, { ok: true, pid: process.pid })],
  ["POST", /^\/shutdown$/, async (ctx) => {
    json(ctx, 200, { ok: true });
    ctx.shutdown();
  }],
  ["GET", /^\/containers\/json$/, async (ctx) => json(ctx, 200, ctx.runtime.list(flag(ctx.query, "all")).map(summaryOf))],
  ["POST", /^\/containers\/create$/, async (ctx) => {
    const request = await jsonBody<{ image: string; command?: string[]; options?: CreateOptions; cwd?: string; env?: Record<string, string> }>(ctx.req);
    const parsed = specFromOptions(request.options ?? {}, { cwd: request.cwd ?? "/", env: request.env ?? {}, syscallNames: ctx.runtime.kernel.syscalls.map((s) => s.name) });
    const record = await ctx.runtime.create({ ...parsed, image: request.image, command: request.command ?? [] });
    json(ctx, 201, { Id: record.spec.id, Name: record.spec.name });
  }],
  ["POST", /^\/containers\/prune$/, async (ctx) => json(ctx, 200, { ContainersDeleted: await ctx.runtime.prune() })],
  ["POST", /^\/containers\/([^/]+)\/start$/, async (ctx) => {
    const record = await ctx.runtime.start(ctx.params[0]!);
    json(ctx, 200, { Id: record.spec.id, Status: record.state.status });
  }],
  ["POST", /^\/containers\/([^/]+)\/stop$/, async (ctx) => {
    const t = ctx.query.get("t");
    const record = await ctx.runtime.stop(ctx.params[0]!, t === null ? undefined : Number(t));
    json(ctx, 200, { Id: record.spec.id, ExitCode: record.state.exitCode });
  }],
  ["POST", /^\/containers\/([^/]+)\/restart$/, async (ctx) => {
    const t = ctx.query.get("t");
    const record = await ctx.runtime.restart(ctx.params[0]!, t === null ? undefined : Number(t));
    json(ctx, 200, { Id: record.spec.id });
  }],
  ["POST", /^\/containers\/([^/]+)\/kill$/, async (ctx) => {
    const record = ctx.runtime.kill(ctx.params[0]!, ctx.query.get("signal") ?? "SIGKILL");
    json(ctx, 200, { Id: record.spec.id });
  }],
  ["POST", /^\/containers\/([^/]+)\/wait$/, async (ctx) => json(ctx, 200, { StatusCode: await ctx.runtime.wait(ctx.params[0]!) })],
  ["DELETE", /^\/containers\/([^/]+)$/, async (ctx) => {
    const record = await ctx.runtime.remove(ctx.params[0]!, flag(ctx.query, "force"));
    json(ctx, 200, { Id: record.spec.id });
  }],
  ["GET", /^\/containers\/([^/]+)\/json$/, async (ctx) => json(ctx, 200, inspectOf(ctx.runtime.find(ctx.params[0]!)))],
  ["GET", /^\/containers\/([^/]+)\/top$/, async (ctx) => {
    const rows = ctx.runtime.top(ctx.params[0]!);
    json(ctx, 200, { Titles: ["PID", "PPID", "STAT", "TIME", "CMD"], Processes: rows.map((p) => [String(p.pid), String(p.ppid), p.state, formatCpu(p.cpuMs), p.command]) });
  }],
  ["GET", /^\/containers\/([^/]+)\/stats$/, async (ctx) => json(ctx, 200, await ctx.runtime.stats(ctx.params[0]!))],
  ["GET", /^\/containers\/([^/]+)\/changes$/, async (ctx) => {
    const { lines } = await ctx.runtime.changes(ctx.params[0]!);
    json(ctx, 200, lines.map((l) => ({ Path: l.path, Kind: changeKind(l) })));
  }],
  ["GET", /^\/containers\/([^/]+)\/logs$/, async (ctx) => {
    const record = ctx.runtime.find(ctx.params[0]!);
    const id = record.spec.id;
    const send = ndjson(ctx);
    const follow = flag(ctx.query, "follow") && !!record.live;
    const onLog = (from: string, stream: string, chunk: Uint8Array) => {
      if (from === id) send({ stream, data: b64(chunk) });
    };
    if (follow) ctx.runtime.events.on("log", onLog);
    for (const line of await ctx.files.readLogs(id)) send({ stream: line.stream, data: line.data, time: line.time });
    if (follow) {
      await ctx.runtime.wait(id).catch(() => undefined);
      ctx.runtime.events.off("log", onLog);
    }
    ctx.res.end();
  }],
  ["POST", /^\/containers\/([^/]+)\/exec$/, async (ctx) => {
    const argv = JSON.parse(ctx.query.get("cmd") ?? "[]") as string[];
    const env = JSON.parse(ctx.query.get("env") ?? "[]") as string[];
    ctx.runtime.find(ctx.params[0]!);
    const send = ndjson(ctx);
    const code = await ctx.runtime.exec(ctx.params[0]!, argv, {
      env, workdir: ctx.query.get("workdir") ?? undefined, tty: flag(ctx.query, "tty"),
      stdin: flag(ctx.query, "stdin") ? ctx.req : null,
      onStdout: (c) => send({ stream: "stdout", data: b64(c) }), onStderr: (c) => send({ stream: "stderr", data: b64(c) }),
    }).catch((e: Error) => {
      send({ stream: "stderr", data: b64(Buffer.from(`wasmbox: ${e.message}\n`)) });
      return 126;
    });
    send({ exit: code });
    ctx.res.end();
  }],
  ["POST", /^\/commit$/, async (ctx) => {
    const image = await commitContainer(ctx.runtime, ctx.store, ctx.query.get("container") ?? "", ctx.query.get("repo") || undefined, {
      message: ctx.query.get("comment") ?? undefined, author: ctx.query.get("author") ?? undefined,
    });
    json(ctx, 201, { Id: image.id });
  }],
  ["GET", /^\/containers\/([^/]+)\/export$/, async (ctx) => {
    const tar = await layerEntriesToTar(await ctx.runtime.exportEntries(ctx.params[0]!));
    ctx.res.writeHead(200, { "content-type": "application/x-tar" });
    ctx.res.end(tar);
  }],
  ["GET", /^\/containers\/([^/]+)\/archive$/, async (ctx) => {
    const tar = await layerEntriesToTar(await ctx.runtime.copyOut(ctx.params[0]!, ctx.query.get("path") ?? "/"));
    ctx.res.writeHead(200, { "content-type": "application/x-tar" });
    ctx.res.end(tar);
  }],
  ["PUT", /^\/containers\/([^/]+)\/archive$/, async (ctx) => {
    const entries = await decodeLayer(await body(ctx.req));
    await ctx.runtime.copyIn(ctx.params[0]!, ctx.query.get("path") ?? "/", entries, ctx.query.get("name") ?? "");
    json(ctx, 200, { ok: true });
  }],
];

function formatCpu(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 3600)).padStart(2, "0")}:${String(Math.floor(s / 60) % 60).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

/** Starts a daemon on `$home/daemon.sock` (replacing a stale socket file). */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const store = await ImageStore.open(options.home);
  const files = await ContainerFiles.open(options.home);
  const kernel = new Kernel({ engine: options.engine ?? "auto", log });
  const runtime = new ContainerRuntime({ kernel, images: storeImageSource(store), files });
  await runtime.refresh();
  const socketPath = daemonSocketPath(options.home);
  let requestShutdown!: () => void;
  const closed = new Promise<void>((resolve) => (requestShutdown = resolve));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://wasmbox");
    const route = ROUTES.find(([method, pattern]) => method === req.method && pattern.test(url.pathname));
    if (!route) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: `no route for ${req.method} ${url.pathname}` }) + "\n");
      return;
    }
    const params = route[1].exec(url.pathname)!.slice(1).map(decodeURIComponent);
    const ctx: Ctx = { runtime, store, files, req, res, query: url.searchParams, params, shutdown: requestShutdown };
    void (async () => {
      try {
        await runtime.refresh();
        await route[2](ctx);
      } catch (e) {
        const status = e instanceof RuntimeError ? e.status : e instanceof SpecError || e instanceof ImageError ? 400 : 500;
        if (status === 500) log(`wasmbox daemon: ${req.method} ${url.pathname}: ${(e as Error).stack ?? e}`);
        if (res.headersSent) res.end();
        else json(ctx, status, { message: (e as Error).message });
      }
    })();
  });
  if (existsSync(socketPath)) {
    if (await new DaemonClient(socketPath).ping()) throw new RuntimeError(`a wasmbox daemon already serves ${socketPath}`, 409);
    await rm(socketPath, { force: true });
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  await writeFile(join(options.home, "daemon.pid"), String(process.pid) + "\n");
  return {
    runtime,
    socketPath,
    closed,
    async close() {
      await runtime.shutdown();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
      await rm(socketPath, { force: true });
      await rm(join(options.home, "daemon.pid"), { force: true });
    },
  };
}
