/* Crash test: a child process appends records with sync-each, checkpoints
 * now and then, and reports each sequence number on a pipe only after its
 * append returned. The parent kills it with SIGKILL at a random moment,
 * reopens the directory, and requires every acknowledged record, in order,
 * with its payload, and nothing damaged; then a new child carries on from
 * there. BM_CRASH_ITERATIONS overrides the number of kills (default 200),
 * BM_CRASH_SEED the random seed (default: time, printed for replay).
 *
 * SIGKILL ends the process but not the kernel: written pages survive in the
 * page cache. This covers crashes of the process at any instruction, not
 * power loss (see docs/persistence.md). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crash_harness.h"
#include "gallery/store.h"
#include "gallery_test_support.h"
#include "test_support.h"

enum { CHILD_OPEN_FAILED = 10, CHILD_APPEND_FAILED, CHILD_CHECKPOINT_FAILED, CHILD_PIPE_FAILED };

typedef struct child_context_ {
  const char *directory;
} child_context_;

/* Runs until killed (gt_crash_child_fn). Exits with a CHILD_* code if anything fails. */
static void child_main_(void *context, int ack_fd, unsigned seed) {
  const char *directory = ((const child_context_ *)context)->directory;
  gt_records state = {0};
  bm_store_callbacks_ callbacks = {gt_collect_snapshot, gt_collect_record, &state};
  bm_store_options_ options = {.sync_policy = BM_SYNC_EACH_};
  bm_store_ *store = NULL;
  if (bm_store_open_(directory, &options, &callbacks, &store) != BM_OK) _exit(CHILD_OPEN_FAILED);
  srand(seed);
  int until_checkpoint = 3 + rand() % 18;
  unsigned char payload[GT_MAX_PAYLOAD];
  for (;;) {
    uint64_t sequence = bm_store_last_sequence_(store) + 1, assigned = 0;
    size_t size = gt_payload(sequence, payload);
    if (bm_store_append_(store, gt_type(sequence), payload, size, &assigned) != BM_OK || assigned != sequence)
      _exit(CHILD_APPEND_FAILED);
    gt_records_push(&state, sequence, gt_type(sequence), payload, size);
    /* The acknowledgement: only now may a client consider it stored. */
    if (write(ack_fd, &assigned, sizeof assigned) != (ssize_t)sizeof assigned) _exit(CHILD_PIPE_FAILED);
    if (--until_checkpoint == 0) {
      size_t encoded_size;
      unsigned char *encoded = gt_encode_records(&state, &encoded_size);
      bm_snapshot_section_ section = {GT_STATE_TAG, encoded, encoded_size};
      if (bm_store_checkpoint_(store, &section, 1) != BM_OK) _exit(CHILD_CHECKPOINT_FAILED);
      free(encoded);
      until_checkpoint = 3 + rand() % 18;
    }
  }
}

START_TEST(test_sigkill_during_appends_and_checkpoints) {
  long iterations = gt_environment_number("BM_CRASH_ITERATIONS", 200);
  unsigned seed = (unsigned)gt_environment_number("BM_CRASH_SEED", (long)time(NULL));
  printf("crash test: %ld kills, BM_CRASH_SEED=%u\n", iterations, seed);
  srand(seed);
  char *directory = gt_make_directory();
  child_context_ child = {directory};
  uint64_t acknowledged = 0, recovered_total = 0;
  int kills_mid_checkpoint = 0, kills_with_unacknowledged_record = 0;
  time_t started = time(NULL);
  long iteration = 0;
  for (; iteration < iterations; ++iteration) {
    /* Keep the test near a minute on a loaded machine, never under 100 kills. */
    if (iteration >= 100 && time(NULL) - started > 45) break;
    /* Up to 30 acknowledgements before the kill, so the child reaches
     * checkpoints; the signal lands inside an append, a sync, a checkpoint
     * step or recovery. */
    gt_crash_kill_child(iteration, 30, child_main_, &child, &acknowledged);
    kills_mid_checkpoint += gt_count_files(directory, "snapshot-") > 1 || gt_count_files(directory, "log-") > 1;

    gt_records records = {0};
    bm_store_callbacks_ callbacks = {gt_collect_snapshot, gt_collect_record, &records};
    bm_store_ *store = NULL;
    bm_status opened = bm_store_open_(directory, NULL, &callbacks, &store);
    ck_assert_msg(opened == BM_OK, "iteration %ld: reopen failed: %s %s", iteration, bm_error_name(opened),
                  bm_last_error_message());
    const char *problem = gt_check_records(&records, 1);
    ck_assert_msg(problem == NULL, "iteration %ld: %s", iteration, problem);
    ck_assert_uint_eq(records.count, bm_store_last_sequence_(store));
    /* Every acknowledged record is there; at most the one whose append was
     * interrupted between its sync and its acknowledgement is extra. */
    ck_assert_msg(records.count >= acknowledged, "iteration %ld: %llu acknowledged, %zu recovered", iteration,
                  (unsigned long long)acknowledged, records.count);
    ck_assert_uint_le(records.count, acknowledged + 1);
    kills_with_unacknowledged_record += records.count == acknowledged + 1;
    acknowledged = records.count; /* the next child continues after it */
    recovered_total = records.count;
    bm_store_close_(store);
    gt_records_free(&records);
  }
  printf("crash test: %ld kills done, %llu records, %d kills left checkpoint files behind, %d kills left a durable "
         "unacknowledged record\n",
         iteration, (unsigned long long)recovered_total, kills_mid_checkpoint, kills_with_unacknowledged_record);
  ck_assert_int_ge(iteration, iterations < 100 ? iterations : 100);
  ck_assert_uint_gt(recovered_total, 0);
  gt_remove_directory(directory);
  free(directory);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("gallery_crash");
  TCase *tcase = tcase_create("crash");
  tcase_set_timeout(tcase, 110);
  tcase_add_test(tcase, test_sigkill_during_appends_and_checkpoints);
  suite_add_tcase(suite, tcase);
  return bm_test_run_suite(suite);
}
