// The host's network for a component run outside containers (wasmbox run COMPONENT, wasmbox serve):
// its sockets and outgoing HTTP reach host addresses through node:net, as wasmtime's -S inherit-network.
import { hostTcpEdge, hostUdpEdge } from "../net/host.js";
import type { NetNamespace } from "../net/namespace.js";

/** Makes `ns` the host's network for outgoing traffic (--network host without host listeners). */
export function shareHostNetwork(ns: NetNamespace): void {
  ns.outbound = true;
  ns.hostMode = true;
  ns.edge = { tcp: hostTcpEdge(), udp: hostUdpEdge() };
}
