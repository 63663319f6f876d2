// Real-program guest: what a capability sandbox refuses. An absolute symlink target, a path out
// of the preopen, shutdown() on a bad fd and on a file; the errno names are printed.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
  if (symlink("/", "root-link") != 0) printf("symlink to /: failed\n");
  else printf("symlink to /: made\n");
  if (symlink("/etc/passwd", "passwd-link") != 0) printf("symlink to /etc/passwd: failed\n");
  else printf("symlink to /etc/passwd: made\n");
  if (open("../outside", O_RDONLY) < 0) printf("../outside: refused\n");
  if (shutdown(99, SHUT_RDWR) != 0) printf("shutdown(99): %s\n", errno == EBADF ? "EBADF" : strerror(errno));
  if (shutdown(1, SHUT_RDWR) != 0) printf("shutdown(1): %s\n", errno == ENOTSOCK ? "ENOTSOCK" : strerror(errno));
  int fd = open("plain", O_WRONLY | O_CREAT, 0644);
  if (shutdown(fd, SHUT_RDWR) != 0) printf("shutdown(file): %s\n", errno == ENOTSOCK ? "ENOTSOCK" : strerror(errno));
  close(fd);
  unlink("plain");
  return 0;
}
