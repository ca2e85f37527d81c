/* The face embedding store: validation, normalisation, compression to the
 * index's storage type, and contiguous growth of the row arrays. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "face_internal.h"
#include "util/arena.h"

static size_t value_bytes(bm_face_storage storage) {
  return storage == BM_FACE_F32 ? sizeof(float) : storage == BM_FACE_F16 ? sizeof(uint16_t) : sizeof(int8_t);
}

bm_status bm_face_index_create(size_t dimension, bm_face_storage storage, unsigned flags,
                               bm_face_index **out_index) {
  if (!out_index) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_face_index_create: out_index is NULL");
  *out_index = NULL;
  if (dimension < BM_FACE_MIN_DIMENSION || dimension > BM_FACE_MAX_DIMENSION)
    return bm_fail_(BM_ERR_DIMENSION, "embedding dimension %zu is outside %d..%d", dimension,
                    BM_FACE_MIN_DIMENSION, BM_FACE_MAX_DIMENSION);
  if (storage != BM_FACE_F32 && storage != BM_FACE_F16 && storage != BM_FACE_INT8)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "unknown face storage type %d", (int)storage);
  if (flags & ~(unsigned)BM_FACE_KEEP_F32)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "unknown face index flags 0x%x", flags);
  bm_face_index *index = calloc(1, sizeof *index);
  if (!index) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "bm_face_index_create: out of memory");
  index->dimension = dimension;
  index->storage = storage;
  index->flags = storage == BM_FACE_F32 ? 0 : flags; /* F32 rows are the float copy already */
  *out_index = index;
  return BM_OK;
}

void bm_face_index_free(bm_face_index *index) {
  if (!index) return;
  bm_face_release_approximate_(index);
  free(index->ids);
  bm_arena_free_(index->rows, index->rows_bytes);
  free(index->scales);
  if (index->floats != index->rows) bm_arena_free_((uint8_t *)index->floats, index->floats_bytes);
  free(index);
}

size_t bm_face_index_size(const bm_face_index *index) { return index ? index->count : 0; }
size_t bm_face_index_dimension(const bm_face_index *index) { return index ? index->dimension : 0; }

size_t bm_face_index_storage_bytes(const bm_face_index *index) {
  if (!index) return 0;
  size_t bytes = index->count * index->dimension * value_bytes(index->storage);
  if (index->storage == BM_FACE_INT8) bytes += index->count * sizeof(float);
  return bytes;
}

bm_status bm_face_normalise_(const float *embedding, size_t dimension, float *normalised) {
  double squares = 0.0;
  for (size_t i = 0; i < dimension; ++i) {
    if (!isfinite(embedding[i]))
      return bm_fail_(BM_ERR_NON_FINITE, "embedding value %zu is %s", i, isnan(embedding[i]) ? "NaN" : "infinite");
    squares += (double)embedding[i] * embedding[i];
  }
  if (!(squares > 0.0) || !isfinite(squares))
    return bm_fail_(BM_ERR_ZERO_VECTOR, "embedding has zero (or unrepresentable) norm");
  const double inverse_norm = 1.0 / sqrt(squares);
  for (size_t i = 0; i < dimension; ++i) normalised[i] = (float)(embedding[i] * inverse_norm);
  return BM_OK;
}

float bm_face_quantise_int8_(const float *values, size_t dimension, int8_t *codes) {
  float largest = 0.0f;
  for (size_t i = 0; i < dimension; ++i) largest = fmaxf(largest, fabsf(values[i]));
  const float scale = largest / 127.0f, inverse = largest > 0.0f ? 127.0f / largest : 0.0f;
  for (size_t i = 0; i < dimension; ++i) codes[i] = (int8_t)lrintf(values[i] * inverse);
  return scale;
}

/* Doubles the row arrays when full; all or nothing as far as the caller
 * sees (an arena that grew before a later allocation failed just keeps
 * its spare room). The rows live in arenas (util/arena.h): a scan streams
 * through them, and on huge pages it reads a third faster on a VM. */
static bm_status reserve_one_more(bm_face_index *index) {
  if (index->count < index->capacity) return BM_OK;
  const size_t capacity = index->capacity ? index->capacity * 2 : 1024;
  const size_t row_bytes = index->dimension * value_bytes(index->storage);
  const int separate_floats = (index->flags & BM_FACE_KEEP_F32) != 0;
  uint64_t *ids = malloc(capacity * sizeof *ids);
  float *scales = index->storage == BM_FACE_INT8 ? malloc(capacity * sizeof *scales) : NULL;
  uint8_t *rows = index->rows, *floats = (uint8_t *)index->floats;
  const int grown = ids && (index->storage != BM_FACE_INT8 || scales) &&
                    bm_arena_grow_(&rows, &index->rows_bytes, index->count * row_bytes, capacity * row_bytes) &&
                    (!separate_floats || bm_arena_grow_(&floats, &index->floats_bytes,
                                                        index->count * index->dimension * sizeof(float),
                                                        capacity * index->dimension * sizeof(float)));
  index->rows = rows; /* kept even when a later step failed: same contents, more room */
  if (separate_floats) index->floats = (float *)(void *)floats;
  if (!grown) {
    free(ids), free(scales);
    if (!separate_floats) index->floats = index->storage == BM_FACE_F32 ? index->rows : NULL;
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "face index: cannot grow to %zu embeddings", capacity);
  }
  if (index->count) {
    memcpy(ids, index->ids, index->count * sizeof *ids);
    if (scales) memcpy(scales, index->scales, index->count * sizeof *scales);
  }
  free(index->ids), free(index->scales);
  index->ids = ids;
  index->scales = scales;
  index->floats = separate_floats ? index->floats : index->storage == BM_FACE_F32 ? index->rows : NULL;
  index->capacity = capacity;
  return BM_OK;
}

bm_status bm_face_index_add(bm_face_index *index, uint64_t id, const float *embedding, size_t dimension) {
  if (!index || !embedding) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_face_index_add: NULL argument");
  if (dimension != index->dimension)
    return bm_fail_(BM_ERR_DIMENSION, "embedding has %zu values, the index holds %zu-d embeddings", dimension,
                    index->dimension);
  float normalised[BM_FACE_MAX_DIMENSION];
  bm_status status = bm_face_normalise_(embedding, dimension, normalised);
  if (status != BM_OK) return status;
  status = reserve_one_more(index);
  if (status != BM_OK) return status;
  const size_t row = index->count;
  switch (index->storage) {
    case BM_FACE_F32:
      memcpy((float *)index->rows + row * dimension, normalised, dimension * sizeof(float));
      break;
    case BM_FACE_F16:
      bm_f32_to_f16(normalised, (uint16_t *)index->rows + row * dimension, dimension);
      break;
    case BM_FACE_INT8:
      index->scales[row] = bm_face_quantise_int8_(normalised, dimension, (int8_t *)index->rows + row * dimension);
      break;
  }
  if (index->flags & BM_FACE_KEEP_F32) memcpy(index->floats + row * dimension, normalised, dimension * sizeof(float));
  index->ids[row] = id;
  index->count = row + 1;
  return BM_OK;
}
