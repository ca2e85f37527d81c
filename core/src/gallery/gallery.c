/* The gallery handle: options, shards, the two locks of the concurrency
 * contract (bm_gallery.h) and the write calls. A write holds write_lock
 * while it appends its log record and applies it, so the log order is the
 * order in which changes reach memory; the application itself holds the
 * view lock for writing, so a reader (holding it for reading through its
 * whole call) sees every write entirely or not at all. Durable writes then
 * wait for an fdatasync covering their record: the first writer to get
 * write_lock syncs for all those appended before it (group commit). */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "gallery/gallery_internal.h"

void bm_gallery_options_init(bm_gallery_options *options) {
  if (!options) return;
  memset(options, 0, sizeof *options);
  options->shard_count = 8;
  options->face_storage = BM_FACE_F32;
  options->sync = BM_GALLERY_SYNC_DURABLE;
  options->use_prefilter = 1;
}

static bm_status check_options(const bm_gallery_options *o) {
  if (o->shard_count < 1 || o->shard_count > 1024)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "shard_count %u outside 1..1024", o->shard_count);
  if (o->face_dimension && (o->face_dimension < BM_FACE_MIN_DIMENSION || o->face_dimension > BM_FACE_MAX_DIMENSION))
    return bm_fail_(BM_ERR_DIMENSION, "face_dimension %u outside %d..%d", o->face_dimension, BM_FACE_MIN_DIMENSION,
                    BM_FACE_MAX_DIMENSION);
  if ((unsigned)o->face_storage > BM_FACE_INT8) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "unknown face_storage");
  if ((unsigned)o->sync > BM_GALLERY_SYNC_DEFERRED) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "unknown sync policy");
  return BM_OK;
}

uint32_t bm_gallery_shard_of_(const bm_gallery *gallery, const char *id, size_t length) {
  /* high bits: the shard index table uses the low ones */
  return (uint32_t)((bm_gallery_id_hash_(id, length) >> 32) % gallery->shard_count);
}

bm_status bm_gallery_init_shards_(bm_gallery *gallery) {
  gallery->shards = calloc(gallery->shard_count, sizeof *gallery->shards);
  if (!gallery->shards) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "shards");
  for (uint32_t s = 0; s < gallery->shard_count; ++s)
    bm_shard_init_(&gallery->shards[s], gallery->code_bytes, gallery->face_dimension, gallery->face_storage);
  return BM_OK;
}

static bm_status new_gallery(const bm_gallery_options *options, bm_gallery **out) {
  bm_gallery_options defaults;
  if (!options) {
    bm_gallery_options_init(&defaults);
    options = &defaults;
  }
  bm_status status = check_options(options);
  if (status != BM_OK) return status;
  bm_gallery *g = calloc(1, sizeof *g);
  if (!g) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "gallery");
  g->shard_count = options->shard_count;
  g->face_dimension = options->face_dimension;
  g->face_storage = options->face_storage;
  g->code_bytes = options->use_prefilter ? bm_cascade_code_bytes_() : 0;
  g->log_code_bytes = g->code_bytes;
  g->sync = options->sync;
  pthread_rwlockattr_t attributes;
  pthread_rwlockattr_init(&attributes);
  /* A steady stream of searches must not starve writers. */
  pthread_rwlockattr_setkind_np(&attributes, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
  pthread_rwlock_init(&g->view_lock, &attributes);
  pthread_rwlockattr_destroy(&attributes);
  pthread_mutex_init(&g->write_lock, NULL);
  *out = g;
  return BM_OK;
}

bm_status bm_gallery_create(const bm_gallery_options *options, bm_gallery **out_gallery) {
  if (!out_gallery) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "out_gallery is NULL");
  *out_gallery = NULL;
  bm_gallery *g;
  bm_status status = new_gallery(options, &g);
  if (status != BM_OK) return status;
  status = bm_gallery_init_shards_(g);
  if (status != BM_OK) {
    bm_gallery_close(g);
    return status;
  }
  *out_gallery = g;
  return BM_OK;
}

bm_status bm_gallery_open(const char *directory, const bm_gallery_options *options, bm_gallery **out_gallery) {
  if (!out_gallery || !directory) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "directory or out_gallery is NULL");
  *out_gallery = NULL;
  bm_gallery_options defaults;
  if (!options) {
    bm_gallery_options_init(&defaults);
    options = &defaults;
  }
  bm_gallery *g;
  bm_status status = new_gallery(options, &g);
  if (status != BM_OK) return status;
  status = bm_gallery_persist_open_(g, directory, options);
  if (status != BM_OK) {
    bm_gallery_close(g);
    return status;
  }
  *out_gallery = g;
  return BM_OK;
}

void bm_gallery_close(bm_gallery *gallery) {
  if (!gallery) return;
  bm_store_close_(gallery->store);
  for (uint32_t s = 0; gallery->shards && s < gallery->shard_count; ++s) bm_shard_free_(&gallery->shards[s]);
  free(gallery->shards);
  pthread_rwlock_destroy(&gallery->view_lock);
  pthread_mutex_destroy(&gallery->write_lock);
  free(gallery);
}

/* Compaction runs when tombstones hold as many fingers, or as many face
 * rows, as live records do (and enough to be worth a rebuild): the
 * amortised cost per write stays constant and dead data never exceeds
 * about half a shard. Face rows count on their own: a face-only gallery
 * has no fingers, yet every identification scans its dead rows too. */
static void maybe_compact(bm_shard_ *shard) {
  const size_t live = shard->finger_count - shard->dead_fingers;
  const size_t live_faces = shard->face_count - shard->dead_faces;
  if ((shard->dead_fingers >= 1024 && shard->dead_fingers >= live) ||
      (shard->dead_faces >= 1024 && shard->dead_faces >= live_faces))
    (void)bm_shard_compact_(shard);
}

bm_status bm_gallery_apply_put_(bm_gallery *gallery, const bm_gallery_record *record, uint64_t sequence) {
  bm_shard_ *shard = &gallery->shards[bm_gallery_shard_of_(gallery, record->id, record->id_length)];
  bm_status status = bm_shard_put_(shard, record, sequence);
  if (status == BM_OK) maybe_compact(shard);
  return status;
}

bm_status bm_gallery_apply_delete_(bm_gallery *gallery, const char *id, size_t length) {
  bm_shard_ *shard = &gallery->shards[bm_gallery_shard_of_(gallery, id, length)];
  bm_status status = bm_shard_delete_(shard, id, length);
  if (status == BM_OK) maybe_compact(shard);
  return status;
}

/* Waits until `sequence` is durable (DURABLE policy): one fdatasync covers
 * every record appended before it. */
static bm_status wait_durable(bm_gallery *gallery, uint64_t sequence) {
  if (!gallery->store || gallery->sync != BM_GALLERY_SYNC_DURABLE) return BM_OK;
  pthread_mutex_lock(&gallery->write_lock);
  bm_status status = BM_OK;
  if (bm_store_durable_sequence_(gallery->store) < sequence) status = bm_store_sync_(gallery->store);
  pthread_mutex_unlock(&gallery->write_lock);
  return status;
}

/* Logs and applies one write; caller holds write_lock. On an apply failure
 * after the record was logged, memory and log disagree: the gallery then
 * refuses writes until reopened (which replays the log). */
static bm_status log_and_apply(bm_gallery *gallery, uint32_t type, const bm_gallery_record *record, const char *id,
                               size_t id_length, uint64_t *sequence) {
  if (gallery->failed)
    return bm_fail_(BM_ERR_GALLERY_FAILED, "an earlier write failed; reopen the gallery");
  bm_status status = BM_OK;
  if (gallery->store) {
    uint8_t *payload;
    size_t size;
    if (type == BM_GALLERY_LOG_PUT_) {
      size = bm_gallery_record_serialized_size_(record, gallery->log_code_bytes);
      payload = malloc(size);
      if (!payload) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "log record of %zu bytes", size);
      bm_gallery_record_serialize_(record, gallery->log_code_bytes, payload);
    } else {
      size = 1 + id_length;
      payload = malloc(size);
      if (!payload) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "log record");
      payload[0] = (uint8_t)id_length;
      memcpy(payload + 1, id, id_length);
    }
    status = bm_gallery_persist_append_(gallery, type, payload, size, sequence);
    free(payload);
    if (status != BM_OK) return status;
  } else {
    *sequence = ++gallery->next_memory_sequence;
  }
  pthread_rwlock_wrlock(&gallery->view_lock);
  status = type == BM_GALLERY_LOG_PUT_ ? bm_gallery_apply_put_(gallery, record, *sequence)
                                       : bm_gallery_apply_delete_(gallery, id, id_length);
  pthread_rwlock_unlock(&gallery->view_lock);
  if (status != BM_OK && gallery->store) gallery->failed = 1;
  return status;
}

/* Sets the parts of `update` on `base` (MERGE): fingers by position and
 * metadata replace, face embeddings are appended (a later photo of the
 * same person adds to the earlier ones, like a further finger adds to the
 * fingers; BM_GALLERY_REPLACE is the way to drop the old photos). */
static bm_status merge_into(bm_gallery_record *base, const bm_gallery_record *update) {
  bm_status status = BM_OK;
  for (unsigned p = 0; status == BM_OK && p < BM_GALLERY_SLOTS_; ++p)
    if (update->finger_mask >> p & 1u)
      status = bm_gallery_record_set_prepared_(base, p, update->blobs[p], update->blob_sizes[p], update->codes[p]);
  if (status == BM_OK)
    status = bm_gallery_record_append_faces_(base, update->faces, update->face_count, update->face_dimension);
  if (status == BM_OK && update->metadata_size)
    status = bm_gallery_record_set_metadata(base, update->metadata, update->metadata_size);
  return status;
}

bm_status bm_gallery_enroll(bm_gallery *gallery, const bm_gallery_record *record, bm_gallery_enroll_mode mode,
                            uint64_t *out_sequence) {
  if (!gallery || !record) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "gallery or record is NULL");
  if ((unsigned)mode > BM_GALLERY_MERGE) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "unknown enrol mode %d", (int)mode);
  if (!record->finger_mask && !record->face_count)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "record '%s' holds no finger and no face", record->id);
  if (record->face_count && record->face_dimension != gallery->face_dimension)
    return bm_fail_(BM_ERR_DIMENSION, "face of dimension %u, the gallery's is %u", record->face_dimension,
                    gallery->face_dimension);
  pthread_mutex_lock(&gallery->write_lock);
  const bm_shard_ *shard = &gallery->shards[bm_gallery_shard_of_(gallery, record->id, record->id_length)];
  /* Only writers change shards and we hold write_lock: reading is safe. */
  const int64_t existing = bm_shard_find_(shard, record->id, record->id_length);
  bm_status status = BM_OK;
  bm_gallery_record *merged = NULL;
  if (existing >= 0 && mode == BM_GALLERY_INSERT) {
    status = bm_fail_(BM_ERR_ALREADY_EXISTS, "record '%s' is already enrolled", record->id);
  } else if (existing >= 0 && mode == BM_GALLERY_MERGE) {
    status = bm_shard_export_(shard, (size_t)existing, &merged);
    if (status == BM_OK) status = merge_into(merged, record);
  }
  uint64_t sequence = 0;
  if (status == BM_OK)
    status = log_and_apply(gallery, BM_GALLERY_LOG_PUT_, merged ? merged : record, NULL, 0, &sequence);
  pthread_mutex_unlock(&gallery->write_lock);
  bm_gallery_record_free(merged);
  if (status == BM_OK) status = wait_durable(gallery, sequence);
  if (status == BM_OK && out_sequence) *out_sequence = sequence;
  return status;
}

bm_status bm_gallery_delete(bm_gallery *gallery, const char *id, uint64_t *out_sequence) {
  if (!gallery) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "gallery is NULL");
  size_t length = 0;
  bm_status status = bm_gallery_check_id_(id, &length);
  if (status != BM_OK) return status;
  pthread_mutex_lock(&gallery->write_lock);
  if (bm_shard_find_(&gallery->shards[bm_gallery_shard_of_(gallery, id, length)], id, length) < 0)
    status = bm_fail_(BM_ERR_NOT_FOUND, "no record '%s'", id);
  uint64_t sequence = 0;
  if (status == BM_OK) status = log_and_apply(gallery, BM_GALLERY_LOG_DELETE_, NULL, id, length, &sequence);
  pthread_mutex_unlock(&gallery->write_lock);
  if (status == BM_OK) status = wait_durable(gallery, sequence);
  if (status == BM_OK && out_sequence) *out_sequence = sequence;
  return status;
}

bm_status bm_gallery_get(bm_gallery *gallery, const char *id, bm_gallery_record **out_record) {
  if (!gallery || !out_record) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "gallery or out_record is NULL");
  *out_record = NULL;
  size_t length = 0;
  bm_status status = bm_gallery_check_id_(id, &length);
  if (status != BM_OK) return status;
  pthread_rwlock_rdlock(&gallery->view_lock);
  const bm_shard_ *shard = &gallery->shards[bm_gallery_shard_of_(gallery, id, length)];
  const int64_t index = bm_shard_find_(shard, id, length);
  status = index < 0 ? bm_fail_(BM_ERR_NOT_FOUND, "no record '%s'", id) : bm_shard_export_(shard, (size_t)index, out_record);
  pthread_rwlock_unlock(&gallery->view_lock);
  return status;
}

size_t bm_gallery_count(bm_gallery *gallery) {
  if (!gallery) return 0;
  pthread_rwlock_rdlock(&gallery->view_lock);
  size_t n = 0;
  for (uint32_t s = 0; s < gallery->shard_count; ++s) n += gallery->shards[s].live_records;
  pthread_rwlock_unlock(&gallery->view_lock);
  return n;
}

static int compare_id_pointers(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bm_status bm_gallery_for_each_id(bm_gallery *gallery, int (*fn)(void *context, const char *id), void *context) {
  if (!gallery || !fn) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "gallery or fn is NULL");
  pthread_rwlock_rdlock(&gallery->view_lock);
  size_t n = 0;
  for (uint32_t s = 0; s < gallery->shard_count; ++s) n += gallery->shards[s].live_records;
  const char **ids = malloc((n ? n : 1) * sizeof *ids);
  bm_status status = ids ? BM_OK : bm_fail_(BM_ERR_OUT_OF_MEMORY, "id list");
  if (ids) {
    size_t k = 0;
    for (uint32_t s = 0; s < gallery->shard_count; ++s)
      for (size_t r = 0; r < gallery->shards[s].record_count; ++r)
        if (gallery->shards[s].records[r].live) ids[k++] = gallery->shards[s].records[r].id;
    qsort(ids, k, sizeof *ids, compare_id_pointers);
    for (size_t i = 0; i < k; ++i)
      if (fn(context, ids[i])) break;
  }
  pthread_rwlock_unlock(&gallery->view_lock);
  free(ids);
  return status;
}

bm_status bm_gallery_sync(bm_gallery *gallery) {
  if (!gallery) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "gallery is NULL");
  if (!gallery->store) return BM_OK;
  pthread_mutex_lock(&gallery->write_lock);
  bm_status status = bm_store_sync_(gallery->store);
  pthread_mutex_unlock(&gallery->write_lock);
  return status;
}

bm_status bm_gallery_checkpoint(bm_gallery *gallery) {
  if (!gallery) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "gallery is NULL");
  if (!gallery->store) return BM_OK;
  pthread_mutex_lock(&gallery->write_lock);
  bm_status status = bm_gallery_persist_checkpoint_(gallery);
  pthread_mutex_unlock(&gallery->write_lock);
  return status;
}

bm_status bm_gallery_compact(bm_gallery *gallery) {
  if (!gallery) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "gallery is NULL");
  pthread_mutex_lock(&gallery->write_lock);
  pthread_rwlock_wrlock(&gallery->view_lock);
  bm_status status = BM_OK;
  for (uint32_t s = 0; status == BM_OK && s < gallery->shard_count; ++s) status = bm_shard_compact_(&gallery->shards[s]);
  pthread_rwlock_unlock(&gallery->view_lock);
  pthread_mutex_unlock(&gallery->write_lock);
  return status;
}

bm_status bm_gallery_get_stats(bm_gallery *gallery, bm_gallery_stats *out) {
  if (!gallery || !out) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "gallery or out_stats is NULL");
  memset(out, 0, sizeof *out);
  pthread_mutex_lock(&gallery->write_lock);
  if (gallery->store) {
    out->last_sequence = bm_store_last_sequence_(gallery->store);
    out->durable_sequence = bm_store_durable_sequence_(gallery->store);
  }
  pthread_mutex_unlock(&gallery->write_lock);
  pthread_rwlock_rdlock(&gallery->view_lock);
  for (uint32_t s = 0; s < gallery->shard_count; ++s) {
    const bm_shard_ *shard = &gallery->shards[s];
    out->records += shard->live_records;
    out->fingers += shard->finger_count - shard->dead_fingers;
    out->dead_fingers += shard->dead_fingers;
    for (size_t r = 0; r < shard->record_count; ++r)
      if (shard->records[r].live) out->faces += shard->records[r].face_count;
    out->prepared_bytes += shard->blob_bytes;
    out->prefilter_bytes += shard->finger_count * shard->code_bytes;
    out->face_bytes += shard->face_count * shard->face_dimension *
                       (shard->face_storage == BM_FACE_F32 ? 4u : shard->face_storage == BM_FACE_F16 ? 2u : 1u);
    out->total_bytes += bm_shard_memory_(shard);
  }
  out->shard_count = gallery->shard_count;
  out->face_dimension = gallery->face_dimension;
  pthread_rwlock_unlock(&gallery->view_lock);
  return BM_OK;
}
