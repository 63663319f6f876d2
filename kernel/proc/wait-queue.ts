// A wait queue: blocked syscalls park on it and are woken all at once when its state changes.
// Wakers never run guest code; the scheduler decides who runs after a wake-up.

/** Something a blocked caller can wait on and be woken from. */
export class WaitQueue {
  private waiters: Array<() => void> = [];

  /** Resolves at the next wakeAll(). */
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Registers a one-shot callback for the next wakeAll(); returns a function that unregisters it. */
  subscribe(callback: () => void): () => void {
    this.waiters.push(callback);
    return () => {
      const i = this.waiters.indexOf(callback);
      if (i >= 0) this.waiters.splice(i, 1);
    };
  }

  wakeAll(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  get size(): number {
    return this.waiters.length;
  }
}
