// Network namespaces and virtual networks: each namespace has a loopback and, per network it joins,
// an interface with an address from that network's private subnet. No packet exists: a network is a
// map from addresses to namespaces, and a namespace holds the port tables its sockets bind in.
import { Errno, SysError } from "../errno.js";
import type { NetRelay } from "./relay.js";
import type { TcpHostEdge } from "./tcp.js";
import type { UdpHostEdge } from "./udp.js";
import { anyAddress, canonicalIp, familyOf, isAny, isLoopback, LOOPBACK4, LOOPBACK6, type Family, type SockAddr } from "./address.js";

/** What holds a port in a namespace's table (a TCP socket or a UDP socket). */
export interface PortHolder {
  readonly reuseAddr: boolean;
  /** Whether it accepts connections (a listening TCP socket): never shared, even with SO_REUSEADDR. */
  readonly listening: boolean;
}

/**
 * A port table: what holds each port, by port number and then address ("0.0.0.0" and "::" for the
 * wildcards). Keyed by number first, so that a bind looks only at its own port's holders and a
 * connect's ephemeral port costs no string.
 */
export class PortTable {
  /**
   * Port -> its holders as a flat list: address, holder, address, holder... A port's list stays when
   * it empties, so that the next use of the port (every connect takes an ephemeral one) allocates nothing.
   */
  private readonly byPort = new Map<number, Array<string | PortHolder>>();

  /** The holders of `port` as [address, holder] pairs. */
  *at(port: number): Generator<[string, PortHolder]> {
    const list = this.byPort.get(port);
    if (!list) return;
    for (let i = 0; i < list.length; i += 2) yield [list[i] as string, list[i + 1] as PortHolder];
  }

  get(ip: string, port: number): PortHolder | undefined {
    const list = this.byPort.get(port);
    if (!list) return undefined;
    for (let i = 0; i < list.length; i += 2) if (list[i] === ip) return list[i + 1] as PortHolder;
    return undefined;
  }

  /** Makes `holder` the holder of `ip`:`port` (replacing one there). */
  set(ip: string, port: number, holder: PortHolder): void {
    const list = this.byPort.get(port);
    if (!list) {
      this.byPort.set(port, [ip, holder]);
      return;
    }
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] !== ip) continue;
      list[i + 1] = holder;
      return;
    }
    list.push(ip, holder);
  }

  /** Forgets `ip`:`port` (only if `holder` still holds it). */
  delete(ip: string, port: number, holder: PortHolder): void {
    const list = this.byPort.get(port);
    if (!list) return;
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] !== ip || list[i + 1] !== holder) continue;
      if (list.length === 2) list.length = 0;
      else list.splice(i, 2);
      return;
    }
  }

  /** Whether anything holds `port`. */
  taken(port: number): boolean {
    return (this.byPort.get(port)?.length ?? 0) > 0;
  }
}

/** One address of an interface, with its prefix length. */
export interface InterfaceAddress {
  ip: string;
  prefix: number;
}

/** A network interface as `ip addr` shows it. */
export interface NetInterface {
  name: string;
  addresses: InterfaceAddress[];
  /** The network it is on (none for loopback). */
  network?: VirtualNetwork;
}

/** How a namespace's sockets reach the host (node:net, node:dgram), when they may. */
export interface HostEdge {
  tcp: TcpHostEdge;
  udp?: UdpHostEdge;
}

/** The first and last ephemeral ports (Linux's ip_local_port_range). */
const EPHEMERAL_FIRST = 32768;
const EPHEMERAL_LAST = 60999;

/** A network namespace: interfaces, port tables, names. */
export class NetNamespace {
  readonly interfaces: NetInterface[] = [{ name: "lo", addresses: [{ ip: LOOPBACK4, prefix: 8 }, { ip: LOOPBACK6, prefix: 128 }] }];
  readonly tcpPorts = new PortTable();
  readonly udpPorts = new PortTable();
  /** Names this namespace resolves beyond its networks' members (docker's --add-host). */
  readonly extraHosts = new Map<string, string[]>();
  private nextEphemeral = EPHEMERAL_FIRST;
  /** The way out to the host: set for --network host and for outbound access (see `outbound`). */
  edge?: HostEdge;
  /** --network host: every address is the host's (its loopback too); sockets go through the edge. */
  hostMode = false;
  /**
   * Set when this namespace stands for one in another kernel (a VM's, or the host's bridge seen from
   * a VM): connections and datagrams to it cross this relay instead of its port tables.
   */
  remote?: NetRelay;
  /**
   * Datagrams to these addresses ("ip port") leave through the given function instead of being
   * routed: the replies of a -p .../udp mapping, to host peers it stands in for.
   */
  readonly udpNat = new Map<string, (data: Uint8Array) => void>();

  /**
   * `hostname`: the name it answers to itself. `outbound`: whether connections to addresses that no
   * network of the kernel holds go to the host (through node:net), as a NAT would.
   */
  constructor(public hostname = "localhost", public outbound = false) {}

  /** Every address of every interface. */
  addresses(): string[] {
    return this.interfaces.flatMap((i) => i.addresses.map((a) => a.ip));
  }

  /** Whether `ip` is one of its own addresses (or a loopback one). */
  hasAddress(ip: string): boolean {
    if (isLoopback(ip)) return true;
    // Loops, not closures: this is on every connect.
    for (const iface of this.interfaces) {
      for (const a of iface.addresses) if (a.ip === ip) return true;
    }
    return false;
  }

  /** The networks it is on. */
  networks(): VirtualNetwork[] {
    return this.interfaces.flatMap((i) => (i.network ? [i.network] : []));
  }

  /** The namespace on one of its networks that has `ip`, if any. */
  private memberAt(ip: string): NetNamespace | undefined {
    for (const iface of this.interfaces) {
      const member = iface.network?.members.get(ip);
      if (member) return member;
    }
    return undefined;
  }

  /**
   * Where a packet to `ip` goes: this namespace, another on a shared network, or "host" (outside the
   * kernel, when outbound is allowed). ENETUNREACH otherwise.
   */
  route(ip: string): NetNamespace | "host" {
    if (this.hostMode) return "host";
    if (isAny(ip) || this.hasAddress(ip)) return this;
    if (this.outbound && this.networks().some((n) => n.gateway === ip)) return "host";
    const member = this.memberAt(ip);
    if (member) return member;
    if (this.outbound) return "host";
    throw new SysError(Errno.NETUNREACH);
  }

  /** The host address a connection routed to the host goes to: a network's gateway is the host's loopback (docker's host-gateway). */
  hostTarget(ip: string): string {
    return this.networks().some((n) => n.gateway === ip) ? LOOPBACK4 : ip;
  }

  /** The local address a connection to `dest` leaves from. */
  sourceFor(dest: string, family: Family): string {
    if (isAny(dest) || isLoopback(dest)) return family === 4 ? LOOPBACK4 : LOOPBACK6;
    if (this.hasAddress(dest)) return dest;
    for (const iface of this.interfaces) {
      if (iface.network?.members.has(dest)) {
        const own = iface.addresses.find((a) => ipFamily(a.ip) === family);
        if (own) return own.ip;
      }
    }
    return anyAddress(family);
  }

  /**
   * Binds `addr` in a port table (port 0: an ephemeral one) and returns the address bound.
   * EADDRNOTAVAIL: not one of its addresses; EADDRINUSE: taken (SO_REUSEADDR lets two non-listening holders share).
   */
  bind(table: PortTable, addr: SockAddr, holder: PortHolder): SockAddr {
    if (!isAny(addr.ip) && !this.hasAddress(addr.ip)) throw new SysError(Errno.ADDRNOTAVAIL);
    const port = addr.port === 0 ? this.ephemeralPort(table) : addr.port;
    const bound = { family: addr.family, ip: addr.ip, port };
    if (table.taken(port)) {
      for (const [ip, other] of table.at(port)) {
        if (ipFamily(ip) !== addr.family) continue;
        if (ip !== addr.ip && !isAny(ip) && !isAny(addr.ip)) continue;
        if (holder.reuseAddr && other.reuseAddr && !other.listening) continue;
        throw new SysError(Errno.ADDRINUSE);
      }
    }
    table.set(addr.ip, port, holder);
    return bound;
  }

  /**
   * Binds an ephemeral port on `ip` (an address of its own or a wildcard, as sourceFor() gives) for a
   * connect: a port nothing holds on any address, so there is nothing to check. EADDRINUSE: none left.
   */
  bindEphemeral(table: PortTable, family: Family, ip: string, holder: PortHolder): SockAddr {
    const port = this.ephemeralPort(table);
    table.set(ip, port, holder);
    return { family, ip, port };
  }

  /** Gives a port back (only if `holder` still holds it). */
  unbind(table: PortTable, addr: SockAddr, holder: PortHolder): void {
    table.delete(addr.ip, addr.port, holder);
  }

  /** The holder that gets traffic for `addr`: bound to exactly it, else to its family's wildcard. */
  lookup(table: PortTable, addr: SockAddr): PortHolder | undefined {
    return table.get(addr.ip, addr.port) ?? table.get(anyAddress(addr.family), addr.port);
  }

  /** The next ephemeral port nothing holds (on any address). EADDRINUSE: the range is used up. */
  private ephemeralPort(table: PortTable): number {
    const span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
    for (let i = 0; i < span; i++) {
      const port = this.nextEphemeral;
      this.nextEphemeral = port === EPHEMERAL_LAST ? EPHEMERAL_FIRST : port + 1;
      if (!table.taken(port)) return port;
    }
    throw new SysError(Errno.ADDRINUSE);
  }

  /** The addresses a name has from here: literals, localhost, its own name, members of its networks, extra hosts. */
  resolve(name: string): string[] {
    const family = familyOf(name);
    if (family !== undefined) return [canonicalIp(name)];
    const lower = name.toLowerCase().replace(/\.$/, "");
    if (lower === "localhost") return [LOOPBACK4, LOOPBACK6];
    const extra = this.extraHosts.get(lower);
    if (extra) return extra;
    if (lower === this.hostname.toLowerCase()) {
      const own = this.interfaces.filter((i) => i.network).flatMap((i) => i.addresses.map((a) => a.ip));
      return own.length > 0 ? own : [LOOPBACK4];
    }
    for (const iface of this.interfaces) {
      const found = iface.network?.names.get(lower);
      if (found) return found;
    }
    return [];
  }

  /** /etc/hosts as this namespace sees its networks. */
  hostsFile(): string {
    const lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback"];
    for (const ip of this.resolve(this.hostname)) if (!isLoopback(ip)) lines.push(`${ip}\t${this.hostname}`);
    for (const [name, ips] of this.extraHosts) for (const ip of ips) lines.push(`${ip}\t${name}`);
    return lines.join("\n") + "\n";
  }
}

/** "ip port": how the udpNat map names an address. */
export function portKey(addr: SockAddr): string {
  return `${addr.ip} ${addr.port}`;
}

/** The family of an address already in canonical text (IPv6 has colons). */
function ipFamily(ip: string): Family {
  return ip.includes(":") ? 6 : 4;
}

/** A virtual network (a bridge): a private subnet whose addresses map to namespaces. */
export class VirtualNetwork {
  /** Address -> the namespace that has it. */
  readonly members = new Map<string, NetNamespace>();
  /** Lower-case name (container name, hostname, aliases) -> its addresses. */
  readonly names = new Map<string, string[]>();
  /** Called after every connect and disconnect (a VM's relay keeps its guest's view up to date). */
  readonly watchers = new Set<() => void>();

  /** Its id, made on first use. */
  private madeId: string | undefined;

  /** `subnet4`: the first three octets of its /24 ("10.88.0"); `subnet6`: its /64 prefix ("fd00:88:0:0"). */
  /** `savedCreated`: when it was made before a daemon restart (ISO text); `savedId`: the id it had then. */
  constructor(readonly name: string, readonly subnet4: string, readonly subnet6: string, savedId?: string, savedCreated?: string) {
    this.madeId = savedId;
    this.createdText = savedCreated;
  }

  /** When it was made, ms since the epoch: formatted only when asked (a module run never asks; a first Date costs ~0.3 ms). */
  private readonly createdMs = Date.now();
  private createdText: string | undefined;

  /** When it was made, as ISO text (for inspect). */
  get created(): string {
    this.createdText ??= new Date(this.createdMs).toISOString();
    return this.createdText;
  }

  /** Its id (64 random hex digits, as docker's), made when first asked: a module run never asks, and node:crypto costs its start ~15 ms. */
  get id(): string {
    this.madeId ??= process.getBuiltinModule("node:crypto").randomBytes(32).toString("hex");
    return this.madeId;
  }

  /** The subnet in CIDR form. */
  get cidr4(): string {
    return `${this.subnet4}.0/24`;
  }
  get cidr6(): string {
    return canonicalIp(`${this.subnet6}::`) + "/64";
  }
  /** The gateway address (.1, never given to a member). */
  get gateway(): string {
    return `${this.subnet4}.1`;
  }
  /** The IPv6 gateway address (::1 of its /64). */
  get gateway6(): string {
    return canonicalIp(`${this.subnet6}::1`);
  }

  /**
   * Joins `ns` to this network under `names` (its container name, hostname, aliases): it gets an
   * interface with the next free address of the subnet. EADDRINUSE: the subnet is full.
   */
  connect(ns: NetNamespace, names: string[], fixedHost?: number): NetInterface {
    if (ns.networks().includes(this)) throw new SysError(Errno.ISCONN);
    let host = fixedHost ?? 2;
    while (fixedHost === undefined && host < 255 && this.members.has(`${this.subnet4}.${host}`)) host++;
    if (host >= 255 || host < 2) throw new SysError(Errno.ADDRINUSE, `network ${this.name} is full`);
    const ip4 = `${this.subnet4}.${host}`;
    const ip6 = canonicalIp(`${this.subnet6}::${host.toString(16)}`);
    const used = new Set(ns.interfaces.map((i) => i.name));
    let n = 0;
    while (used.has(`eth${n}`)) n++;
    const iface: NetInterface = { name: `eth${n}`, addresses: [{ ip: ip4, prefix: 24 }, { ip: ip6, prefix: 64 }], network: this };
    ns.interfaces.push(iface);
    this.members.set(ip4, ns);
    this.members.set(ip6, ns);
    for (const name of names) if (name) this.names.set(name.toLowerCase(), [ip4, ip6]);
    this.changed();
    return iface;
  }

  /** Takes `ns` off this network (its interface goes, its names stop resolving). */
  disconnect(ns: NetNamespace): void {
    const at = ns.interfaces.findIndex((i) => i.network === this);
    if (at < 0) return;
    const [iface] = ns.interfaces.splice(at, 1);
    const ips = new Set(iface.addresses.map((a) => a.ip));
    for (const ip of ips) this.members.delete(ip);
    for (const [name, addrs] of this.names) if (addrs.some((a) => ips.has(a))) this.names.delete(name);
    this.changed();
  }

  private changed(): void {
    for (const watcher of this.watchers) watcher();
  }

  /** The namespaces on it. */
  namespaces(): NetNamespace[] {
    return [...new Set(this.members.values())];
  }
}
