// Command-line option parsing in the getopt style: "-la", "-n 5", "-n5", "--" ends options.
// A spec such as "n:iv" lists the letters; a ':' after a letter means it takes a value.

export class Options {
  flags: Set<i32> = new Set<i32>();
  values: Map<i32, string> = new Map<i32, string>();
  /** Every value given to an option, in order (for options that may repeat, like sed -e). */
  repeated: string[] = [];
  /** The values given to each option, in order, by letter. */
  valuesOf: Map<i32, string[]> = new Map<i32, string[]>();
  operands: string[] = [];
  /** Non-empty when the command line was wrong: the message to print. */
  error: string = "";

  has(letter: string): bool { return this.flags.has(letter.charCodeAt(0)); }
  /** Every value given to option `letter`, in order (none: empty). */
  all(letter: string): string[] {
    const c = letter.charCodeAt(0);
    return this.valuesOf.has(c) ? this.valuesOf.get(c) : [];
  }
  value(letter: string, fallback: string): string {
    const c = letter.charCodeAt(0);
    return this.values.has(c) ? this.values.get(c) : fallback;
  }
}

/** Parses args (without argv[0]); options stop at the first operand unless anywhere is set. */
export function getopt(args: string[], spec: string, anywhere: bool = true): Options {
  const o = new Options();
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a == "--") { i++; break; }
    if (a.length < 2 || a.charCodeAt(0) != 45) {
      if (!anywhere) break;
      o.operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a.charCodeAt(j);
      const at = spec.indexOf(String.fromCharCode(c));
      if (at < 0) {
        o.error = "invalid option -- '" + String.fromCharCode(c) + "'";
        return o;
      }
      if (at + 1 < spec.length && spec.charCodeAt(at + 1) == 58) {
        let v = "";
        if (j + 1 < a.length) v = a.substring(j + 1);
        else if (i + 1 < args.length) v = args[++i];
        else { o.error = "option requires an argument -- '" + String.fromCharCode(c) + "'"; return o; }
        o.flags.add(c);
        o.values.set(c, v);
        o.repeated.push(v);
        if (!o.valuesOf.has(c)) o.valuesOf.set(c, []);
        o.valuesOf.get(c).push(v);
        break;
      }
      o.flags.add(c);
    }
  }
  for (; i < args.length; i++) o.operands.push(args[i]);
  return o;
}

/**
 * GNU long options rewritten as their short letters for getopt(), in place: each entry of `table` is
 * "name=c" (a flag) or "name:c" (a value, as --name=V or --name V); an unambiguous prefix of a name
 * will do, as getopt_long takes it. Short options taking a value (spec's "c:") keep theirs; with
 * anywhere false, options end at the first operand. Returns "" or the error to print (GNU's words).
 */
export function expandLong(args: string[], spec: string, table: string[], anywhere: bool = true): string {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a == "--") break;
    if (a.length < 2 || a.charCodeAt(0) != 45) { if (!anywhere) break; continue; }
    if (!a.startsWith("--")) {
      // A short option cluster: skip the value of its last letter when that takes one.
      for (let j = 1; j < a.length; j++) {
        const at = spec.indexOf(a.charAt(j));
        if (at >= 0 && at + 1 < spec.length && spec.charCodeAt(at + 1) == 58) { if (j + 1 == a.length) i++; break; }
      }
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq < 0 ? a.substring(2) : a.substring(2, eq);
    let found = -1;
    let ambiguous = false;
    for (let k = 0; k < table.length; k++) {
      const entry = table[k];
      const entryName = entry.substring(0, entry.length - 2);
      if (entryName == name) { found = k; ambiguous = false; break; }
      if (entryName.startsWith(name)) { if (found >= 0 && table[found].charAt(table[found].length - 1) != entry.charAt(entry.length - 1)) ambiguous = true; found = k; }
    }
    if (ambiguous) return "option '--" + name + "' is ambiguous";
    if (found < 0) return "unrecognized option '" + a + "'";
    const entry = table[found];
    const letter = entry.charAt(entry.length - 1);
    const full = entry.substring(0, entry.length - 2);
    if (entry.charAt(entry.length - 2) == "=") {
      if (eq >= 0) return "option '--" + full + "' doesn't allow an argument";
      args[i] = "-" + letter;
      continue;
    }
    if (eq >= 0) { args[i] = "-" + letter + a.substring(eq + 1); continue; }
    if (i + 1 >= args.length) return "option '--" + full + "' requires an argument";
    args[i] = "-" + letter + args[i + 1];
    args.splice(i + 1, 1);
  }
  return "";
}

/** Parses a decimal integer (optional sign); returns fallback if s is not one. */
export function parseIntOr(s: string, fallback: i64): i64 {
  let i = 0;
  let neg = false;
  if (s.length > 0 && (s.charCodeAt(0) == 45 || s.charCodeAt(0) == 43)) { neg = s.charCodeAt(0) == 45; i = 1; }
  if (i >= s.length) return fallback;
  let v: i64 = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return fallback;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

/** True if s is a decimal integer. */
export function isInteger(s: string): bool {
  return parseIntOr(s, -1) != -1 || s == "-1";
}
