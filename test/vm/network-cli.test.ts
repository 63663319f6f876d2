// test/vm: a VM's network from the CLI against a real daemon process: -p publishing a VM port on a
// host port (hit from the test with node:http, loopback only), and network connect/disconnect of a
// running VM (a second network card plugged into it and pulled out).
import * as http from "node:http";
import { describe, expect, it } from "vitest";
import { daemonHarness, until } from "../helpers/daemon.js";

const setup = daemonHarness("wbx-vmnet");

/** Host ports from this project's range, on 127.0.0.1 only. */
const VM_PUBLISHED = 20320;

/** GET http://127.0.0.1:port/path from the host: status and body, or the error's code (ECONNRESET, ECONNREFUSED...). */
function get(port: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(`${res.statusCode} ${Buffer.concat(chunks).toString()}`));
      res.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

const WEB = "mkdir -p /www && echo hello from the vm > /www/index.html && head -c 3000000 /dev/zero > /www/big && httpd -f -p 80 -h /www";

describe("a VM's network through the CLI", () => {
  it("run --vm -p: a host connection crosses the hypervisor to the VM's httpd; port lists it; it closes with the VM", async () => {
    const { cli } = await setup();
    const run = await cli("run", "-d", "--vm", "--vm-memory", "96m", "--name", "vmweb", "-p", `127.0.0.1:${VM_PUBLISHED}:80`, "base", "sh", "-c", WEB);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect((await cli("port", "vmweb")).stdout).toBe(`80/tcp -> 127.0.0.1:${VM_PUBLISHED}\n`);
    expect((await cli("ps", "--format", "{{.Names}} {{.Ports}}")).stdout).toBe(`vmweb 127.0.0.1:${VM_PUBLISHED}->80/tcp\n`);
    // The VM may not listen yet: until then the published port resets the connection.
    expect(await until(() => get(VM_PUBLISHED, "/"), (t) => t.startsWith("200"), "the VM's httpd")).toBe("200 hello from the vm\n");
    // 3 MB: more than the relay's window, so its flow control runs under the splice.
    const big = await get(VM_PUBLISHED, "/big");
    expect(big.length).toBe("200 ".length + 3_000_000);
    expect(big.slice(4).replace(/\0/g, "")).toBe("");
    // Several connections at once.
    expect(await Promise.all([1, 2, 3, 4].map(() => get(VM_PUBLISHED, "/")))).toEqual(Array(4).fill("200 hello from the vm\n"));

    // A VM port with nobody listening: the host connection is reset.
    const quiet = await cli("run", "-d", "--vm", "--vm-memory", "96m", "--name", "vmquiet", "-p", `127.0.0.1:${VM_PUBLISHED + 1}:81`, "base", "sleep", "100");
    expect(quiet.code).toBe(0);
    expect(await get(VM_PUBLISHED + 1, "/")).toMatch(/^(ECONNRESET|socket hang up)$/);

    // A taken host port is refused by name; /udp is not published for a VM.
    const taken = await cli("run", "-d", "--vm", "--vm-memory", "96m", "-p", `127.0.0.1:${VM_PUBLISHED}:80`, "base", "true");
    expect(taken.stderr).toContain(`Bind for 127.0.0.1:${VM_PUBLISHED} failed: port is already allocated`);
    expect(taken.code).not.toBe(0);
    const udp = await cli("run", "-d", "--vm", "--vm-memory", "96m", "-p", `127.0.0.1:${VM_PUBLISHED + 2}:53/udp`, "base", "true");
    expect(udp.stderr).toBe(`wasmbox: -p ${VM_PUBLISHED + 2}:53/udp: a VM's ports are published over TCP only\n`);
    expect(udp.code).toBe(125);

    expect((await cli("rm", "-f", "vmweb", "vmquiet")).code).toBe(0);
    expect(await get(VM_PUBLISHED, "/")).toBe("ECONNREFUSED");
  });

  it("network connect plugs a card into a running VM (both ways by name), disconnect pulls it out", async () => {
    const { cli } = await setup();
    expect((await cli("network", "create", "backend")).code).toBe(0);
    const web = "mkdir -p /www && echo on the backend > /www/index.html && httpd -f -p 80 -h /www";
    expect((await cli("run", "-d", "--network", "backend", "--name", "bweb", "base", "sh", "-c", web)).code).toBe(0);
    expect((await cli("run", "-d", "--vm", "--vm-memory", "96m", "--name", "vm2", "base", "sh", "-c", "nc -l -p 7000; echo served; sleep 100")).code).toBe(0);
    const before = await cli("exec", "vm2", "wget", "-q", "-O", "-", "http://bweb/");
    expect(before.stderr).toMatch(/bad address 'bweb'/);

    const connected = await cli("network", "connect", "backend", "vm2");
    expect(connected.stderr).toBe("");
    expect(connected.code).toBe(0);
    const inspect = JSON.parse((await cli("network", "inspect", "backend")).stdout) as Array<{ Containers: Record<string, { Name: string; IPv4Address: string }> }>;
    const card = Object.values(inspect[0]!.Containers).find((c) => c.Name === "vm2");
    expect(card?.IPv4Address).toMatch(/^10\.88\.\d+\.\d+\/24$/);
    const ip = card!.IPv4Address.split("/")[0]!;
    // The guest sees a second interface with that address, and reaches the backend by name.
    expect((await cli("exec", "vm2", "sh", "-c", "ip addr | grep 'inet '")).stdout).toContain(`inet ${ip}/24 scope global eth1`);
    // Its /etc/hosts is written again: its own name has the new address too.
    expect((await cli("exec", "vm2", "cat", "/etc/hosts")).stdout).toMatch(new RegExp(`^${ip.replace(/\./g, "\\.")}\t`, "m"));
    expect((await cli("exec", "vm2", "wget", "-q", "-O", "-", "http://bweb/")).stdout).toBe("on the backend\n");
    // A container on the backend reaches the VM by name.
    expect((await cli("run", "-d", "--network", "backend", "--name", "talker", "base", "sh", "-c", "echo over the new card | nc vm2 7000")).code).toBe(0);
    expect(await until(() => cli("logs", "vm2").then((r) => r.stdout), (t) => t.includes("served"))).toBe("over the new card\nserved\n");
    expect((await cli("network", "connect", "backend", "vm2")).code).not.toBe(0);

    expect((await cli("network", "disconnect", "backend", "vm2")).code).toBe(0);
    expect((await cli("exec", "vm2", "sh", "-c", "ip addr | grep -c 'inet '")).stdout).toBe("2\n");
    expect((await cli("exec", "vm2", "cat", "/etc/hosts")).stdout).not.toContain(`${ip}\t`);
    expect((await cli("exec", "vm2", "wget", "-q", "-O", "-", "http://bweb/")).stderr).toMatch(/bad address 'bweb'/);
    const again = await cli("network", "disconnect", "backend", "vm2");
    expect(again.stderr).toMatch(/is not connected to network backend/);
    expect((await cli("rm", "-f", "vm2", "bweb", "talker")).code).toBe(0);
  });
});
