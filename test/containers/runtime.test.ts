// test/containers: the runtime's lifecycle in process, with its files: names and id prefixes,
// create/start/stop/restart/wait/remove, logs and state kept on disk and found again by a new
// runtime (as a restarted daemon), the image's init as pid 1, and stop escalating to SIGKILL.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { inspectOf, statusText } from "../../containers/format.js";
import { specFromOptions } from "../../containers/options.js";
import { waitUntil } from "../helpers/poll.js";
import { makeRuntime, runIn, sh, start, tempDir } from "./helpers.js";

describe("container runtime", () => {
  it("finds containers by name, id and unique id prefix", async () => {
    const rt = await makeRuntime();
    const a = await runIn(rt, ["true"], { name: "alpha" });
    expect(rt.find("alpha")).toBe(a.record);
    expect(rt.find(a.record.spec.id)).toBe(a.record);
    expect(rt.find(a.record.spec.id.slice(0, 5))).toBe(a.record);
    expect(() => rt.find("nope")).toThrow(/No such container: nope/);
    await expect(runIn(rt, ["true"], { name: "alpha" })).rejects.toThrow(/already in use/);
  });

  it("runs the image's /bin/init as pid 1 with the command as its arguments, or the command itself", async () => {
    const rt = await makeRuntime();
    const withInit = await runIn(rt, sh("cat /proc/1/cmdline | tr '\\0' ' '; echo; echo $$"));
    expect(withInit.stdout).toMatch(/^init \/bin\/sh -c /);
    const direct = await runIn(rt, sh("echo $$"), { init: false });
    expect(direct.stdout).toBe("1\n");
  });

  it("keeps state, logs and the upper layer in files that a new runtime finds", async () => {
    const home = await tempDir();
    const rt = await makeRuntime({ home });
    const r = await runIn(rt, sh("echo out; echo err >&2; echo kept > /root/k; exit 3"), { name: "saved" });
    expect(r.exitCode).toBe(3);
    const id = r.record.spec.id;
    const state = JSON.parse(await readFile(`${home}/containers/${id}/state.json`, "utf8"));
    expect(state).toMatchObject({ status: "exited", exitCode: 3 });
    expect(JSON.parse(await readFile(`${home}/containers/${id}/config.json`, "utf8")).name).toBe("saved");
    const again = await makeRuntime({ home });
    await again.refresh();
    const found = again.find("saved");
    expect(found.state.exitCode).toBe(3);
    expect(statusText(found.state)).toMatch(/^Exited \(3\) /);
    expect((await again.changes("saved")).lines.map((l) => `${l.kind} ${l.path}`)).toEqual(["C /root", "A /root/k"]);
    const logs = await again.files!.readLogs(id);
    expect(logs.map((l) => `${l.stream}:${Buffer.from(l.data, "base64").toString()}`)).toEqual(["stdout:out\n", "stderr:err\n"]);
    await again.start("saved");
    expect(await again.wait("saved")).toBe(3);
    await again.remove("saved");
    await expect(readFile(`${home}/containers/${id}/state.json`)).rejects.toThrow();
  });

  it("waits for a created container to run and end", async () => {
    const rt = await makeRuntime();
    const spec = specFromOptions({}, { cwd: "/", env: {}, syscallNames: [] });
    const record = await rt.create({ ...spec, image: "base", command: ["sh", "-c", "exit 5"] });
    const waited = rt.wait(record.spec.id);
    await rt.start(record.spec.id);
    expect(await waited).toBe(5);
  });

  it("stop sends the stop signal, then SIGKILL when the timeout passes; restart runs it again", async () => {
    const rt = await makeRuntime();
    const polite = await start(rt, sh("echo up; sleep 1000"));
    await waitUntil("the container to print up", () => polite.out.stdout.includes("up"));
    await rt.stop(polite.record.spec.id, 5);
    expect(polite.record.state.exitCode).toBe(143);
    await rt.restart(polite.record.spec.id, 0);
    expect(polite.record.state.status).toBe("running");
    // A restart by hand is not counted: RestartCount counts the restarts of a restart policy (docker's).
    expect(polite.record.state.restartCount).toBe(0);
    await rt.stop(polite.record.spec.id, 0);
    expect(polite.record.state.status).toBe("exited");
    expect(inspectOf(polite.record).RestartCount).toBe(0);
  });

  it("stop ends a container whose process computes without syscalls (inline preemption)", async () => {
    const rt = await makeRuntime();
    const busy = await start(rt, sh("while true; do true; done"), { init: false });
    await new Promise((r) => setTimeout(r, 50));
    expect(busy.record.state.status).toBe("running");
    await rt.stop(busy.record.spec.id, 5);
    expect(busy.record.state.exitCode).toBe(143);
  });

  it("--rm removes the container when it ends", async () => {
    const rt = await makeRuntime();
    const r = await runIn(rt, ["true"], { rm: true, name: "temp" });
    expect(r.exitCode).toBe(0);
    expect(() => rt.find("temp")).toThrow(/No such container/);
  });
});
