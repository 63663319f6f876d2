// The host edge of the network stack: a stream channel over a node:net socket, host listeners whose
// connections come to a kernel socket's accept queue (--tcplisten, -p, --network host), and
// outbound connections. Backpressure: the host socket is paused while its received bytes fill the
// receive buffer, and a send waits while node's write buffer holds a send buffer's worth.
// node:net and node:dgram are loaded on first use (process.getBuiltinModule): a run without host sockets never pays for them.
import type * as dgram from "node:dgram";
import type * as net from "node:net";
import { Errno, SysError } from "../errno.js";
import type { WaitQueue } from "../proc/wait-queue.js";
import { canonicalIp, familyOf, type Family, type SockAddr } from "./address.js";
import type { NetNamespace } from "./namespace.js";
import { DEFAULT_STREAM_BUFFER } from "./ring.js";
import { SockOption } from "./socket.js";
import type { StreamChannel } from "./stream.js";
import { TcpSocket, type TcpHostEdge } from "./tcp.js";
import type { UdpHostEdge, UdpSocket } from "./udp.js";
import { readChunks } from "./chunks.js";

/** Node's error codes as the errnos a guest sees. */
const HOST_ERRNOS: Record<string, Errno> = {
  ECONNRESET: Errno.CONNRESET, EPIPE: Errno.PIPE, ECONNREFUSED: Errno.CONNREFUSED, ETIMEDOUT: Errno.TIMEDOUT,
  EHOSTUNREACH: Errno.HOSTUNREACH, ENETUNREACH: Errno.NETUNREACH, EADDRINUSE: Errno.ADDRINUSE,
  EADDRNOTAVAIL: Errno.ADDRNOTAVAIL, EACCES: Errno.ACCES, ECONNABORTED: Errno.CONNABORTED,
};

/** The errno of a node:net error (EIO for one it has no name for). */
export function hostErrno(error: unknown): Errno {
  const code = error instanceof Error && "code" in error ? String(error.code) : "";
  return HOST_ERRNOS[code] ?? Errno.IO;
}

/** The address of one end of a node socket as the kernel writes addresses. */
function nodeAddr(ip: string | undefined, port: number | undefined, fallback: Family): SockAddr {
  const text = ip?.startsWith("::ffff:") && familyOf(ip.slice(7)) === 4 ? ip.slice(7) : ip ?? "";
  const family = familyOf(text) ?? fallback;
  return { family, ip: text ? canonicalIp(text) : family === 4 ? "0.0.0.0" : "::", port: port ?? 0 };
}

/** One end of a TCP connection whose other end is on the host. */
export class HostStream implements StreamChannel {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private capacity = DEFAULT_STREAM_BUFFER;
  private ended = false;
  private error: Errno | undefined;
  private errorSeen = false;
  private gone = false;
  private writeShut = false;
  private readShut = false;
  private paused = false;

  constructor(private readonly socket: net.Socket, private readonly events: WaitQueue, private readonly sendBuffer: () => number) {
    // Each send is one write of everything the guest passed: Nagle's algorithm would only hold a
    // response's second write back for the peer's delayed ACK (40 ms on Linux loopback).
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      if (this.readShut) return;
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (this.buffered >= this.capacity && !this.paused) {
        this.paused = true;
        socket.pause();
      }
      events.wakeAll();
    });
    socket.on("end", () => {
      this.ended = true;
      events.wakeAll();
    });
    socket.on("drain", () => events.wakeAll());
    socket.on("error", (e) => {
      this.error ??= hostErrno(e);
      events.wakeAll();
    });
    socket.on("close", () => {
      this.gone = true;
      events.wakeAll();
    });
  }

  readable(): number {
    return this.buffered;
  }
  writable(): number {
    return Math.max(0, this.sendBuffer() - this.socket.writableLength);
  }
  readReady(): boolean {
    return this.buffered > 0 || this.ended || this.gone || this.readShut || this.error !== undefined;
  }
  writeReady(): boolean {
    return this.socket.writableLength < this.sendBuffer() || this.gone || this.error !== undefined;
  }
  hungUp(): boolean {
    return this.gone || (this.ended && this.writeShut);
  }

  recv(bufs: readonly Uint8Array[], peek: boolean): number | null {
    if (this.buffered === 0) {
      if (this.error !== undefined && !this.errorSeen) {
        this.errorSeen = true;
        throw new SysError(this.error);
      }
      if (this.ended || this.gone || this.readShut || this.error !== undefined) return 0;
      return null;
    }
    const done = readChunks(this.chunks, bufs, peek);
    if (!peek) {
      this.buffered -= done;
      if (this.paused && this.buffered < this.capacity / 2) {
        this.paused = false;
        this.socket.resume();
      }
    }
    return done;
  }

  send(bufs: readonly Uint8Array[]): number | null {
    if (this.error !== undefined && !this.errorSeen) {
      this.errorSeen = true;
      throw new SysError(this.error);
    }
    if (this.writeShut || this.gone || this.error !== undefined) throw new SysError(Errno.PIPE);
    let size = 0;
    for (const b of bufs) size += b.length;
    if (size === 0) return 0;
    if (this.socket.writableLength >= this.sendBuffer()) return null;
    // The guest's buffers are views of its memory: node gets a copy, made once (no per-iovec copies to concatenate).
    const copy = Buffer.allocUnsafe(size);
    let at = 0;
    for (const b of bufs) {
      copy.set(b, at);
      at += b.length;
    }
    this.socket.write(copy);
    return size;
  }

  shutdown(read: boolean, write: boolean): void {
    if (read) {
      this.readShut = true;
      this.chunks.length = 0;
      this.buffered = 0;
      if (this.paused) this.socket.resume();
    }
    if (write && !this.writeShut) {
      this.writeShut = true;
      this.socket.end();
    }
    this.events.wakeAll();
  }

  close(abort = false): void {
    if (abort || this.buffered > 0) {
      this.socket.resetAndDestroy();
      return;
    }
    this.readShut = true;
    this.socket.resume();
    this.socket.end(() => this.socket.destroy());
  }

  setReceiveBuffer(bytes: number): void {
    this.capacity = bytes;
  }
  receiveBuffer(): number {
    return this.capacity;
  }
}

/** A kernel socket for a connection node accepted or made. */
function hostConnection(ns: NetNamespace, family: Family, socket: net.Socket, allocIno: () => bigint): TcpSocket {
  const conn = new TcpSocket(ns, family, allocIno(), allocIno);
  conn.adoptHost(
    new HostStream(socket, conn.events, () => conn.bufferSize(SockOption.SEND_BUF_SIZE)),
    nodeAddr(socket.localAddress, socket.localPort, family),
    nodeAddr(socket.remoteAddress, socket.remotePort, family),
  );
  return conn;
}

/** Parses "HOST:PORT" ("[::1]:8080" for IPv6); HOST must be an IP address. Undefined when malformed. */
export function parseHostPort(text: string): SockAddr | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!m) return undefined;
  const family = familyOf(m[1]);
  const port = Number(m[2]);
  if (family === undefined || port > 65535) return undefined;
  return { family, ip: canonicalIp(m[1]), port };
}

/**
 * A kernel socket listening on a real host address: each connection node accepts waits on its
 * accept queue as an established kernel socket. Rejects with SysError (EADDRINUSE, EACCES, ...).
 */
export function listenOnHost(ns: NetNamespace, at: SockAddr, allocIno: () => bigint, backlog = 511): Promise<TcpSocket> {
  const sock = new TcpSocket(ns, at.family, allocIno(), allocIno);
  const server = process.getBuiltinModule("node:net").createServer({ allowHalfOpen: true });
  server.on("connection", (socket) => sock.enqueue(hostConnection(ns, at.family, socket, allocIno)));
  return new Promise((resolve, reject) => {
    server.once("error", (e) => reject(new SysError(hostErrno(e), `${at.ip}:${at.port}: ${e.message}`)));
    server.listen({ host: at.ip, port: at.port, backlog, ipv6Only: at.family === 6 }, () => {
      server.removeAllListeners("error");
      server.on("error", () => undefined);
      const bound = server.address();
      const port = typeof bound === "object" && bound ? bound.port : at.port;
      sock.adoptHostListener({ ...at, port }, backlog, () => server.close());
      resolve(sock);
    });
  });
}

/** The host edge of a namespace whose sockets may reach the host: outbound connections through node:net. */
export function hostTcpEdge(): TcpHostEdge {
  return {
    connect(sock: TcpSocket, to: SockAddr): void {
      const socket = process.getBuiltinModule("node:net").connect({ host: to.ip, port: to.port, allowHalfOpen: true, noDelay: sock.options.noDelay, keepAlive: sock.options.keepAlive });
      const failed = (e: Error) => sock.connectFailed(hostErrno(e));
      socket.once("error", failed);
      socket.once("connect", () => {
        socket.off("error", failed);
        sock.connected(new HostStream(socket, sock.events, () => sock.bufferSize(SockOption.SEND_BUF_SIZE)), nodeAddr(socket.localAddress, socket.localPort, sock.family));
      });
    },
  };
}

/**
 * The UDP host edge (--network host): each kernel UDP socket that binds or sends gets one node:dgram
 * socket on the same address; what arrives there is delivered to the kernel socket.
 */
export function hostUdpEdge(): UdpHostEdge {
  const sockets = new WeakMap<UdpSocket, dgram.Socket>();
  /** Sends node has not finished, per host socket: a close waits for them (a datagram sent just before exit still goes). */
  const pending = new WeakMap<dgram.Socket, { sends: number; closing: boolean }>();
  const open = (sock: UdpSocket): dgram.Socket => {
    let socket = sockets.get(sock);
    if (socket) return socket;
    socket = process.getBuiltinModule("node:dgram").createSocket(sock.family === 4 ? "udp4" : "udp6");
    socket.on("message", (data, rinfo) => sock.deliver(nodeAddr(rinfo.address, rinfo.port, sock.family), new Uint8Array(data)));
    socket.on("error", (e) => {
      sock.lastError = hostErrno(e);
      sock.events.wakeAll();
    });
    const local = sock.local;
    socket.bind({ address: local?.ip, port: local?.port ?? 0 });
    sockets.set(sock, socket);
    return socket;
  };
  return {
    bind: (sock) => void open(sock),
    send(sock, data, to) {
      const socket = open(sock);
      const state = pending.get(socket) ?? { sends: 0, closing: false };
      pending.set(socket, state);
      state.sends++;
      socket.send(data, to.port, to.ip, () => {
        if (--state.sends === 0 && state.closing) socket.close();
      });
    },
    close(sock) {
      const socket = sockets.get(sock);
      sockets.delete(sock);
      if (!socket) return;
      const state = pending.get(socket);
      if (state && state.sends > 0) state.closing = true;
      else socket.close();
    },
  };
}
