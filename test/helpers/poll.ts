// How tests wait for something to happen: polled every few ms, each wait with its own deadline,
// and a failure that names what never happened (never a loop that only the suite's timeout ends).

/** Waits until `check` holds, polling every `everyMs`; past `timeoutMs` fails with "timed out waiting for <what>". */
export async function waitUntil(what: string, check: () => boolean, timeoutMs = 20_000, everyMs = 5): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
