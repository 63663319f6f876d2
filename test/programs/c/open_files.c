// Real-program guest: POSIX open-file semantics as sqlite relies on them: a file unlinked or
// renamed while open stays usable through its fd; pread/pwrite, lseek, ftruncate, fsync.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void check(const char* what, long r) {
  if (r < 0) printf("%s: %s\n", what, strerror(errno));
}

int main(void) {
  int fd = open("journal", O_RDWR | O_CREAT | O_TRUNC, 0644);
  check("open journal", fd);
  check("write", write(fd, "0123456789", 10));
  check("unlink", unlink("journal"));
  check("pwrite", pwrite(fd, "ABC", 3, 4));
  char buf[32] = {0};
  check("pread", pread(fd, buf, sizeof buf - 1, 0));
  printf("unlinked file reads %s\n", buf);
  struct stat st;
  check("fstat", fstat(fd, &st));
  printf("unlinked size %lld nlink %lld\n", (long long)st.st_size, (long long)st.st_nlink);
  check("ftruncate", ftruncate(fd, 5));
  check("fstat", fstat(fd, &st));
  printf("truncated size %lld\n", (long long)st.st_size);
  check("fsync", fsync(fd));
  close(fd);
  if (access("journal", F_OK) != 0) printf("journal is gone: %s\n", strerror(errno));

  fd = open("before", O_RDWR | O_CREAT | O_TRUNC, 0644);
  check("open before", fd);
  check("rename", rename("before", "after"));
  check("write", write(fd, "kept through rename", 19));
  check("lseek", lseek(fd, 0, SEEK_SET));
  memset(buf, 0, sizeof buf);
  check("read", read(fd, buf, sizeof buf - 1));
  printf("renamed file reads %s\n", buf);
  close(fd);
  FILE* f = fopen("after", "r");
  if (!f) { printf("after: %s\n", strerror(errno)); return 1; }
  memset(buf, 0, sizeof buf);
  fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  printf("after holds %s\n", buf);

  fd = open("big", O_RDWR | O_CREAT | O_TRUNC, 0644);
  off_t end = lseek(fd, 1 << 20, SEEK_SET);
  check("write at 1 MiB", write(fd, "x", 1));
  check("fstat", fstat(fd, &st));
  printf("seek %lld size %lld\n", (long long)end, (long long)st.st_size);
  close(fd);
  check("unlink big", unlink("big"));
  return 0;
}
