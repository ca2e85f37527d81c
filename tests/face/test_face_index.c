/* Face index: validation of embeddings, exact search against a brute-force
 * reference, independence from the thread count, compressed storage with
 * re-ranking, batches equal to single searches, FAISS approximate search. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/bm_face.h"
#include "test_support.h"

enum { DIMENSION = 128, PEOPLE = 400, SAMPLES = 3, COUNT = PEOPLE * SAMPLES, K = 10 };

static uint64_t rng = 0x1234567ULL;
static double uniform(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0;
}
static float gaussian(void) { return (float)(sqrt(-2.0 * log(uniform() + 1e-300)) * cos(6.283185307179586 * uniform())); }

/* Clustered data: each person a random centre, samples = centre + noise. */
static float *make_embeddings(void) {
  float *vectors = malloc(sizeof(float) * COUNT * DIMENSION), centre[DIMENSION];
  for (int p = 0; p < PEOPLE; ++p) {
    for (int d = 0; d < DIMENSION; ++d) centre[d] = gaussian();
    for (int s = 0; s < SAMPLES; ++s)
      for (int d = 0; d < DIMENSION; ++d) vectors[(p * SAMPLES + s) * DIMENSION + d] = centre[d] + 0.6f * gaussian();
  }
  return vectors;
}

static bm_face_index *make_index(bm_face_storage storage, unsigned flags, const float *vectors) {
  bm_face_index *index = NULL;
  ck_assert_int_eq(bm_face_index_create(DIMENSION, storage, flags, &index), BM_OK);
  for (int i = 0; i < COUNT; ++i) ck_assert_int_eq(bm_face_index_add(index, 1000 + (uint64_t)i, vectors + i * DIMENSION, DIMENSION), BM_OK);
  return index;
}

/* Brute-force cosine top-K in double precision. */
static void reference_top(const float *vectors, const float *query, uint64_t *ids) {
  double scores[COUNT], query_norm = 0;
  for (int d = 0; d < DIMENSION; ++d) query_norm += (double)query[d] * query[d];
  for (int i = 0; i < COUNT; ++i) {
    double dot = 0, norm = 0;
    for (int d = 0; d < DIMENSION; ++d) dot += (double)query[d] * vectors[i * DIMENSION + d], norm += (double)vectors[i * DIMENSION + d] * vectors[i * DIMENSION + d];
    scores[i] = dot / sqrt(norm * query_norm);
  }
  for (int k = 0; k < K; ++k) {
    int best = -1;
    for (int i = 0; i < COUNT; ++i)
      if (scores[i] > -2 && (best < 0 || scores[i] > scores[best])) best = i;
    ids[k] = 1000 + (uint64_t)best;
    scores[best] = -3;
  }
}

START_TEST(test_bad_embeddings_are_rejected) {
  bm_face_index *index = NULL;
  ck_assert_int_eq(bm_face_index_create(63, BM_FACE_F32, 0, &index), BM_ERR_DIMENSION);
  ck_assert_int_eq(bm_face_index_create(2049, BM_FACE_F32, 0, &index), BM_ERR_DIMENSION);
  ck_assert_int_eq(bm_face_index_create(128, (bm_face_storage)7, 0, &index), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_face_index_create(128, BM_FACE_F16, 0x80, &index), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_face_index_create(128, BM_FACE_INT8, 0, NULL), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_face_index_create(128, BM_FACE_INT8, 0, &index), BM_OK);
  float vector[129];
  for (int i = 0; i < 129; ++i) vector[i] = 1.0f;
  ck_assert_int_eq(bm_face_index_add(index, 1, vector, 129), BM_ERR_DIMENSION);
  vector[5] = NAN;
  ck_assert_int_eq(bm_face_index_add(index, 1, vector, 128), BM_ERR_NON_FINITE);
  vector[5] = INFINITY;
  ck_assert_int_eq(bm_face_index_add(index, 1, vector, 128), BM_ERR_NON_FINITE);
  memset(vector, 0, sizeof vector);
  ck_assert_int_eq(bm_face_index_add(index, 1, vector, 128), BM_ERR_ZERO_VECTOR);
  ck_assert_int_eq(bm_face_index_add(index, 1, NULL, 128), BM_ERR_INVALID_ARGUMENT);
  ck_assert_uint_eq(bm_face_index_size(index), 0);
  bm_scored_id results[K];
  size_t found = 9;
  vector[0] = 1.0f;
  ck_assert_int_eq(bm_face_index_search(index, vector, 128, K, 0, 1, results, &found), BM_OK);
  ck_assert_uint_eq(found, 0);
  ck_assert_int_eq(bm_face_index_search(index, vector, 128, K, 50, 1, results, &found), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_face_index_search_approximate(index, vector, 128, K, results, &found), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_face_index_build_approximate(index, "HNSW32", NULL), BM_ERR_INVALID_ARGUMENT);
  bm_face_index_free(index);
  bm_face_index_free(NULL);
}
END_TEST

START_TEST(test_exact_search_matches_reference_for_any_thread_count) {
  float *vectors = make_embeddings();
  bm_face_index *index = make_index(BM_FACE_F32, 0, vectors);
  ck_assert_uint_eq(bm_face_index_size(index), COUNT);
  ck_assert_uint_eq(bm_face_index_storage_bytes(index), (size_t)COUNT * DIMENSION * 4);
  for (int q = 0; q < 30; ++q) {
    const float *query = vectors + (q * 37 % COUNT) * DIMENSION;
    uint64_t expected[K];
    reference_top(vectors, query, expected);
    bm_scored_id one[K], two[K], three[K];
    size_t found_one, found_two, found_three;
    ck_assert_int_eq(bm_face_index_search(index, query, DIMENSION, K, 0, 1, one, &found_one), BM_OK);
    ck_assert_int_eq(bm_face_index_search(index, query, DIMENSION, K, 0, 2, two, &found_two), BM_OK);
    ck_assert_int_eq(bm_face_index_search(index, query, DIMENSION, K, 0, 3, three, &found_three), BM_OK);
    ck_assert_uint_eq(found_one, K);
    ck_assert(found_two == K && found_three == K);
    ck_assert_float_eq_tol(one[0].score, 1.0f, 1e-5f); /* the query itself */
    for (int k = 0; k < K; ++k) {
      ck_assert_uint_eq(one[k].id, expected[k]);
      ck_assert(one[k].id == two[k].id && one[k].id == three[k].id);
      ck_assert(one[k].score == two[k].score && one[k].score == three[k].score);
    }
  }
  bm_face_index_free(index);
  free(vectors);
}
END_TEST

START_TEST(test_compressed_storage_with_reranking) {
  float *vectors = make_embeddings();
  bm_face_index *exact = make_index(BM_FACE_F32, 0, vectors);
  const bm_face_storage storages[] = {BM_FACE_F16, BM_FACE_INT8};
  for (int s = 0; s < 2; ++s) {
    bm_face_index *compressed = make_index(storages[s], BM_FACE_KEEP_F32, vectors);
    ck_assert_uint_lt(bm_face_index_storage_bytes(compressed), bm_face_index_storage_bytes(exact) / 2 + 1);
    int same_top_list = 0, same_first = 0;
    for (int q = 0; q < 100; ++q) {
      const float *query = vectors + (q * 11 % COUNT) * DIMENSION;
      bm_scored_id want[K], got[K], plain[K];
      size_t want_count, got_count, plain_count;
      ck_assert_int_eq(bm_face_index_search(exact, query, DIMENSION, K, 0, 2, want, &want_count), BM_OK);
      ck_assert_int_eq(bm_face_index_search(compressed, query, DIMENSION, K, 50, 2, got, &got_count), BM_OK);
      ck_assert_int_eq(bm_face_index_search(compressed, query, DIMENSION, K, 0, 2, plain, &plain_count), BM_OK);
      int same = got_count == want_count;
      for (size_t k = 0; k < got_count && same; ++k) same = got[k].id == want[k].id;
      same_top_list += same;
      same_first += plain[0].id == want[0].id;
      ck_assert_float_eq_tol(plain[0].score, want[0].score, 0.02f);
    }
    ck_assert_int_ge(same_top_list, 99); /* re-ranked in float: the same top-10 */
    ck_assert_int_ge(same_first, 95);
    bm_face_index_free(compressed);
  }
  bm_face_index_free(exact);
  free(vectors);
}
END_TEST

START_TEST(test_batch_equals_single_searches) {
  float *vectors = make_embeddings();
  const bm_face_storage storages[] = {BM_FACE_F32, BM_FACE_F16, BM_FACE_INT8};
  enum { QUERIES = 37 };
  for (int s = 0; s < 3; ++s) {
    bm_face_index *index = make_index(storages[s], 0, vectors);
    bm_scored_id batch[QUERIES * K], single[K];
    size_t batch_counts[QUERIES], single_count;
    ck_assert_int_eq(bm_face_index_search_batch(index, vectors, QUERIES, DIMENSION, K, 2, batch, batch_counts), BM_OK);
    for (int q = 0; q < QUERIES; ++q) {
      ck_assert_int_eq(bm_face_index_search(index, vectors + q * DIMENSION, DIMENSION, K, 0, 1, single, &single_count), BM_OK);
      ck_assert_uint_eq(batch_counts[q], single_count);
      for (size_t k = 0; k < single_count; ++k) {
        ck_assert_uint_eq(batch[q * K + k].id, single[k].id);
        ck_assert(batch[q * K + k].score == single[k].score);
      }
    }
    bm_face_index_free(index);
  }
  free(vectors);
}
END_TEST

START_TEST(test_approximate_search_recall) {
  float *vectors = make_embeddings();
  bm_face_index *index = make_index(BM_FACE_F32, 0, vectors);
  ck_assert_int_eq(bm_face_index_build_approximate(index, "NoSuchIndex", NULL), BM_ERR_FAISS);
  ck_assert_int_eq(bm_face_index_build_approximate(index, "HNSW16", "efSearch=x"), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_face_index_build_approximate(index, "HNSW16", "efSearch=64"), BM_OK);
  int hits = 0, total = 0;
  for (int q = 0; q < 50; ++q) {
    const float *query = vectors + (q * 23 % COUNT) * DIMENSION;
    bm_scored_id exact[K], approximate[K];
    size_t exact_count, approximate_count;
    ck_assert_int_eq(bm_face_index_search(index, query, DIMENSION, K, 0, 1, exact, &exact_count), BM_OK);
    ck_assert_int_eq(bm_face_index_search_approximate(index, query, DIMENSION, K, approximate, &approximate_count), BM_OK);
    for (size_t i = 0; i < exact_count; ++i, ++total)
      for (size_t j = 0; j < approximate_count; ++j) hits += exact[i].id == approximate[j].id;
  }
  ck_assert_int_ge(hits * 100, total * 90); /* recall@10 >= 90% */
  ck_assert_int_eq(bm_face_index_tune_approximate(index, "efSearch=16"), BM_OK);
  ck_assert_int_eq(bm_face_index_tune_approximate(index, "nprobe=2"), BM_ERR_FAISS); /* not an HNSW parameter */
  ck_assert_int_eq(bm_face_index_build_approximate(index, "IVF16,Flat", "nprobe=16"), BM_OK);
  bm_scored_id results[K];
  size_t found;
  ck_assert_int_eq(bm_face_index_search_approximate(index, vectors, DIMENSION, K, results, &found), BM_OK);
  ck_assert_uint_eq(results[0].id, 1000);
  bm_face_index_free(index);
  free(vectors);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("face_index");
  TCase *tcase = tcase_create("face");
  tcase_set_timeout(tcase, 300);
  tcase_add_test(tcase, test_bad_embeddings_are_rejected);
  tcase_add_test(tcase, test_exact_search_matches_reference_for_any_thread_count);
  tcase_add_test(tcase, test_compressed_storage_with_reranking);
  tcase_add_test(tcase, test_batch_equals_single_searches);
  tcase_add_test(tcase, test_approximate_search_recall);
  suite_add_tcase(suite, tcase);
  return bm_test_run_suite(suite);
}
