// The process's arguments and environment, read once from WASI at first use.
// The environment is kept as an ordered list of NAME=value strings plus a lookup map.

import { args_get, args_sizes_get, environ_get, environ_sizes_get } from "./wasi";

const sizes = memory.data(8);

function readStrings(countAndSize: i32, fetch: i32): string[] {
  const count = load<u32>(sizes);
  const size = load<u32>(sizes, 4);
  const ptrs = heap.alloc(count * 4 + 4);
  const buf = heap.alloc(size + 1);
  if (fetch == 0) args_get(ptrs, buf); else environ_get(ptrs, buf);
  const out = new Array<string>(count);
  for (let i: u32 = 0; i < count; i++) {
    const p = <usize>load<u32>(ptrs + i * 4);
    let e = p;
    while (load<u8>(e) != 0) e++;
    out[i] = String.UTF8.decodeUnsafe(p, e - p);
  }
  heap.free(ptrs); heap.free(buf);
  return out;
}

let argvCache: string[] | null = null;
let envNames: string[] = [];
let envValues = new Map<string, string>();
let envLoaded = false;

/** argv, including argv[0]. */
export function argv(): string[] {
  if (argvCache == null) {
    args_sizes_get(sizes, sizes + 4);
    argvCache = readStrings(0, 0);
  }
  return argvCache!;
}

function loadEnv(): void {
  if (envLoaded) return;
  envLoaded = true;
  environ_sizes_get(sizes, sizes + 4);
  const list = readStrings(0, 1);
  for (let i = 0; i < list.length; i++) {
    const eq = list[i].indexOf("=");
    if (eq < 0) continue;
    setenv(list[i].substring(0, eq), list[i].substring(eq + 1));
  }
}

/** The value of an environment variable, or null. */
export function getenv(name: string): string | null {
  loadEnv();
  return envValues.has(name) ? envValues.get(name) : null;
}

export function setenv(name: string, value: string): void {
  loadEnv();
  if (!envValues.has(name)) envNames.push(name);
  envValues.set(name, value);
}

export function unsetenv(name: string): void {
  loadEnv();
  if (!envValues.has(name)) return;
  envValues.delete(name);
  const i = envNames.indexOf(name);
  envNames.splice(i, 1);
}

/** The environment as NAME=value strings, in the order first set. */
export function environ(): string[] {
  loadEnv();
  const out = new Array<string>(envNames.length);
  for (let i = 0; i < envNames.length; i++) out[i] = envNames[i] + "=" + envValues.get(envNames[i]);
  return out;
}
