// wasi:sockets 0.2 for components (network, instance-network, tcp, udp, their create-socket, ip-name-lookup):
// a socket is a kernel TCP or UDP socket in the process's fd table (a TCP socket's streams are the fd's),
// and the process's namespace (a container's network, or the host's) decides where it may go.
import { Errno, SysError } from "../errno.js";
import { familyOf, ipBytes, ipText, type Family, type SockAddr } from "../net/address.js";
import { RIGHTS_SOCKET, SockOption } from "../net/socket.js";
import { TcpSocket } from "../net/tcp.js";
import { MAX_DATAGRAM, UdpSocket } from "../net/udp.js";
import { FDFLAGS_NONBLOCK } from "../wasi.js";
import type { HostContext } from "./host-context.js";
import { closeOwnedFd, DISPOSE, InputStream, IoError, OutputStream, Pollable } from "./wasi-io.js";

/** wasi:sockets/network.error-code (jco lowers an enum as its case name). */
type ErrorCode = "unknown" | "access-denied" | "not-supported" | "invalid-argument" | "out-of-memory" | "timeout" | "concurrency-conflict"
  | "not-in-progress" | "would-block" | "invalid-state" | "new-socket-limit" | "address-not-bindable" | "address-in-use" | "remote-unreachable"
  | "connection-refused" | "connection-reset" | "connection-aborted" | "datagram-too-large" | "name-unresolvable"
  | "temporary-resolver-failure" | "permanent-resolver-failure";

type IpAddressFamily = "ipv4" | "ipv6";
type IpAddress = { tag: "ipv4"; val: [number, number, number, number] } | { tag: "ipv6"; val: number[] };
type IpSocketAddress =
  | { tag: "ipv4"; val: { port: number; address: [number, number, number, number] } }
  | { tag: "ipv6"; val: { port: number; flowInfo: number; address: number[]; scopeId: number } };

const ERROR_CODES: Partial<Record<Errno, ErrorCode>> = {
  [Errno.ACCES]: "access-denied", [Errno.PERM]: "access-denied", [Errno.NOTSUP]: "not-supported", [Errno.AFNOSUPPORT]: "not-supported",
  [Errno.INVAL]: "invalid-argument", [Errno.NOMEM]: "out-of-memory", [Errno.TIMEDOUT]: "timeout", [Errno.AGAIN]: "would-block",
  [Errno.ISCONN]: "invalid-state", [Errno.ALREADY]: "concurrency-conflict", [Errno.NOTCONN]: "invalid-state", [Errno.MFILE]: "new-socket-limit",
  [Errno.ADDRNOTAVAIL]: "address-not-bindable", [Errno.ADDRINUSE]: "address-in-use", [Errno.NETUNREACH]: "remote-unreachable",
  [Errno.HOSTUNREACH]: "remote-unreachable", [Errno.CONNREFUSED]: "connection-refused", [Errno.CONNRESET]: "connection-reset",
  [Errno.CONNABORTED]: "connection-aborted", [Errno.PIPE]: "connection-reset",
};

/** Runs a kernel socket call, throwing its failure as the error-code a component gets. */
function socketCall<T>(call: () => T): T {
  try {
    return call();
  } catch (e) {
    if (e instanceof SysError) throw ERROR_CODES[e.errno] ?? "unknown";
    throw e;
  }
}

/** A wasi ip-socket-address as the kernel's address. */
function toSockAddr(address: IpSocketAddress): SockAddr {
  if (address.tag === "ipv4") return { family: 4, ip: address.val.address.join("."), port: address.val.port };
  const bytes = new Uint8Array(16);
  address.val.address.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return { family: 6, ip: ipText(bytes), port: address.val.port };
}

/** A kernel address as wasi's ip-address. */
function toIpAddress(ip: string): IpAddress {
  const bytes = ipBytes(ip);
  if (bytes.length === 4) return { tag: "ipv4", val: [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!] };
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  return { tag: "ipv6", val: groups };
}

/** A kernel address as wasi's ip-socket-address. */
function toIpSocketAddress(addr: SockAddr): IpSocketAddress {
  const ip = toIpAddress(addr.ip);
  if (ip.tag === "ipv4") return { tag: "ipv4", val: { port: addr.port, address: ip.val } };
  return { tag: "ipv6", val: { port: addr.port, flowInfo: 0, address: ip.val, scopeId: 0 } };
}

function familyName(family: Family): IpAddressFamily {
  return family === 4 ? "ipv4" : "ipv6";
}

/** wasi:sockets/network.network: the process's network namespace (the only one a component gets). */
export class Network {}

/** Calls the kernel socket with its fd nonblocking for the call (start-connect, accept), blocking again after. */
function nonblocking<T>(socket: TcpSocket | UdpSocket, call: () => T): T {
  socket.flags |= FDFLAGS_NONBLOCK;
  try {
    return call();
  } finally {
    socket.flags &= ~FDFLAGS_NONBLOCK;
  }
}

/** wasi:sockets/tcp.tcp-socket over a kernel TCP socket held as an fd of the process. */
export class WasiTcpSocket {
  private readonly fd: number;
  private pending: "bind" | "connect" | "listen" | undefined;
  private connectTo?: SockAddr;
  private streamsTaken = false;
  private backlog = 128;
  private hops = 64;
  private keepAliveIdleNs = 7200n * 1_000_000_000n;
  private keepAliveIntervalNs = 75n * 1_000_000_000n;
  private keepAliveProbes = 9;

  constructor(private readonly host: HostContext, private readonly socket: TcpSocket) {
    try {
      this.fd = host.addFd({ file: socket, rightsBase: RIGHTS_SOCKET, rightsInheriting: RIGHTS_SOCKET });
    } catch (e) {
      socket.release();
      throw e;
    }
  }

  private begin(op: "bind" | "connect" | "listen"): void {
    if (this.pending) throw "concurrency-conflict" satisfies ErrorCode;
    this.pending = op;
  }

  private finish(op: "bind" | "connect" | "listen"): void {
    if (this.pending !== op) throw "not-in-progress" satisfies ErrorCode;
    this.pending = undefined;
  }

  private checkFamily(address: IpSocketAddress): SockAddr {
    const addr = toSockAddr(address);
    if (addr.family !== this.socket.family) throw "invalid-argument" satisfies ErrorCode;
    return addr;
  }

  startBind(_network: Network, local: IpSocketAddress): void {
    const addr = this.checkFamily(local);
    if (this.socket.local) throw "invalid-state" satisfies ErrorCode;
    socketCall(() => this.socket.bind(addr));
    this.begin("bind");
  }

  finishBind(): void {
    this.finish("bind");
  }

  startConnect(_network: Network, remote: IpSocketAddress): void {
    const addr = this.checkFamily(remote);
    if (addr.port === 0 || addr.ip === "0.0.0.0" || addr.ip === "::") throw "invalid-argument" satisfies ErrorCode;
    if (this.socket.listening || this.socket.state === "connected" || this.pending) throw "invalid-state" satisfies ErrorCode;
    try {
      nonblocking(this.socket, () => this.socket.connect(addr));
    } catch (e) {
      // A connection to the host goes on in the background (EINPROGRESS): finish-connect collects it.
      if (!(e instanceof SysError && e.errno === Errno.INPROGRESS)) socketCall(() => { throw e; });
    }
    this.connectTo = addr;
    this.begin("connect");
  }

  finishConnect(): [InputStream, OutputStream] {
    if (this.pending !== "connect") throw "not-in-progress" satisfies ErrorCode;
    if (this.socket.state === "connecting") {
      // Its retry says how the background connect went (would-block while under way).
      try {
        nonblocking(this.socket, () => this.socket.connect(this.connectTo!));
      } catch (e) {
        if (e instanceof SysError && e.errno === Errno.ALREADY) throw "would-block" satisfies ErrorCode;
        this.pending = undefined;
        socketCall(() => { throw e; });
      }
    }
    this.pending = undefined;
    if (this.socket.state !== "connected") throw "connection-refused" satisfies ErrorCode;
    return this.streams();
  }

  private streams(): [InputStream, OutputStream] {
    if (this.streamsTaken) throw "invalid-state" satisfies ErrorCode;
    this.streamsTaken = true;
    return [new InputStream(this.host, this.fd), new OutputStream(this.host, this.fd)];
  }

  startListen(): void {
    if (this.socket.listening || this.socket.state === "connected" || this.pending) throw "invalid-state" satisfies ErrorCode;
    socketCall(() => this.socket.listen(this.backlog));
    this.begin("listen");
  }

  finishListen(): void {
    this.finish("listen");
  }

  accept(): [WasiTcpSocket, InputStream, OutputStream] {
    if (!this.socket.listening) throw "invalid-state" satisfies ErrorCode;
    const conn = socketCall(() => nonblocking(this.socket, () => this.socket.accept()));
    if (!(conn instanceof TcpSocket)) throw "would-block" satisfies ErrorCode;
    const accepted = new WasiTcpSocket(this.host, conn);
    return [accepted, ...accepted.streams()];
  }

  localAddress(): IpSocketAddress {
    if (!this.socket.local) throw "invalid-state" satisfies ErrorCode;
    return toIpSocketAddress(this.socket.local);
  }

  remoteAddress(): IpSocketAddress {
    if (this.socket.state !== "connected" || !this.socket.peer) throw "invalid-state" satisfies ErrorCode;
    return toIpSocketAddress(this.socket.peer);
  }

  isListening(): boolean {
    return this.socket.listening;
  }

  addressFamily(): IpAddressFamily {
    return familyName(this.socket.family);
  }

  setListenBacklogSize(value: bigint): void {
    if (value === 0n) throw "invalid-argument" satisfies ErrorCode;
    this.backlog = Number(value > 4096n ? 4096n : value);
  }

  keepAliveEnabled(): boolean {
    return this.socket.getFlag(SockOption.KEEP_ALIVE);
  }

  setKeepAliveEnabled(value: boolean): void {
    socketCall(() => this.socket.setFlag(SockOption.KEEP_ALIVE, value));
  }

  keepAliveIdleTime(): bigint {
    return this.keepAliveIdleNs;
  }

  setKeepAliveIdleTime(value: bigint): void {
    if (value <= 0n) throw "invalid-argument" satisfies ErrorCode;
    this.keepAliveIdleNs = value;
  }

  keepAliveInterval(): bigint {
    return this.keepAliveIntervalNs;
  }

  setKeepAliveInterval(value: bigint): void {
    if (value <= 0n) throw "invalid-argument" satisfies ErrorCode;
    this.keepAliveIntervalNs = value;
  }

  keepAliveCount(): number {
    return this.keepAliveProbes;
  }

  setKeepAliveCount(value: number): void {
    if (value === 0) throw "invalid-argument" satisfies ErrorCode;
    this.keepAliveProbes = value;
  }

  hopLimit(): number {
    return this.hops;
  }

  setHopLimit(value: number): void {
    if (value === 0) throw "invalid-argument" satisfies ErrorCode;
    this.hops = value;
  }

  receiveBufferSize(): bigint {
    return BigInt(this.socket.bufferSize(SockOption.RECV_BUF_SIZE));
  }

  setReceiveBufferSize(value: bigint): void {
    if (value === 0n) throw "invalid-argument" satisfies ErrorCode;
    socketCall(() => this.socket.setBufferSize(SockOption.RECV_BUF_SIZE, Number(value > 1n << 30n ? 1n << 30n : value)));
  }

  sendBufferSize(): bigint {
    return BigInt(this.socket.bufferSize(SockOption.SEND_BUF_SIZE));
  }

  setSendBufferSize(value: bigint): void {
    if (value === 0n) throw "invalid-argument" satisfies ErrorCode;
    socketCall(() => this.socket.setBufferSize(SockOption.SEND_BUF_SIZE, Number(value > 1n << 30n ? 1n << 30n : value)));
  }

  /** Ready when a connect or listen may be finished, a connection accepted, or (connected) always. */
  subscribe(): Pollable {
    const socket = this.socket;
    const ready = () => {
      if (socket.state === "connecting") return false;
      if (socket.listening) return socket.readReadiness().ready;
      return true;
    };
    return new Pollable(this.host, ready, () => new Promise<void>((resolve) => socket.events.subscribe(resolve)));
  }

  shutdown(type: "receive" | "send" | "both"): void {
    if (this.socket.state !== "connected") throw "invalid-state" satisfies ErrorCode;
    socketCall(() => this.socket.shutdown(type !== "send", type !== "receive"));
  }

  [DISPOSE](): void {
    closeOwnedFd(this.host, this.fd, this.socket);
  }
}

/** wasi:sockets/ip-name-lookup.resolve-address-stream: the addresses a name resolved to, one by one. */
export class ResolveAddressStream {
  constructor(private readonly host: HostContext, private readonly addresses: string[]) {}

  resolveNextAddress(): IpAddress | undefined {
    const next = this.addresses.shift();
    return next === undefined ? undefined : toIpAddress(next);
  }

  subscribe(): Pollable {
    return new Pollable(this.host, () => true, () => Promise.resolve());
  }
}

/** wasi:sockets/udp.udp-socket over a kernel UDP socket held as an fd of the process. */
export class WasiUdpSocket {
  private readonly fd: number;
  private binding = false;
  private hops = 64;

  constructor(private readonly host: HostContext, private readonly socket: UdpSocket) {
    try {
      this.fd = host.addFd({ file: socket, rightsBase: RIGHTS_SOCKET, rightsInheriting: RIGHTS_SOCKET });
    } catch (e) {
      socket.release();
      throw e;
    }
  }

  startBind(_network: Network, local: IpSocketAddress): void {
    const addr = toSockAddr(local);
    if (addr.family !== this.socket.family) throw "invalid-argument" satisfies ErrorCode;
    if (this.socket.local || this.binding) throw "invalid-state" satisfies ErrorCode;
    socketCall(() => this.socket.bind(addr));
    this.binding = true;
  }

  finishBind(): void {
    if (!this.binding) throw "not-in-progress" satisfies ErrorCode;
    this.binding = false;
  }

  /** The datagram streams, with the socket connected to `remote` (or disconnected); bound first if it is not. */
  stream(remote: IpSocketAddress | undefined): [IncomingDatagramStream, OutgoingDatagramStream] {
    const family = this.socket.family;
    if (!this.socket.local) socketCall(() => this.socket.bind({ family, ip: family === 4 ? "0.0.0.0" : "::", port: 0 }));
    const to = remote ? toSockAddr(remote) : { family, ip: family === 4 ? "0.0.0.0" : "::", port: 0 };
    if (to.family !== family) throw "invalid-argument" satisfies ErrorCode;
    socketCall(() => this.socket.connect(to));
    return [new IncomingDatagramStream(this.host, this.socket), new OutgoingDatagramStream(this.host, this.socket)];
  }

  localAddress(): IpSocketAddress {
    if (!this.socket.local) throw "invalid-state" satisfies ErrorCode;
    return toIpSocketAddress(this.socket.local);
  }

  remoteAddress(): IpSocketAddress {
    if (!this.socket.peer) throw "invalid-state" satisfies ErrorCode;
    return toIpSocketAddress(this.socket.peer);
  }

  addressFamily(): IpAddressFamily {
    return familyName(this.socket.family);
  }

  unicastHopLimit(): number {
    return this.hops;
  }

  setUnicastHopLimit(value: number): void {
    if (value === 0) throw "invalid-argument" satisfies ErrorCode;
    this.hops = value;
  }

  receiveBufferSize(): bigint {
    return BigInt(this.socket.bufferSize(SockOption.RECV_BUF_SIZE));
  }

  setReceiveBufferSize(value: bigint): void {
    if (value === 0n) throw "invalid-argument" satisfies ErrorCode;
    socketCall(() => this.socket.setBufferSize(SockOption.RECV_BUF_SIZE, Number(value > 1n << 30n ? 1n << 30n : value)));
  }

  sendBufferSize(): bigint {
    return BigInt(this.socket.bufferSize(SockOption.SEND_BUF_SIZE));
  }

  setSendBufferSize(value: bigint): void {
    if (value === 0n) throw "invalid-argument" satisfies ErrorCode;
    socketCall(() => this.socket.setBufferSize(SockOption.SEND_BUF_SIZE, Number(value > 1n << 30n ? 1n << 30n : value)));
  }

  subscribe(): Pollable {
    return new Pollable(this.host, () => true, () => Promise.resolve());
  }

  [DISPOSE](): void {
    closeOwnedFd(this.host, this.fd, this.socket);
  }
}

/** A datagram as wasi:sockets/udp gives and takes it. */
interface Datagram {
  data: Uint8Array;
  remoteAddress: IpSocketAddress;
}

/** wasi:sockets/udp.incoming-datagram-stream: the datagrams queued on the kernel socket. */
export class IncomingDatagramStream {
  constructor(private readonly host: HostContext, private readonly socket: UdpSocket) {}

  /** Up to `maxResults` queued datagrams, without waiting (none when nothing is queued). */
  receive(maxResults: bigint): Datagram[] {
    const out: Datagram[] = [];
    while (BigInt(out.length) < maxResults) {
      const buf = new Uint8Array(MAX_DATAGRAM);
      let got: ReturnType<UdpSocket["recvFrom"]>;
      try {
        got = nonblocking(this.socket, () => this.socket.recvFrom([buf], 0));
      } catch (e) {
        if (e instanceof SysError && e.errno === Errno.AGAIN) break;
        if (out.length > 0) break;
        return socketCall(() => { throw e; });
      }
      if (!Array.isArray(got)) break;
      const [n, , from] = got;
      if (!from) break;
      out.push({ data: buf.slice(0, n), remoteAddress: toIpSocketAddress(from) });
    }
    return out;
  }

  subscribe(): Pollable {
    const socket = this.socket;
    return new Pollable(this.host, () => socket.readReadiness().ready, () => new Promise<void>((resolve) => socket.events.subscribe(resolve)));
  }
}

/** How many datagrams check-send allows at once (a kernel UDP send never waits). */
const SEND_PERMITS = 64n;

/** wasi:sockets/udp.outgoing-datagram-stream: sends through the kernel socket (to its peer, or each datagram's address). */
export class OutgoingDatagramStream {
  constructor(private readonly host: HostContext, private readonly socket: UdpSocket) {}

  checkSend(): bigint {
    return SEND_PERMITS;
  }

  /** Sends the datagrams in order; how many went (an error only when the first fails). */
  send(datagrams: Array<{ data: Uint8Array; remoteAddress?: IpSocketAddress }>): bigint {
    if (BigInt(datagrams.length) > SEND_PERMITS) throw "invalid-argument" satisfies ErrorCode;
    let sent = 0n;
    for (const datagram of datagrams) {
      const to = datagram.remoteAddress ? toSockAddr(datagram.remoteAddress) : undefined;
      const peer = this.socket.peer;
      try {
        if (to && peer && (to.ip !== peer.ip || to.port !== peer.port)) throw new SysError(Errno.ISCONN);
        if (!to && !peer) throw new SysError(Errno.DESTADDRREQ);
        this.socket.sendTo([datagram.data], to);
      } catch (e) {
        if (sent > 0n) return sent;
        if (e instanceof SysError && (e.errno === Errno.ISCONN || e.errno === Errno.DESTADDRREQ)) throw "invalid-argument" satisfies ErrorCode;
        if (e instanceof SysError && e.errno === Errno.MSGSIZE) throw "datagram-too-large" satisfies ErrorCode;
        return socketCall(() => { throw e; });
      }
      sent++;
    }
    return sent;
  }

  subscribe(): Pollable {
    return new Pollable(this.host, () => true, () => Promise.resolve());
  }
}

/** The wasi:sockets imports for one component process. */
export function wasiSocketsImports(host: HostContext): Record<string, Record<string, unknown>> {
  return {
    "wasi:sockets/network": {
      Network,
      networkErrorCode: (error: IoError) => ERROR_CODES[error.cause.errno],
    },
    "wasi:sockets/instance-network": { instanceNetwork: () => new Network() },
    "wasi:sockets/tcp": { TcpSocket: WasiTcpSocket },
    "wasi:sockets/tcp-create-socket": {
      createTcpSocket: (family: IpAddressFamily) => {
        const kernel = host.kernel;
        return new WasiTcpSocket(host, new TcpSocket(host.proc.container.net, family === "ipv4" ? 4 : 6, kernel.allocIno(), () => kernel.allocIno()));
      },
    },
    "wasi:sockets/udp": { UdpSocket: WasiUdpSocket, IncomingDatagramStream, OutgoingDatagramStream },
    "wasi:sockets/udp-create-socket": {
      createUdpSocket: (family: IpAddressFamily) => new WasiUdpSocket(host, new UdpSocket(host.proc.container.net, family === "ipv4" ? 4 : 6, host.kernel.allocIno())),
    },
    "wasi:sockets/ip-name-lookup": {
      ResolveAddressStream,
      resolveAddresses: (_network: Network, name: string) => {
        if (name === "" || /[\s/]/.test(name)) throw "invalid-argument" satisfies ErrorCode;
        const found = host.proc.container.net.resolve(name.replace(/^\[(.*)\]$/, "$1")).filter((ip) => familyOf(ip) !== undefined);
        if (found.length === 0) throw "name-unresolvable" satisfies ErrorCode;
        return new ResolveAddressStream(host, found);
      },
    },
  };
}
