// Loading components: jco transpiles a component once (in process) into JS glue and core modules,
// kept on disk by the component's sha256 so that a later start does no transpiling, and compiled once per kernel.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Errno } from "../errno.js";
import { ProgramError } from "../program.js";
import { importModule } from "../dynamic-import.js";
import { unprovidedImports, waitingImports, type WaitingCalls } from "./wasi-imports.js";
import { COMPONENT_VERSION, unsupportedComponentVersion } from "./detect.js";
import { GLUE_PATCH_VERSION, patchGlue } from "./glue-patch.js";
import type { ComponentHttpServer } from "./http-server.js";

/** jco's instantiate(): core modules by file name, the import object, and how to instantiate a core module. */
export type InstantiateFn = (
  getCoreModule: (name: string) => WebAssembly.Module,
  imports: Record<string, Record<string, unknown>>,
  instantiateCore: (module: WebAssembly.Module, imports: WebAssembly.Imports) => WebAssembly.Instance,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

/** A component ready to instantiate. */
export interface LoadedComponent {
  name: string;
  /** sha256 of the component's bytes. */
  digest: string;
  instantiate: InstantiateFn;
  /** Its core modules, compiled, by the file names jco gave them. */
  cores: ReadonlyMap<string, WebAssembly.Module>;
  /** The interfaces it imports (unversioned, as jco names them) and what it exports. */
  imports: readonly string[];
  exports: ReadonlyArray<readonly [string, "function" | "instance"]>;
  /** Which of its waiting calls suspend (JSPI); null: none (no JSPI), they must never have to wait. */
  suspends: WaitingCalls | null;
}

/** What the kernel spawns for a component: its bytes (loaded when it starts), or already loaded. */
export interface ComponentProgram {
  kind: "component";
  name: string;
  bytes: Uint8Array;
  loaded?: LoadedComponent;
  /** An export to call instead of wasi:cli/run (--invoke), with its arguments as JS values; results go to `results`. */
  invoke?: { name: string; args: unknown[]; results(value: unknown, err?: boolean): void };
  /** Serve HTTP with its wasi:http/incoming-handler export instead (wasmbox serve): the server whose requests it takes. */
  serve?: ComponentHttpServer;
  /**
   * The run's network namespace becomes the host's (outgoing traffic through node:net) when the
   * component imports one of these interfaces (jco's unversioned names): the CLI's runs give
   * wasi:http/outgoing-handler, as wasmtime run -S http and wasmtime serve reach the network.
   */
  hostNetworkFor?: readonly string[];
  /**
   * Refuse a wasi:http proxy component (incoming-handler, no wasi:cli/run) naming `wasmbox serve`
   * (the CLI's run), instead of serving it on port 8080 of its network namespace (a container's way).
   */
  runOnly?: boolean;
}

/** The manifest kept beside a transpiled component. */
interface Manifest {
  js: string;
  cores: string[];
  imports: string[];
  exports: Array<[string, "function" | "instance"]>;
}

/** The version of the installed jco: part of the cache key, so that another jco transpiles afresh. */
function jcoVersion(): string {
  try {
    const main = createRequire(import.meta.url).resolve("@bytecodealliance/jco");
    let dir = dirname(main);
    while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
    return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "none";
  }
}

/**
 * Transpiles and compiles components for one kernel. `cacheDir` keeps jco's output by digest
 * (the CLI passes $WASMBOX_HOME/components); `suspending` is whether the kernel has JSPI.
 */
export class ComponentLoader {
  private readonly loaded = new Map<string, Promise<LoadedComponent>>();
  private version?: string;
  /** How many components this loader had jco transpile (the rest came from the cache). */
  transpiles = 0;

  constructor(readonly cacheDir: string = join(tmpdir(), `wasmbox-components-${process.getuid?.() ?? "user"}`), readonly suspending = true) {}

  /**
   * Loads a component (cached by digest in memory and on disk) with `calls` suspending (ignored
   * without JSPI). ENOEXEC with one line naming the file.
   */
  load(bytes: Uint8Array, name: string, calls: WaitingCalls): Promise<LoadedComponent> {
    const digest = process.getBuiltinModule("node:crypto").createHash("sha256").update(bytes).digest("hex");
    const suspends = this.suspending ? calls : null;
    const variant = suspends ? `jspi${suspends.reads ? "-r" : ""}${suspends.writes ? "-w" : ""}` : "sync";
    const key = `${digest}-${variant}`;
    let pending = this.loaded.get(key);
    if (!pending) {
      pending = this.loadUncached(bytes, name, digest, variant, suspends);
      this.loaded.set(key, pending);
      pending.catch(() => this.loaded.delete(key));
    }
    return pending.then((c) => (c.name === name ? c : { ...c, name }));
  }

  private async loadUncached(bytes: Uint8Array, name: string, digest: string, variant: string, suspends: WaitingCalls | null): Promise<LoadedComponent> {
    const badVersion = unsupportedComponentVersion(bytes);
    if (badVersion !== undefined) throw new ProgramError(Errno.NOEXEC, `${name}: unsupported component binary version ${badVersion} (jco reads version ${COMPONENT_VERSION})`);
    this.version ??= jcoVersion();
    const dir = join(this.cacheDir, `${digest}-${variant}-jco${this.version}-p${GLUE_PATCH_VERSION}`);
    let manifest = readManifest(dir);
    if (!manifest) {
      manifest = await this.transpile(bytes, name, dir, suspends);
      this.transpiles++;
    }
    const missing = unprovidedImports(manifest.imports);
    if (missing.length > 0) throw new ProgramError(Errno.NOEXEC, `${name}: imports what the kernel does not provide: ${missing.join(", ")}`);
    const cores = new Map<string, WebAssembly.Module>();
    await Promise.all(manifest.cores.map(async (core) => {
      cores.set(core, await WebAssembly.compile(readFileSync(join(dir, core))));
    }));
    const glue = (await importModule(pathToFileURL(join(dir, manifest.js)).href)) as { instantiate: InstantiateFn };
    return { name, digest, instantiate: glue.instantiate, cores, imports: manifest.imports, exports: manifest.exports, suspends };
  }

  /** Has jco transpile the component into `dir` (written whole under another name, then renamed). */
  private async transpile(bytes: Uint8Array, name: string, dir: string, suspends: WaitingCalls | null): Promise<Manifest> {
    let jco: typeof import("@bytecodealliance/jco");
    try {
      jco = (await importModule("@bytecodealliance/jco")) as typeof import("@bytecodealliance/jco");
    } catch (e) {
      throw new ProgramError(Errno.NOEXEC, `${name}: a component needs the npm package @bytecodealliance/jco, which cannot be loaded: ${e instanceof Error ? e.message : String(e)}`);
    }
    let out: Awaited<ReturnType<typeof jco.transpile>>;
    try {
      out = await jco.transpile(bytes, {
        name: "component", instantiation: "async", noTypescript: true, quiet: true,
        ...(suspends ? { asyncMode: "jspi", asyncImports: waitingImports(suspends), asyncExports: ["*"] } : { asyncMode: "sync" }),
      });
    } catch (e) {
      const message = (e instanceof Error ? e.message : String(e)).split("\n")[0];
      throw new ProgramError(Errno.NOEXEC, `${name}: invalid WebAssembly component: ${message}`);
    }
    const files = Object.keys(out.files);
    const manifest: Manifest = {
      js: "component.js",
      cores: files.filter((f) => f.endsWith(".wasm")),
      imports: out.imports,
      exports: out.exports,
    };
    const staging = `${dir}.tmp-${process.pid}-${process.getBuiltinModule("node:crypto").randomBytes(4).toString("hex")}`;
    mkdirSync(staging, { recursive: true });
    try {
      for (const file of manifest.cores) writeFileSync(join(staging, file), out.files[file]!);
      writeFileSync(join(staging, manifest.js), patchGlue(Buffer.from(out.files[manifest.js]!).toString("utf8")));
      writeFileSync(join(staging, "manifest.json"), JSON.stringify(manifest));
      try {
        renameSync(staging, dir);
      } catch (e) {
        // Another run put the same transpile there first: theirs is as good.
        if (!readManifest(dir)) throw e;
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    return manifest;
  }
}

/** The manifest of a transpile kept in `dir`, if one is there whole. */
function readManifest(dir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
  } catch {
    return undefined;
  }
}
