// The base of socket open files: what every socket kind answers (addresses, options, status), with
// the defaults a kind overrides. Syscalls in kernel/syscalls/sock.ts call these methods after their checks.
import { Errno, SysError } from "../errno.js";
import { WaitQueue } from "../proc/wait-queue.js";
import type { Wait } from "../proc/wait.js";
import { OpenFile } from "../vfs/open-file.js";
import { Rights, RIGHTS_STREAM, type Filestat } from "../wasi.js";
import type { Family, SockAddr } from "./address.js";
import type { NetNamespace } from "./namespace.js";

/** WASIX sockoption values (the order of wasix's `sockoption` enum). */
export const enum SockOption {
  NOOP = 0, REUSE_PORT = 1, REUSE_ADDR = 2, NO_DELAY = 3, DONT_ROUTE = 4, ONLY_V6 = 5, BROADCAST = 6,
  MULTICAST_LOOP_V4 = 7, MULTICAST_LOOP_V6 = 8, PROMISCUOUS = 9, LISTENING = 10, LAST_ERROR = 11,
  KEEP_ALIVE = 12, LINGER = 13, OOB_INLINE = 14, RECV_BUF_SIZE = 15, SEND_BUF_SIZE = 16,
  RECV_LOWAT = 17, SEND_LOWAT = 18, RECV_TIMEOUT = 19, SEND_TIMEOUT = 20, CONNECT_TIMEOUT = 21,
  ACCEPT_TIMEOUT = 22, TTL = 23, MULTICAST_TTL_V4 = 24, TYPE = 25, PROTO = 26,
}

/** WASIX sockstatus values. */
export const enum SockStatus { OPENING = 0, OPENED = 1, CLOSED = 2, FAILED = 3 }

/** WASIX socktype values. */
export const enum SockType { UNKNOWN = 0, STREAM = 1, DGRAM = 2, RAW = 3, SEQPACKET = 4 }

/** Protocol numbers (IANA), as sock_open takes them. */
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** riflags / roflags of sock_recv (preview1): peek, wait-all; data truncated. */
export const RIFLAGS_RECV_PEEK = 1;
export const RIFLAGS_RECV_WAITALL = 2;
export const ROFLAGS_RECV_DATA_TRUNCATED = 1;

/** Rights of a socket fd: a stream plus shutdown and accept. */
export const RIGHTS_SOCKET = (RIGHTS_STREAM & ~Rights.FD_SEEK) | Rights.SOCK_SHUTDOWN | Rights.SOCK_ACCEPT;

/** The boolean options a socket keeps (the ones with no effect inside the kernel are kept for getsockopt). */
export interface SocketFlags {
  reuseAddr: boolean;
  reusePort: boolean;
  noDelay: boolean;
  keepAlive: boolean;
  broadcast: boolean;
  onlyV6: boolean;
}

/** The options of a socket that set none: shared by every such socket (setFlag makes a socket its own copy). */
const DEFAULT_FLAGS: Readonly<SocketFlags> = Object.freeze({ reuseAddr: false, reusePort: false, noDelay: false, keepAlive: false, broadcast: false, onlyV6: false });

/** What a socket needs from its kernel when it makes new sockets or files (accept). */
export interface SocketHost {
  allocIno(): bigint;
}

/** A socket: an open file with addresses and options. */
export abstract class Socket extends OpenFile {
  get rightsMask(): number {
    return RIGHTS_SOCKET;
  }
  /** Woken whenever readiness may have changed (data, room, a connection, a close). */
  readonly events = new WaitQueue();
  /** Its boolean options: shared until one is set (most sockets never set any). */
  private optionFlags: Readonly<SocketFlags> = DEFAULT_FLAGS;
  local?: SockAddr;
  peer?: SockAddr;
  /** Set when a send or connect failed asynchronously (SO_ERROR), cleared when read. */
  lastError = 0;
  /** When it was made, in ms since performance.timeOrigin (a small integer, kept unboxed; stat gives ns since the epoch). */
  private readonly createdAt = Math.floor(performance.now());

  constructor(readonly ns: NetNamespace, readonly family: Family, readonly ino: bigint) {
    super();
  }

  abstract readonly socktype: SockType;
  abstract readonly protocol: number;

  override readinessQueue(): WaitQueue {
    return this.events;
  }
  override canBlockRead(): boolean {
    return true;
  }
  override canBlockWrite(): boolean {
    return true;
  }

  override stat(): Filestat {
    const created = BigInt(Math.round(performance.timeOrigin + this.createdAt)) * 1_000_000n;
    return {
      dev: 0n, ino: this.ino, filetype: this.filetype, nlink: 1n, size: 0n,
      atim: created, mtim: created, ctim: created, mode: 0o777, uid: 0, gid: 0,
    };
  }

  /** Whether it is listening (SO_ACCEPTCONN; a bound port holder checks it). */
  get listening(): boolean {
    return false;
  }
  get reuseAddr(): boolean {
    return this.options.reuseAddr;
  }

  abstract bind(addr: SockAddr): void;
  abstract connect(addr: SockAddr): void | Wait;
  listen(_backlog: number): void {
    throw new SysError(Errno.NOTSUP);
  }
  /** Takes a pending connection: the new socket, or a Wait. */
  accept(): Socket | Wait {
    throw new SysError(Errno.NOTSUP);
  }
  /** Receives into bufs: [bytes, roflags, sender], or a Wait. */
  abstract recvFrom(bufs: Uint8Array[], riflags: number): [number, number, SockAddr | undefined] | Wait;
  /** Sends bufs (to `to`, for datagrams; undefined = the connected peer): bytes sent, or a Wait. */
  abstract sendTo(bufs: Uint8Array[], to: SockAddr | undefined): number | Wait;
  abstract shutdown(read: boolean, write: boolean): void;
  abstract status(): SockStatus;

  override read(bufs: Uint8Array[]): number | Wait {
    const r = this.recvFrom(bufs, 0);
    return Array.isArray(r) ? r[0] : r;
  }
  override write(bufs: Uint8Array[]): number | Wait {
    return this.sendTo(bufs, undefined);
  }

  /** SO_RCVBUF / SO_SNDBUF. */
  abstract bufferSize(option: SockOption.RECV_BUF_SIZE | SockOption.SEND_BUF_SIZE): number;
  abstract setBufferSize(option: SockOption.RECV_BUF_SIZE | SockOption.SEND_BUF_SIZE, bytes: number): void;

  /** Applies a boolean option to whatever is behind the socket (a host socket's nodelay, ...). */
  protected flagChanged(_option: SockOption, _value: boolean): void {}

  get options(): Readonly<SocketFlags> {
    return this.optionFlags;
  }

  /** Takes the nodelay and keepalive options of `listener` (an accepted connection's, as Linux's inherit them). */
  inheritOptions(listener: Socket): void {
    const { noDelay, keepAlive } = listener.optionFlags;
    if (noDelay || keepAlive) this.optionFlags = { ...DEFAULT_FLAGS, noDelay, keepAlive };
  }

  /** sock_set_opt_flag. ENOPROTOOPT: not a boolean option this socket has. */
  setFlag(option: SockOption, value: boolean): void {
    const f: SocketFlags = { ...this.optionFlags };
    switch (option) {
      case SockOption.REUSE_ADDR: f.reuseAddr = value; break;
      case SockOption.REUSE_PORT: f.reusePort = value; break;
      case SockOption.NO_DELAY: f.noDelay = value; break;
      case SockOption.KEEP_ALIVE: f.keepAlive = value; break;
      case SockOption.BROADCAST: f.broadcast = value; break;
      case SockOption.ONLY_V6:
        if (this.family !== 6) throw new SysError(Errno.NOPROTOOPT);
        f.onlyV6 = value;
        break;
      default:
        throw new SysError(Errno.NOPROTOOPT);
    }
    this.optionFlags = f;
    this.flagChanged(option, value);
  }

  /** sock_get_opt_flag. ENOPROTOOPT: not a boolean option. */
  getFlag(option: SockOption): boolean {
    const f = this.options;
    switch (option) {
      case SockOption.REUSE_ADDR: return f.reuseAddr;
      case SockOption.REUSE_PORT: return f.reusePort;
      case SockOption.NO_DELAY: return f.noDelay;
      case SockOption.KEEP_ALIVE: return f.keepAlive;
      case SockOption.BROADCAST: return f.broadcast;
      case SockOption.ONLY_V6: return f.onlyV6;
      case SockOption.LISTENING: return this.listening;
      default: throw new SysError(Errno.NOPROTOOPT);
    }
  }

  /** sock_get_opt_size: buffer sizes, SO_ERROR (read clears it), SO_TYPE, SO_PROTOCOL, TTL. */
  getSizeOption(option: SockOption): number {
    switch (option) {
      case SockOption.RECV_BUF_SIZE:
      case SockOption.SEND_BUF_SIZE:
        return this.bufferSize(option);
      case SockOption.LAST_ERROR: {
        const e = this.lastError;
        this.lastError = 0;
        return e;
      }
      case SockOption.TYPE: return this.socktype;
      case SockOption.PROTO: return this.protocol;
      case SockOption.TTL: return 64;
      default: throw new SysError(Errno.NOPROTOOPT);
    }
  }

  /** sock_set_opt_size: buffer sizes. ENOPROTOOPT otherwise. */
  setSizeOption(option: SockOption, value: number): void {
    if (option === SockOption.RECV_BUF_SIZE || option === SockOption.SEND_BUF_SIZE) this.setBufferSize(option, value);
    else if (option !== SockOption.TTL) throw new SysError(Errno.NOPROTOOPT);
  }
}
