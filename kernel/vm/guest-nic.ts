// A VM's virtual network card, guest side: the guest kernel's namespace gets an interface with the
// address the host gave it, on a mirror of the host's network whose other members all stand for the
// relay to the hypervisor (nic.ts); names resolve as the host's network has them.
import { Errno } from "../errno.js";
import { FsApi } from "../fs-api.js";
import type { Container } from "../jail/container.js";
import type { Kernel } from "../kernel.js";
import { isLoopback, type SockAddr } from "../net/address.js";
import { NetNamespace, VirtualNetwork } from "../net/namespace.js";
import { MemFs } from "../vfs/memory.js";
import { MountNamespace } from "../vfs/namespace.js";
import { acceptRelayed, deliverRelayed, NetRelay, type NetMessage, type RelayPost, type RelayRouter } from "../net/relay.js";
import type { GuestNetConfig } from "./protocol.js";

export class GuestNic implements RelayRouter {
  private readonly relay: NetRelay;
  /** Everything on the network beyond this VM, reached through the relay. */
  private readonly beyond = new NetNamespace("bridge");
  private readonly mirror: VirtualNetwork;

  /** Puts `ns` (the guest's namespace) on the network `config` describes; `post` reaches the host's relay. */
  constructor(private readonly kernel: Kernel, private readonly ns: NetNamespace, config: GuestNetConfig, post: RelayPost) {
    this.relay = new NetRelay(post, 1, this);
    this.beyond.remote = this.relay;
    const { name, subnet4, subnet6, id } = config.network;
    this.mirror = new VirtualNetwork(name, subnet4, subnet6, id);
    this.mirror.connect(ns, [], config.host);
    this.apply(config);
  }

  /**
   * Mounts /etc/hosts as the network gives it over the image's file, as the container runtime does
   * for containers (the VM's disk keeps the image's bytes). Returns what writes it again (after a
   * card is plugged in or pulled out: the VM's own name then has another set of addresses).
   */
  mountHostsFile(container: Container): () => void {
    const files = new MemFs(this.kernel.allocDev());
    const filesApi = new FsApi(new MountNamespace(files.root));
    filesApi.writeFile("/hosts", this.ns.hostsFile());
    const api = new FsApi(container.ns);
    const file = files.root.lookup("hosts");
    if (file) container.ns.mount(api.lookup("/etc/hosts"), file, "/etc/hosts", "network");
    return () => filesApi.writeFile("/hosts", this.ns.hostsFile());
  }

  /** Takes the host's current view of the network: its members and names. */
  apply(config: GuestNetConfig): void {
    const mirror = this.mirror;
    for (const [ip, member] of mirror.members) if (member === this.beyond) mirror.members.delete(ip);
    for (const ip of config.members) if (!this.ns.hasAddress(ip)) mirror.members.set(ip, this.beyond);
    mirror.names.clear();
    for (const [name, ips] of config.names) mirror.names.set(name, ips);
  }

  /** The card is pulled out: the guest's interface on the network goes and its connections across it are reset. */
  detach(): void {
    this.mirror.disconnect(this.ns);
    this.relay.close();
  }

  receive(message: NetMessage): void {
    this.relay.receive(message);
  }

  /** Whether `ip` is this VM's own address on the network (the only one the host relays to). */
  private ours(ip: string): boolean {
    return !isLoopback(ip) && this.ns.hasAddress(ip);
  }

  connect(relay: NetRelay, id: number, from: SockAddr, to: SockAddr, window: number): void {
    if (!this.ours(to.ip)) relay.refuse(id, Errno.NETUNREACH);
    else acceptRelayed(this.ns, relay, id, from, to, window, () => this.kernel.allocIno());
  }

  datagram(_relay: NetRelay, from: SockAddr, to: SockAddr, data: Uint8Array): void {
    if (this.ours(to.ip)) deliverRelayed(this.ns, from, to, data);
  }
}
