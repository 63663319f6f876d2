// The relay between two kernels' network stacks (a VM's guest kernel and the host kernel): TCP
// connections and UDP datagrams cross as messages, with credit-based flow control (a receiver's
// acks give its sender room again), so a VM's network card sits on the host's bridge.
import { Errno, SysError } from "../errno.js";
import type { WaitQueue } from "../proc/wait-queue.js";
import type { SockAddr } from "./address.js";
import type { NetNamespace } from "./namespace.js";
import { DEFAULT_STREAM_BUFFER } from "./ring.js";
import { SockOption } from "./socket.js";
import type { StreamChannel } from "./stream.js";
import { TcpSocket } from "./tcp.js";
import { UdpSocket } from "./udp.js";
import { readChunks } from "./chunks.js";

/** What crosses between two relays. `id` names a connection; `window` is the sender's receive buffer. */
export type NetMessage =
  | { net: "connect"; id: number; from: SockAddr; to: SockAddr; window: number }
  | { net: "accepted"; id: number; window: number }
  | { net: "refused"; id: number; errno: Errno }
  | { net: "data"; id: number; data: Uint8Array }
  /** The receiver consumed `bytes`: the sender may send that much more. */
  | { net: "ack"; id: number; bytes: number }
  /** The sender shut down writing: EOF after the data. */
  | { net: "fin"; id: number }
  /** The receiver stopped reading (shutdown or close): the sender's sends get EPIPE. */
  | { net: "stop"; id: number }
  /** The connection was aborted: ECONNRESET after the data. */
  | { net: "reset"; id: number }
  | { net: "dgram"; from: SockAddr; to: SockAddr; data: Uint8Array };

/**
 * The window of a relayed connection whose socket kept the default receive buffer: a message
 * between kernels takes a trip through the host's event loop, and throughput is window / round
 * trip, so it is larger than in-kernel (as Linux autotunes a long path's window). A buffer the
 * program set is kept as it is.
 */
export const RELAY_WINDOW = 1024 * 1024;

/** The window a relayed connection offers for a socket whose receive buffer is `receiveBuffer`. */
function relayWindow(receiveBuffer: number): number {
  return receiveBuffer === DEFAULT_STREAM_BUFFER ? RELAY_WINDOW : receiveBuffer;
}

/** Sends a message to the other kernel; `transfer` are buffers it may move instead of copying. */
export type RelayPost = (message: NetMessage, transfer: ArrayBuffer[]) => void;

/** What the owner of a relay does with what arrives unasked: connections and datagrams to route. */
export interface RelayRouter {
  /** A connection from the other side: accept it (acceptRelayed), splice it on, or refuse it. */
  connect(relay: NetRelay, id: number, from: SockAddr, to: SockAddr, window: number): void;
  datagram(relay: NetRelay, from: SockAddr, to: SockAddr, data: Uint8Array): void;
}

/** A connection passed on to another relay unchanged (a VM to VM connection through the host). */
interface Splice {
  relay: NetRelay;
  id: number;
  /** Whether each side said stop: when both have, the splice is forgotten. */
  stoppedHere: boolean;
  stoppedThere: boolean;
}

/**
 * One end of a link between two kernels: the connections that cross it, by id. Ids are even from
 * one side and odd from the other, so both may open connections at once.
 */
export class NetRelay {
  private readonly streams = new Map<number, RelayStream>();
  /** Connections asked for and not yet answered: the socket, and the window its connect offered. */
  private readonly connecting = new Map<number, { sock: TcpSocket; window: number }>();
  private readonly splices = new Map<number, Splice>();
  private nextId: number;
  private closed = false;

  constructor(private readonly post: RelayPost, side: 0 | 1, private readonly router: RelayRouter) {
    this.nextId = side;
  }

  private allocId(): number {
    const id = this.nextId;
    this.nextId += 2;
    return id;
  }

  /** Sends a message (nothing once the link is closed). */
  send(message: NetMessage, transfer: ArrayBuffer[] = []): void {
    if (!this.closed) this.post(message, transfer);
  }

  /** Starts a connection from `sock` to `to` across the link; the socket hears connected() or connectFailed() later. */
  connect(sock: TcpSocket, to: SockAddr): void {
    if (this.closed || !sock.local) {
      sock.connectFailed(Errno.HOSTUNREACH);
      return;
    }
    const id = this.allocId();
    const window = relayWindow(sock.bufferSize(SockOption.RECV_BUF_SIZE));
    this.connecting.set(id, { sock, window });
    this.send({ net: "connect", id, from: sock.local, to, window });
  }

  /** Sends a datagram across the link. */
  datagram(from: SockAddr, to: SockAddr, data: Uint8Array): void {
    this.send({ net: "dgram", from, to, data }, [data.buffer as ArrayBuffer]);
  }

  /** Makes the local end of connection `id` for a socket whose wait queue is `events`. */
  open(id: number, events: WaitQueue, sendWindow: number, receiveBuffer: number): RelayStream {
    const stream = new RelayStream(this, id, events, sendWindow, receiveBuffer);
    this.streams.set(id, stream);
    return stream;
  }

  /** Refuses connection `id` with `errno`. */
  refuse(id: number, errno: Errno): void {
    this.send({ net: "refused", id, errno });
  }

  /** Passes connection `id` on to `other` as a new connection there (from, to unchanged). */
  splice(id: number, other: NetRelay, from: SockAddr, to: SockAddr, window: number): void {
    if (other.closed) {
      this.refuse(id, Errno.HOSTUNREACH);
      return;
    }
    const otherId = other.allocId();
    this.splices.set(id, { relay: other, id: otherId, stoppedHere: false, stoppedThere: false });
    other.splices.set(otherId, { relay: this, id, stoppedHere: false, stoppedThere: false });
    other.send({ net: "connect", id: otherId, from, to, window });
  }

  /** Forgets a connection whose local end closed. */
  forget(id: number): void {
    this.streams.delete(id);
  }

  /** Handles a message from the other side. */
  receive(message: NetMessage): void {
    if (this.closed) return;
    if (message.net === "dgram") {
      this.router.datagram(this, message.from, message.to, message.data);
      return;
    }
    const splice = this.splices.get(message.id);
    if (splice) {
      this.forward(splice, message);
      return;
    }
    switch (message.net) {
      case "connect":
        this.router.connect(this, message.id, message.from, message.to, message.window);
        return;
      case "accepted": {
        const asked = this.connecting.get(message.id);
        this.connecting.delete(message.id);
        if (!asked) return;
        if (asked.sock.state !== "connecting") {
          this.send({ net: "reset", id: message.id });
          return;
        }
        asked.sock.connected(this.open(message.id, asked.sock.events, message.window, asked.window));
        return;
      }
      case "refused": {
        const asked = this.connecting.get(message.id);
        this.connecting.delete(message.id);
        asked?.sock.connectFailed(message.errno);
        return;
      }
      default:
        this.streams.get(message.id)?.receive(message);
    }
  }

  /** A message of a spliced connection goes on to the other relay under its id there. */
  private forward(splice: Splice, message: Exclude<NetMessage, { net: "dgram" }>): void {
    const transfer = message.net === "data" ? [message.data.buffer as ArrayBuffer] : [];
    splice.relay.send({ ...message, id: splice.id }, transfer);
    if (message.net === "stop") {
      splice.stoppedHere = true;
      const back = splice.relay.splices.get(splice.id);
      if (back) back.stoppedThere = true;
    }
    if (message.net === "reset" || message.net === "refused" || (splice.stoppedHere && splice.stoppedThere)) {
      this.splices.delete(message.id);
      splice.relay.splices.delete(splice.id);
    }
  }

  /** The link is gone (the VM ended): every connection across it is reset, every connect refused. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of this.streams.values()) stream.linkDown();
    this.streams.clear();
    for (const { sock } of this.connecting.values()) sock.connectFailed(Errno.HOSTUNREACH);
    this.connecting.clear();
    for (const [id, splice] of this.splices) {
      splice.relay.splices.delete(splice.id);
      splice.relay.receiveReset(splice.id);
      this.splices.delete(id);
    }
  }

  /** Resets connection `id` as if the other side had aborted it (its link went down). */
  private receiveReset(id: number): void {
    const asked = this.connecting.get(id);
    if (asked) {
      this.connecting.delete(id);
      asked.sock.connectFailed(Errno.CONNREFUSED);
    }
    this.send({ net: "reset", id });
    this.streams.get(id)?.linkDown();
  }
}

/**
 * Accepts connection `id` from the other side into `ns`: an established socket on the accept queue
 * of whoever listens on `to` (once its backlog has room), or a refusal when nobody does.
 */
export function acceptRelayed(ns: NetNamespace, relay: NetRelay, id: number, from: SockAddr, to: SockAddr, window: number, allocIno: () => bigint): void {
  const listener = ns.lookup(ns.tcpPorts, to);
  if (!(listener instanceof TcpSocket) || !listener.listening) {
    relay.refuse(id, Errno.CONNREFUSED);
    return;
  }
  if (!listener.hasRoom()) {
    listener.events.subscribe(() => acceptRelayed(ns, relay, id, from, to, window, allocIno));
    return;
  }
  const server = new TcpSocket(ns, to.family, allocIno(), allocIno);
  server.inheritOptions(listener);
  const receiveBuffer = relayWindow(listener.bufferSize(SockOption.RECV_BUF_SIZE));
  server.adoptHost(relay.open(id, server.events, window, receiveBuffer), to, from);
  listener.enqueue(server);
  relay.send({ net: "accepted", id, window: receiveBuffer });
}

/** Delivers a datagram from the other side to whatever UDP socket in `ns` is bound to `to` (dropped otherwise, as UDP does). */
export function deliverRelayed(ns: NetNamespace, from: SockAddr, to: SockAddr, data: Uint8Array): void {
  const receiver = ns.lookup(ns.udpPorts, to);
  if (receiver instanceof UdpSocket) receiver.deliver(from, data);
}

/** One end of a TCP connection whose other end is in the other kernel. */
export class RelayStream implements StreamChannel {
  private readonly chunks: Uint8Array[] = [];
  private buffered = 0;
  /** Bytes consumed and not yet acknowledged to the sender. */
  private unacked = 0;
  private rxFinished = false;
  private rxReset = false;
  private txReaderGone = false;
  private readShut = false;
  private writeShut = false;
  private closed = false;
  private resetSeen = false;
  /** The window the peer was given (our receive buffer when the connection was made): it never has more unacknowledged bytes in flight. */
  private readonly window: number;

  /** `credit`: what the peer's receive buffer has room for; `capacity`: our receive buffer. */
  constructor(
    private readonly relay: NetRelay, private readonly id: number, private readonly events: WaitQueue,
    private credit: number, private capacity: number,
  ) {
    this.window = capacity;
  }

  /** A message of this connection from the other side. */
  receive(message: NetMessage): void {
    switch (message.net) {
      case "data":
        if (this.readShut || this.closed) break;
        // The other side sends only what the window and our acks allowed: more is a broken peer, reset.
        if (this.buffered + message.data.length > this.window) {
          this.rxReset = true;
          this.chunks.length = 0;
          this.buffered = 0;
          this.relay.send({ net: "reset", id: this.id });
          break;
        }
        this.chunks.push(message.data);
        this.buffered += message.data.length;
        break;
      case "ack": this.credit += message.bytes; break;
      case "fin": this.rxFinished = true; break;
      case "stop": this.txReaderGone = true; break;
      case "reset": this.rxReset = true; break;
      default: return;
    }
    this.events.wakeAll();
  }

  /** The link went down: the connection is reset. */
  linkDown(): void {
    this.rxReset = true;
    this.txReaderGone = true;
    this.events.wakeAll();
  }

  readable(): number {
    return this.buffered;
  }
  writable(): number {
    return this.credit;
  }
  readReady(): boolean {
    return this.buffered > 0 || this.rxFinished || this.rxReset || this.readShut;
  }
  writeReady(): boolean {
    return this.credit > 0 || this.txReaderGone || this.writeShut || this.rxReset;
  }
  hungUp(): boolean {
    return (this.rxFinished || this.rxReset) && this.txReaderGone;
  }

  recv(bufs: readonly Uint8Array[], peek: boolean): number | null {
    if (this.buffered === 0) {
      if (this.rxReset && !this.resetSeen) {
        this.resetSeen = true;
        throw new SysError(Errno.CONNRESET);
      }
      if (this.rxFinished || this.rxReset || this.readShut) return 0;
      return null;
    }
    const done = readChunks(this.chunks, bufs, peek);
    if (!peek) {
      this.buffered -= done;
      this.unacked += done;
      // Acknowledging a quarter of the buffer at a time: a blocked sender has a full buffer's worth
      // unacknowledged, so the receiver always has enough left to read to send the ack that frees it.
      if (this.unacked >= this.capacity / 4) {
        this.relay.send({ net: "ack", id: this.id, bytes: this.unacked });
        this.unacked = 0;
      }
    }
    return done;
  }

  send(bufs: readonly Uint8Array[]): number | null {
    if (this.rxReset && !this.resetSeen) {
      this.resetSeen = true;
      throw new SysError(Errno.CONNRESET);
    }
    if (this.writeShut || this.txReaderGone || this.rxReset) throw new SysError(Errno.PIPE);
    let wanted = 0;
    for (const b of bufs) wanted += b.length;
    if (wanted === 0) return 0;
    const n = Math.min(wanted, this.credit);
    if (n === 0) return null;
    // The guest's buffers are views of its memory: the message carries a copy, moved, not copied again.
    const data = new Uint8Array(n);
    let at = 0;
    for (const b of bufs) {
      if (at === n) break;
      const take = Math.min(b.length, n - at);
      data.set(take === b.length ? b : b.subarray(0, take), at);
      at += take;
    }
    this.credit -= n;
    this.relay.send({ net: "data", id: this.id, data }, [data.buffer]);
    return n;
  }

  shutdown(read: boolean, write: boolean): void {
    if (read && !this.readShut) {
      this.readShut = true;
      this.chunks.length = 0;
      this.buffered = 0;
      this.relay.send({ net: "stop", id: this.id });
    }
    if (write && !this.writeShut) {
      this.writeShut = true;
      this.relay.send({ net: "fin", id: this.id });
    }
    this.events.wakeAll();
  }

  close(abort = false): void {
    if (this.closed) return;
    this.closed = true;
    // As an in-kernel connection: closing with unread data aborts it (the peer gets ECONNRESET).
    if (abort || this.buffered > 0) {
      this.relay.send({ net: "reset", id: this.id });
    } else {
      if (!this.writeShut) this.relay.send({ net: "fin", id: this.id });
      if (!this.readShut) this.relay.send({ net: "stop", id: this.id });
    }
    this.writeShut = true;
    this.readShut = true;
    this.chunks.length = 0;
    this.buffered = 0;
    this.relay.forget(this.id);
    this.events.wakeAll();
  }

  setReceiveBuffer(bytes: number): void {
    this.capacity = bytes;
  }
  receiveBuffer(): number {
    return this.capacity;
  }
}
