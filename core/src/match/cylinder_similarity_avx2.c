/* AVX2 cylinder comparison over gallery word planes: one gallery cylinder
 * per 64-bit lane, four pairs at a time. AVX2 has no vector popcount: bits
 * are counted per byte with the nibble table of PSHUFB (Mula), the byte
 * counts of the 6 layers are summed (at most 48 per byte) and one PSADBW
 * per quantity gives the lane totals. The last step is the scalar tiers'
 * (same bits). */
#include "match/match_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define TARGET_AVX2_ __attribute__((target("avx2")))

TARGET_AVX2_ static inline __m256i byte_counts(__m256i v, __m256i table, __m256i low_nibbles) {
  const __m256i low = _mm256_and_si256(v, low_nibbles);
  const __m256i high = _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibbles);
  return _mm256_add_epi8(_mm256_shuffle_epi8(table, low), _mm256_shuffle_epi8(table, high));
}

TARGET_AVX2_ size_t bm_mcc_similarity_row_avx2_(const uint8_t *probe_cylinder, const uint64_t *gallery_planes,
                                                size_t gallery_count, unsigned minimum_common, float *similarity) {
  const size_t stride = bm_mcc_plane_stride_(gallery_count);
  __m256i probe[BM_MCC_WORDS];
  for (unsigned w = 0; w < BM_MCC_WORDS; ++w)
    probe[w] = _mm256_set1_epi64x((long long)bm_load_u64le_(probe_cylinder + 8 * w));
  const __m256i table =
      _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low_nibbles = _mm256_set1_epi8(0x0F), zero = _mm256_setzero_si256();
  size_t best = gallery_count;
  float best_value = 0.0f;
  for (size_t j = 0; j < gallery_count; j += 4) {
    const __m256i valid_b = _mm256_loadu_si256((const __m256i *)(gallery_planes + j));
    __m256i bytes_a = zero, bytes_b = zero, bytes_differ = zero;
    for (unsigned w = 1; w < BM_MCC_WORDS; ++w) {
      const __m256i x = _mm256_and_si256(probe[w], valid_b);
      const __m256i y = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(gallery_planes + w * stride + j)), probe[0]);
      bytes_a = _mm256_add_epi8(bytes_a, byte_counts(x, table, low_nibbles));
      bytes_b = _mm256_add_epi8(bytes_b, byte_counts(y, table, low_nibbles));
      bytes_differ = _mm256_add_epi8(bytes_differ, byte_counts(_mm256_xor_si256(x, y), table, low_nibbles));
    }
    uint64_t common[4], bits_a[4], bits_b[4], bits_differ[4];
    _mm256_storeu_si256((__m256i *)common,
                        _mm256_sad_epu8(byte_counts(_mm256_and_si256(valid_b, probe[0]), table, low_nibbles), zero));
    _mm256_storeu_si256((__m256i *)bits_a, _mm256_sad_epu8(bytes_a, zero));
    _mm256_storeu_si256((__m256i *)bits_b, _mm256_sad_epu8(bytes_b, zero));
    _mm256_storeu_si256((__m256i *)bits_differ, _mm256_sad_epu8(bytes_differ, zero));
    const size_t block = gallery_count - j < 4 ? gallery_count - j : 4;
    for (size_t r = 0; r < block; ++r) {
      const float value = bm_mcc_similarity_((unsigned)common[r], (unsigned)bits_a[r], (unsigned)bits_b[r],
                                             (unsigned)bits_differ[r], minimum_common);
      similarity[j + r] = value;
      if (value > best_value) {
        best_value = value;
        best = j + r;
      }
    }
  }
  return best;
}
#endif
