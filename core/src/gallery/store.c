/* Gallery directory: lock, recovery (newest snapshot + later logs),
 * appends under a sync policy, checkpoints and the failed state.
 *
 * Files in the directory:
 *   LOCK                        flock()ed by the one process that writes
 *   snapshot-<S>.bms            covers every record up to sequence S
 *   log-<F>.wal                 records numbered from F upwards
 *   *.tmp                       a snapshot or log not yet complete
 */
#include "gallery/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"

struct bm_store_ {
  char *directory;
  int lock_fd;
  bm_store_options_ options;
  bm_wal_ *wal;
  bm_snapshot_ *snapshot; /* loaded at open; callers may use it in place until close */
  uint64_t last_sequence;
  uint64_t durable_sequence;
  uint32_t pending;       /* records written since the last sync */
  uint64_t pending_bytes; /* their payload bytes */
  struct timespec oldest_pending;
  int failed;
};

typedef struct number_list_ {
  uint64_t *items;
  size_t count, capacity;
} number_list_;

static int push_number_(number_list_ *list, uint64_t value) {
  if (list->count == list->capacity) {
    size_t capacity = list->capacity ? list->capacity * 2 : 16;
    uint64_t *items = realloc(list->items, capacity * sizeof *items);
    if (!items) return 0;
    list->items = items;
    list->capacity = capacity;
  }
  list->items[list->count++] = value;
  return 1;
}

static int compare_numbers_(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static int ends_with_(const char *name, const char *suffix) {
  size_t name_length = strlen(name), suffix_length = strlen(suffix);
  return name_length >= suffix_length && strcmp(name + name_length - suffix_length, suffix) == 0;
}

/* Lists the snapshots and logs of `directory`, sorted by number. With
 * `remove_temporary`, files left by an interrupted snapshot or log
 * creation are deleted: they were never renamed, so nothing refers to them. */
static bm_status list_directory_(const char *directory, int remove_temporary, number_list_ *snapshots,
                                 number_list_ *logs) {
  DIR *listing = opendir(directory);
  if (!listing) return bm_fail_(BM_ERR_IO, "listing gallery directory %s: %s", directory, strerror(errno));
  bm_status status = BM_OK;
  struct dirent *entry;
  while (status == BM_OK && (entry = readdir(listing)) != NULL) {
    const char *name = entry->d_name;
    uint64_t number;
    if (bm_file_parse_numbered_name_(name, "snapshot-", ".bms", &number)) {
      if (!push_number_(snapshots, number)) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "listing %s", directory);
    } else if (bm_file_parse_numbered_name_(name, "log-", ".wal", &number)) {
      if (!push_number_(logs, number)) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "listing %s", directory);
    } else if (remove_temporary && ends_with_(name, ".tmp") &&
               (strncmp(name, "snapshot-", 9) == 0 || strncmp(name, "log-", 4) == 0)) {
      unlinkat(dirfd(listing), name, 0);
    }
  }
  closedir(listing);
  if (status != BM_OK) return status;
  if (snapshots->count > 1) qsort(snapshots->items, snapshots->count, sizeof(uint64_t), compare_numbers_);
  if (logs->count > 1) qsort(logs->items, logs->count, sizeof(uint64_t), compare_numbers_);
  return BM_OK;
}

/* Deletes logs starting before `first_log_kept` and snapshots older than
 * `snapshot_kept`, then syncs the directory. Called only once the files
 * that replace them are durable. A file that cannot be removed is left:
 * recovery recognises it as obsolete again next time. */
static bm_status remove_obsolete_(bm_store_ *store, uint64_t first_log_kept, uint64_t snapshot_kept) {
  number_list_ snapshots = {0}, logs = {0};
  bm_status status = list_directory_(store->directory, 1, &snapshots, &logs);
  for (size_t i = 0; status == BM_OK && i < logs.count && logs.items[i] < first_log_kept; ++i) {
    char *path = bm_file_numbered_path_(store->directory, "log-", logs.items[i], ".wal");
    if (path) unlink(path);
    free(path);
  }
  for (size_t i = 0; status == BM_OK && i < snapshots.count && snapshots.items[i] < snapshot_kept; ++i) {
    char *path = bm_file_numbered_path_(store->directory, "snapshot-", snapshots.items[i], ".bms");
    if (path) unlink(path);
    free(path);
  }
  free(snapshots.items);
  free(logs.items);
  if (status == BM_OK) status = bm_file_sync_directory_(store->options.io, store->directory);
  return status;
}

/* A write or sync failed: after a failed fsync Linux may already have
 * dropped the dirty pages and a retry can report success over lost data
 * ("fsyncgate"), so the store stops accepting writes for good. */
static bm_status enter_failed_state_(bm_store_ *store) {
  char cause[256];
  snprintf(cause, sizeof cause, "%s", bm_last_error_message());
  store->failed = 1;
  return bm_fail_(BM_ERR_GALLERY_FAILED, "%s; the gallery at %s now refuses writes", cause, store->directory);
}

static bm_status refuse_if_failed_(const bm_store_ *store) {
  if (!store->failed) return BM_OK;
  return bm_fail_(BM_ERR_GALLERY_FAILED, "the gallery at %s refuses writes after an earlier write or sync failure",
                  store->directory);
}

static bm_status take_lock_(bm_store_ *store) {
  size_t length = strlen(store->directory) + sizeof "/LOCK";
  char *path = malloc(length);
  if (!path) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "lock path for %s", store->directory);
  snprintf(path, length, "%s/LOCK", store->directory);
  store->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  bm_status status = BM_OK;
  if (store->lock_fd < 0)
    status = bm_fail_(BM_ERR_IO, "opening lock file %s: %s", path, strerror(errno));
  else if (flock(store->lock_fd, LOCK_EX | LOCK_NB) != 0)
    status = errno == EWOULDBLOCK
                 ? bm_fail_(BM_ERR_LOCKED, "gallery directory %s is open for writing elsewhere (%s is locked)",
                            store->directory, path)
                 : bm_fail_(BM_ERR_IO, "locking %s: %s", path, strerror(errno));
  free(path);
  return status;
}

/* Replays the logs that matter after snapshot `covered` and prepares the
 * log to append to. `logs` is sorted. */
static bm_status recover_logs_(bm_store_ *store, const number_list_ *logs, uint64_t covered,
                               const bm_store_callbacks_ *callbacks, uint64_t *first_log_kept) {
  /* The log to start from is the newest one beginning at or before
   * covered + 1: older ones hold only records the snapshot covers. */
  size_t start = logs->count;
  for (size_t i = 0; i < logs->count; ++i)
    if (logs->items[i] <= covered + 1) start = i;
  if (logs->count > 0 && start == logs->count)
    return bm_fail_(BM_ERR_CORRUPT, "gallery %s: oldest log starts at sequence %" PRIu64
                    " but the snapshot covers only up to %" PRIu64, store->directory, logs->items[0], covered);
  uint64_t next = covered + 1;
  bm_wal_scan_result_ scan = {0};
  char *path = NULL;
  for (size_t i = start; i < logs->count; ++i) {
    free(path);
    path = bm_file_numbered_path_(store->directory, "log-", logs->items[i], ".wal");
    if (!path) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "log path in %s", store->directory);
    bm_status status = bm_wal_scan_(path, covered, callbacks ? callbacks->on_record : NULL,
                                    callbacks ? callbacks->context : NULL, &scan);
    if (status != BM_OK) {
      free(path);
      return status;
    }
    const char *problem = NULL;
    if (scan.first_sequence != logs->items[i])
      problem = "header sequence differs from the file name";
    else if (i > start && scan.first_sequence != next)
      problem = "does not continue the previous log (missing records)";
    else if (scan.torn_tail && i + 1 < logs->count)
      problem = "has a torn tail but is not the newest log";
    if (problem) {
      bm_status failure = bm_fail_(BM_ERR_CORRUPT, "log %s (first sequence %" PRIu64 ") %s", path,
                                   scan.first_sequence, problem);
      free(path);
      return failure;
    }
    next = scan.first_sequence + scan.record_count;
  }
  store->last_sequence = next - 1 > covered ? next - 1 : covered;
  bm_status status;
  if (path && next == store->last_sequence + 1) {
    status = bm_wal_open_for_append_(path, &scan, store->options.io, &store->wal);
  } else {
    /* No log, or the newest ends before the snapshot: start one after it. */
    status = bm_wal_create_(store->directory, store->last_sequence + 1, store->options.io, &store->wal);
  }
  free(path);
  if (status == BM_OK) {
    status = bm_wal_sync_(store->wal);
    *first_log_kept = bm_wal_first_sequence_(store->wal);
  }
  return status;
}

bm_status bm_store_open_(const char *directory, const bm_store_options_ *options,
                         const bm_store_callbacks_ *callbacks, bm_store_ **out) {
  if (!directory || !out) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_store_open_: directory and out are required");
  *out = NULL;
  if (options && options->sync_policy != BM_SYNC_EACH_ && options->sync_policy != BM_SYNC_GROUP_ &&
      options->sync_policy != BM_SYNC_NONE_)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_store_open_: sync_policy %d is not a policy", (int)options->sync_policy);
  if (mkdir(directory, 0755) != 0 && errno != EEXIST)
    return bm_fail_(BM_ERR_IO, "creating gallery directory %s: %s", directory, strerror(errno));
  bm_store_ *store = calloc(1, sizeof *store);
  if (!store || !(store->directory = strdup(directory))) {
    free(store);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "opening gallery %s", directory);
  }
  store->lock_fd = -1;
  if (options) store->options = *options;
  if (!store->options.io) store->options.io = bm_file_io_default_();

  number_list_ snapshots = {0}, logs = {0};
  uint64_t covered = 0, first_log_kept = 0;
  bm_status status = take_lock_(store);
  if (status == BM_OK) status = list_directory_(directory, 1, &snapshots, &logs);
  if (status == BM_OK && snapshots.count > 0) {
    /* Only the newest snapshot can be used: the logs that led to older ones
     * were deleted once it was durable. */
    uint64_t newest = snapshots.items[snapshots.count - 1];
    char *path = bm_file_numbered_path_(directory, "snapshot-", newest, ".bms");
    status = path ? bm_snapshot_load_(path, !store->options.load_with_read, &store->snapshot)
                  : bm_fail_(BM_ERR_OUT_OF_MEMORY, "snapshot path in %s", directory);
    if (status == BM_OK && bm_snapshot_sequence_(store->snapshot) != newest)
      status = bm_fail_(BM_ERR_CORRUPT, "snapshot %s: header sequence %" PRIu64 " differs from the file name", path,
                        bm_snapshot_sequence_(store->snapshot));
    free(path);
    covered = newest;
  }
  if (status == BM_OK && store->snapshot && callbacks && callbacks->on_snapshot)
    status = callbacks->on_snapshot(callbacks->context, store->snapshot);
  if (status == BM_OK) status = recover_logs_(store, &logs, covered, callbacks, &first_log_kept);
  if (status == BM_OK) status = remove_obsolete_(store, first_log_kept, covered);
  free(snapshots.items);
  free(logs.items);
  if (status != BM_OK) {
    bm_store_close_(store);
    return status;
  }
  store->durable_sequence = store->last_sequence;
  *out = store;
  return BM_OK;
}

static bm_status sync_pending_(bm_store_ *store) {
  if (store->pending == 0) return BM_OK;
  if (bm_wal_sync_(store->wal) != BM_OK) return enter_failed_state_(store);
  store->pending = 0;
  store->pending_bytes = 0;
  store->durable_sequence = store->last_sequence;
  return BM_OK;
}

static int group_is_due_(const bm_store_ *store) {
  if (store->options.group_records > 0 && store->pending >= store->options.group_records) return 1;
  if (store->options.group_bytes > 0 && store->pending_bytes >= store->options.group_bytes) return 1;
  if (store->options.group_delay_us == 0) return 0;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  int64_t elapsed_us = (int64_t)(now.tv_sec - store->oldest_pending.tv_sec) * 1000000 +
                       (now.tv_nsec - store->oldest_pending.tv_nsec) / 1000;
  return elapsed_us >= (int64_t)store->options.group_delay_us;
}

bm_status bm_store_append_(bm_store_ *store, uint32_t type, const void *payload, size_t size, uint64_t *sequence) {
  if (!store) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_store_append_: NULL store");
  bm_status status = refuse_if_failed_(store);
  if (status != BM_OK) return status;
  if (!payload && size > 0) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_store_append_: NULL payload of %zu bytes", size);
  if (size > BM_WAL_MAX_PAYLOAD_)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_store_append_: payload of %zu bytes exceeds the limit", size);
  uint64_t assigned = 0;
  if (bm_wal_append_(store->wal, type, payload, size, &assigned) != BM_OK) return enter_failed_state_(store);
  store->last_sequence = assigned;
  store->pending_bytes += size;
  if (store->pending++ == 0 && store->options.group_delay_us > 0) clock_gettime(CLOCK_MONOTONIC, &store->oldest_pending);
  switch (store->options.sync_policy) {
    case BM_SYNC_EACH_:
      status = sync_pending_(store);
      break;
    case BM_SYNC_GROUP_:
      if (group_is_due_(store)) status = sync_pending_(store);
      break;
    case BM_SYNC_NONE_:
      break;
  }
  if (status == BM_OK && sequence) *sequence = assigned;
  return status;
}

bm_status bm_store_sync_(bm_store_ *store) {
  if (!store) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_store_sync_: NULL store");
  bm_status status = refuse_if_failed_(store);
  return status != BM_OK ? status : sync_pending_(store);
}

bm_status bm_store_checkpoint_(bm_store_ *store, const bm_snapshot_section_ *sections, size_t count) {
  if (!store || (count > 0 && !sections))
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_store_checkpoint_: NULL store or sections");
  bm_status status = refuse_if_failed_(store);
  if (status == BM_OK) status = sync_pending_(store);
  if (status != BM_OK) return status;
  /* Order matters for crash safety: (1) the snapshot is durable under its
   * final name before (2) the new log exists, and both before (3) old files
   * go. A crash before (1) completes leaves a .tmp that recovery deletes;
   * after (1) the old log's records are all <= covered and are skipped. */
  uint64_t covered = store->last_sequence;
  char *path = bm_file_numbered_path_(store->directory, "snapshot-", covered, ".bms");
  if (!path) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "snapshot path in %s", store->directory);
  status = bm_snapshot_write_(store->directory, path, covered, sections, count, store->options.io);
  free(path);
  if (status == BM_ERR_INVALID_ARGUMENT || status == BM_ERR_OUT_OF_MEMORY) return status;
  if (status != BM_OK) return enter_failed_state_(store);
  if (bm_wal_first_sequence_(store->wal) != covered + 1) {
    bm_wal_ *fresh = NULL;
    if (bm_wal_create_(store->directory, covered + 1, store->options.io, &fresh) != BM_OK)
      return enter_failed_state_(store);
    bm_wal_close_(store->wal);
    store->wal = fresh;
  }
  if (remove_obsolete_(store, covered + 1, covered) != BM_OK) return enter_failed_state_(store);
  return BM_OK;
}

uint64_t bm_store_last_sequence_(const bm_store_ *store) { return store->last_sequence; }
uint64_t bm_store_durable_sequence_(const bm_store_ *store) { return store->durable_sequence; }
int bm_store_failed_(const bm_store_ *store) { return store->failed; }

void bm_store_close_(bm_store_ *store) {
  if (!store) return;
  bm_wal_close_(store->wal);
  bm_snapshot_free_(store->snapshot);
  if (store->lock_fd >= 0) close(store->lock_fd); /* closing drops the flock */
  free(store->directory);
  free(store);
}
