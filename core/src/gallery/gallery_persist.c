/* The gallery on top of the store (store.h): what its log records and
 * snapshot sections hold, recovery (snapshot, then log replay applied by
 * key, so a record replayed twice or never acknowledged leaves a
 * consistent state) and checkpoints. Layouts: docs/gallery.md. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "gallery/file_io.h"
#include "gallery/gallery_internal.h"

/* Configuration versions. The version of the configuration a snapshot
 * carries names the record format of its shard sections: version 1
 * sections hold format-1 records (at most one face), version 2 sections
 * format-2 records (several faces). Log records name their format by their
 * type (BM_GALLERY_LOG_PUT_V1_ or BM_GALLERY_LOG_PUT_), so a log begun by
 * an older build and continued by this one reads back. */
enum {
  CONFIG_VERSION_V1 = 1,
  CONFIG_VERSION = 2,
  CONFIG_BYTES = 32,
  CONFIG_TAG = 0x47464347u,      /* "GCFG" */
  SHARD_TAG_BASE = 0x48530000u,  /* + shard index */
};

static void encode_config(const bm_gallery *g, uint8_t *out) {
  memset(out, 0, CONFIG_BYTES);
  bm_put_u32_(out, CONFIG_VERSION);
  bm_put_u32_(out + 4, g->shard_count);
  bm_put_u32_(out + 8, g->face_dimension);
  bm_put_u32_(out + 12, (uint32_t)g->face_storage);
  bm_put_u32_(out + 16, (uint32_t)g->log_code_bytes);
  bm_put_u32_(out + 20, g->code_version);
}

/* Takes the stored configuration: it wins over the options passed to open. */
static bm_status apply_config(bm_gallery *g, const uint8_t *data, size_t size, const char *where,
                              unsigned *out_record_format) {
  const uint32_t version = size >= 4 ? bm_get_u32_(data) : 0u;
  if (size != CONFIG_BYTES || (version != CONFIG_VERSION_V1 && version != CONFIG_VERSION))
    return bm_fail_(BM_ERR_CORRUPT, "%s: gallery configuration of %zu bytes, version %u", where, size,
                    size >= 4 ? bm_get_u32_(data) : 0u);
  const uint32_t shards = bm_get_u32_(data + 4), dimension = bm_get_u32_(data + 8), storage = bm_get_u32_(data + 12),
                 code_bytes = bm_get_u32_(data + 16), code_version = bm_get_u32_(data + 20);
  if (shards < 1 || shards > 1024 || storage > BM_FACE_INT8 || code_bytes > (1u << 20) ||
      (dimension && (dimension < BM_FACE_MIN_DIMENSION || dimension > BM_FACE_MAX_DIMENSION)))
    return bm_fail_(BM_ERR_CORRUPT, "%s: gallery configuration out of range", where);
  g->shard_count = shards;
  g->face_dimension = dimension;
  g->face_storage = (bm_face_storage)storage;
  g->log_code_bytes = code_bytes;
  g->code_version = code_version;
  /* Codes of another size or version cannot be compared with this build's:
   * the gallery then works without cascade (exhaustive searches only). */
  if (!(g->code_bytes && code_bytes == g->code_bytes && code_version == bm_cascade_code_version_())) g->code_bytes = 0;
  g->config_seen = 1;
  if (out_record_format)
    *out_record_format = version == CONFIG_VERSION_V1 ? BM_GALLERY_RECORD_FORMAT_V1_ : BM_GALLERY_RECORD_FORMAT_;
  return bm_gallery_init_shards_(g);
}

/* Loads one shard section (records of shard `shard` only) into its shard. */
static bm_status load_section(bm_gallery *g, const bm_snapshot_section_ *section, size_t i, uint32_t shard,
                              unsigned format) {
  const uint8_t *data = section->data;
  const uint64_t count = bm_get_u64_(data);
  size_t at = 8;
  bm_status status = BM_OK;
  for (uint64_t r = 0; status == BM_OK && r < count; ++r) {
    if (section->size - at < 12)
      return bm_fail_(BM_ERR_CORRUPT, "snapshot section %zu: record %llu truncated", i, (unsigned long long)r);
    const uint64_t sequence = bm_get_u64_(data + at);
    const uint32_t length = bm_get_u32_(data + at + 8);
    at += 12;
    if (length > section->size - at)
      return bm_fail_(BM_ERR_CORRUPT, "snapshot section %zu: record %llu truncated", i, (unsigned long long)r);
    bm_gallery_record *record = NULL;
    size_t consumed = 0;
    status = bm_gallery_record_parse_format_(data + at, length, format, g->log_code_bytes, g->face_dimension,
                                             "snapshot", &consumed, &record);
    if (status == BM_OK && consumed != length)
      status = bm_fail_(BM_ERR_CORRUPT, "snapshot section %zu: record %llu has trailing bytes", i,
                        (unsigned long long)r);
    /* Sections are loaded in parallel, each into its own shard: a record
     * filed under another shard would make two loaders write one shard. */
    if (status == BM_OK && bm_gallery_shard_of_(g, record->id, record->id_length) != shard)
      status = bm_fail_(BM_ERR_CORRUPT, "snapshot section %zu: record %llu ('%s') belongs to another shard", i,
                        (unsigned long long)r, record->id);
    if (status == BM_OK) status = bm_gallery_apply_put_(g, record, sequence);
    bm_gallery_record_free(record);
    at += length;
  }
  return status;
}

/* Sections are independent (one per shard), so several threads load them:
 * reopening a large gallery is bound by parsing and copying records, work
 * that splits evenly over the shards. Plain POSIX threads, created and
 * joined here, not OpenMP: a process that opened a gallery may fork, and
 * libgomp's pool does not survive fork (a child using OpenMP after its
 * parent did can hang). The first failing section in order is reported,
 * whatever the thread timing. */
typedef struct section_loader {
  bm_gallery *g;
  const bm_snapshot_ *snapshot;
  const uint32_t *shard_of_section;
  size_t section_count;
  unsigned format;
  bm_status *statuses;
  char (*messages)[256];
  atomic_size_t next;
} section_loader;

static void *load_sections(void *context) {
  section_loader *loader = context;
  for (;;) {
    const size_t i = atomic_fetch_add(&loader->next, 1);
    if (i >= loader->section_count) return NULL;
    if (loader->shard_of_section[i] == UINT32_MAX) continue;
    loader->statuses[i] = load_section(loader->g, bm_snapshot_section_at_(loader->snapshot, i), i,
                                       loader->shard_of_section[i], loader->format);
    if (loader->statuses[i] != BM_OK)
      snprintf(loader->messages[i], sizeof loader->messages[i], "%s", bm_last_error_message());
  }
}

/* Threads for loading: the online processors, at most 8 and one per section. */
static size_t loader_threads(size_t sections) {
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  size_t threads = online > 0 ? (size_t)online : 1;
  if (threads > 8) threads = 8;
  return threads < sections ? threads : sections ? sections : 1;
}

static bm_status on_snapshot(void *context, const bm_snapshot_ *snapshot) {
  bm_gallery *g = context;
  const bm_snapshot_section_ *config = bm_snapshot_find_(snapshot, CONFIG_TAG);
  if (!config) return bm_fail_(BM_ERR_CORRUPT, "snapshot %llu has no gallery configuration",
                               (unsigned long long)bm_snapshot_sequence_(snapshot));
  unsigned format = BM_GALLERY_RECORD_FORMAT_;
  bm_status status = apply_config(g, config->data, config->size, "snapshot", &format);
  if (status != BM_OK) return status;
  const size_t section_count = bm_snapshot_section_count_(snapshot);
  uint32_t *shard_of_section = malloc(section_count * sizeof *shard_of_section);
  uint8_t *seen = calloc(g->shard_count ? g->shard_count : 1, 1);
  bm_status *statuses = calloc(section_count ? section_count : 1, sizeof *statuses);
  char(*messages)[256] = calloc(section_count ? section_count : 1, sizeof *messages);
  if (!shard_of_section || !seen || !statuses || !messages) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "snapshot load");
  for (size_t i = 0; status == BM_OK && i < section_count; ++i) {
    const bm_snapshot_section_ *section = bm_snapshot_section_at_(snapshot, i);
    shard_of_section[i] = UINT32_MAX;
    if (section->tag == CONFIG_TAG) continue;
    const uint32_t shard = section->tag - SHARD_TAG_BASE;
    if ((section->tag & 0xffff0000u) != SHARD_TAG_BASE || section->size < 8)
      status = bm_fail_(BM_ERR_CORRUPT, "snapshot section %zu: unknown tag 0x%08x", i, section->tag);
    else if (shard >= g->shard_count || seen[shard])
      status = bm_fail_(BM_ERR_CORRUPT, "snapshot section %zu: shard %u %s", i, shard,
                        shard >= g->shard_count ? "beyond the gallery's shard count" : "appears twice");
    else
      seen[shard] = 1, shard_of_section[i] = shard;
  }
  if (status == BM_OK) {
    section_loader loader = {g, snapshot, shard_of_section, section_count, format, statuses, messages, 0};
    pthread_t threads[8];
    size_t started = 0;
    const size_t wanted = loader_threads(section_count);
    /* the calling thread is one of the loaders; a thread that cannot start leaves its share to the others */
    while (started + 1 < wanted && pthread_create(&threads[started], NULL, load_sections, &loader) == 0) ++started;
    load_sections(&loader);
    for (size_t t = 0; t < started; ++t) pthread_join(threads[t], NULL);
    for (size_t i = 0; i < section_count && status == BM_OK; ++i)
      if (statuses[i] != BM_OK) status = bm_fail_(statuses[i], "%s", messages[i]);
  }
  free(shard_of_section);
  free(seen);
  free(statuses);
  free(messages);
  return status;
}

static bm_status on_record(void *context, uint64_t sequence, uint32_t type, const void *payload, size_t size) {
  bm_gallery *g = context;
  char where[64];
  snprintf(where, sizeof where, "log record %llu", (unsigned long long)sequence);
  if (type == BM_GALLERY_LOG_CONFIG_) {
    if (g->config_seen) return BM_OK; /* written once at creation; a snapshot already carried it */
    return apply_config(g, payload, size, where, NULL);
  }
  if (!g->config_seen) return bm_fail_(BM_ERR_CORRUPT, "%s: gallery record before the configuration", where);
  if (type == BM_GALLERY_LOG_PUT_ || type == BM_GALLERY_LOG_PUT_V1_) {
    const unsigned format = type == BM_GALLERY_LOG_PUT_ ? BM_GALLERY_RECORD_FORMAT_ : BM_GALLERY_RECORD_FORMAT_V1_;
    bm_gallery_record *record = NULL;
    size_t consumed = 0;
    bm_status status = bm_gallery_record_parse_format_(payload, size, format, g->log_code_bytes, g->face_dimension,
                                                       where, &consumed, &record);
    if (status == BM_OK && consumed != size) status = bm_fail_(BM_ERR_CORRUPT, "%s: trailing bytes", where);
    if (status == BM_OK) status = bm_gallery_apply_put_(g, record, sequence);
    bm_gallery_record_free(record);
    return status;
  }
  if (type == BM_GALLERY_LOG_DELETE_) {
    const uint8_t *p = payload;
    if (size < 2 || p[0] != size - 1 || memchr(p + 1, 0, size - 1))
      return bm_fail_(BM_ERR_CORRUPT, "%s: malformed deletion", where);
    /* delete-if-present: a deletion replayed twice finds nothing the second time */
    const int64_t found = bm_shard_find_(&g->shards[bm_gallery_shard_of_(g, (const char *)p + 1, size - 1)],
                                         (const char *)p + 1, size - 1);
    return found < 0 ? BM_OK : bm_gallery_apply_delete_(g, (const char *)p + 1, size - 1);
  }
  return bm_fail_(BM_ERR_CORRUPT, "%s: unknown type %u", where, type);
}

bm_status bm_gallery_persist_open_(bm_gallery *g, const char *directory, const bm_gallery_options *options) {
  bm_store_options_ store_options = {0};
  /* The gallery syncs itself (durable writes share one fdatasync). */
  store_options.sync_policy = BM_SYNC_NONE_;
  store_options.load_with_read = options->load_with_read ? 1 : 0;
  bm_store_callbacks_ callbacks = {on_snapshot, on_record, g};
  g->code_version = bm_cascade_code_version_();
  bm_status status = bm_store_open_(directory, &store_options, &callbacks, &g->store);
  if (status != BM_OK) return status;
  if (g->config_seen) return BM_OK;
  /* A new gallery: the configuration is its first log record. */
  status = bm_gallery_init_shards_(g);
  if (status != BM_OK) return status;
  uint8_t config[CONFIG_BYTES];
  encode_config(g, config);
  status = bm_store_append_(g->store, BM_GALLERY_LOG_CONFIG_, config, sizeof config, NULL);
  if (status == BM_OK) status = bm_store_sync_(g->store);
  g->config_seen = 1;
  return status;
}

bm_status bm_gallery_persist_append_(bm_gallery *g, uint32_t type, const void *payload, size_t size,
                                     uint64_t *sequence) {
  return bm_store_append_(g->store, type, payload, size, sequence);
}

/* Section of one shard: u64 record count, then per live record u64
 * sequence, u32 length, the serialised record. */
static bm_status serialise_shard(const bm_gallery *g, const bm_shard_ *shard, uint8_t **out, size_t *out_size) {
  size_t size = 8, count = 0;
  bm_gallery_record **records = calloc(shard->live_records ? shard->live_records : 1, sizeof *records);
  if (!records) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "checkpoint");
  bm_status status = BM_OK;
  for (size_t r = 0; status == BM_OK && r < shard->record_count; ++r) {
    if (!shard->records[r].live) continue;
    status = bm_shard_export_(shard, r, &records[count]);
    if (status == BM_OK) size += 12 + bm_gallery_record_serialized_size_(records[count++], g->log_code_bytes);
  }
  uint8_t *data = status == BM_OK ? malloc(size) : NULL;
  if (status == BM_OK && !data) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "checkpoint section of %zu bytes", size);
  if (status == BM_OK) {
    bm_put_u64_(data, count);
    size_t at = 8;
    for (size_t i = 0; i < count; ++i) {
      const size_t length = bm_gallery_record_serialized_size_(records[i], g->log_code_bytes);
      bm_put_u64_(data + at, records[i]->sequence);
      bm_put_u32_(data + at + 8, (uint32_t)length);
      bm_gallery_record_serialize_(records[i], g->log_code_bytes, data + at + 12);
      at += 12 + length;
    }
  }
  for (size_t i = 0; i < count; ++i) bm_gallery_record_free(records[i]);
  free(records);
  *out = data;
  *out_size = size;
  return status;
}

bm_status bm_gallery_persist_checkpoint_(bm_gallery *g) {
  if (g->failed) return bm_fail_(BM_ERR_GALLERY_FAILED, "an earlier write failed; reopen the gallery");
  uint8_t config[CONFIG_BYTES];
  encode_config(g, config);
  bm_snapshot_section_ *sections = calloc(g->shard_count + 1u, sizeof *sections);
  if (!sections) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "checkpoint");
  sections[0] = (bm_snapshot_section_){CONFIG_TAG, config, sizeof config};
  bm_status status = BM_OK;
  /* Writers are held off by write_lock (the caller's); readers go on. */
  pthread_rwlock_rdlock(&g->view_lock);
  for (uint32_t s = 0; status == BM_OK && s < g->shard_count; ++s) {
    uint8_t *data = NULL;
    size_t size = 0;
    status = serialise_shard(g, &g->shards[s], &data, &size);
    sections[s + 1] = (bm_snapshot_section_){SHARD_TAG_BASE + s, data, size};
  }
  pthread_rwlock_unlock(&g->view_lock);
  if (status == BM_OK) status = bm_store_checkpoint_(g->store, sections, g->shard_count + 1u);
  for (uint32_t s = 0; s < g->shard_count; ++s) free((void *)sections[s + 1].data);
  free(sections);
  return status;
}
