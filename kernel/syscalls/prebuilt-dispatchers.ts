// The syscall table's dispatcher factories made at build time, by key (table.ts's dispatcherKey): none
// here; the CLI's bundle gets this file's generated twin (cli/build-bundle.ts), so that a start compiles none.
import type { DispatcherFactory } from "./table.js";

/** The factory made at build time for a dispatcherKey: none from sources (table.ts then makes it with new Function). */
export function prebuiltDispatcher(key: string): DispatcherFactory | undefined {
  void key;
  return undefined;
}
