// UDP datagram sockets: a bounded queue of datagrams per socket. A send copies the datagram into
// the receiver's queue at once, or drops it when the queue is full or nobody is bound, as UDP does.
import { Errno, SysError } from "../errno.js";
import { Wait } from "../proc/wait.js";
import { FDFLAGS_NONBLOCK, Filetype } from "../wasi.js";
import { anyAddress, isAny, LOOPBACK4, LOOPBACK6, type Family, type SockAddr } from "./address.js";
import { portKey, type NetNamespace } from "./namespace.js";
import { MAX_BUFFER, MIN_BUFFER } from "./ring.js";
import { IPPROTO_UDP, RIFLAGS_RECV_PEEK, ROFLAGS_RECV_DATA_TRUNCATED, Socket, SockOption, SockStatus, SockType } from "./socket.js";

/** The receive queue a datagram socket gets when none is set (Linux's rmem_default, 208 KiB). */
export const DEFAULT_DATAGRAM_BUFFER = 212992;
/** The largest UDP payload (65,535 - 8 - 20): larger is EMSGSIZE. */
export const MAX_DATAGRAM = 65507;

/** What takes UDP to and from the host (node:dgram). */
export interface UdpHostEdge {
  /** Binds the socket's local address on the host too (--network host): what arrives there is delivered to it. */
  bind(sock: UdpSocket): void;
  /** Sends a datagram to a host address from the socket (binding it on the host first if needed). */
  send(sock: UdpSocket, data: Uint8Array, to: SockAddr): void;
  /** Closes what send() opened for the socket. */
  close(sock: UdpSocket): void;
}

interface Datagram {
  from: SockAddr;
  data: Uint8Array;
}

export class UdpSocket extends Socket {
  readonly filetype = Filetype.SOCKET_DGRAM;
  readonly socktype = SockType.DGRAM;
  readonly protocol = IPPROTO_UDP;
  private readonly queue: Datagram[] = [];
  private queued = 0;
  private receiveBuffer = DEFAULT_DATAGRAM_BUFFER;
  private sendBuffer = DEFAULT_DATAGRAM_BUFFER;
  private closed = false;
  private shutRead = false;
  private shutWrite = false;
  /** Datagrams dropped because the queue was full (for tests and /proc). */
  drops = 0;

  constructor(ns: NetNamespace, family: Family, ino: bigint) {
    super(ns, family, ino);
  }

  /** EINVAL: already bound; EADDRINUSE; EADDRNOTAVAIL. */
  bind(addr: SockAddr): void {
    if (addr.family !== this.family) throw new SysError(Errno.AFNOSUPPORT);
    if (this.local) throw new SysError(Errno.INVAL);
    this.local = this.ns.bind(this.ns.udpPorts, addr, this);
    if (this.ns.hostMode) this.ns.edge?.udp?.bind(this);
  }

  private ensureBound(): SockAddr {
    if (!this.local) {
      const source = anyAddress(this.family);
      this.local = this.ns.bind(this.ns.udpPorts, { family: this.family, ip: source, port: 0 }, this);
    }
    return this.local;
  }

  /** Sets the default peer (and the only one datagrams are taken from). Port 0 / AF_UNSPEC-like any address disconnects. */
  connect(to: SockAddr): void {
    if (to.family !== this.family) throw new SysError(Errno.AFNOSUPPORT);
    if (to.port === 0 && isAny(to.ip)) {
      this.peer = undefined;
      return;
    }
    this.ns.route(to.ip);
    this.ensureBound();
    this.peer = to;
  }

  /** A datagram from the network: queued if it fits and passes the connected-peer filter, else dropped. */
  deliver(from: SockAddr, data: Uint8Array): void {
    if (this.closed || this.shutRead) return;
    if (this.peer && (this.peer.port !== from.port || (this.peer.ip !== from.ip && !isAny(this.peer.ip)))) return;
    if (this.queued + data.length > this.receiveBuffer) {
      this.drops++;
      return;
    }
    this.queue.push({ from, data });
    this.queued += data.length;
    this.events.wakeAll();
  }

  recvFrom(bufs: Uint8Array[], riflags: number): [number, number, SockAddr | undefined] | Wait {
    const head = this.queue[0];
    if (!head) {
      if (this.shutRead || this.closed) return [0, 0, undefined];
      if (this.flags & FDFLAGS_NONBLOCK) throw new SysError(Errno.AGAIN);
      return new Wait(this.events.wait());
    }
    let done = 0;
    for (const buf of bufs) {
      if (done >= head.data.length) break;
      const n = Math.min(buf.length, head.data.length - done);
      buf.set(head.data.subarray(done, done + n));
      done += n;
    }
    if (!(riflags & RIFLAGS_RECV_PEEK)) {
      this.queue.shift();
      this.queued -= head.data.length;
    }
    return [done, done < head.data.length ? ROFLAGS_RECV_DATA_TRUNCATED : 0, head.from];
  }

  /**
   * Sends one datagram. EDESTADDRREQ: no address and not connected; EMSGSIZE: past 65,507 bytes;
   * ENETUNREACH; EPIPE: shut down for writing. A datagram nobody is bound to receive is dropped.
   */
  sendTo(bufs: Uint8Array[], to: SockAddr | undefined): number {
    if (this.shutWrite) throw new SysError(Errno.PIPE);
    const dest = to ?? this.peer;
    if (!dest) throw new SysError(Errno.DESTADDRREQ);
    if (dest.family !== this.family) throw new SysError(Errno.AFNOSUPPORT);
    let size = 0;
    for (const b of bufs) size += b.length;
    if (size > MAX_DATAGRAM) throw new SysError(Errno.MSGSIZE);
    const nat = this.ns.udpNat.size > 0 ? this.ns.udpNat.get(portKey(dest)) : undefined;
    const target = nat ? undefined : this.ns.route(dest.ip);
    const local = this.ensureBound();
    const data = new Uint8Array(size);
    let at = 0;
    for (const b of bufs) {
      data.set(b, at);
      at += b.length;
    }
    if (!target) {
      nat?.(data);
      return size;
    }
    if (target === "host") {
      const edge = this.ns.edge?.udp;
      if (!edge) throw new SysError(Errno.NETUNREACH);
      edge.send(this, data, dest);
      return size;
    }
    const toIp = isAny(dest.ip) ? (this.family === 4 ? LOOPBACK4 : LOOPBACK6) : dest.ip;
    const fromIp = isAny(local.ip) ? this.ns.sourceFor(toIp, this.family) : local.ip;
    const from: SockAddr = { family: this.family, ip: fromIp, port: local.port };
    if (target.remote) {
      target.remote.datagram(from, { ...dest, ip: toIp }, data);
      return size;
    }
    const receiver = target.lookup(target.udpPorts, { ...dest, ip: toIp });
    if (receiver instanceof UdpSocket) receiver.deliver(from, data);
    return size;
  }

  shutdown(read: boolean, write: boolean): void {
    if (!this.peer) throw new SysError(Errno.NOTCONN);
    if (read) this.shutRead = true;
    if (write) this.shutWrite = true;
    this.events.wakeAll();
  }

  status(): SockStatus {
    return this.closed ? SockStatus.CLOSED : SockStatus.OPENED;
  }

  override readReadiness() {
    const head = this.queue[0];
    return { ready: head !== undefined || this.shutRead, nbytes: BigInt(head?.data.length ?? 0), hangup: false };
  }

  override writeReadiness() {
    return { ready: true, nbytes: BigInt(this.sendBuffer), hangup: false };
  }

  bufferSize(option: SockOption.RECV_BUF_SIZE | SockOption.SEND_BUF_SIZE): number {
    return option === SockOption.RECV_BUF_SIZE ? this.receiveBuffer : this.sendBuffer;
  }

  setBufferSize(option: SockOption.RECV_BUF_SIZE | SockOption.SEND_BUF_SIZE, bytes: number): void {
    const size = Math.min(MAX_BUFFER, Math.max(MIN_BUFFER, bytes));
    if (option === SockOption.RECV_BUF_SIZE) this.receiveBuffer = size;
    else this.sendBuffer = size;
  }

  protected override onClose(): void {
    this.closed = true;
    this.queue.length = 0;
    this.queued = 0;
    if (this.local) this.ns.unbind(this.ns.udpPorts, this.local, this);
    this.ns.edge?.udp?.close(this);
    this.events.wakeAll();
  }
}
