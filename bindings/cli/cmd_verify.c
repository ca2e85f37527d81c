/* biomatch verify A B [--fmr R]: compares two templates and decides at the
 * threshold whose estimated false match rate is R (default 1e-4).
 * Exit status: 0 match, 3 non-match, 1 error, 2 usage. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { VERIFY_EXIT_NON_MATCH = 3 };

void cmd_verify_usage(FILE *out) {
  fprintf(out,
          "usage: biomatch verify A B [--fmr R] [--json] [template reading options]\n"
          "Compares templates A and B and prints the score, the threshold for the target false\n"
          "match rate R (1e-6 <= R < 1, default 1e-4) and the decision.\n"
          "  --json   {\"a\", \"b\", \"score\", \"threshold\", \"fmr\", \"estimated_fmr\", \"decision\"}\n"
          "Exit status: 0 match, 3 non-match, 1 error, 2 usage.\n");
}

int cmd_verify(int argc, char **argv) {
  cli_template_args args;
  cli_template_args_init(&args);
  const char *paths[2] = {NULL, NULL};
  int path_count = 0;
  double fmr = 1e-4;
  for (int i = 1; i < argc; ++i) {
    const int consumed = cli_parse_template_option(argc, argv, &i, &args);
    if (consumed < 0) return CLI_EXIT_USAGE;
    if (consumed) continue;
    if (strcmp(argv[i], "--fmr") == 0 && i + 1 < argc) {
      char *end;
      fmr = strtod(argv[++i], &end);
      if (*end) {
        fprintf(stderr, "biomatch verify: --fmr %s is not a number\n", argv[i]);
        return CLI_EXIT_USAGE;
      }
    } else if (argv[i][0] != '-' && path_count < 2) {
      paths[path_count++] = argv[i];
    } else {
      cmd_verify_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  if (path_count != 2) {
    cmd_verify_usage(stderr);
    return CLI_EXIT_USAGE;
  }
  float threshold;
  bm_status status = bm_match_fmr_to_threshold(fmr, &threshold);
  if (status != BM_OK) {
    fprintf(stderr, "biomatch verify: --fmr %g: %s\n", fmr, bm_last_error_message());
    return CLI_EXIT_USAGE;
  }
  bm_template *a = NULL, *b = NULL;
  float score = 0;
  if (cli_read_template(paths[0], &args.read, &a) != BM_OK || cli_read_template(paths[1], &args.read, &b) != BM_OK) {
    bm_template_free(a);
    return CLI_EXIT_FAILURE;
  }
  status = bm_match_templates(a, b, &score);
  bm_template_free(a);
  bm_template_free(b);
  if (status != BM_OK) return cli_report_error("verify", status);
  const int match = score >= threshold;
  if (args.json) {
    printf("{\"a\": ");
    bm_json_write_string_(stdout, paths[0]);
    printf(", \"b\": ");
    bm_json_write_string_(stdout, paths[1]);
    printf(", \"score\": %.6f, \"threshold\": %.6f, \"fmr\": %g, \"estimated_fmr\": %.6g, \"decision\": \"%s\"}\n",
           score, threshold, fmr, bm_match_score_to_fmr(score), match ? "match" : "non-match");
  } else {
    printf("score %.6f\nthreshold %.6f (estimated FMR %g)\ndecision %s\n", score, threshold, fmr,
           match ? "match" : "non-match");
  }
  return match ? CLI_EXIT_OK : VERIFY_EXIT_NON_MATCH;
}
