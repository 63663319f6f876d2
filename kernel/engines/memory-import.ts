// A small binary rewrite of a Wasm module: its own memory becomes an import, so the kernel creates
// the memory (with the container's limit as maximum, shared for the worker engine) and can see it.
import { Errno, SysError } from "../errno.js";

/** The import the rewritten module expects its memory under. */
export const MEMORY_IMPORT = { module: "wasmbox:memory", name: "memory" } as const;

/** What the rewrite found out about the module's memory. */
export interface MemoryImportModule {
  bytes: Uint8Array;
  /** Initial size in 64 KiB pages. */
  minimum: number;
  /** The module's own maximum, if it declared one. */
  maximum?: number;
}

function readLeb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (at >= bytes.length) throw new SysError(Errno.NOEXEC, "truncated LEB128");
    const byte = bytes[at++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return [result, at];
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

/**
 * Rewrites `bytes` so that memory 0 is imported as MEMORY_IMPORT with the given sharedness and
 * a maximum (required for shared memory). Returns null when the module has no memory of its own
 * (then it either imports one already or has none).
 */
export function importMemory(bytes: Uint8Array, shared: boolean, maximumPages: number): MemoryImportModule | null {
  if (bytes.length < 8) throw new SysError(Errno.NOEXEC, "too short to be a Wasm module");
  const sections: Array<{ id: number; body: Uint8Array }> = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, bodyAt] = readLeb(bytes, at + 1);
    if (bodyAt + size > bytes.length) throw new SysError(Errno.NOEXEC, "section runs past the end");
    sections.push({ id, body: bytes.subarray(bodyAt, bodyAt + size) });
    at = bodyAt + size;
  }
  const memIndex = sections.findIndex((s) => s.id === 5);
  if (memIndex < 0) return null;
  const mem = sections[memIndex].body;
  const [count, limitsAt] = readLeb(mem, 0);
  if (count !== 1) throw new SysError(Errno.NOEXEC, "more than one memory");
  const flags = mem[limitsAt];
  if (flags & 0x04) throw new SysError(Errno.NOEXEC, "64-bit memory is not supported");
  const [minimum, next] = readLeb(mem, limitsAt + 1);
  const maximum = flags & 0x01 ? readLeb(mem, next)[0] : undefined;
  const max = Math.max(minimum, Math.min(maximum ?? maximumPages, maximumPages));
  const entry = [
    ...nameBytes(MEMORY_IMPORT.module), ...nameBytes(MEMORY_IMPORT.name), 0x02,
    shared ? 0x03 : 0x01, ...leb(minimum), ...leb(max),
  ];
  const importIndex = sections.findIndex((s) => s.id === 2);
  if (importIndex >= 0) {
    const body = sections[importIndex].body;
    const [n, rest] = readLeb(body, 0);
    sections[importIndex] = { id: 2, body: Uint8Array.from([...leb(n + 1), ...body.subarray(rest), ...entry]) };
  } else {
    const insertAt = sections.findIndex((s) => s.id !== 0 && s.id > 2);
    sections.splice(insertAt < 0 ? sections.length : insertAt, 0, { id: 2, body: Uint8Array.from([...leb(1), ...entry]) });
  }
  const out: number[] = [...bytes.subarray(0, 8)];
  for (const s of sections) {
    if (s.id === 5) continue;
    out.push(s.id, ...leb(s.body.length));
    for (let i = 0; i < s.body.length; i++) out.push(s.body[i]);
  }
  return { bytes: Uint8Array.from(out), minimum, maximum };
}
