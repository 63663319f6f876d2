// `wasmbox run MODULE.wasm|.wat` and `wasmbox MODULE.wasm`: one module on a kernel embedded in the
// CLI, in wasmtime's model (only the --dir/--tmpfs preopens, from fd 3), with --trace and --engine.
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import {
  Kernel, type Container, type DirMount, type EngineChoice, type RunResult, type TmpfsMount, ProgramError, isComponent, type TerminalControl,
  Errno, SysError, formatSockAddr, type SockAddr, listenOnHost, parseHostPort, type OpenFile,
} from "../../kernel/core.js";
import { parseDuration, parseSize, SpecError } from "../../containers/spec.js";
import { envEntries, parseEngine } from "../../containers/options.js";
import { exportSignature, formatResults, parseInvokeArgs, type Signature } from "../invoke.js";
import { CliExit, type CliIo } from "../io.js";
import { cliHostOutputs } from "../host-outputs.js";
import { importModule } from "../../kernel/core.js";
import { hasFlag, refuseInapplicable, valuesOf, type ParsedRun } from "../run-flags.js";

/** What a module run takes, after parsing. */
export interface RunModuleOptions {
  /** The --dir and --tmpfs flags, in the order given (their preopens get fds 3, 4, ... in this order). */
  preopens?: Array<DirMount | TmpfsMount>;
  env?: string[];
  trace?: boolean;
  engine?: EngineChoice;
  /** --invoke: the export to call instead of _start (ARGS are its arguments). */
  invoke?: string;
  /** --memory, in bytes. */
  memoryBytes?: number;
  /** --time-limit, in milliseconds, and as the user spelled it (for the message). */
  timeLimit?: { ms: number; text: string };
  /** --tcplisten addresses, in order (their sockets get fds 3, 4, ... before the preopened folders). */
  tcpListen?: SockAddr[];
}

/** Parses `HOST[::GUEST]` as wasmtime does: preopened under GUEST, or under HOST as written. The folder must exist. */
export function parseDirFlag(value: string, cwd: string): DirMount {
  const sep = value.indexOf("::");
  const hostPart = sep < 0 ? value : value.slice(0, sep);
  const guest = sep < 0 ? value : value.slice(sep + 2);
  if (!hostPart || !guest) throw new CliExit(2, `wasmbox: --dir ${value}: expected HOST or HOST::GUEST`);
  const host = resolvePath(cwd, hostPart);
  let isDir = false;
  try {
    isDir = statSync(host).isDirectory();
  } catch {
    throw new CliExit(2, `wasmbox: --dir ${hostPart}: no such directory`);
  }
  if (!isDir) throw new CliExit(2, `wasmbox: --dir ${hostPart}: not a directory`);
  return { host, guest };
}

/** The CLI's terminal as the kernel drives it: its raw mode, and the window of whichever of stdout or stderr is one. */
export function hostTerminal(setRaw: (raw: boolean) => void): TerminalControl {
  const screen = [process.stdout, process.stderr].find((s) => s.isTTY);
  return {
    setRaw,
    size: () => (screen?.rows && screen.columns ? { rows: screen.rows, cols: screen.columns } : undefined),
    onResize(listener) {
      screen?.on("resize", listener);
      return () => void screen?.off("resize", listener);
    },
  };
}

/** Whether the CLI's stdin is a terminal, asked without making the stdin stream where io knows. */
export function stdinIsTerminal(io: CliIo): boolean {
  return io.stdinIsTerminal ?? Boolean(io.stdin?.isTTY);
}

/** Makes a kernel for one CLI run, with the terminal and trace wired to `io`. */
export function cliKernel(io: CliIo, options: { trace?: boolean; engine?: EngineChoice; hostname?: string; reuseInstances?: boolean; preemption?: boolean; outlineLoops?: boolean; growSignal?: boolean; componentCacheDir?: string }): Kernel {
  const terminal = stdinIsTerminal(io) ? hostTerminal((raw) => void io.stdin?.setRawMode?.(raw)) : undefined;
  let kernel: Kernel;
  // A kernel line goes out after the guests' buffered output, so that 2>&1 keeps their order.
  const say = (line: string) => {
    kernel.hostOutputs.flush();
    io.stderr(line + "\n");
  };
  try {
    kernel = new Kernel({
      engine: options.engine ?? "auto",
      hostname: options.hostname,
      reuseInstances: options.reuseInstances,
      preemption: options.preemption,
      // A CLI kernel lives for one run, which compiles its programs anew: the outlined loops would
      // make every start dearer (busybox: about 0.1 s), where the daemon compiles an image once.
      outlineLoops: options.outlineLoops ?? false,
      growSignal: options.growSignal,
      terminal,
      trace: options.trace ? say : undefined,
      log: say,
      componentCacheDir: options.componentCacheDir,
    });
  } catch (e) {
    throw new CliExit(2, `wasmbox: ${e instanceof Error ? e.message : String(e)}`);
  }
  // The trace starts with where guests run, so a user (and the re-exec test) can tell.
  if (options.trace) io.stderr(`[kernel] engine ${kernel.engineKind}, Node ${process.version}\n`);
  if ((options.engine ?? "auto") === "auto" && kernel.engineKind === "worker" && io.stderrIsTerminal) {
    io.stderr(`wasmbox: Node ${process.version} has no JSPI (WebAssembly.Suspending): guests run on the worker engine (one thread each)\n`);
  }
  return kernel;
}

/** A module flag's value, its SpecError ending the CLI with 2 (wasmtime's usage status). */
function moduleFlag<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof SpecError) throw new CliExit(2, `wasmbox: ${e.message}`);
    throw e;
  }
}

/** The options of a module run from the flags given (each already checked to apply to a module). */
export function moduleOptions(io: CliIo, run: ParsedRun): RunModuleOptions {
  refuseInapplicable(run, "module");
  const engine = moduleFlag(() => parseEngine(valuesOf(run.given, "--engine").at(-1) ?? "auto"));
  const preopens: Array<DirMount | TmpfsMount> = [];
  for (const g of run.given) {
    if (typeof g.value !== "string") continue;
    if (g.spelled === "--dir") preopens.push(parseDirFlag(g.value, io.cwd));
    else if (g.spelled === "--tmpfs") preopens.push({ tmpfs: true, guest: g.value });
  }
  const env = envEntries([...valuesOf(run.given, "--env"), ...valuesOf(run.given, "--env-var")], io.env);
  const tcpListen = valuesOf(run.given, "--tcplisten").map((text) => {
    const addr = parseHostPort(text);
    if (!addr) throw new CliExit(2, `wasmbox: --tcplisten ${text}: expected HOST:PORT with an IP address (127.0.0.1:8080, [::1]:8080)`);
    return addr;
  });
  const options: RunModuleOptions = { preopens, env, engine, trace: hasFlag(run.given, "--trace"), invoke: valuesOf(run.given, "--invoke").at(-1), tcpListen };
  const memory = valuesOf(run.given, "--memory").at(-1);
  if (memory !== undefined) options.memoryBytes = moduleFlag(() => parseSize(memory, "--memory"));
  const limit = valuesOf(run.given, "--time-limit").at(-1);
  if (limit !== undefined) options.timeLimit = { ms: moduleFlag(() => parseDuration(limit, "--time-limit")), text: limit };
  return options;
}

/** Room left before a module's bytes in their buffer, for the rewrite's new first sections (compileOnce's `consume`). */
const REWRITE_HEADROOM = 64 * 1024;

/** A file's bytes in a buffer of their own with REWRITE_HEADROOM free bytes before them. */
function readWithHeadroom(hostPath: string): Uint8Array {
  const fd = openSync(hostPath, "r");
  try {
    const size = fstatSync(fd).size;
    // Not Buffer.allocUnsafe: a small one comes from Node's shared pool, whose other bytes are not ours to overwrite.
    const buffer = Buffer.allocUnsafeSlow(REWRITE_HEADROOM + size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, buffer, REWRITE_HEADROOM + at, size - at, null);
      if (n === 0) break;
      at += n;
    }
    return buffer.subarray(REWRITE_HEADROOM, REWRITE_HEADROOM + at);
  } finally {
    closeSync(fd);
  }
}

/** A module's bytes: a binary as read, a text module (.wat, or text starting with "(") compiled with binaryen. */
async function moduleBytes(file: string, hostPath: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = readWithHeadroom(hostPath);
  } catch (e) {
    const code = e instanceof Error && "code" in e ? String(e.code) : String(e);
    throw new CliExit(2, `wasmbox: ${file}: cannot read: ${code}`);
  }
  const isBinary = bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
  const text = isBinary ? "" : Buffer.from(bytes).toString("utf8");
  if (isBinary || !(file.endsWith(".wat") || /^(\s|;;[^\n]*\n|\(;[^]*?;\))*\(/.test(text))) return bytes;
  let binaryen: typeof import("binaryen").default;
  try {
    binaryen = ((await importModule("binaryen")) as typeof import("binaryen")).default;
  } catch {
    throw new CliExit(2, `wasmbox: ${file}: a text module needs the npm package binaryen, which is not installed`);
  }
  let module: ReturnType<typeof binaryen.parseText>;
  try {
    module = binaryen.parseText(text);
  } catch (e) {
    const message = typeof e === "object" && e !== null && "message" in e ? String(e.message) : String(e);
    throw new CliExit(2, `wasmbox: ${file}:${message.replace(/: error: /, ": ")}`);
  }
  try {
    // Every feature the text may use, but not binaryen's compact import encoding, which V8 cannot
    // read (looked up by name: binaryen's typings do not list it).
    const compact: unknown = Reflect.get(binaryen.Features, "CompactImports");
    module.setFeatures(binaryen.Features.All & ~(typeof compact === "number" ? compact : 0));
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

/** Runs a module file; returns the exit code. */
export async function runModule(io: CliIo, file: string, args: string[], options: RunModuleOptions): Promise<number> {
  const bytes = await moduleBytes(file, resolvePath(io.cwd, file));
  if (isComponent(bytes)) {
    const { runComponent } = await import("./run-component.js");
    return runComponent(io, file, bytes, args, options);
  }
  let signature: Signature | undefined;
  let invokeArgs: Array<number | bigint> = [];
  if (options.invoke !== undefined) {
    try {
      signature = exportSignature(bytes, options.invoke);
    } catch (e) {
      throw new CliExit(2, `wasmbox: ${file}: cannot read the signature of ${options.invoke}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!signature) throw new CliExit(2, `wasmbox: ${file}: exports no function ${options.invoke}`);
    invokeArgs = parseInvokeArgs(options.invoke, signature, args);
  }
  // One run: no instance is ever reused, so none is captured for it. As in wasmtime, a module run
  // is interruptible only when a time limit asks for it: the preemption checks cost a large module's
  // first start a decode of all its code, and compute loops 15-50% (README, Figures). The same
  // decode makes memory.grow tell the kernel of a refusal: done only when --memory sets a limit.
  const kernel = cliKernel(io, { ...options, reuseInstances: false, preemption: options.timeLimit !== undefined, growSignal: options.memoryBytes !== undefined });
  let result: RunResult;
  // ^C reaches the guest as SIGINT (it may catch it) rather than ending the CLI at once; the run
  // has a container of its own, known once its process starts.
  let container: Container | undefined;
  const interrupt = () => {
    if (container) kernel.interrupt(container);
  };
  process.on("SIGINT", interrupt);
  const host = cliHostOutputs(kernel, io);
  try {
    // The bytes are not used after this: the rewrite may work in them (see moduleBytes).
    let program = await kernel.programs.compileOnce(bytes, file, kernel.engineKind === "worker", options.invoke, true);
    const limit = options.memoryBytes;
    if (limit !== undefined && program.memory && program.memory.minimum * 65536 > limit) {
      throw new CliExit(2, `wasmbox: ${file}: its memory starts at ${program.memory.minimum * 65536} bytes, more than --memory ${limit}`);
    }
    if (signature && options.invoke !== undefined) {
      const shape = signature;
      program = { ...program, invoke: { name: options.invoke, args: invokeArgs, results: (values) => {
        kernel.hostOutputs.flush();
        io.stdout(formatResults(shape, values));
      } } };
    }
    const sockets = await hostListeners(kernel, options.tcpListen ?? []);
    result = await kernel.run(program, {
      argv0: file, args, env: options.env ?? [], dirs: options.preopens ?? [], preopenRoot: false, sockets,
      limits: { memoryBytes: limit, wallTimeMs: options.timeLimit?.ms },
      // Made only when the guest first reads it (see CliIo.stdin).
      stdin: () => io.stdin, tty: stdinIsTerminal(io), capture: false,
      stdoutTo: host.stdout, stderrTo: host.stderr,
      onStart: (proc) => (container = proc.container),
    });
  } catch (e) {
    throw runFailure(e, file);
  } finally {
    host.close();
    process.off("SIGINT", interrupt);
  }
  return endOfRun(io, file, result, options.timeLimit?.text);
}

/** A run that could not start, as the CLI says it: a bad program or an errno is one line, exit 2. */
export function runFailure(e: unknown, file: string): unknown {
  if (e instanceof ProgramError) return new CliExit(2, `wasmbox: ${e.detail}`);
  if (e instanceof Error && "errno" in e) return new CliExit(2, `wasmbox: ${file}: ${e.message}`);
  return e;
}

/** The exit code of a finished run, after saying why on stderr when --time-limit ended it. */
export function endOfRun(io: CliIo, file: string, result: RunResult, timeLimitText: string | undefined): number {
  if (result.limitHit === "wall-time") io.stderr(`wasmbox: ${file}: killed: --time-limit ${timeLimitText} passed\n`);
  // A kill for memory is a fact (a grow refused at the --memory maximum, then a failure): say so.
  if (result.limitHit === "memory" && result.exitCode === 137) io.stderr(`wasmbox: ${file}: out of memory: killed at its --memory limit\n`);
  return result.exitCode;
}

/** Opens the --tcplisten sockets on the host; a taken port or a foreign address is one line, exit 2. */
async function hostListeners(kernel: Kernel, addrs: readonly SockAddr[]): Promise<OpenFile[]> {
  const sockets: OpenFile[] = [];
  for (const addr of addrs) {
    try {
      sockets.push(await listenOnHost(kernel.host.net, addr, () => kernel.allocIno()));
    } catch (e) {
      for (const s of sockets) s.release();
      const reason = e instanceof SysError && e.errno === Errno.ADDRINUSE ? "address already in use" : e instanceof Error ? e.message : String(e);
      throw new CliExit(2, `wasmbox: --tcplisten ${formatSockAddr(addr)}: ${reason}`);
    }
  }
  return sockets;
}

/** `run` for a module: the flags as parsed by run-flags.ts, then the run. */
export async function runModuleCommand(io: CliIo, run: ParsedRun): Promise<number> {
  return runModule(io, run.target, run.args, moduleOptions(io, run));
}
