// The kernel's binary rewrite of a Wasm module at load: its memory becomes an import (the kernel
// makes it, with the container's limit), and its mutable state is exported so that an ended
// process's instance can be put back to its state right after instantiation and run again.
import { Errno, SysError } from "../errno.js";

/** The import the rewritten module expects its memory under. */
export const MEMORY_IMPORT = { module: "wasmbox:memory", name: "memory" } as const;

/** The prefix of the exports the rewrite adds (a module that already uses it is not made resettable). */
const STATE_EXPORT = "wasmbox:state:";

/**
 * What an instance of the module changes as it runs, besides its memory: the exports (added by
 * the rewrite) of its mutable globals and of its tables. `imageBytes`: the memory prefix its data
 * segments can write at instantiation (the rest starts zeroed).
 */
export interface ResetPlan {
  globals: string[];
  tables: string[];
  imageBytes: number;
}

/** The rewritten module and what the rewrite found out. */
export interface RewrittenModule {
  bytes: Uint8Array;
  /** Initial and declared maximum size in 64 KiB pages; null when the module has no memory of its own. */
  memory: { minimum: number; maximum?: number } | null;
  /**
   * How to reset an instance to its first state; null when it cannot be done from outside:
   * a start function (its calls into the kernel cannot be replayed), a passive data or element
   * segment that data.drop or elem.drop may drop (a dropped segment cannot be restored), v128
   * or GC-typed mutable state, or a module that the analysis does not understand.
   */
  reset: ResetPlan | null;
}

/** Reads a module's bytes front to back; a read past `end` is a malformed module. */
class Cursor {
  constructor(private readonly bytes: Uint8Array, public at: number, private readonly end: number) {}

  get done(): boolean {
    return this.at >= this.end;
  }

  peek(): number {
    if (this.at >= this.end) throw new SysError(Errno.NOEXEC, "truncated section");
    return this.bytes[this.at]!;
  }

  byte(): number {
    if (this.at >= this.end) throw new SysError(Errno.NOEXEC, "truncated section");
    return this.bytes[this.at++]!;
  }

  /** An unsigned LEB128 (a signed one is skipped the same way). */
  leb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) return result;
    }
  }

  /** A signed LEB128 of at most 32 bits. */
  sleb32(): number {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = this.byte();
      result |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    return shift < 32 && byte & 0x40 ? result | (-1 << shift) : result;
  }

  skip(n: number): void {
    if (this.at + n > this.end) throw new SysError(Errno.NOEXEC, "truncated section");
    this.at += n;
  }

  name(): string {
    const length = this.leb();
    const start = this.at;
    this.skip(length);
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, length).toString("utf8");
  }
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function nameBytes(name: string): number[] {
  const b = [...Buffer.from(name)];
  return [...leb(b.length), ...b];
}

interface Section {
  id: number;
  body: Uint8Array;
}

/** Where each known section id goes in a module (the binary format's order; custom sections anywhere). */
const SECTION_ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };

/** Puts `section` where the binary format's order wants it. */
function insertSection(sections: Section[], section: Section): void {
  const rank = SECTION_ORDER[section.id]!;
  const after = sections.findIndex((s) => s.id !== 0 && (SECTION_ORDER[s.id] ?? 0) > rank);
  sections.splice(after < 0 ? sections.length : after, 0, section);
}

/**
 * Rewrites `bytes` so that memory 0 is imported as MEMORY_IMPORT with the given sharedness and
 * a maximum (required for shared memory), and exports its mutable globals and tables for reset.
 */
export function rewriteModule(bytes: Uint8Array, shared: boolean, maximumPages: number): RewrittenModule {
  if (bytes.length < 8) throw new SysError(Errno.NOEXEC, "too short to be a Wasm module");
  const sections: Section[] = [];
  const top = new Cursor(bytes, 8, bytes.length);
  while (!top.done) {
    const id = top.byte();
    const size = top.leb();
    if (top.at + size > bytes.length) throw new SysError(Errno.NOEXEC, "section runs past the end");
    sections.push({ id, body: bytes.subarray(top.at, top.at + size) });
    top.at += size;
  }
  const memory = importOwnMemory(sections, shared, maximumPages);
  const reset = resetPlan(sections, memory?.minimum ?? 0);
  if (!memory && !reset?.globals.length && !reset?.tables.length) return { bytes, memory, reset };
  const out: number[] = [...bytes.subarray(0, 8)];
  for (const s of sections) {
    out.push(s.id, ...leb(s.body.length));
    for (let i = 0; i < s.body.length; i++) out.push(s.body[i]!);
  }
  return { bytes: Uint8Array.from(out), memory, reset };
}

/** Replaces the memory section by an import of MEMORY_IMPORT (in place); null when there is none. */
function importOwnMemory(sections: Section[], shared: boolean, maximumPages: number): RewrittenModule["memory"] {
  const memIndex = sections.findIndex((s) => s.id === 5);
  if (memIndex < 0) return null;
  const mem = new Cursor(sections[memIndex]!.body, 0, sections[memIndex]!.body.length);
  if (mem.leb() !== 1) throw new SysError(Errno.NOEXEC, "more than one memory");
  const flags = mem.byte();
  if (flags & 0x04) throw new SysError(Errno.NOEXEC, "64-bit memory is not supported");
  const minimum = mem.leb();
  const maximum = flags & 0x01 ? mem.leb() : undefined;
  const max = Math.max(minimum, Math.min(maximum ?? maximumPages, maximumPages));
  const entry = [
    ...nameBytes(MEMORY_IMPORT.module), ...nameBytes(MEMORY_IMPORT.name), 0x02,
    shared ? 0x03 : 0x01, ...leb(minimum), ...leb(max),
  ];
  sections.splice(memIndex, 1);
  const importIndex = sections.findIndex((s) => s.id === 2);
  if (importIndex >= 0) {
    const body = sections[importIndex]!.body;
    const c = new Cursor(body, 0, body.length);
    const n = c.leb();
    sections[importIndex] = { id: 2, body: Uint8Array.from([...leb(n + 1), ...body.subarray(c.at), ...entry]) };
  } else {
    insertSection(sections, { id: 2, body: Uint8Array.from([...leb(1), ...entry]) });
  }
  return { minimum, maximum };
}

/** Counts of the imported entities whose index spaces the module's own entities follow. */
function readImports(c: Cursor): { globals: number; tables: number } {
  const counts = { globals: 0, tables: 0 };
  for (let n = c.leb(); n > 0; n--) {
    c.name();
    c.name();
    const kind = c.byte();
    if (kind === 0) c.leb();
    else if (kind === 1) {
      valueType(c);
      limits(c);
      counts.tables++;
    } else if (kind === 2) limits(c);
    else if (kind === 3) {
      valueType(c);
      c.byte();
      counts.globals++;
    } else if (kind === 4) {
      c.byte();
      c.leb();
    } else throw new SysError(Errno.NOEXEC, `unknown import kind ${kind}`);
  }
  return counts;
}

/** Value types whose values JavaScript can read and write through a WebAssembly.Global or Table. */
const JS_VALUE_TYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x70, 0x6f]);
const JS_REF_TYPES = new Set([0x70, 0x6f]);

/** A value type: its one-byte code, or -1 for a typed reference (GC and function-references proposals). */
function valueType(c: Cursor): number {
  const code = c.byte();
  if (code === 0x63 || code === 0x64) {
    c.leb();
    return -1;
  }
  return code;
}

function limits(c: Cursor): void {
  const flags = c.byte();
  c.leb();
  if (flags & 0x01) c.leb();
}

/**
 * Skips a constant expression; returns the value when it is a lone i32.const, otherwise
 * undefined. Throws on an instruction it does not know (the module is then not made resettable).
 */
function constExpr(c: Cursor): number | undefined {
  let value: number | undefined;
  let count = 0;
  for (;;) {
    const op = c.byte();
    if (op === 0x0b) return count === 1 ? value : undefined;
    count++;
    if (op === 0x41) value = c.sleb32();
    else if (op === 0x42 || op === 0x23 || op === 0xd0 || op === 0xd2) c.leb();
    else if (op === 0x43) c.skip(4);
    else if (op === 0x44) c.skip(8);
    else if (op === 0x6a || op === 0x6b || op === 0x6c || op === 0x7c || op === 0x7d || op === 0x7e) continue;
    else if (op === 0xfd && c.leb() === 12) c.skip(16);
    else throw new SysError(Errno.NOEXEC, `constant expression opcode 0x${op.toString(16)}`);
  }
}

/** Whether code may use the instruction 0xFC `op` (data.drop 9, elem.drop 13); may say yes for an immediate that looks like one. */
function mayUse(code: Uint8Array | undefined, op: number): boolean {
  if (!code) return false;
  for (let at = code.indexOf(0xfc); at >= 0; at = code.indexOf(0xfc, at + 1)) {
    const c = new Cursor(code, at + 1, Math.min(code.length, at + 6));
    try {
      if (c.leb() === op) return true;
    } catch {
      // A 0xFC at the very end of the code is no instruction.
    }
  }
  return false;
}

/** Whether an element section has a passive segment (elem.drop can only change those: active ones are dropped at instantiation). */
function hasPassiveElements(elements: Section | undefined): boolean {
  if (!elements) return false;
  const c = new Cursor(elements.body, 0, elements.body.length);
  for (let n = c.leb(); n > 0; n--) {
    const flags = c.leb();
    if (flags === 1 || flags === 5) return true;
    if (flags === 2 || flags === 6) c.leb();
    if (flags === 0 || flags === 2 || flags === 4 || flags === 6) constExpr(c);
    if (flags === 1 || flags === 2 || flags === 3) c.byte();
    else if (flags >= 5) valueType(c);
    for (let items = c.leb(); items > 0; items--) {
      if (flags < 4) c.leb();
      else constExpr(c);
    }
  }
  return false;
}

/**
 * Works out what must be reset and adds the exports it needs (in place); null when the module
 * cannot be reset from outside.
 */
function resetPlan(sections: Section[], minimumPages: number): ResetPlan | null {
  if (sections.some((s) => s.id === 8)) return null;
  const code = sections.find((s) => s.id === 10)?.body;
  try {
    const data = dataSegments(sections.find((s) => s.id === 11), minimumPages * 65536);
    if (data.passive && mayUse(code, 9)) return null;
    if (hasPassiveElements(sections.find((s) => s.id === 9)) && mayUse(code, 13)) return null;
    const imported = { globals: 0, tables: 0 };
    const importSection = sections.find((s) => s.id === 2);
    if (importSection) Object.assign(imported, readImports(new Cursor(importSection.body, 0, importSection.body.length)));
    const added: number[] = [];
    const globals: string[] = [];
    const tables: string[] = [];
    const globalSection = sections.find((s) => s.id === 6);
    if (globalSection) {
      const c = new Cursor(globalSection.body, 0, globalSection.body.length);
      for (let n = c.leb(), i = 0; i < n; i++) {
        const type = valueType(c);
        const mutable = c.byte() === 1;
        constExpr(c);
        if (!mutable) continue;
        if (!JS_VALUE_TYPES.has(type)) return null;
        const name = `${STATE_EXPORT}global:${imported.globals + i}`;
        globals.push(name);
        added.push(...nameBytes(name), 0x03, ...leb(imported.globals + i));
      }
    }
    const tableSection = sections.find((s) => s.id === 4);
    if (tableSection) {
      const c = new Cursor(tableSection.body, 0, tableSection.body.length);
      for (let n = c.leb(), i = 0; i < n; i++) {
        const initialized = c.peek() === 0x40;
        if (initialized) c.skip(2);
        const type = valueType(c);
        limits(c);
        if (initialized) constExpr(c);
        if (!JS_REF_TYPES.has(type)) return null;
        const name = `${STATE_EXPORT}table:${imported.tables + i}`;
        tables.push(name);
        added.push(...nameBytes(name), 0x01, ...leb(imported.tables + i));
      }
    }
    const exportIndex = sections.findIndex((s) => s.id === 7);
    const exportCount = tables.length + globals.length;
    if (exportIndex >= 0) {
      const body = sections[exportIndex]!.body;
      const c = new Cursor(body, 0, body.length);
      const n = c.leb();
      const entriesAt = c.at;
      for (let i = 0; i < n; i++) {
        if (c.name().startsWith(STATE_EXPORT)) return null;
        c.byte();
        c.leb();
      }
      if (exportCount > 0) sections[exportIndex] = { id: 7, body: Uint8Array.from([...leb(n + exportCount), ...body.subarray(entriesAt), ...added]) };
    } else if (exportCount > 0) {
      insertSection(sections, { id: 7, body: Uint8Array.from([...leb(exportCount), ...added]) });
    }
    return { globals, tables, imageBytes: data.imageBytes };
  } catch {
    return null;
  }
}

/**
 * What the data segments write at instantiation: the end of the highest active one at a constant
 * offset (all of memory when one's offset is not constant); and whether any is passive.
 */
function dataSegments(data: Section | undefined, memoryBytes: number): { imageBytes: number; passive: boolean } {
  const found = { imageBytes: 0, passive: false };
  if (!data) return found;
  const c = new Cursor(data.body, 0, data.body.length);
  for (let n = c.leb(); n > 0; n--) {
    const flags = c.leb();
    if (flags === 2) c.leb();
    const offset = flags === 1 ? undefined : constExpr(c);
    const length = c.leb();
    c.skip(length);
    if (flags === 1) found.passive = true;
    else found.imageBytes = Math.max(found.imageBytes, offset === undefined ? memoryBytes : (offset >>> 0) + length);
  }
  found.imageBytes = Math.min(found.imageBytes, memoryBytes);
  return found;
}
