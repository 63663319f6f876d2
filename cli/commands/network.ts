// cli/commands: `network create|ls|inspect|rm|connect|disconnect` and `port CONTAINER`, in docker's
// names and formats, through the daemon (containers/network-api.ts). Thin: parse, one call, print.
import { mkdirSync } from "node:fs";
import type { Command } from "commander";
import { connectDaemon, DaemonError, type DaemonClient } from "../../containers/client.js";
import type { NetworkSummary } from "../../containers/network-api.js";
import { formatTable } from "../../images/format.js";
import { wasmboxHome } from "../../images/store.js";
import { CliExit, type CliIo } from "../io.js";

function daemon(io: CliIo): Promise<DaemonClient> {
  const home = wasmboxHome(io.env);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  return connectDaemon(home, io.env);
}

const enc = encodeURIComponent;

/** Runs a command's work; a daemon refusal is docker's "Error response from daemon", exit 1. */
async function guarded(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (e) {
    if (e instanceof DaemonError) throw new CliExit(1, `Error response from daemon: ${e.message}`);
    throw e;
  }
}

export function registerNetworkCommands(program: Command, io: CliIo): void {
  const network = program.command("network").description("manage the virtual networks containers join (they exist only inside the kernel)");
  network.command("create <name>").description("create a network (its own 10.88.N.0/24 and fd00:88:0:N::/64)")
    .action((name: string) => guarded(async () => {
      const { Id } = await (await daemon(io)).json<{ Id: string }>("POST", "/networks/create", { json: { Name: name } });
      io.stdout(Id + "\n");
    }));
  const list = (opts: { quiet?: boolean }) => guarded(async () => {
    const all = await (await daemon(io)).json<NetworkSummary[]>("GET", "/networks");
    if (opts.quiet) return io.stdout(all.map((n) => n.Id.slice(0, 12) + "\n").join(""));
    io.stdout(formatTable(["NETWORK ID", "NAME", "DRIVER", "SUBNET", "CONTAINERS"], all.map((n) => [
      n.Id.slice(0, 12), n.Name, n.Driver, n.IPAM.Config[0]?.Subnet ?? "", String(Object.keys(n.Containers).length),
    ])));
  });
  network.command("ls").alias("list").description("list networks").option("-q, --quiet", "only ids").action(list);
  network.command("inspect <network...>").description("a network as JSON: subnets, gateway, containers and their addresses")
    .action((refs: string[]) => guarded(async () => {
      const client = await daemon(io);
      const found = [];
      for (const ref of refs) found.push(await client.json<NetworkSummary>("GET", `/networks/${enc(ref)}`));
      io.stdout(JSON.stringify(found, null, 2) + "\n");
    }));
  network.command("rm <network...>").alias("remove").description("remove networks (none may have containers)")
    .action((refs: string[]) => guarded(async () => {
      const client = await daemon(io);
      for (const ref of refs) {
        await client.json("DELETE", `/networks/${enc(ref)}`);
        io.stdout(ref + "\n");
      }
    }));
  network.command("connect <network> <container>").description("connect a running container to a network")
    .action((net: string, container: string) => guarded(async () => {
      await (await daemon(io)).json("POST", `/networks/${enc(net)}/connect`, { json: { Container: container } });
    }));
  network.command("disconnect <network> <container>").description("disconnect a running container from a network")
    .action((net: string, container: string) => guarded(async () => {
      await (await daemon(io)).json("POST", `/networks/${enc(net)}/disconnect`, { json: { Container: container } });
    }));
  program.command("port <container>").description("list a running container's published ports (CONTAINERPORT/PROTO -> HOSTIP:HOSTPORT)")
    .action((ref: string) => guarded(async () => {
      const lines = await (await daemon(io)).json<string[]>("GET", `/containers/${enc(ref)}/port`);
      io.stdout(lines.map((l) => l + "\n").join(""));
    }));
}
