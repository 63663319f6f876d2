// The kernel's sockets, driven by a C guest built here with Debian's clang (test/net/c/net.c): TCP and
// UDP echo over loopback and between containers, poll, a killed peer, errors, options and fd limits.
import { mkdtempSync, rmSync } from "node:fs";
import * as nodeNet from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Kernel, type RunResult } from "../../kernel/index.js";
import { FsApi, MemFs, type Process } from "../../kernel/host.js";
import { attachNetwork } from "../../containers/network.js";
import { freePort } from "../helpers/free-port.js";
import { buildCBytes } from "../helpers/clang.js";
import { waitUntil } from "../helpers/poll.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));

function lines(r: RunResult): string[] {
  return r.stdout.trim().split("\n");
}

describe("kernel sockets (C guest)", () => {
  let work: string;
  let net: Uint8Array;

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "wasmbox-net-"));
    net = buildCBytes(path.join(HERE, "c", "net.c"), work);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("gives the errnos and options of a socket API: EADDRINUSE, ECONNREFUSED, ENETUNREACH, EAGAIN, ENOTCONN, ENOTSOCK, IPv6", async () => {
    const r = await new Kernel().run(net, { args: ["checks"] });
    expect(r.stderr).toBe("");
    expect(lines(r)).toEqual([
      "bind taken: EADDRINUSE",
      "listening: 1",
      "nodelay: 1",
      "rcvbuf: 65536",
      "bad option: ENOPROTOOPT",
      "accept empty nonblocking: EAGAIN",
      "connect to nobody: ECONNREFUSED",
      "connect outside: ENETUNREACH",
      "connect: OK",
      "connect to a full backlog: EAGAIN",
      "accept: OK",
      "read empty nonblocking: EAGAIN",
      "send before connect: ENOTCONN",
      "recv on a file: ENOTSOCK",
      "connect v6: OK",
      "v6 peer: [0:0:0:0:0:0:0:1]:32769",
      "resolve unknown: ENOENT",
    ]);
    expect(r.exitCode).toBe(0);
  });

  it("echoes over TCP on loopback, IPv4 and IPv6, with EOF after shutdown", async () => {
    const kernel = new Kernel();
    const server4 = kernel.run(net, { args: ["tcp-server", "4", "8080", "1"] });
    const server6 = kernel.run(net, { args: ["tcp-server", "6", "8080", "1"] });
    const [c4, c6] = await Promise.all([
      kernel.run(net, { args: ["tcp-client", "localhost", "8080", "hello over four", "4"] }),
      kernel.run(net, { args: ["tcp-client", "::1", "8080", "hello over six"] }),
    ]);
    expect(lines(c4)).toEqual(["peer 127.0.0.1:8080", "echo hello over four"]);
    expect(lines(c6)).toEqual(["peer [0:0:0:0:0:0:0:1]:8080", "echo hello over six"]);
    expect(lines(await server4)).toEqual([expect.stringMatching(/^served 15 bytes to 127\.0\.0\.1:\d+$/)]);
    expect(lines(await server6)).toEqual([expect.stringMatching(/^served 14 bytes to \[0:0:0:0:0:0:0:1\]:\d+$/)]);
  });

  it("echoes UDP datagrams with the sender's address", async () => {
    const kernel = new Kernel();
    const server = kernel.run(net, { args: ["udp-server", "4", "5353", "1"] });
    const client = await kernel.run(net, { args: ["udp-client", "127.0.0.1", "5353", "ping me"] });
    expect(lines(client)).toEqual(["reply PING ME from 127.0.0.1:5353"]);
    expect(lines(await server)).toEqual([expect.stringMatching(/^answered 7 bytes from 127\.0\.0\.1:\d+$/)]);
  });

  it("serves many concurrent connections from one process with poll", async () => {
    const kernel = new Kernel();
    const clients = 10;
    const server = kernel.run(net, { args: ["tcp-poll-server", "9000", String(clients)] });
    const results = await Promise.all(
      Array.from({ length: clients }, (_, i) => kernel.run(net, { args: ["tcp-client", "127.0.0.1", "9000", `client ${i}`] })),
    );
    results.forEach((r, i) => expect(lines(r)[1]).toBe(`echo client ${i}`));
    const [summary] = lines(await server);
    expect(summary).toMatch(new RegExp(`^served ${clients} clients, at most \\d+ at once$`));
  });

  it("gives one blocked poll every published connection whose data came in the same I/O phase", async () => {
    const kernel = new Kernel();
    const container = kernel.createContainer({ root: new MemFs(kernel.allocDev()).root, name: "batch" });
    const hostPort = await freePort();
    const attached = await attachNetwork(kernel, container, { mode: "bridge", publish: [{ hostIp: "127.0.0.1", hostPort, containerPort: 80, protocol: "tcp" }], hostOutbound: false }, new FsApi(container.ns));
    const count = 4;
    let serverProc: Process | undefined;
    let out = "";
    const server = kernel.run(net, { args: ["tcp-poll-batch", "80", String(count)], container, onStart: (p) => (serverProc = p), onStdout: (c) => (out += Buffer.from(c).toString()) });
    await waitUntil("the server to accept", () => serverProc?.state === "BLOCKED", 5000);
    const sockets = await Promise.all(Array.from({ length: count }, () => new Promise<nodeNet.Socket>((resolve, reject) => {
      const socket = nodeNet.connect(hostPort, "127.0.0.1", () => resolve(socket)).on("error", reject);
    })));
    try {
      await waitUntil("the server to poll", () => out.includes("polling") && serverProc?.state === "BLOCKED", 5000);
      // One synchronous turn: every server-side socket is readable by the event loop's next I/O phase.
      for (const socket of sockets) socket.write("x");
      const r = await server;
      expect(lines(r)).toEqual(["polling", `one poll: ${count} of ${count} readable`]);
    } finally {
      for (const socket of sockets) socket.destroy();
      attached.detach();
    }
  });

  it("gives the client ECONNRESET, then EPIPE, when the server is killed with unread data", async () => {
    const kernel = new Kernel();
    let serverProc: Process | undefined;
    let serverOut = "";
    const server = kernel.run(net, {
      args: ["tcp-hold", "7100"], onStart: (p) => (serverProc = p),
      onStdout: (chunk) => (serverOut += Buffer.from(chunk).toString()),
    });
    const client = kernel.run(net, { args: ["tcp-wait", "127.0.0.1", "7100", "xy"] });
    await waitUntil("the server to hold the connection", () => serverOut.includes("holding"), 5000);
    serverProc!.kill(9);
    expect((await server).signal).toBe(9);
    expect(lines(await client)).toEqual(["read: ECONNRESET", "send after: EPIPE"]);
  });

  it("counts connections against the fd limit (EMFILE)", async () => {
    const kernel = new Kernel();
    const container = kernel.createContainer({ root: new MemFs(kernel.allocDev()).root, limits: { nofile: 20 } });
    const r = await kernel.run(net, { args: ["fd-limit", "7200"], container });
    // fds 0-3 (stdio and the root) and the listener leave 15: seven client/server pairs, then the eighth accept fails.
    expect(lines(r)).toEqual(["accept: EMFILE after 7 connections"]);
  });

  it("tells when a network was made (formatted when asked), and keeps a saved network's time", () => {
    const kernel = new Kernel();
    const before = Date.now();
    const made = kernel.networks.create("timed");
    const created = Date.parse(made.created);
    expect(made.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(Date.now());
    expect(made.created).toBe(made.created);
    const restored = kernel.networks.create("restored", { index: 7, id: "a".repeat(64), created: "2020-01-02T03:04:05.000Z" });
    expect([restored.created, restored.id, restored.gateway]).toEqual(["2020-01-02T03:04:05.000Z", "a".repeat(64), "10.88.7.1"]);
  });

  it("lets containers on one network talk by name, and keeps other networks and --network none apart", async () => {
    const kernel = new Kernel();
    const root = () => new MemFs(kernel.allocDev()).root;
    kernel.networks.create("backend");
    const web = kernel.createContainer({ root: root(), name: "web", network: "bridge" });
    const client = kernel.createContainer({ root: root(), name: "client", network: "bridge" });
    const other = kernel.createContainer({ root: root(), name: "other", network: "backend" });
    const isolated = kernel.createContainer({ root: root(), name: "isolated", network: "none" });
    const webIp = web.net.interfaces[1].addresses[0].ip;
    expect(webIp).toMatch(/^10\.88\.0\.\d+$/);
    const server = kernel.run(net, { args: ["tcp-server", "4", "80", "2"], container: web });
    const byName = await kernel.run(net, { args: ["tcp-client", "web", "80", "by name", "4"], container: client });
    expect(lines(byName)).toEqual([`peer ${webIp}:80`, "echo by name"]);
    const byAddress = await kernel.run(net, { args: ["tcp-client", webIp, "80", "by address", "4"], container: client });
    expect(lines(byAddress)[1]).toBe("echo by address");
    const clientIp = client.net.interfaces[1].addresses[0].ip;
    expect(lines(await server)).toEqual([
      expect.stringMatching(new RegExp(`^served 7 bytes to ${clientIp.replace(/\./g, "\\.")}:\\d+$`)),
      expect.stringMatching(/^served 10 bytes to /),
    ]);
    expect(lines(await kernel.run(net, { args: ["tcp-client", "web", "80", "x"], container: other }))).toEqual(["resolve: ENOENT"]);
    expect(lines(await kernel.run(net, { args: ["tcp-client", webIp, "80", "x"], container: other }))).toEqual(["connect: ENETUNREACH"]);
    expect(lines(await kernel.run(net, { args: ["tcp-client", webIp, "80", "x"], container: isolated }))).toEqual(["connect: ENETUNREACH"]);
    // UDP between the two, by name.
    const udp = kernel.run(net, { args: ["udp-server", "4", "53", "1"], container: web });
    const reply = await kernel.run(net, { args: ["udp-client", "web", "53", "query"], container: client });
    expect(lines(reply)).toEqual([`reply QUERY from ${webIp}:53`]);
    await udp;
  });
});
