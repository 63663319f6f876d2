// test/images: the blob download's own parts, against a scripted TCP server: the plain-HTTP GET that reads into one
// reused buffer (heads and bodies split anywhere, answers it leaves to node:http, cut connections) and the file writer.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { plainHttpGet, type BlobBody } from "../../images/registry/blob-body.js";
import { BlobFile } from "../../images/registry/blob-file.js";
import { tempDir } from "./helpers.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A server on a free loopback port that answers each connection with `answer`; resolves with its URL and the requests it read. */
async function scripted(answer: (socket: Socket) => void | Promise<void>): Promise<{ url: URL; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((socket) => {
    let head = "";
    socket.on("data", (data) => {
      head += data.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      requests.push(head);
      head = "";
      void answer(socket);
    });
    socket.on("error", () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no address");
  return { url: new URL(`http://127.0.0.1:${address.port}/v2/repo/blobs/sha256:abc`), requests };
}

/** Writes `pieces` one at a time with a pause between, so the reader sees them as separate reads. */
async function trickle(socket: Socket, pieces: (string | Buffer)[]): Promise<void> {
  for (const piece of pieces) {
    socket.write(piece);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Everything `body` delivers, copied (its chunks are only valid during the call). */
async function readAll(body: BlobBody): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await body.read((chunk) => chunks.push(Buffer.from(chunk)));
  return Buffer.concat(chunks);
}

describe("plainHttpGet", () => {
  it("reads a Content-Length body whose head and body arrive split anywhere, and sends the request's headers", async () => {
    const data = randomBytes(700_000);
    const head = `HTTP/1.1 206 Partial Content\r\nContent-Length: ${data.length}\r\nContent-Range: bytes 5-${data.length + 4}/${data.length + 5}\r\nX-Twice: a\r\nx-twice: b\r\n\r\n`;
    const { url, requests } = await scripted((socket) =>
      trickle(socket, [head.slice(0, 10), head.slice(10, 40), head.slice(40) + "", data.subarray(0, 3), data.subarray(3, 400_000), Buffer.concat([data.subarray(400_000), Buffer.from("trailing junk")])]));
    const body = await plainHttpGet(url, { range: "bytes=5-", authorization: "Bearer t" }, 10_000);
    expect(body).toBeDefined();
    expect(body!.status).toBe(206);
    expect(body!.headers["content-range"]).toBe(`bytes 5-${data.length + 4}/${data.length + 5}`);
    expect(body!.headers["x-twice"]).toBe("a, b");
    expect(await readAll(body!)).toEqual(data);
    expect(requests[0]).toMatch(/^GET \/v2\/repo\/blobs\/sha256:abc HTTP\/1\.1\r\n/);
    expect(requests[0]).toContain(`host: ${url.host}\r\n`);
    expect(requests[0]).toContain("range: bytes=5-\r\n");
    expect(requests[0]).toContain("authorization: Bearer t\r\n");
  });

  it("leaves redirects, challenges, errors and chunked bodies to node:http (undefined), closing its connection", async () => {
    const answers = [
      "HTTP/1.1 307 Temporary Redirect\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 401 Unauthorized\r\nWww-Authenticate: Bearer realm=\"x\"\r\nContent-Length: 2\r\n\r\n{}",
      "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nno length",
    ];
    for (const text of answers) {
      let closed: Promise<void> | undefined;
      const { url } = await scripted((socket) => {
        closed = new Promise((resolve) => socket.once("close", () => resolve()));
        socket.write(text);
      });
      expect(await plainHttpGet(url, {}, 10_000), text).toBeUndefined();
      await closed;
    }
  });

  it("a connection cut before the head is a reset; one cut within the body rejects the read", async () => {
    const { url: silent } = await scripted((socket) => void socket.destroy());
    await expect(plainHttpGet(silent, {}, 10_000)).rejects.toMatchObject({ code: "ECONNRESET" });
    const { url: cut } = await scripted((socket) => trickle(socket, ["HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", "x".repeat(300)]).then(() => void socket.destroy()));
    const body = await plainHttpGet(cut, {}, 10_000);
    const got: number[] = [];
    await expect(body!.read((chunk) => got.push(chunk.byteLength))).rejects.toThrow(/closed early/);
    expect(got.reduce((a, b) => a + b, 0)).toBe(300);
  });

  it("an error thrown by the reader rejects the read (it is not left uncaught in the socket's callback)", async () => {
    const { url } = await scripted((socket) => trickle(socket, ["HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n", "x".repeat(500), "y".repeat(1500)]));
    const body = (await plainHttpGet(url, {}, 10_000))!;
    await expect(body.read(() => {
      throw new Error("disk full");
    })).rejects.toThrow("disk full");
  });
});

describe("BlobFile", () => {
  it("writes each chunk before returning (the caller reuses its buffer), in order, and flushes", async () => {
    const dir = await tempDir("wasmbox-blobfile-");
    const path = join(dir, "blob.partial");
    const file = await BlobFile.open(path, false);
    const reused = Buffer.alloc(100_000);
    const expected: Buffer[] = [];
    for (let i = 0; i < 40; i++) {
      reused.fill(i);
      expected.push(Buffer.from(reused.subarray(0, 1000 + i * 997)));
      file.write(reused.subarray(0, 1000 + i * 997));
    }
    await file.finish();
    expect(await readFile(path)).toEqual(Buffer.concat(expected));
  });

  it("appends to what an earlier attempt left, and abandon keeps what was written", async () => {
    const dir = await tempDir("wasmbox-blobfile-");
    const path = join(dir, "blob.partial");
    const first = await BlobFile.open(path, false);
    first.write(Buffer.from("resumable "));
    await first.abandon();
    const second = await BlobFile.open(path, true);
    second.write(Buffer.from("download"));
    await second.finish();
    expect(await readFile(path, "utf8")).toBe("resumable download");
  });
});
