/* Gallery cascade prefilter: a compact fixed-length code per finger, made
 * from its minutiae, and a SIMD scan that scores one probe code against a
 * contiguous array of gallery codes at close to memory speed. The gallery
 * keeps the best fraction (penetration) of its fingers by this score and
 * runs the full matcher only on those. Design, code size and measured hit
 * rates: docs/prefilter.md.
 *
 * Internal to the library (the gallery calls it); not part of the ABI.
 *
 * Thread safety: every function here is pure apart from its output
 * buffers: any number of threads may call them at once on distinct output
 * buffers; inputs (templates, codes) are only read.
 */
#ifndef BIOMATCH_PREFILTER_H
#define BIOMATCH_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

#include "biomatch/bm_errors.h"
#include "biomatch/bm_template.h"

/* Codes are stored back to back, one every bm_prefilter_code_bytes_()
 * bytes (a multiple of this alignment). A code array must be at least
 * 8-byte aligned (malloc's alignment); arrays aligned to this value scan
 * fastest (one code = whole cache lines). A probe code may sit anywhere. */
#define BM_PREFILTER_CODE_ALIGNMENT 64

/* Bytes of one code, which is also the stride between codes in an array.
 * A multiple of BM_PREFILTER_CODE_ALIGNMENT; fixed for a library version
 * (store it next to persisted codes and re-encode when it changes). */
size_t bm_prefilter_code_bytes_(void);

/* Version of the code layout and feature definition: codes of different
 * versions must not be compared (re-encode from the templates). */
uint32_t bm_prefilter_code_version_(void);

/* Writes the code of `tpl` (any resolution: coordinates are normalised to
 * 500 ppi like the matcher) to code[0 .. bm_prefilter_code_bytes_()).
 * Errors: BM_ERR_INVALID_ARGUMENT (NULL), BM_ERR_NO_MINUTIAE (empty
 * template), BM_ERR_ZERO_RESOLUTION; on error nothing is written. A
 * template with too few minutiae to form a feature gives a valid code that
 * scores 0 against everything. The code does not depend on the order of
 * the minutiae in the record. */
bm_status bm_prefilter_encode_(const bm_template *tpl, uint8_t *code);

/* Scores one probe code against `count` codes stored back to back at
 * `codes` (stride bm_prefilter_code_bytes_()): similarities[i] is the
 * score of codes + i * stride; higher means more alike, 0 means no
 * agreement beyond chance. Scores are comparable within one probe's scan
 * (and any split of it into several calls), not between different probes,
 * and not symmetric: scoring a against b and b against a can differ (the
 * chance correction uses the row's bit count), so deduplication should
 * scan with each record's own code as the probe or take the larger of the
 * two. Identical on every instruction-set tier. Errors:
 * BM_ERR_INVALID_ARGUMENT (NULL with count > 0, `codes` not 8-byte
 * aligned). */
bm_status bm_prefilter_scan_(const uint8_t *probe_code, const uint8_t *codes, size_t count,
                             uint32_t *similarities);

/* Number of candidates a penetration keeps out of `count`:
 * ceil(penetration * count), at least 1 when count > 0, at most count.
 * penetration must lie in (0, 1] (1 = exhaustive). */
size_t bm_prefilter_select_count_(size_t count, double penetration);

/* Selects the bm_prefilter_select_count_(count, penetration) best entries
 * of `similarities` (higher first, ties broken by lower index, so the set
 * never depends on thread or shard counts) and writes their indices to
 * `indices` in ascending index order (the order a gallery walks its
 * shard). `indices` must hold that many entries; *out_count receives it.
 * count must be below 2^32. Linear time, no allocation. Errors:
 * BM_ERR_INVALID_ARGUMENT (NULL, penetration not in (0, 1], count too
 * large). */
bm_status bm_prefilter_select_(const uint32_t *similarities, size_t count, double penetration,
                               uint32_t *indices, size_t *out_count);

#endif
