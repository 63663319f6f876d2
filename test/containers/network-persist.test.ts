// User networks outlive the daemon: network create, the daemon stops, a new daemon on the same home
// lists the network with its id and subnet, and a container made for it before joins it on start.
import { describe, expect, it } from "vitest";
import { DaemonClient } from "../../containers/client.js";
import { startDaemon } from "../../containers/daemon.js";
import type { NetworkSummary } from "../../containers/network-api.js";
import { specFromOptions } from "../../containers/options.js";
import { buildShippedImages } from "../../images/build-shipped.js";
import { tempDir } from "./helpers.js";

describe("user networks across daemon restarts", () => {
  it("keeps created networks (not removed ones), with their ids and subnets; containers join them again on start", async () => {
    const home = await tempDir("wbx-netkeep-");
    await buildShippedImages({ home, write: () => undefined });
    const first = await startDaemon({ home, log: () => undefined });
    let client = new DaemonClient(first.socketPath);
    const { Id } = await client.json<{ Id: string }>("POST", "/networks/create", { json: { Name: "backend" } });
    await client.json("POST", "/networks/create", { json: { Name: "scratch" } });
    await client.json("DELETE", "/networks/scratch");
    const syscallNames = first.runtime.kernel.syscalls.map((s) => s.name);
    const spec = specFromOptions({ network: "backend", name: "member" }, { cwd: "/", env: {}, syscallNames });
    const { spec: { id } } = await first.runtime.create({ ...spec, image: "base", command: ["hostname", "-i"] });
    await first.close();

    const second = await startDaemon({ home, log: () => undefined });
    try {
      client = new DaemonClient(second.socketPath);
      const networks = await client.json<NetworkSummary[]>("GET", "/networks");
      expect(networks.map((n) => [n.Name, n.IPAM.Config[0]?.Subnet])).toEqual([["bridge", "10.88.0.0/24"], ["backend", "10.88.1.0/24"]]);
      expect(networks[1]!.Id).toBe(Id);
      let out = "";
      await second.runtime.start(id, { onStdout: (c) => void (out += Buffer.from(c).toString()) });
      expect(await second.runtime.wait(id)).toBe(0);
      expect(out).toMatch(/^10\.88\.1\.\d+\b/);
      // A network made after the restart takes the next free subnet, not the kept one's.
      await client.json("POST", "/networks/create", { json: { Name: "later" } });
      expect((await client.json<NetworkSummary>("GET", "/networks/later")).IPAM.Config[0]?.Subnet).toBe("10.88.2.0/24");
    } finally {
      await second.close();
    }
  });
});
