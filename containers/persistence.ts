// containers/: the runtime's records on disk (a ContainerFiles directory, when it has one): loading
// the records other processes made or ran, and saving a container's writable layer and state.
import { type Kernel, type LayerEntry, type OverlayFs, PATH_MAX } from "../kernel/host.js";
import type { IsoClock } from "./clock.js";
import type { ContainerFiles } from "./files.js";
import type { ContainerRecord, ContainerRegistry } from "./registry.js";
import { markOrphaned, withSaveError } from "./state.js";

/** What State.Error starts with when the writable layer could not be saved. */
const SAVE_FAILED = "saving the writable layer failed: ";

/** What persistence works with: the files (absent: records live in memory only) and the runtime's records. */
export interface PersistenceDeps {
  files?: ContainerFiles;
  kernel: Kernel;
  registry: ContainerRegistry;
  /** Ids whose removal is under way: a refresh that read their files just before must not bring them back. */
  removing: ReadonlySet<string>;
  clock: IsoClock;
}

/** Loads and saves a runtime's records. */
export class RecordPersistence {
  /** The refresh running now, and the one queued behind it (concurrent requests share them). */
  private refreshing?: Promise<void>;
  private nextRefresh?: Promise<void>;

  constructor(private readonly deps: PersistenceDeps) {}

  /**
   * Loads the records kept in files (new ones, and the state of those not created or run here).
   * Calls made while one runs share the next one, which starts after it: each caller sees the
   * files as they were at least when it called.
   */
  refresh(): Promise<void> {
    if (!this.deps.files) return Promise.resolve();
    if (!this.refreshing) {
      this.refreshing = this.refreshNow().finally(() => (this.refreshing = undefined));
      return this.refreshing;
    }
    const again = () => {
      this.nextRefresh = undefined;
      return this.refresh();
    };
    this.nextRefresh ??= this.refreshing.then(again, again);
    return this.nextRefresh;
  }

  private async refreshNow(): Promise<void> {
    const { registry, removing, clock } = this.deps;
    const files = this.deps.files!;
    const onDisk = await files.list();
    const present = new Set(onDisk);
    for (const record of [...registry.all()]) if (!present.has(record.spec.id) && !record.live && !record.ownedHere) registry.delete(record);
    for (const id of onDisk) {
      const known = registry.get(id);
      if (known?.live || known?.ownedHere || removing.has(id)) continue;
      const loaded = await files.load(id);
      const now = registry.get(id);
      if (!loaded || removing.has(id) || now?.live || now?.ownedHere || (now && now !== known)) continue;
      if (loaded.state.status === "running" && !files.ownerAlive(loaded.state)) {
        // Its process died (a killed CLI or daemon): an --rm one is removed as its end would have,
        // another is marked exited once, on disk, so its FinishedAt stays what it is now.
        if (loaded.spec.autoRemove) {
          await files.remove(id);
          if (known) registry.delete(known);
          continue;
        }
        loaded.state = markOrphaned(loaded.state, clock.now());
        await files.saveState(id, loaded.state);
      }
      if (known) known.state = loaded.state;
      else registry.add({ spec: loaded.spec, state: loaded.state });
    }
  }

  /** Saves a record's state (no-op without files). */
  async saveState(record: ContainerRecord): Promise<void> {
    await this.deps.files?.saveState(record.spec.id, record.state);
  }

  /** What a container's fd_sync calls: saves its upper, one save after another; rejects when that save failed (the guest gets EIO). */
  upperSaver(record: ContainerRecord, overlay: OverlayFs): () => Promise<void> {
    let saves: Promise<void> = Promise.resolve();
    return () => {
      const save = saves.then(() => this.saveUpper(record, overlay)).then(() => undefined);
      saves = save.catch(() => undefined);
      return save;
    };
  }

  /**
   * Saves a container's upper layer. A failure (a path longer than PATH_MAX, a directory named
   * "..", a full disk) is kept as State.Error for inspect, noticed, and thrown; a later save
   * that works clears it.
   */
  async saveUpper(record: ContainerRecord, overlay: OverlayFs): Promise<LayerEntry[]> {
    const id = record.spec.id;
    try {
      const entries = overlay.upperEntries();
      const long = entries.find((e) => e.path.length + 1 > PATH_MAX);
      if (long) throw new Error(`/${long.path.slice(0, 40)}... is longer than PATH_MAX (${PATH_MAX} bytes)`);
      await this.deps.files?.saveUpper(id, entries);
      if (record.state.error?.startsWith(SAVE_FAILED)) record.state = withSaveError(record.state, undefined);
      return entries;
    } catch (e) {
      const error = `${SAVE_FAILED}${e instanceof Error ? e.message : String(e)}`;
      this.deps.kernel.notice(`wasmbox: container ${id.slice(0, 12)}: ${error}`);
      record.state = withSaveError(record.state, error);
      await this.deps.files?.saveState(id, record.state).catch(() => undefined);
      throw new Error(error);
    }
  }
}
