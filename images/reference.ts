// images/: image references as users type them: `NAME[:TAG]` (tag defaults to `latest`), an image id
// or a prefix of one (docker's 12-hex short ids), or `NAME@sha256:...`. Pure parsing, no store access.
import { ImageError } from "./errors.js";

export const DEFAULT_TAG = "latest";

/** A parsed `NAME[:TAG]`. */
export interface ImageReference {
  name: string;
  tag: string;
}

const NAME_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const DOMAIN = "(?:[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*(?::[0-9]+)?/)?";
const NAME_PATTERN = new RegExp(`^${DOMAIN}${NAME_COMPONENT}(?:/${NAME_COMPONENT})*$`);
const TAG_PATTERN = /^[\w][\w.-]{0,127}$/;

/** Parses `NAME[:TAG]`; throws ImageError naming the reference when it is malformed. */
export function parseReference(text: string): ImageReference {
  const slash = text.lastIndexOf("/");
  const colon = text.lastIndexOf(":");
  const hasTag = colon > slash;
  const name = hasTag ? text.slice(0, colon) : text;
  const tag = hasTag ? text.slice(colon + 1) : DEFAULT_TAG;
  if (!NAME_PATTERN.test(name) || name.length > 255) {
    throw new ImageError(`invalid reference format: "${text}" (repository names are lowercase letters, digits and . _ - /)`);
  }
  if (!TAG_PATTERN.test(tag)) throw new ImageError(`invalid reference format: "${text}" (bad tag "${tag}")`);
  return { name, tag };
}

/** `name:tag` of a reference. */
export function formatReference(ref: ImageReference): string {
  return `${ref.name}:${ref.tag}`;
}

/** Parses and re-formats, so `base` becomes `base:latest`. */
export function normalizeReference(text: string): string {
  return formatReference(parseReference(text));
}

/** Strips docker's default registry: `docker.io/library/foo:1` -> `foo:1`, `docker.io/u/foo` -> `u/foo`. */
export function normalizeDockerName(text: string): string {
  return text.replace(/^(?:docker\.io|index\.docker\.io)\/(?:library\/)?/, "");
}

/** True when `text` could be an image id or a prefix of one (`sha256:` optional, hex, >= 4 chars). */
export function looksLikeImageId(text: string): boolean {
  return /^(?:sha256:)?[0-9a-f]{4,64}$/.test(text);
}
