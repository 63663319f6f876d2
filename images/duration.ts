// images/: Go's time.ParseDuration, which docker uses for HEALTHCHECK's --interval, --timeout, --start-period
// (`1m30s`, `500ms`, `1.5h`); the result is in nanoseconds, as docker stores it in the image config.

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Parses a Go duration string to nanoseconds; throws Error naming the text when it is not one. */
export function parseGoDuration(text: string): number {
  if (text === "0") return 0;
  const pattern = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let position = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    total += Number(match[1]) * UNIT_NS[match[2]!]!;
    position = pattern.lastIndex;
  }
  if (text === "" || position !== text.length) throw new Error(`time: invalid duration "${text}" (use a number and a unit: 500ms, 10s, 1m30s)`);
  return Math.round(total);
}
