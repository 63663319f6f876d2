// images/registry: which registry a bare name (`alpine`, `team/app`) means: `$WASMBOX_REGISTRY`, else the
// `defaultRegistry` of `$WASMBOX_HOME/registries.json`, else docker.io, as docker resolves it.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ImageError } from "../errors.js";
import { DOCKER_HUB } from "../reference.js";

/** The default registry for bare names in this environment and home. */
export async function defaultRegistry(env: Record<string, string | undefined>, home: string): Promise<string> {
  if (env.WASMBOX_REGISTRY) return env.WASMBOX_REGISTRY;
  const path = join(home, "registries.json");
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return DOCKER_HUB;
  try {
    const parsed = JSON.parse(text) as { defaultRegistry?: unknown };
    if (parsed.defaultRegistry === undefined) return DOCKER_HUB;
    if (typeof parsed.defaultRegistry !== "string" || !/^[A-Za-z0-9.-]+(?::\d+)?$/.test(parsed.defaultRegistry)) throw new Error("defaultRegistry must be a HOST[:PORT] string");
    return parsed.defaultRegistry;
  } catch (error) {
    throw new ImageError(`${path}: ${(error as Error).message}`);
  }
}
