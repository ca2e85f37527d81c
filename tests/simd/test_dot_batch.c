/* Batch dot products: on every tier, each score of a batch is bit-for-bit
 * the score of a single-query scan on that tier (so deduplication and 1:N
 * searches agree exactly), for query and row counts around the 4 x 4 tile,
 * odd dimensions and pointers off vector alignment; and the public batch
 * calls check their arguments. Seed: BM_TEST_SEED, default fixed. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/bm_kernels.h"
#include "simd/kernels_internal.h"
#include "test_support.h"

static uint64_t rng_state = 0xBA7C4ULL;

static uint64_t random_u64(void) { return bm_test_random_u64(&rng_state); }
static float random_float(void) { return bm_test_random_float(&rng_state); }

static const bm_isa tiers[] = {BM_ISA_SCALAR, BM_ISA_AVX2, BM_ISA_AVX512, BM_ISA_NEON};
static const size_t query_counts[] = {1, 2, 3, 4, 5, 7, 8, 9};
static const size_t row_counts[] = {1, 3, 4, 5, 8, 13, 37};
static const size_t dimensions[] = {1, 15, 16, 17, 64, 65, 127, 512, 515};
enum { MAX_Q = 9, MAX_R = 37, MAX_D = 515, OFFSET = 1 /* element: breaks vector alignment */ };

/* Buffers sized for the largest case, with room for the offset. */
static float queries_f[MAX_Q * MAX_D + OFFSET], rows_f[MAX_R * MAX_D + OFFSET];
static uint16_t rows_h[MAX_R * MAX_D + OFFSET];
static int8_t queries_b[MAX_Q * MAX_D + OFFSET], rows_b[MAX_R * MAX_D + OFFSET];

static void fill_random(void) {
  for (size_t i = 0; i < sizeof queries_f / sizeof *queries_f; ++i) queries_f[i] = random_float();
  for (size_t i = 0; i < sizeof rows_f / sizeof *rows_f; ++i) rows_f[i] = random_float();
  bm_f32_to_f16(rows_f, rows_h, sizeof rows_h / sizeof *rows_h);
  for (size_t i = 0; i < sizeof queries_b; ++i) queries_b[i] = (int8_t)random_u64();
  for (size_t i = 0; i < sizeof rows_b; ++i) rows_b[i] = (int8_t)random_u64();
}

START_TEST(test_batch_equals_scans_on_every_tier) {
  fill_random();
  float batch_f[MAX_Q * (MAX_R + 2)], single_f[MAX_R];
  int32_t batch_i[MAX_Q * (MAX_R + 2)], single_i[MAX_R];
  size_t batch_tiers = 0;
  for (size_t t = 0; t < sizeof tiers / sizeof *tiers; ++t) {
    const bm_kernel_table_ *k = bm_kernels_for_isa_(tiers[t]);
    if (!k) continue;
    batch_tiers += k->dot_f32_batch != NULL;
    for (size_t qi = 0; qi < sizeof query_counts / sizeof *query_counts; ++qi)
      for (size_t ri = 0; ri < sizeof row_counts / sizeof *row_counts; ++ri)
        for (size_t di = 0; di < sizeof dimensions / sizeof *dimensions; ++di) {
          const size_t nq = query_counts[qi], nr = row_counts[ri], d = dimensions[di], stride = nr + 2;
          const float *qf = queries_f + OFFSET, *rf = rows_f + OFFSET;
          const uint16_t *rh = rows_h + OFFSET;
          const int8_t *qb = queries_b + OFFSET, *rb = rows_b + OFFSET;
          /* Tiers without a blocked kernel go through the public fallback. */
          if (k->dot_f32_batch) {
            k->dot_f32_batch(qf, nq, d, rf, d, d, nr, batch_f, stride);
            for (size_t q = 0; q < nq; ++q) {
              k->dot_f32_scan(qf + q * d, rf, d, d, nr, single_f);
              ck_assert_msg(memcmp(single_f, batch_f + q * stride, nr * sizeof *single_f) == 0,
                            "%s f32 q=%zu/%zu rows=%zu d=%zu", bm_isa_name(tiers[t]), q, nq, nr, d);
            }
            k->dot_f16_batch(qf, nq, d, rh, d, d, nr, batch_f, stride);
            for (size_t q = 0; q < nq; ++q) {
              k->dot_f16_scan(qf + q * d, rh, d, d, nr, single_f);
              ck_assert_msg(memcmp(single_f, batch_f + q * stride, nr * sizeof *single_f) == 0,
                            "%s f16 q=%zu/%zu rows=%zu d=%zu", bm_isa_name(tiers[t]), q, nq, nr, d);
            }
            k->dot_i8_batch(qb, nq, d, rb, d, d, nr, batch_i, stride);
            for (size_t q = 0; q < nq; ++q) {
              k->dot_i8_scan(qb + q * d, rb, d, d, nr, single_i);
              ck_assert_msg(memcmp(single_i, batch_i + q * stride, nr * sizeof *single_i) == 0,
                            "%s i8 q=%zu/%zu rows=%zu d=%zu", bm_isa_name(tiers[t]), q, nq, nr, d);
            }
          }
          ck_assert_int_eq(bm_force_isa(tiers[t]), BM_OK);
          ck_assert_int_eq(bm_dot_f32_scan_batch(qf, nq, d, rf, d, d, nr, batch_f, stride), BM_OK);
          for (size_t q = 0; q < nq; ++q) {
            ck_assert_int_eq(bm_dot_f32_scan(qf + q * d, rf, d, d, nr, single_f), BM_OK);
            ck_assert(memcmp(single_f, batch_f + q * stride, nr * sizeof *single_f) == 0);
          }
          ck_assert_int_eq(bm_dot_f16_scan_batch(qf, nq, d, rh, d, d, nr, batch_f, stride), BM_OK);
          for (size_t q = 0; q < nq; ++q) {
            ck_assert_int_eq(bm_dot_f16_scan(qf + q * d, rh, d, d, nr, single_f), BM_OK);
            ck_assert(memcmp(single_f, batch_f + q * stride, nr * sizeof *single_f) == 0);
          }
          ck_assert_int_eq(bm_dot_i8_scan_batch(qb, nq, d, rb, d, d, nr, batch_i, stride), BM_OK);
          for (size_t q = 0; q < nq; ++q) {
            ck_assert_int_eq(bm_dot_i8_scan(qb + q * d, rb, d, d, nr, single_i), BM_OK);
            ck_assert(memcmp(single_i, batch_i + q * stride, nr * sizeof *single_i) == 0);
          }
        }
  }
#if defined(__x86_64__)
  if (bm_isa_is_supported(BM_ISA_AVX512)) ck_assert_uint_ge(batch_tiers, 1); /* the blocked kernel really ran */
#endif
  ck_assert_int_eq(bm_force_isa(bm_best_isa()), BM_OK);
}
END_TEST

START_TEST(test_batch_rejects_bad_arguments) {
  float q[32] = {0}, r[32] = {0}, s[8];
  int8_t qb[32] = {0}, rb[32] = {0};
  int32_t si[8];
  ck_assert_int_eq(bm_dot_f32_scan_batch(q, 2, 16, r, 16, 16, 2, NULL, 2), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_dot_f32_scan_batch(q, 2, 16, r, 16, 16, 2, s, 1), BM_ERR_INVALID_ARGUMENT); /* rows overlap */
  ck_assert_int_eq(bm_dot_f32_scan_batch(q, 2, 8, r, 16, 16, 2, s, 2), BM_ERR_INVALID_ARGUMENT);  /* queries overlap */
  ck_assert_int_eq(bm_dot_f32_scan_batch(NULL, 2, 16, r, 16, 16, 2, s, 2), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_dot_i8_scan_batch(qb, 1, 0, rb, (size_t)BM_DOT_I8_MAX_DIMENSION + 1, 0, 1, si, 1),
                   BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_dot_f16_scan_batch(q, 0, 16, NULL, 16, 16, 2, s, 2), BM_OK); /* nothing to do */
}
END_TEST

int main(void) {
  Suite *suite = suite_create("dot_batch");
  TCase *tcase = tcase_create("batch");
  tcase_set_timeout(tcase, 120);
  tcase_add_test(tcase, test_batch_equals_scans_on_every_tier);
  tcase_add_test(tcase, test_batch_rejects_bad_arguments);
  suite_add_tcase(suite, tcase);
  return bm_test_run_suite(suite);
}
