// kernel/net/: a queue of received byte chunks read into a call's iovecs, shared by the sockets
// whose bytes arrive from outside the kernel (host sockets through node:net, a VM's relay).

/**
 * Copies the front of `chunks` into `bufs` in order, until either runs out; unless `peek`, the copied
 * bytes leave the queue (whole chunks are dropped, a partly read one is cut). Returns the bytes copied.
 */
export function readChunks(chunks: Uint8Array[], bufs: readonly Uint8Array[], peek: boolean): number {
  let done = 0;
  let chunkAt = 0;
  let offset = 0;
  for (const buf of bufs) {
    let filled = 0;
    while (filled < buf.length && chunkAt < chunks.length) {
      const chunk = chunks[chunkAt]!;
      const n = Math.min(buf.length - filled, chunk.length - offset);
      buf.set(n === chunk.length ? chunk : chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (offset === chunk.length) {
        chunkAt++;
        offset = 0;
      }
    }
    done += filled;
    if (filled < buf.length) break;
  }
  if (!peek) {
    chunks.splice(0, chunkAt);
    if (offset > 0) chunks[0] = chunks[0]!.subarray(offset);
  }
  return done;
}
