// The import object of a transpiled component: every wasi:* interface it may import, implemented
// by the kernel for one process (wasi:cli, wasi:io, wasi:filesystem, wasi:clocks, wasi:random, wasi:http, wasi:sockets).
// node:crypto is loaded when first used (process.getBuiltinModule): a module run's start never pays for it.
import { ProcExit } from "../proc/wait.js";
import { nowNs } from "../vfs/vnode.js";
import { HostContext } from "./host-context.js";
import { clockPollable, InputStream, IoError, OutputStream, poll, Pollable } from "./wasi-io.js";
import { Descriptor, DirectoryEntryStream, filesystemErrorCode, preopenedDirectories } from "./wasi-filesystem.js";
import { wasiHttpImports } from "./wasi-http.js";
import { wasiSocketsImports } from "./wasi-sockets.js";

/**
 * Which of a component's waiting calls suspend (JSPI): a suspending import costs a suspension on
 * every call (jco makes it async), so reads and writes suspend only where an fd the process starts
 * with can make them wait (a pipe, a live stdin); a component cannot make pipes, and files never wait.
 */
export interface WaitingCalls {
  reads: boolean;
  writes: boolean;
}

const READ_WAITS = [
  "wasi:io/streams#[method]input-stream.blocking-read",
  "wasi:io/streams#[method]input-stream.blocking-skip",
];
const WRITE_WAITS = [
  "wasi:io/streams#[method]output-stream.blocking-write-and-flush",
  "wasi:io/streams#[method]output-stream.blocking-flush",
  "wasi:io/streams#[method]output-stream.blocking-write-zeroes-and-flush",
];
/** Calls that may always wait: polls and timers, a splice (its source may be stdin), a sync in a container that saves its changes. */
const OTHER_WAITS = [
  "wasi:io/poll#poll",
  "wasi:io/poll#[method]pollable.block",
  "wasi:io/streams#[method]output-stream.blocking-splice",
  "wasi:filesystem/types#[method]descriptor.sync",
  "wasi:filesystem/types#[method]descriptor.sync-data",
];

/** Whether a component with these imports needs its reads and writes to suspend whatever its fds (HTTP bodies are pipes). */
export function importsStreams(imports: readonly string[]): boolean {
  return imports.some((name) => name.startsWith("wasi:http/") || name.startsWith("wasi:sockets/"));
}

/** The imports jco makes suspending for `calls` (by jco's unversioned names). */
export function waitingImports(calls: WaitingCalls): string[] {
  return [...(calls.reads ? READ_WAITS : []), ...(calls.writes ? WRITE_WAITS : []), ...OTHER_WAITS];
}

/** wasi:cli/terminal-input.terminal-input and terminal-output: they carry nothing but their existence. */
class TerminalInput {}
class TerminalOutput {}

/** Whether fd of the process is a terminal. */
function isTerminal(host: HostContext, fd: number): boolean {
  return host.proc.fds.has(fd) && host.proc.fds.get(fd).file.isTerminal();
}

/** A random u64. */
function randomU64(): bigint {
  return process.getBuiltinModule("node:crypto").randomBytes(8).readBigUInt64LE(0);
}

/** The import object for one component process, keyed by interface as jco's instantiate() takes it. */
export function wasiImports(host: HostContext): Record<string, Record<string, unknown>> {
  const proc = host.proc;
  return {
    "wasi:cli/environment": {
      getEnvironment: () => proc.env.map((e): [string, string] => {
        const eq = e.indexOf("=");
        return eq < 0 ? [e, ""] : [e.slice(0, eq), e.slice(eq + 1)];
      }),
      getArguments: () => proc.argv.slice(),
      initialCwd: () => proc.cwd,
    },
    "wasi:cli/exit": {
      exit: (status: { tag: "ok" | "err" }) => {
        throw new ProcExit(status.tag === "ok" ? 0 : 1);
      },
      exitWithCode: (code: number) => {
        throw new ProcExit(code);
      },
    },
    "wasi:cli/stdin": { getStdin: () => new InputStream(host, 0) },
    "wasi:cli/stdout": { getStdout: () => new OutputStream(host, 1) },
    "wasi:cli/stderr": { getStderr: () => new OutputStream(host, 2) },
    "wasi:cli/terminal-input": { TerminalInput },
    "wasi:cli/terminal-output": { TerminalOutput },
    "wasi:cli/terminal-stdin": { getTerminalStdin: () => (isTerminal(host, 0) ? new TerminalInput() : undefined) },
    "wasi:cli/terminal-stdout": { getTerminalStdout: () => (isTerminal(host, 1) ? new TerminalOutput() : undefined) },
    "wasi:cli/terminal-stderr": { getTerminalStderr: () => (isTerminal(host, 2) ? new TerminalOutput() : undefined) },
    "wasi:io/error": { Error: IoError },
    "wasi:io/poll": { Pollable, poll: (list: Pollable[]) => poll(host, list) },
    "wasi:io/streams": { InputStream, OutputStream },
    "wasi:clocks/monotonic-clock": {
      now: () => process.hrtime.bigint(),
      resolution: () => 1n,
      subscribeInstant: (when: bigint) => clockPollable(host, when),
      subscribeDuration: (duration: bigint) => clockPollable(host, process.hrtime.bigint() + duration),
    },
    "wasi:clocks/wall-clock": {
      now: () => {
        const ns = nowNs();
        return { seconds: ns / 1_000_000_000n, nanoseconds: Number(ns % 1_000_000_000n) };
      },
      resolution: () => ({ seconds: 0n, nanoseconds: 1000 }),
    },
    "wasi:random/random": {
      getRandomBytes: (len: bigint) => process.getBuiltinModule("node:crypto").randomFillSync(new Uint8Array(Number(len))),
      getRandomU64: randomU64,
    },
    "wasi:random/insecure": {
      getInsecureRandomBytes: (len: bigint) => process.getBuiltinModule("node:crypto").randomFillSync(new Uint8Array(Number(len))),
      getInsecureRandomU64: randomU64,
    },
    "wasi:random/insecure-seed": { insecureSeed: (): [bigint, bigint] => [randomU64(), randomU64()] },
    "wasi:filesystem/types": { Descriptor, DirectoryEntryStream, filesystemErrorCode },
    "wasi:filesystem/preopens": { getDirectories: () => preopenedDirectories(host) },
    ...wasiHttpImports(host),
    ...wasiSocketsImports(host),
  };
}

/** Interfaces a component imports that wasiImports() does not provide (by jco's unversioned names). */
export function unprovidedImports(imports: readonly string[]): string[] {
  const provided = new Set(Object.keys(PROVIDED));
  return imports.filter((name) => !provided.has(name));
}

/** The interfaces provided, for unprovidedImports (the same keys as wasiImports()). */
const PROVIDED: Readonly<Record<string, true>> = Object.fromEntries([
  "wasi:cli/environment", "wasi:cli/exit", "wasi:cli/stdin", "wasi:cli/stdout", "wasi:cli/stderr", "wasi:cli/terminal-input",
  "wasi:cli/terminal-output", "wasi:cli/terminal-stdin", "wasi:cli/terminal-stdout", "wasi:cli/terminal-stderr", "wasi:io/error",
  "wasi:io/poll", "wasi:io/streams", "wasi:clocks/monotonic-clock", "wasi:clocks/wall-clock", "wasi:random/random",
  "wasi:random/insecure", "wasi:random/insecure-seed", "wasi:filesystem/types", "wasi:filesystem/preopens", "wasi:http/types",
  "wasi:http/outgoing-handler", "wasi:sockets/network", "wasi:sockets/instance-network", "wasi:sockets/tcp", "wasi:sockets/tcp-create-socket",
  "wasi:sockets/udp", "wasi:sockets/udp-create-socket", "wasi:sockets/ip-name-lookup",
].map((name) => [name, true]));

