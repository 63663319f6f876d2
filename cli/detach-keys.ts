// docker's detach keys for `attach` (default ctrl-p,ctrl-q): parsing docker's --detach-keys form and
// spotting the sequence in the keys typed, passing every other byte through in order.

/** docker's default detach sequence. */
export const DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q";

/** The bytes of a --detach-keys value ("ctrl-p,ctrl-q", "a,ctrl-@"); throws naming a bad key. */
export function parseDetachKeys(text: string): Uint8Array {
  const bytes = text.split(",").map((key) => {
    if (key.length === 1) return key.charCodeAt(0);
    const ctrl = /^ctrl-([a-z@[\\\]^_])$/.exec(key);
    if (ctrl) return ctrl[1]! >= "a" && ctrl[1]! <= "z" ? ctrl[1]!.charCodeAt(0) - 96 : ctrl[1]!.charCodeAt(0) - 64;
    throw new Error(`Invalid detach keys (${text}) provided: "${key}" is not a letter or ctrl-[a-z@[\\]^_]`);
  });
  return Uint8Array.from(bytes);
}

/** Watches typed bytes for the detach sequence; bytes of a partial match are held until it breaks. */
export class DetachScanner {
  private matched = 0;

  constructor(private readonly keys: Uint8Array) {}

  /** What to pass on from `chunk`, and whether the sequence was completed (what follows it is dropped). */
  feed(chunk: Uint8Array): { pass: Uint8Array; detached: boolean } {
    const pass: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { pass: Uint8Array.from(pass), detached: true };
        continue;
      }
      pass.push(...this.keys.subarray(0, this.matched));
      this.matched = 0;
      if (byte === this.keys[0]) this.matched = 1;
      else pass.push(byte);
    }
    return { pass: Uint8Array.from(pass), detached: false };
  }
}

/**
 * A listener for the keys typed at an attached terminal: each chunk goes through `scanner` (when
 * keys are scanned) into `body`, the attach request's stream; `onDetach` runs when the sequence is typed.
 */
export function keysToContainer(scanner: DetachScanner | undefined, body: { write(bytes: Uint8Array): unknown }, onDetach: () => void): (chunk: Buffer | string) => void {
  return (chunk) => {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    const { pass, detached } = scanner ? scanner.feed(bytes) : { pass: bytes, detached: false };
    if (pass.length) body.write(pass);
    if (detached) onDetach();
  };
}
