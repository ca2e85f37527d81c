/* Internal layout of the gallery, shared by its files:
 *   gallery_record.c   the record object and its byte serialisation
 *   gallery_shard.c    one shard: contiguous arrays, id index, tombstones, compaction
 *   gallery_fusion.c   per-comparison FMR, the fused score and its FMR
 *   gallery_cascade.c  the prefilter glue (codes per finger, global selection)
 *   gallery_search.c   probes, 1:N identification, results
 *   gallery_dedup.c    N:N deduplication, union-find clusters
 *   gallery_persist.c  log records and snapshot sections through the store
 *   gallery.c          the handle: options, locks, enrol/delete/get
 */
#ifndef BIOMATCH_GALLERY_INTERNAL_H
#define BIOMATCH_GALLERY_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "biomatch/bm_gallery.h"
#include "biomatch/bm_match.h"
#include "gallery/store.h"

enum {
  BM_GALLERY_SLOTS_ = BM_GALLERY_MAX_POSITION + 1, /* positions 0..10 */
  BM_GALLERY_BLOB_ALIGN_ = 64,                     /* each prepared blob starts on a cache line */
};

/* ---------------------------------------------------------------- record */

struct bm_gallery_record_s {
  char id[BM_GALLERY_MAX_ID_BYTES + 1];
  uint8_t id_length;
  uint16_t finger_mask;                   /* bit p: a finger at position p */
  uint8_t *blobs[BM_GALLERY_SLOTS_];      /* prepared templates (malloc'd) */
  uint32_t blob_sizes[BM_GALLERY_SLOTS_];
  uint8_t *codes[BM_GALLERY_SLOTS_];      /* prefilter codes (malloc'd) or NULL */
  float *faces;                           /* face_count rows of face_dimension normalised values, or NULL */
  uint32_t face_count;                    /* 0..BM_GALLERY_MAX_FACES */
  uint32_t face_dimension;                /* shared by the record's faces (0 when none) */
  uint8_t *metadata;
  uint32_t metadata_size;
  uint64_t sequence;
};

/* Checks an id (1..64 bytes, NUL-terminated within 65); length in *length. */
bm_status bm_gallery_check_id_(const char *id, size_t *length);
/* Deep copy into a new record. */
bm_status bm_gallery_record_clone_(const bm_gallery_record *record, bm_gallery_record **out);
/* Sets a finger from a prepared blob (copied, checked) and an optional code (copied). */
bm_status bm_gallery_record_set_prepared_(bm_gallery_record *record, unsigned position, const void *blob,
                                          size_t size, const uint8_t *code);
/* Appends already-normalised faces (count rows of dimension values), copied. */
bm_status bm_gallery_record_append_faces_(bm_gallery_record *record, const float *faces, size_t count,
                                          size_t dimension);
/* Record serialisation formats: version 1 held at most one face (read only,
 * for galleries written before records held several); version 2 holds a
 * face count. Writes always use BM_GALLERY_RECORD_FORMAT_. */
enum { BM_GALLERY_RECORD_FORMAT_V1_ = 1, BM_GALLERY_RECORD_FORMAT_ = 2 };
/* Byte serialisation used by log records and snapshots (docs/gallery.md), current format. */
size_t bm_gallery_record_serialized_size_(const bm_gallery_record *record, size_t code_bytes);
void bm_gallery_record_serialize_(const bm_gallery_record *record, size_t code_bytes, uint8_t *out);
/* Parses one record in the current format from data[0..size); *consumed
 * receives its length. Damage is BM_ERR_CORRUPT naming `where` and the offset. */
bm_status bm_gallery_record_parse_(const uint8_t *data, size_t size, size_t code_bytes, uint32_t face_dimension,
                                   const char *where, size_t *consumed, bm_gallery_record **out);
/* The same for a given format (BM_GALLERY_RECORD_FORMAT_V1_ or _). */
bm_status bm_gallery_record_parse_format_(const uint8_t *data, size_t size, unsigned format, size_t code_bytes,
                                          uint32_t face_dimension, const char *where, size_t *consumed,
                                          bm_gallery_record **out);

/* ----------------------------------------------------------------- shard */

typedef struct bm_shard_record_ {
  char id[BM_GALLERY_MAX_ID_BYTES + 1];
  uint8_t id_length;
  uint8_t live;
  uint8_t finger_count;
  uint32_t first_finger;    /* the record's fingers are contiguous in the finger arrays */
  int64_t face_row;         /* the record's first face row (its face_count rows are adjacent); -1: none */
  uint8_t face_count;       /* 0..BM_GALLERY_MAX_FACES */
  uint64_t metadata_offset;
  uint32_t metadata_size;
  uint64_t sequence;
} bm_shard_record_;

typedef struct bm_shard_ {
  bm_shard_record_ *records;
  size_t record_count, record_capacity, live_records;
  /* fingers, in record order */
  uint64_t *finger_offsets;  /* into blobs */
  uint32_t *finger_sizes;
  uint32_t *finger_records;  /* index into records */
  uint8_t *finger_positions;
  size_t finger_count, finger_capacity, dead_fingers;
  uint8_t *blobs;            /* BM_GALLERY_BLOB_ALIGN_-aligned arena of prepared templates */
  size_t blob_bytes, blob_capacity;
  uint8_t *codes;            /* finger_count * code_bytes, 64-byte aligned (when codes are kept) */
  size_t code_bytes, codes_capacity; /* capacity in bytes (arena.h) */
  /* faces: one row per embedding, a record's rows adjacent, in record order */
  uint8_t *face_rows;        /* face_count * dimension * value size */
  size_t face_rows_capacity; /* bytes (arena.h) */
  float *face_scales;        /* int8 only */
  size_t face_count, face_capacity, face_dimension;
  size_t dead_faces;         /* face rows of deleted/replaced records not yet compacted */
  bm_face_storage face_storage;
  uint8_t *metadata;
  size_t metadata_bytes, metadata_capacity;
  /* open-addressing id index: record index, -1 empty, -2 removed */
  int64_t *table;
  size_t table_capacity, table_used;
} bm_shard_;

void bm_shard_init_(bm_shard_ *shard, size_t code_bytes, size_t face_dimension, bm_face_storage storage);
void bm_shard_free_(bm_shard_ *shard);
uint64_t bm_gallery_id_hash_(const char *id, size_t length);
/* Index of the live record `id`, or -1. */
int64_t bm_shard_find_(const bm_shard_ *shard, const char *id, size_t length);
/* Inserts `record` (replacing a live record of the same id, which becomes a tombstone). */
bm_status bm_shard_put_(bm_shard_ *shard, const bm_gallery_record *record, uint64_t sequence);
/* Tombstones the live record `id`; BM_ERR_NOT_FOUND when absent. */
bm_status bm_shard_delete_(bm_shard_ *shard, const char *id, size_t length);
/* Rebuilds the shard without tombstones. */
bm_status bm_shard_compact_(bm_shard_ *shard);
/* Copies shard record `index` into a new record object. */
bm_status bm_shard_export_(const bm_shard_ *shard, size_t index, bm_gallery_record **out);
/* Cosines of a query face (normalised f32 plus its int8 form for int8
 * storage) against `count` adjacent face rows from `first_row`, with the
 * shard's SIMD scan kernel, into scores[0..count). */
bm_status bm_shard_face_scan_(const bm_shard_ *shard, size_t first_row, size_t count, const float *query_f32,
                              const int8_t *query_i8, float query_scale, float *scores);
/* Best face cosine of record `index` against a query face, over its
 * embeddings; the embedding's index in *best_index (may be NULL). NaN when
 * the record has no face or the scan failed. */
float bm_shard_face_best_(const bm_shard_ *shard, size_t index, const float *query_f32, const int8_t *query_i8,
                          float query_scale, size_t *best_index);
/* Decodes stored face row `row` into `out` (face_dimension floats). */
void bm_shard_face_decode_row_(const bm_shard_ *shard, size_t row, float *out);
/* Bytes the shard holds for its records. */
size_t bm_shard_memory_(const bm_shard_ *shard);

/* --------------------------------------------------------------- gallery */

struct bm_gallery_s {
  uint32_t shard_count, face_dimension;
  bm_face_storage face_storage;
  size_t code_bytes;         /* prefilter code per finger kept in memory (0: none) */
  size_t log_code_bytes;     /* code bytes per finger in log records and snapshots (the stored configuration's) */
  uint32_t code_version;     /* prefilter code version of the stored codes */
  bm_gallery_sync_policy sync;
  bm_shard_ *shards;
  /* Reads hold view_lock for reading for their whole duration (one
   * consistent view); writers take it for writing only to apply a change.
   * write_lock serialises log appends with their application, so the log
   * order is the apply order; it also guards the store. */
  pthread_rwlock_t view_lock;
  pthread_mutex_t write_lock;
  bm_store_ *store;          /* NULL: memory only */
  uint64_t next_memory_sequence; /* memory-only galleries number writes too */
  int config_seen;           /* recovery: a configuration was found */
  int failed;                /* a logged write could not be applied: refuse writes until reopened */
};

uint32_t bm_gallery_shard_of_(const bm_gallery *gallery, const char *id, size_t length);

/* ------------------------------------------------------------- fusion */

enum { BM_FUSION_TERM_CAP_ = 12 }; /* one comparison adds at most 12 (FMR 1e-12) */
/* -log10 FMR of a finger score, capped. */
double bm_fusion_finger_term_(float score, double *out_fmr);
/* -log10 FMR of a face cosine, capped. */
double bm_fusion_face_term_(float cosine, double *out_fmr);
/* FMR of a fused score made of `terms` independent terms (Fisher). */
double bm_fusion_fmr_(double fused, unsigned terms);
/* FMR of the best of `m` independent comparisons each of FMR p. */
double bm_fusion_best_of_(double p, size_t m);
/* -log10 FMR of the best face cosine of `m` comparisons (a record's several
 * embeddings), the FMR corrected for m; the corrected FMR in *out_fmr. */
double bm_fusion_face_best_term_(float best_cosine, size_t m, double *out_fmr);

/* ------------------------------------------------------------- cascade */

/* Bytes of a prefilter code in this build (0: no prefilter built in). */
size_t bm_cascade_code_bytes_(void);
/* Version of the code layout (codes of another version are not compared). */
uint32_t bm_cascade_code_version_(void);
/* Encodes a template's code (code_bytes bytes). */
bm_status bm_cascade_encode_(const bm_template *tpl, uint8_t *code);
/* Scores a probe code against `count` codes stored back to back. */
bm_status bm_cascade_scan_(const uint8_t *probe_code, const uint8_t *codes, size_t count, uint32_t *similarities);

/* The k-th largest (1 <= k <= n) of values[0..n), which it reorders. */
uint32_t bm_cascade_kth_largest_(uint32_t *values, size_t n, size_t k);

/* ------------------------------------------------------------- persistence */

enum {
  BM_GALLERY_LOG_CONFIG_ = 1, /* payload: the configuration */
  BM_GALLERY_LOG_PUT_V1_ = 2, /* payload: one record in format 1 (read only: galleries written before several faces) */
  BM_GALLERY_LOG_PUT_ = 4,    /* payload: one record in the current format (upsert by id) */
  BM_GALLERY_LOG_DELETE_ = 3, /* payload: u8 id length, id (delete if present) */
};
bm_status bm_gallery_persist_open_(bm_gallery *gallery, const char *directory, const bm_gallery_options *options);
/* Appends a write's log record (caller holds write_lock). */
bm_status bm_gallery_persist_append_(bm_gallery *gallery, uint32_t type, const void *payload, size_t size,
                                     uint64_t *sequence);
bm_status bm_gallery_persist_checkpoint_(bm_gallery *gallery);
/* Applies a PUT or DELETE (replay and live writes share it; caller holds the view write lock). */
bm_status bm_gallery_apply_put_(bm_gallery *gallery, const bm_gallery_record *record, uint64_t sequence);
bm_status bm_gallery_apply_delete_(bm_gallery *gallery, const char *id, size_t length);
bm_status bm_gallery_init_shards_(bm_gallery *gallery);

#endif
