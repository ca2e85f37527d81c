/* Helpers for the persistence tests: scratch directories, deterministic
 * payloads, a record collector usable as a replay callback, and a snapshot
 * encoding of collected records. */
#ifndef BIOMATCH_TESTS_GALLERY_SUPPORT_H
#define BIOMATCH_TESTS_GALLERY_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "gallery/snapshot.h"

enum { GT_MAX_PAYLOAD = 128, GT_STATE_TAG = 0x52454353u /* "SCER" */ };

typedef struct gt_record {
  uint64_t sequence;
  uint32_t type;
  size_t size;
  unsigned char bytes[GT_MAX_PAYLOAD];
} gt_record;

typedef struct gt_records {
  gt_record *items;
  size_t count, capacity;
} gt_records;

/* A fresh empty directory under $TMPDIR or /tmp (malloc'd path). */
char *gt_make_directory(void);
/* Removes `path` and the files in it (one level), frees nothing. */
void gt_remove_directory(const char *path);

/* Payload of record `sequence`: its size (1..GT_MAX_PAYLOAD) and bytes are
 * a function of the number alone, so a reader can check any record. */
size_t gt_payload(uint64_t sequence, unsigned char *out);
uint32_t gt_type(uint64_t sequence);

/* The record helpers below use no Check assertions (safe in a child that
 * may be killed); they abort on an impossible record or no memory. */
void gt_records_push(gt_records *records, uint64_t sequence, uint32_t type, const void *payload, size_t size);
void gt_records_free(gt_records *records);

/* bm_wal_record_fn_ appending to the gt_records passed as context. */
bm_status gt_collect_record(void *context, uint64_t sequence, uint32_t type, const void *payload, size_t size);
/* on_snapshot callback: decodes the GT_STATE_TAG section into the context's records. */
bm_status gt_collect_snapshot(void *context, const bm_snapshot_ *snapshot);
/* Encodes records for a GT_STATE_TAG section (malloc'd, size in *size). */
unsigned char *gt_encode_records(const gt_records *records, size_t *size);

/* Checks records are 1..count (or first..), each with gt_payload/gt_type.
 * Returns NULL if so, otherwise a static description of the first fault. */
const char *gt_check_records(const gt_records *records, uint64_t first_sequence);

/* Whole-file helpers; abort the test through Check on failure. */
unsigned char *gt_read_file(const char *path, size_t *size);
void gt_write_file(const char *path, const void *data, size_t size);
/* Path of the only file in `directory` whose name starts with `prefix`. */
char *gt_find_file(const char *directory, const char *prefix);
/* Number of files whose name starts with `prefix`. */
int gt_count_files(const char *directory, const char *prefix);

#endif
