// `wasmbox run --tcplisten HOST:PORT MODULE`: an unmodified preview1 server (wasi-libc's accept on
// the preopened fd 3) answers real host HTTP clients; a taken port or a bad address is one line, exit 2.
import { mkdtempSync, rmSync } from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/index.js";
import { buildC } from "../helpers/clang.js";
import { freePort } from "../helpers/free-port.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));

async function cli(args: string[], cwd: string) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (s) => (stdout += typeof s === "string" ? s : Buffer.from(s).toString()),
    stderr: (s) => (stderr += typeof s === "string" ? s : Buffer.from(s).toString()),
    env: { WASMBOX_HOME: path.join(cwd, "home") }, cwd,
  });
  return { code, stdout, stderr };
}

/** GET http://127.0.0.1:PORT/PATH from the host, retrying while the port is not open yet (5 s deadline). */
async function get(port: number, urlPath: string): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return await new Promise<string>((resolve, reject) => {
        http.get({ host: "127.0.0.1", port, path: urlPath, agent: false }, (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve(`${res.statusCode} ${body}`));
        }).on("error", reject);
      });
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`no answer on 127.0.0.1:${port}: ${String(e)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe("wasmbox run --tcplisten", () => {
  let work: string;
  let server: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "wasmbox-tcplisten-"));
    server = buildC(path.join(HERE, "c", "preview1_server.c"), work);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("preopens a host listening socket as fd 3 for a preview1 server that accepts on it", async () => {
    const port = await freePort();
    const run = cli(["run", "--tcplisten", `127.0.0.1:${port}`, server, "2"], work);
    expect(await get(port, "/first")).toBe("200 request 1: GET /first HTTP/1.1\n");
    expect(await get(port, "/second")).toBe("200 request 2: GET /second HTTP/1.1\n");
    expect(await run).toEqual({ code: 0, stdout: "served 2\n", stderr: "" });
    // The guest ended: its listening socket is closed on the host.
    await expect(new Promise((resolve, reject) => net.connect(port, "127.0.0.1").on("connect", resolve).on("error", (e) => reject(e))))
      .rejects.toThrow(/ECONNREFUSED/);
  });

  it("refuses a port already taken and an address that is not HOST:PORT, by name", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const takenPort = (blocker.address() as net.AddressInfo).port;
    try {
      expect(await cli(["run", "--tcplisten", `127.0.0.1:${takenPort}`, server], work))
        .toEqual({ code: 2, stdout: "", stderr: `wasmbox: --tcplisten 127.0.0.1:${takenPort}: address already in use\n` });
    } finally {
      blocker.close();
    }
    expect(await cli(["run", "--tcplisten", "localhost", server], work))
      .toEqual({ code: 2, stdout: "", stderr: "wasmbox: --tcplisten localhost: expected HOST:PORT with an IP address (127.0.0.1:8080, [::1]:8080)\n" });
  });
});
