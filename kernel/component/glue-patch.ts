// Two edits to jco's transpiled glue, made once before it is cached: its debug switch read once (not
// process.env on every call), and a direct path for output-stream.blocking-write-and-flush when it cannot suspend.
// Each edit applies only where jco's text has the exact shape looked for; elsewhere the glue stays as jco wrote it.

/** Bumped whenever the edits change: part of the cache key, so that older cached glue is transpiled afresh. */
export const GLUE_PATCH_VERSION = 1;

/** What OutputStream offers the glue (a static method): wraps jco's lowered import with a direct path. */
export const FAST_WRITE_METHOD = "wasmboxDirectBlockingWriteAndFlush";

const DEBUG_SWITCH = "  const _debugLog = (...args) => {\n    if (!globalThis?.process?.env?.JCO_DEBUG) { return; }\n";
const DEBUG_SWITCH_ONCE = "  const _jcoDebugOn = !!globalThis?.process?.env?.JCO_DEBUG;\n  const _debugLog = (...args) => {\n    if (!_jcoDebugOn) { return; }\n";

/**
 * jco checks process.env.JCO_DEBUG in every _debugLog call (a dozen per import call, each a lookup
 * in the host's environment): the switch is read once per instantiation instead.
 */
function readDebugSwitchOnce(js: string): string {
  return js.split(DEBUG_SWITCH).length === 2 ? js.replace(DEBUG_SWITCH, DEBUG_SWITCH_ONCE) : js;
}

/**
 * The trampolines of output-stream.blocking-write-and-flush: jco wraps each in task and subtask
 * book-keeping (several objects and promises per call) that a synchronous host call does not need.
 * Where the glue hands trampolineN to a core instance, OutputStream's direct path wraps it: it finds
 * the stream by jco's own handle tables and the bytes in jco's own memory, and falls back to jco's call
 * for anything but a plain write (a suspending import is left alone).
 */
function directBlockingWrites(source: string): string {
  const named = /\n {2}_trampoline(\d+)\.fnName = 'wasi:io\/streams@[0-9.]+#blockingWriteAndFlush';\n/g;
  let js = source;
  for (const match of source.matchAll(named)) {
    const n = match[1]!;
    const start = source.indexOf(`\n  const _trampoline${n} = function(arg0, arg1, arg2, arg3) {\n`);
    if (start < 0 || start > match.index) continue;
    const body = source.slice(start, match.index);
    const handles = [...body.matchAll(/= (handleTable\d+)\[\(handle1 << 1\) \+ 1\] & ~T_FLAG;/g)];
    const captures = [...body.matchAll(/= (captureTable\d+)\.get\(rep2\);/g)];
    const memories = [...body.matchAll(/new Uint8Array\((memory\d+)\.buffer\.slice\(ptr3, ptr3 \+ len3 \* 1\)\)/g)];
    if (handles.length !== 1 || captures.length !== 1 || memories.length !== 1) continue;
    const use = `Object.assign(trampoline${n}, {`;
    if (js.split(use).length !== 2) continue;
    const streamOf = `(handle) => ${captures[0]![1]}.get(${handles[0]![1]}[(handle << 1) + 1] & ~T_FLAG)`;
    const direct = `Object.assign(imports['wasi:io/streams'].OutputStream.${FAST_WRITE_METHOD}(trampoline${n}, ${streamOf}, () => ${memories[0]![1]}), {`;
    js = js.replace(use, () => direct);
  }
  return js;
}

/** jco's glue with both edits, each where it applies. */
export function patchGlue(js: string): string {
  return directBlockingWrites(readDebugSwitchOnce(js));
}
