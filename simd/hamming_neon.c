/* Hamming kernels for aarch64 Advanced SIMD: vcnt counts bits per byte;
 * byte counts are widened pairwise into 16-bit lanes (vpadal), flushed to
 * 64 bits before they could overflow. */
#include "kernels_internal.h"

#if BM_ARCH_AARCH64
#  include <arm_neon.h>

/* Each step adds at most 16 per 16-bit lane; 2048 steps stay below 65536. */
enum { FLUSH_STEPS = 2048 };

static inline uint64_t popcount_xor(const uint64_t *a, const uint64_t *b, size_t words) {
  uint64_t total = 0;
  size_t w = 0;
  while (w + 2 <= words) {
    uint16x8_t lanes = vdupq_n_u16(0);
    for (size_t step = 0; step < FLUSH_STEPS && w + 2 <= words; ++step, w += 2) {
      const uint8x16_t x = veorq_u8(vreinterpretq_u8_u64(vld1q_u64(a + w)), vreinterpretq_u8_u64(vld1q_u64(b + w)));
      lanes = vpadalq_u8(lanes, vcntq_u8(x));
    }
    total += vaddlvq_u16(lanes);
  }
  for (; w < words; ++w) total += (uint64_t)__builtin_popcountll(a[w] ^ b[w]);
  return total;
}

void bm_hamming_scan_neon_(const uint64_t *probe, const uint64_t *rows, size_t words, size_t row_stride_words,
                           size_t row_count, uint32_t *distances) {
  for (size_t r = 0; r < row_count; ++r)
    distances[r] = (uint32_t)popcount_xor(probe, rows + r * row_stride_words, words);
}

void bm_hamming_masked_scan_neon_(const uint64_t *probe_bits, const uint64_t *probe_mask, const uint64_t *rows,
                                  size_t words, size_t row_stride_words, size_t row_count,
                                  bm_masked_counts *counts) {
  for (size_t r = 0; r < row_count; ++r) {
    const uint64_t *row_bits = rows + r * row_stride_words, *row_mask = row_bits + words;
    bm_masked_counts count = {0, 0, 0};
    size_t w = 0;
    while (w + 2 <= words) {
      uint16x8_t differing = vdupq_n_u16(0), probe_ones = differing, row_ones = differing;
      for (size_t step = 0; step < FLUSH_STEPS && w + 2 <= words; ++step, w += 2) {
        const uint8x16_t mask = vandq_u8(vreinterpretq_u8_u64(vld1q_u64(probe_mask + w)),
                                         vreinterpretq_u8_u64(vld1q_u64(row_mask + w)));
        const uint8x16_t a = vandq_u8(vreinterpretq_u8_u64(vld1q_u64(probe_bits + w)), mask);
        const uint8x16_t b = vandq_u8(vreinterpretq_u8_u64(vld1q_u64(row_bits + w)), mask);
        differing = vpadalq_u8(differing, vcntq_u8(veorq_u8(a, b)));
        probe_ones = vpadalq_u8(probe_ones, vcntq_u8(a));
        row_ones = vpadalq_u8(row_ones, vcntq_u8(b));
      }
      count.differing += vaddlvq_u16(differing);
      count.probe_ones += vaddlvq_u16(probe_ones);
      count.row_ones += vaddlvq_u16(row_ones);
    }
    for (; w < words; ++w) {
      const uint64_t mask = probe_mask[w] & row_mask[w];
      count.differing += (uint32_t)__builtin_popcountll((probe_bits[w] ^ row_bits[w]) & mask);
      count.probe_ones += (uint32_t)__builtin_popcountll(probe_bits[w] & mask);
      count.row_ones += (uint32_t)__builtin_popcountll(row_bits[w] & mask);
    }
    counts[r] = count;
  }
}

#endif
