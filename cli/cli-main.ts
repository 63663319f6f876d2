// cli/: the CLI process around runCli, for the bin (wasmbox.cts): the host's stdio as a CliIo, the exit
// code, and the bundle's V8 code cache, written after a run worth keeping it for. Lives in the bundles.
import type { CliIo } from "./io.js";

// Builtins come from process.getBuiltinModule: an ES import of node:fs makes Node evaluate every
// export of it (its streams and promises too), and node:tty loads node:net (~5 ms of a start each).

/** A code cache the bin wants written (there was none, or V8 refused it): where, its first line, and V8's data. */
export interface CodeCacheToSave {
  file: string;
  /** The bundle's build and the Node it was taken on, one line: V8 itself checks only the source length. */
  stamp: string;
  data: () => Buffer;
}

/** An entry's runCli, and whether a command line's run is one to keep the code cache after. */
export interface CliEntry {
  runCli: (argv: string[], io: CliIo) => Promise<number>;
  worthCaching: (argv: readonly string[], io: CliIo) => boolean;
}

/** Runs the command line on the host's stdio, saves the code cache when `cache` asks and the run was worth it, and exits with the code. */
export async function startCli(argv: string[], cache: CodeCacheToSave | undefined, entry: CliEntry): Promise<never> {
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
  const code = await entry.runCli(argv, io);
  if (io.stdinIsTerminal) process.stdin.setRawMode?.(false);
  if (cache && entry.worthCaching(argv, io)) saveCodeCache(cache);
  process.exit(code);
}

/**
 * Writes the code cache whole under another name, then renames it: a CLI starting meanwhile reads
 * all or nothing. An unwritable (or full) cache folder only costs speed.
 */
function saveCodeCache(cache: CodeCacheToSave): void {
  const fs = process.getBuiltinModule("node:fs");
  const partial = `${cache.file}.${process.pid}`;
  try {
    fs.mkdirSync(process.getBuiltinModule("node:path").dirname(cache.file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(partial, Buffer.concat([Buffer.from(cache.stamp), cache.data()]));
    fs.renameSync(partial, cache.file);
  } catch {
    fs.rmSync(partial, { force: true });
  }
}

/** Writes all of `data` to a host fd, waiting out EAGAIN (a non-blocking pipe); a reader gone away ends the CLI quietly. */
function writeAll(fd: number, data: string | Uint8Array): void {
  const fs = process.getBuiltinModule("node:fs");
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
    stat = process.getBuiltinModule("node:fs").fstatSync(fd);
  } catch {
    return false;
  }
  if (!stat.isCharacterDevice()) return false;
  // Linux's memory devices (major 1: /dev/null, /dev/zero, /dev/urandom...) are never terminals.
  if (process.platform === "linux" && stat.rdev < 2 ** 32 && Math.floor(stat.rdev / 256) % 4096 === 1) return false;
  return process.getBuiltinModule("node:tty").isatty(fd);
}
