// kernel/net/: two connected TCP sockets joined end to end by the kernel itself (a port published
// to a VM: the host's connection on one side, the relayed connection into the guest on the other).
import type { TcpSocket } from "./tcp.js";

/** The most one pass copies from one end to the other. */
const SPLICE_CHUNK = 64 * 1024;

/** One direction of a splice: what `from` receives is sent on `to`. */
class SplicePump {
  private readonly buffer = new Uint8Array(SPLICE_CHUNK);
  /** Received and not yet sent (a view of `buffer`). */
  private pending = this.buffer.subarray(0, 0);
  private eof = false;
  done = false;
  /** The connection broke (a reset, or a send the other side refused): both ends are aborted. */
  broken = false;

  constructor(private readonly from: TcpSocket, private readonly to: TcpSocket) {}

  /** Moves what it can now; returns when it would wait. */
  step(): void {
    const from = this.from.channel;
    const to = this.to.channel;
    if (this.done || !from || !to) return;
    try {
      for (;;) {
        if (this.pending.length === 0 && !this.eof) {
          const n = from.recv([this.buffer], false);
          if (n === null) return;
          if (n === 0) this.eof = true;
          else this.pending = this.buffer.subarray(0, n);
        }
        if (this.pending.length > 0) {
          const n = to.send([this.pending]);
          if (n === null) return;
          this.pending = this.pending.subarray(n);
          continue;
        }
        to.shutdown(false, true);
        this.done = true;
        return;
      }
    } catch {
      this.done = true;
      this.broken = true;
    }
  }
}

/**
 * Joins two connected sockets: bytes, EOF (as a shutdown of writing) and resets pass from each to
 * the other until both directions end; then both are closed (the splice holds the only reference).
 */
export function spliceSockets(a: TcpSocket, b: TcpSocket): void {
  const pumps = [new SplicePump(a, b), new SplicePump(b, a)];
  const armed = new Set<TcpSocket>();
  let running = false;
  let again = false;
  let over = false;
  const run = (): void => {
    if (over) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    do {
      again = false;
      for (const pump of pumps) pump.step();
    } while (again);
    running = false;
    if (pumps.some((p) => p.broken)) {
      over = true;
      a.abort();
      b.abort();
      return;
    }
    if (pumps.every((p) => p.done)) {
      over = true;
      a.release();
      b.release();
      return;
    }
    for (const sock of [a, b]) {
      if (armed.has(sock)) continue;
      armed.add(sock);
      sock.events.subscribe(() => {
        armed.delete(sock);
        run();
      });
    }
  };
  run();
}
