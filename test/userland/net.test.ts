// The network utilities of the userland (busybox names and flags) in containers on one kernel:
// httpd answering a real host client through -p (keep-alive, directory index, 404), wget, nc over
// TCP and UDP between two containers by name, ip addr and hostname -i.
import * as http from "node:http";
import { describe, expect, it } from "vitest";
import { makeRuntime, runIn, sh, start } from "../containers/helpers.js";
import { freePort } from "../helpers/free-port.js";

/** GETs paths over one keep-alive connection from the host (retrying the first while refused, 5 s). */
async function hostGets(port: number, paths: string[]): Promise<Array<{ status: number; type: string; body: string; socket: unknown }>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const deadline = Date.now() + 5000;
  const out: Array<{ status: number; type: string; body: string; socket: unknown }> = [];
  try {
    for (const path of paths) {
      for (;;) {
        try {
          out.push(await new Promise((resolve, reject) => {
            http.get({ host: "127.0.0.1", port, path, agent }, (res) => {
              let body = "";
              res.on("data", (c: Buffer) => (body += c.toString()));
              res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body, socket: res.socket }));
            }).on("error", reject);
          }));
          break;
        } catch (e) {
          if (out.length > 0 || Date.now() > deadline) throw new Error(`GET ${path} on 127.0.0.1:${port} failed: ${String(e)}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
  } finally {
    agent.destroy();
  }
  return out;
}

describe("network utilities", () => {
  it("httpd serves files, a directory index and 404s to a host client through -p, keeping the connection alive", async () => {
    const runtime = await makeRuntime();
    const site = "mkdir -p /srv/docs && echo '<h1>home</h1>' > /srv/index.html && echo 'a note' > /srv/docs/note.txt && echo x > /srv/docs/b.css";
    const hostPort = await freePort();
    const server = await start(runtime, sh(`${site} && exec httpd -f -p 80 -h /srv`), { publish: [`127.0.0.1:${hostPort}:80`] });
    const [home, note, index, missing] = await hostGets(hostPort, ["/", "/docs/note.txt", "/docs/", "/nope"]);
    expect(home).toMatchObject({ status: 200, type: "text/html", body: "<h1>home</h1>\n" });
    expect(note).toMatchObject({ status: 200, type: "text/plain", body: "a note\n" });
    expect(index.status).toBe(200);
    expect(index.body).toContain('<A HREF="b.css">b.css</A>');
    expect(index.body).toContain('<A HREF="note.txt">note.txt</A>');
    expect(missing.status).toBe(404);
    // All four went over one TCP connection (HTTP/1.1 keep-alive).
    expect(new Set([home.socket, note.socket, index.socket, missing.socket]).size).toBe(1);
    runtime.kill(server.record.spec.id);
    await server.done();
  });

  it("wget fetches from an httpd container by name; nc talks TCP and UDP between containers by name", async () => {
    const runtime = await makeRuntime();
    const web = await start(runtime, sh("mkdir /www && echo served > /www/f.txt && exec httpd -f -p 8080 -h /www"), { name: "web" });
    const fetched = await runIn(runtime, sh("until wget -q -O - http://web:8080/f.txt 2>/dev/null; do sleep 0.05; done; wget -q -O - http://web:8080/none || echo status $?"));
    expect(fetched.stdout).toBe("served\nstatus 1\n");
    expect(fetched.stderr).toBe("wget: server returned error: HTTP/1.1 404 Not Found\n");
    runtime.kill(web.record.spec.id);
    await web.done();

    const tcp = await start(runtime, ["nc", "-l", "-p", "9000"], { name: "listener" });
    const sent = await runIn(runtime, sh("until echo over tcp | nc listener 9000 2>/dev/null; do sleep 0.05; done"));
    expect(sent.exitCode).toBe(0);
    const heard = await tcp.done();
    expect({ stdout: heard.stdout, stderr: heard.stderr }).toEqual({ stdout: "over tcp\n", stderr: "" });

    const udp = await start(runtime, ["nc", "-u", "-l", "-p", "9001"], { name: "udp-listener" });
    const client = await start(runtime, sh("while true; do echo over udp | nc -u udp-listener 9001; sleep 0.05; done"));
    const deadline = Date.now() + 5000;
    while (!udp.out.stdout.includes("over udp")) {
      if (Date.now() > deadline) throw new Error("no datagram reached the UDP listener");
      await new Promise((r) => setTimeout(r, 20));
    }
    runtime.kill(udp.record.spec.id);
    runtime.kill(client.record.spec.id);
    await Promise.all([udp.done(), client.done()]);
  });

  it("ip addr and hostname -i show the container's addresses", async () => {
    const runtime = await makeRuntime();
    const r = await runIn(runtime, sh("ip addr; hostname -i"), { hostname: "box" });
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000");
    expect(lines).toContain("    inet 127.0.0.1/8 scope host lo");
    const eth = lines.find((l) => l.startsWith("    inet 10.88."));
    expect(eth).toMatch(/^    inet 10\.88\.0\.\d+\/24 scope global eth0$/);
    const ip = /inet (10\.88\.0\.\d+)\//.exec(eth!)![1];
    expect(lines.at(-1)).toMatch(new RegExp(`^${ip!.replace(/\./g, "\\.")} fd00:88::[0-9a-f]+$`));
    const none = await runIn(runtime, sh("ip addr | grep -c inet"), { network: "none" });
    expect(none.stdout).toBe("2\n");
  });
});
