// images/: how image data is shown to people, in docker's formats: human sizes and ages, aligned tables,
// `inspect` JSON and `history` rows. Pure functions over StoredImage; the CLI prints what they return.
import { shortId } from "./oci.js";
import type { StoredImage } from "./store.js";

/** docker's size format: three significant digits, decimal units (`512B`, `4.1kB`, `12.3MB`). */
export function humanSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))}${units[unit]}`;
}

/** docker's age format (go-units HumanDuration): `Less than a second ago`, `About a minute ago`, `3 days ago`. */
export function humanAge(created: string | undefined, now = Date.now()): string {
  if (!created) return "N/A";
  const seconds = Math.floor(Math.max(0, (now - Date.parse(created)) / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.round(seconds / 3600);
  let text: string;
  if (seconds < 1) text = "Less than a second";
  else if (seconds === 1) text = "1 second";
  else if (seconds < 60) text = `${seconds} seconds`;
  else if (minutes === 1) text = "About a minute";
  else if (minutes < 60) text = `${minutes} minutes`;
  else if (hours === 1) text = "About an hour";
  else if (hours < 48) text = `${hours} hours`;
  else if (hours < 24 * 7 * 2) text = `${Math.floor(hours / 24)} days`;
  else if (hours < 24 * 30 * 2) text = `${Math.floor(hours / 24 / 7)} weeks`;
  else if (hours < 24 * 365 * 2) text = `${Math.floor(hours / 24 / 30)} months`;
  else text = `${Math.floor(hours / 24 / 365)} years`;
  return text + " ago";
}

/** Lays rows out in columns separated by three spaces, as docker's tables are. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join("").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

/** Total size of an image's layers, as listed by `images`. */
export function imageSize(image: StoredImage): number {
  return image.manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
}

/** One row per `images` line: a line per tag, `<none>` for a dangling image. */
export function imageRows(images: StoredImage[], now = Date.now()): string[][] {
  const rows: { created: string; row: string[] }[] = [];
  for (const image of images) {
    const refs = image.refs.length ? image.refs : ["<none>:<none>"];
    for (const ref of refs) {
      const at = ref.indexOf("@");
      const colon = at >= 0 ? at : ref.lastIndexOf(":");
      rows.push({ created: image.config.created ?? "", row: [ref.slice(0, colon), at >= 0 ? "<none>" : ref.slice(colon + 1), shortId(image.id), humanAge(image.config.created, now), humanSize(imageSize(image))] });
    }
  }
  return rows.sort((a, b) => b.created.localeCompare(a.created) || a.row[0]!.localeCompare(b.row[0]!)).map((r) => r.row);
}

/** docker-inspect-like JSON object for an image. */
export function inspectImage(image: StoredImage, repoDigests: string[] = []): Record<string, unknown> {
  return {
    Id: image.id,
    RepoTags: image.refs,
    RepoDigests: repoDigests,
    Created: image.config.created,
    Author: image.config.author ?? "",
    Architecture: image.config.architecture,
    Os: image.config.os,
    Config: image.config.config ?? {},
    RootFS: { Type: "layers", Layers: image.config.rootfs?.diff_ids ?? [] },
    Size: imageSize(image),
    Descriptor: { mediaType: image.manifest.mediaType, digest: image.manifestDigest, size: image.manifestSize },
    Layers: image.manifest.layers,
  };
}

/** `history` rows, newest first: IMAGE, CREATED, CREATED BY, SIZE, COMMENT. */
export function historyRows(image: StoredImage, options: { noTrunc?: boolean; now?: number } = {}): string[][] {
  const layers = [...image.manifest.layers];
  const rows = (image.config.history ?? []).map((entry) => {
    const size = entry.empty_layer ? 0 : layers.shift()?.size ?? 0;
    let createdBy = entry.created_by ?? "";
    if (!options.noTrunc && createdBy.length > 45) createdBy = createdBy.slice(0, 44) + "…";
    return ["<missing>", humanAge(entry.created, options.now), createdBy, humanSize(size), entry.comment ?? ""];
  });
  rows.reverse();
  if (rows[0]) rows[0][0] = shortId(image.id);
  return rows;
}
