/* biomatch version [--json]: library version, ABI and instruction sets. */
#include <string.h>

#include "cli.h"

void cmd_version_usage(FILE *out) {
  fprintf(out,
          "usage: biomatch version [--json]\nPrints the library version, ABI version and the instruction set in use.\n"
          "  --json   {\"version\": \"X.Y.Z\", \"abi\": N, \"isa\": \"...\", \"best_isa\": \"...\"}\n");
}

int cmd_version(int argc, char **argv) {
  int json = 0;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--json") == 0) json = 1;
    else {
      fprintf(stderr, "biomatch version: unknown argument '%s'\n", argv[i]);
      return CLI_EXIT_USAGE;
    }
  }
  if (json)
    printf("{\"version\": \"%s\", \"abi\": %u, \"isa\": \"%s\", \"best_isa\": \"%s\"}\n", bm_version_string(),
           bm_abi_version(), bm_isa_name(bm_active_isa()), bm_isa_name(bm_best_isa()));
  else
    printf("biomatch %s (ABI %u, %s)\n", bm_version_string(), bm_abi_version(), bm_isa_name(bm_active_isa()));
  return CLI_EXIT_OK;
}
