/* Portable cylinder comparison: the reference the SIMD versions must equal,
 * and the transposition of the gallery cylinders into word planes. A
 * cylinder is 7 little-endian 64-bit words (validity mask, then 6 layers,
 * bit = cell); only cells valid in both cylinders are compared. Because a
 * cylinder's layer bits lie inside its own validity mask, a & (va & vb) =
 * a & vb: each side is masked with the other's validity. */
#include <string.h>

#include "match/match_internal.h"

void bm_mcc_gallery_planes_(const uint8_t *cylinders, size_t count, uint64_t *planes) {
  const size_t stride = bm_mcc_plane_stride_(count);
  for (size_t c = 0; c < count; ++c)
    for (unsigned w = 0; w < BM_MCC_WORDS; ++w)
      planes[w * stride + c] = bm_load_u64le_(cylinders + c * BM_MCC_CYLINDER_BYTES + 8 * w);
  for (unsigned w = 0; w < BM_MCC_WORDS; ++w)
    for (size_t c = count; c < stride; ++c) planes[w * stride + c] = 0;
}

size_t bm_mcc_similarity_row_scalar_(const uint8_t *probe_cylinder, const uint64_t *gallery_planes,
                                     size_t gallery_count, unsigned minimum_common, float *similarity) {
  const size_t stride = bm_mcc_plane_stride_(gallery_count);
  size_t best = gallery_count;
  float best_value = 0.0f;
  uint64_t a[BM_MCC_WORDS];
  for (unsigned w = 0; w < BM_MCC_WORDS; ++w) a[w] = bm_load_u64le_(probe_cylinder + 8 * w);
  for (size_t j = 0; j < gallery_count; ++j) {
    const uint64_t valid_b = gallery_planes[j];
    const unsigned common = (unsigned)__builtin_popcountll(a[0] & valid_b);
    unsigned bits_a = 0, bits_b = 0, bits_differ = 0;
    if (common >= minimum_common) {
      for (unsigned w = 1; w < BM_MCC_WORDS; ++w) {
        const uint64_t x = a[w] & valid_b, y = gallery_planes[w * stride + j] & a[0];
        bits_a += (unsigned)__builtin_popcountll(x);
        bits_b += (unsigned)__builtin_popcountll(y);
        bits_differ += (unsigned)__builtin_popcountll(x ^ y);
      }
    }
    similarity[j] = bm_mcc_similarity_(common, bits_a, bits_b, bits_differ, minimum_common);
    if (similarity[j] > best_value) {
      best_value = similarity[j];
      best = j;
    }
  }
  return best;
}
