// A TCP connection as its two ends see it: a stream channel. Inside the kernel a connection is two
// bounded rings (one per direction); the host edge (node:net) implements the same interface.
import { Errno, SysError } from "../errno.js";
import type { WaitQueue } from "../proc/wait-queue.js";
import { ByteRing } from "./ring.js";

/** One end of a connected stream, as a socket uses it. */
export interface StreamChannel {
  /** Bytes that a recv would give now. */
  readable(): number;
  /** Bytes that a send could take now. */
  writable(): number;
  /** Whether a recv would not wait (data, EOF or an error). */
  readReady(): boolean;
  /** Whether a send would not wait (room or an error). */
  writeReady(): boolean;
  /** Whether the peer is gone for good (poll's HANGUP). */
  hungUp(): boolean;
  /** Copies received bytes into bufs; null: nothing yet (would wait); 0: EOF. ECONNRESET: the peer aborted. */
  recv(bufs: readonly Uint8Array[], peek: boolean): number | null;
  /** Sends what fits; null: no room (would wait). EPIPE: the peer stopped reading or we shut down writing; ECONNRESET. */
  send(bufs: readonly Uint8Array[]): number | null;
  /** shutdown(2): stop reading and/or writing (writing: the peer reads EOF after the data). */
  shutdown(read: boolean, write: boolean): void;
  /** The socket closed: FIN, or a reset when it left unread data behind or `abort` asks for one. */
  close(abort?: boolean): void;
  /** SO_RCVBUF: the receive buffer's size. */
  setReceiveBuffer(bytes: number): void;
  receiveBuffer(): number;
}

/**
 * One end of an in-kernel connection, which is also the ring of the direction towards it (its
 * receive buffer): two objects per connection. Any change wakes both ends' queues.
 */
class LocalEnd extends ByteRing implements StreamChannel {
  /** The other end (set once both exist). */
  peer!: LocalEnd;
  /** The peer shut down writing or closed: EOF once this ring is empty. */
  finished = false;
  /** This end closed or shut down reading: the peer's sends get EPIPE. */
  readerGone = false;
  /** The peer aborted (closed with unread data): ECONNRESET here after the data. */
  reset = false;
  private closed = false;
  /** ECONNRESET was reported once; later calls see EOF / EPIPE, as on Linux. */
  private resetSeen = false;

  constructor(private readonly events: WaitQueue, capacity: number) {
    super(capacity);
  }

  private wake(): void {
    this.events.wakeAll();
    this.peer.events.wakeAll();
  }

  readable(): number {
    return this.length;
  }
  writable(): number {
    return this.peer.free;
  }
  readReady(): boolean {
    return this.length > 0 || this.finished || this.reset || this.readerGone;
  }
  writeReady(): boolean {
    const tx = this.peer;
    return tx.free > 0 || tx.readerGone || tx.finished || this.reset;
  }
  hungUp(): boolean {
    return (this.finished || this.reset) && this.peer.readerGone;
  }

  recv(bufs: readonly Uint8Array[], peek: boolean): number | null {
    if (this.length > 0) {
      const n = this.takev(bufs, peek);
      if (!peek && n > 0) this.wake();
      return n;
    }
    if (this.reset && !this.resetSeen) {
      this.resetSeen = true;
      throw new SysError(Errno.CONNRESET);
    }
    if (this.finished || this.readerGone || this.reset) return 0;
    return null;
  }

  send(bufs: readonly Uint8Array[]): number | null {
    const tx = this.peer;
    if (this.reset && !this.resetSeen) {
      this.resetSeen = true;
      throw new SysError(Errno.CONNRESET);
    }
    if (tx.finished || tx.readerGone || this.reset) throw new SysError(Errno.PIPE);
    let wanted = 0;
    for (const b of bufs) wanted += b.length;
    if (wanted === 0) return 0;
    const n = tx.putv(bufs);
    if (n === 0) return null;
    this.wake();
    return n;
  }

  shutdown(read: boolean, write: boolean): void {
    if (read) this.readerGone = true;
    if (write) this.peer.finished = true;
    this.wake();
  }

  close(abort = false): void {
    if (this.closed) return;
    this.closed = true;
    // Closing with unread data aborts the connection (RFC 2525's reset), as Linux does; the data
    // already sent stays readable by the peer, which then gets ECONNRESET instead of EOF.
    if (abort || this.length > 0) this.peer.reset = true;
    this.peer.finished = true;
    this.readerGone = true;
    this.wake();
  }

  setReceiveBuffer(bytes: number): void {
    this.resize(bytes);
    this.wake();
  }
  receiveBuffer(): number {
    return this.capacity;
  }
}

/** Makes the two connected ends of an in-kernel connection; `bufferA` is A's receive buffer. */
export function localConnection(queueA: WaitQueue, queueB: WaitQueue, bufferA: number, bufferB: number): [StreamChannel, StreamChannel] {
  const a = new LocalEnd(queueA, bufferA);
  const b = new LocalEnd(queueB, bufferB);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
