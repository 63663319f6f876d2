// Sockets for userland: the kernel's WASIX socket calls (module wasix_32v1) and small helpers over
// them: name resolution, listen, connect, sends that never raise SIGPIPE, poll on two fds.

@external("wasix_32v1", "sock_open") declare function sock_open(af: u32, ty: u32, proto: u32, ret: usize): i32;
@external("wasix_32v1", "sock_bind") declare function sock_bind(fd: u32, addr: usize): i32;
@external("wasix_32v1", "sock_listen") declare function sock_listen(fd: u32, backlog: u32): i32;
@external("wasix_32v1", "sock_connect") declare function sock_connect(fd: u32, addr: usize): i32;
@external("wasix_32v1", "sock_accept_v2") declare function sock_accept_v2(fd: u32, flags: u32, retFd: usize, retAddr: usize): i32;
@external("wasix_32v1", "sock_recv_from") declare function sock_recv_from(fd: u32, iovs: usize, n: u32, riflags: u32, retLen: usize, retFlags: usize, retAddr: usize): i32;
@external("wasix_32v1", "sock_send_to") declare function sock_send_to(fd: u32, iovs: usize, n: u32, siflags: u32, addr: usize, retLen: usize): i32;
@external("wasix_32v1", "sock_send") declare function sock_send(fd: u32, iovs: usize, n: u32, siflags: u32, retLen: usize): i32;
@external("wasix_32v1", "sock_shutdown") declare function sock_shutdown(fd: u32, how: u32): i32;
@external("wasix_32v1", "sock_set_opt_flag") declare function sock_set_opt_flag(fd: u32, opt: u32, flag: u32): i32;
@external("wasix_32v1", "resolve") declare function wasix_resolve(host: usize, len: usize, port: u32, addrs: usize, n: u32, ret: usize): i32;
@external("wasix_32v1", "port_addr_list") declare function port_addr_list(addrs: usize, naddrs: usize): i32;
@external("wasi_snapshot_preview1", "poll_oneoff") declare function poll_oneoff(subs: usize, events: usize, n: usize, ret: usize): i32;

export const INET4: u8 = 1;
export const INET6: u8 = 2;
export const STREAM: u32 = 1;
export const DGRAM: u32 = 2;
const OPT_REUSE_ADDR: u32 = 2;
const EINTR = 27;
const ENOENT = 44;

/** sizeof(addr_port_t) and sizeof(addr_t). */
export const ADDR_PORT: usize = 20;
const ADDR: usize = 18;
const CIDR: usize = 19;

/** Scratch for results: fds, lengths, flags. */
const scratch = heap.alloc(64);

/** A socket address (addr_port_t) in memory of its own. */
export class SockAddr {
  ptr: usize = heap.alloc(ADDR_PORT);
  constructor() { memory.fill(this.ptr, 0, ADDR_PORT); }
  get family(): u8 { return load<u8>(this.ptr); }
  get port(): i32 { return (<i32>load<u8>(this.ptr, 2) << 8) | <i32>load<u8>(this.ptr, 3); }
  set port(p: i32) { store<u8>(this.ptr, <u8>(p >> 8), 2); store<u8>(this.ptr, <u8>p, 3); }
  /** The address as text ("10.88.0.2", "::1"). */
  ip(): string { return ipText(this.ptr + 4, this.family == INET4 ? 4 : 16); }
  toString(): string { return this.family == INET6 ? "[" + this.ip() + "]:" + this.port.toString() : this.ip() + ":" + this.port.toString(); }
}

/** An address of `len` (4 or 16) bytes at p as text, IPv6 with its longest zero run as "::". */
export function ipText(p: usize, len: i32): string {
  if (len == 4) return load<u8>(p).toString() + "." + load<u8>(p, 1).toString() + "." + load<u8>(p, 2).toString() + "." + load<u8>(p, 3).toString();
  const groups = new Array<i32>(8);
  for (let i = 0; i < 8; i++) groups[i] = (<i32>load<u8>(p + i * 2) << 8) | <i32>load<u8>(p + i * 2 + 1);
  let bestAt = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] != 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] == 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i == bestAt) { out += "::"; i += bestLen - 1; continue; }
    if (out.length > 0 && !out.endsWith(":")) out += ":";
    out += groups[i].toString(16);
  }
  return out;
}

/** The addresses `host` has (a name or a literal), as SockAddrs with `port`; empty when unknown. */
export function lookup(host: string, port: i32): SockAddr[] {
  const name = String.UTF8.encode(host);
  const addrs = heap.alloc(ADDR * 8);
  const out = new Array<SockAddr>();
  const err = wasix_resolve(changetype<usize>(name), <usize>name.byteLength, <u32>port, addrs, 8, scratch);
  if (err == 0) {
    const n = load<u32>(scratch);
    for (let i: u32 = 0; i < n; i++) {
      const a = new SockAddr();
      const src = addrs + <usize>i * ADDR;
      store<u8>(a.ptr, load<u8>(src));
      a.port = port;
      memory.copy(a.ptr + 4, src + 2, load<u8>(src) == INET4 ? 4 : 16);
      out.push(a);
    }
  }
  heap.free(addrs);
  return out;
}

/** The wildcard address of a family with `port`. */
export function anyAddr(family: u8, port: i32): SockAddr {
  const a = new SockAddr();
  store<u8>(a.ptr, family);
  a.port = port;
  return a;
}

/** A new socket; the fd, or -errno. */
export function socket(family: u8, type: u32): i32 {
  const err = sock_open(family, type, 0, scratch);
  return err != 0 ? -err : load<i32>(scratch);
}

/** A socket bound to `addr` (SO_REUSEADDR), listening when it is a stream; the fd or -errno. */
export function listenOn(addr: SockAddr, type: u32, backlog: u32 = 128): i32 {
  const fd = socket(addr.family, type);
  if (fd < 0) return fd;
  sock_set_opt_flag(<u32>fd, OPT_REUSE_ADDR, 1);
  let err = sock_bind(<u32>fd, addr.ptr);
  if (err == 0 && type == STREAM) err = sock_listen(<u32>fd, backlog);
  if (err != 0) { closeFd(fd); return -err; }
  return fd;
}

/** A socket connected to the first address of host:port that answers; the fd or -errno (ENOENT: unknown name). */
export function connectTo(host: string, port: i32, type: u32): i32 {
  const addrs = lookup(host, port);
  if (addrs.length == 0) return -ENOENT;
  let last = 0;
  for (let i = 0; i < addrs.length; i++) {
    const fd = socket(addrs[i].family, type);
    if (fd < 0) return fd;
    const err = sock_connect(<u32>fd, addrs[i].ptr);
    if (err == 0) return fd;
    last = err;
    closeFd(fd);
  }
  return -last;
}

@external("wasi_snapshot_preview1", "fd_close") declare function fd_close(fd: u32): i32;
export function closeFd(fd: i32): void { fd_close(<u32>fd); }

/** Takes a connection: the new fd (and the peer in `peer`), or -errno. */
export function accept(fd: i32, peer: SockAddr): i32 {
  const err = sock_accept_v2(<u32>fd, 0, scratch, peer.ptr);
  return err != 0 ? -err : load<i32>(scratch);
}

/** Sends all of [ptr, ptr+len) on a socket; 0 or an errno (EPIPE when the peer left: no SIGPIPE). */
export function sendAll(fd: i32, ptr: usize, len: usize): i32 {
  while (len > 0) {
    store<u32>(scratch, <u32>ptr);
    store<u32>(scratch, <u32>len, 4);
    const err = sock_send(<u32>fd, scratch, 1, 0, scratch + 8);
    if (err == EINTR) continue;
    if (err != 0) return err;
    const n = <usize>load<u32>(scratch, 8);
    ptr += n;
    len -= n;
  }
  return 0;
}

/**
 * Sends [a, a+aLen) then [b, b+bLen) as one gathered send (a response's header and body leave in
 * one segment, not two), retrying what a short send left; 0 or an errno.
 */
export function sendTwo(fd: i32, a: usize, aLen: usize, b: usize, bLen: usize): i32 {
  while (aLen > 0) {
    store<u32>(scratch, <u32>a);
    store<u32>(scratch, <u32>aLen, 4);
    store<u32>(scratch, <u32>b, 8);
    store<u32>(scratch, <u32>bLen, 12);
    const err = sock_send(<u32>fd, scratch, bLen > 0 ? 2 : 1, 0, scratch + 16);
    if (err == EINTR) continue;
    if (err != 0) return err;
    let n = <usize>load<u32>(scratch, 16);
    if (n >= aLen) {
      n -= aLen;
      aLen = 0;
      b += n;
      bLen -= n;
    } else {
      a += n;
      aLen -= n;
    }
  }
  return sendAll(fd, b, bLen);
}

/** sendAll of a string (UTF-8). */
export function sendText(fd: i32, text: string): i32 {
  const data = String.UTF8.encode(text);
  return sendAll(fd, changetype<usize>(data), <usize>data.byteLength);
}

/** One datagram to `to`; 0 or an errno. */
export function sendTo(fd: i32, ptr: usize, len: usize, to: SockAddr): i32 {
  store<u32>(scratch, <u32>ptr);
  store<u32>(scratch, <u32>len, 4);
  return sock_send_to(<u32>fd, scratch, 1, 0, to.ptr, scratch + 8);
}

/** One datagram into [ptr, ptr+len), its sender in `from`; the length or -errno. */
export function recvFrom(fd: i32, ptr: usize, len: usize, from: SockAddr): i32 {
  store<u32>(scratch, <u32>ptr);
  store<u32>(scratch, <u32>len, 4);
  const err = sock_recv_from(<u32>fd, scratch, 1, 0, scratch + 8, scratch + 12, from.ptr);
  return err != 0 ? -err : load<i32>(scratch, 8);
}

/** shutdown(fd, SHUT_WR): the peer reads EOF. */
export function shutdownWrite(fd: i32): void { sock_shutdown(<u32>fd, 2); }

const SUB: usize = 48;
const EVENT: usize = 32;
const pollSubs = heap.alloc(SUB * 2);
const pollEvents = heap.alloc(EVENT * 2);

/**
 * Waits until fd `a` or fd `b` (-1: none) can be read; returns a bit set (1: a, 2: b).
 * A hang-up or an error counts as readable (the read then says what happened).
 */
export function pollRead2(a: i32, b: i32): i32 {
  memory.fill(pollSubs, 0, SUB * 2);
  let n = 0;
  for (let i = 0; i < 2; i++) {
    const fd = i == 0 ? a : b;
    if (fd < 0) continue;
    const s = pollSubs + <usize>n * SUB;
    store<u64>(s, <u64>(i + 1));
    store<u8>(s, 1, 8);
    store<u32>(s, <u32>fd, 16);
    n++;
  }
  if (n == 0) return 0;
  for (;;) {
    const err = poll_oneoff(pollSubs, pollEvents, <usize>n, scratch);
    if (err == EINTR) continue;
    if (err != 0) return 3;
    let ready = 0;
    const got = load<u32>(scratch);
    for (let i: u32 = 0; i < got; i++) ready |= <i32>load<u64>(pollEvents + <usize>i * EVENT);
    return ready;
  }
}

/** One interface address from port_addr_list: text and prefix length. */
export class IfAddr {
  constructor(public ip: string, public prefix: i32, public v6: bool) {}
}

/** The addresses of the namespace's interfaces, in order (loopback first). */
export function interfaceAddresses(): IfAddr[] {
  const room: u32 = 32;
  const buf = heap.alloc(CIDR * <usize>room);
  store<u32>(scratch, room);
  const out = new Array<IfAddr>();
  if (port_addr_list(buf, scratch) == 0) {
    const n = load<u32>(scratch);
    for (let i: u32 = 0; i < n; i++) {
      const p = buf + <usize>i * CIDR;
      const v6 = load<u8>(p) == INET6;
      const len = v6 ? 16 : 4;
      out.push(new IfAddr(ipText(p + 2, len), <i32>load<u8>(p + 2 + len), v6));
    }
  }
  heap.free(buf);
  return out;
}
