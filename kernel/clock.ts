// The kernel's clocks, without node:perf_hooks: the global `performance` loads it on first use
// (~1 ms of a CLI module run's start), where process.hrtime is there from Node's start.

/**
 * Milliseconds on a monotonic clock since Node started: performance.now() within a fraction of a
 * millisecond (its origin is a little earlier), so that a value from either compares with the other.
 */
export function monotonicMs(): number {
  return process.uptime() * 1000;
}

/** The wall clock in ns at this module's load, less the monotonic clock then (as performance.timeOrigin). */
const WALL_ORIGIN_NS = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** The wall clock in nanoseconds (microsecond steps), moving with the monotonic clock. */
export function wallNs(): bigint {
  return ((WALL_ORIGIN_NS + process.hrtime.bigint()) / 1000n) * 1000n;
}
