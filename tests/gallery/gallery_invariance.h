/* The gallery's promise that a search gives the same candidate list
 * whatever the shard and thread counts, as Check assertions shared by the
 * gallery tests. */
#ifndef BIOMATCH_TESTS_GALLERY_INVARIANCE_H
#define BIOMATCH_TESTS_GALLERY_INVARIANCE_H

#include "biomatch/bm_gallery.h"

/* Two candidate lists equal field by field, bit for bit: ids, fused scores,
 * FMRs, comparisons made, face scores and which embedding matched, finger
 * counts. */
void gi_assert_same_results(const bm_gallery_result *a, const bm_gallery_result *b);

/* Identifies `probe` in each of `count` galleries holding the same records
 * (under other shard counts) with 1..max_threads threads and asserts every
 * result equals `reference`. */
void gi_assert_same_everywhere(bm_gallery *const *galleries, int count, const bm_gallery_probe *probe,
                               bm_gallery_search_params params, unsigned max_threads,
                               const bm_gallery_result *reference);

#endif
