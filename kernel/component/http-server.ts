// Serving HTTP with a wasi:http/incoming-handler component (wasmtime serve, jco serve): a node:http
// server queues requests; the component's process serves each as a task of its own, in a fresh instance.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { TcpSocket } from "../net/tcp.js";
import { RIGHTS_SOCKET } from "../net/socket.js";
import { KernelSocketStream, retryUntilDone } from "./host-streams.js";
import type { Kernel } from "../kernel.js";
import type { Process } from "../proc/process.js";
import { ProcKilled } from "../proc/wait.js";
import { HostContext } from "./host-context.js";
import type { LoadedComponent } from "./loader.js";
import { IncomingRequest, ResponseOutparam, sendBody, type ErrorCode, type OutgoingResponse, type Scheme } from "./wasi-http.js";
import { wasiImports } from "./wasi-imports.js";

/** One request waiting for the component. */
interface PendingRequest {
  req: http.IncomingMessage;
  res: http.ServerResponse;
}

/** The statuses wasmtime serve gives a failed exchange. */
const INTERNAL_ERROR = 500;

/**
 * A listening HTTP server whose requests a component process serves (ComponentProgram.serve).
 * `listen()` binds it; the process takes requests with `take()` and `arrival()`.
 */
export class ComponentHttpServer {
  private readonly server: http.Server;
  private readonly queue: PendingRequest[] = [];
  private waiters: Array<() => void> = [];
  private closed = false;
  readonly scheme: Scheme = { tag: "HTTP" };

  constructor() {
    this.server = http.createServer((req, res) => {
      if (this.closed) {
        res.writeHead(503).end();
        return;
      }
      // Node answers "Expect: 100-continue" itself only when there is no 'checkContinue' listener.
      this.queue.push({ req, res });
      this.wake();
    });
    this.server.keepAliveTimeout = 5000;
  }

  /** Takes a connection from elsewhere than its own listener (a kernel socket's stream). */
  acceptConnection(stream: Duplex): void {
    this.server.emit("connection", stream);
  }

  /** Binds host:port (port 0: any free one); resolves to the address bound, rejects naming a taken or bad address. */
  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once("error", onError);
      this.server.listen(port, host, () => {
        this.server.off("error", onError);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** The next queued request, if any. */
  take(): PendingRequest | undefined {
    return this.queue.shift();
  }

  /** Settles when a request arrives or the server closes. */
  arrival(): Promise<void> {
    if (this.queue.length > 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Stops listening; requests still queued get 503. */
  close(): Promise<void> {
    this.closed = true;
    for (const { res } of this.queue.splice(0)) res.writeHead(503).end();
    this.wake();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** Sends a plain-text error response, or cuts the connection when the head already went. */
function failResponse(res: http.ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Sends what the component set: its status, headers and body (streamed as it writes it). */
function sendResponse(res: http.ServerResponse, result: { tag: "ok"; val: OutgoingResponse } | { tag: "err"; val: ErrorCode }): void {
  if (result.tag === "err") {
    failResponse(res, INTERNAL_ERROR, `the component answered with an error: ${result.val.tag}\n`);
    return;
  }
  const response = result.val;
  response.fields.immutable = true;
  res.writeHead(response.status, response.fields.toRaw());
  if (!response.bodyHandle) {
    res.end();
    return;
  }
  sendBody(response.bodyStream, response.bodyHandle, res);
}

/** The component's wasi:http/incoming-handler.handle export. */
function handleExport(exports: Record<string, unknown>): ((request: IncomingRequest, out: ResponseOutparam) => unknown) | undefined {
  for (const [key, value] of Object.entries(exports)) {
    if (!key.startsWith("wasi:http/incoming-handler@") || typeof value !== "object" || value === null) continue;
    const handle: unknown = Reflect.get(value, "handle");
    if (typeof handle === "function") return handle as (request: IncomingRequest, out: ResponseOutparam) => unknown;
  }
  return undefined;
}

/** Whether a component exports wasi:http/incoming-handler (what `serve` needs). */
export function exportsIncomingHandler(component: LoadedComponent): boolean {
  return component.exports.some(([name]) => name.startsWith("wasi:http/incoming-handler@"));
}

/** Writes a line to the process's stderr (or the kernel log). */
export type ServeLog = (text: string) => void;

/**
 * Serves requests until the server closes or the process is killed, each one as a task of its own
 * (as wasmtime serve does): `handle` on a fresh instance, so a handler that waits (for its request
 * body, a timer, an outgoing request) lets the others go on. A trap or a missing response is a 500
 * and the others go on. Fds a request leaves open (bodies it did not finish) are closed after it.
 * Once the server closes, the requests under way finish before it returns.
 */
export async function serveRequests(kernel: Kernel, proc: Process, component: LoadedComponent, server: ComponentHttpServer, log: ServeLog): Promise<void> {
  const underWay = new Set<Promise<void>>();
  let killed: ProcKilled | undefined;
  for (;;) {
    if (killed) throw killed;
    const pending = server.take();
    if (!pending) {
      if (server.isClosed) break;
      await proc.sleep(server.arrival());
      continue;
    }
    const task = serveOne(kernel, proc, component, server, pending, log).catch((error: unknown) => {
      // A kill ends every request; the loop ends at its next turn (its own sleep is interrupted too).
      if (error instanceof ProcKilled) killed = error;
    });
    underWay.add(task);
    void task.finally(() => underWay.delete(task));
  }
  if (underWay.size > 0) await proc.sleep(Promise.all(underWay));
  if (killed) throw killed;
}

/**
 * One request on a fresh instance, as a task of the process: it waits for the CPU as a woken sleeper
 * does (the serve loop or another request may hold it), and gives it back when it ends.
 */
async function serveOne(kernel: Kernel, proc: Process, component: LoadedComponent, server: ComponentHttpServer, pending: PendingRequest, log: ServeLog): Promise<void> {
  const { req, res } = pending;
  const host = new HostContext(kernel, proc, component.suspends, component.name);
  const outparam = new ResponseOutparam((result) => sendResponse(res, result));
  await proc.host.scheduler.acquire(proc);
  try {
    if (proc.killSignal !== undefined) throw new ProcKilled(proc.killSignal);
    const exports = await component.instantiate((file) => component.cores.get(file)!, wasiImports(host), (module, imports) => new WebAssembly.Instance(module, imports));
    const handle = handleExport(exports);
    if (!handle) throw new Error("exports no wasi:http/incoming-handler");
    await handle(new IncomingRequest(host, req, server.scheme), outparam);
    if (!outparam.isSet) failResponse(res, INTERNAL_ERROR, "the component returned without setting a response\n");
  } catch (error) {
    if (error instanceof ProcKilled) {
      failResponse(res, INTERNAL_ERROR, "the server is stopping\n");
      throw error;
    }
    const message = error instanceof Error ? error.message : String(error);
    log(`${component.name}: ${req.method} ${req.url}: the handler failed: ${message}`);
    failResponse(res, INTERNAL_ERROR, "Internal Server Error\n");
  } finally {
    host.closeOpened();
    proc.host.scheduler.release(proc);
  }
}

/** The port a container's HTTP component listens on (wasmtime serve's default port). */
export const CONTAINER_HTTP_PORT = 8080;

/**
 * Listens on 0.0.0.0:`port` of the process's network namespace (a kernel socket in its fd table,
 * closed when it ends) and hands each connection to `server`: a container's -p publishes it.
 * Throws SysError (EADDRINUSE, ...) when the port cannot be had.
 */
export function listenInNamespace(kernel: Kernel, proc: Process, server: ComponentHttpServer, port = CONTAINER_HTTP_PORT): void {
  const listener = new TcpSocket(proc.container.net, 4, kernel.allocIno(), () => kernel.allocIno());
  try {
    listener.bind({ family: 4, ip: "0.0.0.0", port });
    listener.listen(511);
    proc.fds.add({ file: listener, rightsBase: RIGHTS_SOCKET, rightsInheriting: RIGHTS_SOCKET });
  } catch (e) {
    listener.release();
    throw e;
  }
  const accept = (): void => retryUntilDone(() => listener.accept(), (conn) => {
    if (!(conn instanceof TcpSocket)) return;
    server.acceptConnection(new KernelSocketStream(conn));
    accept();
  }, () => void server.close());
  accept();
}
