// images/: `wasmbox build`: runs a Containerfile step by step over the store, printing docker-like progress.
// Each step's result is stored as an (untagged) image and recorded in the build cache under a key made of
// the parent image id, the expanded instruction and the content of its sources, so unchanged steps are reused.
import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { LayerEntry } from "../kernel/index.js";
import { prepareStep, type BuildRunner, type StepScope } from "./build-steps.js";
import { BuildContext, FileHashCache } from "./context.js";
import { ContainerfileError, parseContainerfile, type Instruction } from "./containerfile.js";
import { ImageError } from "./errors.js";
import { encodeLayer } from "./layer-tar.js";
import { IMAGE_ARCHITECTURE, IMAGE_OS, sha256Digest, shortId, type Descriptor, type ImageConfig } from "./oci.js";
import { normalizeReference } from "./reference.js";
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
  const stageArgs = new Map<string, string | undefined>();
  const fail = (ins: Instruction, detail: string): never => {
    throw new ContainerfileError(parsed.file, ins.line, detail);
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

  let image: StoredImage | undefined;
  let config = scratchConfig();
  let layers: Descriptor[] = [];
  let parentId = "scratch";
  let cmdSetHere = false;
  let seenFrom = false;
  let cachedSteps = 0;
  const total = parsed.instructions.length;
  for (const [i, ins] of parsed.instructions.entries()) {
    write(`STEP ${i + 1}/${total}: ${ins.text}\n`);
    if (ins.keyword === "ARG") {
      if (seenFrom) declare(ins, stageArgs, (name) => lookupIn(config, stageArgs, name));
      else declare(ins, globalArgs, (name) => globalArgs.get(name));
      continue;
    }
    if (ins.keyword === "FROM") {
      seenFrom = true;
      const name = expandSafely(ins, ins.image, (n) => globalArgs.get(n));
      if (name !== "scratch") {
        try {
          image = await store.resolve(name);
        } catch (error) {
          if (error instanceof ImageError) fail(ins, `FROM ${name}: ${error.message} (build or load it first)`);
          throw error;
        }
        if (image.config.architecture !== IMAGE_ARCHITECTURE) write(`warning: ${name} is ${image.config.os}/${image.config.architecture}, not ${IMAGE_OS}/${IMAGE_ARCHITECTURE}\n`);
        config = image.config;
        layers = image.manifest.layers;
        parentId = image.id;
      }
      continue;
    }
    const current = { config, layers, image };
    const scope: StepScope = {
      file: parsed.file,
      escape: parsed.escape,
      config,
      lookup: (name) => lookupIn(config, stageArgs, name),
      argEnv: [...stageArgs].filter(([, value]) => value !== undefined).map(([key, value]) => `${key}=${value}`),
      cmdSetHere,
      context: () => (context ??= openContext(store, options.contextDir)),
      lowerLayers: async () => (current.image ? store.loadLayers(current.image) : ([] as LayerEntry[][])),
      runner: options.runner,
      write,
    };
    const prepared = await prepareStep(ins, scope).catch((error: unknown) => {
      if (error instanceof ImageError && !(error instanceof ContainerfileError) && !error.message.startsWith(parsed.file + ":")) fail(ins, error.message);
      throw error;
    });
    if (ins.keyword === "CMD") cmdSetHere = true;
    const key = sha256Digest(JSON.stringify([CACHE_KEY_VERSION, parentId, ins.text, prepared.keyMaterial, !!options.gzip])).slice(7);
    const cached = options.noCache ? undefined : await cachedImage(store, key);
    if (cached) {
      image = cached;
      cachedSteps++;
      write(`--> Using cache ${image.id.slice(7)}\n`);
    } else {
      const result = await prepared.apply();
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
  await (await context)?.saveHashCache();
  image ??= await store.writeImage(config, layers);
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
