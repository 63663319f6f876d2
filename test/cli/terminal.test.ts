// `wasmbox run -it base sh` on a real pseudo-terminal (python3's pty module, test/helpers/pty-driver.py),
// through the CLI as a whole process on the Node running the tests (inline engine on the pinned
// Node, worker engine on Node 20): ^C, ^Z/jobs/fg, history, Tab completion, window size and SIGWINCH;
// and through a real daemon: `exec -it` (^C, window size and resize), `attach` (keys in, ctrl-p ctrl-q),
// to a container and to a VM (`run -dit --vm`: its guest kernel's terminal, sized by attach); and a
// foreground `run -it` driven from another terminal (ps, exec, top, stop through the daemon).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildShippedImages } from "../../images/build-shipped.js";

const BIN = path.resolve("dist/cli/bin.js");
const DRIVER = path.resolve("test/helpers/pty-driver.py");
const PYTHON = spawnSync("sh", ["-c", "command -v python3"], { encoding: "utf8" }).stdout.trim();
const ENGINE = "Suspending" in WebAssembly ? [] : ["--engine", "worker"];

/** The CLI on a pty of `rows` x `cols`: keys go in with send(), the screen's bytes collect in `screen`. */
class Session {
  screen = "";
  readonly ended: Promise<number>;
  private readonly child: ChildProcess;

  constructor(home: string, args: string[], rows = 24, cols = 80) {
    this.child = spawn(PYTHON, [DRIVER, String(rows), String(cols), process.execPath, BIN, ...args], {
      env: { ...process.env, WASMBOX_HOME: home, WASMBOX_NO_REEXEC: "1" }, stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stdout!.on("data", (chunk: Buffer) => (this.screen += chunk.toString("utf8")));
    this.child.stderr!.on("data", (chunk: Buffer) => (this.screen += chunk.toString("utf8")));
    this.ended = new Promise((resolve) => this.child.on("exit", (code) => resolve(code ?? -1)));
  }

  /** Types `keys` on the terminal. */
  send(keys: string): void {
    this.child.stdin!.write(JSON.stringify({ send: keys }) + "\n");
  }

  resize(rows: number, cols: number): void {
    this.child.stdin!.write(JSON.stringify({ resize: [rows, cols] }) + "\n");
  }

  /** The screen since `from`, without escape sequences or the line editor's redraws (each "\r" starts the line again). */
  text(from = 0): string {
    return this.screen.slice(from).replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").split("\n").map((line) => line.split("\r").filter((part) => part !== "").pop() ?? "").join("\n");
  }

  /** Waits until what the screen shows after `from` matches `pattern`; fails naming what it saw. */
  async waitFor(pattern: RegExp, from = 0, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.text(from))) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} on the terminal within ${ms} ms; it shows:\n${this.text(from)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Types a command line and waits for the prompt that follows it. */
  async run(line: string, expect: RegExp = /\n/): Promise<string> {
    const from = this.screen.length;
    this.send(line + "\r");
    await this.waitFor(new RegExp(`${expect.source}[\\s\\S]*\\$ $`), from);
    return this.text(from);
  }

  close(): void {
    this.child.stdin!.end();
    this.child.kill("SIGKILL");
  }
}

describe("an interactive shell on a pseudo-terminal (wasmbox run -it base sh)", () => {
  let home = "";
  beforeAll(async () => {
    // python3 is on every machine this project runs on (its pty module makes the pseudo-terminal).
    if (!PYTHON) throw new Error("the pty tests need python3 on PATH");
    home = mkdtempSync(path.join(tmpdir(), "wasmbox-tty-"));
    await buildShippedImages({ home, write: () => undefined });
  }, 60_000);
  // A killed session's CLI gets SIGHUP from its closed pty and cleans its --rm container up as the
  // home is removed: retried, as rm -rf would be after it.
  afterAll(() => rmSync(home, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 }));

  async function shell(rows = 24, cols = 80): Promise<Session> {
    const session = new Session(home, ["run", "-it", "--rm", ...ENGINE, "base", "sh"], rows, cols);
    await session.waitFor(/\$ $/);
    return session;
  }

  it("^C stops the foreground command, drops the rest of its line and gives the prompt back", async () => {
    const sh = await shell();
    try {
      const from = sh.screen.length;
      sh.send("sleep 100; echo after-sleep\r");
      await sh.waitFor(/sleep 100; echo after-sleep\n/, from);
      await new Promise((r) => setTimeout(r, 500));
      const interruptedAt = Date.now();
      sh.send("\x03");
      await sh.waitFor(/\^C\n\$ $/, from, 5_000);
      expect(Date.now() - interruptedAt).toBeLessThan(5_000);
      expect(sh.text(from)).not.toMatch(/^after-sleep$/m);
      expect(await sh.run("echo next-$((6*7))", /next-42\n/)).toContain("next-42");
      sh.send("exit 3\r");
      expect(await sh.ended).toBe(3);
    } finally {
      sh.close();
    }
  }, 60_000);

  it("^Z stops the job; jobs lists it; fg continues it; ^C then ends it", async () => {
    const sh = await shell();
    try {
      let from = sh.screen.length;
      sh.send("sleep 100\r");
      await new Promise((r) => setTimeout(r, 700));
      sh.send("\x1a");
      await sh.waitFor(/\[1\]\+  Stopped {17}sleep 100\n\$ $/, from);
      expect(await sh.run("jobs", /\[1\]\+  Stopped/)).toMatch(/\[1\]\+  Stopped {17}sleep 100\n/);
      from = sh.screen.length;
      sh.send("fg\r");
      await sh.waitFor(/fg\nsleep 100\n/, from);
      await new Promise((r) => setTimeout(r, 500));
      sh.send("\x03");
      await sh.waitFor(/\^C\n\$ $/, from);
      expect(await sh.run("jobs; echo status-$?", /status-0\n/)).not.toContain("sleep 100");
      const bg = await sh.run("sleep 30 & jobs", /Running/);
      expect(bg).toMatch(/\[1\] \d+\n/);
      expect(bg).toMatch(/\[1\]\+  Running {17}sleep 30 &\n/);
      expect(await sh.run("kill %1; wait; echo waited", /waited\n/)).toContain("waited");
    } finally {
      sh.close();
    }
  }, 60_000);

  it("Up recalls the previous command, Tab completes a path and a command, ^U and ^W erase", async () => {
    const sh = await shell();
    try {
      await sh.run("echo first-$((1+1))", /first-2\n/);
      expect(await sh.run("\x1b[A", /first-2\n/)).toContain("first-2");
      expect(await sh.run("ls /etc/pass\t", /\/etc\/passwd\n/)).toContain("/etc/passwd");
      expect(await sh.run("ech\t tab-done", /tab-done\n/)).toContain("tab-done");
      expect(await sh.run("echo gone\x15echo one two\x17three", /one three\n/)).toContain("one three");
      expect(await sh.run("echo ac\x1b[Db", /abc\n/)).toContain("abc");
    } finally {
      sh.close();
    }
  }, 60_000);

  it("the guest reads the window size, and a resize sends the foreground group SIGWINCH", async () => {
    const sh = await shell(30, 100);
    try {
      expect(await sh.run("stty size", /30 100\n/)).toContain("30 100");
      await sh.run("trap 'echo got-winch' WINCH");
      sh.resize(40, 120);
      // The host's SIGWINCH and the next keys race in the CLI, as on any terminal: give the signal a moment.
      await new Promise((r) => setTimeout(r, 500));
      const after = await sh.run("echo size $LINES $COLUMNS", /size 40 120\n/);
      expect(after).toContain("got-winch");
      expect(await sh.run("stty size", /40 120\n/)).toContain("40 120");
      // A foreground job gets it, not the shell: a child shell that traps it, resized while it sleeps.
      const from = sh.screen.length;
      sh.send("sh -c 'trap \"echo child-winch \\$(stty size)\" WINCH; sleep 1; echo done'\r");
      await new Promise((r) => setTimeout(r, 400));
      sh.resize(41, 121);
      await sh.waitFor(/done\n\$ $/, from);
      expect(sh.text(from)).toContain("child-winch 41 121\n");
      expect(sh.text(from)).not.toContain("got-winch");
    } finally {
      sh.close();
    }
  }, 60_000);
});

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
      const from = sh.screen.length;
      sh.send("sleep 100; echo after-sleep\r");
      await sh.waitFor(/sleep 100; echo after-sleep\n/, from);
      await new Promise((r) => setTimeout(r, 500));
      sh.send("\x03");
      await sh.waitFor(/\^C\n\$ $/, from, 5_000);
      expect(sh.text(from)).not.toMatch(/^after-sleep$/m);
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
      const from = sh.screen.length;
      sh.send("sleep 100; echo after-sleep\r");
      await sh.waitFor(/sleep 100; echo after-sleep\n/, from);
      await new Promise((r) => setTimeout(r, 500));
      const interruptedAt = Date.now();
      sh.send("\x03");
      await sh.waitFor(/\^C\n\$ $/, from, 5_000);
      expect(Date.now() - interruptedAt).toBeLessThan(5_000);
      expect(sh.text(from)).not.toMatch(/^after-sleep$/m);
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
      const from = attached.screen.length;
      attached.send("sleep 100; echo after-sleep\r");
      await attached.waitFor(/sleep 100; echo after-sleep\n/, from);
      await new Promise((r) => setTimeout(r, 500));
      attached.send("\x03");
      await attached.waitFor(/\^C\n\$ $/, from, 5_000);
      expect(attached.text(from)).not.toMatch(/^after-sleep$/m);
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
