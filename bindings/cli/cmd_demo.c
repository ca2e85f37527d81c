/* biomatch demo: the main job end to end on built-in data. A gallery of
 * SYNTHETIC persons (two fingers and a face each, plus a few planted
 * duplicates) and, when ../shared/data exists, real FVC2002 prints
 * extracted from their images; then 1:N identification of mated and
 * non-mated probes (one finger, two fingers, face, fingers + face), a
 * latent-style search with a candidate list, a deduplication pass, and the
 * pictures of demo-out/: minutiae overlays, a match picture with paired
 * minutiae joined, and DET curves. */
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "biomatch/bm_gallery.h"
#include "cli.h"
#include "cli_parallel.h"
#include "cli_progress.h"
#include "demo_pictures.h"
#include "det_plot.h"
#include "error_rates.h"
#include "npy_reader.h"
#include "synthetic_faces.h"
#include "synthetic_minutiae.h"

#ifndef BM_DEFAULT_DATA_DIR
#define BM_DEFAULT_DATA_DIR "../shared/data"
#endif

enum { FACE_DIM = 128, PLANTED_DUPLICATES = 5, PROBES_PER_KIND = 25, DET_FINGERS = 100 };
static const uint64_t SEED = 2026;
static const double DECISION_FMR = 1e-4;

typedef struct demo {
  const char *out, *data;
  size_t persons;
  unsigned threads;
  int json, have_data, have_faces; /* FVC2002 prints; LFW face embeddings */
  bm_gallery *gallery;
  atomic_int failure; /* a failure of any enrolment worker (several threads write it) */
  /* figures for the summary */
  double enrol_seconds, dedup_seconds, search_seconds;
  size_t records, real_records, searches;
  uint64_t comparisons;
} demo;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint64_t finger_number(uint64_t person, unsigned position) { return (SEED * 1000003ull + person) * 16 + position; }

static void person_id(char *out, size_t size, uint64_t person) { snprintf(out, size, "person-%05llu", (unsigned long long)person); }

/* ------------------------------------------------------------ enrolment */

/* Record i: person i (i < persons) or a planted duplicate of person
 * (i - persons) * persons / PLANTED_DUPLICATES enrolled under another id
 * from a second capture. */
static void enrol_synthetic(void *context, size_t i) {
  demo *d = context;
  const int duplicate = i >= d->persons;
  const uint64_t person = duplicate ? (i - d->persons) * (d->persons / PLANTED_DUPLICATES) : i;
  char id[48];
  if (duplicate) snprintf(id, sizeof id, "duplicate-of-%05llu", (unsigned long long)person);
  else person_id(id, sizeof id, person);
  bm_gallery_record *record = NULL;
  bm_status status = bm_gallery_record_create(id, &record);
  for (unsigned position = 1; position <= 2 && status == BM_OK; ++position) {
    bm_template *tpl = NULL;
    status = bm_synth_template(finger_number(person, position), duplicate ? 2 : 0, position, &tpl);
    if (status == BM_OK) status = bm_gallery_record_set_finger(record, position, tpl);
    bm_template_free(tpl);
  }
  float face[FACE_DIM];
  synthetic_face(SEED, person, duplicate ? 2 : 0, face, FACE_DIM);
  if (status == BM_OK) status = bm_gallery_record_set_face(record, face, FACE_DIM);
  if (status == BM_OK) status = bm_gallery_enroll(d->gallery, record, BM_GALLERY_INSERT, NULL);
  if (status != BM_OK) atomic_store(&d->failure, (int)status);
  bm_gallery_record_free(record);
}

/* Extracts the minutiae of DATA/fvc2002_dbN_b/png/FFF_I.png; the image and
 * the extractor's foreground are handed back when asked for (may be NULL). */
static bm_status extract_fvc(const demo *d, int db, int finger, int impression, bm_template **tpl, bm_image **image,
                             bm_image **foreground) {
  char path[4096];
  snprintf(path, sizeof path, "%s/fvc2002_db%d_b/png/%d_%d.png", d->data, db, finger, impression);
  bm_image *loaded = NULL;
  bm_status status = bm_image_load_file(path, 0, &loaded);
  if (status == BM_OK) status = bm_extract_ex(loaded, tpl, foreground);
  if (status != BM_OK) cli_report_error(path, status);
  if (image && status == BM_OK) *image = loaded;
  else bm_image_free(loaded);
  return status;
}

/* Real records: impression 1 of each FVC2002 DB1/DB2 finger, position unknown (0). */
static void enrol_real(void *context, size_t i) {
  demo *d = context;
  const int db = 1 + (int)(i / 10), finger = 101 + (int)(i % 10);
  bm_template *tpl = NULL;
  char id[48];
  snprintf(id, sizeof id, "fvc2002-db%d-%d", db, finger);
  bm_gallery_record *record = NULL;
  bm_status status = extract_fvc(d, db, finger, 1, &tpl, NULL, NULL);
  if (status == BM_OK) status = bm_gallery_record_create(id, &record);
  if (status == BM_OK) status = bm_gallery_record_set_finger(record, 0, tpl);
  if (status == BM_OK) status = bm_gallery_enroll(d->gallery, record, BM_GALLERY_INSERT, NULL);
  if (status != BM_OK) atomic_store(&d->failure, (int)status);
  bm_gallery_record_free(record);
  bm_template_free(tpl);
}

static int build_gallery(demo *d) {
  bm_gallery_options options;
  bm_gallery_options_init(&options);
  options.shard_count = 4;
  options.face_dimension = FACE_DIM;
  bm_status status = bm_gallery_create(&options, &d->gallery);
  if (status != BM_OK) return cli_report_error("demo: gallery", status);
  const size_t synthetic = d->persons + PLANTED_DUPLICATES, real = d->have_data ? 20 : 0;
  cli_progress progress;
  cli_progress_start(&progress, "enrolling", synthetic + real);
  const double start = now();
  cli_parallel_for(synthetic, d->threads, enrol_synthetic, d, &progress);
  if (atomic_load(&d->failure) == BM_OK && real) cli_parallel_for(real, d->threads, enrol_real, d, &progress);
  d->enrol_seconds = now() - start;
  cli_progress_finish(&progress);
  if (atomic_load(&d->failure) != BM_OK) return cli_report_error("demo: enrolment", (bm_status)atomic_load(&d->failure));
  d->records = bm_gallery_count(d->gallery);
  d->real_records = real;
  if (!d->json)
    printf("gallery        %zu records enrolled in %.1f s (%.0f records/s, %u threads): %zu SYNTHETIC persons with\n"
           "               fingers 1-2 and a %d-d face, %d planted duplicates%s\n",
           d->records, d->enrol_seconds, (double)d->records / d->enrol_seconds, d->threads, d->persons, FACE_DIM,
           PLANTED_DUPLICATES, real ? ", 20 real FVC2002 fingers (extracted from PNG)" : "");
  return CLI_EXIT_OK;
}

/* --------------------------------------------------------- identification */

typedef struct search_tally {
  size_t mated, rank1, accepted, nonmated, false_accepts;
  double mate_score_sum, best_nonmated_score;
} search_tally;

typedef enum probe_kind { ONE_FINGER, TWO_FINGERS, FACE_ONLY, FINGERS_AND_FACE } probe_kind;

static bm_status make_probe(probe_kind kind, uint64_t person, bm_gallery_probe **out) {
  bm_status status = bm_gallery_probe_create(out);
  const unsigned fingers = kind == ONE_FINGER ? 1 : kind == FACE_ONLY ? 0 : 2;
  for (unsigned position = 1; position <= fingers && status == BM_OK; ++position) {
    bm_template *tpl = NULL;
    status = bm_synth_template(finger_number(person, position), 1, position, &tpl);
    if (status == BM_OK) status = bm_gallery_probe_add_finger(*out, position, tpl);
    bm_template_free(tpl);
  }
  if (status == BM_OK && (kind == FACE_ONLY || kind == FINGERS_AND_FACE)) {
    float face[FACE_DIM];
    synthetic_face(SEED, person, 1, face, FACE_DIM);
    status = bm_gallery_probe_set_face(*out, face, FACE_DIM);
  }
  return status;
}

static bm_status search(demo *d, const bm_gallery_probe *probe, size_t top_k, bm_gallery_result **result) {
  bm_gallery_search_params params;
  bm_gallery_search_params_init(&params);
  params.top_k = (uint32_t)top_k;
  params.threads = d->threads;
  const double start = now();
  const bm_status status = bm_gallery_identify(d->gallery, probe, &params, result);
  d->search_seconds += now() - start;
  ++d->searches;
  if (status == BM_OK) d->comparisons += bm_gallery_result_comparisons(*result);
  return status;
}

/* PROBES_PER_KIND mated probes (second captures of enrolled persons) and as
 * many non-mated (persons never enrolled). */
static int run_searches(demo *d, probe_kind kind, const char *label, search_tally *t, cli_progress *progress) {
  memset(t, 0, sizeof *t);
  for (size_t k = 0; k < 2 * PROBES_PER_KIND; ++k) {
    const int mated = k % 2 == 0;
    const uint64_t person = mated ? (k / 2) * (d->persons / PROBES_PER_KIND) + 1 : d->persons + 1000 + k;
    bm_gallery_probe *probe = NULL;
    bm_gallery_result *result = NULL;
    bm_status status = make_probe(kind, person, &probe);
    if (status == BM_OK) status = search(d, probe, 5, &result);
    bm_gallery_probe_free(probe);
    if (status != BM_OK) return cli_report_error(label, status);
    const size_t count = bm_gallery_result_count(result);
    const int accepted = count > 0 && bm_gallery_result_fmr(result, 0) <= DECISION_FMR;
    if (mated) {
      char id[48];
      person_id(id, sizeof id, person);
      ++t->mated;
      const int top = count > 0 && strcmp(bm_gallery_result_id(result, 0), id) == 0;
      t->rank1 += top;
      t->accepted += top && accepted;
      if (top) t->mate_score_sum += bm_gallery_result_score(result, 0);
    } else {
      ++t->nonmated;
      t->false_accepts += accepted;
      if (count && bm_gallery_result_score(result, 0) > t->best_nonmated_score)
        t->best_nonmated_score = bm_gallery_result_score(result, 0);
    }
    bm_gallery_result_free(result);
    cli_progress_advance(progress, 1);
  }
  return CLI_EXIT_OK;
}

static void print_tally(const char *label, const search_tally *t) {
  printf("  %-18s mated: %2zu/%zu at rank 1, %2zu/%zu accepted (mean fused score %.1f); "
         "non-mated: %zu/%zu accepted (best score %.1f)\n",
         label, t->rank1, t->mated, t->accepted, t->mated, t->rank1 ? t->mate_score_sum / (double)t->rank1 : 0.0,
         t->false_accepts, t->nonmated, t->best_nonmated_score);
}

static void print_tally_json(const char *label, const search_tally *t, int last) {
  printf("\"%s\": {\"mated\": %zu, \"rank1\": %zu, \"accepted\": %zu, \"nonmated\": %zu, \"false_accepts\": %zu}%s",
         label, t->mated, t->rank1, t->accepted, t->nonmated, t->false_accepts, last ? "" : ", ");
}

/* ------------------------------------------------------------ latent search */

/* Keeps the minutiae inside a window covering `share` of the print around its centre: a partial latent. */
static bm_status crop_to_window(bm_template *tpl, double share) {
  const size_t count = bm_template_minutia_count(tpl);
  const bm_minutia *m = bm_template_minutiae(tpl);
  double cx = 0, cy = 0;
  for (size_t i = 0; i < count; ++i) {
    cx += m[i].x;
    cy += m[i].y;
  }
  cx /= (double)(count ? count : 1);
  cy /= (double)(count ? count : 1);
  unsigned width, height;
  double ppi_x, ppi_y;
  bm_template_get_image(tpl, &width, &height, &ppi_x, &ppi_y);
  const double half_w = 0.5 * sqrt(share) * width, half_h = 0.5 * sqrt(share) * height;
  bm_minutia *kept = malloc((count ? count : 1) * sizeof *kept);
  if (!kept) return BM_ERR_OUT_OF_MEMORY;
  size_t used = 0;
  for (size_t i = 0; i < count; ++i)
    if (fabs(m[i].x - cx) <= half_w && fabs(m[i].y - cy) <= half_h) kept[used++] = m[i];
  const bm_status status = bm_template_set_minutiae(tpl, kept, used);
  free(kept);
  return status;
}

static int latent_search(demo *d) {
  bm_template *latent = NULL;
  const char *source;
  char expected[48];
  bm_status status;
  if (d->have_data) {
    source = "FVC2002 DB1 105_3 (image), cropped to 35% of its area";
    snprintf(expected, sizeof expected, "fvc2002-db1-105");
    status = extract_fvc(d, 1, 105, 3, &latent, NULL, NULL);
  } else {
    const uint64_t person = d->persons / 3;
    source = "SYNTHETIC capture of finger 2, cropped to 35% of its area";
    person_id(expected, sizeof expected, person);
    status = bm_synth_template(finger_number(person, 2), 3, 0, &latent);
  }
  if (status == BM_OK) status = crop_to_window(latent, 0.35);
  bm_gallery_probe *probe = NULL;
  bm_gallery_result *result = NULL;
  if (status == BM_OK) status = bm_gallery_probe_create(&probe);
  if (status == BM_OK) status = bm_gallery_probe_add_finger(probe, 0, latent); /* position unknown */
  const double start = now();
  if (status == BM_OK) status = search(d, probe, 5, &result);
  const double milliseconds = 1e3 * (now() - start);
  const size_t minutiae = bm_template_minutia_count(latent);
  bm_gallery_probe_free(probe);
  bm_template_free(latent);
  if (status != BM_OK) return cli_report_error("demo: latent search", status);
  if (d->json) {
    printf("\"latent\": {\"expected\": \"%s\", \"minutiae\": %zu, \"comparisons\": %llu, \"candidates\": [", expected,
           minutiae, (unsigned long long)bm_gallery_result_comparisons(result));
    for (size_t i = 0; i < bm_gallery_result_count(result); ++i)
      printf("%s{\"id\": \"%s\", \"score\": %.4g, \"fmr\": %.3g}", i ? ", " : "", bm_gallery_result_id(result, i),
             bm_gallery_result_score(result, i), bm_gallery_result_fmr(result, i));
    printf("]}, ");
  } else {
    printf("latent search  %s: %zu minutiae, position unknown,\n"
           "               compared with every finger (%llu comparisons, %.0f ms); candidate list:\n",
           source, minutiae, (unsigned long long)bm_gallery_result_comparisons(result), milliseconds);
    for (size_t i = 0; i < bm_gallery_result_count(result); ++i) {
      unsigned record_position = 0;
      float score = 0;
      if (bm_gallery_result_finger(result, i, 0, NULL, &record_position, &score, NULL) != BM_OK) score = 0;
      printf("    %zu. %-20s fused score %5.2f  FMR %8.2g  (finger %u, matcher score %.3f)%s\n", i + 1,
             bm_gallery_result_id(result, i), bm_gallery_result_score(result, i), bm_gallery_result_fmr(result, i),
             record_position, (double)score, strcmp(bm_gallery_result_id(result, i), expected) == 0 ? "  <- mate" : "");
    }
  }
  bm_gallery_result_free(result);
  return CLI_EXIT_OK;
}

/* ---------------------------------------------------------- deduplication */

static int report_dedup_progress(void *context, uint64_t done, uint64_t total) {
  cli_progress *progress = context;
  progress->total = (size_t)total;
  const size_t before = atomic_load(&progress->done);
  if (done > before) cli_progress_advance(progress, (size_t)done - before);
  return 0;
}

static int deduplicate(demo *d) {
  cli_progress progress;
  cli_progress_start(&progress, "deduplicating", 0);
  bm_gallery_dedup_result *result = NULL;
  const double start = now();
  const bm_status status =
      bm_gallery_dedup(d->gallery, NULL, 0, DECISION_FMR * 1e-2, d->threads, report_dedup_progress, &progress, &result);
  d->dedup_seconds = now() - start;
  cli_progress_finish(&progress);
  if (status != BM_OK) return cli_report_error("demo: deduplication", status);
  size_t planted_found = 0;
  for (size_t c = 0; c < bm_gallery_dedup_cluster_count(result); ++c) {
    const char *first = bm_gallery_dedup_cluster_member(result, c, 0);
    if (bm_gallery_dedup_cluster_size(result, c) == 2 && strncmp(first, "duplicate-of-", 13) == 0 &&
        strcmp(first + 13, bm_gallery_dedup_cluster_member(result, c, 1) + 7) == 0)
      ++planted_found;
  }
  const uint64_t pairs = bm_gallery_dedup_pairs_compared(result);
  if (d->json)
    printf("\"dedup\": {\"record_pairs\": %llu, \"seconds\": %.3f, \"pairs_found\": %zu, \"clusters\": %zu, "
           "\"planted\": %d, \"planted_found\": %zu}, ",
           (unsigned long long)pairs, d->dedup_seconds, bm_gallery_dedup_pair_count(result),
           bm_gallery_dedup_cluster_count(result), PLANTED_DUPLICATES, planted_found);
  else
    printf("deduplication  %llu record pairs in %.1f s (%.0f pairs/s): %zu pairs above FMR %g in %zu clusters;\n"
           "               %zu of the %d planted duplicates found\n",
           (unsigned long long)pairs, d->dedup_seconds, (double)pairs / d->dedup_seconds,
           bm_gallery_dedup_pair_count(result), DECISION_FMR * 1e-2, bm_gallery_dedup_cluster_count(result),
           planted_found, PLANTED_DUPLICATES);
  bm_gallery_dedup_free(result);
  return CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- pictures */

typedef struct score_lists {
  float *genuine, *impostor;
  size_t genuine_count, impostor_count;
} score_lists;

/* Template i of a score set (synthetic generator or FVC file). */
typedef bm_status (*template_source)(const demo *d, size_t i, bm_template **out);

/* Prepares the `count` templates of `source` once, then scores every pair
 * i < j: genuine when i / per_finger == j / per_finger. */
static bm_status score_all_pairs(const demo *d, template_source source, size_t count, size_t per_finger,
                                 score_lists *s) {
  uint8_t **blobs = calloc(count, sizeof *blobs);
  size_t *sizes = calloc(count, sizeof *sizes);
  s->genuine = malloc(count * per_finger * sizeof(float));
  s->impostor = malloc(count * count / 2 * sizeof(float));
  bm_status status = blobs && sizes && s->genuine && s->impostor ? BM_OK : BM_ERR_OUT_OF_MEMORY;
  for (size_t i = 0; i < count && status == BM_OK; ++i) {
    bm_template *tpl = NULL;
    status = source(d, i, &tpl);
    if (status == BM_OK) status = bm_prepare_template(tpl, NULL, 0, &sizes[i]);
    if (status == BM_OK) blobs[i] = malloc(sizes[i]);
    if (status == BM_OK) status = blobs[i] ? bm_prepare_template(tpl, blobs[i], sizes[i], &sizes[i]) : BM_ERR_OUT_OF_MEMORY;
    bm_template_free(tpl);
  }
  for (size_t i = 0; i < count && status == BM_OK; ++i) {
    bm_probe *probe = NULL;
    status = bm_probe_create_from_prepared(blobs[i], sizes[i], &probe);
    for (size_t j = i + 1; j < count && status == BM_OK; ++j) {
      float score = 0;
      status = bm_match_one(probe, blobs[j], sizes[j], &score);
      if (i / per_finger == j / per_finger) s->genuine[s->genuine_count++] = score;
      else s->impostor[s->impostor_count++] = score;
    }
    bm_probe_free(probe);
  }
  for (size_t i = 0; blobs && i < count; ++i) free(blobs[i]);
  free(blobs);
  free(sizes);
  return status;
}

/* Real faces: the LFW FaceNet-512 embeddings of the shared data (already
 * L2-normalised), every pair; genuine when the labels agree. */
static bm_status lfw_face_scores(const demo *d, score_lists *s) {
  char path[4096];
  size_t rows = 0, columns = 0, label_rows = 0, width = 0;
  snprintf(path, sizeof path, "%s/lfw_facenet512/lfw_embeddings.npy", d->data);
  float *vectors = npy_read_f32_matrix(path, &rows, &columns);
  snprintf(path, sizeof path, "%s/lfw_facenet512/lfw_labels.npy", d->data);
  char *labels = vectors ? npy_read_labels(path, &label_rows, &width) : NULL;
  bm_status status = vectors && labels && label_rows == rows ? BM_OK : BM_ERR_IO;
  const size_t pairs = rows * (rows - 1) / 2;
  if (status == BM_OK) {
    s->genuine = malloc(pairs * sizeof(float));
    s->impostor = malloc(pairs * sizeof(float));
    if (!s->genuine || !s->impostor) status = BM_ERR_OUT_OF_MEMORY;
  }
  for (size_t i = 0; status == BM_OK && i < rows; ++i)
    for (size_t j = i + 1; j < rows; ++j) {
      float dot = 0;
      for (size_t k = 0; k < columns; ++k) dot += vectors[i * columns + k] * vectors[j * columns + k];
      if (strcmp(labels + i * (width + 1), labels + j * (width + 1)) == 0) s->genuine[s->genuine_count++] = dot;
      else s->impostor[s->impostor_count++] = dot;
    }
  free(vectors);
  free(labels);
  return status;
}

/* Synthetic: DET_FINGERS fingers never enrolled, 2 captures each, the
 * second cut to a quarter of its area like a partial print (whole synthetic
 * captures separate perfectly, which would draw no curve at all). */
static bm_status synthetic_source(const demo *d, size_t i, bm_template **out) {
  (void)d;
  bm_status status = bm_synth_template(finger_number(900000 + i / 2, 1), (uint32_t)(i % 2), 1, out);
  if (status == BM_OK && i % 2) status = crop_to_window(*out, 0.25);
  return status;
}

/* Real: the FVC2002 DB1 templates shipped with the data (FFF_I.iso, 10 x 8). */
static bm_status fvc_source(const demo *d, size_t i, bm_template **out) {
  char path[4096];
  snprintf(path, sizeof path, "%s/fvc2002_db1_b/%zu_%zu.iso", d->data, 101 + i / 8, 1 + i % 8);
  const bm_status status = bm_template_read_file(path, out);
  if (status != BM_OK) cli_report_error(path, status);
  return status;
}

static float cosine(const float *a, const float *b, unsigned n) {
  double dot = 0, na = 0, nb = 0;
  for (unsigned i = 0; i < n; ++i) {
    dot += (double)a[i] * b[i];
    na += (double)a[i] * a[i];
    nb += (double)b[i] * b[i];
  }
  return (float)(dot / sqrt(na * nb));
}

/* Synthetic faces: 200 persons x 2 captures, every pair. */
static bm_status synthetic_face_scores(score_lists *s) {
  enum { PEOPLE = 200, N = 2 * PEOPLE };
  float(*faces)[FACE_DIM] = malloc(sizeof(float[N][FACE_DIM]));
  s->genuine = malloc(PEOPLE * sizeof(float));
  s->impostor = malloc((size_t)N * N / 2 * sizeof(float));
  if (!faces || !s->genuine || !s->impostor) {
    free(faces);
    return BM_ERR_OUT_OF_MEMORY;
  }
  for (size_t i = 0; i < N; ++i) synthetic_face(SEED + 1, i / 2, (uint32_t)(i % 2), faces[i], FACE_DIM);
  for (size_t i = 0; i < N; ++i)
    for (size_t j = i + 1; j < N; ++j) {
      const float score = cosine(faces[i], faces[j], FACE_DIM);
      if (i / 2 == j / 2) s->genuine[s->genuine_count++] = score;
      else s->impostor[s->impostor_count++] = score;
    }
  free(faces);
  return BM_OK;
}

static void path_in(const demo *d, const char *name, char *out, size_t size) { snprintf(out, size, "%s/%s", d->out, name); }

static int write_pictures(demo *d) {
  char path[4096];
  bm_template *a = NULL, *b = NULL;
  bm_image *image_a = NULL, *image_b = NULL, *foreground_a = NULL;
  bm_status status;
  const char *pair_label;
  if (d->have_data) {
    pair_label = "FVC2002 DB1 101_1 and 101_2 (extracted from their images)";
    status = extract_fvc(d, 1, 101, 1, &a, &image_a, &foreground_a);
    if (status == BM_OK) status = extract_fvc(d, 1, 101, 2, &b, &image_b, NULL);
  } else {
    /* The clearest of ten mated pairs (highest matcher score), so the lines are easy to follow. */
    pair_label = "SYNTHETIC captures 0 and 1 of finger 1 (clearest of persons 0-9)";
    float best = -1;
    status = BM_OK;
    for (uint64_t person = 0; person < 10 && status == BM_OK; ++person) {
      bm_template *x = NULL, *y = NULL;
      float s = 0;
      status = bm_synth_template(finger_number(person, 1), 0, 1, &x);
      if (status == BM_OK) status = bm_synth_template(finger_number(person, 1), 1, 1, &y);
      if (status == BM_OK) status = bm_match_templates(x, y, &s);
      if (status == BM_OK && s > best) {
        best = s;
        bm_template_free(a);
        bm_template_free(b);
        a = x;
        b = y;
      } else {
        bm_template_free(x);
        bm_template_free(y);
      }
    }
  }
  float score = 0;
  minutia_pair pairs[BM_MAX_MINUTIAE];
  size_t pair_count = 0;
  if (status == BM_OK) status = bm_match_templates(a, b, &score);
  if (status == BM_OK) {
    pair_count = pair_minutiae(a, b, pairs, BM_MAX_MINUTIAE);
    path_in(d, "match.png", path, sizeof path);
    status = write_match_picture(path, a, image_a, b, image_b, pairs, pair_count);
  }
  if (status == BM_OK) {
    path_in(d, "minutiae.png", path, sizeof path);
    status = image_a ? bm_extract_write_overlay(image_a, foreground_a, a, path) : write_minutiae_picture(path, a, NULL);
  }
  bm_template_free(a);
  bm_template_free(b);
  bm_image_free(image_a);
  bm_image_free(image_b);
  bm_image_free(foreground_a);
  if (status != BM_OK) return cli_report_error("demo: pictures", status);
  if (!d->json)
    printf("match picture  %s: matcher score %.3f (FMR %.2g), %zu minutiae paired\n", pair_label, (double)score,
           bm_match_score_to_fmr(score), pair_count);

  score_lists fingers = {0}, faces = {0}, real = {0};
  status = score_all_pairs(d, synthetic_source, 2 * DET_FINGERS, 2, &fingers);
  if (status == BM_OK) status = d->have_faces ? lfw_face_scores(d, &faces) : synthetic_face_scores(&faces);
  if (status == BM_OK && d->have_data) status = score_all_pairs(d, fvc_source, 80, 8, &real);
  error_rates finger_rates = {0}, face_rates = {0}, real_rates = {0};
  if (status == BM_OK) {
    compute_error_rates(fingers.genuine, fingers.genuine_count, fingers.impostor, fingers.impostor_count, &finger_rates);
    compute_error_rates(faces.genuine, faces.genuine_count, faces.impostor, faces.impostor_count, &face_rates);
    if (d->have_data)
      compute_error_rates(real.genuine, real.genuine_count, real.impostor, real.impostor_count, &real_rates);
    const det_curve curves[3] = {
        {fingers.genuine, fingers.genuine_count, fingers.impostor, fingers.impostor_count, {200, 0, 0}},
        {faces.genuine, faces.genuine_count, faces.impostor, faces.impostor_count, {0, 90, 200}},
        {real.genuine, real.genuine_count, real.impostor, real.impostor_count, {0, 150, 60}}};
    path_in(d, "det.png", path, sizeof path);
    if (!det_plot_write(path, curves, d->have_data ? 3 : 2)) status = BM_ERR_IO;
  }
  free(fingers.genuine);
  free(fingers.impostor);
  free(faces.genuine);
  free(faces.impostor);
  free(real.genuine);
  free(real.impostor);
  if (status != BM_OK) return cli_report_error("demo: DET curve", status);
  if (d->json) {
    printf("\"det\": {\"synthetic_finger_eer\": %.5f, \"%s_face_eer\": %.5f", finger_rates.eer,
           d->have_faces ? "lfw" : "synthetic", face_rates.eer);
    if (d->have_data) printf(", \"fvc2002_db1_eer\": %.5f", real_rates.eer);
    printf("}, ");
  } else {
    printf("DET curves     SYNTHETIC fingers, whole against quarter captures (red) EER %.2f%%,\n"
           "               %s faces (blue) EER %.2f%%",
           100 * finger_rates.eer, d->have_faces ? "LFW FaceNet-512 (real)" : "SYNTHETIC", 100 * face_rates.eer);
    if (d->have_data) printf(", FVC2002 DB1 (green) EER %.2f%%", 100 * real_rates.eer);
    printf("\npictures       %s/minutiae.png, %s/match.png, %s/det.png\n", d->out, d->out, d->out);
  }
  return CLI_EXIT_OK;
}

/* --------------------------------------------------------------- command */

void cmd_demo_usage(FILE *out) {
  fprintf(out,
          "usage: biomatch demo [--out DIR] [--persons N] [--threads T] [--data DIR] [--json]\n"
          "Runs the main job on built-in data: builds a gallery of N SYNTHETIC persons (two fingers\n"
          "and a face each, with planted duplicates) plus, when the shared data folder exists, real\n"
          "FVC2002 prints extracted from their images; identifies mated and non-mated probes (one\n"
          "finger, two fingers, face, fingers + face), runs a latent search with a candidate list and\n"
          "a deduplication pass, and writes pictures into DIR: minutiae.png (minutiae overlay),\n"
          "match.png (two captures side by side, paired minutiae joined), det.png (DET curves).\n"
          "  --out DIR      pictures folder (default demo-out)\n"
          "  --persons N    synthetic persons (default 300)\n"
          "  --threads T    threads (default 0 = one per CPU)\n"
          "  --data DIR     shared data folder (default %s; skipped when absent)\n"
          "  --json         one JSON summary object instead of the text report\n"
          "Exit status: 0 done, 1 a step failed, 2 usage.\n",
          BM_DEFAULT_DATA_DIR);
}

int cmd_demo(int argc, char **argv) {
  demo d = {0};
  d.out = "demo-out";
  d.data = BM_DEFAULT_DATA_DIR;
  d.persons = 300;
  for (int i = 1; i < argc; ++i) {
    const int has_value = i + 1 < argc;
    if (strcmp(argv[i], "--json") == 0) d.json = 1;
    else if (strcmp(argv[i], "--out") == 0 && has_value) d.out = argv[++i];
    else if (strcmp(argv[i], "--data") == 0 && has_value) d.data = argv[++i];
    else if (strcmp(argv[i], "--threads") == 0 && has_value) {
      if (!cli_parse_threads("demo", argv[++i], &d.threads)) return CLI_EXIT_USAGE;
    } else if (strcmp(argv[i], "--persons") == 0 && has_value) {
      char *end;
      const unsigned long value = strtoul(argv[++i], &end, 10);
      if (*end || value < 50 || value > 1000000) {
        fprintf(stderr, "biomatch demo: --persons takes 50..1000000\n");
        return CLI_EXIT_USAGE;
      }
      d.persons = value;
    } else {
      fprintf(stderr, "biomatch demo: unknown argument '%s'\n", argv[i]);
      cmd_demo_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  if (d.threads == 0 && !cli_parse_threads("demo", "0", &d.threads)) d.threads = 1;
  struct stat info;
  char probe_path[4096];
  snprintf(probe_path, sizeof probe_path, "%s/fvc2002_db1_b/png/101_1.png", d.data);
  d.have_data = stat(probe_path, &info) == 0;
  snprintf(probe_path, sizeof probe_path, "%s/fvc2002_db2_b/png/101_1.png", d.data);
  d.have_data = d.have_data && stat(probe_path, &info) == 0;
  snprintf(probe_path, sizeof probe_path, "%s/lfw_facenet512/lfw_labels.npy", d.data);
  d.have_faces = stat(probe_path, &info) == 0;
  if (mkdir(d.out, 0755) != 0 && errno != EEXIST) {
    fprintf(stderr, "biomatch demo: cannot create %s: %s\n", d.out, strerror(errno));
    return CLI_EXIT_FAILURE;
  }
  const double start = now();
  const bm_status self_check = bm_kernels_self_check();
  if (self_check != BM_OK) return cli_report_error("kernel self-check", self_check);
  if (d.json)
    printf("{\"version\": \"%s\", \"isa\": \"%s\", \"real_data\": %s, ", bm_version_string(), bm_isa_name(bm_active_isa()),
           d.have_data ? "true" : "false");
  else
    printf("biomatch %s, instruction set %s (kernel self-check passed), real data %s\n", bm_version_string(),
           bm_isa_name(bm_active_isa()), d.have_data ? d.data : "absent: synthetic only");

  int code = build_gallery(&d);
  float threshold = 0;
  if (code == CLI_EXIT_OK && bm_match_fmr_to_threshold(DECISION_FMR, &threshold) != BM_OK) threshold = NAN;
  static const struct {
    probe_kind kind;
    const char *label, *key;
  } kinds[] = {{ONE_FINGER, "one finger", "one_finger"},
               {TWO_FINGERS, "two fingers", "two_fingers"},
               {FACE_ONLY, "face", "face"},
               {FINGERS_AND_FACE, "fingers + face", "fingers_and_face"}};
  search_tally tallies[4];
  if (code == CLI_EXIT_OK) {
    cli_progress progress;
    cli_progress_start(&progress, "identifying", 4 * 2 * PROBES_PER_KIND);
    for (int k = 0; k < 4 && code == CLI_EXIT_OK; ++k) code = run_searches(&d, kinds[k].kind, kinds[k].label, &tallies[k], &progress);
    cli_progress_finish(&progress);
  }
  if (code == CLI_EXIT_OK) {
    if (d.json) {
      printf("\"gallery\": {\"records\": %zu, \"real\": %zu, \"enrol_seconds\": %.3f}, \"identify\": {", d.records,
             d.real_records, d.enrol_seconds);
      for (int k = 0; k < 4; ++k) print_tally_json(kinds[k].key, &tallies[k], k == 3);
      printf("}, ");
    } else {
      printf("1:N search     %d mated + %d non-mated probes of each kind; accepted = rank 1 with estimated FMR <= %g\n"
             "               (one finger: matcher score >= %.4f; fused scores add -log10 FMR of each part)\n",
             PROBES_PER_KIND, PROBES_PER_KIND, DECISION_FMR, (double)threshold);
      for (int k = 0; k < 4; ++k) print_tally(kinds[k].label, &tallies[k]);
    }
  }
  if (code == CLI_EXIT_OK) code = latent_search(&d);
  if (code == CLI_EXIT_OK) code = deduplicate(&d);
  if (code == CLI_EXIT_OK) code = write_pictures(&d);
  if (code == CLI_EXIT_OK) {
    const double seconds = now() - start;
    if (d.json)
      printf("\"searches\": %zu, \"finger_comparisons\": %llu, \"search_seconds\": %.3f, \"seconds\": %.2f}\n", d.searches,
             (unsigned long long)d.comparisons, d.search_seconds, seconds);
    else
      printf("throughput     %zu searches, %llu finger comparisons in %.1f s (%.0f comparisons/s); demo took %.0f s\n",
             d.searches, (unsigned long long)d.comparisons, d.search_seconds,
             d.search_seconds > 0 ? (double)d.comparisons / d.search_seconds : 0.0, seconds);
  }
  bm_gallery_close(d.gallery);
  return code;
}
