/* biomatch list --db DIR [--json]: record ids in order and the gallery's figures. */
#include <string.h>

#include "cli.h"
#include "cli_gallery.h"

static void print_usage(FILE *out) {
  fprintf(out,
          "usage: biomatch list --db DIR [--json] [--count]\n"
          "Prints the record ids of the gallery in DIR, one per line in ascending byte order,\n"
          "then (on stderr, or in the JSON object) the record, finger and face counts and memory.\n"
          "  --json    {\"records\": N, \"fingers\": N, \"faces\": N, \"total_bytes\": N, \"ids\": [...]}\n"
          "  --count   only the figures, no ids\n"
          "Exit status: 0 done, 1 the gallery cannot be opened, 2 usage.\n");
}

typedef struct listing {
  int json;
  size_t printed;
} listing;

static int print_id(void *context, const char *id) {
  listing *l = context;
  if (l->json) {
    fputs(l->printed ? ", " : "", stdout);
    bm_json_write_string_(stdout, id);
  } else {
    puts(id);
  }
  ++l->printed;
  return 0;
}

int cmd_list(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    print_usage(stdout);
    return CLI_EXIT_OK;
  }
  cli_gallery_args args;
  cli_gallery_args_init(&args);
  int json = 0, count_only = 0;
  for (int i = 1; i < argc; ++i) {
    const int consumed = cli_parse_gallery_option("list", argc, argv, &i, &args);
    if (consumed < 0) return CLI_EXIT_USAGE;
    if (consumed) continue;
    if (strcmp(argv[i], "--json") == 0) json = 1;
    else if (strcmp(argv[i], "--count") == 0) count_only = 1;
    else {
      fprintf(stderr, "biomatch list: unknown argument '%s'\n", argv[i]);
      return CLI_EXIT_USAGE;
    }
  }
  if (!args.db) {
    print_usage(stderr);
    return CLI_EXIT_USAGE;
  }
  bm_gallery *gallery = NULL;
  if (cli_open_gallery("list", &args, &gallery) != BM_OK) return CLI_EXIT_FAILURE;
  bm_gallery_stats stats;
  bm_status status = bm_gallery_get_stats(gallery, &stats);
  listing l = {json, 0};
  if (status == BM_OK && json)
    printf("{\"records\": %llu, \"fingers\": %llu, \"faces\": %llu, \"total_bytes\": %llu, \"shards\": %u, "
           "\"face_dimension\": %u, \"ids\": [",
           (unsigned long long)stats.records, (unsigned long long)stats.fingers, (unsigned long long)stats.faces,
           (unsigned long long)stats.total_bytes, stats.shard_count, stats.face_dimension);
  if (status == BM_OK && !count_only) status = bm_gallery_for_each_id(gallery, print_id, &l);
  if (status == BM_OK && json) printf("]}\n");
  if (status == BM_OK && !json)
    fprintf(count_only ? stdout : stderr, "%llu records, %llu fingers, %llu faces, %.1f MB in memory\n",
            (unsigned long long)stats.records, (unsigned long long)stats.fingers, (unsigned long long)stats.faces,
            (double)stats.total_bytes / 1e6);
  if (status != BM_OK) cli_report_error(args.db, status);
  bm_gallery_close(gallery);
  return status == BM_OK ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
