/* A test guest for the kernel's sockets: TCP and UDP echo servers and clients, a poll-driven
   server, a server that holds a connection until killed, and checks of options and errors.
   Usage: net COMMAND ARGS... (see main). */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "wasix_net.h"

static int family_of(const char *s) { return strcmp(s, "6") == 0 ? WX_INET6 : WX_INET4; }

static void nap_ms(int ms) {
  struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep(&t, NULL);
}

static int must(int e, const char *what) {
  if (e) {
    printf("%s: %s\n", what, errname(e));
    fflush(stdout);
    exit(1);
  }
  return 0;
}

/* Where servers bind: NET_BIND's address if set (a host-network container stays on loopback), else the wildcard. */
static wx_addr_port bind_addr(int family, int port) {
  wx_addr_port a = wx_any(family, port);
  const char *host = getenv("NET_BIND");
  if (host) must(wx_lookup(host, port, family, &a), "resolve NET_BIND");
  return a;
}

static int listener(int family, int port, int backlog) {
  int fd;
  must(wx_sock_open(family, WX_STREAM, 0, &fd), "sock_open");
  must(wx_sock_set_opt_flag(fd, WX_OPT_REUSE_ADDR, 1), "reuseaddr");
  wx_addr_port any = bind_addr(family, port);
  must(wx_sock_bind(fd, &any), "bind");
  must(wx_sock_listen(fd, backlog), "listen");
  return fd;
}

/* Connects to HOST:PORT, retrying while nobody listens yet (for up to 5 s; not at all with NET_NO_RETRY set). */
static int dial(const char *host, int port, int family) {
  wx_addr_port to;
  must(wx_lookup(host, port, family, &to), "resolve");
  for (int tries = 0;; tries++) {
    int fd;
    must(wx_sock_open(to.tag, WX_STREAM, 0, &fd), "sock_open");
    int e = wx_sock_connect(fd, &to);
    if (e == 0) return fd;
    close(fd);
    if (e != ECONNREFUSED || tries >= 500 || getenv("NET_NO_RETRY")) must(e, "connect");
    nap_ms(10);
  }
}

/* Echoes one connection until EOF; returns the bytes echoed. */
static long echo(int fd) {
  char buf[4096];
  long total = 0;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) must(errno, "read");
    if (n == 0) return total;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(fd, buf + off, n - off);
      if (w < 0) must(errno, "write");
      off += w;
    }
    total += n;
  }
}

/* tcp-server FAMILY PORT COUNT: accepts COUNT connections in turn and echoes each. */
static int tcp_server(int family, int port, int count) {
  int lfd = listener(family, port, 16);
  for (int i = 0; i < count; i++) {
    int cfd;
    wx_addr_port peer;
    must(wx_sock_accept_v2(lfd, 0, &cfd, &peer), "accept");
    long n = echo(cfd);
    printf("served %ld bytes to %s\n", n, wx_text(&peer));
    close(cfd);
  }
  return 0;
}

/* tcp-client HOST PORT MESSAGE [FAMILY]: sends MESSAGE, shuts down writing, prints the echo. */
static int tcp_client(const char *host, int port, const char *msg, int family) {
  int fd = dial(host, port, family);
  wx_addr_port local, peer;
  must(wx_sock_addr_local(fd, &local), "addr_local");
  must(wx_sock_addr_peer(fd, &peer), "addr_peer");
  printf("peer %s\n", wx_text(&peer));
  size_t len = strlen(msg);
  if (send(fd, msg, len, 0) != (ssize_t)len) must(errno, "send");
  must(shutdown(fd, SHUT_WR) ? errno : 0, "shutdown");
  char buf[4096];
  size_t got = 0;
  for (;;) {
    ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
    if (n < 0) must(errno, "recv");
    if (n == 0) break;
    got += n;
  }
  buf[got] = 0;
  printf("echo %s\n", buf);
  close(fd);
  return 0;
}

/* tcp-poll-server PORT COUNT: serves COUNT concurrent clients from one process with poll(). */
static int tcp_poll_server(int port, int count) {
  int lfd = listener(WX_INET4, port, 64);
  fcntl(lfd, F_SETFL, O_NONBLOCK);
  struct pollfd fds[129];
  int n = 1, served = 0, most = 0;
  fds[0].fd = lfd;
  fds[0].events = POLLIN;
  while (served < count) {
    if (poll(fds, n, 5000) <= 0) must(ETIMEDOUT, "poll");
    if (fds[0].revents & POLLIN) {
      int cfd;
      wx_addr_port peer;
      int e;
      while ((e = wx_sock_accept_v2(lfd, 0, &cfd, &peer)) == 0) {
        fds[n].fd = cfd;
        fds[n].events = POLLIN;
        fds[n].revents = 0;
        n++;
      }
      if (e != EAGAIN) must(e, "accept");
      if (n - 1 > most) most = n - 1;
    }
    for (int i = 1; i < n; i++) {
      if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[512];
      ssize_t r = read(fds[i].fd, buf, sizeof buf);
      if (r > 0) {
        if (write(fds[i].fd, buf, r) != r) must(errno, "write");
      } else {
        close(fds[i].fd);
        fds[i] = fds[n - 1];
        n--;
        i--;
        served++;
      }
    }
  }
  printf("served %d clients, at most %d at once\n", served, most);
  return 0;
}

/*
 * tcp-poll-batch PORT COUNT: accepts COUNT connections, says "polling", then polls them all once
 * (blocking) and says how many that one poll found readable.
 */
static int tcp_poll_batch(int port, int count) {
  int lfd = listener(WX_INET4, port, 64);
  struct pollfd fds[64];
  for (int i = 0; i < count; i++) {
    wx_addr_port peer;
    must(wx_sock_accept_v2(lfd, 0, &fds[i].fd, &peer), "accept");
    fds[i].events = POLLIN;
    fds[i].revents = 0;
  }
  printf("polling\n");
  fflush(stdout);
  int ready = poll(fds, count, 5000);
  if (ready <= 0) must(ETIMEDOUT, "poll");
  printf("one poll: %d of %d readable\n", ready, count);
  return 0;
}

/* tcp-hold PORT: accepts one connection, reads one byte, then waits for more forever (to be killed). */
static int tcp_hold(int port) {
  int lfd = listener(WX_INET4, port, 4);
  int cfd;
  wx_addr_port peer;
  must(wx_sock_accept_v2(lfd, 0, &cfd, &peer), "accept");
  char c;
  if (read(cfd, &c, 1) != 1) must(errno, "read");
  printf("holding\n");
  fflush(stdout);
  for (;;) nap_ms(1000);
}

/* tcp-wait HOST PORT DATA: sends DATA, then reads until EOF or an error, printing which. */
static int tcp_wait(const char *host, int port, const char *data) {
  int fd = dial(host, port, 0);
  if (write(fd, data, strlen(data)) < 0) must(errno, "write");
  char buf[64];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) continue;
    if (n == 0) printf("read: EOF\n");
    else printf("read: %s\n", errname(errno));
    break;
  }
  /* send(), not write(): a write to a broken connection raises SIGPIPE, sock_send only fails. */
  ssize_t w = send(fd, "z", 1, 0);
  printf("send after: %s\n", w < 0 ? errname(errno) : "OK");
  return 0;
}

/* udp-server FAMILY PORT COUNT: answers COUNT datagrams with their text upper-cased. */
static int udp_server(int family, int port, int count) {
  int fd;
  must(wx_sock_open(family, WX_DGRAM, 0, &fd), "sock_open");
  wx_addr_port any = bind_addr(family, port);
  must(wx_sock_bind(fd, &any), "bind");
  for (int i = 0; i < count; i++) {
    char buf[1024];
    __wasi_iovec_t iov = { (uint8_t *)buf, sizeof buf };
    uint32_t n;
    uint16_t roflags;
    wx_addr_port from;
    must(wx_sock_recv_from(fd, &iov, 1, 0, &n, &roflags, &from), "recv_from");
    for (uint32_t j = 0; j < n; j++) if (buf[j] >= 'a' && buf[j] <= 'z') buf[j] -= 32;
    __wasi_ciovec_t out = { (const uint8_t *)buf, n };
    uint32_t sent;
    must(wx_sock_send_to(fd, &out, 1, 0, &from, &sent), "send_to");
    printf("answered %u bytes from %s\n", n, wx_text(&from));
  }
  return 0;
}

/* udp-client HOST PORT MESSAGE: sends MESSAGE until an answer comes (every 50 ms, up to 5 s). */
static int udp_client(const char *host, int port, const char *msg) {
  wx_addr_port to;
  must(wx_lookup(host, port, 0, &to), "resolve");
  int fd;
  must(wx_sock_open(to.tag, WX_DGRAM, 0, &fd), "sock_open");
  for (int tries = 0; tries < 100; tries++) {
    __wasi_ciovec_t out = { (const uint8_t *)msg, strlen(msg) };
    uint32_t sent;
    must(wx_sock_send_to(fd, &out, 1, 0, &to, &sent), "send_to");
    struct pollfd p = { fd, POLLIN, 0 };
    if (poll(&p, 1, 50) == 1) {
      char buf[1024];
      __wasi_iovec_t iov = { (uint8_t *)buf, sizeof buf - 1 };
      uint32_t n;
      uint16_t roflags;
      wx_addr_port from;
      must(wx_sock_recv_from(fd, &iov, 1, 0, &n, &roflags, &from), "recv_from");
      buf[n] = 0;
      printf("reply %s from %s\n", buf, wx_text(&from));
      return 0;
    }
  }
  printf("no reply\n");
  return 1;
}

/* checks: options and errors on loopback, one line each. */
static int checks(void) {
  int a = listener(WX_INET4, 7000, 1);
  int b;
  must(wx_sock_open(WX_INET4, WX_STREAM, 0, &b), "sock_open");
  wx_addr_port same = wx_any(WX_INET4, 7000);
  printf("bind taken: %s\n", errname(wx_sock_bind(b, &same)));
  uint8_t flag;
  must(wx_sock_get_opt_flag(a, WX_OPT_LISTENING, &flag), "get listening");
  printf("listening: %d\n", flag);
  must(wx_sock_set_opt_flag(b, WX_OPT_NO_DELAY, 1), "nodelay");
  must(wx_sock_get_opt_flag(b, WX_OPT_NO_DELAY, &flag), "get nodelay");
  printf("nodelay: %d\n", flag);
  must(wx_sock_set_opt_size(b, WX_OPT_RECV_BUF, 65536), "rcvbuf");
  uint64_t size;
  must(wx_sock_get_opt_size(b, WX_OPT_RECV_BUF, &size), "get rcvbuf");
  printf("rcvbuf: %llu\n", (unsigned long long)size);
  printf("bad option: %s\n", errname(wx_sock_set_opt_flag(b, 99, 1)));
  fcntl(a, F_SETFL, O_NONBLOCK);
  int c;
  wx_addr_port peer;
  printf("accept empty nonblocking: %s\n", errname(wx_sock_accept_v2(a, 0, &c, &peer)));
  wx_addr_port nobody;
  must(wx_lookup("localhost", 7001, WX_INET4, &nobody), "resolve");
  printf("connect to nobody: %s\n", errname(wx_sock_connect(b, &nobody)));
  wx_addr_port far;
  must(wx_lookup("192.0.2.1", 80, 0, &far), "resolve literal");
  printf("connect outside: %s\n", errname(wx_sock_connect(b, &far)));
  /* The backlog is 1: the first connect is queued, the second (nonblocking) finds it full. */
  int d, e;
  must(wx_sock_open(WX_INET4, WX_STREAM, 0, &d), "sock_open");
  must(wx_sock_open(WX_INET4, WX_STREAM, 0, &e), "sock_open");
  wx_addr_port here;
  must(wx_lookup("127.0.0.1", 7000, 0, &here), "resolve");
  printf("connect: %s\n", errname(wx_sock_connect(d, &here)));
  fcntl(e, F_SETFL, O_NONBLOCK);
  printf("connect to a full backlog: %s\n", errname(wx_sock_connect(e, &here)));
  printf("accept: %s\n", errname(wx_sock_accept_v2(a, 0, &c, &peer)));
  char buf[8];
  fcntl(c, F_SETFL, O_NONBLOCK);
  printf("read empty nonblocking: %s\n", read(c, buf, 8) < 0 ? errname(errno) : "data");
  printf("send before connect: %s\n", send(e, "x", 1, 0) < 0 ? errname(errno) : "sent");
  printf("recv on a file: %s\n", recv(1, buf, 1, 0) < 0 ? errname(errno) : "data");
  wx_addr_port v6;
  must(wx_lookup("::1", 7002, 0, &v6), "resolve v6");
  int l6 = listener(WX_INET6, 7002, 4), s6;
  must(wx_sock_open(WX_INET6, WX_STREAM, 0, &s6), "sock_open v6");
  printf("connect v6: %s\n", errname(wx_sock_connect(s6, &v6)));
  int c6;
  must(wx_sock_accept_v2(l6, 0, &c6, &peer), "accept v6");
  printf("v6 peer: %s\n", wx_text(&peer));
  printf("resolve unknown: %s\n", errname(wx_lookup("no-such-host", 1, 0, &peer)));
  return 0;
}

/* fd-limit PORT: a listener and its own clients until EMFILE; prints how many connections fit. */
static int fd_limit(int port) {
  int lfd = listener(WX_INET4, port, 4096);
  wx_addr_port here;
  must(wx_lookup("127.0.0.1", port, 0, &here), "resolve");
  int pairs = 0;
  for (;;) {
    int c, s;
    wx_addr_port peer;
    int e = wx_sock_open(WX_INET4, WX_STREAM, 0, &c);
    if (e) { printf("open: %s after %d connections\n", errname(e), pairs); break; }
    must(wx_sock_connect(c, &here), "connect");
    e = wx_sock_accept_v2(lfd, 0, &s, &peer);
    if (e) { printf("accept: %s after %d connections\n", errname(e), pairs); break; }
    pairs++;
  }
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 2) return 2;
  const char *cmd = argv[1];
  if (!strcmp(cmd, "tcp-server") && argc == 5) return tcp_server(family_of(argv[2]), atoi(argv[3]), atoi(argv[4]));
  if (!strcmp(cmd, "tcp-client") && argc >= 5) return tcp_client(argv[2], atoi(argv[3]), argv[4], argc > 5 ? family_of(argv[5]) : 0);
  if (!strcmp(cmd, "tcp-poll-server") && argc == 4) return tcp_poll_server(atoi(argv[2]), atoi(argv[3]));
  if (!strcmp(cmd, "tcp-poll-batch") && argc == 4) return tcp_poll_batch(atoi(argv[2]), atoi(argv[3]));
  if (!strcmp(cmd, "tcp-hold") && argc == 3) return tcp_hold(atoi(argv[2]));
  if (!strcmp(cmd, "tcp-wait") && argc == 5) return tcp_wait(argv[2], atoi(argv[3]), argv[4]);
  if (!strcmp(cmd, "udp-server") && argc == 5) return udp_server(family_of(argv[2]), atoi(argv[3]), atoi(argv[4]));
  if (!strcmp(cmd, "udp-client") && argc == 5) return udp_client(argv[2], atoi(argv[3]), argv[4]);
  if (!strcmp(cmd, "checks")) return checks();
  if (!strcmp(cmd, "fd-limit") && argc == 3) return fd_limit(atoi(argv[2]));
  fprintf(stderr, "net: bad usage\n");
  return 2;
}
