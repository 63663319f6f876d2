// test/net: a foreground `run` on the daemon's network, through the CLI as a whole process against
// a real daemon: by name on a user network (wget, nc with stdin to its EOF), by address on the
// default bridge, exit codes and stderr, SIGTERM and ^C passed on, ps/exec/logs from another terminal,
// and `run -it` on a real pseudo-terminal (python3's pty module, test/helpers/pty-driver.py).
import { spawn, spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { daemonCommand } from "../../containers/client.js";
import { daemonHarness, until } from "../helpers/daemon.js";

const setup = daemonHarness("wbfgnet");

/** The wasmbox CLI as its own process against `home`, stdin given as `input` (then its EOF) or left open. */
function cliProcess(home: string, args: string[], input?: string) {
  const command = daemonCommand(process.env).slice(0, -1);
  const child = spawn(command[0]!, [...command.slice(1), ...args], { env: { ...process.env, WASMBOX_HOME: home, WASMBOX_NO_REEXEC: "1" }, stdio: ["pipe", "pipe", "pipe"] });
  if (input !== undefined) child.stdin.end(input);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  return { child, ended, output: () => stdout };
}

const DRIVER = path.resolve("test/helpers/pty-driver.py");
const PYTHON = spawnSync("sh", ["-c", "command -v python3"], { encoding: "utf8" }).stdout.trim();

/** The CLI on a pty of 33 x 90 driven by the JSON lines of test/helpers/pty-driver.py: what it showed, and its exit code. */
function ptySession(home: string, args: string[]) {
  if (!PYTHON) throw new Error("the pty test needs python3 on PATH");
  const command = daemonCommand(process.env).slice(0, -1);
  const child = spawn(PYTHON, [DRIVER, "33", "90", ...command, ...args], { env: { ...process.env, WASMBOX_HOME: home, WASMBOX_NO_REEXEC: "1" }, stdio: ["pipe", "pipe", "pipe"] });
  let screen = "";
  child.stdout.on("data", (d: Buffer) => (screen += d.toString()));
  child.stderr.on("data", (d: Buffer) => (screen += d.toString()));
  return {
    screen: () => screen.replace(/\x1b\[[0-9;]*[A-Za-z]/g, ""),
    send: (command: Record<string, unknown>) => child.stdin.write(JSON.stringify(command) + "\n"),
    ended: new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code))),
    kill: () => child.kill("SIGKILL"),
  };
}

const WEB = (page: string) => `mkdir -p /www && echo ${page} > /www/index.html && httpd -f -p 80 -h /www`;

describe("a foreground run on the daemon's network", () => {
  it("reaches a detached container by name on a user network: wget, nc with piped stdin, exit codes", async () => {
    const { cli, home } = await setup();
    expect((await cli("network", "create", "app")).code).toBe(0);
    expect((await cli("run", "-d", "--name", "web", "--network", "app", "base", "sh", "-c", WEB("the app page"))).code).toBe(0);
    // The server may not listen yet: retried until it answers.
    const fetch = () => cliProcess(home, ["run", "--rm", "--network", "app", "base", "wget", "-qO-", "http://web/"]).ended;
    const page = await until(() => fetch().then((r) => `${r.code} ${r.stdout}${r.stderr}`), (t) => t.startsWith("0 "), "the page through a foreground run");
    expect(page).toBe("0 the app page\n");

    // stdin to its EOF: nc sends it and ends; the server saw it.
    expect((await cli("run", "-d", "--name", "srv", "--network", "app", "base", "sh", "-c", "nc -l -p 7000; echo served")).code).toBe(0);
    const sent = await until(async () => {
      const r = await cliProcess(home, ["run", "--rm", "-i", "--network", "app", "base", "nc", "srv", "7000"], "over the user network\n").ended;
      return `${r.code} ${r.stderr}`;
    }, (t) => t === "0 ", "nc to srv");
    expect(sent).toBe("0 ");
    expect(await until(() => cli("logs", "srv").then((r) => r.stdout), (t) => t.includes("served"))).toBe("over the user network\nserved\n");

    // Its exit code and both streams, as the CLI-process path gives them; --rm leaves nothing.
    const failing = await cliProcess(home, ["run", "--rm", "--network", "app", "base", "sh", "-c", "echo out; echo err >&2; exit 3"]).ended;
    expect(failing).toEqual({ code: 3, stdout: "out\n", stderr: "err\n" });
    // A command that does not exist: docker's 127.
    expect((await cliProcess(home, ["run", "--rm", "--network", "app", "base", "no-such-command"]).ended).code).toBe(127);
    expect((await cli("ps", "-a", "--format", "{{.Names}}")).stdout.split("\n").sort()).toEqual(["", "srv", "web"]);
    // A network that does not exist is still a clear error.
    const missing = await cliProcess(home, ["run", "--rm", "--network", "nowhere", "base", "true"]).ended;
    expect(missing.stderr).toMatch(/network nowhere not found/);
    expect(missing.code).toBe(125);
    // The API attaches a created container before its start, but `attach` refuses one, as docker's.
    expect((await cli("create", "--name", "later", "base", "true")).code).toBe(0);
    expect(await cli("attach", "later")).toMatchObject({ code: 1, stderr: "Error response from daemon: You cannot attach to a stopped container, start it first\n" });
    expect((await cli("rm", "-f", "web", "srv", "later")).code).toBe(0);
  });

  it("is seen from another terminal (ps, exec, logs) and ends with ^C or SIGTERM as the CLI-process run does", async () => {
    const { cli, home } = await setup();
    expect((await cli("network", "create", "app")).code).toBe(0);
    expect((await cli("run", "-d", "--name", "web", "--network", "app", "base", "sh", "-c", WEB("seen from fg"))).code).toBe(0);
    const run = cliProcess(home, ["run", "--rm", "--name", "fg", "--network", "app", "base", "sh", "-c", "echo started; sleep 100"]);
    await until(async () => run.output(), (t) => t === "started\n", "the foreground run's first line");
    expect((await cli("ps", "--format", "{{.Names}}")).stdout.split("\n").sort()).toEqual(["", "fg", "web"]);
    expect((await cli("logs", "fg")).stdout).toBe("started\n");
    const exec = await until(() => cli("exec", "fg", "wget", "-qO-", "http://web/").then((r) => r.stdout), (t) => t !== "", "exec in the foreground run");
    expect(exec).toBe("seen from fg\n");
    run.child.kill("SIGTERM");
    expect((await run.ended).code).toBe(143);
    expect((await cli("ps", "-a", "--format", "{{.Names}}")).stdout).toBe("web\n");

    // ^C is SIGINT to the container: its trap runs and its status is the CLI's.
    const trapped = cliProcess(home, ["run", "--rm", "--network", "app", "base", "sh", "-c", "trap 'echo interrupted; exit 7' INT; echo ready; while true; do sleep 0.1; done"]);
    await until(async () => trapped.output(), (t) => t === "ready\n", "the trap set");
    trapped.child.kill("SIGINT");
    expect(await trapped.ended).toMatchObject({ code: 7, stdout: "ready\ninterrupted\n" });
    expect((await cli("rm", "-f", "web")).code).toBe(0);
  });

  it("reaches a detached container on the default bridge by its address; --network none does not", async () => {
    const { cli, home } = await setup();
    expect((await cli("run", "-d", "--name", "bweb", "base", "sh", "-c", WEB("on the bridge"))).code).toBe(0);
    // docker's way to its address: inspect's NetworkSettings (the bridge's at the top, each network's under Networks).
    const ip = (await cli("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "bweb")).stdout.trim();
    expect(ip).toMatch(/^10\.88\.0\.\d+$/);
    expect((await cli("inspect", "-f", "{{.NetworkSettings.Networks.bridge.IPAddress}} {{.NetworkSettings.Networks.bridge.Gateway}}", "bweb")).stdout).toBe(`${ip} 10.88.0.1\n`);
    const fetch = (network: string[]) => cliProcess(home, ["run", "--rm", ...network, "base", "wget", "-qO-", `http://${ip}/`]).ended;
    const page = await until(() => fetch([]).then((r) => `${r.code} ${r.stdout}`), (t) => t.startsWith("0 "), "the bridge page");
    expect(page).toBe("0 on the bridge\n");
    const none = await fetch(["--network", "none"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/Network is unreachable/);

    // network connect and disconnect write the container's /etc/hosts again (its own name's addresses).
    const hosts = () => cli("exec", "bweb", "grep", "-c", "^10\\.88\\.", "/etc/hosts").then((r) => r.stdout);
    expect(await hosts()).toBe("1\n");
    expect((await cli("network", "create", "other")).code).toBe(0);
    expect((await cli("network", "connect", "other", "bweb")).code).toBe(0);
    expect(await hosts()).toBe("2\n");
    expect((await cli("inspect", "-f", "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Networks.other.IPAddress}}", "bweb")).stdout).toMatch(new RegExp(`^${ip.replace(/\./g, "\\.")} 10\\.88\\.\\d+\\.2\n$`));
    expect((await cli("network", "disconnect", "other", "bweb")).code).toBe(0);
    expect(await hosts()).toBe("1\n");
    expect((await cli("rm", "-f", "bweb")).code).toBe(0);
  });

  it("run -it on a pseudo-terminal: a shell on a user network, sized by the host terminal, its exit status the CLI's", async () => {
    const { cli, home } = await setup();
    expect((await cli("network", "create", "app")).code).toBe(0);
    expect((await cli("run", "-d", "--name", "web", "--network", "app", "base", "sh", "-c", WEB("to the terminal"))).code).toBe(0);
    await until(() => cliProcess(home, ["run", "--rm", "--network", "app", "base", "wget", "-qO-", "http://web/"]).ended.then((r) => r.stdout), (t) => t !== "", "the page");
    const session = ptySession(home, ["run", "-it", "--rm", "--network", "app", "base", "sh"]);
    try {
      await until(async () => session.screen(), (t) => t.includes("$ "), "the shell's prompt");
      session.send({ send: "stty size; wget -qO- http://web/\r" });
      await until(async () => session.screen(), (t) => t.includes("to the terminal"), "the page on the terminal");
      expect(session.screen()).toMatch(/\r?\n33 90\r?\n/);
      session.send({ resize: [30, 100] });
      await until(async () => {
        session.send({ send: "stty size\r" });
        await new Promise((r) => setTimeout(r, 200));
        return session.screen();
      }, (t) => /\n30 100\r?\n/.test(t), "the new window size");
      session.send({ send: "exit 5\r" });
      expect(await session.ended).toBe(5);
    } finally {
      session.kill();
    }
    expect((await cli("ps", "-a", "--format", "{{.Names}}")).stdout).toBe("web\n");
    expect((await cli("rm", "-f", "web")).code).toBe(0);
  });
});
