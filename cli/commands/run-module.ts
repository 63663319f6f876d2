// `wasmbox run MODULE.wasm`: runs one module on a kernel embedded in the CLI process, with
// wasmtime's flags (--dir, --env), --trace, and --engine. Images go through the container commands.
import { readFileSync } from "node:fs";
import * as nodePath from "node:path";
import { Kernel, type DirMount, type EngineChoice, type RunResult } from "../../kernel/index.js";
import { ProgramError } from "../../kernel/program.js";
import { CliExit, type CliIo } from "../io.js";
import { cliHostOutputs } from "../host-outputs.js";

/** Options `run` shares between modules and images. */
export interface RunModuleOptions {
  dir?: string[];
  env?: string[];
  trace?: boolean;
  engine?: EngineChoice;
}

/** Parses `HOST[::GUEST]` as wasmtime spells it (GUEST defaults to HOST). */
export function parseDirFlag(value: string, cwd: string): DirMount {
  const [hostPart, guestPart] = value.split("::");
  if (!hostPart) throw new CliExit(2, `wasmbox: --dir ${value}: no host directory given`);
  const host = nodePath.resolve(cwd, hostPart);
  return { host, guest: guestPart ?? (nodePath.isAbsolute(hostPart) ? hostPart : "/" + hostPart.replace(/^\.\/?/, "")) };
}

/** Parses `K=V` (a bare `K` takes the CLI's own value, as docker -e does). */
export function parseEnvFlag(value: string, env: Record<string, string | undefined>): string {
  const eq = value.indexOf("=");
  if (eq > 0) return value;
  const own = env[value];
  return own === undefined ? "" : `${value}=${own}`;
}

/** Makes a kernel for one CLI run, with the terminal and trace wired to `io`. */
export function cliKernel(io: CliIo, options: { trace?: boolean; engine?: EngineChoice; hostname?: string }): Kernel {
  const stdin = io.stdin;
  const terminal = stdin?.isTTY && stdin.setRawMode ? { setRaw: (raw: boolean) => void stdin.setRawMode!(raw) } : undefined;
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
      terminal,
      trace: options.trace ? say : undefined,
      log: say,
    });
  } catch (e) {
    throw new CliExit(2, `wasmbox: ${(e as Error).message}`);
  }
  if ((options.engine ?? "auto") === "auto" && kernel.engineKind === "worker" && io.stderrIsTerminal) {
    io.stderr(`wasmbox: Node ${process.version} has no JSPI (WebAssembly.Suspending): guests run on the worker engine (one thread each)\n`);
  }
  return kernel;
}

/** Runs a module file; returns the exit code. */
export async function runModule(io: CliIo, file: string, args: string[], options: RunModuleOptions): Promise<number> {
  const hostPath = nodePath.resolve(io.cwd, file);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(hostPath);
  } catch (e) {
    throw new CliExit(2, `wasmbox: ${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const kernel = cliKernel(io, options);
  const dirs = (options.dir ?? []).map((d) => parseDirFlag(d, io.cwd));
  let result: RunResult;
  // ^C reaches the guest as SIGINT (it may catch it) rather than ending the CLI at once.
  const interrupt = () => kernel.interrupt();
  process.on("SIGINT", interrupt);
  const host = cliHostOutputs(kernel, io);
  try {
    const program = kernel.programs.compile(bytes, file, kernel.engineKind === "worker");
    result = await kernel.run(program, {
      argv0: file, args, env: (options.env ?? []).map((e) => parseEnvFlag(e, io.env)).filter(Boolean),
      dirs, stdin: io.stdin ?? null, tty: Boolean(io.stdin?.isTTY), capture: false,
      stdoutTo: host.stdout, stderrTo: host.stderr,
    });
  } catch (e) {
    if (e instanceof ProgramError) throw new CliExit(2, `wasmbox: ${e.detail}`);
    if (e instanceof Error && "errno" in e) throw new CliExit(2, `wasmbox: ${file}: ${e.message}`);
    throw e;
  } finally {
    host.close();
    process.off("SIGINT", interrupt);
  }
  return result.exitCode;
}
