/* AVX2-tier cylinder comparison. AVX2 has no vector popcount and a
 * cylinder is only 7 words, so the hardware POPCNT instruction (present on
 * every AVX2 processor) on each word is the fastest here; the pairs that
 * share too few cells skip the layers. Same arithmetic as the scalar
 * reference, so the same bits. */
#include <string.h>

#include "match/match_internal.h"

#if defined(__x86_64__) || defined(__i386__)

#define TARGET_AVX2_ __attribute__((target("avx2,popcnt")))

TARGET_AVX2_ static inline uint64_t load_word(const uint8_t *p) {
  uint64_t word;
  memcpy(&word, p, sizeof word);
  return word;
}

TARGET_AVX2_ size_t bm_mcc_similarity_row_avx2_(const uint8_t *probe_cylinder, const uint8_t *gallery_cylinders,
                                                size_t gallery_count, unsigned minimum_common, float *similarity) {
  size_t best = gallery_count;
  float best_value = 0.0f;
  uint64_t a[BM_MCC_WORDS];
  for (unsigned w = 0; w < BM_MCC_WORDS; ++w) a[w] = load_word(probe_cylinder + 8 * w);
  for (size_t j = 0; j < gallery_count; ++j) {
    const uint8_t *b = gallery_cylinders + j * BM_MCC_CYLINDER_BYTES;
    const uint64_t valid_b = load_word(b);
    const unsigned common = (unsigned)__builtin_popcountll(a[0] & valid_b);
    if (common < minimum_common) {
      similarity[j] = 0.0f;
      continue;
    }
    unsigned bits_a = 0, bits_b = 0, bits_differ = 0;
    for (unsigned w = 1; w < BM_MCC_WORDS; ++w) {
      const uint64_t x = a[w] & valid_b, y = load_word(b + 8 * w) & a[0];
      bits_a += (unsigned)__builtin_popcountll(x);
      bits_b += (unsigned)__builtin_popcountll(y);
      bits_differ += (unsigned)__builtin_popcountll(x ^ y);
    }
    similarity[j] = bm_mcc_similarity_(common, bits_a, bits_b, bits_differ, minimum_common);
    if (similarity[j] > best_value) {
      best_value = similarity[j];
      best = j;
    }
  }
  return best;
}
#endif
