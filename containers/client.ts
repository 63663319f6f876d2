// containers/: the CLI's side of the daemon API (API.md): HTTP over the unix socket, JSON in and
// out, NDJSON streams for logs and exec; and starting the daemon on demand as a detached process.
import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The daemon's socket under a wasmbox home. */
export function daemonSocketPath(home: string): string {
  return join(home, "daemon.sock");
}

/** An error answer from the daemon (or no daemon at all: status 0). */
export class DaemonError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

/** What a request may carry. */
interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  body?: Uint8Array | NodeJS.ReadableStream;
}

/** A connection to one daemon. */
export class DaemonClient {
  constructor(readonly socketPath: string) {}

  /** Sends a request; resolves with the response once its head arrives (errors as DaemonError). */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<IncomingMessage> {
    const query = Object.entries(options.query ?? {}).filter(([, v]) => v !== undefined && v !== false).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join("&");
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest({ socketPath: this.socketPath, method, path: path + (query ? "?" + query : ""), headers: options.json !== undefined ? { "content-type": "application/json" } : {} }, resolve);
      req.on("error", (e) => reject(new DaemonError(`cannot reach the wasmbox daemon at ${this.socketPath}: ${e.message}`, 0)));
      if (options.json !== undefined) req.end(JSON.stringify(options.json));
      else if (options.body instanceof Uint8Array) req.end(options.body);
      else if (options.body) {
        // The head goes now: a body typed later (stdin) must not leave a reused keep-alive socket idle until it times out ("socket hang up").
        req.flushHeaders();
        options.body.pipe(req);
      } else req.end();
    });
    if (res.statusCode !== undefined && res.statusCode >= 400) {
      const text = (await readAll(res)).toString("utf8");
      let message = text;
      try {
        message = (JSON.parse(text) as { message: string }).message;
      } catch {
        // not JSON: keep the text
      }
      throw new DaemonError(message.trim(), res.statusCode);
    }
    return res;
  }

  /** A JSON request and its JSON answer. */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, options);
    const text = (await readAll(res)).toString("utf8");
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A binary answer (tar archives). */
  async bytes(method: string, path: string, options: RequestOptions = {}): Promise<Buffer> {
    return readAll(await this.request(method, path, options));
  }

  /** Reads an NDJSON stream, calling `frame` for each object. */
  async frames(res: IncomingMessage, frame: (value: Record<string, unknown>) => void): Promise<void> {
    let pending = "";
    for await (const chunk of res) {
      pending += (chunk as Buffer).toString("utf8");
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line) frame(JSON.parse(line) as Record<string, unknown>);
      }
    }
  }

  /** Whether a daemon answers. */
  async ping(): Promise<boolean> {
    return this.json("GET", "/_ping").then(() => true, () => false);
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The command that runs `wasmbox daemon`: WASMBOX_DAEMON_COMMAND (JSON argv), else this build's own bin. */
export function daemonCommand(env: Record<string, string | undefined>): string[] {
  if (env.WASMBOX_DAEMON_COMMAND) return JSON.parse(env.WASMBOX_DAEMON_COMMAND) as string[];
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".ts")) {
    const tsx = createRequire(import.meta.url).resolve("tsx");
    return [process.execPath, "--import", pathToFileURL(tsx).href, join(here, "../../cli/bin.ts"), "daemon"];
  }
  return [process.execPath, join(here, "../../cli/bin.js"), "daemon"];
}

/** Connects to the daemon of `home`, starting one (detached, logging to daemon.log) when none answers. */
export async function connectDaemon(home: string, env: Record<string, string | undefined>, start = true): Promise<DaemonClient> {
  const client = new DaemonClient(daemonSocketPath(home));
  if (await client.ping()) return client;
  if (!start) throw new DaemonError(`no wasmbox daemon is running for ${home}`, 0);
  const [command, ...args] = daemonCommand(env);
  const logFd = openSync(join(home, "daemon.log"), "a", 0o600);
  const child = spawn(command!, args, { detached: true, stdio: ["ignore", logFd, logFd], env: { ...process.env, ...env, WASMBOX_HOME: home } });
  child.unref();
  let exited = false;
  child.once("exit", () => (exited = true));
  // Another CLI may have started one at the same moment: ours then exits and theirs answers.
  for (let i = 0, afterExit = 0; i < 600 && afterExit < 20; i++) {
    if (await client.ping()) return client;
    if (exited) afterExit++;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new DaemonError(`the wasmbox daemon did not start (see ${join(home, "daemon.log")})`, 0);
}
