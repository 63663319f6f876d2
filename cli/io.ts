// What a CLI command may touch of the outside world, passed in so tests can run commands in-process.
// The bin file gives the real process streams; tests give collectors.

/** The streams and environment a command runs against. */
export interface CliIo {
  /** Writes to standard output, as-is (no newline added). */
  stdout(text: string | Uint8Array): void;
  /** Writes to standard error, as-is (no newline added). */
  stderr(text: string | Uint8Array): void;
  /** Environment variables (WASMBOX_HOME among them). */
  env: Record<string, string | undefined>;
  /** Working directory that relative host paths are resolved against. */
  cwd: string;
  /** Whether standard input is a terminal (known without making the `stdin` stream). */
  stdinIsTerminal?: boolean;
  /** Whether standard output is a terminal (a guest's output to it is then not buffered). */
  stdoutIsTerminal?: boolean;
  /** Whether standard error is a terminal (notices meant for a person are shown only then). */
  stderrIsTerminal?: boolean;
  /** Standard input of the CLI process, when a command streams it to a guest. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(raw: boolean): unknown };
}

/** Raised by a command to end the CLI with this exit code after printing `message` to stderr. */
export class CliExit extends Error {
  constructor(readonly code: number, message = "") {
    super(message);
    this.name = "CliExit";
  }

  /**
   * Whether `e` is a CliExit, by shape: the module-run bundle (run-cli.bundle.cjs) has its own copy
   * of this class, and the commands it loads from beside it throw the other one.
   */
  static is(e: unknown): e is CliExit {
    return e instanceof Error && e.name === "CliExit" && "code" in e && typeof e.code === "number";
  }
}

/**
 * The exit code of a command that threw `e`: a CliExit's (its message printed to stderr), 125 for commander's usage
 * errors (as docker's CLI), 0 for its help and version exits; anything else is rethrown.
 */
export function exitCodeOf(e: unknown, io: CliIo): number {
  if (CliExit.is(e)) {
    if (e.message) io.stderr(e.message.endsWith("\n") ? e.message : e.message + "\n");
    return e.code;
  }
  if (typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" && e.code.startsWith("commander.")) {
    const exit = "exitCode" in e && typeof e.exitCode === "number" ? e.exitCode : 125;
    return exit === 0 ? 0 : 125;
  }
  throw e;
}
