// docker's --format for listings (ps, stats): a subset of Go templates, `{{.Field}}` and
// `{{json .}}`, with docker's `table` (a header row, aligned columns) and `json` (one object a line).

/** One listing row: the fields a template may name, by their docker names. */
export type TemplateRow = Record<string, string | number | boolean>;

/** What a listing's --format prints, or the error text for a template it cannot read. */
export function renderListing(template: string, rows: TemplateRow[], headers: Record<string, string>): string {
  const text = template.replace(/\\t/g, "\t").replace(/\\n/g, "\n");
  if (text.trim() === "json") return rows.map((row) => JSON.stringify(row) + "\n").join("");
  const table = /^table(\s|$)/.test(text);
  const body = table ? text.replace(/^table\s*/, "") : text;
  const fields = [...body.matchAll(/\{\{\s*(json\s+)?\.(\w*)\s*\}\}/g)];
  const leftover = body.replace(/\{\{\s*(json\s+)?\.(\w*)\s*\}\}/g, "");
  if (leftover.includes("{{")) throw new TemplateError(`template: unsupported action in ${JSON.stringify(template)} (only {{.Field}} and {{json .Field}})`);
  for (const [, , name] of fields) {
    if (name && !(name in headers)) throw new TemplateError(`template: can't evaluate field ${name} (known: ${Object.keys(headers).join(", ")})`);
  }
  const fill = (row: TemplateRow | undefined) => body.replace(/\{\{\s*(json\s+)?\.(\w*)\s*\}\}/g, (_, json: string | undefined, name: string) => {
    if (!row) return name ? headers[name]! : "";
    const value = name ? row[name] : row;
    return json || typeof value === "object" ? JSON.stringify(value) : String(value);
  });
  if (!table) return rows.map((row) => fill(row) + "\n").join("");
  return alignColumns([fill(undefined), ...rows.map(fill)]);
}

/** Lines whose cells are tab-separated, as docker's tabwriter prints them (padded, 3 spaces apart). */
function alignColumns(lines: string[]): string {
  const cells = lines.map((line) => line.split("\t"));
  const widths: number[] = [];
  for (const row of cells) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join("").trimEnd() + "\n").join("");
}

/** A --format template wasmbox cannot evaluate. */
export class TemplateError extends Error {}

/** docker's --format for one object (inspect): `{{.A.B}}` and `{{json .A}}`; an object prints as JSON, a missing field as <no value>. */
export function applyFormat(template: string, value: Readonly<Record<string, unknown>>): string {
  return template.replace(/\{\{\s*(json\s+)?\.([\w.]*)\s*\}\}/g, (_, json: string | undefined, path: string) => {
    let current: unknown = value;
    for (const key of path.split(".").filter(Boolean)) current = fieldOf(current, key);
    return json || (typeof current === "object" && current !== null) ? JSON.stringify(current) : String(current ?? "<no value>");
  });
}

/** A field of a JSON object or an element of an array (undefined for anything else). */
function fieldOf(value: unknown, key: string): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  return Object.entries(value).find(([k]) => k === key)?.[1];
}
