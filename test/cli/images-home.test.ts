// test/cli: images without surprises, through the CLI in-process: the package's shipped images
// (base, hello; built by `npm run build:images`) seen read-only from a fresh $WASMBOX_HOME, save to
// standard output and load from standard input, build -q's id form, and run --help's groups.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../cli/index.js";
import type { CliIo } from "../../cli/io.js";
import { stopDaemonOf } from "../helpers/stop-daemon.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) {
    // rmi asked the home's daemon (started on demand): it ends before its home goes.
    await stopDaemonOf(dir);
    await rm(dir, { recursive: true, force: true });
  }
});

/** A fresh, empty home and a `cli(...)` against it (stdin and whether stdout is a terminal as given). */
async function freshHome() {
  const home = await mkdtemp(join(tmpdir(), "wbhome-docker-fresh-"));
  const work = await mkdtemp(join(tmpdir(), "wbhome-docker-work-"));
  dirs.push(home, work);
  const cli = async (args: string[], options: { stdin?: Buffer; stdoutIsTerminal?: boolean } = {}) => {
    const stdout: Buffer[] = [];
    let stderr = "";
    const io: CliIo = {
      stdout: (t) => void stdout.push(Buffer.from(t)),
      stderr: (t) => void (stderr += Buffer.from(t).toString()),
      env: { ...process.env, WASMBOX_HOME: home, WASMBOX_SHIPPED_IMAGES: undefined }, cwd: work,
      stdin: options.stdin ? (Readable.from([options.stdin]) as CliIo["stdin"]) : undefined,
      stdoutIsTerminal: options.stdoutIsTerminal,
    };
    const code = await runCli(args, io);
    const bytes = Buffer.concat(stdout);
    return { code, stdout: bytes.toString(), bytes, stderr };
  };
  return { home, work, cli };
}

describe("images in any home", () => {
  it("a fresh home sees base and hello read-only: they run, FROM base builds, rmi base is refused", async () => {
    const { cli, work } = await freshHome();
    const images = await cli(["images"]);
    expect(images.stdout).toMatch(/\nhello\s+latest\s+[0-9a-f]{12}\s/);
    expect(images.stdout).toMatch(/\nbase\s+latest\s+[0-9a-f]{12}\s/);
    expect(await cli(["run", "--rm", "base", "echo", "hi"])).toMatchObject({ code: 0, stdout: "hi\n" });
    await writeFile(join(work, "Containerfile"), 'FROM base\nRUN echo built > /root/b\nCMD ["cat", "/root/b"]\n');
    const built = await cli(["build", "-q", "-t", "mine", "."]);
    expect(built.code).toBe(0);
    // build -q prints the id as images shows it.
    expect(built.stdout).toMatch(/^[0-9a-f]{12}\n$/);
    expect((await cli(["images", "-q", "mine"])).stdout).toBe(built.stdout);
    expect(await cli(["run", "--rm", "mine"])).toMatchObject({ code: 0, stdout: "built\n" });
    const refused = await cli(["rmi", "base"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Error response from daemon: unable to remove base: it is an image of the installed wasmbox package \(read-only, in .+\)/);
    expect((await cli(["tag", "base", "copy"])).code).toBe(0);
    expect((await cli(["rmi", "copy"])).stdout).toBe("Untagged: copy:latest\n");
    expect((await cli(["images"])).stdout).toMatch(/\nbase\s+latest\s/);
  });

  it("save writes to standard output and load reads standard input; neither to or from a terminal", async () => {
    const { cli } = await freshHome();
    expect((await cli(["tag", "hello", "mine:1"])).code).toBe(0);
    const saved = await cli(["save", "mine:1"]);
    expect(saved.code).toBe(0);
    // A tar archive: "ustar" at offset 257 of its first header.
    expect(saved.bytes.subarray(257, 262).toString()).toBe("ustar");
    expect((await cli(["save", "mine:1"], { stdoutIsTerminal: true })).stderr).toMatch(/cowardly refusing to save to a terminal/);
    const other = await freshHome();
    expect((await other.cli(["images", "-q", "mine"])).stdout).toBe("");
    const loaded = await other.cli(["load"], { stdin: saved.bytes });
    expect(loaded).toMatchObject({ code: 0, stdout: "Loaded image: mine:1\n" });
    const id = (await cli(["image", "inspect", "-f", "{{.Id}}", "mine:1"])).stdout;
    expect((await other.cli(["image", "inspect", "-f", "{{.Id}}", "mine:1"])).stdout).toBe(id);
    expect((await other.cli(["run", "--rm", "mine:1"])).stdout).toMatch(/This is a WebAssembly container/);
    expect((await other.cli(["load"], { stdin: Buffer.alloc(0) })).stderr).toMatch(/stdin is empty/);
    expect((await other.cli(["load"])).code).toBe(1);
    const file = join(other.work, "h.tar");
    expect((await cli(["save", "-o", file, "mine:1"])).code).toBe(0);
    expect(await readFile(file)).toEqual(saved.bytes);
  });

  it("run --help groups its flags: for modules, for both, for containers, for VMs", async () => {
    const { cli } = await freshHome();
    const help = (await cli(["run", "--help"])).stdout;
    const headings = help.split("\n").filter((l) => /^Options for/.test(l));
    expect(headings).toEqual([
      "Options for modules (MODULE.wasm, wasmtime-style):",
      "Options for modules and containers:",
      "Options for containers (IMAGE, docker-style):",
      "Options for VMs (with --vm):",
    ]);
    const section = (heading: string) => help.slice(help.indexOf(heading)).split("\n\n")[0]!;
    expect(section("Options for modules (")).toContain("--dir <HOST[::GUEST]>");
    expect(section("Options for containers")).toContain("--restart <policy>");
    expect(section("Options for containers")).not.toContain("--vm-memory");
    expect(section("Options for VMs")).toContain("--vm-memory <size>");
  });
});
