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

/** One direction of an in-kernel connection: its ring (one object, not two, per direction of every connection). */
class Flow extends ByteRing {
  /** The sender shut down writing or closed: EOF once the ring is empty. */
  finished = false;
  /** The receiver closed or shut down reading: sends get EPIPE. */
  readerGone = false;
  /** The sender aborted (closed with unread data): the receiver gets ECONNRESET after the data. */
  reset = false;
  /** The flow itself, as its ring. */
  get ring(): ByteRing {
    return this;
  }
}

/** Makes the two connected ends of an in-kernel connection; each wakes both queues on any change. */
export function localConnection(queueA: WaitQueue, queueB: WaitQueue, bufferA: number, bufferB: number): [StreamChannel, StreamChannel] {
  const toA = new Flow(bufferA);
  const toB = new Flow(bufferB);
  const wake = () => {
    queueA.wakeAll();
    queueB.wakeAll();
  };
  return [new LocalEnd(toA, toB, wake), new LocalEnd(toB, toA, wake)];
}

class LocalEnd implements StreamChannel {
  private closed = false;
  /** ECONNRESET was reported once; later calls see EOF / EPIPE, as on Linux. */
  private resetSeen = false;

  constructor(private readonly rx: Flow, private readonly tx: Flow, private readonly wake: () => void) {}

  readable(): number {
    return this.rx.ring.length;
  }
  writable(): number {
    return this.tx.ring.free;
  }
  readReady(): boolean {
    return this.rx.ring.length > 0 || this.rx.finished || this.rx.reset || this.rx.readerGone;
  }
  writeReady(): boolean {
    return this.tx.ring.free > 0 || this.tx.readerGone || this.tx.finished || this.rx.reset;
  }
  hungUp(): boolean {
    return (this.rx.finished || this.rx.reset) && this.tx.readerGone;
  }

  recv(bufs: readonly Uint8Array[], peek: boolean): number | null {
    const rx = this.rx;
    if (rx.ring.length > 0) {
      const n = rx.ring.takev(bufs, peek);
      if (!peek && n > 0) this.wake();
      return n;
    }
    if (rx.reset && !this.resetSeen) {
      this.resetSeen = true;
      throw new SysError(Errno.CONNRESET);
    }
    if (rx.finished || rx.readerGone || rx.reset) return 0;
    return null;
  }

  send(bufs: readonly Uint8Array[]): number | null {
    const tx = this.tx;
    if (this.rx.reset && !this.resetSeen) {
      this.resetSeen = true;
      throw new SysError(Errno.CONNRESET);
    }
    if (tx.finished || tx.readerGone || this.rx.reset) throw new SysError(Errno.PIPE);
    let wanted = 0;
    for (const b of bufs) wanted += b.length;
    if (wanted === 0) return 0;
    const n = tx.ring.putv(bufs);
    if (n === 0) return null;
    this.wake();
    return n;
  }

  shutdown(read: boolean, write: boolean): void {
    if (read) this.rx.readerGone = true;
    if (write) this.tx.finished = true;
    this.wake();
  }

  close(abort = false): void {
    if (this.closed) return;
    this.closed = true;
    // Closing with unread data aborts the connection (RFC 2525's reset), as Linux does; the data
    // already sent stays readable by the peer, which then gets ECONNRESET instead of EOF.
    if (abort || this.rx.ring.length > 0) this.tx.reset = true;
    this.tx.finished = true;
    this.rx.readerGone = true;
    this.wake();
  }

  setReceiveBuffer(bytes: number): void {
    this.rx.ring.resize(bytes);
    this.wake();
  }
  receiveBuffer(): number {
    return this.rx.ring.capacity;
  }
}
