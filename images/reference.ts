// images/: image references as users type them, in docker's grammar: `[HOST[:PORT]/]PATH[:TAG][@sha256:HEX]`
// (tag defaults to `latest`), an image id or a prefix of one (docker's 12-hex short ids). Pure parsing, no store access.
import { ImageError } from "./errors.js";

export const DEFAULT_TAG = "latest";
/** Docker's registry: bare names (`alpine`) mean `docker.io/library/alpine` there. */
export const DOCKER_HUB = "docker.io";

/** A parsed local reference: `NAME:TAG`, or `NAME@DIGEST` (then `tag` is empty). */
export interface ImageReference {
  name: string;
  tag: string;
  digest?: string;
}

/** A reference to an image in a registry: host (with port), repository path, tag and/or digest. */
export interface RemoteReference {
  /** `host[:port]` as the user wrote it (`index.docker.io` is spelled `docker.io`). */
  registry: string;
  /** The repository path inside the registry (`library/alpine` on docker.io). */
  repository: string;
  /** The tag; `latest` when neither tag nor digest was given. */
  tag?: string;
  digest?: string;
  /** False when the name had no registry part and the default registry was filled in. */
  explicitRegistry: boolean;
}

const NAME_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const DOMAIN = "(?:[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?";
const PATH_PATTERN = new RegExp(`^${NAME_COMPONENT}(?:/${NAME_COMPONENT})*$`);
const DOMAIN_PATTERN = new RegExp(`^${DOMAIN}$`);
const TAG_PATTERN = /^[\w][\w.-]{0,127}$/;
const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

interface SplitReference {
  domain?: string;
  path: string;
  tag?: string;
  digest?: string;
}

/** Splits `[DOMAIN/]PATH[:TAG][@DIGEST]`, docker's way: the first component is a domain when it has `.` or `:` or is `localhost`. */
function splitReference(text: string): SplitReference {
  const bad = (why: string) => new ImageError(`invalid reference format: "${text}" (${why})`);
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_PATTERN.test(digest)) throw bad(`bad digest "${digest}": expected sha256: and 64 lowercase hex digits`);
  }
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_PATTERN.test(tag)) throw bad(`bad tag "${tag}"`);
  }
  const first = rest.indexOf("/");
  const head = first < 0 ? "" : rest.slice(0, first);
  const isDomain = first >= 0 && (head.includes(".") || head.includes(":") || head === "localhost" || head.startsWith("[") || head !== head.toLowerCase());
  const domain = isDomain ? head : undefined;
  const path = isDomain ? rest.slice(first + 1) : rest;
  if (domain !== undefined && !DOMAIN_PATTERN.test(domain)) throw bad(`bad registry host "${domain}"`);
  if (!PATH_PATTERN.test(path) || rest.length > 255) throw bad("repository names are lowercase letters, digits and . _ - /");
  return { domain, path, tag, digest };
}

/** Parses a local `NAME[:TAG]` or `NAME@DIGEST`; throws ImageError naming the reference when it is malformed. */
export function parseReference(text: string): ImageReference {
  const { domain, path, tag, digest } = splitReference(normalizeDockerName(text));
  const name = domain ? `${domain}/${path}` : path;
  if (digest && !tag) return { name, tag: "", digest };
  return { name, tag: tag ?? DEFAULT_TAG, ...(digest ? { digest } : {}) };
}

/** `name:tag` of a reference (`name@digest` when it has only a digest). */
export function formatReference(ref: ImageReference): string {
  return ref.tag ? `${ref.name}:${ref.tag}` : `${ref.name}@${ref.digest}`;
}

/** Parses and re-formats, so `base` becomes `base:latest` and `docker.io/library/alpine` becomes `alpine:latest`. */
export function normalizeReference(text: string): string {
  return formatReference(parseReference(text));
}

/** Strips docker's default registry: `docker.io/library/foo:1` -> `foo:1`, `docker.io/u/foo` -> `u/foo`. */
export function normalizeDockerName(text: string): string {
  return text.replace(/^(?:docker\.io|index\.docker\.io)\/(?:library\/(?=[^/]+$))?/, "");
}

/**
 * Parses a reference to a registry image. A name without a registry part is looked up on
 * `defaultRegistry`; on docker.io a one-component name gets docker's `library/` prefix.
 */
export function parseRemoteReference(text: string, defaultRegistry = DOCKER_HUB): RemoteReference {
  const { domain, path, tag, digest } = splitReference(text);
  const registry = domain === "index.docker.io" ? DOCKER_HUB : (domain ?? defaultRegistry);
  const repository = registry === DOCKER_HUB && !path.includes("/") ? `library/${path}` : path;
  return { registry, repository, tag: tag ?? (digest ? undefined : DEFAULT_TAG), ...(digest ? { digest } : {}), explicitRegistry: domain !== undefined };
}

/** `registry/repository[:tag][@digest]`, docker's fully qualified spelling. */
export function formatRemoteReference(ref: RemoteReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? ":" + ref.tag : ""}${ref.digest ? "@" + ref.digest : ""}`;
}

/**
 * The name the store keeps a pulled image under: what the user typed, normalized (`alpine:3` for
 * docker.io/library/alpine:3, `localhost:5000/app:1` with its registry); `NAME@DIGEST` when pulled by digest only.
 */
export function localNameOf(ref: RemoteReference): string {
  const name = !ref.explicitRegistry
    ? ref.registry === DOCKER_HUB ? ref.repository.replace(/^library\/(?=[^/]+$)/, "") : ref.repository
    : normalizeDockerName(`${ref.registry}/${ref.repository}`);
  return ref.tag ? `${name}:${ref.tag}` : `${name}@${ref.digest}`;
}

/** True when `text` could be an image id or a prefix of one (`sha256:` optional, hex, >= 4 chars). */
export function looksLikeImageId(text: string): boolean {
  return /^(?:sha256:)?[0-9a-f]{4,64}$/.test(text);
}
