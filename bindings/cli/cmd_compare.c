/* biomatch compare [--threads N]: reads "PROBE GALLERY" path pairs from
 * stdin, writes "PROBE GALLERY SCORE" lines in the same order. Every distinct
 * file is read and prepared once however often it appears; preparation and
 * comparison run on N threads (pthreads). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_parallel.h"

typedef struct prepared_file {
  char *path;
  uint8_t *blob;
  size_t size;
  bm_probe *probe; /* made when the file is used as a probe */
  int as_probe;
  bm_status status;
  char message[256];
} prepared_file;

typedef struct work {
  const bm_read_options *options;
  prepared_file *files;
  size_t file_count;
  size_t (*pairs)[2];
  float *scores;
  bm_status *pair_status;
  size_t pair_count;
} work;

static void prepare_file(const bm_read_options *options, prepared_file *file) {
  bm_template *tpl = NULL;
  file->status = bm_template_read_file_ex(file->path, options, &tpl);
  if (file->status == BM_OK) file->status = bm_prepare_template(tpl, NULL, 0, &file->size);
  if (file->status == BM_OK) {
    file->blob = malloc(file->size);
    file->status = file->blob ? bm_prepare_template(tpl, file->blob, file->size, &file->size) : BM_ERR_OUT_OF_MEMORY;
  }
  if (file->status == BM_OK && file->as_probe)
    file->status = bm_probe_create_from_prepared(file->blob, file->size, &file->probe);
  if (file->status != BM_OK) snprintf(file->message, sizeof file->message, "%s", bm_last_error_message());
  bm_template_free(tpl);
}

static void prepare_item(void *context, size_t i) {
  work *w = context;
  prepare_file(w->options, &w->files[i]);
}

static void compare_item(void *context, size_t i) {
  work *w = context;
  const prepared_file *probe = &w->files[w->pairs[i][0]], *gallery = &w->files[w->pairs[i][1]];
  w->pair_status[i] = probe->status != BM_OK ? probe->status : gallery->status;
  if (w->pair_status[i] == BM_OK)
    w->pair_status[i] = bm_match_one(probe->probe, gallery->blob, gallery->size, &w->scores[i]);
}

static int compare_strings(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Index of `path` among the sorted distinct paths. */
static size_t find_path(char **sorted, size_t count, const char *path) {
  char *const *hit = bsearch(&path, sorted, count, sizeof *sorted, compare_strings);
  return (size_t)(hit - sorted);
}

void cmd_compare_usage(FILE *out) {
  fprintf(out,
          "usage: biomatch compare [--threads N] [--json] [template reading options] < PAIRS\n"
          "Reads lines \"PROBE GALLERY\" (two template paths) from stdin and writes\n"
          "\"PROBE GALLERY SCORE\" lines in the same order. Each file is read and prepared once.\n"
          "  --threads N   threads for preparing and comparing (default 1, at most 256)\n"
          "  --json        one {\"probe\", \"gallery\", \"score\"} object per line instead\n"
          "Scores are in [0, 1]; 'biomatch verify' turns a false match rate into a threshold.\n"
          "A pair whose file cannot be read is reported on stderr.\n"
          "Exit status: 0 every pair scored, 1 some file unreadable, 2 usage.\n");
}

int cmd_compare(int argc, char **argv) {
  cli_template_args args;
  cli_template_args_init(&args);
  unsigned threads = 1;
  for (int i = 1; i < argc; ++i) {
    const int consumed = cli_parse_template_option(argc, argv, &i, &args);
    if (consumed < 0) return CLI_EXIT_USAGE;
    if (consumed) continue;
    if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      char *end;
      const long value = strtol(argv[++i], &end, 10);
      if (*end || value < 1 || value > 256) {
        fprintf(stderr, "biomatch compare: --threads takes 1..256\n");
        return CLI_EXIT_USAGE;
      }
      threads = (unsigned)value;
    } else {
      cmd_compare_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  /* Read every pair first: output order follows input order. */
  size_t pair_count = 0, capacity = 0;
  char **names = NULL; /* 2 per pair */
  char *line = NULL;
  size_t line_capacity = 0;
  ssize_t length;
  size_t line_number = 0;
  while ((length = getline(&line, &line_capacity, stdin)) >= 0) {
    ++line_number;
    char *save = NULL, *probe = strtok_r(line, " \t\r\n", &save), *gallery = strtok_r(NULL, " \t\r\n", &save);
    if (!probe) continue; /* blank line */
    if (!gallery || strtok_r(NULL, " \t\r\n", &save)) {
      fprintf(stderr, "biomatch compare: line %zu: expected \"PROBE GALLERY\"\n", line_number);
      free(line);
      for (size_t i = 0; i < 2 * pair_count; ++i) free(names[i]);
      free(names);
      return CLI_EXIT_USAGE;
    }
    if (pair_count == capacity) {
      capacity = capacity ? 2 * capacity : 64;
      names = realloc(names, 2 * capacity * sizeof *names);
    }
    names[2 * pair_count] = strdup(probe);
    names[2 * pair_count + 1] = strdup(gallery);
    ++pair_count;
  }
  free(line);

  char **sorted = malloc((2 * pair_count + 1) * sizeof *sorted);
  memcpy(sorted, names, 2 * pair_count * sizeof *sorted);
  qsort(sorted, 2 * pair_count, sizeof *sorted, compare_strings);
  size_t distinct = 0;
  for (size_t i = 0; i < 2 * pair_count; ++i)
    if (distinct == 0 || strcmp(sorted[distinct - 1], sorted[i]) != 0) sorted[distinct++] = sorted[i];

  work w = {&args.read, calloc(distinct + 1, sizeof(prepared_file)), distinct,
            malloc((pair_count + 1) * sizeof *w.pairs), calloc(pair_count + 1, sizeof(float)),
            calloc(pair_count + 1, sizeof(bm_status)), pair_count};
  for (size_t i = 0; i < distinct; ++i) w.files[i].path = sorted[i];
  for (size_t i = 0; i < pair_count; ++i) {
    w.pairs[i][0] = find_path(sorted, distinct, names[2 * i]);
    w.pairs[i][1] = find_path(sorted, distinct, names[2 * i + 1]);
    w.files[w.pairs[i][0]].as_probe = 1;
  }
  cli_parallel_for(w.file_count, threads, prepare_item, &w, NULL);
  cli_parallel_for(w.pair_count, threads, compare_item, &w, NULL);

  int exit_code = CLI_EXIT_OK;
  for (size_t i = 0; i < pair_count; ++i) {
    if (w.pair_status[i] == BM_OK) {
      if (args.json) {
        printf("{\"probe\": ");
        bm_json_write_string_(stdout, names[2 * i]);
        printf(", \"gallery\": ");
        bm_json_write_string_(stdout, names[2 * i + 1]);
        printf(", \"score\": %.6f}\n", w.scores[i]);
      } else {
        printf("%s %s %.6f\n", names[2 * i], names[2 * i + 1], w.scores[i]);
      }
      continue;
    }
    const prepared_file *bad = w.files[w.pairs[i][0]].status != BM_OK ? &w.files[w.pairs[i][0]] : &w.files[w.pairs[i][1]];
    fprintf(stderr, "biomatch compare: %s: %s: %s\n", bad->path, bm_error_name(w.pair_status[i]), bad->message);
    exit_code = CLI_EXIT_FAILURE;
  }
  for (size_t i = 0; i < distinct; ++i) {
    free(w.files[i].blob);
    bm_probe_free(w.files[i].probe);
  }
  for (size_t i = 0; i < 2 * pair_count; ++i) free(names[i]);
  free(names);
  free(sorted);
  free(w.files);
  free(w.pairs);
  free(w.scores);
  free(w.pair_status);
  return exit_code;
}
