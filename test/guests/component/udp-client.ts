// Guest of the wasi:sockets tests: a command component that sends its third argument as one UDP
// datagram to IPV4:PORT (its first two) with wasi:sockets/udp@0.2.12 and prints "reply: " and the
// first datagram that comes back, or "error CODE" (wasi:sockets' error-code, exit 1).
import { RET, dropPollable, getArguments, getStdout, pollableBlock, text, utf8, writeAll } from "./http-abi";
export { cabi_realloc } from "./http-abi";

@external("wasi:sockets/instance-network@0.2.12", "instance-network") declare function instanceNetwork(): i32;
@external("wasi:sockets/udp-create-socket@0.2.12", "create-udp-socket") declare function createUdpSocket(family: i32, ret: usize): void;
@external("wasi:sockets/udp@0.2.12", "[method]udp-socket.stream")
declare function stream(self: i32, some: i32, tag: i32, port: i32, a: i32, b: i32, c: i32, d: i32,
  e: i32, f: i32, g: i32, h: i32, i: i32, j: i32, ret: usize): void;
@external("wasi:sockets/udp@0.2.12", "[method]incoming-datagram-stream.receive") declare function receive(self: i32, max: i64, ret: usize): void;
@external("wasi:sockets/udp@0.2.12", "[method]incoming-datagram-stream.subscribe") declare function subscribeIncoming(self: i32): i32;
@external("wasi:sockets/udp@0.2.12", "[method]outgoing-datagram-stream.check-send") declare function checkSend(self: i32, ret: usize): void;
@external("wasi:sockets/udp@0.2.12", "[method]outgoing-datagram-stream.send") declare function send(self: i32, list: usize, len: usize, ret: usize): void;

const IPV4: i32 = 0;
/** An outgoing-datagram: data (pointer, length), then option<ip-socket-address> (none here). */
const DATAGRAM_SIZE = 44;

function args(): string[] {
  getArguments(RET);
  const list = load<u32>(RET);
  const count = load<u32>(RET + 4);
  const out: string[] = [];
  for (let i: u32 = 1; i < count; i++) out.push(text(load<u32>(list + i * 8), load<u32>(list + i * 8 + 4)));
  return out;
}

function fail(stdout: i32, code: u8): i32 {
  writeAll(stdout, "error " + code.toString() + "\n");
  return 1;
}

/** wasi:cli/run#run (the build renames the export): 0 for ok, 1 for err. */
export function run(): i32 {
  const argv = args();
  const stdout = getStdout();
  const ip = argv[0].split(".");
  instanceNetwork();
  createUdpSocket(IPV4, RET);
  if (load<u8>(RET) != 0) return fail(stdout, load<u8>(RET + 4));
  const socket = load<i32>(RET + 4);
  stream(socket, 1, 0, I32.parseInt(argv[1]), I32.parseInt(ip[0]), I32.parseInt(ip[1]), I32.parseInt(ip[2]), I32.parseInt(ip[3]), 0, 0, 0, 0, 0, 0, RET);
  if (load<u8>(RET) != 0) return fail(stdout, load<u8>(RET + 4));
  const incoming = load<i32>(RET + 4);
  const outgoing = load<i32>(RET + 8);
  checkSend(outgoing, RET);
  if (load<u8>(RET) != 0 || load<u64>(RET + 8) == 0) unreachable();
  const data = utf8(argv[2]);
  const datagram = heap.alloc(DATAGRAM_SIZE);
  memory.fill(datagram, 0, DATAGRAM_SIZE);
  store<u32>(datagram, data.dataStart);
  store<u32>(datagram + 4, data.length);
  send(outgoing, datagram, 1, RET);
  if (load<u8>(RET) != 0) return fail(stdout, load<u8>(RET + 8));
  for (;;) {
    const ready = subscribeIncoming(incoming);
    pollableBlock(ready);
    dropPollable(ready);
    receive(incoming, 1, RET);
    if (load<u8>(RET) != 0) return fail(stdout, load<u8>(RET + 4));
    if (load<u32>(RET + 8) == 0) continue;
    const first = load<u32>(RET + 4);
    writeAll(stdout, "reply: " + text(load<u32>(first), load<u32>(first + 4)));
    return 0;
  }
}
