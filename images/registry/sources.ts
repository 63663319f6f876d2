// images/registry: where each blob of the store was last seen in a registry (`$WASMBOX_HOME/blob-sources.json`),
// docker's distribution metadata: push asks for a cross-repository mount from there instead of uploading again.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../fs-atomic.js";

/** Up to this many repositories are remembered per blob, newest first. */
const MAX_SOURCES_PER_BLOB = 4;

/** A registry repository a blob is known to be in. */
export interface BlobSource {
  registry: string;
  repository: string;
}

/** The blob -> repositories record of one wasmbox home. */
export class BlobSources {
  readonly path: string;

  constructor(home: string) {
    this.path = join(home, "blob-sources.json");
  }

  /** Repositories that held `digest`, newest first. */
  async of(digest: string): Promise<BlobSource[]> {
    return (await this.read())[digest] ?? [];
  }

  /** Records that these blobs are in `source` (after a pull from it or a push to it). */
  async record(digests: string[], source: BlobSource): Promise<void> {
    const all = await this.read();
    for (const digest of digests) {
      const others = (all[digest] ?? []).filter((s) => s.registry !== source.registry || s.repository !== source.repository);
      all[digest] = [source, ...others].slice(0, MAX_SOURCES_PER_BLOB);
    }
    await writeFileAtomic(this.path, JSON.stringify(all) + "\n");
  }

  private async read(): Promise<Record<string, BlobSource[]>> {
    const text = await readFile(this.path, "utf8").catch(() => "{}");
    try {
      return JSON.parse(text) as Record<string, BlobSource[]>;
    } catch {
      return {}; // A damaged record only costs mounts: pushes upload instead.
    }
  }
}
