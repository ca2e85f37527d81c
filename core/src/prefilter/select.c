/* Selection of the best fraction of a scanned shard.
 *
 * A radix select on the 32-bit similarities finds the similarity T of the
 * k-th best entry in four passes of 256-bin histograms (no allocation, time
 * linear in the count); the selection is then every entry above T plus the
 * first entries equal to T in index order. That is exactly "best k,
 * ties by lower index", and it comes out in ascending index order, the
 * order in which a gallery walks its shard. */
#include <math.h>

#include "error.h"
#include "prefilter/prefilter.h"

size_t bm_prefilter_select_count_(size_t count, double penetration) {
  if (count == 0 || !(penetration > 0)) return 0;
  if (penetration >= 1) return count;
  /* The small allowance keeps e.g. 0.1 * 1000 = 100.00000000000001 at 100. */
  const double wanted = ceil(penetration * (double)count - 1e-6);
  if (wanted < 1) return 1;
  return wanted >= (double)count ? count : (size_t)wanted;
}

bm_status bm_prefilter_select_(const uint32_t *similarities, size_t count, double penetration,
                               uint32_t *indices, size_t *out_count) {
  if (!out_count) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_prefilter_select_: NULL out_count");
  *out_count = 0;
  if (!(penetration > 0 && penetration <= 1))
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_prefilter_select_: penetration %g not in (0, 1]", penetration);
  if (count > UINT32_MAX)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_prefilter_select_: %zu entries exceed 2^32 - 1", count);
  if (count == 0) return BM_OK;
  if (!similarities || !indices) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_prefilter_select_: NULL argument");
  const size_t keep = bm_prefilter_select_count_(count, penetration);

  /* Most significant byte first: fix T's byte, then look among the entries
   * sharing T's bytes so far. `above` counts entries known to beat T. */
  uint32_t threshold = 0, prefix_mask = 0;
  size_t above = 0;
  for (int shift = 24; shift >= 0; shift -= 8) {
    size_t histogram[256] = {0};
    for (size_t i = 0; i < count; ++i)
      if ((similarities[i] & prefix_mask) == threshold) ++histogram[(similarities[i] >> shift) & 0xFF];
    int byte = 255;
    for (; byte > 0 && above + histogram[byte] < keep; --byte) above += histogram[byte];
    threshold |= (uint32_t)byte << shift;
    prefix_mask |= 0xFFu << shift;
  }
  /* `above` entries beat T; the rest of the selection are ties at T, by index. */
  size_t ties_left = keep - above, written = 0;
  for (size_t i = 0; i < count; ++i) {
    if (similarities[i] > threshold || (similarities[i] == threshold && ties_left > 0)) {
      if (similarities[i] == threshold) --ties_left;
      indices[written++] = (uint32_t)i;
    }
  }
  *out_count = written;
  if (written != keep) return bm_fail_(BM_ERR_INTERNAL, "bm_prefilter_select_: selected %zu of %zu", written, keep);
  return BM_OK;
}
