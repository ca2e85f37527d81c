/* Internal layout of bm_face_index, shared by the store, exact search and
 * approximate search files. */
#ifndef BIOMATCH_FACE_INTERNAL_H
#define BIOMATCH_FACE_INTERNAL_H

#include "biomatch/bm_face.h"

struct bm_face_index_s {
  size_t dimension;
  bm_face_storage storage;
  unsigned flags;
  size_t count, capacity; /* embeddings held / allocated */
  uint64_t *ids;          /* external id per row */
  void *rows;             /* count x dimension values of the storage type, contiguous (an arena: util/arena.h) */
  size_t rows_bytes;      /* the rows arena's capacity */
  float *scales;          /* BM_FACE_INT8: per-row dequantisation scale */
  float *floats;          /* normalised float copy: the rows themselves for F32, else only with KEEP_F32 (an arena) */
  size_t floats_bytes;    /* a separate floats arena's capacity */
  void *approximate;      /* FaissIndex*, or NULL */
};

/* Normalises `embedding` into `normalised` after validating it. */
bm_status bm_face_normalise_(const float *embedding, size_t dimension, float *normalised);
/* int8 quantisation with a per-vector scale: values[i] ~ codes[i] * scale. */
float bm_face_quantise_int8_(const float *values, size_t dimension, int8_t *codes);

/* Frees the FAISS index built by bm_face_index_build_approximate(), if any. */
void bm_face_release_approximate_(bm_face_index *index);

#endif
