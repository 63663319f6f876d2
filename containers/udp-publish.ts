// -p HOSTPORT:CONTAINERPORT/udp: a real host UDP socket (node:dgram) whose datagrams go to the
// container's socket on the container port, as from the network's gateway (a port per host peer,
// as docker's NAT shows them); the container's answers to that address go back to the host peer.
import * as dgram from "node:dgram";
import { type Container, Errno, familyOf, formatSockAddr, hostErrno, UdpSocket, type Family, type SockAddr } from "../kernel/core.js";

/** Host peers one mapping remembers at most (the oldest is forgotten first, as a NAT table's entries expire). */
const MAX_PEERS = 1024;
/** The gateway ports host peers are given: from here up (below Linux's ephemeral range, above the well-known ports). */
const FIRST_NAT_PORT = 20000;
const LAST_NAT_PORT = 32767;

/** Host peers of one mapping, each as an address on the container's network. */
class PeerTable {
  private readonly byPeer = new Map<string, SockAddr>();
  private nextPort = FIRST_NAT_PORT;

  constructor(private readonly container: Container, private readonly reply: (to: dgram.RemoteInfo, data: Uint8Array) => void) {}

  /** The gateway address standing for `peer` in the container (made on first sight). */
  addressOf(peer: dgram.RemoteInfo, family: Family): SockAddr {
    const key = `${peer.address} ${peer.port} ${family}`;
    const known = this.byPeer.get(key);
    if (known) return known;
    const network = this.container.net.networks()[0];
    const ip = network ? (family === 4 ? network.gateway : network.gateway6) : family === 4 ? "127.0.0.1" : "::1";
    const nat = this.container.net.udpNat;
    let port = this.nextPort;
    while (nat.has(`${ip} ${port}`)) port = port === LAST_NAT_PORT ? FIRST_NAT_PORT : port + 1;
    this.nextPort = port === LAST_NAT_PORT ? FIRST_NAT_PORT : port + 1;
    const addr: SockAddr = { family, ip, port };
    if (this.byPeer.size >= MAX_PEERS) {
      const [oldestKey, oldest] = this.byPeer.entries().next().value!;
      this.byPeer.delete(oldestKey);
      nat.delete(`${oldest.ip} ${oldest.port}`);
    }
    this.byPeer.set(key, addr);
    const to = { ...peer };
    nat.set(`${ip} ${port}`, (data) => this.reply(to, data));
    return addr;
  }

  /** Forgets every peer (the mapping closes). */
  clear(): void {
    for (const addr of this.byPeer.values()) this.container.net.udpNat.delete(`${addr.ip} ${addr.port}`);
    this.byPeer.clear();
  }
}

/** The container's UDP socket on `port`: bound to its network address first, then any address; IPv4 first. */
function containerReceiver(container: Container, port: number): UdpSocket | undefined {
  const ns = container.net;
  const own = ns.addresses().filter((a) => !a.startsWith("127.") && a !== "::1");
  for (const ip of [...own, "0.0.0.0", "::"]) {
    const holder = ns.lookup(ns.udpPorts, { family: familyOf(ip) ?? 4, ip, port });
    if (holder instanceof UdpSocket) return holder;
  }
  return undefined;
}

/**
 * Opens the host side of a UDP mapping on `hostIp:hostPort` (port 0: any free one). Rejects with an
 * Error naming the address when it is taken. Returns the port bound and how to close it.
 */
export function publishUdp(container: Container, hostIp: string, hostPort: number, containerPort: number): Promise<[number, () => void]> {
  const family = familyOf(hostIp) ?? 4;
  const socket = dgram.createSocket({ type: family === 4 ? "udp4" : "udp6", ipv6Only: family === 6 });
  // An answer sent just before the container ends still goes: the socket closes once node has sent it.
  let sending = 0;
  let closing = false;
  const peers = new PeerTable(container, (to, data) => {
    if (closing) return;
    sending++;
    socket.send(data, to.port, to.address, () => {
      if (--sending === 0 && closing) socket.close();
    });
  });
  socket.on("message", (data, rinfo) => {
    const receiver = containerReceiver(container, containerPort);
    if (receiver) receiver.deliver(peers.addressOf(rinfo, receiver.family), new Uint8Array(data.buffer, data.byteOffset, data.length));
  });
  return new Promise((resolve, reject) => {
    socket.once("error", (e) => {
      const where = formatSockAddr({ family, ip: hostIp, port: hostPort });
      const errno = hostErrno(e);
      reject(new Error(errno === Errno.ADDRINUSE ? `Bind for ${where} failed: port is already allocated` : `Bind for ${where} failed: ${e.message}`));
    });
    socket.bind({ address: hostIp, port: hostPort }, () => {
      socket.removeAllListeners("error");
      // A send to a host peer that went away (ICMP unreachable) must not end the daemon.
      socket.on("error", () => undefined);
      const port = socket.address().port;
      resolve([port, () => {
        peers.clear();
        if (closing) return;
        closing = true;
        if (sending === 0) socket.close();
      }]);
    });
  });
}
