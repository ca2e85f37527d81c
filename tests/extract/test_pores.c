/* Pore filling (core/src/extract/pores.c): enclosed valley holes up to the
 * area of a large sweat pore become ridge; larger holes, holes open to the
 * image edge and long valleys stay. */
#include <stdlib.h>
#include <string.h>

#include "biomatch/biomatch.h"
#include "extract/extract_internal.h"
#include "test_support.h"

enum { W = 48, H = 32 };

static void clear_rect(uint8_t *image, int x0, int y0, int x1, int y1) {
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) image[y * W + x] = 0;
}

static int count_valley(const uint8_t *image, int x0, int y0, int x1, int y1) {
  int n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) n += !image[y * W + x];
  return n;
}

START_TEST(pores_filled_valleys_kept) {
  uint8_t image[W * H];
  memset(image, 1, sizeof image);
  clear_rect(image, 4, 4, 8, 8);     /* 16 px pore */
  clear_rect(image, 12, 4, 16, 9);   /* 20 px: larger than a pore */
  clear_rect(image, 0, 12, 3, 15);   /* 9 px, open to the left edge */
  clear_rect(image, 20, 4, 40, 6);   /* a valley 20 px long */
  image[20 * W + 10] = 0;            /* two one-pixel pores touching by a corner */
  image[21 * W + 11] = 0;
  ck_assert_int_eq(bm_fill_pores_(image, W, H), BM_OK);
  ck_assert_int_eq(count_valley(image, 4, 4, 8, 8), 0);
  ck_assert_int_eq(count_valley(image, 12, 4, 16, 9), 20);
  ck_assert_int_eq(count_valley(image, 0, 12, 3, 15), 9);
  ck_assert_int_eq(count_valley(image, 20, 4, 40, 6), 40);
  ck_assert_int_eq(count_valley(image, 10, 20, 12, 22), 0);
}
END_TEST

START_TEST(blank_and_full_images) {
  uint8_t image[W * H];
  memset(image, 0, sizeof image);
  ck_assert_int_eq(bm_fill_pores_(image, W, H), BM_OK);
  ck_assert_int_eq(count_valley(image, 0, 0, W, H), W * H);
  memset(image, 1, sizeof image);
  ck_assert_int_eq(bm_fill_pores_(image, W, H), BM_OK);
  ck_assert_int_eq(count_valley(image, 0, 0, W, H), 0);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("pores");
  TCase *tc = tcase_create("pores");
  tcase_add_test(tc, pores_filled_valleys_kept);
  tcase_add_test(tc, blank_and_full_images);
  suite_add_tcase(suite, tc);
  return bm_test_run_suite(suite);
}
