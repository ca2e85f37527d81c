/* Several face embeddings per gallery record: the record API and its
 * limits, the max-over-embeddings score with its FMR correction in
 * identification and deduplication, merge/replace, deletion and
 * compaction, persistence (log replay, snapshot, directories and records
 * in the format before records held several faces) and invariance over
 * shard and thread counts. Fingers are SYNTHETIC
 * (bench/gallery/synthetic_minutiae.c); embeddings are pseudo-random. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/bm_gallery.h"
#include "gallery/file_io.h"
#include "gallery/gallery_internal.h"
#include "gallery/store.h"
#include "gallery_check.h"
#include "gallery_fixtures.h"
#include "gallery_invariance.h"
#include "gallery_test_support.h"
#include "test_support.h"

/* A failing call must give its specific code and a message. */
#define FAILS(call, code)                                          \
  do {                                                             \
    bm_clear_error();                                              \
    ck_assert_int_eq((call), (code));                              \
    ck_assert_str_ne(bm_last_error_message(), "");                 \
  } while (0)

enum { D = 64 };

/* Unit vector of e in double, for reference cosines. */
static void unit(const float *e, double *out, size_t n) {
  double norm = 0;
  for (size_t i = 0; i < n; ++i) norm += (double)e[i] * e[i];
  norm = sqrt(norm);
  for (size_t i = 0; i < n; ++i) out[i] = e[i] / norm;
}

static double cosine(const float *a, const float *b, size_t n) {
  double ua[2048], ub[2048], dot = 0;
  unit(a, ua, n);
  unit(b, ub, n);
  for (size_t i = 0; i < n; ++i) dot += ua[i] * ub[i];
  return dot;
}

/* The face term the gallery must give for best cosine c over m embeddings. */
static double expected_face_term(float c, size_t m) {
  double p = bm_face_score_to_fmr(NULL, c);
  if (p < 1e-12) p = 1e-12;
  if (p > 1.0) p = 1.0;
  const double corrected = -expm1((double)m * log1p(-p)); /* 1 - (1 - p)^m, exact for tiny p */
  return corrected < 1.0 ? -log10(corrected) : 0.0;
}

/* Record `id` with embeddings of the given seeds (each gf_embedding(seed)). */
static bm_gallery_record *face_record(const char *id, const uint64_t *seeds, size_t count) {
  bm_gallery_record *r = NULL;
  OK(bm_gallery_record_create(id, &r));
  float e[D];
  for (size_t k = 0; k < count; ++k) {
    gf_embedding(seeds[k], 0, 0, e, D);
    OK(bm_gallery_record_add_face(r, e, D));
  }
  return r;
}

/* Enrols face_record(id, seeds, count) with `mode`, which must succeed. */
static void enrol_faces(bm_gallery *g, const char *id, const uint64_t *seeds, size_t count,
                        bm_gallery_enroll_mode mode) {
  bm_gallery_record *r = face_record(id, seeds, count);
  OK(bm_gallery_enroll(g, r, mode, NULL));
  bm_gallery_record_free(r);
}

static bm_gallery_probe *face_probe(uint64_t seed, float noise, uint64_t noise_seed) {
  bm_gallery_probe *probe = NULL;
  OK(bm_gallery_probe_create(&probe));
  float e[D];
  gf_embedding(seed, noise, noise_seed, e, D);
  OK(bm_gallery_probe_set_face(probe, e, D));
  return probe;
}

/* Every face of two records equal (bitwise: f32 storage round-trips exactly). */
static void same_faces(const bm_gallery_record *a, const bm_gallery_record *b) {
  ck_assert_uint_eq(bm_gallery_record_face_count(a), bm_gallery_record_face_count(b));
  for (size_t k = 0; k < bm_gallery_record_face_count(a); ++k) {
    size_t da = 0, db = 0;
    const float *fa = bm_gallery_record_face_at(a, k, &da), *fb = bm_gallery_record_face_at(b, k, &db);
    ck_assert_uint_eq(da, db);
    ck_assert_int_eq(memcmp(fa, fb, da * sizeof(float)), 0);
  }
}

/* ------------------------------------------------------------ record API */

START_TEST(test_record_faces_api) {
  float e[D], other[128];
  bm_gallery_record *r = NULL;
  OK(bm_gallery_record_create("several", &r));
  ck_assert_uint_eq(bm_gallery_record_face_count(r), 0);
  size_t dimension = 7;
  ck_assert_ptr_null(bm_gallery_record_face(r, &dimension));
  ck_assert_uint_eq(dimension, 0);
  for (uint64_t k = 0; k < 3; ++k) {
    gf_embedding(100 + k, 0, 0, e, D);
    for (int i = 0; i < D; ++i) e[i] *= 3.0f; /* normalised on entry */
    OK(bm_gallery_record_add_face(r, e, D));
  }
  ck_assert_uint_eq(bm_gallery_record_face_count(r), 3);
  for (size_t k = 0; k < 3; ++k) {
    const float *f = bm_gallery_record_face_at(r, k, &dimension);
    ck_assert_uint_eq(dimension, D);
    gf_embedding(100 + k, 0, 0, e, D);
    double u[D], norm = 0;
    unit(e, u, D);
    for (int i = 0; i < D; ++i) {
      ck_assert_double_eq_tol(f[i], u[i], 1e-6);
      norm += (double)f[i] * f[i];
    }
    ck_assert_double_eq_tol(norm, 1.0, 1e-5);
  }
  ck_assert_ptr_eq(bm_gallery_record_face(r, NULL), bm_gallery_record_face_at(r, 0, NULL));
  ck_assert_ptr_null(bm_gallery_record_face_at(r, 3, &dimension));
  ck_assert_uint_eq(dimension, 0);
  ck_assert_ptr_null(bm_gallery_record_face_at(NULL, 0, &dimension));
  ck_assert_uint_eq(bm_gallery_record_face_count(NULL), 0);

  /* bad input: specific codes, the record unchanged */
  FAILS(bm_gallery_record_add_face(NULL, e, D), BM_ERR_INVALID_ARGUMENT);
  FAILS(bm_gallery_record_add_face(r, NULL, D), BM_ERR_INVALID_ARGUMENT);
  FAILS(bm_gallery_record_add_face(r, e, 10), BM_ERR_DIMENSION);
  FAILS(bm_gallery_record_add_face(r, e, 4096), BM_ERR_DIMENSION);
  gf_embedding(5, 0, 0, other, 128);
  FAILS(bm_gallery_record_add_face(r, other, 128), BM_ERR_DIMENSION); /* the record's faces are 64-d */
  float bad[D];
  memcpy(bad, e, sizeof bad);
  bad[D - 1] = NAN;
  FAILS(bm_gallery_record_add_face(r, bad, D), BM_ERR_NON_FINITE);
  bad[D - 1] = INFINITY;
  FAILS(bm_gallery_record_add_face(r, bad, D), BM_ERR_NON_FINITE);
  memset(bad, 0, sizeof bad);
  FAILS(bm_gallery_record_add_face(r, bad, D), BM_ERR_ZERO_VECTOR);
  ck_assert_uint_eq(bm_gallery_record_face_count(r), 3);

  /* up to the documented limit, then BM_ERR_TOO_MANY_FACES */
  for (uint64_t k = 3; k < BM_GALLERY_MAX_FACES; ++k) {
    gf_embedding(100 + k, 0, 0, e, D);
    OK(bm_gallery_record_add_face(r, e, D));
  }
  ck_assert_uint_eq(bm_gallery_record_face_count(r), BM_GALLERY_MAX_FACES);
  FAILS(bm_gallery_record_add_face(r, e, D), BM_ERR_TOO_MANY_FACES);
  ck_assert_uint_eq(bm_gallery_record_face_count(r), BM_GALLERY_MAX_FACES);
  ck_assert_str_eq(bm_error_name(BM_ERR_TOO_MANY_FACES), "BM_ERR_TOO_MANY_FACES");

  /* set_face replaces all of them, even with another dimension; a refused
   * set_face keeps them */
  FAILS(bm_gallery_record_set_face(r, bad, D), BM_ERR_ZERO_VECTOR);
  ck_assert_uint_eq(bm_gallery_record_face_count(r), BM_GALLERY_MAX_FACES);
  OK(bm_gallery_record_set_face(r, other, 128));
  ck_assert_uint_eq(bm_gallery_record_face_count(r), 1);
  bm_gallery_record_face(r, &dimension);
  ck_assert_uint_eq(dimension, 128);
  OK(bm_gallery_record_add_face(r, other, 128));
  ck_assert_uint_eq(bm_gallery_record_face_count(r), 2);

  /* a gallery of another dimension refuses the record */
  bm_gallery *g = gc_memory_gallery(2, D, BM_FACE_F32);
  FAILS(bm_gallery_enroll(g, r, BM_GALLERY_INSERT, NULL), BM_ERR_DIMENSION);
  bm_gallery_close(g);
  bm_gallery_record_free(r);
}
END_TEST

/* ------------------------------------------------------------ max semantics */

START_TEST(test_record_matches_on_its_nearest_face) {
  const bm_face_storage storages[] = {BM_FACE_F32, BM_FACE_F16, BM_FACE_INT8};
  for (int s = 0; s < 3; ++s) {
    bm_gallery *g = gc_memory_gallery(3, D, storages[s]);
    /* 30 people with two photos each: a far one (an unrelated vector) and a
     * near one; "target" holds its near photo second, "first" first */
    for (uint64_t i = 0; i < 30; ++i) {
      char id[16];
      snprintf(id, sizeof id, "p%02u", (unsigned)i);
      const uint64_t seeds[2] = {1000 + i, i};
      enrol_faces(g, id, seeds, 2, BM_GALLERY_INSERT);
    }
    const uint64_t only_near[1] = {7}, near_first[2] = {7, 2007};
    bm_gallery_record *single = face_record("single", only_near, 1), *first = face_record("first", near_first, 2);
    OK(bm_gallery_enroll(g, single, BM_GALLERY_INSERT, NULL));
    OK(bm_gallery_enroll(g, first, BM_GALLERY_INSERT, NULL));
    bm_gallery_record_free(single);
    bm_gallery_record_free(first);

    /* a probe near person 7's near photo */
    bm_gallery_probe *probe = face_probe(7, 0.4f, 77);
    bm_gallery_search_params params;
    bm_gallery_search_params_init(&params);
    params.top_k = 5;
    bm_gallery_result *result = NULL;
    OK(bm_gallery_identify(g, probe, &params, &result));
    /* the three records holding that photo come first: the one-photo
     * record highest (no correction), then the two-photo ones (same term,
     * tie broken by id) */
    ck_assert_uint_ge(bm_gallery_result_count(result), 3);
    ck_assert_str_eq(bm_gallery_result_id(result, 0), "single");
    ck_assert_str_eq(bm_gallery_result_id(result, 1), "first");
    ck_assert_str_eq(bm_gallery_result_id(result, 2), "p07");
    float probe_e[D], near_e[D];
    gf_embedding(7, 0.4f, 77, probe_e, D);
    gf_embedding(7, 0, 0, near_e, D);
    const double reference = cosine(probe_e, near_e, D);
    const double tolerance = storages[s] == BM_FACE_F32 ? 1e-5 : storages[s] == BM_FACE_F16 ? 2e-3 : 2e-2;
    for (size_t i = 0; i < 3; ++i) {
      const float c = bm_gallery_result_face_score(result, i);
      ck_assert_double_eq_tol(c, reference, tolerance);
      size_t best = 9, compared = 0;
      OK(bm_gallery_result_face_detail(result, i, &best, &compared));
      ck_assert_uint_eq(compared, i == 0 ? 1 : 2);
      ck_assert_uint_eq(best, i == 2 ? 1 : 0); /* p07 holds its near photo second */
      const double term = expected_face_term(c, compared);
      ck_assert_double_eq_tol(bm_gallery_result_score(result, i), term, 1e-9);
      ck_assert_double_eq_tol(bm_gallery_result_fmr(result, i), bm_fusion_fmr_(term, 1), 1e-15);
    }
    /* the correction: two photos cost log10(2) at most against one */
    const double gap = bm_gallery_result_score(result, 0) - bm_gallery_result_score(result, 2);
    ck_assert_double_gt(gap, 0.0);
    ck_assert_double_le(gap, log10(2.0) + 1e-9);
    size_t best = 0, compared = 0;
    FAILS(bm_gallery_result_face_detail(result, 99, &best, &compared), BM_ERR_INVALID_ARGUMENT);
    bm_gallery_result_free(result);
    bm_gallery_probe_free(probe);

    /* a finger-only probe compares no face: NaN score, 0 compared */
    bm_gallery_record *fingered = gf_record("fingered", 3, 0, 1u << 2);
    OK(bm_gallery_record_add_face(fingered, near_e, D));
    OK(bm_gallery_enroll(g, fingered, BM_GALLERY_INSERT, NULL));
    bm_gallery_record_free(fingered);
    bm_gallery_probe *finger_probe = gf_probe(3, 1, 1u << 2);
    OK(bm_gallery_identify(g, finger_probe, &params, &result));
    ck_assert_str_eq(bm_gallery_result_id(result, 0), "fingered");
    ck_assert(isnan(bm_gallery_result_face_score(result, 0)));
    OK(bm_gallery_result_face_detail(result, 0, &best, &compared));
    ck_assert_uint_eq(compared, 0);
    bm_gallery_result_free(result);
    bm_gallery_probe_free(finger_probe);
    bm_gallery_close(g);
  }
}
END_TEST

/* ------------------------------------------------------------ merge / replace / delete */

START_TEST(test_merge_appends_replace_replaces) {
  bm_gallery *g = gc_memory_gallery(2, D, BM_FACE_F32);
  const uint64_t one[1] = {1}, two[2] = {2, 3}, many[BM_GALLERY_MAX_FACES] = {0};
  enrol_faces(g, "x", one, 1, BM_GALLERY_INSERT);
  bm_gallery_record *r = face_record("x", two, 2);
  OK(bm_gallery_record_set_metadata(r, "m", 1));
  OK(bm_gallery_enroll(g, r, BM_GALLERY_MERGE, NULL));
  bm_gallery_record_free(r);
  bm_gallery_record *got = NULL;
  OK(bm_gallery_get(g, "x", &got));
  const uint64_t merged[3] = {1, 2, 3};
  bm_gallery_record *expected = face_record("x", merged, 3);
  same_faces(got, expected); /* old faces first, then the new ones */
  bm_gallery_record_free(expected);
  bm_gallery_record_free(got);
  bm_gallery_stats stats;
  OK(bm_gallery_get_stats(g, &stats));
  ck_assert_uint_eq(stats.records, 1);
  ck_assert_uint_eq(stats.faces, 3);

  /* a merge beyond the limit changes nothing */
  r = face_record("x", many, BM_GALLERY_MAX_FACES - 2);
  FAILS(bm_gallery_enroll(g, r, BM_GALLERY_MERGE, NULL), BM_ERR_TOO_MANY_FACES);
  bm_gallery_record_free(r);
  OK(bm_gallery_get(g, "x", &got));
  ck_assert_uint_eq(bm_gallery_record_face_count(got), 3);
  bm_gallery_record_free(got);
  enrol_faces(g, "x", many, BM_GALLERY_MAX_FACES - 3, BM_GALLERY_MERGE);
  OK(bm_gallery_get_stats(g, &stats));
  ck_assert_uint_eq(stats.faces, BM_GALLERY_MAX_FACES);

  /* a finger-only merge keeps the faces */
  r = gf_record("x", 4, 0, 1u << 3);
  OK(bm_gallery_enroll(g, r, BM_GALLERY_MERGE, NULL));
  bm_gallery_record_free(r);
  OK(bm_gallery_get(g, "x", &got));
  ck_assert_uint_eq(bm_gallery_record_face_count(got), BM_GALLERY_MAX_FACES);
  ck_assert(bm_gallery_record_has_finger(got, 3));
  bm_gallery_record_free(got);

  /* replace replaces every face */
  r = face_record("x", two + 1, 1);
  OK(bm_gallery_enroll(g, r, BM_GALLERY_REPLACE, NULL));
  OK(bm_gallery_get(g, "x", &got));
  same_faces(got, r);
  ck_assert(!bm_gallery_record_has_finger(got, 3));
  bm_gallery_record_free(got);
  bm_gallery_record_free(r);
  OK(bm_gallery_get_stats(g, &stats));
  ck_assert_uint_eq(stats.faces, 1);
  bm_gallery_close(g);
}
END_TEST

START_TEST(test_delete_and_compaction) {
  bm_gallery *g = gc_memory_gallery(3, D, BM_FACE_INT8);
  for (uint64_t i = 0; i < 40; ++i) {
    char id[16];
    snprintf(id, sizeof id, "r%02u", (unsigned)i);
    uint64_t seeds[5];
    const size_t count = 1 + i % 5;
    for (size_t k = 0; k < count; ++k) seeds[k] = 50 * k + i;
    enrol_faces(g, id, seeds, count, BM_GALLERY_INSERT);
  }
  uint64_t live_faces = 0;
  for (uint64_t i = 0; i < 40; ++i) live_faces += 1 + i % 5;
  /* delete every third record, replace every seventh with a 2-face one */
  for (uint64_t i = 0; i < 40; i += 3) {
    char id[16];
    snprintf(id, sizeof id, "r%02u", (unsigned)i);
    OK(bm_gallery_delete(g, id, NULL));
    live_faces -= 1 + i % 5;
  }
  for (uint64_t i = 1; i < 40; i += 7) {
    if (i % 3 == 0) continue;
    char id[16];
    snprintf(id, sizeof id, "r%02u", (unsigned)i);
    const uint64_t seeds[2] = {900 + i, i};
    enrol_faces(g, id, seeds, 2, BM_GALLERY_REPLACE);
    live_faces += 2 - (1 + i % 5);
  }
  bm_gallery_stats before, after;
  OK(bm_gallery_get_stats(g, &before));
  ck_assert_uint_eq(before.faces, live_faces);
  bm_gallery_probe *probes[4];
  bm_gallery_result *results[4];
  bm_gallery_search_params params;
  bm_gallery_search_params_init(&params);
  params.top_k = 40;
  for (int q = 0; q < 4; ++q) {
    probes[q] = face_probe((uint64_t)(50 * q + 8 + q), 0.3f, 5);
    OK(bm_gallery_identify(g, probes[q], &params, &results[q]));
    for (size_t i = 0; i < bm_gallery_result_count(results[q]); ++i) {
      const char *id = bm_gallery_result_id(results[q], i);
      ck_assert_int_ne(atoi(id + 1) % 3, 0); /* never a deleted record */
    }
  }
  OK(bm_gallery_compact(g));
  OK(bm_gallery_get_stats(g, &after));
  ck_assert_uint_eq(after.faces, live_faces);
  ck_assert_uint_eq(after.face_bytes, live_faces * D); /* int8: one byte per value, dead rows gone */
  ck_assert_uint_lt(after.face_bytes, before.face_bytes);
  for (int q = 0; q < 4; ++q) {
    bm_gallery_result *again = NULL;
    OK(bm_gallery_identify(g, probes[q], &params, &again));
    gi_assert_same_results(results[q], again);
    bm_gallery_result_free(again);
    bm_gallery_result_free(results[q]);
    bm_gallery_probe_free(probes[q]);
  }
  bm_gallery_record *got = NULL;
  OK(bm_gallery_get(g, "r08", &got));
  const uint64_t replaced[2] = {908, 8};
  ck_assert_uint_eq(bm_gallery_record_face_count(got), 2);
  bm_gallery_record *expected = face_record("r08", replaced, 2);
  for (size_t k = 0; k < 2; ++k) {
    const float *a = bm_gallery_record_face_at(got, k, NULL), *b = bm_gallery_record_face_at(expected, k, NULL);
    for (int i = 0; i < D; ++i) ck_assert_double_eq_tol(a[i], b[i], 0.01); /* int8 storage */
  }
  bm_gallery_record_free(expected);
  bm_gallery_record_free(got);
  bm_gallery_close(g);
}
END_TEST

/* Dead face rows trigger compaction by themselves (a face-only gallery has
 * no dead fingers to do it): 700 records of 3 faces replaced by records of
 * 1 leave at most about as many dead rows as live ones. */
START_TEST(test_dead_face_rows_compact_by_themselves) {
  bm_gallery *g = gc_memory_gallery(1, D, BM_FACE_F32);
  enum { N = 700 };
  for (int pass = 0; pass < 2; ++pass)
    for (uint64_t i = 0; i < N; ++i) {
      char id[16];
      snprintf(id, sizeof id, "c%03u", (unsigned)i);
      const uint64_t seeds[3] = {i, N + i, 2 * N + i};
      enrol_faces(g, id, seeds, pass ? 1 : 3, pass ? BM_GALLERY_REPLACE : BM_GALLERY_INSERT);
    }
  bm_gallery_stats stats;
  OK(bm_gallery_get_stats(g, &stats));
  ck_assert_uint_eq(stats.faces, N);
  const uint64_t rows = stats.face_bytes / (D * sizeof(float));
  ck_assert_uint_lt(rows, 3 * N + N); /* without compaction: every row ever written */
  ck_assert_uint_le(rows, 2 * N + 1024);
  bm_gallery_probe *probe = face_probe(5, 0.2f, 1);
  bm_gallery_result *result = NULL;
  OK(bm_gallery_identify(g, probe, NULL, &result));
  ck_assert_str_eq(bm_gallery_result_id(result, 0), "c005");
  bm_gallery_result_free(result);
  bm_gallery_probe_free(probe);
  bm_gallery_close(g);
}
END_TEST

/* ------------------------------------------------------------ persistence */

static bm_gallery *open_dir(const char *dir, uint32_t shards) {
  bm_gallery_options options;
  bm_gallery_options_init(&options);
  options.shard_count = shards;
  options.face_dimension = D;
  options.sync = BM_GALLERY_SYNC_DEFERRED;
  bm_gallery *g = NULL;
  OK(bm_gallery_open(dir, &options, &g));
  return g;
}

/* Every record of `a` has the same faces in `b`, and the same answer to a probe. */
static void same_gallery(bm_gallery *a, bm_gallery *b, int records) {
  ck_assert_uint_eq(bm_gallery_count(a), bm_gallery_count(b));
  bm_gallery_stats sa, sb;
  OK(bm_gallery_get_stats(a, &sa));
  OK(bm_gallery_get_stats(b, &sb));
  ck_assert_uint_eq(sa.faces, sb.faces);
  for (int i = 0; i < records; ++i) {
    char id[16];
    snprintf(id, sizeof id, "s%02d", i);
    bm_gallery_record *ra = NULL, *rb = NULL;
    const bm_status status = bm_gallery_get(a, id, &ra);
    ck_assert_int_eq(bm_gallery_get(b, id, &rb), status);
    if (status == BM_OK) same_faces(ra, rb);
    bm_gallery_record_free(ra);
    bm_gallery_record_free(rb);
  }
  bm_gallery_probe *probe = face_probe(3, 0.5f, 8);
  bm_gallery_result *x = NULL, *y = NULL;
  OK(bm_gallery_identify(a, probe, NULL, &x));
  OK(bm_gallery_identify(b, probe, NULL, &y));
  gi_assert_same_results(x, y);
  bm_gallery_result_free(x);
  bm_gallery_result_free(y);
  bm_gallery_probe_free(probe);
}

static void write_step(bm_gallery *disk, bm_gallery *memory, int step) {
  for (int i = 0; i < 8; ++i) {
    char id[16];
    snprintf(id, sizeof id, "s%02d", i + 8 * step);
    uint64_t seeds[4];
    const size_t count = 1 + (size_t)(i % 4);
    for (size_t k = 0; k < count; ++k) seeds[k] = (uint64_t)(i + 8 * step) + 100 * k;
    bm_gallery_record *r = face_record(id, seeds, count);
    OK(bm_gallery_enroll(disk, r, BM_GALLERY_INSERT, NULL));
    OK(bm_gallery_enroll(memory, r, BM_GALLERY_INSERT, NULL));
    bm_gallery_record_free(r);
  }
  /* a merge adding faces, a replace and a delete */
  char id[16];
  snprintf(id, sizeof id, "s%02d", 8 * step);
  const uint64_t more[2] = {700, 701};
  bm_gallery_record *r = face_record(id, more, 2);
  OK(bm_gallery_enroll(disk, r, BM_GALLERY_MERGE, NULL));
  OK(bm_gallery_enroll(memory, r, BM_GALLERY_MERGE, NULL));
  bm_gallery_record_free(r);
  snprintf(id, sizeof id, "s%02d", 8 * step + 3);
  r = face_record(id, more + 1, 1);
  OK(bm_gallery_enroll(disk, r, BM_GALLERY_REPLACE, NULL));
  OK(bm_gallery_enroll(memory, r, BM_GALLERY_REPLACE, NULL));
  bm_gallery_record_free(r);
  snprintf(id, sizeof id, "s%02d", 8 * step + 5);
  OK(bm_gallery_delete(disk, id, NULL));
  OK(bm_gallery_delete(memory, id, NULL));
  OK(bm_gallery_sync(disk));
}

START_TEST(test_reopen_from_log_and_snapshot) {
  char *dir = gt_make_directory();
  bm_gallery *memory = gc_memory_gallery(1, D, BM_FACE_F32);
  bm_gallery *disk = open_dir(dir, 4);
  write_step(disk, memory, 0);
  bm_gallery_close(disk);
  disk = open_dir(dir, 4); /* log replay */
  same_gallery(memory, disk, 24);
  write_step(disk, memory, 1);
  OK(bm_gallery_checkpoint(disk));
  bm_gallery_close(disk);
  disk = open_dir(dir, 4); /* snapshot only */
  same_gallery(memory, disk, 24);
  write_step(disk, memory, 2);
  bm_gallery_close(disk);
  disk = open_dir(dir, 4); /* snapshot, then log */
  same_gallery(memory, disk, 24);
  bm_gallery_close(disk);
  bm_gallery_close(memory);
  gt_remove_directory(dir);
  free(dir);
}
END_TEST

/* A record in format 1 (before records held several faces): id, no finger,
 * one face, no metadata. */
static size_t v1_record(const char *id, const float *face, uint8_t *out) {
  const size_t length = strlen(id);
  size_t at = 0;
  out[at++] = (uint8_t)length;
  memcpy(out + at, id, length);
  at += length;
  out[at++] = 0; /* finger mask */
  out[at++] = 0;
  bm_put_u32_(out + at, D);
  at += 4;
  memcpy(out + at, face, D * sizeof(float));
  at += D * sizeof(float);
  bm_put_u32_(out + at, 0); /* metadata */
  return at + 4;
}

/* The gallery configuration as version 1 wrote it: `shards` shards, D-d
 * f32 faces, no prefilter codes. */
static void v1_config(uint32_t shards, uint8_t out[32]) {
  memset(out, 0, 32);
  bm_put_u32_(out, 1);
  bm_put_u32_(out + 4, shards);
  bm_put_u32_(out + 8, D);
  bm_put_u32_(out + 12, BM_FACE_F32);
}

/* The store of directory `dir` opened below the gallery, to write what
 * version 1 wrote: its log starts with the version-1 configuration of
 * `shards` shards, also left in `config` for a snapshot section. */
static bm_store_ *v1_store(const char *dir, uint32_t shards, uint8_t config[32]) {
  bm_store_options_ store_options = {0};
  store_options.sync_policy = BM_SYNC_EACH_;
  bm_store_callbacks_ callbacks = {NULL, NULL, NULL};
  bm_store_ *store = NULL;
  OK(bm_store_open_(dir, &store_options, &callbacks, &store));
  v1_config(shards, config);
  OK(bm_store_append_(store, BM_GALLERY_LOG_CONFIG_, config, 32, NULL));
  return store;
}

static void normalised(uint64_t seed, float *out) {
  float e[D];
  double u[D];
  gf_embedding(seed, 0, 0, e, D);
  unit(e, u, D);
  for (int i = 0; i < D; ++i) out[i] = (float)u[i];
}

/* Snapshot sections are loaded in parallel, one per shard, so the loader
 * checks first that no shard is named twice or beyond the shard count, and
 * that no record lies in another shard's section: each is corruption. */
START_TEST(test_snapshot_sections_name_their_shards) {
  const char *expected[3] = {"appears twice", "beyond the gallery's shard count", "belongs to another shard"};
  for (int kase = 0; kase < 3; ++kase) {
    char *dir = gt_make_directory();
    uint8_t config[32], section[1024];
    bm_store_ *store = v1_store(dir, 2, config);
    float face[D];
    normalised(70, face);
    const size_t length = v1_record("old0", face, section + 20);
    bm_put_u64_(section, 1);
    bm_put_u64_(section + 8, 2);
    bm_put_u32_(section + 16, (uint32_t)length);
    const uint32_t home = (uint32_t)((bm_gallery_id_hash_("old0", 4) >> 32) % 2), base = 0x48530000u;
    const uint32_t first_tag = kase == 0 ? base + home : kase == 1 ? base + 7 : base + (1 - home);
    const bm_snapshot_section_ sections[3] = {
        {0x47464347u, config, sizeof config}, {first_tag, section, 20 + length}, {base + home, section, 20 + length}};
    OK(bm_store_checkpoint_(store, sections, kase == 0 ? 3 : 2));
    bm_store_close_(store);
    bm_gallery_options options;
    bm_gallery_options_init(&options);
    options.face_dimension = D;
    bm_gallery *g = NULL;
    ck_assert_int_eq(bm_gallery_open(dir, &options, &g), BM_ERR_CORRUPT);
    ck_assert_msg(strstr(bm_last_error_message(), expected[kase]) != NULL, "case %d: %s", kase,
                  bm_last_error_message());
    ck_assert_ptr_null(g);
    gt_remove_directory(dir);
    free(dir);
  }
}
END_TEST

START_TEST(test_format_1_record_decoder) {
  float face[D];
  normalised(4, face);
  uint8_t bytes[512];
  const size_t size = v1_record("old", face, bytes);
  bm_gallery_record *back = NULL;
  size_t consumed = 0;
  OK(bm_gallery_record_parse_format_(bytes, size, BM_GALLERY_RECORD_FORMAT_V1_, 0, D, "test", &consumed, &back));
  ck_assert_uint_eq(consumed, size);
  ck_assert_str_eq(bm_gallery_record_id(back), "old");
  ck_assert_uint_eq(bm_gallery_record_face_count(back), 1);
  ck_assert_int_eq(memcmp(bm_gallery_record_face(back, NULL), face, sizeof face), 0);
  bm_gallery_record_free(back);
  for (size_t cut = 0; cut < size; ++cut) {
    back = NULL;
    ck_assert_int_eq(
        bm_gallery_record_parse_format_(bytes, cut, BM_GALLERY_RECORD_FORMAT_V1_, 0, D, "test", &consumed, &back),
        BM_ERR_CORRUPT);
    ck_assert_ptr_null(back);
  }
  /* the same bytes read as format 2 take the first face value for a count */
  ck_assert_int_eq(bm_gallery_record_parse_(bytes, size, 0, D, "test", &consumed, &back), BM_ERR_CORRUPT);
  ck_assert_int_eq(bm_gallery_record_parse_format_(bytes, size, 3, 0, D, "test", &consumed, &back), BM_ERR_CORRUPT);

  /* format 2: every truncation, a bad count, a non-finite value in a later face */
  const uint64_t seeds[3] = {1, 2, 3};
  bm_gallery_record *r = face_record("new", seeds, 3);
  const size_t size2 = bm_gallery_record_serialized_size_(r, 0);
  uint8_t *bytes2 = malloc(size2);
  bm_gallery_record_serialize_(r, 0, bytes2);
  OK(bm_gallery_record_parse_(bytes2, size2, 0, D, "test", &consumed, &back));
  ck_assert_uint_eq(consumed, size2);
  same_faces(r, back);
  bm_gallery_record_free(back);
  for (size_t cut = 0; cut < size2; ++cut) {
    back = NULL;
    ck_assert_int_eq(bm_gallery_record_parse_(bytes2, cut, 0, D, "test", &consumed, &back), BM_ERR_CORRUPT);
    ck_assert_ptr_null(back);
  }
  const size_t count_at = 1 + 3 + 2 + 4;
  ck_assert_uint_eq(bm_get_u32_(bytes2 + count_at), 3);
  const uint32_t bad_counts[] = {0, BM_GALLERY_MAX_FACES + 1, 0xffffffffu};
  for (int b = 0; b < 3; ++b) {
    bm_put_u32_(bytes2 + count_at, bad_counts[b]);
    ck_assert_int_eq(bm_gallery_record_parse_(bytes2, size2, 0, D, "test", &consumed, &back), BM_ERR_CORRUPT);
  }
  bm_put_u32_(bytes2 + count_at, 3);
  /* random bit flips anywhere, in both formats: BM_ERR_CORRUPT or a record
   * whose faces are all finite and within the limit, never a crash */
  uint8_t *mutated = malloc(size2);
  unsigned seed = 7;
  for (int trial = 0; trial < 4000; ++trial) {
    const int old_format = trial % 2;
    const uint8_t *source = old_format ? bytes : bytes2;
    const size_t n = old_format ? size : size2;
    memcpy(mutated, source, n);
    mutated[(size_t)rand_r(&seed) % n] ^= (uint8_t)(1u << (rand_r(&seed) % 8));
    back = NULL;
    const bm_status status = bm_gallery_record_parse_format_(
        mutated, n, old_format ? BM_GALLERY_RECORD_FORMAT_V1_ : BM_GALLERY_RECORD_FORMAT_, 0, D, "test", &consumed,
        &back);
    ck_assert(status == BM_OK || status == BM_ERR_CORRUPT);
    if (status == BM_OK) {
      ck_assert_uint_le(consumed, n);
      ck_assert_uint_le(bm_gallery_record_face_count(back), BM_GALLERY_MAX_FACES);
      for (size_t k = 0; k < bm_gallery_record_face_count(back); ++k) {
        size_t dimension = 0;
        const float *f = bm_gallery_record_face_at(back, k, &dimension);
        ck_assert_uint_eq(dimension, D);
        for (size_t i = 0; i < dimension; ++i) ck_assert(isfinite(f[i]));
      }
    } else {
      ck_assert_ptr_null(back);
    }
    bm_gallery_record_free(back);
  }
  free(mutated);
  const float nan = NAN;
  memcpy(bytes2 + count_at + 4 + (2 * D + 5) * sizeof(float), &nan, sizeof nan);
  ck_assert_int_eq(bm_gallery_record_parse_(bytes2, size2, 0, D, "test", &consumed, &back), BM_ERR_CORRUPT);
  free(bytes2);
  bm_gallery_record_free(r);
}
END_TEST

/* A directory written in the old format: a log holding a version-1
 * configuration and format-1 records, then (second case) a snapshot of
 * version 1. The gallery opens it, continues the log in the new format,
 * and reopens with both formats in one log. */
START_TEST(test_old_format_directory) {
  for (int with_snapshot = 0; with_snapshot < 2; ++with_snapshot) {
    char *dir = gt_make_directory();
    uint8_t config[32], record[512];
    bm_store_ *store = v1_store(dir, 1, config);
    float faces[3][D];
    for (int i = 0; i < 3; ++i) normalised((uint64_t)(60 + i), faces[i]);
    if (with_snapshot) {
      /* one shard section: u64 count, per record u64 sequence, u32 length, record */
      uint8_t section[2048];
      size_t at = 8;
      for (int i = 0; i < 2; ++i) {
        char id[8];
        snprintf(id, sizeof id, "old%d", i);
        const size_t length = v1_record(id, faces[i], section + at + 12);
        bm_put_u64_(section + at, (uint64_t)(i + 2));
        bm_put_u32_(section + at + 8, (uint32_t)length);
        at += 12 + length;
      }
      bm_put_u64_(section, 2);
      const bm_snapshot_section_ sections[2] = {{0x47464347u, config, sizeof config}, {0x48530000u, section, at}};
      OK(bm_store_append_(store, BM_GALLERY_LOG_PUT_V1_, record, v1_record("old0", faces[0], record), NULL));
      OK(bm_store_append_(store, BM_GALLERY_LOG_PUT_V1_, record, v1_record("old1", faces[1], record), NULL));
      OK(bm_store_checkpoint_(store, sections, 2));
      OK(bm_store_append_(store, BM_GALLERY_LOG_PUT_V1_, record, v1_record("old2", faces[2], record), NULL));
    } else {
      for (int i = 0; i < 3; ++i) {
        char id[8];
        snprintf(id, sizeof id, "old%d", i);
        OK(bm_store_append_(store, BM_GALLERY_LOG_PUT_V1_, record, v1_record(id, faces[i], record), NULL));
      }
    }
    bm_store_close_(store);

    bm_gallery *g = open_dir(dir, 8); /* the stored configuration (one shard) wins */
    ck_assert_uint_eq(bm_gallery_count(g), 3);
    for (int i = 0; i < 3; ++i) {
      char id[8];
      snprintf(id, sizeof id, "old%d", i);
      bm_gallery_record *got = NULL;
      OK(bm_gallery_get(g, id, &got));
      ck_assert_uint_eq(bm_gallery_record_face_count(got), 1);
      ck_assert_int_eq(memcmp(bm_gallery_record_face(got, NULL), faces[i], sizeof faces[i]), 0);
      bm_gallery_record_free(got);
    }
    /* continue in the new format: old0 gains a face */
    const uint64_t more[1] = {99};
    enrol_faces(g, "old0", more, 1, BM_GALLERY_MERGE);
    OK(bm_gallery_sync(g));
    bm_gallery_close(g);
    for (int round = 0; round < 2; ++round) {
      g = open_dir(dir, 8);
      bm_gallery_stats stats;
      OK(bm_gallery_get_stats(g, &stats));
      ck_assert_uint_eq(stats.shard_count, 1);
      ck_assert_uint_eq(stats.faces, 4);
      bm_gallery_record *got = NULL;
      OK(bm_gallery_get(g, "old0", &got));
      ck_assert_uint_eq(bm_gallery_record_face_count(got), 2);
      ck_assert_int_eq(memcmp(bm_gallery_record_face_at(got, 0, NULL), faces[0], sizeof faces[0]), 0);
      bm_gallery_record_free(got);
      if (round == 0) OK(bm_gallery_checkpoint(g)); /* rewritten as version 2 */
      bm_gallery_close(g);
    }
    gt_remove_directory(dir);
    free(dir);
  }
}
END_TEST

/* ------------------------------------------------------------ invariance, dedup */

START_TEST(test_same_results_any_shards_threads) {
  const bm_face_storage storages[] = {BM_FACE_F32, BM_FACE_F16, BM_FACE_INT8};
  const uint32_t shards[] = {1, 3, 7};
  for (int s = 0; s < 3; ++s) {
    bm_gallery *g[3];
    for (int k = 0; k < 3; ++k) g[k] = gc_memory_gallery(shards[k], D, storages[s]);
    for (uint64_t i = 0; i < 60; ++i) {
      char id[16];
      snprintf(id, sizeof id, "q%02u", (unsigned)i);
      bm_gallery_record *r = i % 4 ? gf_record(id, i, 0, 1u << 1) : NULL;
      if (!r) OK(bm_gallery_record_create(id, &r));
      float e[D];
      for (uint64_t k = 0; k < 1 + i % 6; ++k) {
        gf_embedding(i % 20, 0.6f, 31 * i + k, e, D); /* every person three times, near copies */
        OK(bm_gallery_record_add_face(r, e, D));
      }
      for (int k = 0; k < 3; ++k) OK(bm_gallery_enroll(g[k], r, BM_GALLERY_INSERT, NULL));
      bm_gallery_record_free(r);
    }
    for (int q = 0; q < 4; ++q) {
      bm_gallery_probe *probe = q % 2 ? gf_probe((uint64_t)q * 5, 1, 1u << 1) : NULL;
      if (!probe) OK(bm_gallery_probe_create(&probe));
      float e[D];
      gf_embedding((uint64_t)q * 5, 0.5f, 1000 + (uint64_t)q, e, D);
      OK(bm_gallery_probe_set_face(probe, e, D));
      bm_gallery_search_params params;
      bm_gallery_search_params_init(&params);
      params.top_k = 20;
      params.threads = 1;
      bm_gallery_result *reference = NULL;
      OK(bm_gallery_identify(g[0], probe, &params, &reference));
      ck_assert_uint_gt(bm_gallery_result_count(reference), 0);
      gi_assert_same_everywhere(g, 3, probe, params, 2, reference);
      bm_gallery_result_free(reference);
      if (q % 2) { /* fingers + face through the cascade: the kept records scored alike */
        params.penetration = 0.3;
        params.threads = 1;
        OK(bm_gallery_identify(g[0], probe, &params, &reference));
        ck_assert_uint_gt(bm_gallery_result_count(reference), 0);
        gi_assert_same_everywhere(g + 1, 2, probe, params, 2, reference);
        bm_gallery_result_free(reference);
      }
      bm_gallery_probe_free(probe);
    }
    /* deduplication: same pairs for every shard and thread count */
    bm_gallery_dedup_result *reference = NULL;
    OK(bm_gallery_dedup(g[0], NULL, 0, 1e-3, 1, NULL, NULL, &reference));
    ck_assert_uint_gt(bm_gallery_dedup_pair_count(reference), 0);
    for (int k = 1; k < 3; ++k) {
      bm_gallery_dedup_result *d = NULL;
      OK(bm_gallery_dedup(g[k], NULL, 0, 1e-3, 2, NULL, NULL, &d));
      ck_assert_uint_eq(bm_gallery_dedup_pair_count(d), bm_gallery_dedup_pair_count(reference));
      for (size_t i = 0; i < bm_gallery_dedup_pair_count(d); ++i) {
        const char *a1, *b1, *a2, *b2;
        double s1, s2;
        OK(bm_gallery_dedup_pair(d, i, &a1, &b1, &s1, NULL));
        OK(bm_gallery_dedup_pair(reference, i, &a2, &b2, &s2, NULL));
        ck_assert_str_eq(a1, a2);
        ck_assert_str_eq(b1, b2);
        ck_assert(s1 == s2);
      }
      bm_gallery_dedup_free(d);
    }
    bm_gallery_dedup_free(reference);
    for (int k = 0; k < 3; ++k) bm_gallery_close(g[k]);
  }
}
END_TEST

START_TEST(test_dedup_uses_the_best_pair_of_faces) {
  bm_gallery *g = gc_memory_gallery(2, D, BM_FACE_F32);
  /* a and b share one photo of person 5 (b holds a noisy copy) among
   * unrelated ones; c holds only unrelated photos */
  float e[D];
  bm_gallery_record *a = NULL, *b = NULL, *c = NULL;
  OK(bm_gallery_record_create("a", &a));
  OK(bm_gallery_record_create("b", &b));
  OK(bm_gallery_record_create("c", &c));
  gf_embedding(301, 0, 0, e, D);
  OK(bm_gallery_record_add_face(a, e, D));
  gf_embedding(5, 0, 0, e, D);
  OK(bm_gallery_record_add_face(a, e, D));
  float near_e[D];
  gf_embedding(5, 0.3f, 9, near_e, D);
  for (uint64_t k = 0; k < 2; ++k) {
    gf_embedding(400 + k, 0, 0, e, D);
    OK(bm_gallery_record_add_face(b, e, D));
  }
  OK(bm_gallery_record_add_face(b, near_e, D));
  for (uint64_t k = 0; k < 3; ++k) {
    gf_embedding(500 + k, 0, 0, e, D);
    OK(bm_gallery_record_add_face(c, e, D));
  }
  OK(bm_gallery_enroll(g, a, BM_GALLERY_INSERT, NULL));
  OK(bm_gallery_enroll(g, b, BM_GALLERY_INSERT, NULL));
  OK(bm_gallery_enroll(g, c, BM_GALLERY_INSERT, NULL));
  bm_gallery_dedup_result *d = NULL;
  OK(bm_gallery_dedup(g, NULL, 0, 1e-4, 1, NULL, NULL, &d));
  ck_assert_uint_eq(bm_gallery_dedup_pairs_compared(d), 3);
  ck_assert_uint_eq(bm_gallery_dedup_pair_count(d), 1);
  const char *x, *y;
  double score;
  OK(bm_gallery_dedup_pair(d, 0, &x, &y, &score, NULL));
  ck_assert_str_eq(x, "a");
  ck_assert_str_eq(y, "b");
  gf_embedding(5, 0, 0, e, D);
  const double best = cosine(e, near_e, D);
  ck_assert_double_eq_tol(score, expected_face_term((float)best, 2 * 3), 1e-4);
  /* the batch form gives the same pair */
  bm_gallery_dedup_result *batch = NULL;
  const char *ids[1] = {"b"};
  OK(bm_gallery_dedup(g, ids, 1, 1e-4, 2, NULL, NULL, &batch));
  ck_assert_uint_eq(bm_gallery_dedup_pair_count(batch), 1);
  double batch_score;
  OK(bm_gallery_dedup_pair(batch, 0, NULL, NULL, &batch_score, NULL));
  ck_assert_double_eq_tol(batch_score, score, 1e-6);
  bm_gallery_dedup_free(batch);
  bm_gallery_dedup_free(d);
  bm_gallery_record_free(a);
  bm_gallery_record_free(b);
  bm_gallery_record_free(c);
  bm_gallery_close(g);
}
END_TEST

/* A shard's candidate list prunes to top_k as it fills and then turns away
 * records ranking after its kept worst: the top 3 must be the first 3 of
 * a search keeping everything. 3,000 face-only records over 2 shards make
 * each list prune many times. */
START_TEST(test_small_top_k_is_a_prefix_of_a_large_one) {
  const bm_face_storage storages[] = {BM_FACE_F32, BM_FACE_INT8};
  for (int s = 0; s < 2; ++s) {
    bm_gallery *g = gc_memory_gallery(2, D, storages[s]);
    for (uint64_t i = 0; i < 3000; ++i) {
      char id[16];
      snprintf(id, sizeof id, "t%04u", (unsigned)i);
      const uint64_t seeds[3] = {i % 1500, 5000 + i, 9000 + i}; /* pairs of records share a photo: ties */
      enrol_faces(g, id, seeds, 1 + i % 3, BM_GALLERY_INSERT);
    }
    for (uint64_t q = 0; q < 3; ++q) {
      bm_gallery_probe *probe = face_probe(q * 400, 0.8f, q);
      bm_gallery_search_params params;
      bm_gallery_search_params_init(&params);
      params.top_k = 3000;
      bm_gallery_result *all = NULL, *top = NULL;
      OK(bm_gallery_identify(g, probe, &params, &all));
      params.top_k = 3;
      OK(bm_gallery_identify(g, probe, &params, &top));
      ck_assert_uint_eq(bm_gallery_result_count(top), 3);
      ck_assert_uint_gt(bm_gallery_result_count(all), 1000);
      for (size_t i = 0; i < 3; ++i) {
        ck_assert_str_eq(bm_gallery_result_id(top, i), bm_gallery_result_id(all, i));
        ck_assert(bm_gallery_result_score(top, i) == bm_gallery_result_score(all, i));
        ck_assert(bm_gallery_result_fmr(top, i) == bm_gallery_result_fmr(all, i));
      }
      bm_gallery_result_free(all);
      bm_gallery_result_free(top);
      bm_gallery_probe_free(probe);
    }
    bm_gallery_close(g);
  }
}
END_TEST

int main(void) {
  Suite *suite = suite_create("gallery_faces");
  TCase *tc = tcase_create("faces");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_record_faces_api);
  tcase_add_test(tc, test_record_matches_on_its_nearest_face);
  tcase_add_test(tc, test_merge_appends_replace_replaces);
  tcase_add_test(tc, test_delete_and_compaction);
  tcase_add_test(tc, test_dead_face_rows_compact_by_themselves);
  tcase_add_test(tc, test_reopen_from_log_and_snapshot);
  tcase_add_test(tc, test_format_1_record_decoder);
  tcase_add_test(tc, test_old_format_directory);
  tcase_add_test(tc, test_same_results_any_shards_threads);
  tcase_add_test(tc, test_dedup_uses_the_best_pair_of_faces);
  tcase_add_test(tc, test_small_top_k_is_a_prefix_of_a_large_one);
  tcase_add_test(tc, test_snapshot_sections_name_their_shards);
  suite_add_tcase(suite, tc);
  return bm_test_run_suite(suite);
}
