// Starts a real registry for tests: Debian's `docker-registry` (the CNCF distribution server) on a loopback
// port of this project's range, storage in a temp dir, optional htpasswd or token auth; and a proxy to break it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createPrivateKey, randomBytes, sign, X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REGISTRY_BINARY = "/usr/bin/docker-registry";
/** The loopback TCP ports this project's tests may use. */
const PORT_RANGE = { first: 21000, last: 21999 };
const START_DEADLINE_MS = 15_000;

/** Fails (never skips) when a tool the registry tests need is missing, saying how to install it. */
export function requireTool(path: string, debianPackage: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: install Debian's ${debianPackage} package (apt-get install ${debianPackage}); .ci/run does`);
}

/** Auth of a test registry: none, an htpasswd file (basic), or tokens from a realm (with the cert bundle that signs them). */
export type RegistryAuth =
  | { kind: "none" }
  | { kind: "htpasswd"; users: Record<string, string> }
  | { kind: "token"; realm: string; service: string; issuer: string; rootCertBundle: string };

/** A running registry. */
export interface TestRegistry {
  /** `127.0.0.1:PORT`, as references and `login` name it. */
  host: string;
  port: number;
  /** The storage root (docker/registry/v2/... below it). */
  storage: string;
  /** SIGKILLs the server (mid-request, as a crash). */
  kill(): void;
  /** Starts it again on the same port and storage (after kill). */
  restart(): Promise<void>;
  /** Stops it and deletes its files. */
  stop(): Promise<void>;
  /** What the server logged (for failure messages). */
  log(): string;
}

function randomPort(): number {
  return PORT_RANGE.first + Math.floor(Math.random() * (PORT_RANGE.last - PORT_RANGE.first + 1));
}

/** Starts docker-registry with a generated config on a free port of the range; throws when it cannot. */
export async function startRegistry(auth: RegistryAuth = { kind: "none" }): Promise<TestRegistry> {
  requireTool(REGISTRY_BINARY, "docker-registry");
  const dir = await mkdtemp(join(tmpdir(), "wasmbox-registry-"));
  const storage = join(dir, "storage");
  let authConfig = "";
  if (auth.kind === "htpasswd") {
    requireTool("/usr/bin/htpasswd", "apache2-utils");
    const lines = Object.entries(auth.users).map(([user, password]) => {
      const made = spawnSync("htpasswd", ["-Bbn", user, password], { encoding: "utf8" });
      if (made.status !== 0) throw new Error(`htpasswd failed: ${made.stderr}`);
      return made.stdout.trim();
    });
    await writeFile(join(dir, "htpasswd"), lines.join("\n") + "\n");
    authConfig = `auth:\n  htpasswd:\n    realm: wasmbox-test\n    path: ${join(dir, "htpasswd")}\n`;
  } else if (auth.kind === "token") {
    authConfig = `auth:\n  token:\n    realm: ${auth.realm}\n    service: ${auth.service}\n    issuer: ${auth.issuer}\n    rootcertbundle: ${auth.rootCertBundle}\n`;
  }
  let output = "";
  let child: ChildProcess | undefined;
  let port = 0;
  const launch = async (): Promise<boolean> => {
    const config = join(dir, "config.yml");
    await writeFile(config, `version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${storage}\n  delete:\n    enabled: true\n  maintenance:\n    uploadpurging:\n      enabled: false\nhttp:\n  addr: 127.0.0.1:${port}\n${authConfig}`);
    const started = spawn(REGISTRY_BINARY, ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
    child = started;
    started.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    started.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + START_DEADLINE_MS;
    while (Date.now() < deadline) {
      if (started.exitCode !== null) return false;
      const status = await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.status, () => 0);
      if (status === 200 || status === 401) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    started.kill("SIGKILL");
    throw new Error(`docker-registry did not answer on 127.0.0.1:${port} within ${START_DEADLINE_MS} ms:\n${output}`);
  };
  for (let attempt = 0; attempt < 10; attempt++) {
    port = randomPort();
    if (await launch()) break;
    if (!/address already in use/.test(output)) throw new Error(`docker-registry exited:\n${output}`);
    port = 0;
  }
  if (!port) throw new Error(`docker-registry found no free port in ${PORT_RANGE.first}-${PORT_RANGE.last}`);
  const exited = () => (child && child.exitCode === null && child.signalCode === null ? new Promise<void>((r) => child!.once("exit", () => r())) : Promise.resolve());
  return {
    host: `127.0.0.1:${port}`, port, storage,
    kill: () => void child?.kill("SIGKILL"),
    restart: async () => {
      await exited();
      if (!(await launch())) throw new Error(`docker-registry did not restart:\n${output}`);
    },
    stop: async () => {
      const done = exited();
      child?.kill("SIGTERM");
      await done;
      await rm(dir, { recursive: true, force: true });
    },
    log: () => output,
  };
}

/** Path of a blob's data file in the registry's storage (to tamper with it). */
export function registryBlobPath(registry: TestRegistry, digest: string): string {
  const hex = digest.slice("sha256:".length);
  return join(registry.storage, "docker", "registry", "v2", "blobs", "sha256", hex.slice(0, 2), hex, "data");
}

/** Reads a registry blob file. */
export function readRegistryBlob(registry: TestRegistry, digest: string): Promise<Buffer> {
  return readFile(registryBlobPath(registry, digest));
}

/**
 * What a proxy does with one request: pass it on, or cut the answer after some bytes (then run code), or run code
 * first, or answer with a redirect to `location`, or pass the answer on in chunked encoding (no Content-Length).
 */
export type ProxyDecision =
  | { action: "forward" } | { action: "cut-response-after"; bytes: number; then?: () => void } | { action: "before"; run: () => void | Promise<void> }
  | { action: "redirect"; location: string } | { action: "chunked" };

/** An HTTP proxy in front of a registry, on another port of the range, that records requests and can misbehave. */
export interface TestProxy {
  host: string;
  requests: { method: string; url: string; range?: string }[];
  close(): Promise<void>;
}

/** Starts a proxy to `target` (`127.0.0.1:PORT`); `decide` is asked about every request. */
export async function startProxy(target: string, decide: (req: IncomingMessage) => ProxyDecision): Promise<TestProxy> {
  const requests: TestProxy["requests"] = [];
  const [targetHost, targetPort] = target.split(":");
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", range: req.headers.range });
    const decision = decide(req);
    if (decision.action === "before") await decision.run();
    if (decision.action === "redirect") {
      res.writeHead(307, { location: decision.location, "content-length": "0" });
      return void res.end();
    }
    const upstream = request({ host: targetHost, port: Number(targetPort), method: req.method, path: req.url, headers: { ...req.headers, host: proxy.host } }, (answer) => {
      const headers = { ...answer.headers };
      if (decision.action === "chunked") delete headers["content-length"];
      res.writeHead(answer.statusCode ?? 502, headers);
      if (decision.action !== "cut-response-after") return void answer.pipe(res);
      let sent = 0;
      answer.on("data", (chunk: Buffer) => {
        const room = decision.bytes - sent;
        if (room <= 0) return;
        res.write(chunk.subarray(0, room));
        sent += Math.min(room, chunk.byteLength);
        if (sent >= decision.bytes) {
          answer.destroy();
          res.socket?.destroy();
          decision.then?.();
        }
      });
      answer.on("end", () => res.end());
    });
    upstream.on("error", () => res.socket?.destroy());
    req.pipe(upstream);
  });
  let port = 0;
  for (let attempt = 0; attempt < 20 && !port; attempt++) {
    const candidate = randomPort();
    port = await new Promise<number>((resolve) => {
      server.once("error", () => resolve(0));
      server.listen(candidate, "127.0.0.1", () => resolve(candidate));
    });
  }
  if (!port) throw new Error("the test proxy found no free port");
  const proxy: TestProxy = {
    host: `127.0.0.1:${port}`, requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  return proxy;
}

/** A token server (the `realm` of Bearer auth, docker's token spec) whose ES256 JWTs the registry trusts via `rootCertBundle`. */
export interface TestTokenServer {
  auth: Extract<RegistryAuth, { kind: "token" }>;
  /** Each token request: the user (or "" for anonymous) and the scopes asked for. */
  requests: { user: string; scopes: string[] }[];
  close(): Promise<void>;
}

/** Starts a token server granting `users` every scope they ask for, refusing anonymous and wrong passwords with 401. */
export async function startTokenServer(users: Record<string, string>): Promise<TestTokenServer> {
  requireTool("/usr/bin/openssl", "openssl");
  const dir = await mkdtemp(join(tmpdir(), "wasmbox-token-"));
  const keyPath = join(dir, "key.pem");
  const certPath = join(dir, "cert.pem");
  const made = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyPath, "-out", certPath, "-days", "1", "-subj", "/CN=wasmbox-test-token-issuer"], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(`openssl could not make the token signing certificate: ${made.stderr}`);
  const key = createPrivateKey(await readFile(keyPath));
  const certDer = new X509Certificate(await readFile(certPath)).raw;
  const service = "wasmbox-test-registry";
  const issuer = "wasmbox-test-issuer";
  const requests: TestTokenServer["requests"] = [];
  const base64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://token");
    const scopes = url.searchParams.getAll("scope");
    const header = req.headers.authorization ?? "";
    const [user, password] = header.startsWith("Basic ") ? Buffer.from(header.slice(6), "base64").toString().split(/:(.*)/s) : ["", ""];
    requests.push({ user: user ?? "", scopes });
    if (!user || users[user] !== password) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ details: "incorrect username or password" }));
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.map((scope) => {
      const [type, ...rest] = scope.split(":");
      const actions = rest.pop()!;
      return { type, name: rest.join(":"), actions: actions.split(",") };
    });
    const head = base64url(JSON.stringify({ typ: "JWT", alg: "ES256", x5c: [certDer.toString("base64")] }));
    const claims = base64url(JSON.stringify({ iss: issuer, sub: user, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString("hex"), access }));
    const signature = sign("sha256", Buffer.from(`${head}.${claims}`), { key, dsaEncoding: "ieee-p1363" });
    const token = `${head}.${claims}.${base64url(signature)}`;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  let port = 0;
  for (let attempt = 0; attempt < 20 && !port; attempt++) {
    const candidate = randomPort();
    port = await new Promise<number>((resolve) => {
      server.once("error", () => resolve(0));
      server.listen(candidate, "127.0.0.1", () => resolve(candidate));
    });
  }
  if (!port) throw new Error("the token server found no free port");
  return {
    auth: { kind: "token", realm: `http://127.0.0.1:${port}/token`, service, issuer, rootCertBundle: certPath },
    requests,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
