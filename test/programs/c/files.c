// Real-program guest: ordinary libc file work in the directory given with --dir (create, append,
// stat, list, rename, unlink, mkdir, rmdir), printing what it sees; run under wasmbox and node:wasi.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int by_name(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

static void list(const char* dir) {
  DIR* d = opendir(dir);
  if (!d) { printf("opendir %s: %s\n", dir, strerror(errno)); return; }
  char* names[64];
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) && n < 64) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof names[0], by_name);
  printf("%s:", dir);
  for (int i = 0; i < n; i++) { printf(" %s", names[i]); free(names[i]); }
  printf("\n");
}

int main(void) {
  FILE* in = fopen("input.txt", "r");
  if (!in) { printf("input.txt: %s\n", strerror(errno)); return 1; }
  char line[256];
  while (fgets(line, sizeof line, in)) printf("read: %s", line);
  fclose(in);

  FILE* out = fopen("made.txt", "w");
  if (!out) { printf("made.txt: %s\n", strerror(errno)); return 1; }
  for (int i = 0; i < 3; i++) fprintf(out, "line %d\n", i);
  fclose(out);
  out = fopen("made.txt", "a");
  fputs("appended\n", out);
  fclose(out);

  struct stat st;
  if (stat("made.txt", &st) != 0) { printf("stat: %s\n", strerror(errno)); return 1; }
  printf("made.txt size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));

  if (mkdir("sub", 0755) != 0) printf("mkdir: %s\n", strerror(errno));
  if (rename("made.txt", "sub/moved.txt") != 0) printf("rename: %s\n", strerror(errno));
  out = fopen("sub/gone.txt", "w");
  fclose(out);
  if (unlink("sub/gone.txt") != 0) printf("unlink: %s\n", strerror(errno));
  if (mkdir("empty", 0755) != 0 || rmdir("empty") != 0) printf("mkdir/rmdir: %s\n", strerror(errno));
  list(".");
  list("sub");
  if (open("missing.txt", O_RDONLY) < 0) printf("missing.txt: %s\n", strerror(errno));
  if (mkdir("sub", 0755) != 0) printf("mkdir sub again: %s\n", strerror(errno));
  if (rmdir("sub") != 0) printf("rmdir sub: %s\n", strerror(errno));
  return 0;
}
