// Socket addresses of the kernel's network stack: IPv4 and IPv6 as text in canonical form (so that
// they key maps), parsing and formatting, and the byte forms the WASIX ABI carries (addr_t, addr_port_t).
import { Errno, SysError } from "../errno.js";

export type Family = 4 | 6;

/** An IP address and port; `ip` is canonical text ("10.88.0.2", "::1"). */
export interface SockAddr {
  readonly family: Family;
  readonly ip: string;
  readonly port: number;
}

export const ANY4 = "0.0.0.0";
export const ANY6 = "::";
export const LOOPBACK4 = "127.0.0.1";
export const LOOPBACK6 = "::1";

/** The wildcard address of a family. */
export function anyAddress(family: Family): string {
  return family === 4 ? ANY4 : ANY6;
}

/** Whether `ip` is a wildcard (INADDR_ANY, in6addr_any). */
export function isAny(ip: string): boolean {
  return ip === ANY4 || ip === ANY6;
}

/** Whether `ip` is a loopback address (127.0.0.0/8, ::1). */
export function isLoopback(ip: string): boolean {
  return ip === LOOPBACK6 || ip.startsWith("127.");
}

/**
 * The four octets of a dotted-quad IPv4 address in the canonical spelling (no leading zeros), or
 * undefined: a scan, where node's isIPv4 runs a regular expression (this is on every connect and accept).
 */
function ipv4Octets(text: string): [number, number, number, number] | undefined {
  const out: [number, number, number, number] = [0, 0, 0, 0];
  let part = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part === 3) return undefined;
      out[part++] = value;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return undefined;
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return undefined;
    } else {
      return undefined;
    }
  }
  if (digits === 0 || part !== 3) return undefined;
  out[3] = value;
  return out;
}

/** The family of an address in text, or undefined when it is not one. */
export function familyOf(text: string): Family | undefined {
  if (ipv4Octets(text)) return 4;
  if (text.includes(":") && isIPv6(text)) return 6;
  return undefined;
}

// node:net's IPv6 check, loaded on first use: a module run that never meets an address does not pay for node:net.
function isIPv6(text: string): boolean {
  return process.getBuiltinModule("node:net").isIPv6(text);
}

/** The 4 or 16 bytes of an address in text. */
export function ipBytes(ip: string): Uint8Array {
  const octets = ipv4Octets(ip);
  if (octets) return Uint8Array.from(octets);
  if (!isIPv6(ip)) throw new SysError(Errno.INVAL, `not an IP address: ${ip}`);
  let text = ip;
  const out = new Uint8Array(16);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const b = ipBytes(v4[1]);
    text = text.slice(0, -v4[1].length) + `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const groups = [...headGroups, ...new Array<string>(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** The canonical text of 4 or 16 address bytes (RFC 5952 for IPv6: lowercase, longest zero run as ::). */
export function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(":");
  return `${hex.slice(0, bestAt).join(":")}::${hex.slice(bestAt + bestLen).join(":")}`;
}

/** An address in canonical form: parses `ip` (any valid spelling) and formats it back. EINVAL if not an address. */
export function canonicalIp(ip: string): string {
  const family = familyOf(ip);
  if (family === undefined) throw new SysError(Errno.INVAL, `not an IP address: ${ip}`);
  return family === 4 ? ip : ipText(ipBytes(ip));
}

/** "ip:port", with brackets around IPv6 ("[::1]:80"). */
export function formatSockAddr(addr: SockAddr): string {
  return addr.family === 6 ? `[${addr.ip}]:${addr.port}` : `${addr.ip}:${addr.port}`;
}

/** WASIX address families (addressfamily): unspec, inet4, inet6, unix. */
export const enum AddressFamily { UNSPEC = 0, INET4 = 1, INET6 = 2, UNIX = 3 }

/** sizeof(__wasi_addr_port_t): tag u8, padding u8, 18 bytes (port, then the address). */
export const ADDR_PORT_SIZE = 20;
/** sizeof(__wasi_addr_t): tag u8, padding u8, 16 address bytes. */
export const ADDR_SIZE = 18;

/**
 * Decodes an addr_port_t: tag at 0, port at 2 (network byte order, as a sockaddr's sin_port is
 * copied), address bytes from 4. EAFNOSUPPORT: a tag that is not inet4 or inet6.
 */
export function decodeAddrPort(bytes: Uint8Array): SockAddr {
  const tag = bytes[0];
  const port = (bytes[2] << 8) | bytes[3];
  if (tag === AddressFamily.INET4) return { family: 4, ip: ipText(bytes.subarray(4, 8)), port };
  if (tag === AddressFamily.INET6) return { family: 6, ip: ipText(bytes.subarray(4, 20)), port };
  throw new SysError(Errno.AFNOSUPPORT);
}

/** Encodes an addr_port_t (see decodeAddrPort). */
export function encodeAddrPort(addr: SockAddr, out: Uint8Array): void {
  out.fill(0, 0, ADDR_PORT_SIZE);
  out[0] = addr.family === 4 ? AddressFamily.INET4 : AddressFamily.INET6;
  out[2] = addr.port >> 8;
  out[3] = addr.port & 0xff;
  // IPv4 (every accept's peer) is written as it is scanned: no byte array made.
  if (!writeIpv4(addr.ip, out, 4)) out.set(ipBytes(addr.ip), 4);
}

/** Writes the four octets of a canonical dotted quad at `out[at]`; false when `ip` is not one. */
function writeIpv4(ip: string, out: Uint8Array, at: number): boolean {
  let part = 0;
  let value = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (part === 3 || value > 255) return false;
      out[at + part++] = value;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
    } else {
      return false;
    }
  }
  if (part !== 3 || value > 255) return false;
  out[at + 3] = value;
  return true;
}

/** Encodes an addr_t (tag at 0, address bytes from 2), as `resolve` returns them. */
export function encodeAddr(ip: string, out: Uint8Array): void {
  out.fill(0, 0, ADDR_SIZE);
  const bytes = ipBytes(ip);
  out[0] = bytes.length === 4 ? AddressFamily.INET4 : AddressFamily.INET6;
  out.set(bytes, 2);
}
