// images/registry: the registry names of each local image by content (`$WASMBOX_HOME/repo-digests.json`),
// docker's RepoDigests: `name@sha256:...` for every repository it was pulled from or pushed to.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../fs-atomic.js";

/** The image id -> `name@digest` record of one wasmbox home. */
export class RepoDigests {
  readonly path: string;

  constructor(home: string) {
    this.path = join(home, "repo-digests.json");
  }

  /** The `name@sha256:...` references of image `imageId` (its config digest), oldest first. */
  async of(imageId: string): Promise<string[]> {
    return (await this.read())[imageId] ?? [];
  }

  /**
   * Records that image `imageId` is `reference` (`name@sha256:...`) in a registry; an older digest of
   * the same repository is replaced (as docker keeps one per repository).
   */
  async record(imageId: string, reference: string): Promise<void> {
    const all = await this.read();
    const repository = reference.slice(0, reference.indexOf("@"));
    const others = (all[imageId] ?? []).filter((r) => r.slice(0, r.indexOf("@")) !== repository);
    all[imageId] = [...others, reference];
    await writeFileAtomic(this.path, JSON.stringify(all) + "\n");
  }

  private async read(): Promise<Record<string, string[]>> {
    const text = await readFile(this.path, "utf8").catch(() => "{}");
    try {
      return JSON.parse(text) as Record<string, string[]>;
    } catch {
      return {}; // A damaged record only loses the RepoDigests shown by inspect.
    }
  }
}
