/* biomatch dedup --db DIR: N:N deduplication of the gallery (or of a batch
 * of its records against all), pairs above the threshold and clusters. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_gallery.h"
#include "cli_progress.h"

void cmd_dedup_usage(FILE *out) {
  fprintf(out,
          "usage: biomatch dedup --db DIR [--fmr F] [--threads T] [--json] [--batch ID...]\n"
          "Compares every record of the gallery in DIR with every other (or, with --batch, the\n"
          "records ID... with every record) using the fusion of identification, and prints the\n"
          "pairs whose estimated false match rate is <= F and the clusters they form.\n"
          "  --fmr F       threshold as a false match rate per pair (default 1e-6)\n"
          "  --threads T   threads (default 0 = OpenMP's default)\n"
          "  --json        one JSON object (layout in docs/cli.md)\n"
          "  --batch ID... the remaining arguments are the ids of the new records to check\n"
          "Text output: \"pair ID_A ID_B SCORE FMR\" lines, then \"cluster ID ID ...\" lines.\n"
          "Exit status: 0 done (whether or not duplicates were found), 1 error, 2 usage.\n");
}

static int report_progress(void *context, uint64_t done, uint64_t total) {
  cli_progress *progress = context;
  if (progress->total != total) progress->total = (size_t)total;
  const size_t before = atomic_load(&progress->done);
  if (done > before) cli_progress_advance(progress, (size_t)done - before);
  return 0;
}

int cmd_dedup(int argc, char **argv) {
  cli_gallery_args args;
  cli_gallery_args_init(&args);
  double fmr = 1e-6;
  unsigned long threads = 0;
  int json = 0;
  const char **batch = NULL;
  size_t batch_count = 0;
  for (int i = 1; i < argc; ++i) {
    const int consumed = cli_parse_gallery_option("dedup", argc, argv, &i, &args);
    if (consumed < 0) return CLI_EXIT_USAGE;
    if (consumed) continue;
    char *end = NULL;
    if (strcmp(argv[i], "--json") == 0) json = 1;
    else if (strcmp(argv[i], "--fmr") == 0 && i + 1 < argc) {
      fmr = strtod(argv[++i], &end);
      if (*end || !(fmr > 0 && fmr <= 1)) {
        fprintf(stderr, "biomatch dedup: --fmr takes a rate in (0, 1]\n");
        return CLI_EXIT_USAGE;
      }
    } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      threads = strtoul(argv[++i], &end, 10);
      if (*end || threads > 256) {
        fprintf(stderr, "biomatch dedup: --threads takes 0..256\n");
        return CLI_EXIT_USAGE;
      }
    } else if (strcmp(argv[i], "--batch") == 0) {
      batch = (const char **)&argv[i + 1];
      batch_count = (size_t)(argc - i - 1);
      if (batch_count == 0) {
        fprintf(stderr, "biomatch dedup: --batch needs at least one id\n");
        return CLI_EXIT_USAGE;
      }
      break;
    } else {
      fprintf(stderr, "biomatch dedup: unknown argument '%s'\n", argv[i]);
      return CLI_EXIT_USAGE;
    }
  }
  if (!args.db) {
    cmd_dedup_usage(stderr);
    return CLI_EXIT_USAGE;
  }
  bm_gallery *gallery = NULL;
  if (cli_open_gallery("dedup", &args, &gallery) != BM_OK) return CLI_EXIT_FAILURE;
  cli_progress progress;
  cli_progress_start(&progress, "deduplicating", 0);
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  bm_gallery_dedup_result *result = NULL;
  const bm_status status = bm_gallery_dedup(gallery, batch, batch_count, fmr, (unsigned)threads, report_progress,
                                            &progress, &result);
  clock_gettime(CLOCK_MONOTONIC, &end);
  cli_progress_finish(&progress);
  const double seconds = (double)(end.tv_sec - start.tv_sec) + 1e-9 * (double)(end.tv_nsec - start.tv_nsec);
  if (status != BM_OK) {
    cli_report_error(args.db, status);
    bm_gallery_close(gallery);
    return CLI_EXIT_FAILURE;
  }
  const size_t pairs = bm_gallery_dedup_pair_count(result), clusters = bm_gallery_dedup_cluster_count(result);
  const unsigned long long compared = (unsigned long long)bm_gallery_dedup_pairs_compared(result);
  if (json) printf("{\"records\": %zu, \"pairs_compared\": %llu, \"seconds\": %.3f, \"max_fmr\": %g, \"pairs\": [",
                   bm_gallery_count(gallery), compared, seconds, fmr);
  for (size_t i = 0; i < pairs; ++i) {
    const char *a = NULL, *b = NULL;
    double score = 0, pair_fmr = 1;
    if (bm_gallery_dedup_pair(result, i, &a, &b, &score, &pair_fmr) != BM_OK) continue;
    if (json) {
      printf("%s{\"a\": ", i ? ", " : "");
      bm_json_write_string_(stdout, a);
      printf(", \"b\": ");
      bm_json_write_string_(stdout, b);
      printf(", \"score\": %.6g, \"fmr\": %.6g}", score, pair_fmr);
    } else {
      printf("pair %s %s %.3f %.3g\n", a, b, score, pair_fmr);
    }
  }
  if (json) printf("], \"clusters\": [");
  for (size_t c = 0; c < clusters; ++c) {
    printf(json ? (c ? ", [" : "[") : "cluster");
    for (size_t j = 0; j < bm_gallery_dedup_cluster_size(result, c); ++j) {
      if (json) {
        if (j) fputs(", ", stdout);
        bm_json_write_string_(stdout, bm_gallery_dedup_cluster_member(result, c, j));
      } else {
        printf(" %s", bm_gallery_dedup_cluster_member(result, c, j));
      }
    }
    printf(json ? "]" : "\n");
  }
  if (json) printf("]}\n");
  else
    fprintf(stderr, "%zu pairs in %zu clusters; %llu record pairs compared in %.2f s (%.0f pairs/s)\n", pairs,
            clusters, compared, seconds, seconds > 0 ? (double)compared / seconds : 0.0);
  bm_gallery_dedup_free(result);
  bm_gallery_close(gallery);
  return CLI_EXIT_OK;
}
