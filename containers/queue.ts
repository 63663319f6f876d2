// containers/: one promise chain per key (a container id): work queued under a key runs after
// the work queued before it, so the operations on one container never interleave. Used by the
// runtime (lifecycle calls) and by ContainerFiles (writes to a container's directory).

/** Runs async work one at a time per key; keys with nothing queued hold no memory. */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `work` once everything queued before under `key` has settled; its result or error. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const next = (this.tails.get(key) ?? Promise.resolve()).then(work);
    const settled = next.then(() => undefined, () => undefined);
    this.tails.set(key, settled);
    void settled.then(() => {
      if (this.tails.get(key) === settled) this.tails.delete(key);
    });
    return next;
  }

  /** Settles once what is queued under `key` now has run. */
  async idle(key: string): Promise<void> {
    await this.tails.get(key);
  }
}
