// Guest of the outgoing HTTP tests: a command component that POSTs its third argument to
// SCHEME://AUTHORITY/PATH (its first two; SCHEME http, or https when a fourth says so) through
// wasi:http/outgoing-handler@0.2.12, with the trailer "x-sent: by-component" after the body, and prints
// "STATUS X-REPLY-HEADER", the response body and its trailer x-reply-trailer when it has trailers,
// or "error TAG" (exit 1) when the request fails.
import {
  RET, dropOutputStream, dropPollable, futureGet, futureSubscribe, getArguments, getStdout, header, newFields,
  newRequest, outgoingBodyFinish, outgoingBodyWrite, outgoingHandle, pollableBlock, readAll, requestBody, responseConsume, responseHeaders,
  responseStatus, incomingBodyStream, setAuthority, setMethod, setPath, setScheme, text, utf8, writeAll, addHeader, trailer,
} from "./http-abi";
export { cabi_realloc } from "./http-abi";

const METHOD_POST = 2;
const SCHEME_HTTP = 0;
const SCHEME_HTTPS = 1;

/** The component's arguments after argv[0]. */
function args(): string[] {
  getArguments(RET);
  const list = load<u32>(RET);
  const count = load<u32>(RET + 4);
  const out: string[] = [];
  for (let i: u32 = 1; i < count; i++) out.push(text(load<u32>(list + i * 8), load<u32>(list + i * 8 + 4)));
  return out;
}

/** wasi:cli/run#run (the build renames the export): 0 for ok, 1 for err. */
export function run(): i32 {
  const argv = args();
  const stdout = getStdout();
  const request = newRequest(newFields());
  const authority = utf8(argv[0]);
  const path = utf8(argv[1]);
  if (setMethod(request, METHOD_POST, 0, 0) != 0) unreachable();
  const scheme = argv.length > 3 && argv[3] == "https" ? SCHEME_HTTPS : SCHEME_HTTP;
  if (setScheme(request, 1, scheme, 0, 0) != 0) unreachable();
  if (setAuthority(request, 1, authority.dataStart, authority.length) != 0) unreachable();
  if (setPath(request, 1, path.dataStart, path.length) != 0) unreachable();
  requestBody(request, RET);
  if (load<u8>(RET) != 0) unreachable();
  const body = load<i32>(RET + 4);
  outgoingBodyWrite(body, RET);
  if (load<u8>(RET) != 0) unreachable();
  const bodyStream = load<i32>(RET + 4);
  outgoingHandle(request, 0, 0, RET);
  if (load<u8>(RET) != 0) {
    writeAll(stdout, "error " + load<u8>(RET + 8).toString() + "\n");
    return 1;
  }
  const future = load<i32>(RET + 8);
  writeAll(bodyStream, argv[2]);
  dropOutputStream(bodyStream);
  const trailers = newFields();
  addHeader(trailers, "x-sent", "by-component");
  outgoingBodyFinish(body, 1, trailers, RET);
  if (load<u8>(RET) != 0) unreachable();
  const ready = futureSubscribe(future);
  pollableBlock(ready);
  dropPollable(ready);
  futureGet(future, RET);
  // option<result<result<incoming-response, error-code>>>: some @0, ok @8, ok @16, the response @24.
  if (load<u8>(RET) == 0 || load<u8>(RET + 8) != 0) unreachable();
  if (load<u8>(RET + 16) != 0) {
    writeAll(stdout, "error " + load<u8>(RET + 24).toString() + "\n");
    return 1;
  }
  const response = load<i32>(RET + 24);
  const status = responseStatus(response);
  const reply = header(responseHeaders(response), "x-reply");
  responseConsume(response, RET);
  if (load<u8>(RET) != 0) unreachable();
  const incoming = load<i32>(RET + 4);
  incomingBodyStream(incoming, RET);
  if (load<u8>(RET) != 0) unreachable();
  const content = readAll(load<i32>(RET + 4));
  const replyTrailer = trailer(incoming, "x-reply-trailer");
  writeAll(stdout, status.toString() + " " + reply + "\n" + content + (replyTrailer == "no trailers" ? "" : "trailer " + replyTrailer + "\n"));
  return 0;
}
