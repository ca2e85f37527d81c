/* Synthetic templates shared by the matcher's Check tests. */
#include "match_fixtures.h"

#include <check.h>
#include <math.h>
#include <string.h>

double match_fixture_uniform(unsigned *state) {
  *state = *state * 1664525u + 1013904223u;
  return (*state >> 8) / 16777216.0;
}

size_t match_fixture_minutiae(unsigned *rng, bm_minutia *m, size_t count, double cx, double cy, unsigned quality,
                              bool mixed_types) {
  size_t n = 0;
  for (int attempt = 0; n < count && attempt < 100000; ++attempt) {
    const double x = cx + (match_fixture_uniform(rng) - 0.5) * 300, y = cy + (match_fixture_uniform(rng) - 0.5) * 400;
    int close = 0;
    for (size_t i = 0; i < n; ++i) close |= hypot(m[i].x - x, m[i].y - y) < 12;
    if (close) continue;
    memset(&m[n], 0, sizeof m[n]);
    m[n].x = (uint16_t)lround(x);
    m[n].y = (uint16_t)lround(y);
    m[n].angle = (float)(match_fixture_uniform(rng) * 359.0);
    m[n].type = !mixed_types || match_fixture_uniform(rng) < 0.5 ? BM_MINUTIA_RIDGE_ENDING : BM_MINUTIA_BIFURCATION;
    m[n].quality = (uint8_t)quality;
    ++n;
  }
  ck_assert_uint_eq(n, count);
  return n;
}

bm_template *match_fixture_template(const bm_minutia *m, size_t n) {
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_template_create(&tpl), BM_OK);
  ck_assert_int_eq(bm_template_set_minutiae(tpl, m, n), BM_OK);
  return tpl;
}

float match_fixture_score(const bm_template *a, const bm_template *b) {
  float score = -1;
  ck_assert_int_eq(bm_match_templates(a, b, &score), BM_OK);
  ck_assert(score >= 0 && score <= 1);
  return score;
}
