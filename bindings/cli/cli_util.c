/* Helpers shared by the commands: error reports, help, file loading, and
 * the template reading options with --json. */
#include <errno.h>
#include <math.h>
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

static int parse_unsigned(const char *text, unsigned long max, unsigned long *value) {
  char *end;
  errno = 0;
  const unsigned long parsed = strtoul(text, &end, 10);
  if (errno || end == text || *end || text[0] == '-' || parsed > max) return 0;
  *value = parsed;
  return 1;
}

int cli_parse_read_option(int argc, char **argv, int *index, bm_read_options *options) {
  const char *name = argv[*index];
  if (strcmp(name, "--lenient") == 0) {
    options->flags |= BM_READ_LENIENT;
    return 1;
  }
  if (strcmp(name, "--iso-orientation") == 0) {
    options->flags |= BM_XYT_ISO_ORIENTATION;
    return 1;
  }
  const int takes_value = strcmp(name, "--view") == 0 || strcmp(name, "--ppi") == 0 ||
                          strcmp(name, "--width") == 0 || strcmp(name, "--height") == 0 ||
                          strcmp(name, "--from") == 0;
  if (!takes_value) return 0;
  if (*index + 1 >= argc) {
    fprintf(stderr, "biomatch: %s needs a value\n", name);
    return -1;
  }
  const char *value = argv[++*index];
  unsigned long number = 0;
  if (strcmp(name, "--from") == 0) {
    bm_template_format format;
    if (bm_template_format_from_name(value, &format) != BM_OK) {
      fprintf(stderr, "biomatch: --from %s: unknown format (iso2005, iso2011, ansi378, xyt, bm)\n", value);
      return -1;
    }
    options->format = format;
    return 1;
  }
  if (strcmp(name, "--ppi") == 0) {
    char *end;
    const double ppi = strtod(value, &end);
    if (end == value || *end || !isfinite(ppi) || ppi < 0) {
      fprintf(stderr, "biomatch: --ppi %s: not a resolution\n", value);
      return -1;
    }
    options->xyt_ppi = ppi;
    return 1;
  }
  if (!parse_unsigned(value, 65535, &number)) {
    fprintf(stderr, "biomatch: %s %s: not a number in 0..65535\n", name, value);
    return -1;
  }
  if (strcmp(name, "--view") == 0) options->view_index = (uint32_t)number;
  else if (strcmp(name, "--width") == 0) options->xyt_width = (uint32_t)number;
  else options->xyt_height = (uint32_t)number;
  return 1;
}

void cli_template_args_init(cli_template_args *args) {
  bm_read_options_init(&args->read);
  args->json = 0;
}

int cli_parse_template_option(int argc, char **argv, int *index, cli_template_args *args) {
  if (strcmp(argv[*index], "--json") == 0) {
    args->json = 1;
    return 1;
  }
  return cli_parse_read_option(argc, argv, index, &args->read);
}

bm_status cli_read_template(const char *path, const bm_read_options *options, bm_template **out) {
  const bm_status status = bm_template_read_file_ex(path, options, out);
  if (status != BM_OK) cli_report_error(path, status);
  return status;
}
