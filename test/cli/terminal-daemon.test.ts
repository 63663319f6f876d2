// The terminal through a real daemon, on a real pseudo-terminal (test/helpers/pty-session.ts), the CLI
// as a whole process: `exec -it` (^C, window size and resize), `attach` (keys in, ctrl-p ctrl-q), to a
// container and to a VM (`run -dit --vm`: its guest kernel's terminal, sized by attach); and a
// foreground `run -it` driven from another terminal (ps, exec, top, stop through the daemon).
// On the pinned Node only (vitest.host-node.config.ts says why).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildShippedImages } from "../../images/build-shipped.js";
import { BIN, ENGINE, PYTHON, Session } from "../helpers/pty-session.js";

describe("a foreground run -it seen from another terminal (through the daemon)", () => {
  let home = "";
  const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, WASMBOX_HOME: home, WASMBOX_NO_REEXEC: "1" }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  beforeAll(async () => {
    if (!PYTHON) throw new Error("the pty tests need python3 on PATH");
    home = mkdtempSync(path.join(tmpdir(), "wasmbox-tty-fg-"));
    await buildShippedImages({ home, write: () => undefined });
  }, 60_000);
  afterAll(() => {
    cli("daemon", "stop");
    rmSync(home, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  });

  it("ps lists it, exec and top reach it, stop ends it and the foreground CLI with it (--rm: gone)", async () => {
    const sh = new Session(home, ["run", "-it", "--rm", "--name", "fore", ...ENGINE, "base", "sh"]);
    try {
      await sh.waitFor(/\$ $/);
      expect(cli("ps", "--format", "{{.Names}} {{.State}}").stdout).toBe("fore running\n");
      const exec = cli("exec", "-e", "WHO=other", "fore", "sh", "-c", "echo $WHO terminal in $(hostname)");
      expect(exec.stderr).toBe("");
      expect(exec.stdout).toMatch(/^other terminal in [0-9a-f]{12}\n$/);
      expect(cli("top", "fore").stdout).toMatch(/\n1\s+0\s+\S+\s+\S+\s+init \/bin\/sh\n/);
      // The shell on the terminal is untouched by the exec: it still takes keys.
      expect(await sh.run("echo still-$((6*7))", /still-42\n/)).toContain("still-42");
      const stop = cli("stop", "-t", "1", "fore");
      expect(stop.stdout).toBe("fore\n");
      expect([137, 143]).toContain(await sh.ended);
      expect(cli("ps", "-a", "-q").stdout).toBe("");
    } finally {
      sh.close();
    }
  }, 60_000);

  it("run -it --vm: the guest's terminal gets the keys raw (^C, its echo) and the window; ps and exec reach it", async () => {
    const sh = new Session(home, ["run", "-it", "--rm", "--vm", "--name", "forevm", "base", "sh"], 30, 100);
    try {
      await sh.waitFor(/\$ $/, 0, 30_000);
      expect(await sh.run("stty size", /30 100\n/)).toContain("30 100");
      expect(cli("ps", "--format", "{{.Names}} {{.Kind}} {{.State}}").stdout).toBe("forevm vm running\n");
      expect(cli("exec", "forevm", "sh", "-c", "echo exec in $(hostname)").stdout).toMatch(/^exec in [0-9a-f]{12}\n$/);
      expect(await sh.interruptSleep()).not.toMatch(/^after-sleep$/m);
      sh.resize(40, 120);
      await new Promise((r) => setTimeout(r, 500));
      expect(await sh.run("stty size", /40 120\n/)).toContain("40 120");
      sh.send("exit 4\r");
      expect(await sh.ended).toBe(4);
      expect(cli("ps", "-a", "-q").stdout).toBe("");
    } finally {
      sh.close();
    }
  }, 90_000);
});

describe("a terminal through the daemon (wasmbox exec -it, attach)", () => {
  let home = "";
  /** The CLI as a plain process (no pty): the daemon it starts inherits none of a test's terminal. */
  const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, WASMBOX_HOME: home, WASMBOX_NO_REEXEC: "1" }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  beforeAll(async () => {
    if (!PYTHON) throw new Error("the pty tests need python3 on PATH");
    home = mkdtempSync(path.join(tmpdir(), "wasmbox-tty-daemon-"));
    await buildShippedImages({ home, write: () => undefined });
    const started = cli("run", "-d", "--name", "box", ...ENGINE, "base", "sleep", "1000");
    if (started.status !== 0) throw new Error(`run -d failed: ${started.stderr}`);
  }, 60_000);
  afterAll(() => {
    cli("daemon", "stop");
    rmSync(home, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  });

  it("exec -it: ^C stops the foreground command, stty size shows the pty's size and follows a resize", async () => {
    const sh = new Session(home, ["exec", "-it", "box", "sh"], 30, 100);
    try {
      await sh.waitFor(/\$ $/);
      expect(await sh.run("stty size", /30 100\n/)).toContain("30 100");
      expect(await sh.interruptSleep()).not.toMatch(/^after-sleep$/m);
      sh.resize(40, 120);
      await new Promise((r) => setTimeout(r, 500));
      expect(await sh.run("stty size", /40 120\n/)).toContain("40 120");
      sh.send("exit 4\r");
      expect(await sh.ended).toBe(4);
    } finally {
      sh.close();
    }
  }, 60_000);

  it("attach to a -it container: keys go to its shell, ctrl-p ctrl-q detaches and leaves it running", async () => {
    expect(cli("run", "-dit", "--name", "talk", ...ENGINE, "base", "sh").status).toBe(0);
    const attached = new Session(home, ["attach", "talk"]);
    try {
      await new Promise((r) => setTimeout(r, 500));
      attached.send("echo typed-$((6*7))\r");
      await attached.waitFor(/typed-42\n/);
      attached.send("\x10\x11");
      expect(await attached.ended).toBe(0);
      expect(cli("inspect", "-f", "{{.State.Status}}", "talk").stdout).toBe("running\n");
    } finally {
      attached.close();
    }
    // Attached again, with other detach keys; the shell's exit ends attach with its status.
    const again = new Session(home, ["attach", "--detach-keys", "ctrl-x", "talk"]);
    try {
      await new Promise((r) => setTimeout(r, 500));
      again.send("exit 6\r");
      expect(await again.ended).toBe(6);
    } finally {
      again.close();
    }
  }, 60_000);

  it("attach to a -it VM: the guest's terminal takes attach's window, ^C and keys reach its shell, ctrl-p ctrl-q detaches", async () => {
    expect(cli("run", "-dit", "--vm", "--name", "vmtalk", "base", "sh").status).toBe(0);
    const attached = new Session(home, ["attach", "vmtalk"], 30, 100);
    try {
      await new Promise((r) => setTimeout(r, 500));
      attached.send("\r");
      await attached.waitFor(/\$ $/);
      expect(await attached.run("stty size", /30 100\n/)).toContain("30 100");
      expect(await attached.interruptSleep()).not.toMatch(/^after-sleep$/m);
      attached.send("\x10\x11");
      expect(await attached.ended).toBe(0);
      expect(cli("inspect", "-f", "{{.Kind}} {{.State.Status}}", "vmtalk").stdout).toBe("vm running\n");
    } finally {
      attached.close();
    }
    const again = new Session(home, ["attach", "vmtalk"]);
    try {
      await new Promise((r) => setTimeout(r, 500));
      again.send("exit 5\r");
      expect(await again.ended).toBe(5);
    } finally {
      again.close();
    }
  }, 90_000);
});
