// images/registry: the body of a blob GET as the download loop reads it: from node:http, or (plain HTTP, the common
// case of a loopback registry) from a GET of its own whose socket reads into one reused buffer (no buffer per read).
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { Socket } from "node:net";

/** Bytes read from the socket at once (and the one buffer they are read into, per connection). */
const READ_BUFFER_BYTES = 1024 * 1024;
/** The most a response head may take. */
const MAX_HEAD_BYTES = 64 * 1024;

/**
 * A response body read chunk by chunk. A chunk is valid only during the `onChunk` call (the plain-HTTP reader reuses
 * its buffer): copy what must outlive it. `read` resolves once the whole body came, rejects when the connection fails.
 */
export interface BlobBody {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  read(onChunk: (chunk: Buffer) => void): Promise<void>;
  /** Drops the rest of the body (and its connection). */
  close(): void;
}

/** A node:http response as a BlobBody. */
export function incomingBody(response: { status: number; headers: IncomingHttpHeaders; body: IncomingMessage }): BlobBody {
  const body = response.body;
  return {
    status: response.status,
    headers: response.headers,
    read: (onChunk) => new Promise((resolve, reject) => {
      body.on("data", onChunk);
      body.once("end", () => resolve());
      body.once("error", reject);
      body.once("close", () => {
        if (!body.complete) reject(new Error("the connection closed early"));
      });
    }),
    close: () => {
      body.removeAllListeners("data");
      body.destroy();
    },
  };
}

/**
 * GET `url` (plain http:) with `headers` on a connection of its own (closed after the body). Resolves with the body
 * when the answer is a 200 or 206 framed by Content-Length; resolves undefined for any other answer (the connection is
 * closed: the caller asks again through node:http, which knows redirects, challenges and chunked bodies).
 */
export function plainHttpGet(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<BlobBody | undefined> {
  return new Promise((resolve, reject) => {
    let head: Buffer | undefined = Buffer.alloc(0);
    let body: PlainHttpBody | undefined;
    const socket: Socket = process.getBuiltinModule("node:net").connect({
      host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: Number(url.port || 80),
      onread: {
        buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
        callback: (bytesRead: number, buffer: Uint8Array) => {
          if (body) return body.deliver(Buffer.from(buffer.buffer, buffer.byteOffset, bytesRead));
          if (!head) return false;
          head = Buffer.concat([head, buffer.subarray(0, bytesRead)]);
          const end = head.indexOf("\r\n\r\n");
          if (end < 0) {
            if (head.byteLength > MAX_HEAD_BYTES) fail(new Error(`the response head is larger than ${MAX_HEAD_BYTES} bytes`));
            return true;
          }
          const parsed = parseHead(head.subarray(0, end).toString("latin1"));
          const rest = Buffer.from(head.subarray(end + 4));
          head = undefined;
          const length = Number(parsed?.headers["content-length"]);
          if (!parsed || (parsed.status !== 200 && parsed.status !== 206) || parsed.headers["transfer-encoding"] !== undefined || !Number.isSafeInteger(length) || length < 0) {
            socket.destroy();
            resolve(undefined);
            return false;
          }
          body = new PlainHttpBody(socket, parsed.status, parsed.headers, length, rest);
          socket.pause();
          resolve(body);
          return false;
        },
      },
    });
    const fail = (error: Error) => {
      socket.destroy();
      if (body) body.fail(error);
      else reject(error);
    };
    socket.setNoDelay(true);
    socket.setTimeout(timeoutMs, () => fail(Object.assign(new Error(`no answer for ${timeoutMs} ms`), { code: "ETIMEDOUT" })));
    socket.on("error", fail);
    // Closed before the whole answer: node:http's words (a reset, before the head; cut short, within the body).
    socket.once("close", () => fail(body ? new Error("the connection closed early") : Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })));
    const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, "connection: close"];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    socket.write(lines.join("\r\n") + "\r\n\r\n");
  });
}

/** The status line and headers (names lower-cased, repeated ones joined with ", "); undefined when not HTTP/1.x. */
function parseHead(text: string): { status: number; headers: IncomingHttpHeaders } | undefined {
  const [statusLine, ...lines] = text.split("\r\n");
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? "");
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(match[1]), headers };
}

/** A Content-Length body on a socket whose reads land in one reused buffer. */
class PlainHttpBody implements BlobBody {
  private left: number;
  private onChunk: ((chunk: Buffer) => void) | undefined;
  private settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private outcome: { error?: Error } | undefined;

  constructor(private readonly socket: Socket, readonly status: number, readonly headers: IncomingHttpHeaders, length: number, private first: Buffer | undefined) {
    this.left = length;
  }

  read(onChunk: (chunk: Buffer) => void): Promise<void> {
    this.onChunk = onChunk;
    const done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    const first = this.first;
    this.first = undefined;
    if (first && first.byteLength > 0) this.deliver(first);
    else if (this.left === 0) this.end();
    if (!this.outcome) this.socket.resume();
    else this.report();
    return done;
  }

  /** Hands the body bytes of one read to the reader; false pauses the socket (the body is complete or failed). */
  deliver(chunk: Buffer): boolean {
    if (this.outcome) return false;
    const part = chunk.byteLength > this.left ? chunk.subarray(0, this.left) : chunk;
    this.left -= part.byteLength;
    try {
      if (part.byteLength > 0) this.onChunk?.(part);
    } catch (error) {
      // Thrown within the socket's read callback it would be uncaught: the read rejects with it instead.
      this.socket.destroy();
      this.fail(error instanceof Error ? error : new Error(String(error)));
      return false;
    }
    if (this.left === 0) this.end();
    return !this.outcome;
  }

  fail(error: Error): void {
    if (this.outcome) return;
    this.outcome = { error };
    this.report();
  }

  close(): void {
    this.outcome ??= {};
    this.socket.destroy();
    this.report();
  }

  private end(): void {
    this.outcome ??= {};
    this.socket.destroy();
    this.report();
  }

  private report(): void {
    if (!this.settle || !this.outcome) return;
    const { resolve, reject } = this.settle;
    this.settle = undefined;
    if (this.outcome.error) reject(this.outcome.error);
    else resolve();
  }
}
