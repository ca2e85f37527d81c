/**
 * @file bm_match.h
 * @brief Fingerprint 1:1 matching of minutiae templates (Minutia
 *        Cylinder-Code, docs/matcher.md).
 *
 * Use:
 * 1. Prepare each gallery template once with bm_prepare_template() into a
 *    flat, position-independent byte blob ("prepared template"). Its size
 *    is bm_prepared_size(n) for n stored cylinders: 16 + 64 * n bytes (a
 *    16-byte header, 8 bytes of geometry and a 56-byte cylinder per
 *    minutia; format version 2). Blobs may be packed one after another in a shard array and
 *    written to disk as they are (little-endian, no pointers).
 * 2. Prepare the probe once with bm_probe_create().
 * 3. Compare with bm_match_one() / bm_match_many().
 *
 * Scores are in [0, 1]: 0 for nothing in common, higher for more similar.
 * They are deterministic and independent of the instruction set used.
 * bm_match_fmr_to_threshold() and bm_match_score_to_fmr() translate
 * between scores and estimated false match rates.
 *
 * Coordinates are normalised to 500 ppi from each template's ppi_x/ppi_y,
 * so templates of different resolutions can be compared.
 */
#ifndef BIOMATCH_BM_MATCH_H
#define BIOMATCH_BM_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "bm_errors.h"
#include "bm_export.h"
#include "bm_template.h"

BM_EXTERN_C_BEGIN

/** Bytes of a prepared template's header. */
#define BM_PREPARED_HEADER_BYTES 16
/** Bytes per stored cylinder (geometry + cylinder bits): bm_prepared_size(n) = 16 + 64 n. */
#define BM_PREPARED_BYTES_PER_MINUTIA 64
/** Largest prepared template (every minutia of a full template kept). */
#define BM_PREPARED_MAX_BYTES (BM_PREPARED_HEADER_BYTES + BM_PREPARED_BYTES_PER_MINUTIA * BM_MAX_MINUTIAE)

/** @return the size in bytes of a prepared template with `cylinder_count` cylinders. Thread-safe. */
BM_API size_t bm_prepared_size(size_t cylinder_count);

/**
 * Prepares `tpl` for matching into `buffer`. With buffer NULL and capacity
 * 0, only stores the needed size in *out_size (at most
 * BM_PREPARED_MAX_BYTES) and returns BM_OK; with a buffer too small, stores
 * the needed size and returns BM_ERR_BUFFER_TOO_SMALL. A template without
 * minutiae fails with BM_ERR_NO_MINUTIAE. Minutiae whose neighbourhood is
 * too empty to describe are left out, so a blob may hold fewer cylinders
 * than the template has minutiae (possibly none: such a blob scores 0
 * against everything). Thread-safe (templates are only read).
 */
BM_API BM_NODISCARD bm_status bm_prepare_template(const bm_template *tpl, void *buffer, size_t capacity,
                                                 size_t *out_size);

/**
 * Checks a prepared template fully (magic, version, size, checksum): call it
 * on blobs read from storage before matching against them. Fails with
 * BM_ERR_PREPARED_TRUNCATED when `size` is shorter than the header or than
 * the size the header declares, BM_ERR_PREPARED_CORRUPT for a wrong magic,
 * count or checksum, BM_ERR_TEMPLATE_MISMATCH for another format version.
 * Thread-safe.
 */
BM_API BM_NODISCARD bm_status bm_prepared_check(const void *blob, size_t size);

/** @return the number of cylinders of a prepared template (0 when the header is unreadable). Thread-safe. */
BM_API size_t bm_prepared_cylinder_count(const void *blob, size_t size);

/**
 * A prepared probe. Immutable once created: any number of threads may
 * match against the same probe at once (no scratch space lives in it).
 * Freeing needs exclusive access.
 */
typedef struct bm_probe_s bm_probe;

/** Prepares `tpl` as a probe. Same errors as bm_prepare_template(). Thread-safe. */
BM_API BM_NODISCARD bm_status bm_probe_create(const bm_template *tpl, bm_probe **out_probe);
/** Prepares a probe from a prepared template blob (checked as bm_prepared_check()). Thread-safe. */
BM_API BM_NODISCARD bm_status bm_probe_create_from_prepared(const void *blob, size_t size, bm_probe **out_probe);
/** Releases a probe. NULL is accepted. */
BM_API void bm_probe_free(bm_probe *probe);

/**
 * Compares a probe with one prepared gallery template. The header is
 * checked (magic, version, declared size against `size`) but not the
 * checksum (see bm_prepared_check()). Thread-safe: uses only stack space.
 */
BM_API BM_NODISCARD bm_status bm_match_one(const bm_probe *probe, const void *blob, size_t size, float *out_score);

/**
 * Compares a probe with `count` prepared templates packed in `packed`
 * (`packed_size` bytes): template i starts at byte offsets[i] and its size
 * is read from its header. Writes scores[i]. Stops at the first bad blob
 * (its index is in the error message). Thread-safe.
 */
BM_API BM_NODISCARD bm_status bm_match_many(const bm_probe *probe, const void *packed, size_t packed_size,
                                           const size_t *offsets, size_t count, float *scores);

/** Convenience: prepares both templates and compares them (probe = a). Thread-safe. */
BM_API BM_NODISCARD bm_status bm_match_templates(const bm_template *a, const bm_template *b, float *out_score);

/**
 * Score threshold whose estimated false match rate is `fmr` (1e-6 <= fmr
 * < 1), from the impostor-score table shipped with the library (measured on
 * FVC2002 DB1+DB2 B ISO templates, docs/matcher.md). Below the resolution
 * of that table the threshold comes from a fitted exponential tail: an
 * extrapolation. Thread-safe.
 */
BM_API BM_NODISCARD bm_status bm_match_fmr_to_threshold(double fmr, float *out_threshold);
/**
 * Estimated false match rate of `score` (same table and limits as above),
 * never below 1e-12: smaller rates would come from extrapolating the
 * fitted tail far beyond any measurement. Thread-safe.
 */
BM_API double bm_match_score_to_fmr(float score);

BM_EXTERN_C_END

#endif /* BIOMATCH_BM_MATCH_H */
