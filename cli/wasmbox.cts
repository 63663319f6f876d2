#!/usr/bin/env node
// The `wasmbox` executable (package.json's bin; CommonJS: Node starts it without its ES module loader,
// ~2 ms of a module run): on a Node without JSPI it re-runs itself under the bundled Node (the npm
// package `node`); then it parses process.argv with run-cli.ts and exits with the command's code.
import { REGISTRY_COMMANDS } from "./registry-commands.cjs";

// Builtins come from process.getBuiltinModule: an ES import of node:fs makes Node evaluate every
// export of it (its streams and promises too), and node:tty loads node:net (~5 ms of a start each).
// node:module is asked for only where it is used: its first load (with Node's source maps) costs ~0.2 ms.
const fs = process.getBuiltinModule("node:fs");
const nodePath = process.getBuiltinModule("node:path");

/**
 * The folder of Node's on-disk compile cache, chosen as Node chooses it (NODE_COMPILE_CACHE, else
 * node-compile-cache in the temporary folder); undefined when NODE_DISABLE_COMPILE_CACHE asks for
 * none. The bundle's own V8 code cache goes there. Node's cache itself is not turned on: it would
 * hold only the bin's few lines, and turning it on costs a start about 0.3 ms.
 */
function compileCacheDir(): string | undefined {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  return process.env.NODE_COMPILE_CACHE || `${temporaryFolder()}${nodePath.sep}node-compile-cache`;
}

/**
 * os.tmpdir(), read as Node reads it on a Unix (TMPDIR, TMP, TEMP, else /tmp; no trailing slash)
 * without loading node:os, whose first load costs a start ~0.2 ms; from node:os elsewhere.
 */
function temporaryFolder(): string {
  if (process.platform === "win32") return process.getBuiltinModule("node:os").tmpdir();
  const dir = process.env.TMPDIR || process.env.TMP || process.env.TEMP || "/tmp";
  return dir.length > 1 && dir.endsWith("/") ? dir.slice(0, -1) : dir;
}

/**
 * The bundled Node's executable when this one has no JSPI and the user did not ask to keep it
 * (WASMBOX_NO_REEXEC=1, or --engine worker anywhere on the line); undefined otherwise.
 */
function reexecTarget(argv: readonly string[]): string | undefined {
  if ("Suspending" in WebAssembly || process.env.WASMBOX_NO_REEXEC === "1") return undefined;
  if (argv.some((a, i) => (a === "--engine" && argv[i + 1] === "worker") || a === "--engine=worker")) return undefined;
  try {
    const pkg = process.getBuiltinModule("node:module").createRequire(__filename).resolve("node/package.json");
    const exe = nodePath.join(nodePath.dirname(pkg), "bin", process.platform === "win32" ? "node.exe" : "node");
    return exe === process.execPath ? undefined : exe;
  } catch {
    return undefined;
  }
}

/** Runs this script under `exe` with the same arguments and stdio; ends this process as the child ends (code or signal). */
function reexec(exe: string, argv: readonly string[]): void {
  const script = process.argv[1] ?? "";
  // Loaded here, not at the top: a module run never re-execs, and child_process costs it ~9 ms of start.
  const { spawn } = process.getBuiltinModule("node:child_process");
  // The child runs the same script; WASMBOX_NO_REEXEC stops a second re-exec should it lack JSPI too.
  const child = spawn(exe, [...process.execArgv, script, ...argv], { stdio: "inherit", env: { ...process.env, WASMBOX_NO_REEXEC: "1" } });
  const forward = (sig: NodeJS.Signals) => () => void child.kill(sig);
  // A terminal sends ^C, ^\ and resizes to its whole foreground group, the child included: passed on
  // as well, the child would get each twice. Otherwise (kill PID), each is passed on.
  const fromTerminal: NodeJS.Signals[] = isTerminal(0) ? ["SIGINT", "SIGQUIT", "SIGWINCH"] : [];
  const ignore = () => undefined;
  for (const sig of fromTerminal) process.on(sig, ignore);
  const all: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH"];
  const signals = all.filter((s) => !fromTerminal.includes(s));
  const handlers = signals.map((sig) => [sig, forward(sig)] as const);
  for (const [sig, handler] of handlers) process.on(sig, handler);
  child.on("error", (e) => {
    writeAll(2, `wasmbox: cannot start the bundled Node (${exe}): ${e.message}\n`);
    process.exit(2);
  });
  child.on("exit", (code, signal) => {
    for (const [sig, handler] of handlers) process.off(sig, handler);
    for (const sig of fromTerminal) process.off(sig, ignore);
    if (signal) {
      // Die of the same signal, so the shell sees what the child met.
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}

function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  let off = 0;
  while (off < bytes.length) {
    try {
      off += fs.writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      const code = e instanceof Error && "code" in e ? e.code : undefined;
      // The reader went away (`wasmbox logs x | head -1`): end quietly, as a Unix program that
      // SIGPIPE kills does (status 141 for the shell), without a stack.
      if (code === "EPIPE") process.exit(141);
      if (code !== "EAGAIN") throw e;
    }
  }
}

/** Whether `fd` is a terminal, asked of node:tty only for a character device that may be one. */
function isTerminal(fd: number): boolean {
  let stat: import("node:fs").Stats;
  try {
    stat = fs.fstatSync(fd);
  } catch {
    return false;
  }
  if (!stat.isCharacterDevice()) return false;
  // Linux's memory devices (major 1: /dev/null, /dev/zero, /dev/urandom...) are never terminals.
  if (process.platform === "linux" && stat.rdev < 2 ** 32 && Math.floor(stat.rdev / 256) % 4096 === 1) return false;
  return process.getBuiltinModule("node:tty").isatty(fd);
}

type RunCli = typeof import("./run-cli.js").runCli;
type CliIo = import("./io.js").CliIo;
type BundleExports = Partial<Pick<typeof import("./run-cli.js"), "runCli" | "isModuleRun">>;
/** The bundle: a CommonJS module's function (its file holds just that expression), with its import.meta and an import() as more arguments. */
type BundleBody = (exports: object, require: (id: string) => unknown, module: { exports: object }, filename: string, dirname: string, importMeta: { readonly url: string }, importModule: (specifier: string) => Promise<unknown>) => void;

/**
 * Where the bundle's V8 code cache for one kind of command is kept: in Node's compile cache folder,
 * one file per bundle path and kind ("module": module runs; "registry": pull, push...).
 */
function codeCacheFile(bundle: string, kind: string): string | undefined {
  const dir = compileCacheDir();
  if (dir === undefined) return undefined;
  let hash = 0x811c9dc5;
  for (let i = 0; i < bundle.length; i++) hash = Math.imul(hash ^ bundle.charCodeAt(i), 0x01000193) >>> 0;
  // Node gives the folder as an absolute path; joined by hand, not by node:path's normalizing join.
  return `${dir}${nodePath.sep}wasmbox-run-cli-${hash.toString(16)}-${kind}.v8`;
}

/**
 * runCli from the build's bundle (cli/build-bundle.ts; registry commands have their own), run as a vm script with a V8 code
 * cache taken after the first run of its kind: it then holds every function that run compiled, where
 * Node's compile cache, taken before the code runs, holds only the top level (~25 ms of a module
 * run's start). `saveCache` writes it when there was none or V8 refused it, after a registry
 * command or a module run only (another command would leave the module run's code out of it).
 * Undefined without a bundle.
 */
function loadBundle(argv: readonly string[]): { runCli: RunCli; saveCache: (io: CliIo) => void } | undefined {
  const registry = REGISTRY_COMMANDS.has(argv[0] ?? "");
  // __dirname is absolute and normal already: joined by hand, not by node:path's normalizing join.
  const bundle = `${__dirname}${nodePath.sep}${registry ? "registry-cli.bundle.cjs" : "run-cli.bundle.cjs"}`;
  let source: string;
  let stamp: string;
  try {
    // The bundle is ASCII (build-bundle.ts checks): read as latin1, it is the same text without a UTF-8 decode.
    source = fs.readFileSync(bundle, "latin1");
    const stat = fs.statSync(bundle);
    // The cache belongs to this build of the bundle on this Node: V8 itself checks only the length.
    stamp = `${stat.size}:${stat.mtimeMs}:${process.version}:${process.arch}\n`;
  } catch {
    return undefined;
  }
  const cacheFile = codeCacheFile(bundle, registry ? "registry" : "module");
  let cachedData: Buffer | undefined;
  try {
    // Only a cache this user wrote: the folder may be shared (in the temporary folder, by default).
    const fd = cacheFile ? fs.openSync(cacheFile, "r") : undefined;
    try {
      const file = fd !== undefined && (process.getuid === undefined || fs.fstatSync(fd).uid === process.getuid()) ? fs.readFileSync(fd) : undefined;
      const stampBytes = Buffer.from(stamp);
      if (file && file.subarray(0, stampBytes.length).equals(stampBytes)) cachedData = file.subarray(stampBytes.length);
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  } catch {
    // No cache yet.
  }
  const vm = process.getBuiltinModule("node:vm");
  // The file is the function itself (build-bundle.ts writes the wrapper): compiled as read, no copy.
  const script = new vm.Script(source, { filename: bundle, cachedData });
  const bundleModule: { exports: BundleExports } = { exports: {} };
  const body = script.runInThisContext() as BundleBody;
  // The bundle asks only for Node's builtins: given straight from Node's table, not through the
  // module loader's resolution and hooks (createRequire and a require cost a start ~0.5 ms of path
  // work); anything else through a require made for the bundle's path, when first asked.
  const bundleRequire = (id: string): unknown => (id.startsWith("node:") ? process.getBuiltinModule(id) : undefined) ?? process.getBuiltinModule("node:module").createRequire(bundle)(id);
  // import.meta.url is made when first read: pathToFileURL costs a start ~0.3 ms, and a module run never reads it.
  const importMeta = { get url() { return process.getBuiltinModule("node:url").pathToFileURL(bundle).href; } };
  body(bundleModule.exports, bundleRequire, bundleModule, bundle, __dirname, importMeta, (specifier) => import(specifier));
  const { runCli, isModuleRun } = bundleModule.exports;
  if (!runCli || !isModuleRun) return undefined;
  const saveCache = (io: CliIo) => {
    if (!cacheFile || (cachedData && !script.cachedDataRejected)) return;
    if (!registry && !isModuleRun(argv, io)) return;
    // Written whole under another name, then renamed: a CLI starting meanwhile reads all or nothing.
    const partial = `${cacheFile}.${process.pid}`;
    try {
      fs.mkdirSync(nodePath.dirname(cacheFile), { recursive: true, mode: 0o700 });
      fs.writeFileSync(partial, Buffer.concat([Buffer.from(stamp), script.createCachedData()]));
      fs.renameSync(partial, cacheFile);
    } catch {
      // An unwritable (or full) cache folder only costs speed.
      fs.rmSync(partial, { force: true });
    }
  };
  return { runCli, saveCache };
}

/** Re-executes under a JSPI-capable Node, or runs the command line and exits with its code. */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const target = reexecTarget(argv);
  if (target) {
    reexec(target, argv);
  } else {
    // Run from sources (tsx), there is no bundle.
    const bundled = loadBundle(argv);
    const runCli: RunCli = bundled?.runCli ?? ((await import("./run-cli.js")) as typeof import("./run-cli.js")).runCli;
    const io: CliIo = {
      stdout: (s) => writeAll(1, s),
      stderr: (s) => writeAll(2, s),
      env: process.env,
      cwd: process.cwd(),
      // process.stdin and process.stdout are made on first use (a pipe's costs a net.Socket): a guest
      // that never reads stdin never makes it.
      get stdin() {
        return process.stdin;
      },
      stdinIsTerminal: isTerminal(0),
      stdoutIsTerminal: isTerminal(1),
      stderrIsTerminal: isTerminal(2),
    };
    const code = await runCli(argv, io);
    if (isTerminal(0)) process.stdin.setRawMode?.(false);
    bundled?.saveCache(io);
    process.exit(code);
  }
}

void main();
