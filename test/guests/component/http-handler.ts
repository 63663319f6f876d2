// Guest of the HTTP serve tests: a wasi:http/incoming-handler@0.2.12 component (its core module; the
// tests wrap it with jco's componentNew). GET PATH: 200 "hello from PATH"; POST: 201 "echo: BODY";
// /throw: traps (the server answers 500). Headers: content-type, x-path, x-agent (the request's user-agent).
// POST /trailers: 201 "echo: BODY trailer x-sum=VALUE" (the request's trailer), with the trailer x-served: yes.
import {
  RET, addHeader, header, newFields, newResponse, outgoingBodyFinish, outgoingBodyWrite, outparamSet, readAll, requestConsume,
  requestHeaders, requestMethod, requestPath, incomingBodyStream, responseBody, setStatusCode, text, writeAll, dropOutputStream, trailer,
} from "./http-abi";
export { cabi_realloc } from "./http-abi";

const METHOD_POST: u8 = 2;

/** wasi:http/incoming-handler#handle (the build renames the export). */
export function handle(request: i32, responseOut: i32): void {
  requestPath(request, RET);
  const path = load<u8>(RET) != 0 ? text(load<u32>(RET + 4), load<u32>(RET + 8)) : "/";
  if (path == "/throw") unreachable();
  requestMethod(request, RET);
  const isPost = load<u8>(RET) == METHOD_POST;
  const agent = header(requestHeaders(request), "user-agent");
  let body = "hello from " + path + "\n";
  if (isPost) {
    requestConsume(request, RET);
    if (load<u8>(RET) != 0) unreachable();
    const incoming = load<i32>(RET + 4);
    incomingBodyStream(incoming, RET);
    if (load<u8>(RET) != 0) unreachable();
    body = "echo: " + readAll(load<i32>(RET + 4));
    if (path == "/trailers") body += " trailer x-sum=" + trailer(incoming, "x-sum");
  }
  const headers = newFields();
  addHeader(headers, "content-type", "text/plain");
  addHeader(headers, "x-path", path);
  addHeader(headers, "x-agent", agent);
  const response = newResponse(headers);
  if (isPost && setStatusCode(response, 201) != 0) unreachable();
  responseBody(response, RET);
  if (load<u8>(RET) != 0) unreachable();
  const outgoing = load<i32>(RET + 4);
  outparamSet(responseOut, 0, response, 0, 0, 0, 0, 0, 0);
  outgoingBodyWrite(outgoing, RET);
  if (load<u8>(RET) != 0) unreachable();
  const stream = load<i32>(RET + 4);
  writeAll(stream, body);
  dropOutputStream(stream);
  if (path == "/trailers") {
    const trailers = newFields();
    addHeader(trailers, "x-served", "yes");
    outgoingBodyFinish(outgoing, 1, trailers, RET);
  } else outgoingBodyFinish(outgoing, 0, 0, RET);
  if (load<u8>(RET) != 0) unreachable();
}
