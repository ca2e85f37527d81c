/* The matcher's use of minutia quality: the number of pairs a score
 * averages grows with the smaller template's reliable minutia count, each
 * minutia counting by its quality / 100 and an ungraded one (quality 0)
 * fully (core/src/match/consolidate.c, docs/matcher.md). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/biomatch.h"
#include "test_support.h"

static unsigned rng_state_ = 2024u;
static double uniform(void) {
  rng_state_ = rng_state_ * 1664525u + 1013904223u;
  return (rng_state_ >> 8) / 16777216.0;
}

/* `count` minutiae at least 12 px apart over a 300 x 400 px area. */
static size_t random_minutiae(bm_minutia *m, size_t count, unsigned quality) {
  size_t n = 0;
  for (int attempt = 0; n < count && attempt < 100000; ++attempt) {
    const double x = 200 + uniform() * 300, y = 200 + uniform() * 400;
    int close = 0;
    for (size_t i = 0; i < n; ++i) close |= hypot(m[i].x - x, m[i].y - y) < 12;
    if (close) continue;
    memset(&m[n], 0, sizeof m[n]);
    m[n].x = (uint16_t)lround(x);
    m[n].y = (uint16_t)lround(y);
    m[n].angle = (float)(uniform() * 359.0);
    m[n].type = uniform() < 0.5 ? BM_MINUTIA_RIDGE_ENDING : BM_MINUTIA_BIFURCATION;
    m[n].quality = (uint8_t)quality;
    ++n;
  }
  ck_assert_uint_eq(n, count);
  return n;
}

static bm_template *template_of(const bm_minutia *m, size_t n) {
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_template_create(&tpl), BM_OK);
  ck_assert_int_eq(bm_template_set_minutiae(tpl, m, n), BM_OK);
  return tpl;
}

static float score_of(const bm_template *a, const bm_template *b) {
  float score = -1;
  ck_assert_int_eq(bm_match_templates(a, b, &score), BM_OK);
  ck_assert(score >= 0 && score <= 1);
  return score;
}

static void set_quality(bm_minutia *m, size_t n, unsigned quality) {
  for (size_t i = 0; i < n; ++i) m[i].quality = (uint8_t)quality;
}

/* Ungraded (0) and full quality (100) count the same: templates without
 * qualities score exactly as they did before qualities were used. */
START_TEST(ungraded_counts_as_full_quality) {
  bm_minutia a[40], b[40];
  random_minutiae(a, 40, 100);
  memcpy(b, a, sizeof a);
  for (size_t i = 0; i < 40; ++i) b[i].x = (uint16_t)(b[i].x + (i % 3) - 1); /* a mate, slightly moved */
  bm_template *full_a = template_of(a, 40), *full_b = template_of(b, 40);
  set_quality(a, 40, 0);
  set_quality(b, 40, 0);
  bm_template *bare_a = template_of(a, 40), *bare_b = template_of(b, 40);
  const float full = score_of(full_a, full_b), bare = score_of(bare_a, bare_b), mixed = score_of(full_a, bare_b);
  ck_assert_msg(full == bare && bare == mixed, "quality 100 %f, ungraded %f, mixed %f", full, bare, mixed);
  bm_template_free(full_a);
  bm_template_free(full_b);
  bm_template_free(bare_a);
  bm_template_free(bare_b);
}
END_TEST

/* A poor impression: 14 of the mate's minutiae plus 26 spurious ones. When
 * the extractor grades the spurious ones low, the score asks for fewer
 * agreeing pairs and rises; graded fully, it stays where it was. An
 * unrelated template gains less than the mate does. */
START_TEST(low_quality_minutiae_count_less) {
  for (int trial = 0; trial < 5; ++trial) {
    bm_minutia mate[40], poor[40], other[40];
    random_minutiae(mate, 40, 90);
    memcpy(poor, mate, 14 * sizeof *mate);
    random_minutiae(other, 40, 90);
    /* Spurious minutiae anywhere but on the true ones. */
    size_t n = 14;
    for (int attempt = 0; n < 40 && attempt < 100000; ++attempt) {
      bm_minutia candidate;
      random_minutiae(&candidate, 1, 90);
      int close = 0;
      for (size_t i = 0; i < n; ++i) close |= hypot(poor[i].x - candidate.x, poor[i].y - candidate.y) < 12;
      if (!close) poor[n++] = candidate;
    }
    ck_assert_uint_eq(n, 40);
    bm_template *reference = template_of(mate, 40), *unrelated = template_of(other, 40);
    bm_template *graded_fully = template_of(poor, 40);
    for (size_t i = 14; i < 40; ++i) poor[i].quality = 10;
    bm_template *graded_low = template_of(poor, 40);
    const float before = score_of(reference, graded_fully), after = score_of(reference, graded_low);
    const float impostor_before = score_of(unrelated, graded_fully), impostor_after = score_of(unrelated, graded_low);
    ck_assert_msg(after > before * 1.05f, "trial %d: mate %f graded fully, %f graded low", trial, before, after);
    ck_assert_msg(after - before > impostor_after - impostor_before,
                  "trial %d: mate gains %f, unrelated gains %f", trial, after - before, impostor_after - impostor_before);
    bm_template_free(reference);
    bm_template_free(unrelated);
    bm_template_free(graded_fully);
    bm_template_free(graded_low);
  }
}
END_TEST

int main(void) {
  Suite *suite = suite_create("match_quality");
  TCase *quality = tcase_create("quality");
  tcase_add_test(quality, ungraded_counts_as_full_quality);
  tcase_add_test(quality, low_quality_minutiae_count_less);
  suite_add_tcase(suite, quality);
  return bm_test_run_suite(suite);
}
