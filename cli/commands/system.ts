// cli/commands: the commands about wasmbox itself, in docker's names and formats: version, info,
// events, system df, system prune, and `daemon stop`. Thin: one or two daemon calls, then print.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { connectDaemon, DaemonError, type DaemonClient } from "../../containers/client.js";
import type { DiskUsage } from "../../containers/images.js";
import { WASMBOX_VERSION } from "../../containers/daemon.js";
import { parseDuration } from "../../containers/spec.js";
import { formatTable, humanSize } from "../../images/format.js";
import { wasmboxHome } from "../../images/store.js";
import { hasJspi } from "../../kernel/index.js";
import { CliExit, type CliIo } from "../io.js";
import { pruneImagesThroughDaemon } from "./images.js";
import { processAlive } from "../../containers/process-alive.js";

type Options = Record<string, unknown>;
/** How long `daemon stop` waits for the daemon to exit (its containers' stop timeouts are 10 s by default). */
const STOP_WAIT_MS = 120_000;
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Runs a command body, turning the daemon's and the store's refusals into docker's exit 1. */
function action(io: CliIo, exitCode: (code: number) => void, work: (...args: unknown[]) => Promise<number | void>) {
  return async (...received: unknown[]) => {
    try {
      const code = await work(...received);
      if (typeof code === "number") exitCode(code);
    } catch (e) {
      if (e instanceof DaemonError) throw new CliExit(1, `Error response from daemon: ${e.message}`);
      throw e;
    }
  };
}

/** The daemon of the CLI's home (started when none runs). */
async function daemonOf(io: CliIo): Promise<DaemonClient> {
  return connectDaemon(wasmboxHome(io.env), io.env);
}

/** --since/--until of events: a duration (10m: that long ago) becomes unix seconds; times pass as given. */
function timeOf(text: string | undefined, flag: string): string | undefined {
  if (text === undefined) return undefined;
  if (/^\d+(\.\d+)?(ms|s|m|h)$/.test(text.trim())) return String((Date.now() - parseDuration(text, flag)) / 1000);
  return text;
}

/** key=value filters as docker's JSON `filters` parameter. */
function filtersOf(pairs: string[] | undefined): string | undefined {
  if (!pairs?.length) return undefined;
  const filters: Record<string, string[]> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CliExit(125, `wasmbox: bad format of filter (expected name=value): ${pair}`);
    (filters[pair.slice(0, eq)] ??= []).push(pair.slice(eq + 1));
  }
  return JSON.stringify(filters);
}

/** An event as docker prints it: `TIME container ACTION ID (image=..., name=...)`. */
function eventLine(e: { Type: string; Action: string; Actor: { ID: string; Attributes: Record<string, string> }; timeNano: number }): string {
  // timeNano is past 2^53: the time is read to the millisecond, as it was taken.
  const time = new Date(Math.round(e.timeNano / 1e6)).toISOString().replace(/Z$/, "000000Z");
  const attributes = Object.entries(e.Actor.Attributes).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(", ");
  return `${time} ${e.Type} ${e.Action} ${e.Actor.ID} (${attributes})\n`;
}

/** Registers version, info, events, system (df, prune, info, events) and `daemon stop`. */
export function registerSystemCommands(program: Command, io: CliIo, exitCode: (code: number) => void): void {
  const home = () => wasmboxHome(io.env);

  const version = async () => {
    io.stdout(`Client:\n Version:    ${WASMBOX_VERSION}\n Node:       ${process.version}\n Engine:     ${hasJspi() ? "inline (JSPI)" : "worker (no JSPI)"}\n OS/Arch:    ${process.platform}/${process.arch}\n\n`);
    // The server part only when a daemon runs: version does not start one.
    const client = await connectDaemon(home(), io.env, false).catch(() => undefined);
    if (!client) {
      io.stdout(`Server:\n (no daemon running for ${home()}; commands that need one start it)\n`);
      return;
    }
    const v = await client.json<{ Version: string; NodeVersion: string; Engine: string; Os: string; Arch: string; Pid: number }>("GET", "/version");
    io.stdout(`Server:\n Version:    ${v.Version}\n Node:       ${v.NodeVersion}\n Engine:     ${v.Engine}\n OS/Arch:    ${v.Os}/${v.Arch}\n Pid:        ${v.Pid}\n`);
  };
  program.command("version").description("show the versions of the CLI and of the daemon (when one runs)").action(action(io, exitCode, version));

  const info = async (...received: unknown[]) => {
    const options = received.at(-2) as Options;
    const i = await (await daemonOf(io)).json<Record<string, string | number>>("GET", "/info");
    if (options.format) {
      io.stdout(String(options.format).replace(/\{\{\s*json\s+\.\s*\}\}/g, JSON.stringify(i)).replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, k: string) => String(i[k] ?? "<no value>")) + "\n");
      return;
    }
    io.stdout([
      `Containers: ${i.Containers}`, ` Running: ${i.ContainersRunning}`, ` Paused: ${i.ContainersPaused}`, ` Stopped: ${i.ContainersStopped}`,
      `Images: ${i.Images}`, `Server Version: ${i.ServerVersion}`, `Storage Driver: ${i.StorageDriver}`, `Logging Driver: ${i.LoggingDriver}`,
      `Engine: ${i.Engine} (${i.Syscalls} syscalls)`, `Node: ${i.NodeVersion}`, `Daemon Pid: ${i.Pid}`, `Operating System: ${i.OperatingSystem}`,
      `OSType: ${i.OSType}`, `Architecture: ${i.Architecture}`, `CPUs: ${i.NCPU}`, `Total Memory: ${humanSize(Number(i.MemTotal))}`,
      `Name: ${i.Name}`, `Root Dir: ${i.RootDir}`,
    ].join("\n") + "\n");
  };

  const events = async (...received: unknown[]) => {
    const options = received.at(-2) as Options;
    const client = await daemonOf(io);
    const query = { since: timeOf(options.since as string | undefined, "--since"), until: timeOf(options.until as string | undefined, "--until"), filters: filtersOf(options.filter as string[] | undefined) };
    const res = await client.request("GET", "/events", { query });
    await client.frames(res, (e) => io.stdout(options.format === "json" || options.format === "{{json .}}" ? JSON.stringify(e) + "\n" : eventLine(e as Parameters<typeof eventLine>[0])));
  };

  const df = async () => {
    const usage = await (await daemonOf(io)).json<DiskUsage>("GET", "/system/df");
    const used = usage.Images.filter((image) => image.Containers > 0);
    const unusedBytes = usage.Images.filter((image) => image.Containers === 0).reduce((sum, image) => sum + image.Size, 0);
    const containerBytes = usage.Containers.reduce((sum, c) => sum + c.SizeRw, 0);
    const isActive = (c: DiskUsage["Containers"][number]) => c.State === "running" || c.State === "paused";
    const stoppedBytes = usage.Containers.filter((c) => !isActive(c)).reduce((sum, c) => sum + c.SizeRw, 0);
    const share = (part: number, whole: number) => `${humanSize(part)} (${whole ? Math.round((part / whole) * 100) : 0}%)`;
    io.stdout(formatTable(["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"], [
      ["Images", String(usage.Images.length), String(used.length), humanSize(usage.LayersSize), share(unusedBytes, usage.LayersSize)],
      ["Containers", String(usage.Containers.length), String(usage.Containers.filter(isActive).length), humanSize(containerBytes), share(stoppedBytes, containerBytes)],
      ["Local Volumes", "0", "0", "0B", "0B"],
      ["Build Cache", String(usage.BuildCache.Count), "0", humanSize(usage.BuildCache.Size), humanSize(usage.BuildCache.Size)],
    ]));
  };

  const prune = async (...received: unknown[]) => {
    const options = received.at(-2) as Options;
    // As docker's client: the containers first, then the images they no longer hold, and the build cache.
    const client = await daemonOf(io);
    const { ContainersDeleted, SpaceReclaimed } = await client.json<{ ContainersDeleted: string[]; SpaceReclaimed: number }>("POST", "/containers/prune");
    const images = await pruneImagesThroughDaemon(client, { all: !!options.all, buildCache: true });
    if (ContainersDeleted.length) io.stdout("Deleted Containers:\n" + ContainersDeleted.map((id) => id + "\n").join("") + "\n");
    if (images.ImagesDeleted.length) io.stdout("Deleted Images:\n" + images.ImagesDeleted.map((item) => `deleted: ${item.Deleted}\n`).join("") + "\n");
    io.stdout(`Total reclaimed space: ${humanSize(SpaceReclaimed + images.SpaceReclaimed)}\n`);
  };

  const infoCommand = (parent: Command) => parent.command("info").description("show what the daemon runs and holds (containers, images, engine, limits)")
    .option("-f, --format <template>", "print only fields, e.g. {{.Containers}} or {{json .}}").action(action(io, exitCode, info));
  const eventsCommand = (parent: Command) => parent.command("events").description("stream the containers' events (create, start, die, stop, destroy, pause, unpause, rename, oom, kill, restart)")
    .option("--since <time>", "also the events since this time (unix seconds, RFC 3339, or a duration such as 10m ago)")
    .option("--until <time>", "end at this time (the same forms)")
    .option("-f, --filter <key=value>", "only those matching: container=, event=, image=, type= (repeatable)", collect)
    .option("--format <format>", "json: one JSON object a line").action(action(io, exitCode, events));
  infoCommand(program);
  eventsCommand(program);
  const system = program.command("system").description("manage wasmbox: disk use, pruning, information, events");
  system.command("df").description("show the disk the images, containers and build cache use").action(action(io, exitCode, df));
  system.command("prune").description("remove stopped containers, dangling images (with -a: every image no container uses) and the build cache")
    .option("-a, --all", "remove every image no container uses").option("-f, --force", "do not prompt (wasmbox never prompts)").action(action(io, exitCode, prune));
  infoCommand(system);
  eventsCommand(system);

  const daemonCommand = program.commands.find((c) => c.name() === "daemon");
  daemonCommand?.command("stop").description("stop the daemon: its containers are stopped with their stop timeouts, then it exits")
    .action(action(io, exitCode, async () => {
      const client = await connectDaemon(home(), io.env, false).catch(() => undefined);
      if (!client) {
        io.stderr(`wasmbox: no daemon is running for ${home()}\n`);
        return;
      }
      const pid = Number(await readFile(join(home(), "daemon.pid"), "utf8").catch(() => "0"));
      await client.json("POST", "/shutdown");
      // It answers first, then stops its containers (each up to its stop timeout) and exits.
      const deadline = Date.now() + STOP_WAIT_MS;
      while (pid && processAlive(pid)) {
        if (Date.now() > deadline) throw new CliExit(1, `wasmbox: the daemon (pid ${pid}) is still stopping its containers after ${STOP_WAIT_MS / 1000} s`);
        await new Promise((r) => setTimeout(r, 50));
      }
      io.stdout(`wasmbox daemon stopped${pid ? ` (pid ${pid})` : ""}\n`);
    }));
}
