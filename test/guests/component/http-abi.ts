// The canonical-ABI imports of wasi:http 0.2.12, wasi:io and wasi:cli that the HTTP test guests use,
// as core functions (what wit-component expects of a module it wraps as a component), and their helpers.

@external("wasi:http/types@0.2.12", "[constructor]fields") export declare function newFields(): i32;
@external("wasi:http/types@0.2.12", "[method]fields.append") export declare function fieldsAppend(self: i32, name: usize, nameLen: usize, value: usize, valueLen: usize, ret: usize): void;
@external("wasi:http/types@0.2.12", "[method]fields.get") export declare function fieldsGet(self: i32, name: usize, nameLen: usize, ret: usize): void;
@external("wasi:http/types@0.2.12", "[method]incoming-request.method") export declare function requestMethod(self: i32, ret: usize): void;
@external("wasi:http/types@0.2.12", "[method]incoming-request.path-with-query") export declare function requestPath(self: i32, ret: usize): void;
@external("wasi:http/types@0.2.12", "[method]incoming-request.headers") export declare function requestHeaders(self: i32): i32;
@external("wasi:http/types@0.2.12", "[method]incoming-request.consume") export declare function requestConsume(self: i32, ret: usize): void;
@external("wasi:http/types@0.2.12", "[method]incoming-body.stream") export declare function incomingBodyStream(self: i32, ret: usize): void;
@external("wasi:http/types@0.2.12", "[constructor]outgoing-response") export declare function newResponse(headers: i32): i32;
@external("wasi:http/types@0.2.12", "[method]outgoing-response.set-status-code") export declare function setStatusCode(self: i32, status: i32): i32;
@external("wasi:http/types@0.2.12", "[method]outgoing-response.body") export declare function responseBody(self: i32, ret: usize): void;
@external("wasi:http/types@0.2.12", "[method]outgoing-body.write") export declare function outgoingBodyWrite(self: i32, ret: usize): void;
@external("wasi:http/types@0.2.12", "[static]outgoing-body.finish") export declare function outgoingBodyFinish(self: i32, hasTrailers: i32, trailers: i32, ret: usize): void;
@external("wasi:http/types@0.2.12", "[static]response-outparam.set")
export declare function outparamSet(param: i32, isErr: i32, value: i32, a: i32, b: i64, c: i32, d: i32, e: i32, f: i32): void;
@external("wasi:http/types@0.2.12", "[constructor]outgoing-request") export declare function newRequest(headers: i32): i32;
@external("wasi:http/types@0.2.12", "[method]outgoing-request.set-method") export declare function setMethod(self: i32, tag: i32, other: usize, otherLen: usize): i32;
@external("wasi:http/types@0.2.12", "[method]outgoing-request.set-scheme") export declare function setScheme(self: i32, some: i32, tag: i32, other: usize, otherLen: usize): i32;
@external("wasi:http/types@0.2.12", "[method]outgoing-request.set-authority") export declare function setAuthority(self: i32, some: i32, text: usize, len: usize): i32;
@external("wasi:http/types@0.2.12", "[method]outgoing-request.set-path-with-query") export declare function setPath(self: i32, some: i32, text: usize, len: usize): i32;
@external("wasi:http/types@0.2.12", "[method]outgoing-request.body") export declare function requestBody(self: i32, ret: usize): void;
@external("wasi:http/types@0.2.12", "[method]future-incoming-response.subscribe") export declare function futureSubscribe(self: i32): i32;
@external("wasi:http/types@0.2.12", "[method]future-incoming-response.get") export declare function futureGet(self: i32, ret: usize): void;
@external("wasi:http/types@0.2.12", "[method]incoming-response.status") export declare function responseStatus(self: i32): i32;
@external("wasi:http/types@0.2.12", "[method]incoming-response.headers") export declare function responseHeaders(self: i32): i32;
@external("wasi:http/types@0.2.12", "[method]incoming-response.consume") export declare function responseConsume(self: i32, ret: usize): void;
@external("wasi:http/types@0.2.12", "[static]incoming-body.finish") export declare function incomingBodyFinish(body: i32): i32;
@external("wasi:http/types@0.2.12", "[method]future-trailers.subscribe") export declare function trailersSubscribe(self: i32): i32;
@external("wasi:http/types@0.2.12", "[method]future-trailers.get") export declare function trailersGet(self: i32, ret: usize): void;
@external("wasi:http/outgoing-handler@0.2.12", "handle") export declare function outgoingHandle(request: i32, hasOptions: i32, options: i32, ret: usize): void;
@external("wasi:io/poll@0.2.12", "[method]pollable.block") export declare function pollableBlock(self: i32): void;
@external("wasi:io/poll@0.2.12", "[resource-drop]pollable") export declare function dropPollable(self: i32): void;
@external("wasi:io/streams@0.2.12", "[method]input-stream.blocking-read") export declare function blockingRead(self: i32, len: i64, ret: usize): void;
@external("wasi:io/streams@0.2.12", "[method]output-stream.blocking-write-and-flush") export declare function blockingWriteAndFlush(self: i32, data: usize, len: usize, ret: usize): void;
@external("wasi:io/streams@0.2.12", "[resource-drop]input-stream") export declare function dropInputStream(self: i32): void;
@external("wasi:io/streams@0.2.12", "[resource-drop]output-stream") export declare function dropOutputStream(self: i32): void;
@external("wasi:cli/stdout@0.2.12", "get-stdout") export declare function getStdout(): i32;
@external("wasi:cli/environment@0.2.12", "get-arguments") export declare function getArguments(ret: usize): void;

/** Where results come back (retptr): 8-aligned room for the largest result. */
export const RET: usize = memory.data(64, 8);

/** The canonical ABI's allocator: the host asks for room for strings and lists it returns. */
export function cabi_realloc(old: usize, oldSize: usize, align: usize, newSize: usize): usize {
  if (newSize == 0) return align;
  const at = heap.alloc(newSize);
  if (old != 0) memory.copy(at, old, min(oldSize, newSize));
  return at;
}

/** A string's UTF-8 bytes. */
export function utf8(text: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(text));
}

/** Decodes `len` UTF-8 bytes at `ptr`. */
export function text(ptr: usize, len: usize): string {
  return String.UTF8.decodeUnsafe(ptr, len);
}

/** Appends a header. */
export function addHeader(fields: i32, name: string, value: string): void {
  const n = utf8(name);
  const v = utf8(value);
  fieldsAppend(fields, n.dataStart, n.length, v.dataStart, v.length, RET);
  if (load<u8>(RET) != 0) unreachable();
}

/** Reads a stream to its end. */
export function readAll(stream: i32): string {
  let out = "";
  for (;;) {
    blockingRead(stream, 65536, RET);
    if (load<u8>(RET) != 0) break;
    out += text(load<u32>(RET + 4), load<u32>(RET + 8));
  }
  dropInputStream(stream);
  return out;
}

/** Writes all of `data` to a stream (traps when it fails). */
export function writeAll(stream: i32, data: string): void {
  const bytes = utf8(data);
  blockingWriteAndFlush(stream, bytes.dataStart, bytes.length, RET);
  if (load<u8>(RET) != 0) unreachable();
}

/** The first value of header `name` in `fields`, or "" when it has none. */
export function header(fields: i32, name: string): string {
  const n = utf8(name);
  fieldsGet(fields, n.dataStart, n.length, RET);
  if (load<u32>(RET + 4) == 0) return "";
  const first = load<u32>(RET);
  return text(load<u32>(first), load<u32>(first + 4));
}

/**
 * Finishes an incoming body (its stream dropped) and waits for its trailers: the first value of
 * trailer `name`, "" when it has none, "no trailers" when there were none at all.
 */
export function trailer(body: i32, name: string): string {
  const future = incomingBodyFinish(body);
  const ready = trailersSubscribe(future);
  pollableBlock(ready);
  dropPollable(ready);
  trailersGet(future, RET);
  // option<result<result<option<trailers>, error-code>>>: some @0, ok @8, ok @16, some @24, the fields @28.
  if (load<u8>(RET) == 0 || load<u8>(RET + 8) != 0 || load<u8>(RET + 16) != 0) unreachable();
  if (load<u8>(RET + 24) == 0) return "no trailers";
  return header(load<i32>(RET + 28), name);
}
