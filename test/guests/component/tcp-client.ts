// Guest of the wasi:sockets tests: a command component that connects to IPV4:PORT (its first two
// arguments) with wasi:sockets/tcp@0.2.12, sends its third argument, half-closes, and prints
// "reply: " and all it reads back, or "error CODE" (wasi:sockets' error-code, exit 1).
import { RET, dropPollable, getArguments, getStdout, pollableBlock, readAll, text, writeAll } from "./http-abi";
export { cabi_realloc } from "./http-abi";

@external("wasi:sockets/instance-network@0.2.12", "instance-network") declare function instanceNetwork(): i32;
@external("wasi:sockets/tcp-create-socket@0.2.12", "create-tcp-socket") declare function createTcpSocket(family: i32, ret: usize): void;
@external("wasi:sockets/tcp@0.2.12", "[method]tcp-socket.start-connect")
declare function startConnect(self: i32, network: i32, tag: i32, port: i32, a: i32, b: i32, c: i32, d: i32,
  e: i32, f: i32, g: i32, h: i32, i: i32, j: i32, ret: usize): void;
@external("wasi:sockets/tcp@0.2.12", "[method]tcp-socket.finish-connect") declare function finishConnect(self: i32, ret: usize): void;
@external("wasi:sockets/tcp@0.2.12", "[method]tcp-socket.subscribe") declare function subscribe(self: i32): i32;
@external("wasi:sockets/tcp@0.2.12", "[method]tcp-socket.shutdown") declare function shutdown(self: i32, how: i32, ret: usize): void;

const IPV4: i32 = 0;
const WOULD_BLOCK: u8 = 8;
const SHUTDOWN_SEND: i32 = 1;

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
  const ip = argv[0].split(".");
  const network = instanceNetwork();
  createTcpSocket(IPV4, RET);
  if (load<u8>(RET) != 0) {
    writeAll(stdout, "error " + load<u8>(RET + 4).toString() + "\n");
    return 1;
  }
  const socket = load<i32>(RET + 4);
  startConnect(socket, network, 0, I32.parseInt(argv[1]), I32.parseInt(ip[0]), I32.parseInt(ip[1]), I32.parseInt(ip[2]), I32.parseInt(ip[3]),
    0, 0, 0, 0, 0, 0, RET);
  if (load<u8>(RET) != 0) {
    writeAll(stdout, "error " + load<u8>(RET + 1).toString() + "\n");
    return 1;
  }
  for (;;) {
    const ready = subscribe(socket);
    pollableBlock(ready);
    dropPollable(ready);
    finishConnect(socket, RET);
    if (load<u8>(RET) == 0) break;
    if (load<u8>(RET + 4) != WOULD_BLOCK) {
      writeAll(stdout, "error " + load<u8>(RET + 4).toString() + "\n");
      return 1;
    }
  }
  const input = load<i32>(RET + 4);
  const output = load<i32>(RET + 8);
  writeAll(output, argv[2]);
  shutdown(socket, SHUTDOWN_SEND, RET);
  if (load<u8>(RET) != 0) unreachable();
  writeAll(stdout, "reply: " + readAll(input));
  return 0;
}
