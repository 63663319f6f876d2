// images/: the store's only ways of writing files: content first to a temporary file in the same
// directory, flushed, then renamed over the target, so readers see the old file or the new one, never half.
import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";

/** A fresh temporary path next to `target` (same directory, so rename is atomic); names start with ".tmp-". */
export function temporaryPathFor(target: string): string {
  return join(dirname(target), `.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
}

/**
 * Writes `data` to `target` atomically (temp file + fsync + rename); on failure the target is
 * untouched. `mode` is the new file's (less what the umask takes away; 0o600 for private files).
 */
export async function writeFileAtomic(target: string, data: Uint8Array | string, mode = 0o644): Promise<void> {
  const temporary = temporaryPathFor(target);
  try {
    const handle = await open(temporary, "wx", mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** fsync of a file (its data reaches the disk) or a directory (its entries, such as renames into it, do). */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
