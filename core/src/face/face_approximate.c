/* Approximate face search through FAISS, called only through its C API
 * (faiss/c_api), so biomatch links either its own C API subset
 * (faiss_c_api.cpp) or a system libfaiss_c. FAISS labels are row numbers,
 * mapped back to the caller's ids after the search. */
#include <faiss/c_api/AutoTune_c.h>
#include <faiss/c_api/Index_c.h>
#include <faiss/c_api/error_c.h>
#include <faiss/c_api/index_factory_c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "face_internal.h"

void bm_face_release_approximate_(bm_face_index *index) {
  if (index && index->approximate) {
    faiss_Index_free((FaissIndex *)index->approximate);
    index->approximate = NULL;
  }
}

static bm_status faiss_failure(const char *what) {
  return bm_fail_(BM_ERR_FAISS, "FAISS %s: %s", what, faiss_get_last_error());
}

/* Applies "name=value,name=value" through FAISS's ParameterSpace. */
static bm_status apply_parameters(FaissIndex *faiss_index, const char *parameters) {
  if (!parameters || !*parameters) return BM_OK;
  FaissParameterSpace *space = NULL;
  if (faiss_ParameterSpace_new(&space)) return faiss_failure("parameter space");
  char buffer[256];
  if (strlen(parameters) >= sizeof buffer) {
    faiss_ParameterSpace_free(space);
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "FAISS parameter string is longer than %zu bytes", sizeof buffer - 1);
  }
  strcpy(buffer, parameters);
  bm_status status = BM_OK;
  char *saved = NULL;
  for (char *item = strtok_r(buffer, ",", &saved); item && status == BM_OK; item = strtok_r(NULL, ",", &saved)) {
    char *equals = strchr(item, '=');
    char *end = NULL;
    double value = equals ? strtod(equals + 1, &end) : 0.0;
    if (!equals || end == equals + 1 || *end) {
      status = bm_fail_(BM_ERR_INVALID_ARGUMENT, "FAISS parameter '%s' is not name=number", item);
      break;
    }
    *equals = '\0';
    if (faiss_ParameterSpace_set_index_parameter(space, faiss_index, item, value)) status = faiss_failure(item);
  }
  faiss_ParameterSpace_free(space);
  return status;
}

bm_status bm_face_index_build_approximate(bm_face_index *index, const char *factory, const char *parameters) {
  if (!index || !factory) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_face_index_build_approximate: NULL argument");
  if (!index->floats)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "approximate search needs F32 storage or BM_FACE_KEEP_F32");
  if (index->count == 0) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "the face index is empty");
  bm_face_release_approximate_(index);
  FaissIndex *faiss_index = NULL;
  if (faiss_index_factory(&faiss_index, (int)index->dimension, factory, METRIC_INNER_PRODUCT))
    return faiss_failure(factory);
  const idx_t count = (idx_t)index->count;
  /* Parameters first: build-time ones (efConstruction) act only on what is
   * added after them, and search-time ones (efSearch, nprobe) persist. */
  bm_status status = apply_parameters(faiss_index, parameters);
  if (status == BM_OK && !faiss_Index_is_trained(faiss_index) && faiss_Index_train(faiss_index, count, index->floats))
    status = faiss_failure("training");
  if (status == BM_OK && faiss_Index_add(faiss_index, count, index->floats)) status = faiss_failure("add");
  if (status != BM_OK) {
    faiss_Index_free(faiss_index);
    return status;
  }
  index->approximate = faiss_index;
  return BM_OK;
}

bm_status bm_face_index_tune_approximate(bm_face_index *index, const char *parameters) {
  if (!index || !parameters) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_face_index_tune_approximate: NULL argument");
  if (!index->approximate)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "no approximate index: call bm_face_index_build_approximate first");
  return apply_parameters((FaissIndex *)index->approximate, parameters);
}

bm_status bm_face_index_search_approximate(const bm_face_index *index, const float *query, size_t dimension,
                                           size_t k, bm_scored_id *results, size_t *out_count) {
  if (out_count) *out_count = 0;
  if (!index || !query || !results || !out_count)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_face_index_search_approximate: NULL argument");
  if (!index->approximate)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "no approximate index: call bm_face_index_build_approximate first");
  if (dimension != index->dimension)
    return bm_fail_(BM_ERR_DIMENSION, "query has %zu values, the index holds %zu-d embeddings", dimension,
                    index->dimension);
  if (k == 0) return BM_OK;
  float normalised[BM_FACE_MAX_DIMENSION];
  bm_status status = bm_face_normalise_(query, dimension, normalised);
  if (status != BM_OK) return status;
  float *distances = malloc(k * sizeof *distances);
  idx_t *labels = malloc(k * sizeof *labels);
  if (!distances || !labels) {
    free(distances);
    free(labels);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "approximate face search: out of memory");
  }
  if (faiss_Index_search((const FaissIndex *)index->approximate, 1, normalised, (idx_t)k, distances, labels)) {
    free(distances);
    free(labels);
    return faiss_failure("search");
  }
  size_t found = 0;
  for (size_t i = 0; i < k; ++i) {
    if (labels[i] < 0 || (size_t)labels[i] >= index->count) continue; /* fewer than k reachable */
    results[found].score = distances[i];
    results[found].reserved = 0;
    results[found].id = index->ids[labels[i]];
    ++found;
  }
  free(distances);
  free(labels);
  *out_count = found;
  return BM_OK;
}
