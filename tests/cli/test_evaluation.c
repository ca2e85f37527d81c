/* tools/evaluation: error rates against a brute-force reference on random
 * score lists, DET pictures, FVC file naming on good and malformed names. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "det_plot.h"
#include "error_rates.h"
#include "fvc_naming.h"

/* Reference: every threshold tried from scratch, counting by linear scans. */
static void reference_rates(const float *g, size_t gn, const float *im, size_t in, error_rates *out) {
  double best_gap = 2, eer = 1, f2 = 1, f3 = 1, f0 = 1;
  double highest = im[0];
  for (size_t i = 0; i < in; ++i) highest = im[i] > highest ? im[i] : highest;
  for (size_t c = 0; c <= gn + in; ++c) {
    const double t = c < gn ? g[c] : c < gn + in ? im[c - gn] : nextafter(highest, 2.0);
    size_t accepted_impostors = 0, rejected_genuine = 0;
    for (size_t i = 0; i < in; ++i) accepted_impostors += im[i] >= t;
    for (size_t i = 0; i < gn; ++i) rejected_genuine += g[i] < t;
    const double fmr = (double)accepted_impostors / in, fnmr = (double)rejected_genuine / gn;
    const double gap = fabs(fmr - fnmr);
    if (gap < best_gap || (gap == best_gap && (fmr + fnmr) / 2 < eer)) {
      best_gap = gap;
      eer = (fmr + fnmr) / 2;
    }
    if (fmr <= 1e-2 && fnmr < f2) f2 = fnmr;
    if (fmr <= 1e-3 && fnmr < f3) f3 = fnmr;
    if (fmr == 0 && fnmr < f0) f0 = fnmr;
  }
  out->eer = eer;
  out->fnmr_at_fmr_1e2 = f2;
  out->fnmr_at_fmr_1e3 = f3;
  out->fnmr_at_zero_fmr = f0;
}

START_TEST(rates_match_the_reference_on_random_lists) {
  srand(7);
  for (int round = 0; round < 60; ++round) {
    const size_t gn = 1 + (size_t)(rand() % 150), in = 1 + (size_t)(rand() % 1500);
    float *g = malloc(gn * sizeof *g), *im = malloc(in * sizeof *im);
    /* Coarse scores so that ties between and within lists happen. */
    for (size_t i = 0; i < gn; ++i) g[i] = (float)(rand() % 60) / 50.0f;
    for (size_t i = 0; i < in; ++i) im[i] = (float)(rand() % 30) / 50.0f;
    error_rates got, want;
    ck_assert_int_eq(compute_error_rates(g, gn, im, in, &got), 1);
    reference_rates(g, gn, im, in, &want);
    ck_assert_double_eq_tol(got.eer, want.eer, 1e-12);
    ck_assert_double_eq_tol(got.fnmr_at_fmr_1e2, want.fnmr_at_fmr_1e2, 1e-12);
    ck_assert_double_eq_tol(got.fnmr_at_fmr_1e3, want.fnmr_at_fmr_1e3, 1e-12);
    ck_assert_double_eq_tol(got.fnmr_at_zero_fmr, want.fnmr_at_zero_fmr, 1e-12);
    free(g);
    free(im);
  }
}
END_TEST

START_TEST(separated_and_identical_lists) {
  const float genuine[] = {0.9f, 0.8f, 0.7f}, impostor[] = {0.1f, 0.2f, 0.3f, 0.4f};
  error_rates r;
  ck_assert_int_eq(compute_error_rates(genuine, 3, impostor, 4, &r), 1);
  ck_assert_double_eq(r.eer, 0);
  ck_assert_double_eq(r.fnmr_at_zero_fmr, 0);
  ck_assert_double_eq_tol(r.genuine_mean, 0.8, 1e-6);
  /* Same scores on both sides: no threshold separates them, EER 50%. */
  const float same[] = {0.5f, 0.5f};
  ck_assert_int_eq(compute_error_rates(same, 2, same, 2, &r), 1);
  ck_assert_double_eq(r.eer, 0.5);
  ck_assert_double_eq(r.fnmr_at_zero_fmr, 1);
  ck_assert_int_eq(compute_error_rates(genuine, 0, impostor, 4, &r), 0);
}
END_TEST

START_TEST(det_picture_is_written) {
  char path[] = "/tmp/bm_det_XXXXXX";
  const int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  const float genuine[] = {0.9f, 0.3f, 0.7f}, impostor[] = {0.1f, 0.2f, 0.35f, 0.4f, 0.0f};
  ck_assert_int_eq(write_det_png(path, genuine, 3, impostor, 5), 1);
  FILE *file = fopen(path, "rb");
  unsigned char magic[8] = {0};
  ck_assert_uint_eq(fread(magic, 1, 8, file), 8);
  fclose(file);
  ck_assert_int_eq(memcmp(magic, "\x89PNG\r\n\x1a\n", 8), 0);
  unlink(path);
  ck_assert_int_eq(write_det_png("/nonexistent-folder/det.png", genuine, 3, impostor, 5), 0);
}
END_TEST

START_TEST(fvc_names) {
  long finger = 0, impression = 0;
  ck_assert_int_eq(fvc_parse_name("101_1.iso", &finger, &impression), FVC_TEMPLATE);
  ck_assert_int_eq(finger, 101);
  ck_assert_int_eq(impression, 1);
  ck_assert_int_eq(fvc_parse_name("7_12.PNG", &finger, &impression), FVC_IMAGE);
  ck_assert_int_eq(impression, 12);
  const char *bad[] = {"101_1.tif", "101-1.iso", "_1.iso", "101_.iso", "101_1", "x101_1.iso", "101_1.iso.bak", ""};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) ck_assert_int_eq(fvc_parse_name(bad[i], &finger, &impression), 0);
}
END_TEST

START_TEST(folder_listing_sorts_and_prefers_templates) {
  char dir[] = "/tmp/bm_fvc_XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  const char *names[] = {"102_1.png", "101_2.iso", "101_1.png", "101_1.iso", "README", "101_10.iso"};
  char path[256];
  for (size_t i = 0; i < sizeof names / sizeof *names; ++i) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    fclose(fopen(path, "w"));
  }
  fvc_sample *samples;
  size_t count;
  ck_assert_int_eq(fvc_list_folder(dir, FVC_TEMPLATE | FVC_IMAGE, &samples, &count), 1);
  ck_assert_uint_eq(count, 4);
  ck_assert(samples[0].finger == 101 && samples[0].impression == 1 && samples[0].kind == FVC_TEMPLATE);
  ck_assert(samples[1].impression == 2 && samples[2].impression == 10);
  ck_assert(samples[3].finger == 102 && samples[3].kind == FVC_IMAGE);
  fvc_free_samples(samples, count);
  ck_assert_int_eq(fvc_list_folder(dir, FVC_IMAGE, &samples, &count), 1);
  ck_assert_uint_eq(count, 2);
  fvc_free_samples(samples, count);
  for (size_t i = 0; i < sizeof names / sizeof *names; ++i) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    unlink(path);
  }
  rmdir(dir);
  ck_assert_int_eq(fvc_list_folder("/nonexistent-folder", FVC_TEMPLATE, &samples, &count), 0);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("evaluation");
  TCase *tc = tcase_create("evaluation");
  tcase_add_test(tc, rates_match_the_reference_on_random_lists);
  tcase_add_test(tc, separated_and_identical_lists);
  tcase_add_test(tc, det_picture_is_written);
  tcase_add_test(tc, fvc_names);
  tcase_add_test(tc, folder_listing_sorts_and_prefers_templates);
  suite_add_tcase(suite, tc);
  SRunner *runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  const int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed ? 1 : 0;
}
