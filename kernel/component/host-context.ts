// What a component's WASI 0.2 host functions share for one process: calls into the kernel's own
// syscall handlers (same fds, rights, mounts and overlay as a preview1 guest), and the way they wait.
import { Errno, SysError } from "../errno.js";
import type { Process } from "../proc/process.js";
import { ProcKilled, Wait } from "../proc/wait.js";
import type { Kernel } from "../kernel.js";
import type { WaitingCalls } from "./wasi-imports.js";
import type { FdEntry } from "../proc/fd-table.js";
import type { OpenFile } from "../vfs/open-file.js";

/** A component's call that had to wait where it cannot suspend (no JSPI): it ends the process with this. */
export class CannotSuspendError extends Error {}

/** A WASI 0.2 call of the kernel's own that failed: `errno` is what a preview1 guest would have got. */
export class KernelCallError extends Error {
  constructor(readonly errno: Errno) {
    super(`${Errno[errno] ?? "?"} (errno ${errno})`);
  }
}

/** The per-process context of every host resource a component holds. */
export class HostContext {
  private readonly handlers = new Map<string, (proc: Process, ...args: unknown[]) => unknown>();
  /** The fds this context opened (bodies, sockets, files), with their files: closeOpened() ends them. */
  private readonly opened = new Map<number, OpenFile>();

  /**
   * `suspends`: which calls may return a promise (JSPI suspends the component there; null: none,
   * no JSPI). A call that would have to wait where it cannot ends the process with a message naming it.
   */
  constructor(readonly kernel: Kernel, readonly proc: Process, readonly suspends: WaitingCalls | null, readonly componentName: string) {
    // The table's handlers have their argument types erased; these calls pass what each one decodes to.
    for (const def of kernel.syscalls) this.handlers.set(def.name, def.handler as (proc: Process, ...args: unknown[]) => unknown);
  }

  /** Adds an fd to the process's table, remembered as this context's (closeOpened). */
  addFd(entry: FdEntry): number {
    const fd = this.proc.fds.add(entry);
    this.opened.set(fd, entry.file);
    return fd;
  }

  /** Remembers an fd a kernel call opened for this context (path_open's) as this context's. */
  track(fd: number): number {
    if (this.proc.fds.has(fd)) this.opened.set(fd, this.proc.fds.get(fd).file);
    return fd;
  }

  /**
   * Closes the fds this context opened that are still open on the same files (a served request's,
   * when it ends: what it left open; a number closed and reused meanwhile is another's and stays).
   */
  closeOpened(): void {
    const fds = this.proc.fds;
    for (const [fd, file] of this.opened) if (fds.has(fd) && fds.get(fd).file === file) fds.close(fd);
    this.opened.clear();
  }

  /**
   * Calls the kernel's handler of preview1 call `name` with decoded values: a value, or a Wait when
   * it would block. SysError comes back as is; a kill pending on the caller unwinds it.
   */
  call(name: string, ...args: unknown[]): unknown {
    const proc = this.proc;
    // A component killed while it computed ends at its next call, as nothing else can stop it.
    if (proc.killSignal !== undefined) throw new ProcKilled(proc.killSignal);
    proc.host.current = proc;
    proc.container.limiter.enforceTime(proc, proc.host.scheduler);
    if (this.kernel.trace) this.kernel.trace(`[${proc.pid}] ${name}(${args.map(describe).join(", ")}) (component)`);
    try {
      return this.handlers.get(name)!(proc, ...args);
    } catch (e) {
      // A failed call may have signalled its caller to death (EPIPE brings SIGPIPE).
      if (proc.killSignal !== undefined) throw new ProcKilled(proc.killSignal);
      throw e;
    }
  }

  /**
   * Runs `attempt` until it gives something other than a Wait, sleeping on each Wait as a blocked
   * preview1 call does (the scheduler runs others; a kill unwinds). Synchronous when no wait is needed.
   */
  wait<T>(what: string, kind: "read" | "write" | "other", attempt: () => T | Wait): T | Promise<T> {
    const proc = this.proc;
    const suspends = this.suspends !== null && (kind === "other" || (kind === "read" ? this.suspends.reads : this.suspends.writes));
    // A busy component gives the CPU to the others at its calls that may wait, as a preview1 guest does.
    const first = suspends && proc.host.scheduler.shouldYield(proc) ? new Wait(Promise.resolve()) : attempt();
    if (!(first instanceof Wait)) return first;
    if (this.suspends === null) {
      throw new CannotSuspendError(`${this.componentName}: ${what} has to wait, and a component can wait only with JSPI (WebAssembly.Suspending), which Node ${process.version} lacks: run it on Node 24.21 or later (the wasmbox CLI re-runs itself under its pinned Node 26)`);
    }
    if (!suspends) throw new Error(`kernel bug: ${what} had to wait where it was bound not to (no fd it started with could block)`);
    return (async () => {
      let current = first;
      for (;;) {
        await proc.sleep(current.until);
        const next = current.resume ? (current.resume() as T | Wait) : attempt();
        if (!(next instanceof Wait)) return next;
        current = next;
      }
    })();
  }
}

/** A SysError as the kernel error a WASI 0.2 error value carries; anything else is rethrown. */
export function kernelError(e: unknown): KernelCallError {
  if (e instanceof SysError) return new KernelCallError(e.errno);
  throw e;
}

function describe(value: unknown): string {
  if (value instanceof Uint8Array) return `[${value.length} bytes]`;
  if (Array.isArray(value)) return `[${value.map(describe).join(", ")}]`;
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
