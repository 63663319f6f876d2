// Sessions, process groups, the terminal's foreground group and line discipline, stop/continue and
// waitpid of stopped children, and the working directory as a process attribute: in the kernel,
// driven by the base image's shell and utilities, on the engine of the Node running the tests.
import { beforeAll, describe, expect, it } from "vitest";
import { InputStream, SIGCONT, SIGHUP, SIGINT, SIGSTOP, SIGTERM, SIGTSTP, type Kernel, type LayerEntry, type Process } from "../../kernel/host.js";
import { bootKernel, loadRootfs, sh } from "../userland/helpers.js";
import { waitUntil } from "../helpers/poll.js";

let rootfs: LayerEntry[];
beforeAll(async () => {
  rootfs = await loadRootfs();
}, 120_000);

/** Polls `check` every 20 ms until it holds; fails naming `what` after 10 s. */
const until = (what: string, check: () => boolean) => waitUntil(what, check, 10_000, 20);

/** An interactive shell on a kernel terminal whose keys the test types. */
function terminalShell(kernel: Kernel) {
  const keys = new InputStream();
  let shell: Process | undefined;
  let screen = "";
  const run = kernel.run("/bin/sh", {
    args: [], tty: true, cwd: "/", env: { PATH: "/bin", HOME: "/root" }, stdin: keys, capture: false,
    onStdout: (c) => void (screen += Buffer.from(c).toString()), onStderr: (c) => void (screen += Buffer.from(c).toString()),
    onStart: (p) => (shell = p),
  });
  const live = () => shell!.container.liveProcesses();
  return {
    run, type: (text: string) => keys.push(Buffer.from(text)), screen: () => screen, shell: () => shell!,
    named: (name: string) => live().find((p) => p.name === name && p !== shell),
  };
}

describe("job control in the kernel", () => {
  it("gives a background job its own group in the shell's session, and the terminal to a foreground one", async () => {
    const kernel = bootKernel(rootfs);
    const t = terminalShell(kernel);
    t.type("sleep 30 &\r");
    await until("the background sleep", () => t.named("sleep") !== undefined);
    const shell = t.shell();
    const sleep = t.named("sleep")!;
    expect(shell.session).toBe(shell.pid);
    expect(shell.pgid).toBe(shell.pid);
    expect(sleep.pgid).toBe(sleep.pid);
    expect(sleep.session).toBe(shell.session);
    expect(sleep.ctty).toBe(shell.ctty);
    expect(shell.ctty!.foreground).toBe(shell.pgid);
    t.type("fg\r");
    await until("the sleep in the foreground", () => shell.ctty!.foreground === sleep.pgid);
    // ^Z: the foreground group stops and the shell takes the terminal back.
    t.type("\x1a");
    await until("the sleep stopped", () => sleep.stoppedBy === SIGTSTP && shell.ctty!.foreground === shell.pgid);
    await until("the shell's report", () => /\[1\]\+  Stopped {17}sleep 30\n/.test(t.screen()));
    t.type("bg\r");
    await until("the sleep continued", () => sleep.stoppedBy === 0);
    t.type("kill %1; wait; exit 5\r");
    expect((await t.run).exitCode).toBe(5);
    expect(await sleep.exited).toBe(SIGTERM);
  }, 30_000);

  it("^C reaches the foreground group only, and the shell runs the next line", async () => {
    const kernel = bootKernel(rootfs);
    const t = terminalShell(kernel);
    t.type("sleep 40 &\rsleep 30; echo not-run\r");
    await until("both sleeps", () => kernel.processes.live >= 3 && t.shell().ctty!.foreground !== t.shell().pgid);
    const background = t.shell().container.liveProcesses().find((p) => p.argv.join(" ") === "sleep 40")!;
    t.type("\x03");
    await until("the foreground sleep's end", () => t.shell().ctty!.foreground === t.shell().pgid);
    t.type("echo next; jobs\r");
    await until("the next line's output", () => /next\n\[1\]\+  Running {17}sleep 40 &\n/.test(t.screen()));
    expect(background.state).not.toBe("ZOMBIE");
    expect(t.screen()).not.toMatch(/^not-run$/m);
    t.type("kill %1\rexit\r");
    await t.run;
  }, 30_000);

  it("hangs up the session when its controlling process ends: a stopped job gets SIGHUP and SIGCONT", async () => {
    const kernel = bootKernel(rootfs);
    const t = terminalShell(kernel);
    t.type("sleep 30 &\r");
    await until("the background sleep", () => t.named("sleep") !== undefined);
    const sleep = t.named("sleep")!;
    t.type("kill -STOP %1; exit 0\r");
    expect((await t.run).exitCode).toBe(0);
    expect(await sleep.exited).toBe(SIGHUP);
  }, 30_000);

  it("holds signals sent to a stopped process until SIGCONT, which delivers them", async () => {
    const kernel = bootKernel(rootfs);
    let child: Process | undefined;
    const run = kernel.run("/bin/sleep", { args: ["30"], onStart: (p) => (child = p) });
    await until("the process", () => child !== undefined);
    child!.signal(SIGSTOP);
    expect(child!.stoppedBy).toBe(SIGSTOP);
    child!.signal(SIGTERM);
    await new Promise((r) => setTimeout(r, 200));
    expect(child!.state).not.toBe("ZOMBIE");
    child!.signal(SIGCONT);
    expect((await run).signal).toBe(SIGTERM);
  }, 30_000);

  it("runs a stopped process no more: its CPU time stands still until SIGCONT", async () => {
    const kernel = bootKernel(rootfs);
    let busy: Process | undefined;
    const run = kernel.run("/bin/sh", { args: ["-c", "yes > /dev/null"], onStart: (p) => (busy = p) });
    await until("yes running", () => busy !== undefined && busy.container.liveProcesses().some((p) => p.name === "yes" && p.cpuNs > 0));
    const yes = busy!.container.liveProcesses().find((p) => p.name === "yes")!;
    yes.signal(SIGSTOP);
    await new Promise((r) => setTimeout(r, 200));
    const stoppedAt = yes.cpuNs;
    await new Promise((r) => setTimeout(r, 400));
    expect(yes.cpuNs).toBe(stoppedAt);
    yes.signal(SIGCONT);
    await until("yes running again", () => yes.cpuNs > stoppedAt);
    yes.signal(SIGTERM);
    expect((await run).exitCode).toBe(128 + SIGTERM);
  }, 30_000);

  it("reports a stopped and a continued child to waitpid (WUNTRACED, WCONTINUED) and ps shows T", async () => {
    const kernel = bootKernel(rootfs);
    // A script stops its child and sees its state in /proc; then an interactive shell, whose waits
    // use WUNTRACED, learns of a stop it did not cause, and of the continue (WCONTINUED via jobs).
    const r = await sh(kernel, "sleep 30 & pid=$!; kill -STOP $pid; grep State /proc/$pid/status; kill -CONT $pid; grep State /proc/$pid/status; kill $pid; wait $pid; echo status $?");
    expect(r.stdout).toBe("State:\tT (stopped)\nState:\tS (sleeping)\nstatus 143\n");
    const t = terminalShell(bootKernel(rootfs));
    t.type("sleep 30\r");
    await until("the sleep", () => t.named("sleep") !== undefined);
    const sleep = t.named("sleep")!;
    await until("the sleep in the foreground", () => t.shell().ctty!.foreground === sleep.pgid);
    sleep.signal(SIGSTOP);
    await until("the shell's report of the stop", () => /\[1\]\+  Stopped {17}sleep 30\n/.test(t.screen()));
    t.type("kill -CONT %1; jobs\r");
    await until("the continued job", () => /\[1\]\+  Running {17}sleep 30 &\n/.test(t.screen()));
    t.type("kill %1\rexit\r");
    await t.run;
  }, 30_000);

  it("edits a canonical line with erase and kill, echoes it, and turns ISIG off in raw mode", async () => {
    const kernel = bootKernel(rootfs);
    const r = await kernel.run("/bin/cat", { tty: true, stdin: "abX\x7fc\rgone\x15kept\r" });
    // All of the input came at once, so it is all edited (and echoed) at cat's first read.
    expect(r.stdout).toBe("abX\b \bc\r\ngone\b \b\b \b\b \b\b \bkept\r\nabc\nkept\n");
    const t = terminalShell(kernel);
    await until("the shell", () => t.shell() !== undefined && t.shell().ctty !== undefined);
    const terminal = t.shell().ctty!;
    // The shell's line editor reads in raw mode (no ISIG, ICANON, ECHO or ICRNL): ^C is a key for it, not a signal.
    await until("the prompt in raw mode", () => terminal.flags === 0);
    t.type("echo one\x03echo two\r");
    await until("the second line", () => /\^C\r\n\$ .*\r\n?two\n/s.test(t.screen()));
    expect(t.shell().sigPending & (1 << SIGINT)).toBe(0);
    t.type("stty -a\r");
    await until("stty's modes", () => /isig icanon echo icrnl\n/.test(t.screen()));
    t.type("exit\r");
    await t.run;
  }, 30_000);
});

describe("the working directory is a process attribute", () => {
  it("is inherited at spawn, whatever the environment says", async () => {
    const kernel = bootKernel(rootfs);
    const r = await sh(kernel, "cd /etc && env -i pwd && PWD=/ sh -c pwd && cd .. && env -i /bin/pwd && cd /nowhere; pwd");
    expect(r.stdout).toBe("/etc\n/etc\n/\n/\n");
    expect(r.stderr).toContain("can't cd to /nowhere");
  });

  it("comes from kernel.run's cwd without PWD in the environment", async () => {
    const kernel = bootKernel(rootfs);
    const r = await kernel.run("/bin/pwd", { cwd: "/tmp", env: {} });
    expect(r.stdout).toBe("/tmp\n");
    const ls = await kernel.run("/bin/ls", { cwd: "/etc", env: {}, args: ["passwd"] });
    expect(ls.stdout).toBe("passwd\n");
  });
});
