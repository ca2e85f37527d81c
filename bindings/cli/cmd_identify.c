/* biomatch identify --db DIR PROBE...: 1:N identification of each probe. A
 * probe is a template/PNG path (one finger at --position, default 0 =
 * unknown: compared with every finger of every record, as for a latent), or
 * a list "P:PATH,P:PATH,..." with P a finger position 0..10 or "face". */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_gallery.h"
#include "cli_inputs.h"

enum { IDENTIFY_EXIT_NO_CANDIDATE = 3 };

void cmd_identify_usage(FILE *out) {
  fprintf(out,
          "usage: biomatch identify --db DIR [--top K] [--fmr F] [--position P] [--penetration X]\n"
          "                         [--threads T] [--json] [template reading options] PROBE...\n"
          "Searches the gallery in DIR for each PROBE and prints its candidate list in rank order\n"
          "(fused score descending): record id, fused score, estimated false match rate and the\n"
          "score of every compared finger (and face).\n"
          "PROBE is a template file or PNG image holding one finger at position --position P\n"
          "(0..10, default 0 = unknown: compared with every finger of every record, latent search),\n"
          "or a list P:PATH,P:PATH,... of fingers at positions 0..10 and \"face:PATH\" for a face\n"
          "embedding (.npy or raw float32).\n"
          "  --top K           candidates at most (default 10)\n"
          "  --fmr F           keep candidates whose estimated FMR is <= F (default 1: all with a score)\n"
          "  --penetration X   cascade: fraction (0, 1] of fingers passed to the matcher (default 1 =\n"
          "                    exhaustive)\n"
          "  --threads T       threads over the shards (default 0 = OpenMP's default)\n"
          "  --json            one JSON object per probe per line (layout in docs/cli.md)\n"
          "Exit status: 0 every probe has a candidate, 3 some probe has none, 1 error, 2 usage.\n");
}

/* Builds the probe described by `spec`; prints the reason on failure. */
static bm_status build_probe(const char *spec, unsigned default_position, const bm_read_options *options,
                             bm_gallery_probe **out) {
  bm_status status = bm_gallery_probe_create(out);
  if (status != BM_OK) return cli_report_error(spec, status), status;
  char *copy = strdup(spec);
  if (!copy) return BM_ERR_OUT_OF_MEMORY;
  /* A list only when the first part starts with "P:" where P is a position. */
  char *colon = strchr(copy, ':');
  int is_list = 0;
  if (colon) {
    *colon = '\0';
    is_list = cli_parse_position(copy) >= 0;
    *colon = ':';
  }
  if (!is_list) {
    bm_template *tpl = NULL;
    status = cli_load_finger(spec, options, 0, &tpl);
    if (status == BM_OK) {
      status = bm_gallery_probe_add_finger(*out, default_position, tpl);
      if (status != BM_OK) cli_report_error(spec, status);
    }
    bm_template_free(tpl);
    free(copy);
    return status;
  }
  char *save = NULL;
  for (char *part = strtok_r(copy, ",", &save); part && status == BM_OK; part = strtok_r(NULL, ",", &save)) {
    char *separator = strchr(part, ':');
    if (separator) *separator = '\0';
    const int position = separator ? cli_parse_position(part) : -1;
    const char *path = separator ? separator + 1 : part;
    if (position < 0 || !*path) {
      fprintf(stderr, "biomatch identify: %s: expected P:PATH with P 0..10 or face\n", spec);
      status = BM_ERR_INVALID_ARGUMENT;
    } else if (position == CLI_POSITION_FACE) {
      float *face = NULL;
      size_t dimension = 0;
      status = cli_load_face(path, &face, &dimension);
      if (status == BM_OK && (status = bm_gallery_probe_set_face(*out, face, dimension)) != BM_OK)
        cli_report_error(path, status);
      free(face);
    } else {
      bm_template *tpl = NULL;
      status = cli_load_finger(path, options, 0, &tpl);
      if (status == BM_OK && (status = bm_gallery_probe_add_finger(*out, (unsigned)position, tpl)) != BM_OK)
        cli_report_error(path, status);
      bm_template_free(tpl);
    }
  }
  free(copy);
  return status;
}

static void print_candidates_json(const char *spec, const bm_gallery_result *result, double milliseconds) {
  printf("{\"probe\": ");
  bm_json_write_string_(stdout, spec);
  printf(", \"comparisons\": %llu, \"milliseconds\": %.3f, \"candidates\": [",
         (unsigned long long)bm_gallery_result_comparisons(result), milliseconds);
  for (size_t i = 0; i < bm_gallery_result_count(result); ++i) {
    printf("%s{\"rank\": %zu, \"id\": ", i ? ", " : "", i + 1);
    bm_json_write_string_(stdout, bm_gallery_result_id(result, i));
    printf(", \"score\": %.6g, \"fmr\": %.6g, \"fingers\": [", bm_gallery_result_score(result, i),
           bm_gallery_result_fmr(result, i));
    for (size_t j = 0; j < bm_gallery_result_finger_count(result, i); ++j) {
      unsigned probe_position = 0, record_position = 0;
      float score = 0;
      double fmr = 1;
      if (bm_gallery_result_finger(result, i, j, &probe_position, &record_position, &score, &fmr) != BM_OK) continue;
      printf("%s{\"probe_position\": %u, \"record_position\": %u, \"score\": %.6g, \"fmr\": %.6g}", j ? ", " : "",
             probe_position, record_position, (double)score, fmr);
    }
    const float face = bm_gallery_result_face_score(result, i);
    size_t face_index = 0, faces_compared = 0;
    if (bm_gallery_result_face_detail(result, i, &face_index, &faces_compared) != BM_OK) faces_compared = 0;
    /* face_index: which of the record's embeddings gave face_score */
    if (isnan(face)) printf("], \"face_score\": null, \"face_index\": null, \"faces_compared\": 0}");
    else
      printf("], \"face_score\": %.6g, \"face_index\": %zu, \"faces_compared\": %zu}", (double)face, face_index,
             faces_compared);
  }
  printf("]}\n");
}

static void print_candidates_text(const char *spec, const bm_gallery_result *result, double milliseconds) {
  const size_t count = bm_gallery_result_count(result);
  printf("%s: %zu candidate%s (%llu finger comparisons, %.2f ms)\n", spec, count, count == 1 ? "" : "s",
         (unsigned long long)bm_gallery_result_comparisons(result), milliseconds);
  for (size_t i = 0; i < count; ++i) {
    printf("  %2zu  %-20s score %7.2f  FMR %.2g ", i + 1, bm_gallery_result_id(result, i),
           bm_gallery_result_score(result, i), bm_gallery_result_fmr(result, i));
    for (size_t j = 0; j < bm_gallery_result_finger_count(result, i); ++j) {
      unsigned probe_position = 0, record_position = 0;
      float score = 0;
      if (bm_gallery_result_finger(result, i, j, &probe_position, &record_position, &score, NULL) != BM_OK) continue;
      printf(" [finger %u~%u %.3f]", probe_position, record_position, (double)score);
    }
    const float face = bm_gallery_result_face_score(result, i);
    size_t face_index = 0, faces_compared = 0;
    if (bm_gallery_result_face_detail(result, i, &face_index, &faces_compared) != BM_OK) faces_compared = 0;
    if (!isnan(face) && faces_compared > 1)
      printf(" [face %.3f, embedding %zu of %zu]", (double)face, face_index + 1, faces_compared);
    else if (!isnan(face))
      printf(" [face %.3f]", (double)face);
    putchar('\n');
  }
}

static int parse_double(const char *text, double low, double high, double *out) {
  char *end;
  *out = strtod(text, &end);
  return *text && !*end && *out >= low && *out <= high;
}

int cmd_identify(int argc, char **argv) {
  cli_gallery_input_args input;
  cli_gallery_input_args_init(&input);
  bm_gallery_search_params params;
  bm_gallery_search_params_init(&params);
  int json = 0, probe_count = 0;
  unsigned position = 0;
  const char **probes = calloc((size_t)argc, sizeof *probes);
  if (!probes) return CLI_EXIT_FAILURE;
  for (int i = 1; i < argc; ++i) {
    const int consumed = cli_parse_gallery_input_option("identify", argc, argv, &i, &input);
    if (consumed < 0) return free(probes), CLI_EXIT_USAGE;
    if (consumed) continue;
    double value = 0;
    const int has_value = i + 1 < argc;
    const char *name = argv[i];
    if (strcmp(name, "--json") == 0) json = 1;
    else if (strcmp(name, "--top") == 0 && has_value && parse_double(argv[++i], 1, BM_GALLERY_MAX_TOP_K, &value))
      params.top_k = (uint32_t)value;
    else if (strcmp(name, "--fmr") == 0 && has_value && parse_double(argv[++i], 1e-300, 1, &value))
      params.max_fmr = value;
    else if (strcmp(name, "--penetration") == 0 && has_value && parse_double(argv[++i], 1e-9, 1, &value))
      params.penetration = value;
    else if (strcmp(name, "--threads") == 0 && has_value && parse_double(argv[++i], 0, 256, &value))
      params.threads = (uint32_t)value;
    else if (strcmp(name, "--position") == 0 && has_value && parse_double(argv[++i], 0, 10, &value))
      position = (unsigned)value;
    else if (name[0] != '-' || name[1] == '\0') probes[probe_count++] = name;
    else {
      fprintf(stderr, "biomatch identify: unknown option, or missing or out-of-range value: '%s'\n", name);
      free(probes);
      return CLI_EXIT_USAGE;
    }
  }
  if (!input.gallery.db || probe_count == 0) {
    cmd_identify_usage(stderr);
    free(probes);
    return CLI_EXIT_USAGE;
  }
  bm_gallery *gallery = NULL;
  if (cli_open_gallery("identify", &input.gallery, &gallery) != BM_OK) return free(probes), CLI_EXIT_FAILURE;
  int failed = 0, without_candidate = 0;
  for (int p = 0; p < probe_count; ++p) {
    bm_gallery_probe *probe = NULL;
    if (build_probe(probes[p], position, &input.read, &probe) != BM_OK) {
      bm_gallery_probe_free(probe);
      failed = 1;
      continue;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    bm_gallery_result *result = NULL;
    const bm_status status = bm_gallery_identify(gallery, probe, &params, &result);
    clock_gettime(CLOCK_MONOTONIC, &end);
    const double milliseconds = 1e3 * (double)(end.tv_sec - start.tv_sec) + 1e-6 * (double)(end.tv_nsec - start.tv_nsec);
    if (status != BM_OK) {
      cli_report_error(probes[p], status);
      failed = 1;
    } else {
      if (json) print_candidates_json(probes[p], result, milliseconds);
      else print_candidates_text(probes[p], result, milliseconds);
      if (bm_gallery_result_count(result) == 0) without_candidate = 1;
    }
    bm_gallery_result_free(result);
    bm_gallery_probe_free(probe);
  }
  bm_gallery_close(gallery);
  free(probes);
  return failed ? CLI_EXIT_FAILURE : without_candidate ? IDENTIFY_EXIT_NO_CANDIDATE : CLI_EXIT_OK;
}
