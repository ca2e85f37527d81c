/* AVX2 cylinder comparison. AVX2 has no vector popcount: bits are counted
 * per byte with the nibble table of PSHUFB (Mula), and the byte counts of
 * the 6 layers are summed before one PSADBW per quantity. A cylinder's 6
 * layers fill two registers (layers 1-3 with lane 0 cleared, layers 4-6
 * with lane 3 zero); for one pair
 *   X = probe layers & broadcast(valid_b), Y = gallery layers & broadcast(valid_a),
 *   D = X ^ Y,
 * their counts travel packed in 16-bit fields, four pairs are reduced
 * together, and the common cells come from the scalar POPCNT of the two
 * masks. The last step is the scalar tiers' (same bits). */
#include <string.h>

#include "match/match_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define TARGET_AVX2_ __attribute__((target("avx2,popcnt")))

TARGET_AVX2_ static inline __m256i byte_counts(__m256i v, __m256i table, __m256i low_nibbles) {
  const __m256i low = _mm256_and_si256(v, low_nibbles);
  const __m256i high = _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibbles);
  return _mm256_add_epi8(_mm256_shuffle_epi8(table, low), _mm256_shuffle_epi8(table, high));
}

typedef struct probe_registers_ {
  __m256i layers_low, layers_high; /* [0, a1, a2, a3], [a4, a5, a6, 0] */
  __m256i valid_low, valid_high;   /* [0, va, va, va], [va, va, va, 0] */
  __m256i table, low_nibbles;
} probe_registers_;

/* 64-bit lane sums of a, b and a^b popcounts in fields 0, 16 and 32. */
TARGET_AVX2_ static inline __m256i pair_fields(const probe_registers_ *p, const uint8_t *b) {
  uint64_t valid_b;
  memcpy(&valid_b, b, sizeof valid_b);
  const __m256i broadcast_b = _mm256_set1_epi64x((long long)valid_b);
  const __m256i gallery_low = _mm256_loadu_si256((const __m256i *)b); /* [vb, b1, b2, b3] */
  const __m256i gallery_high = _mm256_inserti128_si256(
      _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(b + 32))), _mm_loadl_epi64((const __m128i *)(b + 48)),
      1); /* [b4, b5, b6, 0] */
  const __m256i x_low = _mm256_and_si256(p->layers_low, broadcast_b);
  const __m256i x_high = _mm256_and_si256(p->layers_high, broadcast_b);
  const __m256i y_low = _mm256_and_si256(gallery_low, p->valid_low);
  const __m256i y_high = _mm256_and_si256(gallery_high, p->valid_high);
  const __m256i zero = _mm256_setzero_si256();
  const __m256i count_x = _mm256_sad_epu8(
      _mm256_add_epi8(byte_counts(x_low, p->table, p->low_nibbles), byte_counts(x_high, p->table, p->low_nibbles)), zero);
  const __m256i count_y = _mm256_sad_epu8(
      _mm256_add_epi8(byte_counts(y_low, p->table, p->low_nibbles), byte_counts(y_high, p->table, p->low_nibbles)), zero);
  const __m256i count_d =
      _mm256_sad_epu8(_mm256_add_epi8(byte_counts(_mm256_xor_si256(x_low, y_low), p->table, p->low_nibbles),
                                      byte_counts(_mm256_xor_si256(x_high, y_high), p->table, p->low_nibbles)),
                      zero);
  return _mm256_add_epi64(_mm256_add_epi64(count_x, _mm256_slli_epi64(count_y, 16)), _mm256_slli_epi64(count_d, 32));
}

/* Lane r of the result = sum of the 4 lanes of v[r]. */
TARGET_AVX2_ static inline __m256i transposed_sums(const __m256i v[4]) {
  const __m256i pair01 = _mm256_add_epi64(_mm256_unpacklo_epi64(v[0], v[1]), _mm256_unpackhi_epi64(v[0], v[1]));
  const __m256i pair23 = _mm256_add_epi64(_mm256_unpacklo_epi64(v[2], v[3]), _mm256_unpackhi_epi64(v[2], v[3]));
  return _mm256_add_epi64(_mm256_permute2x128_si256(pair01, pair23, 0x20),
                          _mm256_permute2x128_si256(pair01, pair23, 0x31));
}

TARGET_AVX2_ size_t bm_mcc_similarity_row_avx2_(const uint8_t *probe_cylinder, const uint8_t *gallery_cylinders,
                                                size_t gallery_count, unsigned minimum_common, float *similarity) {
  uint64_t a[BM_MCC_WORDS];
  memcpy(a, probe_cylinder, sizeof a);
  probe_registers_ p;
  p.layers_low = _mm256_set_epi64x((long long)a[3], (long long)a[2], (long long)a[1], 0);
  p.layers_high = _mm256_set_epi64x(0, (long long)a[6], (long long)a[5], (long long)a[4]);
  p.valid_low = _mm256_set_epi64x((long long)a[0], (long long)a[0], (long long)a[0], 0);
  p.valid_high = _mm256_set_epi64x(0, (long long)a[0], (long long)a[0], (long long)a[0]);
  p.table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3,
                             3, 4);
  p.low_nibbles = _mm256_set1_epi8(0x0F);
  size_t best = gallery_count;
  float best_value = 0.0f;
  for (size_t j = 0; j < gallery_count; j += 4) {
    const size_t block = gallery_count - j < 4 ? gallery_count - j : 4;
    __m256i fields[4];
    for (size_t r = 0; r < 4; ++r)
      fields[r] = r < block ? pair_fields(&p, gallery_cylinders + (j + r) * BM_MCC_CYLINDER_BYTES)
                            : _mm256_setzero_si256();
    uint64_t sums[4];
    _mm256_storeu_si256((__m256i *)sums, transposed_sums(fields));
    for (size_t r = 0; r < block; ++r) {
      uint64_t valid_b;
      memcpy(&valid_b, gallery_cylinders + (j + r) * BM_MCC_CYLINDER_BYTES, sizeof valid_b);
      const unsigned common = (unsigned)__builtin_popcountll(a[0] & valid_b);
      const float value = bm_mcc_similarity_(common, (unsigned)(sums[r] & 0xFFFF), (unsigned)(sums[r] >> 16 & 0xFFFF),
                                             (unsigned)(sums[r] >> 32 & 0xFFFF), minimum_common);
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
