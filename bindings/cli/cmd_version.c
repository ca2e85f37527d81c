/* biomatch version: library version and ABI. */
#include "cli.h"

int cmd_version(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    printf("usage: biomatch version\nPrints the library version and ABI version.\n");
    return CLI_EXIT_OK;
  }
  printf("biomatch %s (ABI %u)\n", bm_version_string(), bm_abi_version());
  return CLI_EXIT_OK;
}
