/* A gallery directory on disk: the newest snapshot plus the write-ahead
 * logs after it, a lock so only one process writes, checkpoints, and the
 * failed state after a write or sync error. Records are opaque payloads
 * with a caller-chosen type; the store never interprets them.
 *
 * Replay delivers every durable record, which can include records whose
 * append never returned to the caller (the crash came between the write
 * and the acknowledgement). Callers must therefore apply records by key
 * (enrol = upsert, delete = delete-if-present) so that applying a record a
 * second time, or one never acknowledged, leaves a consistent state. */
#ifndef BIOMATCH_GALLERY_STORE_H
#define BIOMATCH_GALLERY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "biomatch/bm_errors.h"
#include "gallery/file_io.h"
#include "gallery/snapshot.h"
#include "gallery/wal.h"

typedef enum bm_sync_policy_ {
  /* fdatasync before every append returns: a returned append is durable. */
  BM_SYNC_EACH_ = 0,
  /* Appends are written; one fdatasync covers the group, either when the
   * caller calls bm_store_sync_ after a batch, or on the append that brings
   * the pending count to group_records or their payloads to group_bytes,
   * or whose oldest pending record is older than group_delay_us. Acknowledge only after a sync returned. */
  BM_SYNC_GROUP_ = 1,
  /* Never syncs on its own (checkpoints and bm_store_sync_ still do): a
   * process crash loses nothing, a power loss loses the page cache. */
  BM_SYNC_NONE_ = 2,
} bm_sync_policy_;

typedef struct bm_store_options_ {
  bm_sync_policy_ sync_policy;
  uint32_t group_records;  /* BM_SYNC_GROUP_: sync at this many pending records (0: no count limit) */
  uint32_t group_bytes;    /* BM_SYNC_GROUP_: sync at this many pending payload bytes (0: no size limit) */
  uint32_t group_delay_us; /* BM_SYNC_GROUP_: sync once the oldest pending record is this old (0: off) */
  int load_with_read;      /* 1: read the snapshot into memory instead of mapping it */
  const bm_file_io_ *io;   /* NULL: the real system calls; tests pass failing ones */
} bm_store_options_;

/* Recovery callbacks, called from bm_store_open_ on the opening thread:
 * first on_snapshot (only if a snapshot exists), then on_record for every
 * log record after the snapshot, in sequence order. Either may be NULL. A
 * status other than BM_OK aborts the open and is returned by it. The
 * snapshot stays valid until bm_store_close_. */
typedef struct bm_store_callbacks_ {
  bm_status (*on_snapshot)(void *context, const bm_snapshot_ *snapshot);
  bm_wal_record_fn_ on_record;
  void *context;
} bm_store_callbacks_;

/* An open gallery directory. Not thread-safe: calls on one store must not
 * overlap (the gallery above serialises its writers). Different stores on
 * different directories are independent. */
typedef struct bm_store_ bm_store_;

/* Opens (creating if needed) `directory`: takes the lock (BM_ERR_LOCKED if
 * another open store holds it, in this or another process), removes
 * temporary files of an interrupted checkpoint, loads the newest snapshot,
 * replays the logs after it, cuts a torn log tail and removes files that a
 * completed checkpoint made obsolete. Damage is BM_ERR_CORRUPT naming the
 * file and offset or section; nothing is skipped silently. */
bm_status bm_store_open_(const char *directory, const bm_store_options_ *options,
                         const bm_store_callbacks_ *callbacks, bm_store_ **out);

/* Appends one record and applies the sync policy; *sequence (may be NULL)
 * receives its number. BM_ERR_GALLERY_FAILED if this or an earlier write or
 * sync failed. */
bm_status bm_store_append_(bm_store_ *store, uint32_t type, const void *payload, size_t size, uint64_t *sequence);

/* Makes every appended record durable (one fdatasync if any is pending). */
bm_status bm_store_sync_(bm_store_ *store);

/* Writes a snapshot of `sections`, which the caller states to cover every
 * record appended so far, then starts a fresh log and deletes the old logs
 * and snapshots. A crash at any point recovers the same state. */
bm_status bm_store_checkpoint_(bm_store_ *store, const bm_snapshot_section_ *sections, size_t count);

/* Number of the last appended record (0 when none ever was). */
uint64_t bm_store_last_sequence_(const bm_store_ *store);
/* Number of the last record known durable. */
uint64_t bm_store_durable_sequence_(const bm_store_ *store);
/* 1 once a write or sync failed: the store then refuses all writes. */
int bm_store_failed_(const bm_store_ *store);

/* Releases the lock. Does not sync (the policy's promises already hold).
 * Accepts NULL. */
void bm_store_close_(bm_store_ *store);

#endif
