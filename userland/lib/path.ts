// Path strings: normalisation, joining, basename/dirname, and shell-style pattern matching
// (fnmatch with * ? [...]) used by the shell's globbing, find -name and case-free matches.

/** Collapses "//", "." and ".." in an absolute path; the result starts with "/" and has no trailing "/". */
export function normalize(path: string): string {
  const parts = path.split("/");
  const out = new Array<string>();
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.length == 0 || p == ".") continue;
    if (p == "..") { if (out.length > 0) out.pop(); continue; }
    out.push(p);
  }
  return "/" + out.join("/");
}

/** Joins dir and name with exactly one "/" between them. */
export function join(dir: string, name: string): string {
  if (name.startsWith("/")) return name;
  if (dir.length == 0) return name;
  return dir.endsWith("/") ? dir + name : dir + "/" + name;
}

/** basename(1): the last component, ignoring trailing slashes. */
export function basename(path: string): string {
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) == 47) end--;
  const p = path.substring(0, end);
  if (p == "/") return "/";
  const slash = p.lastIndexOf("/");
  return slash < 0 ? p : p.substring(slash + 1);
}

/** dirname(1): everything before the last component. */
export function dirname(path: string): string {
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) == 47) end--;
  const p = path.substring(0, end);
  const slash = p.lastIndexOf("/");
  if (slash < 0) return ".";
  let d = slash;
  while (d > 0 && p.charCodeAt(d - 1) == 47) d--;
  return d == 0 ? "/" : p.substring(0, d);
}

/** True if the string holds an unescaped glob metacharacter. */
export function hasGlob(pattern: string): bool {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c == 92) { i++; continue; }
    if (c == 42 || c == 63) return true;
    // A "[" with no closing "]" is a literal character (as in `[ "$i" -lt 3 ]`), not a pattern.
    if (c == 91 && classEnd(pattern, i) > 0) return true;
  }
  return false;
}

/** Matches name against a shell pattern (* ? [a-z] [!x], backslash escapes). */
export function fnmatch(pattern: string, name: string): bool {
  return matchAt(pattern, 0, name, 0);
}

function matchAt(p: string, pi: i32, s: string, si: i32): bool {
  while (pi < p.length) {
    const c = p.charCodeAt(pi);
    if (c == 42) {
      while (pi < p.length && p.charCodeAt(pi) == 42) pi++;
      if (pi == p.length) return true;
      for (let k = si; k <= s.length; k++) if (matchAt(p, pi, s, k)) return true;
      return false;
    }
    if (si >= s.length) return false;
    const sc = s.charCodeAt(si);
    if (c == 63) { pi++; si++; continue; }
    if (c == 91) {
      const end = classEnd(p, pi);
      if (end > 0) {
        if (!classMatches(p, pi + 1, end, sc)) return false;
        pi = end + 1; si++; continue;
      }
    }
    let lit = c;
    if (c == 92 && pi + 1 < p.length) { pi++; lit = p.charCodeAt(pi); }
    if (lit != sc) return false;
    pi++; si++;
  }
  return si == s.length;
}

/**
 * Index of the "]" closing the bracket expression at pi, or -1. A "]" first (after "!" or "^")
 * is a member; one inside [:class:], [=c=] or [.c.] closes nothing; a backslash quotes the next.
 */
function classEnd(p: string, pi: i32): i32 {
  let i = pi + 1;
  if (i < p.length && (p.charCodeAt(i) == 33 || p.charCodeAt(i) == 94)) i++;
  if (i < p.length && p.charCodeAt(i) == 93) i++;
  while (i < p.length) {
    const c = p.charCodeAt(i);
    if (c == 93) return i;
    if (c == 92) { i += 2; continue; }
    if (c == 91 && i + 1 < p.length) {
      const kind = p.charCodeAt(i + 1);
      if (kind == 58 || kind == 61 || kind == 46) {
        const close = p.indexOf(String.fromCharCode(kind) + "]", i + 2);
        if (close >= 0) { i = close + 2; continue; }
      }
    }
    i++;
  }
  return -1;
}

/** Whether character c is in the POSIX character class `name` (the C locale's classes); false for an unknown name. */
function inClass(name: string, c: i32): bool {
  const upper = c >= 65 && c <= 90;
  const lower = c >= 97 && c <= 122;
  const digit = c >= 48 && c <= 57;
  const graph = c > 32 && c < 127;
  if (name == "alpha") return upper || lower;
  if (name == "digit") return digit;
  if (name == "alnum") return upper || lower || digit;
  if (name == "upper") return upper;
  if (name == "lower") return lower;
  if (name == "space") return c == 32 || (c >= 9 && c <= 13);
  if (name == "blank") return c == 32 || c == 9;
  if (name == "punct") return graph && !(upper || lower || digit);
  if (name == "graph") return graph;
  if (name == "print") return graph || c == 32;
  if (name == "cntrl") return c < 32 || c == 127;
  if (name == "xdigit") return digit || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
  return false;
}

/** The length of one member of a bracket expression at i: 2 for a quoted character (\\c), 5 for [.c.] or [=c=], else 1. */
function memberLength(p: string, i: i32, end: i32): i32 {
  const c = p.charCodeAt(i);
  if (c == 92 && i + 1 < end) return 2;
  if (c == 91 && i + 4 < end) {
    const kind = p.charCodeAt(i + 1);
    if ((kind == 46 || kind == 61) && p.charCodeAt(i + 3) == kind && p.charCodeAt(i + 4) == 93) return 5;
  }
  return 1;
}

/** The character of the member at i whose length is `length` (see memberLength). */
function memberCode(p: string, i: i32, length: i32): i32 {
  return p.charCodeAt(length == 1 ? i : length == 2 ? i + 1 : i + 2);
}

function classMatches(p: string, from: i32, end: i32, c: i32): bool {
  let negate = false;
  if (p.charCodeAt(from) == 33 || p.charCodeAt(from) == 94) { negate = true; from++; }
  let hit = false;
  let i = from;
  while (i < end) {
    if (p.charCodeAt(i) == 91 && i + 1 < end && p.charCodeAt(i + 1) == 58) {
      const close = p.indexOf(":]", i + 2);
      if (close >= 0 && close < end) {
        if (inClass(p.substring(i + 2, close), c)) hit = true;
        i = close + 2;
        continue;
      }
    }
    const loLength = memberLength(p, i, end);
    const lo = memberCode(p, i, loLength);
    i += loLength;
    // A range: lo-hi (a "-" last, or first, is itself a member).
    if (i + 1 < end && p.charCodeAt(i) == 45) {
      const hiLength = memberLength(p, i + 1, end);
      const hi = memberCode(p, i + 1, hiLength);
      i += 1 + hiLength;
      if (c >= lo && c <= hi) hit = true;
    } else if (lo == c) hit = true;
  }
  return hit != negate;
}
