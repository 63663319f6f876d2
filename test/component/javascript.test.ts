// A component written in JavaScript (test/guests/component/js-greeter.js), built by `jco componentize`
// (componentize-js, StarlingMonkey) in a child node, run by the kernel as a process like any other.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { preview1AdapterCommandPath } from "@bytecodealliance/jco";
import { Kernel, type LayerEntry } from "../../kernel/index.js";
import { bootKernel, loadRootfs, sh } from "../userland/helpers.js";

const run = promisify(execFile);
const SOURCE = join(dirname(fileURLToPath(import.meta.url)), "..", "guests", "component", "js-greeter.js");
const WORLD = `package wasmbox:js-greeter;
world greeter {
  import wasi:cli/environment@0.2.12;
  export wasi:cli/run@0.2.12;
}
`;
/** jco's copy of the WASI 0.2.12 WIT packages (one folder per package). */
const WASI_WIT = join(dirname(fileURLToPath(preview1AdapterCommandPath())), "wit", "builtin", "0.2.12");
const JCO_CLI = join(dirname(createRequire(import.meta.url).resolve("@bytecodealliance/jco")), "jco.js");
/** jco's own copy of preview2-shim: componentize-js imports it but does not depend on it, so npm does not hoist it. */
const PREVIEW2_SHIM_PARENT = pathToFileURL(JCO_CLI).href;

/**
 * What the child node loads first (--import): module hooks that resolve componentize-js's (and
 * jco-transpile's) `@bytecodealliance/preview2-shim` to jco's copy, and that copy's filesystem
 * preopened at / (the tools it runs read the WIT and write their output through it).
 */
const HOOKS = `export async function resolve(specifier, context, next) {
  if (specifier.startsWith("@bytecodealliance/preview2-shim")) return next(specifier, { ...context, parentURL: ${JSON.stringify(PREVIEW2_SHIM_PARENT)} });
  return next(specifier, context);
}
`;
const REGISTER = `import { register } from "node:module";
register("./hooks.mjs", import.meta.url);
const { _setPreopens } = await import("@bytecodealliance/preview2-shim/filesystem");
_setPreopens({ "/": "/" });
`;

/**
 * The greeter built with `jco componentize` (about 100 s and 12 MB here), kept in the OS temp dir
 * by the digest of its source, its world and jco's version, so that a later run of the test reuses it.
 */
async function buildGreeter(): Promise<Uint8Array> {
  const source = readFileSync(SOURCE);
  const jcoVersion = JSON.parse(readFileSync(join(dirname(JCO_CLI), "..", "package.json"), "utf8")).version as string;
  const digest = createHash("sha256").update(source).update(WORLD).update(jcoVersion).digest("hex").slice(0, 16);
  const cached = join(tmpdir(), `wasmbox-js-greeter-${digest}.wasm`);
  if (existsSync(cached)) return new Uint8Array(readFileSync(cached));
  const work = mkdtempSync(join(tmpdir(), "wasmbox-componentize-"));
  try {
    const wit = join(work, "wit");
    for (const pkg of readdirSync(WASI_WIT)) {
      mkdirSync(join(wit, "deps", pkg), { recursive: true });
      copyFileSync(join(WASI_WIT, pkg, "package.wit"), join(wit, "deps", pkg, "package.wit"));
    }
    writeFileSync(join(wit, "world.wit"), WORLD);
    writeFileSync(join(work, "hooks.mjs"), HOOKS);
    writeFileSync(join(work, "register.mjs"), REGISTER);
    const out = join(work, "greeter.wasm");
    await run(process.execPath, ["--no-deprecation", "--import", join(work, "register.mjs"), JCO_CLI, "componentize", SOURCE,
      "--wit", wit, "--world-name", "greeter", "-o", out], { cwd: work, maxBuffer: 16 << 20 });
    renameSync(out, cached);
    return new Uint8Array(readFileSync(cached));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

let greeter: Uint8Array;
let rootfs: LayerEntry[];

beforeAll(async () => {
  [greeter, rootfs] = await Promise.all([buildGreeter(), loadRootfs()]);
}, 600_000);

describe("a component written in JavaScript (jco componentize)", () => {
  it("runs with its arguments and environment, as a kernel process", async () => {
    const kernel = new Kernel();
    const result = await kernel.run(greeter, { argv0: "greeter", args: ["one", "two"], env: { GREETING: "hi" }, preopenRoot: false });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("hi from JavaScript: one two\n");
    expect(result.exitCode).toBe(0);
  }, 120_000);

  it("writes into a pipe that a module reads (greeter | tr)", async () => {
    const kernel = bootKernel(rootfs);
    kernel.fs.writeFile("/bin/greeter", greeter, 0o755);
    const r = await sh(kernel, "greeter a pipeline | tr a-z A-Z");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("HELLO FROM JAVASCRIPT: A PIPELINE\n");
    expect(r.exitCode).toBe(0);
  }, 120_000);
});
