// cli/commands: a foreground `run` whose network is the daemon's (a user network, or the default
// bridge while the daemon runs containers on it) runs in the daemon, as docker's always does:
// created, attached (output, stdin, window), started and waited for, with ^C and SIGTERM passed on.
import type { IncomingMessage } from "node:http";
import { PassThrough } from "node:stream";
import { connectDaemon, DaemonError, type DaemonClient } from "../../containers/client.js";
import type { CreateOptions } from "../../containers/options.js";
import { DEFAULT_NETWORK } from "../../kernel/host.js";
import { wasmboxHome } from "../../images/store.js";
import type { CliIo } from "../io.js";
import { DEFAULT_DETACH_KEYS, DetachScanner, keysToContainer, parseDetachKeys } from "../detach-keys.js";
import { hostTerminal } from "./run-module.js";

/** The networks a CLI kernel has of its own: a run on them needs nothing of the daemon's. */
const LOCAL_NETWORKS = new Set(["none", "host"]);

/** The exit status of the CLI killed by these signals (128 + the signal's number). */
const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };

/**
 * The daemon a foreground run must run in, or undefined when it can run in the CLI's own kernel
 * without any difference a user could see: --network none or host; the default bridge while no
 * daemon runs a container (nobody there to reach). A user network is the daemon's (it is started
 * for it, as `network create` started it).
 */
export async function daemonForForegroundRun(io: CliIo, options: CreateOptions): Promise<DaemonClient | undefined> {
  const network = options.network ?? DEFAULT_NETWORK;
  if (LOCAL_NETWORKS.has(network)) return undefined;
  const home = wasmboxHome(io.env);
  if (network !== DEFAULT_NETWORK) return connectDaemon(home, io.env);
  const client = await connectDaemon(home, io.env, false).catch(() => undefined);
  if (!client) return undefined;
  const running = await client.json<Array<{ Id: string }>>("GET", "/containers/json").catch(() => []);
  return running.length > 0 ? client : undefined;
}

/** What a failed create or start ends the CLI with (the caller's, shared with the other paths). */
export type RunFailure = (code?: number) => (e: unknown) => never;

/**
 * Runs a created-here-in-the-daemon container in the foreground: attached before its start (so no
 * output is missed), stdin passed with -i (its end is the container's EOF, docker's StdinOnce),
 * the host terminal raw with -t and its window passed at start and at each change; ^C is SIGINT to
 * it; SIGTERM, SIGHUP and SIGQUIT kill it and the CLI ends with that signal's status once it ended
 * (and, with --rm, was removed). Returns its exit code.
 */
export async function runInDaemon(io: CliIo, client: DaemonClient, image: string, args: string[], options: CreateOptions, failure: RunFailure): Promise<number> {
  const input = options.interactive ? io.stdin : undefined;
  const tty = !!options.tty && !!io.stdin?.isTTY;
  const { Id } = await client.json<{ Id: string }>("POST", "/containers/create", { json: { image, command: args, options: { ...options, tty }, cwd: io.cwd, env: io.env } }).catch(failure(125));
  const path = (what: string) => `/containers/${Id}/${what}`;
  const raw = tty && !!input?.setRawMode;
  const scanner = raw ? new DetachScanner(parseDetachKeys(DEFAULT_DETACH_KEYS)) : undefined;
  const body = input ? new PassThrough() : undefined;
  let detached = false;
  let res: IncomingMessage | undefined;
  const onKeys = keysToContainer(scanner, body!, () => {
    detached = true;
    res?.destroy();
  });
  const onEnd = () => body?.end();
  const kill = (signal: string) => void client.json("POST", path("kill"), { query: { signal } }).catch(() => undefined);
  let fatal: string | undefined;
  const interrupt = () => kill("SIGINT");
  const endings = (["SIGTERM", "SIGHUP", "SIGQUIT"] as const).map((signal) => [signal, () => {
    fatal ??= signal;
    kill("SIGKILL");
  }] as const);
  const screen = tty ? hostTerminal(() => undefined) : undefined;
  const resize = () => {
    const size = screen?.size?.();
    if (size) void client.json("POST", path("resize"), { query: { h: size.rows, w: size.cols } }).catch(() => undefined);
  };
  process.on("SIGINT", interrupt);
  for (const [signal, handler] of endings) process.on(signal, handler);
  let stopResize: (() => void) | undefined;
  let code = 0;
  try {
    res = await client.request(body ? "POST" : "GET", path("attach"), { query: { stdin: !!body, stdinOnce: !!body }, body });
    const frames = client.frames(res, (f) => (f.exit !== undefined ? (code = Number(f.exit)) : (f.stream === "stderr" ? io.stderr : io.stdout)(Buffer.from(String(f.data), "base64"))));
    frames.catch(() => undefined); // awaited below; meanwhile its failure is not unhandled
    const size = screen?.size?.();
    await client.json("POST", path("start"), { query: size ? { h: size.rows, w: size.cols } : {} }).catch((e: unknown) => {
      res?.destroy();
      return failure()(e);
    });
    if (fatal) kill("SIGKILL");
    stopResize = screen?.onResize?.(resize);
    if (raw) input!.setRawMode!(true);
    input?.on("data", onKeys);
    input?.on("end", onEnd);
    await frames.catch((e: unknown) => {
      if (!detached) throw e instanceof DaemonError ? e : new DaemonError(`the daemon ended the run of ${Id.slice(0, 12)}: ${(e as Error).message}`, 0);
    });
  } finally {
    stopResize?.();
    process.off("SIGINT", interrupt);
    for (const [signal, handler] of endings) process.off(signal, handler);
    if (raw) input!.setRawMode!(false);
    input?.off("data", onKeys);
    input?.off("end", onEnd);
    input?.pause();
    body?.end();
  }
  if (detached) return 0;
  return fatal ? 128 + (SIGNAL_NUMBERS[fatal] ?? 15) : code;
}
