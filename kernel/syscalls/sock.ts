// Socket syscalls: preview1's sock_accept/recv/send/shutdown, and WASIX's calls (module wasix_32v1,
// WASIX's names and struct layouts) to open, bind, listen, connect, address, tune and resolve.
// Each handler: the socket check, argument checks, one call into kernel/net.
import { Errno, SysError } from "../errno.js";
import { P, R, type ResultKind } from "../abi/types.js";
import type { GuestMemory } from "../abi/memory.js";
import type { Process } from "../proc/process.js";
import { Wait } from "../proc/wait.js";
import { ADDR_PORT_SIZE, ADDR_SIZE, AddressFamily, decodeAddrPort, encodeAddr, encodeAddrPort, ipBytes, type SockAddr } from "../net/address.js";
import { IPPROTO_TCP, IPPROTO_UDP, RIGHTS_SOCKET, Socket, SockType } from "../net/socket.js";
import { TcpSocket } from "../net/tcp.js";
import { UdpSocket } from "../net/udp.js";
import { FDFLAGS_NONBLOCK, Rights, SDFLAGS_RD, SDFLAGS_WR } from "../wasi.js";
import { syscall, WASI_MODULE, type SyscallDef } from "./table.js";

/** WASIX's import module for 32-bit guests. */
export const WASIX_MODULE = "wasix_32v1";

/** The most addresses one `resolve` or `port_addr_list` call returns. */
const MAX_ADDRS = 64;

/** The socket behind fd. EBADF; ENOTSOCK: not a socket (checked before rights, as wasmtime does); ENOTCAPABLE: missing `rights`. */
function socketOf(proc: Process, fd: number, rights = 0): Socket {
  const { file } = proc.fds.get(fd);
  if (!(file instanceof Socket)) throw new SysError(Errno.NOTSOCK);
  proc.fds.get(fd, rights);
  return file;
}

/** Reads an addr_port_t at ptr. EFAULT; EAFNOSUPPORT. */
function addrAt(mem: GuestMemory, ptr: number): SockAddr {
  return decodeAddrPort(mem.bytes(ptr, ADDR_PORT_SIZE));
}

/** sock_recv's two results: bytes (u32) and roflags (u16). */
const RECV_RESULT: ResultKind<[number, number]> = {
  name: "size,roflags", wasm: ["i32", "i32"],
  encode(m, [n, flags], p1, p2) {
    m.check(p1 >>> 0, 4);
    m.check(p2 >>> 0, 2);
    m.setU32(p1 >>> 0, n);
    m.setU16(p2 >>> 0, flags);
  },
  format: ([n, flags]) => `${n},${flags}`,
};

/** sock_recv_from's three results: bytes, roflags and the sender (addr_port_t). */
const RECV_FROM_RESULT: ResultKind<[number, number, SockAddr | undefined]> = {
  name: "size,roflags,addr", wasm: ["i32", "i32", "i32"],
  encode(m, [n, flags, from], p1, p2, p3) {
    m.check(p1 >>> 0, 4);
    m.check(p2 >>> 0, 2);
    const out = m.bytes(p3 >>> 0, ADDR_PORT_SIZE);
    m.setU32(p1 >>> 0, n);
    m.setU16(p2 >>> 0, flags);
    if (from) encodeAddrPort(from, out);
    else out.fill(0);
  },
  format: ([n, flags, from]) => `${n},${flags},${from ? `${from.ip}:${from.port}` : "-"}`,
};

/** One addr_port_t result. */
const ADDR_RESULT: ResultKind<SockAddr> = {
  name: "addr_port", wasm: ["i32"],
  encode(m, addr, p) {
    encodeAddrPort(addr, m.bytes(p >>> 0, ADDR_PORT_SIZE));
  },
  format: (a) => `${a.ip}:${a.port}`,
};

/** sock_accept_v2's results: the new fd and the peer's address. */
const ACCEPT_RESULT: ResultKind<[number, SockAddr]> = {
  name: "fd,addr_port", wasm: ["i32", "i32"],
  encode(m, [fd, addr], p1, p2) {
    m.check(p1 >>> 0, 4);
    const out = m.bytes(p2 >>> 0, ADDR_PORT_SIZE);
    m.setU32(p1 >>> 0, fd);
    encodeAddrPort(addr, out);
  },
  format: ([fd, a]) => `${fd},${a.ip}:${a.port}`,
};

/** A one-byte result (bool, sockstatus). */
const U8_RESULT: ResultKind<number> = {
  name: "u8", wasm: ["i32"],
  encode: (m, v, p) => m.setU8(p >>> 0, v),
  format: (v) => String(v),
};

/** Takes a pending connection into a new fd (at the lowest free number); EMFILE leaves it queued. */
function acceptInto(proc: Process, fd: number, flags: number): [number, Socket] | Wait {
  if (flags & ~FDFLAGS_NONBLOCK) throw new SysError(Errno.INVAL);
  const sock = socketOf(proc, fd, Rights.SOCK_ACCEPT);
  const conn = sock.accept();
  if (conn instanceof Wait) return conn;
  conn.flags = flags;
  try {
    return [proc.fds.add({ file: conn, rightsBase: RIGHTS_SOCKET, rightsInheriting: 0 }), conn];
  } catch (e) {
    if (sock instanceof TcpSocket && conn instanceof TcpSocket) sock.requeue(conn);
    throw e;
  }
}

function recv(proc: Process, fd: number, bufs: Uint8Array[], riflags: number): [number, number, SockAddr | undefined] | Wait {
  return socketOf(proc, fd, Rights.FD_READ).recvFrom(bufs, riflags);
}

function send(proc: Process, fd: number, bufs: Uint8Array[], to: SockAddr | undefined): number | Wait {
  return socketOf(proc, fd, Rights.FD_WRITE).sendTo(bufs, to);
}

function shutdown(proc: Process, fd: number, how: number): void {
  if (how === 0 || how & ~(SDFLAGS_RD | SDFLAGS_WR)) throw new SysError(Errno.INVAL);
  socketOf(proc, fd, Rights.SOCK_SHUTDOWN).shutdown((how & SDFLAGS_RD) !== 0, (how & SDFLAGS_WR) !== 0);
}

/** The calls preview1 and WASIX share (same meaning, same layout), declared for one module. */
function sharedCalls(module: string): SyscallDef[] {
  return [
    syscall({
      name: "sock_accept", module, mayBlock: true,
      doc: "Takes a connection from a listening socket into a new fd (flags: NONBLOCK for it). EAGAIN; EINVAL: not listening or bad flags; EMFILE; ENOTSOCK.",
      params: [["fd", P.fd], ["flags", P.flags]], result: R.u32,
      handler(proc: Process, fd: number, flags: number) {
        const r = acceptInto(proc, fd, flags);
        return r instanceof Wait ? r : r[0];
      },
    }),
    syscall({
      name: "sock_recv", module, mayBlock: true,
      doc: "Receives into iovecs (riflags: PEEK, WAITALL); 0 at EOF. EAGAIN; ENOTCONN; ECONNRESET; ENOTSOCK.",
      params: [["fd", P.fd], ["ri_data", P.iovecs], ["ri_flags", P.flags]], result: RECV_RESULT,
      handler(proc: Process, fd: number, bufs: Uint8Array[], riflags: number) {
        const r = recv(proc, fd, bufs, riflags);
        return r instanceof Wait ? r : [r[0], r[1]];
      },
    }),
    syscall({
      name: "sock_send", module, mayBlock: true,
      doc: "Sends from iovecs; partial when the peer's buffer is nearly full. EAGAIN; EPIPE; ECONNRESET; ENOTCONN; EDESTADDRREQ; ENOTSOCK.",
      params: [["fd", P.fd], ["si_data", P.iovecs], ["si_flags", P.flags]], result: R.u32,
      handler: (proc: Process, fd: number, bufs: Uint8Array[]) => send(proc, fd, bufs, undefined),
    }),
    syscall({
      name: "sock_shutdown", module, mayBlock: false,
      doc: "Shuts down reading (RD), writing (WR: the peer reads EOF) or both. EINVAL: bad flags; ENOTCONN; ENOTSOCK.",
      params: [["fd", P.fd], ["how", P.flags]],
      handler: (proc: Process, fd: number, how: number) => shutdown(proc, fd, how),
    }),
  ];
}

const M = WASIX_MODULE;

/** WASIX's own socket calls. */
function wasixCalls(): SyscallDef[] {
  return [
    syscall({
      name: "sock_open", module: M, mayBlock: false,
      doc: "A new socket: af inet4|inet6, type stream|dgram, protocol 0|TCP|UDP. EAFNOSUPPORT; EPROTONOSUPPORT; ENOTSUP; EMFILE.",
      params: [["af", P.u32], ["socktype", P.u32], ["protocol", P.u32]], result: R.u32,
      handler(proc: Process, af: number, socktype: number, protocol: number) {
        if (af !== AddressFamily.INET4 && af !== AddressFamily.INET6) throw new SysError(Errno.AFNOSUPPORT);
        const family = af === AddressFamily.INET4 ? 4 : 6;
        const { host: kernel, container } = proc;
        let sock: Socket;
        if (socktype === SockType.STREAM) {
          if (protocol !== 0 && protocol !== IPPROTO_TCP) throw new SysError(Errno.PROTONOSUPPORT);
          sock = new TcpSocket(container.net, family, kernel.allocIno(), () => kernel.allocIno());
        } else if (socktype === SockType.DGRAM) {
          if (protocol !== 0 && protocol !== IPPROTO_UDP) throw new SysError(Errno.PROTONOSUPPORT);
          sock = new UdpSocket(container.net, family, kernel.allocIno());
        } else {
          throw new SysError(Errno.NOTSUP);
        }
        try {
          return proc.fds.add({ file: sock, rightsBase: RIGHTS_SOCKET, rightsInheriting: RIGHTS_SOCKET });
        } catch (e) {
          sock.release();
          throw e;
        }
      },
    }),
    syscall({
      name: "sock_bind", module: M, mayBlock: false,
      doc: "Binds to an address (port 0: an ephemeral port). EADDRINUSE; EADDRNOTAVAIL; EINVAL: already bound; EAFNOSUPPORT.",
      params: [["fd", P.fd], ["addr", P.ptr]],
      handler: (proc: Process, fd: number, ptr: number) => socketOf(proc, fd).bind(addrAt(proc.mem, ptr)),
    }),
    syscall({
      name: "sock_listen", module: M, mayBlock: false,
      doc: "Accepts connections, keeping up to `backlog` established ones for accept (at most 4096). EINVAL: connected; ENOTSUP: a datagram socket.",
      params: [["fd", P.fd], ["backlog", P.u32]],
      handler: (proc: Process, fd: number, backlog: number) => socketOf(proc, fd).listen(backlog),
    }),
    syscall({
      name: "sock_connect", module: M, mayBlock: true,
      doc: "Connects (a datagram socket: sets its peer). ECONNREFUSED; ENETUNREACH; EISCONN; EINPROGRESS/EALREADY (nonblocking, to the host); EAGAIN: the listener's backlog is full (nonblocking).",
      params: [["fd", P.fd], ["addr", P.ptr]],
      handler: (proc: Process, fd: number, ptr: number) => socketOf(proc, fd).connect(addrAt(proc.mem, ptr)),
    }),
    syscall({
      name: "sock_accept_v2", module: M, mayBlock: true,
      doc: "sock_accept, also giving the peer's address. EAGAIN; EINVAL; EMFILE; ENOTSOCK.",
      params: [["fd", P.fd], ["flags", P.flags]], result: ACCEPT_RESULT,
      handler(proc: Process, fd: number, flags: number) {
        const r = acceptInto(proc, fd, flags);
        if (r instanceof Wait) return r;
        const [newFd, conn] = r;
        return [newFd, conn.peer ?? { family: conn.family, ip: conn.family === 4 ? "0.0.0.0" : "::", port: 0 }];
      },
    }),
    syscall({
      name: "sock_addr_local", module: M, mayBlock: false,
      doc: "The local address (the wildcard and port 0 when unbound). ENOTSOCK.",
      params: [["fd", P.fd]], result: ADDR_RESULT,
      handler(proc: Process, fd: number) {
        const sock = socketOf(proc, fd);
        return sock.local ?? { family: sock.family, ip: sock.family === 4 ? "0.0.0.0" : "::", port: 0 };
      },
    }),
    syscall({
      name: "sock_addr_peer", module: M, mayBlock: false,
      doc: "The peer's address. ENOTCONN; ENOTSOCK.",
      params: [["fd", P.fd]], result: ADDR_RESULT,
      handler(proc: Process, fd: number) {
        const peer = socketOf(proc, fd).peer;
        if (!peer) throw new SysError(Errno.NOTCONN);
        return peer;
      },
    }),
    syscall({
      name: "sock_recv_from", module: M, mayBlock: true,
      doc: "Receives one datagram (or stream bytes) and the sender's address. EAGAIN; ENOTSOCK.",
      params: [["fd", P.fd], ["ri_data", P.iovecs], ["ri_flags", P.flags]], result: RECV_FROM_RESULT,
      handler: (proc: Process, fd: number, bufs: Uint8Array[], riflags: number) => recv(proc, fd, bufs, riflags),
    }),
    syscall({
      name: "sock_send_to", module: M, mayBlock: true,
      doc: "Sends one datagram to an address. EMSGSIZE; ENETUNREACH; EISCONN (a stream socket); ENOTSOCK.",
      params: [["fd", P.fd], ["si_data", P.iovecs], ["si_flags", P.flags], ["addr", P.ptr]], result: R.u32,
      handler: (proc: Process, fd: number, bufs: Uint8Array[], _flags: number, ptr: number) => send(proc, fd, bufs, addrAt(proc.mem, ptr)),
    }),
    syscall({
      name: "sock_set_opt_flag", module: M, mayBlock: false,
      doc: "Sets a boolean option (reuse_addr, reuse_port, no_delay, keep_alive, broadcast, only_v6). ENOPROTOOPT.",
      params: [["fd", P.fd], ["option", P.u32], ["flag", P.u32]],
      handler: (proc: Process, fd: number, option: number, flag: number) => socketOf(proc, fd).setFlag(option, flag !== 0),
    }),
    syscall({
      name: "sock_get_opt_flag", module: M, mayBlock: false,
      doc: "Reads a boolean option (also listening). ENOPROTOOPT.",
      params: [["fd", P.fd], ["option", P.u32]], result: U8_RESULT,
      handler: (proc: Process, fd: number, option: number) => (socketOf(proc, fd).getFlag(option) ? 1 : 0),
    }),
    syscall({
      name: "sock_set_opt_size", module: M, mayBlock: false,
      doc: "Sets recv_buf_size or send_buf_size (clamped to 2 KiB..16 MiB). ENOPROTOOPT.",
      params: [["fd", P.fd], ["option", P.u32], ["size", P.u64]],
      handler(proc: Process, fd: number, option: number, size: bigint) {
        socketOf(proc, fd).setSizeOption(option, Number(size > 1n << 32n ? 1n << 32n : size));
      },
    }),
    syscall({
      name: "sock_get_opt_size", module: M, mayBlock: false,
      doc: "Reads recv_buf_size, send_buf_size, last_error (SO_ERROR, cleared), type, proto or ttl. ENOPROTOOPT.",
      params: [["fd", P.fd], ["option", P.u32]], result: R.u64,
      handler: (proc: Process, fd: number, option: number) => BigInt(socketOf(proc, fd).getSizeOption(option)),
    }),
    syscall({
      name: "sock_status", module: M, mayBlock: false,
      doc: "opening (a connect under way), opened, closed or failed. ENOTSOCK.",
      params: [["fd", P.fd]], result: U8_RESULT,
      handler: (proc: Process, fd: number) => socketOf(proc, fd).status(),
    }),
    syscall({
      name: "resolve", module: M, mayBlock: false,
      doc: "Resolves a host name from the caller's network namespace (literals, localhost, its hostname, containers on its networks, /etc/hosts extras) into up to `naddrs` addr_t. ENOENT: unknown name.",
      params: [["host", P.string], ["port", P.u32], ["addrs", P.ptr], ["naddrs", P.u32]], result: R.u32,
      handler(proc: Process, host: string, _port: number, ptr: number, count: number) {
        const found = proc.container.net.resolve(host);
        if (found.length === 0) throw new SysError(Errno.NOENT);
        const n = Math.min(found.length, count, MAX_ADDRS);
        const out = proc.mem.bytes(ptr, n * ADDR_SIZE);
        for (let i = 0; i < n; i++) encodeAddr(found[i], out.subarray(i * ADDR_SIZE, (i + 1) * ADDR_SIZE));
        return n;
      },
    }),
    syscall({
      name: "port_addr_list", module: M, mayBlock: false,
      doc: "The namespace's interface addresses as cidr_t (tag, 16 address bytes, prefix); *naddrs in: room, out: count. EOVERFLOW: more than room (count still written).",
      params: [["addrs", P.ptr], ["naddrs", P.ptr]],
      handler(proc: Process, ptr: number, countPtr: number) {
        const room = proc.mem.u32(countPtr);
        const all = proc.container.net.interfaces.flatMap((i) => i.addresses);
        proc.mem.setU32(countPtr, all.length);
        if (all.length > room) throw new SysError(Errno.OVERFLOW);
        const out = proc.mem.bytes(ptr, all.length * CIDR_SIZE);
        out.fill(0);
        all.forEach((a, i) => {
          const bytes = ipBytes(a.ip);
          const at = i * CIDR_SIZE;
          out[at] = bytes.length === 4 ? AddressFamily.INET4 : AddressFamily.INET6;
          out.set(bytes, at + 2);
          out[at + 2 + bytes.length] = a.prefix;
        });
      },
    }),
  ];
}

/** sizeof(__wasi_cidr_t): tag u8, padding u8, 17 bytes (address, then the prefix right after it). */
const CIDR_SIZE = 19;

export const sockSyscalls: SyscallDef[] = [...sharedCalls(WASI_MODULE), ...sharedCalls(WASIX_MODULE), ...wasixCalls()];

/** The calls that make a new socket fd (the engines treat a process that imports one like one that makes pipes). */
export const SOCKET_MAKING_CALLS: readonly string[] = ["sock_open", "sock_accept", "sock_accept_v2"];

