// Runs a component as a kernel process: loads it (jco's output, cached), instantiates it with the
// kernel's WASI 0.2 imports for that process, calls wasi:cli/run (or an --invoke export) and settles the exit.
import type { Process } from "../proc/process.js";
import type { Kernel } from "../kernel.js";
import { settle } from "../engines/engine.js";
import { Errno, SysError } from "../errno.js";
import { ProgramError } from "../program.js";
import { CannotSuspendError, HostContext } from "./host-context.js";
import type { ComponentProgram, LoadedComponent } from "./loader.js";
import { importsStreams, wasiImports, type WaitingCalls } from "./wasi-imports.js";
import { ComponentHttpServer, CONTAINER_HTTP_PORT, exportsIncomingHandler, listenInNamespace, serveRequests } from "./http-server.js";
import { shareHostNetwork } from "./host-network.js";
import type { FdEntry } from "../proc/fd-table.js";

/** Which waiting calls must suspend for a process with these fds: reads and writes only where one of them can block. */
export function waitingCallsFor(fds: Iterable<readonly [number, FdEntry]>): WaitingCalls {
  let reads = false;
  let writes = false;
  for (const [, entry] of fds) {
    reads ||= entry.file.canBlockRead();
    writes ||= entry.file.canBlockWrite();
  }
  return { reads, writes };
}

function waitingCalls(proc: Process): WaitingCalls {
  return waitingCallsFor(proc.fds.entries());
}

/** Exit status of a component that could not be loaded when spawned by path (as a shell's "cannot execute"). */
const CANNOT_EXECUTE = 126;

/** The export jco gives a component's wasi:cli/run interface, whatever its version. */
function runExport(exports: Record<string, unknown>): (() => unknown) | undefined {
  for (const [key, value] of Object.entries(exports)) {
    if (!key.startsWith("wasi:cli/run@") || typeof value !== "object" || value === null) continue;
    const run: unknown = Reflect.get(value, "run");
    if (typeof run === "function") return run as () => unknown;
  }
  return undefined;
}

/** An export by name: top level (`name`) or inside an exported interface (`iface#name`, or `iface.name`). */
export function findExport(exports: Record<string, unknown>, name: string): ((...args: unknown[]) => unknown) | undefined {
  const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const split = name.lastIndexOf("#") >= 0 ? name.lastIndexOf("#") : -1;
  if (split < 0) {
    const fn = exports[camel(name)] ?? exports[name];
    return typeof fn === "function" ? (fn as (...args: unknown[]) => unknown) : undefined;
  }
  const iface = exports[name.slice(0, split)];
  if (typeof iface !== "object" || iface === null) return undefined;
  const fn: unknown = Reflect.get(iface, camel(name.slice(split + 1)));
  return typeof fn === "function" ? (fn as (...args: unknown[]) => unknown) : undefined;
}

/** Whether `error` is a component's own `err` result (jco's ComponentError), not a trap. */
function isErrResult(error: unknown): boolean {
  return error instanceof Error && error.constructor.name === "ComponentError" && Object.prototype.hasOwnProperty.call(error, "payload");
}

/** Starts component processes (the counterpart of an engine for modules). */
export class ComponentRunner {
  constructor(private readonly kernel: Kernel) {}

  /** Every component's handle: a kill needs no action (the pending wait is rejected and the component unwinds). */
  private readonly handle = { kind: "inline" as const, kill: () => undefined };

  start(proc: Process, program: ComponentProgram): void {
    proc.inline = true;
    proc.engine = this.handle;
    void this.run(proc, program);
  }

  private async run(proc: Process, program: ComponentProgram): Promise<void> {
    const shape = { name: program.name, memory: null };
    let component: LoadedComponent;
    let serve: ComponentHttpServer | undefined;
    try {
      const calls = waitingCalls(proc);
      const fits = program.loaded && (program.loaded.suspends === null || (program.loaded.suspends.reads === calls.reads && program.loaded.suspends.writes === calls.writes));
      component = fits && program.loaded ? program.loaded : await this.kernel.components.load(program.bytes, program.name, calls);
      // A wasi:http proxy (incoming-handler, no wasi:cli/run) started as a process serves on its namespace's port 8080.
      const proxy = !program.invoke && !component.exports.some(([name]) => name.startsWith("wasi:cli/run@")) && exportsIncomingHandler(component);
      if (proxy && !program.serve && program.runOnly) {
        throw new ProgramError(Errno.NOEXEC, `${program.name}: a wasi:http proxy component (it exports wasi:http/incoming-handler, not wasi:cli/run): serve it with \`wasmbox serve ${program.name}\``);
      }
      serve = program.serve ?? (proxy ? new ComponentHttpServer() : undefined);
      // HTTP bodies and sockets are pipes and sockets the component may wait on, whatever fds it started with.
      if (component.suspends && (serve || importsStreams(component.imports)) && !(component.suspends.reads && component.suspends.writes)) {
        component = await this.kernel.components.load(program.bytes, program.name, { reads: true, writes: true });
      }
      if (program.hostNetworkFor && component.imports.some((name) => program.hostNetworkFor!.includes(name))) shareHostNetwork(proc.container.net);
      if (serve && !exportsIncomingHandler(component)) throw new ProgramError(Errno.NOEXEC, `${program.name}: exports no wasi:http/incoming-handler (is it an HTTP proxy component?)`);
      if (serve && !component.suspends) {
        throw new ProgramError(Errno.NOEXEC, `${program.name}: serving HTTP needs JSPI (WebAssembly.Suspending) so that a handler can wait for its request body, which Node ${process.version} lacks: run it on Node 24.21 or later (the wasmbox CLI re-runs itself under its pinned Node 26)`);
      }
      if (serve && !program.serve) listenInNamespace(this.kernel, proc, serve);
    } catch (error) {
      void serve?.close();
      const text = error instanceof ProgramError ? error.detail : error instanceof SysError ? `${program.name}: cannot listen on port ${CONTAINER_HTTP_PORT}: ${Errno[error.errno]}` : `${program.name}: ${error instanceof Error ? error.message : String(error)}`;
      writeStderr(this.kernel, proc, `wasmbox: ${text}\n`);
      return proc.finish(CANNOT_EXECUTE << 8);
    }
    await this.kernel.scheduler.acquire(proc);
    if (proc.killSignal !== undefined) return settle(this.kernel, proc, shape, { ok: false, error: undefined });
    const host = new HostContext(this.kernel, proc, component.suspends, program.name);
    try {
      if (serve) {
        try {
          await serveRequests(this.kernel, proc, component, serve, (text) => writeStderr(this.kernel, proc, `wasmbox serve: ${text}\n`));
        } finally {
          // The server made for this process (not the one `wasmbox serve` owns) ends with it.
          if (serve !== program.serve) void serve.close();
        }
        return settle(this.kernel, proc, shape, { ok: true });
      }
      const exports = await component.instantiate((file) => component.cores.get(file)!, wasiImports(host), (module, imports) => new WebAssembly.Instance(module, imports));
      if (program.invoke) {
        const fn = findExport(exports, program.invoke.name);
        if (!fn) throw new ProgramError(Errno.NOEXEC, `${program.name}: exports no function ${program.invoke.name}`);
        program.invoke.results(await fn(...program.invoke.args));
      } else {
        const run = runExport(exports);
        if (!run) throw new ProgramError(Errno.NOEXEC, `${program.name}: exports no wasi:cli/run (is it a command component?)`);
        await run();
      }
      settle(this.kernel, proc, shape, { ok: true });
    } catch (error) {
      if (proc.killSignal === undefined && isErrResult(error)) {
        // A function's err result (wasi:cli/run's, or an --invoke export's): written back, exit 1.
        program.invoke?.results(Reflect.get(error as object, "payload"), true);
        return proc.finish(1 << 8);
      }
      if (proc.killSignal === undefined && (error instanceof CannotSuspendError || error instanceof ProgramError)) {
        writeStderr(this.kernel, proc, `wasmbox: ${error instanceof ProgramError ? error.detail : error.message}\n`);
        return proc.finish((error instanceof ProgramError ? CANNOT_EXECUTE : 1) << 8);
      }
      settle(this.kernel, proc, shape, { ok: false, error });
    }
  }
}

/** Writes a line to the process's stderr, or the kernel log when it has none. */
function writeStderr(kernel: Kernel, proc: Process, text: string): void {
  try {
    if (proc.fds.has(2)) {
      proc.fds.get(2).file.write([Buffer.from(text)]);
      return;
    }
  } catch {
    // Its stderr is gone or full: the kernel log has it.
  }
  kernel.notice(text.trimEnd());
}
