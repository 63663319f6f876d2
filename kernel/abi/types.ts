// The ABI's value kinds: how a syscall parameter is read from Wasm arguments and guest memory,
// how a result is written back, and how each is printed by --trace. Handlers only see decoded values.
import { Errno, SysError } from "../errno.js";
import { PAIRS_MAX, PATH_MAX } from "./limits.js";
import type { GuestMemory } from "./memory.js";

/** Wasm value types of the raw arguments. */
export type WasmType = "i32" | "i64";

/** A parameter kind: consumes `wasm.length` raw arguments and gives the handler one value. */
export interface ParamKind<T = unknown> {
  readonly name: string;
  readonly wasm: readonly WasmType[];
  decode(mem: GuestMemory, ...raw: number[]): T;
  /** For --trace: the value as strace would print it. */
  format(value: T, raw: readonly (number | bigint)[]): string;
}

/** A result kind: consumes `wasm.length` raw out-pointer arguments; the handler's return value is written there. */
export interface ResultKind<T = unknown> {
  readonly name: string;
  readonly wasm: readonly WasmType[];
  encode(mem: GuestMemory, value: T, ...ptrs: number[]): void;
  format(value: T): string;
  /** For a trace: reads back the value written (scalar results only). */
  decode?(mem: GuestMemory, ...ptrs: number[]): T;
}

const hex = (v: number | bigint) => "0x" + v.toString(16);

/** A raw i64 offset already made a Number: a negative one is read as the u64 it is (2^63 or more). */
function offsetNumber(n: number, raw: number | bigint): number {
  return n >= 0 ? n : Number(BigInt.asUintN(64, BigInt(raw)));
}

function scalar(name: string, signed = false): ParamKind<number> {
  return {
    name, wasm: ["i32"],
    decode: signed ? (_m, v) => v | 0 : (_m, v) => v >>> 0,
    format: (v) => String(v),
  };
}

/** Parameter kinds. */
export const P = {
  u32: scalar("u32"),
  s32: scalar("s32", true),
  fd: scalar("fd"),
  flags: { name: "flags", wasm: ["i32"], decode: (_m: GuestMemory, v: number) => v >>> 0, format: (v: number) => hex(v) } as ParamKind<number>,
  // A non-negative i64 (an offset, every call but absurd ones) is its own u64: no new BigInt.
  u64: { name: "u64", wasm: ["i64"], decode: (_m: GuestMemory, v: number) => (typeof v === "bigint" && v >= 0n ? v : BigInt.asUintN(64, BigInt(v))), format: (v: bigint) => String(v) } as ParamKind<bigint>,
  /**
   * A file offset (u64) as a Number: one conversion, no BigInt arithmetic on the hot path of
   * fd_pread and fd_pwrite. A value past 2^53 - 1 (or negative as an i64) comes out past
   * Number.MAX_SAFE_INTEGER or below 0, which the handler refuses (EINVAL).
   */
  offset: { name: "offset", wasm: ["i64"], decode: (_m: GuestMemory, v: number) => offsetNumber(Number(v), v), format: (v: number) => String(v) } as ParamKind<number>,
  s64: { name: "s64", wasm: ["i64"], decode: (_m: GuestMemory, v: number) => BigInt.asIntN(64, BigInt(v)), format: (v: bigint) => String(v) } as ParamKind<bigint>,
  rights: { name: "rights", wasm: ["i64"], decode: (_m: GuestMemory, v: number) => BigInt.asUintN(64, BigInt(v)), format: (v: bigint) => hex(v) } as ParamKind<bigint>,
  /** A string given as (ptr, len): a path, so ENAMETOOLONG past PATH_MAX bytes (checked before decoding). */
  string: {
    name: "string", wasm: ["i32", "i32"],
    decode(m: GuestMemory, ptr: number, len: number) {
      if (len >>> 0 > PATH_MAX) throw new SysError(Errno.NAMETOOLONG);
      return m.string(ptr >>> 0, len >>> 0);
    },
    format: (v: string) => JSON.stringify(v.length > 64 ? v.slice(0, 64) + "..." : v),
  } as ParamKind<string>,
  /** Bytes the guest gives, as (ptr, len). */
  bytesIn: {
    name: "bytes", wasm: ["i32", "i32"],
    decode: (m: GuestMemory, ptr: number, len: number) => m.bytes(ptr >>> 0, len >>> 0),
    format: (v: Uint8Array, raw) => `${hex(raw[0] as number)}[${v.length}]`,
  } as ParamKind<Uint8Array>,
  /** A buffer the kernel fills, as (ptr, len). */
  bytesOut: {
    name: "buf", wasm: ["i32", "i32"],
    decode: (m: GuestMemory, ptr: number, len: number) => m.bytes(ptr >>> 0, len >>> 0),
    format: (v: Uint8Array, raw) => `${hex(raw[0] as number)}[${v.length}]`,
  } as ParamKind<Uint8Array>,
  /** ciovec/iovec arrays as (ptr, count): views of each buffer. */
  iovecs: {
    name: "iovecs", wasm: ["i32", "i32"],
    decode: (m: GuestMemory, ptr: number, count: number) => m.iovecs(ptr >>> 0, count >>> 0),
    format: (v: Uint8Array[]) => `[${v.map((b) => b.length).join(",")}]`,
  } as ParamKind<Uint8Array[]>,
  /** An array of (u32, u32) pairs given as (ptr, count). EINVAL past PAIRS_MAX pairs. */
  u32pairs: {
    name: "pairs", wasm: ["i32", "i32"],
    decode(m: GuestMemory, ptr: number, count: number) {
      if (count >>> 0 > PAIRS_MAX) throw new SysError(Errno.INVAL);
      const out: Array<[number, number]> = [];
      m.check(ptr >>> 0, (count >>> 0) * 8);
      for (let i = 0; i < count >>> 0; i++) out.push([m.u32((ptr >>> 0) + i * 8), m.u32((ptr >>> 0) + i * 8 + 4)]);
      return out;
    },
    format: (v: Array<[number, number]>) => `[${v.map(([a, b]) => `${a}<-${b}`).join(",")}]`,
  } as ParamKind<Array<[number, number]>>,
  /** A raw guest address, for the few calls that lay out memory themselves. */
  ptr: { name: "ptr", wasm: ["i32"], decode: (_m: GuestMemory, v: number) => v >>> 0, format: (v: number) => hex(v) } as ParamKind<number>,
} as const;

/** Result kinds. */
export const R = {
  u32: {
    name: "u32", wasm: ["i32"], encode: (m: GuestMemory, v: number, p: number) => m.setU32(p >>> 0, v), format: (v: number) => String(v),
    decode: (m: GuestMemory, p: number) => m.u32(p >>> 0),
  } as ResultKind<number>,
  s32: {
    name: "s32", wasm: ["i32"], encode: (m: GuestMemory, v: number, p: number) => m.setU32(p >>> 0, v >>> 0), format: (v: number) => String(v),
    decode: (m: GuestMemory, p: number) => m.u32(p >>> 0) | 0,
  } as ResultKind<number>,
  u64: {
    name: "u64", wasm: ["i32"], encode: (m: GuestMemory, v: bigint, p: number) => m.setU64(p >>> 0, v), format: (v: bigint) => String(v),
    decode: (m: GuestMemory, p: number) => m.u64(p >>> 0),
  } as ResultKind<bigint>,
  /** Two u32 results at two pointers (sizes_get, fd_pipe). */
  u32pair: {
    name: "u32,u32", wasm: ["i32", "i32"],
    encode: (m: GuestMemory, v: [number, number], p1: number, p2: number) => {
      m.check(p1 >>> 0, 4);
      m.check(p2 >>> 0, 4);
      m.setU32(p1 >>> 0, v[0]);
      m.setU32(p2 >>> 0, v[1]);
    },
    format: (v: [number, number]) => `${v[0]},${v[1]}`,
    decode: (m: GuestMemory, p1: number, p2: number): [number, number] => [m.u32(p1 >>> 0), m.u32(p2 >>> 0)],
  } as ResultKind<[number, number]>,
} as const;

/** A result kind for a fixed-size struct written by `write(view-like memory, ptr, value)`. */
export function structResult<T>(name: string, size: number, write: (m: GuestMemory, p: number, v: T) => void, format: (v: T) => string): ResultKind<T> {
  return {
    name, wasm: ["i32"],
    encode: (m, v, p) => {
      m.check(p >>> 0, size);
      write(m, p >>> 0, v);
    },
    format,
  };
}

/** args_get / environ_get: an array of pointers at p1 into NUL-terminated strings written at p2. */
export const STRINGS: ResultKind<string[]> = {
  name: "strings", wasm: ["i32", "i32"],
  encode(m, values, ptrs, buf) {
    let at = buf >>> 0;
    const bytes = values.map((v) => Buffer.from(v + "\0"));
    m.check(ptrs >>> 0, values.length * 4);
    m.check(at, bytes.reduce((n, b) => n + b.length, 0));
    values.forEach((_, i) => {
      m.setU32((ptrs >>> 0) + i * 4, at);
      m.write(at, bytes[i]);
      at += bytes[i].length;
    });
  },
  format: (v) => JSON.stringify(v),
};
