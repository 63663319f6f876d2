// A small deterministic random generator for tests that feed the kernel random input (fuzzers):
// the same seed gives the same sequence on every run, so a failure reproduces.

/** xorshift32: the next 32-bit unsigned value on each call (a zero seed counts as 1). */
export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}
