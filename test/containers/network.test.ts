// Containers on the kernel's virtual networks: by name and address on one network, none across
// networks or with --network none, -p publishing a container port on a real host port (and a taken
// port refused by name), --network host, and --host-outbound. The guest is test/net/c/net.c.
import { mkdtempSync, rmSync } from "node:fs";
import * as dgram from "node:dgram";
import * as net from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerRuntime } from "../../containers/runtime.js";
import { portsOf } from "../../containers/network-api.js";
import { buildCBytes } from "../helpers/clang.js";
import { baseLayer, makeRuntime, runIn, start } from "./helpers.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Host ports from this project's range, on 127.0.0.1 only. */
const PUBLISHED = 20200;
const TAKEN = 20201;
const HOST_MODE = 20202;
const HOST_SERVER = 20203;
const UDP_PUBLISHED = 42001;
const UDP_TAKEN = 42002;

/** Connects to 127.0.0.1:port from the host (retrying while refused, 5 s), sends `text`, half-closes, returns what came back. */
async function hostExchange(port: number, text: string): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return await new Promise<string>((resolve, reject) => {
        const socket = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
        let got = "";
        socket.on("connect", () => socket.end(text));
        socket.on("data", (c: Buffer) => (got += c.toString()));
        socket.on("end", () => resolve(got));
        socket.on("error", reject);
      });
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`no exchange on 127.0.0.1:${port}: ${String(e)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Sends datagrams to 127.0.0.1:port from the host every 50 ms until one is answered (5 s); the answer. */
async function hostDatagram(port: number, text: string): Promise<string> {
  const socket = dgram.createSocket("udp4");
  try {
    return await new Promise<string>((resolve, reject) => {
      const deadline = Date.now() + 5000;
      socket.on("message", (m) => resolve(m.toString()));
      const send = () => {
        if (Date.now() > deadline) return reject(new Error(`no answer from udp 127.0.0.1:${port}`));
        socket.send(text, port, "127.0.0.1");
        timer = setTimeout(send, 50);
      };
      let timer = setTimeout(send, 0);
      socket.on("close", () => clearTimeout(timer));
    });
  } finally {
    socket.close();
  }
}

/** The lines a container printed. */
const lines = (text: string) => text.trim().split("\n");

describe("container networks", () => {
  let work: string;
  let runtime: ContainerRuntime;
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "wasmbox-cnet-"));
    const guest = buildCBytes(path.join(HERE, "../net/c/net.c"), work);
    const layers = [await baseLayer(), [{ path: "bin/net", type: "file" as const, mode: 0o755, data: guest }]];
    runtime = await makeRuntime({ images: { net: { id: "sha256:net", config: { Env: ["PATH=/bin"], Cmd: ["/bin/sh"] }, layers } } });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("lets containers on the default bridge reach each other by name and address, with /etc/hosts", async () => {
    const server = await start(runtime, ["net", "tcp-server", "4", "80", "1"], { name: "web" }, "net");
    const client = await runIn(runtime, ["sh", "-c", "cat /etc/hosts; net tcp-client web 80 hello"], { name: "client1", hostname: "client1" }, "net");
    const out = lines(client.stdout);
    expect(out).toContain("127.0.0.1\tlocalhost");
    expect(out.some((l) => /^10\.88\.0\.\d+\tclient1$/.test(l))).toBe(true);
    expect(out.at(-2)).toMatch(/^peer 10\.88\.0\.\d+:80$/);
    expect(out.at(-1)).toBe("echo hello");
    expect((await server.done()).stdout).toMatch(/^served 5 bytes to 10\.88\.0\.\d+:\d+\n$/);
  });

  it("keeps other networks and --network none apart", async () => {
    runtime.kernel.networks.create("backend");
    const server = await start(runtime, ["net", "tcp-server", "4", "80", "1"], { name: "web2" }, "net");
    const ip = (await runIn(runtime, ["net", "tcp-client", "web2", "80", "x"], {}, "net")).stdout.match(/peer ([\d.]+):80/)![1]!;
    const other = await runIn(runtime, ["sh", "-c", `net tcp-client web2 80 x; net tcp-client ${ip} 80 x`], { network: "backend" }, "net");
    expect(lines(other.stdout)).toEqual(["resolve: ENOENT", "connect: ENETUNREACH"]);
    const none = await runIn(runtime, ["net", "tcp-client", ip, "80", "x"], { network: "none" }, "net");
    expect(lines(none.stdout)).toEqual(["connect: ENETUNREACH"]);
    await server.done();
  });

  it("publishes a container port on a host port with -p, and refuses a taken host port by name", async () => {
    const server = await start(runtime, ["net", "tcp-server", "4", "80", "1"], { publish: [`127.0.0.1:${PUBLISHED}:80`] }, "net");
    expect(await hostExchange(PUBLISHED, "from the host")).toBe("from the host");
    expect((await server.done()).stdout).toMatch(/^served 13 bytes to 127\.0\.0\.1:\d+\n$/);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(TAKEN, "127.0.0.1", resolve));
    try {
      const refused = await runIn(runtime, ["net", "tcp-server", "4", "80", "1"], { publish: [`127.0.0.1:${TAKEN}:80`] }, "net");
      expect(refused.stderr).toBe(`wasmbox: Bind for 127.0.0.1:${TAKEN} failed: port is already allocated\n`);
      expect(refused.exitCode).not.toBe(0);
    } finally {
      blocker.close();
    }
  });

  it("publishes a UDP port with -p .../udp: host datagrams come from the gateway, answers go back; port lists it", async () => {
    const server = await start(runtime, ["net", "udp-server", "4", "53", "1"], { name: "dns", publish: [`127.0.0.1:${UDP_PUBLISHED}:53/udp`] }, "net");
    expect(portsOf(runtime, "dns")).toEqual([`53/udp -> 127.0.0.1:${UDP_PUBLISHED}`]);
    expect(await hostDatagram(UDP_PUBLISHED, "over udp")).toBe("OVER UDP");
    expect((await server.done()).stdout).toMatch(/^answered 8 bytes from 10\.88\.0\.1:\d+\n$/);
    const blocker = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => blocker.bind(UDP_TAKEN, "127.0.0.1", resolve));
    try {
      const refused = await runIn(runtime, ["net", "udp-server", "4", "53", "1"], { publish: [`127.0.0.1:${UDP_TAKEN}:53/udp`] }, "net");
      expect(refused.stderr).toBe(`wasmbox: Bind for 127.0.0.1:${UDP_TAKEN} failed: port is already allocated\n`);
      expect(refused.exitCode).not.toBe(0);
    } finally {
      blocker.close();
    }
  });

  it("gives --network host the host's TCP and UDP sockets, and --host-outbound connections to host addresses", async () => {
    // NET_BIND keeps the guest's servers on the host's loopback.
    const server = await start(runtime, ["net", "tcp-server", "4", String(HOST_MODE), "1"], { network: "host", env: ["NET_BIND=127.0.0.1"] }, "net");
    expect(await hostExchange(HOST_MODE, "into host mode")).toBe("into host mode");
    await server.done();
    const udpServer = await start(runtime, ["net", "udp-server", "4", String(HOST_MODE), "1"], { network: "host", env: ["NET_BIND=127.0.0.1"] }, "net");
    expect(await hostDatagram(HOST_MODE, "udp into host mode")).toBe("UDP INTO HOST MODE");
    await udpServer.done();
    const echo = net.createServer({ allowHalfOpen: true }, (s) => s.pipe(s));
    await new Promise<void>((resolve) => echo.listen(HOST_SERVER, "127.0.0.1", resolve));
    try {
      const hostMode = await runIn(runtime, ["net", "tcp-client", "127.0.0.1", String(HOST_SERVER), "via host"], { network: "host" }, "net");
      expect(lines(hostMode.stdout)).toEqual([`peer 127.0.0.1:${HOST_SERVER}`, "echo via host"]);
      // A bridge container's 127.0.0.1 is its own loopback; the host is reached by a host address outside the kernel's networks.
      const own = await runIn(runtime, ["net", "tcp-client", "127.0.0.1", String(HOST_SERVER), "x"], { env: ["NET_NO_RETRY=1"] }, "net");
      expect(lines(own.stdout)).toEqual(["connect: ECONNREFUSED"]);
      // Without --host-outbound the gateway is no way out; with it, it is the host (host.wasmbox.internal).
      const blocked = await runIn(runtime, ["net", "tcp-client", "10.88.0.1", String(HOST_SERVER), "x"], {}, "net");
      expect(lines(blocked.stdout)).toEqual(["connect: ENETUNREACH"]);
      const outbound = await runIn(runtime, ["net", "tcp-client", "host.wasmbox.internal", String(HOST_SERVER), "out"], { hostOutbound: true }, "net");
      expect(lines(outbound.stdout)).toEqual([`peer 10.88.0.1:${HOST_SERVER}`, "echo out"]);
    } finally {
      echo.close();
    }
  });
});
