/* Reading the shared real-world records: every FVC2002 ISO template, the
 * SourceAFIS samples (extended data, zero padding) and the truncated
 * OpenAFIS records. Needs ../shared/data; exits 77 when it is absent. */
#include <check.h>
#include <glob.h>
#include <string.h>

#include "biomatch/biomatch.h"
#include "template/test_data_files.h"
#include "test_support.h"

static const char *data_dir;

/* The path of `relative` under the shared data folder (static storage, valid until the next call). */
static const char *data_path(const char *relative) {
  static char path[1024];
  snprintf(path, sizeof path, "%s/%s", data_dir, relative);
  return path;
}

static void glob_data(const char *pattern, glob_t *found) {
  ck_assert_int_eq(glob(data_path(pattern), 0, NULL, found), 0);
}

/* The bytes of the shared data file `relative` (freed by the caller), which must be readable. */
static unsigned char *load_data(const char *relative, size_t *size) {
  unsigned char *bytes = test_load_file(data_path(relative), size);
  ck_assert_msg(bytes != NULL, "%s cannot be read", relative);
  return bytes;
}

/* The length an ISO 19794-2 record states for itself: bytes 8..11, big-endian. */
static size_t iso_record_length(const unsigned char *record) {
  return (size_t)record[8] << 24 | (size_t)record[9] << 16 | (size_t)record[10] << 8 | record[11];
}

START_TEST(test_all_fvc2002_iso_templates_parse) {
  glob_t found;
  glob_data("fvc2002_db[12]_b/*.iso", &found);
  ck_assert_uint_eq(found.gl_pathc, 160);
  for (size_t i = 0; i < found.gl_pathc; ++i) {
    bm_template *tpl = NULL;
    bm_status status = bm_template_read_file(found.gl_pathv[i], &tpl);
    ck_assert_msg(status == BM_OK, "%s: %s %s", found.gl_pathv[i], bm_error_name(status), bm_last_error_message());
    unsigned width, height, position, impression;
    double ppi_x, ppi_y;
    bm_template_get_image(tpl, &width, &height, &ppi_x, &ppi_y);
    bm_template_get_finger(tpl, &position, &impression, NULL);
    /* SOURCE.md: every header says 300x400 at 197 px/cm, finger 0, impression 0. */
    ck_assert_uint_eq(width, 300);
    ck_assert_uint_eq(height, 400);
    ck_assert_double_eq_tol(ppi_x, 197 * 2.54, 1e-9);
    ck_assert_double_eq_tol(ppi_y, 197 * 2.54, 1e-9);
    ck_assert_uint_eq(position, 0);
    ck_assert_uint_eq(impression, 0);
    ck_assert_uint_gt(bm_template_minutia_count(tpl), 0);
    const bm_minutia *minutiae = bm_template_minutiae(tpl);
    for (size_t m = 0; m < bm_template_minutia_count(tpl); ++m) {
      ck_assert_uint_lt(minutiae[m].x, 300);
      ck_assert_uint_lt(minutiae[m].y, 400);
      ck_assert(minutiae[m].type == BM_MINUTIA_RIDGE_ENDING || minutiae[m].type == BM_MINUTIA_BIFURCATION);
    }
    bm_template_free(tpl);
  }
  globfree(&found);
}
END_TEST

START_TEST(test_fvc_record_fields_match_the_bytes) {
  size_t size = 0;
  unsigned char *bytes = load_data("fvc2002_db1_b/101_1.iso", &size);
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_template_read_memory(bytes, size, &tpl), BM_OK);
  /* Minutia count is byte 27; the first minutia starts at byte 28. */
  ck_assert_uint_eq(bm_template_minutia_count(tpl), bytes[27]);
  const bm_minutia *first = bm_template_minutiae(tpl);
  ck_assert_uint_eq(first->type, bytes[28] >> 6 == 1 ? BM_MINUTIA_RIDGE_ENDING : BM_MINUTIA_BIFURCATION);
  ck_assert_uint_eq(first->x, ((bytes[28] & 0x3Fu) << 8) | bytes[29]);
  ck_assert_uint_eq(first->y, ((bytes[30] & 0x3Fu) << 8) | bytes[31]);
  ck_assert_float_eq(first->angle, bytes[32] * 360.0f / 256.0f);
  bm_template_free(tpl);
  free(bytes);
}
END_TEST

START_TEST(test_sourceafis_samples_parse_with_extended_data_and_padding) {
  const char *names[] = {"iso-probe.dat", "iso-matching.dat", "iso-nonmatching.dat"};
  const size_t minutiae[] = {38, 38, 39};
  for (int i = 0; i < 3; ++i) {
    char path[1024];
    snprintf(path, sizeof path, "%s/sourceafis_iso_samples/%s", data_dir, names[i]);
    bm_template *tpl = NULL;
    bm_status status = bm_template_read_file(path, &tpl);
    ck_assert_msg(status == BM_OK, "%s: %s", names[i], bm_last_error_message());
    ck_assert_uint_eq(bm_template_minutia_count(tpl), minutiae[i]);
    size_t extended = 0;
    ck_assert_ptr_nonnull(bm_template_extended_data(tpl, &extended));
    ck_assert_uint_eq(extended, 5);
    ck_assert_uint_eq(bm_template_extended_area_count(tpl), 1);
    unsigned quality;
    bm_template_get_finger(tpl, NULL, NULL, &quality);
    ck_assert_uint_eq(quality, 100);
    /* Written back as ISO 2005, the record is byte-identical to the file up to its length. */
    size_t file_size = 0, written = 0;
    unsigned char *original = test_load_file(path, &file_size);
    unsigned char out[1024];
    ck_assert_int_eq(bm_template_write_memory(tpl, BM_FORMAT_ISO_2005, 0, out, sizeof out, &written), BM_OK);
    ck_assert_uint_eq(written, iso_record_length(original));
    ck_assert_mem_eq(out, original, written);
    free(original);
    bm_template_free(tpl);
  }
}
END_TEST

START_TEST(test_openafis_truncated_records_are_rejected) {
  glob_t found;
  glob_data("openafis_invalid_iso/*.iso", &found);
  ck_assert_uint_eq(found.gl_pathc, 3);
  for (size_t i = 0; i < found.gl_pathc; ++i) {
    bm_template *tpl = (bm_template *)&found; /* must be reset to NULL on failure */
    ck_assert_int_eq(bm_template_read_file(found.gl_pathv[i], &tpl), BM_ERR_TRUNCATED);
    ck_assert_ptr_null(tpl);
    ck_assert_ptr_nonnull(strstr(bm_last_error_message(), "length field"));
  }
  globfree(&found);
}
END_TEST

START_TEST(test_tsinghua_xyt_files_parse) {
  glob_t found;
  glob_data("tsinghua_latent_generated_A/Latent_Latent/*/*/*.xyt", &found);
  ck_assert_uint_eq(found.gl_pathc, 168);
  bm_read_options options;
  bm_read_options_init(&options);
  options.format = BM_FORMAT_XYT; /* some files are empty: nothing to detect from */
  options.xyt_width = 512;
  options.xyt_height = 512;
  options.xyt_ppi = 500;
  size_t empty = 0;
  for (size_t i = 0; i < found.gl_pathc; ++i) {
    bm_template *tpl = NULL;
    bm_status status = bm_template_read_file_ex(found.gl_pathv[i], &options, &tpl);
    ck_assert_msg(status == BM_OK, "%s: %s %s", found.gl_pathv[i], bm_error_name(status), bm_last_error_message());
    if (bm_template_minutia_count(tpl) == 0) ++empty;
    bm_template_free(tpl);
  }
  ck_assert_uint_lt(empty, found.gl_pathc);
  globfree(&found);
}
END_TEST

START_TEST(test_real_record_truncated_at_every_byte_is_rejected) {
  size_t size = 0;
  unsigned char *bytes = load_data("sourceafis_iso_samples/iso-nonmatching.dat", &size);
  const size_t record_length = iso_record_length(bytes);
  for (size_t prefix = 0; prefix < record_length; ++prefix) {
    unsigned char *copy = malloc(prefix ? prefix : 1);
    memcpy(copy, bytes, prefix);
    bm_template *tpl = NULL;
    ck_assert_int_eq(bm_template_read_memory(copy, prefix, &tpl), BM_ERR_TRUNCATED);
    free(copy);
  }
  free(bytes);
}
END_TEST

int main(void) {
  /* Each folder is checked so that a partial copy of the data skips rather than fails. */
  const char *folders[] = {"fvc2002_db1_b", "fvc2002_db2_b", "sourceafis_iso_samples", "openafis_invalid_iso",
                           "tsinghua_latent_generated_A/Latent_Latent"};
  for (size_t i = 0; i < sizeof folders / sizeof folders[0]; ++i) bm_test_require_data(folders[i]);
  data_dir = BM_TEST_DATA_DIR;
  Suite *suite = suite_create("template_data");
  TCase *tcase = tcase_create("shared_data");
  tcase_add_test(tcase, test_all_fvc2002_iso_templates_parse);
  tcase_add_test(tcase, test_fvc_record_fields_match_the_bytes);
  tcase_add_test(tcase, test_sourceafis_samples_parse_with_extended_data_and_padding);
  tcase_add_test(tcase, test_openafis_truncated_records_are_rejected);
  tcase_add_test(tcase, test_tsinghua_xyt_files_parse);
  tcase_add_test(tcase, test_real_record_truncated_at_every_byte_is_rejected);
  suite_add_tcase(suite, tcase);
  return bm_test_run_suite(suite);
}
