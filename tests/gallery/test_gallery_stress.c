/* Concurrency contract of bm_gallery.h: writer threads enrol, replace and
 * delete while reader threads list, get, identify, deduplicate and
 * checkpoint, on a persistent gallery with durable (group-committed) writes.
 *
 * Each writer owns its ids and keeps a serial model of them. It enrols a
 * person's "a" record before the "b" record and deletes "b" before "a", so
 * in any consistent view b present implies a present; readers check that on
 * every view they take (a design that locked shards one by one would break
 * it, since a and b live in different shards). At the end the gallery, and
 * the gallery reopened from disk, must equal the writers' models. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/bm_gallery.h"
#include "gallery_fixtures.h"
#include "gallery_test_support.h"
#include "test_support.h"

enum { WRITERS = 2, READERS = 2, PEOPLE = 12, OPERATIONS = 120 };

typedef struct writer_state {
  int index;
  bm_gallery *gallery;
  bm_gallery_record *a[PEOPLE], *b[2][PEOPLE]; /* b in two versions for replacements */
  int present[PEOPLE], b_version[PEOPLE];
  int failures;
  char failure[256];
} writer_state;

typedef struct reader_state {
  int index;
  bm_gallery *gallery;
  int failures, views;
  char failure[256];
} reader_state;

static volatile int writers_done;

static void fail_writer(writer_state *w, const char *what, bm_status status) {
  if (!w->failures++)
    snprintf(w->failure, sizeof w->failure, "writer %d: %s: %s %s", w->index, what, bm_error_name(status),
             bm_last_error_message());
}

static void *writer_main(void *context) {
  writer_state *w = context;
  unsigned seed = 1234u + (unsigned)w->index;
  for (int op = 0; op < OPERATIONS; ++op) {
    const int i = rand_r(&seed) % PEOPLE;
    bm_status status;
    if (!w->present[i]) {
      if ((status = bm_gallery_enroll(w->gallery, w->a[i], BM_GALLERY_INSERT, NULL)) != BM_OK) fail_writer(w, "enrol a", status);
      if ((status = bm_gallery_enroll(w->gallery, w->b[0][i], BM_GALLERY_INSERT, NULL)) != BM_OK) fail_writer(w, "enrol b", status);
      w->present[i] = 1;
      w->b_version[i] = 0;
    } else if (rand_r(&seed) % 2) {
      const int v = 1 - w->b_version[i];
      if ((status = bm_gallery_enroll(w->gallery, w->b[v][i], BM_GALLERY_REPLACE, NULL)) != BM_OK)
        fail_writer(w, "replace b", status);
      w->b_version[i] = v;
    } else {
      if ((status = bm_gallery_delete(w->gallery, bm_gallery_record_id(w->b[0][i]), NULL)) != BM_OK)
        fail_writer(w, "delete b", status);
      if ((status = bm_gallery_delete(w->gallery, bm_gallery_record_id(w->a[i]), NULL)) != BM_OK)
        fail_writer(w, "delete a", status);
      w->present[i] = 0;
    }
  }
  return NULL;
}

typedef struct id_set {
  char ids[WRITERS * PEOPLE * 2][16];
  int count;
} id_set;

static int collect(void *context, const char *id) {
  id_set *set = context;
  if (set->count < WRITERS * PEOPLE * 2) snprintf(set->ids[set->count++], 16, "%s", id);
  return 0;
}

static int has(const id_set *set, const char *id) {
  for (int i = 0; i < set->count; ++i)
    if (strcmp(set->ids[i], id) == 0) return 1;
  return 0;
}

/* "b" present implies "a" present; returns the offending id or NULL. */
static const char *violation(const id_set *set) {
  static __thread char a[16];
  for (int i = 0; i < set->count; ++i) {
    if (set->ids[i][3] != 'b') continue;
    snprintf(a, sizeof a, "%s", set->ids[i]);
    a[3] = 'a';
    if (!has(set, a)) return set->ids[i];
  }
  return NULL;
}

static void fail_reader(reader_state *r, const char *text) {
  if (!r->failures++) snprintf(r->failure, sizeof r->failure, "reader %d: %s", r->index, text);
}

static void *reader_main(void *context) {
  reader_state *r = context;
  bm_gallery_probe *probe = gf_probe(3, 7, 1u << 1);
  int round = 0;
  while (!writers_done || round < 3) {
    ++round;
    id_set set = {.count = 0};
    if (bm_gallery_for_each_id(r->gallery, collect, &set) != BM_OK) fail_reader(r, "for_each_id failed");
    const char *bad = violation(&set);
    if (bad) fail_reader(r, bad);
    ++r->views;
    bm_gallery_search_params params;
    bm_gallery_search_params_init(&params);
    params.top_k = 1000;
    params.threads = 2;
    bm_gallery_result *result = NULL;
    if (bm_gallery_identify(r->gallery, probe, &params, &result) != BM_OK) fail_reader(r, "identify failed");
    /* every record holds a finger at position 1: one comparison each */
    const uint64_t compared = bm_gallery_result_comparisons(result);
    if (bm_gallery_result_count(result) > compared) fail_reader(r, "more candidates than records");
    id_set seen = {.count = 0};
    for (size_t c = 0; c < bm_gallery_result_count(result); ++c) collect(&seen, bm_gallery_result_id(result, c));
    if (violation(&seen) && compared == (uint64_t)seen.count) fail_reader(r, "identify saw b without a");
    bm_gallery_result_free(result);
    if (r->index == 0 && round % 5 == 0 && bm_gallery_checkpoint(r->gallery) != BM_OK) fail_reader(r, "checkpoint failed");
    if (r->index == 1 && round % 7 == 0) {
      bm_gallery_dedup_result *d = NULL;
      if (bm_gallery_dedup(r->gallery, NULL, 0, 1e-6, 1, NULL, NULL, &d) != BM_OK) fail_reader(r, "dedup failed");
      /* a and b of one person are duplicates of each other */
      for (size_t p = 0; p < bm_gallery_dedup_pair_count(d); ++p) {
        const char *x, *y;
        if (bm_gallery_dedup_pair(d, p, &x, &y, NULL, NULL) != BM_OK || strncmp(x + 4, y + 4, 8) != 0 ||
            strncmp(x, y, 2) != 0)
          fail_reader(r, "dedup paired different people");
      }
      bm_gallery_dedup_free(d);
    }
    bm_gallery_record *got = NULL;
    if (bm_gallery_get(r->gallery, "w0-a-000", &got) == BM_OK &&
        (bm_gallery_record_finger_count(got) != 1 || !bm_gallery_record_has_finger(got, 1)))
      fail_reader(r, "get returned a damaged record");
    bm_gallery_record_free(got);
  }
  bm_gallery_probe_free(probe);
  return NULL;
}

static void check_against_models(bm_gallery *g, writer_state *writers) {
  size_t expected = 0;
  for (int w = 0; w < WRITERS; ++w)
    for (int i = 0; i < PEOPLE; ++i) {
      bm_gallery_record *got = NULL;
      bm_status status = bm_gallery_get(g, bm_gallery_record_id(writers[w].a[i]), &got);
      ck_assert_int_eq(status, writers[w].present[i] ? BM_OK : BM_ERR_NOT_FOUND);
      bm_gallery_record_free(got);
      status = bm_gallery_get(g, bm_gallery_record_id(writers[w].b[0][i]), &got);
      ck_assert_int_eq(status, writers[w].present[i] ? BM_OK : BM_ERR_NOT_FOUND);
      if (status == BM_OK) {
        /* the last version written */
        size_t size_a = 0, size_b = 0;
        const void *stored = bm_gallery_record_prepared(got, 1, &size_a);
        const void *model = bm_gallery_record_prepared(writers[w].b[writers[w].b_version[i]][i], 1, &size_b);
        ck_assert_uint_eq(size_a, size_b);
        ck_assert_int_eq(memcmp(stored, model, size_a), 0);
        expected += 2;
      }
      bm_gallery_record_free(got);
    }
  ck_assert_uint_eq(bm_gallery_count(g), expected);
}

START_TEST(test_concurrent_writers_and_readers) {
  char *dir = gt_make_directory();
  bm_gallery_options options;
  bm_gallery_options_init(&options);
  options.shard_count = 4;
  bm_gallery *g = NULL;
  ck_assert_int_eq(bm_gallery_open(dir, &options, &g), BM_OK);
  static writer_state writers[WRITERS];
  static reader_state readers[READERS];
  memset(writers, 0, sizeof writers);
  memset(readers, 0, sizeof readers);
  for (int w = 0; w < WRITERS; ++w) {
    writers[w].index = w;
    writers[w].gallery = g;
    for (int i = 0; i < PEOPLE; ++i) {
      char id[16];
      const uint64_t person = (uint64_t)(w * PEOPLE + i);
      snprintf(id, sizeof id, "w%d-a-%03d", w, i);
      writers[w].a[i] = gf_record(id, person, 0, 1u << 1);
      snprintf(id, sizeof id, "w%d-b-%03d", w, i);
      writers[w].b[0][i] = gf_record(id, person, 1, 1u << 1);
      writers[w].b[1][i] = gf_record(id, person, 2, 1u << 1);
    }
  }
  pthread_t threads[WRITERS + READERS];
  writers_done = 0;
  for (int r = 0; r < READERS; ++r) {
    readers[r].index = r;
    readers[r].gallery = g;
    ck_assert_int_eq(pthread_create(&threads[WRITERS + r], NULL, reader_main, &readers[r]), 0);
  }
  for (int w = 0; w < WRITERS; ++w) ck_assert_int_eq(pthread_create(&threads[w], NULL, writer_main, &writers[w]), 0);
  for (int w = 0; w < WRITERS; ++w) pthread_join(threads[w], NULL);
  writers_done = 1;
  for (int r = 0; r < READERS; ++r) pthread_join(threads[WRITERS + r], NULL);
  for (int w = 0; w < WRITERS; ++w) ck_assert_msg(writers[w].failures == 0, "%s", writers[w].failure);
  for (int r = 0; r < READERS; ++r) {
    ck_assert_msg(readers[r].failures == 0, "%s", readers[r].failure);
    ck_assert_int_ge(readers[r].views, 3);
    printf("stress: reader %d took %d views\n", r, readers[r].views);
  }
  check_against_models(g, writers);
  bm_gallery_stats stats;
  ck_assert_int_eq(bm_gallery_get_stats(g, &stats), BM_OK);
  ck_assert_uint_eq(stats.durable_sequence, stats.last_sequence); /* every durable write returned after its sync */
  bm_gallery_close(g);
  ck_assert_int_eq(bm_gallery_open(dir, NULL, &g), BM_OK);
  check_against_models(g, writers);
  bm_gallery_close(g);
  for (int w = 0; w < WRITERS; ++w)
    for (int i = 0; i < PEOPLE; ++i) {
      bm_gallery_record_free(writers[w].a[i]);
      bm_gallery_record_free(writers[w].b[0][i]);
      bm_gallery_record_free(writers[w].b[1][i]);
    }
  gt_remove_directory(dir);
  free(dir);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("gallery_stress");
  TCase *tc = tcase_create("stress");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_concurrent_writers_and_readers);
  suite_add_tcase(suite, tc);
  return bm_test_run_suite(suite);
}
