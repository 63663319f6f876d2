// `wasmbox run --invoke NAME MODULE ARGS`: reads the export's signature from the module's bytes,
// parses ARGS as its parameter types and prints its results as wasmtime does (one per line).
import { Cursor } from "../kernel/core.js";
import { CliExit } from "./io.js";

/** A value type of a function signature. */
export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "ref";

/** An export's parameter and result types. */
export interface Signature {
  params: ValType[];
  results: ValType[];
}

const VALTYPES: Record<number, ValType> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "ref", 0x6f: "ref" };

/** The rewrite's reader of the binary format, with the two fields a signature also needs. */
class SignatureCursor extends Cursor {
  valtype(): ValType {
    const b = this.byte();
    if (b === 0x63 || b === 0x64) {
      this.leb(); // a typed reference's heap type
      return "ref";
    }
    const type = VALTYPES[b];
    if (!type) throw new Error(`value type 0x${b.toString(16)}`);
    return type;
  }

  limits(): void {
    const flags = this.byte();
    this.leb();
    if (flags & 1) this.leb();
  }
}

/** The signature of the exported function `name`, or undefined if the module exports no such function. */
export function exportSignature(bytes: Uint8Array, name: string): Signature | undefined {
  const c = new SignatureCursor(bytes, 8, bytes.length);
  const types: Signature[] = [];
  const funcs: number[] = [];
  let exported: number | undefined;
  while (c.at < bytes.length) {
    const id = c.byte();
    const size = c.leb();
    const end = c.at + size;
    if (id === 1) {
      for (let n = c.leb(); n > 0; n--) {
        if (c.byte() !== 0x60) throw new Error("a type other than a plain function type");
        const params = Array.from({ length: c.leb() }, () => c.valtype());
        const results = Array.from({ length: c.leb() }, () => c.valtype());
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = c.leb(); n > 0; n--) {
        c.name();
        c.name();
        const kind = c.byte();
        if (kind === 0) funcs.push(c.leb());
        else if (kind === 1) (c.valtype(), c.limits());
        else if (kind === 2) c.limits();
        else if (kind === 3) (c.valtype(), c.byte());
        else if (kind === 4) (c.byte(), c.leb());
      }
    } else if (id === 3) {
      for (let n = c.leb(); n > 0; n--) funcs.push(c.leb());
    } else if (id === 7) {
      for (let n = c.leb(); n > 0; n--) {
        const field = c.name();
        const kind = c.byte();
        const index = c.leb();
        if (field === name && kind === 0) exported = index;
      }
    }
    c.at = end;
  }
  return exported === undefined ? undefined : types[funcs[exported]!];
}

/** Parses one argument as wasmtime does for its parameter type; `undefined` when it is not one. */
function parseArg(type: ValType, text: string): number | bigint | undefined {
  if (type === "i32" || type === "i64") {
    if (!/^[+-]?\d+$/.test(text)) return undefined;
    const n = BigInt(text);
    const bits = type === "i32" ? 32n : 64n;
    if (n < -(1n << (bits - 1n)) || n >= 1n << (bits - 1n)) return undefined;
    return type === "i32" ? Number(n) : n;
  }
  if (type === "f32" || type === "f64") {
    const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
    if (special) return special[2]!.toLowerCase() === "nan" ? NaN : special[1] === "-" ? -Infinity : Infinity;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
    return type === "f32" ? Math.fround(Number(text)) : Number(text);
  }
  return undefined;
}

/** The arguments for `name` from their text; a count or a value that does not fit is one line, exit 2. */
export function parseInvokeArgs(name: string, signature: Signature, texts: readonly string[]): Array<number | bigint> {
  if (texts.length !== signature.params.length) {
    throw new CliExit(2, `wasmbox: --invoke ${name}: the function takes ${signature.params.length} argument(s), ${texts.length} given`);
  }
  return signature.params.map((type, i) => {
    const value = parseArg(type, texts[i]!);
    if (value === undefined) throw new CliExit(2, `wasmbox: --invoke ${name}: argument ${i + 1} (${texts[i]}): not a valid ${type}`);
    return value;
  });
}

/** Writes a float as Rust's Display does (what wasmtime prints): no exponent, "inf", "NaN", "-0". */
export function formatFloat(value: number, single: boolean): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (Object.is(value, -0)) return "-0";
  let text = String(value);
  if (single) {
    // The shortest decimal that reads back as the same f32, as Rust prints an f32.
    for (let digits = 1; digits <= 9; digits++) {
      const candidate = Number(value.toPrecision(digits));
      if (Math.fround(candidate) === value) {
        text = String(candidate);
        break;
      }
    }
  }
  const exp = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!exp) return text;
  const [, sign, lead, rest = "", power] = exp;
  const digits = lead! + rest;
  const point = 1 + Number(power);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** One line per result, as wasmtime prints them. */
export function formatResults(signature: Signature, values: ReadonlyArray<number | bigint>): string {
  return values.map((v, i) => {
    const type = signature.results[i];
    if (typeof v === "bigint") return `${v}\n`;
    return (type === "f32" || type === "f64" ? formatFloat(v, type === "f32") : String(v)) + "\n";
  }).join("");
}
