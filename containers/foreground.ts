// containers/: a container that `wasmbox run` runs in the foreground, on the CLI's own kernel, made
// reachable as a daemon's are: the CLI serves the same API for it on `$home/run/ID.sock`, and the
// daemon passes the requests about that container (exec, stop, kill, attach, stats, top, rm -f...)
// on to it, so another terminal sees and drives it as docker's would.
import { existsSync } from "node:fs";
import { chmod, rm } from "node:fs/promises";
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import type { ImageStore } from "../images/store.js";
import { apiHandler } from "./daemon.js";
import { privateDir, PRIVATE_FILE, type ContainerFiles } from "./files.js";
import type { ContainerRuntime } from "./runtime.js";

/** How long a foreground run's end waits for the requests still being answered (a stop's answer, an exec's last output). */
const CLOSE_GRACE_MS = 2000;

/** The socket where the process running container `id` in the foreground serves it (named by the id's first 12 digits: a socket path is short). */
export function foregroundSocketPath(home: string, id: string): string {
  return join(home, "run", `${id.slice(0, 12)}.sock`);
}

/** The socket of the live process that runs container `ref` in the foreground; undefined when it runs here, not at all, or unreachably. */
export async function foregroundOwner(runtime: ContainerRuntime, files: ContainerFiles, home: string, ref: string): Promise<string | undefined> {
  let id: string;
  try {
    const record = runtime.find(ref);
    if (record.live || record.state.status !== "running") return undefined;
    id = record.spec.id;
  } catch {
    return undefined; // the route answers 404 or 409 itself
  }
  const state = (await files.load(id))?.state;
  if (!state || state.status !== "running" || state.pid === undefined || !files.ownerAlive(state)) return undefined;
  const socket = foregroundSocketPath(home, id);
  return existsSync(socket) ? socket : undefined;
}

/** Passes a request to the server on `socketPath` and its answer back, both streamed (attach, exec, logs -f). */
export function forwardRequest(req: IncomingMessage, res: ServerResponse, socketPath: string): Promise<void> {
  return new Promise((resolve) => {
    const onward = request({ socketPath, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.once("end", () => resolve());
      answer.once("error", () => resolve());
    });
    onward.on("error", (e) => {
      if (!res.headersSent) {
        res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: `the wasmbox process that runs this container did not answer: ${e.message}` }) + "\n");
      } else res.end();
      resolve();
    });
    // The client leaving (a detach) ends the request onward too.
    res.once("close", () => {
      onward.destroy();
      resolve();
    });
    req.pipe(onward);
  });
}

/** The API of a foreground run's runtime, served on this process's socket until close(). */
export interface ForegroundServer {
  close(): Promise<void>;
}

/**
 * Serves the API for the runtime of a foreground run of container `id` on `$home/run/ID.sock` (0600
 * in a 0700 folder), so that the daemon can pass requests about it on. Ready when this resolves.
 */
export async function serveForeground(id: string, runtime: ContainerRuntime, files: ContainerFiles, store: ImageStore, home: string, log: (line: string) => void): Promise<ForegroundServer> {
  const path = foregroundSocketPath(home, id);
  await privateDir(join(home, "run"));
  await rm(path, { force: true });
  const server = createServer(apiHandler({ runtime, home, store, files, log, shutdown: () => undefined, forwardForeground: false }));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, PRIVATE_FILE);
  server.unref();
  return {
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await closed;
      clearTimeout(grace);
      await rm(path, { force: true });
    },
  };
}

/** The host terminal of a foreground run, as the CLI sees it: its stdin's mode and its window. */
export interface HostScreen {
  setRaw(raw: boolean): void;
  size(): { rows: number; cols: number } | undefined;
  onResize(listener: () => void): () => void;
}

/**
 * For a foreground VM with a terminal: the host terminal passes every key to the guest's own
 * terminal (raw mode: its line discipline echoes, edits and turns ^C into SIGINT) and its window,
 * now and at each change. A container's terminal is the CLI kernel's, which does this itself.
 * Returns what undoes it.
 */
export function relayScreenToVm(runtime: ContainerRuntime, id: string, screen: HostScreen): () => void {
  screen.setRaw(true);
  const stop = screen.onResize(() => {
    const size = screen.size();
    const live = runtime.find(id).live;
    if (size && live) live.resize(size);
  });
  return () => {
    stop();
    screen.setRaw(false);
  };
}
