/* biomatch: command-line front end. Each command lives in cmd_<name>.c. */
#include <string.h>

#include "cli.h"

static const cli_command commands[] = {
    {"demo", "run the main job on built-in data", cmd_demo, cmd_demo_usage},
    {"version", "print the library version", cmd_version, cmd_version_usage},
    {"info", "describe a fingerprint template file", cmd_info, cmd_info_usage},
    {"convert", "convert a fingerprint template between formats", cmd_convert, cmd_convert_usage},
    {"extract", "extract the minutiae of a fingerprint image", cmd_extract, cmd_extract_usage},
    {"compare", "score template pairs read from stdin", cmd_compare, cmd_compare_usage},
    {"verify", "decide whether two templates match at a false match rate", cmd_verify, cmd_verify_usage},
    {"eval", "FVC accuracy protocol on folders of FFF_I templates or images", cmd_eval, cmd_eval_usage},
    {"enroll", "enrol fingers and faces into a gallery (lines from stdin)", cmd_enroll, cmd_enroll_usage},
    {"identify", "1:N search of a gallery (fingers, latent, face)", cmd_identify, cmd_identify_usage},
    {"dedup", "N:N deduplication of a gallery", cmd_dedup, cmd_dedup_usage},
    {"list", "list the records of a gallery", cmd_list, cmd_list_usage},
    {"bench", "integrator benchmark on a synthetic gallery", cmd_bench, cmd_bench_usage},
    {"delete", "delete records from a gallery", cmd_delete, cmd_delete_usage},
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
  for (int i = 0; i < COMMAND_COUNT; ++i) {
    if (strcmp(argv[1], commands[i].name) != 0) continue;
    if (cli_wants_help(argc - 1, argv + 1)) {
      commands[i].usage(stdout);
      return CLI_EXIT_OK;
    }
    return commands[i].run(argc - 1, argv + 1);
  }
  fprintf(stderr, "biomatch: unknown command '%s'\n", argv[1]);
  print_usage(stderr);
  return CLI_EXIT_USAGE;
}
