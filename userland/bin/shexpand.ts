// Word expansion for the shell: parameters ($VAR ${VAR:-x} $? $$ $# $@ ...), command
// substitution, arithmetic, tilde, field splitting, globbing and quote removal, in POSIX order.

import { fnmatch, hasGlob, join } from "../lib/path";
import { listNames, lstat, readFile } from "../lib/fs";
import { isName, matchClose, backquoteEnd } from "./shparse";
import { compareStrings } from "../lib/fs";
import { ArithNode, evaluateArith, evaluateTree, cachedArithWord, cacheArithWord, nameEnd } from "./sharith";

/** The options of `set` (and of sh's command line). */
export class ShellOptions {
  errexit: bool = false;
  nounset: bool = false;
  xtrace: bool = false;
  noglob: bool = false;
  noclobber: bool = false;
  noexec: bool = false;
  allexport: bool = false;
  verbose: bool = false;
  pipefail: bool = false;
}

/** set's option letters and long names, in `set -o` order; pipefail has no letter. */
export const OPTION_LETTERS = "efnxvCau-";
export const OPTION_NAMES = ["errexit", "noglob", "noexec", "xtrace", "verbose", "noclobber", "allexport", "nounset", "pipefail"];

/** Sets option number k of OPTION_NAMES. */
export function setOption(o: ShellOptions, k: i32, on: bool): void {
  if (k == 0) o.errexit = on;
  else if (k == 1) o.noglob = on;
  else if (k == 2) o.noexec = on;
  else if (k == 3) o.xtrace = on;
  else if (k == 4) o.verbose = on;
  else if (k == 5) o.noclobber = on;
  else if (k == 6) o.allexport = on;
  else if (k == 7) o.nounset = on;
  else if (k == 8) o.pipefail = on;
}

export function getOption(o: ShellOptions, k: i32): bool {
  if (k == 0) return o.errexit;
  if (k == 1) return o.noglob;
  if (k == 2) return o.noexec;
  if (k == 3) return o.xtrace;
  if (k == 4) return o.verbose;
  if (k == 5) return o.noclobber;
  if (k == 6) return o.allexport;
  if (k == 7) return o.nounset;
  return o.pipefail;
}

/** The letters of the options that are on ($-). */
export function optionFlags(o: ShellOptions): string {
  let out = "";
  for (let k = 0; k < OPTION_LETTERS.length; k++) {
    const letter = OPTION_LETTERS.charAt(k);
    if (letter != "-" && getOption(o, k)) out += letter;
  }
  return out;
}

/** The shell's variables and special parameters, owned by sh.ts and read here. */
export class ShellState {
  /** Expanding an assignment's value: the word of an unquoted ${x-word} or ${x+word} takes tildes after ":" too. */
  inAssignmentValue: bool = false;
  vars: Map<string, string> = new Map<string, string>();
  exported: Set<string> = new Set<string>();
  readonly: Set<string> = new Set<string>();
  opts: ShellOptions = new ShellOptions();
  /** alias NAME=VALUE definitions, and a count of their changes (the parser must look again). */
  aliases: Map<string, string> = new Map<string, string>();
  aliasGeneration: i32 = 0;
  /** trap actions by signal number (0 = EXIT). */
  traps: Map<i32, string> = new Map<i32, string>();
  /** getopts: the index of the next argument (OPTIND's value as getopts set it). */
  optind: i32 = 1;
  /** Where getopts is inside the word before OPTIND (-1: at the start of the next one). */
  optoff: i32 = -1;
  /** Above zero while running where set -e is ignored (if/while conditions, && || lists, !). */
  errexitIgnored: i32 = 0;
  positional: string[] = [];
  name: string = "sh";
  lastStatus: i32 = 0;
  lastBackground: i32 = 0;
  pid: i32 = 0;
  /** The source text running ("" before any), and the line of the command running in its script. */
  source: string = "";
  line: i32 = 0;
  /** Added to line for $LINENO only: inside eval, the lines before the eval command (bash's numbering). */
  linenoOffset: i32 = 0;
  /** The line the word being expanded starts on (for the lines of a command substitution in it). */
  wordLine: i32 = 0;
  /** What errors name after the line inside eval or a . file ("eval", the file), as dash's commandname; "" elsewhere. */
  commandName: string = "";
  /** The assignments before the builtin running (NAME=value), for exec's program. */
  prefixAssigns: string[] = [];
  /** Loops around the command running (break and continue act on at most these; 0 in a function's body at first). */
  loopDepth: i32 = 0;
  /** The last and-or list failed before its last command (then set -e spares the compound around it). */
  andOrFailedEarly: bool = false;
  /** Where each external command was found in PATH (hash's table; emptied when PATH changes). */
  commandPaths: Map<string, string> = new Map<string, string>();
  /** Set when running a text's first lines went on to parse and run the rest (their aliases changed). */
  reparsed: bool = false;
  /** Command substitutions run so far: a command of assignments alone has the last one's status, else 0. */
  substitutions: i32 = 0;
  /** Parsed $((...)) texts by their expanded text (bounded; see sharith.ts). */
  arithCache: Map<string, ArithNode> = new Map<string, ArithNode>();
  /** The same for whole words $((...)) whose text needs no expansion, by the word. */
  arithWordCache: Map<string, ArithNode> = new Map<string, ArithNode>();
}

/** $LINENO: the line of the current command. */
export function lineNumber(): string {
  return state.line.toString();
}

export const state = new ShellState();

/** Runs a command substitution; set by sh.ts (no closures in AssemblyScript, so a function slot). */
export let commandSubstitution: (cmd: string, line: i32) => string = (cmd: string, line: i32): string => "";
export function setCommandSubstitution(fn: (cmd: string, line: i32) => string): void { commandSubstitution = fn; }

/** The line of offset i in raw, a word (or here-document body) that starts on state.wordLine. */
function lineInWord(raw: string, i: i32): i32 {
  let line = state.wordLine;
  for (let k = 0; k < i; k++) if (raw.charCodeAt(k) == 10) line++;
  return line;
}

/** Error raised during expansion (e.g. ${x?msg}); non-empty aborts the command. */
export let expandError: string = "";
export function clearExpandError(): void { expandError = ""; }
/** Records an expansion error unless one is already pending (the first one is reported). */
export function setExpandError(message: string): void { if (expandError == "") expandError = message; }

export function getVar(name: string): string | null {
  const c0 = name.length > 0 ? name.charCodeAt(0) : 0;
  if (c0 == 95 || (c0 >= 97 && c0 <= 122) || (c0 >= 65 && c0 <= 90 && c0 != 76)) return state.vars.has(name) ? state.vars.get(name) : null;
  if (name == "?") return state.lastStatus.toString();
  if (name == "$") return state.pid.toString();
  if (name == "!") return state.lastBackground == 0 ? "" : state.lastBackground.toString();
  if (name == "#") return state.positional.length.toString();
  if (name == "0") return state.name;
  if (name == "@") return state.positional.join(" ");
  if (name == "*") {
    // "$*" joins with the first character of IFS (a space when IFS is unset, nothing when empty).
    const ifs = state.vars.has("IFS") ? state.vars.get("IFS") : " ";
    return state.positional.join(ifs.length > 0 ? ifs.charAt(0) : "");
  }
  if (name == "-") return optionFlags(state.opts);
  if (name == "LINENO" && !state.vars.has("LINENO")) return (state.line + state.linenoOffset).toString();
  if (name.length > 0 && name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57) {
    const n = I32.parseInt(name);
    return n >= 1 && n <= state.positional.length ? state.positional[n - 1] : null;
  }
  return state.vars.has(name) ? state.vars.get(name) : null;
}

/** With set -u, using an unset variable is an error (special parameters like $@ and $# never are). */
function unsetError(name: string): void {
  if (state.opts.nounset && expandError == "" && name != "@" && name != "*") expandError = name + ": parameter not set";
}

/** True if text holds an unquoted * ? or [ (a possible pattern, checked whole when its field ends). */
function hasGlobChar(text: string): bool {
  for (let i = 0; i < text.length; i++) { const c = text.charCodeAt(i); if (c == 42 || c == 63 || c == 91) return true; }
  return false;
}

/** Fields being built: the literal text, and a glob pattern where quoted metacharacters are escaped. */
class Fields {
  values: string[] = [];
  patterns: string[] = [];
  globs: bool[] = [];
  value: string = "";
  pattern: string = "";
  glob: bool = false;
  /** The current field exists even if empty (because of quotes). */
  started: bool = false;
  /** The last thing added was "$@" with no parameters: its closing quote makes no empty field. */
  emptyAt: bool = false;
  /** Unquoted expansions are added without field splitting (a pattern word: only the pattern matters). */
  noSplit: bool = false;

  add(text: string, quoted: bool): void {
    this.emptyAt = false;
    this.value += text;
    this.started = true;
    if (!quoted) { this.pattern += text; if (!this.glob && hasGlobChar(text)) this.glob = true; return; }
    let special = false;
    for (let i = 0; i < text.length && !special; i++) { const c = text.charCodeAt(i); special = c == 42 || c == 63 || c == 91 || c == 92; }
    if (!special) { this.pattern += text; return; }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c == 42 || c == 63 || c == 91 || c == 92) this.pattern += "\\";
      this.pattern += String.fromCharCode(c);
    }
  }
  end(): void {
    if (!this.started) return;
    // Only a whole pattern tells whether a "[" has its "]" (a lone "[" is no pattern: no directory read).
    this.values.push(this.value); this.patterns.push(this.pattern); this.globs.push(this.glob && hasGlob(this.pattern));
    this.value = ""; this.pattern = ""; this.glob = false; this.started = false;
  }
  /** Adds an unquoted expansion result, split into fields on $IFS: IFS white space separates
   *  (runs of it count once), each other IFS character ends a field, even an empty one. */
  addSplit(text: string): void {
    const ifsVar = getVar("IFS");
    const ifs = ifsVar != null ? ifsVar : " \t\n";
    // Without splitting, an empty unquoted expansion still adds no field.
    if (ifs.length == 0 || this.noSplit) { if (text.length > 0) this.add(text, false); return; }
    let endedBySpace = false;
    let i = 0;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      const isIfs = ifs.indexOf(String.fromCharCode(c)) >= 0;
      if (isIfs && (c == 32 || c == 9 || c == 10)) {
        if (this.started) { this.end(); endedBySpace = true; }
        i++;
        continue;
      }
      if (isIfs) {
        if (this.started) this.end();
        else if (!endedBySpace) { this.started = true; this.end(); }
        endedBySpace = false;
        i++;
        continue;
      }
      let j = i + 1;
      while (j < text.length && ifs.indexOf(text.charAt(j)) < 0) j++;
      this.add(text.substring(i, j), false);
      endedBySpace = false;
      i = j;
    }
  }
}

/** Quotes, backslash, $ and `: the characters after which a word is more than its literal text. */
function isWordSpecial(c: i32): bool { return c == 39 || c == 34 || c == 92 || c == 36 || c == 96; }

/** A word that expands to itself as one field: no quoting, expansion, leading ~ or glob pattern (most words). */
function isLiteralWord(raw: string, single: bool): bool {
  if (raw.length == 0 || raw.charCodeAt(0) == 126) return false;
  for (let i = 0; i < raw.length; i++) if (isWordSpecial(raw.charCodeAt(i))) return false;
  return single || state.opts.noglob || !hasGlob(raw);
}

/** Where the parenthesis at i closes (the index after it), when no quote or backslash comes before; -1 otherwise (see matchClose). */
function plainParenEnd(s: string, i: i32): i32 {
  let depth = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 39 || c == 34 || c == 92 || c == 96) return -1;
    if (c == 40) depth++;
    else if (c == 41) { depth--; if (depth == 0) return i + 1; }
  }
  return -1;
}

/** Whether IFS holds a digit or "-" (then an arithmetic result can split); unset IFS holds none. */
function ifsSplitsNumbers(): bool {
  if (!state.vars.has("IFS")) return false;
  const ifs = state.vars.get("IFS");
  for (let i = 0; i < ifs.length; i++) { const c = ifs.charCodeAt(i); if ((c >= 48 && c <= 57) || c == 45) return true; }
  return false;
}

/** The one field of a word that is just "$NAME", or $((...)) where no splitting can apply; null for any other word. */
function quickExpansion(raw: string, single: bool): string | null {
  const len = raw.length;
  if (len > 3 && raw.charCodeAt(0) == 34 && raw.charCodeAt(1) == 36 && raw.charCodeAt(len - 1) == 34 && nameEnd(raw, 2) == len - 1) {
    const name = raw.substring(2, len - 1);
    const value = getVar(name);
    if (value == null) { unsetError(name); return ""; }
    return value;
  }
  // An arithmetic result is digits and "-": it splits only when IFS is set (to anything holding them).
  if (len > 5 && raw.charCodeAt(0) == 36 && raw.charCodeAt(1) == 40 && raw.charCodeAt(2) == 40 && (single || !ifsSplitsNumbers())) {
    const tree = cachedArithWord(raw);
    if (tree != null) return evaluateTree(tree!, raw).toString();
    if (plainParenEnd(raw, 1) != len) return null;
    const text = raw.substring(3, len - 2);
    if (isLiteralWord(text, true)) {
      const parsed = cacheArithWord(raw, text);
      if (parsed != null) return evaluateTree(parsed!, text).toString();
    }
    return arith(text).toString();
  }
  return null;
}

/** Expands one raw word into fields (split and globbed unless `single`). */
export function expandWord(raw: string, single: bool): string[] {
  if (isLiteralWord(raw, single)) return [raw];
  const quick = quickExpansion(raw, single);
  if (quick != null) return [quick!];
  const f = new Fields();
  const i = tildePrefix(raw, 0, f);
  expandParts(raw, i, raw.length, f, false, single);
  f.end();
  if (single) return f.values.length > 0 ? [f.values.join(" ")] : [""];
  const out = new Array<string>();
  for (let k = 0; k < f.values.length; k++) {
    if (f.globs[k] && !state.opts.noglob) {
      const matches = glob(f.patterns[k]);
      if (matches.length > 0) { for (let m = 0; m < matches.length; m++) out.push(matches[m]); continue; }
    }
    out.push(f.values[k]);
  }
  return out;
}

/**
 * Expands raw[from, to) into f: quotes, backslashes, parameters and substitutions. outerQuoted: the
 * text is the word of a ${NAME-word} inside double quotes, where it stays quoted (single quotes
 * are plain characters there and double quotes change nothing, as in dash).
 */
function expandParts(raw: string, from: i32, to: i32, f: Fields, outerQuoted: bool, single: bool, splitLiterals: bool = false): void {
  let inDouble = false;
  let i = from;
  while (i < to) {
    const c = raw.charCodeAt(i);
    const quoted = inDouble || outerQuoted;
    if (c == 39 && !quoted) {
      let e = raw.indexOf("'", i + 1);
      if (e < 0 || e > to) e = to;
      f.add(raw.substring(i + 1, e), true);
      i = e + 1;
    } else if (c == 34) {
      if (!outerQuoted) {
        if (!(inDouble && f.emptyAt)) f.started = true;
        inDouble = !inDouble;
      }
      i++;
    } else if (c == 92) {
      if (i + 1 >= to) { f.add("\\", quoted); i++; continue; }
      const n = raw.charCodeAt(i + 1);
      // In double quotes a backslash quotes only $ ` " \ and newline (and } in a ${...} word).
      if (quoted && n != 36 && n != 96 && n != 34 && n != 92 && n != 10 && !(outerQuoted && n == 125)) f.add("\\", true);
      if (n != 10) f.add(String.fromCharCode(n), true);
      i += 2;
    } else if (c == 36 || c == 96) {
      i = expandDollar(raw, i, quoted, single, f);
    } else {
      let j = i + 1;
      while (j < to && !isWordSpecial(raw.charCodeAt(j))) j++;
      // The word of an unquoted ${NAME-word} is split as expansions are ("${u:-a b}" is one field, ${u:-a b} two).
      if (splitLiterals && !quoted && !single) f.addSplit(raw.substring(i, j));
      else f.add(raw.substring(i, j), quoted);
      i = j;
    }
  }
}

/** The end of a tilde prefix at raw[at] ("~" or "~user" up to a "/", or a ":" in an assignment); at when there is none. */
function tildeEnd(raw: string, at: i32, assignment: bool): i32 {
  if (at >= raw.length || raw.charCodeAt(at) != 126) return at;
  let j = at + 1;
  while (j < raw.length) {
    const c = raw.charCodeAt(j);
    if (c == 47 || (assignment && c == 58)) break;
    // A quoted or expanded character makes it no tilde prefix.
    if (isWordSpecial(c)) return at;
    j++;
  }
  return j;
}

/** Adds the home directory for the tilde prefix at raw[at] to f (quoted: never split); where expansion goes on. */
function tildePrefix(raw: string, at: i32, f: Fields, assignment: bool = false): i32 {
  const end = tildeEnd(raw, at, assignment);
  if (end == at) return at;
  const user = raw.substring(at + 1, end);
  const home = user.length == 0 ? getVar("HOME") : homeOf(user);
  if (home == null) return at;
  f.add(home!, true);
  return end;
}

/** A user's home directory from /etc/passwd; null for no such user. */
function homeOf(user: string): string | null {
  const data = readFile("/etc/passwd");
  if (data == null) return null;
  const lines = String.UTF8.decode(data.buffer).split("\n");
  for (let i = 0; i < lines.length; i++) {
    const fields = lines[i].split(":");
    if (fields.length >= 6 && fields[0] == user) return fields[5];
  }
  return null;
}

/**
 * The value of an assignment word's right side: no field splitting or globbing, and a tilde
 * prefix expanded at the start and after each unquoted ":" (x=~/bin:~/sbin), as POSIX has it.
 */
export function expandAssignmentValue(raw: string): string {
  const outer = state.inAssignmentValue;
  state.inAssignmentValue = true;
  const value = assignmentValue(raw);
  state.inAssignmentValue = outer;
  return value;
}

function assignmentValue(raw: string): string {
  if (raw.indexOf("~") < 0) return expandString(raw);
  const f = new Fields();
  let i = tildePrefix(raw, 0, f, true);
  let chunk = i;
  let depth = 0;
  let inDouble = false;
  while (i < raw.length) {
    const c = raw.charCodeAt(i);
    if (c == 92) { i += 2; continue; }
    if (c == 39 && !inDouble) { const e = raw.indexOf("'", i + 1); i = e < 0 ? raw.length : e + 1; continue; }
    if (c == 34) inDouble = !inDouble;
    else if (c == 36 && i + 1 < raw.length && (raw.charCodeAt(i + 1) == 40 || raw.charCodeAt(i + 1) == 123)) {
      const e = matchClose(raw, i + 1);
      i = e < 0 ? raw.length : e;
      continue;
    } else if (c == 58 && !inDouble && depth == 0) {
      const after = tildeEnd(raw, i + 1, true);
      if (after > i + 1) {
        expandParts(raw, chunk, i + 1, f, false, true);
        const next = tildePrefix(raw, i + 1, f, true);
        chunk = next;
        i = next;
        continue;
      }
    }
    i++;
  }
  expandParts(raw, chunk, raw.length, f, false, true);
  f.end();
  return f.values.length > 0 ? f.values.join(" ") : "";
}

/** A word as a pattern (case, ${x#pattern}): quoted characters escaped, expansions not split. */
export function expandPattern(raw: string): string {
  const f = new Fields();
  f.noSplit = true;
  expandParts(raw, 0, raw.length, f, false, false);
  return f.pattern;
}

/** The command of `text`: a backslash before $ ` \\ (and " inside double quotes) is taken off, as POSIX has it; others stay. */
function backquoteText(text: string, quoted: bool): string {
  if (text.indexOf("\\") < 0) return text;
  let out = "";
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c == 92 && k + 1 < text.length) {
      const n = text.charCodeAt(k + 1);
      if (n == 36 || n == 96 || n == 92 || (quoted && n == 34)) { out += String.fromCharCode(n); k++; continue; }
      if (n == 10) { k++; continue; }
    }
    out += String.fromCharCode(c);
  }
  return out;
}

/** Expands an unquoted here-document body: parameters, substitutions and arithmetic; a backslash
 *  quotes only $ ` \\ and newline, and quote characters are literal. */
export function expandHereDoc(body: string): string {
  const f = new Fields();
  let i = 0;
  while (i < body.length) {
    const c = body.charCodeAt(i);
    if (c == 92 && i + 1 < body.length) {
      const n = body.charCodeAt(i + 1);
      if (n == 36 || n == 96 || n == 92) f.add(String.fromCharCode(n), true);
      else if (n != 10) f.add("\\" + String.fromCharCode(n), true);
      i += 2;
    } else if (c == 36 || c == 96) {
      i = expandDollar(body, i, true, true, f);
    } else {
      let j = i + 1;
      while (j < body.length && body.charCodeAt(j) != 92 && body.charCodeAt(j) != 36 && body.charCodeAt(j) != 96) j++;
      f.add(body.substring(i, j), true);
      i = j;
    }
  }
  return f.value;
}

/** Expands a word to one string without splitting or globbing (assignments, redirections, case). */
export function expandString(raw: string): string {
  if (isLiteralWord(raw, true)) return raw;
  const quick = quickExpansion(raw, true);
  return quick != null ? quick! : expandWord(raw, true)[0];
}

/** Appends the fields of one raw word to out (expandWord without an array per word for the common words). */
export function expandWordInto(raw: string, out: string[]): void {
  if (isLiteralWord(raw, false)) { out.push(raw); return; }
  const quick = quickExpansion(raw, false);
  if (quick != null) { out.push(quick!); return; }
  const fields = expandWord(raw, false);
  for (let k = 0; k < fields.length; k++) out.push(fields[k]);
}

function expandDollar(raw: string, i: i32, quoted: bool, single: bool, f: Fields): i32 {
  const c = raw.charCodeAt(i);
  let value: string | null = null;
  let next = i + 1;
  if (c == 96) {
    let e = backquoteEnd(raw, i);
    if (e < 0) e = raw.length;
    value = commandSubstitution(backquoteText(raw.substring(i + 1, e), quoted), lineInWord(raw, i));
    next = e + 1;
  } else if (raw.startsWith("$((", i)) {
    const e = matchClose(raw, i + 1);
    value = arith(raw.substring(i + 3, e - 2)).toString();
    next = e;
  } else if (raw.startsWith("$(", i)) {
    const e = matchClose(raw, i + 1);
    value = commandSubstitution(raw.substring(i + 2, e - 1), lineInWord(raw, i));
    next = e;
  } else if (raw.startsWith("${", i)) {
    const e = matchClose(raw, i + 1);
    braceInto(raw.substring(i + 2, e - 1), quoted, single, f);
    return e;
  } else if (i + 1 < raw.length) {
    const d = raw.charCodeAt(i + 1);
    if (d == 64 || d == 42) { positionalInto(d, quoted, single, f); return i + 2; }
    if (d == 63 || d == 36 || d == 33 || d == 35 || d == 64 || d == 42 || d == 45 || (d >= 48 && d <= 57)) {
      value = getVar(String.fromCharCode(d));
      if (value == null && d >= 49 && d <= 57) unsetError(String.fromCharCode(d));
      next = i + 2;
    } else {
      const j = nameEnd(raw, i + 1);
      if (j == i + 1) { f.add("$", quoted); return i + 1; }
      value = getVar(raw.substring(i + 1, j));
      if (value == null) unsetError(raw.substring(i + 1, j));
      next = j;
    }
  } else { f.add("$", quoted); return i + 1; }
  const text = value != null ? value : "";
  if (quoted || single) f.add(text, true); else f.addSplit(text);
  return next;
}

/**
 * $@ and $* (d: their character code). "$@" is a field per parameter; unquoted, each parameter
 * starts a field and is split; "$*" and any of them where no splitting happens (assignments,
 * here-documents) are joined with the first character of IFS (a space when IFS is unset).
 */
function positionalInto(d: i32, quoted: bool, single: bool, f: Fields): void {
  const params = state.positional;
  if (single || (quoted && d == 42)) {
    const ifs = state.vars.has("IFS") ? state.vars.get("IFS") : " ";
    f.add(params.join(ifs.length > 0 ? ifs.charAt(0) : ""), true);
    return;
  }
  if (quoted) {
    for (let k = 0; k < params.length; k++) {
      if (k > 0) f.end();
      f.add(params[k], true);
    }
    f.started = params.length > 0 || f.value.length > 0;
    f.emptyAt = !f.started;
    return;
  }
  for (let k = 0; k < params.length; k++) {
    if (k > 0 && f.started) f.end();
    f.addSplit(params[k]);
  }
}

/** The positional parameters joined with IFS's first character (a space when IFS is unset), as "$*". */
function joinedPositional(): string {
  const ifs = state.vars.has("IFS") ? state.vars.get("IFS") : " ";
  return state.positional.join(ifs.length > 0 ? ifs.charAt(0) : "");
}

/** Adds an expansion's value: as it is when quoted or not split, else split on IFS. */
function addValue(f: Fields, text: string, quoted: bool, single: bool): void {
  if (quoted || single) f.add(text, true); else f.addSplit(text);
}

function badSubstitution(): void {
  if (expandError == "") expandError = "Bad substitution";
}

/** ${NAME}, ${#NAME}, ${NAME:-w} ${NAME-w} ${NAME:=w} ${NAME:+w} ${NAME:?w} ${NAME#p} ${NAME%p} ...
 *  into f; any other form is dash's "Bad substitution". The words of - and + expand in place, quotes and all. */
function braceInto(inner: string, quoted: bool, single: bool, f: Fields): void {
  if (inner.startsWith("#") && inner.length > 1) {
    const name = inner.substring(1);
    if (!isParameter(name)) { badSubstitution(); return; }
    // ${#@} and ${#*} are the length of the parameters joined with spaces, as in dash.
    const v = name == "@" || name == "*" ? state.positional.join(" ") : getVar(name);
    if (v == null) unsetError(name);
    const length = v != null ? v.length : 0;
    addValue(f, length.toString(), quoted, single);
    return;
  }
  let n = 0;
  const first = inner.length > 0 ? inner.charCodeAt(0) : 0;
  if (first >= 48 && first <= 57) { while (n < inner.length && inner.charCodeAt(n) >= 48 && inner.charCodeAt(n) <= 57) n++; }
  else if (inner.length > 0 && "?$!#@*-".indexOf(inner.charAt(0)) >= 0) n = 1;
  else n = nameEnd(inner, 0);
  if (n == 0) { badSubstitution(); return; }
  const name = inner.substring(0, n);
  let op = inner.substring(n);
  const positional = name == "@" || name == "*";
  if (op.length == 0) {
    if (positional) { positionalInto(name.charCodeAt(0), quoted, single, f); return; }
    const v = getVar(name);
    if (v == null) unsetError(name);
    addValue(f, v != null ? v : "", quoted, single);
    return;
  }
  const colon = op.startsWith(":");
  if (colon) op = op.substring(1);
  const kind = op.length > 0 ? op.charCodeAt(0) : 0;
  // - = ? + # %
  if (kind != 45 && kind != 61 && kind != 63 && kind != 43 && kind != 35 && kind != 37) { badSubstitution(); return; }
  if (colon && (kind == 35 || kind == 37)) { badSubstitution(); return; }
  const word = op.substring(1);
  // $@ and $* count as set (to the joined parameters) unless a ":" asks for them to be non-empty.
  const v: string | null = positional ? (state.positional.length > 0 || !colon ? joinedPositional() : null) : getVar(name);
  const unset = v == null || (colon && v.length == 0);
  if (kind == 45 || kind == 43) {
    const useWord = kind == 45 ? unset : !unset;
    if (!useWord) {
      if (kind == 45) { if (positional) positionalInto(name.charCodeAt(0), quoted, single, f); else addValue(f, v!, quoted, single); }
      return;
    }
    // In an assignment (x=${u-~:~}) the word's tildes go as in the assignment itself, as in dash.
    if (!quoted && state.inAssignmentValue && word.indexOf("~") >= 0) { addValue(f, assignmentValue(word), true, single); return; }
    const at = quoted ? 0 : tildePrefix(word, 0, f);
    expandParts(word, at, word.length, f, quoted, single, true);
    return;
  }
  if (kind == 61) {
    if (!unset) { addValue(f, v!, quoted, single); return; }
    if (positional || !isName(name)) { if (expandError == "") expandError = name + ": bad variable name"; return; }
    const w = expandAssignmentValue(word);
    if (state.readonly.has(name)) { if (expandError == "") expandError = name + ": is read only"; return; }
    state.vars.set(name, w);
    addValue(f, w, quoted, single);
    return;
  }
  if (kind == 63) {
    if (unset) { if (expandError == "") expandError = name + ": " + (word.length > 0 ? expandString(word) : "parameter not set"); return; }
    addValue(f, v!, quoted, single);
    return;
  }
  if (v == null) unsetError(name);
  const s = v != null ? v as string : "";
  const longest = op.startsWith("##") || op.startsWith("%%");
  const pat = expandPattern(longest ? op.substring(2) : word);
  addValue(f, stripPattern(s, pat, kind == 35, longest), quoted, single);
}

/** NAME, a special parameter or a positional number: what ${#...} may take. */
function isParameter(name: string): bool {
  if (name.length == 1 && "?$!#@*-".indexOf(name) >= 0) return true;
  if (allDigitsName(name)) return true;
  return isName(name);
}

function allDigitsName(s: string): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c < 48 || c > 57) return false; }
  return true;
}

/** ${s#pat} ${s##pat} (prefix) and ${s%pat} ${s%%pat} (suffix): s without the shortest or longest match. */
function stripPattern(s: string, pat: string, prefix: bool, longest: bool): string {
  if (prefix) {
    if (longest) { for (let k = s.length; k >= 0; k--) if (fnmatch(pat, s.substring(0, k))) return s.substring(k); }
    else { for (let k = 0; k <= s.length; k++) if (fnmatch(pat, s.substring(0, k))) return s.substring(k); }
  } else {
    if (longest) { for (let k = 0; k <= s.length; k++) if (fnmatch(pat, s.substring(k))) return s.substring(0, k); }
    else { for (let k = s.length; k >= 0; k--) if (fnmatch(pat, s.substring(k))) return s.substring(0, k); }
  }
  return s;
}

/** Pathname expansion: the sorted paths matching pattern, or none. */
function glob(pattern: string): string[] {
  const absolute = pattern.startsWith("/");
  const parts = pattern.split("/");
  let paths: string[] = [absolute ? "/" : ""];
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p];
    if (part.length == 0) continue;
    const next = new Array<string>();
    for (let k = 0; k < paths.length; k++) {
      const base = paths[k];
      if (!hasGlob(part)) {
        const path = base == "" ? unescape(part) : join(base, unescape(part));
        if (lstat(path) != null) next.push(path);
        continue;
      }
      const names = listNames(base == "" ? "." : base);
      if (names == null) continue;
      for (let n = 0; n < names.length; n++) {
        const name = names[n];
        if (name.startsWith(".") && !part.startsWith(".")) continue;
        if (fnmatch(part, name)) next.push(base == "" ? name : join(base, name));
      }
    }
    paths = next;
  }
  if (paths.length == 1 && (paths[0] == "/" || paths[0] == "")) return [];
  paths.sort(compareStrings);
  return paths;
}

function unescape(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) == 92 && i + 1 < s.length) i++;
    out += s.charAt(i);
  }
  return out;
}

/** $((text)): the text is expanded first (parameters, substitutions), then evaluated. */
export function arith(expr: string): i64 {
  return evaluateArith(expandString(expr));
}
