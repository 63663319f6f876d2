// `wasmbox run -it base sh` on a real pseudo-terminal (python3's pty module, test/helpers/pty-driver.py),
// through the CLI as a whole process on the Node running the tests (inline engine on the pinned
// Node, worker engine on Node 20): ^C, ^Z/jobs/fg, history, Tab completion, window size and SIGWINCH.
// The terminal through the daemon (exec -it, attach, a foreground run seen from another terminal)
// is terminal-daemon.test.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildShippedImages } from "../../images/build-shipped.js";
import { ENGINE, PYTHON, Session } from "../helpers/pty-session.js";

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
      expect(await sh.interruptSleep()).not.toMatch(/^after-sleep$/m);
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
