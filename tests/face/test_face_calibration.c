/* Face score calibration: rates read back from a known distribution,
 * monotonicity, threshold and rate inverse of each other, the tail beyond
 * the measured range, bad input, and the built-in curve's sanity. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "biomatch/bm_face.h"
#include "test_support.h"

enum { UNIFORM_COUNT = 100000 };

/* Impostor scores spread evenly over [-0.5, 0.5): FMR(s) = 0.5 - s exactly. */
static bm_face_calibration *uniform_calibration(void) {
  float *scores = malloc(UNIFORM_COUNT * sizeof *scores);
  /* Shuffled order: the builder must not rely on sorted input. */
  for (size_t i = 0; i < UNIFORM_COUNT; ++i) scores[(i * 7919) % UNIFORM_COUNT] = -0.5f + (float)i / UNIFORM_COUNT;
  bm_face_calibration *calibration = NULL;
  ck_assert_int_eq(bm_face_calibration_create(scores, UNIFORM_COUNT, &calibration), BM_OK);
  free(scores);
  return calibration;
}

START_TEST(test_rates_of_a_known_distribution) {
  bm_face_calibration *c = uniform_calibration();
  ck_assert_uint_eq(bm_face_calibration_impostor_count(c), UNIFORM_COUNT);
  const float scores[] = {-0.4f, 0.0f, 0.3f, 0.45f, 0.49f, 0.4995f};
  for (size_t i = 0; i < sizeof scores / sizeof *scores; ++i) {
    const double expected = 0.5 - scores[i], got = bm_face_score_to_fmr(c, scores[i]);
    ck_assert_msg(fabs(log10(got / expected)) < 0.03, "score %g: fmr %g, expected %g", scores[i], got, expected);
  }
  ck_assert_double_eq(bm_face_score_to_fmr(c, -0.9f), 1.0);
  ck_assert_double_eq(bm_face_score_to_fmr(c, NAN), 1.0);
  bm_face_calibration_free(c);
}
END_TEST

START_TEST(test_rate_decreases_and_threshold_inverts_it) {
  bm_face_calibration *c = uniform_calibration();
  double previous = 2;
  for (float s = -0.6f; s < 0.8f; s += 0.001f) {
    const double fmr = bm_face_score_to_fmr(c, s);
    ck_assert_msg(fmr <= previous, "rate rises at score %g", s);
    previous = fmr;
  }
  ck_assert(bm_face_score_to_fmr(c, 0.7f) < 1e-5); /* the fitted tail keeps falling */
  ck_assert_double_eq(bm_face_score_to_fmr(c, 1.0f), 1e-12); /* down to the documented floor only */
  for (int e = 1; e <= 12; ++e) {
    const double fmr = pow(10.0, -e / 2.0);
    float threshold = 0;
    ck_assert_int_eq(bm_face_fmr_to_threshold(c, fmr, &threshold), BM_OK);
    const double back = bm_face_score_to_fmr(c, threshold);
    ck_assert_msg(fabs(log10(back / fmr)) < 0.01, "fmr %g -> threshold %g -> fmr %g", fmr, threshold, back);
  }
  bm_face_calibration_free(c);
}
END_TEST

START_TEST(test_bad_input_is_rejected) {
  float scores[200];
  for (int i = 0; i < 200; ++i) scores[i] = (float)i / 200;
  bm_face_calibration *c = (bm_face_calibration *)1;
  ck_assert_int_eq(bm_face_calibration_create(scores, 99, &c), BM_ERR_INVALID_ARGUMENT);
  ck_assert_ptr_null(c);
  ck_assert_int_eq(bm_face_calibration_create(NULL, 200, &c), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_face_calibration_create(scores, 200, NULL), BM_ERR_INVALID_ARGUMENT);
  scores[17] = NAN;
  ck_assert_int_eq(bm_face_calibration_create(scores, 200, &c), BM_ERR_NON_FINITE);
  for (int i = 0; i < 200; ++i) scores[i] = 0.25f; /* no spread: no curve */
  ck_assert_int_eq(bm_face_calibration_create(scores, 200, &c), BM_ERR_INVALID_ARGUMENT);
  float threshold;
  ck_assert_int_eq(bm_face_fmr_to_threshold(NULL, 0, &threshold), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_face_fmr_to_threshold(NULL, 1.5, &threshold), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_face_fmr_to_threshold(NULL, NAN, &threshold), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_face_fmr_to_threshold(NULL, 1e-3, NULL), BM_ERR_INVALID_ARGUMENT);
  bm_face_calibration_free(NULL);
}
END_TEST

/* The shipped curve: cosine thresholds rise as the rate falls and lie where
 * a FaceNet-style model puts them (impostors rarely pass 0.5). */
START_TEST(test_builtin_curve) {
  ck_assert_uint_gt(bm_face_calibration_impostor_count(NULL), 1000000);
  float previous = -1;
  for (int e = 1; e <= 6; ++e) {
    float threshold = 0;
    ck_assert_int_eq(bm_face_fmr_to_threshold(NULL, pow(10.0, -e), &threshold), BM_OK);
    ck_assert_float_gt(threshold, previous);
    previous = threshold;
  }
  float at_1e3;
  ck_assert_int_eq(bm_face_fmr_to_threshold(NULL, 1e-3, &at_1e3), BM_OK);
  ck_assert(at_1e3 > 0.2f && at_1e3 < 0.8f);
  ck_assert(bm_face_score_to_fmr(NULL, 0.99f) < 1e-6);
  for (float score = -1.0f; score <= 1.0f; score += 1.0f / 128) /* never below the documented floor */
    ck_assert_msg(bm_face_score_to_fmr(NULL, score) >= 1e-12, "fmr %g at %g", bm_face_score_to_fmr(NULL, score), (double)score);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("face_calibration");
  TCase *tcase = tcase_create("calibration");
  tcase_add_test(tcase, test_rates_of_a_known_distribution);
  tcase_add_test(tcase, test_rate_decreases_and_threshold_inverts_it);
  tcase_add_test(tcase, test_bad_input_is_rejected);
  tcase_add_test(tcase, test_builtin_curve);
  suite_add_tcase(suite, tcase);
  return bm_test_run_suite(suite);
}
