// The kernel's message ring (what dmesg reads): boot lines, containers made, traps and OOM kills,
// each stamped with seconds since boot. Bounded, so the oldest messages go first, as in Linux.
import type { Container } from "../jail/container.js";

/** How many messages the ring keeps. */
export const KERNEL_LOG_ENTRIES = 1024;

/**
 * One message: when (ms since boot), its text (or what makes it when first read: a boot line that
 * would ask the host for its memory waits until someone reads the log), and the container it is about (none: the whole kernel).
 */
export interface KernelMessage {
  readonly atMs: number;
  text: string | (() => string);
  readonly container?: Container;
}

export class KernelLog {
  private readonly ring: KernelMessage[] = [];

  constructor(private readonly bootedAt: number, private readonly capacity = KERNEL_LOG_ENTRIES) {}

  /** Adds a message, dropping the oldest past the capacity. */
  add(text: string | (() => string), container?: Container): void {
    this.ring.push({ atMs: Date.now() - this.bootedAt, text, container });
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
  }

  /** What a container may read: the kernel's own messages and those about itself (the host sees all), as "[    1.234000] text" lines. */
  text(reader: Container, host: Container): string {
    return this.ring
      .filter((m) => reader === host || m.container === undefined || m.container === reader)
      .map((m) => `[${(m.atMs / 1000).toFixed(6).padStart(12)}] ${typeof m.text === "string" ? m.text : (m.text = m.text())}\n`)
      .join("");
  }
}
