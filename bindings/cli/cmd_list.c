/* biomatch list --db DIR [--json] [--count] [--detail]: record ids in order
 * (with --detail, each record's finger and face-embedding counts) and the
 * gallery's figures. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_gallery.h"

void cmd_list_usage(FILE *out) {
  fprintf(out,
          "usage: biomatch list --db DIR [--json] [--count] [--detail]\n"
          "Prints the record ids of the gallery in DIR, one per line in ascending byte order,\n"
          "then (on stderr, or in the JSON object) the record, finger and face counts and memory\n"
          "(faces counts face embeddings: a record enrolled with three photos counts three).\n"
          "  --json    {\"records\": N, \"fingers\": N, \"faces\": N, \"total_bytes\": N, \"ids\": [...]}\n"
          "  --count   only the figures, no ids\n"
          "  --detail  each id followed by its finger and face counts (\"ID fingers N faces M\");\n"
          "            with --json, a \"detail\" array of {\"id\", \"fingers\", \"faces\"} as well\n"
          "Exit status: 0 done, 1 the gallery cannot be opened, 2 usage.\n");
}

typedef struct listing {
  int json;
  size_t printed;
  /* --detail: the ids, copied (the walk holds the gallery's view lock, so
   * the records are read after it) */
  int collect;
  char **ids;
  size_t count, capacity;
  int out_of_memory;
} listing;

static int print_id(void *context, const char *id) {
  listing *l = context;
  if (l->collect) {
    if (l->count == l->capacity) {
      const size_t capacity = l->capacity ? 2 * l->capacity : 256;
      char **grown = realloc(l->ids, capacity * sizeof *grown);
      if (!grown) return l->out_of_memory = 1;
      l->ids = grown;
      l->capacity = capacity;
    }
    if (!(l->ids[l->count] = strdup(id))) return l->out_of_memory = 1;
    ++l->count;
    return 0;
  }
  if (l->json) {
    fputs(l->printed ? ", " : "", stdout);
    bm_json_write_string_(stdout, id);
  } else {
    puts(id);
  }
  ++l->printed;
  return 0;
}

/* Prints the collected ids with each record's finger and face counts. A
 * record deleted since the walk is skipped (another writer may run). */
static bm_status print_detail(bm_gallery *gallery, listing *l) {
  if (l->json) {
    for (size_t i = 0; i < l->count; ++i) {
      fputs(i ? ", " : "", stdout);
      bm_json_write_string_(stdout, l->ids[i]);
    }
    printf("], \"detail\": [");
  }
  size_t printed = 0;
  for (size_t i = 0; i < l->count; ++i) {
    bm_gallery_record *record = NULL;
    const bm_status status = bm_gallery_get(gallery, l->ids[i], &record);
    if (status == BM_ERR_NOT_FOUND) continue;
    if (status != BM_OK) return status;
    const size_t fingers = bm_gallery_record_finger_count(record), faces = bm_gallery_record_face_count(record);
    bm_gallery_record_free(record);
    if (l->json) {
      fputs(printed ? ", " : "", stdout);
      printf("{\"id\": ");
      bm_json_write_string_(stdout, l->ids[i]);
      printf(", \"fingers\": %zu, \"faces\": %zu}", fingers, faces);
    } else {
      printf("%s fingers %zu faces %zu\n", l->ids[i], fingers, faces);
    }
    ++printed;
  }
  return BM_OK;
}

int cmd_list(int argc, char **argv) {
  cli_gallery_args args;
  cli_gallery_args_init(&args);
  int json = 0, count_only = 0, detail = 0;
  for (int i = 1; i < argc; ++i) {
    const int consumed = cli_parse_gallery_option("list", argc, argv, &i, &args);
    if (consumed < 0) return CLI_EXIT_USAGE;
    if (consumed) continue;
    if (strcmp(argv[i], "--json") == 0) json = 1;
    else if (strcmp(argv[i], "--count") == 0) count_only = 1;
    else if (strcmp(argv[i], "--detail") == 0) detail = 1;
    else {
      fprintf(stderr, "biomatch list: unknown argument '%s'\n", argv[i]);
      return CLI_EXIT_USAGE;
    }
  }
  if (!args.db) {
    cmd_list_usage(stderr);
    return CLI_EXIT_USAGE;
  }
  bm_gallery *gallery = NULL;
  if (cli_open_gallery("list", &args, &gallery) != BM_OK) return CLI_EXIT_FAILURE;
  bm_gallery_stats stats;
  bm_status status = bm_gallery_get_stats(gallery, &stats);
  listing l = {json, 0, detail && !count_only, NULL, 0, 0, 0};
  if (status == BM_OK && json)
    printf("{\"records\": %llu, \"fingers\": %llu, \"faces\": %llu, \"total_bytes\": %llu, \"shards\": %u, "
           "\"face_dimension\": %u, \"ids\": [",
           (unsigned long long)stats.records, (unsigned long long)stats.fingers, (unsigned long long)stats.faces,
           (unsigned long long)stats.total_bytes, stats.shard_count, stats.face_dimension);
  if (status == BM_OK && !count_only) status = bm_gallery_for_each_id(gallery, print_id, &l);
  if (status == BM_OK && l.out_of_memory) {
    fprintf(stderr, "biomatch list: out of memory\n");
    status = BM_ERR_OUT_OF_MEMORY;
  }
  if (status == BM_OK && l.collect) status = print_detail(gallery, &l);
  for (size_t i = 0; i < l.count; ++i) free(l.ids[i]);
  free(l.ids);
  if (status == BM_OK && json) printf("]}\n");
  if (status == BM_OK && !json)
    fprintf(count_only ? stdout : stderr, "%llu records, %llu fingers, %llu faces, %.1f MB in memory\n",
            (unsigned long long)stats.records, (unsigned long long)stats.fingers, (unsigned long long)stats.faces,
            (double)stats.total_bytes / 1e6);
  if (status != BM_OK) cli_report_error(args.db, status);
  bm_gallery_close(gallery);
  return status == BM_OK ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
