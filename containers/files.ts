// containers/: a container's record on disk, `$WASMBOX_HOME/containers/<id>/`: config.json (the
// spec), state.json (status, exit code, limit hit, owner pid while running), upper.tar (the
// writable layer, whiteouts included) and its output in log.N + log.N.idx (logs.ts).
// Every file but the log is written atomically (temp + rename), one write queue per container.
// Whatever the umask, directories are 0700 and files 0600: a config holds the -e secrets.
import { chmod, mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { LayerEntry } from "../kernel/index.js";
import { writeFileAtomic } from "../images/fs-atomic.js";
import { decodeLayer, layerEntriesToTar } from "../images/layer-tar.js";
import { isoNs, LogWriter, streamLog, type LogChunk, type LogOptions, type LogReadOptions } from "./logs.js";
import { KeyedQueue } from "./queue.js";
import { processAlive } from "./process-alive.js";
import type { ContainerSpec, ContainerState } from "./spec.js";

/** The mode of every directory the daemon keeps state in ($WASMBOX_HOME, containers/, each container's). */
export const PRIVATE_DIR = 0o700;
/** The mode of every state file (configs with their -e secrets, states, uppers, logs; the socket). */
export const PRIVATE_FILE = 0o600;

/**
 * Makes `dir` (and missing parents) with mode 0700; an existing one of ours that others could
 * read or enter is narrowed to 0700 (one made by an older wasmbox, or under a loose umask).
 */
export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
  const st = await stat(dir);
  if ((st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) await chmod(dir, PRIVATE_DIR);
}

/** One chunk of a container's output, as the logs route sends it. */
export interface LogLine {
  stream: "stdout" | "stderr";
  time: string;
  /** The chunk, base64 (output need not be UTF-8). */
  data: string;
}

/** The containers directory of a wasmbox home. */
export class ContainerFiles {
  private readonly queues = new KeyedQueue();

  private constructor(readonly dir: string) {}

  /** Opens (creating) `$home/containers`. */
  static async open(home: string): Promise<ContainerFiles> {
    await privateDir(home);
    const dir = join(home, "containers");
    await privateDir(dir);
    return new ContainerFiles(dir);
  }

  path(id: string, file = ""): string {
    return join(this.dir, id, file);
  }

  /** Ids of every container with a config. */
  async list(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => /^[0-9a-f]{64}$/.test(n));
  }

  /** A container's spec and state, or undefined when it is gone or half-written. */
  async load(id: string): Promise<{ spec: ContainerSpec; state: ContainerState & { pid?: number } } | undefined> {
    try {
      const spec = JSON.parse(await readFile(this.path(id, "config.json"), "utf8")) as ContainerSpec;
      const state = JSON.parse(await readFile(this.path(id, "state.json"), "utf8")) as ContainerState & { pid?: number };
      return { spec, state };
    } catch {
      return undefined;
    }
  }

  /** Whether the wasmbox process that marked a container running (another one) is still alive. */
  ownerAlive(state: ContainerState & { pid?: number }): boolean {
    if (state.pid === undefined || state.pid === process.pid) return false;
    return processAlive(state.pid);
  }

  private enqueue(id: string, work: () => Promise<void>): Promise<void> {
    return this.queues.run(id, work);
  }

  /** Waits for a container's queued writes. */
  flush(id: string): Promise<void> {
    return this.queues.idle(id);
  }

  /** Writes a new container's directory. */
  create(spec: ContainerSpec, state: ContainerState): Promise<void> {
    return this.enqueue(spec.id, async () => {
      await mkdir(this.path(spec.id), { recursive: true, mode: PRIVATE_DIR });
      await writeFileAtomic(this.path(spec.id, "state.json"), stateJson(state), PRIVATE_FILE);
      await writeFileAtomic(this.path(spec.id, "config.json"), JSON.stringify(spec, null, 2) + "\n", PRIVATE_FILE);
    });
  }

  /** Replaces the spec (rename: the one change a spec takes after create). */
  saveSpec(spec: ContainerSpec): Promise<void> {
    return this.enqueue(spec.id, () => writeFileAtomic(this.path(spec.id, "config.json"), JSON.stringify(spec, null, 2) + "\n", PRIVATE_FILE));
  }

  /** Saves the state (with this process as owner while running). */
  saveState(id: string, state: ContainerState): Promise<void> {
    return this.enqueue(id, () => writeFileAtomic(this.path(id, "state.json"), stateJson(state), PRIVATE_FILE));
  }

  /** Saves the writable layer (removing the file when it is empty). */
  saveUpper(id: string, entries: readonly LayerEntry[]): Promise<void> {
    return this.enqueue(id, async () => {
      if (entries.length === 0) await rm(this.path(id, "upper.tar"), { force: true });
      else await writeFileAtomic(this.path(id, "upper.tar"), await layerEntriesToTar(entries), PRIVATE_FILE);
    });
  }

  /** The saved writable layer, if any. */
  async loadUpper(id: string): Promise<LayerEntry[] | undefined> {
    await this.flush(id);
    const tar = await readFile(this.path(id, "upper.tar")).catch(() => undefined);
    return tar ? decodeLayer(tar) : undefined;
  }

  /** A writer of a container's output (synchronous writes, so followers never miss or reorder a chunk). */
  logWriter(id: string, options?: LogOptions): LogWriter {
    return new LogWriter(this.path(id), options);
  }

  /** Streams a container's output from disk, chunk by chunk (see streamLog). */
  streamLogs(id: string, send: (chunk: LogChunk) => Promise<void>, options?: LogReadOptions): Promise<void> {
    return streamLog(this.path(id), send, options);
  }

  /** Every chunk of a container's output, in memory (for small logs and tests; the daemon streams). */
  async readLogs(id: string): Promise<LogLine[]> {
    const lines: LogLine[] = [];
    await this.streamLogs(id, async (c) => void lines.push({ stream: c.stream, time: isoNs(c.timeNs), data: Buffer.from(c.data).toString("base64") }));
    return lines;
  }

  /** The bytes a container's directory holds on disk (its spec, state, upper layer and logs). */
  async diskUsage(id: string): Promise<number> {
    let bytes = 0;
    for (const name of await readdir(this.path(id)).catch(() => [] as string[])) bytes += (await stat(this.path(id, name)).catch(() => undefined))?.size ?? 0;
    return bytes;
  }

  /** Deletes a container's directory. */
  remove(id: string): Promise<void> {
    return this.enqueue(id, () => rm(this.path(id), { recursive: true, force: true }));
  }
}

function stateJson(state: ContainerState): string {
  return JSON.stringify({ ...state, pid: state.status === "running" ? process.pid : undefined }, null, 2) + "\n";
}
