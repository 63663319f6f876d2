// images/registry: HTTP to one registry (OCI distribution spec): picks https or, for loopback hosts and
// --tls-verify=false, plain http; answers 401 challenges (Bearer token from the realm, or Basic); follows redirects.
import type { Agent as HttpAgent, ClientRequest, IncomingHttpHeaders, IncomingMessage, RequestOptions } from "node:http";
import { isIP } from "node:net";
import { Readable } from "node:stream";
import { ImageError } from "../errors.js";
import { DOCKER_HUB } from "../reference.js";
import { plainHttpGet, type BlobBody } from "./blob-body.js";

// node:http and node:https are loaded on first use (process.getBuiltinModule), not imported: on Node 26 the ESM facade of node:http reads
// every export, and its lazy WebSocket getters load undici (about 100 ms of every pull and push); node:https loads
// node:tls (and with it NODE_EXTRA_CA_CERTS, 6-20 ms); and a pull from a loopback registry over plain HTTP, read
// by blob-body.ts's own GET, needs neither (node:http alone costs about 4 ms to load).
/** An agent (kept-alive connections) and the request function of node:http or node:https. */
interface HttpClient {
  agent: HttpAgent;
  request: (url: URL, options: RequestOptions) => ClientRequest;
}

/** A problem reported by (or reaching) a registry; the message names the registry. */
export class RegistryError extends ImageError {
  constructor(readonly registry: string, message: string, readonly status = 0, readonly code = "") {
    super(`registry ${registry}: ${message}`);
  }
}

/** A user name and password (or identity token) for one registry. */
export interface Credentials {
  username: string;
  password: string;
}

/** How to reach a registry. */
export interface RegistryConnectionOptions {
  /** false: accept any certificate and allow plain HTTP (podman's --tls-verify=false). Default true. */
  tlsVerify?: boolean;
  credentials?: Credentials;
  /** Idle time after which a request is abandoned, in ms (default 60 s). */
  timeoutMs?: number;
}

/** A request to the registry's API; `body` is a factory so the request can be re-sent after a 401. */
export interface RegistryRequest {
  method: "GET" | "HEAD" | "PUT" | "POST" | "PATCH" | "DELETE";
  /** Path and query (`/v2/...`), or an absolute URL the registry gave (upload Location, redirect). */
  path: string;
  headers?: Record<string, string>;
  body?: () => Buffer | Readable;
  /** Token scopes the request needs, e.g. `repository:team/app:pull`. */
  scopes?: string[];
}

/** A response whose body is still a stream (read it, or call `discard`). */
export interface RegistryResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  url: URL;
}

const MAX_REDIRECTS = 5;
const USER_AGENT = "wasmbox/0.1.0";
const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_ERROR_BODY = 64 * 1024;

/** True for localhost and loopback addresses, where docker allows plain HTTP. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

/** Reads a whole response body, refusing more than `limit` bytes. */
export async function readBody(response: IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > limit) {
      response.destroy();
      throw new ImageError(`${what} is larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Drains a response body that is not needed (keeps the connection reusable). */
export function discard(response: RegistryResponse): void {
  response.body.resume();
}

/** Parses `Bearer realm="...",service="...",scope="..."` (or `Basic realm=...`). */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(" ");
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  const pattern = /([a-zA-Z_]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const match of (space < 0 ? "" : header.slice(space + 1)).matchAll(pattern)) {
    params[match[1]!.toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : match[3]!;
  }
  return { scheme, params };
}

/** The API client's view of one registry: scheme, agents, tokens per scope set. One per command run. */
export class RegistryHttp {
  readonly apiHost: string;
  private scheme: Promise<"https" | "http"> | undefined;
  private readonly tokens = new Map<string, string>();
  private useBasic = false;
  /** node:http's and node:https's, each made by its first request. */
  private readonly clients = new Map<"http:" | "https:", HttpClient>();

  constructor(readonly registry: string, private readonly options: RegistryConnectionOptions = {}) {
    this.apiHost = registry === DOCKER_HUB ? "registry-1.docker.io" : registry;
  }

  /** Closes idle connections. */
  close(): void {
    for (const client of this.clients.values()) client.agent.destroy();
  }

  private client(protocol: "http:" | "https:"): HttpClient {
    let client = this.clients.get(protocol);
    if (!client) {
      if (protocol === "https:") {
        const { Agent, request } = process.getBuiltinModule("node:https");
        const insecure = this.options.tlsVerify === false || isLoopbackRegistry(this.registry);
        client = { agent: new Agent({ keepAlive: true, maxSockets: 8, rejectUnauthorized: !insecure }), request };
      } else {
        const { Agent, request } = process.getBuiltinModule("node:http");
        client = { agent: new Agent({ keepAlive: true, maxSockets: 8 }), request };
      }
      this.clients.set(protocol, client);
    }
    return client;
  }

  /** The base URL of the API, `https://host` or (loopback, --tls-verify=false, when https fails) `http://host`. */
  async baseUrl(): Promise<URL> {
    this.scheme ??= this.detectScheme();
    return new URL(`${await this.scheme}://${this.apiHost}`);
  }

  /**
   * https, except: a loopback registry is asked over plain HTTP first (the probe is the `GET /v2/` a client
   * sends anyway, on a connection kept for what follows) and switched to https when it answers as a TLS server;
   * with --tls-verify=false elsewhere, https is tried first and plain HTTP is the fallback, as podman does.
   */
  private async detectScheme(): Promise<"https" | "http"> {
    if (isLoopbackRegistry(this.registry)) {
      // The common answer, a 200 over plain HTTP, is read by the reused-buffer GET (node:http's client stays unused).
      const plain = await plainHttpGet(new URL(`http://${this.apiHost}/v2/`), { "user-agent": USER_AGENT }, this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS).catch(() => undefined);
      if (plain) {
        plain.close();
        return "http";
      }
      try {
        const response = await this.send("GET", new URL(`http://${this.apiHost}/v2/`), {});
        const body = await readBody(response.body, MAX_ERROR_BODY, "GET /v2/");
        return response.status === 400 && /https/i.test(body.toString("utf8")) ? "https" : "http";
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN") throw this.networkError(error);
        return "https";
      }
    }
    if (this.options.tlsVerify !== false) return "https";
    try {
      const response = await this.send("GET", new URL(`https://${this.apiHost}/v2/`), {});
      response.body.resume();
      return "https";
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN") throw this.networkError(error);
      return "http";
    }
  }

  /** Sends a request, answering auth challenges and following redirects. Non-2xx statuses are returned, not thrown. */
  async request(request: RegistryRequest): Promise<RegistryResponse> {
    let url = new URL(request.path, await this.baseUrl());
    let authorized = false;
    for (let redirects = 0; ; ) {
      const sameHost = url.host === this.apiHost;
      const headers: Record<string, string> = { ...request.headers };
      const auth = sameHost ? this.authorization(request.scopes ?? []) : undefined;
      if (auth) headers.authorization = auth;
      const response = await this.send(request.method, url, headers, request.body?.()).catch((error: unknown) => {
        throw this.networkError(error);
      });
      if (response.status === 401 && sameHost && !authorized) {
        response.body.resume();
        await this.answerChallenge(String(response.headers["www-authenticate"] ?? ""), request.scopes ?? []);
        authorized = true;
        continue;
      }
      if ([301, 302, 303, 307, 308].includes(response.status) && response.headers.location && redirects < MAX_REDIRECTS) {
        response.body.resume();
        url = new URL(response.headers.location, url);
        redirects++;
        continue;
      }
      return { ...response, url };
    }
  }

  /**
   * A GET over plain HTTP read by plainHttpGet (its socket reads into one reused buffer: no buffer per read), when
   * the registry speaks plain HTTP and answers 200 or 206 with a Content-Length. Undefined otherwise (https, or a
   * redirect, challenge, error or chunked answer: the connection is dropped), so the caller asks through request().
   */
  async plainGet(request: RegistryRequest): Promise<BlobBody | undefined> {
    const url = new URL(request.path, await this.baseUrl());
    if (url.protocol !== "http:" || url.host !== this.apiHost) return undefined;
    const headers: Record<string, string> = { "user-agent": USER_AGENT, ...request.headers };
    const auth = this.authorization(request.scopes ?? []);
    if (auth) headers.authorization = auth;
    return plainHttpGet(url, headers, this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS).catch((error: unknown) => {
      throw this.networkError(error);
    });
  }

  /** Like request, but a status outside `expected` becomes a RegistryError carrying the registry's error text. */
  async expect(request: RegistryRequest, expected: number[], what: string): Promise<RegistryResponse> {
    const response = await this.request(request);
    if (expected.includes(response.status)) return response;
    throw await this.errorOf(response, what);
  }

  /** A RegistryError from an unexpected response: the spec's `{"errors":[{code,message}]}` when there is one. */
  async errorOf(response: RegistryResponse, what: string): Promise<RegistryError> {
    const text = await readBody(response.body, MAX_ERROR_BODY, "error body").then((b) => b.toString("utf8"), () => "");
    let detail = text.trim().split("\n")[0] ?? "";
    let code = "";
    try {
      const parsed = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
      const first = parsed.errors?.[0];
      if (first) {
        code = first.code ?? "";
        detail = [first.code?.toLowerCase().replace(/_/g, " "), first.message].filter(Boolean).join(": ");
      }
    } catch {
      // Not JSON: keep the first line of the text.
    }
    if (response.status === 401) detail += ` (log in with: wasmbox login ${this.registry})`;
    return new RegistryError(this.registry, `${what}: HTTP ${response.status}${detail ? " " + detail : ""}`, response.status, code);
  }

  private authorization(scopes: string[]): string | undefined {
    const token = this.tokens.get(scopeKey(scopes)) ?? this.tokens.get("");
    if (token) return `Bearer ${token}`;
    const credentials = this.options.credentials;
    if (this.useBasic && credentials) return basicAuth(credentials);
    return undefined;
  }

  private async answerChallenge(header: string, scopes: string[]): Promise<void> {
    const { scheme, params } = parseChallenge(header);
    if (scheme === "basic") {
      if (!this.options.credentials) throw new RegistryError(this.registry, `authentication required (log in with: wasmbox login ${this.registry})`, 401);
      this.useBasic = true;
      return;
    }
    if (scheme !== "bearer" || !params.realm) throw new RegistryError(this.registry, `unsupported authentication challenge "${header}"`, 401);
    const realm = new URL(params.realm);
    if (params.service) realm.searchParams.set("service", params.service);
    const wanted = new Set(scopes);
    if (params.scope) for (const scope of params.scope.split(" ")) wanted.add(scope);
    for (const scope of wanted) realm.searchParams.append("scope", scope);
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.options.credentials) headers.authorization = basicAuth(this.options.credentials);
    const response = await this.send("GET", realm, headers).catch((error: unknown) => {
      throw new RegistryError(this.registry, `token server ${realm.origin}: ${(error as Error).message}`);
    });
    const body = await readBody(response.body, MAX_ERROR_BODY, "token response");
    if (response.status === 401 || response.status === 403) {
      throw new RegistryError(this.registry, `unauthorized: the token server ${realm.origin} refused ${this.options.credentials ? "the credentials" : "anonymous access"} (HTTP ${response.status})`, 401);
    }
    if (response.status !== 200) throw new RegistryError(this.registry, `token server ${realm.origin} answered HTTP ${response.status}`);
    let token: string | undefined;
    try {
      const parsed = JSON.parse(body.toString("utf8")) as { token?: string; access_token?: string };
      token = parsed.token ?? parsed.access_token;
    } catch {
      token = undefined;
    }
    if (!token) throw new RegistryError(this.registry, `token server ${realm.origin} sent no token`);
    this.tokens.set(scopeKey(scopes), token);
  }

  private networkError(error: unknown): Error {
    if (error instanceof ImageError) return error;
    const e = error as NodeJS.ErrnoException;
    const why = e.code === "ECONNREFUSED" ? "connection refused (is the registry running?)" : e.code === "ECONNRESET" ? "connection reset" : e.message;
    return new RegistryError(this.registry, why);
  }

  private send(method: string, url: URL, headers: Record<string, string>, body?: Buffer | Readable): Promise<{ status: number; headers: IncomingHttpHeaders; body: IncomingMessage }> {
    return new Promise((resolve, reject) => {
      const allHeaders: Record<string, string> = { "user-agent": USER_AGENT, ...headers };
      if (Buffer.isBuffer(body)) allHeaders["content-length"] = String(body.byteLength);
      else if (body === undefined && (method === "PUT" || method === "POST" || method === "PATCH")) allHeaders["content-length"] = "0";
      const client = this.client(url.protocol === "https:" ? "https:" : "http:");
      const request = client.request(url, { method, headers: allHeaders, agent: client.agent });
      const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      request.setTimeout(timeoutMs, () => request.destroy(Object.assign(new Error(`no answer for ${timeoutMs} ms`), { code: "ETIMEDOUT" })));
      request.once("error", reject);
      request.once("response", (response) => {
        response.once("error", () => undefined);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: response });
      });
      if (body === undefined) request.end();
      else if (Buffer.isBuffer(body)) request.end(body);
      else {
        body.once("error", (error) => request.destroy(error));
        body.pipe(request);
      }
    });
  }
}

function basicAuth(credentials: Credentials): string {
  return "Basic " + Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
}

function scopeKey(scopes: string[]): string {
  return [...scopes].sort().join(" ");
}
