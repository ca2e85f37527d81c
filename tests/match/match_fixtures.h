/* Synthetic templates shared by the matcher's Check tests: random minutiae
 * spaced as on a print, templates built from them, and a checked score. */
#ifndef BIOMATCH_TESTS_MATCH_FIXTURES_H
#define BIOMATCH_TESTS_MATCH_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>

#include "biomatch/biomatch.h"

/* Uniform in [0, 1) from a linear congruential generator over a
 * caller-held state, so each test program keeps its own reproducible
 * sequence. */
double match_fixture_uniform(unsigned *state);

/* Writes `count` minutiae at least 12 px apart over a 300 x 400 px area
 * centred on (cx, cy), each of quality `quality`; ridge endings, or a random
 * mix of endings and bifurcations when `mixed_types`. Fails the test when
 * that many do not fit. Returns `count`. */
size_t match_fixture_minutiae(unsigned *rng, bm_minutia *m, size_t count, double cx, double cy, unsigned quality,
                              bool mixed_types);

/* A template holding the `n` minutiae (the test fails if it cannot be built). */
bm_template *match_fixture_template(const bm_minutia *m, size_t n);

/* bm_match_templates(a, b), which must succeed with a score in [0, 1]. */
float match_fixture_score(const bm_template *a, const bm_template *b);

#endif
