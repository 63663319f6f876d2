// The network calls of the runtime, as the daemon serves them (docker's API shapes): networks
// create/ls/inspect/rm, connect/disconnect of a running container, and a container's published ports.
import { attachVmNetwork, DEFAULT_NETWORK, Errno, SysError, type VirtualNetwork } from "../kernel/host.js";
import { ContainerInstance, VmInstance } from "./instance.js";
import { describeMapping, type PortMapping } from "./network.js";
import { saveNetworks } from "./network-store.js";
import { RuntimeError, type ContainerRecord, type ContainerRuntime } from "./runtime.js";

/** A network as `network ls` and `network inspect` show it. */
export interface NetworkSummary {
  Name: string;
  Id: string;
  Created: string;
  Driver: "bridge";
  IPAM: { Config: Array<{ Subnet: string; Gateway?: string }> };
  Containers: Record<string, { Name: string; IPv4Address: string; IPv6Address: string }>;
}

/** Runs a kernel network call, turning its errnos into the daemon's HTTP statuses. */
function call<T>(work: () => T): T {
  try {
    return work();
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
    const status = e.errno === Errno.NOENT ? 404 : e.errno === Errno.EXIST || e.errno === Errno.BUSY || e.errno === Errno.ISCONN ? 409 : e.errno === Errno.PERM ? 403 : 400;
    throw new RuntimeError(e.message.replace(/^[A-Z]+: /, ""), status);
  }
}

/** The interface a running container (or a VM's card) has on `network`; undefined when none. */
function interfaceOn(record: ContainerRecord, network: VirtualNetwork) {
  const live = record.live;
  return live instanceof ContainerInstance ? live.container.net.interfaces.find((i) => i.network === network)
    : live instanceof VmInstance ? live.guest.networks.map((card) => card.interfaceOn(network)).find((i) => i) : undefined;
}

/**
 * docker inspect's NetworkSettings of a container: per network it is on (while it runs) its
 * addresses and gateway; IPAddress and Gateway at the top are the default bridge's, as docker's.
 */
export function networkSettingsOf(runtime: ContainerRuntime, record: ContainerRecord): Record<string, unknown> {
  const networks: Record<string, Record<string, unknown>> = {};
  for (const network of runtime.kernel.networks.list()) {
    const iface = interfaceOn(record, network);
    if (!iface) continue;
    const [v4, v6] = iface.addresses;
    networks[network.name] = {
      NetworkID: network.id, IPAddress: v4.ip, IPPrefixLen: v4.prefix, Gateway: network.gateway ?? "",
      GlobalIPv6Address: v6?.ip ?? "", GlobalIPv6PrefixLen: v6?.prefix ?? 0,
    };
  }
  const bridge = networks[DEFAULT_NETWORK];
  return { IPAddress: bridge?.IPAddress ?? "", Gateway: bridge?.Gateway ?? "", Networks: networks };
}

function summary(runtime: ContainerRuntime, network: VirtualNetwork): NetworkSummary {
  const containers: NetworkSummary["Containers"] = {};
  for (const record of runtime.list(true)) {
    const iface = interfaceOn(record, network);
    if (!iface) continue;
    const [v4, v6] = iface.addresses;
    containers[record.spec.id] = { Name: record.spec.name, IPv4Address: `${v4.ip}/${v4.prefix}`, IPv6Address: v6 ? `${v6.ip}/${v6.prefix}` : "" };
  }
  return {
    Name: network.name, Id: network.id, Created: network.created, Driver: "bridge",
    IPAM: { Config: [{ Subnet: network.cidr4, Gateway: network.gateway }, { Subnet: network.cidr6 }] },
    Containers: containers,
  };
}

export function listNetworks(runtime: ContainerRuntime): NetworkSummary[] {
  return runtime.kernel.networks.list().map((n) => summary(runtime, n));
}

export function createNetwork(runtime: ContainerRuntime, name: unknown): { Id: string } {
  if (typeof name !== "string" || name === "") throw new RuntimeError("a network needs a Name");
  const { id } = call(() => runtime.kernel.networks.create(name));
  saveNetworks(runtime);
  return { Id: id };
}

export function inspectNetwork(runtime: ContainerRuntime, ref: string): NetworkSummary {
  return summary(runtime, call(() => runtime.kernel.networks.get(ref)));
}

export function removeNetwork(runtime: ContainerRuntime, ref: string): void {
  call(() => runtime.kernel.networks.remove(ref));
  saveNetworks(runtime);
}

/** A running container record's instance (409 when it is not running). */
function liveInstance(runtime: ContainerRuntime, ref: string) {
  const record = runtime.find(ref);
  const live = record.live;
  if (!live) throw new RuntimeError(`container ${record.spec.name} is not running`, 409);
  return { record, live };
}

/**
 * Joins a running container to a network (its name and hostname resolve there); a running VM gets
 * another network card on it, plugged in through the hypervisor.
 */
export function connectNetwork(runtime: ContainerRuntime, network: string, ref: unknown): void {
  if (typeof ref !== "string") throw new RuntimeError("connect needs a Container");
  const { record, live } = liveInstance(runtime, ref);
  if (live instanceof VmInstance) {
    const net = call(() => runtime.kernel.networks.get(network));
    if (live.guest.networks.some((card) => card.interfaceOn(net))) throw new RuntimeError(`endpoint with name ${record.spec.name} already exists in network ${net.name}`, 409);
    live.guest.attachNetwork(call(() => attachVmNetwork(runtime.kernel, net.name, [record.spec.name, record.spec.hostname])));
    return;
  }
  if (!(live instanceof ContainerInstance)) throw new RuntimeError(`${record.spec.name} cannot join a network while it runs`, 501);
  const container = live.container;
  call(() => runtime.kernel.networks.connect(container.net, network, [container.name, container.hostname]));
  record.network?.rewriteNameFiles?.();
}

/** Takes a running container (or a running VM's card) off a network. */
export function disconnectNetwork(runtime: ContainerRuntime, network: string, ref: unknown): void {
  if (typeof ref !== "string") throw new RuntimeError("disconnect needs a Container");
  const { record, live } = liveInstance(runtime, ref);
  const net = call(() => runtime.kernel.networks.get(network));
  if (live instanceof VmInstance) {
    const card = live.guest.networks.find((c) => c.interfaceOn(net));
    if (!card) throw new RuntimeError(`container ${record.spec.name} is not connected to network ${net.name}`, 409);
    live.guest.detachNetwork(card);
    return;
  }
  if (!(live instanceof ContainerInstance)) throw new RuntimeError(`${record.spec.name} cannot leave a network while it runs`, 501);
  const container = live.container;
  if (!container.net.networks().includes(net)) throw new RuntimeError(`container ${container.name} is not connected to network ${net.name}`, 409);
  net.disconnect(container.net);
  record.network?.rewriteNameFiles?.();
}

/** A container's published ports, as `docker port` prints them (the bound host ports while it runs). */
export function portsOf(runtime: ContainerRuntime, ref: string): string[] {
  const record = runtime.find(ref);
  const mappings: PortMapping[] = record.live ? record.network?.published ?? [] : [];
  return mappings.map(describeMapping);
}
