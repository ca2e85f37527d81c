/* Glue to the cascade prefilter (core/src/prefilter): the code stored with
 * each finger and the scan of a probe code over a shard's code array. A
 * build without the prefilter stores no codes (code size 0) and refuses
 * cascade searches with BM_ERR_UNSUPPORTED. */
#include "error.h"
#include "gallery/gallery_internal.h"

#ifdef BM_GALLERY_HAVE_PREFILTER
#include "prefilter/prefilter.h"

size_t bm_cascade_code_bytes_(void) { return bm_prefilter_code_bytes_(); }
uint32_t bm_cascade_code_version_(void) { return bm_prefilter_code_version_(); }
bm_status bm_cascade_encode_(const bm_template *tpl, uint8_t *code) { return bm_prefilter_encode_(tpl, code); }
bm_status bm_cascade_scan_(const uint8_t *probe_code, const uint8_t *codes, size_t count, uint32_t *similarities) {
  return bm_prefilter_scan_(probe_code, codes, count, similarities);
}
#else
size_t bm_cascade_code_bytes_(void) { return 0; }
uint32_t bm_cascade_code_version_(void) { return 0; }
bm_status bm_cascade_encode_(const bm_template *tpl, uint8_t *code) {
  (void)tpl;
  (void)code;
  return bm_fail_(BM_ERR_UNSUPPORTED, "this build has no prefilter");
}
bm_status bm_cascade_scan_(const uint8_t *probe_code, const uint8_t *codes, size_t count, uint32_t *similarities) {
  (void)probe_code;
  (void)codes;
  (void)count;
  (void)similarities;
  return bm_fail_(BM_ERR_UNSUPPORTED, "this build has no prefilter");
}
#endif
