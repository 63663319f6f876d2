// Builds dist/cli/run-cli.bundle.cjs (npm run build:bundle, after tsc): run-cli.js and all a module
// run needs in one CommonJS file, which bin.ts runs as a vm script with a V8 code cache; and registry-cli.bundle.cjs.
import { build, type Plugin } from "esbuild";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Kernel } from "../kernel/kernel.js";
import { dispatcherKey, dispatcherSource, WASI_MODULE } from "../kernel/syscalls/table.js";

const cliDir = fileURLToPath(new URL(".", import.meta.url));

/**
 * Replaces kernel/dynamic-import.js with a call of the import function bin.ts passes in: the vm
 * script has no import() of its own, so every import() of a module outside the bundle goes through it.
 */
const importFromBin: Plugin = {
  name: "import-from-bin",
  setup(b) {
    b.onResolve({ filter: /\/dynamic-import\.js$/ }, () => ({ path: "dynamic-import", namespace: "import-from-bin" }));
    b.onLoad({ filter: /.*/, namespace: "import-from-bin" }, () => ({
      contents: "export function importModule(specifier) { return import_module(specifier); }",
      loader: "js",
    }));
  },
};

/**
 * Leaves the registry commands (commander, tar, the image store: over a third of the code) out of the
 * module-run bundle: bin.ts runs them from registry-cli.bundle.cjs, so a module run neither reads nor
 * caches their code.
 */
const leaveOutRegistry: Plugin = {
  name: "leave-out-registry",
  setup(b) {
    b.onResolve({ filter: /^\.\/registry-cli\.js$/ }, (args) => (args.importer.endsWith("/run-cli.js") ? { path: "registry", namespace: "leave-out-registry" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "leave-out-registry" }, () => ({
      contents: "export function runCli() { throw new Error(\"kernel bug: a registry command in the module-run bundle (bin.ts runs them from registry-cli.bundle.cjs)\"); }",
      loader: "js",
    }));
  },
};

/**
 * Puts in kernel/syscalls/prebuilt-dispatchers.js the kernel table's dispatcher factories, written now
 * from the same source table.ts would compile at run time (each entry plain, and suspending when it
 * may block): they reach the code cache with the rest, where new Function parsed and compiled each
 * one at every start (~0.2 ms a call a program imports).
 */
const prebuiltDispatchers: Plugin = {
  name: "prebuilt-dispatchers",
  setup(b) {
    b.onLoad({ filter: /\/kernel\/syscalls\/prebuilt-dispatchers\.js$/ }, () => {
      const entries = new Map<string, string>();
      // WASI preview1's calls only (what module runs import): each case costs every start a little of the code cache.
      for (const def of new Kernel({ log: () => undefined }).syscalls.filter((d) => d.module === WASI_MODULE)) {
        for (const suspends of def.mayBlock ? [false, true] : [false]) {
          const { params, body } = dispatcherSource(def, suspends);
          entries.set(dispatcherKey(def, suspends), `function (${params.join(", ")}) {\n${body}\n}`);
        }
      }
      // A switch, not an object: the bundle's start then makes none of them (an object made ~150 closures).
      const cases = [...entries].map(([key, factory]) => `    case ${JSON.stringify(key)}: return ${factory};`);
      return { contents: `export function prebuiltDispatcher(key) {\n  switch (key) {\n${cases.join("\n")}\n  }\n  return undefined;\n}\n`, loader: "js" };
    });
  },
};

/**
 * Each bundle is written as one function expression, the CommonJS wrapper with the bin's two extra
 * arguments: the bin compiles the file's text as it is read (a wrapper joined on at run time made a
 * rope that V8 first copied flat, 334 KB, on every start). Run by itself, the file does nothing.
 */
const BUNDLE_HEAD = "(function (exports, require, module, __filename, __dirname, import_meta, import_module) {";
const BUNDLE_TAIL = "\n})";

const result = await build({
  // The registry commands get a bundle of their own: half the size, so a pull deserializes half the code cache.
  entryPoints: { "run-cli.bundle": `${cliDir}/run-cli.js`, "registry-cli.bundle": `${cliDir}/registry-cli.js` },
  outdir: cliDir,
  outExtension: { ".js": ".cjs" },
  bundle: true,
  platform: "node",
  format: "cjs",
  // bin.ts passes an import.meta in under this name (its url made when first read: pathToFileURL
  // costs a start ~0.3 ms, and a module run never reads it), and its import function as import_module.
  define: { "import.meta.url": "import_meta.url" },
  plugins: [importFromBin, leaveOutRegistry, prebuiltDispatchers],
  logLevel: "warning",
  metafile: true,
  minifyWhitespace: true,
  minifySyntax: true,
  // Every character outside ASCII escaped: the bin reads the bundle as latin1 (no UTF-8 decode).
  charset: "ascii",
  banner: { js: BUNDLE_HEAD },
  footer: { js: BUNDLE_TAIL },
});
// A dynamic import left in the bundle would fail at run time in the vm script: refuse it now.
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  const left = output.imports.filter((i) => i.kind === "dynamic-import" && i.external);
  if (left.length > 0) throw new Error(`${file}: import() of ${left.map((i) => i.path).join(", ")} left in the bundle: use importModule (kernel/dynamic-import.ts)`);
  const over = readFileSync(file).findIndex((byte) => byte > 0x7f);
  if (over >= 0) throw new Error(`${file}: byte ${over} is not ASCII, and the bin reads the bundle as latin1`);
}

// The bin itself, with registry-commands.cjs put inside: a require() of it cost every start a module
// resolution (node:path's resolve over the whole path, ~0.5 ms), a file read and a compile. Minified,
// names too (the bin's own stack traces name little): V8 parses all of the bin at every start (8 KB
// of it cost a start ~0.5 ms). reexec.cjs stays outside
// (the bin requires it only on a Node without JSPI), and run-cli.js (only when there is no bundle).
await build({
  entryPoints: [`${cliDir}/wasmbox.cjs`],
  outfile: `${cliDir}/wasmbox.cjs`,
  allowOverwrite: true,
  bundle: true,
  platform: "node",
  format: "cjs",
  external: ["./run-cli.js", "./reexec.cjs"],
  minify: true,
  logLevel: "warning",
});
