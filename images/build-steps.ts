// images/: what each Containerfile instruction after FROM does to the build state, in two phases:
// `prepare` gathers what the cache key needs (expanded words, source content hashes) without touching the
// parent's layers; `apply` (only on a cache miss) computes the new config and the layer, if any.
import { createHash } from "node:crypto";
import { posix } from "node:path";
import type { LayerEntry } from "../kernel/index.js";
import { hasGlob, type BuildContext } from "./context.js";
import type { HealthcheckInstruction, Instruction } from "./containerfile.js";
import { ImageError } from "./errors.js";
import { decodeLayer, flattenLayers, isGzipData, isTarData, layerTarBytes, normalizeLayerPath } from "./layer-tar.js";
import { parseGoDuration } from "./duration.js";
import type { ContainerConfig, HealthcheckConfig, ImageConfig } from "./oci.js";
import type { ImageFiles } from "./stage-files.js";
import { resolveUser, UnknownUserError, type Credentials } from "./users.js";
import { expandWord, type VariableLookup } from "./words.js";

/** What RUN hands the kernel: the layers to run over, the command, and where its output goes. */
export interface BuildRunRequest {
  /** The image's layers so far, bottom first (shared, read-only). */
  layers: LayerEntry[][];
  argv: string[];
  /** `KEY=value` strings: the image's Env plus the build's ARG values. */
  env: string[];
  workdir: string;
  /** The USER in force as written, and as numbers resolved against the image's /etc/passwd and /etc/group. */
  user?: string;
  credentials?: Credentials;
  /** Receives the command's stdout and stderr as they come. */
  log: (chunk: string) => void;
}

/** Runs a RUN command in a build container; `changes` is the container's diff, deletions as whiteouts. */
export interface BuildRunner {
  run(request: BuildRunRequest): Promise<{ exitCode: number; changes: LayerEntry[] }>;
}

/** Everything a step may look at. `lowerLayers` decodes the parent's layers (only called on a miss). */
export interface StepScope {
  file: string;
  escape: string;
  config: ImageConfig;
  lookup: VariableLookup;
  /** Declared ARGs with a value, passed to RUN as environment. */
  argEnv: string[];
  /** True once CMD was set by this build (ENTRYPOINT then keeps it). */
  cmdSetHere: boolean;
  context: () => Promise<BuildContext>;
  /** The files of an earlier stage (by name or index) or of an image, for COPY --from (the raw flag value). */
  copyFrom: (from: string) => Promise<ImageFiles>;
  lowerLayers: () => Promise<LayerEntry[][]>;
  runner?: BuildRunner;
  write: (text: string) => void;
}

/** What a step produced: its new runtime config, and a layer unless the step only changes metadata. */
export interface StepResult {
  config: ContainerConfig;
  author?: string;
  layer?: LayerEntry[];
}

/** A prepared step: key material for the cache, and the work to do on a miss. */
export interface PreparedStep {
  keyMaterial: unknown;
  apply: () => Promise<StepResult>;
}

const DEFAULT_SHELL = ["/bin/sh", "-c"];

/** Prepares one instruction (not FROM or ARG, which the builder handles itself). */
export async function prepareStep(ins: Instruction, scope: StepScope): Promise<PreparedStep> {
  const expand = (raw: string) => {
    try {
      return expandWord(raw, scope.lookup, scope.escape);
    } catch (error) {
      throw new ImageError(`${scope.file}:${ins.line}: ${(error as Error).message}`);
    }
  };
  const current: ContainerConfig = structuredClone(scope.config.config ?? {});
  const metadata = (config: ContainerConfig, keyMaterial: unknown, author?: string): PreparedStep => ({
    keyMaterial,
    apply: async () => ({ config, author }),
  });
  switch (ins.keyword) {
    case "ENV": {
      const env = new Map((current.Env ?? []).map((pair) => splitEnv(pair)));
      for (const pair of ins.pairs) env.set(expand(pair.key), expand(pair.value));
      current.Env = [...env].map(([key, value]) => `${key}=${value}`);
      return metadata(current, current.Env);
    }
    case "LABEL": {
      current.Labels = { ...current.Labels };
      for (const pair of ins.pairs) current.Labels[expand(pair.key)] = expand(pair.value);
      return metadata(current, current.Labels);
    }
    case "USER":
      current.User = expand(ins.value);
      return metadata(current, current.User);
    case "STOPSIGNAL":
      current.StopSignal = expand(ins.value);
      return metadata(current, current.StopSignal);
    case "MAINTAINER":
      return metadata(current, ins.value, ins.value);
    case "SHELL":
      current.Shell = ins.exec;
      return metadata(current, ins.exec);
    case "EXPOSE": {
      current.ExposedPorts = { ...current.ExposedPorts };
      for (const raw of ins.values) current.ExposedPorts[exposedPort(expand(raw), scope, ins.line)] = {};
      return metadata(current, current.ExposedPorts);
    }
    case "HEALTHCHECK":
      current.Healthcheck = healthcheckConfig(ins.check, (detail) => {
        throw new ImageError(`${scope.file}:${ins.line}: HEALTHCHECK ${detail}`);
      });
      return metadata(current, current.Healthcheck);
    case "VOLUME": {
      current.Volumes = { ...current.Volumes };
      for (const raw of ins.values) current.Volumes[expand(raw)] = {};
      return metadata(current, current.Volumes);
    }
    case "CMD":
    case "ENTRYPOINT": {
      const argv = "exec" in ins.command ? ins.command.exec : [...(current.Shell ?? DEFAULT_SHELL), ins.command.shell];
      if (ins.keyword === "CMD") current.Cmd = argv;
      else {
        current.Entrypoint = argv;
        if (!scope.cmdSetHere) current.Cmd = null;
      }
      return metadata(current, [argv, scope.cmdSetHere]);
    }
    case "WORKDIR": {
      const dir = posix.resolve(current.WorkingDir || "/", expand(ins.value));
      current.WorkingDir = dir;
      return {
        keyMaterial: dir,
        apply: async () => {
          const view = flattenLayers(await scope.lowerLayers());
          const path = normalizeLayerPath(dir);
          return { config: current, layer: path === "" || view.get(path)?.type === "dir" ? undefined : withParents([], path, view, 0o755) };
        },
      };
    }
    case "RUN":
      return prepareRun(ins.command, ins.line, current, scope);
    case "COPY":
    case "ADD":
      return prepareCopy(ins, current, scope, expand);
    default:
      throw new ImageError(`${scope.file}:${ins.line}: ${ins.keyword} cannot be a build step here`);
  }
}

/** A file of a flattened layer view as text, symlinks not followed (as /etc/passwd is read). */
function textOf(view: Map<string, LayerEntry>, path: string): string | undefined {
  const data = view.get(normalizeLayerPath(path))?.data;
  return data ? Buffer.from(data).toString("utf8") : undefined;
}

/** The smallest interval, timeout or start period docker accepts (1ms). */
const MIN_HEALTHCHECK_NS = 1e6;

/** HEALTHCHECK as docker records it: ["NONE"], or the test (exec form "CMD", shell form "CMD-SHELL") and options. */
function healthcheckConfig(check: HealthcheckInstruction, fail: (detail: string) => never): HealthcheckConfig {
  if (check.none) return { Test: ["NONE"] };
  const test = "exec" in check.command ? ["CMD", ...check.command.exec] : ["CMD-SHELL", check.command.shell];
  const config: HealthcheckConfig = { Test: test };
  const durations = [["interval", "Interval"], ["timeout", "Timeout"], ["startPeriod", "StartPeriod"], ["startInterval", "StartInterval"]] as const;
  for (const [option, field] of durations) {
    const text = check[option];
    if (text === undefined) continue;
    let ns: number;
    try {
      ns = parseGoDuration(text);
    } catch (error) {
      return fail(`--${option.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}: ${(error as Error).message}`);
    }
    if (ns !== 0 && ns < MIN_HEALTHCHECK_NS) fail(`--${option.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}=${text}: cannot be less than 1ms`);
    if (ns !== 0) config[field] = ns;
  }
  if (check.retries !== undefined) {
    if (!/^\d+$/.test(check.retries)) fail(`--retries=${check.retries}: expected a whole number of at least 0`);
    if (Number(check.retries) > 0) config.Retries = Number(check.retries);
  }
  return config;
}

function splitEnv(pair: string): [string, string] {
  const eq = pair.indexOf("=");
  return eq < 0 ? [pair, ""] : [pair.slice(0, eq), pair.slice(eq + 1)];
}

function exposedPort(text: string, scope: StepScope, line: number): string {
  const match = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(text);
  const ok = match && Number(match[1]) <= 65535 && (match[2] === undefined || Number(match[2]) <= 65535);
  if (!ok) throw new ImageError(`${scope.file}:${line}: EXPOSE: invalid port "${text}" (PORT[/tcp|udp])`);
  return `${match![1]}${match![2] ? "-" + match![2] : ""}/${(match![3] ?? "tcp").toLowerCase()}`;
}

function prepareRun(command: { exec: string[] } | { shell: string }, line: number, current: ContainerConfig, scope: StepScope): PreparedStep {
  const argv = "exec" in command ? command.exec : [...(current.Shell ?? DEFAULT_SHELL), command.shell];
  const env = [...(current.Env ?? [])];
  const envNames = new Set(env.map((pair) => splitEnv(pair)[0]));
  for (const pair of scope.argEnv) if (!envNames.has(splitEnv(pair)[0])) env.push(pair);
  const workdir = current.WorkingDir || "/";
  return {
    keyMaterial: { argv, env, workdir, user: current.User },
    apply: async () => {
      if (!scope.runner) throw new ImageError(`${scope.file}:${line}: RUN needs a build runner (the kernel), and none was given`);
      const layers = await scope.lowerLayers();
      let credentials: Credentials | undefined;
      if (current.User) {
        const view = flattenLayers(layers);
        try {
          credentials = resolveUser(current.User, (path) => textOf(view, path));
        } catch (error) {
          if (!(error instanceof UnknownUserError)) throw error;
          throw new ImageError(`${scope.file}:${line}: RUN: USER ${current.User}: ${error.message}`);
        }
      }
      const result = await scope.runner.run({ layers, argv, env, workdir, user: current.User, credentials, log: scope.write });
      if (result.exitCode !== 0) {
        throw new ImageError(`${scope.file}:${line}: RUN failed: process "${argv.join(" ")}" exited with code ${result.exitCode}`);
      }
      return { config: current, layer: result.changes };
    },
  };
}

/** One selected source (a context path or a path of another stage) and what it holds, with readers. */
interface GatheredSource {
  selected: { path: string; type: "file" | "dir" | "symlink" };
  items: { relative: string; type: "file" | "dir" | "symlink"; mode: number; owner?: { uid: number; gid: number } }[];
  read: (relative: string) => Promise<{ data?: Uint8Array; target?: string }>;
}

/** What COPY reads from: the build context, or the files of a stage or image (COPY --from). */
interface CopySource<E extends { path: string; type: "file" | "dir" | "symlink"; mode: number; uid?: number; gid?: number }> {
  select(source: string): Promise<E[]>;
  contentsOf(selected: E): Promise<{ relative: string; entry: E }[]>;
  contentHash(entry: E): Promise<string>;
  read(entry: E): Promise<{ data?: Uint8Array; target?: string }>;
}

/** Selects every source and hashes what it holds (path, type, mode, content) into `hash`. */
async function gatherSources<E extends { path: string; type: "file" | "dir" | "symlink"; mode: number; uid?: number; gid?: number }>(
  source: CopySource<E>, sources: string[], hash: ReturnType<typeof createHash>, fail: (detail: string) => never,
): Promise<GatheredSource[]> {
  const gathered: GatheredSource[] = [];
  for (const text of sources) {
    let selection: E[];
    try {
      selection = await source.select(text);
    } catch (error) {
      return fail(`failed: ${(error as Error).message}`);
    }
    for (const selected of selection) {
      const byRelative = new Map<string, E>();
      for (const { relative, entry } of await source.contentsOf(selected)) {
        byRelative.set(relative, entry);
        hash.update(`${selected.path}\0${relative}\0${entry.type}\0${entry.mode}\0${await source.contentHash(entry)}\0`);
      }
      gathered.push({
        selected: { path: selected.path, type: selected.type },
        items: [...byRelative].map(([relative, entry]) => ({
          relative, type: entry.type, mode: entry.mode, ...(entry.uid !== undefined ? { owner: { uid: entry.uid, gid: entry.gid ?? 0 } } : {}),
        })),
        read: (relative) => source.read(byRelative.get(relative)!),
      });
    }
  }
  return gathered;
}

async function prepareCopy(
  ins: Extract<Instruction, { keyword: "COPY" | "ADD" }>,
  current: ContainerConfig,
  scope: StepScope,
  expand: (raw: string) => string,
): Promise<PreparedStep> {
  const fail = (detail: string): never => {
    throw new ImageError(`${scope.file}:${ins.line}: ${ins.keyword} ${detail}`);
  };
  const sources = ins.sources.map(expand);
  const dest = expand(ins.dest);
  const chmod = ins.chmod ? parseChmod(expand(ins.chmod), fail) : undefined;
  for (const source of sources) {
    if (/^[a-z]+:\/\/|^git@/i.test(source)) fail(`from a URL is not supported: "${source}" (builds have no network; download it into the context and COPY it)`);
  }
  const hash = createHash("sha256");
  let gathered: GatheredSource[];
  if (ins.from !== undefined) {
    const files = await scope.copyFrom(ins.from).catch((error: unknown) => fail(`--from=${ins.from}: ${(error as Error).message}`));
    gathered = await gatherSources(files, sources, hash, fail);
  } else {
    gathered = await gatherSources(await scope.context(), sources, hash, fail);
  }
  const many = sources.length > 1 || sources.some(hasGlob) && gathered.length > 1;
  if (many && !dest.endsWith("/")) fail(`with more than one source file: the destination must be a directory and end with a / ("${dest}")`);
  const destPath = normalizeLayerPath(posix.resolve(current.WorkingDir || "/", dest));
  return {
    keyMaterial: { sources, from: ins.from !== undefined, dest: destPath, destDir: dest.endsWith("/"), chown: ins.chown ?? "", chmod: chmod ?? "", content: hash.digest("hex") },
    apply: async () => {
      const view = flattenLayers(await scope.lowerLayers());
      const chown = ins.chown ? resolveOwner(expand(ins.chown), view, fail) : undefined;
      const layer = new Map<string, LayerEntry>();
      const put = (entry: LayerEntry, kept?: { uid: number; gid: number }) => {
        layer.set(entry.path, { ...entry, ...(chown ?? kept ?? { uid: 0, gid: 0 }), mode: chmod ?? entry.mode, mtimeNs: 0n });
      };
      const destIsDir = dest.endsWith("/") || many || view.get(destPath)?.type === "dir";
      for (const { selected, items, read } of gathered) {
        const data = ins.keyword === "ADD" && selected.type === "file" ? (await read("")).data! : undefined;
        const unsupported = data && unsupportedCompression(data);
        if (unsupported) fail(`${selected.path}: compressed with ${unsupported}, which docker would unpack; wasmbox unpacks plain and gzip tar archives only (decompress it, or COPY it to keep it packed)`);
        const archive = data ? await tarEntries(data) : undefined;
        if (archive) {
          for (const entry of archive) put({ ...entry, path: join(destPath, entry.path) });
          continue;
        }
        for (const item of items) {
          const base = selected.type === "dir" || destIsDir ? join(destPath, selected.type === "dir" ? "" : posix.basename(selected.path)) : destPath;
          const path = join(base, item.relative);
          if (path === "") continue;
          const content = await read(item.relative);
          if (item.type === "dir") put({ path, type: "dir", mode: item.mode }, item.owner);
          else if (item.type === "symlink") put({ path, type: "symlink", mode: 0o777, target: content.target }, item.owner);
          else put({ path, type: "file", mode: item.mode, data: content.data }, item.owner);
        }
      }
      const entries = [...layer.values()];
      for (const entry of [...entries]) withParents(entries, parentPath(entry.path), view, 0o755, layer);
      if (destIsDir && destPath && !layer.has(destPath)) withParents(entries, destPath, view, 0o755, layer);
      return { config: current, layer: entries };
    },
  };
}

function join(dir: string, name: string): string {
  return !dir ? name : !name ? dir : `${dir}/${name}`;
}

function parentPath(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** Adds directory entries for `dir` and its ancestors not yet in the layer (keeping modes of existing ones). */
function withParents(entries: LayerEntry[], dir: string, view: Map<string, LayerEntry>, mode: number, layer = new Map<string, LayerEntry>()): LayerEntry[] {
  for (let path = dir; path !== ""; path = parentPath(path)) {
    if (layer.has(path)) continue;
    const below = view.get(path);
    const entry: LayerEntry = { path, type: "dir", mode: below?.type === "dir" ? below.mode : mode, uid: below?.uid ?? 0, gid: below?.gid ?? 0, mtimeNs: 0n };
    layer.set(path, entry);
    entries.push(entry);
  }
  return entries;
}

/** Compressions docker's ADD unpacks that wasmbox cannot (Node has no bzip2, xz or zstd), by magic number. */
const UNSUPPORTED_COMPRESSIONS: ReadonlyArray<[string, number[]]> = [
  ["bzip2", [0x42, 0x5a, 0x68]],
  ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ["zstd", [0x28, 0xb5, 0x2f, 0xfd]],
];

function unsupportedCompression(data: Uint8Array): string | undefined {
  return UNSUPPORTED_COMPRESSIONS.find(([, magic]) => magic.every((byte, i) => data[i] === byte))?.[0];
}

async function tarEntries(bytes: Uint8Array): Promise<LayerEntry[] | undefined> {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let tarBytes: Buffer;
  try {
    tarBytes = isGzipData(data) ? layerTarBytes(data) : data;
  } catch {
    return undefined;
  }
  return isTarData(tarBytes) ? decodeLayer(tarBytes) : undefined;
}

function parseChmod(text: string, fail: (detail: string) => never): number {
  if (!/^[0-7]{3,4}$/.test(text)) fail(`--chmod: "${text}" is not an octal mode like 755`);
  return parseInt(text, 8);
}

/** Resolves `--chown=user[:group]` to numbers, names looked up in the image's /etc/passwd and /etc/group. */
function resolveOwner(text: string, view: Map<string, LayerEntry>, fail: (detail: string) => never): { uid: number; gid: number } {
  const [user = "", group] = text.split(":");
  const lookup = (file: string, name: string, field: number): number => {
    if (/^\d+$/.test(name)) return Number(name);
    if (name === "root") return 0;
    const data = view.get(file)?.data;
    const line = data && Buffer.from(data).toString("utf8").split("\n").find((l) => l.split(":")[0] === name);
    if (!line) fail(`--chown: no ${file === "etc/passwd" ? "user" : "group"} "${name}" in the image's /${file}`);
    return Number(line!.split(":")[field]);
  };
  const uid = lookup("etc/passwd", user, 2);
  const gid = group !== undefined ? lookup("etc/group", group, 2) : /^\d+$/.test(user) ? uid : lookup("etc/passwd", user, 3);
  return { uid, gid };
}
