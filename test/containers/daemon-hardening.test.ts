// test/containers: the daemon against bad input, hostile umasks, racing clients and huge logs: a
// fixed-seed HTTP fuzzer over its raw socket, file modes, concurrent lifecycle calls, log rotation.
import { connect } from "node:net";
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { daemonCommand, DaemonClient, DaemonError, daemonSocketPath } from "../../containers/client.js";
import { daemonHarness } from "../helpers/daemon.js";

const setup = daemonHarness("wbh");

/** A small seeded generator (mulberry32): the same requests on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Sends raw bytes over the daemon's socket and returns the status of the answer (null when the
 * daemon closed without one, or when `wait` ms passed: a truncated request gets no answer).
 */
function raw(socketPath: string, request: string | Buffer, wait = 5000): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    let text = "";
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve(m ? Number(m[1]) : null);
    };
    const timer = setTimeout(done, wait);
    socket.on("data", (d) => {
      text += d.toString("latin1");
      // One answer is enough (the status line is what the fuzzer checks).
      if (/\r\n\r\n/.test(text)) done();
    });
    socket.on("error", done);
    socket.on("close", done);
    socket.write(request);
  });
}

/** A whole request with a body and a correct content-length. */
const request = (method: string, path: string, body = "", headers = "") =>
  `${method} ${path} HTTP/1.1\r\nhost: x\r\n${headers}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

const ping = async (socketPath: string) => raw(socketPath, request("GET", "/_ping"));

describe("the daemon under malformed requests", () => {
  it("answers a few hundred fuzzed requests with 4xx, never 500, and keeps serving", async () => {
    const { cli, home } = await setup();
    expect((await cli("ps")).code).toBe(0);
    const socketPath = daemonSocketPath(home);
    const pid = await readFile(join(home, "daemon.pid"), "utf8");
    const rnd = random(1234);
    const pick = <T, >(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
    const junk = () => pick(["%ff", "%", "%e0%80", "[", "]", "//[", "%00", "..", "%2e%2e", "é", "%zz", "a%", "x".repeat(300), "%c3%28", "?%ff=%ff", "#"]);
    const name = () => Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => junk()).join("");
    const paths = [
      () => `/containers/${name()}/json`, () => `/containers/${name()}/start`, () => `/containers/${name()}`,
      () => `/containers/${name()}/logs?follow=${name()}`, () => `/containers/${name()}/exec?cmd=${name()}`,
      () => `/containers/${name()}/stop?t=${name()}`, () => `//${name()}`, () => `/${name()}`,
      () => `/containers/create?${name()}`, () => `/commit?container=${name()}&repo=${name()}`, () => name(),
      () => `/containers/${name()}/archive?path=${name()}`,
    ];
    const values = () => pick<unknown>([5, "x", null, true, [], {}, [1, 2], { a: 1 }, "%ff", -1, 1e308, ["a", 3]]);
    const optionKeys = ["env", "volume", "name", "memory", "ulimit", "rm", "vm", "nope", "syscalls", "stopTimeout", "engine", "__proto__"];
    const bodies = [
      () => JSON.stringify({ image: values(), command: values(), options: values() }),
      () => JSON.stringify({ image: "base", options: { [pick(optionKeys)]: values() }, env: values(), cwd: values() }),
      () => JSON.stringify({ image: "base", command: ["true"], options: { name: name() } }),
      () => "{" + "[".repeat(Math.floor(rnd() * 50)),
      () => JSON.stringify(values()),
      () => Buffer.from(Array.from({ length: 64 }, () => Math.floor(rnd() * 256))).toString("latin1"),
      () => "[".repeat(100_000),
    ];
    const statuses = new Map<number | null, number>();
    const count = (s: number | null) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
    const methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "FOO", "OPTIONS"];
    for (let i = 0; i < 300; i++) {
      const kind = i % 10;
      let status: number | null;
      if (kind < 5) {
        // A random method and a path of %-escapes and brackets (never POST /shutdown).
        const path = pick(paths)();
        status = await raw(socketPath, request(pick(methods), path.startsWith("/") || path.startsWith("*") ? path : "/" + path));
      } else if (kind < 8) {
        const path = pick(["/containers/create", "/containers/create", `/containers/${name()}/exec?cmd=${encodeURIComponent('["sh"]')}`]);
        status = await raw(socketPath, request("POST", path, pick(bodies)(), "content-type: application/json\r\n"));
      } else if (kind === 8) {
        // Bad framing: bad or doubled content-length, a broken request line, a body past the limit.
        const framing = [
          "GET //[ HTTP/1.1\r\nhost: x\r\n\r\n",
          "POST /containers/create HTTP/1.1\r\ncontent-length: abc\r\n\r\n{}",
          "POST /containers/create HTTP/1.1\r\ncontent-length: 2\r\ncontent-length: 5\r\n\r\n{}",
          "POST /containers/create HTTP/1.1\r\ncontent-length: -1\r\n\r\n",
          `POST /containers/create HTTP/1.1\r\ncontent-length: ${2 * 1024 * 1024}\r\n\r\n{"image":`,
          request("POST", "/containers/create", JSON.stringify({ image: "base", pad: "x".repeat(1024 * 1024 + 10) })),
          "\x00\x01\x02 / HTTP/1.1\r\n\r\n",
          "GET /_ping HTTP/9.9\r\n\r\n",
        ];
        status = await raw(socketPath, pick(framing));
      } else {
        // Truncated: headers promise more than is sent, then the client goes away.
        const text = pick([
          "POST /containers/create HTTP/1.1\r\ncontent-length: 100\r\n\r\n{\"ima",
          "GET /containers/json HTTP/1.1\r\nhost:",
          "PUT /containers/x/archive?path=/ HTTP/1.1\r\ncontent-length: 99999\r\n\r\nabc",
          "POST /containers/%ff/start HT",
        ]);
        status = await raw(socketPath, text, 50);
      }
      count(status);
      expect(status, `request ${i}`).not.toBe(500);
    }
    // The malformed ones were refused as such, with JSON messages for the routed ones.
    const tally = JSON.stringify([...statuses]);
    expect(statuses.get(400) ?? 0, tally).toBeGreaterThan(50);
    expect(statuses.get(404) ?? 0, tally).toBeGreaterThan(10);
    expect(statuses.get(413) ?? 0, tally).toBeGreaterThan(0);
    expect(await ping(socketPath)).toBe(200);
    expect(await readFile(join(home, "daemon.pid"), "utf8")).toBe(pid);
    expect((await cli("ps", "-a")).code).toBe(0);
  });

  it("refuses a %-escape that is not UTF-8 and a bracket URL with 400 and a JSON message", async () => {
    const { cli, home } = await setup();
    expect((await cli("ps")).code).toBe(0);
    const socketPath = daemonSocketPath(home);
    const answer = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(socketPath);
        let out = "";
        socket.on("data", (d) => (out += d.toString()));
        socket.on("close", () => resolve(out));
        socket.on("error", () => resolve(out));
        socket.write(text);
      });
    const bad = await answer("GET /containers/%ff/json HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    expect(bad).toMatch(/content-type: application\/json/);
    expect(bad).toMatch(/\{"message":"malformed %-escape in \\"%ff\\""\}/);
    expect(await answer("GET //[ HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
    const notJson = await answer(request("POST", "/containers/create", "{nope", "connection: close\r\n"));
    expect(notJson).toMatch(/^HTTP\/1\.1 400 /);
    expect(notJson).toMatch(/not JSON/);
    expect(await ping(socketPath)).toBe(200);
  });
});

describe("the daemon under concurrent lifecycle calls", () => {
  it("serializes 150 racing create/start/kill/rm calls on 10 containers: 4xx conflicts, no 500, consistent state", async () => {
    const { cli, home } = await setup();
    expect((await cli("ps")).code).toBe(0);
    const client = new DaemonClient(daemonSocketPath(home));
    const rnd = random(99);
    const names = Array.from({ length: 10 }, (_, i) => `race${i}`);
    const call = async (method: string, path: string, options: Parameters<DaemonClient["json"]>[2] = {}): Promise<number> => {
      try {
        await client.json(method, path, options);
        return 200;
      } catch (e) {
        return e instanceof DaemonError ? e.status : -1;
      }
    };
    const ops = Array.from({ length: 150 }, () => {
      const name = names[Math.floor(rnd() * names.length)]!;
      const op = Math.floor(rnd() * 5);
      if (op === 0) return () => call("POST", "/containers/create", { json: { image: "base", command: ["sleep", "30"], options: { name } } });
      if (op === 1) return () => call("POST", `/containers/${name}/start`);
      if (op === 2) return () => call("POST", `/containers/${name}/kill`);
      if (op === 3) return () => call("DELETE", `/containers/${name}`);
      return () => call("DELETE", `/containers/${name}`, { query: { force: 1 } });
    });
    // Creates first in the mix so that most calls find their container.
    const statuses = await Promise.all([...names.map((name) => () => call("POST", "/containers/create", { json: { image: "base", command: ["sleep", "30"], options: { name } } })), ...ops].map((f) => f()));
    const tally = new Map<number, number>();
    for (const s of statuses) tally.set(s, (tally.get(s) ?? 0) + 1);
    expect([...tally.keys()].filter((s) => ![200, 404, 409].includes(s)), JSON.stringify([...tally])).toEqual([]);
    expect(tally.get(409)).toBeGreaterThan(0);
    // What ps lists is exactly what is on disk, each name once.
    const listed = await client.json<Array<{ Id: string; Names: string[] }>>("GET", "/containers/json", { query: { all: 1 } });
    const onDisk = (await readdir(join(home, "containers"))).filter((n) => /^[0-9a-f]{64}$/.test(n));
    expect(listed.map((c) => c.Id).sort()).toEqual(onDisk.sort());
    const listedNames = listed.map((c) => c.Names[0]!);
    expect(new Set(listedNames).size).toBe(listedNames.length);
    for (const c of listed) {
      const config = JSON.parse(await readFile(join(home, "containers", c.Id, "config.json"), "utf8")) as { name: string };
      expect("/" + config.name).toBe(c.Names[0]);
    }
    // And every one of them can still be removed, leaving nothing behind.
    for (const c of listed) expect(await call("DELETE", `/containers/${c.Id}`, { query: { force: 1 } })).toBe(200);
    expect((await readdir(join(home, "containers"))).filter((n) => !n.startsWith("."))).toEqual([]);
    expect(await call("GET", "/containers/json")).toBe(200);
  });
});

describe("the daemon's files under a loose umask", () => {
  it("keeps its home, socket, configs, states, uppers and logs private when started with umask 000", async () => {
    const { cli, home } = await setup();
    // A home an older wasmbox left open to others, and a daemon whose umask takes nothing away.
    await chmod(home, 0o755);
    const saved = process.env.WASMBOX_DAEMON_COMMAND;
    process.env.WASMBOX_DAEMON_COMMAND = JSON.stringify(["/bin/sh", "-c", 'umask 000; exec "$@"', "sh", ...daemonCommand({})]);
    try {
      expect((await cli("run", "-d", "--name", "secretive", "-e", "SECRET=hunter2", "base", "sh", "-c", "echo out; echo data > /root/f")).code).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.WASMBOX_DAEMON_COMMAND;
      else process.env.WASMBOX_DAEMON_COMMAND = saved;
    }
    expect((await cli("wait", "secretive")).stdout).toBe("0\n");
    const pid = Number(await readFile(join(home, "daemon.pid"), "utf8"));
    // The daemon really runs with umask 000 (its own status says so).
    expect(await readFile(`/proc/${pid}/status`, "utf8")).toMatch(/^Umask:\s+0000$/m);
    const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);
    const id = (await cli("inspect", "-f", "{{.Id}}", "secretive")).stdout.trim();
    const dir = join(home, "containers", id);
    expect(await readFile(join(dir, "config.json"), "utf8")).toContain("SECRET=hunter2");
    expect(await mode(home)).toBe("700");
    expect(await mode(join(home, "containers"))).toBe("700");
    expect(await mode(dir)).toBe("700");
    expect(await mode(daemonSocketPath(home))).toBe("600");
    expect(await mode(join(home, "daemon.pid"))).toBe("600");
    expect(await mode(join(home, "daemon.log"))).toBe("600");
    const files = await readdir(dir);
    expect(files).toEqual(expect.arrayContaining(["config.json", "state.json", "upper.tar"]));
    expect(files.some((f) => f.includes("log"))).toBe(true);
    for (const f of files) expect(`${f} ${await mode(join(dir, f))}`).toBe(`${f} 600`);
  });
});

/** Reads one figure (kB) of a process's /proc status. */
async function statusKb(pid: number, field: string): Promise<number> {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(await readFile(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]);
}

/** GETs a container's logs over the socket and returns the bytes of output (the frames decoded) without keeping them. */
async function logBytes(client: DaemonClient, ref: string, keep: boolean): Promise<{ size: number; text: string }> {
  let size = 0;
  const parts: Buffer[] = [];
  await client.frames(await client.request("GET", `/containers/${ref}/logs`), (f) => {
    const data = Buffer.from(String(f.data), "base64");
    size += data.length;
    if (keep) parts.push(data);
  });
  return { size, text: Buffer.concat(parts).toString() };
}

describe("container logs on disk", () => {
  it("rotates past --log-opt max-size, keeping max-file files of the most recent output, in order", async () => {
    const { cli, home } = await setup();
    // About 47 MiB of numbered lines under a 1 MiB x 5 files cap.
    expect((await cli("run", "-d", "--name", "chatty", "--log-opt", "max-size=1m", "--log-opt", "max-file=5", "base", "seq", "1", "6000000")).code).toBe(0);
    expect((await cli("wait", "chatty")).stdout).toBe("0\n");
    const client = new DaemonClient(daemonSocketPath(home));
    const { size, text } = await logBytes(client, "chatty", true);
    expect(size).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(size).toBeGreaterThan(4 * 1024 * 1024);
    const lines = text.split("\n");
    expect(lines.pop()).toBe("");
    lines.shift(); // the oldest kept file may begin mid-line
    const first = Number(lines[0]);
    expect(lines.at(-1)).toBe("6000000");
    expect(lines.every((l, i) => Number(l) === first + i)).toBe(true);
    const id = (await cli("inspect", "-f", "{{.Id}}", "chatty")).stdout.trim();
    const files = (await readdir(join(home, "containers", id))).filter((f) => f.startsWith("log."));
    expect(files.filter((f) => !f.endsWith(".idx"))).toHaveLength(5);
    // The CLI gets the same bytes; --tail, --since and -t read the same files.
    expect((await cli("logs", "chatty")).stdout).toBe(text);
    expect((await cli("logs", "--tail", "3", "chatty")).stdout).toBe("5999998\n5999999\n6000000\n");
    expect((await cli("logs", "--tail", "0", "chatty")).stdout).toBe("");
    expect((await cli("logs", "-n", `${lines.length}`, "chatty")).stdout).toBe(lines.join("\n") + "\n");
    expect((await cli("logs", "-t", "--tail", "1", "chatty")).stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z 6000000\n$/);
    expect((await cli("logs", "--since", String(Date.now() / 1000 + 60), "chatty")).stdout).toBe("");
    expect((await cli("logs", "--since", "10m", "--tail", "1", "chatty")).stdout).toBe("6000000\n");
  });

  it("streams a big log from disk: the daemon's peak memory does not grow by the log's size", async () => {
    const { cli, home } = await setup();
    expect((await cli("run", "-d", "--name", "big", "base", "seq", "1", "6000000")).code).toBe(0);
    expect((await cli("wait", "big")).stdout).toBe("0\n");
    const pid = Number(await readFile(join(home, "daemon.pid"), "utf8"));
    const client = new DaemonClient(daemonSocketPath(home));
    // Reset the peak (VmHWM) to the current RSS, read the whole log, read the peak.
    await writeFile(`/proc/${pid}/clear_refs`, "5");
    const before = await statusKb(pid, "VmHWM");
    const { size } = await logBytes(client, "big", false);
    const peak = await statusKb(pid, "VmHWM");
    expect(size).toBe(46_888_896);
    expect(peak - before, `peak ${peak} kB, before ${before} kB`).toBeLessThan(24 * 1024);
  });
});

describe("volumes stay where they are mounted and as they are mounted", () => {
  it("refuses cp into a :ro volume, running or stopped, and leaves the host folder alone", async () => {
    const { cli, work } = await setup();
    const ro = join(work, "ro");
    const rw = join(work, "rw");
    await mkdir(ro);
    await mkdir(rw);
    await writeFile(join(ro, "keep"), "original\n");
    await writeFile(join(work, "in.txt"), "intruder\n");
    expect((await cli("run", "-d", "--name", "vols", "-v", `${ro}:/ro:ro`, "-v", `${rw}:/rw`, "base", "sleep", "100")).code).toBe(0);
    for (const dest of ["vols:/ro/", "vols:/ro", "vols:/ro/keep", "vols:/ro/new.txt"]) {
      const refused = await cli("cp", join(work, "in.txt"), dest);
      expect(refused.code, dest).toBe(1);
      expect(refused.stderr).toMatch(new RegExp(`cannot copy to vols:/ro.*: the volume ${ro}:/ro:ro is mounted read-only`));
    }
    expect((await cli("cp", join(work, "in.txt"), "vols:/rw/")).code).toBe(0);
    expect(await readFile(join(rw, "in.txt"), "utf8")).toBe("intruder\n");
    expect((await cli("rm", "-f", "vols")).code).toBe(0);
    // Stopped: the volumes are where they would be mounted, read-only or not.
    expect((await cli("create", "--name", "idle", "-v", `${ro}:/ro:ro`, "-v", `${rw}:/rw`, "base", "true")).code).toBe(0);
    const stopped = await cli("cp", join(work, "in.txt"), "idle:/ro/keep");
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toMatch(/is mounted read-only/);
    expect((await cli("cp", join(work, "in.txt"), "idle:/rw/second.txt")).code).toBe(0);
    expect(await readFile(join(rw, "second.txt"), "utf8")).toBe("intruder\n");
    expect(await readdir(ro)).toEqual(["keep"]);
    expect(await readFile(join(ro, "keep"), "utf8")).toBe("original\n");
    expect((await cli("diff", "idle")).stdout).not.toMatch(/second|in\.txt/);
  });

  it("gives EBUSY to a guest that renames or removes a volume's mount point", async () => {
    const { cli, work } = await setup();
    await writeFile(join(work, "here"), "host file\n");
    const run = await cli("run", "--rm", "-v", `${work}:/data`, "base", "sh", "-c",
      "mkdir /plain; mv /plain /moved-plain; echo plain=$?; mv /data /moved; echo mv=$?; rmdir /data; echo rmdir=$?; cat /data/here; ls -d /moved /moved-plain");
    expect(run.stdout).toBe("plain=0\nmv=1\nrmdir=1\nhost file\n/moved-plain\n");
    expect(run.stderr).toMatch(/mv: .*(busy|EBUSY)/i);
  });
});

describe("saving a container's changes", () => {
  it("fails fsync with EIO and shows State.Error when the writable layer cannot be saved, and recovers", async () => {
    const { cli, home } = await setup();
    const id = (await cli("run", "-d", "--name", "saver", "base", "sleep", "100")).stdout.trim();
    // upper.tar cannot be replaced while a non-empty directory holds its name.
    await mkdir(join(home, "containers", id, "upper.tar", "blocker"), { recursive: true });
    const failed = await cli("exec", "saver", "sh", "-c", "echo x > /root/f; sync /root/f; echo sync=$?");
    expect(failed.stdout).toBe("sync=1\n");
    expect((await cli("inspect", "-f", "{{.State.Error}}", "saver")).stdout).toMatch(/^saving the writable layer failed: .+/);
    await rm(join(home, "containers", id, "upper.tar"), { recursive: true });
    expect((await cli("exec", "saver", "sh", "-c", "sync /root/f; echo sync=$?")).stdout).toBe("sync=0\n");
    expect((await cli("inspect", "-f", "{{.State.Error}}", "saver")).stdout).toBe("\n");
    expect((await stat(join(home, "containers", id, "upper.tar"))).isFile()).toBe(true);
    expect((await cli("rm", "-f", "saver")).code).toBe(0);
  });

  it("fails fsync with EIO for a tree whose paths pass PATH_MAX (a save would grow with the square of its depth)", async () => {
    const { cli, home } = await setup();
    expect((await cli("run", "-d", "--name", "deep", "base", "sleep", "100")).code).toBe(0);
    // Two trees of 15 levels of 200-character names, one moved into the other: 6,000 bytes of
    // path, while every call's path stays under PATH_MAX.
    const script = "N=dddddddddddddddddddddddddddddddddddddddddddddddddd; N=$N$N$N$N; P=$N; i=1; while [ $i -lt 15 ]; do P=$P/$N; i=$((i+1)); done; mkdir -p /x/$P /y/$P; mv /x /y/$P/; echo mv=$?; sync /; echo sync=$?";
    const run = await cli("exec", "deep", "sh", "-c", script);
    expect(run.stdout).toBe("mv=0\nsync=1\n");
    expect((await cli("inspect", "-f", "{{.State.Error}}", "deep")).stdout).toMatch(/^saving the writable layer failed: .*longer than PATH_MAX/);
    expect(await ping(daemonSocketPath(home))).toBe(200);
    expect((await cli("rm", "-f", "deep")).code).toBe(0);
  });

  it("normalizes a volume's guest path (/a/../x is /x) and refuses one that names the root", async () => {
    const { cli, work } = await setup();
    await writeFile(join(work, "here"), "host file\n");
    const run = await cli("run", "--name", "norm", "-v", `${work}:/a/../x/`, "base", "sh", "-c", "cat /x/here; sync /; echo sync=$?");
    expect(run.stdout).toBe("host file\nsync=0\n");
    expect((await cli("diff", "norm")).stdout).toBe("A /x\n");
    expect((await cli("inspect", "-f", "{{.State.Error}}", "norm")).stdout).toBe("\n");
    const root = await cli("run", "--rm", "-v", `${work}:/a/..`, "base", "true");
    expect(root.code).toBe(125);
    expect(root.stderr).toMatch(/cannot mount over the container's root/);
  });
});
