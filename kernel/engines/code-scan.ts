// The code section's part of the load-time rewrite: a decoder that walks every instruction once,
// and the preemption checks it adds at function entries and loop headers (see preempt.ts).
import { Errno, SysError } from "../errno.js";
import { ByteWriter, leb } from "./wasm-binary.js";

/** What follows an opcode, by opcode (one table lookup per instruction on the hot path). */
const enum Imm {
  None, Leb, TwoLeb, Block, Loop, Return, Else, Grow, MemArg, Func, CallRef, Br, BrTable, End, Bytes4, Bytes8, SelectTypes, TryTable, LegacyTry, PrefixGC, PrefixMisc, PrefixSimd, PrefixAtomic, Unknown,
}

/**
 * The immediate kind of every one-byte opcode: made by each scan, not when this file loads (a CLI
 * module run without --time-limit or --memory never scans code, and its start would pay for it).
 */
function immediateKinds(): Uint8Array {
  const t = new Uint8Array(256).fill(Imm.Unknown);
  const set = (kind: Imm, ...ops: number[]) => ops.forEach((op) => (t[op] = kind));
  const range = (kind: Imm, from: number, to: number) => t.fill(kind, from, to + 1);
  set(Imm.None, 0x00, 0x01, 0x0a, 0x19, 0x1a, 0x1b, 0xd1, 0xd3, 0xd4);
  set(Imm.Block, 0x02, 0x04);
  set(Imm.Return, 0x0f);
  set(Imm.Else, 0x05);
  set(Imm.Loop, 0x03);
  set(Imm.LegacyTry, 0x06);
  set(Imm.End, 0x0b);
  set(Imm.Leb, 0x07, 0x08, 0x09, 0x18, 0x3f, 0x41, 0x42, 0xd0);
  set(Imm.Br, 0x0c, 0x0d, 0xd5, 0xd6);
  set(Imm.Grow, 0x40);
  range(Imm.Leb, 0x20, 0x26);
  set(Imm.TwoLeb, 0x11, 0x13);
  set(Imm.Func, 0x10, 0x12, 0xd2);
  set(Imm.CallRef, 0x14, 0x15);
  set(Imm.BrTable, 0x0e);
  set(Imm.SelectTypes, 0x1c);
  set(Imm.TryTable, 0x1f);
  range(Imm.MemArg, 0x28, 0x3e);
  set(Imm.Bytes4, 0x43);
  set(Imm.Bytes8, 0x44);
  range(Imm.None, 0x45, 0xc4);
  set(Imm.PrefixGC, 0xfb);
  set(Imm.PrefixMisc, 0xfc);
  set(Imm.PrefixSimd, 0xfd);
  set(Imm.PrefixAtomic, 0xfe);
  return t;
}

/** LEB immediates after 0xFB (GC) sub-opcodes 0-30; br_on_cast's flags byte counts as one. */
const GC_LEBS = [1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 2, 1, 1, 1, 1, 0, 1, 2, 2, 2, 1, 1, 1, 1, 4, 4, 0, 0, 0, 0, 0] as const;
/** LEB immediates after 0xFC sub-opcodes 0-17 (saturating truncations, bulk memory and tables). */
const MISC_LEBS = [0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 2, 1, 2, 1, 2, 1, 1, 1] as const;
const DATA_DROP = 9;
/** The 0xFB sub-opcodes whose second immediate is a branch label. */
const BR_ON_CAST = 24;
const BR_ON_CAST_FAIL = 25;
const ELEM_DROP = 13;
/** The last 0xFD sub-opcode known (relaxed SIMD ends at 0x113). */
const SIMD_LAST = 0x113;

/** Where a LEB128 that starts at `at` ends. */
function lebEnd(b: Uint8Array, at: number): number {
  while (b[at++]! & 0x80);
  return at;
}

/** The value of the unsigned LEB128 at `at`. */
function lebValue(b: Uint8Array, at: number): number {
  let result = 0;
  let scale = 1;
  for (;;) {
    const byte = b[at++]!;
    result += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return result;
    scale *= 128;
  }
}

/** How many bytes the unsigned LEB128 encoding of `value` takes. */
function lebLength(value: number): number {
  let n = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** Where a value type (a typed reference takes a heap type after it) that starts at `at` ends. */
function valTypeEnd(b: Uint8Array, at: number): number {
  const code = b[at]!;
  return code === 0x63 || code === 0x64 ? lebEnd(b, at + 1) : lebEnd(b, at);
}

/** Where a memory argument (alignment, a memory index when flagged, offset) ends. */
function memArgEnd(b: Uint8Array, at: number): number {
  const align = lebValue(b, at);
  at = lebEnd(b, at);
  if (align & 0x40) at = lebEnd(b, at);
  return lebEnd(b, at);
}

/** Loop iterations counted in a function's own local between two spends of the global budget. */
const LOOP_BATCH = 1024;

/**
 * The code section decoded: per function (FUNC_FIELDS numbers each: body at, body end, end of
 * its edits, size change, index of its counter local, index of its entry edit, index in `raw` of
 * the extra local declarations of a function with outlined loops or -1) and the edits (3 numbers
 * each: at, bytes replaced, what to write: a LEB value when >= 0, one of the Insert kinds, or
 * raw bytes at or below RAW); the loops outlined into functions of their own, after the module's.
 */
export interface CodeScan {
  bodiesAt: number;
  funcs: number[];
  edits: number[];
  /** Bytes that edits at or below RAW write: span k = RAW - value is raw[rawSpans[3k], rawSpans[3k + 1]), with a check's branch at rawSpans[3k + 2] in it (-1: none). */
  raw: Uint8Array;
  rawSpans: number[];
  outlined: OutlinedLoop[];
  /** The function types the outlined loops and their blocks need, each encoded (0x60 ...). */
  newTypes: number[][];
  /** Whether some function uses data.drop / elem.drop. */
  dataDrop: boolean;
  elemDrop: boolean;
}

/** Numbers per function in CodeScan.funcs. */
const FUNC_FIELDS = 7;

/** An edit value at or below this writes raw bytes (see CodeScan). */
const RAW = -100;

/** What an edit inserts (negative, to tell it from a LEB value). */
const enum Insert {
  /** Nothing (a function with neither loops nor calls). */
  Nothing = -1,
  /** The global check alone (a function with calls but no loop). */
  EntryCheck = -2,
  /** The counter local's declaration and first value (a function with loops but no call). */
  Counter = -3,
  /** Both. */
  CounterAndCheck = -4,
  /** The loop-header check on the counter local. */
  LoopCheck = -5,
  /** The call that replaces a memory.grow. */
  GrowCall = -6,
  /** Before a wrapped loop's opcode: the three blocks around it (see wrapOpen). */
  WrapOpen = -7,
  /** A wrapped loop's header check: leaves the loop when the counter runs out. */
  WrapCheck = -8,
  /** After a wrapped loop's end: spends the budget, calls the preemption point, re-enters the loop. */
  WrapClose = -9,
}

/** The labels a wrapped loop adds around it (a block to leave by, a loop to re-enter by, a block to yield by). */
const WRAP_LABELS = 3;

/** A function type's parameter and result value types (one-byte codes, -1 for a typed reference); both empty for other types. */
export interface FuncShape {
  params: number[];
  results: number[];
}

/**
 * A loop outlined into a function of its own (on-stack replacement by hand: see scanCode). It
 * takes every local of its function as parameters and gives back the function's results (when a
 * `return` left it), every local, and how it ended (one of the Exit codes, or EXIT_TARGETS + i for
 * a branch to `targets[i]`).
 */
export interface OutlinedLoop {
  /** Its function (a defined-function index), and the loop's opcode and the end of its `end`. */
  func: number;
  at: number;
  end: number;
  /** Its label's index in its function's stack of open labels (0: the outermost block). */
  label: number;
  /** The labels outside it that its branches go to (indices as `label`), in order of first branch. */
  targets: number[];
  /**
   * The function's locals it touches (indices, increasing); the outlined function's parameters:
   * the function's locals up to the last it touches, under their own indices (its code is copied
   * as it is); those it writes and whose value may be read after it (or on entering it again): the
   * outlined function gives them back. A local it always writes before reading, and that nothing
   * reads after it, is not given back (a temporary: not carried around the loop, it keeps the
   * loop's registers free).
   */
  touched: number[];
  params: number[];
  written: number[];
  /** While its function is walked: for each local it writes, whether it may read it first, and its reads inside it. */
  writes: number[];
  writesExposed: boolean[];
  writesReadInside: number[];
  /** The depths, from just outside its wrap in its function, of its targets (for the call that replaces or follows it there). */
  outsideDepths: number[];
  results: number[];
  type: number;
  /** The block type of the block its `return`s leave by (the function's results). */
  returnBlock: number[];
  /** Its index among the outlined loops (its function's index is the module's function count plus this). */
  index: number;
  /** Its function's first bytes (locals, blocks) and last (exits), around its code: raw[prologueAt, epilogueAt) and raw[epilogueAt, epilogueEnd). */
  prologueAt: number;
  epilogueAt: number;
  epilogueEnd: number;
  /** Its edits (edits[editsFrom, editsTo)) and its body's size. */
  editsFrom: number;
  editsTo: number;
  size: number;
}

/** How a loop uses a local (Candidate.uses): bits. */
const TOUCHED = 1;
const EXPOSED = 2;
const WRITTEN = 4;

/** Pieces of the code that calls an outlined loop (see closeOutlined and callOutlined). */
const CLOSE_HEAD: readonly number[] = [0x0c, 0x02, 0x0b, 0x03, 0x40, 0x41, ...sleb32(LOOP_BATCH - 1), 0x21]; // br leave; end yield; loop; counter = LOOP_BATCH - 1
const SLICE_AGAIN: readonly number[] = [0x41, 1, 0x46, 0x0d, 0x00, 0x0b]; // br_if again (exit code == EXIT_SLICE); end
const IF_SLICE: readonly number[] = [0x41, 1, 0x46, 0x04, 0x40]; // if (exit code == EXIT_SLICE)
const AGAIN_END: readonly number[] = [0x0c, 0x00, 0x0b, 0x0b]; // br again; end again; end leave
const BLOCK: readonly number[] = [0x02, 0x40];
const LOOP: readonly number[] = [0x03, 0x40];

/** The shape of a function whose type is not a function type (a malformed module, refused by V8 later). */
const NO_SHAPE: FuncShape = { params: [], results: [] };

/** How an outlined loop ended. */
const EXIT_DONE = 0;
const EXIT_SLICE = 1;
const EXIT_RETURN = 2;
const EXIT_TARGETS = 3;

/** A loop up to this size is kept where it is (and copied into the outlined loops around it); a larger one is only called. */
const INLINE_NESTED_BYTES = 256;

/** A function with more locals than this keeps its loops inline. */
const OUTLINE_MAX_LOCALS = 200;

/** Value types that have a default value and pass through a call as they are: numbers and vectors. */
function defaultable(type: number): boolean {
  return type >= 0x7b && type <= 0x7f;
}

/** Bytes to insert and where in them the branches the check adds are (for branch hints). */
export interface Inserted {
  bytes: Uint8Array;
  branches: number[];
}

/** The checks for one module: the global budget's index, the refill function's, and the entry check's bytes. */
export interface Checks {
  budget: number;
  refill: number;
  entry: Inserted;
  /** The length of a loop check, of the counter's initialization and of a wrapped loop's check and close, by the length of the counter's index LEB (1-5). */
  loopLength: number[];
  counterLength: number[];
  wrapCheckLength: number[];
  wrapCloseLength: number[];
}

/** The checks the rewrite adds, for budget global `budget` and refill function `refill`. */
export function checksFor(budget: number, refill: number): Checks {
  const checks: Checks = { budget, refill, entry: inserted(spendBudget(budget, refill, 1)), loopLength: [0], counterLength: [0], wrapCheckLength: [0], wrapCloseLength: [0] };
  for (let digits = 1, index = 0; digits <= 5; digits++, index = 128 ** (digits - 1)) {
    checks.loopLength.push(inserted(loopCheck(index, checks)).bytes.length);
    checks.counterLength.push(counterInit(index).length);
    checks.wrapCheckLength.push(inserted(wrapCheck(index)).bytes.length);
    checks.wrapCloseLength.push(inserted(wrapClose(index, checks)).bytes.length);
  }
  return checks;
}

/** What the rewrite changes in the code. */
export interface CodeEdits {
  /** The preemption checks to add; null for none. */
  checks: Checks | null;
  /** How many function imports the rewrite adds: function indices of the module's own functions move up by this. */
  shiftBy: number;
  /** What replaces each memory.grow (a call of the kernel's grow import, see module-rewrite.ts); null to keep it. */
  growCall: Uint8Array | null;
  /** Whether loops with checks are outlined too (see scanCode). */
  outline: boolean;
}

/** A loop that may be outlined, while the walk is inside it. */
interface Candidate {
  loop: OutlinedLoop;
  /** Per local of the function: TOUCHED, EXPOSED (a read not after a write in the loop), WRITTEN; and its reads in the loop. */
  uses: Uint8Array;
  reads: Int32Array;
  /** False once a branch leaves it with values (or it holds a tail call): it stays inline. */
  ok: boolean;
  /** The edits and size change planned before it (a large loop's are dropped: a call replaces it). */
  editsAt: number;
  deltaAt: number;
  pendingAt: number;
}

/**
 * Walks every instruction of the code section `bytes[from, to)`, planning the edits: the checks
 * (at each function entry that may lead to a call, and each loop header), the shift
 * of each function index at or past `firstShifted` (function imports are added before them) and
 * the replacement of memory.grow. `shapes[t]`: type t's parameters and results; `funcTypes[i]`:
 * the type of defined function i. Throws on an instruction it does not know (the module is then
 * not instrumented).
 *
 * Each loop with checks is wrapped (see wrapCheck) so that the call of the preemption point sits
 * outside it: a loop without a call keeps its values in registers and can be unrolled. Branches
 * from inside a wrapped loop to a label outside it cross the three labels the wrap adds, so their
 * depths grow by three per wrap crossed. A function whose code the wrap cannot describe (a loop
 * with parameters, the legacy exception instructions) keeps each loop's call inside the loop.
 *
 * Each wrapped loop is also outlined: copied into a function of its own (types from
 * `firstNewType` on), which the loop calls from where its counter runs out, to run on from its
 * header (see closeOutlined). Wasm has no on-stack replacement: a long first call (a program's
 * main loop) runs V8's baseline code to its end, two to three times slower than the optimizing
 * tier's. The outlined copy returns every LOOP_BATCH iterations and is called again, by then in
 * the optimizing tier's code. A loop stays inline where a branch leaves it with values, it lies inside a
 * try_table (an exception would leave the locals the copy changed behind), it holds
 * a tail call, its function has more than OUTLINE_MAX_LOCALS locals or a local or result of a
 * reference type.
 *
 * A function that makes calls spends the budget at entry only where it must (see CallGraph):
 * `addressTaken` lists the functions that element segments and globals can hand to call_indirect.
 */
export function scanCode(
  bytes: Uint8Array, from: number, to: number, firstShifted: number, shapes: readonly FuncShape[], funcTypes: readonly number[], addressTaken: Iterable<number>, plan: CodeEdits, firstNewType: number,
): CodeScan {
  const { checks, shiftBy, growCall } = plan;
  const b = bytes;
  const immediates = immediateKinds();
  const funcs: number[] = [];
  const edits: number[] = [];
  // The bytes raw edits write, one after the other (see CodeScan).
  const raw = new ByteWriter(1 << 16);
  const rawSpans: number[] = [];
  const outlined: OutlinedLoop[] = [];
  const newTypes: number[][] = [];
  const typeIndices = new Map<string, number>();
  const typeFor = (entry: number[]): number => {
    const key = entry.join(",");
    let index = typeIndices.get(key);
    if (index === undefined) {
      index = firstNewType + newTypes.length;
      newTypes.push(entry);
      typeIndices.set(key, index);
    }
    return index;
  };
  let dataDrop = false;
  let elemDrop = false;
  const count = lebValue(b, from);
  if (count !== funcTypes.length) throw new SysError(Errno.NOEXEC, "function and code sections disagree");
  const firstOutlined = firstShifted + shiftBy + count;
  let at = lebEnd(b, from);
  const bodiesAt = at;
  // Per open candidate (by depth), its uses of each local and its reads.
  const usesByDepth: Uint8Array[] = [];
  const readsByDepth: Int32Array[] = [];
  // Per local of the function walked (while its loops may be outlined): its reads, and where it
  // was last written (the count of open labels then, and that innermost label's generation: the
  // write covers later reads while that label is open and the same instance, see labelGens).
  const functionReads = new Int32Array(OUTLINE_MAX_LOCALS);
  const writtenHeight = new Int32Array(OUTLINE_MAX_LOCALS);
  const writtenGen = new Int32Array(OUTLINE_MAX_LOCALS);
  /** Per open label: a number that a new label (or an if's else) never reuses. */
  const labelGens: number[] = [];
  let generations = 0;
  /** The function's outlined loops whose calls wait for its walk's end: loop, raw span, whether it replaces the loop (1) or follows it (0), where. */
  const pendingCalls: (OutlinedLoop | number)[] = [];
  const spend = checks ? inserted(spendBudget(checks.budget, checks.refill, LOOP_BATCH)) : null;
  // The open labels of the code being walked: for each, how many wrapped loops it and the labels
  // around it are (a branch crosses the difference between its own label's and its target's), how
  // many values a branch to it carries, and the outlined loop it is (null for none).
  const wrapsAround: number[] = [];
  const arities: number[] = [];
  const labelLoops: (OutlinedLoop | null)[] = [];
  /** Per open label: how many try_tables it and the labels around it are. */
  const triesAround: number[] = [];
  const graph = new CallGraph(count);
  const shapeOf = (typeAt: number): FuncShape | undefined => shapes[blockTypeIndex(b, typeAt)];
  /** How many values a branch to a block, if or try_table (loop: false) or a loop typed at `typeAt` carries. */
  const arity = (typeAt: number, loop: boolean): number => {
    const code = b[typeAt]!;
    if (code === 0x40) return 0;
    const shape = shapeOf(typeAt);
    return shape ? (loop ? shape.params : shape.results).length : 1;
  };
  // The function being walked: its index, type, body, locals (their types while its loops may be
  // outlined: they take those they use), counter local, edits planned, and how the walk stands.
  let f = 0;
  let shape: FuncShape = NO_SHAPE;
  let bodyAt = 0;
  let end = 0;
  let declarations = 0;
  let declarationsEnd = 0;
  let counter = 0;
  let outlinable = false;
  /** Whether the walk notes the function's local reads and writes: from its first loop that may be outlined on (what runs before it never runs after it). */
  let tracking = false;
  let codeAt = 0;
  let wrap = false;
  let loopCheckLength = 0;
  let wrapLength = 0;
  let entryEdit = 0;
  let loops = 0;
  let calls = false;
  let delta = 0;
  /** The outlined loop being walked as a function of its own; null while walking the function itself. */
  let inside: OutlinedLoop | null = null;
  /** The open loops that may be outlined, outermost first (while walking the function itself). */
  const candidates: Candidate[] = [];
  /** Plans an edit that replaces `replaced` bytes at `at` with raw[start, raw.length) (a check's branch at `branch` in them, or -1). */
  const rawEdit = (at: number, replaced: number, start: number, branch: number) => {
    rawSpans.push(start, raw.length, branch);
    edits.push(at, replaced, RAW - (rawSpans.length / 3 - 1));
    delta += raw.length - start - replaced;
  };
  const plain = (at: number, replaced: number, bytes: readonly number[]) => {
    const start = raw.length;
    raw.bytes(bytes);
    rawEdit(at, replaced, start, -1);
  };
  /** Notes a branch to label `target` (-1: the function's own) from inside the open candidates. */
  const note = (target: number) => {
    for (const c of candidates) {
      if (target < 0 || c.loop.label <= target) continue;
      if (arities[target] !== 0) c.ok = false;
      else if (!c.loop.targets.includes(target)) c.loop.targets.push(target);
    }
  };
  /** The depth of label `target` (-1: in an outlined loop, the block its returns leave by) from just outside the wrap of the loop whose label is `label`. */
  const depthOutside = (target: number, label: number): number => {
    const around = label > 0 ? wrapsAround[label - 1]! : 0;
    if (inside === null || target >= inside.label) return label - 1 - target + WRAP_LABELS * (around - (target >= 0 ? wrapsAround[target]! : 0));
    const toOutlined = label - 1 - inside.label + WRAP_LABELS * (around - wrapsAround[inside.label]!);
    return target < 0 ? toOutlined + 4 : toOutlined + 5 + targetIndex(inside, target);
  };
  /**
   * What follows the end of a wrapped loop that is outlined, in place of wrapClose: reset the
   * counter, spend the budget and call the outlined loop, again while it ends for its slice;
   * then set the locals it gives back and go where it ended (past the loop, a return, a branch).
   */
  const closeOutlined = (loop: OutlinedLoop, depths: readonly number[], returnDepth: number, at: number, span = -1) => {
    const s = raw;
    const start = s.length;
    s.bytes(CLOSE_HEAD);
    const base = inside === null ? counter : inside.params.length;
    s.leb(base);
    const branch = s.length - start + spend!.branches[0]!;
    s.bytes(spend!.bytes);
    callAndSet(loop, base);
    s.bytes(SLICE_AGAIN);
    // From inside the dispatch block: 0 is that block, 1 the wrap's again loop, 2 its leave block.
    dispatch(loop, depths, returnDepth, base, 2);
    s.bytes(AGAIN_END);
    if (span < 0) rawEdit(at, 0, start, branch);
    else fillSpan(span, start, branch);
  };
  /** Sets raw span `span` (planned empty) to raw[start, raw.length); its size joins the function's. */
  const fillSpan = (span: number, start: number, branch: number) => {
    rawSpans[3 * span] = start;
    rawSpans[3 * span + 1] = raw.length;
    rawSpans[3 * span + 2] = branch;
    delta += raw.length - start;
  };
  /**
   * Writes where a call of `loop`'s outlined function goes by its exit code (in the local after
   * `base`): a block whose br_table takes a finished loop to label `done` (from inside the block),
   * a branch to its target, a return to after the block, which pushes the return values and
   * returns (returnDepth < 0) or leaves for the block at `returnDepth` outside the loop.
   */
  const dispatch = (loop: OutlinedLoop, depths: readonly number[], returnDepth: number, base: number, done: number) => {
    const s = raw;
    s.bytes(BLOCK);
    s.byte(0x20);
    s.leb(base + 1);
    s.byte(0x0e);
    s.leb(EXIT_TARGETS + loop.targets.length);
    s.bytes([done, done, 0]);
    for (const d of depths) s.leb(done + 1 + d);
    s.bytes([done, 0x0b]);
    for (let i = 0; i < loop.results.length; i++) {
      s.byte(0x20);
      s.leb(base + 2 + i);
    }
    if (returnDepth < 0) s.byte(0x0f);
    else {
      s.byte(0x0c);
      s.leb(done + returnDepth);
    }
  };
  /**
   * Writes the call of `loop`'s outlined function into `scratch` (from code whose counter local
   * is `base`): the locals it uses, the call, then its exit code, the locals it wrote and its
   * return values into their locals, and the exit code back on the stack.
   */
  const callAndSet = (loop: OutlinedLoop, base: number) => {
    const s = raw;
    for (const i of loop.params) {
      s.byte(0x20);
      s.leb(i);
    }
    s.byte(0x10);
    s.leb(firstOutlined + loop.index);
    s.byte(0x21);
    s.leb(base + 1);
    for (let k = loop.written.length - 1; k >= 0; k--) {
      const i = loop.written[k]!;
      s.byte(0x21);
      s.leb(i);
    }
    for (let i = loop.results.length - 1; i >= 0; i--) {
      s.byte(0x21);
      s.leb(base + 2 + i);
    }
    s.byte(0x20);
    s.leb(base + 1);
  };
  /**
   * In place of a large loop: call its outlined function (again while it ends for its slice,
   * spending the budget), then go where it ended.
   */
  const callOutlined = (loop: OutlinedLoop, depths: readonly number[], returnDepth: number, span = -1) => {
    const s = raw;
    const start = s.length;
    const base = inside === null ? counter : inside.params.length;
    s.bytes(LOOP);
    callAndSet(loop, base);
    s.bytes(IF_SLICE);
    const branch = s.length - start + spend!.branches[0]!;
    s.bytes(spend!.bytes);
    s.bytes([0x0c, 0x01, 0x0b, 0x0b]);
    // From inside the dispatch block: 0 is that block, 1 the block past it (the loop is done).
    s.bytes(BLOCK);
    dispatch(loop, depths, returnDepth, base, 1);
    s.byte(0x0b);
    if (span < 0) rawEdit(loop.at, loop.end - loop.at, start, branch);
    else fillSpan(span, start, branch);
  };
  /** The depths of `loop`'s targets from just outside its wrap, in the code walked now. */
  const targetDepths = (loop: OutlinedLoop) => loop.targets.map((t) => depthOutside(t, loop.label));
  /** Plans the new depth of the branch label at `at` (when wraps lie between it and its target); returns where the label ends. */
  const relabel = (at: number): number => {
    const next = lebEnd(b, at);
    const open = wrapsAround.length;
    if (inside !== null) {
      const depth = lebValue(b, at);
      const target = open - 1 - depth;
      let moved: number;
      if (target >= inside.label) {
        const crossed = wrapsAround[open - 1]! - wrapsAround[target]!;
        if (crossed === 0) return next;
        moved = depth + WRAP_LABELS * crossed;
      } else {
        // Out of the outlined loop: to the block that ends it that way.
        const toOutlined = open - 1 - inside.label + WRAP_LABELS * (wrapsAround[open - 1]! - wrapsAround[inside.label]!);
        moved = target < 0 ? toOutlined + 4 : toOutlined + 5 + targetIndex(inside, target);
      }
      edits.push(at, next - at, moved);
      delta += lebLength(moved) - (next - at);
      return next;
    }
    if (candidates.length > 0) note(open - 1 - lebValue(b, at));
    if (open === 0 || wrapsAround[open - 1] === 0) return next;
    const depth = lebValue(b, at);
    const target = open - 1 - depth;
    const crossed = wrapsAround[open - 1]! - (target >= 0 ? wrapsAround[target]! : 0);
    if (crossed > 0 && target >= -1) {
      const moved = depth + WRAP_LABELS * crossed;
      edits.push(at, next - at, moved);
      delta += lebLength(moved) - (next - at);
    }
    return next;
  };
  /** A local.get, set or tee's index at `at`, noted for the open candidates; returns where it ends. */
  const local = (at: number, op: number): number => {
    const next = lebEnd(b, at);
    const index = lebValue(b, at);
    if (tracking) {
      const open = wrapsAround.length;
      if (op === 0x20) {
        functionReads[index]++;
        // A read after a write in the same open block (or one around it) cannot see the value on entry.
        const height = writtenHeight[index]!;
        const covered = height > 0 && height <= open && labelGens[height - 1] === writtenGen[index];
        for (const c of candidates) {
          c.reads[index]++;
          c.uses[index]! |= covered && height > c.loop.label ? TOUCHED : TOUCHED | EXPOSED;
        }
      } else {
        writtenHeight[index] = open;
        writtenGen[index] = open > 0 ? labelGens[open - 1]! : 0;
        for (const c of candidates) c.uses[index]! |= TOUCHED | WRITTEN;
      }
    }
    return next;
  };
  const enter = (wrapped: boolean, branchArity: number, loop: OutlinedLoop | null, isTry = false) => {
    const open = wrapsAround.length;
    wrapsAround.push((open > 0 ? wrapsAround[open - 1]! : 0) + (wrapped ? 1 : 0));
    triesAround.push((open > 0 ? triesAround[open - 1]! : 0) + (isTry ? 1 : 0));
    arities.push(branchArity);
    labelLoops.push(loop);
    labelGens.push(++generations);
  };
  /** The outlined loops of this function by where their opcode is (for walking one inside another). */
  const outlinedAtOpcode = new Map<number, OutlinedLoop>();
  /**
   * Plans the edits of the function's body, or (inside set) of the loop `inside` as a function of
   * its own. False when a loop there cannot be wrapped (the function is then planned again with
   * each loop's call inside the loop).
   */
  const walk = (): boolean => {
    const own = inside === null;
    wrapsAround.length = 0;
    arities.length = 0;
    labelLoops.length = 0;
    triesAround.length = 0;
    labelGens.length = 0;
    delta = 0;
    let stop = end;
    if (inside !== null) {
      // The labels outside the loop are only counted: branches to them leave the outlined function.
      for (let i = 0; i < inside.label; i++) enter(false, 0, null);
      at = inside.at;
      stop = inside.end;
      loopCheckLength = checks!.wrapCheckLength[lebLength(inside.params.length)]!;
      wrapLength = checks!.wrapCloseLength[lebLength(inside.params.length)]!;
    } else {
      at = codeAt;
      loops = 0;
      calls = false;
      graph.restart(f);
      candidates.length = 0;
      pendingCalls.length = 0;
      tracking = false;
      loopCheckLength = !checks ? 0 : wrap ? checks.wrapCheckLength[lebLength(counter)]! : checks.loopLength[lebLength(counter)]!;
      wrapLength = checks && wrap ? checks.wrapCloseLength[lebLength(counter)]! : 0;
      // The declarations' count grows when the counter local is added (decided at the end).
      edits.push(bodyAt, declarationsEnd - bodyAt, declarations + 1);
      entryEdit = edits.length;
      edits.push(at, 0, Insert.Nothing);
    }
    while (at < stop) {
      const kind = immediates[b[at++]!]!;
      // The common cases first, without a call: no immediate, or one LEB of one byte.
      if (kind === Imm.None) continue;
      if (kind === Imm.Leb) {
        const op = b[at - 1]!;
        if (op <= 0x22 && op >= 0x20 && tracking) {
          at = local(at, op);
          continue;
        }
        if (b[at]! < 0x80) at++;
        else at = lebEnd(b, at);
        continue;
      }
      switch (kind) {
        case Imm.Br:
          at = wrap ? relabel(at) : lebEnd(b, at);
          break;
        case Imm.Else:
          // A write in the then arm does not cover a read in the else arm.
          if (wrap && wrapsAround.length > 0) labelGens[wrapsAround.length - 1] = ++generations;
          break;
        case Imm.Return:
          if (inside !== null) {
            const open = wrapsAround.length;
            const toOutlined = open - 1 - inside.label + WRAP_LABELS * (wrapsAround[open - 1]! - wrapsAround[inside.label]!);
            plain(at - 1, 1, [0x0c, ...leb(toOutlined + 4)]);
          }
          break;
        case Imm.End: {
          if (!wrap) break;
          const open = wrapsAround.length;
          if (open === 0) break; // the function's own end
          const wrapped = wrapsAround[open - 1]! > (open > 1 ? wrapsAround[open - 2]! : 0);
          const loop = labelLoops[open - 1] ?? null;
          wrapsAround.pop();
          arities.pop();
          labelLoops.pop();
          triesAround.pop();
          labelGens.pop();
          if (!wrapped) break;
          if (loop !== null && loop === inside) {
            // The outlined loop's own slice is used up: back to its caller, which calls it again.
            plain(at, 0, [0x0c, 0x02, 0x0b, 0x41, EXIT_SLICE, 0x21, ...leb(loop.params.length + 1), 0x0c, ...leb(loop.targets.length + 3), 0x0c, 0x00, 0x0b, 0x0b]);
            break;
          }
          let outline = loop;
          if (own && loop !== null) {
            loop.end = at;
            const candidate = candidates.pop()!;
            if (candidate.ok) {
              for (let i = 0; i < counter; i++) {
                const use = candidate.uses[i]!;
                if (use === 0) continue;
                loop.touched.push(i);
                if (use & EXPOSED) loop.params.push(i);
                if (use & WRITTEN) {
                  loop.writes.push(i);
                  loop.writesExposed.push((use & EXPOSED) !== 0);
                  loop.writesReadInside.push(candidate.reads[i]!);
                }
              }
              loop.index = outlined.length;
              outlined.push(loop);
              // The call is written once the function's reads are all known (see pendingCalls).
              loop.outsideDepths = targetDepths(loop);
              const large = loop.end - loop.at > INLINE_NESTED_BYTES;
              if (large) {
                // A large loop is only called: its code is not kept twice.
                edits.length = candidate.editsAt;
                delta = candidate.deltaAt;
                pendingCalls.length = candidate.pendingAt;
              }
              rawEdit(large ? loop.at : at, large ? loop.end - loop.at : 0, raw.length, -1);
              pendingCalls.push(loop, rawSpans.length / 3 - 1, large ? 1 : 0, at);
              break;
            } else outline = null;
          }
          if (outline) closeOutlined(outline, targetDepths(outline), depthOutside(-1, outline.label), at);
          else {
            edits.push(at, 0, Insert.WrapClose);
            delta += wrapLength;
          }
          break;
        }
        case Imm.MemArg:
          at = memArgEnd(b, at);
          break;
        case Imm.Block: {
          const typeAt = at;
          at = valTypeEnd(b, at);
          if (wrap) enter(false, arity(typeAt, false), null);
          break;
        }
        case Imm.Loop: {
          const typeAt = at;
          at = valTypeEnd(b, at);
          if (!checks) break;
          if (wrap && (shapeOf(typeAt)?.params.length ?? 0) > 0) return false;
          if (!own) {
            const nested = outlinedAtOpcode.get(typeAt - 1);
            if (nested && nested !== inside && nested.end - nested.at > INLINE_NESTED_BYTES) {
              callOutlined(nested, targetDepths(nested), depthOutside(-1, nested.label));
              at = nested.end;
              break;
            }
          }
          if (wrap) {
            const editsBefore = edits.length;
            const deltaBefore = delta;
            edits.push(typeAt - 1, 0, Insert.WrapOpen);
            delta += 2 * (at - typeAt + 1) + 2;
            let loop: OutlinedLoop | null = null;
            if (!own) loop = outlinedAtOpcode.get(typeAt - 1) ?? null;
            else if (outlinable && b[typeAt] === 0x40 && (wrapsAround.length === 0 || triesAround[wrapsAround.length - 1] === 0)) {
              if (!tracking) {
                tracking = true;
                functionReads.fill(0, 0, counter);
                writtenHeight.fill(0, 0, counter);
              }
              // (Not inside a try_table: an exception out of the outlined copy would leave the locals it changed behind.)
              const candidate: OutlinedLoop = { func: f, at: typeAt - 1, end: 0, label: wrapsAround.length, targets: [], touched: [], params: [], written: [], writes: [], writesExposed: [], writesReadInside: [], outsideDepths: [], results: shape.results, type: 0, returnBlock: [], index: 0, prologueAt: 0, epilogueAt: 0, epilogueEnd: 0, editsFrom: 0, editsTo: 0, size: 0 };
              const uses = (usesByDepth[candidates.length] ??= new Uint8Array(OUTLINE_MAX_LOCALS)).fill(0, 0, counter);
              const reads = (readsByDepth[candidates.length] ??= new Int32Array(OUTLINE_MAX_LOCALS)).fill(0, 0, counter);
              candidates.push({ loop: candidate, uses, reads, ok: true, editsAt: editsBefore, deltaAt: deltaBefore, pendingAt: pendingCalls.length });
              loop = candidate;
            }
            enter(true, 0, loop);
          }
          edits.push(at, 0, wrap ? Insert.WrapCheck : Insert.LoopCheck);
          delta += loopCheckLength;
          loops++;
          break;
        }
        case Imm.LegacyTry:
          // try ... catch/delegate: the wrap does not follow delegate's and rethrow's labels.
          if (wrap) return false;
          at = valTypeEnd(b, at);
          break;
        case Imm.Grow: {
          const next = lebEnd(b, at);
          if (growCall) {
            edits.push(at - 1, next - at + 1, Insert.GrowCall);
            delta += growCall.length - (next - at + 1);
          }
          at = next;
          break;
        }
        case Imm.Func: {
          const index = lebValue(b, at);
          if (own) {
            if (b[at - 1] !== 0xd2) {
              calls = true;
              if (index >= firstShifted) graph.call(index - firstShifted);
              if (b[at - 1] === 0x12) tailCall(candidates);
            } else if (index >= firstShifted) graph.addressTaken(index - firstShifted);
          }
          const next = lebEnd(b, at);
          if (index >= firstShifted && shiftBy > 0) {
            edits.push(at, next - at, index + shiftBy);
            delta += lebLength(index + shiftBy) - (next - at);
          }
          at = next;
          break;
        }
        case Imm.TwoLeb:
          if (own) {
            calls = true; // call_indirect, return_call_indirect
            graph.indirectCall();
            if (b[at - 1] === 0x13) tailCall(candidates);
          }
          at = lebEnd(b, lebEnd(b, at));
          break;
        case Imm.BrTable:
          for (let n = lebValue(b, at), i = (at = lebEnd(b, at), 0); i <= n; i++) at = relabel(at);
          break;
        case Imm.Bytes4:
          at += 4;
          break;
        case Imm.Bytes8:
          at += 8;
          break;
        case Imm.SelectTypes:
          for (let n = lebValue(b, at), i = (at = lebEnd(b, at), 0); i < n; i++) at = valTypeEnd(b, at);
          break;
        case Imm.TryTable: {
          const typeAt = at;
          at = valTypeEnd(b, at);
          // The catches' labels count from outside the try_table's own block.
          for (let n = lebValue(b, at), i = (at = lebEnd(b, at), 0); i < n; i++) {
            const kind = b[at++]!;
            if (kind < 2) at = lebEnd(b, at);
            at = relabel(at);
          }
          if (wrap) enter(false, arity(typeAt, false), null, true);
          break;
        }
        case Imm.PrefixMisc: {
          const sub = lebValue(b, at);
          at = lebEnd(b, at);
          if (sub >= MISC_LEBS.length) throw new SysError(Errno.NOEXEC, `unknown instruction 0xfc ${sub}`);
          if (sub === DATA_DROP) dataDrop = true;
          else if (sub === ELEM_DROP) elemDrop = true;
          for (let i = MISC_LEBS[sub]!; i > 0; i--) at = lebEnd(b, at);
          break;
        }
        case Imm.PrefixSimd: {
          const sub = lebValue(b, at);
          at = lebEnd(b, at);
          if (sub <= 11 || sub === 92 || sub === 93) at = memArgEnd(b, at);
          else if (sub === 12 || sub === 13) at += 16;
          else if (sub >= 21 && sub <= 34) at += 1;
          else if (sub >= 84 && sub <= 91) at = memArgEnd(b, at) + 1;
          else if (sub > SIMD_LAST) throw new SysError(Errno.NOEXEC, `unknown instruction 0xfd ${sub}`);
          break;
        }
        case Imm.PrefixAtomic: {
          const sub = lebValue(b, at);
          at = lebEnd(b, at);
          if (sub === 3) at += 1;
          else if (sub <= 2 || (sub >= 0x10 && sub <= 0x4e)) at = memArgEnd(b, at);
          else throw new SysError(Errno.NOEXEC, `unknown instruction 0xfe ${sub}`);
          break;
        }
        case Imm.PrefixGC: {
          const sub = lebValue(b, at);
          at = lebEnd(b, at);
          if (sub >= GC_LEBS.length) throw new SysError(Errno.NOEXEC, `unknown instruction 0xfb ${sub}`);
          if (sub === BR_ON_CAST || sub === BR_ON_CAST_FAIL) {
            at = relabel(at + 1); // after the flags byte: the label, then two heap types
            at = lebEnd(b, lebEnd(b, at));
          } else for (let i = GC_LEBS[sub]!; i > 0; i--) at = lebEnd(b, at);
          break;
        }
        case Imm.CallRef:
          if (own) {
            calls = true;
            graph.indirectCall();
            if (b[at - 1] === 0x15) tailCall(candidates);
          }
          at = lebEnd(b, at);
          break;
        default:
          throw new SysError(Errno.NOEXEC, `unknown instruction 0x${b[at - 1]!.toString(16)}`);
      }
    }
    if (at !== stop) throw new SysError(Errno.NOEXEC, "an instruction runs past its function body");
    return true;
  };
  for (f = 0; f < count; f++) {
    shape = shapes[funcTypes[f]!] ?? NO_SHAPE;
    const size = lebValue(b, at);
    at = lebEnd(b, at);
    bodyAt = at;
    end = at + size;
    if (end > to) throw new SysError(Errno.NOEXEC, "function body runs past the code section");
    declarations = lebValue(b, at);
    declarationsEnd = lebEnd(b, at);
    counter = shape.params.length;
    // Whether its loops may be outlined: every local and result has a default value and passes through a call.
    outlinable = checks !== null && plan.outline && shape.params.every(defaultable) && shape.results.every(defaultable);
    at = declarationsEnd;
    for (let i = 0; i < declarations; i++) {
      counter += lebValue(b, at);
      const typeAt = lebEnd(b, at);
      if (!defaultable(b[typeAt]!)) outlinable = false;
      at = valTypeEnd(b, typeAt);
    }
    if (counter > OUTLINE_MAX_LOCALS) outlinable = false;
    codeAt = at;
    const editsAt = edits.length;
    const rawAt = rawSpans.length;
    const outlinedAt = outlined.length;
    wrap = checks !== null;
    loopCheckLength = 0;
    wrapLength = 0;
    entryEdit = 0;
    loops = 0;
    calls = false;
    delta = 0;
    inside = null;
    outlinedAtOpcode.clear();
    if (!walk()) {
      // Re-planned from its first instruction, with each loop's call inside the loop.
      edits.length = editsAt;
      rawSpans.length = rawAt;
      outlined.length = outlinedAt;
      wrap = false;
      walk();
    }
    graph.ended(f, end - bodyAt, loops > 0, calls);
    if (outlined.length > outlinedAt) {
      // Now that every read of the function is known: what each outlined loop gives back, and the calls of them.
      for (let i = outlinedAt; i < outlined.length; i++) {
        const loop = outlined[i]!;
        loop.writes.forEach((local, j) => {
          if (loop.writesExposed[j] || functionReads[local]! > loop.writesReadInside[j]!) loop.written.push(local);
        });
        // It takes the function's locals up to the last it touches, under their own indices (its
        // code is copied as it is). One it may read before writing, or give back unwritten, needs
        // its value; the others come in dead, which costs nothing past the call.
        const last = loop.touched.length > 0 ? loop.touched[loop.touched.length - 1]! : -1;
        loop.params = Array.from({ length: last + 1 }, (_, i) => i);
      }
      for (let p = 0; p < pendingCalls.length; p += 4) {
        const loop = pendingCalls[p] as OutlinedLoop;
        const span = pendingCalls[p + 1] as number;
        if (pendingCalls[p + 2] === 1) callOutlined(loop, loop.outsideDepths, -1, span);
        else closeOutlined(loop, loop.outsideDepths, -1, pendingCalls[p + 3] as number, span);
      }
    }
    let extraDeclarations = -1;
    if (loops > 0) {
      let declared = declarations + 1;
      if (outlined.length > outlinedAt) {
        // The exit code's local and the return values' (after the counter local).
        const start = raw.length;
        raw.bytes([0x01, 0x7f, ...shape.results.flatMap((t) => [0x01, t])]);
        rawSpans.push(start, raw.length, -1);
        extraDeclarations = rawSpans.length / 3 - 1;
        declared += 1 + shape.results.length;
        delta += raw.length - start;
      }
      edits[entryEdit - 1] = declared;
      delta += lebLength(declared) - (declarationsEnd - bodyAt);
    } else edits[entryEdit - 1] = -1; // the declarations stay as they are
    funcs.push(bodyAt, end, edits.length, delta, counter, entryEdit, extraDeclarations);
    if (outlined.length === outlinedAt) continue;
    const r = shape.results.length;
    // The types of the function's locals (parameters first).
    const locals = [...shape.params];
    for (let i = 0, at = lebEnd(b, bodyAt); i < declarations; i++) {
      const n = lebValue(b, at);
      const typeAt = lebEnd(b, at);
      for (let k = 0; k < n; k++) locals.push(b[typeAt]!);
      at = valTypeEnd(b, typeAt);
    }
    const returnBlock = r === 0 ? [0x40] : r === 1 ? [shape.results[0]!] : sleb32(typeFor([0x60, 0x00, ...leb(r), ...shape.results]));
    // The copies keep the function's local indices: their walks note nothing of the locals.
    tracking = false;
    for (let i = outlinedAt; i < outlined.length; i++) outlinedAtOpcode.set(outlined[i]!.at, outlined[i]!);
    for (let i = outlinedAt; i < outlined.length; i++) {
      const loop = outlined[i]!;
      // A function of its own: (the locals it may read on entry) -> (the function's results, the locals it gives back, its exit code).
      const types = (indices: number[]) => indices.map((i) => locals[i]!);
      loop.type = typeFor([0x60, ...leb(loop.params.length), ...types(loop.params), ...leb(r + loop.written.length + 1), ...shape.results, ...types(loop.written), 0x7f]);
      loop.returnBlock = returnBlock;
      loop.editsFrom = edits.length;
      inside = loop;
      walk();
      loop.editsTo = edits.length;
      loop.prologueAt = raw.length;
      raw.bytes(outlinedPrologue(loop));
      loop.epilogueAt = raw.length;
      raw.bytes(outlinedEpilogue(loop));
      loop.epilogueEnd = raw.length;
      loop.size = loop.epilogueEnd - loop.prologueAt + (loop.end - loop.at) + delta;
    }
    at = end;
  }
  if (at !== to) throw new SysError(Errno.NOEXEC, "the code section has bytes after its functions");
  // Which functions spend the budget at entry: decided once every call is known.
  if (checks) for (const index of addressTaken) if (index >= firstShifted) graph.addressTaken(index - firstShifted);
  const entryChecked = checks ? graph.entryChecks() : null;
  for (let f = 0; f < count; f++) {
    const loops = graph.loops[f] === 1;
    const insert = loops ? (entryChecked?.[f] ? Insert.CounterAndCheck : Insert.Counter) : entryChecked?.[f] ? Insert.EntryCheck : Insert.Nothing;
    const entryEdit = funcs[f * FUNC_FIELDS + 5]!;
    edits[entryEdit + 2] = insert;
    if (checks) funcs[f * FUNC_FIELDS + 3] = funcs[f * FUNC_FIELDS + 3]! + entryLength(insert, funcs[f * FUNC_FIELDS + 4]!, checks);
  }
  return { bodiesAt, funcs, edits, raw: raw.buf, rawSpans, outlined, newTypes, dataDrop, elemDrop };
}

/** Open loops holding a tail call stay inline (from the outlined function it would return the function's results to the wrong caller). */
function tailCall(candidates: Candidate[]): void {
  for (const c of candidates) c.ok = false;
}

/** Where the branches of an outlined loop to `target` (a label outside it) leave it: their index among its targets. */
function targetIndex(loop: OutlinedLoop, target: number): number {
  const index = loop.targets.indexOf(target);
  if (index < 0) throw new Error(`an outlined loop's branch to label ${target} was not planned`);
  return index;
}

/** The start of an outlined loop's function: its own locals (counter, exit code, return values), the counter's first value, the blocks its exits leave by. */
function outlinedPrologue(loop: OutlinedLoop): number[] {
  return [
    ...leb(2 + loop.results.length), 0x01, 0x7f, 0x01, 0x7f, ...loop.results.flatMap((t) => [0x01, t]),
    0x41, ...sleb32(LOOP_BATCH - 1), 0x21, ...leb(loop.params.length),
    0x02, 0x40, ...loop.targets.flatMap(() => [0x02, 0x40]), 0x02, ...loop.returnBlock,
  ];
}

/**
 * The end of an outlined loop's function. Its blocks, outermost first: the one all exits leave
 * to, one per target (the last target's outermost), the one `return`s leave by with the
 * function's results. Each sets the exit code; then the results, the locals and the code are
 * returned.
 */
function outlinedEpilogue(loop: OutlinedLoop): number[] {
  const n = loop.params.length;
  const r = loop.results.length;
  const m = loop.targets.length;
  const exit = leb(n + 1);
  const out = [0x41, EXIT_DONE, 0x21, ...exit, 0x0c, ...leb(m + 1), 0x0b];
  for (let i = r - 1; i >= 0; i--) out.push(0x21, ...leb(n + 2 + i));
  out.push(0x41, EXIT_RETURN, 0x21, ...exit, 0x0c, ...leb(m));
  for (let j = 0; j < m; j++) out.push(0x0b, 0x41, ...sleb32(EXIT_TARGETS + j), 0x21, ...exit, 0x0c, ...leb(m - 1 - j));
  out.push(0x0b);
  for (let i = 0; i < r; i++) out.push(0x20, ...leb(n + 2 + i));
  for (const i of loop.written) out.push(0x20, ...leb(i));
  out.push(0x20, ...exit, 0x0b);
  return out;
}

/** Code bytes a call may run without spending the budget: a chain of calls of loop-free functions this long runs in microseconds. */
const UNCHECKED_BYTES = 4096;

/**
 * The module's calls, for deciding which functions spend the budget at entry. A function's own
 * loops have checks, so a call can only run long without one through recursion (a cycle of calls,
 * call_indirect included), through a callee's loops (a counter starts afresh at each call), or
 * through many calls of loop-free code (a chain of functions calling the next twice runs 2^n
 * calls). So a function that calls spends at entry unless it lies on no cycle, has no loop, and
 * what it may run without a check (its own bytes and those of its unchecked callees, call by call)
 * stays under UNCHECKED_BYTES. Most small helpers then run without a check of their own.
 */
class CallGraph {
  /** Direct callees (defined-function indices) of every function, flat; function f's start at calleesAt[f]. */
  private readonly callees: number[] = [];
  private readonly calleesAt: number[];
  /** Per function: its call_indirect / call_ref sites. */
  private readonly indirect: Uint32Array;
  /** Per function: body bytes; whether it has loops; whether it calls. */
  private readonly sizes: Uint32Array;
  readonly loops: Uint8Array;
  private readonly calls: Uint8Array;
  private readonly taken = new Set<number>();

  constructor(private readonly count: number) {
    this.calleesAt = [0];
    this.indirect = new Uint32Array(count);
    this.sizes = new Uint32Array(count);
    this.loops = new Uint8Array(count);
    this.calls = new Uint8Array(count);
  }

  /** Starts (or starts again) function `f`'s calls. */
  restart(f: number): void {
    this.callees.length = this.calleesAt[f]!;
    this.indirect[f] = 0;
  }

  call(callee: number): void {
    this.callees.push(callee);
  }

  indirectCall(): void {
    this.indirect[this.calleesAt.length - 1]!++;
  }

  addressTaken(f: number): void {
    if (f < this.count) this.taken.add(f);
  }

  ended(f: number, size: number, loops: boolean, calls: boolean): void {
    this.sizes[f] = size;
    this.loops[f] = loops ? 1 : 0;
    this.calls[f] = calls ? 1 : 0;
    this.calleesAt.push(this.callees.length);
  }

  /**
   * Per function, 1 when it spends the budget at entry. The call graph's strongly connected
   * components (Tarjan's algorithm, iterative) come callees first; indirect calls go through one
   * extra node (index `count`) whose edges lead to every address-taken function.
   */
  entryChecks(): Uint8Array {
    const n = this.count;
    const table = n;
    const taken = [...this.taken];
    const checked = new Uint8Array(n);
    // What a call may run unchecked (Infinity: more than may run without a check), by node.
    const unchecked = new Float64Array(n + 1);
    const edgeCount = (v: number) => (v === table ? taken.length : this.calleesAt[v + 1]! - this.calleesAt[v]! + (this.indirect[v]! > 0 ? 1 : 0));
    const edge = (v: number, e: number) => {
      if (v === table) return taken[e]!;
      const direct = this.calleesAt[v + 1]! - this.calleesAt[v]!;
      return e < direct ? this.callees[this.calleesAt[v]! + e]! : table;
    };
    const order = new Int32Array(n + 1).fill(-1);
    const low = new Int32Array(n + 1);
    const onStack = new Uint8Array(n + 1);
    const stack: number[] = [];
    const frames: number[] = []; // pairs: node, next edge
    let counter = 0;
    for (let root = 0; root <= n; root++) {
      if (order[root] !== -1) continue;
      frames.push(root, 0);
      order[root] = low[root] = counter++;
      stack.push(root);
      onStack[root] = 1;
      while (frames.length > 0) {
        const v = frames[frames.length - 2]!;
        const e = frames[frames.length - 1]!;
        if (e < edgeCount(v)) {
          frames[frames.length - 1] = e + 1;
          const w = edge(v, e);
          if (order[w] === -1) {
            order[w] = low[w] = counter++;
            stack.push(w);
            onStack[w] = 1;
            frames.push(w, 0);
          } else if (onStack[w]) low[v] = Math.min(low[v]!, order[w]!);
          continue;
        }
        frames.length -= 2;
        if (frames.length > 0) {
          const parent = frames[frames.length - 2]!;
          low[parent] = Math.min(low[parent]!, low[v]!);
        }
        if (low[v] !== order[v]) continue;
        // v roots a component: pop it; a cycle when it has two nodes or a node calls itself.
        const members: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          members.push(w);
        } while (w !== v);
        const cyclic = members.length > 1 || this.callsItself(v);
        for (const m of members) this.decide(m, cyclic, checked, unchecked, taken);
      }
    }
    return checked;
  }

  private callsItself(v: number): boolean {
    if (v === this.count) return false;
    for (let i = this.calleesAt[v]!; i < this.calleesAt[v + 1]!; i++) if (this.callees[i] === v) return true;
    return false;
  }

  /** Decides node `v` (its callees, outside its component, are decided). */
  private decide(v: number, cyclic: boolean, checked: Uint8Array, unchecked: Float64Array, taken: number[]): void {
    const cost = (w: number) => (w < this.count && checked[w] ? 0 : unchecked[w]!);
    if (v === this.count) {
      // An indirect call may reach any address-taken function.
      let worst = 0;
      for (const w of taken) worst = Math.max(worst, cyclic ? Infinity : cost(w));
      unchecked[v] = worst;
      return;
    }
    if (!this.calls[v]) {
      unchecked[v] = this.loops[v] ? Infinity : this.sizes[v]!;
      return;
    }
    let bytes = cyclic || this.loops[v] ? Infinity : this.sizes[v]!;
    for (let i = this.calleesAt[v]!; i < this.calleesAt[v + 1]! && bytes <= UNCHECKED_BYTES; i++) bytes += cost(this.callees[i]!);
    if (this.indirect[v]! > 0) bytes += this.indirect[v]! * unchecked[this.count]!;
    if (bytes > UNCHECKED_BYTES) {
      checked[v] = 1;
      unchecked[v] = 0;
    } else unchecked[v] = bytes;
  }
}

/** The type index of a block type that starts at `at`, or -1 for none (empty, or one value type). */
function blockTypeIndex(b: Uint8Array, at: number): number {
  const code = b[at]!;
  return code >= 0x40 && code < 0x80 ? -1 : lebValue(b, at);
}

/** The bytes of the counter local's declaration, at the start of counterInit. */
const COUNTER_DECLARATION = 2;

/** The counter local's declaration and first value: `(local i32)`, counter = LOOP_BATCH - 1. */
function counterInit(counter: number): number[] {
  return [0x01, 0x7f, 0x41, ...sleb32(LOOP_BATCH - 1), 0x21, ...leb(counter)];
}

function entryLength(insert: Insert, counter: number, checks: Checks): number {
  if (insert === Insert.Nothing) return 0;
  if (insert === Insert.EntryCheck) return checks.entry.bytes.length;
  return checks.counterLength[lebLength(counter)]! + (insert === Insert.CounterAndCheck ? checks.entry.bytes.length : 0);
}

/** Marks a branch instruction (an if or br_if) whose position a branch hint needs. */
const BRANCH = -1;

/** The bytes with BRANCH marks removed, and where the marks were. */
function inserted(marked: number[]): Inserted {
  const bytes: number[] = [];
  const branches: number[] = [];
  for (const b of marked) {
    if (b === BRANCH) branches.push(bytes.length);
    else bytes.push(b);
  }
  return { bytes: Uint8Array.from(bytes), branches };
}

/**
 * The check at a loop header: count down the function's own local (a register: about one cycle
 * an iteration) and every LOOP_BATCH iterations spend that much of the global budget. The count
 * is an add of -1 (Liftoff has an immediate form for add, not for sub).
 */
function loopCheck(counter: number, checks: Checks): number[] {
  const k = leb(counter);
  return [
    0x20, ...k, 0x41, 0x7f, 0x6a, 0x22, ...k, 0x41, 0x00, 0x48, BRANCH, 0x04, 0x40, // if ((counter = counter + -1) < 0)
    0x41, ...sleb32(LOOP_BATCH - 1), 0x21, ...k, //   counter = LOOP_BATCH - 1
    ...spendBudget(checks.budget, checks.refill, LOOP_BATCH), 0x0b, //   spend LOOP_BATCH of the budget
  ];
}

/**
 * A wrapped loop: `loop T ... end` becomes
 *   block T (leave) / loop T (again) / block (yield) / loop T, check ... end / br leave / end /
 *   spend and maybe call the preemption point / br again / end / end,
 * so the loop itself holds no call: V8 keeps its values in registers and may unroll it. The check
 * at its header counts down the function's counter local and leaves for `yield` when it runs out.
 */
function wrapCheck(counter: number): number[] {
  const k = leb(counter);
  return [0x20, ...k, 0x41, 0x7f, 0x6a, 0x22, ...k, 0x41, 0x00, 0x48, BRANCH, 0x0d, 0x01]; // br_if yield ((counter = counter + -1) < 0)
}

/** What follows a wrapped loop's end (see wrapCheck): reset the counter, spend LOOP_BATCH of the budget, re-enter. */
function wrapClose(counter: number, checks: Checks): number[] {
  return [
    0x0c, 0x02, 0x0b, // br leave; end of yield
    0x41, ...sleb32(LOOP_BATCH - 1), 0x21, ...leb(counter), // counter = LOOP_BATCH - 1
    ...spendBudget(checks.budget, checks.refill, LOOP_BATCH),
    0x0c, 0x00, 0x0b, 0x0b, // br again; end of again; end of leave
  ];
}

/**
 * Spends `units` of the budget in global `budget`; when it is used up, calls function `refill`
 * (the kernel's preemption point, which may suspend) and stores the new budget it returns.
 */
function spendBudget(budget: number, refill: number, units: number): number[] {
  const g = leb(budget);
  return [
    0x23, ...g, 0x41, ...sleb32(-units), 0x6a, 0x24, ...g, // budget = budget + -units
    0x23, ...g, 0x41, 0x00, 0x4c, BRANCH, 0x04, 0x40, // if (budget <= 0)
    0x10, ...leb(refill), 0x24, ...g, 0x0b, //   budget = refill()
  ];
}

/** The signed LEB128 encoding of a 32-bit `value`. */
export function sleb32(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && !(byte & 0x40)) || (value === -1 && byte & 0x40)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** Branch hints: per defined function (its index among the module's own functions, in increasing order), the offsets in its body of the checks' branches. */
export type BranchHints = Map<number, number[]>;

/**
 * Writes the code section's contents from `scan`: each body with its checks and shifted function
 * indices, then the outlined loops' functions; `hints`, when given, gets where each check's branch
 * went (in the module's own functions).
 */
export function writeCode(w: ByteWriter, bytes: Uint8Array, from: number, scan: CodeScan, plan: CodeEdits, hints?: BranchHints): void {
  const { funcs } = scan;
  const count = funcs.length / FUNC_FIELDS;
  w.leb(count + scan.outlined.length);
  // The inserted bytes depend only on the counter local's index: made once per index.
  const made = new Map<number, Made>();
  for (let f = 0; f < funcs.length; f += FUNC_FIELDS) {
    const bodyAt = funcs[f]!;
    const end = funcs[f + 1]!;
    const size = end - bodyAt + funcs[f + 3]!;
    w.leb(size);
    const bodyStart = w.length;
    const func = f / FUNC_FIELDS;
    // A body's edits start with the declarations' count, just before its entry edit.
    const pos = putEdits(w, bytes, bodyAt, funcs[f + 5]! - 3, funcs[f + 2]!, scan, plan, made, funcs[f + 4]!, { func, bodyStart, hints, declarations: funcs[f + 6]! });
    w.copy(bytes, pos, end);
    if (w.length - bodyStart !== size) throw new Error(`function ${func}: planned ${size} bytes, wrote ${w.length - bodyStart}`);
  }
  for (const loop of scan.outlined) {
    w.leb(loop.size);
    const bodyStart = w.length;
    w.copy(scan.raw, loop.prologueAt, loop.epilogueAt);
    const pos = putEdits(w, bytes, loop.at, loop.editsFrom, loop.editsTo, scan, plan, made, loop.params.length, { func: count + loop.index, bodyStart, hints, declarations: -1 });
    w.copy(bytes, pos, loop.end);
    w.copy(scan.raw, loop.epilogueAt, loop.epilogueEnd);
    if (w.length - bodyStart !== loop.size) throw new Error(`outlined loop of function ${loop.func}: planned ${loop.size} bytes, wrote ${w.length - bodyStart}`);
  }
}

/** The inserted bytes for one counter local's index. */
interface Made {
  loop: Inserted;
  init: Uint8Array;
  wrapCheck: Inserted;
  wrapClose: Inserted;
}

/** Where a module function's body goes (for branch hints) and the index in `raw` of its extra local declarations (-1: none). */
interface BodyPlace {
  func: number;
  bodyStart: number;
  hints: BranchHints | undefined;
  declarations: number;
}

/**
 * Writes code from `pos` on with edits[e, editsEnd) applied (the counter local's index:
 * `counter`; `place`: where the body goes); returns where the
 * bytes not yet written start.
 */
function putEdits(w: ByteWriter, bytes: Uint8Array, pos: number, e: number, editsEnd: number, scan: CodeScan, plan: CodeEdits, made: Map<number, Made>, counter: number, place: BodyPlace): number {
  const { checks, growCall } = plan;
  const { edits } = scan;
  let inserts = made.get(counter);
  const hinted = (check: Inserted) => putCheck(w, check, place.hints, place.func, place.bodyStart);
  for (; e < editsEnd; e += 3) {
    const value = edits[e + 2]!;
    if (value === Insert.Nothing) continue;
    const at = edits[e]!;
    w.copy(bytes, pos, at);
    if (value >= 0) w.leb(value);
    else if (value <= RAW) {
      const k = 3 * (RAW - value);
      const branch = scan.rawSpans[k + 2]!;
      if (branch >= 0) noteHint(place.hints, place.func, w.length - place.bodyStart + branch);
      w.copy(scan.raw, scan.rawSpans[k]!, scan.rawSpans[k + 1]!);
    } else if (value === Insert.GrowCall) w.bytes(growCall!);
    else if (!checks) throw new Error("a check planned without checks");
    else if (value === Insert.EntryCheck) hinted(checks.entry);
    else if (value === Insert.WrapOpen) {
      // block T, loop T (T: the loop's own block type, after its opcode), block (empty).
      const typeEnd = valTypeEnd(bytes, at + 1);
      w.byte(0x02);
      w.copy(bytes, at + 1, typeEnd);
      w.byte(0x03);
      w.copy(bytes, at + 1, typeEnd);
      w.byte(0x02);
      w.byte(0x40);
    } else {
      if (!inserts) {
        inserts = { loop: inserted(loopCheck(counter, checks)), init: Uint8Array.from(counterInit(counter)), wrapCheck: inserted(wrapCheck(counter)), wrapClose: inserted(wrapClose(counter, checks)) };
        made.set(counter, inserts);
      }
      if (value === Insert.LoopCheck) hinted(inserts.loop);
      else if (value === Insert.WrapCheck) hinted(inserts.wrapCheck);
      else if (value === Insert.WrapClose) hinted(inserts.wrapClose);
      else {
        // The counter's declaration, the outlined loops' locals after it, then the counter's first value.
        w.bytes(inserts.init.subarray(0, COUNTER_DECLARATION));
        if (place.declarations >= 0) w.copy(scan.raw, scan.rawSpans[3 * place.declarations]!, scan.rawSpans[3 * place.declarations + 1]!);
        w.bytes(inserts.init.subarray(COUNTER_DECLARATION));
        if (value === Insert.CounterAndCheck) hinted(checks.entry);
      }
    }
    pos = at + edits[e + 1]!;
  }
  return pos;
}

/** Writes a check into the body of defined function `func` (which starts at `bodyStart`), noting its branches in `hints`. */
function putCheck(w: ByteWriter, check: Inserted, hints: BranchHints | undefined, func: number, bodyStart: number): void {
  for (const at of check.branches) noteHint(hints, func, w.length - bodyStart + at);
  w.bytes(check.bytes);
}

/** Notes a branch hint at `at` in the body of function `func`, when hints are gathered. */
function noteHint(hints: BranchHints | undefined, func: number, at: number): void {
  if (!hints) return;
  let branches = hints.get(func);
  if (!branches) hints.set(func, (branches = []));
  branches.push(at);
}
