/* Reference Hamming kernels: plain C, the definition the SIMD tiers must
 * reproduce bit for bit. */
#include "kernels_internal.h"

static uint32_t popcount64(uint64_t word) { return (uint32_t)__builtin_popcountll(word); }

void bm_hamming_scan_scalar_(const uint64_t *probe, const uint64_t *rows, size_t words, size_t row_stride_words,
                             size_t row_count, uint32_t *distances) {
  for (size_t r = 0; r < row_count; ++r) {
    const uint64_t *row = rows + r * row_stride_words;
    uint32_t distance = 0;
    for (size_t w = 0; w < words; ++w) distance += popcount64(probe[w] ^ row[w]);
    distances[r] = distance;
  }
}

void bm_hamming_masked_scan_scalar_(const uint64_t *probe_bits, const uint64_t *probe_mask, const uint64_t *rows,
                                    size_t words, size_t row_stride_words, size_t row_count,
                                    bm_masked_counts *counts) {
  for (size_t r = 0; r < row_count; ++r) {
    const uint64_t *row_bits = rows + r * row_stride_words, *row_mask = row_bits + words;
    bm_masked_counts count = {0, 0, 0};
    for (size_t w = 0; w < words; ++w) {
      const uint64_t mask = probe_mask[w] & row_mask[w];
      count.differing += popcount64((probe_bits[w] ^ row_bits[w]) & mask);
      count.probe_ones += popcount64(probe_bits[w] & mask);
      count.row_ones += popcount64(row_bits[w] & mask);
    }
    counts[r] = count;
  }
}
