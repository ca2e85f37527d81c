/* Crash test of the gallery: a child process opens the gallery directory
 * with durable writes and runs a fixed sequence of operations (enrolments,
 * deletions, replacements, checkpoints now and then), reporting each
 * operation's number on a pipe only after its call returned. The parent
 * kills it with SIGKILL at a random moment (at least 100 times), reopens the
 * directory and requires the state after every acknowledged operation, or
 * after one more (written but killed before its acknowledgement), exactly:
 * the same ids with the same content. Then a new child continues.
 *
 * Operation k (k >= 1) is a pure function of k, and it is the gallery's log
 * record k + 1 (record 1 is the configuration), so a child knows where to
 * continue from the reopened gallery alone. BM_CRASH_ITERATIONS and
 * BM_CRASH_SEED as in test_crash.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/gallery/synthetic_minutiae.h"
#include "biomatch/bm_gallery.h"
#include "biomatch/bm_match.h"
#include "crash_harness.h"
#include "gallery_test_support.h"
#include "test_support.h"

enum { TEMPLATE_POOL = 16, CHILD_OPEN_FAILED = 10, CHILD_WRITE_FAILED, CHILD_PIPE_FAILED, CHILD_SETUP_FAILED };

/* Operation k: when k = 4 mod 5 it deletes record k - 3 (k - 3 = 1 mod 5,
 * always an enrolment of its own number); when k is a multiple of 7 (and
 * neither 4 nor 1 mod 5) it rewrites record k - 7 (an upsert: re-enrols it
 * if it was deleted); otherwise it enrols "r<k>". */
typedef struct operation {
  int is_delete;
  uint64_t target; /* record number: id "r<target>" */
} operation;

static operation operation_of(uint64_t k) {
  if (k % 5 == 4) return (operation){1, k - 3};
  if (k % 7 == 0 && k > 7 && k % 5 != 1) return (operation){0, k - 7};
  return (operation){0, k};
}

/* Expected state after operations 1..k: present[n] and the operation that
 * last wrote record n (its content is a function of that). */
static void model(uint64_t k, uint8_t *present, uint64_t *writer) {
  for (uint64_t j = 1; j <= k; ++j) {
    const operation op = operation_of(j);
    if (op.is_delete) {
      present[op.target] = 0;
    } else {
      present[op.target] = 1;
      writer[op.target] = j;
    }
  }
}

/* Content written by operation j: template j % pool at position 1 + j % 10,
 * metadata "op<j>". */
static bm_gallery_record *record_of(const operation *op, uint64_t j, bm_template *const *pool) {
  char id[32];
  snprintf(id, sizeof id, "r%llu", (unsigned long long)op->target);
  bm_gallery_record *r = NULL;
  if (bm_gallery_record_create(id, &r) != BM_OK) return NULL;
  char meta[32];
  const int n = snprintf(meta, sizeof meta, "op%llu", (unsigned long long)j);
  if (bm_gallery_record_set_finger(r, 1 + (unsigned)(j % 10), pool[j % TEMPLATE_POOL]) != BM_OK ||
      bm_gallery_record_set_metadata(r, meta, (size_t)n) != BM_OK) {
    bm_gallery_record_free(r);
    return NULL;
  }
  return r;
}

typedef struct child_context {
  const char *directory;
  bm_template *const *pool;
} child_context;

/* Runs until killed (gt_crash_child_fn). Exits with a CHILD_* code if anything fails. */
static void child_main(void *context, int ack_fd, unsigned seed) {
  const char *directory = ((const child_context *)context)->directory;
  bm_template *const *pool = ((const child_context *)context)->pool;
  bm_gallery *g = NULL;
  if (bm_gallery_open(directory, NULL, &g) != BM_OK) _exit(CHILD_OPEN_FAILED);
  bm_gallery_stats stats;
  if (bm_gallery_get_stats(g, &stats) != BM_OK) _exit(CHILD_SETUP_FAILED);
  srand(seed);
  int until_checkpoint = 5 + rand() % 20;
  for (uint64_t k = stats.last_sequence;; ++k) { /* the next operation: record k + 1 */
    const operation op = operation_of(k);
    bm_status status;
    if (op.is_delete) {
      char id[32];
      snprintf(id, sizeof id, "r%llu", (unsigned long long)op.target);
      status = bm_gallery_delete(g, id, NULL);
    } else {
      bm_gallery_record *r = record_of(&op, k, pool);
      if (!r) _exit(CHILD_SETUP_FAILED);
      status = bm_gallery_enroll(g, r, BM_GALLERY_REPLACE, NULL);
      bm_gallery_record_free(r);
    }
    if (status != BM_OK) _exit(CHILD_WRITE_FAILED);
    if (write(ack_fd, &k, sizeof k) != (ssize_t)sizeof k) _exit(CHILD_PIPE_FAILED);
    if (--until_checkpoint == 0) {
      if (bm_gallery_checkpoint(g) != BM_OK) _exit(CHILD_WRITE_FAILED);
      until_checkpoint = 5 + rand() % 20;
    }
  }
}

/* The reopened gallery holds exactly the model after `k` operations. */
typedef struct prepared_blob {
  unsigned char bytes[BM_PREPARED_MAX_BYTES];
  size_t size;
} prepared_blob;
static prepared_blob prepared[TEMPLATE_POOL]; /* the pool's templates, prepared once */

static void check_state(bm_gallery *g, uint64_t k, long iteration) {
  uint8_t *present = calloc(k + 2, 1);
  uint64_t *writer = calloc(k + 2, sizeof *writer);
  model(k, present, writer);
  size_t expected = 0;
  for (uint64_t n = 1; n <= k; ++n) {
    char id[32];
    snprintf(id, sizeof id, "r%llu", (unsigned long long)n);
    bm_gallery_record *got = NULL;
    const bm_status status = bm_gallery_get(g, id, &got);
    ck_assert_msg(status == (present[n] ? BM_OK : BM_ERR_NOT_FOUND), "iteration %ld: record %s: %s after %llu ops",
                  iteration, id, bm_error_name(status), (unsigned long long)k);
    if (status == BM_OK) {
      ++expected;
      const unsigned position = 1 + (unsigned)(writer[n] % 10);
      size_t a = 0, ma = 0;
      const void *blob_got = bm_gallery_record_prepared(got, position, &a);
      const prepared_blob *want = &prepared[writer[n] % TEMPLATE_POOL];
      ck_assert_msg(blob_got && a == want->size && memcmp(blob_got, want->bytes, a) == 0, "iteration %ld: %s content",
                    iteration, id);
      ck_assert_uint_eq(bm_gallery_record_finger_count(got), 1);
      char meta[32];
      const int mn = snprintf(meta, sizeof meta, "op%llu", (unsigned long long)writer[n]);
      const void *meta_got = bm_gallery_record_metadata(got, &ma);
      ck_assert(ma == (size_t)mn && memcmp(meta_got, meta, ma) == 0);
      ck_assert_uint_eq(bm_gallery_record_sequence(got), writer[n] + 1);
    }
    bm_gallery_record_free(got);
  }
  ck_assert_uint_eq(bm_gallery_count(g), expected);
  free(present);
  free(writer);
}

START_TEST(test_sigkill_during_enrolment) {
  const long iterations = gt_environment_number("BM_CRASH_ITERATIONS", 150);
  const unsigned seed = (unsigned)gt_environment_number("BM_CRASH_SEED", (long)time(NULL));
  printf("gallery crash test: %ld kills, BM_CRASH_SEED=%u\n", iterations, seed);
  srand(seed);
  bm_template *pool[TEMPLATE_POOL];
  for (int i = 0; i < TEMPLATE_POOL; ++i) {
    ck_assert_int_eq(bm_synth_template((uint64_t)i, 0, 0, &pool[i]), BM_OK);
    ck_assert_int_eq(bm_prepare_template(pool[i], prepared[i].bytes, sizeof prepared[i].bytes, &prepared[i].size), BM_OK);
  }
  char *directory = gt_make_directory();
  child_context child = {directory, pool};
  uint64_t acknowledged = 0;
  int extra = 0;
  time_t started = time(NULL);
  long iteration = 0;
  for (; iteration < iterations; ++iteration) {
    if (iteration >= 100 && time(NULL) - started > 60) break;
    gt_crash_kill_child(iteration, 25, child_main, &child, &acknowledged);

    bm_gallery *g = NULL;
    const bm_status opened = bm_gallery_open(directory, NULL, &g);
    ck_assert_msg(opened == BM_OK, "iteration %ld: reopen failed: %s %s", iteration, bm_error_name(opened),
                  bm_last_error_message());
    bm_gallery_stats stats;
    ck_assert_int_eq(bm_gallery_get_stats(g, &stats), BM_OK);
    const uint64_t recovered = stats.last_sequence ? stats.last_sequence - 1 : 0;
    ck_assert_msg(recovered >= acknowledged, "iteration %ld: %llu operations acknowledged, %llu recovered", iteration,
                  (unsigned long long)acknowledged, (unsigned long long)recovered);
    ck_assert_uint_le(recovered, acknowledged + 1);
    extra += recovered == acknowledged + 1;
    check_state(g, recovered, iteration);
    acknowledged = recovered;
    bm_gallery_close(g);
  }
  printf("gallery crash test: %ld kills, %llu operations, %d kills left a durable unacknowledged operation\n",
         iteration, (unsigned long long)acknowledged, extra);
  ck_assert_int_ge(iteration, iterations < 100 ? iterations : 100);
  ck_assert_uint_gt(acknowledged, 0);
  for (int i = 0; i < TEMPLATE_POOL; ++i) bm_template_free(pool[i]);
  gt_remove_directory(directory);
  free(directory);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("gallery_crash_enrol");
  TCase *tc = tcase_create("crash");
  tcase_set_timeout(tc, 200);
  tcase_add_test(tc, test_sigkill_during_enrolment);
  suite_add_tcase(suite, tc);
  return bm_test_run_suite(suite);
}
