/* Write-ahead log: one file of checksummed, sequence-numbered records,
 * appended in order and replayed in order. The layout is in
 * docs/persistence.md. A log knows nothing of snapshots or directories;
 * the store (store.h) decides which logs to replay and when to sync. */
#ifndef BIOMATCH_GALLERY_WAL_H
#define BIOMATCH_GALLERY_WAL_H

#include <stddef.h>
#include <stdint.h>

#include "biomatch/bm_errors.h"
#include "gallery/file_io.h"

enum {
  BM_WAL_FILE_HEADER_SIZE_ = 24,
  BM_WAL_RECORD_HEADER_SIZE_ = 24,
};
/* Largest payload of one record; a larger length field is damage. */
#define BM_WAL_MAX_PAYLOAD_ ((uint32_t)1 << 30)

/* An open log positioned for appending. Not thread-safe: one thread at a
 * time (the store serialises access). */
typedef struct bm_wal_ bm_wal_;

/* Receives each valid record during a scan, in sequence order. `payload`
 * is valid only during the call. A status other than BM_OK stops the scan
 * and is returned by it. */
typedef bm_status (*bm_wal_record_fn_)(void *context, uint64_t sequence, uint32_t type, const void *payload,
                                       size_t size);

/* What a scan found. */
typedef struct bm_wal_scan_result_ {
  uint64_t first_sequence; /* from the file header */
  uint64_t record_count;   /* valid records, numbered first_sequence.. */
  uint64_t valid_end;      /* byte offset just after the last valid record */
  uint64_t file_size;
  int torn_tail;           /* 1: bytes after valid_end are an incomplete or damaged last record */
} bm_wal_scan_result_;

/* Reads the log at `path`, checks every record and delivers those with a
 * sequence number above `deliver_after` to `on_record` (may be NULL).
 * A damaged record followed only by zero bytes or end of file is a torn
 * tail: reported in `result`, not an error. A damaged record followed by
 * other data, a bad file header or a sequence number out of order is
 * BM_ERR_CORRUPT with the byte offset. */
bm_status bm_wal_scan_(const char *path, uint64_t deliver_after, bm_wal_record_fn_ on_record, void *context,
                       bm_wal_scan_result_ *result);

/* Creates an empty log "<directory>/log-<first_sequence>.wal" durably:
 * written as a temporary file, synced, renamed, directory synced. */
bm_status bm_wal_create_(const char *directory, uint64_t first_sequence, const bm_file_io_ *io, bm_wal_ **out);

/* Opens a scanned log for appending after its last valid record, first
 * cutting off (and syncing) a torn tail so new records never follow it. */
bm_status bm_wal_open_for_append_(const char *path, const bm_wal_scan_result_ *scan, const bm_file_io_ *io,
                                  bm_wal_ **out);

/* Appends one record numbered bm_wal_next_sequence_() (written, not yet
 * synced) and stores that number in *sequence (may be NULL). BM_ERR_IO
 * when the write fails: the file's tail is then unknown. */
bm_status bm_wal_append_(bm_wal_ *wal, uint32_t type, const void *payload, size_t size, uint64_t *sequence);

/* fdatasync of the log. BM_ERR_IO on failure. */
bm_status bm_wal_sync_(bm_wal_ *wal);

uint64_t bm_wal_first_sequence_(const bm_wal_ *wal);
uint64_t bm_wal_next_sequence_(const bm_wal_ *wal);
uint64_t bm_wal_size_(const bm_wal_ *wal);
const char *bm_wal_path_(const bm_wal_ *wal);

/* Closes without syncing. Accepts NULL. */
void bm_wal_close_(bm_wal_ *wal);

#endif
