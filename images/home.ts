// The wasmbox home directory, in a module of its own so that a component run finds its cache
// without loading the image store (tar-stream and the rest).
import { homedir } from "node:os";
import { join } from "node:path";

/** The wasmbox home directory: `$WASMBOX_HOME`, else `~/.wasmbox`. */
export function wasmboxHome(env: Record<string, string | undefined>): string {
  return env.WASMBOX_HOME || join(homedir(), ".wasmbox");
}
