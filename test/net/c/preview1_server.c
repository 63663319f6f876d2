/* An unmodified WASI preview1 server (wasi-libc's accept/read/write only): answers COUNT HTTP
   requests on the listening socket preopened as fd 3 (wasmbox run --tcplisten, as wasmtime's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int count = argc > 1 ? atoi(argv[1]) : 1;
  for (int i = 0; i < count; i++) {
    int fd = accept(3, NULL, NULL);
    if (fd < 0) {
      perror("accept");
      return 1;
    }
    char req[2048];
    size_t got = 0;
    while (got < sizeof req - 1) {
      ssize_t n = read(fd, req + got, sizeof req - 1 - got);
      if (n <= 0) break;
      got += n;
      req[got] = 0;
      if (strstr(req, "\r\n\r\n")) break;
    }
    char *eol = strstr(req, "\r\n");
    if (eol) *eol = 0;
    char body[2200];
    int len = snprintf(body, sizeof body, "request %d: %s\n", i + 1, req);
    char head[128];
    int hlen = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", len);
    write(fd, head, hlen);
    write(fd, body, len);
    close(fd);
  }
  printf("served %d\n", count);
  return 0;
}
