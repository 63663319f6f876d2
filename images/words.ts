// images/: the word rules of a Containerfile, as docker's shell-word processing has them: splitting on
// unquoted blanks, quotes, the escape character, and `$VAR`, `${VAR}`, `${VAR:-x}`, `${VAR:+x}`, `${VAR:?msg}`.

/** Looks a variable up; undefined when unset. */
export type VariableLookup = (name: string) => string | undefined;

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** Splits text into raw words on unquoted blanks outside `${...}`, keeping quotes and escapes for expandWord; throws on an open quote. */
export function splitWords(text: string, escape = "\\"): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      current += ch;
      if (ch === escape && quote === '"' && i + 1 < text.length) current += text[++i];
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
      continue;
    }
    inWord = true;
    current += ch;
    if (ch === "$" && text[i + 1] === "{") {
      const end = text.indexOf("}", i);
      if (end > 0) {
        current += text.slice(i + 1, end + 1);
        i = end;
      }
    } else if (ch === escape && i + 1 < text.length) current += text[++i];
    else if (ch === '"' || ch === "'") quote = ch;
  }
  if (quote) throw new Error(`unterminated ${quote === '"' ? "double" : "single"} quote in: ${text.trim()}`);
  if (inWord) words.push(current);
  return words;
}

/** Index of the first `=` outside quotes and escapes in a raw word, or -1. */
export function assignmentSplitIndex(raw: string, escape = "\\"): number {
  let quote: string | undefined;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === escape) i++;
    else if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "=") return i;
  }
  return -1;
}

/** Expands a raw word: removes quotes and escapes, substitutes variables; throws Error on `${X:?}` or bad syntax. */
export function expandWord(raw: string, lookup: VariableLookup, escape = "\\"): string {
  return new WordExpander(raw, lookup, escape).expand();
}

class WordExpander {
  private position = 0;
  constructor(private readonly text: string, private readonly lookup: VariableLookup, private readonly escape: string) {}

  expand(stopAt?: string): string {
    let out = "";
    while (this.position < this.text.length) {
      const ch = this.text[this.position]!;
      if (stopAt && ch === stopAt) return out;
      this.position++;
      if (ch === this.escape) out += this.position < this.text.length ? this.text[this.position++] : ch;
      else if (ch === "'") out += this.singleQuoted();
      else if (ch === '"') out += this.doubleQuoted();
      else if (ch === "$") out += this.variable();
      else out += ch;
    }
    if (stopAt) throw new Error(`missing '${stopAt}' in variable substitution: ${this.text}`);
    return out;
  }

  private singleQuoted(): string {
    const end = this.text.indexOf("'", this.position);
    if (end < 0) throw new Error(`unterminated single quote in: ${this.text}`);
    const literal = this.text.slice(this.position, end);
    this.position = end + 1;
    return literal;
  }

  private doubleQuoted(): string {
    let out = "";
    while (this.position < this.text.length) {
      const ch = this.text[this.position++]!;
      if (ch === '"') return out;
      if (ch === this.escape && this.position < this.text.length) {
        const next = this.text[this.position]!;
        if (next === '"' || next === "$" || next === this.escape) {
          out += next;
          this.position++;
        } else out += ch;
      } else if (ch === "$") out += this.variable();
      else out += ch;
    }
    throw new Error(`unterminated double quote in: ${this.text}`);
  }

  private readName(): string {
    const start = this.position;
    if (!NAME_START.test(this.text[this.position] ?? "")) return "";
    while (NAME_CHAR.test(this.text[this.position] ?? "")) this.position++;
    return this.text.slice(start, this.position);
  }

  private variable(): string {
    if (this.text[this.position] !== "{") {
      const name = this.readName();
      return name ? this.lookup(name) ?? "" : "$";
    }
    this.position++;
    const name = this.readName();
    if (!name) throw new Error(`bad substitution in: ${this.text}`);
    const value = this.lookup(name);
    if (this.text[this.position] === "}") {
      this.position++;
      return value ?? "";
    }
    const colon = this.text[this.position] === ":";
    if (colon) this.position++;
    const operator = this.text[this.position++];
    if (operator !== "-" && operator !== "+" && operator !== "?") throw new Error(`unsupported modifier in \${${name}...} in: ${this.text}`);
    const word = this.expand("}");
    this.position++;
    const isSet = colon ? value !== undefined && value !== "" : value !== undefined;
    if (operator === "-") return isSet ? value! : word;
    if (operator === "+") return isSet ? word : "";
    if (!isSet) throw new Error(`${name}: ${word || "is not set"}`);
    return value!;
  }
}
