// The edits to jco's glue (kernel/component/glue-patch.ts): made on a real transpile of the tool
// component, left out where jco's text has another shape, and the direct write path's results as a run sees them.
import { beforeAll, describe, expect, it } from "vitest";
import { transpile } from "@bytecodealliance/jco";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FAST_WRITE_METHOD, patchGlue } from "../../kernel/component/glue-patch.js";
import { OutputStream } from "../../kernel/component/wasi-io.js";
import { Errno, Kernel, SysError } from "../../kernel/index.js";
import { buildTool } from "./components.js";

let tool: { module: Uint8Array; component: Uint8Array };

beforeAll(async () => {
  tool = await buildTool();
}, 120_000);

/** jco's glue for the tool component, transpiled as the loader does when writes need not suspend. */
async function glue(): Promise<string> {
  const out = await transpile(tool.component, { name: "component", instantiation: "async", noTypescript: true, quiet: true, asyncMode: "sync" });
  return Buffer.from(out.files["component.js"]!).toString("utf8");
}

describe("the glue edits", () => {
  it("read the debug switch once and wrap blocking-write-and-flush with OutputStream's direct path", async () => {
    const js = await glue();
    expect(js).toContain("process?.env?.JCO_DEBUG) { return; }");
    const patched = patchGlue(js);
    expect(patched).not.toContain("process?.env?.JCO_DEBUG) { return; }");
    expect(patched).toContain("if (!_jcoDebugOn) { return; }");
    expect(patched.match(new RegExp(`OutputStream\\.${FAST_WRITE_METHOD}\\(trampoline\\d+, \\(handle\\) => captureTable\\d+\\.get`, "g"))).toHaveLength(1);
    expect(typeof (OutputStream as unknown as Record<string, unknown>)[FAST_WRITE_METHOD]).toBe("function");
  }, 60_000);

  it("leave glue of another shape as it is", () => {
    const other = "export function instantiate() {\n  _trampoline3.fnName = 'wasi:io/streams@0.2.12#blockingWriteAndFlush';\n}\n";
    expect(patchGlue(other)).toBe(other);
  });
});

describe("the direct write path", () => {
  it("writes every byte to a host fd and to a file, as the module does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wasmbox-glue-"));
    try {
      const kernel = new Kernel({ componentCacheDir: join(dir, "cache") });
      const options = { argv0: "tool", dirs: [{ host: dir, guest: "/data" }], preopenRoot: false } as const;
      // A host fd never makes a write wait: the component's writes take the direct path.
      const chunks: Uint8Array[] = [];
      const stdoutTo = kernel.hostOutputs.open((bytes) => void chunks.push(bytes.slice()), false);
      const bytes = await kernel.run(tool.component, { ...options, args: ["bytes", "3000"], stdoutTo });
      expect(bytes.exitCode).toBe(0);
      expect(Buffer.concat(chunks).toString()).toBe(".".repeat(3000));
      const put = await kernel.run(tool.component, { ...options, args: ["put", "out.txt", "written by a component"] });
      expect(put.stdout).toBe("written by a component");
      expect(readFileSync(join(dir, "out.txt"), "utf8")).toBe("written by a component");
      // What the loader cached is the edited glue.
      const cached = readdirSync(join(dir, "cache")).map((d) => readFileSync(join(dir, "cache", d, "component.js"), "utf8"));
      expect(cached.length).toBeGreaterThan(0);
      for (const js of cached) expect(js).toContain(FAST_WRITE_METHOD);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("ends a writer whose host fd is gone (EPIPE) as the module's run ends", async () => {
    const kernel = new Kernel({ componentCacheDir: mkdtempSync(join(tmpdir(), "wasmbox-glue-cache-")) });
    const gone = () => kernel.hostOutputs.open(() => {
      throw new SysError(Errno.PIPE);
    }, true);
    const options = { argv0: "tool", args: ["bytes", "10"], preopenRoot: false } as const;
    const component = await kernel.run(tool.component, { ...options, stdoutTo: gone() });
    const module = await kernel.run(tool.module, { ...options, stdoutTo: gone() });
    expect(module.exitCode).not.toBe(0);
    expect(component.exitCode).toBe(module.exitCode);
    rmSync(kernel.components.cacheDir, { recursive: true, force: true });
  }, 120_000);
});
