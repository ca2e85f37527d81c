/* biomatch: command-line front end. Each command lives in cmd_<name>.c. */
#include <string.h>

#include "cli.h"

static const cli_command commands[] = {
    {"demo", "run the main job on built-in data", cmd_demo},
    {"version", "print the library version", cmd_version},
    {"info", "describe a fingerprint template file", cmd_info},
    {"convert", "convert a fingerprint template between formats", cmd_convert},
    {"extract", "extract the minutiae of a fingerprint image", cmd_extract},
    {"compare", "score template pairs read from stdin", cmd_compare},
    {"verify", "decide whether two templates match at a false match rate", cmd_verify},
    {"eval", "FVC accuracy protocol on folders of FFF_I templates or images", cmd_eval},
    {"enroll", "enrol fingers and faces into a gallery (lines from stdin)", cmd_enroll},
    {"identify", "1:N search of a gallery (fingers, latent, face)", cmd_identify},
    {"dedup", "N:N deduplication of a gallery", cmd_dedup},
    {"list", "list the records of a gallery", cmd_list},
    {"bench", "integrator benchmark on a synthetic gallery", cmd_bench},
    {"delete", "delete records from a gallery", cmd_delete},
};
enum { COMMAND_COUNT = sizeof commands / sizeof commands[0] };

static void print_usage(FILE *out) {
  fprintf(out, "usage: biomatch COMMAND [ARGS...]\n\ncommands:\n");
  for (int i = 0; i < COMMAND_COUNT; ++i) fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\n'biomatch COMMAND --help' describes one command.\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    print_usage(stderr);
    return CLI_EXIT_USAGE;
  }
  if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
    print_usage(stdout);
    return CLI_EXIT_OK;
  }
  for (int i = 0; i < COMMAND_COUNT; ++i)
    if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "biomatch: unknown command '%s'\n", argv[1]);
  print_usage(stderr);
  return CLI_EXIT_USAGE;
}
