// A VM's virtual network card, host side: the VM stands on a host network as a namespace whose
// traffic crosses a relay to the guest kernel; what the guest sends is routed here, to containers
// of the host kernel or on to another VM (spliced). The guest side is guest-nic.ts.
import { Errno, SysError } from "../errno.js";
import type { Kernel } from "../kernel.js";
import type { SockAddr } from "../net/address.js";
import { NetNamespace, type NetInterface, type VirtualNetwork } from "../net/namespace.js";
import { acceptRelayed, deliverRelayed, NetRelay, type NetMessage, type RelayPost, type RelayRouter } from "../net/relay.js";
import { SockStatus } from "../net/socket.js";
import { spliceSockets } from "../net/splice.js";
import { TcpSocket } from "../net/tcp.js";
import type { GuestNetConfig } from "./protocol.js";

/** The gateway ports a published port's connections come from, as the guest sees them (below Linux's ephemeral range). */
const FIRST_GATEWAY_PORT = 20000;
const LAST_GATEWAY_PORT = 32767;

/** What the hypervisor needs of a VM's network card. */
export interface VmNetwork {
  /** What the guest boots with (its network, address and the names it resolves). */
  readonly config: GuestNetConfig;
  /** Starts relaying: `post` reaches the guest's relay, `update` sends it a new view of the network. */
  start(post: RelayPost, update: (config: GuestNetConfig) => void): void;
  /** A message from the guest's relay. */
  receive(message: NetMessage): void;
  /** The VM ended: it leaves the network and its connections are reset. */
  detach(): void;
  /** Its interface on `network` (for `network inspect`), if it is on it. */
  interfaceOn(network: VirtualNetwork): NetInterface | undefined;
  /**
   * Carries `conn` (a host connection to a port published with -p) to `port` on the VM's address,
   * as from the network's gateway; nobody listening there: `conn` is reset.
   */
  forward(conn: TcpSocket, port: number): void;
  /** The VM as the host's network sees it (its host-side sockets, such as -p listeners, live here). */
  readonly namespace: NetNamespace;
}

/**
 * Puts a VM on the host kernel's network `networkName` under `names` (its name and hostname): it
 * gets the next free address there, as a container would. ENOENT: no such network.
 */
export function attachVmNetwork(kernel: Kernel, networkName: string, names: string[]): VmNetwork {
  return new VmNic(kernel, kernel.networks.get(networkName), names);
}

class VmNic implements VmNetwork, RelayRouter {
  /** The VM as the host's networks see it. */
  private readonly ns: NetNamespace;
  private readonly relay: NetRelay;
  private post?: RelayPost;
  private update?: (config: GuestNetConfig) => void;
  private updateQueued = false;
  private nextGatewayPort = FIRST_GATEWAY_PORT;
  private readonly watch = (): void => this.scheduleUpdate();
  readonly config: GuestNetConfig;

  get namespace(): NetNamespace {
    return this.ns;
  }

  constructor(private readonly kernel: Kernel, private readonly network: VirtualNetwork, names: string[]) {
    this.relay = new NetRelay((message, transfer) => this.post?.(message, transfer), 0, this);
    this.ns = new NetNamespace(names[0] ?? "vm");
    this.ns.remote = this.relay;
    const iface = network.connect(this.ns, names);
    const host = Number(iface.addresses[0].ip.split(".")[3]);
    this.config = { ...this.snapshot(), host };
    network.watchers.add(this.watch);
  }

  /** The network as the guest is to see it now. */
  private snapshot(): Omit<GuestNetConfig, "host"> {
    const own = new Set(this.ns.addresses());
    const n = this.network;
    return {
      network: { name: n.name, id: n.id, subnet4: n.subnet4, subnet6: n.subnet6 },
      names: [...n.names.entries()],
      members: [...n.members.keys()].filter((ip) => !own.has(ip)),
    };
  }

  private scheduleUpdate(): void {
    if (this.updateQueued) return;
    this.updateQueued = true;
    queueMicrotask(() => {
      this.updateQueued = false;
      this.update?.({ ...this.snapshot(), host: this.config.host });
    });
  }

  start(post: RelayPost, update: (config: GuestNetConfig) => void): void {
    this.post = post;
    this.update = update;
  }

  receive(message: NetMessage): void {
    this.relay.receive(message);
  }

  /** Where traffic from the VM to `ip` goes: a namespace of this kernel, another VM's, or an errno. */
  private target(ip: string): NetNamespace | Errno {
    try {
      const target = this.ns.route(ip);
      return target === "host" || target === this.ns ? Errno.NETUNREACH : target;
    } catch (e) {
      return e instanceof SysError ? e.errno : Errno.NETUNREACH;
    }
  }

  connect(relay: NetRelay, id: number, from: SockAddr, to: SockAddr, window: number): void {
    const target = this.target(to.ip);
    if (!(target instanceof NetNamespace)) relay.refuse(id, target);
    else if (target.remote) relay.splice(id, target.remote, from, to, window);
    else acceptRelayed(target, relay, id, from, to, window, () => this.kernel.allocIno());
  }

  datagram(_relay: NetRelay, from: SockAddr, to: SockAddr, data: Uint8Array): void {
    const target = this.target(to.ip);
    if (!(target instanceof NetNamespace)) return;
    if (target.remote) target.remote.datagram(from, to, data);
    else deliverRelayed(target, from, to, data);
  }

  forward(conn: TcpSocket, port: number): void {
    const own = this.interfaceOn(this.network)?.addresses[0];
    if (!own) {
      conn.abort();
      return;
    }
    const sock = new TcpSocket(this.ns, 4, this.kernel.allocIno(), () => this.kernel.allocIno());
    const from = this.nextGatewayPort;
    this.nextGatewayPort = from === LAST_GATEWAY_PORT ? FIRST_GATEWAY_PORT : from + 1;
    sock.local = { family: 4, ip: this.network.gateway, port: from };
    sock.peer = { family: 4, ip: own.ip, port };
    sock.state = "connecting";
    this.relay.connect(sock, sock.peer);
    const settled = (): void => {
      if (sock.state === "connected") spliceSockets(conn, sock);
      else if (sock.status() === SockStatus.FAILED) {
        conn.abort();
        sock.release();
      } else sock.events.subscribe(settled);
    };
    settled();
  }

  interfaceOn(network: VirtualNetwork): NetInterface | undefined {
    return this.ns.interfaces.find((i) => i.network === network);
  }

  detach(): void {
    this.network.watchers.delete(this.watch);
    this.network.disconnect(this.ns);
    this.relay.close();
    this.update = undefined;
  }
}
