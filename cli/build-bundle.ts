// Builds the CLI's bundles (npm run build:bundle, after tsc): run-cli.js and all a module run needs in
// one CommonJS file (run-cli.bundle.cjs), and with the registry commands (registry.bundle.cjs) beside
// it; bin.ts runs one as a vm script with a V8 code cache.
import { build, type Plugin } from "esbuild";
import { fileURLToPath } from "node:url";

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
 * Leaves the registry commands (commander, tar, the image store: over a third of the bundle) out of
 * the module-run bundle: bin.ts runs them from registry.bundle.cjs, so a module run neither reads
 * nor caches their code.
 */
const leaveOutRegistry: Plugin = {
  name: "leave-out-registry",
  setup(b) {
    b.onResolve({ filter: /^\.\/commands\/registry\.js$/ }, (args) => (args.importer.endsWith("/run-cli.js") ? { path: "registry", namespace: "leave-out-registry" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "leave-out-registry" }, () => ({
      contents: "export function createRegistryCli() { throw new Error(\"kernel bug: a registry command in the module-run bundle (bin.ts runs them from registry.bundle.cjs)\"); }",
      loader: "js",
    }));
  },
};

for (const [outfile, plugins] of [["run-cli.bundle.cjs", [importFromBin, leaveOutRegistry]], ["registry.bundle.cjs", [importFromBin]]] as const) {
  const result = await build({
    entryPoints: [`${cliDir}/run-cli.js`],
    outfile: `${cliDir}/${outfile}`,
    bundle: true,
    platform: "node",
    format: "cjs",
    // bin.ts passes the bundle's own URL in under this name (and its import function as import_module).
    define: { "import.meta.url": "import_meta_url" },
    plugins: [...plugins],
    logLevel: "warning",
    metafile: true,
  });
  // A dynamic import left in the bundle would fail at run time in the vm script: refuse it now.
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const left = output.imports.filter((i) => i.kind === "dynamic-import" && i.external);
    if (left.length > 0) throw new Error(`${file}: import() of ${left.map((i) => i.path).join(", ")} left in the bundle: use importModule (kernel/dynamic-import.ts)`);
  }
}
