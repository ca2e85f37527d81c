/* Gallery directory store: reopen round trips, the directory lock, sync
 * policies, the failed state after injected write and sync errors,
 * checkpoints, and recovery after a crash at each step of a checkpoint. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "failing_io.h"
#include "gallery/store.h"
#include "gallery_test_support.h"
#include "test_support.h"

static const bm_store_callbacks_ collect_only_records_ = {NULL, gt_collect_record, NULL};

static bm_store_ *open_collecting_(const char *directory, const bm_store_options_ *options, gt_records *records) {
  bm_store_callbacks_ callbacks = {gt_collect_snapshot, gt_collect_record, records};
  bm_store_ *store = NULL;
  bm_status status = bm_store_open_(directory, options, &callbacks, &store);
  ck_assert_msg(status == BM_OK, "open %s: %s %s", directory, bm_error_name(status), bm_last_error_message());
  return store;
}

/* Appends records first..last with their deterministic payloads. */
static void append_range_(bm_store_ *store, uint64_t first, uint64_t last) {
  unsigned char payload[GT_MAX_PAYLOAD];
  for (uint64_t sequence = first; sequence <= last; ++sequence) {
    uint64_t assigned = 0;
    size_t size = gt_payload(sequence, payload);
    ck_assert_int_eq(bm_store_append_(store, gt_type(sequence), payload, size, &assigned), BM_OK);
    ck_assert_uint_eq(assigned, sequence);
  }
}

/* A checkpoint whose single section holds records 1..last. */
static void checkpoint_through_(bm_store_ *store, uint64_t last) {
  gt_records state = {0};
  unsigned char payload[GT_MAX_PAYLOAD];
  for (uint64_t sequence = 1; sequence <= last; ++sequence)
    gt_records_push(&state, sequence, gt_type(sequence), payload, gt_payload(sequence, payload));
  size_t size;
  unsigned char *encoded = gt_encode_records(&state, &size);
  bm_snapshot_section_ section = {GT_STATE_TAG, encoded, size};
  bm_status status = bm_store_checkpoint_(store, &section, 1);
  ck_assert_msg(status == BM_OK, "checkpoint: %s", bm_last_error_message());
  free(encoded);
  gt_records_free(&state);
}

/* Opens the store without looking at what it recovers. */
static bm_store_ *reopen_(const char *directory) {
  gt_records records = {0};
  bm_store_ *store = open_collecting_(directory, NULL, &records);
  gt_records_free(&records);
  return store;
}

/* Writes a history into `directory`: records 1..checkpointed, a checkpoint
 * through them, then records checkpointed+1..last; closes the store. */
static void write_checkpointed_history_(const char *directory, uint64_t checkpointed, uint64_t last) {
  bm_store_ *store = reopen_(directory);
  append_range_(store, 1, checkpointed);
  checkpoint_through_(store, checkpointed);
  append_range_(store, checkpointed + 1, last);
  bm_store_close_(store);
}

/* Reopens and checks the recovered records are exactly 1..last. */
static void expect_recovered_(const char *directory, uint64_t last) {
  gt_records records = {0};
  bm_store_ *store = open_collecting_(directory, NULL, &records);
  ck_assert_uint_eq(records.count, last);
  const char *problem = gt_check_records(&records, 1);
  ck_assert_msg(problem == NULL, "%s", problem);
  ck_assert_uint_eq(bm_store_last_sequence_(store), last);
  bm_store_close_(store);
  gt_records_free(&records);
}

START_TEST(test_reopen_round_trip) {
  char *directory = gt_make_directory();
  gt_records records = {0};
  bm_store_ *store = open_collecting_(directory, NULL, &records);
  ck_assert_uint_eq(records.count, 0);
  ck_assert_uint_eq(bm_store_last_sequence_(store), 0);
  append_range_(store, 1, 100);
  ck_assert_uint_eq(bm_store_durable_sequence_(store), 100);
  bm_store_close_(store);
  expect_recovered_(directory, 100);
  /* Appending after a reopen continues the numbering in the same log. */
  store = open_collecting_(directory, NULL, &records);
  append_range_(store, 101, 150);
  bm_store_close_(store);
  gt_records_free(&records);
  expect_recovered_(directory, 150);
  ck_assert_int_eq(gt_count_files(directory, "log-"), 1);
  bm_store_close_(NULL);
  gt_remove_directory(directory);
  free(directory);
}
END_TEST

START_TEST(test_directory_lock) {
  char *directory = gt_make_directory();
  bm_store_ *first = NULL, *second = NULL;
  ck_assert_int_eq(bm_store_open_(directory, NULL, NULL, &first), BM_OK);
  ck_assert_int_eq(bm_store_open_(directory, NULL, NULL, &second), BM_ERR_LOCKED);
  ck_assert_ptr_null(second);
  /* Another process is refused as well. */
  pid_t child = fork();
  if (child == 0) {
    bm_store_ *other = NULL;
    _exit(bm_store_open_(directory, NULL, NULL, &other) == BM_ERR_LOCKED ? 0 : 1);
  }
  ck_assert_int_gt(child, 0);
  int child_status = 0;
  ck_assert_int_eq(waitpid(child, &child_status, 0), child);
  ck_assert(WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0);
  bm_store_close_(first);
  ck_assert_int_eq(bm_store_open_(directory, NULL, NULL, &second), BM_OK);
  bm_store_close_(second);
  gt_remove_directory(directory);
  free(directory);
}
END_TEST

START_TEST(test_sync_policies) {
  char *directory = gt_make_directory();
  bm_store_options_ options = {.sync_policy = BM_SYNC_EACH_, .io = &failing_io_table};
  bm_store_ *store = NULL;
  failing_io_reset();
  ck_assert_int_eq(bm_store_open_(directory, &options, NULL, &store), BM_OK);
  int before = failing_io.datasync_calls;
  append_range_(store, 1, 10);
  ck_assert_int_eq(failing_io.datasync_calls - before, 10);
  bm_store_close_(store);

  options.sync_policy = BM_SYNC_GROUP_;
  options.group_records = 8;
  ck_assert_int_eq(bm_store_open_(directory, &options, NULL, &store), BM_OK);
  before = failing_io.datasync_calls;
  append_range_(store, 11, 17);
  ck_assert_int_eq(failing_io.datasync_calls - before, 0);
  ck_assert_uint_eq(bm_store_durable_sequence_(store), 10);
  append_range_(store, 18, 18);
  ck_assert_int_eq(failing_io.datasync_calls - before, 1);
  ck_assert_uint_eq(bm_store_durable_sequence_(store), 18);
  append_range_(store, 19, 81); /* 63 more: 7 full groups of 8, 7 pending */
  ck_assert_int_eq(failing_io.datasync_calls - before, 8);
  ck_assert_uint_eq(bm_store_durable_sequence_(store), 74);
  ck_assert_int_eq(bm_store_sync_(store), BM_OK);
  ck_assert_uint_eq(bm_store_durable_sequence_(store), 81);
  ck_assert_int_eq(failing_io.datasync_calls - before, 9);
  ck_assert_int_eq(bm_store_sync_(store), BM_OK); /* nothing pending: no sync */
  ck_assert_int_eq(failing_io.datasync_calls - before, 9);
  bm_store_close_(store);

  /* A size limit: payloads are 1..128 bytes, so 256 bytes are reached
   * after at least 2 and at most 256 records; the sync empties the group. */
  options.group_records = 0;
  options.group_bytes = 256;
  ck_assert_int_eq(bm_store_open_(directory, &options, NULL, &store), BM_OK);
  before = failing_io.datasync_calls;
  unsigned char payload[GT_MAX_PAYLOAD];
  uint64_t pending_bytes = 0, sequence = 82;
  for (; failing_io.datasync_calls == before; ++sequence) {
    size_t size = gt_payload(sequence, payload);
    ck_assert_uint_lt(pending_bytes, 256);
    ck_assert_int_eq(bm_store_append_(store, gt_type(sequence), payload, size, NULL), BM_OK);
    pending_bytes += size;
  }
  ck_assert_uint_ge(pending_bytes, 256);
  ck_assert_uint_eq(bm_store_durable_sequence_(store), sequence - 1);
  bm_store_close_(store);
  expect_recovered_(directory, sequence - 1);
  uint64_t last = sequence - 1;

  /* A time limit: an append made 30 ms after the oldest pending one syncs
   * the group (whether the first synced alone depends on the clock). */
  options.group_bytes = 0;
  options.group_delay_us = 20000;
  ck_assert_int_eq(bm_store_open_(directory, &options, NULL, &store), BM_OK);
  before = failing_io.datasync_calls;
  append_range_(store, last + 1, last + 1);
  if (failing_io.datasync_calls == before) {
    ck_assert_uint_eq(bm_store_durable_sequence_(store), last);
    usleep(30000);
    append_range_(store, last + 2, last + 2);
    ck_assert_int_eq(failing_io.datasync_calls - before, 1);
    ck_assert_uint_eq(bm_store_durable_sequence_(store), last + 2);
  } else { /* the thread stalled 20 ms inside the first append: that was due too */
    ck_assert_uint_eq(bm_store_durable_sequence_(store), last + 1);
    append_range_(store, last + 2, last + 2);
  }
  bm_store_close_(store);
  last += 2;
  options.group_delay_us = 0;

  options.sync_policy = BM_SYNC_NONE_;
  ck_assert_int_eq(bm_store_open_(directory, &options, NULL, &store), BM_OK);
  before = failing_io.datasync_calls;
  append_range_(store, last + 1, last + 40);
  ck_assert_int_eq(failing_io.datasync_calls - before, 0);
  ck_assert_uint_eq(bm_store_durable_sequence_(store), last);
  bm_store_close_(store);
  expect_recovered_(directory, last + 40);

  options.sync_policy = (bm_sync_policy_)7;
  ck_assert_int_eq(bm_store_open_(directory, &options, NULL, &store), BM_ERR_INVALID_ARGUMENT);
  gt_remove_directory(directory);
  free(directory);
}
END_TEST

/* After a failed fdatasync (or write) every later write is refused, even
 * once the disk would accept it again. */
START_TEST(test_sync_failure_enters_failed_state) {
  static const char *const failing_call[] = {"fdatasync", "pwrite", "group fdatasync"};
  for (int mode = 0; mode < 3; ++mode) {
    char *directory = gt_make_directory();
    bm_store_options_ options = {.sync_policy = mode == 2 ? BM_SYNC_GROUP_ : BM_SYNC_EACH_, .group_records = 4,
                                 .io = &failing_io_table};
    bm_store_ *store = NULL;
    failing_io_reset();
    ck_assert_int_eq(bm_store_open_(directory, &options, NULL, &store), BM_OK);
    append_range_(store, 1, 5);
    ck_assert_int_eq(bm_store_failed_(store), 0);
    if (mode == 1) failing_io.writes_before_failure = 0;
    else failing_io.datasyncs_before_failure = 0;
    unsigned char payload[GT_MAX_PAYLOAD];
    size_t size = gt_payload(6, payload);
    bm_status status = BM_OK;
    for (int attempt = 0; attempt < 4 && status == BM_OK; ++attempt)
      status = bm_store_append_(store, gt_type(6), payload, size, NULL);
    ck_assert_msg(status == BM_ERR_GALLERY_FAILED, "%s: %s", failing_call[mode], bm_error_name(status));
    ck_assert_ptr_nonnull(strstr(bm_last_error_message(), "Input/output error"));
    ck_assert_int_eq(bm_store_failed_(store), 1);
    failing_io_reset(); /* the disk "recovers": the store must still refuse */
    ck_assert_int_eq(bm_store_append_(store, gt_type(6), payload, size, NULL), BM_ERR_GALLERY_FAILED);
    ck_assert_int_eq(bm_store_sync_(store), BM_ERR_GALLERY_FAILED);
    ck_assert_int_eq(bm_store_checkpoint_(store, NULL, 0), BM_ERR_GALLERY_FAILED);
    bm_store_close_(store);
    gt_remove_directory(directory);
    free(directory);
  }
}
END_TEST

START_TEST(test_checkpoint_sync_failure_enters_failed_state) {
  char *directory = gt_make_directory();
  bm_store_options_ options = {.io = &failing_io_table};
  bm_store_ *store = NULL;
  failing_io_reset();
  ck_assert_int_eq(bm_store_open_(directory, &options, NULL, &store), BM_OK);
  append_range_(store, 1, 20);
  failing_io.fsyncs_before_failure = 0; /* the snapshot's fsync */
  ck_assert_int_eq(bm_store_checkpoint_(store, NULL, 0), BM_ERR_GALLERY_FAILED);
  failing_io_reset();
  ck_assert_int_eq(bm_store_append_(store, 1, "x", 1, NULL), BM_ERR_GALLERY_FAILED);
  bm_store_close_(store);
  ck_assert_int_eq(gt_count_files(directory, "snapshot-"), 0);
  expect_recovered_(directory, 20);
  gt_remove_directory(directory);
  free(directory);
}
END_TEST

START_TEST(test_checkpoint_then_appends_then_reopen) {
  char *directory = gt_make_directory();
  write_checkpointed_history_(directory, 50, 80);
  /* One snapshot, one log starting after it. */
  ck_assert_int_eq(gt_count_files(directory, "snapshot-"), 1);
  ck_assert_int_eq(gt_count_files(directory, "log-"), 1);
  char *log = gt_find_file(directory, "log-");
  ck_assert_ptr_nonnull(strstr(log, "log-00000000000000000051.wal"));
  free(log);
  expect_recovered_(directory, 80);

  /* A second checkpoint, then another, with no appends in between. */
  bm_store_ *store = reopen_(directory);
  checkpoint_through_(store, 80);
  checkpoint_through_(store, 80);
  append_range_(store, 81, 90);
  bm_store_close_(store);
  ck_assert_int_eq(gt_count_files(directory, "snapshot-"), 1);
  expect_recovered_(directory, 90);
  gt_remove_directory(directory);
  free(directory);
}
END_TEST

/* Crash states of a checkpoint from records 1..40 with a snapshot at 40:
 * rebuilt by hand from copies of the files taken before and after. */
START_TEST(test_crash_during_checkpoint) {
  char *directory = gt_make_directory();
  write_checkpointed_history_(directory, 25, 40);
  char *old_log = gt_find_file(directory, "log-"), *old_snapshot = gt_find_file(directory, "snapshot-");
  size_t old_log_size, old_snapshot_size;
  unsigned char *old_log_bytes = gt_read_file(old_log, &old_log_size);
  unsigned char *old_snapshot_bytes = gt_read_file(old_snapshot, &old_snapshot_size);

  bm_store_ *store = reopen_(directory);
  checkpoint_through_(store, 40);
  bm_store_close_(store);
  char *new_log = gt_find_file(directory, "log-"), *new_snapshot = gt_find_file(directory, "snapshot-");
  size_t new_snapshot_size;
  unsigned char *new_snapshot_bytes = gt_read_file(new_snapshot, &new_snapshot_size);
  char temporary[600];

  /* 1. Killed while writing the new snapshot: a partial .tmp, old files. */
  unlink(new_log);
  unlink(new_snapshot);
  gt_write_file(old_log, old_log_bytes, old_log_size);
  gt_write_file(old_snapshot, old_snapshot_bytes, old_snapshot_size);
  snprintf(temporary, sizeof temporary, "%s.tmp", new_snapshot);
  gt_write_file(temporary, new_snapshot_bytes, new_snapshot_size / 2);
  expect_recovered_(directory, 40);
  ck_assert_int_eq(gt_count_files(directory, "snapshot-"), 1); /* the .tmp is gone */

  /* 2. Killed after the rename, before the new log: new snapshot, old log
   *    and old snapshot. Appends must continue at 41. */
  gt_write_file(new_snapshot, new_snapshot_bytes, new_snapshot_size);
  expect_recovered_(directory, 40);
  ck_assert_int_eq(gt_count_files(directory, "snapshot-"), 1);
  store = reopen_(directory);
  append_range_(store, 41, 45);
  bm_store_close_(store);
  expect_recovered_(directory, 45);

  /* 3. Killed after the new log, before the old files were deleted. */
  gt_remove_directory(directory);
  ck_assert_int_eq(mkdir(directory, 0755), 0);
  store = reopen_(directory);
  append_range_(store, 1, 25);
  checkpoint_through_(store, 25);
  append_range_(store, 26, 40);
  checkpoint_through_(store, 40);
  append_range_(store, 41, 43);
  bm_store_close_(store);
  gt_write_file(old_log, old_log_bytes, old_log_size);
  gt_write_file(old_snapshot, old_snapshot_bytes, old_snapshot_size);
  /* A temporary log from an interrupted log creation, too. */
  snprintf(temporary, sizeof temporary, "%s/log-00000000000000000099.wal.tmp", directory);
  gt_write_file(temporary, "partial", 7);
  expect_recovered_(directory, 43);
  ck_assert_int_eq(gt_count_files(directory, "log-"), 1);
  ck_assert_int_eq(gt_count_files(directory, "snapshot-"), 1);

  free(old_log_bytes);
  free(old_snapshot_bytes);
  free(new_snapshot_bytes);
  free(old_log);
  free(old_snapshot);
  free(new_log);
  free(new_snapshot);
  gt_remove_directory(directory);
  free(directory);
}
END_TEST

/* Damage found at open is reported, never repaired by skipping. */
START_TEST(test_damage_is_reported_at_open) {
  char *directory = gt_make_directory();
  write_checkpointed_history_(directory, 20, 40);
  bm_store_ *store = NULL;
  char *log = gt_find_file(directory, "log-"), *snapshot = gt_find_file(directory, "snapshot-");
  size_t log_size, snapshot_size;
  unsigned char *log_bytes = gt_read_file(log, &log_size), *snapshot_bytes = gt_read_file(snapshot, &snapshot_size);

  log_bytes[BM_WAL_FILE_HEADER_SIZE_ + 30] ^= 0x01; /* payload of the first record */
  gt_write_file(log, log_bytes, log_size);
  ck_assert_int_eq(bm_store_open_(directory, NULL, &collect_only_records_, &store), BM_ERR_CORRUPT);
  ck_assert_ptr_nonnull(strstr(bm_last_error_message(), "offset 24 "));
  log_bytes[BM_WAL_FILE_HEADER_SIZE_ + 30] ^= 0x01;
  gt_write_file(log, log_bytes, log_size);

  snapshot_bytes[snapshot_size - 1] ^= 0x80; /* last byte of the state section */
  gt_write_file(snapshot, snapshot_bytes, snapshot_size);
  ck_assert_int_eq(bm_store_open_(directory, NULL, NULL, &store), BM_ERR_CORRUPT);
  ck_assert_ptr_nonnull(strstr(bm_last_error_message(), "section 0 (tag 0x52454353)"));
  snapshot_bytes[snapshot_size - 1] ^= 0x80;
  gt_write_file(snapshot, snapshot_bytes, snapshot_size);

  /* A missing log between the snapshot and the next log is a gap. */
  unlink(log);
  char later[600];
  snprintf(later, sizeof later, "%s/log-00000000000000000030.wal", directory);
  bm_wal_ *wal = NULL;
  ck_assert_int_eq(bm_wal_create_(directory, 30, bm_file_io_default_(), &wal), BM_OK);
  bm_wal_close_(wal);
  ck_assert_int_eq(bm_store_open_(directory, NULL, NULL, &store), BM_ERR_CORRUPT);
  ck_assert_ptr_nonnull(strstr(bm_last_error_message(), "starts at sequence 30"));
  unlink(later);
  gt_write_file(log, log_bytes, log_size);
  expect_recovered_(directory, 40);

  ck_assert_int_eq(bm_store_open_(NULL, NULL, NULL, &store), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_store_append_(NULL, 1, "x", 1, NULL), BM_ERR_INVALID_ARGUMENT);
  free(log_bytes);
  free(snapshot_bytes);
  free(log);
  free(snapshot);
  gt_remove_directory(directory);
  free(directory);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("gallery_store");
  TCase *tcase = tcase_create("store");
  tcase_add_test(tcase, test_reopen_round_trip);
  tcase_add_test(tcase, test_directory_lock);
  tcase_add_test(tcase, test_sync_policies);
  tcase_add_test(tcase, test_sync_failure_enters_failed_state);
  tcase_add_test(tcase, test_checkpoint_sync_failure_enters_failed_state);
  tcase_add_test(tcase, test_checkpoint_then_appends_then_reopen);
  tcase_add_test(tcase, test_crash_during_checkpoint);
  tcase_add_test(tcase, test_damage_is_reported_at_open);
  suite_add_tcase(suite, tcase);
  return bm_test_run_suite(suite);
}
