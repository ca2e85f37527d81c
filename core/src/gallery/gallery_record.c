/* The record object (an id, fingers by position in prepared form with their
 * prefilter codes, up to BM_GALLERY_MAX_FACES face embeddings, metadata) and
 * its byte serialisation, shared by log records and snapshot sections. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/bm_face.h"
#include "error.h"
#include "face/face_internal.h"
#include "gallery/file_io.h"
#include "gallery/gallery_internal.h"

bm_status bm_gallery_check_id_(const char *id, size_t *length) {
  if (!id) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "id is NULL");
  const size_t n = strnlen(id, BM_GALLERY_MAX_ID_BYTES + 1);
  if (n == 0) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "id is empty");
  if (n > BM_GALLERY_MAX_ID_BYTES)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "id is longer than %d bytes", BM_GALLERY_MAX_ID_BYTES);
  *length = n;
  return BM_OK;
}

bm_status bm_gallery_record_create(const char *id, bm_gallery_record **out_record) {
  if (!out_record) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "out_record is NULL");
  *out_record = NULL;
  size_t length = 0;
  bm_status status = bm_gallery_check_id_(id, &length);
  if (status != BM_OK) return status;
  bm_gallery_record *record = calloc(1, sizeof *record);
  if (!record) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "record");
  memcpy(record->id, id, length);
  record->id_length = (uint8_t)length;
  *out_record = record;
  return BM_OK;
}

static void clear_slot(bm_gallery_record *record, unsigned position) {
  free(record->blobs[position]);
  free(record->codes[position]);
  record->blobs[position] = NULL;
  record->codes[position] = NULL;
  record->blob_sizes[position] = 0;
  record->finger_mask &= (uint16_t)~(1u << position);
}

void bm_gallery_record_free(bm_gallery_record *record) {
  if (!record) return;
  for (unsigned p = 0; p < BM_GALLERY_SLOTS_; ++p) clear_slot(record, p);
  free(record->faces);
  free(record->metadata);
  free(record);
}

static bm_status check_position(unsigned position) {
  if (position > BM_GALLERY_MAX_POSITION)
    return bm_fail_(BM_ERR_BAD_FINGER_POSITION, "finger position %u is not 0 (unknown) or 1..10", position);
  return BM_OK;
}

bm_status bm_gallery_record_set_prepared_(bm_gallery_record *record, unsigned position, const void *blob,
                                          size_t size, const uint8_t *code) {
  bm_status status = check_position(position);
  if (status != BM_OK) return status;
  status = bm_prepared_check(blob, size);
  if (status != BM_OK) return status;
  const size_t code_bytes = bm_cascade_code_bytes_();
  uint8_t *copy = malloc(size), *code_copy = NULL;
  if (code && code_bytes) code_copy = malloc(code_bytes);
  if (!copy || (code && code_bytes && !code_copy)) {
    free(copy);
    free(code_copy);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "prepared template of %zu bytes", size);
  }
  memcpy(copy, blob, size);
  if (code_copy) memcpy(code_copy, code, code_bytes);
  clear_slot(record, position);
  record->blobs[position] = copy;
  record->blob_sizes[position] = (uint32_t)size;
  record->codes[position] = code_copy;
  record->finger_mask |= (uint16_t)(1u << position);
  return BM_OK;
}

bm_status bm_gallery_record_set_finger(bm_gallery_record *record, unsigned position, const bm_template *tpl) {
  if (!record || !tpl) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "record or template is NULL");
  bm_status status = check_position(position);
  if (status != BM_OK) return status;
  size_t size = 0;
  status = bm_prepare_template(tpl, NULL, 0, &size);
  if (status != BM_OK) return status;
  uint8_t *blob = malloc(size);
  if (!blob) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "prepared template");
  status = bm_prepare_template(tpl, blob, size, &size);
  uint8_t *code = NULL;
  const size_t code_bytes = bm_cascade_code_bytes_();
  if (status == BM_OK && code_bytes) {
    code = malloc(code_bytes);
    status = code ? bm_cascade_encode_(tpl, code) : bm_fail_(BM_ERR_OUT_OF_MEMORY, "prefilter code");
  }
  if (status == BM_OK) status = bm_gallery_record_set_prepared_(record, position, blob, size, code);
  free(blob);
  free(code);
  return status;
}

bm_status bm_gallery_record_remove_finger(bm_gallery_record *record, unsigned position) {
  if (!record) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "record is NULL");
  bm_status status = check_position(position);
  if (status != BM_OK) return status;
  if (!(record->finger_mask & (1u << position))) return bm_fail_(BM_ERR_NOT_FOUND, "no finger at position %u", position);
  clear_slot(record, position);
  return BM_OK;
}

bm_status bm_gallery_record_append_faces_(bm_gallery_record *record, const float *faces, size_t count,
                                          size_t dimension) {
  if (!count) return BM_OK;
  if (record->face_count && dimension != record->face_dimension)
    return bm_fail_(BM_ERR_DIMENSION, "face of dimension %zu, the record's other faces have %u", dimension,
                    record->face_dimension);
  if (record->face_count + count > BM_GALLERY_MAX_FACES)
    return bm_fail_(BM_ERR_TOO_MANY_FACES, "record '%s' would hold %zu face embeddings, at most %d", record->id,
                    record->face_count + count, BM_GALLERY_MAX_FACES);
  float *grown = realloc(record->faces, (record->face_count + count) * dimension * sizeof *grown);
  if (!grown) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "face");
  memcpy(grown + (size_t)record->face_count * dimension, faces, count * dimension * sizeof *grown);
  record->faces = grown;
  record->face_count += (uint32_t)count;
  record->face_dimension = (uint32_t)dimension;
  return BM_OK;
}

/* Validates and normalises one embedding into a new array. */
static bm_status normalised_copy(const float *embedding, size_t dimension, float **out) {
  if (dimension < BM_FACE_MIN_DIMENSION || dimension > BM_FACE_MAX_DIMENSION)
    return bm_fail_(BM_ERR_DIMENSION, "face dimension %zu outside %d..%d", dimension, BM_FACE_MIN_DIMENSION,
                    BM_FACE_MAX_DIMENSION);
  float *face = malloc(dimension * sizeof *face);
  if (!face) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "face");
  bm_status status = bm_face_normalise_(embedding, dimension, face);
  if (status != BM_OK) {
    free(face);
    return status;
  }
  *out = face;
  return BM_OK;
}

bm_status bm_gallery_record_set_face(bm_gallery_record *record, const float *embedding, size_t dimension) {
  if (!record || !embedding) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "record or embedding is NULL");
  float *face = NULL;
  bm_status status = normalised_copy(embedding, dimension, &face);
  if (status != BM_OK) return status;
  free(record->faces);
  record->faces = face;
  record->face_count = 1;
  record->face_dimension = (uint32_t)dimension;
  return BM_OK;
}

bm_status bm_gallery_record_add_face(bm_gallery_record *record, const float *embedding, size_t dimension) {
  if (!record || !embedding) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "record or embedding is NULL");
  /* the cheap checks first, so a refused face costs no normalisation */
  if (record->face_count >= BM_GALLERY_MAX_FACES)
    return bm_fail_(BM_ERR_TOO_MANY_FACES, "record '%s' already holds %d face embeddings, the most it may",
                    record->id, BM_GALLERY_MAX_FACES);
  float *face = NULL;
  bm_status status = normalised_copy(embedding, dimension, &face);
  if (status == BM_OK) status = bm_gallery_record_append_faces_(record, face, 1, dimension);
  free(face);
  return status;
}

bm_status bm_gallery_record_set_metadata(bm_gallery_record *record, const void *data, size_t size) {
  if (!record || (!data && size)) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "record or data is NULL");
  if (size > BM_GALLERY_MAX_METADATA_BYTES)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "metadata of %zu bytes exceeds %d", size, BM_GALLERY_MAX_METADATA_BYTES);
  uint8_t *copy = NULL;
  if (size) {
    copy = malloc(size);
    if (!copy) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "metadata");
    memcpy(copy, data, size);
  }
  free(record->metadata);
  record->metadata = copy;
  record->metadata_size = (uint32_t)size;
  return BM_OK;
}

const char *bm_gallery_record_id(const bm_gallery_record *record) { return record ? record->id : NULL; }

int bm_gallery_record_has_finger(const bm_gallery_record *record, unsigned position) {
  return record && position <= BM_GALLERY_MAX_POSITION && (record->finger_mask >> position & 1u);
}

size_t bm_gallery_record_finger_count(const bm_gallery_record *record) {
  return record ? (size_t)__builtin_popcount(record->finger_mask) : 0;
}

const void *bm_gallery_record_prepared(const bm_gallery_record *record, unsigned position, size_t *size) {
  if (size) *size = 0;
  if (!bm_gallery_record_has_finger(record, position)) return NULL;
  if (size) *size = record->blob_sizes[position];
  return record->blobs[position];
}

const float *bm_gallery_record_face(const bm_gallery_record *record, size_t *dimension) {
  return bm_gallery_record_face_at(record, 0, dimension);
}

size_t bm_gallery_record_face_count(const bm_gallery_record *record) { return record ? record->face_count : 0; }

const float *bm_gallery_record_face_at(const bm_gallery_record *record, size_t i, size_t *dimension) {
  const int present = record && i < record->face_count;
  if (dimension) *dimension = present ? record->face_dimension : 0;
  return present ? record->faces + i * record->face_dimension : NULL;
}

const void *bm_gallery_record_metadata(const bm_gallery_record *record, size_t *size) {
  if (size) *size = record ? record->metadata_size : 0;
  return record ? record->metadata : NULL;
}

uint64_t bm_gallery_record_sequence(const bm_gallery_record *record) { return record ? record->sequence : 0; }

bm_status bm_gallery_record_clone_(const bm_gallery_record *record, bm_gallery_record **out) {
  bm_gallery_record *copy = NULL;
  bm_status status = bm_gallery_record_create(record->id, &copy);
  for (unsigned p = 0; status == BM_OK && p < BM_GALLERY_SLOTS_; ++p)
    if (record->finger_mask >> p & 1u)
      status = bm_gallery_record_set_prepared_(copy, p, record->blobs[p], record->blob_sizes[p], record->codes[p]);
  if (status == BM_OK)
    status = bm_gallery_record_append_faces_(copy, record->faces, record->face_count, record->face_dimension);
  if (status == BM_OK) status = bm_gallery_record_set_metadata(copy, record->metadata, record->metadata_size);
  if (status != BM_OK) {
    bm_gallery_record_free(copy);
    return status;
  }
  copy->sequence = record->sequence;
  *out = copy;
  return BM_OK;
}

/* Serialised record, little-endian (format 2, the current one):
 *   u8 id length, id bytes
 *   u16 finger mask; per set position, ascending: u32 blob size, blob,
 *     then code_bytes of prefilter code (zeros when the finger has none)
 *   u32 face dimension (0: no face); when not 0, u32 face count
 *     (1..BM_GALLERY_MAX_FACES), then count x dimension f32 (normalised)
 *   u32 metadata size, metadata bytes
 * Format 1 (galleries written before records held several faces) has no
 * face count: a non-zero dimension is followed by one face. */
size_t bm_gallery_record_serialized_size_(const bm_gallery_record *record, size_t code_bytes) {
  size_t size = 1 + record->id_length + 2;
  for (unsigned p = 0; p < BM_GALLERY_SLOTS_; ++p)
    if (record->finger_mask >> p & 1u) size += 4 + record->blob_sizes[p] + code_bytes;
  size += 4 + (record->face_count ? 4 + (size_t)record->face_count * record->face_dimension * 4u : 0u);
  size += 4 + record->metadata_size;
  return size;
}

void bm_gallery_record_serialize_(const bm_gallery_record *record, size_t code_bytes, uint8_t *out) {
  uint8_t *p = out;
  *p++ = record->id_length;
  memcpy(p, record->id, record->id_length);
  p += record->id_length;
  p[0] = (uint8_t)record->finger_mask;
  p[1] = (uint8_t)(record->finger_mask >> 8);
  p += 2;
  for (unsigned s = 0; s < BM_GALLERY_SLOTS_; ++s) {
    if (!(record->finger_mask >> s & 1u)) continue;
    bm_put_u32_(p, record->blob_sizes[s]);
    memcpy(p + 4, record->blobs[s], record->blob_sizes[s]);
    p += 4 + record->blob_sizes[s];
    if (code_bytes) {
      if (record->codes[s] && code_bytes == bm_cascade_code_bytes_()) memcpy(p, record->codes[s], code_bytes);
      else memset(p, 0, code_bytes);
      p += code_bytes;
    }
  }
  const uint32_t dimension = record->face_count ? record->face_dimension : 0;
  bm_put_u32_(p, dimension);
  p += 4;
  if (dimension) {
    bm_put_u32_(p, record->face_count);
    p += 4;
    const size_t bytes = (size_t)record->face_count * dimension * sizeof(float);
    memcpy(p, record->faces, bytes); /* little-endian hosts only (x86-64, aarch64) */
    p += bytes;
  }
  bm_put_u32_(p, record->metadata_size);
  if (record->metadata_size) memcpy(p + 4, record->metadata, record->metadata_size);
}

bm_status bm_gallery_record_parse_(const uint8_t *data, size_t size, size_t code_bytes, uint32_t face_dimension,
                                   const char *where, size_t *consumed, bm_gallery_record **out) {
  return bm_gallery_record_parse_format_(data, size, BM_GALLERY_RECORD_FORMAT_, code_bytes, face_dimension, where,
                                         consumed, out);
}

bm_status bm_gallery_record_parse_format_(const uint8_t *data, size_t size, unsigned format, size_t code_bytes,
                                          uint32_t face_dimension, const char *where, size_t *consumed,
                                          bm_gallery_record **out) {
  if (format != BM_GALLERY_RECORD_FORMAT_V1_ && format != BM_GALLERY_RECORD_FORMAT_)
    return bm_fail_(BM_ERR_CORRUPT, "%s: record format %u unknown", where, format);
  size_t at = 0;
#define NEED_(n, what)                                                                                 \
  do {                                                                                                 \
    if ((n) > size - at) {                                                                             \
      bm_gallery_record_free(record);                                                                  \
      return bm_fail_(BM_ERR_CORRUPT, "%s: record truncated in its %s at offset %zu", where, what, at); \
    }                                                                                                  \
  } while (0)
  bm_gallery_record *record = NULL;
  NEED_(1, "id length");
  const size_t id_length = data[at++];
  if (id_length == 0 || id_length > BM_GALLERY_MAX_ID_BYTES)
    return bm_fail_(BM_ERR_CORRUPT, "%s: id length %zu", where, id_length);
  NEED_(id_length, "id");
  char id[BM_GALLERY_MAX_ID_BYTES + 1];
  memcpy(id, data + at, id_length);
  id[id_length] = 0;
  if (strlen(id) != id_length) return bm_fail_(BM_ERR_CORRUPT, "%s: id holds a NUL byte", where);
  at += id_length;
  if (bm_gallery_record_create(id, &record) != BM_OK) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "record");
  NEED_(2, "finger mask");
  const unsigned mask = data[at] | (unsigned)data[at + 1] << 8;
  at += 2;
  if (mask >> BM_GALLERY_SLOTS_) {
    bm_gallery_record_free(record);
    return bm_fail_(BM_ERR_CORRUPT, "%s: finger mask 0x%x", where, mask);
  }
  for (unsigned s = 0; s < BM_GALLERY_SLOTS_; ++s) {
    if (!(mask >> s & 1u)) continue;
    NEED_(4, "blob size");
    const uint32_t blob_size = bm_get_u32_(data + at);
    at += 4;
    NEED_((size_t)blob_size + code_bytes, "prepared template");
    if (bm_gallery_record_set_prepared_(record, s, data + at, blob_size, code_bytes && code_bytes == bm_cascade_code_bytes_() ? data + at + blob_size : NULL) !=
        BM_OK) {
      bm_gallery_record_free(record);
      return bm_fail_(BM_ERR_CORRUPT, "%s: record '%s' finger %u: prepared template damaged at offset %zu", where, id,
                      s, at);
    }
    at += blob_size + code_bytes;
  }
  NEED_(4, "face dimension");
  const uint32_t dimension = bm_get_u32_(data + at);
  at += 4;
  if (dimension && dimension != face_dimension) {
    bm_gallery_record_free(record);
    return bm_fail_(BM_ERR_CORRUPT, "%s: face dimension %u, gallery's %u", where, dimension, face_dimension);
  }
  if (dimension) {
    uint32_t count = 1;
    if (format >= BM_GALLERY_RECORD_FORMAT_) {
      NEED_(4, "face count");
      count = bm_get_u32_(data + at);
      at += 4;
      if (count < 1 || count > BM_GALLERY_MAX_FACES) {
        bm_gallery_record_free(record);
        return bm_fail_(BM_ERR_CORRUPT, "%s: face count %u outside 1..%d", where, count, BM_GALLERY_MAX_FACES);
      }
    }
    const size_t values = (size_t)count * dimension;
    NEED_(values * 4u, "face");
    record->faces = malloc(values * sizeof(float));
    if (!record->faces) {
      bm_gallery_record_free(record);
      return bm_fail_(BM_ERR_OUT_OF_MEMORY, "face");
    }
    memcpy(record->faces, data + at, values * sizeof(float));
    record->face_count = count;
    record->face_dimension = dimension;
    for (size_t i = 0; i < values; ++i)
      if (!isfinite(record->faces[i])) {
        bm_gallery_record_free(record);
        return bm_fail_(BM_ERR_CORRUPT, "%s: face %zu value %zu is not finite", where, i / dimension, i % dimension);
      }
    at += values * 4u;
  }
  NEED_(4, "metadata size");
  const uint32_t metadata_size = bm_get_u32_(data + at);
  at += 4;
  if (metadata_size > BM_GALLERY_MAX_METADATA_BYTES) {
    bm_gallery_record_free(record);
    return bm_fail_(BM_ERR_CORRUPT, "%s: metadata size %u", where, metadata_size);
  }
  NEED_(metadata_size, "metadata");
  if (bm_gallery_record_set_metadata(record, data + at, metadata_size) != BM_OK) {
    bm_gallery_record_free(record);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "metadata");
  }
  at += metadata_size;
#undef NEED_
  *consumed = at;
  *out = record;
  return BM_OK;
}
