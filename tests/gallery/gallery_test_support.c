#include "gallery_test_support.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *gt_make_directory(void) {
  const char *base = getenv("TMPDIR");
  if (!base || !*base) base = "/tmp";
  size_t length = strlen(base) + 32;
  char *path = malloc(length);
  ck_assert_ptr_nonnull(path);
  snprintf(path, length, "%s/bm-gallery-XXXXXX", base);
  ck_assert_ptr_nonnull(mkdtemp(path));
  return path;
}

void gt_remove_directory(const char *path) {
  DIR *listing = opendir(path);
  if (!listing) return;
  struct dirent *entry;
  while ((entry = readdir(listing)) != NULL)
    if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) unlinkat(dirfd(listing), entry->d_name, 0);
  closedir(listing);
  rmdir(path);
}

size_t gt_payload(uint64_t sequence, unsigned char *out) {
  size_t size = 1 + (size_t)((sequence * 7919u) % GT_MAX_PAYLOAD);
  for (size_t i = 0; i < size; ++i) out[i] = (unsigned char)(sequence * 131u + i * 17u + (sequence >> 8));
  return size;
}

uint32_t gt_type(uint64_t sequence) { return (uint32_t)(sequence % 3 + 1); }

/* The record helpers also run in the crash test's child processes, which
 * are killed at random: they must not use Check's assertions, whose
 * bookkeeping messages a killed child could leave half written. */
static void require_(int condition, const char *what) {
  if (condition) return;
  fprintf(stderr, "gallery test support: %s\n", what);
  abort();
}

void gt_records_push(gt_records *records, uint64_t sequence, uint32_t type, const void *payload, size_t size) {
  require_(size <= GT_MAX_PAYLOAD, "record payload too large");
  if (records->count == records->capacity) {
    records->capacity = records->capacity ? records->capacity * 2 : 64;
    records->items = realloc(records->items, records->capacity * sizeof *records->items);
    require_(records->items != NULL, "out of memory");
  }
  gt_record *record = &records->items[records->count++];
  record->sequence = sequence;
  record->type = type;
  record->size = size;
  if (size) memcpy(record->bytes, payload, size);
}

void gt_records_free(gt_records *records) {
  free(records->items);
  memset(records, 0, sizeof *records);
}

bm_status gt_collect_record(void *context, uint64_t sequence, uint32_t type, const void *payload, size_t size) {
  if (size > GT_MAX_PAYLOAD) return BM_ERR_INTERNAL;
  gt_records_push(context, sequence, type, payload, size);
  return BM_OK;
}

/* Section layout: per record u64 sequence, u32 type, u32 size, payload. */
unsigned char *gt_encode_records(const gt_records *records, size_t *size) {
  size_t total = 0;
  for (size_t i = 0; i < records->count; ++i) total += 16 + records->items[i].size;
  unsigned char *out = malloc(total ? total : 1), *cursor = out;
  require_(out != NULL, "out of memory");
  for (size_t i = 0; i < records->count; ++i) {
    const gt_record *record = &records->items[i];
    uint32_t record_size = (uint32_t)record->size;
    memcpy(cursor, &record->sequence, 8);
    memcpy(cursor + 8, &record->type, 4);
    memcpy(cursor + 12, &record_size, 4);
    memcpy(cursor + 16, record->bytes, record->size);
    cursor += 16 + record->size;
  }
  *size = total;
  return out;
}

bm_status gt_collect_snapshot(void *context, const bm_snapshot_ *snapshot) {
  const bm_snapshot_section_ *section = bm_snapshot_find_(snapshot, GT_STATE_TAG);
  if (!section) return BM_ERR_NOT_FOUND;
  const unsigned char *cursor = section->data, *end = cursor + section->size;
  while (cursor < end) {
    uint64_t sequence;
    uint32_t type, size;
    if (end - cursor < 16) return BM_ERR_TRUNCATED;
    memcpy(&sequence, cursor, 8);
    memcpy(&type, cursor + 8, 4);
    memcpy(&size, cursor + 12, 4);
    if (size > GT_MAX_PAYLOAD || (size_t)(end - cursor - 16) < size) return BM_ERR_TRUNCATED;
    gt_records_push(context, sequence, type, cursor + 16, size);
    cursor += 16 + size;
  }
  return BM_OK;
}

const char *gt_check_records(const gt_records *records, uint64_t first_sequence) {
  static char problem[160];
  unsigned char expected[GT_MAX_PAYLOAD];
  for (size_t i = 0; i < records->count; ++i) {
    const gt_record *record = &records->items[i];
    uint64_t sequence = first_sequence + i;
    size_t size = gt_payload(sequence, expected);
    if (record->sequence != sequence) {
      snprintf(problem, sizeof problem, "record %zu has sequence %llu, expected %llu", i,
               (unsigned long long)record->sequence, (unsigned long long)sequence);
      return problem;
    }
    if (record->type != gt_type(sequence) || record->size != size || memcmp(record->bytes, expected, size) != 0) {
      snprintf(problem, sizeof problem, "record %llu has the wrong type or payload", (unsigned long long)sequence);
      return problem;
    }
  }
  return NULL;
}

unsigned char *gt_read_file(const char *path, size_t *size) {
  FILE *file = fopen(path, "rb");
  ck_assert_msg(file != NULL, "cannot open %s", path);
  fseek(file, 0, SEEK_END);
  long length = ftell(file);
  fseek(file, 0, SEEK_SET);
  unsigned char *data = malloc(length > 0 ? (size_t)length : 1);
  ck_assert_ptr_nonnull(data);
  ck_assert_uint_eq(fread(data, 1, (size_t)length, file), (size_t)length);
  fclose(file);
  *size = (size_t)length;
  return data;
}

void gt_write_file(const char *path, const void *data, size_t size) {
  FILE *file = fopen(path, "wb");
  ck_assert_msg(file != NULL, "cannot create %s", path);
  ck_assert_uint_eq(fwrite(data, 1, size, file), size);
  ck_assert_int_eq(fclose(file), 0);
}

char *gt_find_file(const char *directory, const char *prefix) {
  DIR *listing = opendir(directory);
  ck_assert_ptr_nonnull(listing);
  char *found = NULL;
  struct dirent *entry;
  while ((entry = readdir(listing)) != NULL) {
    if (strncmp(entry->d_name, prefix, strlen(prefix)) != 0) continue;
    ck_assert_msg(found == NULL, "more than one %s* in %s", prefix, directory);
    size_t length = strlen(directory) + strlen(entry->d_name) + 2;
    found = malloc(length);
    snprintf(found, length, "%s/%s", directory, entry->d_name);
  }
  closedir(listing);
  ck_assert_msg(found != NULL, "no %s* in %s", prefix, directory);
  return found;
}

int gt_count_files(const char *directory, const char *prefix) {
  DIR *listing = opendir(directory);
  ck_assert_ptr_nonnull(listing);
  int count = 0;
  struct dirent *entry;
  while ((entry = readdir(listing)) != NULL) count += strncmp(entry->d_name, prefix, strlen(prefix)) == 0;
  closedir(listing);
  return count;
}
