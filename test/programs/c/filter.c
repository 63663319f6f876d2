// Real-program guest: a Unix filter. Reads stdin line by line, numbers and upper-cases the lines
// to stdout, reports to stderr, and exits with the number of lines (so the exit code is checked too).
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  char line[1024];
  int n = 0;
  const char* prefix = getenv("PREFIX");
  while (fgets(line, sizeof line, stdin)) {
    for (char* p = line; *p; p++) *p = (char)toupper((unsigned char)*p);
    printf("%s%d %s", prefix ? prefix : "", ++n, line);
  }
  fprintf(stderr, "%s: %d lines, %d args\n", argv[0], n, argc - 1);
  for (int i = 1; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
  return n;
}
