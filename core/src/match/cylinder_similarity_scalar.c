/* Portable cylinder comparison: the reference the SIMD versions must equal.
 * A cylinder is a 256-bit validity mask followed by 6 layers of 256 bits;
 * only cells valid in both cylinders are compared. */
#include <string.h>

#include "match/match_internal.h"

static uint64_t load_word(const uint8_t *p) {
  uint64_t word;
  memcpy(&word, p, sizeof word);
  return word;
}

static void count_pair(const uint8_t *a, const uint8_t *b, unsigned minimum_common, bm_mcc_counts_ *out) {
  enum { WORDS = BM_MCC_LAYER_BYTES / 8 };
  uint64_t common[WORDS];
  unsigned common_cells = 0, bits_a = 0, bits_b = 0, bits_differ = 0;
  for (unsigned w = 0; w < WORDS; ++w) {
    common[w] = load_word(a + 8 * w) & load_word(b + 8 * w);
    common_cells += (unsigned)__builtin_popcountll(common[w]);
  }
  if (common_cells < minimum_common) {
    *out = (bm_mcc_counts_){(uint16_t)common_cells, 0, 0, 0};
    return;
  }
  for (unsigned layer = 1; layer <= BM_MCC_LAYERS; ++layer) {
    for (unsigned w = 0; w < WORDS; ++w) {
      const size_t offset = BM_MCC_LAYER_BYTES * layer + 8 * w;
      const uint64_t x = load_word(a + offset) & common[w], y = load_word(b + offset) & common[w];
      bits_a += (unsigned)__builtin_popcountll(x);
      bits_b += (unsigned)__builtin_popcountll(y);
      bits_differ += (unsigned)__builtin_popcountll(x ^ y);
    }
  }
  out->common_cells = (uint16_t)common_cells;
  out->bits_a = (uint16_t)bits_a;
  out->bits_b = (uint16_t)bits_b;
  out->bits_differ = (uint16_t)bits_differ;
}

void bm_mcc_count_row_scalar_(const uint8_t *probe_cylinder, const uint8_t *gallery_cylinders,
                              const uint8_t *indices, size_t index_count, unsigned minimum_common,
                                    bm_mcc_counts_ *out) {
  for (size_t i = 0; i < index_count; ++i)
    count_pair(probe_cylinder, gallery_cylinders + (size_t)indices[i] * BM_MCC_CYLINDER_BYTES, minimum_common,
               &out[i]);
}
