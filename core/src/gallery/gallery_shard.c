/* One shard: its records' prepared templates packed in one aligned arena
 * (a scan walks memory forward), prefilter codes in one array, face
 * embeddings in one row array (a record's rows adjacent, so one kernel call
 * scans them all), an open-addressing id index, tombstones for deletions and
 * replacements, and compaction that rebuilds the arrays without them.
 * Callers serialise writers and exclude readers during writes
 * (gallery.c's view lock). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/bm_kernels.h"
#include "error.h"
#include "face/face_internal.h"
#include "util/arena.h"
#include "gallery/gallery_internal.h"

static size_t face_value_bytes(bm_face_storage storage) {
  return storage == BM_FACE_F32 ? 4 : storage == BM_FACE_F16 ? 2 : 1;
}

void bm_shard_init_(bm_shard_ *shard, size_t code_bytes, size_t face_dimension, bm_face_storage storage) {
  memset(shard, 0, sizeof *shard);
  shard->code_bytes = code_bytes;
  shard->face_dimension = face_dimension;
  shard->face_storage = storage;
}

void bm_shard_free_(bm_shard_ *shard) {
  free(shard->records);
  free(shard->finger_offsets);
  free(shard->finger_sizes);
  free(shard->finger_records);
  free(shard->finger_positions);
  bm_arena_free_(shard->blobs, shard->blob_capacity);
  bm_arena_free_(shard->codes, shard->codes_capacity);
  bm_arena_free_(shard->face_rows, shard->face_rows_capacity);
  free(shard->face_scales);
  bm_arena_free_(shard->metadata, shard->metadata_capacity);
  free(shard->table);
  memset(shard, 0, sizeof *shard);
}

/* FNV-1a, then a final mix so that low and high bits are both usable. */
uint64_t bm_gallery_id_hash_(const char *id, size_t length) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < length; ++i) h = (h ^ (uint8_t)id[i]) * 1099511628211ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

/* Growth step of every shard array: by a quarter, so that a large shard
 * wastes at most ~20% of its memory on spare capacity (doubling wasted up to
 * half), at the price of copying each byte about four times over its
 * growth instead of twice. */
static size_t grown(size_t n) { return n + n / 4 + 64; }

/* Grows a plain array to hold `needed` elements. */
static int grow(void **array, size_t *capacity, size_t needed, size_t element) {
  if (needed <= *capacity) return 1;
  size_t n = *capacity ? *capacity : 64;
  while (n < needed) n = grown(n);
  void *p = realloc(*array, n * element);
  if (!p) return 0;
  *array = p;
  *capacity = n;
  return 1;
}

static size_t table_slot(const bm_shard_ *shard, uint64_t hash) { return (size_t)(hash & (shard->table_capacity - 1)); }

int64_t bm_shard_find_(const bm_shard_ *shard, const char *id, size_t length) {
  if (!shard->table_capacity) return -1;
  for (size_t i = table_slot(shard, bm_gallery_id_hash_(id, length)), probes = 0; probes < shard->table_capacity;
       i = (i + 1) & (shard->table_capacity - 1), ++probes) {
    const int64_t entry = shard->table[i];
    if (entry == -1) return -1;
    if (entry >= 0) {
      const bm_shard_record_ *r = &shard->records[entry];
      if (r->id_length == length && memcmp(r->id, id, length) == 0) return entry;
    }
  }
  return -1;
}

/* Rebuilds the index over the live records with room for growth. */
static int rebuild_table(bm_shard_ *shard, size_t live) {
  size_t capacity = 64;
  while (capacity < 2 * (live + 1)) capacity *= 2;
  int64_t *table = malloc(capacity * sizeof *table);
  if (!table) return 0;
  for (size_t i = 0; i < capacity; ++i) table[i] = -1;
  free(shard->table);
  shard->table = table;
  shard->table_capacity = capacity;
  shard->table_used = 0;
  for (size_t r = 0; r < shard->record_count; ++r) {
    if (!shard->records[r].live) continue;
    size_t i = table_slot(shard, bm_gallery_id_hash_(shard->records[r].id, shard->records[r].id_length));
    while (table[i] != -1) i = (i + 1) & (capacity - 1);
    table[i] = (int64_t)r;
    shard->table_used++;
  }
  return 1;
}

static void table_remove(bm_shard_ *shard, int64_t index) {
  const bm_shard_record_ *r = &shard->records[index];
  for (size_t i = table_slot(shard, bm_gallery_id_hash_(r->id, r->id_length));; i = (i + 1) & (shard->table_capacity - 1))
    if (shard->table[i] == index) {
      shard->table[i] = -2; /* removed: probing continues past it */
      return;
    }
}

static void tombstone(bm_shard_ *shard, int64_t index) {
  bm_shard_record_ *r = &shard->records[index];
  table_remove(shard, index);
  r->live = 0;
  shard->live_records--;
  shard->dead_fingers += r->finger_count;
  shard->dead_faces += r->face_count;
}

bm_status bm_shard_delete_(bm_shard_ *shard, const char *id, size_t length) {
  const int64_t index = bm_shard_find_(shard, id, length);
  if (index < 0) return bm_fail_(BM_ERR_NOT_FOUND, "no record '%.*s'", (int)length, id);
  tombstone(shard, index);
  return BM_OK;
}

static size_t align_up(size_t n) { return (n + BM_GALLERY_BLOB_ALIGN_ - 1) & ~(size_t)(BM_GALLERY_BLOB_ALIGN_ - 1); }

bm_status bm_shard_put_(bm_shard_ *shard, const bm_gallery_record *record, uint64_t sequence) {
  const unsigned fingers = (unsigned)__builtin_popcount(record->finger_mask);
  size_t blob_total = 0;
  for (unsigned s = 0; s < BM_GALLERY_SLOTS_; ++s)
    if (record->finger_mask >> s & 1u) blob_total += align_up(record->blob_sizes[s]);
  const size_t faces = shard->face_dimension ? record->face_count : 0;
  const size_t face_row_bytes = shard->face_dimension * face_value_bytes(shard->face_storage);
  /* Reserve everything first so a failed allocation changes nothing. */
  size_t finger_capacity = shard->finger_capacity;
  if (!grow((void **)&shard->records, &shard->record_capacity, shard->record_count + 1, sizeof *shard->records) ||
      !bm_arena_grow_(&shard->blobs, &shard->blob_capacity, shard->blob_bytes, shard->blob_bytes + blob_total) ||
      !bm_arena_grow_(&shard->metadata, &shard->metadata_capacity, shard->metadata_bytes,
                    shard->metadata_bytes + record->metadata_size))
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "shard arrays");
  if (shard->finger_count + fingers > finger_capacity) {
    size_t n = finger_capacity ? finger_capacity : 256;
    while (n < shard->finger_count + fingers) n = grown(n);
    void *a = realloc(shard->finger_offsets, n * sizeof(uint64_t));
    if (a) shard->finger_offsets = a;
    void *b = realloc(shard->finger_sizes, n * sizeof(uint32_t));
    if (b) shard->finger_sizes = b;
    void *c = realloc(shard->finger_records, n * sizeof(uint32_t));
    if (c) shard->finger_records = c;
    void *d = realloc(shard->finger_positions, n);
    if (d) shard->finger_positions = d;
    int ok = a && b && c && d;
    if (ok && shard->code_bytes) {
      ok = bm_arena_grow_(&shard->codes, &shard->codes_capacity, shard->finger_count * shard->code_bytes,
                          n * shard->code_bytes);
    }
    if (!ok) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "shard finger arrays");
    shard->finger_capacity = n;
  }
  if (faces && shard->face_count + faces > shard->face_capacity) {
    size_t n = shard->face_capacity ? grown(shard->face_capacity) : 256;
    while (n < shard->face_count + faces) n = grown(n);
    if (!bm_arena_grow_(&shard->face_rows, &shard->face_rows_capacity, shard->face_count * face_row_bytes,
                        n * face_row_bytes))
      return bm_fail_(BM_ERR_OUT_OF_MEMORY, "face rows");
    void *s = realloc(shard->face_scales, n * sizeof(float));
    if (!s) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "face scales");
    shard->face_scales = s;
    shard->face_capacity = n;
  }
  if (2 * (shard->table_used + 1) > shard->table_capacity) {
    /* the replaced record (if any) is still live here; rebuild counts it */
    if (!rebuild_table(shard, shard->live_records + 1)) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "id index");
  }
  const int64_t old = bm_shard_find_(shard, record->id, record->id_length);
  if (old >= 0) tombstone(shard, old);

  const size_t index = shard->record_count++;
  bm_shard_record_ *r = &shard->records[index];
  memset(r, 0, sizeof *r);
  memcpy(r->id, record->id, record->id_length);
  r->id_length = record->id_length;
  r->live = 1;
  r->finger_count = (uint8_t)fingers;
  r->first_finger = (uint32_t)shard->finger_count;
  r->sequence = sequence;
  r->face_row = -1;
  for (unsigned s = 0; s < BM_GALLERY_SLOTS_; ++s) {
    if (!(record->finger_mask >> s & 1u)) continue;
    const size_t f = shard->finger_count++;
    memcpy(shard->blobs + shard->blob_bytes, record->blobs[s], record->blob_sizes[s]);
    shard->finger_offsets[f] = shard->blob_bytes;
    shard->finger_sizes[f] = record->blob_sizes[s];
    shard->finger_records[f] = (uint32_t)index;
    shard->finger_positions[f] = (uint8_t)s;
    shard->blob_bytes += align_up(record->blob_sizes[s]);
    if (shard->code_bytes) {
      uint8_t *code = shard->codes + f * shard->code_bytes;
      if (record->codes[s]) memcpy(code, record->codes[s], shard->code_bytes);
      else memset(code, 0, shard->code_bytes); /* scores 0: the cascade never prefers it */
    }
  }
  if (faces) r->face_row = (int64_t)shard->face_count;
  r->face_count = (uint8_t)faces;
  for (size_t k = 0; k < faces; ++k) {
    const size_t row = shard->face_count++;
    const float *face = record->faces + k * shard->face_dimension;
    uint8_t *dest = shard->face_rows + row * face_row_bytes;
    switch (shard->face_storage) {
      case BM_FACE_F32: memcpy(dest, face, face_row_bytes); break;
      case BM_FACE_F16: bm_f32_to_f16(face, (uint16_t *)dest, shard->face_dimension); break;
      case BM_FACE_INT8:
        shard->face_scales[row] = bm_face_quantise_int8_(face, shard->face_dimension, (int8_t *)dest);
        break;
    }
  }
  r->metadata_offset = shard->metadata_bytes;
  r->metadata_size = record->metadata_size;
  if (record->metadata_size) memcpy(shard->metadata + shard->metadata_bytes, record->metadata, record->metadata_size);
  shard->metadata_bytes += record->metadata_size;

  size_t i = table_slot(shard, bm_gallery_id_hash_(r->id, r->id_length));
  while (shard->table[i] >= 0) i = (i + 1) & (shard->table_capacity - 1);
  if (shard->table[i] == -1) shard->table_used++;
  shard->table[i] = (int64_t)index;
  shard->live_records++;
  return BM_OK;
}

bm_status bm_shard_export_(const bm_shard_ *shard, size_t index, bm_gallery_record **out) {
  const bm_shard_record_ *r = &shard->records[index];
  bm_gallery_record *record = NULL;
  bm_status status = bm_gallery_record_create(r->id, &record);
  for (size_t f = r->first_finger; status == BM_OK && f < r->first_finger + r->finger_count; ++f)
    status = bm_gallery_record_set_prepared_(record, shard->finger_positions[f], shard->blobs + shard->finger_offsets[f],
                                             shard->finger_sizes[f],
                                             shard->code_bytes ? shard->codes + f * shard->code_bytes : NULL);
  if (status == BM_OK && r->face_count) {
    const size_t d = shard->face_dimension;
    record->faces = malloc((size_t)r->face_count * d * sizeof(float));
    if (!record->faces) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "face");
    else {
      for (size_t k = 0; k < r->face_count; ++k)
        bm_shard_face_decode_row_(shard, (size_t)r->face_row + k, record->faces + k * d);
      record->face_count = r->face_count;
      record->face_dimension = (uint32_t)d;
    }
  }
  if (status == BM_OK) status = bm_gallery_record_set_metadata(record, shard->metadata + r->metadata_offset, r->metadata_size);
  if (status != BM_OK) {
    bm_gallery_record_free(record);
    return status;
  }
  record->sequence = r->sequence;
  *out = record;
  return BM_OK;
}

void bm_shard_face_decode_row_(const bm_shard_ *shard, size_t row, float *out) {
  const size_t d = shard->face_dimension;
  const uint8_t *data = shard->face_rows + row * d * face_value_bytes(shard->face_storage);
  switch (shard->face_storage) {
    case BM_FACE_F32: memcpy(out, data, d * sizeof(float)); break;
    case BM_FACE_F16: bm_f16_to_f32((const uint16_t *)data, out, d); break;
    case BM_FACE_INT8:
      for (size_t i = 0; i < d; ++i) out[i] = (float)((const int8_t *)data)[i] * shard->face_scales[row];
      break;
  }
}

bm_status bm_shard_face_scan_(const bm_shard_ *shard, size_t first_row, size_t count, const float *query_f32,
                              const int8_t *query_i8, float query_scale, float *scores) {
  if (!count) return BM_OK;
  const size_t d = shard->face_dimension;
  const uint8_t *rows = shard->face_rows + first_row * d * face_value_bytes(shard->face_storage);
  switch (shard->face_storage) {
    case BM_FACE_F32: return bm_dot_f32_scan(query_f32, (const float *)rows, d, d, count, scores);
    case BM_FACE_F16: return bm_dot_f16_scan(query_f32, (const uint16_t *)rows, d, d, count, scores);
    case BM_FACE_INT8: {
      /* the int32 dots of a block of rows, then each row's scale; the block
       * keeps the buffer on the stack whatever `count` is */
      enum { BLOCK = 256 };
      int32_t dots[BLOCK];
      for (size_t done = 0; done < count;) {
        const size_t n = count - done < BLOCK ? count - done : BLOCK;
        const bm_status status = bm_dot_i8_scan(query_i8, (const int8_t *)rows + done * d, d, d, n, dots);
        if (status != BM_OK) return status;
        for (size_t k = 0; k < n; ++k)
          scores[done + k] = (float)dots[k] * query_scale * shard->face_scales[first_row + done + k];
        done += n;
      }
      return BM_OK;
    }
  }
  return BM_ERR_INTERNAL;
}

float bm_shard_face_best_(const bm_shard_ *shard, size_t index, const float *query_f32, const int8_t *query_i8,
                          float query_scale, size_t *best_index) {
  const bm_shard_record_ *r = &shard->records[index];
  if (best_index) *best_index = 0;
  if (!r->face_count || !query_f32) return NAN;
  float scores[BM_GALLERY_MAX_FACES];
  if (bm_shard_face_scan_(shard, (size_t)r->face_row, r->face_count, query_f32, query_i8, query_scale, scores) != BM_OK)
    return NAN;
  /* the first of equal maxima: the same embedding wherever the record lives */
  size_t best = 0;
  for (size_t k = 1; k < r->face_count; ++k)
    if (scores[k] > scores[best]) best = k;
  if (best_index) *best_index = best;
  return scores[best];
}

bm_status bm_shard_compact_(bm_shard_ *shard) {
  if (shard->dead_fingers == 0 && shard->dead_faces == 0 && shard->live_records == shard->record_count) return BM_OK;
  bm_shard_ fresh;
  bm_shard_init_(&fresh, shard->code_bytes, shard->face_dimension, shard->face_storage);
  for (size_t r = 0; r < shard->record_count; ++r) {
    if (!shard->records[r].live) continue;
    bm_gallery_record *record = NULL;
    bm_status status = bm_shard_export_(shard, r, &record);
    if (status == BM_OK) status = bm_shard_put_(&fresh, record, shard->records[r].sequence);
    bm_gallery_record_free(record);
    if (status != BM_OK) {
      bm_shard_free_(&fresh);
      return status; /* the old shard is untouched */
    }
  }
  bm_shard_free_(shard);
  *shard = fresh;
  return BM_OK;
}

size_t bm_shard_memory_(const bm_shard_ *shard) {
  return shard->record_capacity * sizeof(bm_shard_record_) +
         shard->finger_capacity * (sizeof(uint64_t) + 2 * sizeof(uint32_t) + 1) + shard->codes_capacity +
         shard->blob_capacity + shard->metadata_capacity + shard->face_rows_capacity +
         shard->face_capacity * sizeof(float) + shard->table_capacity * sizeof(int64_t);
}
