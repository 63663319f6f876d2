// TCP stream sockets: bind, listen with a backlog of established connections, connect, accept, and
// reads and writes over a stream channel (two bounded rings inside the kernel, node:net at the host edge).
import { Errno, SysError } from "../errno.js";
import { Wait } from "../proc/wait.js";
import { FDFLAGS_NONBLOCK, Filetype } from "../wasi.js";
import { anyAddress, isAny, type Family, type SockAddr } from "./address.js";
import type { NetNamespace } from "./namespace.js";
import { DEFAULT_STREAM_BUFFER, MAX_BUFFER, MIN_BUFFER } from "./ring.js";
import { IPPROTO_TCP, RIFLAGS_RECV_PEEK, RIFLAGS_RECV_WAITALL, Socket, SockOption, SockStatus, SockType } from "./socket.js";
import { localConnection, type StreamChannel } from "./stream.js";

/** The accept queue of a socket that never listened: empty, and never added to (enqueue() needs a listener). */
const NO_PENDING: readonly TcpSocket[] = Object.freeze([]);

/** The most a listen backlog may be (Linux's somaxconn). */
export const SOMAXCONN = 4096;

type TcpState = "fresh" | "bound" | "listening" | "connecting" | "connected" | "closed";

/** What takes TCP to and from the host (node:net) for a namespace whose traffic may leave the kernel. */
export interface TcpHostEdge {
  /** Starts a connection to a host address; calls sock.connected() or sock.connectFailed() later. */
  connect(sock: TcpSocket, to: SockAddr): void;
  /** Makes a host listener for a socket bound in a host-mode namespace; its connections go to sock.enqueue(). */
  listen?(sock: TcpSocket, backlog: number): void;
  /** Closes what listen() opened. */
  unlisten?(sock: TcpSocket): void;
}

export class TcpSocket extends Socket {
  // Constants as getters: on the prototype, not in each of the two objects every connection makes.
  get filetype(): Filetype {
    return Filetype.SOCKET_STREAM;
  }
  get socktype(): SockType {
    return SockType.STREAM;
  }
  get protocol(): number {
    return IPPROTO_TCP;
  }
  state: TcpState = "fresh";
  channel?: StreamChannel;
  /** Established connections waiting for accept (listening sockets). */
  /** Made when it listens (a connection's own socket never needs one). */
  private pending = NO_PENDING as TcpSocket[];
  private backlog = 0;
  /** Whether it holds its local address in the namespace's port table (bound or connected from an ephemeral port). */
  private holdsPort = false;
  private receiveBuffer = DEFAULT_STREAM_BUFFER;
  private sendBuffer = DEFAULT_STREAM_BUFFER;
  private connectError: Errno = Errno.SUCCESS;
  /** Closed by its listener before anyone accepted it: the client gets a reset. */
  private aborted = false;
  /** A blocking connect is waiting for the host: its retry succeeds once connected. */
  private blockedInConnect = false;
  /** Closes the host server behind a listener made by adoptHostListener(). */
  private closeHost?: () => void;

  constructor(ns: NetNamespace, family: Family, ino: bigint, private readonly allocIno: () => bigint) {
    super(ns, family, ino);
  }

  override get listening(): boolean {
    return this.state === "listening";
  }

  /** EINVAL: already bound; EADDRINUSE; EADDRNOTAVAIL; EAFNOSUPPORT: another family. */
  bind(addr: SockAddr): void {
    if (addr.family !== this.family) throw new SysError(Errno.AFNOSUPPORT);
    if (this.state !== "fresh") throw new SysError(Errno.INVAL);
    this.local = this.ns.bind(this.ns.tcpPorts, addr, this);
    this.holdsPort = true;
    this.state = "bound";
  }

  /** Starts accepting (binding an ephemeral port first if unbound). EINVAL: connected; the backlog is clamped to SOMAXCONN. */
  override listen(backlog: number): void {
    if (this.state === "listening") {
      this.backlog = clampBacklog(backlog);
      return;
    }
    if (this.state === "fresh") this.bind({ family: this.family, ip: anyAddress(this.family), port: 0 });
    if (this.state !== "bound") throw new SysError(Errno.INVAL);
    this.backlog = clampBacklog(backlog);
    this.state = "listening";
    this.pending = [];
    this.ns.edge?.tcp.listen?.(this, this.backlog);
  }

  /** Whether a new connection fits in the backlog. */
  hasRoom(): boolean {
    return this.pending.length < this.backlog;
  }

  /** Puts an established connection on the accept queue (the listener's side of a connect). */
  enqueue(conn: TcpSocket): void {
    this.pending.push(conn);
    this.events.wakeAll();
  }

  /** A pending connection, or a Wait. EINVAL: not listening; EAGAIN: none and nonblocking. */
  override accept(): TcpSocket | Wait {
    if (this.state !== "listening") throw new SysError(Errno.INVAL);
    const conn = this.pending.shift();
    if (conn) {
      this.events.wakeAll();
      return conn;
    }
    if (this.flags & FDFLAGS_NONBLOCK) throw new SysError(Errno.AGAIN);
    return new Wait(this.events.wait());
  }

  /** The next pending connection without waiting (for the kernel's own forwarders), if any. */
  takePending(): TcpSocket | undefined {
    const conn = this.pending.shift();
    if (conn) this.events.wakeAll();
    return conn;
  }

  /** Closes it with a reset: the peer gets ECONNRESET (a connection nobody would accept). */
  abort(): void {
    this.aborted = true;
    this.release();
  }

  /** Gives an accepted connection back to the head of the queue (the fd table was full). */
  requeue(conn: TcpSocket): void {
    this.pending.unshift(conn);
  }

  /**
   * Connects to `to`: inside the kernel at once (or a Wait while the listener's backlog is full);
   * to the host through the namespace's edge (EINPROGRESS when nonblocking). ECONNREFUSED: nobody
   * listens; ENETUNREACH; EISCONN; EALREADY: a nonblocking connect is under way.
   */
  connect(to: SockAddr): void | Wait {
    if (to.family !== this.family) throw new SysError(Errno.AFNOSUPPORT);
    if (this.state === "connected") {
      // The retry of a blocking connect that waited for the host: it is done.
      if (this.blockedInConnect) {
        this.blockedInConnect = false;
        return;
      }
      throw new SysError(Errno.ISCONN);
    }
    if (this.state === "listening" || this.state === "closed") throw new SysError(Errno.INVAL);
    if (this.state === "connecting") {
      if (this.connectError) {
        const e = this.connectError;
        this.connectError = Errno.SUCCESS;
        this.state = "bound";
        this.blockedInConnect = false;
        throw new SysError(e);
      }
      if (this.flags & FDFLAGS_NONBLOCK) throw new SysError(Errno.ALREADY);
      this.blockedInConnect = true;
      return new Wait(this.events.wait());
    }
    const target = this.ns.route(to.ip);
    const dest = isAny(to.ip) ? { ...to, ip: this.family === 4 ? "127.0.0.1" : "::1" } : to;
    if (target === "host" || target.remote) {
      // Out of this kernel: to the host through node:net, or across a VM's relay; connected() comes later.
      const remote = target === "host" ? undefined : target.remote;
      const edge = this.ns.edge;
      if (!remote && !edge) throw new SysError(Errno.NETUNREACH);
      this.ensureLocal(dest);
      this.state = "connecting";
      this.peer = dest;
      if (remote) remote.connect(this, dest);
      else edge?.tcp.connect(this, { ...dest, ip: this.ns.hostTarget(dest.ip) });
      if (this.state === "connecting") {
        if (this.flags & FDFLAGS_NONBLOCK) throw new SysError(Errno.INPROGRESS);
        this.blockedInConnect = true;
        return new Wait(this.events.wait());
      }
      return this.connect(to);
    }
    const listener = target.lookup(target.tcpPorts, dest);
    if (!(listener instanceof TcpSocket) || !listener.listening) throw new SysError(Errno.CONNREFUSED);
    if (!listener.hasRoom()) {
      if (this.flags & FDFLAGS_NONBLOCK) throw new SysError(Errno.AGAIN);
      return new Wait(listener.events.wait());
    }
    this.ensureLocal(dest);
    const server = new TcpSocket(target, this.family, this.allocIno(), this.allocIno);
    server.local = dest;
    server.peer = this.local;
    server.state = "connected";
    server.inheritOptions(listener);
    const [mine, theirs] = localConnection(this.events, server.events, this.receiveBuffer, listener.receiveBuffer);
    this.channel = mine;
    server.channel = theirs;
    this.peer = dest;
    this.state = "connected";
    listener.enqueue(server);
  }

  /** Binds an ephemeral port on the address that reaches `dest`, if not bound yet. */
  private ensureLocal(dest: SockAddr): void {
    if (this.state !== "fresh") return;
    this.local = this.ns.bindEphemeral(this.ns.tcpPorts, this.family, this.ns.sourceFor(dest.ip, this.family), this);
    this.holdsPort = true;
    this.state = "bound";
  }

  /** Makes it the kernel's end of a connection on the host (node accepted or made it). */
  adoptHost(channel: StreamChannel, local: SockAddr, peer: SockAddr): void {
    this.channel = channel;
    this.local = local;
    this.peer = peer;
    this.state = "connected";
  }

  /** Makes it a listener whose connections a host server enqueues; `closeHost` closes that server. */
  adoptHostListener(local: SockAddr, backlog: number, closeHost: () => void): void {
    this.local = local;
    this.backlog = clampBacklog(backlog);
    this.state = "listening";
    this.pending = [];
    this.closeHost = closeHost;
  }

  /** The host edge finished a connect. */
  connected(channel: StreamChannel, local?: SockAddr): void {
    if (this.state !== "connecting") {
      channel.close();
      return;
    }
    this.channel = channel;
    if (local) this.local = local;
    this.state = "connected";
    this.events.wakeAll();
  }

  /** The host edge's connect failed with `errno` (reported by the next connect, or SO_ERROR). */
  connectFailed(errno: Errno): void {
    if (this.state !== "connecting") return;
    this.connectError = errno;
    this.lastError = errno;
    this.events.wakeAll();
  }

  recvFrom(bufs: Uint8Array[], riflags: number): [number, number, SockAddr | undefined] | Wait {
    const channel = this.channel;
    if (!channel) throw new SysError(Errno.NOTCONN);
    const peek = (riflags & RIFLAGS_RECV_PEEK) !== 0;
    const n = channel.recv(bufs, peek);
    if (n === null) {
      if (this.flags & FDFLAGS_NONBLOCK) throw new SysError(Errno.AGAIN);
      return new Wait(this.events.wait());
    }
    // MSG_WAITALL: keep waiting until every buffer is full (or EOF); what came so far stays in the ring.
    if (riflags & RIFLAGS_RECV_WAITALL && !peek && n > 0) {
      const wanted = bufs.reduce((s, b) => s + b.length, 0);
      if (n < wanted) return [n + this.recvRest(bufs, n), 0, this.peer];
    }
    return [n, 0, this.peer];
  }

  /** For MSG_WAITALL: what else is there right now, into the buffers past `done` bytes (no wait: partial is fine on EOF). */
  private recvRest(bufs: Uint8Array[], done: number): number {
    let skip = done;
    const rest: Uint8Array[] = [];
    for (const b of bufs) {
      if (skip >= b.length) {
        skip -= b.length;
        continue;
      }
      rest.push(b.subarray(skip));
      skip = 0;
    }
    return this.channel?.recv(rest, false) ?? 0;
  }

  /** EPIPE (+SIGPIPE at the caller): shut down or the peer closed; ECONNRESET; ENOTCONN; EISCONN: an address given. */
  sendTo(bufs: Uint8Array[], to: SockAddr | undefined): number | Wait {
    const channel = this.channel;
    if (!channel) throw new SysError(this.state === "closed" ? Errno.PIPE : Errno.NOTCONN);
    if (to !== undefined) throw new SysError(Errno.ISCONN);
    const n = channel.send(bufs);
    if (n === null) {
      if (this.flags & FDFLAGS_NONBLOCK) throw new SysError(Errno.AGAIN);
      return new Wait(this.events.wait());
    }
    return n;
  }

  /** ENOTCONN: not connected. */
  shutdown(read: boolean, write: boolean): void {
    if (!this.channel) throw new SysError(Errno.NOTCONN);
    this.channel.shutdown(read, write);
  }

  status(): SockStatus {
    switch (this.state) {
      case "connecting": return this.connectError ? SockStatus.FAILED : SockStatus.OPENING;
      case "closed": return SockStatus.CLOSED;
      default: return SockStatus.OPENED;
    }
  }

  override readReadiness() {
    if (this.state === "listening") return { ready: this.pending.length > 0, nbytes: BigInt(this.pending.length), hangup: false };
    const channel = this.channel;
    if (!channel) return { ready: this.state === "connecting" && this.connectError !== 0, nbytes: 0n, hangup: false };
    return { ready: channel.readReady(), nbytes: BigInt(channel.readable()), hangup: channel.hungUp() };
  }

  override writeReadiness() {
    const channel = this.channel;
    if (!channel) return { ready: this.connectError !== 0, nbytes: 0n, hangup: false };
    return { ready: channel.writeReady(), nbytes: BigInt(channel.writable()), hangup: channel.hungUp() };
  }

  bufferSize(option: SockOption.RECV_BUF_SIZE | SockOption.SEND_BUF_SIZE): number {
    if (option === SockOption.RECV_BUF_SIZE) return this.channel?.receiveBuffer() ?? this.receiveBuffer;
    return this.sendBuffer;
  }

  /** Sizes are clamped to [2 KiB, 16 MiB]; a receive buffer resizes a live connection's ring. */
  setBufferSize(option: SockOption.RECV_BUF_SIZE | SockOption.SEND_BUF_SIZE, bytes: number): void {
    const size = Math.min(MAX_BUFFER, Math.max(MIN_BUFFER, bytes));
    if (option === SockOption.SEND_BUF_SIZE) {
      this.sendBuffer = size;
      return;
    }
    this.receiveBuffer = size;
    this.channel?.setReceiveBuffer(size);
  }

  protected override onClose(): void {
    const wasListening = this.state === "listening";
    this.state = "closed";
    if (wasListening) {
      this.ns.edge?.tcp.unlisten?.(this);
      this.closeHost?.();
      // Connections nobody accepted are aborted: their clients see ECONNRESET.
      for (const conn of this.pending.splice(0)) conn.abort();
    }
    this.channel?.close(this.aborted);
    if (this.holdsPort && this.local) this.ns.unbind(this.ns.tcpPorts, this.local, this);
    this.events.wakeAll();
  }
}

function clampBacklog(backlog: number): number {
  return Math.max(1, Math.min(SOMAXCONN, backlog | 0));
}
