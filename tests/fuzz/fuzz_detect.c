/* Fuzz target: content detection plus whichever reader it picks (the path
 * of bm_template_read_memory), checking that detection and reading agree
 * and that the view count matches what can be read. */
#include "fuzz_round_trip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bm_template_format format = BM_FORMAT_AUTO;
  const bm_status detected = bm_template_detect_format(data, size, &format);
  bm_template *tpl = NULL;
  const bm_status status = bm_template_read_memory(data, size, &tpl);
  fuzz_require_(detected == BM_OK || status == detected, "a detection failure is the read failure");
  size_t views = 0;
  const bm_status counted = bm_template_count_views(data, size, NULL, &views);
  fuzz_require_((counted == BM_OK) == (status == BM_OK), "counting views and reading agree");
  fuzz_require_(status != BM_OK || views >= 1, "a readable record has a view");
  bm_template_free(tpl);
  if (detected == BM_OK && format != BM_FORMAT_XYT) fuzz_read_and_round_trip_(data, size, format, 0, 1);
  return 0;
}
