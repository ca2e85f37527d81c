/* Gallery API: records, enrol modes, get/delete, identification order and
 * content, fusion rule, faces, determinism over shard and thread counts,
 * cascade, deduplication, compaction, persistence round trips, errors.
 * Fingers are SYNTHETIC (bench/gallery/synthetic_minutiae.c). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/bm_gallery.h"
#include "gallery/gallery_internal.h"
#include "gallery_check.h"
#include "gallery_fixtures.h"
#include "gallery_invariance.h"
#include "gallery_test_support.h"
#include "test_support.h"

enum { PEOPLE = 40, TWO_FINGERS = (1u << 1) | (1u << 2) };

static void enrol_people(bm_gallery *g, int people, unsigned positions) {
  for (int i = 0; i < people; ++i) {
    char id[32];
    snprintf(id, sizeof id, "person-%03d", i);
    bm_gallery_record *r = gf_record(id, (uint64_t)i, 0, positions);
    OK(bm_gallery_enroll(g, r, BM_GALLERY_INSERT, NULL));
    bm_gallery_record_free(r);
  }
}

START_TEST(test_record_validation) {
  bm_gallery_record *r = NULL;
  ck_assert_int_eq(bm_gallery_record_create("", &r), BM_ERR_INVALID_ARGUMENT);
  char long_id[80];
  memset(long_id, 'x', 65);
  long_id[65] = 0;
  ck_assert_int_eq(bm_gallery_record_create(long_id, &r), BM_ERR_INVALID_ARGUMENT);
  long_id[64] = 0;
  OK(bm_gallery_record_create(long_id, &r));
  ck_assert_str_eq(bm_gallery_record_id(r), long_id);
  bm_template *tpl = NULL;
  OK(bm_template_create(&tpl));
  ck_assert_int_eq(bm_gallery_record_set_finger(r, 11, tpl), BM_ERR_BAD_FINGER_POSITION);
  ck_assert_int_eq(bm_gallery_record_set_finger(r, 1, tpl), BM_ERR_NO_MINUTIAE);
  bm_template_free(tpl);
  ck_assert_int_eq(bm_gallery_record_remove_finger(r, 3), BM_ERR_NOT_FOUND);
  float face[64] = {0};
  ck_assert_int_eq(bm_gallery_record_set_face(r, face, 64), BM_ERR_ZERO_VECTOR);
  ck_assert_int_eq(bm_gallery_record_set_face(r, face, 10), BM_ERR_DIMENSION);
  face[3] = NAN;
  ck_assert_int_eq(bm_gallery_record_set_face(r, face, 64), BM_ERR_NON_FINITE);
  static uint8_t big[BM_GALLERY_MAX_METADATA_BYTES + 1];
  ck_assert_int_eq(bm_gallery_record_set_metadata(r, big, sizeof big), BM_ERR_INVALID_ARGUMENT);
  OK(bm_gallery_record_set_metadata(r, "abc", 3));
  size_t size = 0;
  ck_assert_int_eq(memcmp(bm_gallery_record_metadata(r, &size), "abc", 3), 0);
  ck_assert_uint_eq(size, 3);
  bm_gallery *g = gc_memory_gallery(4, 0, BM_FACE_F32);
  /* no finger, no face */
  ck_assert_int_eq(bm_gallery_enroll(g, r, BM_GALLERY_INSERT, NULL), BM_ERR_INVALID_ARGUMENT);
  bm_gallery_record_free(r);
  bm_gallery_record *with_face = NULL;
  OK(bm_gallery_record_create("face", &with_face));
  gf_embedding(1, 0, 0, face, 64);
  OK(bm_gallery_record_set_face(with_face, face, 64));
  ck_assert_int_eq(bm_gallery_enroll(g, with_face, BM_GALLERY_INSERT, NULL), BM_ERR_DIMENSION);
  bm_gallery_record_free(with_face);
  ck_assert_int_eq(bm_gallery_enroll(NULL, NULL, BM_GALLERY_INSERT, NULL), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_gallery_delete(g, "nobody", NULL), BM_ERR_NOT_FOUND);
  bm_gallery_record *got = NULL;
  ck_assert_int_eq(bm_gallery_get(g, "nobody", &got), BM_ERR_NOT_FOUND);
  ck_assert_ptr_null(got);
  bm_gallery_close(g);
  bm_gallery_options o;
  bm_gallery_options_init(&o);
  o.shard_count = 0;
  ck_assert_int_eq(bm_gallery_create(&o, &g), BM_ERR_INVALID_ARGUMENT);
  o.shard_count = 2;
  o.face_dimension = 20;
  ck_assert_int_eq(bm_gallery_create(&o, &g), BM_ERR_DIMENSION);
}
END_TEST

START_TEST(test_enrol_modes_get_delete) {
  bm_gallery *g = gc_memory_gallery(3, 0, BM_FACE_F32);
  bm_gallery_record *a = gf_record("alice", 1, 0, 1u << 1);
  OK(bm_gallery_record_set_metadata(a, "m1", 2));
  uint64_t seq1 = 0, seq2 = 0;
  OK(bm_gallery_enroll(g, a, BM_GALLERY_INSERT, &seq1));
  ck_assert_int_eq(bm_gallery_enroll(g, a, BM_GALLERY_INSERT, NULL), BM_ERR_ALREADY_EXISTS);
  /* MERGE adds a finger and keeps the old one and the metadata */
  bm_gallery_record *more = gf_record("alice", 1, 0, 1u << 2);
  OK(bm_gallery_enroll(g, more, BM_GALLERY_MERGE, &seq2));
  ck_assert_uint_gt(seq2, seq1);
  bm_gallery_record *got = NULL;
  OK(bm_gallery_get(g, "alice", &got));
  ck_assert_uint_eq(bm_gallery_record_finger_count(got), 2);
  ck_assert_uint_eq(bm_gallery_record_sequence(got), seq2);
  size_t size_a = 0, size_b = 0;
  const void *blob_a = bm_gallery_record_prepared(a, 1, &size_a), *blob_b = bm_gallery_record_prepared(got, 1, &size_b);
  ck_assert_uint_eq(size_a, size_b);
  ck_assert_int_eq(memcmp(blob_a, blob_b, size_a), 0);
  size_t msize = 0;
  ck_assert_int_eq(memcmp(bm_gallery_record_metadata(got, &msize), "m1", 2), 0);
  bm_gallery_record_free(got);
  /* REPLACE drops what the new record lacks */
  OK(bm_gallery_enroll(g, more, BM_GALLERY_REPLACE, NULL));
  OK(bm_gallery_get(g, "alice", &got));
  ck_assert_uint_eq(bm_gallery_record_finger_count(got), 1);
  ck_assert(bm_gallery_record_has_finger(got, 2));
  ck_assert_ptr_null(bm_gallery_record_metadata(got, NULL));
  bm_gallery_record_free(got);
  ck_assert_uint_eq(bm_gallery_count(g), 1);
  /* MERGE of an absent id inserts */
  OK(bm_gallery_enroll(g, a, BM_GALLERY_MERGE, NULL));
  ck_assert_uint_eq(bm_gallery_count(g), 1);
  bm_gallery_record *b = gf_record("bob", 2, 0, 1u << 1);
  OK(bm_gallery_enroll(g, b, BM_GALLERY_MERGE, NULL));
  ck_assert_uint_eq(bm_gallery_count(g), 2);
  OK(bm_gallery_delete(g, "alice", NULL));
  ck_assert_int_eq(bm_gallery_delete(g, "alice", NULL), BM_ERR_NOT_FOUND);
  ck_assert_uint_eq(bm_gallery_count(g), 1);
  bm_gallery_stats stats;
  OK(bm_gallery_get_stats(g, &stats));
  ck_assert_uint_eq(stats.records, 1);
  ck_assert_uint_eq(stats.fingers, 1);
  ck_assert_uint_gt(stats.dead_fingers, 0);
  OK(bm_gallery_compact(g));
  OK(bm_gallery_get_stats(g, &stats));
  ck_assert_uint_eq(stats.dead_fingers, 0);
  ck_assert_uint_eq(stats.fingers, 1);
  OK(bm_gallery_get(g, "bob", &got));
  bm_gallery_record_free(got);
  bm_gallery_record_free(a);
  bm_gallery_record_free(b);
  bm_gallery_record_free(more);
  bm_gallery_close(g);
}
END_TEST

/* Results in the fixed order, each FMR within the threshold. */
static void check_order(const bm_gallery_result *r, double max_fmr) {
  for (size_t i = 0; i < bm_gallery_result_count(r); ++i) {
    ck_assert(bm_gallery_result_score(r, i) > 0.0);
    ck_assert(bm_gallery_result_fmr(r, i) <= max_fmr);
    if (i == 0) continue;
    const double a = bm_gallery_result_score(r, i - 1), b = bm_gallery_result_score(r, i);
    ck_assert(a > b || (a == b && strcmp(bm_gallery_result_id(r, i - 1), bm_gallery_result_id(r, i)) < 0));
  }
}

START_TEST(test_identify_known_positions) {
  bm_gallery *g = gc_memory_gallery(4, 0, BM_FACE_F32);
  enrol_people(g, PEOPLE, TWO_FINGERS);
  int rank1 = 0;
  for (int i = 0; i < PEOPLE; i += 4) {
    bm_gallery_probe *probe = gf_probe((uint64_t)i, 3, 1u << 1);
    bm_gallery_search_params params;
    bm_gallery_search_params_init(&params);
    params.top_k = 5;
    bm_gallery_result *r = NULL;
    OK(bm_gallery_identify(g, probe, &params, &r));
    ck_assert_uint_le(bm_gallery_result_count(r), 5);
    ck_assert_uint_eq(bm_gallery_result_comparisons(r), PEOPLE); /* one finger per record */
    check_order(r, 1.0);
    char id[32];
    snprintf(id, sizeof id, "person-%03d", i);
    rank1 += bm_gallery_result_count(r) && strcmp(bm_gallery_result_id(r, 0), id) == 0;
    /* detail: one finger at position 1, its FMR gives the fused score */
    ck_assert_uint_eq(bm_gallery_result_finger_count(r, 0), 1);
    unsigned pp = 9, rp = 9;
    float score = 0;
    double fmr = 0;
    OK(bm_gallery_result_finger(r, 0, 0, &pp, &rp, &score, &fmr));
    ck_assert_uint_eq(pp, 1);
    ck_assert_uint_eq(rp, 1);
    ck_assert_double_eq_tol(bm_gallery_result_score(r, 0), -log10(fmr), 1e-9);
    ck_assert_double_eq_tol(bm_gallery_result_fmr(r, 0), fmr, 1e-12);
    ck_assert(isnan(bm_gallery_result_face_score(r, 0)));
    ck_assert_int_eq(bm_gallery_result_finger(r, 0, 1, NULL, NULL, NULL, NULL), BM_ERR_INVALID_ARGUMENT);
    bm_gallery_result_free(r);
    /* two fingers: the mate's fused score is the sum of both terms */
    bm_gallery_probe *both = gf_probe((uint64_t)i, 3, TWO_FINGERS);
    OK(bm_gallery_identify(g, both, &params, &r));
    ck_assert_str_eq(bm_gallery_result_id(r, 0), id);
    ck_assert_uint_eq(bm_gallery_result_finger_count(r, 0), 2);
    double sum = 0, f1 = 0, f2 = 0;
    OK(bm_gallery_result_finger(r, 0, 0, NULL, NULL, NULL, &f1));
    OK(bm_gallery_result_finger(r, 0, 1, NULL, NULL, NULL, &f2));
    sum = -log10(f1) - log10(f2);
    ck_assert_double_eq_tol(bm_gallery_result_score(r, 0), sum, 1e-9);
    ck_assert_double_eq_tol(bm_gallery_result_fmr(r, 0), bm_fusion_fmr_(sum, 2), 1e-15);
    /* a threshold keeps only candidates within it */
    params.max_fmr = 1e-3;
    bm_gallery_result *strict = NULL;
    OK(bm_gallery_identify(g, both, &params, &strict));
    check_order(strict, 1e-3);
    bm_gallery_result_free(strict);
    bm_gallery_result_free(r);
    bm_gallery_probe_free(both);
    bm_gallery_probe_free(probe);
  }
  ck_assert_int_ge(rank1, 9); /* 10 probes */
  bm_gallery_close(g);
}
END_TEST

START_TEST(test_identify_unknown_position) {
  bm_gallery *g = gc_memory_gallery(2, 0, BM_FACE_F32);
  enrol_people(g, 20, TWO_FINGERS);
  bm_gallery_probe *probe = gf_latent_probe(7, 2, 5);
  bm_gallery_result *r = NULL;
  OK(bm_gallery_identify(g, probe, NULL, &r));
  ck_assert_uint_eq(bm_gallery_result_comparisons(r), 40); /* every finger of every record */
  ck_assert_str_eq(bm_gallery_result_id(r, 0), "person-007");
  ck_assert_uint_eq(bm_gallery_result_finger_count(r, 0), 2);
  unsigned pp = 9, rp0 = 9, rp1 = 9;
  float s0 = 0, s1 = 0;
  double f0 = 0, f1 = 0;
  OK(bm_gallery_result_finger(r, 0, 0, &pp, &rp0, &s0, &f0));
  OK(bm_gallery_result_finger(r, 0, 1, NULL, &rp1, &s1, &f1));
  ck_assert_uint_eq(pp, 0);
  ck_assert_uint_eq(rp0, 1);
  ck_assert_uint_eq(rp1, 2);
  ck_assert(s1 > s0); /* the mate is the finger at position 2 */
  /* best of two comparisons: FMR 1 - (1 - p)^2 */
  ck_assert_double_eq_tol(bm_gallery_result_fmr(r, 0), 1 - (1 - f1) * (1 - f1), 1e-12);
  bm_gallery_result_free(r);
  /* an unknown-position finger must be alone */
  bm_template *tpl = NULL;
  OK(bm_template_create(&tpl));
  bm_minutia m = {10, 10, 0, 1, 50, {0, 0}};
  OK(bm_template_add_minutia(tpl, &m));
  ck_assert_int_eq(bm_gallery_probe_add_finger(probe, 1, tpl), BM_ERR_INVALID_ARGUMENT);
  bm_template_free(tpl);
  bm_gallery_probe_free(probe);
  /* errors */
  bm_gallery_probe *empty = NULL;
  OK(bm_gallery_probe_create(&empty));
  ck_assert_int_eq(bm_gallery_identify(g, empty, NULL, &r), BM_ERR_INVALID_ARGUMENT);
  bm_gallery_search_params params;
  bm_gallery_search_params_init(&params);
  params.top_k = 0;
  bm_gallery_probe *one = gf_probe(1, 1, 1u << 1);
  ck_assert_int_eq(bm_gallery_identify(g, one, &params, &r), BM_ERR_INVALID_ARGUMENT);
  bm_gallery_search_params_init(&params);
  params.penetration = 0;
  ck_assert_int_eq(bm_gallery_identify(g, one, &params, &r), BM_ERR_INVALID_ARGUMENT);
  params.penetration = 1;
  params.max_fmr = 2;
  ck_assert_int_eq(bm_gallery_identify(g, one, &params, &r), BM_ERR_INVALID_ARGUMENT);
  bm_gallery_probe_free(one);
  bm_gallery_probe_free(empty);
  bm_gallery_close(g);
}
END_TEST

START_TEST(test_fusion_rule) {
  double p = 0;
  const double t = bm_fusion_finger_term_(0.0f, &p);
  ck_assert_double_eq(t, 0.0);
  ck_assert_double_eq(p, 1.0);
  /* one term: the fused FMR is the term's FMR */
  ck_assert_double_eq_tol(bm_fusion_fmr_(3.0, 1), 1e-3, 1e-15);
  /* two terms of 1e-3 each: P = 1e-6, FMR = P (1 + ln 1/P) */
  ck_assert_double_eq_tol(bm_fusion_fmr_(6.0, 2), 1e-6 * (1 + 6 * log(10.0)), 1e-18);
  ck_assert_double_eq(bm_fusion_fmr_(0.0, 3), 1.0);
  ck_assert_double_eq_tol(bm_fusion_best_of_(1e-4, 10), 1 - pow(1 - 1e-4, 10), 1e-15);
  /* caps: a perfect score adds at most 12 */
  ck_assert(bm_fusion_finger_term_(1.0f, NULL) <= 12.0);
  ck_assert(bm_fusion_face_term_(1.0f, NULL) <= 12.0);
  ck_assert_double_eq(bm_fusion_face_term_(NAN, NULL), 0.0);
  /* monotone: higher scores never fuse lower */
  double last = 0;
  for (float s = 0.0f; s <= 1.0f; s += 0.01f) {
    const double term = bm_fusion_finger_term_(s, NULL);
    ck_assert(term >= last);
    last = term;
  }
}
END_TEST

START_TEST(test_same_results_any_shards_threads) {
  const uint32_t shard_counts[] = {1, 3, 8};
  bm_gallery *g[3];
  for (int k = 0; k < 3; ++k) {
    g[k] = gc_memory_gallery(shard_counts[k], 0, BM_FACE_F32);
    enrol_people(g[k], 30, TWO_FINGERS);
  }
  const double penetrations[] = {1.0, 0.25};
  for (int pi = 0; pi < 2; ++pi) {
    bm_gallery_probe *probe = gf_probe(11, 4, TWO_FINGERS);
    bm_gallery_search_params params;
    bm_gallery_search_params_init(&params);
    params.top_k = 30; /* everything: ties and low scores included */
    params.penetration = penetrations[pi];
    params.threads = 1;
    bm_gallery_result *reference = NULL;
    OK(bm_gallery_identify(g[0], probe, &params, &reference));
    ck_assert_uint_gt(bm_gallery_result_count(reference), 5);
    gi_assert_same_everywhere(g, 3, probe, params, 3, reference);
    bm_gallery_result_free(reference);
    bm_gallery_probe_free(probe);
  }
  for (int k = 0; k < 3; ++k) bm_gallery_close(g[k]);
}
END_TEST

START_TEST(test_faces_every_storage) {
  const bm_face_storage storages[] = {BM_FACE_F32, BM_FACE_F16, BM_FACE_INT8};
  enum { D = 128, N = 50 };
  float e[D];
  for (int s = 0; s < 3; ++s) {
    bm_gallery *g = gc_memory_gallery(3, D, storages[s]);
    for (int i = 0; i < N; ++i) {
      char id[16];
      snprintf(id, sizeof id, "f%02d", i);
      bm_gallery_record *r = NULL;
      OK(bm_gallery_record_create(id, &r));
      gf_embedding((uint64_t)i, 0, 0, e, D);
      OK(bm_gallery_record_set_face(r, e, D));
      OK(bm_gallery_enroll(g, r, BM_GALLERY_INSERT, NULL));
      bm_gallery_record_free(r);
    }
    bm_gallery_probe *probe = NULL;
    OK(bm_gallery_probe_create(&probe));
    gf_embedding(17, 0.5f, 99, e, D);
    OK(bm_gallery_probe_set_face(probe, e, 64));
    bm_gallery_result *r = NULL;
    ck_assert_int_eq(bm_gallery_identify(g, probe, NULL, &r), BM_ERR_DIMENSION); /* 64 against 128 */
    OK(bm_gallery_probe_set_face(probe, e, D));
    OK(bm_gallery_identify(g, probe, NULL, &r));
    ck_assert_str_eq(bm_gallery_result_id(r, 0), "f17");
    const float cosine = bm_gallery_result_face_score(r, 0);
    ck_assert(cosine > 0.8f && cosine < 0.95f); /* 1/sqrt(1.25) = 0.894 */
    ck_assert_double_eq_tol(bm_gallery_result_fmr(r, 0), bm_face_score_to_fmr(NULL, cosine) < 1e-12 ? 1e-12 : bm_face_score_to_fmr(NULL, cosine), 1e-15);
    ck_assert_uint_eq(bm_gallery_result_finger_count(r, 0), 0);
    bm_gallery_result_free(r);
    /* get gives the stored face back (decoded) */
    bm_gallery_record *got = NULL;
    OK(bm_gallery_get(g, "f17", &got));
    size_t dimension = 0;
    const float *face = bm_gallery_record_face(got, &dimension);
    ck_assert_uint_eq(dimension, D);
    gf_embedding(17, 0, 0, e, D);
    double dot = 0, norm = 0;
    for (int i = 0; i < D; ++i) dot += face[i] * e[i], norm += e[i] * e[i];
    ck_assert_double_gt(dot / sqrt(norm), 0.999);
    bm_gallery_record_free(got);
    bm_gallery_probe_free(probe);
    bm_gallery_close(g);
  }
}
END_TEST

START_TEST(test_face_and_fingers_fuse) {
  enum { D = 64 };
  float e[D];
  bm_gallery *g = gc_memory_gallery(2, D, BM_FACE_F32);
  for (int i = 0; i < 10; ++i) {
    char id[16];
    snprintf(id, sizeof id, "p%d", i);
    bm_gallery_record *r = gf_record(id, (uint64_t)i, 0, 1u << 1);
    gf_embedding((uint64_t)i, 0, 0, e, D);
    OK(bm_gallery_record_set_face(r, e, D));
    OK(bm_gallery_enroll(g, r, BM_GALLERY_INSERT, NULL));
    bm_gallery_record_free(r);
  }
  bm_gallery_probe *probe = gf_probe(3, 2, 1u << 1);
  bm_gallery_result *fingers_only = NULL, *both = NULL;
  OK(bm_gallery_identify(g, probe, NULL, &fingers_only));
  gf_embedding(3, 0.7f, 5, e, D);
  OK(bm_gallery_probe_set_face(probe, e, D));
  OK(bm_gallery_identify(g, probe, NULL, &both));
  ck_assert_str_eq(bm_gallery_result_id(both, 0), "p3");
  double face_fmr = 0;
  const double face_term = bm_fusion_face_term_(bm_gallery_result_face_score(both, 0), &face_fmr);
  ck_assert_double_eq_tol(bm_gallery_result_score(both, 0), bm_gallery_result_score(fingers_only, 0) + face_term, 1e-9);
  ck_assert_double_eq_tol(bm_gallery_result_fmr(both, 0), bm_fusion_fmr_(bm_gallery_result_score(both, 0), 2), 1e-15);
  bm_gallery_result_free(fingers_only);
  bm_gallery_result_free(both);
  bm_gallery_probe_free(probe);
  bm_gallery_close(g);
}
END_TEST

START_TEST(test_cascade) {
  bm_gallery *g = gc_memory_gallery(4, 0, BM_FACE_F32);
  enrol_people(g, 60, TWO_FINGERS);
  int found_exhaustive = 0, found_cascade = 0;
  for (int i = 0; i < 60; i += 6) {
    bm_gallery_probe *probe = gf_probe((uint64_t)i, 2, 1u << 1);
    bm_gallery_search_params params;
    bm_gallery_search_params_init(&params);
    bm_gallery_result *ex = NULL, *ca = NULL;
    OK(bm_gallery_identify(g, probe, &params, &ex));
    params.penetration = 0.2;
    OK(bm_gallery_identify(g, probe, &params, &ca));
    /* 20% of 60 = 12 fingers selected (more only on ties at the cut) */
    ck_assert_uint_ge(bm_gallery_result_comparisons(ca), 12);
    ck_assert_uint_lt(bm_gallery_result_comparisons(ca), 30);
    ck_assert_uint_eq(bm_gallery_result_comparisons(ex), 60);
    char id[32];
    snprintf(id, sizeof id, "person-%03d", i);
    found_exhaustive += strcmp(bm_gallery_result_id(ex, 0), id) == 0;
    found_cascade += bm_gallery_result_count(ca) && strcmp(bm_gallery_result_id(ca, 0), id) == 0;
    /* a candidate the cascade keeps has the score the exhaustive search gives it */
    for (size_t c = 0; c < bm_gallery_result_count(ca); ++c)
      for (size_t e = 0; e < bm_gallery_result_count(ex); ++e)
        if (strcmp(bm_gallery_result_id(ca, c), bm_gallery_result_id(ex, e)) == 0)
          ck_assert(bm_gallery_result_score(ca, c) == bm_gallery_result_score(ex, e));
    bm_gallery_result_free(ex);
    bm_gallery_result_free(ca);
    bm_gallery_probe_free(probe);
  }
  ck_assert_int_ge(found_exhaustive, 9);
  ck_assert_int_ge(found_cascade, 7);
  bm_gallery_close(g);
  /* without codes the cascade is refused, exhaustive still works */
  bm_gallery_options options;
  bm_gallery_options_init(&options);
  options.use_prefilter = 0;
  OK(bm_gallery_create(&options, &g));
  enrol_people(g, 3, TWO_FINGERS);
  bm_gallery_probe *probe = gf_probe(1, 2, 1u << 1);
  bm_gallery_search_params params;
  bm_gallery_search_params_init(&params);
  params.penetration = 0.5;
  bm_gallery_result *r = NULL;
  ck_assert_int_eq(bm_gallery_identify(g, probe, &params, &r), BM_ERR_UNSUPPORTED);
  OK(bm_gallery_identify(g, probe, NULL, &r));
  bm_gallery_result_free(r);
  bm_gallery_probe_free(probe);
  bm_gallery_close(g);
}
END_TEST

static int descending_u32(const void *a, const void *b) {
  const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? 1 : x > y ? -1 : 0;
}

/* The cascade's cut: the k-th largest similarity, against a sort, on
 * random arrays with few and many distinct values (ties at the cut). */
START_TEST(test_cascade_selection) {
  unsigned seed = 7;
  uint32_t values[300], sorted[300];
  for (int trial = 0; trial < 5000; ++trial) {
    const size_t n = 1 + (size_t)rand_r(&seed) % 300;
    const unsigned distinct = trial % 3 == 0 ? 3u : 100000u;
    for (size_t i = 0; i < n; ++i) values[i] = sorted[i] = (uint32_t)rand_r(&seed) % distinct;
    const size_t k = 1 + (size_t)rand_r(&seed) % n;
    qsort(sorted, n, sizeof *sorted, descending_u32);
    ck_assert_uint_eq(bm_cascade_kth_largest_(values, n, k), sorted[k - 1]);
  }
}
END_TEST

static int count_progress(void *context, uint64_t done, uint64_t total) {
  uint64_t *calls = context;
  ck_assert_uint_le(done, total);
  ++*calls;
  return 0;
}

static int cancel_progress(void *context, uint64_t done, uint64_t total) {
  (void)context;
  (void)total;
  return done > 0;
}

START_TEST(test_dedup) {
  bm_gallery *g = gc_memory_gallery(3, 0, BM_FACE_F32);
  enrol_people(g, 24, TWO_FINGERS);
  /* planted duplicates: other impressions of persons 3 and 10 under new ids, and a third of person 3 */
  const char *dup_ids[] = {"dup-a", "dup-b", "dup-c"};
  const uint64_t dup_people[] = {3, 10, 3};
  for (int d = 0; d < 3; ++d) {
    bm_gallery_record *r = gf_record(dup_ids[d], dup_people[d], (uint32_t)(2 + d), TWO_FINGERS);
    OK(bm_gallery_enroll(g, r, BM_GALLERY_INSERT, NULL));
    bm_gallery_record_free(r);
  }
  uint64_t calls = 0;
  bm_gallery_dedup_result *result = NULL;
  OK(bm_gallery_dedup(g, NULL, 0, 1e-6, 2, count_progress, &calls, &result));
  ck_assert_uint_gt(calls, 0);
  ck_assert_uint_eq(bm_gallery_dedup_pairs_compared(result), 27 * 26 / 2);
  /* pairs ordered, first id < second id */
  int planted = 0;
  for (size_t i = 0; i < bm_gallery_dedup_pair_count(result); ++i) {
    const char *a, *b;
    double score, fmr;
    OK(bm_gallery_dedup_pair(result, i, &a, &b, &score, &fmr));
    ck_assert_int_lt(strcmp(a, b), 0);
    ck_assert(fmr <= 1e-6);
    planted += (strcmp(a, "dup-a") == 0 && strcmp(b, "person-003") == 0) ||
               (strcmp(a, "dup-b") == 0 && strcmp(b, "person-010") == 0) ||
               (strcmp(a, "dup-c") == 0 && strcmp(b, "person-003") == 0) ||
               (strcmp(a, "dup-a") == 0 && strcmp(b, "dup-c") == 0);
  }
  ck_assert_int_eq(planted, 4);
  ck_assert_uint_eq(bm_gallery_dedup_pair_count(result), 4); /* nothing else at 1e-6 */
  ck_assert_uint_eq(bm_gallery_dedup_cluster_count(result), 2);
  ck_assert_uint_eq(bm_gallery_dedup_cluster_size(result, 0), 3);
  ck_assert_str_eq(bm_gallery_dedup_cluster_member(result, 0, 0), "dup-a");
  ck_assert_str_eq(bm_gallery_dedup_cluster_member(result, 0, 1), "dup-c");
  ck_assert_str_eq(bm_gallery_dedup_cluster_member(result, 0, 2), "person-003");
  ck_assert_uint_eq(bm_gallery_dedup_cluster_size(result, 1), 2);
  ck_assert_str_eq(bm_gallery_dedup_cluster_member(result, 1, 1), "person-010");
  ck_assert_ptr_null(bm_gallery_dedup_cluster_member(result, 2, 0));
  bm_gallery_dedup_free(result);
  /* batch: the three new ids against the gallery and each other */
  const char *batch[] = {"dup-c", "dup-a", "dup-b"};
  OK(bm_gallery_dedup(g, batch, 3, 1e-6, 1, NULL, NULL, &result));
  ck_assert_uint_eq(bm_gallery_dedup_pairs_compared(result), 3 * 24 + 3);
  ck_assert_uint_eq(bm_gallery_dedup_pair_count(result), 4);
  bm_gallery_dedup_free(result);
  const char *missing[] = {"nobody"};
  ck_assert_int_eq(bm_gallery_dedup(g, missing, 1, 1e-6, 1, NULL, NULL, &result), BM_ERR_NOT_FOUND);
  ck_assert_int_eq(bm_gallery_dedup(g, NULL, 0, 1e-6, 2, cancel_progress, NULL, &result), BM_ERR_CANCELLED);
  ck_assert_ptr_null(result);
  bm_gallery_close(g);
}
END_TEST

static void same_gallery_content(bm_gallery *a, bm_gallery *b, int people) {
  ck_assert_uint_eq(bm_gallery_count(a), bm_gallery_count(b));
  for (int i = 0; i < people; i += 3) {
    bm_gallery_probe *probe = gf_probe((uint64_t)i, 6, TWO_FINGERS);
    bm_gallery_search_params params;
    bm_gallery_search_params_init(&params);
    params.top_k = 50;
    bm_gallery_result *ra = NULL, *rb = NULL;
    OK(bm_gallery_identify(a, probe, &params, &ra));
    OK(bm_gallery_identify(b, probe, &params, &rb));
    gi_assert_same_results(ra, rb);
    bm_gallery_result_free(ra);
    bm_gallery_result_free(rb);
    bm_gallery_probe_free(probe);
  }
}

static int collect_ids(void *context, const char *id) {
  char *buffer = context;
  strcat(buffer, id);
  strcat(buffer, ",");
  return 0;
}

START_TEST(test_persistence_round_trip) {
  char *dir = gt_make_directory();
  bm_gallery_options options;
  bm_gallery_options_init(&options);
  options.shard_count = 5;
  options.face_dimension = 64;
  options.sync = BM_GALLERY_SYNC_DEFERRED;
  bm_gallery *disk = NULL, *memory = gc_memory_gallery(2, 64, BM_FACE_F32);
  OK(bm_gallery_open(dir, &options, &disk));
  bm_gallery *second = NULL;
  ck_assert_int_eq(bm_gallery_open(dir, &options, &second), BM_ERR_LOCKED);
  float e[64];
  for (int step = 0; step < 3; ++step) {
    for (int i = 0; i < 12; ++i) {
      char id[32];
      snprintf(id, sizeof id, "person-%03d", i + 12 * step);
      bm_gallery_record *r = gf_record(id, (uint64_t)(i + 12 * step), 0, TWO_FINGERS);
      gf_embedding((uint64_t)i, 0, 0, e, 64);
      OK(bm_gallery_record_set_face(r, e, 64));
      OK(bm_gallery_record_set_metadata(r, id, strlen(id)));
      OK(bm_gallery_enroll(disk, r, BM_GALLERY_INSERT, NULL));
      OK(bm_gallery_enroll(memory, r, BM_GALLERY_INSERT, NULL));
      bm_gallery_record_free(r);
    }
    /* replace and delete some */
    char id[32];
    snprintf(id, sizeof id, "person-%03d", 12 * step + 1);
    OK(bm_gallery_delete(disk, id, NULL));
    OK(bm_gallery_delete(memory, id, NULL));
    snprintf(id, sizeof id, "person-%03d", 12 * step + 2);
    bm_gallery_record *r = gf_record(id, 99, 0, 1u << 1);
    OK(bm_gallery_enroll(disk, r, BM_GALLERY_REPLACE, NULL));
    OK(bm_gallery_enroll(memory, r, BM_GALLERY_REPLACE, NULL));
    bm_gallery_record_free(r);
    OK(bm_gallery_sync(disk));
    bm_gallery_stats stats;
    OK(bm_gallery_get_stats(disk, &stats));
    ck_assert_uint_eq(stats.durable_sequence, stats.last_sequence);
    if (step == 1) OK(bm_gallery_checkpoint(disk)); /* a snapshot, then more log */
    bm_gallery_close(disk);
    /* reopen with other options: the stored configuration wins */
    bm_gallery_options other;
    bm_gallery_options_init(&other);
    other.shard_count = 2;
    other.load_with_read = step == 2;
    OK(bm_gallery_open(dir, &other, &disk));
    OK(bm_gallery_get_stats(disk, &stats));
    ck_assert_uint_eq(stats.shard_count, 5);
    ck_assert_uint_eq(stats.face_dimension, 64);
    same_gallery_content(disk, memory, 36);
    bm_gallery_record *got = NULL;
    snprintf(id, sizeof id, "person-%03d", 12 * step + 3);
    OK(bm_gallery_get(disk, id, &got));
    size_t msize = 0;
    const void *meta = bm_gallery_record_metadata(got, &msize);
    ck_assert_uint_eq(msize, strlen(id));
    ck_assert_int_eq(memcmp(meta, id, msize), 0);
    bm_gallery_record_free(got);
  }
  char ids_a[4096] = "", ids_b[4096] = "";
  OK(bm_gallery_for_each_id(disk, collect_ids, ids_a));
  OK(bm_gallery_for_each_id(memory, collect_ids, ids_b));
  ck_assert_str_eq(ids_a, ids_b);
  ck_assert_ptr_nonnull(strstr(ids_a, "person-000,person-002,person-003,"));
  bm_gallery_close(disk);
  bm_gallery_close(memory);
  gt_remove_directory(dir);
  free(dir);
}
END_TEST

START_TEST(test_damaged_log_is_reported) {
  char *dir = gt_make_directory();
  bm_gallery *g = NULL;
  OK(bm_gallery_open(dir, NULL, &g));
  for (int i = 0; i < 3; ++i) {
    char id[16];
    snprintf(id, sizeof id, "r%d", i);
    bm_gallery_record *r = gf_record(id, (uint64_t)i, 0, 1u << 1);
    OK(bm_gallery_enroll(g, r, BM_GALLERY_INSERT, NULL));
    bm_gallery_record_free(r);
  }
  bm_gallery_close(g);
  char *log = gt_find_file(dir, "log-");
  size_t size = 0;
  unsigned char *bytes = gt_read_file(log, &size);
  bytes[size / 2] ^= 0x40; /* inside the second of three records */
  gt_write_file(log, bytes, size);
  ck_assert_int_eq(bm_gallery_open(dir, NULL, &g), BM_ERR_CORRUPT);
  ck_assert_ptr_null(g);
  free(bytes);
  free(log);
  gt_remove_directory(dir);
  free(dir);
}
END_TEST

/* The record parser (log records, snapshot sections) on every truncation
 * and on mutated bytes: BM_ERR_CORRUPT or a valid record, never a crash
 * (the CRCs of the store catch damage first; this guards the parser). */
START_TEST(test_record_parser_malformed_input) {
  enum { D = 64 };
  float e[D];
  bm_gallery_record *r = gf_record("parse-me", 5, 0, (1u << 1) | (1u << 7));
  gf_embedding(3, 0, 0, e, D);
  OK(bm_gallery_record_set_face(r, e, D));
  OK(bm_gallery_record_set_metadata(r, "meta", 4));
  const size_t code_bytes = bm_cascade_code_bytes_();
  const size_t size = bm_gallery_record_serialized_size_(r, code_bytes);
  uint8_t *bytes = malloc(size);
  bm_gallery_record_serialize_(r, code_bytes, bytes);
  bm_gallery_record *back = NULL;
  size_t consumed = 0;
  OK(bm_gallery_record_parse_(bytes, size, code_bytes, D, "test", &consumed, &back));
  ck_assert_uint_eq(consumed, size);
  ck_assert_uint_eq(bm_gallery_record_serialized_size_(back, code_bytes), size);
  uint8_t *again = malloc(size);
  bm_gallery_record_serialize_(back, code_bytes, again);
  ck_assert_int_eq(memcmp(bytes, again, size), 0);
  bm_gallery_record_free(back);
  for (size_t cut = 0; cut < size; ++cut) {
    back = NULL;
    ck_assert_int_eq(bm_gallery_record_parse_(bytes, cut, code_bytes, D, "test", &consumed, &back), BM_ERR_CORRUPT);
    ck_assert_ptr_null(back);
  }
  /* a face of another dimension than the gallery's */
  ck_assert_int_eq(bm_gallery_record_parse_(bytes, size, code_bytes, 128, "test", &consumed, &back), BM_ERR_CORRUPT);
  unsigned seed = 11;
  for (int trial = 0; trial < 3000; ++trial) {
    memcpy(again, bytes, size);
    /* header fields, lengths and blobs alike */
    const size_t at = trial % 3 == 0 ? (size_t)rand_r(&seed) % 96 : (size_t)rand_r(&seed) % size;
    again[at] ^= (uint8_t)(1u << (rand_r(&seed) % 8));
    back = NULL;
    const bm_status status = bm_gallery_record_parse_(again, size, code_bytes, D, "test", &consumed, &back);
    ck_assert(status == BM_OK || status == BM_ERR_CORRUPT);
    if (status == BM_OK) {
      ck_assert_uint_le(consumed, size);
      size_t dimension = 0;
      const float *face = bm_gallery_record_face(back, &dimension);
      for (size_t i = 0; i < dimension; ++i) ck_assert(isfinite(face[i]));
    }
    bm_gallery_record_free(back);
  }
  free(again);
  free(bytes);
  bm_gallery_record_free(r);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("gallery");
  TCase *tc = tcase_create("api");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_record_validation);
  tcase_add_test(tc, test_enrol_modes_get_delete);
  tcase_add_test(tc, test_identify_known_positions);
  tcase_add_test(tc, test_identify_unknown_position);
  tcase_add_test(tc, test_fusion_rule);
  tcase_add_test(tc, test_same_results_any_shards_threads);
  tcase_add_test(tc, test_faces_every_storage);
  tcase_add_test(tc, test_face_and_fingers_fuse);
  tcase_add_test(tc, test_cascade);
  tcase_add_test(tc, test_cascade_selection);
  tcase_add_test(tc, test_dedup);
  tcase_add_test(tc, test_persistence_round_trip);
  tcase_add_test(tc, test_damaged_log_is_reported);
  tcase_add_test(tc, test_record_parser_malformed_input);
  suite_add_tcase(suite, tc);
  return bm_test_run_suite(suite);
}
