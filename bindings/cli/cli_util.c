#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_report_error(const char *context, bm_status status) {
  fprintf(stderr, "biomatch: %s: %s: %s\n", context, bm_error_name(status), bm_last_error_message());
  return CLI_EXIT_FAILURE;
}

int cli_wants_help(int argc, char **argv) {
  for (int i = 1; i < argc; ++i)
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) return 1;
  return 0;
}

int cli_load_file(const char *path, unsigned char **data, size_t *size) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "biomatch: %s: %s\n", path, strerror(errno));
    return 0;
  }
  size_t capacity = 1 << 16, used = 0;
  unsigned char *buffer = malloc(capacity);
  for (size_t got; buffer && (got = fread(buffer + used, 1, capacity - used, file)) > 0;) {
    used += got;
    if (used == capacity) {
      unsigned char *grown = capacity < (64u << 20) ? realloc(buffer, capacity * 2) : NULL;
      if (!grown) {
        free(buffer);
        buffer = NULL;
        break;
      }
      buffer = grown;
      capacity *= 2;
    }
  }
  const int failed = ferror(file) || !buffer;
  fclose(file);
  if (failed) {
    fprintf(stderr, "biomatch: %s: cannot read the file (too large or I/O error)\n", path);
    free(buffer);
    return 0;
  }
  *data = buffer;
  *size = used;
  return 1;
}
