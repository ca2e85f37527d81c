/**
 * @file bm_gallery.h
 * @brief The sharded gallery: person records (up to one finger template
 *        per finger position, one or more face embeddings, metadata) held in memory,
 *        1:N identification, N:N deduplication and crash-safe persistence
 *        (docs/gallery.md).
 *
 * Use:
 * 1. bm_gallery_open(dir, ...) for a persistent gallery (write-ahead log +
 *    snapshots in `dir`) or bm_gallery_create(...) for a memory-only one.
 * 2. Build a record (bm_gallery_record_create(), add fingers from
 *    ::bm_template pointers, optionally face embeddings and metadata) and
 *    enrol it with bm_gallery_enroll(). Templates are prepared (match-ready)
 *    on enrolment; the gallery keeps the prepared form, not the template.
 * 3. Build a probe (bm_gallery_probe_create(), add fingers and/or a face)
 *    and call bm_gallery_identify(); read the ::bm_gallery_result through
 *    its accessors.
 * 4. bm_gallery_dedup() compares records with each other.
 *
 * Scores. Every comparison is turned into an estimated false match rate
 * (fingers: bm_match_score_to_fmr(); face: bm_face_score_to_fmr() with the
 * built-in curve) and a record's fused score is the sum of -log10(FMR) over
 * the compared fingers and the face (each term capped at 12). A record
 * holding several face embeddings is scored on the best-agreeing one (the
 * maximum cosine), its FMR corrected for the number of embeddings tried
 * (1-(1-FMR)^m). The fused
 * score's own FMR assumes independent terms (Fisher's combination of
 * p-values). docs/gallery.md states the rule and its limits.
 *
 * Candidate order is fixed: fused score descending, then external id
 * ascending (bytewise). Results do not depend on the shard count or the
 * number of threads.
 *
 * Thread safety (the contract; tested by tests/gallery/test_gallery_stress.c):
 * - A ::bm_gallery may be used from any number of threads at once:
 *   enrolments, deletions, gets, identifications, deduplications,
 *   checkpoints and syncs may all overlap.
 * - Every read (get, identify, dedup, count, list) sees one consistent
 *   state: each write either entirely before it or entirely after it,
 *   never half of one. Writes are applied in log order.
 * - A write becomes visible to reads when its log record has been written,
 *   which can be shortly before the call returns (with durable sync, the
 *   call returns once the record is on disk).
 * - bm_gallery_close() needs exclusive access (no call in flight).
 * - Records and probes are plain objects: one thread may modify one at a
 *   time; a finished record or probe may be read (enrolled, searched) by
 *   any number of threads at once. Results are immutable: any number of
 *   threads may read one.
 */
#ifndef BIOMATCH_BM_GALLERY_H
#define BIOMATCH_BM_GALLERY_H

#include <stddef.h>
#include <stdint.h>

#include "bm_errors.h"
#include "bm_export.h"
#include "bm_face.h"
#include "bm_template.h"

BM_EXTERN_C_BEGIN

/** Longest external id in bytes (any bytes except NUL; at least one). */
#define BM_GALLERY_MAX_ID_BYTES 64
/** Finger positions a record holds: 0 (unknown position) and 1..10 (::bm_finger_position). */
#define BM_GALLERY_MAX_POSITION 10
/** Largest metadata blob of a record. */
#define BM_GALLERY_MAX_METADATA_BYTES 65536
/** Most face embeddings one record holds (bm_gallery_record_add_face()). */
#define BM_GALLERY_MAX_FACES 16
/** Largest top_k of an identification. */
#define BM_GALLERY_MAX_TOP_K 100000

/** When a write call returns. Values are stable. */
typedef enum bm_gallery_sync_policy {
  /** Each enrol/delete returns only once its log record is on disk (fdatasync).
   *  Writers running at the same time share one fdatasync (group commit). */
  BM_GALLERY_SYNC_DURABLE = 0,
  /** Writes return once written to the log (a process crash loses nothing,
   *  a power loss may). bm_gallery_sync() makes everything written durable:
   *  enrol a batch, sync once, then acknowledge the batch. */
  BM_GALLERY_SYNC_DEFERRED = 1
} bm_gallery_sync_policy;

/** Gallery options. Initialise with bm_gallery_options_init(), then change fields. */
typedef struct bm_gallery_options {
  uint32_t shard_count;          /**< shards (1..1024; default 8). Stored with a persistent gallery: its stored value wins on reopening. */
  uint32_t face_dimension;       /**< 0: no faces; else 64..2048, fixed for the gallery (stored, like shard_count) */
  bm_face_storage face_storage;  /**< how face embeddings are stored (default BM_FACE_F32; stored) */
  bm_gallery_sync_policy sync;        /**< default BM_GALLERY_SYNC_DURABLE */
  uint32_t use_prefilter;        /**< 1 (default): compute and store a prefilter code per finger, for cascade searches */
  uint32_t load_with_read;       /**< 1: read the snapshot into memory instead of mapping it */
  uint32_t reserved[8];          /**< zero */
} bm_gallery_options;

/** Fills `options` with the defaults. */
BM_API void bm_gallery_options_init(bm_gallery_options *options);

/** A gallery handle (thread-safety contract above). */
typedef struct bm_gallery_s bm_gallery;

/** Creates an empty gallery held only in memory (no persistence). options may be NULL (defaults). */
BM_API BM_NODISCARD bm_status bm_gallery_create(const bm_gallery_options *options, bm_gallery **out_gallery);

/**
 * Opens (creating if needed) the gallery in `directory`: loads the newest
 * snapshot and replays the log after it. BM_ERR_LOCKED when another open
 * gallery holds the directory; BM_ERR_CORRUPT (naming file and offset) for
 * damage other than a torn log tail. options may be NULL (defaults).
 */
BM_API BM_NODISCARD bm_status bm_gallery_open(const char *directory, const bm_gallery_options *options,
                                             bm_gallery **out_gallery);

/** Closes the gallery (no sync beyond what the policy already promised). NULL accepted. Exclusive access. */
BM_API void bm_gallery_close(bm_gallery *gallery);

/* ------------------------------------------------------------------ records */

/** A record being built or read back. */
typedef struct bm_gallery_record_s bm_gallery_record;

/** Creates an empty record with external `id` (1..64 bytes, NUL-terminated). */
BM_API BM_NODISCARD bm_status bm_gallery_record_create(const char *id, bm_gallery_record **out_record);
/** Frees a record. NULL is accepted. */
BM_API void bm_gallery_record_free(bm_gallery_record *record);

/**
 * Sets the finger at `position` (0 = unknown position, 1..10) from `tpl`
 * (prepared now; the template is not kept), replacing one already there.
 * BM_ERR_BAD_FINGER_POSITION, BM_ERR_NO_MINUTIAE as bm_prepare_template().
 */
BM_API BM_NODISCARD bm_status bm_gallery_record_set_finger(bm_gallery_record *record, unsigned position,
                                                          const bm_template *tpl);
/** Removes the finger at `position` (BM_ERR_NOT_FOUND when absent). */
BM_API BM_NODISCARD bm_status bm_gallery_record_remove_finger(bm_gallery_record *record, unsigned position);
/**
 * Sets the record's face: replaces all of its face embeddings with this one
 * (validated and L2-normalised; dimension 64..2048, BM_ERR_DIMENSION
 * otherwise, and it must be the gallery's at enrolment; BM_ERR_NON_FINITE,
 * BM_ERR_ZERO_VECTOR for a non-finite or zero vector). On error the record is unchanged.
 * Thread safety: modifies the record (one thread at a time).
 */
BM_API BM_NODISCARD bm_status bm_gallery_record_set_face(bm_gallery_record *record, const float *embedding,
                                                        size_t dimension);
/**
 * Appends a face embedding to the record (several photos of one person):
 * validated and L2-normalised like bm_gallery_record_set_face(). All of a
 * record's embeddings share one dimension (BM_ERR_DIMENSION for another);
 * at most BM_GALLERY_MAX_FACES per record (BM_ERR_TOO_MANY_FACES beyond).
 * Searches score the record on its best-agreeing embedding. On error the
 * record is unchanged.
 * Thread safety: modifies the record (one thread at a time).
 */
BM_API BM_NODISCARD bm_status bm_gallery_record_add_face(bm_gallery_record *record, const float *embedding,
                                                        size_t dimension);
/** Sets opaque metadata (copied; at most BM_GALLERY_MAX_METADATA_BYTES; size 0 clears). */
BM_API BM_NODISCARD bm_status bm_gallery_record_set_metadata(bm_gallery_record *record, const void *data,
                                                            size_t size);

/** @return the record's id (valid while the record lives). */
BM_API const char *bm_gallery_record_id(const bm_gallery_record *record);
/** @return 1 when the record holds a finger at `position`. */
BM_API int bm_gallery_record_has_finger(const bm_gallery_record *record, unsigned position);
/** @return the number of fingers held. */
BM_API size_t bm_gallery_record_finger_count(const bm_gallery_record *record);
/** The prepared template (bm_match.h blob) of the finger at `position`, or NULL; size in *size. */
BM_API const void *bm_gallery_record_prepared(const bm_gallery_record *record, unsigned position, size_t *size);
/**
 * The record's first normalised face embedding (NULL when none); dimension
 * in *dimension (may be NULL; 0 when none). Thread-safe on a record no
 * thread modifies; the pointer is valid until the record's faces change.
 */
BM_API const float *bm_gallery_record_face(const bm_gallery_record *record, size_t *dimension);
/** @return the number of face embeddings the record holds (0 for NULL). Thread-safe on a record no thread modifies. */
BM_API size_t bm_gallery_record_face_count(const bm_gallery_record *record);
/**
 * Face embedding `i` (0 .. count-1, in the order they were added) of the
 * record, normalised; NULL when i is out of range. Dimension in *dimension
 * (may be NULL; 0 when out of range). Thread-safe on a record no thread
 * modifies; the pointer is valid until the record's faces change.
 */
BM_API const float *bm_gallery_record_face_at(const bm_gallery_record *record, size_t i, size_t *dimension);
/** The metadata (NULL when none); size in *size (may be NULL). */
BM_API const void *bm_gallery_record_metadata(const bm_gallery_record *record, size_t *size);
/** Log sequence number of the write that stored the record (0 for a record never enrolled). */
BM_API uint64_t bm_gallery_record_sequence(const bm_gallery_record *record);

/** How bm_gallery_enroll() treats an id already enrolled. Values are stable. */
typedef enum bm_gallery_enroll_mode {
  BM_GALLERY_INSERT = 0,  /**< fail with BM_ERR_ALREADY_EXISTS */
  BM_GALLERY_REPLACE = 1, /**< the new record replaces the old one entirely (its faces included) */
  /** fingers and metadata of the new record are set on the old one (same
   *  position replaced); its face embeddings are appended to the old one's
   *  (BM_ERR_TOO_MANY_FACES beyond BM_GALLERY_MAX_FACES, nothing changed) */
  BM_GALLERY_MERGE = 2
} bm_gallery_enroll_mode;

/**
 * Enrols `record` (read only). Returns according to the gallery's sync
 * policy; *out_sequence (may be NULL) receives the log sequence number.
 * A record without fingers and face is BM_ERR_INVALID_ARGUMENT; a face of
 * another dimension BM_ERR_DIMENSION. BM_ERR_GALLERY_FAILED once a write or
 * sync failed (the gallery then refuses writes; reopen it).
 */
BM_API BM_NODISCARD bm_status bm_gallery_enroll(bm_gallery *gallery, const bm_gallery_record *record,
                                               bm_gallery_enroll_mode mode, uint64_t *out_sequence);

/** Deletes the record `id` (BM_ERR_NOT_FOUND when absent). Same durability as bm_gallery_enroll(). */
BM_API BM_NODISCARD bm_status bm_gallery_delete(bm_gallery *gallery, const char *id, uint64_t *out_sequence);

/** Copies the record `id` into a new record (BM_ERR_NOT_FOUND when absent). */
BM_API BM_NODISCARD bm_status bm_gallery_get(bm_gallery *gallery, const char *id, bm_gallery_record **out_record);

/** @return the number of live records (0 for NULL). */
BM_API size_t bm_gallery_count(bm_gallery *gallery);

/**
 * Calls `fn` for every live record id in ascending (bytewise) order, on the
 * calling thread, under one consistent view. `fn` must not call any
 * function of this gallery (the view lock is held; a write, or a read
 * queued behind a waiting writer, would deadlock). A non-zero return from
 * fn stops the walk.
 */
BM_API BM_NODISCARD bm_status bm_gallery_for_each_id(bm_gallery *gallery,
                                                    int (*fn)(void *context, const char *id), void *context);

/** Makes every write so far durable (one fdatasync). BM_OK for a memory-only gallery. */
BM_API BM_NODISCARD bm_status bm_gallery_sync(bm_gallery *gallery);

/**
 * Writes a snapshot of the whole gallery and starts a fresh log (the older
 * log and snapshot are deleted). Reads and writes may continue meanwhile;
 * writes wait while the state is serialised. BM_OK for a memory-only gallery.
 */
BM_API BM_NODISCARD bm_status bm_gallery_checkpoint(bm_gallery *gallery);

/** Reclaims the space of deleted and replaced records in every shard. */
BM_API BM_NODISCARD bm_status bm_gallery_compact(bm_gallery *gallery);

/** Memory figures of a gallery. */
typedef struct bm_gallery_stats {
  uint64_t records;        /**< live records */
  uint64_t fingers;        /**< live finger templates */
  uint64_t faces;          /**< live face embeddings (a record with several counts each) */
  uint64_t dead_fingers;   /**< finger slots of deleted/replaced records not yet compacted */
  uint64_t prepared_bytes; /**< bytes of prepared templates (live and dead) */
  uint64_t prefilter_bytes;/**< bytes of prefilter codes */
  uint64_t face_bytes;     /**< bytes of stored face embeddings (live and not yet compacted) */
  uint64_t total_bytes;    /**< every allocation the gallery holds for its records (including indexes) */
  uint64_t last_sequence;  /**< last log sequence written (0 for memory-only) */
  uint64_t durable_sequence; /**< last log sequence known durable */
  uint32_t shard_count;    /**< shards of the gallery */
  uint32_t face_dimension; /**< face embedding dimension (0: no faces) */
} bm_gallery_stats;

/** Fills *out_stats with counts and memory figures of a consistent view. Thread-safe. */
BM_API BM_NODISCARD bm_status bm_gallery_get_stats(bm_gallery *gallery, bm_gallery_stats *out_stats);

/* ------------------------------------------------------------------ search */

/** A search probe: 1..11 fingers of known position, or one of unknown position, and/or a face. */
typedef struct bm_gallery_probe_s bm_gallery_probe;

/** Creates an empty probe. Thread-safe. */
BM_API BM_NODISCARD bm_status bm_gallery_probe_create(bm_gallery_probe **out_probe);
/** Frees a probe. NULL is accepted. */
BM_API void bm_gallery_probe_free(bm_gallery_probe *probe);
/**
 * Adds a probe finger. position 1..10 is compared only with the record's
 * finger at that position; position 0 (unknown, e.g. a latent) is compared
 * with every finger of every record and must be the probe's only finger
 * (BM_ERR_INVALID_ARGUMENT otherwise). A second finger at a position
 * replaces the first.
 */
BM_API BM_NODISCARD bm_status bm_gallery_probe_add_finger(bm_gallery_probe *probe, unsigned position,
                                                         const bm_template *tpl);
/** Sets the probe's face embedding (compared with each of a record's face embeddings; the best counts). */
BM_API BM_NODISCARD bm_status bm_gallery_probe_set_face(bm_gallery_probe *probe, const float *embedding,
                                                       size_t dimension);

/** Search parameters. Initialise with bm_gallery_search_params_init(). */
typedef struct bm_gallery_search_params {
  uint32_t top_k;       /**< candidates returned at most (1..BM_GALLERY_MAX_TOP_K; default 10) */
  uint32_t threads;     /**< OpenMP threads over shards (0: OpenMP's default) */
  double max_fmr;       /**< keep candidates whose estimated FMR is <= this (default 1: keep all with a score > 0) */
  double penetration;   /**< (0, 1]: fraction of fingers the cascade passes to the matcher per shard; 1 (default) = exhaustive */
  uint32_t reserved[8]; /**< zero */
} bm_gallery_search_params;

/** Sets the defaults documented on each field. */
BM_API void bm_gallery_search_params_init(bm_gallery_search_params *params);

/** An identification result: candidates in rank order. Immutable. */
typedef struct bm_gallery_result_s bm_gallery_result;

/**
 * 1:N identification of `probe`. params may be NULL (defaults). A cascade
 * (penetration < 1) needs a gallery storing prefilter codes
 * (BM_ERR_UNSUPPORTED otherwise). Candidates with a fused score of 0 (nothing
 * in common) are never returned.
 */
BM_API BM_NODISCARD bm_status bm_gallery_identify(bm_gallery *gallery, const bm_gallery_probe *probe,
                                                 const bm_gallery_search_params *params,
                                                 bm_gallery_result **out_result);
/** Frees a result. NULL is accepted. */
BM_API void bm_gallery_result_free(bm_gallery_result *result);

/** @return the number of candidates. */
BM_API size_t bm_gallery_result_count(const bm_gallery_result *result);
/** @return candidate i's record id (valid while the result lives); NULL when i is out of range. */
BM_API const char *bm_gallery_result_id(const bm_gallery_result *result, size_t i);
/** @return candidate i's fused score (sum of -log10 FMR of its compared parts). */
BM_API double bm_gallery_result_score(const bm_gallery_result *result, size_t i);
/** @return candidate i's estimated false match rate (of the fused score, for one record). */
BM_API double bm_gallery_result_fmr(const bm_gallery_result *result, size_t i);
/** @return the number of per-finger scores of candidate i (compared fingers, in probe position order). */
BM_API size_t bm_gallery_result_finger_count(const bm_gallery_result *result, size_t i);
/**
 * Per-finger detail j of candidate i: the probe position compared, the
 * record's finger position it was compared with (equal unless the probe
 * position is 0), the matcher score and its FMR. Outputs may be NULL.
 */
BM_API BM_NODISCARD bm_status bm_gallery_result_finger(const bm_gallery_result *result, size_t i, size_t j,
                                                      unsigned *probe_position, unsigned *record_position,
                                                      float *score, double *fmr);
/**
 * Face cosine score of candidate i: the best over the record's embeddings
 * (the one that entered the fused score), or NaN when no face was compared.
 */
BM_API float bm_gallery_result_face_score(const bm_gallery_result *result, size_t i);
/**
 * Which of candidate i's face embeddings scored best (index as in
 * bm_gallery_record_face_at()) and how many were compared; outputs may be
 * NULL. BM_ERR_INVALID_ARGUMENT when i is out of range; *compared is 0 (and
 * *best_index 0) when no face was compared. Thread-safe (results are immutable).
 */
BM_API BM_NODISCARD bm_status bm_gallery_result_face_detail(const bm_gallery_result *result, size_t i,
                                                           size_t *best_index, size_t *compared);
/** Fingers the matcher compared in this search (the cascade's cost). */
BM_API uint64_t bm_gallery_result_comparisons(const bm_gallery_result *result);

/* ------------------------------------------------------------- deduplication */

/** Deduplication result: pairs above the threshold and their clusters. Immutable. */
typedef struct bm_gallery_dedup_s bm_gallery_dedup_result;

/**
 * Progress callback: `done` of `total` record pairs compared so far. Called
 * from the calling thread, and always once more when every pair is done; a
 * non-zero return cancels (BM_ERR_CANCELLED, no result), on that last call
 * too.
 */
typedef int (*bm_gallery_progress_fn)(void *context, uint64_t done, uint64_t total);

/**
 * N:N deduplication. With batch_ids NULL, every live record is compared
 * with every other; otherwise the records named in batch_ids (batch_count
 * ids, each enrolled: BM_ERR_NOT_FOUND otherwise) are compared with every
 * live record, each other included. Every pair is compared once, with the
 * fusion of identification (fingers at the same position, faces: the best
 * cosine over every pair of the two records' embeddings, its FMR corrected
 * for the number of pairs tried). Pairs whose
 * estimated FMR is <= max_fmr are kept, ordered by (first id, second id)
 * with first id < second id, and grouped into clusters (connected
 * components, union-find). threads: 0 = OpenMP's default. progress may be NULL.
 * Writes wait while the deduplication runs (it holds one consistent view).
 */
BM_API BM_NODISCARD bm_status bm_gallery_dedup(bm_gallery *gallery, const char *const *batch_ids,
                                              size_t batch_count, double max_fmr, unsigned threads,
                                              bm_gallery_progress_fn progress, void *context,
                                              bm_gallery_dedup_result **out_result);
/** Frees a deduplication result. NULL is accepted. */
BM_API void bm_gallery_dedup_free(bm_gallery_dedup_result *result);

/** @return the number of pairs found. */
BM_API size_t bm_gallery_dedup_pair_count(const bm_gallery_dedup_result *result);
/** Pair i: ids (first < second), fused score and estimated FMR. Outputs may be NULL. */
BM_API BM_NODISCARD bm_status bm_gallery_dedup_pair(const bm_gallery_dedup_result *result, size_t i,
                                                   const char **id_a, const char **id_b, double *score,
                                                   double *fmr);
/** @return the number of clusters (connected components of two or more records). */
BM_API size_t bm_gallery_dedup_cluster_count(const bm_gallery_dedup_result *result);
/** @return the number of records in cluster c (0 when out of range). */
BM_API size_t bm_gallery_dedup_cluster_size(const bm_gallery_dedup_result *result, size_t c);
/** @return record j of cluster c (ids ascending within a cluster; clusters ordered by their first id). */
BM_API const char *bm_gallery_dedup_cluster_member(const bm_gallery_dedup_result *result, size_t c, size_t j);
/** @return record pairs compared. */
BM_API uint64_t bm_gallery_dedup_pairs_compared(const bm_gallery_dedup_result *result);

BM_EXTERN_C_END

#endif /* BIOMATCH_BM_GALLERY_H */
