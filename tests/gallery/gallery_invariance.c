/* Shard- and thread-count invariance assertions (gallery_invariance.h). */
#include "gallery_invariance.h"

#include <check.h>
#include <math.h>

void gi_assert_same_results(const bm_gallery_result *a, const bm_gallery_result *b) {
  ck_assert_uint_eq(bm_gallery_result_count(a), bm_gallery_result_count(b));
  ck_assert_uint_eq(bm_gallery_result_comparisons(a), bm_gallery_result_comparisons(b));
  for (size_t i = 0; i < bm_gallery_result_count(a); ++i) {
    ck_assert_str_eq(bm_gallery_result_id(a, i), bm_gallery_result_id(b, i));
    ck_assert(bm_gallery_result_score(a, i) == bm_gallery_result_score(b, i));
    ck_assert(bm_gallery_result_fmr(a, i) == bm_gallery_result_fmr(b, i));
    const float fa = bm_gallery_result_face_score(a, i), fb = bm_gallery_result_face_score(b, i);
    ck_assert((isnan(fa) && isnan(fb)) || fa == fb);
    size_t ia = 9, ca = 9, ib = 8, cb = 8;
    ck_assert_int_eq(bm_gallery_result_face_detail(a, i, &ia, &ca), BM_OK);
    ck_assert_int_eq(bm_gallery_result_face_detail(b, i, &ib, &cb), BM_OK);
    ck_assert_uint_eq(ia, ib);
    ck_assert_uint_eq(ca, cb);
    ck_assert_uint_eq(bm_gallery_result_finger_count(a, i), bm_gallery_result_finger_count(b, i));
  }
}

void gi_assert_same_everywhere(bm_gallery *const *galleries, int count, const bm_gallery_probe *probe,
                               bm_gallery_search_params params, unsigned max_threads,
                               const bm_gallery_result *reference) {
  for (int k = 0; k < count; ++k)
    for (unsigned threads = 1; threads <= max_threads; ++threads) {
      params.threads = threads;
      bm_gallery_result *result = NULL;
      ck_assert_int_eq(bm_gallery_identify(galleries[k], probe, &params, &result), BM_OK);
      gi_assert_same_results(reference, result);
      bm_gallery_result_free(result);
    }
}
