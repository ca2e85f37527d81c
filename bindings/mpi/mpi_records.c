/* Record blocks of the deduplication ring (see mpi_records.h). */
#include "mpi_records.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/bm_match.h"
#include "error.h"

static const uint32_t block_magic = 0x42524d42u; /* "BMRB" little-endian */

static size_t align_up(size_t n) {
  return (n + BM_MPI_RECORD_ALIGN_ - 1) / BM_MPI_RECORD_ALIGN_ * BM_MPI_RECORD_ALIGN_;
}

typedef struct id_list {
  char **ids;
  size_t count, capacity;
  int failed;
} id_list;

static int collect_id(void *context, const char *id) {
  id_list *list = context;
  if (list->count == list->capacity) {
    const size_t capacity = list->capacity ? 2 * list->capacity : 256;
    char **grown = realloc(list->ids, capacity * sizeof *grown);
    if (!grown) return list->failed = 1;
    list->ids = grown;
    list->capacity = capacity;
  }
  if (!(list->ids[list->count] = strdup(id))) return list->failed = 1;
  ++list->count;
  return 0;
}

/* Bytes of one record in the block. */
static size_t record_bytes(const bm_gallery_record *record, uint32_t face_dimension) {
  size_t bytes = align_up(1 + strlen(bm_gallery_record_id(record)) + 2);
  for (unsigned p = 0; p <= BM_GALLERY_MAX_POSITION; ++p) {
    size_t size = 0;
    if (bm_gallery_record_prepared(record, p, &size)) bytes += BM_MPI_RECORD_ALIGN_ + align_up(size);
  }
  if (face_dimension)
    bytes += BM_MPI_RECORD_ALIGN_ + bm_gallery_record_face_count(record) * align_up(face_dimension * sizeof(float));
  return bytes;
}

static void write_record(const bm_gallery_record *record, uint32_t face_dimension, uint8_t *out) {
  const char *id = bm_gallery_record_id(record);
  const size_t length = strlen(id);
  size_t at = 0;
  out[at++] = (uint8_t)length;
  memcpy(out + at, id, length);
  at += length;
  uint16_t mask = 0;
  for (unsigned p = 0; p <= BM_GALLERY_MAX_POSITION; ++p)
    if (bm_gallery_record_has_finger(record, p)) mask |= (uint16_t)(1u << p);
  memcpy(out + at, &mask, 2);
  at = align_up(at + 2);
  for (unsigned p = 0; p <= BM_GALLERY_MAX_POSITION; ++p) {
    size_t size = 0;
    const void *blob = bm_gallery_record_prepared(record, p, &size);
    if (!blob) continue;
    const uint32_t size32 = (uint32_t)size;
    memcpy(out + at, &size32, 4);
    at += BM_MPI_RECORD_ALIGN_;
    memcpy(out + at, blob, size);
    at += align_up(size);
  }
  if (face_dimension) {
    /* Every embedding travels: deduplication scores a record on its best one, as the gallery does. */
    const size_t faces = bm_gallery_record_face_count(record);
    out[at] = (uint8_t)faces;
    at += BM_MPI_RECORD_ALIGN_;
    for (size_t f = 0; f < faces; ++f) {
      memcpy(out + at, bm_gallery_record_face_at(record, f, NULL), face_dimension * sizeof(float));
      at += align_up(face_dimension * sizeof(float));
    }
  }
}

bm_status bm_mpi_records_pack_(bm_gallery *gallery, uint32_t face_dimension, uint8_t **out_block, size_t *out_size,
                               size_t *out_count) {
  if (!gallery || !out_block || !out_size || !out_count)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "gallery or outputs NULL");
  *out_block = NULL;
  *out_size = *out_count = 0;
  id_list list = {0};
  bm_status status = bm_gallery_for_each_id(gallery, collect_id, &list);
  if (status == BM_OK && list.failed) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "record ids");
  bm_gallery_record **records = status == BM_OK ? calloc(list.count ? list.count : 1, sizeof *records) : NULL;
  if (status == BM_OK && !records) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "records");
  size_t total = BM_MPI_RECORD_ALIGN_, kept = 0;
  for (size_t i = 0; status == BM_OK && i < list.count; ++i) {
    bm_gallery_record *record = NULL;
    status = bm_gallery_get(gallery, list.ids[i], &record);
    if (status == BM_ERR_NOT_FOUND) { /* deleted since the walk: not part of this view */
      status = BM_OK;
      continue;
    }
    if (status != BM_OK) break;
    size_t dimension = 0;
    if (bm_gallery_record_face(record, &dimension) && dimension != face_dimension)
      status = bm_fail_(BM_ERR_DIMENSION, "record '%s' has a face of dimension %zu, not %u", list.ids[i], dimension,
                        face_dimension);
    records[kept++] = record;
    total += record_bytes(record, face_dimension);
  }
  uint8_t *block = status == BM_OK ? aligned_alloc(BM_MPI_RECORD_ALIGN_, total) : NULL;
  if (status == BM_OK && !block) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "record block of %zu bytes", total);
  if (status == BM_OK) {
    memset(block, 0, total);
    const uint32_t header[3] = {block_magic, (uint32_t)kept, face_dimension};
    memcpy(block, header, sizeof header);
    size_t at = BM_MPI_RECORD_ALIGN_;
    for (size_t i = 0; i < kept; ++i) {
      write_record(records[i], face_dimension, block + at);
      at += record_bytes(records[i], face_dimension);
    }
    *out_block = block;
    *out_size = total;
    *out_count = kept;
  }
  for (size_t i = 0; records && i < kept; ++i) bm_gallery_record_free(records[i]);
  free(records);
  for (size_t i = 0; i < list.count; ++i) free(list.ids[i]);
  free(list.ids);
  return status;
}

static bm_status corrupt_at(size_t offset, const char *format, ...) BM_PRINTF_LIKE_(2, 3);
static bm_status corrupt_at(size_t offset, const char *format, ...) {
  char text[256];
  va_list args;
  va_start(args, format);
  vsnprintf(text, sizeof text, format, args);
  va_end(args);
  return bm_fail_(BM_ERR_CORRUPT, "record block, byte %zu: %s", offset, text);
}
#define CORRUPT(offset, ...) corrupt_at((size_t)(offset), __VA_ARGS__)

bm_status bm_mpi_records_parse_(const uint8_t *block, size_t size, uint32_t face_dimension,
                                bm_mpi_record_view_ **out_views, size_t *out_count) {
  if (!block || !out_views || !out_count) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "block or outputs NULL");
  *out_views = NULL;
  *out_count = 0;
  if ((uintptr_t)block % BM_MPI_RECORD_ALIGN_) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "record block not 64-byte aligned");
  if (size < BM_MPI_RECORD_ALIGN_ || size % BM_MPI_RECORD_ALIGN_) return CORRUPT(0, "size %zu is not a block", size);
  uint32_t header[3];
  memcpy(header, block, sizeof header);
  if (header[0] != block_magic) return CORRUPT(0, "bad magic");
  if (header[2] != face_dimension)
    return CORRUPT(8, "face dimension %u, expected %u", header[2], face_dimension);
  const size_t count = header[1];
  if (count > size / BM_MPI_RECORD_ALIGN_) return CORRUPT(4, "record count %zu beyond the block", count);
  bm_mpi_record_view_ *views = calloc(count ? count : 1, sizeof *views);
  if (!views) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "record views");
  size_t at = BM_MPI_RECORD_ALIGN_;
  bm_status status = BM_OK;
  for (size_t r = 0; status == BM_OK && r < count; ++r) {
    bm_mpi_record_view_ *v = &views[r];
    if (size - at < BM_MPI_RECORD_ALIGN_) {
      status = CORRUPT(at, "record %zu truncated", r);
      break;
    }
    const size_t length = block[at];
    if (length == 0 || length > BM_GALLERY_MAX_ID_BYTES || memchr(block + at + 1, 0, length)) {
      status = CORRUPT(at, "record %zu: bad id", r);
      break;
    }
    memcpy(v->id_storage, block + at + 1, length);
    v->id_storage[length] = '\0';
    v->id = v->id_storage;
    if (r > 0 && strcmp(views[r - 1].id, v->id) >= 0) {
      status = CORRUPT(at, "record %zu: ids not ascending", r);
      break;
    }
    memcpy(&v->finger_mask, block + at + 1 + length, 2);
    if (v->finger_mask >> (BM_GALLERY_MAX_POSITION + 1)) {
      status = CORRUPT(at, "record %zu: finger mask 0x%x", r, v->finger_mask);
      break;
    }
    at += align_up(1 + length + 2);
    for (unsigned p = 0; status == BM_OK && p <= BM_GALLERY_MAX_POSITION; ++p) {
      if (!(v->finger_mask >> p & 1u)) continue;
      uint32_t blob_size = 0;
      if (size - at < BM_MPI_RECORD_ALIGN_) {
        status = CORRUPT(at, "record %zu: finger %u truncated", r, p);
        break;
      }
      memcpy(&blob_size, block + at, 4);
      at += BM_MPI_RECORD_ALIGN_;
      if (blob_size == 0 || blob_size > size - at || align_up(blob_size) > size - at) {
        status = CORRUPT(at, "record %zu: finger %u of %u bytes beyond the block", r, p, blob_size);
        break;
      }
      if (bm_prepared_check(block + at, blob_size) != BM_OK) {
        status = CORRUPT(at, "record %zu: finger %u: %s", r, p, bm_last_error_message());
        break;
      }
      v->blobs[p] = block + at;
      v->blob_sizes[p] = blob_size;
      at += align_up(blob_size);
    }
    if (status != BM_OK || !face_dimension) continue;
    if (size - at < BM_MPI_RECORD_ALIGN_ || block[at] > BM_GALLERY_MAX_FACES) {
      status = CORRUPT(at, "record %zu: face count", r);
      break;
    }
    const unsigned face_count = block[at];
    at += BM_MPI_RECORD_ALIGN_;
    if (!face_count) continue;
    const size_t face_bytes = align_up((size_t)face_dimension * sizeof(float));
    if (face_bytes * face_count > size - at) {
      status = CORRUPT(at, "record %zu: %u faces beyond the block", r, face_count);
      break;
    }
    const float *faces = (const float *)(const void *)(block + at);
    for (size_t d = 0; d < face_bytes / sizeof(float) * face_count && status == BM_OK; ++d)
      if (d % (face_bytes / sizeof(float)) < face_dimension && !isfinite(faces[d]))
        status = CORRUPT(at, "record %zu: face value %zu not finite", r, d);
    if (status != BM_OK) break;
    v->faces = faces;
    v->face_count = face_count;
    v->face_stride = face_bytes / sizeof(float);
    at += face_bytes * face_count;
  }
  if (status == BM_OK && at != size) status = CORRUPT(at, "%zu bytes after the last record", size - at);
  if (status == BM_OK && count && views[0].id[0] == '\0') status = CORRUPT(0, "empty id");
  if (status != BM_OK) {
    free(views);
    return status;
  }
  *out_views = views;
  *out_count = count;
  return BM_OK;
}
