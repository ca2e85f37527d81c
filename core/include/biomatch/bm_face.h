/**
 * @file bm_face.h
 * @brief Face embeddings: an in-memory index with exact SIMD search and
 *        approximate search through FAISS.
 *
 * Embeddings come from whatever face model the integrator runs; biomatch
 * only assumes that cosine similarity compares them. Every embedding is
 * L2-normalised on entry, so scores are cosine similarities in [-1, 1].
 *
 * Storage, fixed per index:
 * - BM_FACE_F32: the normalised floats (4 bytes per value).
 * - BM_FACE_F16: IEEE half floats, round to nearest (2 bytes per value).
 * - BM_FACE_INT8: per-vector symmetric quantisation (1 byte per value plus a
 *   4-byte scale): q_i = round(127 * v_i / max|v|), scale = max|v| / 127;
 *   score = dot(q_query, q_row) * scale_query * scale_row.
 * With BM_FACE_KEEP_F32 the normalised floats are also kept, and the best
 * candidates of a compressed scan are re-scored exactly ("re-ranking").
 *
 * Thread safety: searches may run concurrently with each other; adding
 * needs exclusive access (no search in flight).
 */
#ifndef BIOMATCH_BM_FACE_H
#define BIOMATCH_BM_FACE_H

#include <stddef.h>
#include <stdint.h>

#include "bm_errors.h"
#include "bm_export.h"
#include "bm_kernels.h"

BM_EXTERN_C_BEGIN

/** Smallest embedding dimension accepted. */
#define BM_FACE_MIN_DIMENSION 64
/** Largest embedding dimension accepted. */
#define BM_FACE_MAX_DIMENSION 2048

/** Storage type of an index's embeddings. Values are stable. */
typedef enum bm_face_storage {
  BM_FACE_F32 = 0,
  BM_FACE_F16 = 1,
  BM_FACE_INT8 = 2
} bm_face_storage;

/** Flags of bm_face_index_create(). */
enum {
  BM_FACE_KEEP_F32 = 1u << 0 /**< keep float copies for exact re-ranking of compressed scans */
};

/** An index of face embeddings (see the thread-safety note above). */
typedef struct bm_face_index_s bm_face_index;

/** Creates an empty index for `dimension`-d embeddings (64..2048). */
BM_API BM_NODISCARD bm_status bm_face_index_create(size_t dimension, bm_face_storage storage, unsigned flags,
                                                  bm_face_index **out_index);
/** Frees an index. NULL is accepted. */
BM_API void bm_face_index_free(bm_face_index *index);

/**
 * Adds one embedding under `id` (ids need not be unique: a person may have
 * several). The vector is validated (dimension equal to the index's,
 * finite values: BM_ERR_DIMENSION, BM_ERR_NON_FINITE, BM_ERR_ZERO_VECTOR),
 * normalised and stored. Not thread-safe with searches.
 */
BM_API BM_NODISCARD bm_status bm_face_index_add(bm_face_index *index, uint64_t id, const float *embedding,
                                               size_t dimension);

/** @return the number of embeddings held (0 for NULL). */
BM_API size_t bm_face_index_size(const bm_face_index *index);
/** @return the embedding dimension (0 for NULL). */
BM_API size_t bm_face_index_dimension(const bm_face_index *index);
/** @return bytes of embedding storage held (what a scan reads), for memory reporting. */
BM_API size_t bm_face_index_storage_bytes(const bm_face_index *index);

/**
 * Exact search: scores the query against every stored embedding with the
 * active SIMD tier and writes the best `k` to `results` (score descending,
 * ties in insertion order; *out_count <= k). `rerank` > 0 (only with
 * BM_FACE_KEEP_F32) re-scores the best max(k, rerank) candidates of a
 * compressed scan in float before the final selection. `threads` = 0 uses
 * OpenMP's default; results do not depend on the thread count.
 */
BM_API BM_NODISCARD bm_status bm_face_index_search(const bm_face_index *index, const float *query, size_t dimension,
                                                  size_t k, size_t rerank, unsigned threads, bm_scored_id *results,
                                                  size_t *out_count);

/**
 * Exact search of `query_count` queries at once (row-major, `dimension`
 * each). The gallery is read once per block of queries rather than once per
 * query, so batches run several times faster than single searches.
 * results holds query_count * k entries; out_counts query_count counts.
 */
BM_API BM_NODISCARD bm_status bm_face_index_search_batch(const bm_face_index *index, const float *queries,
                                                        size_t query_count, size_t dimension, size_t k,
                                                        unsigned threads, bm_scored_id *results,
                                                        size_t *out_counts);

/**
 * Builds an approximate index over the stored embeddings through FAISS's
 * index factory (e.g. "HNSW32", "IVF1024,Flat", "IVF1024,PQ64"), trained
 * on the stored embeddings when the type needs training. `parameters` is
 * NULL or a FAISS ParameterSpace string such as "efSearch=64",
 * "nprobe=16" or "efConstruction=80", applied before the index is trained
 * and filled (so build-time parameters take effect). Needs
 * BM_FACE_KEEP_F32 or F32 storage. Embeddings added
 * later are not in it until it is built again.
 */
BM_API BM_NODISCARD bm_status bm_face_index_build_approximate(bm_face_index *index, const char *factory,
                                                             const char *parameters);

/**
 * Changes search-time parameters of the approximate index without building
 * it again (e.g. "efSearch=128", "nprobe=32"). Not thread-safe with searches.
 */
BM_API BM_NODISCARD bm_status bm_face_index_tune_approximate(bm_face_index *index, const char *parameters);

/** Approximate search through the index built above; same result form as bm_face_index_search(). */
BM_API BM_NODISCARD bm_status bm_face_index_search_approximate(const bm_face_index *index, const float *query,
                                                              size_t dimension, size_t k, bm_scored_id *results,
                                                              size_t *out_count);

/**
 * Face score calibration: the estimated false match rate of a cosine score,
 * i.e. the share of impostor comparisons (different people) scoring at
 * least as high. The rate depends on the face model, so a calibration
 * belongs to one model:
 * - NULL selects the built-in curve, measured on FaceNet-512 embeddings of
 *   LFW (1,435 faces of 754 people: about 1.03 million impostor pairs, so
 *   rates are measured down to ~1e-5 and extrapolated below; docs/face.md);
 * - bm_face_calibration_create() builds one from the integrator's own
 *   impostor scores of their model.
 * Between measured points the log of the rate is interpolated linearly;
 * below the lowest measured rate it follows an exponential tail fitted to
 * the last measured decade (an extrapolation).
 * A calibration is immutable once created: any number of threads may use
 * it at once; freeing needs exclusive access.
 */
typedef struct bm_face_calibration_s bm_face_calibration;

/**
 * Builds a calibration from `count` impostor cosine scores (any order, at
 * least 100, all finite: BM_ERR_INVALID_ARGUMENT / BM_ERR_NON_FINITE
 * otherwise). The scores are copied; nothing refers to them afterwards.
 * Thread-safe.
 */
BM_API BM_NODISCARD bm_status bm_face_calibration_create(const float *impostor_scores, size_t count,
                                                        bm_face_calibration **out_calibration);
/** Frees a calibration. NULL is accepted. */
BM_API void bm_face_calibration_free(bm_face_calibration *calibration);

/**
 * Estimated false match rate of `score` (1 for NaN or scores below every
 * impostor), never below 1e-12 (the calibration's tail is not followed
 * further). Thread-safe.
 */
BM_API double bm_face_score_to_fmr(const bm_face_calibration *calibration, float score);

/**
 * Cosine threshold whose estimated false match rate is `fmr` (1e-12 <= fmr
 * <= 1). Thread-safe.
 */
BM_API BM_NODISCARD bm_status bm_face_fmr_to_threshold(const bm_face_calibration *calibration, double fmr,
                                                      float *out_threshold);

/** Number of impostor scores behind a calibration (NULL: the built-in one). Thread-safe. */
BM_API size_t bm_face_calibration_impostor_count(const bm_face_calibration *calibration);

BM_EXTERN_C_END

#endif /* BIOMATCH_BM_FACE_H */
