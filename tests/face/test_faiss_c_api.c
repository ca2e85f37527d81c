/* The FAISS C API subset biomatch relies on: exact inner-product search
 * against a brute-force reference, factory-built indexes, parameters, and
 * errors reported as codes with a message instead of exceptions. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <faiss/c_api/AutoTune_c.h>
#include <faiss/c_api/IndexFlat_c.h>
#include <faiss/c_api/IndexScalarQuantizer_c.h>
#include <faiss/c_api/Index_c.h>
#include <faiss/c_api/error_c.h>
#include <faiss/c_api/index_factory_c.h>
#include <faiss/c_api/index_io_c.h>
#include <stdio.h>
#include <unistd.h>
#include "test_support.h"

/* FAISS 1.7.3's read_index leaks the partly read index when a truncated
 * file makes it throw (its readers use raw new): a defect of FAISS that
 * the C API layer cannot reach. Under LeakSanitizer those reads are made
 * with leak detection off, so the test still checks the error path. */
#if defined(__SANITIZE_ADDRESS__)
#define BM_TEST_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BM_TEST_LSAN 1
#endif
#endif
#ifdef BM_TEST_LSAN
#include <sanitizer/lsan_interface.h>
static int faiss_leaky_result;
#define FAISS_LEAKY_CALL(call) (__lsan_disable(), faiss_leaky_result = (call), __lsan_enable(), faiss_leaky_result)
#else
#define FAISS_LEAKY_CALL(call) (call)
#endif

enum { DIMENSION = 32, VECTOR_COUNT = 2000, QUERY_COUNT = 20, NEIGHBOURS = 5 };

static float *random_unit_vectors(int count, unsigned seed) {
  float *vectors = malloc(sizeof(float) * (size_t)count * DIMENSION);
  srand(seed);
  for (int i = 0; i < count; ++i) {
    double norm = 0;
    for (int j = 0; j < DIMENSION; ++j) {
      float value = (float)rand() / (float)RAND_MAX - 0.5f;
      vectors[i * DIMENSION + j] = value;
      norm += value * value;
    }
    for (int j = 0; j < DIMENSION; ++j) vectors[i * DIMENSION + j] /= (float)sqrt(norm);
  }
  return vectors;
}

static int brute_force_best(const float *base, const float *query) {
  int best = -1;
  float best_score = -INFINITY;
  for (int i = 0; i < VECTOR_COUNT; ++i) {
    float score = 0;
    for (int j = 0; j < DIMENSION; ++j) score += base[i * DIMENSION + j] * query[j];
    if (score > best_score) best_score = score, best = i;
  }
  return best;
}

START_TEST(test_flat_ip_matches_brute_force) {
  float *base = random_unit_vectors(VECTOR_COUNT, 1), *queries = random_unit_vectors(QUERY_COUNT, 2);
  FaissIndexFlatIP *index = NULL;
  ck_assert_int_eq(faiss_IndexFlatIP_new_with(&index, DIMENSION), 0);
  ck_assert_int_eq(faiss_Index_add(index, VECTOR_COUNT, base), 0);
  ck_assert_int_eq(faiss_Index_ntotal(index), VECTOR_COUNT);
  ck_assert_int_eq(faiss_Index_d(index), DIMENSION);
  float distances[QUERY_COUNT * NEIGHBOURS];
  idx_t labels[QUERY_COUNT * NEIGHBOURS];
  ck_assert_int_eq(faiss_Index_search(index, QUERY_COUNT, queries, NEIGHBOURS, distances, labels), 0);
  for (int q = 0; q < QUERY_COUNT; ++q) {
    ck_assert_int_eq(labels[q * NEIGHBOURS], brute_force_best(base, queries + q * DIMENSION));
    for (int k = 1; k < NEIGHBOURS; ++k)
      ck_assert_float_le(distances[q * NEIGHBOURS + k], distances[q * NEIGHBOURS + k - 1]);
  }
  faiss_Index_free(index);
  free(base);
  free(queries);
}
END_TEST

START_TEST(test_factory_hnsw_with_parameter) {
  float *base = random_unit_vectors(VECTOR_COUNT, 3);
  FaissIndex *index = NULL;
  ck_assert_int_eq(faiss_index_factory(&index, DIMENSION, "HNSW16", METRIC_INNER_PRODUCT), 0);
  ck_assert_int_eq(faiss_Index_add(index, VECTOR_COUNT, base), 0);
  FaissParameterSpace *space = NULL;
  ck_assert_int_eq(faiss_ParameterSpace_new(&space), 0);
  ck_assert_int_eq(faiss_ParameterSpace_set_index_parameter(space, index, "efSearch", 64), 0);
  /* Searching a stored vector finds itself. */
  int found = 0;
  for (int q = 0; q < 50; ++q) {
    float distance;
    idx_t label;
    ck_assert_int_eq(faiss_Index_search(index, 1, base + q * 7 * DIMENSION, 1, &distance, &label), 0);
    found += label == q * 7;
  }
  ck_assert_int_ge(found, 48);
  /* An unknown parameter is an error, not an exception escaping into C. */
  ck_assert_int_ne(faiss_ParameterSpace_set_index_parameter(space, index, "noSuchParameter", 1), 0);
  ck_assert_uint_gt(strlen(faiss_get_last_error()), 0);
  faiss_ParameterSpace_free(space);
  faiss_Index_free(index);
  free(base);
}
END_TEST

START_TEST(test_scalar_quantizer_and_ivf_training) {
  float *base = random_unit_vectors(VECTOR_COUNT, 4);
  FaissIndexScalarQuantizer *quantized = NULL;
  ck_assert_int_eq(faiss_IndexScalarQuantizer_new_with(&quantized, DIMENSION, QT_8bit, METRIC_INNER_PRODUCT), 0);
  ck_assert_int_eq(faiss_Index_train(quantized, VECTOR_COUNT, base), 0);
  ck_assert_int_eq(faiss_Index_add(quantized, VECTOR_COUNT, base), 0);
  float distance;
  idx_t label;
  ck_assert_int_eq(faiss_Index_search(quantized, 1, base + 11 * DIMENSION, 1, &distance, &label), 0);
  ck_assert_int_eq(label, 11);
  faiss_Index_free(quantized);

  FaissIndex *ivf = NULL;
  ck_assert_int_eq(faiss_index_factory(&ivf, DIMENSION, "IVF16,Flat", METRIC_INNER_PRODUCT), 0);
  ck_assert_int_eq(faiss_Index_is_trained(ivf), 0);
  /* Adding before training is a FAISS error, reported as a code. */
  ck_assert_int_ne(faiss_Index_add(ivf, VECTOR_COUNT, base), 0);
  ck_assert_int_eq(faiss_Index_train(ivf, VECTOR_COUNT, base), 0);
  ck_assert_int_eq(faiss_Index_add(ivf, VECTOR_COUNT, base), 0);
  ck_assert_int_eq(faiss_Index_reset(ivf), 0);
  ck_assert_int_eq(faiss_Index_ntotal(ivf), 0);
  faiss_Index_free(ivf);
  free(base);
}
END_TEST

START_TEST(test_errors_are_codes_with_messages) {
  FaissIndex *index = (FaissIndex *)0x1;
  ck_assert_int_eq(faiss_index_factory(&index, DIMENSION, "NotAnIndexType", METRIC_INNER_PRODUCT), FAISS_EXCEPT);
  ck_assert_ptr_null(index);
  ck_assert_uint_gt(strlen(faiss_get_last_error()), 0);
  ck_assert_int_ne(faiss_index_factory(NULL, DIMENSION, "Flat", METRIC_INNER_PRODUCT), 0);
  ck_assert_int_ne(faiss_index_factory(&index, 0, "Flat", METRIC_INNER_PRODUCT), 0);
  ck_assert_int_ne(faiss_Index_search(NULL, 1, NULL, 1, NULL, NULL), 0);
  faiss_Index_free(NULL);
  faiss_ParameterSpace_free(NULL);
  ck_assert_int_eq(faiss_Index_ntotal(NULL), 0);
}
END_TEST

/* An index written to a file and read back answers exactly as before; a
 * missing, damaged or truncated file is an error code with a message. */
START_TEST(test_index_file_round_trip_and_damage) {
  float *base = random_unit_vectors(VECTOR_COUNT, 5), *queries = random_unit_vectors(QUERY_COUNT, 6);
  FaissIndex *index = NULL, *read_back = NULL;
  ck_assert_int_eq(faiss_index_factory(&index, DIMENSION, "IVF16,Flat", METRIC_INNER_PRODUCT), 0);
  ck_assert_int_eq(faiss_Index_train(index, VECTOR_COUNT, base), 0);
  ck_assert_int_eq(faiss_Index_add(index, VECTOR_COUNT, base), 0);
  char path[] = "/tmp/bm_faiss_index_XXXXXX";
  const int descriptor = mkstemp(path);
  ck_assert_int_ge(descriptor, 0);
  close(descriptor);
  ck_assert_int_eq(faiss_write_index_fname(index, path), 0);
  ck_assert_int_eq(faiss_read_index_fname(path, 0, &read_back), 0);
  ck_assert_int_eq(faiss_Index_ntotal(read_back), VECTOR_COUNT);
  ck_assert_int_eq(faiss_Index_d(read_back), DIMENSION);
  float distances[2][QUERY_COUNT * NEIGHBOURS];
  idx_t labels[2][QUERY_COUNT * NEIGHBOURS];
  ck_assert_int_eq(faiss_Index_search(index, QUERY_COUNT, queries, NEIGHBOURS, distances[0], labels[0]), 0);
  ck_assert_int_eq(faiss_Index_search(read_back, QUERY_COUNT, queries, NEIGHBOURS, distances[1], labels[1]), 0);
  ck_assert_mem_eq(labels[0], labels[1], sizeof labels[0]);
  ck_assert_mem_eq(distances[0], distances[1], sizeof distances[0]);
  faiss_Index_free(read_back);

  /* Truncated to half, then to a few bytes, then garbage. */
  FILE *file = fopen(path, "rb");
  ck_assert_ptr_nonnull(file);
  fseek(file, 0, SEEK_END);
  const long size = ftell(file);
  fclose(file);
  const long lengths[] = {size / 2, 3};
  for (int t = 0; t < 2; ++t) {
    ck_assert_int_eq(truncate(path, lengths[t]), 0);
    read_back = (FaissIndex *)0x1;
    ck_assert_int_ne(FAISS_LEAKY_CALL(faiss_read_index_fname(path, 0, &read_back)), 0);
    ck_assert_ptr_null(read_back);
    ck_assert_uint_gt(strlen(faiss_get_last_error()), 0);
  }
  file = fopen(path, "wb");
  ck_assert_ptr_nonnull(file);
  for (int i = 0; i < 4096; ++i) fputc((i * 7919) & 0xff, file);
  fclose(file);
  ck_assert_int_ne(faiss_read_index_fname(path, 0, &read_back), 0);
  ck_assert_ptr_null(read_back);
  remove(path);
  ck_assert_int_ne(faiss_read_index_fname(path, 0, &read_back), 0);
  ck_assert_uint_gt(strlen(faiss_get_last_error()), 0);
  ck_assert_int_ne(faiss_read_index_fname(NULL, 0, &read_back), 0);
  ck_assert_int_ne(faiss_read_index_fname(path, 0, NULL), 0);
  ck_assert_int_ne(faiss_write_index_fname(NULL, path), 0);
  ck_assert_int_ne(faiss_write_index_fname(index, NULL), 0);
  ck_assert_int_ne(faiss_write_index_fname(index, "/nonexistent-folder/index"), 0);
  faiss_Index_free(index);
  free(base);
  free(queries);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("faiss_c_api");
  TCase *tcase = tcase_create("face");
  tcase_set_timeout(tcase, 120);
  tcase_add_test(tcase, test_flat_ip_matches_brute_force);
  tcase_add_test(tcase, test_factory_hnsw_with_parameter);
  tcase_add_test(tcase, test_scalar_quantizer_and_ivf_training);
  tcase_add_test(tcase, test_errors_are_codes_with_messages);
  tcase_add_test(tcase, test_index_file_round_trip_and_damage);
  suite_add_tcase(suite, tcase);
  return bm_test_run_suite(suite);
}
