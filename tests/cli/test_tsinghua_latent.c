/* tools/evaluation/tsinghua_latent.c, the latent set reader of
 * bm_eval_latent and bm_eval_prefilter: pair listing (numeric order, hidden
 * entries, the limit, a missing folder), reading a role's .xyt file (found,
 * absent, malformed), extracting a role's image (absent, undecodable) and
 * cropping to the minutiae nearest the centroid.
 * Works on a small set written to a temporary folder; a last case reads the
 * shared set and is skipped visibly when it is absent. */
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_support.h"
#include "tsinghua_latent.h"

static char root[64];

static void make_dir(const char *relative) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", root, relative);
  ck_assert_int_eq(mkdir(path, 0700), 0);
}

static void write_file(const char *relative, const char *text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", root, relative);
  FILE *file = fopen(path, "w");
  ck_assert_ptr_nonnull(file);
  fputs(text, file);
  fclose(file);
}

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw) {
  (void)info, (void)flag, (void)ftw;
  return remove(path);
}

/* Pairs 1, 2 and 10 (so that text order differs from numeric order), a hidden entry, and in pair 2 a
 * sensor folder without any .xyt file and a latent that does not parse. */
static void setup(void) {
  snprintf(root, sizeof root, "/tmp/bm_tsinghua_XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(root));
  make_dir("Latent_Latent");
  make_dir("Latent_Latent/.hidden");
  static const char *const pairs[] = {"10", "2", "1"};
  for (size_t i = 0; i < 3; ++i) {
    char relative[128];
    snprintf(relative, sizeof relative, "Latent_Latent/%s", pairs[i]);
    make_dir(relative);
    snprintf(relative, sizeof relative, "Latent_Latent/%s/latent", pairs[i]);
    make_dir(relative);
    snprintf(relative, sizeof relative, "Latent_Latent/%s/sensor", pairs[i]);
    make_dir(relative);
  }
  /* A cluster of three near (251, 251), four far corners and one point between: centroid (256.5, 256.5). */
  static const char cloud[] = "250 250 90 60\n252 250 80 60\n250 252 70 60\n50 50 10 60\n450 450 20 60\n"
                              "50 450 30 60\n450 50 40 60\n300 300 50 60\n";
  write_file("Latent_Latent/1/latent/1_latent.xyt", cloud);
  write_file("Latent_Latent/1/sensor/1_sensor.xyt", cloud);
  write_file("Latent_Latent/2/latent/2_latent.xyt", "this is not an xyt line\n");
  write_file("Latent_Latent/2/sensor/notes.txt", "no minutiae here\n");
}

static void teardown(void) { nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

START_TEST(pairs_are_listed_in_numeric_order_without_hidden_entries) {
  char **names = NULL;
  size_t count = 0;
  ck_assert_int_eq(tsinghua_list_pairs(root, 256, &names, &count), 1);
  ck_assert_uint_eq(count, 3);
  ck_assert_str_eq(names[0], "1");
  ck_assert_str_eq(names[1], "2");
  ck_assert_str_eq(names[2], "10");
  tsinghua_free_pairs(names, count);
}
END_TEST

START_TEST(the_pair_limit_is_respected_and_the_kept_pairs_sorted) {
  char **names = NULL;
  size_t count = 0;
  ck_assert_int_eq(tsinghua_list_pairs(root, 2, &names, &count), 1);
  ck_assert_uint_eq(count, 2);
  ck_assert_int_lt(atoi(names[0]), atoi(names[1]));
  tsinghua_free_pairs(names, count);
  ck_assert_int_eq(tsinghua_list_pairs(root, 0, &names, &count), 1);
  ck_assert_uint_eq(count, 0);
  tsinghua_free_pairs(names, count);
}
END_TEST

START_TEST(a_missing_folder_is_reported) {
  char **names = (char **)1;
  size_t count = 99;
  char missing[128];
  snprintf(missing, sizeof missing, "%s/nowhere", root);
  ck_assert_int_eq(tsinghua_list_pairs(missing, 256, &names, &count), 0);
  ck_assert_ptr_null(names);
  ck_assert_uint_eq(count, 0);
  tsinghua_free_pairs(NULL, 0); /* NULL-safe */
}
END_TEST

START_TEST(prints_are_read_or_their_absence_and_damage_reported) {
  bm_template *tpl = NULL;
  ck_assert_int_eq(tsinghua_read_print(root, "1", "latent", &tpl), BM_OK);
  ck_assert_uint_eq(bm_template_minutia_count(tpl), 8);
  bm_template_free(tpl);
  tpl = NULL;
  ck_assert_int_eq(tsinghua_read_print(root, "2", "sensor", &tpl), BM_ERR_NOT_FOUND);
  ck_assert_int_eq(tsinghua_read_print(root, "3", "sensor", &tpl), BM_ERR_NOT_FOUND);
  const bm_status damaged = tsinghua_read_print(root, "2", "latent", &tpl);
  ck_assert_int_ne(damaged, BM_OK);
  ck_assert_int_ne(damaged, BM_ERR_NOT_FOUND);
  bm_template_free(tpl);
}
END_TEST

START_TEST(images_are_extracted_or_their_absence_and_damage_reported) {
  write_file("Latent_Latent/2/latent/2_latent.png", "\x89PNG\r\n\x1a\n truncated");
  bm_template *tpl = NULL;
  ck_assert_int_eq(tsinghua_extract_print(root, "1", "latent", &tpl), BM_ERR_NOT_FOUND);
  ck_assert_ptr_null(tpl);
  ck_assert_int_eq(tsinghua_extract_print(root, "3", "sensor", &tpl), BM_ERR_NOT_FOUND);
  ck_assert_int_eq(tsinghua_extract_print(root, "2", "latent", &tpl), BM_ERR_IMAGE_DECODE);
  ck_assert_ptr_null(tpl);
}
END_TEST

START_TEST(cropping_keeps_the_minutiae_nearest_the_centroid) {
  bm_template *tpl = NULL;
  ck_assert_int_eq(tsinghua_read_print(root, "1", "latent", &tpl), BM_OK);
  tsinghua_crop(tpl, 8); /* nothing to drop */
  ck_assert_uint_eq(bm_template_minutia_count(tpl), 8);
  tsinghua_crop(tpl, 3);
  ck_assert_uint_eq(bm_template_minutia_count(tpl), 3);
  const bm_minutia *kept = bm_template_minutiae(tpl);
  for (size_t i = 0; i < 3; ++i) ck_assert(kept[i].x == 250 || kept[i].x == 252);
  bm_template_free(tpl);
}
END_TEST

START_TEST(the_shared_set_has_84_readable_pairs) {
  const char *dir = bm_test_require_data("tsinghua_latent_generated_A");
  char **names = NULL;
  size_t count = 0;
  ck_assert_int_eq(tsinghua_list_pairs(dir, 256, &names, &count), 1);
  ck_assert_uint_eq(count, 84);
  for (size_t p = 0; p < count; ++p) {
    if (p) ck_assert_int_lt(atoi(names[p - 1]), atoi(names[p]));
    static const char *const roles[] = {"latent", "sensor"};
    for (size_t r = 0; r < 2; ++r) {
      bm_template *tpl = NULL;
      ck_assert_int_eq(tsinghua_read_print(dir, names[p], roles[r], &tpl), BM_OK);
      ck_assert_uint_gt(bm_template_minutia_count(tpl), 0);
      bm_template_free(tpl);
    }
  }
  /* The image of a print extracts too (the whole set: bm_eval_extract_latent). */
  bm_template *extracted = NULL;
  ck_assert_int_eq(tsinghua_extract_print(dir, names[0], "sensor", &extracted), BM_OK);
  ck_assert_uint_gt(bm_template_minutia_count(extracted), 10);
  bm_template_free(extracted);
  tsinghua_free_pairs(names, count);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("tsinghua_latent");
  TCase *folder = tcase_create("folder");
  tcase_add_checked_fixture(folder, setup, teardown);
  tcase_add_test(folder, pairs_are_listed_in_numeric_order_without_hidden_entries);
  tcase_add_test(folder, the_pair_limit_is_respected_and_the_kept_pairs_sorted);
  tcase_add_test(folder, a_missing_folder_is_reported);
  tcase_add_test(folder, prints_are_read_or_their_absence_and_damage_reported);
  tcase_add_test(folder, images_are_extracted_or_their_absence_and_damage_reported);
  tcase_add_test(folder, cropping_keeps_the_minutiae_nearest_the_centroid);
  suite_add_tcase(suite, folder);
  TCase *shared = tcase_create("shared_data");
  tcase_add_test(shared, the_shared_set_has_84_readable_pairs);
  suite_add_tcase(suite, shared);
  return bm_test_run_suite(suite);
}
