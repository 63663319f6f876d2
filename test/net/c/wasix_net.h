/* The WASIX socket calls (module wasix_32v1) as wasmbox provides them, declared for test guests,
   and small helpers over them (addresses as text, errno names). */
#ifndef WASIX_NET_H
#define WASIX_NET_H
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

typedef struct { uint8_t tag; uint8_t pad; uint8_t octs[18]; } wx_addr_port;
typedef struct { uint8_t tag; uint8_t pad; uint8_t octs[16]; } wx_addr;

#define WX_INET4 1
#define WX_INET6 2
#define WX_STREAM 1
#define WX_DGRAM 2
#define WX_OPT_REUSE_ADDR 2
#define WX_OPT_NO_DELAY 3
#define WX_OPT_KEEP_ALIVE 12
#define WX_OPT_RECV_BUF 15
#define WX_OPT_SEND_BUF 16
#define WX_OPT_LISTENING 10
#define WX_OPT_TYPE 25

#define WASIX(name) __attribute__((import_module("wasix_32v1"), import_name(#name)))
WASIX(sock_open) int32_t wx_sock_open(int32_t af, int32_t type, int32_t proto, int32_t *fd);
WASIX(sock_bind) int32_t wx_sock_bind(int32_t fd, const wx_addr_port *addr);
WASIX(sock_listen) int32_t wx_sock_listen(int32_t fd, int32_t backlog);
WASIX(sock_connect) int32_t wx_sock_connect(int32_t fd, const wx_addr_port *addr);
WASIX(sock_accept_v2) int32_t wx_sock_accept_v2(int32_t fd, int32_t flags, int32_t *newfd, wx_addr_port *addr);
WASIX(sock_addr_local) int32_t wx_sock_addr_local(int32_t fd, wx_addr_port *addr);
WASIX(sock_addr_peer) int32_t wx_sock_addr_peer(int32_t fd, wx_addr_port *addr);
WASIX(sock_recv_from) int32_t wx_sock_recv_from(int32_t fd, const __wasi_iovec_t *iov, int32_t iovcnt, int32_t flags, uint32_t *n, uint16_t *roflags, wx_addr_port *addr);
WASIX(sock_send_to) int32_t wx_sock_send_to(int32_t fd, const __wasi_ciovec_t *iov, int32_t iovcnt, int32_t flags, const wx_addr_port *addr, uint32_t *n);
WASIX(sock_set_opt_flag) int32_t wx_sock_set_opt_flag(int32_t fd, int32_t opt, int32_t flag);
WASIX(sock_get_opt_flag) int32_t wx_sock_get_opt_flag(int32_t fd, int32_t opt, uint8_t *flag);
WASIX(sock_set_opt_size) int32_t wx_sock_set_opt_size(int32_t fd, int32_t opt, uint64_t size);
WASIX(sock_get_opt_size) int32_t wx_sock_get_opt_size(int32_t fd, int32_t opt, uint64_t *size);
WASIX(sock_status) int32_t wx_sock_status(int32_t fd, uint8_t *status);
WASIX(resolve) int32_t wx_resolve(const char *host, uint32_t len, int32_t port, wx_addr *addrs, uint32_t n, uint32_t *got);

/* The name of a socket-related errno. */
static const char *errname(int e) {
  switch (e) {
    case 0: return "OK";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EAGAIN: return "EAGAIN";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case EINVAL: return "EINVAL";
    case EISCONN: return "EISCONN";
    case EMFILE: return "EMFILE";
    case ENETUNREACH: return "ENETUNREACH";
    case ENOENT: return "ENOENT";
    case ENOTCONN: return "ENOTCONN";
    case ENOTSOCK: return "ENOTSOCK";
    case EPIPE: return "EPIPE";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    default: return "E?";
  }
}

/* Resolves HOST (a name or literal) to its first address of `family` (0: any) with PORT. */
static int wx_lookup(const char *host, int port, int family, wx_addr_port *out) {
  wx_addr addrs[8];
  uint32_t got = 0;
  int e = wx_resolve(host, strlen(host), port, addrs, 8, &got);
  if (e) return e;
  for (uint32_t i = 0; i < got; i++) {
    if (family && addrs[i].tag != family) continue;
    memset(out, 0, sizeof *out);
    out->tag = addrs[i].tag;
    out->octs[0] = port >> 8;
    out->octs[1] = port & 0xff;
    memcpy(out->octs + 2, addrs[i].octs, addrs[i].tag == WX_INET4 ? 4 : 16);
    return 0;
  }
  return ENOENT;
}

/* A wildcard address of `family` with PORT. */
static wx_addr_port wx_any(int family, int port) {
  wx_addr_port a;
  memset(&a, 0, sizeof a);
  a.tag = family;
  a.octs[0] = port >> 8;
  a.octs[1] = port & 0xff;
  return a;
}

/* "ip:port" (IPv6 bracketed, zero runs not compressed: for tests, equality is what matters). */
static const char *wx_text(const wx_addr_port *a) {
  static char buf[64];
  int port = (a->octs[0] << 8) | a->octs[1];
  if (a->tag == WX_INET4) {
    snprintf(buf, sizeof buf, "%d.%d.%d.%d:%d", a->octs[2], a->octs[3], a->octs[4], a->octs[5], port);
  } else {
    char *p = buf;
    *p++ = '[';
    for (int i = 0; i < 8; i++) p += sprintf(p, i ? ":%x" : "%x", (a->octs[2 + 2 * i] << 8) | a->octs[3 + 2 * i]);
    sprintf(p, "]:%d", port);
  }
  return buf;
}
#endif
