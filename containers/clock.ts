// containers/: the timestamps that records and logs carry (ISO 8601, as docker prints them).
// Formatting a Date costs about a microsecond and starts come many to a millisecond: cache one.

/** ISO 8601 timestamps of now, each formatted once per millisecond; one per owner (no shared state). */
export class IsoClock {
  private ms = -1;
  private text = "";

  now(): string {
    const ms = Date.now();
    if (ms !== this.ms) {
      this.ms = ms;
      this.text = new Date(ms).toISOString();
    }
    return this.text;
  }
}
