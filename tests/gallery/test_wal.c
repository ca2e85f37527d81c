/* Write-ahead log files: round trip, torn tails cut at every byte of the
 * last record, damage in the middle reported with its offset, sequence
 * gaps, argument checks. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "gallery/wal.h"
#include "gallery_test_support.h"
#include "test_support.h"

/* Writes a log of records 1..count in `directory`; returns its path and
 * the offset where each record starts (starts[count] = file size). */
static char *write_log_(const char *directory, int count, uint64_t *starts) {
  bm_wal_ *wal = NULL;
  ck_assert_int_eq(bm_wal_create_(directory, 1, bm_file_io_default_(), &wal), BM_OK);
  unsigned char payload[GT_MAX_PAYLOAD];
  for (int i = 1; i <= count; ++i) {
    starts[i - 1] = bm_wal_size_(wal);
    uint64_t sequence = 0;
    size_t size = gt_payload((uint64_t)i, payload);
    ck_assert_int_eq(bm_wal_append_(wal, gt_type((uint64_t)i), payload, size, &sequence), BM_OK);
    ck_assert_uint_eq(sequence, (uint64_t)i);
  }
  starts[count] = bm_wal_size_(wal);
  ck_assert_int_eq(bm_wal_sync_(wal), BM_OK);
  char *path = strdup(bm_wal_path_(wal));
  bm_wal_close_(wal);
  return path;
}

/* What the log tests start from: a scratch directory holding a log of
 * records 1..count (write_log_) and where each record starts. */
typedef struct wal_case_ {
  char *directory, *path;
  uint64_t *starts; /* count + 1 offsets */
} wal_case_;

static void wal_case_begin_(wal_case_ *f, int count) {
  f->directory = gt_make_directory();
  f->starts = malloc((size_t)(count + 1) * sizeof *f->starts);
  ck_assert_ptr_nonnull(f->starts);
  f->path = write_log_(f->directory, count, f->starts);
}

static void wal_case_end_(wal_case_ *f) {
  free(f->starts);
  free(f->path);
  gt_remove_directory(f->directory);
  free(f->directory);
}

START_TEST(test_round_trip) {
  wal_case_ f;
  wal_case_begin_(&f, 200);
  gt_records records = {0};
  bm_wal_scan_result_ scan;
  ck_assert_int_eq(bm_wal_scan_(f.path, 0, gt_collect_record, &records, &scan), BM_OK);
  ck_assert_uint_eq(records.count, 200);
  ck_assert_ptr_null(gt_check_records(&records, 1));
  ck_assert_uint_eq(scan.first_sequence, 1);
  ck_assert_uint_eq(scan.record_count, 200);
  ck_assert_int_eq(scan.torn_tail, 0);
  ck_assert_uint_eq(scan.valid_end, scan.file_size);
  gt_records_free(&records);
  /* Records at or below deliver_after are checked but not delivered. */
  ck_assert_int_eq(bm_wal_scan_(f.path, 150, gt_collect_record, &records, &scan), BM_OK);
  ck_assert_uint_eq(records.count, 50);
  ck_assert_ptr_null(gt_check_records(&records, 151));
  gt_records_free(&records);
  wal_case_end_(&f);
}
END_TEST

/* Cut the log at every byte inside the last record, or zero it from there
 * on (a preallocated tail): the four earlier records must survive, the
 * tail must be cut on reopening, and a new record must follow them. */
START_TEST(test_torn_tail_every_offset) {
  wal_case_ f;
  wal_case_begin_(&f, 5);
  size_t original_size;
  unsigned char *original = gt_read_file(f.path, &original_size);
  ck_assert_uint_eq(original_size, f.starts[5]);
  for (int zero_fill = 0; zero_fill <= 1; ++zero_fill) {
    for (uint64_t cut = f.starts[4]; cut < f.starts[5]; ++cut) {
      unsigned char *damaged = malloc(original_size);
      memcpy(damaged, original, original_size);
      size_t damaged_size = (size_t)cut;
      if (zero_fill) {
        memset(damaged + cut, 0, original_size - cut);
        damaged_size = original_size;
      }
      gt_write_file(f.path, damaged, damaged_size);
      free(damaged);
      gt_records records = {0};
      bm_wal_scan_result_ scan;
      ck_assert_msg(bm_wal_scan_(f.path, 0, gt_collect_record, &records, &scan) == BM_OK, "cut at %llu: %s",
                    (unsigned long long)cut, bm_last_error_message());
      ck_assert_uint_eq(records.count, 4);
      ck_assert_ptr_null(gt_check_records(&records, 1));
      ck_assert_uint_eq(scan.valid_end, f.starts[4]);
      ck_assert_int_eq(scan.torn_tail, damaged_size > f.starts[4]);
      gt_records_free(&records);

      /* The new record 5 is shorter than the torn one: without the cut,
       * remnants of the torn record would follow it. */
      bm_wal_ *wal = NULL;
      ck_assert_int_eq(bm_wal_open_for_append_(f.path, &scan, bm_file_io_default_(), &wal), BM_OK);
      uint64_t sequence = 0;
      ck_assert_int_eq(bm_wal_append_(wal, 77, "Z", 1, &sequence), BM_OK);
      ck_assert_uint_eq(sequence, 5);
      bm_wal_close_(wal);
      ck_assert_int_eq(bm_wal_scan_(f.path, 0, gt_collect_record, &records, &scan), BM_OK);
      ck_assert_uint_eq(records.count, 5);
      records.count = 4;
      ck_assert_ptr_null(gt_check_records(&records, 1));
      ck_assert_uint_eq(records.items[4].type, 77);
      ck_assert_uint_eq(records.items[4].size, 1);
      ck_assert_int_eq(records.items[4].bytes[0], 'Z');
      ck_assert_int_eq(scan.torn_tail, 0);
      ck_assert_uint_eq(scan.file_size, f.starts[4] + BM_WAL_RECORD_HEADER_SIZE_ + 1);
      gt_records_free(&records);
    }
  }
  free(original);
  wal_case_end_(&f);
}
END_TEST

/* Every byte of a record in the middle, header or payload: flipping it is
 * BM_ERR_CORRUPT naming that record's offset, never a silent skip. */
START_TEST(test_flipped_byte_in_middle_is_corruption) {
  wal_case_ f;
  wal_case_begin_(&f, 5);
  size_t size;
  unsigned char *original = gt_read_file(f.path, &size);
  char expected_offset[48];
  snprintf(expected_offset, sizeof expected_offset, "offset %llu ", (unsigned long long)f.starts[2]);
  for (uint64_t position = f.starts[2]; position < f.starts[3]; ++position) {
    original[position] ^= 0x20;
    gt_write_file(f.path, original, size);
    original[position] ^= 0x20;
    bm_wal_scan_result_ scan;
    gt_records records = {0};
    ck_assert_int_eq(bm_wal_scan_(f.path, 0, gt_collect_record, &records, &scan), BM_ERR_CORRUPT);
    ck_assert_msg(strstr(bm_last_error_message(), expected_offset) != NULL, "byte %llu: message '%s'",
                  (unsigned long long)position, bm_last_error_message());
    ck_assert_uint_le(records.count, 2); /* only records before the damage were delivered */
    gt_records_free(&records);
  }
  /* The file header is checked too. */
  original[17] ^= 1;
  gt_write_file(f.path, original, size);
  bm_wal_scan_result_ scan;
  ck_assert_int_eq(bm_wal_scan_(f.path, 0, NULL, NULL, &scan), BM_ERR_CORRUPT);
  ck_assert_ptr_nonnull(strstr(bm_last_error_message(), "header"));
  free(original);
  wal_case_end_(&f);
}
END_TEST

/* A valid record whose sequence number does not follow is corruption:
 * records 1..3, then a record numbered 10 taken from another log. */
START_TEST(test_sequence_gap_is_corruption) {
  wal_case_ f;
  wal_case_begin_(&f, 3);
  bm_wal_ *other = NULL;
  ck_assert_int_eq(bm_wal_create_(f.directory, 10, bm_file_io_default_(), &other), BM_OK);
  unsigned char payload[GT_MAX_PAYLOAD];
  size_t payload_size = gt_payload(10, payload);
  ck_assert_int_eq(bm_wal_append_(other, gt_type(10), payload, payload_size, NULL), BM_OK);
  char *other_path = strdup(bm_wal_path_(other));
  bm_wal_close_(other);
  size_t size, other_size;
  unsigned char *first = gt_read_file(f.path, &size), *second = gt_read_file(other_path, &other_size);
  unsigned char *joined = malloc(size + other_size);
  memcpy(joined, first, size);
  memcpy(joined + size, second + BM_WAL_FILE_HEADER_SIZE_, other_size - BM_WAL_FILE_HEADER_SIZE_);
  gt_write_file(f.path, joined, size + other_size - BM_WAL_FILE_HEADER_SIZE_);
  bm_wal_scan_result_ scan;
  ck_assert_int_eq(bm_wal_scan_(f.path, 0, NULL, NULL, &scan), BM_ERR_CORRUPT);
  ck_assert_ptr_nonnull(strstr(bm_last_error_message(), "sequence 10, expected 4"));
  free(first);
  free(second);
  free(joined);
  free(other_path);
  wal_case_end_(&f);
}
END_TEST

START_TEST(test_bad_arguments) {
  bm_wal_scan_result_ scan;
  ck_assert_int_eq(bm_wal_scan_(NULL, 0, NULL, NULL, &scan), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_wal_scan_("/nonexistent/bm/log", 0, NULL, NULL, &scan), BM_ERR_IO);
  ck_assert_int_eq(bm_wal_append_(NULL, 1, "x", 1, NULL), BM_ERR_INVALID_ARGUMENT);
  char *directory = gt_make_directory();
  bm_wal_ *wal = NULL;
  ck_assert_int_eq(bm_wal_create_(directory, 1, bm_file_io_default_(), &wal), BM_OK);
  ck_assert_int_eq(bm_wal_append_(wal, 1, NULL, 4, NULL), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_wal_append_(wal, 1, "x", (size_t)BM_WAL_MAX_PAYLOAD_ + 1, NULL), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_wal_append_(wal, 1, NULL, 0, NULL), BM_OK); /* empty payloads are records too */
  ck_assert_uint_eq(bm_wal_next_sequence_(wal), 2);
  bm_wal_close_(wal);
  bm_wal_close_(NULL);
  /* A file that is not a log at all. */
  char path[512];
  snprintf(path, sizeof path, "%s/not-a-log", directory);
  gt_write_file(path, "hello, this is plain text.", 26);
  ck_assert_int_eq(bm_wal_scan_(path, 0, NULL, NULL, &scan), BM_ERR_CORRUPT);
  ck_assert_ptr_nonnull(strstr(bm_last_error_message(), "magic"));
  gt_remove_directory(directory);
  free(directory);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("gallery_wal");
  TCase *tcase = tcase_create("wal");
  tcase_add_test(tcase, test_round_trip);
  tcase_add_test(tcase, test_torn_tail_every_offset);
  tcase_add_test(tcase, test_flipped_byte_in_middle_is_corruption);
  tcase_add_test(tcase, test_sequence_gap_is_corruption);
  tcase_add_test(tcase, test_bad_arguments);
  suite_add_tcase(suite, tcase);
  return bm_test_run_suite(suite);
}
