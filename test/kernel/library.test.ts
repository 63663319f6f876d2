// The library API as the README shows it, and the public exports (a snapshot pins them, so a
// change to what `import ... from "wasmbox"` offers is always a deliberate one).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import * as wasmbox from "../../kernel/index.js";
import { baseRootfs } from "../../userland/rootfs.js";

describe("the library", () => {
  it("runs a module with args, env, stdin and a host directory, as the README shows", async () => {
    const data = mkdtempSync(path.join(tmpdir(), "wasmbox-lib-"));
    onTestFinished(() => rmSync(data, { recursive: true, force: true }));
    writeFileSync(path.join(data, "in.txt"), "from the host\n");
    const kernel = new wasmbox.Kernel({ policy: new wasmbox.RoundRobinPolicy() });
    kernel.fs.writeEntries((await baseRootfs()).filter((e) => !/^(proc|dev)(\/|$)/.test(e.path)));
    kernel.fs.writeFile("/etc/motd", "hi\n");
    const busybox = kernel.fs.readFile("/bin/busybox");
    const result = await kernel.run(busybox, {
      argv0: "sh", args: ["-c", 'cat /etc/motd /data/in.txt; echo "$HOME"; read line; echo "got $line"'],
      env: { HOME: "/root", PATH: "/bin" }, stdin: "input data\n", dirs: [{ host: data, guest: "/data" }],
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: "hi\nfrom the host\n/root\ngot input data\n", stderr: "" });
  });

  it("exports what the README documents", () => {
    expect(Object.keys(wasmbox).sort()).toEqual([
      "ComponentHttpServer", "Container", "Errno", "FairSharePolicy", "InputStream", "Kernel", "OutputStream", "ProgramError",
      "RoundRobinPolicy", "Scheduler", "SysError", "describeStatus", "exitCodeOf", "hasJspi", "signature",
    ]);
  });
});
