// The kernel's binary rewrite of a Wasm module at load: its memory becomes an import (the kernel
// makes it, with the container's limit), its mutable state is exported so that an ended process's
// instance can be reset and run again, and (inline engine) checks are added so that a busy guest
// comes back to the scheduler. Untouched sections are copied as slices, at memory speed.
import { Errno, SysError } from "../errno.js";
import { checksFor, scanCode, sleb32, writeCode, type BranchHints, type CodeEdits, type CodeScan, type FuncShape } from "./code-scan.js";
import { ByteWriter, Cursor, editDelta, leb, nameBytes, writeEdited, type Edit } from "./wasm-binary.js";

/** The import the rewritten module expects its memory under. */
export const MEMORY_IMPORT = { module: "wasmbox:memory", name: "memory" } as const;

/**
 * The function `() -> i32` a preemptible module calls when its budget of checks is used up: the
 * kernel's preemption point (it may suspend the guest), which returns the next budget.
 */
export const PREEMPT_IMPORT = { module: "wasmbox:sched", name: "yield" } as const;

/**
 * The function `(pages: i32) -> i32` that each memory.grow of a module with GROW_IMPORT becomes:
 * it grows the memory (the old size in pages, or -1 when refused) and tells the kernel of a grow
 * refused at the memory's maximum, so that a kill for memory is a fact, not a guess.
 */
export const GROW_IMPORT = { module: "wasmbox:memory", name: "grow" } as const;

/** The budget of checks (loop iterations and calls) a new instance starts with. */
export const INITIAL_BUDGET = 10_000;

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

/** What the rewrite may do besides importing the memory. */
export interface RewriteOptions {
  /** Add the preemption checks (a budget global, PREEMPT_IMPORT, a check at each function entry and loop header). */
  preempt?: boolean;
  /** With the checks, also outline each loop into a function of its own (default true; see code-scan.ts). */
  outline?: boolean;
  /**
   * Export the mutable state for reset (default true). Without, `reset` is null: a module run once
   * (the CLI's) saves the analysis, which scans a large module's code (~30 ms for 20 MB).
   */
  resettable?: boolean;
  /**
   * The caller gives up `bytes` and the bytes of its buffer before it (its headroom): the rewrite may
   * write there, and its result then shares that memory. Where only sections before the code change
   * (a run without preemption checks or reset), the new first sections are written just before the
   * unchanged rest, which stays where it is: no copy of a large module's code (~25 ms for 20 MB).
   */
  inPlace?: boolean;
  /** Make each memory.grow a call of GROW_IMPORT (for a module with a memory of its own). */
  growSignal?: boolean;
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
  /** Whether the preemption checks were added (the module then imports PREEMPT_IMPORT). */
  preemptible: boolean;
  /** Whether memory.grow was replaced (the module then imports GROW_IMPORT). */
  growSignal: boolean;
}

/** A section of the input: its id, where its header starts, and its contents `[at, end)`. */
interface Span {
  id: number;
  headerAt: number;
  at: number;
  end: number;
}

/** Where each known section id goes in a module (the binary format's order; custom sections anywhere). */
const SECTION_ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };

/**
 * Rewrites `bytes` so that memory 0 is imported as MEMORY_IMPORT with the given sharedness and
 * a maximum (required for shared memory), and exports its mutable globals and tables for reset;
 * with `preempt`, adds the preemption checks too (a module whose code the decoder does not know
 * is left without them: `preemptible` says which).
 */
export function rewriteModule(bytes: Uint8Array, shared: boolean, maximumPages: number, options: RewriteOptions = {}): RewrittenModule {
  if (bytes.length < 8) throw new SysError(Errno.NOEXEC, "too short to be a Wasm module");
  const sections: Span[] = [];
  const top = new Cursor(bytes, 8, bytes.length);
  while (!top.done) {
    const headerAt = top.at;
    const id = top.byte();
    const size = top.leb();
    if (top.at + size > bytes.length) throw new SysError(Errno.NOEXEC, "section runs past the end");
    sections.push({ id, headerAt, at: top.at, end: top.at + size });
    top.at += size;
  }
  const resettable = options.resettable ?? true;
  if (options.preempt || options.growSignal) {
    try {
      return rewrite(bytes, sections, shared, maximumPages, options.preempt ?? false, options.growSignal ?? false, resettable, false, options.outline ?? true);
    } catch {
      // Code the decoder does not know runs without the checks (it can still be stopped by a worker)
      // and with its memory.grow (a trap after a refused grow is then not known as out of memory).
    }
  }
  return rewrite(bytes, sections, shared, maximumPages, false, false, resettable, options.inPlace ?? false);
}

/**
 * The edits of the code: the new imports' first type and function index (PREEMPT_IMPORT first,
 * then GROW_IMPORT, each when added), the budget global (with the checks), the decoded code.
 */
interface CodePlan {
  typeIndex: number;
  funcIndex: number;
  preempt: boolean;
  grow: boolean;
  budgetGlobal: number;
  edits: CodeEdits;
  code: CodeScan | null;
}

/** The new function types: `() -> i32` for PREEMPT_IMPORT, `(i32) -> i32` for GROW_IMPORT. */
const PREEMPT_TYPE = [0x60, 0x00, 0x01, 0x7f];
const GROW_TYPE = [0x60, 0x01, 0x7f, 0x01, 0x7f];

function rewrite(
  bytes: Uint8Array, sections: readonly Span[], shared: boolean, maximumPages: number, preempt: boolean, growSignal: boolean, resettable: boolean, inPlace: boolean, outline = false,
): RewrittenModule {
  const find = (id: number) => sections.find((s) => s.id === id);
  const cursor = (s: Span) => new Cursor(bytes, s.at, s.end);
  const memory = ownMemory(bytes, find(5));
  let imported: ImportCounts | undefined;
  try {
    const importSection = find(2);
    imported = importSection ? readImports(cursor(importSection)) : { funcs: 0, globals: 0, tables: 0 };
  } catch (e) {
    if (preempt || growSignal) throw e;
  }
  const grow = growSignal && memory !== null;
  let plan: CodePlan | null = null;
  if ((preempt || grow) && imported) {
    const types = find(1);
    const functions = find(3);
    const globals = find(6);
    const budgetGlobal = imported.globals + (globals ? cursor(globals).leb() : 0);
    const checks = preempt ? checksFor(budgetGlobal, imported.funcs) : null;
    const growIndex = imported.funcs + (preempt ? 1 : 0);
    const edits: CodeEdits = { checks, shiftBy: (preempt ? 1 : 0) + (grow ? 1 : 0), growCall: grow ? Uint8Array.from([0x10, ...leb(growIndex)]) : null, outline };
    const shapes = types ? funcShapes(cursor(types)) : [];
    const funcTypes: number[] = [];
    if (functions) {
      const c = cursor(functions);
      for (let n = c.leb(); n > 0; n--) funcTypes.push(c.leb());
    }
    const code = find(10);
    plan = {
      typeIndex: shapes.length, funcIndex: imported.funcs, preempt, grow, budgetGlobal, edits,
      code: code ? scanCode(bytes, code.at, code.end, imported.funcs, shapes, funcTypes, preempt ? addressTaken(find, cursor) : [], edits, shapes.length + edits.shiftBy) : null,
    };
  }
  const state = resettable ? resetPlan(bytes, find, memory?.minimum ?? 0, imported, plan) : null;
  if (!memory && !plan && !state?.count) return { bytes, memory: null, reset: state?.reset ?? null, preemptible: false, growSignal: false };

  const newImports: number[] = [];
  if (memory) {
    const max = Math.max(memory.minimum, Math.min(memory.maximum ?? maximumPages, maximumPages));
    newImports.push(...nameBytes(MEMORY_IMPORT.module), ...nameBytes(MEMORY_IMPORT.name), 0x02, shared ? 0x03 : 0x01, ...leb(memory.minimum), ...leb(max));
  }
  const newTypes: number[] = [];
  if (plan?.preempt) {
    newImports.push(...nameBytes(PREEMPT_IMPORT.module), ...nameBytes(PREEMPT_IMPORT.name), 0x00, ...leb(plan.typeIndex));
    newTypes.push(...PREEMPT_TYPE);
  }
  if (plan?.grow) {
    newImports.push(...nameBytes(GROW_IMPORT.module), ...nameBytes(GROW_IMPORT.name), 0x00, ...leb(plan.typeIndex + (plan.preempt ? 1 : 0)));
    newTypes.push(...GROW_TYPE);
  }
  const added = plan ? plan.edits.shiftBy : 0;
  const shift = plan ? (index: number) => (index >= plan.funcIndex ? index + added : index) : undefined;

  let hintSection: ((w: ByteWriter) => void) | null = null;
  /** Each changed section's contents, by id (a section the module lacks is added in its place). */
  const builders = new Map<number, (w: ByteWriter, s: Span | undefined) => void>();
  const outlined = plan?.code?.outlined ?? [];
  if (plan) {
    const types = plan.code?.newTypes ?? [];
    builders.set(1, (w, s) => appendEntries(w, bytes, s, added + types.length, [...newTypes, ...types.flat()]));
  }
  // Loops outlined into functions of their own (see code-scan.ts) are declared after the module's own functions.
  if (outlined.length > 0) builders.set(3, (w, s) => appendEntries(w, bytes, s, outlined.length, outlined.flatMap((o) => leb(o.type))));
  if (newImports.length > 0) builders.set(2, (w, s) => appendEntries(w, bytes, s, (memory ? 1 : 0) + added, newImports));
  if (plan) {
    const budget = [0x7f, 0x01, 0x41, ...sleb32(INITIAL_BUDGET), 0x0b];
    if (plan.preempt) builders.set(6, (w, s) => appendEntries(w, bytes, s, 1, budget, s && globalEdits(cursor(s), shift!)));
    else if (find(6)) builders.set(6, (w, s) => writeEdited(w, bytes, s!.at, s!.end, globalEdits(cursor(s!), shift!)));
    // The start, element and code sections are only changed, never added.
    if (find(8)) builders.set(8, (w, s) => writeEdited(w, bytes, s!.at, s!.end, funcIndexEdit(cursor(s!), shift!)));
    if (find(9)) builders.set(9, (w, s) => writeEdited(w, bytes, s!.at, s!.end, elementEdits(cursor(s!), shift!)));
    if (plan.code && plan.preempt) {
      // The checks' branches are hinted as not taken (V8's optimizing tier then lays their slow
      // path out of line). The hints section goes before the code: a first pass only measures.
      const hints: BranchHints = new Map();
      writeCode(new LengthCounter(), bytes, find(10)!.at, plan.code, plan.edits, hints);
      hintSection = hints.size > 0 ? branchHintSection(hints, plan.funcIndex + added) : null;
    }
    if (plan.code) builders.set(10, (w, s) => writeCode(w, bytes, s!.at, plan.code!, plan.edits));
  }
  if (plan || state?.count) {
    builders.set(7, (w, s) => appendEntries(w, bytes, s, state?.count ?? 0, state?.exports ?? [], s && shift && exportEdits(cursor(s), shift)));
  }

  const missing = [...builders.keys()].filter((id) => !find(id)).sort((a, b) => SECTION_ORDER[a]! - SECTION_ORDER[b]!);
  // The module's own branch hints point into code that the rewrite changes: they are left out.
  const staleHints = (s: Span) => s.id === 0 && builders.has(10) && customName(bytes, s) === BRANCH_HINT_SECTION;
  const changed = (s: Span) => (s.id === 5 && memory !== null) || builders.has(s.id) || (s.id === 0 && ((shift !== undefined && isNameSection(bytes, s)) || staleHints(s)));
  const tail = inPlace ? unchangedTail(sections, missing, changed) : sections.length;
  const tailAt = tail < sections.length ? sections[tail]!.headerAt : bytes.length;
  const w = new ByteWriter(tail < sections.length ? tailAt + 4096 : bytes.length + (plan ? bytes.length >> 2 : 0) + 4096);
  w.copy(bytes, 0, 8);
  for (const s of sections.slice(0, tail)) {
    while (s.id !== 0 && missing.length > 0 && SECTION_ORDER[missing[0]!]! < SECTION_ORDER[s.id]!) {
      const id = missing.shift()!;
      w.section(id, (w) => builders.get(id)!(w, undefined));
    }
    if ((s.id === 5 && memory) || staleHints(s)) continue;
    if (s.id === 10 && hintSection) w.section(0, hintSection);
    const build = builders.get(s.id);
    if (build) w.section(s.id, (w) => build(w, s));
    else if (s.id === 0 && shift && isNameSection(bytes, s)) writeNameSection(w, bytes, s, shift);
    else w.copy(bytes, s.headerAt, s.end);
  }
  for (const id of missing) w.section(id, (w) => builders.get(id)!(w, undefined));
  let out = w.result();
  if (tail < sections.length) {
    // The rest, from sections[tail] on, is unchanged: the new head goes just before it, in place when the
    // headroom and the old head leave room for it (else one copy, as without inPlace).
    const headAt = bytes.byteOffset + tailAt - out.length;
    const whole = headAt >= 0 ? new Uint8Array(bytes.buffer, headAt, out.length + bytes.length - tailAt) : new Uint8Array(out.length + bytes.length - tailAt);
    if (headAt < 0) whole.set(bytes.subarray(tailAt), out.length);
    whole.set(out, 0);
    out = whole;
  }
  return { bytes: out, memory: memory && { minimum: memory.minimum, maximum: memory.maximum }, reset: state?.reset ?? null, preemptible: plan?.preempt ?? false, growSignal: plan?.grow ?? false };
}

/**
 * The index of the first section from which on nothing changes (nor is inserted), when there is one:
 * the sections before it are written anew, the rest kept as they are; sections.length when none.
 */
function unchangedTail(sections: readonly Span[], missing: readonly number[], changed: (s: Span) => boolean): number {
  let tail = 0;
  let inserted = 0;
  sections.forEach((s, i) => {
    while (s.id !== 0 && inserted < missing.length && SECTION_ORDER[missing[inserted]!]! < SECTION_ORDER[s.id]!) {
      inserted++;
      tail = Math.max(tail, i);
    }
    if (changed(s)) tail = i + 1;
  });
  // A section added after the last one, or nothing left unchanged: written whole.
  return inserted < missing.length ? sections.length : tail;
}

/**
 * Writes a vector section with `added` more entries (`entries`, appended), `edits` applied to
 * the existing ones; a section the module lacks is made from the new entries alone.
 */
function appendEntries(w: ByteWriter, bytes: Uint8Array, s: Span | undefined, added: number, entries: readonly number[], edits: readonly Edit[] = []): void {
  if (!s) {
    w.leb(added);
    w.bytes(entries);
    return;
  }
  const c = new Cursor(bytes, s.at, s.end);
  w.leb(c.leb() + added);
  writeEdited(w, bytes, c.at, s.end, edits);
  w.bytes(entries);
}

/** The module's own memory (its memory section); null when there is none. */
function ownMemory(bytes: Uint8Array, s: Span | undefined): { minimum: number; maximum?: number } | null {
  if (!s) return null;
  const mem = new Cursor(bytes, s.at, s.end);
  if (mem.leb() !== 1) throw new SysError(Errno.NOEXEC, "more than one memory");
  const flags = mem.byte();
  if (flags & 0x04) throw new SysError(Errno.NOEXEC, "64-bit memory is not supported");
  const minimum = mem.leb();
  const maximum = flags & 0x01 ? mem.leb() : undefined;
  return { minimum, maximum };
}

/** Counts of the imported entities whose index spaces the module's own entities follow. */
interface ImportCounts {
  funcs: number;
  globals: number;
  tables: number;
}

function readImports(c: Cursor): ImportCounts {
  const counts = { funcs: 0, globals: 0, tables: 0 };
  for (let n = c.leb(); n > 0; n--) {
    c.name();
    c.name();
    const kind = c.byte();
    if (kind === 0) {
      c.leb();
      counts.funcs++;
    } else if (kind === 1) {
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

/**
 * The parameter count of each type a type section defines, by type index (0 for a struct or
 * array type; a recursion group of the GC proposal defines several).
 */
function funcShapes(c: Cursor): FuncShape[] {
  const shapes: FuncShape[] = [];
  for (let n = c.leb(); n > 0; n--) {
    if (c.peek() === 0x4e) {
      c.byte();
      for (let group = c.leb(); group > 0; group--) shapes.push(subType(c));
    } else shapes.push(subType(c));
  }
  return shapes;
}

function subType(c: Cursor): FuncShape {
  const code = c.byte();
  if (code === 0x50 || code === 0x4f) {
    for (let n = c.leb(); n > 0; n--) c.leb();
    return compositeType(c, c.byte());
  }
  return compositeType(c, code);
}

/** Reads a composite type; returns its shape (empty unless a function type). */
function compositeType(c: Cursor, code: number): FuncShape {
  const fieldType = () => {
    valueType(c);
    c.byte();
  };
  if (code === 0x60) {
    const params: number[] = [];
    for (let n = c.leb(); n > 0; n--) params.push(valueType(c));
    const results: number[] = [];
    for (let n = c.leb(); n > 0; n--) results.push(valueType(c));
    return { params, results };
  }
  if (code === 0x5f) for (let n = c.leb(); n > 0; n--) fieldType();
  else if (code === 0x5e) fieldType();
  else throw new SysError(Errno.NOEXEC, `unknown type form 0x${code.toString(16)}`);
  return { params: [], results: [] };
}

/** Value types whose values JavaScript can read and write through a WebAssembly.Global or Table. */
const JS_VALUE_TYPES: ReadonlySet<number> = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x70, 0x6f]);
const JS_REF_TYPES: ReadonlySet<number> = new Set([0x70, 0x6f]);

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
 * undefined. `onFunc` sees each ref.func's index and where it is. Throws on an instruction it
 * does not know (the module is then not made resettable).
 */
function constExpr(c: Cursor, onFunc?: (at: number, end: number, index: number) => void): number | undefined {
  let value: number | undefined;
  let count = 0;
  for (;;) {
    const op = c.byte();
    if (op === 0x0b) return count === 1 ? value : undefined;
    count++;
    if (op === 0x41) value = c.sleb32();
    else if (op === 0xd2) {
      const at = c.at;
      const index = c.leb();
      onFunc?.(at, c.at, index);
    } else if (op === 0x42 || op === 0x23 || op === 0xd0) c.leb();
    else if (op === 0x43) c.skip(4);
    else if (op === 0x44) c.skip(8);
    else if (op === 0x6a || op === 0x6b || op === 0x6c || op === 0x7c || op === 0x7d || op === 0x7e) continue;
    else if (op === 0xfd && c.leb() === 12) c.skip(16);
    else throw new SysError(Errno.NOEXEC, `constant expression opcode 0x${op.toString(16)}`);
  }
}

/** Collects the edits that give shifted function indices, for the callbacks of constExpr. */
function shiftEdits(shift: (index: number) => number): { edits: Edit[]; onFunc: (at: number, end: number, index: number) => void } {
  const edits: Edit[] = [];
  return { edits, onFunc: (at, end, index) => void (shift(index) !== index && edits.push({ at, end, bytes: leb(shift(index)) })) };
}

/** Reads a function index at the cursor and tells `onFunc` where it was. */
function funcIndex(c: Cursor, onFunc: (at: number, end: number, index: number) => void): void {
  const at = c.at;
  const index = c.leb();
  onFunc(at, c.at, index);
}

/** The function-index LEB at the cursor (the start section), shifted. */
function funcIndexEdit(c: Cursor, shift: (index: number) => number): Edit[] {
  const { edits, onFunc } = shiftEdits(shift);
  funcIndex(c, onFunc);
  return edits;
}

/** Shifted ref.func indices in the global section's initializers. */
function globalEdits(c: Cursor, shift: (index: number) => number): Edit[] {
  const { edits, onFunc } = shiftEdits(shift);
  globalFuncs(c, onFunc);
  return edits;
}

/** Walks the global section's initializers, telling `onFunc` of each ref.func. */
function globalFuncs(c: Cursor, onFunc: (at: number, end: number, index: number) => void): void {
  for (let n = c.leb(); n > 0; n--) {
    valueType(c);
    c.byte();
    constExpr(c, onFunc);
  }
}

/** Shifted function exports. */
function exportEdits(c: Cursor, shift: (index: number) => number): Edit[] {
  const { edits, onFunc } = shiftEdits(shift);
  exportFuncs(c, onFunc);
  return edits;
}

/** Walks the exports, telling `onFunc` of each exported function. */
function exportFuncs(c: Cursor, onFunc: (at: number, end: number, index: number) => void): void {
  for (let n = c.leb(); n > 0; n--) {
    c.skip(c.leb());
    if (c.byte() === 0) funcIndex(c, onFunc);
    else c.leb();
  }
}

/**
 * The functions whose references the module hands out, so that call_indirect or call_ref may
 * reach them: those of element segments and global initializers, and the exported ones (a host
 * may put them into a table it shares). ref.func in code is found by the code's scan.
 */
function addressTaken(find: (id: number) => Span | undefined, cursor: (s: Span) => Cursor): number[] {
  const taken: number[] = [];
  const onFunc = (_at: number, _end: number, index: number) => void taken.push(index);
  const elements = find(9);
  const globals = find(6);
  const exports = find(7);
  if (elements) elementFuncs(cursor(elements), onFunc);
  if (globals) globalFuncs(cursor(globals), onFunc);
  if (exports) exportFuncs(cursor(exports), onFunc);
  return taken;
}

/** Shifted function indices in the element segments (index lists and ref.func expressions). */
function elementEdits(c: Cursor, shift: (index: number) => number): Edit[] {
  const { edits, onFunc } = shiftEdits(shift);
  elementFuncs(c, onFunc);
  return edits;
}

/** Walks the element segments, telling `onFunc` of each function index (index lists and ref.func expressions). */
function elementFuncs(c: Cursor, onFunc: (at: number, end: number, index: number) => void): void {
  for (let n = c.leb(); n > 0; n--) {
    const flags = c.leb();
    if (flags === 2 || flags === 6) c.leb();
    if (flags === 0 || flags === 2 || flags === 4 || flags === 6) constExpr(c, onFunc);
    if (flags === 1 || flags === 2 || flags === 3) c.byte();
    else if (flags >= 5) valueType(c);
    for (let items = c.leb(); items > 0; items--) {
      if (flags < 4) funcIndex(c, onFunc);
      else constExpr(c, onFunc);
    }
  }
}

/** A custom section's name; null when it cannot be read. */
function customName(bytes: Uint8Array, s: Span): string | null {
  try {
    return new Cursor(bytes, s.at, s.end).name();
  } catch {
    return null;
  }
}

/** Whether a custom section is the "name" section. */
function isNameSection(bytes: Uint8Array, s: Span): boolean {
  return customName(bytes, s) === "name";
}

/**
 * Writes the name section with shifted function indices (function, local and label names are
 * keyed by function); one it cannot read is left out (names only serve stack traces).
 */
function writeNameSection(w: ByteWriter, bytes: Uint8Array, s: Span, shift: (index: number) => number): void {
  const edits: Edit[] = [];
  try {
    const c = new Cursor(bytes, s.at, s.end);
    c.name();
    while (!c.done) {
      const id = c.byte();
      const sizeAt = c.at;
      const size = c.leb();
      const end = c.at + size;
      if (id >= 1 && id <= 3) {
        const sub = new Cursor(bytes, c.at, end);
        const { edits: inner, onFunc } = shiftEdits(shift);
        for (let n = sub.leb(); n > 0; n--) {
          funcIndex(sub, onFunc);
          if (id === 1) sub.skip(sub.leb());
          else {
            for (let m = sub.leb(); m > 0; m--) {
              sub.leb();
              sub.skip(sub.leb());
            }
          }
        }
        const delta = editDelta(inner);
        if (delta !== 0) edits.push({ at: sizeAt, end: c.at, bytes: leb(size + delta) });
        edits.push(...inner);
      }
      c.skip(size);
    }
  } catch {
    return;
  }
  w.section(0, (w) => writeEdited(w, bytes, s.at, s.end, edits));
}

/** Whether code may use the instruction 0xFC `op` (data.drop 9, elem.drop 13); may say yes for an immediate that looks like one. */
function mayUse(bytes: Uint8Array, code: Span | undefined, op: number): boolean {
  if (!code) return false;
  for (let at = bytes.indexOf(0xfc, code.at); at >= 0 && at < code.end; at = bytes.indexOf(0xfc, at + 1)) {
    const c = new Cursor(bytes, at + 1, Math.min(code.end, at + 6));
    try {
      if (c.leb() === op) return true;
    } catch {
      // A 0xFC at the very end of the code is no instruction.
    }
  }
  return false;
}

/** Whether an element section has a passive segment (elem.drop can only change those: active ones are dropped at instantiation). */
function hasPassiveElements(c: Cursor | undefined): boolean {
  if (!c) return false;
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

/** A reset plan and the exports it needs added (`count` entries, encoded in `exports`). */
interface StatePlan {
  reset: ResetPlan | null;
  exports: number[];
  count: number;
}

/**
 * Works out what must be reset and which exports that needs; reset null when the module cannot
 * be reset from outside (then nothing is exported for it).
 */
function resetPlan(bytes: Uint8Array, find: (id: number) => Span | undefined, minimumPages: number, imported: ImportCounts | undefined, plan: CodePlan | null): StatePlan | null {
  if (find(8) || !imported) return null;
  const cursor = (s: Span | undefined) => s && new Cursor(bytes, s.at, s.end);
  try {
    const data = dataSegments(cursor(find(11)), minimumPages * 65536);
    const code = find(10);
    if (data.passive && (plan?.code ? plan.code.dataDrop : mayUse(bytes, code, 0x09))) return null;
    if (hasPassiveElements(cursor(find(9))) && (plan?.code ? plan.code.elemDrop : mayUse(bytes, code, 0x0d))) return null;
    const exports: number[] = [];
    const globals: string[] = [];
    const tables: string[] = [];
    const exportGlobal = (index: number) => {
      const name = `${STATE_EXPORT}global:${index}`;
      globals.push(name);
      exports.push(...nameBytes(name), 0x03, ...leb(index));
    };
    const globalSection = cursor(find(6));
    if (globalSection) {
      for (let n = globalSection.leb(), i = 0; i < n; i++) {
        const type = valueType(globalSection);
        const mutable = globalSection.byte() === 1;
        constExpr(globalSection);
        if (!mutable) continue;
        if (!JS_VALUE_TYPES.has(type)) return null;
        exportGlobal(imported.globals + i);
      }
    }
    if (plan?.preempt) exportGlobal(plan.budgetGlobal);
    const tableSection = cursor(find(4));
    if (tableSection) {
      for (let n = tableSection.leb(), i = 0; i < n; i++) {
        const initialized = tableSection.peek() === 0x40;
        if (initialized) tableSection.skip(2);
        const type = valueType(tableSection);
        limits(tableSection);
        if (initialized) constExpr(tableSection);
        if (!JS_REF_TYPES.has(type)) return null;
        const name = `${STATE_EXPORT}table:${imported.tables + i}`;
        tables.push(name);
        exports.push(...nameBytes(name), 0x01, ...leb(imported.tables + i));
      }
    }
    const exportSection = cursor(find(7));
    if (exportSection) {
      for (let n = exportSection.leb(); n > 0; n--) {
        if (exportSection.name().startsWith(STATE_EXPORT)) return null;
        exportSection.byte();
        exportSection.leb();
      }
    }
    return { reset: { globals, tables, imageBytes: data.imageBytes }, exports, count: globals.length + tables.length };
  } catch {
    return null;
  }
}

/**
 * What the data segments write at instantiation: the end of the highest active one at a constant
 * offset (all of memory when one's offset is not constant); and whether any is passive.
 */
function dataSegments(c: Cursor | undefined, memoryBytes: number): { imageBytes: number; passive: boolean } {
  const found = { imageBytes: 0, passive: false };
  if (!c) return found;
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

/** A writer that only counts what would be written (the first pass of the code, for its branch hints). */
class LengthCounter extends ByteWriter {
  constructor() {
    super(0);
  }

  override byte(): void {
    this.length++;
  }

  override leb(value: number): void {
    do {
      value = Math.floor(value / 128);
      this.length++;
    } while (value !== 0);
  }

  override bytes(values: ArrayLike<number>): void {
    this.length += values.length;
  }

  override copy(_source: Uint8Array, from: number, to: number): void {
    this.length += Math.max(0, to - from);
  }
}

/** The name of the branch-hinting proposal's custom section. */
const BRANCH_HINT_SECTION = "metadata.code.branch_hint";

/** Writes the branch hints section's contents: each branch in `hints` hinted not taken, function indices from `firstFunc`. */
function branchHintSection(hints: BranchHints, firstFunc: number): (w: ByteWriter) => void {
  return (w) => {
    w.bytes(nameBytes(BRANCH_HINT_SECTION));
    w.leb(hints.size);
    for (const [f, offsets] of hints) {
      w.leb(firstFunc + f);
      w.leb(offsets.length);
      for (const at of offsets) {
        w.leb(at);
        w.byte(1); // the hint's size
        w.byte(0); // not taken
      }
    }
  };
}
