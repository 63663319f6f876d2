// images/registry: the OCI distribution API of one registry, one method per endpoint: manifests (GET/PUT),
// blobs (HEAD, resumable verified GET), uploads (POST with cross-repository mount, monolithic PUT, chunked PATCH), catalog.
import { createHash, type Hash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { createReadStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ImageError } from "../errors.js";
import { syncPath } from "../fs-atomic.js";
import {
  DOCKER_MEDIA_TYPE_MANIFEST, DOCKER_MEDIA_TYPE_MANIFEST_LIST, MEDIA_TYPE_INDEX, MEDIA_TYPE_MANIFEST, digestHex, isSha256Digest, sha256Digest, type Descriptor,
} from "../oci.js";
import { BlobFile } from "./blob-file.js";
import { CredentialStore } from "./credentials.js";
import { incomingBody, type BlobBody } from "./blob-body.js";
import { discard, readBody, RegistryError, RegistryHttp, type RegistryConnectionOptions, type RegistryRequest } from "./http.js";

/** Every manifest media type wasmbox understands, for the Accept header. */
export const MANIFEST_MEDIA_TYPES = [MEDIA_TYPE_INDEX, MEDIA_TYPE_MANIFEST, DOCKER_MEDIA_TYPE_MANIFEST_LIST, DOCKER_MEDIA_TYPE_MANIFEST];
/** The largest manifest accepted (the spec suggests registries take at least 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Blobs larger than this are pushed in PATCH chunks of this size; smaller ones in one PUT. */
export const DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;
const DOWNLOAD_ATTEMPTS = 5;

/** A manifest as fetched: its exact bytes (the digest covers them), media type and digest. */
export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

/** Called as bytes move: `done` of `total`. */
export type ProgressCallback = (done: number, total: number) => void;

/** What startUpload got: the blob was mounted from another repository, or an upload session to send it to. */
export type UploadStart = { mounted: true } | { mounted: false; location: string; minChunkBytes: number };

/** The distribution API of one registry for one command. */
export class RegistryClient {
  constructor(readonly http: RegistryHttp) {}

  /** A client using the credentials `wasmbox login` saved in `home` for `registry`. */
  static async connect(registry: string, home: string, options: RegistryConnectionOptions = {}): Promise<RegistryClient> {
    const credentials = options.credentials ?? (await new CredentialStore(home).get(registry));
    return new RegistryClient(new RegistryHttp(registry, { ...options, credentials }));
  }

  get registry(): string {
    return this.http.registry;
  }

  close(): void {
    this.http.close();
  }

  /** GET /v2/: checks the registry speaks the API and the credentials are accepted. */
  async ping(): Promise<void> {
    const response = await this.http.expect({ method: "GET", path: "/v2/" }, [200], "GET /v2/");
    discard(response);
  }

  /** Fetches a manifest by tag or digest; its digest is checked against a digest reference and Docker-Content-Digest. */
  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const what = `manifest ${repository}:${reference}`.replace(":sha256:", "@sha256:");
    const request: RegistryRequest = {
      method: "GET", path: `/v2/${repository}/manifests/${reference}`,
      headers: { accept: MANIFEST_MEDIA_TYPES.join(", ") }, scopes: [`repository:${repository}:pull`],
    };
    const { bytes, headers } = await this.getSmall(request, MAX_MANIFEST_BYTES, what, () =>
      new RegistryError(this.registry, `${what}: not found (no such repository or tag)`, 404, "MANIFEST_UNKNOWN"));
    const digest = sha256Digest(bytes);
    if (isSha256Digest(reference) && digest !== reference) throw new RegistryError(this.registry, `${what}: the registry sent content that hashes to ${digest}`);
    const claimed = headers["docker-content-digest"];
    if (typeof claimed === "string" && claimed.startsWith("sha256:") && claimed !== digest) {
      throw new RegistryError(this.registry, `${what}: Docker-Content-Digest says ${claimed} but the content hashes to ${digest}`);
    }
    let mediaType = String(headers["content-type"] ?? "").split(";")[0]!.trim();
    try {
      const parsed = JSON.parse(bytes.toString("utf8")) as { mediaType?: string; manifests?: unknown };
      if (parsed.mediaType) mediaType = parsed.mediaType;
      else if (!MANIFEST_MEDIA_TYPES.includes(mediaType)) mediaType = parsed.manifests ? MEDIA_TYPE_INDEX : MEDIA_TYPE_MANIFEST;
    } catch {
      throw new RegistryError(this.registry, `${what} (${digest}) is not JSON`);
    }
    return { bytes, mediaType, digest };
  }

  /**
   * A GET of a small document (at most `limit` bytes): over plain HTTP by the reused-buffer reader when the registry
   * answers 200 there, else through node:http; a 404 throws `notFound()`, another status the registry's error.
   */
  private async getSmall(request: RegistryRequest, limit: number, what: string, notFound: () => Error): Promise<{ bytes: Buffer; headers: IncomingHttpHeaders }> {
    const plain = await this.http.plainGet(request);
    if (plain) {
      if (Number(plain.headers["content-length"]) > limit) {
        plain.close();
        throw new ImageError(`${what} is larger than ${limit} bytes`);
      }
      const chunks: Buffer[] = [];
      await plain.read((chunk) => chunks.push(Buffer.from(chunk))).catch((error: unknown) => {
        throw new RegistryError(this.registry, `${what}: ${error instanceof Error ? error.message : String(error)}`);
      });
      return { bytes: Buffer.concat(chunks), headers: plain.headers };
    }
    const response = await this.http.request(request);
    if (response.status === 404) {
      discard(response);
      throw notFound();
    }
    if (response.status !== 200) throw await this.http.errorOf(response, what);
    return { bytes: await readBody(response.body, limit, what), headers: response.headers };
  }

  /** PUT a manifest under a tag or digest; returns the digest the registry reports (checked against ours). */
  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const digest = sha256Digest(bytes);
    const response = await this.http.expect({
      method: "PUT", path: `/v2/${repository}/manifests/${reference}`,
      headers: { "content-type": mediaType }, body: () => bytes, scopes: [`repository:${repository}:pull,push`],
    }, [201], `PUT manifest ${repository}:${reference}`);
    discard(response);
    const claimed = response.headers["docker-content-digest"];
    if (typeof claimed === "string" && claimed !== digest) throw new RegistryError(this.registry, `manifest ${repository}:${reference}: registry stored ${claimed}, wasmbox sent ${digest}`);
    return digest;
  }

  /** HEAD a blob: true when the repository has it (with the right size, when the registry says). */
  async hasBlob(repository: string, descriptor: Descriptor): Promise<boolean> {
    const response = await this.http.request({ method: "HEAD", path: `/v2/${repository}/blobs/${descriptor.digest}`, scopes: [`repository:${repository}:pull,push`] });
    discard(response);
    if (response.status === 404) return false;
    if (response.status !== 200) throw await this.http.errorOf(response, `HEAD blob ${descriptor.digest}`);
    const length = response.headers["content-length"];
    return length === undefined || Number(length) === descriptor.size;
  }

  /**
   * Downloads a blob into `partialDir/<hex>.partial`, resuming (HTTP Range) from what an earlier attempt left
   * there, and returns that path once its size and sha256 match the descriptor. A corrupt blob is deleted and refused.
   */
  async downloadBlob(repository: string, descriptor: Descriptor, partialDir: string, progress?: ProgressCallback): Promise<string> {
    if (!isSha256Digest(descriptor.digest)) throw new ImageError(`blob ${descriptor.digest}: unsupported digest (wasmbox verifies sha256)`);
    await mkdir(partialDir, { recursive: true });
    const partial = join(partialDir, `${digestHex(descriptor.digest)}.partial`);
    let freshRetryLeft = true;
    let lastError: unknown;
    for (let attempt = 0; attempt < DOWNLOAD_ATTEMPTS; attempt++) {
      let have = (await stat(partial).catch(() => undefined))?.size ?? 0;
      if (have > descriptor.size) {
        await rm(partial, { force: true });
        have = 0;
      }
      let hash = createHash("sha256");
      if (have > 0) await pipeline(createReadStream(partial, { end: have - 1 }), hashInto(hash));
      let resumedFrom = have;
      // An earlier attempt (perhaps of a process killed since) left the whole blob: flushed here, as a download is.
      if (have === descriptor.size && have > 0) await syncPath(partial);
      if (have < descriptor.size || descriptor.size === 0) {
        try {
          ({ hash, resumedFrom } = await this.fetchInto(repository, descriptor, partial, have, hash, progress));
        } catch (error) {
          lastError = error;
          if (error instanceof RegistryError && error.status !== 0) throw error;
          if (error instanceof RegistryError && /corrupt/.test(error.message)) throw error;
          continue;
        }
      }
      const actual = "sha256:" + hash.digest("hex");
      const size = (await stat(partial)).size;
      if (actual === descriptor.digest && size === descriptor.size) return partial;
      await rm(partial, { force: true });
      if (resumedFrom > 0 && freshRetryLeft) {
        freshRetryLeft = false;
        continue;
      }
      throw new RegistryError(this.registry, `blob ${descriptor.digest} is corrupt: ${size !== descriptor.size ? `${size} bytes, its descriptor says ${descriptor.size}` : `its content hashes to ${actual}`}; refused`);
    }
    throw lastError instanceof Error ? lastError : new RegistryError(this.registry, `blob ${descriptor.digest}: download failed`);
  }

  /**
   * One GET of a blob from byte `have` on (Range), appended to `partial` when the registry resumes (206), else
   * written from the start. Returns the hash over the whole file and where this GET's data started.
   */
  private async fetchInto(repository: string, descriptor: Descriptor, partial: string, have: number, prefixHash: Hash, progress?: ProgressCallback): Promise<{ hash: Hash; resumedFrom: number }> {
    const request: RegistryRequest = {
      method: "GET", path: `/v2/${repository}/blobs/${descriptor.digest}`, headers: have > 0 ? { range: `bytes=${have}-` } : {}, scopes: [`repository:${repository}:pull`],
    };
    const body = (await this.http.plainGet(request)) ?? (await this.blobResponse(request, repository, descriptor));
    const contentRange = String(body.headers["content-range"] ?? "");
    const resumed = body.status === 206 && contentRange.startsWith(`bytes ${have}-`);
    if (!resumed && body.status !== 200) {
      body.close();
      throw new RegistryError(this.registry, `GET blob ${descriptor.digest}: HTTP 206 for ${contentRange || "an unnamed range"}, wasmbox asked for bytes from ${have} on`);
    }
    let done = resumed ? have : 0;
    // Without a 206 the registry sends the whole blob: the prefix already on disk is overwritten.
    const hash = resumed ? prefixHash : createHash("sha256");
    // Each chunk is hashed and written as it comes (blob-file.ts), straight from the reader's buffer; when the
    // connection fails, what arrived is on disk, so the next attempt resumes exactly where this one stopped. A complete
    // blob is flushed to disk (fsync) before it is verified and committed.
    const file = await BlobFile.open(partial, resumed);
    let failure: Error | undefined;
    const stop = (error: Error) => {
      failure ??= error;
      body.close();
    };
    await body.read((chunk) => {
      if (failure) return;
      done += chunk.byteLength;
      if (done > descriptor.size) {
        return stop(new RegistryError(this.registry, `blob ${descriptor.digest} is corrupt: more than the ${descriptor.size} bytes its descriptor says; refused`));
      }
      hash.update(chunk);
      try {
        file.write(chunk);
      } catch (error) {
        return stop(error instanceof Error ? error : new Error(String(error)));
      }
      progress?.(done, descriptor.size);
    }).catch((error: unknown) => void (failure ??= error instanceof Error ? error : new Error(String(error))));
    if (failure) await file.abandon();
    else await file.finish();
    if (failure instanceof RegistryError) {
      await rm(partial, { force: true });
      throw failure;
    }
    if (failure) throw Object.assign(new Error(`blob ${descriptor.digest}: download interrupted at ${done} bytes: ${failure.message}`), { code: "EINTERRUPTED" });
    if (done < descriptor.size) throw Object.assign(new Error(`blob ${descriptor.digest}: download ended at ${done} of ${descriptor.size} bytes`), { code: "EINTERRUPTED" });
    return { hash, resumedFrom: resumed ? have : 0 };
  }

  /** A blob GET through node:http (redirects, challenges, https): a 200 or 206 as a BlobBody; 404 and errors thrown. */
  private async blobResponse(request: RegistryRequest, repository: string, descriptor: Descriptor): Promise<BlobBody> {
    const response = await this.http.request(request);
    if (response.status === 404) {
      discard(response);
      throw new RegistryError(this.registry, `blob ${descriptor.digest} of ${repository}: not found`, 404, "BLOB_UNKNOWN");
    }
    if (response.status !== 200 && response.status !== 206) throw await this.http.errorOf(response, `GET blob ${descriptor.digest}`);
    return incomingBody(response);
  }

  /** POST an upload: with `mountFrom`, asks for a cross-repository mount first (201 = mounted, 202 = upload needed). */
  async startUpload(repository: string, mountFrom?: { digest: string; repository: string }): Promise<UploadStart> {
    const scopes = [`repository:${repository}:pull,push`];
    let path = `/v2/${repository}/blobs/uploads/`;
    if (mountFrom) {
      path += `?mount=${encodeURIComponent(mountFrom.digest)}&from=${encodeURIComponent(mountFrom.repository)}`;
      scopes.push(`repository:${mountFrom.repository}:pull`);
    }
    const response = await this.http.expect({ method: "POST", path, scopes }, [201, 202], `POST upload to ${repository}`);
    discard(response);
    if (response.status === 201) return { mounted: true };
    const location = response.headers.location;
    if (!location) throw new RegistryError(this.registry, `POST upload to ${repository}: no Location header in the answer`);
    const minChunk = Number(response.headers["oci-chunk-min-length"] ?? 0);
    return { mounted: false, location: new URL(location, response.url).href, minChunkBytes: Number.isSafeInteger(minChunk) && minChunk > 0 ? minChunk : 0 };
  }

  /**
   * Sends a blob file to an upload session: one PUT when it fits in `chunkBytes`, else PATCH chunks
   * (Content-Range, at least the session's OCI-Chunk-Min-Length) and a closing PUT with the digest. Each PATCH must be
   * acknowledged with `Range: 0-END` of what was sent. On failure the session is cancelled (DELETE), as the spec asks.
   */
  async uploadBlob(repository: string, session: { location: string; minChunkBytes: number }, file: string, descriptor: Descriptor, requestedChunkBytes = DEFAULT_CHUNK_BYTES, progress?: ProgressCallback): Promise<void> {
    const scopes = [`repository:${repository}:pull,push`];
    const chunkBytes = Math.max(requestedChunkBytes, session.minChunkBytes);
    let url = session.location;
    try {
      if (descriptor.size <= chunkBytes) {
        const response = await this.http.expect({
          method: "PUT", path: withDigest(url, descriptor.digest), scopes,
          headers: { "content-type": "application/octet-stream", "content-length": String(descriptor.size) },
          body: () => withProgress(createReadStream(file), 0, descriptor.size, progress),
        }, [201], `PUT blob ${descriptor.digest}`);
        discard(response);
        return;
      }
      for (let start = 0; start < descriptor.size; start += chunkBytes) {
        const end = Math.min(start + chunkBytes, descriptor.size) - 1;
        const response = await this.http.expect({
          method: "PATCH", path: url, scopes,
          headers: { "content-type": "application/octet-stream", "content-length": String(end - start + 1), "content-range": `${start}-${end}` },
          body: () => withProgress(createReadStream(file, { start, end }), start, descriptor.size, progress),
        }, [202], `PATCH blob ${descriptor.digest} bytes ${start}-${end}`);
        discard(response);
        const acknowledged = response.headers.range;
        if (acknowledged !== undefined && acknowledged !== `0-${end}` && acknowledged !== `bytes=0-${end}`) {
          throw new RegistryError(this.registry, `PATCH blob ${descriptor.digest}: the registry acknowledged ${acknowledged} after bytes 0-${end} were sent`);
        }
        if (response.headers.location) url = new URL(response.headers.location, response.url).href;
      }
      const response = await this.http.expect({ method: "PUT", path: withDigest(url, descriptor.digest), scopes }, [201], `PUT blob ${descriptor.digest}`);
      discard(response);
    } catch (error) {
      await this.http.request({ method: "DELETE", path: url, scopes }).then(discard, () => undefined);
      throw error;
    }
  }

  /** GET /v2/_catalog, following Link pagination; RegistryError when the registry offers no catalog. */
  async catalog(limit = 1000): Promise<string[]> {
    const names: string[] = [];
    let path: string | undefined = `/v2/_catalog?n=${Math.min(limit, 1000)}`;
    while (path && names.length < limit) {
      const response = await this.http.request({ method: "GET", path, scopes: ["registry:catalog:*"] });
      if (response.status === 404 || response.status === 405) {
        discard(response);
        throw new RegistryError(this.registry, "the registry offers no catalog (/v2/_catalog), so it cannot be searched", response.status);
      }
      if (response.status !== 200) throw await this.http.errorOf(response, "GET /v2/_catalog");
      const body = JSON.parse((await readBody(response.body, MAX_MANIFEST_BYTES, "catalog")).toString("utf8")) as { repositories?: string[] };
      names.push(...(body.repositories ?? []));
      const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(String(response.headers.link ?? ""));
      path = link?.[1];
    }
    return names.slice(0, limit);
  }
}

function withDigest(location: string, digest: string): string {
  const url = new URL(location);
  url.searchParams.set("digest", digest);
  return url.href;
}

function hashInto(hash: Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback();
    },
  });
}

function withProgress(stream: NodeJS.ReadableStream, start: number, total: number, progress?: ProgressCallback): Transform {
  let done = start;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      done += chunk.byteLength;
      progress?.(done, total);
      callback(null, chunk);
    },
  });
  stream.on("error", (error) => tap.destroy(error));
  return stream.pipe(tap);
}
