/* Snapshot files: round trip by mmap and by read with aligned payloads, a
 * flipped byte anywhere reported as BM_ERR_CORRUPT naming the section or
 * header, and a failed write leaving the previous snapshot untouched. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "failing_io.h"
#include "gallery/snapshot.h"
#include "gallery_test_support.h"
#include "test_support.h"

enum { SECTION_COUNT = 4 };
static const uint64_t section_sizes_[SECTION_COUNT] = {10, 0, 200000, 100};

/* Sections with pseudo-random bytes (seeded by index). */
static void make_sections_(bm_snapshot_section_ *sections, unsigned char **buffers) {
  for (int i = 0; i < SECTION_COUNT; ++i) {
    buffers[i] = malloc(section_sizes_[i] + 1);
    uint32_t state = 2463534242u + (uint32_t)i;
    for (uint64_t j = 0; j < section_sizes_[i]; ++j) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      buffers[i][j] = (unsigned char)state;
    }
    sections[i].tag = 0x1000u + (uint32_t)i;
    sections[i].data = buffers[i];
    sections[i].size = section_sizes_[i];
  }
}

static char *snapshot_path_(const char *directory) {
  char *path = malloc(strlen(directory) + 32);
  sprintf(path, "%s/snapshot-test.bms", directory);
  return path;
}

/* What every test starts from: a scratch directory, the snapshot path in
 * it, and SECTION_COUNT sections of pseudo-random bytes. */
typedef struct snapshot_case_ {
  char *directory, *path;
  bm_snapshot_section_ sections[SECTION_COUNT];
  unsigned char *buffers[SECTION_COUNT];
} snapshot_case_;

static void snapshot_case_begin_(snapshot_case_ *f) {
  f->directory = gt_make_directory();
  f->path = snapshot_path_(f->directory);
  make_sections_(f->sections, f->buffers);
}

static void snapshot_case_end_(snapshot_case_ *f) {
  for (int i = 0; i < SECTION_COUNT; ++i) free(f->buffers[i]);
  free(f->path);
  gt_remove_directory(f->directory);
  free(f->directory);
}

START_TEST(test_round_trip_mmap_and_read) {
  snapshot_case_ f;
  snapshot_case_begin_(&f);
  ck_assert_int_eq(bm_snapshot_write_(f.directory, f.path, 12345, f.sections, SECTION_COUNT, bm_file_io_default_()),
                   BM_OK);
  for (int use_mmap = 0; use_mmap <= 1; ++use_mmap) {
    bm_snapshot_ *snapshot = NULL;
    ck_assert_int_eq(bm_snapshot_load_(f.path, use_mmap, &snapshot), BM_OK);
    ck_assert_uint_eq(bm_snapshot_sequence_(snapshot), 12345);
    ck_assert_uint_eq(bm_snapshot_section_count_(snapshot), SECTION_COUNT);
    for (int i = 0; i < SECTION_COUNT; ++i) {
      const bm_snapshot_section_ *section = bm_snapshot_section_at_(snapshot, (size_t)i);
      ck_assert_uint_eq(section->tag, f.sections[i].tag);
      ck_assert_uint_eq(section->size, f.sections[i].size);
      ck_assert_int_eq(memcmp(section->data, f.buffers[i], (size_t)f.sections[i].size), 0);
      uintptr_t address = (uintptr_t)section->data;
      ck_assert_uint_eq(address % BM_SNAPSHOT_ALIGNMENT_, 0);
      if (section->size >= BM_SNAPSHOT_PAGE_SECTION_) ck_assert_uint_eq(address % BM_SNAPSHOT_PAGE_ALIGNMENT_, 0);
    }
    ck_assert_ptr_eq(bm_snapshot_find_(snapshot, 0x1002u), bm_snapshot_section_at_(snapshot, 2));
    ck_assert_ptr_null(bm_snapshot_find_(snapshot, 0xdeadu));
    ck_assert_ptr_null(bm_snapshot_section_at_(snapshot, SECTION_COUNT));
    bm_snapshot_free_(snapshot);
  }
  bm_snapshot_free_(NULL);
  /* No sections at all is a valid (empty) snapshot. */
  ck_assert_int_eq(bm_snapshot_write_(f.directory, f.path, 7, NULL, 0, bm_file_io_default_()), BM_OK);
  bm_snapshot_ *empty = NULL;
  ck_assert_int_eq(bm_snapshot_load_(f.path, 1, &empty), BM_OK);
  ck_assert_uint_eq(bm_snapshot_section_count_(empty), 0);
  ck_assert_uint_eq(bm_snapshot_sequence_(empty), 7);
  bm_snapshot_free_(empty);
  snapshot_case_end_(&f);
}
END_TEST

/* Flip bytes through the whole file: every flip inside a payload names
 * that section, every flip in the header or table is reported too. Bytes
 * in alignment gaps carry no data and are not checked. */
START_TEST(test_flipped_byte_is_reported) {
  snapshot_case_ f;
  snapshot_case_begin_(&f);
  ck_assert_int_eq(bm_snapshot_write_(f.directory, f.path, 1, f.sections, SECTION_COUNT, bm_file_io_default_()), BM_OK);
  size_t size;
  unsigned char *original = gt_read_file(f.path, &size);
  uint64_t table_end = BM_SNAPSHOT_HEADER_SIZE_ + SECTION_COUNT * BM_SNAPSHOT_ENTRY_SIZE_;
  int checked_sections = 0;
  for (uint64_t position = 0; position < size; position += position < table_end ? 1 : 127) {
    const char *expected = position < BM_SNAPSHOT_HEADER_SIZE_ ? "header" : position < table_end ? "table entry" : NULL;
    char section_name[32];
    for (int i = 0; expected == NULL && i < SECTION_COUNT; ++i) {
      const unsigned char *entry = original + BM_SNAPSHOT_HEADER_SIZE_ + i * BM_SNAPSHOT_ENTRY_SIZE_;
      uint64_t offset, section_size;
      memcpy(&offset, entry + 8, 8);
      memcpy(&section_size, entry + 16, 8);
      if (position >= offset && position < offset + section_size) {
        snprintf(section_name, sizeof section_name, "section %d (tag", i);
        expected = section_name;
        ++checked_sections;
      }
    }
    if (!expected) continue; /* alignment padding */
    original[position] ^= 0x04;
    gt_write_file(f.path, original, size);
    original[position] ^= 0x04;
    for (int use_mmap = 0; use_mmap <= 1; ++use_mmap) {
      bm_snapshot_ *snapshot = NULL;
      ck_assert_int_eq(bm_snapshot_load_(f.path, use_mmap, &snapshot), BM_ERR_CORRUPT);
      ck_assert_ptr_null(snapshot);
      ck_assert_msg(strstr(bm_last_error_message(), expected) != NULL, "byte %llu: '%s' lacks '%s'",
                    (unsigned long long)position, bm_last_error_message(), expected);
    }
  }
  ck_assert_int_gt(checked_sections, 100);
  /* A truncated file is damage too. */
  gt_write_file(f.path, original, size - 1);
  bm_snapshot_ *snapshot = NULL;
  ck_assert_int_eq(bm_snapshot_load_(f.path, 1, &snapshot), BM_ERR_CORRUPT);
  gt_write_file(f.path, original, 10);
  ck_assert_int_eq(bm_snapshot_load_(f.path, 0, &snapshot), BM_ERR_CORRUPT);
  free(original);
  snapshot_case_end_(&f);
}
END_TEST

/* A write or fsync failure while writing a new snapshot leaves the old
 * one as it was and no temporary file behind. */
START_TEST(test_failed_write_keeps_previous) {
  snapshot_case_ f;
  snapshot_case_begin_(&f);
  ck_assert_int_eq(bm_snapshot_write_(f.directory, f.path, 1, f.sections, 1, bm_file_io_default_()), BM_OK);
  for (int mode = 0; mode < 2; ++mode) {
    failing_io_reset();
    if (mode == 0) failing_io.writes_before_failure = 2;
    else failing_io.fsyncs_before_failure = 0;
    ck_assert_int_eq(bm_snapshot_write_(f.directory, f.path, 2, f.sections, SECTION_COUNT, &failing_io_table),
                     BM_ERR_IO);
    ck_assert_int_eq(gt_count_files(f.directory, "snapshot-test.bms.tmp"), 0);
    bm_snapshot_ *snapshot = NULL;
    ck_assert_int_eq(bm_snapshot_load_(f.path, 1, &snapshot), BM_OK);
    ck_assert_uint_eq(bm_snapshot_sequence_(snapshot), 1);
    ck_assert_uint_eq(bm_snapshot_section_count_(snapshot), 1);
    bm_snapshot_free_(snapshot);
  }
  ck_assert_int_eq(bm_snapshot_write_(NULL, f.path, 1, f.sections, 1, bm_file_io_default_()), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_snapshot_write_(f.directory, f.path, 1, NULL, 2, bm_file_io_default_()), BM_ERR_INVALID_ARGUMENT);
  bm_snapshot_ *missing = NULL;
  ck_assert_int_eq(bm_snapshot_load_("/nonexistent/bm/snapshot.bms", 1, &missing), BM_ERR_NOT_FOUND);
  snapshot_case_end_(&f);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("gallery_snapshot");
  TCase *tcase = tcase_create("snapshot");
  tcase_add_test(tcase, test_round_trip_mmap_and_read);
  tcase_add_test(tcase, test_flipped_byte_is_reported);
  tcase_add_test(tcase, test_failed_write_keeps_previous);
  suite_add_tcase(suite, tcase);
  return bm_test_run_suite(suite);
}
