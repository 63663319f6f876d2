// test/images: the image commands run in-process through commander, as the bin would run them: output in
// docker's formats, and user mistakes ending as CliExit with a one-line message, never a stack trace.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerImageCommands } from "../../cli/commands/images.js";
import { CliExit, type CliIo } from "../../cli/io.js";
import { FakeRunner, tempDir, writeTree } from "./helpers.js";

async function cli(home: string, cwd: string, runner = new FakeRunner()) {
  const run = async (...args: string[]) => {
    let stdout = "";
    let stderr = "";
    const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: { WASMBOX_HOME: home, WASMBOX_SHIPPED_IMAGES: "" }, cwd };
    const program = new Command().exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    registerImageCommands(program, io, { buildRunner: async () => runner });
    await program.parseAsync(args, { from: "user" });
    return { stdout, stderr };
  };
  return { run, runner };
}

async function failure(promise: Promise<unknown>): Promise<CliExit> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(CliExit);
  return error as CliExit;
}

describe("image commands", () => {
  it("build, images, inspect, history, tag, save, load, rmi, prune", async () => {
    const home = await tempDir();
    const work = await tempDir();
    await writeTree(work, {
      "ctx/Containerfile": 'FROM scratch\nARG WHO=world\nCOPY hello.sh /app/hello.sh\nRUN touch /app/built\nENV WHO=$WHO\nCMD ["/bin/sh", "/app/hello.sh"]\n',
      "ctx/hello.sh": "echo hello\n",
    });
    const { run, runner } = await cli(home, work);
    const built = await run("build", "-t", "hello:1", "--build-arg", "WHO=you", "ctx");
    expect(built.stdout).toMatch(/^STEP 1\/6: FROM scratch\nSTEP 2\/6: ARG WHO=world\nSTEP 3\/6: COPY hello.sh \/app\/hello.sh\n--> [0-9a-f]{12}\n/);
    expect(built.stdout).toContain("Successfully tagged hello:1\n");
    expect(runner.calls[0]!.env).toEqual(["WHO=you"]);
    const quiet = await run("build", "-q", "-t", "hello:1", "ctx");
    expect(quiet.stdout).toMatch(/^[0-9a-f]{12}\n$/);
    expect((await run("images", "-q")).stdout).toContain(quiet.stdout);
    expect(runner.calls).toHaveLength(2); // --build-arg changed, so RUN re-ran once: WHO=world

    const list = await run("images");
    expect(list.stdout).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\nhello\s+1\s+[0-9a-f]{12}\s+(Less than a second|\d+ seconds?) ago\s+\d+(\.\d+)?kB\n/);
    expect(list.stdout).toMatch(/\n<none>\s+<none>\s+[0-9a-f]{12}\s/); // the WHO=you build, now untagged
    expect((await run("image", "ls", "-q")).stdout).toMatch(/^[0-9a-f]{12}\n[0-9a-f]{12}\n$/);
    expect((await run("images", "--verify")).stdout).toMatch(/2 images, \d+ blobs verified, no problems/);

    const inspected = JSON.parse((await run("image", "inspect", "hello:1")).stdout);
    expect(inspected[0]).toMatchObject({ RepoTags: ["hello:1"], Architecture: "wasm", Os: "wasip1", Config: { Cmd: ["/bin/sh", "/app/hello.sh"], Env: ["WHO=world"] } });
    expect((await run("image", "inspect", "-f", "{{.Os}} {{json .Config.Cmd}}", "hello:1")).stdout).toBe('wasip1 ["/bin/sh","/app/hello.sh"]\n');

    const history = (await run("history", "hello:1")).stdout.split("\n");
    expect(history[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(history[1]).toMatch(/^[0-9a-f]{12}\s+.*CMD \["\/bin\/sh", "\/app\/hello.sh"\]\s+0B/);
    expect(history.at(-2)).toMatch(/^<missing>\s+.*COPY hello.sh \/app\/hello.sh\s+\d/);

    await run("tag", "hello:1", "greeter");
    await run("save", "-o", "out.tar", "hello:1", "greeter");
    const fresh = await cli(await tempDir(), work);
    expect((await fresh.run("load", "-i", "out.tar")).stdout).toBe("Loaded image: hello:1\nLoaded image: greeter:latest\n");
    expect((await fresh.run("images")).stdout.split("\n").filter((line) => /^(hello|greeter) /.test(line))).toHaveLength(2);
    expect((await fresh.run("image", "inspect", "-f", "{{.Id}}", "greeter")).stdout).toBe((await run("image", "inspect", "-f", "{{.Id}}", "hello:1")).stdout);

    expect((await run("rmi", "greeter")).stdout).toBe("Untagged: greeter:latest\n");
    const removed = await run("rmi", "hello:1");
    expect(removed.stdout).toMatch(/^Untagged: hello:1\nDeleted: sha256:[0-9a-f]{64}\n$/);
    expect((await run("image", "prune", "--build-cache")).stdout).toMatch(/Total reclaimed space: \d/);
    expect((await run("images")).stdout).toBe("REPOSITORY   TAG   IMAGE ID   CREATED   SIZE\n");
  });

  it("builds a multi-stage file up to --target, with LABEL, EXPOSE and HEALTHCHECK in what inspect shows", async () => {
    const home = await tempDir();
    const work = await tempDir();
    await writeTree(work, {
      "ctx/Containerfile": [
        "ARG VERSION=1",
        "FROM scratch AS build",
        "COPY app.sh /out/app.sh",
        "RUN touch /out/built",
        "FROM scratch AS test",
        "RUN false",
        "FROM scratch",
        "ARG VERSION",
        "COPY --from=build /out/ /app/",
        'LABEL org.opencontainers.image.version="$VERSION" team=core',
        "EXPOSE 80/tcp 53/udp 8080",
        "HEALTHCHECK --interval=1s --retries=5 CMD [\"/app/app.sh\", \"--check\"]",
        'CMD ["/app/app.sh"]',
      ].join("\n"),
      "ctx/app.sh": "echo app\n",
    });
    const { run, runner } = await cli(home, work);
    const built = await run("build", "-t", "svc", "--build-arg", "VERSION=2", "ctx");
    expect(built.stdout).not.toContain("RUN false");
    expect(built.stdout).toMatch(/^STEP 1\/11: ARG VERSION=1\n/);
    expect(runner.calls.map((call) => call.argv.at(-1))).toEqual(["touch /out/built"]);
    const [detail] = JSON.parse((await run("image", "inspect", "svc")).stdout);
    expect(detail.Config).toMatchObject({
      Labels: { "org.opencontainers.image.version": "2", team: "core" },
      ExposedPorts: { "80/tcp": {}, "53/udp": {}, "8080/tcp": {} },
      Healthcheck: { Test: ["CMD", "/app/app.sh", "--check"], Interval: 1_000_000_000, Retries: 5 },
      Cmd: ["/app/app.sh"],
    });
    expect(detail.RootFS.Layers).toHaveLength(1);
    const target = await run("build", "-t", "svc:build", "--target", "build", "ctx");
    expect(target.stdout).toMatch(/^STEP 1\/4: ARG VERSION=1\nSTEP 2\/4: FROM scratch AS build\n/);
    expect(target.stdout).not.toContain("FROM scratch AS test");
    expect(JSON.parse((await run("image", "inspect", "svc:build")).stdout)[0].RootFS.Layers).toHaveLength(2);
    expect((await failure(run("build", "--target", "release", "ctx"))).message).toBe('Error response from daemon: target stage "release" could not be found in Containerfile (stages: build, test)');
    await writeTree(work, { "ctx/Containerfile": "FROM scratch\nHEALTHCHECK --interval=soon CMD true\n" });
    expect((await failure(run("build", "ctx"))).message).toBe('Error response from daemon: Containerfile:2: HEALTHCHECK --interval: time: invalid duration "soon" (use a number and a unit: 500ms, 10s, 1m30s)');
  });

  it("imports a wasm module as a one-module image", async () => {
    const home = await tempDir();
    const work = await tempDir();
    await writeFile(join(work, "tool.wasm"), Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    await writeFile(join(work, "not.wasm"), "text");
    const { run } = await cli(home, work);
    expect((await run("import", "tool.wasm", "tool:v1")).stdout).toMatch(/^sha256:/);
    const [detail] = JSON.parse((await run("image", "inspect", "tool:v1")).stdout);
    expect(detail.Config.Entrypoint).toEqual(["/bin/tool"]);
    const error = await failure(run("import", "not.wasm", "bad"));
    expect(error.message).toMatch(/^Error response from daemon: import: .*not.wasm is not a WebAssembly module/);
  });

  it("turns user mistakes into CliExit messages", async () => {
    const home = await tempDir();
    const work = await tempDir();
    await writeTree(work, { "ctx/Containerfile": "FROM scratch\nCOPY nothere /x\n", "ctx/Other": "FROM scratch\nRUN exit 3\n" });
    const { run } = await cli(home, work);
    expect((await failure(run("build", "-t", "x", "ctx"))).message).toBe('Error response from daemon: Containerfile:2: COPY failed: "nothere": not found in the build context');
    expect((await failure(run("build", "-t", "x", "-f", "ctx/Other", "ctx"))).message).toBe(`Error response from daemon: ${join(work, "ctx/Other")}:2: RUN failed: process "/bin/sh -c exit 3" exited with code 3`);
    expect((await failure(run("build", "-t", "Bad Name", "ctx"))).message).toMatch(/^Error response from daemon: invalid reference format/);
    expect((await failure(run("image", "inspect", "nope"))).message).toBe("Error response from daemon: no such image: nope");
    expect((await failure(run("rmi", "nope"))).message).toBe("Error response from daemon: no such image: nope");
    await writeFile(join(work, "junk.tar"), "not a tar at all".repeat(100));
    expect((await failure(run("load", "-i", "junk.tar"))).message).toMatch(/^Error response from daemon: archive junk.tar is truncated or not a tar archive/);
    expect((await failure(run("load", "-i", "missing.tar"))).message).toMatch(/^Error response from daemon: archive missing.tar: cannot read/);
    expect((await failure(run("save", "nope"))).message).toBe("Error response from daemon: no such image: nope");
    expect(await readFile(join(home, "images", "index.json"), "utf8")).toContain('"manifests": []');
  });
});
