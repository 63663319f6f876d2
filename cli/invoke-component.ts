// `wasmbox run --invoke 'name(args)' COMPONENT`: a component export's call as wasmtime takes it, with
// WAVE values (WebAssembly Value Encoding) typed by the component's WIT, and its result printed in WAVE.
import { CliExit } from "./io.js";
import { importModule } from "../kernel/host.js";
import type { ComponentProgram } from "../kernel/host.js";

/** A WIT type, parsed: a primitive or named type, or a constructor with its arguments. */
interface WitType {
  name: string;
  args: WitType[];
}

/** A named type the WIT defines: its kind and its fields, cases (with payloads) or names. */
interface TypeDef {
  kind: "record" | "enum" | "variant" | "flags";
  members: Array<{ name: string; type?: WitType }>;
}

/** A WAVE value as written, before its type gives it meaning. */
type Wave =
  | { t: "num"; text: string }
  | { t: "str"; value: string }
  | { t: "char"; value: string }
  | { t: "label"; name: string; payload?: Wave }
  | { t: "list"; items: Wave[] }
  | { t: "tuple"; items: Wave[] }
  | { t: "record"; fields: Array<[string, Wave]> }
  | { t: "flags"; names: string[] };

const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Splits at top-level commas (outside <>, (), [], {} and quotes). */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if ("<([{".includes(c)) depth++;
    else if (">)]}".includes(c)) depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  const last = text.slice(start);
  if (last.trim() !== "" || parts.length > 0) parts.push(last);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

/** Parses a WIT type expression (`list<option<u32>>`, `result<_, string>`, `point`). */
function parseType(text: string): WitType {
  const t = text.trim();
  const open = t.indexOf("<");
  if (open < 0) return { name: t, args: [] };
  return { name: t.slice(0, open).trim(), args: splitTop(t.slice(open + 1, t.lastIndexOf(">"))).map(parseType) };
}

/** The named types (record, enum, variant, flags) of a WIT text, by name. */
function typeDefs(wit: string): Map<string, TypeDef> {
  const defs = new Map<string, TypeDef>();
  for (const m of wit.matchAll(/\b(record|enum|variant|flags)\s+(%?[a-z][a-z0-9-]*)\s*\{([^}]*)\}/g)) {
    const kind = m[1] as TypeDef["kind"];
    const body = m[3]!.replace(/\/\/[^\n]*/g, "");
    const members = splitTop(body).map((entry) => {
      if (kind === "record") {
        const colon = entry.indexOf(":");
        return { name: entry.slice(0, colon).trim(), type: parseType(entry.slice(colon + 1)) };
      }
      const paren = entry.indexOf("(");
      return paren < 0 ? { name: entry.trim() } : { name: entry.slice(0, paren).trim(), type: parseType(entry.slice(paren + 1, entry.lastIndexOf(")"))) };
    });
    defs.set(m[2]!.replace(/^%/, ""), { kind, members });
  }
  return defs;
}

/** The signature of export `name` (top level, or `interface#name`) in the component's WIT. */
export function exportSignature(wit: string, name: string): { params: Array<[string, WitType]>; result?: WitType } | undefined {
  const fn = name.includes("#") ? name.slice(name.lastIndexOf("#") + 1) : name;
  const escaped = fn.replace(/[-]/g, "\\-");
  const pattern = name.includes("#")
    ? new RegExp(`(?:^|[\\s;{])%?${escaped}\\s*:\\s*func\\s*\\(([^)]*)\\)\\s*(?:->\\s*([^;]+))?;`, "m")
    : new RegExp(`\\bexport\\s+%?${escaped}\\s*:\\s*func\\s*\\(([^)]*)\\)\\s*(?:->\\s*([^;]+))?;`, "m");
  const m = pattern.exec(wit);
  if (!m) return undefined;
  const params = splitTop(m[1]!).map((p): [string, WitType] => {
    const colon = p.indexOf(":");
    return [p.slice(0, colon).trim(), parseType(p.slice(colon + 1))];
  });
  return { params, result: m[2] ? parseType(m[2]) : undefined };
}

/** A tokenizer-parser of WAVE values. */
class WaveParser {
  private at = 0;

  constructor(private readonly text: string) {}

  private ws(): void {
    while (/\s/.test(this.text[this.at] ?? "")) this.at++;
  }

  private fail(what: string): never {
    throw new Error(`${what} at offset ${this.at} of ${JSON.stringify(this.text)}`);
  }

  /** Values separated by commas up to `close` (consumed). */
  list(close: string): Wave[] {
    const items: Wave[] = [];
    this.ws();
    if (this.text[this.at] === close) {
      this.at++;
      return items;
    }
    for (;;) {
      items.push(this.value());
      this.ws();
      const c = this.text[this.at++];
      if (c === close) return items;
      if (c !== ",") this.fail(`expected , or ${close}`);
      this.ws();
      if (this.text[this.at] === close) {
        this.at++;
        return items;
      }
    }
  }

  value(): Wave {
    this.ws();
    const c = this.text[this.at];
    if (c === undefined) this.fail("expected a value");
    if (c === '"') return { t: "str", value: this.quoted('"') };
    if (c === "'") return { t: "char", value: this.quoted("'") };
    if (c === "[") {
      this.at++;
      return { t: "list", items: this.list("]") };
    }
    if (c === "(") {
      this.at++;
      return { t: "tuple", items: this.list(")") };
    }
    if (c === "{") return this.braced();
    const num = /^(?:[-+]?(?:0x[0-9a-fA-F_]+|[0-9][0-9_]*(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)|nan|-?inf)(?![a-z0-9-])/.exec(this.text.slice(this.at));
    if (num) {
      this.at += num[0].length;
      return { t: "num", text: num[0] };
    }
    const label = /^%?[a-z][a-z0-9-]*/.exec(this.text.slice(this.at));
    if (!label) this.fail("unexpected character");
    this.at += label[0].length;
    const name = label[0].replace(/^%/, "");
    this.ws();
    if (this.text[this.at] === "(") {
      this.at++;
      const payload = this.list(")");
      if (payload.length !== 1) this.fail(`${name}(...) takes one value`);
      return { t: "label", name, payload: payload[0] };
    }
    return { t: "label", name };
  }

  /** A record `{a: 1, b: 2}` or flags `{read, write}` (`{}` is empty flags). */
  private braced(): Wave {
    this.at++;
    const fields: Array<[string, Wave]> = [];
    const names: string[] = [];
    this.ws();
    while (this.text[this.at] !== "}") {
      const label = /^%?[a-z][a-z0-9-]*/.exec(this.text.slice(this.at));
      if (!label) this.fail("expected a field or flag name");
      this.at += label[0].length;
      this.ws();
      if (this.text[this.at] === ":") {
        this.at++;
        fields.push([label[0].replace(/^%/, ""), this.value()]);
      } else names.push(label[0].replace(/^%/, ""));
      this.ws();
      if (this.text[this.at] === ",") this.at++;
      else if (this.text[this.at] !== "}") this.fail("expected , or }");
      this.ws();
    }
    this.at++;
    return fields.length > 0 ? { t: "record", fields } : { t: "flags", names };
  }

  private quoted(q: string): string {
    this.at++;
    let out = "";
    for (;;) {
      const c = this.text[this.at++];
      if (c === undefined) this.fail("unterminated quote");
      if (c === q) return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.text[this.at++];
      const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', "'": "'" };
      if (e !== undefined && simple[e] !== undefined) out += simple[e];
      else if (e === "u") {
        const m = /^\{([0-9a-fA-F]+)\}/.exec(this.text.slice(this.at));
        if (!m) this.fail("bad \\u{...} escape");
        out += String.fromCodePoint(parseInt(m[1]!, 16));
        this.at += m[0].length;
      } else this.fail("bad escape");
    }
  }

  /** Values separated by commas to the end of the text. */
  all(): Wave[] {
    const items: Wave[] = [];
    this.ws();
    while (this.at < this.text.length) {
      items.push(this.value());
      this.ws();
      if (this.at < this.text.length && this.text[this.at++] !== ",") this.fail("expected ,");
      this.ws();
    }
    return items;
  }
}

const INTS: Record<string, [bigint, bigint]> = {
  u8: [0n, 255n], u16: [0n, 65535n], u32: [0n, 4294967295n], u64: [0n, 2n ** 64n - 1n],
  s8: [-128n, 127n], s16: [-32768n, 32767n], s32: [-(2n ** 31n), 2n ** 31n - 1n], s64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** A WAVE value as the JS value jco's bindings take for `type`. */
function toJs(v: Wave, type: WitType, defs: Map<string, TypeDef>): unknown {
  const bad = (): never => {
    throw new Error(`expected a value of type ${typeText(type)}`);
  };
  const range = INTS[type.name];
  if (range) {
    if (v.t !== "num" || (!v.text.includes("0x") && /[.eEn]/.test(v.text))) return bad();
    const n = BigInt(v.text.replace(/_/g, ""));
    if (n < range[0] || n > range[1]) throw new Error(`${v.text} is out of range for ${type.name}`);
    return type.name === "u64" || type.name === "s64" ? n : Number(n);
  }
  switch (type.name) {
    case "f32": case "f64": case "float32": case "float64":
      if (v.t !== "num") return bad();
      return v.text === "nan" ? NaN : v.text.endsWith("inf") ? (v.text.startsWith("-") ? -Infinity : Infinity) : Number(v.text);
    case "bool":
      if (v.t !== "label" || (v.name !== "true" && v.name !== "false")) return bad();
      return v.name === "true";
    case "char":
      return v.t === "char" && [...v.value].length === 1 ? v.value : bad();
    case "string":
      return v.t === "str" ? v.value : bad();
    case "list":
      return v.t === "list" ? v.items.map((item) => toJs(item, type.args[0]!, defs)) : bad();
    case "tuple":
      if (v.t !== "tuple" || v.items.length !== type.args.length) return bad();
      return v.items.map((item, i) => toJs(item, type.args[i]!, defs));
    case "option":
      if (v.t === "label" && v.name === "none" && !v.payload) return undefined;
      if (v.t === "label" && v.name === "some" && v.payload) return toJs(v.payload, type.args[0]!, defs);
      return bad();
    case "result": {
      if (v.t !== "label" || (v.name !== "ok" && v.name !== "err")) return bad();
      const slot = v.name === "ok" ? type.args[0] : type.args[1];
      const val = slot && slot.name !== "_" && v.payload ? toJs(v.payload, slot, defs) : undefined;
      return { tag: v.name, val };
    }
  }
  const def = defs.get(type.name);
  if (!def) throw new Error(`type ${type.name} is not one --invoke can read`);
  if (def.kind === "record") {
    if (v.t !== "record") return bad();
    const out: Record<string, unknown> = {};
    for (const member of def.members) {
      const given = v.fields.find(([n]) => n === member.name);
      if (!given) throw new Error(`record ${type.name} needs field ${member.name}`);
      out[camel(member.name)] = toJs(given[1], member.type!, defs);
    }
    return out;
  }
  if (def.kind === "flags") {
    if (v.t !== "flags") return bad();
    return Object.fromEntries(def.members.map((m) => [camel(m.name), v.names.includes(m.name)]));
  }
  if (v.t !== "label" || !def.members.some((m) => m.name === v.name)) return bad();
  if (def.kind === "enum") return v.name;
  const member = def.members.find((m) => m.name === v.name)!;
  return { tag: v.name, val: member.type && v.payload ? toJs(v.payload, member.type, defs) : undefined };
}

function typeText(type: WitType): string {
  return type.args.length ? `${type.name}<${type.args.map(typeText).join(", ")}>` : type.name;
}

/** A JS value from jco's bindings written as WAVE, for `type`. */
export function toWave(value: unknown, type: WitType | undefined, defs: Map<string, TypeDef>): string {
  if (!type) return "";
  switch (type.name) {
    case "string": return JSON.stringify(value);
    case "char": return `'${String(value).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
    case "bool": return value ? "true" : "false";
    case "f32": case "f64": case "float32": case "float64":
      return Number.isNaN(value) ? "nan" : value === Infinity ? "inf" : value === -Infinity ? "-inf" : String(value);
    case "list": return `[${Array.from(value as ArrayLike<unknown>).map((v) => toWave(v, type.args[0], defs)).join(", ")}]`;
    case "tuple": return `(${(value as unknown[]).map((v, i) => toWave(v, type.args[i], defs)).join(", ")})`;
    case "option": return value === undefined || value === null ? "none" : `some(${toWave(value, type.args[0], defs)})`;
    case "result": {
      const r = value as { tag: "ok" | "err"; val: unknown };
      const slot = r.tag === "ok" ? type.args[0] : type.args[1];
      return slot && slot.name !== "_" ? `${r.tag}(${toWave(r.val, slot, defs)})` : r.tag;
    }
  }
  if (INTS[type.name]) return String(value);
  const def = defs.get(type.name);
  if (!def) return JSON.stringify(value);
  if (def.kind === "record") {
    const obj = value as Record<string, unknown>;
    return `{${def.members.map((m) => `${m.name}: ${toWave(obj[camel(m.name)], m.type, defs)}`).join(", ")}}`;
  }
  if (def.kind === "flags") {
    const obj = value as Record<string, boolean>;
    return `{${def.members.filter((m) => obj[camel(m.name)]).map((m) => m.name).join(", ")}}`;
  }
  if (def.kind === "enum") return String(value);
  const v = value as { tag: string; val: unknown };
  const member = def.members.find((m) => m.name === v.tag);
  return member?.type ? `${v.tag}(${toWave(v.val, member.type, defs)})` : v.tag;
}

/**
 * The call `--invoke TEXT` asks for on a component: `name(wave, ...)` as wasmtime takes it (or a bare
 * name, its arguments then each a WAVE value among ARGS). Refusals are one line, exit 2.
 */
export async function componentInvocation(file: string, bytes: Uint8Array, text: string, args: string[], print: (text: string) => void): Promise<NonNullable<ComponentProgram["invoke"]>> {
  const paren = text.indexOf("(");
  const name = (paren < 0 ? text : text.slice(0, paren)).trim();
  const argText = paren < 0 ? args.join(", ") : text.slice(paren + 1, text.lastIndexOf(")"));
  if (paren >= 0 && !text.trim().endsWith(")")) throw new CliExit(2, `wasmbox: --invoke ${text}: expected NAME(ARGS)`);
  const { componentWit } = (await importModule("@bytecodealliance/jco")) as typeof import("@bytecodealliance/jco");
  let wit: string;
  try {
    wit = await componentWit(bytes);
  } catch (e) {
    throw new CliExit(2, `wasmbox: ${file}: cannot read its WIT: ${e instanceof Error ? e.message : String(e)}`);
  }
  const signature = exportSignature(wit, name);
  if (!signature) throw new CliExit(2, `wasmbox: ${file}: exports no function ${name}`);
  const defs = typeDefs(wit);
  let values: unknown[];
  try {
    const waves = new WaveParser(argText).all();
    if (waves.length !== signature.params.length) {
      throw new Error(`${name} takes ${signature.params.length} argument(s) (${signature.params.map(([n, t]) => `${n}: ${typeText(t)}`).join(", ")}), ${waves.length} given`);
    }
    values = waves.map((w, i) => toJs(w, signature.params[i]![1], defs));
  } catch (e) {
    throw new CliExit(2, `wasmbox: --invoke ${text}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const result = signature.result;
  return {
    name, args: values,
    results: (value, err) => {
      // jco returns a result's ok value and throws its err (the runner hands that over with err set).
      const shown = result?.name === "result" ? toWave({ tag: err ? "err" : "ok", val: value }, result, defs) : toWave(value, result, defs);
      if (result) print(shown + "\n");
    },
  };
}
