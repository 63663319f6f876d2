// A component is a kernel process like a module: in a shell pipeline with preview1 processes, over
// a --dir mount (the same VFS, mounts and rights), and with a clear refusal of what it cannot run.
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasJspi, Kernel, type LayerEntry } from "../../kernel/index.js";
import { bootKernel, loadRootfs, sh } from "../userland/helpers.js";
import { buildTool } from "./components.js";

let tool: { module: Uint8Array; component: Uint8Array };
let rootfs: LayerEntry[];

beforeAll(async () => {
  [tool, rootfs] = await Promise.all([buildTool(), loadRootfs()]);
}, 120_000);

describe("a component in a shell pipeline", () => {
  it("writes into a pipe that a module reads (comp | wc -l)", async () => {
    const kernel = bootKernel(rootfs);
    kernel.fs.writeFile("/bin/comp", tool.component, 0o755);
    const r = await sh(kernel, "comp bytes 3; echo; comp hello | wc -l; comp hello | tr a-z A-Z");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("...\n1\nHELLO FROM A WASI COMMAND\n");
    expect(r.exitCode).toBe(0);
  }, 60_000);

  it.skipIf(!hasJspi())("reads from a pipe that a module writes, waiting for it (module | comp | module)", async () => {
    const kernel = bootKernel(rootfs);
    kernel.fs.writeFile("/bin/comp", tool.component, 0o755);
    const r = await sh(kernel, "(echo one; sleep 0.05; echo two) | comp upcase | cat");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("ONE\nTWO\n");
  }, 60_000);

  it.skipIf(hasJspi())("without JSPI, says why a component cannot wait", async () => {
    const kernel = bootKernel(rootfs);
    kernel.fs.writeFile("/bin/comp", tool.component, 0o755);
    const r = await sh(kernel, "(sleep 0.05; echo two) | comp upcase");
    expect(r.stderr).toMatch(/comp: input-stream.blocking-read has to wait, and a component can wait only with JSPI/);
    expect(r.exitCode).toBe(1);
  }, 60_000);

  // Without JSPI a component runs to its end on the kernel's thread: nothing else runs meanwhile.
  it.skipIf(!hasJspi())("gets a kill like any process (the shell sees 128+9)", async () => {
    const kernel = bootKernel(rootfs);
    kernel.fs.writeFile("/bin/comp", tool.component, 0o755);
    const r = await sh(kernel, "comp bytes 100000000 > /dev/null & kill -9 $!; wait $!; echo status $?");
    expect(r.stdout).toBe("status 137\n");
  }, 60_000);
});

describe("a component's filesystem", () => {
  it("is the --dir mount it is given, read and written through the kernel's VFS", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wasmbox-comp-dir-"));
    try {
      writeFileSync(join(dir, "in.txt"), "from the host\n");
      const kernel = new Kernel();
      const options = { argv0: "tool", dirs: [{ host: dir, guest: "/data" }], preopenRoot: false } as const;
      const cat = await kernel.run(tool.component, { ...options, args: ["cat", "in.txt"] });
      expect(cat.stdout).toBe("from the host\n");
      const put = await kernel.run(tool.component, { ...options, args: ["put", "out.txt", "written by a component"] });
      expect(put.stdout).toBe("written by a component");
      expect(readFileSync(join(dir, "out.txt"), "utf8")).toBe("written by a component");
      const missing = await kernel.run(tool.component, { ...options, args: ["cat", "nope"] });
      expect(missing.stdout).toBe("SETUP FAILED open nope -> errno 44 (noent)\n");
      expect(missing.exitCode).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("stays inside its preopen: .. out of it is refused as for a module", async () => {
    const kernel = new Kernel();
    kernel.fs.writeFile("/secret", "no");
    kernel.fs.mkdir("/box");
    const asModule = await kernel.run(tool.module, { argv0: "tool", args: ["cat", "../secret"], dirs: [{ tmpfs: true, guest: "/box" }], preopenRoot: false });
    const asComp = await kernel.run(tool.component, { argv0: "tool", args: ["cat", "../secret"], dirs: [{ tmpfs: true, guest: "/box" }], preopenRoot: false });
    expect(asComp.stdout).toBe(asModule.stdout);
    expect(asComp.stdout).toMatch(/^SETUP FAILED open \.\.\/secret -> errno 76 \(notcapable\)|^SETUP FAILED open \.\.\/secret -> errno 63 \(perm\)/);
  }, 60_000);
});
