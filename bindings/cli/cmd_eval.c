/* biomatch eval DIR... : the FVC verification protocol on folders of FFF_I
 * samples (templates, or PNG images extracted on the fly).
 *   genuine pairs  = every pair of impressions of one finger,
 *   impostor pairs = every pair of impressions of different fingers
 * (the protocol of bench/match/bm_eval_fvc, sharing tools/evaluation).
 * A sample that fails extraction is a failure to enrol: as in FVC, each of
 * its comparisons is counted with score 0, so it costs FNMR, not silence. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_parallel.h"
#include "det_plot.h"
#include "error_rates.h"
#include "fvc_naming.h"

typedef struct sample_state {
  uint8_t *blob; /* prepared template, NULL after a failure */
  size_t size;
  bm_probe *probe;
  bm_status status;
  char message[256];
} sample_state;

typedef struct folder_eval {
  const char *dir;
  const bm_read_options *options;
  double ppi;
  fvc_sample *samples;
  sample_state *state;
  size_t count;
  float *genuine, *impostor;
  size_t genuine_count, impostor_count;
  size_t *genuine_offset, *impostor_offset; /* where row i's scores go: rows write disjoint slices */
  size_t fingers, failures;
  double seconds;
  error_rates rates;
} folder_eval;

static bm_status load_template(const folder_eval *e, const fvc_sample *sample, bm_template **tpl) {
  if (sample->kind == FVC_TEMPLATE) return bm_template_read_file_ex(sample->path, e->options, tpl);
  bm_image *image = NULL;
  bm_status status = bm_image_load_file(sample->path, e->ppi, &image);
  if (status == BM_OK) status = bm_extract(image, tpl);
  bm_image_free(image);
  return status;
}

static void prepare_sample(void *context, size_t i) {
  folder_eval *e = context;
  sample_state *s = &e->state[i];
  bm_template *tpl = NULL;
  s->status = load_template(e, &e->samples[i], &tpl);
  if (s->status == BM_OK) s->status = bm_prepare_template(tpl, NULL, 0, &s->size);
  if (s->status == BM_OK) {
    s->blob = malloc(s->size);
    s->status = s->blob ? bm_prepare_template(tpl, s->blob, s->size, &s->size) : BM_ERR_OUT_OF_MEMORY;
  }
  if (s->status == BM_OK) s->status = bm_probe_create_from_prepared(s->blob, s->size, &s->probe);
  if (s->status != BM_OK) {
    snprintf(s->message, sizeof s->message, "%s", bm_last_error_message());
    free(s->blob);
    s->blob = NULL;
  }
  bm_template_free(tpl);
}

/* Row i: sample i against every later sample. */
static void score_row(void *context, size_t i) {
  folder_eval *e = context;
  size_t g = e->genuine_offset[i], m = e->impostor_offset[i];
  for (size_t j = i + 1; j < e->count; ++j) {
    float score = 0;
    if (e->state[i].probe && e->state[j].blob &&
        bm_match_one(e->state[i].probe, e->state[j].blob, e->state[j].size, &score) != BM_OK)
      score = 0; /* cannot happen for blobs prepared above; counted as a rejection if it does */
    if (e->samples[i].finger == e->samples[j].finger) e->genuine[g++] = score;
    else e->impostor[m++] = score;
  }
}

static double seconds_since(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) + 1e-9 * (double)(now.tv_nsec - start->tv_nsec);
}

/* Returns CLI_EXIT_OK, or CLI_EXIT_FAILURE after printing why. */
static int evaluate_folder(folder_eval *e, unsigned kinds, unsigned threads) {
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  if (!fvc_list_folder(e->dir, kinds, &e->samples, &e->count)) {
    fprintf(stderr, "biomatch: %s: cannot read the folder\n", e->dir);
    return CLI_EXIT_FAILURE;
  }
  if (e->count == 0 && kinds == FVC_TEMPLATE && !fvc_list_folder(e->dir, FVC_IMAGE, &e->samples, &e->count)) {
    fprintf(stderr, "biomatch: %s: cannot read the folder\n", e->dir);
    return CLI_EXIT_FAILURE;
  }
  /* Pair counts first, so every row knows where its scores go. */
  e->genuine_offset = calloc(e->count + 1, sizeof *e->genuine_offset);
  e->impostor_offset = calloc(e->count + 1, sizeof *e->impostor_offset);
  e->state = calloc(e->count + 1, sizeof *e->state);
  if (!e->genuine_offset || !e->impostor_offset || !e->state) {
    fprintf(stderr, "biomatch: %s: out of memory\n", e->dir);
    return CLI_EXIT_FAILURE;
  }
  for (size_t i = 0; i < e->count; ++i) {
    if (i == 0 || e->samples[i].finger != e->samples[i - 1].finger) ++e->fingers;
    e->genuine_offset[i] = e->genuine_count;
    e->impostor_offset[i] = e->impostor_count;
    for (size_t j = i + 1; j < e->count; ++j) {
      if (e->samples[i].finger == e->samples[j].finger) ++e->genuine_count;
      else ++e->impostor_count;
    }
  }
  if (e->genuine_count == 0 || e->impostor_count == 0) {
    fprintf(stderr,
            "biomatch: %s: %zu FFF_I samples of %zu fingers: the protocol needs two fingers and two impressions "
            "of one\n",
            e->dir, e->count, e->fingers);
    return CLI_EXIT_FAILURE;
  }
  cli_progress progress;
  cli_progress_start(&progress, "preparing", e->count);
  cli_parallel_for(e->count, threads, prepare_sample, e, &progress);
  cli_progress_finish(&progress);
  for (size_t i = 0; i < e->count; ++i) {
    if (e->state[i].status == BM_OK) continue;
    /* An unreadable template is bad input; an image without a usable print is a failure to enrol. */
    if (e->samples[i].kind == FVC_TEMPLATE || e->state[i].status != BM_ERR_NOT_A_FINGERPRINT) {
      fprintf(stderr, "biomatch: %s: %s: %s\n", e->samples[i].path, bm_error_name(e->state[i].status),
              e->state[i].message);
      return CLI_EXIT_FAILURE;
    }
    fprintf(stderr, "biomatch: %s: failure to enrol (%s), its pairs score 0\n", e->samples[i].path,
            e->state[i].message);
    ++e->failures;
  }
  e->genuine = malloc(e->genuine_count * sizeof *e->genuine);
  e->impostor = malloc(e->impostor_count * sizeof *e->impostor);
  if (!e->genuine || !e->impostor) {
    fprintf(stderr, "biomatch: %s: out of memory\n", e->dir);
    return CLI_EXIT_FAILURE;
  }
  cli_progress_start(&progress, "comparing", e->count);
  cli_parallel_for(e->count, threads, score_row, e, &progress);
  cli_progress_finish(&progress);
  compute_error_rates(e->genuine, e->genuine_count, e->impostor, e->impostor_count, &e->rates);
  e->seconds = seconds_since(&start);
  return CLI_EXIT_OK;
}

static void free_folder(folder_eval *e) {
  for (size_t i = 0; i < e->count && e->state; ++i) {
    bm_probe_free(e->state[i].probe);
    free(e->state[i].blob);
  }
  fvc_free_samples(e->samples, e->count);
  free(e->state);
  free(e->genuine);
  free(e->impostor);
  free(e->genuine_offset);
  free(e->impostor_offset);
}

static void print_text(const char *name, size_t samples, size_t fingers, size_t failures, size_t gn, size_t in,
                       const error_rates *r, double seconds) {
  printf("%s: %zu samples of %zu fingers, %zu failed to enrol, %zu genuine and %zu impostor pairs\n", name, samples,
         fingers, failures, gn, in);
  printf("  EER %.2f%%  FNMR@FMR=1%% %.2f%%  FNMR@FMR=0.1%% %.2f%%  FNMR@FMR=0 %.2f%%  "
         "(mean score genuine %.4f, impostor %.4f; %.1f s)\n",
         100 * r->eer, 100 * r->fnmr_at_fmr_1e2, 100 * r->fnmr_at_fmr_1e3, 100 * r->fnmr_at_zero_fmr,
         r->genuine_mean, r->impostor_mean, seconds);
}

static void print_json_set(const char *name, size_t samples, size_t fingers, size_t failures, size_t gn, size_t in,
                           const error_rates *r, double seconds) {
  printf("{\"dir\": ");
  bm_json_write_string_(stdout, name);
  printf(", \"samples\": %zu, \"fingers\": %zu, \"enrol_failures\": %zu, \"genuine_pairs\": %zu, "
         "\"impostor_pairs\": %zu, \"eer\": %.6f, \"fnmr_at_fmr_1e-2\": %.6f, \"fnmr_at_fmr_1e-3\": %.6f, "
         "\"fnmr_at_fmr_0\": %.6f, \"genuine_mean\": %.6f, \"impostor_mean\": %.6f, \"seconds\": %.3f}",
         samples, fingers, failures, gn, in, r->eer, r->fnmr_at_fmr_1e2, r->fnmr_at_fmr_1e3, r->fnmr_at_zero_fmr,
         r->genuine_mean, r->impostor_mean, seconds);
}

void cmd_eval_usage(FILE *out) {
  fprintf(out,
          "usage: biomatch eval DIR... [--det OUT.png] [--json] [--threads T] [--images] [--image-ppi N]\n"
          "                            [template reading options]\n"
          "Runs the FVC verification protocol on each folder of FFF_I.EXT samples (finger FFF,\n"
          "impression I): genuine pairs are the impressions of one finger, impostor pairs the\n"
          "impressions of different fingers. Prints EER and FNMR at FMR 1%%, 0.1%% and 0 for each\n"
          "folder and, with several folders, for all scores together.\n"
          "Samples are templates (.iso .ist .ansi .fmr .xyt .bm .bmt .tpl) or, when a folder has\n"
          "none or with --images, PNG images whose minutiae are extracted first.\n"
          "  --det OUT.png    write the DET curves (one colour per folder, log-log, see docs/cli.md)\n"
          "  --json           one JSON object on stdout (layout in docs/cli.md)\n"
          "  --threads T      threads (default 0 = one per CPU)\n"
          "  --images         use the PNG images even where templates exist\n"
          "  --image-ppi N    resolution of PNG files without a pHYs chunk (default 500)\n"
          "Exit status: 0 done, 1 unreadable folder or template, too few samples, 2 usage.\n");
}

int cmd_eval(int argc, char **argv) {
  cli_template_args args;
  cli_template_args_init(&args);
  const char *det = NULL;
  unsigned threads = 0, kinds = FVC_TEMPLATE;
  double image_ppi = 0;
  const char **dirs = calloc((size_t)argc, sizeof *dirs);
  size_t dir_count = 0;
  if (!dirs) return CLI_EXIT_FAILURE;
  int usage_error = 0;
  for (int i = 1; i < argc && !usage_error; ++i) {
    const int consumed = cli_parse_template_option(argc, argv, &i, &args);
    if (consumed < 0) usage_error = 1;
    else if (consumed) continue;
    else if (strcmp(argv[i], "--images") == 0) kinds = FVC_IMAGE;
    else if (strcmp(argv[i], "--det") == 0 && i + 1 < argc) det = argv[++i];
    else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) usage_error = !cli_parse_threads("eval", argv[++i], &threads);
    else if (strcmp(argv[i], "--image-ppi") == 0 && i + 1 < argc) {
      char *end;
      image_ppi = strtod(argv[++i], &end);
      if (*end || !(image_ppi >= 100 && image_ppi <= 5000)) {
        fprintf(stderr, "biomatch eval: --image-ppi takes 100..5000\n");
        usage_error = 1;
      }
    } else if (argv[i][0] != '-') dirs[dir_count++] = argv[i];
    else {
      fprintf(stderr, "biomatch eval: unknown option '%s'\n", argv[i]);
      usage_error = 1;
    }
  }
  if (!usage_error && dir_count == 0) {
    fprintf(stderr, "biomatch eval: no folder given\n");
    usage_error = 1;
  }
  if (usage_error) {
    cmd_eval_usage(stderr);
    free(dirs);
    return CLI_EXIT_USAGE;
  }
  if (threads == 0 && !cli_parse_threads("eval", "0", &threads)) threads = 1;
  folder_eval *evals = calloc(dir_count, sizeof *evals);
  int status = evals ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
  for (size_t d = 0; d < dir_count && status == CLI_EXIT_OK; ++d) {
    evals[d].dir = dirs[d];
    evals[d].options = &args.read;
    evals[d].ppi = image_ppi;
    status = evaluate_folder(&evals[d], kinds, threads);
  }
  /* All folders together: scores pooled (finger ids are only unique within a folder, so no cross-folder pairs). */
  size_t all_gn = 0, all_in = 0, all_samples = 0, all_fingers = 0, all_failures = 0;
  double all_seconds = 0;
  float *pooled_genuine = NULL, *pooled_impostor = NULL;
  error_rates pooled;
  if (status == CLI_EXIT_OK) {
    for (size_t d = 0; d < dir_count; ++d) {
      all_gn += evals[d].genuine_count;
      all_in += evals[d].impostor_count;
      all_samples += evals[d].count;
      all_fingers += evals[d].fingers;
      all_failures += evals[d].failures;
      all_seconds += evals[d].seconds;
    }
    pooled_genuine = malloc(all_gn * sizeof *pooled_genuine);
    pooled_impostor = malloc(all_in * sizeof *pooled_impostor);
    if (!pooled_genuine || !pooled_impostor) status = CLI_EXIT_FAILURE;
  }
  if (status == CLI_EXIT_OK) {
    size_t g = 0, m = 0;
    for (size_t d = 0; d < dir_count; ++d) {
      memcpy(pooled_genuine + g, evals[d].genuine, evals[d].genuine_count * sizeof *pooled_genuine);
      memcpy(pooled_impostor + m, evals[d].impostor, evals[d].impostor_count * sizeof *pooled_impostor);
      g += evals[d].genuine_count;
      m += evals[d].impostor_count;
    }
    compute_error_rates(pooled_genuine, all_gn, pooled_impostor, all_in, &pooled);
    if (args.json) printf("{\"sets\": [");
    for (size_t d = 0; d < dir_count; ++d) {
      const folder_eval *e = &evals[d];
      if (args.json) {
        printf(d ? ",\n  " : "\n  ");
        print_json_set(e->dir, e->count, e->fingers, e->failures, e->genuine_count, e->impostor_count, &e->rates,
                       e->seconds);
      } else {
        print_text(e->dir, e->count, e->fingers, e->failures, e->genuine_count, e->impostor_count, &e->rates,
                   e->seconds);
      }
    }
    if (args.json) {
      printf("],\n \"all\": ");
      print_json_set("all", all_samples, all_fingers, all_failures, all_gn, all_in, &pooled, all_seconds);
      printf(",\n \"isa\": \"%s\", \"threads\": %u}\n", bm_isa_name(bm_active_isa()), threads);
    } else if (dir_count > 1) {
      print_text("all folders", all_samples, all_fingers, all_failures, all_gn, all_in, &pooled, all_seconds);
    }
  }
  if (status == CLI_EXIT_OK && det) {
    static const uint8_t palette[6][3] = {{200, 0, 0}, {0, 90, 200}, {0, 150, 60}, {200, 120, 0}, {130, 0, 170}, {0, 0, 0}};
    det_curve *curves = calloc(dir_count, sizeof *curves);
    for (size_t d = 0; curves && d < dir_count; ++d) {
      curves[d] = (det_curve){evals[d].genuine, evals[d].genuine_count, evals[d].impostor, evals[d].impostor_count,
                              {palette[d % 6][0], palette[d % 6][1], palette[d % 6][2]}};
    }
    if (!curves || !det_plot_write(det, curves, dir_count)) {
      fprintf(stderr, "biomatch: %s: cannot write the DET curve: %s\n", det, bm_last_error_message());
      status = CLI_EXIT_FAILURE;
    }
    free(curves);
  }
  for (size_t d = 0; evals && d < dir_count; ++d) free_folder(&evals[d]);
  free(evals);
  free(pooled_genuine);
  free(pooled_impostor);
  free(dirs);
  return status;
}
