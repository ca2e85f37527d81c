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

void cli_json_string(FILE *out, const char *text) {
  fputc('"', out);
  for (const unsigned char *c = (const unsigned char *)text; *c; ++c) {
    if (*c == '"' || *c == '\\') fprintf(out, "\\%c", *c);
    else if (*c < 0x20) fprintf(out, "\\u%04x", *c);
    else fputc(*c, out);
  }
  fputc('"', out);
}
