/* Every compiled-in, CPU-supported tier against the scalar reference:
 * random data, lengths 0..N with odd tails, pointers offset from vector
 * alignment, integer results bit-exact, float results within the bound the
 * header states. Seed: BM_TEST_SEED (printed), default fixed. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/bm_kernels.h"
#include "simd/kernels_internal.h"
#include "test_support.h"

static uint64_t rng_state;

static uint64_t random_u64(void) { return bm_test_random_u64(&rng_state); }
static float random_float(void) { return bm_test_random_float(&rng_state); }

static void seed_from_environment(void) {
  const char *seed = getenv("BM_TEST_SEED");
  rng_state = seed ? strtoull(seed, NULL, 0) : 0x5EEDULL;
  if (rng_state == 0) rng_state = 1;
  printf("BM_TEST_SEED=%llu\n", (unsigned long long)rng_state);
}

static const bm_isa simd_tiers[] = {BM_ISA_AVX2, BM_ISA_AVX512, BM_ISA_NEON};
enum { TIER_COUNT = sizeof simd_tiers / sizeof simd_tiers[0] };

START_TEST(test_hamming_matches_scalar) {
  const bm_kernel_table_ *ref = bm_kernels_for_isa_(BM_ISA_SCALAR);
  enum { MAX_WORDS = 40, MAX_ROWS = 19, PAD = 3 }; /* up to 19 rows: blocks of 8 and remainders */
  uint64_t *buffer = malloc(sizeof(uint64_t) * (MAX_ROWS * (2 * MAX_WORDS + PAD) + 3 * MAX_WORDS + 16));
  for (int t = 0; t < TIER_COUNT; ++t) {
    const bm_kernel_table_ *tier = bm_kernels_for_isa_(simd_tiers[t]);
    if (!tier) continue;
    for (size_t words = 0; words <= MAX_WORDS; ++words)
      for (size_t offset = 0; offset < 4; ++offset) { /* 0..3 words: 0, 8, 16, 24 bytes off a 32-byte boundary */
        const size_t stride = 2 * words + offset % 3, rows = 1 + (words + offset) % MAX_ROWS;
        uint64_t *probe = buffer + offset, *mask = probe + words, *row_data = mask + words;
        for (size_t i = 0; i < 2 * words + rows * stride; ++i) probe[i] = random_u64();
        uint32_t got[MAX_ROWS], want[MAX_ROWS];
        tier->hamming_scan(probe, row_data, words, stride, rows, got);
        ref->hamming_scan(probe, row_data, words, stride, rows, want);
        ck_assert_msg(!memcmp(got, want, rows * sizeof got[0]), "%s hamming words=%zu", bm_isa_name(tier->isa), words);
        bm_masked_counts got_counts[MAX_ROWS], want_counts[MAX_ROWS];
        tier->hamming_masked_scan(probe, mask, row_data, words, stride, rows, got_counts);
        ref->hamming_masked_scan(probe, mask, row_data, words, stride, rows, want_counts);
        ck_assert_msg(!memcmp(got_counts, want_counts, rows * sizeof got_counts[0]), "%s masked words=%zu",
                      bm_isa_name(tier->isa), words);
      }
  }
  free(buffer);
}
END_TEST

static const size_t dimensions[] = {0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 127, 128, 129, 200, 255,
                                    256, 257, 511, 512, 513, 1000, 2048};
enum { DIMENSION_COUNT = sizeof dimensions / sizeof dimensions[0], DOT_ROWS = 4 };

/* The header's bound: |result - exact| <= dimension * 2^-22 * sum |q_i * g_i|. */
static void assert_within_bound(const float *got, const double *exact, const double *magnitude, size_t dimension,
                                const char *what) {
  for (size_t r = 0; r < DOT_ROWS; ++r) {
    double bound = (double)dimension * 0x1p-22 * magnitude[r] + 1e-30;
    ck_assert_msg(fabs((double)got[r] - exact[r]) <= bound, "%s dim=%zu row=%zu got %.9g exact %.9g", what,
                  dimension, r, (double)got[r], exact[r]);
  }
}

START_TEST(test_float_dots_within_bound) {
  const size_t capacity = 2048 + 16;
  float *query_buffer = malloc(sizeof(float) * capacity), *rows_buffer = malloc(sizeof(float) * DOT_ROWS * capacity);
  uint16_t *halves_buffer = malloc(sizeof(uint16_t) * DOT_ROWS * capacity);
  for (int t = -1; t < TIER_COUNT; ++t) {
    const bm_kernel_table_ *tier = bm_kernels_for_isa_(t < 0 ? BM_ISA_SCALAR : simd_tiers[t]);
    if (!tier) continue;
    for (size_t d = 0; d < DIMENSION_COUNT; ++d) {
      const size_t dimension = dimensions[d], offset = 1 + d % 3, stride = dimension + d % 2;
      float *query = query_buffer + offset, *rows = rows_buffer + offset;
      uint16_t *halves = halves_buffer + offset;
      for (size_t i = 0; i < dimension; ++i) query[i] = random_float();
      for (size_t i = 0; i < DOT_ROWS * stride; ++i) {
        halves[i] = bm_f32_to_f16_scalar_(random_float());
        rows[i] = random_float();
      }
      double exact[DOT_ROWS], magnitude[DOT_ROWS], exact_half[DOT_ROWS], magnitude_half[DOT_ROWS];
      for (size_t r = 0; r < DOT_ROWS; ++r) {
        exact[r] = magnitude[r] = exact_half[r] = magnitude_half[r] = 0;
        for (size_t i = 0; i < dimension; ++i) {
          double product = (double)query[i] * rows[r * stride + i];
          double product_half = (double)query[i] * bm_f16_to_f32_scalar_(halves[r * stride + i]);
          exact[r] += product, magnitude[r] += fabs(product);
          exact_half[r] += product_half, magnitude_half[r] += fabs(product_half);
        }
      }
      float got[DOT_ROWS];
      tier->dot_f32_scan(query, rows, dimension, stride, DOT_ROWS, got);
      assert_within_bound(got, exact, magnitude, dimension, bm_isa_name(tier->isa));
      tier->dot_f16_scan(query, halves, dimension, stride, DOT_ROWS, got);
      assert_within_bound(got, exact_half, magnitude_half, dimension, bm_isa_name(tier->isa));
    }
  }
  free(query_buffer);
  free(rows_buffer);
  free(halves_buffer);
}
END_TEST

START_TEST(test_int8_dot_is_exact) {
  const bm_kernel_table_ *ref = bm_kernels_for_isa_(BM_ISA_SCALAR);
  const size_t capacity = 2048 + 64;
  int8_t *query_buffer = malloc(capacity), *rows_buffer = malloc(DOT_ROWS * capacity);
  for (int t = 0; t < TIER_COUNT; ++t) {
    const bm_kernel_table_ *tier = bm_kernels_for_isa_(simd_tiers[t]);
    if (!tier) continue;
    for (size_t d = 0; d < DIMENSION_COUNT; ++d)
      for (int extremes = 0; extremes < 2; ++extremes) {
        const size_t dimension = dimensions[d], offset = 1 + d % 7, stride = dimension + d % 3;
        int8_t *query = query_buffer + offset, *rows = rows_buffer + offset;
        for (size_t i = 0; i < dimension; ++i) query[i] = extremes ? -128 : (int8_t)random_u64();
        for (size_t i = 0; i < DOT_ROWS * stride; ++i) rows[i] = extremes ? (i % 2 ? -128 : 127) : (int8_t)random_u64();
        int32_t got[DOT_ROWS], want[DOT_ROWS];
        tier->dot_i8_scan(query, rows, dimension, stride, DOT_ROWS, got);
        ref->dot_i8_scan(query, rows, dimension, stride, DOT_ROWS, want);
        ck_assert_msg(!memcmp(got, want, sizeof got), "%s i8 dim=%zu", bm_isa_name(tier->isa), dimension);
      }
  }
  free(query_buffer);
  free(rows_buffer);
}
END_TEST

/* At the longest accepted dimension every tier must still be exact, including
 * where an intermediate sum (the AVX-512 unsigned-operand trick adds
 * 128 * sum(q)) passes 2^31 before the final result comes back in range. */
START_TEST(test_int8_dot_at_the_dimension_limit) {
  const size_t dimension = BM_DOT_I8_MAX_DIMENSION;
  int8_t *query = malloc(dimension + 1), *rows = malloc(3 * dimension + 1);
  const struct {
    int8_t query, row;
  } fills[] = {{-128, -128}, {127, 127}, {-128, 127}, {127, -128}};
  const bm_isa tiers[] = {BM_ISA_SCALAR, BM_ISA_AVX2, BM_ISA_AVX512, BM_ISA_NEON};
  for (size_t f = 0; f < sizeof fills / sizeof fills[0]; ++f) {
    memset(query + 1, fills[f].query, dimension);
    memset(rows + 1, fills[f].row, 3 * dimension);
    rows[1 + dimension + 5] = 0; /* the middle row differs from its neighbours */
    const int64_t product = (int64_t)fills[f].query * fills[f].row, full = (int64_t)dimension * product;
    const int64_t want[3] = {full, full - product, full};
    for (size_t t = 0; t < sizeof tiers / sizeof tiers[0]; ++t) {
      const bm_kernel_table_ *tier = bm_kernels_for_isa_(tiers[t]);
      if (!tier) continue;
      int32_t got[3];
      tier->dot_i8_scan(query + 1, rows + 1, dimension, dimension, 3, got);
      for (size_t r = 0; r < 3; ++r)
        ck_assert_msg(got[r] == want[r], "%s i8 fill %zu row %zu: got %d want %lld", bm_isa_name(tiers[t]), f, r,
                      got[r], (long long)want[r]);
    }
  }
  int32_t through_public[3];
  ck_assert_int_eq(bm_dot_i8_scan(query + 1, rows + 1, dimension, dimension, 3, through_public), BM_OK);
  free(query);
  free(rows);
}
END_TEST

START_TEST(test_select_matches_scalar) {
  const bm_kernel_table_ *ref = bm_kernels_for_isa_(BM_ISA_SCALAR);
  enum { CAPACITY = 300 };
  float scores[CAPACITY + 1];
  uint32_t got[CAPACITY], want[CAPACITY];
  for (int t = 0; t < TIER_COUNT; ++t) {
    const bm_kernel_table_ *tier = bm_kernels_for_isa_(simd_tiers[t]);
    if (!tier) continue;
    for (size_t count = 0; count < CAPACITY; count += 1 + count / 8) {
      float *values = scores + count % 2;
      for (size_t i = 0; i < count; ++i) values[i] = (float)(random_u64() % 20);
      if (count > 3) values[count / 2] = NAN, values[1] = -INFINITY;
      const float thresholds[] = {-INFINITY, 0.0f, 10.0f, 19.0f, 25.0f, NAN};
      for (size_t k = 0; k < sizeof thresholds / sizeof thresholds[0]; ++k) {
        size_t got_count = tier->select_at_least(values, count, thresholds[k], got);
        size_t want_count = ref->select_at_least(values, count, thresholds[k], want);
        ck_assert_uint_eq(got_count, want_count);
        ck_assert(!memcmp(got, want, got_count * sizeof got[0]));
      }
    }
  }
}
END_TEST

static int ranks_before(const bm_scored_id *a, const bm_scored_id *b) {
  return a->score > b->score || (a->score == b->score && a->id < b->id);
}

static int compare_reference(const void *a, const void *b) {
  return ranks_before(a, b) ? -1 : ranks_before(b, a) ? 1 : 0;
}

START_TEST(test_top_k_order_ties_nan_on_every_tier) {
  enum { COUNT = 5000 };
  float *scores = malloc(sizeof(float) * COUNT);
  bm_scored_id *all = malloc(sizeof(bm_scored_id) * COUNT), *best = malloc(sizeof(bm_scored_id) * COUNT);
  const bm_isa tiers[] = {BM_ISA_SCALAR, BM_ISA_AVX2, BM_ISA_AVX512, BM_ISA_NEON};
  for (size_t t = 0; t < 4; ++t) {
    if (!bm_isa_is_supported(tiers[t])) continue;
    ck_assert_int_eq(bm_force_isa(tiers[t]), BM_OK);
    for (int trial = 0; trial < 20; ++trial) {
      size_t valid = 0;
      for (size_t i = 0; i < COUNT; ++i) {
        scores[i] = (float)(random_u64() % 50); /* many ties */
        if (random_u64() % 97 == 0) scores[i] = NAN;
        if (!isnan(scores[i])) all[valid++] = (bm_scored_id){scores[i], 0, 1000 + i};
      }
      qsort(all, valid, sizeof *all, compare_reference);
      const size_t ks[] = {1, 7, 100, COUNT};
      for (size_t k = 0; k < 4; ++k) {
        size_t written = 0;
        ck_assert_int_eq(bm_top_k(scores, COUNT, 1000, ks[k], best, &written), BM_OK);
        ck_assert_uint_eq(written, ks[k] < valid ? ks[k] : valid);
        for (size_t i = 0; i < written; ++i) {
          ck_assert_uint_eq(best[i].id, all[i].id);
          ck_assert(best[i].score == all[i].score);
        }
      }
    }
  }
  ck_assert_int_eq(bm_force_isa(bm_best_isa()), BM_OK);
  free(scores);
  free(all);
  free(best);
}
END_TEST

START_TEST(test_top_k_merge_equals_whole) {
  enum { COUNT = 3000, SHARDS = 7, K = 50 };
  float scores[COUNT];
  for (size_t i = 0; i < COUNT; ++i) scores[i] = (float)(random_u64() % 300) / 7.0f;
  bm_scored_id whole[K], shard_best[SHARDS][K], merged[K];
  const bm_scored_id *lists[SHARDS];
  size_t counts[SHARDS], whole_count = 0, merged_count = 0, start = 0;
  ck_assert_int_eq(bm_top_k(scores, COUNT, 0, K, whole, &whole_count), BM_OK);
  for (size_t s = 0; s < SHARDS; ++s) {
    size_t end = s + 1 == SHARDS ? COUNT : start + (size_t)(random_u64() % (COUNT / SHARDS + 1));
    ck_assert_int_eq(bm_top_k(scores + start, end - start, start, K, shard_best[s], &counts[s]), BM_OK);
    lists[s] = shard_best[s];
    start = end;
  }
  ck_assert_int_eq(bm_top_k_merge(lists, counts, SHARDS, K, merged, &merged_count), BM_OK);
  ck_assert_uint_eq(merged_count, whole_count);
  for (size_t i = 0; i < K; ++i) ck_assert_uint_eq(merged[i].id, whole[i].id);
}
END_TEST

START_TEST(test_half_float_conversion) {
  /* Every finite half survives half -> float -> half; NaN stays NaN. */
  for (uint32_t bits = 0; bits < 65536; ++bits) {
    float value = bm_f16_to_f32_scalar_((uint16_t)bits);
    if (isnan(value)) {
      ck_assert((bits & 0x7c00u) == 0x7c00u && (bits & 0x3ffu));
      ck_assert(isnan(bm_f16_to_f32_scalar_(bm_f32_to_f16_scalar_(value))));
      continue;
    }
    ck_assert_uint_eq(bm_f32_to_f16_scalar_(value), bits);
  }
  ck_assert_uint_eq(bm_f32_to_f16_scalar_(1.0f), 0x3c00);
  ck_assert_uint_eq(bm_f32_to_f16_scalar_(65504.0f), 0x7bff);
  ck_assert_uint_eq(bm_f32_to_f16_scalar_(65520.0f), 0x7c00); /* rounds up to infinity */
  ck_assert_uint_eq(bm_f32_to_f16_scalar_(65519.0f), 0x7bff);
  ck_assert_uint_eq(bm_f32_to_f16_scalar_(0x1p-24f), 0x0001);
  ck_assert_uint_eq(bm_f32_to_f16_scalar_(0x1p-25f), 0x0000);          /* tie to even (0) */
  ck_assert_uint_eq(bm_f32_to_f16_scalar_(0x1.8p-24f), 0x0002);        /* tie to even (2) */
  ck_assert_uint_eq(bm_f32_to_f16_scalar_(1.0f + 0x1p-11f), 0x3c00);   /* tie to even */
  ck_assert_uint_eq(bm_f32_to_f16_scalar_(1.0f + 0x3p-11f), 0x3c02);   /* tie to even, upwards */
  ck_assert_uint_eq(bm_f32_to_f16_scalar_(-2.0f), 0xc000);
  ck_assert_uint_eq(bm_f32_to_f16_scalar_(INFINITY), 0x7c00);
  ck_assert_uint_eq(bm_f32_to_f16_scalar_(1e-10f), 0x0000);
  float in[3] = {0.5f, -0.25f, 3.0f}, out[3];
  uint16_t halves[3];
  bm_f32_to_f16(in, halves, 3);
  bm_f16_to_f32(halves, out, 3);
  ck_assert(!memcmp(in, out, sizeof in));
}
END_TEST

START_TEST(test_forcing_activates_the_tier) {
  const bm_isa all[] = {BM_ISA_SCALAR, BM_ISA_AVX2, BM_ISA_AVX512, BM_ISA_NEON};
  ck_assert(bm_isa_is_supported(BM_ISA_SCALAR));
  for (size_t i = 0; i < 4; ++i) {
    if (bm_isa_is_supported(all[i])) {
      ck_assert_int_eq(bm_force_isa(all[i]), BM_OK);
      ck_assert_int_eq(bm_active_isa(), all[i]);
    } else {
      bm_isa before = bm_active_isa();
      ck_assert_int_eq(bm_force_isa(all[i]), BM_ERR_UNSUPPORTED);
      ck_assert_int_eq(bm_active_isa(), before);
    }
  }
  ck_assert_int_eq(bm_force_isa((bm_isa)42), BM_ERR_UNSUPPORTED);
  bm_isa parsed;
  ck_assert_int_eq(bm_isa_from_name("avx512", &parsed), BM_OK);
  ck_assert_int_eq(parsed, BM_ISA_AVX512);
  ck_assert_int_eq(bm_isa_from_name("sse9", &parsed), BM_ERR_INVALID_ARGUMENT);
  ck_assert_str_eq(bm_isa_name((bm_isa)42), "unknown");
#if defined(__aarch64__)
  ck_assert_int_eq(bm_best_isa(), BM_ISA_NEON); /* the NEON paths really run under qemu */
#endif
#if defined(__x86_64__)
  ck_assert(bm_best_isa() != BM_ISA_NEON);
#endif
  ck_assert_int_eq(bm_force_isa(bm_best_isa()), BM_OK);
  ck_assert_int_eq(bm_kernels_self_check(), BM_OK);
}
END_TEST

START_TEST(test_public_calls_reject_bad_arguments) {
  uint32_t distances[2];
  uint64_t words[4] = {1, 2, 3, 4};
  float scores[2], query[4] = {0};
  ck_assert_int_eq(bm_hamming_scan(NULL, words, 2, 2, 1, distances), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_hamming_scan(words, words, 2, 1, 2, distances), BM_ERR_INVALID_ARGUMENT); /* stride < words */
  ck_assert_int_eq(bm_hamming_scan(words, words, 2, 2, 0, NULL), BM_OK);                        /* nothing to do */
  ck_assert_int_eq(bm_hamming_scan(words, words + 2, 2, 2, 1, distances), BM_OK);
  ck_assert_uint_eq(distances[0], (uint32_t)(__builtin_popcountll(1 ^ 3) + __builtin_popcountll(2 ^ 4)));
  ck_assert_int_eq(bm_hamming_masked_scan(words, words, words, 2, 3, 2, NULL), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_dot_f32_scan(query, NULL, 4, 4, 1, scores), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_dot_f16_scan(query, NULL, 4, 4, 1, scores), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_dot_i8_scan(NULL, NULL, 4, 4, 1, NULL), BM_ERR_INVALID_ARGUMENT);
  int8_t tiny[1] = {0};
  int32_t dot;
  ck_assert_int_eq(bm_dot_i8_scan(tiny, tiny, 200000, 200000, 1, &dot), BM_ERR_INVALID_ARGUMENT);
  /* 131072 * (-128) * (-128) = 2^31 would not fit in the int32 result. */
  ck_assert_int_eq(bm_dot_i8_scan(tiny, tiny, BM_DOT_I8_MAX_DIMENSION + 1, BM_DOT_I8_MAX_DIMENSION + 1, 1, &dot),
                   BM_ERR_INVALID_ARGUMENT);
  size_t written = 99;
  ck_assert_int_eq(bm_top_k(scores, 2, 0, 1, NULL, &written), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_top_k(scores, 2, 0, 0, NULL, &written), BM_OK);
  ck_assert_uint_eq(written, 0);
  ck_assert_int_eq(bm_top_k(scores, 2, 0, 1, NULL, NULL), BM_ERR_INVALID_ARGUMENT);
}
END_TEST

int main(int argc, char **argv) {
  /* `test_kernels --expect-isa NAME`: checks what BM_FORCE_ISA selected. */
  /* `--expect-isa best`: an unknown BM_FORCE_ISA must leave the best tier in force. */
  if (argc == 3 && strcmp(argv[1], "--expect-isa") == 0) {
    printf("BM_FORCE_ISA=%s active=%s\n", getenv("BM_FORCE_ISA") ? getenv("BM_FORCE_ISA") : "",
           bm_isa_name(bm_active_isa()));
    bm_isa expected = bm_best_isa();
    if (strcmp(argv[2], "best") != 0) {
      if (bm_isa_from_name(argv[2], &expected) != BM_OK) return 1;
      if (!bm_isa_is_supported(expected)) {
        printf("%s is not supported on this CPU: skipped\n", argv[2]);
        return 77;
      }
    }
    return bm_active_isa() == expected ? 0 : 1;
  }
  seed_from_environment();
  Suite *suite = suite_create("kernels");
  TCase *tcase = tcase_create("simd");
  tcase_set_timeout(tcase, 300);
  tcase_add_test(tcase, test_hamming_matches_scalar);
  tcase_add_test(tcase, test_float_dots_within_bound);
  tcase_add_test(tcase, test_int8_dot_is_exact);
  tcase_add_test(tcase, test_int8_dot_at_the_dimension_limit);
  tcase_add_test(tcase, test_select_matches_scalar);
  tcase_add_test(tcase, test_top_k_order_ties_nan_on_every_tier);
  tcase_add_test(tcase, test_top_k_merge_equals_whole);
  tcase_add_test(tcase, test_half_float_conversion);
  tcase_add_test(tcase, test_forcing_activates_the_tier);
  tcase_add_test(tcase, test_public_calls_reject_bad_arguments);
  suite_add_tcase(suite, tcase);
  return bm_test_run_suite(suite);
}
