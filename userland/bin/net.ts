// Network utilities with busybox's names and flags: nc, httpd (static files, HTTP/1.1 keep-alive,
// directory index), wget, ip addr, hostname -i. Sockets come from lib/net.ts.
import { replaceAll } from "../lib/strings";
import { stdout, stderr, readSome, writeAll, warn } from "../lib/io";
import { getopt, parseIntOr } from "../lib/opts";
import { strerror } from "../lib/errno";
import * as fs from "../lib/fs";
import {
  accept, anyAddr, closeFd, connectTo, DGRAM, INET4, INET6, interfaceAddresses, listenOn, lookup, pollRead2,
  recvFrom, SockAddr, sendAll, sendText, sendTo, sendTwo, shutdownWrite, STREAM,
} from "../lib/net";

const BUF: usize = 65536;

function fail(prog: string, what: string, errno: i32): i32 {
  warn(prog, what + ": " + strerror(errno));
  return 1;
}

/**
 * nc [-l] [-p PORT] [-u] [HOST] [PORT]: connects to HOST PORT (or with -l listens on -p PORT and
 * takes one connection), then copies stdin to the socket and the socket to stdout until both end.
 * -u: UDP (each stdin read is one datagram; a listener answers the last peer it heard).
 */
export function ncMain(args: string[]): i32 {
  const o = getopt(args, "lp:uw:v");
  if (o.error.length > 0) { warn("nc", o.error); return 1; }
  const udp = o.has("u");
  const type = udp ? DGRAM : STREAM;
  let sock: i32 = -1;
  const peer = new SockAddr();
  let havePeer = false;
  if (o.has("l")) {
    const port = <i32>parseIntOr(o.value("p", o.operands.length > 0 ? o.operands[o.operands.length - 1] : ""), -1);
    if (port < 0) { warn("nc", "-l needs -p PORT"); return 1; }
    const lfd = listenOn(anyAddr(INET4, port), type, 1);
    if (lfd < 0) return fail("nc", "bind", -lfd);
    if (udp) sock = lfd;
    else {
      sock = accept(lfd, peer);
      closeFd(lfd);
      if (sock < 0) return fail("nc", "accept", -sock);
    }
  } else {
    if (o.operands.length < 2) { warn("nc", "usage: nc [-l] [-p PORT] [-u] HOST PORT"); return 1; }
    const host = o.operands[0];
    const port = <i32>parseIntOr(o.operands[1], -1);
    if (port < 0 || port > 65535) { warn("nc", "bad port '" + o.operands[1] + "'"); return 1; }
    if (udp) {
      const addrs = lookup(host, port);
      if (addrs.length == 0) { warn("nc", "bad address '" + host + "'"); return 1; }
      memory.copy(peer.ptr, addrs[0].ptr, 20);
      havePeer = true;
      sock = listenOn(anyAddr(addrs[0].family, 0), DGRAM);
      if (sock < 0) return fail("nc", "socket", -sock);
    } else {
      sock = connectTo(host, port, STREAM);
      if (sock < 0) return sock == -44 ? fail("nc", "bad address '" + host + "'", 44) : fail("nc", "can't connect to remote host (" + host + ")", -sock);
    }
  }
  const buf = heap.alloc(BUF);
  let stdinOpen = true;
  let sockOpen = true;
  for (;;) {
    const ready = pollRead2(stdinOpen ? 0 : -1, sockOpen ? sock : -1);
    // Input first: what stdin holds is sent even when the peer has already shut down its side.
    if (ready & 1) {
      const n = readSome(0, buf, BUF);
      if (n <= 0) {
        stdinOpen = false;
        // TCP: the peer reads EOF; a UDP client is done once its input is sent, a UDP listener keeps listening.
        if (!udp) shutdownWrite(sock);
        else if (!o.has("l")) break;
        if (!sockOpen) break;
      } else if (udp) {
        if (havePeer) sendTo(sock, buf, <usize>n, peer);
      } else if (sendAll(sock, buf, <usize>n) != 0) {
        break;
      }
    }
    if (ready & 2) {
      let n: i32;
      if (udp) {
        const from = new SockAddr();
        n = recvFrom(sock, buf, BUF, from);
        if (n >= 0) { memory.copy(peer.ptr, from.ptr, 20); havePeer = true; }
      } else {
        n = readSome(sock, buf, BUF);
      }
      if (n < 0) return fail("nc", "read", -n);
      if (n == 0 && !udp) {
        // The peer is done sending; what stdin still holds goes out before nc ends (a half-closed connection).
        sockOpen = false;
        if (!stdinOpen) break;
        continue;
      }
      stdout.flush();
      if (writeAll(1, buf, <usize>n) != 0) break;
    }
  }
  closeFd(sock);
  return 0;
}

/** The Content-Type of a file by its extension (busybox httpd's defaults). */
function contentType(path: string): string {
  const dot = path.lastIndexOf(".");
  const ext = dot < 0 ? "" : path.substring(dot + 1).toLowerCase();
  if (ext == "html" || ext == "htm") return "text/html";
  if (ext == "txt" || ext == "md") return "text/plain";
  if (ext == "css") return "text/css";
  if (ext == "js") return "application/javascript";
  if (ext == "json") return "application/json";
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "gif") return "image/gif";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "wasm") return "application/wasm";
  return "application/octet-stream";
}

/** %XX-decodes a URL path; null when it is malformed. */
function urlDecode(s: string): string | null {
  if (s.indexOf("%") < 0) return s;
  const bytes = new Array<u8>();
  const raw = String.UTF8.encode(s);
  const p = changetype<usize>(raw);
  for (let i = 0; i < raw.byteLength; i++) {
    const c = load<u8>(p + i);
    if (c == 37) {
      if (i + 2 >= raw.byteLength) return null;
      const v = parseInt(String.fromCharCode(load<u8>(p + i + 1)) + String.fromCharCode(load<u8>(p + i + 2)), 16);
      if (isNaN(v)) return null;
      bytes.push(<u8>(<i32>v));
      i += 2;
    } else bytes.push(c);
  }
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i];
  return String.UTF8.decode(out.buffer);
}

function htmlEscape(s: string): string {
  return replaceAll(replaceAll(replaceAll(replaceAll(s, "&", "&amp;"), "<", "&lt;"), ">", "&gt;"), "\"", "&quot;");
}

/** One connection of httpd: what it sent so far. */
class HttpConn {
  data: Uint8Array = new Uint8Array(0);
  constructor(public fd: i32) {}
}

const MAX_REQUEST: i32 = 16384;
const MAX_CONNS: i32 = 256;

/** An error page as busybox httpd sends one. */
function errorPage(status: string): string {
  return "<HTML><HEAD><TITLE>" + status + "</TITLE></HEAD><BODY><H1>" + status + "</H1></BODY></HTML>\n";
}

/** Sends a whole response; false when the client is gone. */
function respond(fd: i32, status: string, type: string, body: Uint8Array | null, bodyText: string, keepAlive: bool, head: bool, extra: string = ""): bool {
  const payload = body != null ? body : Uint8Array.wrap(String.UTF8.encode(bodyText));
  const header = "HTTP/1.1 " + status + "\r\nServer: wasmbox httpd\r\nContent-Type: " + type + "\r\nContent-Length: " + payload.length.toString() +
    "\r\n" + extra + (keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n") + "\r\n";
  const headerBytes = String.UTF8.encode(header);
  const bodyLen: usize = head ? 0 : <usize>payload.length;
  return sendTwo(fd, changetype<usize>(headerBytes), <usize>headerBytes.byteLength, payload.dataStart, bodyLen) == 0;
}

/**
 * A file's bytes when stat said it has `size`: one buffer of that size, read until full or EOF (no
 * read past the end to find it, no growing buffer); null when it cannot be opened or read.
 */
function readKnownSize(path: string, size: u64): Uint8Array | null {
  if (size > <u64>(64 << 20)) return fs.readFile(path);
  const fd = fs.open(path);
  if (fd < 0) return null;
  const out = new Uint8Array(<i32>size);
  let got = 0;
  while (got < out.length) {
    const n = readSome(fd, out.dataStart + <usize>got, <usize>(out.length - got));
    if (n < 0) { fs.close(fd); return null; }
    if (n == 0) break;
    got += n;
  }
  fs.close(fd);
  return got == out.length ? out : out.slice(0, got);
}

/** Answers one request; false when the connection must close. */
function serveRequest(fd: i32, request: string, root: string): bool {
  const lineEnd = request.indexOf("\r\n");
  const line = lineEnd < 0 ? request : request.substring(0, lineEnd);
  const parts = line.split(" ");
  const lower = request.toLowerCase();
  const http10 = parts.length > 2 && parts[2] == "HTTP/1.0";
  let keepAlive = !http10 && lower.indexOf("\r\nconnection: close") < 0;
  if (http10 && lower.indexOf("\r\nconnection: keep-alive") >= 0) keepAlive = true;
  if (parts.length < 3 || !parts[2].startsWith("HTTP/")) {
    respond(fd, "400 Bad Request", "text/html", null, errorPage("400 Bad Request"), false, false);
    return false;
  }
  const method = parts[0];
  const head = method == "HEAD";
  if (method != "GET" && !head) {
    return respond(fd, "501 Not Implemented", "text/html", null, errorPage("501 Not Implemented"), keepAlive, false) && keepAlive;
  }
  let target = parts[1];
  const q = target.indexOf("?");
  if (q >= 0) target = target.substring(0, q);
  const decoded = urlDecode(target);
  if (decoded == null || !decoded.startsWith("/") || decoded.indexOf("/../") >= 0 || decoded.endsWith("/..")) {
    return respond(fd, "400 Bad Request", "text/html", null, errorPage("400 Bad Request"), keepAlive, head) && keepAlive;
  }
  const path = root + decoded;
  const st = fs.stat(path);
  if (st == null) {
    return respond(fd, "404 Not Found", "text/html", null, errorPage("404 Not Found"), keepAlive, head) && keepAlive;
  }
  if (st.isDir()) {
    if (!decoded.endsWith("/")) {
      return respond(fd, "301 Moved Permanently", "text/html", null, "", keepAlive, head, "Location: " + decoded + "/\r\n") && keepAlive;
    }
    const index = fs.readFile(path + "index.html");
    if (index != null) return respond(fd, "200 OK", "text/html", index, "", keepAlive, head) && keepAlive;
    const names = fs.readdir(path);
    let page = "<HTML><HEAD><TITLE>Index of " + htmlEscape(decoded) + "</TITLE></HEAD><BODY><H1>Index of " + htmlEscape(decoded) + "</H1><UL>\n";
    if (names != null) {
      const sorted = names.map<string>((e: fs.DirEntry): string => e.type == 3 ? e.name + "/" : e.name);
      sorted.sort(fs.compareStrings);
      for (let i = 0; i < sorted.length; i++) {
        const n = htmlEscape(sorted[i]);
        page += "<LI><A HREF=\"" + n + "\">" + n + "</A></LI>\n";
      }
    }
    page += "</UL></BODY></HTML>\n";
    return respond(fd, "200 OK", "text/html", null, page, keepAlive, head) && keepAlive;
  }
  const data = readKnownSize(path, st.size);
  if (data == null) {
    return respond(fd, "403 Forbidden", "text/html", null, errorPage("403 Forbidden"), keepAlive, head) && keepAlive;
  }
  return respond(fd, "200 OK", contentType(path), data, "", keepAlive, head) && keepAlive;
}

const POLL_SUB: usize = 48;
const POLL_EVENT: usize = 32;
@external("wasi_snapshot_preview1", "poll_oneoff") declare function poll_oneoff(subs: usize, events: usize, n: usize, ret: usize): i32;

/**
 * httpd [-f] [-p [IP:]PORT] [-h HOME]: serves the files under HOME (default .) over HTTP/1.1 with
 * keep-alive and directory listings (index.html when there is one), many connections at once
 * (one poll loop). -f (foreground) is how it always runs here.
 */
export function httpdMain(args: string[]): i32 {
  const o = getopt(args, "fvp:h:c:r:u:");
  if (o.error.length > 0) { warn("httpd", o.error); return 1; }
  let portText = o.value("p", "80");
  let ip = "";
  const colon = portText.lastIndexOf(":");
  if (colon >= 0) { ip = portText.substring(0, colon); portText = portText.substring(colon + 1); }
  const port = <i32>parseIntOr(portText, -1);
  if (port < 0 || port > 65535) { warn("httpd", "bad port '" + portText + "'"); return 1; }
  let root = o.value("h", ".");
  while (root.length > 1 && root.endsWith("/")) root = root.substring(0, root.length - 1);
  if (root == "/") root = "";
  let addr = anyAddr(INET4, port);
  if (ip.length > 0) {
    const found = lookup(ip, port);
    if (found.length == 0) { warn("httpd", "bad address '" + ip + "'"); return 1; }
    addr = found[0];
  }
  const lfd = listenOn(addr, STREAM, 511);
  if (lfd < 0) return fail("httpd", "bind", -lfd);
  const conns = new Array<HttpConn>();
  const subs = heap.alloc(POLL_SUB * <usize>(MAX_CONNS + 1));
  const events = heap.alloc(POLL_EVENT * <usize>(MAX_CONNS + 1));
  const nret = heap.alloc(8);
  const buf = heap.alloc(BUF);
  const peer = new SockAddr();
  for (;;) {
    const n = conns.length + 1;
    memory.fill(subs, 0, POLL_SUB * <usize>n);
    for (let i = 0; i < n; i++) {
      const s = subs + <usize>i * POLL_SUB;
      store<u64>(s, <u64>i);
      store<u8>(s, 1, 8);
      store<u32>(s, <u32>(i == 0 ? lfd : conns[i - 1].fd), 16);
    }
    if (poll_oneoff(subs, events, <usize>n, nret) != 0) continue;
    const got = load<u32>(nret);
    const closed = new Set<i32>();
    for (let e: u32 = 0; e < got; e++) {
      const which = <i32>load<u64>(events + <usize>e * POLL_EVENT);
      if (which == 0) {
        if (conns.length >= MAX_CONNS) continue;
        const cfd = accept(lfd, peer);
        if (cfd >= 0) conns.push(new HttpConn(cfd));
        continue;
      }
      const conn = conns[which - 1];
      const r = readSome(conn.fd, buf, BUF);
      if (r <= 0) { closed.add(which - 1); continue; }
      const joined = new Uint8Array(conn.data.length + r);
      joined.set(conn.data);
      memory.copy(joined.dataStart + <usize>conn.data.length, buf, <usize>r);
      conn.data = joined;
      // Every complete request in what arrived (pipelined requests too).
      for (;;) {
        const text = String.UTF8.decode(conn.data.buffer);
        const end = text.indexOf("\r\n\r\n");
        if (end < 0) {
          if (conn.data.length > MAX_REQUEST) closed.add(which - 1);
          break;
        }
        const consumed = String.UTF8.byteLength(text.substring(0, end + 4));
        conn.data = conn.data.slice(consumed);
        if (!serveRequest(conn.fd, text.substring(0, end + 4), root)) { closed.add(which - 1); break; }
      }
    }
    if (closed.size > 0) {
      const kept = new Array<HttpConn>();
      for (let i = 0; i < conns.length; i++) {
        if (closed.has(i)) closeFd(conns[i].fd);
        else kept.push(conns[i]);
      }
      conns.length = 0;
      for (let i = 0; i < kept.length; i++) conns.push(kept[i]);
    }
  }
  return 0;
}

/**
 * wget [-q] [-O FILE|-] http://HOST[:PORT]/PATH: fetches one URL (HTTP/1.1, Connection: close)
 * into FILE, stdout (-O -), or the last part of the path (index.html for "/").
 */
export function wgetMain(args: string[]): i32 {
  const o = getopt(args, "qO:T:");
  if (o.error.length > 0 || o.operands.length != 1) { warn("wget", "usage: wget [-q] [-O FILE] URL"); return 1; }
  const quiet = o.has("q");
  const url = o.operands[0];
  if (!url.startsWith("http://")) { warn("wget", "unsupported URL: " + url); return 1; }
  let rest = url.substring(7);
  const slash = rest.indexOf("/");
  const hostPort = slash < 0 ? rest : rest.substring(0, slash);
  const path = slash < 0 ? "/" : rest.substring(slash);
  let host = hostPort;
  let port = 80;
  const bracket = hostPort.startsWith("[") ? hostPort.indexOf("]") : -1;
  const colon = hostPort.lastIndexOf(":");
  if (colon > bracket && colon >= 0) {
    host = hostPort.substring(0, colon);
    port = <i32>parseIntOr(hostPort.substring(colon + 1), -1);
    if (port < 0 || port > 65535) { warn("wget", "bad port in " + url); return 1; }
  }
  if (bracket >= 0) host = host.substring(1, host.indexOf("]"));
  const fd = connectTo(host, port, STREAM);
  if (fd < 0) {
    if (fd == -44) { warn("wget", "bad address '" + host + "'"); return 1; }
    return fail("wget", "can't connect to remote host (" + host + ")", -fd);
  }
  if (!quiet) stderr.line("Connecting to " + hostPort).flush();
  sendText(fd, "GET " + path + " HTTP/1.1\r\nHost: " + hostPort + "\r\nUser-Agent: Wget\r\nConnection: close\r\n\r\n");
  const buf = heap.alloc(BUF);
  let all = new Uint8Array(0);
  for (;;) {
    const n = readSome(fd, buf, BUF);
    if (n < 0) { closeFd(fd); return fail("wget", "read", -n); }
    if (n == 0) break;
    const joined = new Uint8Array(all.length + n);
    joined.set(all);
    memory.copy(joined.dataStart + <usize>all.length, buf, <usize>n);
    all = joined;
  }
  closeFd(fd);
  // The header ends at the first blank line; the body is what follows.
  let headerEnd = -1;
  for (let i = 0; i + 3 < all.length; i++) {
    if (all[i] == 13 && all[i + 1] == 10 && all[i + 2] == 13 && all[i + 3] == 10) { headerEnd = i; break; }
  }
  if (headerEnd < 0) { warn("wget", "bad response from server"); return 1; }
  const header = String.UTF8.decode(all.slice(0, headerEnd).buffer);
  const status = header.substring(0, header.indexOf("\r\n") < 0 ? header.length : header.indexOf("\r\n"));
  const code = status.split(" ").length > 1 ? status.split(" ")[1] : "";
  if (!code.startsWith("2")) { warn("wget", "server returned error: " + status); return 1; }
  const body = all.slice(headerEnd + 4);
  let out = o.value("O", "");
  if (out.length == 0) {
    const last = path.substring(path.lastIndexOf("/") + 1);
    out = last.length > 0 ? last : "index.html";
  }
  if (out == "-") {
    stdout.data(body);
    stdout.flush();
    return 0;
  }
  if (!quiet) stderr.line("saving to '" + out + "'").flush();
  const err = fs.writeFile(out, body);
  if (err != 0) return fail("wget", out, err);
  if (!quiet) stderr.line("'" + out + "' saved").flush();
  return 0;
}

/** ip addr [show]: the namespace's interfaces and addresses (ip a as well). */
export function ipMain(args: string[]): i32 {
  if (args.length == 0 || !("address".startsWith(args[0]) && args[0].length > 0)) {
    warn("ip", "usage: ip addr [show]");
    return 1;
  }
  if (args.length > 1 && args[1] != "show" && args[1] != "list") { warn("ip", "usage: ip addr [show]"); return 1; }
  const addrs = interfaceAddresses();
  const lo = new Array<string>();
  const others = new Array<Array<string>>();
  for (let i = 0; i < addrs.length; i++) {
    const a = addrs[i];
    const loopback = a.v6 ? a.ip == "::1" : a.ip.startsWith("127.");
    const line = (a.v6 ? "    inet6 " : "    inet ") + a.ip + "/" + a.prefix.toString() + (loopback ? " scope host" : " scope global");
    if (loopback) lo.push(line);
    else if (!a.v6 || others.length == 0) others.push([line]);
    else others[others.length - 1].push(line);
  }
  stdout.line("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000");
  stdout.line("    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00");
  for (let i = 0; i < lo.length; i++) stdout.line(lo[i] + (lo[i].startsWith("    inet ") ? " lo" : ""));
  for (let i = 0; i < others.length; i++) {
    const name = "eth" + i.toString();
    stdout.line((i + 2).toString() + ": " + name + ": <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue qlen 1000");
    for (let j = 0; j < others[i].length; j++) stdout.line(others[i][j] + (others[i][j].startsWith("    inet ") ? " " + name : ""));
  }
  return 0;
}

/** hostname -i: the addresses the host name resolves to, space-separated. */
export function hostnameAddresses(name: string): i32 {
  const addrs = lookup(name, 0);
  if (addrs.length == 0) { warn("hostname", name + ": unknown host"); return 1; }
  let line = "";
  for (let i = 0; i < addrs.length; i++) line += (i > 0 ? " " : "") + addrs[i].ip();
  stdout.line(line);
  return 0;
}
