// containers/: the daemon: one kernel and container runtime serving the HTTP+JSON API of API.md
// over a unix socket at `$WASMBOX_HOME/daemon.sock` (node:http). Routes are a table; handlers
// are thin calls into ContainerRuntime. Started by `wasmbox daemon`, on demand by the CLI.
import { existsSync } from "node:fs";
import { availableParallelism, hostname, totalmem } from "node:os";
import { chmod, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { Kernel, type EngineChoice, type Process, type WindowSize } from "../kernel/index.js";
import { decodeLayer, layerEntriesToTar } from "../images/layer-tar.js";
import { ImageStore, shippedImagesHome } from "../images/store.js";
import { ImageError } from "../images/errors.js";
import { daemonSocketPath, DaemonClient } from "./client.js";
import { ContainerFiles, PRIVATE_FILE, privateDir } from "./files.js";
import { changeKind, inspectOf, isRestarting, matchesFilters, parseFilters, summaryOf } from "./format.js";
import { commitContainer, diskUsage, pruneImages, removeImage, storeImageSource } from "./images.js";
import { isoNs, type LogFollow } from "./logs.js";
import { ContainerRuntime, RuntimeError, type ContainerRecord, type RuntimeEvent } from "./runtime.js";
import { connectNetwork, createNetwork, disconnectNetwork, inspectNetwork, listNetworks, networkSettingsOf, portsOf, removeNetwork } from "./network-api.js";
import { restoreNetworks } from "./network-store.js";
import { forwardRequest, foregroundOwner } from "./foreground.js";
import { checkCreateOptions, specFromOptions, type CreateOptions } from "./options.js";
import { SpecError } from "./spec.js";

/** wasmbox's version, as `version` and `info` report it. */
export const WASMBOX_VERSION = "0.1.0";

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
  /** The events so far (the last EVENT_HISTORY), for `events --since`. */
  history: RuntimeEvent[];
  /** The terminals of running `exec -t`s by the id their client gave (`exec?id=`), for `/exec/ID/resize`. */
  execTerminals: Map<string, (size: WindowSize) => void>;
  home: string;
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

/** The most a JSON request body may hold. */
export const MAX_JSON_BODY = 1024 * 1024;
/** The most a tar body (cp into a container) may hold. */
export const MAX_ARCHIVE_BODY = 1024 ** 3;

/**
 * A request's body, refused with 413 past `limit` bytes (by its content-length, or as it arrives).
 * A refused body is still read and dropped, so the client can finish sending and read the answer;
 * nothing of it is kept.
 */
function body(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  return new Promise((resolve, reject) => {
    const refuse = (what: string) => {
      req.removeAllListeners("data");
      req.resume();
      reject(new RuntimeError(`request body too large: ${what}, at most ${limit} bytes`, 413));
    };
    if (declared > limit) return refuse(`${declared} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) refuse(`more than ${limit} bytes`);
      else chunks.push(chunk);
    });
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("close", () => reject(new RuntimeError("the request ended before its body")));
  });
}

/** A JSON object body (an empty body is `{}`); 400 when it is not a JSON object. */
async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const data = await body(req, MAX_JSON_BODY);
  let value: unknown;
  try {
    value = JSON.parse(data.toString("utf8") || "{}");
  } catch (e) {
    throw new RuntimeError(`request body is not JSON: ${(e as Error).message}`);
  }
  if (!isObject(value)) throw new RuntimeError("request body must be a JSON object");
  return value;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

/** A query parameter holding a JSON list of strings (exec's cmd and env); 400 otherwise. */
function stringsParam(q: URLSearchParams, name: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(q.get(name) ?? "[]");
  } catch {
    throw new RuntimeError(`query parameter ${name} is not JSON`);
  }
  if (!isStrings(value)) throw new RuntimeError(`query parameter ${name} must be a JSON list of strings`);
  return value;
}

/** A query parameter of seconds (stop and restart's t); undefined when absent, 400 when not a number. */
function secondsParam(q: URLSearchParams, name: string): number | undefined {
  const text = q.get(name);
  if (text === null || text === "") return undefined;
  if (!/^\d+(\.\d+)?$/.test(text)) throw new RuntimeError(`query parameter ${name}=${text}: expected seconds`);
  return Number(text);
}

/** The create request's parts, checked: 400 for anything of the wrong type. */
function createRequestOf(request: Record<string, unknown>): { image: string; command: string[]; options: CreateOptions; cwd: string; env: Record<string, string> } {
  const { image, command = [], options = {}, cwd = "/", env = {} } = request;
  if (typeof image !== "string" || image === "") throw new RuntimeError("create needs an image (a string)");
  if (!isStrings(command)) throw new RuntimeError("command must be a list of strings");
  if (typeof cwd !== "string") throw new RuntimeError("cwd must be a string");
  if (!isObject(env) || !Object.values(env).every((v) => typeof v === "string")) throw new RuntimeError("env must be an object of strings");
  return { image, command, options: checkCreateOptions(options), cwd, env: env as Record<string, string> };
}

const flag = (q: URLSearchParams, name: string) => ["1", "true"].includes(q.get(name) ?? "");

/** Streams NDJSON frames for a process's output; ends with {exit}. */
function ndjson(ctx: Ctx): (frame: Record<string, unknown>) => void {
  ctx.res.writeHead(200, { "content-type": "application/x-ndjson" });
  return (frame) => void ctx.res.write(JSON.stringify(frame) + "\n");
}

const b64 = (chunk: Uint8Array) => Buffer.from(chunk).toString("base64");

/** Writes one NDJSON frame; resolves once the socket takes more (or the client went away). */
function sendFrame(res: ServerResponse, frame: Record<string, unknown>): Promise<void> {
  if (res.destroyed || res.write(JSON.stringify(frame) + "\n")) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** `since`: unix seconds (with a fraction) or an RFC 3339 time; as ns since the epoch (400 when neither). */
function sinceParam(q: URLSearchParams): bigint | undefined {
  const text = q.get("since");
  if (text === null || text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return BigInt(Math.round(Number(text) * 1000)) * 1_000_000n;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new RuntimeError(`since=${text}: expected unix seconds or an RFC 3339 time`);
  return BigInt(ms) * 1_000_000n;
}

/** What logs -f waits on: the container's "log" events (a flag, so none is lost between reads) and its end. */
function followLog(runtime: ContainerRuntime, record: ContainerRecord): LogFollow & { close(): void } {
  const id = record.spec.id;
  let dirty = false;
  let ended = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onLog = (from: string) => {
    if (from !== id) return;
    dirty = true;
    poke();
  };
  runtime.events.on("log", onLog);
  void runtime.wait(id).catch(() => undefined).then(() => {
    ended = true;
    poke();
  });
  return {
    async changed() {
      while (!dirty && !ended) await new Promise<void>((resolve) => (wake = resolve));
      dirty = false;
      return !ended;
    },
    close: () => void runtime.events.off("log", onLog),
  };
}

/** How many past events the daemon keeps for `events --since`. */
const EVENT_HISTORY = 1000;

/** A time parameter of events (unix seconds with a fraction, or RFC 3339) as ns; undefined when absent. */
function timeParam(q: URLSearchParams, name: string): number | undefined {
  const text = q.get(name);
  if (text === null || text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1e9;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new RuntimeError(`${name}=${text}: expected unix seconds or an RFC 3339 time`);
  return ms * 1e6;
}

/** Whether an event passes `events --filter` (container=, event=, image=, type=): any value of a key, every key. */
function eventMatches(event: RuntimeEvent, filters: Record<string, string[]>): boolean {
  const tests: Record<string, (v: string) => boolean> = {
    container: (v) => event.Actor.ID.startsWith(v) || event.Actor.Attributes.name === v.replace(/^\//, ""),
    event: (v) => event.Action === v,
    image: (v) => event.Actor.Attributes.image === v,
    type: (v) => event.Type === v,
  };
  return Object.entries(filters).every(([key, values]) => values.some((v) => tests[key]!(v)));
}

/** docker's `filters` of events, checked (400 for an unknown key). */
function eventFilters(text: string | null): Record<string, string[]> {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RuntimeError(`filters=${text}: not JSON`);
  }
  if (!isObject(value)) throw new RuntimeError("filters must be a JSON object of lists");
  for (const [key, list] of Object.entries(value)) {
    if (!["container", "event", "image", "type"].includes(key)) throw new RuntimeError(`invalid filter '${key}' (known: container, event, image, type)`);
    if (!isStrings(list)) throw new RuntimeError(`filter ${key} must be a list of strings`);
  }
  return value as Record<string, string[]>;
}

/**
 * docker attach: the container's output from now on until it ends, then its exit code. With
 * ?stdin=1 (POST) the request's body goes to the container's open stdin (started with -i); the
 * client leaving (detach) ends the body, never the container's stdin, unless ?stdinOnce=1 (docker's
 * StdinOnce, as `run -i` attaches): then the body's end is the container's stdin's EOF. A created
 * container may be attached before its start (as docker's `run` does): nothing it writes is missed.
 */
async function attachContainer(ctx: Ctx): Promise<void> {
  const record = ctx.runtime.find(ctx.params[0]!);
  if (isRestarting(record)) throw new RuntimeError(`You cannot attach to a restarting container, wait until it is running`, 409);
  const beforeStart = !record.live && record.state.status === "created";
  if (!record.live && !beforeStart) throw new RuntimeError(`You cannot attach to a stopped container, start it first`, 409);
  const id = record.spec.id;
  let stdin: NodeJS.WritableStream | undefined;
  const plugStdin = () => {
    try {
      stdin = flag(ctx.query, "stdin") ? ctx.runtime.stdinOf(id) : undefined;
    } catch {
      stdin = undefined; // removed meanwhile
    }
    if (stdin) ctx.req.pipe(stdin, { end: flag(ctx.query, "stdinOnce") });
    else ctx.req.resume();
  };
  const onStart = (event: RuntimeEvent) => {
    if (event.Action !== "start" || event.Actor.ID !== id) return;
    ctx.runtime.events.off("event", onStart);
    plugStdin();
  };
  if (beforeStart) ctx.runtime.events.on("event", onStart);
  else plugStdin();
  const send = ndjson(ctx);
  const onLog = (from: string, stream: string, chunk: Uint8Array) => {
    if (from === id) send({ stream, data: b64(chunk) });
  };
  ctx.runtime.events.on("log", onLog);
  // The answer's head goes now: a client that starts the container once attached waits for it.
  ctx.res.flushHeaders();
  try {
    const code = await Promise.race([ctx.runtime.wait(id), new Promise<undefined>((resolve) => ctx.res.once("close", () => resolve(undefined)))]);
    if (code !== undefined) send({ exit: code });
  } finally {
    ctx.runtime.events.off("log", onLog);
    ctx.runtime.events.off("event", onStart);
    if (stdin) ctx.req.unpipe(stdin);
  }
  ctx.res.end();
}

/** docker's h (rows) and w (columns) of a terminal; undefined when absent, 400 when not positive integers. */
function windowSizeParam(q: URLSearchParams): WindowSize | undefined {
  const h = q.get("h");
  const w = q.get("w");
  if (h === null && w === null) return undefined;
  const rows = Number(h);
  const cols = Number(w);
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows > 65535 || cols > 65535) {
    throw new RuntimeError(`h=${h}&w=${w}: a window size is two integers from 1 to 65535`);
  }
  return { rows, cols };
}

/** The route table: method, path pattern, handler. */
const ROUTES: Array<[string, RegExp, Handler]> = [
  // Networks (containers/network-api.ts).
  ["GET", /^\/networks$/, async (ctx) => json(ctx, 200, listNetworks(ctx.runtime))],
  ["POST", /^\/networks\/create$/, async (ctx) => json(ctx, 201, createNetwork(ctx.runtime, (await jsonBody(ctx.req)).Name))],
  ["GET", /^\/networks\/([^/]+)$/, async (ctx) => json(ctx, 200, inspectNetwork(ctx.runtime, ctx.params[0]!))],
  ["DELETE", /^\/networks\/([^/]+)$/, async (ctx) => json(ctx, 200, removeNetwork(ctx.runtime, ctx.params[0]!) ?? {})],
  ["POST", /^\/networks\/([^/]+)\/connect$/, async (ctx) => json(ctx, 200, connectNetwork(ctx.runtime, ctx.params[0]!, (await jsonBody(ctx.req)).Container) ?? {})],
  ["POST", /^\/networks\/([^/]+)\/disconnect$/, async (ctx) => json(ctx, 200, disconnectNetwork(ctx.runtime, ctx.params[0]!, (await jsonBody(ctx.req)).Container) ?? {})],
  ["GET", /^\/containers\/([^/]+)\/port$/, async (ctx) => json(ctx, 200, portsOf(ctx.runtime, ctx.params[0]!))],
  ["GET", /^\/_ping$/, async (ctx) => json(ctx, 200, { ok: true, pid: process.pid })],
  ["POST", /^\/shutdown$/, async (ctx) => {
    json(ctx, 200, { ok: true });
    ctx.shutdown();
  }],
  ["GET", /^\/containers\/json$/, async (ctx) => {
    let filters: Record<string, string[]>;
    try {
      filters = parseFilters(ctx.query.get("filters"));
    } catch (e) {
      throw new RuntimeError((e as Error).message);
    }
    // A status or exit-code filter looks at every container, as docker's does.
    const all = flag(ctx.query, "all") || "status" in filters || "exited" in filters;
    json(ctx, 200, ctx.runtime.list(all).filter((r) => matchesFilters(r, filters)).map(summaryOf));
  }],
  ["POST", /^\/containers\/create$/, async (ctx) => {
    const request = createRequestOf(await jsonBody(ctx.req));
    const parsed = specFromOptions(request.options, { cwd: request.cwd, env: request.env, syscallNames: ctx.runtime.kernel.syscalls.map((s) => s.name) });
    const record = await ctx.runtime.create({ ...parsed, image: request.image, command: request.command });
    json(ctx, 201, { Id: record.spec.id, Name: record.spec.name });
  }],
  ["POST", /^\/containers\/prune$/, async (ctx) => {
    const { ids, reclaimedBytes } = await ctx.runtime.prune();
    json(ctx, 200, { ContainersDeleted: ids, SpaceReclaimed: reclaimedBytes });
  }],
  ["POST", /^\/containers\/([^/]+)\/start$/, async (ctx) => {
    // ?h=ROWS&w=COLS: the window of its terminal from its first instruction on (a foreground `run -t` through the daemon).
    const terminalSize = windowSizeParam(ctx.query);
    const record = await ctx.runtime.start(ctx.params[0]!, terminalSize ? { terminalSize } : {});
    json(ctx, 200, { Id: record.spec.id, Status: record.state.status });
  }],
  ["POST", /^\/containers\/([^/]+)\/stop$/, async (ctx) => {
    const record = await ctx.runtime.stop(ctx.params[0]!, secondsParam(ctx.query, "t"));
    json(ctx, 200, { Id: record.spec.id, ExitCode: record.state.exitCode });
  }],
  ["POST", /^\/containers\/([^/]+)\/restart$/, async (ctx) => {
    const record = await ctx.runtime.restart(ctx.params[0]!, secondsParam(ctx.query, "t"));
    json(ctx, 200, { Id: record.spec.id });
  }],
  ["POST", /^\/containers\/([^/]+)\/kill$/, async (ctx) => {
    const record = ctx.runtime.kill(ctx.params[0]!, ctx.query.get("signal") ?? "SIGKILL");
    json(ctx, 200, { Id: record.spec.id });
  }],
  ["POST", /^\/containers\/([^/]+)\/pause$/, async (ctx) => json(ctx, 200, { Id: (await ctx.runtime.pause(ctx.params[0]!)).spec.id })],
  ["POST", /^\/containers\/([^/]+)\/unpause$/, async (ctx) => json(ctx, 200, { Id: (await ctx.runtime.unpause(ctx.params[0]!)).spec.id })],
  ["POST", /^\/containers\/([^/]+)\/rename$/, async (ctx) => {
    const name = ctx.query.get("name");
    if (!name) throw new RuntimeError("rename needs ?name=NEW_NAME");
    json(ctx, 200, { Id: (await ctx.runtime.rename(ctx.params[0]!, name)).spec.id });
  }],
  ["GET", /^\/containers\/([^/]+)\/attach$/, attachContainer],
  ["POST", /^\/containers\/([^/]+)\/attach$/, attachContainer],
  ["GET", /^\/events$/, async (ctx) => {
    const since = timeParam(ctx.query, "since");
    const until = timeParam(ctx.query, "until");
    const filters = eventFilters(ctx.query.get("filters"));
    const send = ndjson(ctx);
    const wanted = (e: RuntimeEvent) => (since === undefined || e.timeNano >= since) && (until === undefined || e.timeNano <= until) && eventMatches(e, filters);
    // Past events only when asked for with since (docker's); live ones until `until` or the client leaves.
    if (since !== undefined) for (const e of ctx.history) if (wanted(e)) send({ ...e });
    const now = Date.now() * 1e6;
    if (until !== undefined && until <= now) return void ctx.res.end();
    const onEvent = (e: RuntimeEvent) => {
      if (wanted(e)) send({ ...e });
    };
    ctx.runtime.events.on("event", onEvent);
    try {
      await new Promise<void>((resolve) => {
        ctx.res.once("close", resolve);
        if (until !== undefined) setTimeout(resolve, (until - now) / 1e6).unref();
      });
    } finally {
      ctx.runtime.events.off("event", onEvent);
    }
    ctx.res.end();
  }],
  ["GET", /^\/info$/, async (ctx) => {
    const records = ctx.runtime.list(true);
    const running = records.filter((r) => r.state.status === "running");
    json(ctx, 200, {
      Containers: records.length, ContainersRunning: running.filter((r) => !r.state.paused).length,
      ContainersPaused: running.filter((r) => r.state.paused).length, ContainersStopped: records.length - running.length,
      Images: (await ctx.store.listImages()).length, ServerVersion: WASMBOX_VERSION, Pid: process.pid, NodeVersion: process.version,
      Engine: ctx.runtime.kernel.engineKind, Syscalls: ctx.runtime.kernel.syscalls.length, StorageDriver: "overlay (image layers shared, upper layer in memory)",
      LoggingDriver: "local", NCPU: availableParallelism(), MemTotal: totalmem(), RootDir: ctx.home, Name: hostname(),
      OperatingSystem: "wasmbox", OSType: "wasi", Architecture: "wasm32",
    });
  }],
  ["GET", /^\/version$/, async (ctx) => json(ctx, 200, { Version: WASMBOX_VERSION, ApiVersion: "1", NodeVersion: process.version, Engine: ctx.runtime.kernel.engineKind, Os: process.platform, Arch: process.arch, Pid: process.pid })],
  ["POST", /^\/containers\/([^/]+)\/wait$/, async (ctx) => json(ctx, 200, { StatusCode: await ctx.runtime.wait(ctx.params[0]!) })],
  ["DELETE", /^\/containers\/([^/]+)$/, async (ctx) => {
    const record = await ctx.runtime.remove(ctx.params[0]!, flag(ctx.query, "force"));
    json(ctx, 200, { Id: record.spec.id });
  }],
  ["GET", /^\/containers\/([^/]+)\/json$/, async (ctx) => {
    const record = ctx.runtime.find(ctx.params[0]!);
    json(ctx, 200, { ...inspectOf(record), NetworkSettings: networkSettingsOf(ctx.runtime, record) });
  }],
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
    const sinceNs = sinceParam(ctx.query);
    const tailText = ctx.query.get("tail");
    if (tailText !== null && tailText !== "all" && !/^\d+$/.test(tailText)) throw new RuntimeError(`tail=${tailText}: expected a number of lines or "all"`);
    const tail = tailText === null || tailText === "all" ? undefined : Number(tailText);
    const follow = flag(ctx.query, "follow") && record.live ? followLog(ctx.runtime, record) : undefined;
    ctx.res.writeHead(200, { "content-type": "application/x-ndjson" });
    try {
      // Read from disk and sent as the client takes it: the daemon holds one chunk at a time.
      await ctx.files.streamLogs(record.spec.id, (chunk) => sendFrame(ctx.res, { stream: chunk.stream, data: b64(chunk.data), time: isoNs(chunk.timeNs) }), {
        sinceNs, tail, follow, stop: () => ctx.res.destroyed,
      });
    } finally {
      follow?.close();
    }
    ctx.res.end();
  }],
  ["POST", /^\/containers\/([^/]+)\/exec$/, async (ctx) => {
    const argv = stringsParam(ctx.query, "cmd");
    const env = stringsParam(ctx.query, "env");
    const tty = flag(ctx.query, "tty");
    const terminalSize = windowSizeParam(ctx.query);
    const execId = ctx.query.get("id");
    ctx.runtime.find(ctx.params[0]!);
    const send = ndjson(ctx);
    let proc: Process | undefined;
    if (tty && execId) ctx.execTerminals.set(execId, (size) => proc?.ctty?.resize(size));
    const code = await ctx.runtime.exec(ctx.params[0]!, argv, {
      env, workdir: ctx.query.get("workdir") ?? undefined, user: ctx.query.get("user") || undefined, tty, terminalSize,
      stdin: flag(ctx.query, "stdin") ? ctx.req : null, onStart: (p) => (proc = p),
      onStdout: (c) => send({ stream: "stdout", data: b64(c) }), onStderr: (c) => send({ stream: "stderr", data: b64(c) }),
    }).catch((e: Error) => {
      send({ stream: "stderr", data: b64(Buffer.from(`wasmbox: ${e.message}\n`)) });
      return 126;
    }).finally(() => {
      if (execId) ctx.execTerminals.delete(execId);
    });
    send({ exit: code });
    ctx.res.end();
  }],
  ["POST", /^\/containers\/([^/]+)\/resize$/, async (ctx) => {
    // docker's container resize (?h=ROWS&w=COLS), as `attach` sends it: pid 1's terminal (a VM's console) gets the window.
    const record = ctx.runtime.find(ctx.params[0]!);
    const size = windowSizeParam(ctx.query);
    if (!size) throw new RuntimeError("resize needs ?h=ROWS&w=COLS");
    if (!record.live) throw new RuntimeError(`Container ${record.spec.id.slice(0, 12)} is not running`, 409);
    record.live.resize(size);
    json(ctx, 200, {});
  }],
  ["POST", /^\/exec\/([^/]+)\/resize$/, async (ctx) => {
    // docker's exec resize (?h=ROWS&w=COLS): the terminal's foreground group gets SIGWINCH.
    const resize = ctx.execTerminals.get(ctx.params[0]!);
    if (!resize) throw new RuntimeError(`No such exec instance: ${ctx.params[0]} (not running with a terminal)`, 404);
    const size = windowSizeParam(ctx.query);
    if (!size) throw new RuntimeError("resize needs ?h=ROWS&w=COLS");
    resize(size);
    json(ctx, 200, {});
  }],
  // The image calls that depend on the containers (rmi, image prune, system df): the daemon knows which ones exist.
  ["DELETE", /^\/images\/(.+)$/, async (ctx) => json(ctx, 200, await removeImage(ctx.runtime, ctx.store, ctx.params[0]!, flag(ctx.query, "force")))],
  ["POST", /^\/images\/prune$/, async (ctx) => {
    json(ctx, 200, await pruneImages(ctx.runtime, ctx.store, { all: pruneAll(ctx.query.get("filters")), buildCache: flag(ctx.query, "buildcache") }));
  }],
  ["GET", /^\/system\/df$/, async (ctx) => json(ctx, 200, await diskUsage(ctx.runtime, ctx.store, ctx.files))],
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
    const tar = await body(ctx.req, MAX_ARCHIVE_BODY);
    const entries = await decodeLayer(tar).catch((e: Error) => {
      throw new RuntimeError(`the request body is not a tar archive: ${e.message}`);
    });
    await ctx.runtime.copyIn(ctx.params[0]!, ctx.query.get("path") ?? "/", entries, ctx.query.get("name") ?? "");
    json(ctx, 200, { ok: true });
  }],
];

/** docker's image prune filter `{"dangling": ["false"]}`: every unused image, not only dangling ones. Any other filter is refused with 400. */
function pruneAll(filtersText: string | null): boolean {
  if (!filtersText) return false;
  let filters: unknown;
  try {
    filters = JSON.parse(filtersText);
  } catch {
    throw new RuntimeError(`filters=${filtersText}: not JSON`);
  }
  if (!isObject(filters)) throw new RuntimeError("filters must be a JSON object of lists");
  for (const [key, values] of Object.entries(filters)) {
    if (key !== "dangling") throw new RuntimeError(`invalid filter '${key}' (image prune knows: dangling)`);
    if (!isStrings(values) || values.some((v) => !["true", "false", "1", "0"].includes(v))) throw new RuntimeError(`filter dangling must be a list of "true" or "false"`);
  }
  const dangling = (filters.dangling ?? []) as string[];
  return dangling.some((v) => v === "false" || v === "0");
}

function formatCpu(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 3600)).padStart(2, "0")}:${String(Math.floor(s / 60) % 60).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

/** The route of a request and its decoded parameters: 400 for a malformed URL or escape, 404 for no route. */
function routeOf(req: IncomingMessage): { route: Handler; url: URL; params: string[] } {
  let url: URL;
  try {
    url = new URL(req.url ?? "/", "http://wasmbox");
  } catch {
    throw new RuntimeError(`malformed request URL: ${JSON.stringify(req.url)}`);
  }
  const found = ROUTES.find(([method, pattern]) => method === req.method && pattern.test(url.pathname));
  if (!found) throw new RuntimeError(`no route for ${req.method} ${url.pathname}`, 404);
  const params = found[1].exec(url.pathname)!.slice(1).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      throw new RuntimeError(`malformed %-escape in ${JSON.stringify(p)}`);
    }
  });
  return { route: found[2], url, params };
}

/** What serves the API: a runtime and its stores, where failures are logged, what a client's /shutdown does. */
export interface ApiContext {
  runtime: ContainerRuntime;
  home: string;
  store: ImageStore;
  files: ContainerFiles;
  log: (line: string) => void;
  shutdown: () => void;
  /**
   * Pass the requests about a container that another wasmbox process runs in the foreground to that
   * process (the daemon does; that process's own server does not): see containers/foreground.ts.
   */
  forwardForeground: boolean;
}

/** The API's request handler over a runtime: every request is parsed and answered inside one error boundary (no request can end the server). */
export function apiHandler(api: ApiContext): (req: IncomingMessage, res: ServerResponse) => void {
  const { runtime, store, files, log } = api;
  const history: RuntimeEvent[] = [];
  const execTerminals = new Map<string, (size: WindowSize) => void>();
  runtime.events.on("event", (e: RuntimeEvent) => {
    history.push(e);
    if (history.length > EVENT_HISTORY) history.shift();
  });
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    res.on("error", () => undefined);
    req.on("error", () => undefined);
    let what = `${req.method} ${req.url}`;
    try {
      const { route, url, params } = routeOf(req);
      what = `${req.method} ${url.pathname}`;
      const ctx: Ctx = { runtime, history, execTerminals, home: api.home, store, files, req, res, query: url.searchParams, params, shutdown: api.shutdown };
      await runtime.refresh();
      if (api.forwardForeground && url.pathname.startsWith("/containers/") && params.length > 0) {
        const owner = await foregroundOwner(runtime, files, api.home, params[0]!);
        if (owner) return await forwardRequest(req, res, owner);
      }
      await route(ctx);
    } catch (e) {
      const status = e instanceof RuntimeError ? e.status : e instanceof SpecError || e instanceof ImageError ? 400 : 500;
      if (status === 500) log(`wasmbox daemon: ${what}: ${(e as Error).stack ?? e}`);
      if (res.headersSent) res.end();
      else {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: (e as Error).message ?? String(e) }) + "\n");
      }
    }
  };
  return (req, res) => void serve(req, res);
}

/** Starts a daemon on `$home/daemon.sock` (replacing a stale socket file). */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  // The home is 0700 before the socket is made in it, so there is no moment when another user
  // could connect; the socket itself is then made 0600.
  await privateDir(options.home);
  await chmod(join(options.home, "daemon.log"), PRIVATE_FILE).catch(() => undefined);
  const store = await ImageStore.open(options.home, { shippedHome: shippedImagesHome(process.env) });
  const files = await ContainerFiles.open(options.home);
  const kernel = new Kernel({ engine: options.engine ?? "auto", log, componentCacheDir: join(options.home, "components") });
  const runtime = new ContainerRuntime({ kernel, images: storeImageSource(store), files, restartPolicies: true });
  restoreNetworks(runtime);
  await runtime.refresh();
  const socketPath = daemonSocketPath(options.home);
  let requestShutdown!: () => void;
  const closed = new Promise<void>((resolve) => (requestShutdown = resolve));
  const server: Server = createServer(apiHandler({ runtime, home: options.home, store, files, log, shutdown: () => requestShutdown(), forwardForeground: true }));
  server.on("clientError", (_e, socket) => {
    // Unparsable HTTP: answer 400 when the socket can still take it, as node's default does.
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    else socket.destroy();
  });
  if (existsSync(socketPath)) {
    if (await new DaemonClient(socketPath).ping()) throw new RuntimeError(`a wasmbox daemon already serves ${socketPath}`, 409);
    await rm(socketPath, { force: true });
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  await chmod(socketPath, PRIVATE_FILE);
  await writeFile(join(options.home, "daemon.pid"), String(process.pid) + "\n", { mode: PRIVATE_FILE });
  await runtime.restartAtBoot();
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
