/* The matcher's use of minutia quality: the number of pairs a score
 * averages grows with the smaller template's reliable minutia count, each
 * minutia counting by its quality / 100 and an ungraded one (quality 0)
 * fully (core/src/match/consolidate.c, docs/matcher.md). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/biomatch.h"
#include "match_fixtures.h"
#include "test_support.h"

static unsigned rng_state_ = 2024u;

/* `count` endings and bifurcations at least 12 px apart over the 300 x 400 px area from (200, 200). */
static size_t random_minutiae(bm_minutia *m, size_t count, unsigned quality) {
  return match_fixture_minutiae(&rng_state_, m, count, 350, 400, quality, true);
}

static bm_template *template_of(const bm_minutia *m, size_t n) { return match_fixture_template(m, n); }
static float score_of(const bm_template *a, const bm_template *b) { return match_fixture_score(a, b); }

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
