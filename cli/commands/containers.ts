// cli/commands: the container commands in docker's names and formats. `run` without -d runs the
// container on a kernel embedded in the CLI (on the daemon's networks: in the daemon, attached);
// everything else talks to the daemon (started on demand) through containers/client.ts. Thin.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { PassThrough } from "node:stream";
import type { Command } from "commander";
import { ContainerFiles } from "../../containers/files.js";
import { connectDaemon, DaemonError, type DaemonClient } from "../../containers/client.js";
import { startDaemon } from "../../containers/daemon.js";
import { relayScreenToVm, serveForeground } from "../../containers/foreground.js";
import { importFilesystem, storeImageSource } from "../../containers/images.js";
import { ContainerRuntime, RuntimeError, startExitCode } from "../../containers/runtime.js";
import { checkCreateFlags, createOptionsFrom, CREATE_FLAGS, EXEC_FLAGS, execFlagsFrom, execOptionsOf, parseEngine, specFromOptions, type CreateOptions } from "../../containers/options.js";
import { parseDuration, SpecError } from "../../containers/spec.js";
import { portsColumn, type ContainerSummary } from "../../containers/format.js";
import { formatTable, humanAge, humanSize } from "../../images/format.js";
import { ImageError } from "../../images/errors.js";
import { decodeLayer, layerEntriesToTar } from "../../images/layer-tar.js";
import { readHostEntries, writeHostEntries } from "../../images/host-entries.js";
import { ImageStore, wasmboxHome } from "../../images/store.js";
import { CliExit, type CliIo } from "../io.js";
import { DEFAULT_DETACH_KEYS, DetachScanner, keysToContainer, parseDetachKeys } from "../detach-keys.js";
import { applyFormat, renderListing, TemplateError, type TemplateRow } from "../go-template.js";
import { cliKernel, hostTerminal } from "./run-module.js";
import { daemonForForegroundRun, runInDaemon } from "./run-in-daemon.js";
import { pullIfMissing } from "./registry.js";

type Options = Readonly<Record<string, unknown>>;

/** A flag's value among commander's parsed options (undefined when not given). */
function text(options: Options, key: string): string | undefined {
  const value = options[key];
  return typeof value === "string" ? value : undefined;
}

/** A repeatable flag's values among commander's parsed options. */
function texts(options: Options, key: string): string[] {
  const value = options[key];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Turns the failures a command may meet into docker-like exits (125 for daemon/flag errors). */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    // 501: the command does not apply to this kind of instance (a VM has no shared-kernel filesystem).
    if ((e instanceof DaemonError || e instanceof RuntimeError) && e.status === 501) throw new CliExit(1, `wasmbox: ${e.message}`);
    if (e instanceof DaemonError || e instanceof RuntimeError || e instanceof SpecError || e instanceof ImageError) {
      throw new CliExit(1, `Error response from daemon: ${e.message}`);
    }
    throw e;
  }
}

/**
 * The create options of run/create from commander's parsed flags, each checked (the same checks as
 * the daemon's): a bad one ends the CLI with 125 and one line naming the flag, in the foreground,
 * with -d, with --vm and for create alike.
 */
export function checkedCreateOptions(io: CliIo, values: unknown): CreateOptions {
  return usageChecked(() => {
    const options = createOptionsFrom(values);
    checkCreateFlags(options, { cwd: io.cwd, env: io.env });
    return options;
  });
}

/** Parses flags with `parse`, a SpecError ending the CLI with 125 and one line naming the flag. */
export function usageChecked<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof SpecError) throw new CliExit(125, `wasmbox: ${e.message}`);
    throw e;
  }
}

/** Adds the create flags to a command (those `include` takes; all by default). */
export function addCreateFlags(command: Command, include: (key: string) => boolean = () => true): Command {
  for (const { flags, key, description, kind } of CREATE_FLAGS) {
    if (!include(key)) continue;
    if (kind === "strings") command.option(flags, description, collect);
    else command.option(flags, description);
  }
  return command;
}

/** --since: a duration (10m: that long ago) becomes unix seconds; times are passed on as given. */
function sinceOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m) return text;
  return String((Date.now() - parseDuration(text, "--since")) / 1000);
}

/** Puts `time` before each line that starts in `text` (per stream: a chunk may end mid-line). */
function stamped(text: string, time: string, lineStart: Record<"stdout" | "stderr", boolean>, stream: "stdout" | "stderr"): string {
  let out = "";
  for (const line of text.split(/(?<=\n)/)) {
    if (line === "") continue;
    if (lineStart[stream]) out += time + " ";
    out += line;
    lineStart[stream] = line.endsWith("\n");
  }
  return out;
}

const home = (io: CliIo) => wasmboxHome(io.env);
const daemon = (io: CliIo): Promise<DaemonClient> => {
  mkdirSync(home(io), { recursive: true, mode: 0o700 });
  return connectDaemon(home(io), io.env);
};
const out = (io: CliIo, stream: unknown, data: unknown) => (stream === "stderr" ? io.stderr : io.stdout)(Buffer.from(String(data), "base64"));

/**
 * `wasmbox run IMAGE` (and `vm run`): with -d through the daemon, else on a kernel embedded in the
 * CLI; a container, or a VM with --vm, the same way. Returns the exit code.
 */
export async function runImageCommand(io: CliIo, image: string, args: string[], options: CreateOptions, detach: boolean): Promise<number> {
  if (detach) {
    // As docker's client: a missing image is pulled first, by the CLI, into the store the daemon reads.
    await pullIfMissing(io, await ImageStore.openFor(io.env), image);
    const client = await guarded(() => daemon(io));
    const { Id } = await client.json<{ Id: string }>("POST", "/containers/create", { json: { image, command: args, options, cwd: io.cwd, env: io.env } }).catch(runFailure(125));
    await client.json("POST", `/containers/${Id}/start`).catch(runFailure());
    io.stdout(Id + "\n");
    return 0;
  }
  if (options.restart !== undefined && options.restart !== "no") {
    throw new CliExit(125, `wasmbox: --restart ${options.restart} needs -d: the daemon restarts containers, a foreground run ends with its container`);
  }
  const store = await ImageStore.openFor(io.env);
  await pullIfMissing(io, store, image);
  // On a network of the daemon's, it runs there, attached (run-in-daemon.ts); else in this process.
  const owner = await guarded(() => daemonForForegroundRun(io, options));
  if (owner) return runInDaemon(io, owner, image, args, options, runFailure);
  const files = await ContainerFiles.open(home(io));
  const kernel = cliKernel(io, { engine: parseEngine(options.engine ?? "auto"), componentCacheDir: join(wasmboxHome(io.env), "components") });
  const runtime = new ContainerRuntime({ kernel, images: storeImageSource(store), files });
  await runtime.refresh();
  let id: string;
  try {
    const spec = specFromOptions(options, { cwd: io.cwd, env: io.env, syscallNames: kernel.syscalls.map((s) => s.name) });
    id = (await runtime.create({ ...spec, image, command: args })).spec.id;
  } catch (e) {
    return runFailure(125)(e);
  }
  const tty = !!options.tty && !!io.stdin?.isTTY;
  // Reachable from other terminals through the daemon (exec, stop, attach...), as docker's run is; made
  // while the container starts, and the run goes on without it where no socket can be made.
  const served = serveForeground(id, runtime, files, store, home(io), (line) => io.stderr(line + "\n")).catch(() => undefined);
  // The signal handlers are in place before the container starts: a signal in between is not lost.
  const signals = foregroundSignals(runtime, id);
  const screen = tty ? hostTerminal((raw) => void io.stdin?.setRawMode?.(raw)) : undefined;
  const unrelay = screen && options.vm ? relayScreenToVm(runtime, id, { setRaw: screen.setRaw, size: () => screen.size?.(), onResize: (f) => screen.onResize?.(f) ?? (() => undefined) }) : undefined;
  try {
    await runtime.start(id, {
      stdin: options.interactive ? (io.stdin ?? null) : null, tty, terminalSize: screen?.size?.(),
      onStdout: (c) => io.stdout(c), onStderr: (c) => io.stderr(c),
    }).catch(runFailure());
    if (signals.fatal()) signals.send("SIGKILL");
    const code = await runtime.wait(id);
    const fatal = signals.fatal();
    return fatal ? 128 + (SIGNAL_NUMBERS[fatal] ?? 15) : code;
  } finally {
    signals.remove();
    unrelay?.();
    await (await served)?.close();
  }
}

/** What a failed create (125) or start (127, 126 or 125 by its reason) of `run` ends the CLI with, in -d and foreground alike. */
function runFailure(code?: number): (e: unknown) => never {
  return (e) => {
    if ((e instanceof DaemonError && e.status === 0) || e instanceof SpecError) throw new CliExit(125, `wasmbox: ${e.message}`);
    if (e instanceof DaemonError || e instanceof RuntimeError || e instanceof SpecError || e instanceof ImageError) {
      throw new CliExit(code ?? startExitCode(e.message), `Error response from daemon: ${e.message}`);
    }
    throw e;
  };
}

/**
 * The CLI's signals while a foreground container runs. ^C goes to it (its init passes it on to the
 * command). SIGTERM, SIGHUP and SIGQUIT kill it, and the CLI ends once its end is saved (an --rm
 * one removed), with the status of that signal: nothing is left behind.
 */
function foregroundSignals(runtime: ContainerRuntime, id: string): { fatal(): NodeJS.Signals | undefined; send(signal: string): void; remove(): void } {
  const send = (signal: string) => {
    try {
      runtime.kill(id, signal);
    } catch {
      // Not started yet, or already ended.
    }
  };
  const interrupt = () => send("SIGINT");
  let fatal: NodeJS.Signals | undefined;
  const ending = (signal: NodeJS.Signals) => () => {
    fatal ??= signal;
    send("SIGKILL");
  };
  const endings = (["SIGTERM", "SIGHUP", "SIGQUIT"] as const).map((signal) => [signal, ending(signal)] as const);
  process.on("SIGINT", interrupt);
  for (const [signal, handler] of endings) process.on(signal, handler);
  return {
    fatal: () => fatal,
    send,
    remove() {
      process.off("SIGINT", interrupt);
      for (const [signal, handler] of endings) process.off(signal, handler);
    },
  };
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };

/** One container command, declared as data (as the image commands are). */
interface Spec {
  name: string;
  usage: string;
  description: string;
  options?: [string, string, boolean?][];
  group?: boolean;
  top?: boolean;
  create?: boolean;
  run(args: string[], options: Options, io: CliIo): Promise<number | void>;
}

/** What the stats route answers. */
interface StatsAnswer {
  id: string; name: string; cpuMs: number; uptimeMs?: number; memoryBytes: number; memoryLimit?: number; pids: number; storageBytes: number; storageLimit?: number;
}

/** How often streaming stats refresh (docker: every second). */
const STATS_INTERVAL_MS = 1000;

/**
 * One stats row. CPU % is the share of one CPU its processes used since the last frame (the first
 * frame: since it started), from their measured CPU time.
 */
function statsRow(s: StatsAnswer, previous: Map<string, { cpuMs: number; at: number }>): TemplateRow {
  const now = performance.now();
  const before = previous.get(s.id);
  previous.set(s.id, { cpuMs: s.cpuMs, at: now });
  const spanMs = before ? now - before.at : (s.uptimeMs ?? 0);
  const usedMs = before ? s.cpuMs - before.cpuMs : s.cpuMs;
  const percent = spanMs > 0 ? Math.max(0, (usedMs / spanMs) * 100) : 0;
  return {
    ID: s.id.slice(0, 12), Name: s.name, CPUPerc: `${percent.toFixed(2)}%`, CPUTime: `${(s.cpuMs / 1000).toFixed(2)}s`,
    MemUsage: `${humanSize(s.memoryBytes)} / ${s.memoryLimit ? humanSize(s.memoryLimit) : "-"}`, PIDs: s.pids,
    Storage: `${humanSize(s.storageBytes)} / ${s.storageLimit ? humanSize(s.storageLimit) : "-"}`,
  };
}

/** The column titles of `stats --format 'table ...'`. */
const STATS_HEADERS: Record<string, string> = {
  ID: "CONTAINER ID", Name: "NAME", CPUPerc: "CPU %", CPUTime: "CPU TIME", MemUsage: "MEM USAGE / LIMIT", PIDs: "PIDS", Storage: "STORAGE / LIMIT",
};

/** The column titles of `ps --format 'table ...'`, by field (docker's). */
const PS_HEADERS: Record<string, string> = {
  ID: "CONTAINER ID", Kind: "KIND", Image: "IMAGE", Command: "COMMAND", CreatedAt: "CREATED AT", RunningFor: "CREATED",
  Status: "STATUS", State: "STATE", Ports: "PORTS", Names: "NAMES", Labels: "LABELS",
};

/** renderListing, its template errors ending the CLI with 125 (a usage error). */
function renderListingOrExit(template: string, rows: TemplateRow[], headers: Record<string, string>): string {
  try {
    return renderListing(template, rows, headers);
  } catch (e) {
    if (e instanceof TemplateError) throw new CliExit(125, `wasmbox: --format: ${e.message}`);
    throw e;
  }
}

const truncate = (text: string, n: number) => (text.length > n ? text.slice(0, n - 1) + "…" : text);

const COMMANDS: Spec[] = [
  {
    name: "create", usage: "<image> [command...]", description: "create a container, or a VM with --vm (not started)", create: true, top: true, group: true,
    async run([image, ...command], values, io) {
      const options = checkedCreateOptions(io, values);
      const client = await daemon(io);
      // As docker's: create's errors, the daemon's included, end the CLI with 125.
      const { Id } = await client.json<{ Id: string }>("POST", "/containers/create", { json: { image, command, options, cwd: io.cwd, env: io.env } }).catch(runFailure(125));
      io.stdout(Id + "\n");
    },
  },
  {
    name: "start", usage: "<container...>", description: "start created or stopped containers and VMs (a VM boots afresh from its image)", top: true, group: true,
    options: [["-a, --attach", "stream its output and wait for it (one container)"]],
    async run(refs, options, io) {
      const client = await daemon(io);
      for (const ref of refs) {
        const { Id } = await client.json<{ Id: string }>("POST", `/containers/${enc(ref)}/start`);
        if (options.attach) {
          await client.frames(await client.request("GET", `/containers/${Id}/logs`, { query: { follow: 1 } }), (f) => out(io, f.stream, f.data));
          return (await client.json<{ StatusCode: number }>("POST", `/containers/${Id}/wait`)).StatusCode;
        }
        io.stdout(ref + "\n");
      }
    },
  },
  {
    name: "ps", usage: "", description: "list containers and VMs (KIND: container or vm)", top: true, group: true,
    options: [
      ["-a, --all", "show all containers (default: running)"], ["-q, --quiet", "only ids"], ["--no-trunc", "full ids and commands"],
      ["-f, --filter <key=value>", "only those matching: status=, name=, id=, ancestor=, exited=, label=KEY[=VALUE], kind= (repeatable)", true],
      ["--format <template>", "docker's Go-template subset: {{.ID}} {{.Names}} {{.Image}} {{.Command}} {{.Status}} {{.State}} ..., table ..., or json"],
    ],
    async run(_args, options, io) {
      const filters: Record<string, string[]> = {};
      for (const pair of texts(options, "filter")) {
        const eq = pair.indexOf("=");
        if (eq <= 0) throw new CliExit(125, `wasmbox: ps: bad format of filter (expected name=value): ${pair}`);
        (filters[pair.slice(0, eq)] ??= []).push(pair.slice(eq + 1));
      }
      const query = { all: !!options.all, filters: Object.keys(filters).length ? JSON.stringify(filters) : undefined };
      const list = await (await daemon(io)).json<ContainerSummary[]>("GET", "/containers/json", { query });
      const full = options.trunc === false;
      if (options.quiet) {
        io.stdout(list.map((c) => (full ? c.Id : c.Id.slice(0, 12)) + "\n").join(""));
        return;
      }
      const rows = list.map((c) => ({
        ID: full ? c.Id : c.Id.slice(0, 12), Kind: c.Kind ?? "container", Image: c.Image, Command: `"${full ? c.Command : truncate(c.Command, 20)}"`,
        CreatedAt: c.Created, RunningFor: humanAge(c.Created), Status: c.Status, State: c.State, Ports: portsColumn(c.Ports), Names: c.Names.map((n) => n.slice(1)).join(","),
        Labels: Object.entries(c.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(","),
      }));
      const format = text(options, "format");
      if (format) {
        io.stdout(renderListingOrExit(format, rows, PS_HEADERS));
        return;
      }
      io.stdout(formatTable(["CONTAINER ID", "KIND", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"], rows.map((r) => [
        r.ID, r.Kind, r.Image, r.Command, r.RunningFor, r.Status, r.Ports, r.Names,
      ])));
    },
  },
  {
    name: "logs", usage: "<container>", description: "print a container's output (a VM's console)", top: true, group: true,
    options: [
      ["-f, --follow", "follow the output until the container ends"],
      ["-n, --tail <lines>", "only the last N lines (default: all)"],
      ["--since <time>", "only output since this time (unix seconds, RFC 3339, or a duration such as 10m ago)"],
      ["-t, --timestamps", "put each line's time before it"],
    ],
    async run([ref], options, io) {
      const client = await daemon(io);
      const query = { follow: !!options.follow, tail: text(options, "tail"), since: sinceOf(text(options, "since")) };
      const lineStart = { stdout: true, stderr: true };
      await client.frames(await client.request("GET", `/containers/${enc(ref!)}/logs`, { query }), (f) => {
        if (!options.timestamps) return out(io, f.stream, f.data);
        const stream = f.stream === "stderr" ? "stderr" : "stdout";
        out(io, stream, Buffer.from(stamped(Buffer.from(String(f.data), "base64").toString("latin1"), String(f.time), lineStart, stream), "latin1").toString("base64"));
      });
    },
  },
  {
    name: "stop", usage: "<container...>", description: "stop containers and VMs (stop signal to pid 1, then kill after the timeout)", top: true, group: true,
    options: [["-t, --time <seconds>", "seconds to wait before killing"]],
    async run(refs, options, io) {
      const client = await daemon(io);
      for (const ref of refs) {
        await client.json("POST", `/containers/${enc(ref)}/stop`, { query: { t: text(options, "time") } });
        io.stdout(ref + "\n");
      }
    },
  },
  {
    name: "kill", usage: "<container...>", description: "send a signal to containers' and VMs' pid 1 (default SIGKILL: everything at once)", top: true, group: true,
    options: [["-s, --signal <signal>", "the signal", false]],
    async run(refs, options, io) {
      const client = await daemon(io);
      for (const ref of refs) {
        await client.json("POST", `/containers/${enc(ref)}/kill`, { query: { signal: text(options, "signal") ?? "SIGKILL" } });
        io.stdout(ref + "\n");
      }
    },
  },
  {
    name: "restart", usage: "<container...>", description: "stop and start containers", top: true, group: true,
    options: [["-t, --time <seconds>", "seconds to wait before killing"]],
    async run(refs, options, io) {
      const client = await daemon(io);
      for (const ref of refs) {
        await client.json("POST", `/containers/${enc(ref)}/restart`, { query: { t: text(options, "time") } });
        io.stdout(ref + "\n");
      }
    },
  },
  {
    name: "rm", usage: "<container...>", description: "remove containers", top: true, group: true,
    options: [["-f, --force", "kill a running container first"]],
    async run(refs, options, io) {
      const client = await daemon(io);
      for (const ref of refs) {
        await client.json("DELETE", `/containers/${enc(ref)}`, { query: { force: !!options.force } });
        io.stdout(ref + "\n");
      }
    },
  },
  {
    name: "wait", usage: "<container...>", description: "wait for containers to stop and print their exit codes", top: true, group: true,
    async run(refs, _options, io) {
      const client = await daemon(io);
      for (const ref of refs) io.stdout((await client.json<{ StatusCode: number }>("POST", `/containers/${enc(ref)}/wait`)).StatusCode + "\n");
    },
  },
  {
    name: "exec", usage: "<container> <command...>", description: "run a command in a running container or VM (a VM's output comes when it ends)", top: true, group: true,
    options: EXEC_FLAGS.map((f) => [f.flags, f.description, f.kind === "strings"]),
    async run([ref, ...argv], values, io) {
      const options = execOptionsOf(execFlagsFrom(values), io.env);
      const client = await daemon(io);
      let code = 126;
      // With -t on a terminal: the window's size at start, and each change (the CLI's SIGWINCH), as docker's exec resize.
      const screen = options.tty && (io.stdinIsTerminal ?? !!io.stdin?.isTTY) ? hostTerminal(() => undefined) : undefined;
      const size = screen?.size?.();
      const execId = randomBytes(8).toString("hex");
      const res = await client.request("POST", `/containers/${enc(ref!)}/exec`, {
        query: {
          cmd: JSON.stringify(argv), env: JSON.stringify(options.env), workdir: options.workdir, user: options.user,
          tty: options.tty, stdin: options.interactive, id: execId, h: size?.rows, w: size?.cols,
        },
        body: options.interactive && io.stdin ? io.stdin : undefined,
      });
      const stopResize = screen?.onResize?.(() => {
        const now = screen.size?.();
        if (now) void client.json("POST", `/exec/${execId}/resize`, { query: { h: now.rows, w: now.cols } }).catch(() => undefined);
      });
      const raw = options.tty && !!io.stdin?.isTTY && !!io.stdin.setRawMode;
      if (raw) io.stdin!.setRawMode!(true);
      try {
        await client.frames(res, (f) => (f.exit !== undefined ? (code = Number(f.exit)) : out(io, f.stream, f.data)));
      } finally {
        stopResize?.();
        if (raw) io.stdin!.setRawMode!(false);
        if (options.interactive) io.stdin?.unpipe?.();
      }
      return code;
    },
  },
  {
    name: "top", usage: "<container>", description: "show a container's processes (not for VMs)", top: true, group: true,
    async run([ref], _options, io) {
      const { Titles, Processes } = await (await daemon(io)).json<{ Titles: string[]; Processes: string[][] }>("GET", `/containers/${enc(ref!)}/top`);
      io.stdout(formatTable(Titles, Processes));
    },
  },
  {
    name: "stats", usage: "[container...]", description: "show resource use of containers and VMs, refreshed every second (--no-stream: once)", top: true, group: true,
    options: [["--no-stream", "print one snapshot and end"], ["-a, --all", "all containers (default: running)"], ["--format <template>", "Go-template subset: {{.ID}} {{.Name}} {{.CPUPerc}} {{.CPUTime}} {{.MemUsage}} {{.PIDs}} {{.Storage}}, table ..., json"]],
    async run(refs, options, io) {
      const client = await daemon(io);
      const previous = new Map<string, { cpuMs: number; at: number }>();
      for (let frame = 0; ; frame++) {
        const names = refs.length ? refs : (await client.json<ContainerSummary[]>("GET", "/containers/json", { query: { all: !!options.all } })).map((c) => c.Id);
        const rows: TemplateRow[] = [];
        for (const ref of names) {
          const s = await client.json<StatsAnswer>("GET", `/containers/${enc(ref)}/stats`).catch((e: unknown) => {
            // One that was removed between the listing and its figures is left out (unless named).
            if (!refs.length && e instanceof DaemonError && e.status === 404) return undefined;
            throw e;
          });
          if (s) rows.push(statsRow(s, previous));
        }
        const format = text(options, "format");
        const table = format
          ? renderListingOrExit(format, rows, STATS_HEADERS)
          : formatTable(["CONTAINER ID", "NAME", "CPU %", "CPU TIME", "MEM USAGE / LIMIT", "PIDS", "STORAGE / LIMIT"], rows.map((r) => [
            String(r.ID), String(r.Name), String(r.CPUPerc), String(r.CPUTime), String(r.MemUsage), String(r.PIDs), String(r.Storage),
          ]));
        if (options.stream === false) return void io.stdout(table);
        // As docker: the screen cleared and redrawn on a terminal, frames one after another elsewhere.
        io.stdout((io.stdoutIsTerminal ? "\x1b[2J\x1b[H" : "") + table);
        await new Promise((r) => setTimeout(r, STATS_INTERVAL_MS));
      }
    },
  },
  {
    name: "pause", usage: "<container...>", description: "pause containers: the scheduler runs none of their processes until unpause", top: true, group: true,
    async run(refs, _options, io) {
      const client = await daemon(io);
      for (const ref of refs) {
        await client.json("POST", `/containers/${enc(ref)}/pause`);
        io.stdout(ref + "\n");
      }
    },
  },
  {
    name: "unpause", usage: "<container...>", description: "let paused containers' processes run again", top: true, group: true,
    async run(refs, _options, io) {
      const client = await daemon(io);
      for (const ref of refs) {
        await client.json("POST", `/containers/${enc(ref)}/unpause`);
        io.stdout(ref + "\n");
      }
    },
  },
  {
    name: "rename", usage: "<container> <new-name>", description: "rename a container", top: true, group: true,
    async run([ref, name], _options, io) {
      await (await daemon(io)).json("POST", `/containers/${enc(ref!)}/rename`, { query: { name } });
    },
  },
  {
    name: "attach", usage: "<container>", description: "attach to a running container: its output from now on, its stdin when started with -i (detach: ctrl-p ctrl-q); exit status: its own", top: true, group: true,
    options: [["--no-stdin", "do not attach standard input"], ["--detach-keys <keys>", `the key sequence that detaches, leaving it running (default ${DEFAULT_DETACH_KEYS})`], ["--sig-proxy", "pass ^C to the container (default)"]],
    async run([ref], options, io) {
      let keys: Uint8Array;
      try {
        keys = parseDetachKeys(text(options, "detachKeys") ?? DEFAULT_DETACH_KEYS);
      } catch (e) {
        throw new CliExit(125, `wasmbox: ${e instanceof Error ? e.message : String(e)}`);
      }
      const client = await daemon(io);
      const path = `/containers/${enc(ref!)}/attach`;
      const { Config, State } = await client.json<{ Config: { OpenStdin: boolean; Tty: boolean }; State?: { Status?: string } }>("GET", `/containers/${enc(ref!)}/json`);
      // The API lets a created container be attached before its start (a foreground run does); docker's attach refuses it.
      if (State?.Status === "created") throw new CliExit(1, "Error response from daemon: You cannot attach to a stopped container, start it first");
      const input = options.stdin !== false && Config.OpenStdin ? io.stdin : undefined;
      const raw = !!input?.isTTY && Config.Tty && !!input.setRawMode;
      let code = 0;
      let detached = false;
      // Keys go through the detach scanner (typed on a terminal, as docker's); the rest to the container.
      const body = input ? new PassThrough() : undefined;
      const scanner = input?.isTTY || Config.Tty ? new DetachScanner(keys) : undefined;
      let res: IncomingMessage | undefined;
      const onKeys = keysToContainer(scanner, body!, () => {
        detached = true;
        res?.destroy();
      });
      const onEnd = () => body?.end();
      const interrupt = () => void client.json("POST", `/containers/${enc(ref!)}/kill`, { query: { signal: "SIGINT" } }).catch(() => undefined);
      process.on("SIGINT", interrupt);
      input?.on("data", onKeys);
      input?.on("end", onEnd);
      if (raw) input!.setRawMode!(true);
      // On a terminal, the container's terminal takes this window now and at each change (docker's resize).
      const screen = raw ? hostTerminal(() => undefined) : undefined;
      const resize = () => {
        const size = screen?.size?.();
        if (size) void client.json("POST", `/containers/${enc(ref!)}/resize`, { query: { h: size.rows, w: size.cols } }).catch(() => undefined);
      };
      const stopResize = screen?.onResize?.(resize);
      resize();
      try {
        res = await client.request(body ? "POST" : "GET", path, { query: { stdin: !!body }, body });
        if (detached) res.destroy();
        await client.frames(res, (f) => (f.exit !== undefined ? (code = Number(f.exit)) : out(io, f.stream, f.data))).catch((e: unknown) => {
          if (!detached) throw e;
        });
      } finally {
        stopResize?.();
        process.off("SIGINT", interrupt);
        if (raw) input!.setRawMode!(false);
        input?.off("data", onKeys);
        input?.off("end", onEnd);
        input?.pause();
        body?.end();
      }
      return detached ? 0 : code;
    },
  },
  {
    name: "diff", usage: "<container>", description: "list what a container changed in its filesystem (A/C/D; not for VMs)", top: true, group: true,
    async run([ref], _options, io) {
      const changes = await (await daemon(io)).json<{ Path: string; Kind: number }[]>("GET", `/containers/${enc(ref!)}/changes`);
      io.stdout(changes.map((c) => `${"CAD"[c.Kind]} ${c.Path}\n`).join(""));
    },
  },
  {
    name: "commit", usage: "<container> [repository]", description: "make an image from a container's changes (not for VMs)", top: true, group: true,
    options: [["-m, --message <text>", "commit message"], ["-a, --author <name>", "author"]],
    async run([ref, repo], options, io) {
      const { Id } = await (await daemon(io)).json<{ Id: string }>("POST", "/commit", { query: { container: ref, repo, comment: text(options, "message"), author: text(options, "author") } });
      io.stdout(Id + "\n");
    },
  },
  {
    name: "export", usage: "<container>", description: "write a container's filesystem as a tar archive (not for VMs)", top: true, group: true,
    options: [["-o, --output <file>", "write to a file instead of standard output"]],
    async run([ref], options, io) {
      const tar = await (await daemon(io)).bytes("GET", `/containers/${enc(ref!)}/export`);
      const output = text(options, "output");
      if (output) writeFileSync(resolve(io.cwd, output), tar);
      else io.stdout(tar);
    },
  },
  {
    name: "import", usage: "<file> [repository]", description: "make an image from a filesystem tar archive (as export writes)", group: true,
    options: [["-c, --change <instruction>", "CMD or ENTRYPOINT (JSON form) or ENV or WORKDIR for the image", true]],
    async run([file, repo], options, io) {
      const store = await ImageStore.openFor(io.env);
      const config: Record<string, unknown> = {};
      for (const change of texts(options, "change")) {
        const m = /^(CMD|ENTRYPOINT|ENV|WORKDIR)\s+(.*)$/.exec(change.trim());
        if (!m) throw new CliExit(1, `wasmbox: --change ${change}: only CMD, ENTRYPOINT, ENV and WORKDIR are supported`);
        if (m[1] === "CMD" || m[1] === "ENTRYPOINT") config[m[1] === "CMD" ? "Cmd" : "Entrypoint"] = m[2]!.startsWith("[") ? JSON.parse(m[2]!) : ["/bin/sh", "-c", m[2]];
        else if (m[1] === "ENV") config.Env = ["PATH=/bin:/usr/bin", m[2]!.replace(/\s+/, "=")];
        else config.WorkingDir = m[2];
      }
      const image = await importFilesystem(store, readFileSync(resolve(io.cwd, file!)), repo, config);
      io.stdout(image.id + "\n");
    },
  },
  {
    name: "cp", usage: "<src> <dst>", description: "copy files between a container and the host (CONTAINER:PATH on one side; not for VMs)", top: true, group: true,
    async run([src, dst], _options, io) {
      const client = await daemon(io);
      const remote = (p: string) => /^[^/.][^:]*:/.test(p) ? { ref: p.slice(0, p.indexOf(":")), path: p.slice(p.indexOf(":") + 1) || "/" } : undefined;
      const from = remote(src!);
      const to = remote(dst!);
      if (!!from === !!to) throw new CliExit(1, "wasmbox: cp: exactly one of SRC and DST must be CONTAINER:PATH");
      if (from) {
        const entries = await decodeLayer(await client.bytes("GET", `/containers/${enc(from.ref)}/archive`, { query: { path: from.path } }));
        writeHostEntries(entries, resolve(io.cwd, dst!), basename(from.path) || "");
      } else {
        const host = resolve(io.cwd, src!);
        if (!existsSync(host)) throw new CliExit(1, `wasmbox: cp: ${src}: no such file or directory`);
        const name = basename(host);
        const tar = await layerEntriesToTar(readHostEntries(host, name));
        await client.json("PUT", `/containers/${enc(to!.ref)}/archive`, { query: { path: to!.path, name }, body: tar });
      }
    },
  },
  {
    name: "inspect", usage: "<container...>", description: "show containers' and VMs' configuration and state as JSON (Kind, which limit was hit, OOMKilled, a VM's memory and boot figures)", group: true,
    options: [["-f, --format <template>", "print only fields, e.g. {{.State.LimitHit}} or {{json .State}}"]],
    async run(refs, options, io) {
      const client = await daemon(io);
      const details: Record<string, unknown>[] = [];
      for (const ref of refs) details.push(await client.json("GET", `/containers/${enc(ref)}/json`));
      const format = text(options, "format");
      if (format) for (const detail of details) io.stdout(applyFormat(format, detail) + "\n");
      else io.stdout(JSON.stringify(details, null, 4) + "\n");
    },
  },
  {
    name: "prune", usage: "", description: "remove all stopped containers", group: true,
    options: [["-f, --force", "do not prompt (wasmbox never prompts)"]],
    async run(_args, _options, io) {
      const { ContainersDeleted, SpaceReclaimed } = await (await daemon(io)).json<{ ContainersDeleted: string[]; SpaceReclaimed: number }>("POST", "/containers/prune");
      if (ContainersDeleted.length) io.stdout("Deleted Containers:\n" + ContainersDeleted.map((id) => id + "\n").join("") + "\n");
      io.stdout(`Total reclaimed space: ${humanSize(SpaceReclaimed)}\n`);
    },
  },
];

const enc = (ref: string) => encodeURIComponent(ref);

/**
 * Whether `ref` names a container, as the daemon knows it: asked when one runs; when none does,
 * an image of that name (or a .wasm file there, whose world inspect shows) wins, and only a name
 * that is neither starts one to ask.
 */
async function namesContainer(io: CliIo, ref: string): Promise<boolean> {
  const running = await connectDaemon(home(io), io.env, false).catch(() => undefined);
  const isWasmFile = /\.wasm$/i.test(ref) && existsSync(resolve(io.cwd, ref));
  const isImage = async () => isWasmFile || (await ImageStore.openFor(io.env)).resolve(ref).then(() => true, () => false);
  const client = running ?? ((await isImage()) ? undefined : await daemon(io));
  if (!client) return false;
  return client.json("GET", `/containers/${enc(ref)}/json`).then(() => true, (e: unknown) => {
    if (e instanceof DaemonError && e.status === 404) return false;
    throw e;
  });
}

/** The top-level `inspect`, docker's: a container when one has that name, else an image (--type decides when given). */
function registerTopInspect(program: Command, io: CliIo, containerGroup: Command): void {
  program
    .command("inspect <name...>")
    .description("show containers or images as JSON (containers first, as docker)")
    .option("-f, --format <template>", "print only fields, e.g. {{.State.LimitHit}}")
    .option("--type <type>", "container or image")
    .action(async (names: string[], opts: { format?: string; type?: string }) => {
      if (opts.type !== undefined && opts.type !== "container" && opts.type !== "image") throw new CliExit(125, `wasmbox: --type ${opts.type}: expected container or image`);
      const imageGroup = program.commands.find((c) => c.name() === "image");
      const format = opts.format ? ["--format", opts.format] : [];
      for (const name of names) {
        const asContainer = opts.type === "container" || (opts.type !== "image" && (await guarded(() => namesContainer(io, name))));
        const group = asContainer ? containerGroup : imageGroup;
        if (!group) throw new CliExit(125, `wasmbox: inspect: no image commands`);
        await group.parseAsync(["inspect", ...format, name], { from: "user" });
      }
    });
}

/** Registers the container commands: top-level docker names, the `container` group, and `daemon`. */
export function registerContainerCommands(program: Command, io: CliIo, exitCode: (code: number) => void): void {
  const group = program.command("container").description("manage containers");
  const add = (parent: Command, spec: Spec, name = spec.name) => {
    const command = parent.command(`${name}${spec.usage ? " " + spec.usage : ""}`).description(spec.description);
    if (spec.create) addCreateFlags(command).passThroughOptions();
    for (const [flags, description, repeatable] of spec.options ?? []) {
      if (repeatable) command.option(flags, description, collect);
      else command.option(flags, description);
    }
    if (spec.name === "exec") command.passThroughOptions();
    command.action(async () => {
      // The operands in order (a variadic one's values flat), and the parsed flags.
      const code = await guarded(() => spec.run(command.args, command.opts(), io));
      if (typeof code === "number") exitCode(code);
    });
    return command;
  };
  for (const spec of COMMANDS) {
    if (spec.top) add(program, spec);
    if (spec.group) add(group, spec);
  }
  registerTopInspect(program, io, group);
  add(group, COMMANDS.find((c) => c.name === "ps")!, "ls");
  add(group, COMMANDS.find((c) => c.name === "rm")!, "remove");
  program
    .command("daemon")
    .description("run the container daemon (one kernel; HTTP+JSON API on $WASMBOX_HOME/daemon.sock)")
    .option("--engine <kind>", "auto, inline (JSPI) or worker", "auto")
    .action(async (opts: { engine: string }) => {
      const engine = usageChecked(() => parseEngine(opts.engine));
      mkdirSync(home(io), { recursive: true, mode: 0o700 });
      const d = await guarded(() => startDaemon({ home: home(io), engine, log: (line) => io.stderr(line + "\n") }));
      io.stderr(`wasmbox daemon: listening on ${d.socketPath} (pid ${process.pid})\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGTERM", resolve);
        process.once("SIGINT", resolve);
        void d.closed.then(resolve);
      });
      await d.close();
      exitCode(0);
    });
}
