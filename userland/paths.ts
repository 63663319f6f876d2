// Where the package's own folders are (userland/ with its sources and build, images/ with its
// Containerfiles), whether the code runs from source through tsx or compiled under dist/.
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The source folder of the module at `metaUrl`: its own folder, or, compiled as dist/X/, the package's X/. */
export function packageFolder(metaUrl: string): string {
  const here = dirname(fileURLToPath(metaUrl));
  const parent = dirname(here);
  return basename(parent) === "dist" ? join(dirname(parent), basename(here)) : here;
}
