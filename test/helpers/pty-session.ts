// A wasmbox CLI on a real pseudo-terminal (python3's pty module, test/helpers/pty-driver.py) for the
// terminal tests: keys in, the screen's bytes out, waits on what the screen shows (never on time alone).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as path from "node:path";

/** The bin as a whole process: the terminal tests need `npm run build:ts`. */
export const BIN = path.resolve("dist/cli/bin.js");
const DRIVER = path.resolve("test/helpers/pty-driver.py");
/** python3 (its pty module makes the pseudo-terminal), or "" when the machine has none. */
export const PYTHON = spawnSync("sh", ["-c", "command -v python3"], { encoding: "utf8" }).stdout.trim();
/** The engine flag of a run on the Node running the tests: the worker engine where it has no JSPI. */
export const ENGINE = "Suspending" in WebAssembly ? [] : ["--engine", "worker"];

/** The CLI on a pty of `rows` x `cols`: keys go in with send(), the screen's bytes collect in `screen`. */
export class Session {
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

  /**
   * Starts `sleep 100; echo after-sleep`, types ^C once the sleep runs, and waits (5 s at most) for
   * the ^C echo and the prompt after it; the screen since the command line, for the test to look at.
   */
  async interruptSleep(): Promise<string> {
    const from = this.screen.length;
    this.send("sleep 100; echo after-sleep\r");
    await this.waitFor(/sleep 100; echo after-sleep\n/, from);
    await new Promise((r) => setTimeout(r, 500));
    this.send("\x03");
    await this.waitFor(/\^C\n\$ $/, from, 5_000);
    return this.text(from);
  }

  close(): void {
    this.child.stdin!.end();
    this.child.kill("SIGKILL");
  }
}
