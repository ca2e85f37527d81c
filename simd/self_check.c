/* bm_kernels_self_check(): every supported tier against the scalar reference
 * on a fixed pseudo-random input, so a deployment can verify at start-up
 * that the kernels it will use agree with the definition. */
#include <math.h>
#include <string.h>

#include "error.h"
#include "kernels_internal.h"

enum { ROWS = 9, WORDS = 11, DIMENSION = 203 };

static uint64_t next_random(uint64_t *state) { /* xorshift64* */
  *state ^= *state >> 12;
  *state ^= *state << 25;
  *state ^= *state >> 27;
  return *state * 0x2545F4914F6CDD1DULL;
}

typedef struct check_input {
  uint64_t probe[WORDS], probe_mask[WORDS], rows[ROWS * 2 * WORDS];
  float query[DIMENSION], rows_f32[ROWS * DIMENSION], scores[1000];
  uint16_t rows_f16[ROWS * DIMENSION];
  int8_t query_i8[DIMENSION], rows_i8[ROWS * DIMENSION];
} check_input;

static void fill(check_input *in) {
  uint64_t state = 0x9E3779B97F4A7C15ULL;
  for (size_t i = 0; i < WORDS; ++i) in->probe[i] = next_random(&state), in->probe_mask[i] = next_random(&state);
  for (size_t i = 0; i < ROWS * 2 * WORDS; ++i) in->rows[i] = next_random(&state);
  for (size_t i = 0; i < DIMENSION; ++i) {
    in->query[i] = (float)((int64_t)(next_random(&state) >> 40) - (1 << 23)) / (float)(1 << 23);
    in->query_i8[i] = (int8_t)next_random(&state);
  }
  for (size_t i = 0; i < ROWS * DIMENSION; ++i) {
    in->rows_f32[i] = (float)((int64_t)(next_random(&state) >> 40) - (1 << 23)) / (float)(1 << 23);
    in->rows_f16[i] = bm_f32_to_f16_scalar_(in->rows_f32[i]);
    in->rows_i8[i] = (int8_t)next_random(&state);
  }
  for (size_t i = 0; i < 1000; ++i) in->scores[i] = (float)(next_random(&state) % 100);
  in->scores[17] = NAN;
}

static int floats_agree(const float *a, const float *b, size_t count) {
  for (size_t i = 0; i < count; ++i)
    if (!(fabsf(a[i] - b[i]) <= 1e-4f * (1.0f + fabsf(b[i])))) return 0;
  return 1;
}

static bm_status check_tier(const bm_kernel_table_ *tier, const bm_kernel_table_ *ref, const check_input *in) {
  const char *name = bm_isa_name(tier->isa);
  uint32_t distances[ROWS], expected_distances[ROWS];
  tier->hamming_scan(in->probe, in->rows, WORDS, 2 * WORDS, ROWS, distances);
  ref->hamming_scan(in->probe, in->rows, WORDS, 2 * WORDS, ROWS, expected_distances);
  if (memcmp(distances, expected_distances, sizeof distances))
    return bm_fail_(BM_ERR_INTERNAL, "self-check: hamming_scan on %s disagrees with scalar", name);

  bm_masked_counts counts[ROWS], expected_counts[ROWS];
  tier->hamming_masked_scan(in->probe, in->probe_mask, in->rows, WORDS, 2 * WORDS, ROWS, counts);
  ref->hamming_masked_scan(in->probe, in->probe_mask, in->rows, WORDS, 2 * WORDS, ROWS, expected_counts);
  if (memcmp(counts, expected_counts, sizeof counts))
    return bm_fail_(BM_ERR_INTERNAL, "self-check: hamming_masked_scan on %s disagrees with scalar", name);

  float scores[ROWS], expected_scores[ROWS];
  tier->dot_f32_scan(in->query, in->rows_f32, DIMENSION, DIMENSION, ROWS, scores);
  ref->dot_f32_scan(in->query, in->rows_f32, DIMENSION, DIMENSION, ROWS, expected_scores);
  if (!floats_agree(scores, expected_scores, ROWS))
    return bm_fail_(BM_ERR_INTERNAL, "self-check: dot_f32_scan on %s disagrees with scalar", name);
  tier->dot_f16_scan(in->query, in->rows_f16, DIMENSION, DIMENSION, ROWS, scores);
  ref->dot_f16_scan(in->query, in->rows_f16, DIMENSION, DIMENSION, ROWS, expected_scores);
  if (!floats_agree(scores, expected_scores, ROWS))
    return bm_fail_(BM_ERR_INTERNAL, "self-check: dot_f16_scan on %s disagrees with scalar", name);

  int32_t dots[ROWS], expected_dots[ROWS];
  tier->dot_i8_scan(in->query_i8, in->rows_i8, DIMENSION, DIMENSION, ROWS, dots);
  ref->dot_i8_scan(in->query_i8, in->rows_i8, DIMENSION, DIMENSION, ROWS, expected_dots);
  if (memcmp(dots, expected_dots, sizeof dots))
    return bm_fail_(BM_ERR_INTERNAL, "self-check: dot_i8_scan on %s disagrees with scalar", name);

  uint32_t selected[1000], expected_selected[1000];
  size_t count = tier->select_at_least(in->scores, 1000, 90.0f, selected);
  size_t expected_count = ref->select_at_least(in->scores, 1000, 90.0f, expected_selected);
  if (count != expected_count || memcmp(selected, expected_selected, count * sizeof selected[0]))
    return bm_fail_(BM_ERR_INTERNAL, "self-check: select_at_least on %s disagrees with scalar", name);
  return BM_OK;
}

bm_status bm_kernels_self_check(void) {
  static const bm_isa tiers[] = {BM_ISA_AVX2, BM_ISA_AVX512, BM_ISA_NEON};
  check_input local; /* about 24 KB: fine on any thread's stack */
  check_input *in = &local;
  fill(in);
  const bm_kernel_table_ *ref = bm_kernels_for_isa_(BM_ISA_SCALAR);
  for (size_t i = 0; i < sizeof tiers / sizeof tiers[0]; ++i) {
    const bm_kernel_table_ *tier = bm_kernels_for_isa_(tiers[i]);
    if (!tier) continue;
    bm_status status = check_tier(tier, ref, in);
    if (status != BM_OK) return status;
  }
  return BM_OK;
}
