// cli/: the bin's hand-over to the bundled Node (the npm package `node`) when the Node that started it
// has no JSPI; a file of its own, which the bin loads only then, so that a start on a JSPI Node does not parse it.

/**
 * Runs the bin again under the bundled Node when this one has no JSPI and the user did not ask to
 * keep it (WASMBOX_NO_REEXEC=1, or --engine worker anywhere on the line): true when the child was
 * started (this process then ends as it ends), false when this process runs the command itself.
 */
export function reexecIfNeeded(argv: readonly string[]): boolean {
  const target = reexecTarget(argv);
  if (target === undefined) return false;
  reexec(target, argv);
  return true;
}

/** The bundled Node's executable when a re-exec is wanted and there is one other than this Node. */
function reexecTarget(argv: readonly string[]): string | undefined {
  if ("Suspending" in WebAssembly || process.env.WASMBOX_NO_REEXEC === "1") return undefined;
  if (argv.some((a, i) => (a === "--engine" && argv[i + 1] === "worker") || a === "--engine=worker")) return undefined;
  const nodePath = process.getBuiltinModule("node:path");
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
  const { spawn } = process.getBuiltinModule("node:child_process");
  // The child runs the same script; WASMBOX_NO_REEXEC stops a second re-exec should it lack JSPI too.
  const child = spawn(exe, [...process.execArgv, script, ...argv], { stdio: "inherit", env: { ...process.env, WASMBOX_NO_REEXEC: "1" } });
  const forward = (sig: NodeJS.Signals) => () => void child.kill(sig);
  // A terminal sends ^C, ^\ and resizes to its whole foreground group, the child included: passed on
  // as well, the child would get each twice. Otherwise (kill PID), each is passed on.
  const fromTerminal: NodeJS.Signals[] = process.getBuiltinModule("node:tty").isatty(0) ? ["SIGINT", "SIGQUIT", "SIGWINCH"] : [];
  const ignore = () => undefined;
  for (const sig of fromTerminal) process.on(sig, ignore);
  const all: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH"];
  const signals = all.filter((s) => !fromTerminal.includes(s));
  const handlers = signals.map((sig) => [sig, forward(sig)] as const);
  for (const [sig, handler] of handlers) process.on(sig, handler);
  child.on("error", (e) => {
    process.getBuiltinModule("node:fs").writeSync(2, `wasmbox: cannot start the bundled Node (${exe}): ${e.message}\n`);
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
