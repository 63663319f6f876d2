// wasi:http and wasi:sockets: a wasi:http/incoming-handler component served on a loopback port and
// fetched with curl (status, headers, a POST body echoed, a trapping handler's 500), in a container
// with -p, and a component's outgoing HTTP(S) request and TCP connection to node servers, through the
// kernel's network stack (refused in a sandboxed run); trailers both ways; requests served concurrently.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as dgram from "node:dgram";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopDaemonOf } from "../helpers/stop-daemon.js";
import { ComponentHttpServer, hasJspi, Kernel, shareHostNetwork, type LayerEntry, type RunResult } from "../../kernel/host.js";
import { makeRuntime, start } from "../containers/helpers.js";
import { runCli } from "../../cli/index.js";
import { buildHttpFetch, buildHttpHandler, buildTcpClient, buildUdpClient } from "./http-guests.js";

const run = promisify(execFile);
let handler: Uint8Array;
let fetcher: Uint8Array;
let tcpClient: Uint8Array;
let udpClient: Uint8Array;

beforeAll(async () => {
  [handler, fetcher, tcpClient, udpClient] = await Promise.all([buildHttpHandler(), buildHttpFetch(), buildTcpClient(), buildUdpClient()]);
}, 180_000);

/** curl's response (head and body) to a request, with a deadline of its own. */
async function curl(...args: string[]): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { stdout } = await run("curl", ["-sS", "-i", "--max-time", "10", ...args]);
  const split = stdout.indexOf("\r\n\r\n");
  const [statusLine, ...lines] = stdout.slice(0, split).split("\r\n");
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
  return { status: Number(statusLine!.split(" ")[1]), headers, body: stdout.slice(split + 4) };
}

/** Serves the handler on a free loopback port of the kernel; returns its URL, what it logs and a stop. */
async function serve(kernel: Kernel): Promise<{ url: string; stderr: () => string; stop: () => Promise<RunResult> }> {
  const server = new ComponentHttpServer();
  const { port } = await server.listen("127.0.0.1", 0);
  let stderr = "";
  const running = kernel.run({ kind: "component", name: "handler.wasm", bytes: handler, serve: server }, {
    preopenRoot: false, onStderr: (chunk) => (stderr += Buffer.from(chunk).toString()),
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    stop: async () => {
      await server.close();
      return running;
    },
  };
}

describe.skipIf(!hasJspi())("serving a wasi:http/incoming-handler component", () => {
  it("answers GET with the component's status, headers and body, and echoes a POST body", async () => {
    const served = await serve(new Kernel());
    try {
      const get = await curl("-A", "wasmbox-test", `${served.url}/some/path?x=1`);
      expect(get.status).toBe(200);
      expect(get.headers["content-type"]).toBe("text/plain");
      expect(get.headers["x-path"]).toBe("/some/path?x=1");
      expect(get.headers["x-agent"]).toBe("wasmbox-test");
      expect(get.body).toBe("hello from /some/path?x=1\n");
      const post = await curl("--data-binary", "a body of 23 characters", `${served.url}/echo`);
      expect(post.status).toBe(201);
      expect(post.body).toBe("echo: a body of 23 characters");
    } finally {
      const result = await served.stop();
      expect(result.exitCode).toBe(0);
    }
  }, 60_000);

  it("gives 500 for a handler that traps, logs it, and serves the next request", async () => {
    const served = await serve(new Kernel());
    try {
      const failed = await curl(`${served.url}/throw`);
      expect(failed.status).toBe(500);
      expect(served.stderr()).toMatch(/handler\.wasm: GET \/throw: the handler failed: .*unreachable/);
      const next = await curl(`${served.url}/after`);
      expect(next.status).toBe(200);
      expect(next.body).toBe("hello from /after\n");
    } finally {
      await served.stop();
    }
  }, 60_000);

  it("streams a request body larger than a pipe into the component", async () => {
    const served = await serve(new Kernel());
    try {
      const big = "0123456789".repeat(20_000);
      const dir = mkdtempSync(join(tmpdir(), "wasmbox-http-"));
      writeFileSync(join(dir, "body"), big);
      try {
        const post = await curl("--data-binary", `@${join(dir, "body")}`, `${served.url}/big`);
        expect(post.status).toBe(201);
        expect(post.body).toBe(`echo: ${big}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      await served.stop();
    }
  }, 60_000);

  it("serves requests concurrently: a handler waiting for its body does not hold up a second request", async () => {
    const served = await serve(new Kernel());
    try {
      const finished: string[] = [];
      let holdBack: () => void = () => undefined;
      // The first handler echoes a POST body that the client holds back: it waits in its read.
      const slow = new Promise<string>((resolve, reject) => {
        const req = http.request(`${served.url}/slow`, { method: "POST", headers: { "content-type": "text/plain" } }, (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => (body += chunk.toString()));
          res.on("end", () => {
            finished.push("slow");
            resolve(`${res.statusCode} ${body}`);
          });
        });
        req.on("error", reject);
        req.write("first half, ");
        holdBack = () => req.end("second half");
      });
      // The second request is served while the first waits; only then does the first get the rest of its body.
      const fast = await curl(`${served.url}/fast`);
      finished.push("fast");
      expect(fast.status).toBe(200);
      expect(fast.body).toBe("hello from /fast\n");
      holdBack();
      expect(await slow).toBe("201 echo: first half, second half");
      expect(finished).toEqual(["fast", "slow"]);
    } finally {
      await served.stop();
    }
  }, 60_000);
});

describe.skipIf(!hasJspi())("trailers of a served component", () => {
  it("reads the request's trailers and sends its own after the body", async () => {
    const served = await serve(new Kernel());
    try {
      const reply = await new Promise<{ status: number; body: string; trailers: Record<string, string | undefined> }>((resolve, reject) => {
        const req = http.request(`${served.url}/trailers`, { method: "POST", headers: { trailer: "x-sum" } }, (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => (body += chunk.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body, trailers: res.trailers }));
        });
        req.on("error", reject);
        req.write("a body with a trailer");
        req.addTrailers({ "x-sum": "42" });
        req.end();
      });
      expect(reply.status).toBe(201);
      expect(reply.body).toBe("echo: a body with a trailer trailer x-sum=42");
      expect(reply.trailers["x-served"]).toBe("yes");
    } finally {
      await served.stop();
    }
  }, 60_000);
});

describe.skipIf(hasJspi())("serving without JSPI", () => {
  it("refuses with a message saying why", async () => {
    const served = await serve(new Kernel());
    const result = await served.stop();
    expect(result.exitCode).toBe(126);
    expect(served.stderr()).toMatch(/handler\.wasm: serving HTTP needs JSPI \(WebAssembly\.Suspending\)/);
  }, 60_000);
});

describe("a component's outgoing HTTP request", () => {
  let server: http.Server;
  let authority: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        res.setHeader("x-reply", "from-node");
        if (req.url !== "/trailers") return res.end(`${req.method} ${req.url} host=${req.headers.host} body=${body}\n`);
        // Chunked, with a trailer that echoes the request's.
        res.setHeader("trailer", "x-reply-trailer");
        res.write(`${req.method} ${req.url} body=${body} sent=${req.trailers["x-sent"]}\n`);
        res.addTrailers({ "x-reply-trailer": `t-${req.trailers["x-sent"]}` });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    authority = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const fetch = (share: boolean) => new Kernel().run(fetcher, {
    argv0: "fetch", args: [authority, "/path?q=1", "ping from a component"], preopenRoot: false,
    onStart: (proc) => share && shareHostNetwork(proc.container.net),
  });

  it.skipIf(!hasJspi())("reaches a host server through the kernel's sockets when the run has the host's network", async () => {
    const result = await fetch(true);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(`200 from-node\nPOST /path?q=1 host=${authority} body=ping from a component\n`);
    expect(result.exitCode).toBe(0);
  }, 60_000);

  it.skipIf(!hasJspi())("sends its body's trailers and reads the response's", async () => {
    const result = await new Kernel().run(fetcher, {
      argv0: "fetch", args: [authority, "/trailers", "with trailers"], preopenRoot: false,
      onStart: (proc) => shareHostNetwork(proc.container.net),
    });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("200 from-node\nPOST /trailers body=with trailers sent=by-component\ntrailer t-by-component\n");
    expect(result.exitCode).toBe(0);
  }, 60_000);

  it("is refused in a sandboxed run (its own loopback has no server)", async () => {
    const result = await fetch(false);
    // error-code connection-refused is case 6 of wasi:http's error-code.
    expect(result.stdout).toBe("error 6\n");
    expect(result.exitCode).toBe(1);
  }, 60_000);

  it.skipIf(hasJspi())("without JSPI, ends saying why it cannot wait for the response", async () => {
    const result = await fetch(true);
    expect(result.stderr).toMatch(/fetch: pollable\.block has to wait, and a component can wait only with JSPI/);
    expect(result.exitCode).toBe(1);
  }, 60_000);
});

/** A self-signed certificate for 127.0.0.1 and localhost (openssl), as PEM key and certificate. */
async function selfSigned(dir: string): Promise<{ key: string; cert: string; certFile: string }> {
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
  await run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]);
  return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8"), certFile };
}

describe.skipIf(!hasJspi())("a component's outgoing HTTPS request", () => {
  let dir: string;
  let server: https.Server;
  let cert: { key: string; cert: string; certFile: string };
  let authority: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wasmbox-https-"));
    cert = await selfSigned(dir);
    server = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        res.setHeader("x-reply", "over-tls");
        res.end(`${req.method} ${req.url} body=${body} tls=${(req.socket as import("node:tls").TLSSocket).getProtocol()}\n`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    authority = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const fetchTls = (kernel: Kernel) => kernel.run(fetcher, {
    argv0: "fetch", args: [authority, "/secure", "over https", "https"], preopenRoot: false,
    onStart: (proc) => shareHostNetwork(proc.container.net),
  });

  it("verifies the server against the CA it is given and talks HTTP over TLS", async () => {
    const result = await fetchTls(new Kernel({ httpsCertificateAuthorities: [cert.cert] }));
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^200 over-tls\nPOST \/secure body=over https tls=TLSv1\.[23]\n$/);
    expect(result.exitCode).toBe(0);
  }, 60_000);

  it("refuses a certificate nobody vouches for (verification is on by default)", async () => {
    const result = await fetchTls(new Kernel());
    // error-code TLS-certificate-error is case 13 of wasi:http's error-code.
    expect(result.stdout).toBe("error 13\n");
    expect(result.exitCode).toBe(1);
  }, 60_000);

  it("trusts NODE_EXTRA_CA_CERTS in the CLI, a whole process", async () => {
    const file = join(dir, "fetch.wasm");
    writeFileSync(file, fetcher);
    const env = { ...process.env, WASMBOX_HOME: join(dir, "home") };
    const cliArgs = [join(process.cwd(), "dist", "cli", "bin.js"), "run", file, authority, "/cli", "from the CLI", "https"];
    const trusted = await run(process.execPath, cliArgs, { env: { ...env, NODE_EXTRA_CA_CERTS: cert.certFile } });
    expect(trusted.stdout).toMatch(/^200 over-tls\nPOST \/cli body=from the CLI tls=TLSv1\.[23]\n$/);
    const refused = await run(process.execPath, cliArgs, { env }).then(() => undefined, (e: { code: number; stdout: string }) => e);
    expect(refused?.stdout).toBe("error 13\n");
    expect(refused?.code).toBe(1);
  }, 120_000);
});

/** Runs the CLI in process; `onStderr` sees its stderr as it comes. */
async function cli(args: string[], home: string, onStderr: (text: string) => void = () => undefined) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (s) => (stdout += typeof s === "string" ? s : Buffer.from(s).toString()),
    stderr: (s) => {
      stderr += typeof s === "string" ? s : Buffer.from(s).toString();
      onStderr(stderr);
    },
    env: { WASMBOX_HOME: home }, cwd: home,
  });
  return { code, stdout, stderr };
}

describe("the CLI", () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "wasmbox-http-cli-"));
    writeFileSync(join(dir, "handler.wasm"), handler);
    writeFileSync(join(dir, "fetch.wasm"), fetcher);
  });

  afterAll(async () => {
    // None should have started (inspect of a .wasm file asks no daemon), but none outlives its home.
    await stopDaemonOf(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!hasJspi())("wasmbox serve --addr serves the component until SIGTERM, then exits 0", async () => {
    let announced!: (url: string) => void;
    const url = new Promise<string>((resolve) => (announced = resolve));
    const serving = cli(["serve", "--addr", "127.0.0.1:0", join(dir, "handler.wasm")], dir, (text) => {
      const m = /Serving HTTP on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text);
      if (m) announced(m[1]!);
    });
    const base = await Promise.race([url, serving.then((r) => Promise.reject(new Error(`serve ended: ${r.stderr}`)))]);
    const post = await curl("--data-binary", "through the CLI", `${base}cli`);
    expect(post.status).toBe(201);
    expect(post.body).toBe("echo: through the CLI");
    process.emit("SIGTERM");
    const result = await serving;
    expect(result.code).toBe(0);
  }, 60_000);

  it("wasmbox serve refuses a bad --addr and a core module, naming them", async () => {
    const badAddr = await cli(["serve", "--addr", "nowhere", join(dir, "handler.wasm")], dir);
    expect(badAddr.code).toBe(2);
    expect(badAddr.stderr).toMatch(/--addr nowhere: expected HOST:PORT/);
    writeFileSync(join(dir, "module.wasm"), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    const module = await cli(["serve", join(dir, "module.wasm")], dir);
    expect(module.code).toBe(2);
    expect(module.stderr).toMatch(/module\.wasm: not a WebAssembly component/);
    const run = await cli(["run", join(dir, "handler.wasm")], dir);
    expect(run.code).toBe(126);
    expect(run.stderr).toMatch(/handler\.wasm: a wasi:http proxy component .*: serve it with `wasmbox serve /);
  }, 60_000);

  it("wasmbox inspect shows a component's world, from a file and from an image's entry point", async () => {
    const file = await cli(["inspect", join(dir, "handler.wasm")], dir);
    expect(file.code).toBe(0);
    const [detail] = JSON.parse(file.stdout) as Array<{ Component: { World: string; Imports: string[]; Exports: string[] } }>;
    expect(detail!.Component.Exports).toEqual(["wasi:http/incoming-handler@0.2.12"]);
    expect(detail!.Component.Imports).toContain("wasi:http/types@0.2.12");
    expect(detail!.Component.World).toMatch(/world root \{[^]*export wasi:http\/incoming-handler@0\.2\.12;/);
    expect((await cli(["import", join(dir, "fetch.wasm"), "fetcher:1"], dir)).code).toBe(0);
    const image = await cli(["inspect", "-f", "{{json .Component.Exports}} {{json .Component.Imports}}", "fetcher:1"], dir);
    expect(image.stdout).toMatch(/^\["wasi:cli\/run@0.2.12"\] \[.*"wasi:http\/outgoing-handler@0.2.12".*\]\n$/);
    writeFileSync(join(dir, "core.wasm"), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    const module = await cli(["inspect", join(dir, "core.wasm")], dir);
    expect(module.stderr).toMatch(/core\.wasm: not a WebAssembly component/);
  }, 60_000);

  it.skipIf(!hasJspi())("wasmbox run of a component importing outgoing-handler reaches the host's network", async () => {
    const server = http.createServer((req, res) => req.resume().on("end", () => res.setHeader("x-reply", "cli").end("from the host\n")));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const result = await cli(["run", join(dir, "fetch.wasm"), `127.0.0.1:${port}`, "/", "body"], dir);
      expect(result.stdout).toBe("200 cli\nfrom the host\n");
      expect(result.code).toBe(0);
    } finally {
      server.close();
    }
  }, 60_000);
});

describe.skipIf(!hasJspi())("a container whose entry point is a wasi:http/incoming-handler component", () => {
  it("serves on its port 8080, published on a host port with -p, until it is stopped", async () => {
    const layer: LayerEntry[] = [
      { path: "bin", type: "dir", mode: 0o755, mtimeNs: 0n },
      { path: "bin/handler", type: "file", mode: 0o755, data: handler, mtimeNs: 0n },
    ];
    const runtime = await makeRuntime({ images: { handler: { id: "sha256:handler", config: { Entrypoint: ["/bin/handler"] }, layers: [layer] } } });
    const port = 43040;
    const container = await start(runtime, [], { publish: [`127.0.0.1:${port}:8080`] }, "handler");
    try {
      // The connection is reset until the component listens (it loads first): retried for 20 s.
      const deadline = Date.now() + 20_000;
      let get: Awaited<ReturnType<typeof curl>> | undefined;
      while (!get) {
        get = await curl(`http://127.0.0.1:${port}/in/a/container`).catch((e: Error) => {
          if (Date.now() > deadline) throw new Error(`the container never answered: ${e.message}`);
          return new Promise<undefined>((resolve) => setTimeout(resolve, 100));
        });
      }
      expect(get.status).toBe(200);
      expect(get.body).toBe("hello from /in/a/container\n");
      const post = await curl("--data-binary", "to the container", `http://127.0.0.1:${port}/`);
      expect(post.body).toBe("echo: to the container");
    } finally {
      await runtime.stop(container.record.spec.id);
    }
    const outcome = await container.done();
    expect(outcome.stderr).toBe("");
  }, 60_000);
});

describe("a component's wasi:sockets TCP connection", () => {
  let server: net.Server;
  let port: number;

  beforeAll(async () => {
    // Answers what it got, in capitals, once the client half-closes.
    server = net.createServer({ allowHalfOpen: true }, (socket) => {
      let got = "";
      socket.on("data", (chunk: Buffer) => (got += chunk.toString()));
      socket.on("end", () => socket.end(got.toUpperCase()));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const connect = (share: boolean) => new Kernel().run(tcpClient, {
    argv0: "tcp", args: ["127.0.0.1", String(port), "hello over wasi sockets"], preopenRoot: false,
    onStart: (proc) => share && shareHostNetwork(proc.container.net),
  });

  it.skipIf(!hasJspi())("connects, sends, half-closes and reads the reply through a kernel TCP socket", async () => {
    const result = await connect(true);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("reply: HELLO OVER WASI SOCKETS");
    expect(result.exitCode).toBe(0);
  }, 60_000);

  it("is refused in a sandboxed run (its own loopback has no listener)", async () => {
    const result = await connect(false);
    // error-code connection-refused is case 14 of wasi:sockets' error-code.
    expect(result.stdout).toBe("error 14\n");
    expect(result.exitCode).toBe(1);
  }, 60_000);
});

describe("a component's wasi:sockets UDP datagrams", () => {
  let server: dgram.Socket;
  let port: number;

  beforeAll(async () => {
    // Sends each datagram back in capitals.
    server = dgram.createSocket("udp4");
    server.on("message", (message, from) => server.send(message.toString().toUpperCase(), from.port, from.address));
    await new Promise<void>((resolve) => server.bind(0, "127.0.0.1", resolve));
    port = server.address().port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.skipIf(!hasJspi())("sends a datagram and receives the reply through a kernel UDP socket", async () => {
    const result = await new Kernel().run(udpClient, {
      argv0: "udp", args: ["127.0.0.1", String(port), "a datagram from a component"], preopenRoot: false,
      onStart: (proc) => shareHostNetwork(proc.container.net),
      limits: { wallTimeMs: 20_000 },
    });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("reply: A DATAGRAM FROM A COMPONENT");
    expect(result.exitCode).toBe(0);
  }, 60_000);
});
