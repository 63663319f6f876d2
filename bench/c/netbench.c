/* The network benchmark's guest: a TCP sink and source, and a connection server and client
   (WASIX socket calls, see test/net/c/wasix_net.h). Usage: netbench COMMAND ARGS... */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "../../test/net/c/wasix_net.h"

static int listen_on(int port, int backlog) {
  int fd;
  if (wx_sock_open(WX_INET4, WX_STREAM, 0, &fd)) return -1;
  wx_sock_set_opt_flag(fd, WX_OPT_REUSE_ADDR, 1);
  wx_addr_port any = wx_any(WX_INET4, port);
  if (wx_sock_bind(fd, &any) || wx_sock_listen(fd, backlog)) return -1;
  return fd;
}

/* Resolves `host` once, as a client resolves before it connects (the connection loop reuses it). */
static int lookup(const char *host, int port, wx_addr_port *to) {
  return wx_lookup(host, port, WX_INET4, to) ? -1 : 0;
}

/* Connects to `to`, retrying (1 ms apart) while nobody listens yet. */
static int dial(const wx_addr_port *to) {
  for (int tries = 0; tries < 5000; tries++) {
    int fd;
    if (wx_sock_open(WX_INET4, WX_STREAM, 0, &fd)) return -1;
    int e = wx_sock_connect(fd, to);
    if (e == 0) return fd;
    close(fd);
    if (e != ECONNREFUSED) return -1;
    struct timespec t = { 0, 1000000 };
    nanosleep(&t, NULL);
  }
  return -1;
}

int main(int argc, char **argv) {
  /* 128 KiB reads and writes, as iperf3's TCP default. */
  static char buf[128 * 1024];
  if (argc < 3) return 2;
  if (!strcmp(argv[1], "tcp-sink")) {
    int l = listen_on(atoi(argv[2]), 4);
    int c;
    wx_addr_port peer;
    if (l < 0 || wx_sock_accept_v2(l, 0, &c, &peer)) return 1;
    long long total = 0;
    ssize_t n;
    while ((n = read(c, buf, sizeof buf)) > 0) total += n;
    printf("%lld\n", total);
    return 0;
  }
  if (!strcmp(argv[1], "tcp-source") && argc == 5) {
    wx_addr_port to;
    if (lookup(argv[2], atoi(argv[3]), &to)) return 1;
    int fd = dial(&to);
    if (fd < 0) return 1;
    long long left = atoll(argv[4]) * 1024 * 1024;
    while (left > 0) {
      ssize_t n = write(fd, buf, left < (long long)sizeof buf ? (size_t)left : sizeof buf);
      if (n <= 0) return 1;
      left -= n;
    }
    close(fd);
    return 0;
  }
  if (!strcmp(argv[1], "conn-server") && argc == 4) {
    /* 511: the backlog node:net's and nginx's servers listen with. */
    int l = listen_on(atoi(argv[2]), 511);
    int count = atoi(argv[3]);
    for (int i = 0; i < count; i++) {
      int c;
      wx_addr_port peer;
      if (wx_sock_accept_v2(l, 0, &c, &peer)) return 1;
      close(c);
    }
    return 0;
  }
  if (!strcmp(argv[1], "conn-client") && argc == 5) {
    int count = atoi(argv[4]);
    wx_addr_port to;
    if (lookup(argv[2], atoi(argv[3]), &to)) return 1;
    for (int i = 0; i < count; i++) {
      int fd = dial(&to);
      if (fd < 0) return 1;
      close(fd);
    }
    return 0;
  }
  return 2;
}
