#!/usr/bin/env node
// The `wasmbox` executable (package.json's bin; CommonJS: no ES module loader at start). Kept small, as
// V8 parses all of it at every start: it runs the build's bundle with its V8 code cache (cli-main.ts).
import { REGISTRY_COMMANDS } from "./registry-commands.cjs";

type CliMain = typeof import("./run-cli.js").cliMain;
/** The bundle: a CommonJS module's function (its file holds just that expression), with its import.meta and an import() as more arguments. */
type BundleBody = (exports: object, require: (id: string) => unknown, module: { exports: object }, filename: string, dirname: string, importMeta: { readonly url: string }, importModule: (specifier: string) => Promise<unknown>) => void;

/**
 * The folder of Node's on-disk compile cache, chosen as Node chooses it (NODE_COMPILE_CACHE, else
 * node-compile-cache in the temporary folder); undefined when NODE_DISABLE_COMPILE_CACHE asks for
 * none. The bundle's own V8 code cache goes there (Node's cache itself is not turned on: it would
 * hold only this file, and turning it on costs a start about 0.3 ms).
 */
function compileCacheDir(sep: string): string | undefined {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  if (process.env.NODE_COMPILE_CACHE) return process.env.NODE_COMPILE_CACHE;
  // os.tmpdir() as Node reads it on a Unix (without loading node:os, ~0.2 ms of a start); from node:os elsewhere.
  let tmp = process.platform === "win32" ? process.getBuiltinModule("node:os").tmpdir() : process.env.TMPDIR || process.env.TMP || process.env.TEMP || "/tmp";
  if (tmp.length > 1 && tmp.endsWith("/")) tmp = tmp.slice(0, -1);
  return `${tmp}${sep}node-compile-cache`;
}

/**
 * Runs a bundle of the build (cli/build-bundle.ts; registry commands have their own) as a vm script
 * with a V8 code cache taken after the first run of its kind: it then holds every function that
 * run compiled, where Node's compile cache, taken before the code runs, holds only the top level
 * (~25 ms of a module run's start). Run from sources (no bundle), run-cli.js instead.
 */
function start(argv: string[]): void {
  const fs = process.getBuiltinModule("node:fs");
  const sep = process.getBuiltinModule("node:path").sep;
  const kind = REGISTRY_COMMANDS.has(argv[0] ?? "") ? "registry" : "module";
  // __dirname is absolute and normal already: joined by hand, not by node:path's normalizing join.
  const bundle = `${__dirname}${sep}${kind === "registry" ? "registry-cli" : "run-cli"}.bundle.cjs`;
  let size: number;
  let stamp: string;
  try {
    const stat = fs.statSync(bundle);
    size = stat.size;
    // The cache belongs to this build of the bundle on this Node: V8 itself checks only the length.
    // Padded to 8 bytes: V8 copies cached data that does not start on a pointer's alignment.
    stamp = `${stat.size}:${stat.mtimeMs}:${process.version}:${process.arch}`;
    stamp = stamp.padEnd(((stamp.length + 1 + 7) & ~7) - 1) + "\n";
  } catch {
    fromSources(argv);
    return;
  }
  // One cache file per bundle path and kind ("module": module runs; "registry": pull, push...).
  let hash = 0x811c9dc5;
  for (let i = 0; i < bundle.length; i++) hash = Math.imul(hash ^ bundle.charCodeAt(i), 0x01000193) >>> 0;
  const dir = compileCacheDir(sep);
  const cacheFile = dir && `${dir}${sep}wasmbox-run-cli-${hash.toString(16)}-${kind}.v8`;
  let cacheFd: number | undefined;
  let cacheSize = 0;
  try {
    // Only a cache this user wrote: the folder may be shared (in the temporary folder, by default).
    cacheFd = cacheFile ? fs.openSync(cacheFile, "r") : undefined;
    const stat = cacheFd === undefined ? undefined : fs.fstatSync(cacheFd);
    if (stat && (process.getuid === undefined || stat.uid === process.getuid())) cacheSize = stat.size;
  } catch {
    // No cache yet.
  }
  // Both files go through one buffer, the bundle's text first (V8 copies it into a string): each page
  // of a new buffer costs a fault, and faults are much of a start's system time.
  const buffer = Buffer.allocUnsafeSlow(Math.max(size, cacheSize));
  let source: string;
  try {
    const fd = fs.openSync(bundle, "r");
    try {
      readWhole(fd, buffer, size);
    } finally {
      fs.closeSync(fd);
    }
    // The bundle is ASCII (build-bundle.ts checks): read as latin1, it is the same text without a UTF-8 decode.
    source = buffer.toString("latin1", 0, size);
  } catch {
    if (cacheFd !== undefined) fs.closeSync(cacheFd);
    fromSources(argv);
    return;
  }
  let cachedData: Buffer | undefined;
  if (cacheFd !== undefined) {
    try {
      if (cacheSize > stamp.length) {
        readWhole(cacheFd, buffer, cacheSize);
        if (buffer.toString("latin1", 0, stamp.length) === stamp) cachedData = buffer.subarray(stamp.length, cacheSize);
      }
    } catch {
      // Unreadable: made anew after the run.
    } finally {
      fs.closeSync(cacheFd);
    }
  }
  // The file is the function itself (build-bundle.ts writes the wrapper): compiled as read, no copy.
  const script = new (process.getBuiltinModule("node:vm").Script)(source, { filename: bundle, cachedData });
  const bundleModule: { exports: { cliMain?: CliMain } } = { exports: {} };
  // The bundle asks only for Node's builtins: given straight from Node's table, not through the
  // module loader's resolution and hooks; anything else through a require made for the bundle's path.
  const bundleRequire = (id: string): unknown => (id.startsWith("node:") ? process.getBuiltinModule(id) : undefined) ?? process.getBuiltinModule("node:module").createRequire(bundle)(id);
  // import.meta.url is made when first read: pathToFileURL costs a start ~0.3 ms, and a module run never reads it.
  const importMeta = { get url() { return process.getBuiltinModule("node:url").pathToFileURL(bundle).href; } };
  (script.runInThisContext() as BundleBody)(bundleModule.exports, bundleRequire, bundleModule, bundle, __dirname, importMeta, (specifier) => import(specifier));
  const cache = cacheFile && (!cachedData || script.cachedDataRejected) ? { file: cacheFile, stamp, data: () => script.createCachedData() } : undefined;
  const cliMain = bundleModule.exports.cliMain;
  if (cliMain) void cliMain(argv, cache);
  else fromSources(argv);
}

/** Reads `length` bytes of a file from its start into `buffer`; throws when it is shorter now. */
function readWhole(fd: number, buffer: Buffer, length: number): void {
  for (let at = 0; at < length;) {
    const n = process.getBuiltinModule("node:fs").readSync(fd, buffer, at, length - at, at);
    if (n === 0) throw new Error("the file is shorter than its size");
    at += n;
  }
}

/** Runs the command line from tsc's output beside this file (there is no bundle, or not one of this build). */
function fromSources(argv: string[]): void {
  void (import("./run-cli.js") as Promise<{ cliMain: CliMain }>).then((m) => m.cliMain(argv, undefined));
}

const argv = process.argv.slice(2);
// Without JSPI, the bundled Node runs the command (reexec.cts), unless the user keeps this one. A
// require, not an import: only then is reexec.cjs read and compiled.
// eslint-disable-next-line @typescript-eslint/no-require-imports
if ("Suspending" in WebAssembly || !(require("./reexec.cjs") as typeof import("./reexec.cjs")).reexecIfNeeded(argv)) start(argv);
