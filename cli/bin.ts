#!/usr/bin/env node
// The `wasmbox` executable: on a Node without JSPI it re-runs itself under the bundled Node (the npm
// package `node`); then it parses process.argv with run-cli.ts and exits with the command's code.
import { existsSync, writeSync } from "node:fs";
import module, { createRequire } from "node:module";
import * as nodePath from "node:path";
import { isatty } from "node:tty";

/** Node's on-disk cache of compiled JavaScript (Node 22.1+): a later start skips most parsing. */
function enableCompileCache(): void {
  // Looked up by name: the @types/node this project builds against (Node 20) does not declare it.
  const enable: unknown = Reflect.get(module, "enableCompileCache");
  try {
    if (typeof enable === "function") enable.call(module);
  } catch {
    // An unwritable cache directory only costs speed.
  }
}

/**
 * The bundled Node's executable when this one has no JSPI and the user did not ask to keep it
 * (WASMBOX_NO_REEXEC=1, or --engine worker anywhere on the line); undefined otherwise.
 */
function reexecTarget(argv: readonly string[]): string | undefined {
  if ("Suspending" in WebAssembly || process.env.WASMBOX_NO_REEXEC === "1") return undefined;
  if (argv.some((a, i) => (a === "--engine" && argv[i + 1] === "worker") || a === "--engine=worker")) return undefined;
  try {
    const pkg = createRequire(import.meta.url).resolve("node/package.json");
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
  const fromTerminal: NodeJS.Signals[] = isatty(0) ? ["SIGINT", "SIGQUIT", "SIGWINCH"] : [];
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
      off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      if (!(e instanceof Error && "code" in e && e.code === "EAGAIN")) throw e;
    }
  }
}

const argv = process.argv.slice(2);
const target = reexecTarget(argv);
if (target) {
  reexec(target, argv);
} else {
  enableCompileCache();
  // The build's one-file bundle of run-cli.js and what a module run needs (package.json build:bundle)
  // saves a module run ~30 ms of loading 50 files; run from sources (tsx), there is none.
  const bundle = new URL("./run-cli.bundle.js", import.meta.url);
  const { runCli } = (await import(existsSync(bundle) ? bundle.href : "./run-cli.js")) as typeof import("./run-cli.js");
  const code = await runCli(argv, {
    stdout: (s) => writeAll(1, s),
    stderr: (s) => writeAll(2, s),
    env: process.env,
    cwd: process.cwd(),
    // process.stdin and process.stdout are made on first use (a pipe's costs a net.Socket): a guest
    // that never reads stdin never makes it.
    get stdin() {
      return process.stdin;
    },
    stdinIsTerminal: isatty(0),
    stdoutIsTerminal: isatty(1),
    stderrIsTerminal: isatty(2),
  });
  if (isatty(0)) process.stdin.setRawMode?.(false);
  process.exit(code);
}
