// wasi:http 0.2 (types, outgoing-handler) for components: fields, requests, responses and bodies as
// jco's resources; bodies are kernel pipes in the process's fd table, and an outgoing request goes
// through node's HTTP client over a kernel TCP socket (so the container's network decides where it may go).
import * as http from "node:http";
import { isIP } from "node:net";
import * as tls from "node:tls";
import { PassThrough, type Readable } from "node:stream";
import { Errno, SysError } from "../errno.js";
import { familyOf } from "../net/address.js";
import { TcpSocket } from "../net/tcp.js";
import type { HostContext } from "./host-context.js";
import { bodyFromHost, bodyToHost, KernelSocketStream, retryUntilDone } from "./host-streams.js";
import { closeOwnedFd, DISPOSE, InputStream, IoError, OutputStream, Pollable } from "./wasi-io.js";
import type { OpenFile } from "../vfs/open-file.js";

/** wasi:http's method variant as jco gives it. */
export type Method = { tag: "get" | "head" | "post" | "put" | "delete" | "connect" | "options" | "trace" | "patch" } | { tag: "other"; val: string };
/** wasi:http's scheme variant. */
export type Scheme = { tag: "HTTP" | "HTTPS" } | { tag: "other"; val: string };
/** wasi:http's error-code variant (the cases this host gives carry no payload or a string). */
export type ErrorCode = { tag: string; val?: unknown };
type HeaderError = { tag: "invalid-syntax" | "forbidden" | "immutable" };

const KNOWN_METHODS = new Set(["get", "head", "post", "put", "delete", "connect", "options", "trace", "patch"]);

/** A method from its name on the wire. */
export function methodOf(name: string): Method {
  const lower = name.toLowerCase();
  return KNOWN_METHODS.has(lower) ? ({ tag: lower } as Method) : { tag: "other", val: name };
}

/** A method's name on the wire. */
export function methodName(method: Method): string {
  return method.tag === "other" ? method.val : method.tag.toUpperCase();
}

/** An RFC 9110 token (a header name, a method). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers a component may not set: hop-by-hop ones that the host's HTTP layer manages (as wasmtime forbids them). */
const FORBIDDEN_HEADERS = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "http2-settings", "te"]);

function checkName(name: string): void {
  if (!TOKEN.test(name)) throw { tag: "invalid-syntax" } satisfies HeaderError;
  if (FORBIDDEN_HEADERS.has(name.toLowerCase())) throw { tag: "forbidden" } satisfies HeaderError;
}

function checkValue(value: Uint8Array): void {
  for (const byte of value) if (byte === 0x0a || byte === 0x0d || byte === 0) throw { tag: "invalid-syntax" } satisfies HeaderError;
}

/** wasi:http/types.fields: header or trailer entries, names compared without case; immutable once a request or response owns them. */
export class Fields {
  private list: Array<[string, Uint8Array]> = [];
  immutable = false;

  static fromList(entries: Array<[string, Uint8Array]>): Fields {
    const fields = new Fields();
    for (const [name, value] of entries) {
      checkName(name);
      checkValue(value);
      fields.list.push([name.toLowerCase(), value.slice()]);
    }
    return fields;
  }

  /** Fields from node's raw header list (name, value, name, value, ...), immutable. */
  static fromRaw(raw: string[]): Fields {
    const fields = new Fields();
    for (let i = 0; i + 1 < raw.length; i += 2) fields.list.push([raw[i]!.toLowerCase(), Buffer.from(raw[i + 1]!, "latin1")]);
    fields.immutable = true;
    return fields;
  }

  private mutable(): void {
    if (this.immutable) throw { tag: "immutable" } satisfies HeaderError;
  }

  get(name: string): Uint8Array[] {
    const key = name.toLowerCase();
    return this.list.filter(([n]) => n === key).map(([, v]) => v.slice());
  }

  has(name: string): boolean {
    const key = name.toLowerCase();
    return this.list.some(([n]) => n === key);
  }

  set(name: string, values: Uint8Array[]): void {
    this.mutable();
    checkName(name);
    values.forEach(checkValue);
    const key = name.toLowerCase();
    this.list = this.list.filter(([n]) => n !== key).concat(values.map((v): [string, Uint8Array] => [key, v.slice()]));
  }

  delete(name: string): void {
    this.mutable();
    checkName(name);
    const key = name.toLowerCase();
    this.list = this.list.filter(([n]) => n !== key);
  }

  append(name: string, value: Uint8Array): void {
    this.mutable();
    checkName(name);
    checkValue(value);
    this.list.push([name.toLowerCase(), value.slice()]);
  }

  entries(): Array<[string, Uint8Array]> {
    return this.list.map(([n, v]) => [n, v.slice()]);
  }

  clone(): Fields {
    const copy = new Fields();
    copy.list = this.entries();
    return copy;
  }

  /** The entries as node's HTTP layer takes them (name, value, name, value, ...). */
  toRaw(): string[] {
    return this.list.flatMap(([n, v]) => [n, Buffer.from(v).toString("latin1")]);
  }
}

/** A body the host feeds into the process (an incoming request's or response's). */
export class IncomingBody {
  private streamTaken = false;
  private readonly trailers: TrailersFromHost;

  constructor(private readonly host: HostContext, private readonly source: Readable) {
    this.trailers = new TrailersFromHost(source);
  }

  stream(): InputStream {
    if (this.streamTaken) throw undefined;
    this.streamTaken = true;
    return new InputStream(this.host, bodyFromHost(this.host, this.source), undefined, true);
  }

  static finish(body: IncomingBody): FutureTrailers {
    if (!body.streamTaken) body.source.resume();
    return new FutureTrailers(body.host, body.trailers);
  }
}

/** The trailers of a message from the host: node has them (rawTrailers) once the body has ended. */
class TrailersFromHost {
  private state: "body" | "ended" | "failed" = "body";
  readonly settled: Promise<void>;

  constructor(private readonly source: Readable) {
    this.settled = new Promise((resolve) => {
      source.once("end", () => {
        this.state = "ended";
        resolve();
      });
      source.once("close", () => {
        if (this.state === "body") this.state = (source as Partial<http.IncomingMessage>).complete === false ? "failed" : "ended";
        resolve();
      });
    });
  }

  get ready(): boolean {
    return this.state !== "body";
  }

  /** result<option<trailers>, error-code> once the body has ended. */
  value(): { tag: "ok"; val: Fields | undefined } | { tag: "err"; val: ErrorCode } {
    if (this.state === "failed") return { tag: "err", val: { tag: "connection-terminated" } };
    const raw = (this.source as Partial<http.IncomingMessage>).rawTrailers ?? [];
    return { tag: "ok", val: raw.length > 0 ? Fields.fromRaw(raw) : undefined };
  }
}

/** wasi:http/types.future-trailers: the trailers once the body has ended (none when it had none). */
export class FutureTrailers {
  private taken = false;

  constructor(private readonly host: HostContext, private readonly trailers: TrailersFromHost) {}

  subscribe(): Pollable {
    return new Pollable(this.host, () => this.trailers.ready, () => this.trailers.settled);
  }

  get(): { tag: "ok"; val: ReturnType<TrailersFromHost["value"]> } | { tag: "err"; val: undefined } | undefined {
    if (!this.trailers.ready) return undefined;
    if (this.taken) return { tag: "err", val: undefined };
    this.taken = true;
    return { tag: "ok", val: this.trailers.value() };
  }
}

/** wasi:http/types.incoming-request: a request to a served component. */
export class IncomingRequest {
  private consumed = false;
  private readonly fields: Fields;

  constructor(private readonly host: HostContext, private readonly message: http.IncomingMessage, private readonly schemeOf: Scheme) {
    this.fields = Fields.fromRaw(message.rawHeaders);
  }

  method(): Method {
    return methodOf(this.message.method ?? "GET");
  }

  pathWithQuery(): string | undefined {
    return this.message.url;
  }

  scheme(): Scheme {
    return this.schemeOf;
  }

  authority(): string | undefined {
    return this.message.headers.host;
  }

  headers(): Fields {
    return this.fields;
  }

  consume(): IncomingBody {
    if (this.consumed) throw undefined;
    this.consumed = true;
    return new IncomingBody(this.host, this.message);
  }
}

/** wasi:http/types.outgoing-body: a body the process writes; the host takes it as it comes through a pipe. */
export class OutgoingBody {
  private writeTaken = false;
  private readonly fd: number;
  private readonly file: OpenFile;

  /** `fd`: the write end of the body's pipe (bodyToHost). */
  constructor(private readonly host: HostContext, fd: number) {
    this.fd = fd;
    this.file = host.proc.fds.get(fd).file;
  }

  write(): OutputStream {
    if (this.writeTaken) throw undefined;
    this.writeTaken = true;
    return new OutputStream(this.host, this.fd, undefined, true);
  }

  /** The trailers finish() was given: the host sends them after the body (chunked encoding only, as HTTP/1.1 allows). */
  trailers: Fields | undefined;

  /** Ends the body with its trailers: closes the pipe's write end (the host then sees its end). */
  static finish(body: OutgoingBody, trailers: Fields | undefined): void {
    if (trailers) trailers.immutable = true;
    body.trailers = trailers;
    body.close();
  }

  /** Closes the pipe's write end if the process still holds it. */
  close(): void {
    closeOwnedFd(this.host, this.fd, this.file);
  }

  [DISPOSE](): void {
    this.close();
  }
}

/**
 * Copies a body the process writes (`bytes`, fed from its pipe) into a node request or response,
 * then the trailers its finish() gave, then ends it.
 */
export function sendBody(bytes: Readable, body: OutgoingBody | undefined, sink: http.OutgoingMessage): void {
  bytes.pipe(sink, { end: false });
  bytes.once("end", () => {
    const raw = body?.trailers?.toRaw() ?? [];
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
    if (pairs.length > 0) sink.addTrailers(pairs);
    sink.end();
  });
}

/** wasi:http/types.outgoing-response: a served component's response. */
export class OutgoingResponse {
  status = 200;
  /** The body, once the component asked for it. */
  bodyHandle?: OutgoingBody;
  /**
   * The body's bytes on the host side, buffered until there is somewhere to send them (the node
   * response, once the component sets it): the host pipes this on.
   */
  readonly bodyStream = new PassThrough();

  constructor(private readonly host: HostContext, readonly fields: Fields) {
    fields.immutable = false;
  }

  statusCode(): number {
    return this.status;
  }

  setStatusCode(status: number): void {
    if (status < 100 || status > 999) throw undefined;
    this.status = status;
  }

  headers(): Fields {
    return this.fields;
  }

  body(): OutgoingBody {
    if (this.bodyHandle) throw undefined;
    this.bodyHandle = new OutgoingBody(this.host, bodyToHost(this.host, this.bodyStream, () => this.bodyStream.end()));
    return this.bodyHandle;
  }
}

/** wasi:http/types.response-outparam: how a served component hands its response (or an error) to the server. */
export class ResponseOutparam {
  private done = false;

  constructor(readonly deliver: (response: { tag: "ok"; val: OutgoingResponse } | { tag: "err"; val: ErrorCode }) => void) {}

  static set(param: ResponseOutparam, response: { tag: "ok"; val: OutgoingResponse } | { tag: "err"; val: ErrorCode }): void {
    if (param.done) throw new Error("response-outparam.set called twice");
    param.done = true;
    param.deliver(response);
  }

  /** Whether the component set a response (or an error). */
  get isSet(): boolean {
    return this.done;
  }
}

/** wasi:http/types.request-options: timeouts in nanoseconds (this host applies connect and first-byte). */
export class RequestOptions {
  connect?: bigint;
  firstByte?: bigint;
  betweenBytes?: bigint;

  connectTimeout(): bigint | undefined {
    return this.connect;
  }

  setConnectTimeout(duration: bigint | undefined): void {
    this.connect = duration;
  }

  firstByteTimeout(): bigint | undefined {
    return this.firstByte;
  }

  setFirstByteTimeout(duration: bigint | undefined): void {
    this.firstByte = duration;
  }

  betweenBytesTimeout(): bigint | undefined {
    return this.betweenBytes;
  }

  setBetweenBytesTimeout(duration: bigint | undefined): void {
    this.betweenBytes = duration;
  }
}

/** wasi:http/types.outgoing-request: a request the component sends with outgoing-handler.handle. */
export class OutgoingRequest {
  methodValue: Method = { tag: "get" };
  path: string | undefined;
  schemeValue: Scheme | undefined;
  authorityValue: string | undefined;
  /** The body, once the component asked for it. */
  bodyHandle?: OutgoingBody;
  /** The body's bytes on the host side, buffered until outgoing-handler.handle sends the request. */
  readonly bodyStream = new PassThrough();

  constructor(private readonly host: HostContext, readonly fields: Fields) {
    fields.immutable = false;
  }

  body(): OutgoingBody {
    if (this.bodyHandle) throw undefined;
    this.bodyHandle = new OutgoingBody(this.host, bodyToHost(this.host, this.bodyStream, () => this.bodyStream.end()));
    return this.bodyHandle;
  }

  method(): Method {
    return this.methodValue;
  }

  setMethod(method: Method): void {
    if (method.tag === "other" && !TOKEN.test(method.val)) throw undefined;
    this.methodValue = method;
  }

  pathWithQuery(): string | undefined {
    return this.path;
  }

  setPathWithQuery(path: string | undefined): void {
    if (path !== undefined && /[\s\0]/.test(path)) throw undefined;
    this.path = path;
  }

  scheme(): Scheme | undefined {
    return this.schemeValue;
  }

  setScheme(scheme: Scheme | undefined): void {
    this.schemeValue = scheme;
  }

  authority(): string | undefined {
    return this.authorityValue;
  }

  setAuthority(authority: string | undefined): void {
    if (authority !== undefined && /[\s/?#@]/.test(authority)) throw undefined;
    this.authorityValue = authority;
  }

  headers(): Fields {
    return this.fields;
  }
}

/** wasi:http/types.incoming-response: the response to an outgoing request. */
export class IncomingResponse {
  private consumed = false;
  private readonly fields: Fields;

  constructor(private readonly host: HostContext, private readonly message: http.IncomingMessage) {
    this.fields = Fields.fromRaw(message.rawHeaders);
  }

  status(): number {
    return this.message.statusCode ?? 0;
  }

  headers(): Fields {
    return this.fields;
  }

  consume(): IncomingBody {
    if (this.consumed) throw undefined;
    this.consumed = true;
    return new IncomingBody(this.host, this.message);
  }
}

type FutureValue = { tag: "ok"; val: { tag: "ok"; val: IncomingResponse } | { tag: "err"; val: ErrorCode } } | { tag: "err"; val: undefined };

/** wasi:http/types.future-incoming-response: the response once it comes (or the error). */
export class FutureIncomingResponse {
  private value?: { tag: "ok"; val: IncomingResponse } | { tag: "err"; val: ErrorCode };
  private taken = false;
  private readonly settled: Promise<void>;
  private settle!: () => void;

  constructor(private readonly host: HostContext) {
    this.settled = new Promise((resolve) => (this.settle = resolve));
  }

  resolve(value: { tag: "ok"; val: IncomingResponse } | { tag: "err"; val: ErrorCode }): void {
    if (this.value) return;
    this.value = value;
    this.settle();
  }

  subscribe(): Pollable {
    return new Pollable(this.host, () => this.value !== undefined, () => this.settled);
  }

  get(): FutureValue | undefined {
    if (!this.value) return undefined;
    if (this.taken) return { tag: "err", val: undefined };
    this.taken = true;
    return { tag: "ok", val: this.value };
  }
}

/** OpenSSL's and Node's codes for a certificate that does not verify (or does not name the host). */
const TLS_CERTIFICATE_ERRORS = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "CERT_UNTRUSTED", "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE", "ERR_TLS_CERT_ALTNAME_INVALID", "HOSTNAME_MISMATCH",
]);

/** The error-code of a failed connection or exchange. */
function errorCodeOf(e: unknown): ErrorCode {
  const errno = e instanceof SysError ? e.errno : undefined;
  const code = e instanceof Error && "code" in e ? String(e.code) : "";
  if (errno === Errno.CONNREFUSED || code === "ECONNREFUSED") return { tag: "connection-refused" };
  if (errno === Errno.NETUNREACH || errno === Errno.HOSTUNREACH) return { tag: "destination-unavailable" };
  if (errno === Errno.TIMEDOUT || code === "ETIMEDOUT") return { tag: "connection-timeout" };
  if (errno === Errno.CONNRESET || errno === Errno.PIPE || code === "ECONNRESET" || code === "EPIPE") return { tag: "connection-terminated" };
  if (code.startsWith("HPE_")) return { tag: "HTTP-protocol-error" };
  if (TLS_CERTIFICATE_ERRORS.has(code)) return { tag: "TLS-certificate-error" };
  if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) return { tag: "TLS-protocol-error" };
  return { tag: "internal-error", val: e instanceof Error ? e.message : String(e) };
}

/** Splits an authority into host and port (the scheme's default port when it gives none). */
function splitAuthority(authority: string, defaultPort: number): { hostname: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(authority);
  if (!m) return undefined;
  const port = m[3] === undefined ? defaultPort : Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { hostname: m[1] ?? m[2]!, port };
}

/** Connects a kernel TCP socket to host:port from the process's network namespace; calls back with it or an error-code. */
function connectKernelSocket(host: HostContext, hostname: string, port: number, done: (socket: TcpSocket) => void, failed: (error: ErrorCode) => void): void {
  const ns = host.proc.container.net;
  const addresses = ns.resolve(hostname);
  const ip = addresses.find((a) => familyOf(a) === 4) ?? addresses[0];
  if (ip === undefined) return failed({ tag: "DNS-error", val: { rcode: "NXDOMAIN", infoCode: undefined } });
  const family = familyOf(ip) ?? 4;
  const kernel = host.kernel;
  const socket = new TcpSocket(ns, family, kernel.allocIno(), () => kernel.allocIno());
  const to = { family, ip, port };
  retryUntilDone(() => socket.connect(to), () => done(socket), (e) => {
    socket.release();
    if (e instanceof SysError) failed(errorCodeOf(e));
    else failed({ tag: "internal-error", val: e instanceof Error ? e.message : String(e) });
  });
}

/**
 * TLS over a kernel socket's stream for an https request: the server's certificate is verified
 * against Node's CAs (with NODE_EXTRA_CA_CERTS) and the kernel's httpsCertificateAuthorities, and
 * must name `hostname`.
 */
function tlsOver(host: HostContext, socket: KernelSocketStream, hostname: string): tls.TLSSocket {
  const extra = host.kernel.httpsCertificateAuthorities;
  return tls.connect({
    socket, rejectUnauthorized: true, ALPNProtocols: ["http/1.1"],
    ...(isIP(hostname) === 0 ? { servername: hostname } : {}),
    ...(extra.length > 0 ? { ca: [...tls.rootCertificates, ...extra] } : {}),
  });
}

/** wasi:http/outgoing-handler.handle: sends the request through the kernel's network stack; the response comes in the future. */
export function outgoingHandle(host: HostContext, request: OutgoingRequest, options: RequestOptions | undefined): FutureIncomingResponse {
  const scheme = request.schemeValue ?? { tag: "HTTP" };
  if (scheme.tag === "other") throw { tag: "HTTP-protocol-error" } satisfies ErrorCode;
  const secure = scheme.tag === "HTTPS";
  if (request.authorityValue === undefined) throw { tag: "HTTP-request-URI-invalid" } satisfies ErrorCode;
  const target = splitAuthority(request.authorityValue, secure ? 443 : 80);
  if (!target) throw { tag: "HTTP-request-URI-invalid" } satisfies ErrorCode;
  const future = new FutureIncomingResponse(host);
  request.fields.immutable = true;
  const body = request.bodyStream;
  // No body asked for: the request has none.
  if (!request.bodyHandle) body.end();
  const timeout = (ns: bigint | undefined) => (ns === undefined ? undefined : Number(ns / 1_000_000n));
  const connectMs = timeout(options?.connect);
  let connectTimer: NodeJS.Timeout | undefined;
  if (connectMs !== undefined) connectTimer = setTimeout(() => future.resolve({ tag: "err", val: { tag: "connection-timeout" } }), connectMs);
  connectKernelSocket(host, target.hostname, target.port, (socket) => {
    clearTimeout(connectTimer);
    const plain = new KernelSocketStream(socket);
    const stream = secure ? tlsOver(host, plain, target.hostname) : plain;
    const raw = request.fields.toRaw();
    if (!request.fields.has("host")) raw.push("host", request.authorityValue!);
    const req = http.request({
      method: methodName(request.methodValue), path: request.path ?? "/", headers: raw, createConnection: () => stream as unknown as import("node:net").Socket,
      setHost: false,
    });
    const firstByteMs = timeout(options?.firstByte);
    if (firstByteMs !== undefined) req.setTimeout(firstByteMs, () => req.destroy(Object.assign(new Error("first byte timeout"), { code: "ETIMEDOUT" })));
    req.on("response", (message) => future.resolve({ tag: "ok", val: new IncomingResponse(host, message) }));
    req.on("error", (e) => future.resolve({ tag: "err", val: e.message === "first byte timeout" ? { tag: "connection-read-timeout" } : errorCodeOf(e) }));
    sendBody(body, request.bodyHandle, req);
  }, (error) => {
    clearTimeout(connectTimer);
    future.resolve({ tag: "err", val: error });
  });
  return future;
}

/** wasi:http/types.http-error-code: the error-code behind a stream's io-error, when there is one. */
export function httpErrorCode(_error: IoError): ErrorCode | undefined {
  return undefined;
}

/**
 * The wasi:http imports for one component process. The resources a component constructs get the
 * process's context through classes made here; the rest are the module's own.
 */
export function wasiHttpImports(host: HostContext): Record<string, Record<string, unknown>> {
  class HostOutgoingRequest extends OutgoingRequest {
    constructor(headers: Fields) {
      super(host, headers);
    }
  }
  class HostOutgoingResponse extends OutgoingResponse {
    constructor(headers: Fields) {
      super(host, headers);
    }
  }
  return {
    "wasi:http/types": {
      Fields, IncomingRequest, OutgoingRequest: HostOutgoingRequest, RequestOptions, ResponseOutparam, IncomingResponse, IncomingBody,
      FutureTrailers, OutgoingResponse: HostOutgoingResponse, OutgoingBody, FutureIncomingResponse, httpErrorCode,
    },
    "wasi:http/outgoing-handler": {
      handle: (request: OutgoingRequest, options: RequestOptions | undefined) => outgoingHandle(host, request, options),
    },
  };
}
