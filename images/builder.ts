// images/: `wasmbox build`: runs a Containerfile step by step over the store, printing docker-like progress.
// A multi-stage file builds only the stages its target (--target, else the last) needs, through FROM STAGE and
// COPY --from, in file order; ARGs before the first FROM are global (usable in FROM lines). Each step's result is stored as an (untagged) image and recorded in the build cache under a key made of
// the parent image id, the expanded instruction and the content of its sources, so unchanged steps are reused.
import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { LayerEntry } from "../kernel/index.js";
import { prepareStep, type BuildRunner, type StepScope } from "./build-steps.js";
import { BuildContext, FileHashCache } from "./context.js";
import { ContainerfileError, naming, parseContainerfile, type Instruction } from "./containerfile.js";
import { ImageError } from "./errors.js";
import { encodeLayer } from "./layer-tar.js";
import { IMAGE_ARCHITECTURE, IMAGE_OS, sha256Digest, shortId, type Descriptor, type ImageConfig } from "./oci.js";
import { normalizeReference } from "./reference.js";
import { ImageFiles } from "./stage-files.js";
import type { ImageStore, StoredImage } from "./store.js";
import { expandWord } from "./words.js";

export type { BuildRunner, BuildRunRequest } from "./build-steps.js";

/** What to build and how. Paths are absolute (the CLI resolves them against its cwd). */
export interface BuildOptions {
  contextDir: string;
  /** The Containerfile; default CONTEXT/Containerfile, else CONTEXT/Dockerfile. */
  containerfile?: string;
  /** References to tag the result with (`name[:tag]`). */
  tags: string[];
  buildArgs?: Record<string, string>;
  /** `--target`: the stage (by its AS name) to build; default the last. Stages it does not need are skipped. */
  target?: string;
  noCache?: boolean;
  /** Store new layers gzip-compressed. */
  gzip?: boolean;
  runner?: BuildRunner;
  /** Receives the progress text (lines end with "\n"; RUN output as it comes). */
  write?: (text: string) => void;
}

/** The built image and how many of its steps came from the cache. */
export interface BuildResult {
  image: StoredImage;
  steps: number;
  cachedSteps: number;
}

const CACHE_KEY_VERSION = 1;

function scratchConfig(): ImageConfig {
  return { architecture: IMAGE_ARCHITECTURE, os: IMAGE_OS, config: {}, rootfs: { type: "layers", diff_ids: [] }, history: [] };
}

async function readContainerfile(options: BuildOptions): Promise<{ text: string; name: string }> {
  const candidates = options.containerfile ? [options.containerfile] : [join(options.contextDir, "Containerfile"), join(options.contextDir, "Dockerfile")];
  for (const path of candidates) {
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text !== undefined) return { text, name: options.containerfile ? options.containerfile : basename(path) };
  }
  throw new ImageError(`cannot read ${options.containerfile ?? `a Containerfile or Dockerfile in ${options.contextDir}`}`);
}

/** One stage: its FROM and the instructions up to the next FROM; `name` is its `AS` name (lower-cased). */
interface Stage {
  index: number;
  name?: string;
  from: Extract<Instruction, { keyword: "FROM" }>;
  body: Instruction[];
}

/** What a built stage left: its last image (none for an untouched scratch), config and layers. */
interface StageResult {
  image?: StoredImage;
  config: ImageConfig;
  layers: Descriptor[];
}

function splitStages(instructions: Instruction[]): { globalArgs: Extract<Instruction, { keyword: "ARG" }>[]; stages: Stage[] } {
  const globalArgs: Extract<Instruction, { keyword: "ARG" }>[] = [];
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === "FROM") stages.push({ index: stages.length, name: ins.alias, from: ins, body: [] });
    else if (stages.length > 0) stages.at(-1)!.body.push(ins);
    else if (ins.keyword === "ARG") globalArgs.push(ins);
  }
  return { globalArgs, stages };
}

/** Builds an image from a Containerfile and tags it; throws ImageError (ContainerfileError for file mistakes). */
export async function buildImage(store: ImageStore, options: BuildOptions): Promise<BuildResult> {
  const write = options.write ?? (() => {});
  const tags = options.tags.map(normalizeReference);
  const source = await readContainerfile(options);
  const parsed = parseContainerfile(source.text, source.name);
  const buildArgs = options.buildArgs ?? {};
  const usedArgs = new Set<string>();
  let context: Promise<BuildContext> | undefined;
  const globalArgs = new Map<string, string | undefined>();
  const fail = (ins: Instruction, detail: string): never => {
    throw new ContainerfileError(parsed.file, ins.line, naming(ins.keyword, detail));
  };
  /** Rethrows an ImageError of a step as `FILE:LINE: KEYWORD ...`; anything else as is. */
  const located = (ins: Instruction) => (error: unknown): never => {
    if (!(error instanceof ImageError)) throw error;
    const prefix = `${parsed.file}:${ins.line}: `;
    return fail(ins, error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message);
  };
  const declare = (ins: Extract<Instruction, { keyword: "ARG" }>, into: Map<string, string | undefined>, lookup: (name: string) => string | undefined) => {
    for (const arg of ins.args) {
      usedArgs.add(arg.name);
      const fromCli = Object.hasOwn(buildArgs, arg.name) ? buildArgs[arg.name] : undefined;
      const fallback = arg.defaultValue !== undefined ? expandSafely(ins, arg.defaultValue, lookup) : globalArgs.get(arg.name);
      into.set(arg.name, fromCli ?? fallback);
    }
  };
  const expandSafely = (ins: Instruction, raw: string, lookup: (name: string) => string | undefined): string => {
    try {
      return expandWord(raw, lookup, parsed.escape);
    } catch (error) {
      return fail(ins, (error as Error).message);
    }
  };

  const { globalArgs: globalArgInstructions, stages } = splitStages(parsed.instructions);
  for (const ins of globalArgInstructions) declare(ins, globalArgs, (name) => globalArgs.get(name));
  const globalLookup = (name: string) => globalArgs.get(name);
  /** The earlier stage a FROM or COPY --from names (by name, or by index for --from), if any. */
  const stageNamed = (ins: Instruction, text: string, current: Stage, byIndex: boolean): Stage | undefined => {
    const lower = text.toLowerCase();
    const named = stages.find((stage) => stage.name === lower);
    if (named && named.index < current.index) return named;
    if (named) fail(ins, `"${text}" names stage ${named.index}${named.index === current.index ? ", this stage itself" : ", which comes later"}: a stage can only use earlier stages`);
    if (byIndex && /^\d+$/.test(text)) {
      const index = Number(text);
      if (index >= current.index) fail(ins, `--from=${text}: stage ${index} ${index === current.index ? "is this stage itself" : "does not come before this one"}`);
      return stages[index];
    }
    return undefined;
  };
  const dependencies = (stage: Stage): Stage[] => {
    const found: Stage[] = [];
    const base = stageNamed(stage.from, expandSafely(stage.from, stage.from.image, globalLookup), stage, false);
    if (base) found.push(base);
    for (const ins of stage.body) {
      if ((ins.keyword === "COPY" || ins.keyword === "ADD") && ins.from !== undefined) {
        const from = stageNamed(ins, expandSafely(ins, ins.from, globalLookup), stage, true);
        if (from) found.push(from);
      }
    }
    return found;
  };
  let target = stages.at(-1)!;
  if (options.target !== undefined) {
    const named = stages.find((stage) => stage.name === options.target!.toLowerCase());
    if (!named) {
      const names = stages.flatMap((stage) => (stage.name ? [stage.name] : []));
      throw new ImageError(`target stage "${options.target}" could not be found in ${parsed.file}${names.length ? ` (stages: ${names.join(", ")})` : " (it names no stages: FROM IMAGE AS NAME)"}`);
    }
    target = named;
  }
  const needed = new Set<Stage>();
  const visit = (stage: Stage) => {
    if (needed.has(stage)) return;
    needed.add(stage);
    for (const dependency of dependencies(stage)) visit(dependency);
  };
  visit(target);

  const results = new Map<Stage, StageResult>();
  const total = globalArgInstructions.length + stages.filter((stage) => needed.has(stage)).reduce((sum, stage) => sum + 1 + stage.body.length, 0);
  let stepNumber = 0;
  let cachedSteps = 0;
  for (const ins of globalArgInstructions) write(`STEP ${++stepNumber}/${total}: ${ins.text}\n`);
  const imageFiles = async (ins: Instruction, stage: Stage, text: string): Promise<ImageFiles> => {
    const from = stageNamed(ins, text, stage, true);
    if (from) {
      const result = results.get(from)!;
      const layers = result.image ? await store.loadLayers(result.image) : [];
      return new ImageFiles(layers, `stage ${from.name ?? from.index}`);
    }
    const image = await store.resolve(text);
    return new ImageFiles(await store.loadLayers(image), `image ${text}`);
  };

  for (const stage of stages) {
    if (!needed.has(stage)) continue;
    const fromIns = stage.from;
    write(`STEP ${++stepNumber}/${total}: ${fromIns.text}\n`);
    const stageArgs = new Map<string, string | undefined>();
    let image: StoredImage | undefined;
    let config = scratchConfig();
    let layers: Descriptor[] = [];
    let parentId = "scratch";
    let cmdSetHere = false;
    const name = expandSafely(fromIns, fromIns.image, globalLookup);
    const baseStage = stageNamed(fromIns, name, stage, false);
    if (baseStage) {
      ({ image, config, layers } = results.get(baseStage)!);
      parentId = image?.id ?? "scratch";
    } else if (name !== "scratch") {
      try {
        image = await store.resolve(name);
      } catch (error) {
        if (error instanceof ImageError) fail(fromIns, `FROM ${name}: ${error.message} (build or load it first)`);
        throw error;
      }
      if (image.config.architecture !== IMAGE_ARCHITECTURE) write(`warning: ${name} is ${image.config.os}/${image.config.architecture}, not ${IMAGE_OS}/${IMAGE_ARCHITECTURE}\n`);
      config = image.config;
      layers = image.manifest.layers;
      parentId = image.id;
    }
    for (const ins of stage.body) {
      write(`STEP ${++stepNumber}/${total}: ${ins.text}\n`);
      if (ins.keyword === "ARG") {
        declare(ins, stageArgs, (n) => lookupIn(config, stageArgs, n));
        continue;
      }
      const current = { config, layers, image };
      const lookup = (n: string) => lookupIn(current.config, stageArgs, n);
      const scope: StepScope = {
        file: parsed.file,
        escape: parsed.escape,
        config,
        lookup,
        argEnv: [...stageArgs].filter(([, value]) => value !== undefined).map(([key, value]) => `${key}=${value}`),
        cmdSetHere,
        context: () => (context ??= openContext(store, options.contextDir)),
        copyFrom: (text) => imageFiles(ins, stage, expandSafely(ins, text, globalLookup)),
        lowerLayers: async () => (current.image ? store.loadLayers(current.image) : ([] as LayerEntry[][])),
        runner: options.runner,
        write,
      };
      const prepared = await prepareStep(ins, scope).catch(located(ins));
      if (ins.keyword === "CMD") cmdSetHere = true;
      const key = sha256Digest(JSON.stringify([CACHE_KEY_VERSION, parentId, ins.text, prepared.keyMaterial, !!options.gzip])).slice(7);
      const cached = options.noCache ? undefined : await cachedImage(store, key);
      if (cached) {
        image = cached;
        cachedSteps++;
        write(`--> Using cache ${image.id.slice(7)}\n`);
      } else {
        const result = await prepared.apply().catch(located(ins));
        const now = new Date().toISOString();
        const next: ImageConfig = structuredClone(config);
        next.created = now;
        next.config = result.config;
        if (result.author) next.author = result.author;
        next.history = [...(config.history ?? []), { created: now, created_by: ins.text, ...(result.layer ? {} : { empty_layer: true }) }];
        let nextLayers = layers;
        if (result.layer) {
          const encoded = await encodeLayer(result.layer, { gzip: options.gzip });
          const blob = await store.writeBlob(encoded.blob);
          nextLayers = [...layers, { mediaType: encoded.mediaType, ...blob }];
          next.rootfs = { type: "layers", diff_ids: [...config.rootfs.diff_ids, encoded.diffId] };
        }
        image = await store.writeImage(next, nextLayers);
        await store.buildCachePut(key, image.manifestDigest);
      }
      config = image.config;
      layers = image.manifest.layers;
      parentId = image.id;
      write(`--> ${shortId(image.id)}\n`);
    }
    results.set(stage, { image, config, layers });
  }
  await (await context)?.saveHashCache();
  const final = results.get(target)!;
  const image = final.image ?? (await store.writeImage(final.config, final.layers));
  for (const name of Object.keys(buildArgs)) if (!usedArgs.has(name)) write(`[Warning] One or more build-args [${name}] were not consumed\n`);
  if (tags.length) write(`COMMIT ${tags.join(", ")}\n`);
  await store.tagImage(image.manifestDigest, image.manifestSize, tags);
  write(`--> ${shortId(image.id)}\n`);
  for (const tag of tags) write(`Successfully tagged ${tag}\n`);
  write(`${image.id.slice(7)}\n`);
  return { image: { ...image, refs: tags }, steps: total, cachedSteps };
}

/** Opens the context with its file-hash cache, one cache file per context directory under the build cache. */
async function openContext(store: ImageStore, contextDir: string): Promise<BuildContext> {
  const cacheFile = join(store.cacheDir, `files-${sha256Digest(resolve(contextDir)).slice(7, 23)}.json`);
  return BuildContext.open(contextDir, await FileHashCache.load(cacheFile));
}

function lookupIn(config: ImageConfig, args: Map<string, string | undefined>, name: string): string | undefined {
  const pair = config.config?.Env?.find((entry) => entry.startsWith(name + "="));
  return pair !== undefined ? pair.slice(name.length + 1) : args.get(name);
}

async function cachedImage(store: ImageStore, key: string): Promise<StoredImage | undefined> {
  const digest = await store.buildCacheGet(key);
  if (!digest) return undefined;
  const image = await store.readImage(digest).catch(() => undefined);
  if (!image) return undefined;
  for (const layer of image.manifest.layers) if (!(await store.hasBlob(layer.digest))) return undefined;
  return image;
}
