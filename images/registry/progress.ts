// images/registry: docker's per-layer progress for pull and push: on a terminal one line per layer, redrawn
// in place with a bar (`Downloading [=====>    ] 1.2MB/5MB`); elsewhere one plain line per status change.
import { humanSize } from "../format.js";

const BAR_WIDTH = 50;
const REDRAW_INTERVAL_MS = 100;

interface LayerLine {
  id: string;
  status: string;
  done?: number;
  total?: number;
}

/** The progress display of one pull or push. */
export class LayerProgress {
  private readonly lines: LayerLine[] = [];
  private drawnLines = 0;
  private lastDraw = 0;

  constructor(private readonly write: (text: string) => void, private readonly terminal: boolean) {}

  /** A line that is not about a layer (`latest: Pulling from team/app`, `Digest: ...`). */
  message(text: string): void {
    if (this.terminal) this.redraw(true);
    this.write(text + "\n");
    if (this.terminal) {
      this.lines.length = 0;
      this.drawnLines = 0;
    }
  }

  /** A layer's new status (`Pulling fs layer`, `Download complete`, `Pushed`, ...). */
  status(id: string, status: string): void {
    const line = this.line(id);
    if (line.status === status && line.done === undefined) return;
    line.status = status;
    line.done = line.total = undefined;
    if (this.terminal) this.redraw(true);
    else this.write(`${id}: ${status}\n`);
  }

  /** Bytes moved for a layer (`Downloading`, `Pushing`): drawn on a terminal, at most every 100 ms. */
  bytes(id: string, status: string, done: number, total: number): void {
    if (!this.terminal) {
      if (this.line(id).status !== status) this.status(id, status);
      return;
    }
    const line = this.line(id);
    line.status = status;
    line.done = done;
    line.total = total;
    this.redraw(done >= total);
  }

  private line(id: string): LayerLine {
    let line = this.lines.find((l) => l.id === id);
    if (!line) {
      line = { id, status: "" };
      this.lines.push(line);
    }
    return line;
  }

  private redraw(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < REDRAW_INTERVAL_MS) return;
    this.lastDraw = now;
    let text = this.drawnLines ? `\x1b[${this.drawnLines}A` : "";
    for (const line of this.lines) text += `\x1b[2K${line.id}: ${line.status}${line.total !== undefined ? " " + bar(line.done ?? 0, line.total) : ""}\n`;
    this.drawnLines = this.lines.length;
    this.write(text);
  }
}

/** docker's progress bar: `[=====>      ]  1.2MB/5MB`. */
export function bar(done: number, total: number): string {
  const filled = total > 0 ? Math.min(BAR_WIDTH, Math.floor((done / total) * BAR_WIDTH)) : 0;
  const arrow = filled < BAR_WIDTH ? "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") + " ".repeat(BAR_WIDTH - filled) : "=".repeat(BAR_WIDTH);
  return `[${arrow}]  ${humanSize(done)}/${humanSize(total)}`;
}
