/* The CLI's face embedding reader (bindings/cli/cli_inputs.c) on good files
 * and on malformed ones: truncated at every length, mutated bytes, other
 * dtypes, shapes and orders. It must reject without crashing and accept
 * only well-formed float32 vectors. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_inputs.h"

static char path[] = "/tmp/bm_face_XXXXXX";

static void write_file(const void *data, size_t size) {
  FILE *file = fopen(path, "wb");
  ck_assert_ptr_nonnull(file);
  ck_assert_uint_eq(fwrite(data, 1, size, file), size);
  fclose(file);
}

/* A .npy v1 file: header text padded to 64-byte alignment, then `count` floats 0.5, 1.5, ... */
static size_t make_npy(unsigned char *out, const char *descr, const char *shape, size_t count) {
  char header[256];
  int length = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape);
  while ((10 + length + 1) % 64) header[length++] = ' ';
  header[length++] = '\n';
  memcpy(out, "\x93NUMPY\x01\x00", 8);
  out[8] = (unsigned char)(length & 0xff);
  out[9] = (unsigned char)(length >> 8);
  memcpy(out + 10, header, (size_t)length);
  for (size_t i = 0; i < count; ++i) {
    const float value = (float)i + 0.5f;
    memcpy(out + 10 + length + 4 * i, &value, 4);
  }
  return 10 + (size_t)length + 4 * count;
}

static bm_status load(size_t *dimension, float *first) {
  float *vector = NULL;
  const bm_status status = cli_load_face(path, &vector, dimension);
  if (status == BM_OK && *dimension) *first = vector[0];
  free(vector);
  return status;
}

START_TEST(good_files) {
  unsigned char data[4096];
  size_t dimension = 0;
  float first = 0;
  write_file(data, make_npy(data, "<f4", "(64,)", 64));
  ck_assert_int_eq(load(&dimension, &first), BM_OK);
  ck_assert_uint_eq(dimension, 64);
  ck_assert_float_eq(first, 0.5f);
  write_file(data, make_npy(data, "<f4", "(1, 128)", 128));
  ck_assert_int_eq(load(&dimension, &first), BM_OK);
  ck_assert_uint_eq(dimension, 128);
  const float raw[3] = {1.0f, 2.0f, 3.0f};
  write_file(raw, sizeof raw);
  ck_assert_int_eq(load(&dimension, &first), BM_OK);
  ck_assert_uint_eq(dimension, 3);
  ck_assert_float_eq(first, 1.0f);
}
END_TEST

START_TEST(malformed_files) {
  unsigned char data[4096];
  size_t dimension = 0;
  float first = 0;
  const struct {
    const char *descr, *shape;
  } bad[] = {{"<f8", "(64,)"}, {"<i4", "(64,)"}, {">f4", "(64,)"}, {"<f4", "(2, 64)"}, {"<f4", "(1, 2, 3)"},
             {"<f4", "()"}, {"<f4", "(x,)"}, {"<f4", "64"}};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) {
    write_file(data, make_npy(data, bad[i].descr, bad[i].shape, 64));
    ck_assert_int_ne(load(&dimension, &first), BM_OK);
  }
  const float raw[2] = {1.0f, 2.0f};
  write_file(raw, 7); /* not a whole number of floats */
  ck_assert_int_ne(load(&dimension, &first), BM_OK);
  write_file(raw, 0);
  ck_assert_int_ne(load(&dimension, &first), BM_OK);
  /* Header length pointing past the end of the file. */
  size_t size = make_npy(data, "<f4", "(64,)", 64);
  data[8] = 0xff;
  data[9] = 0x7f;
  write_file(data, size);
  ck_assert_int_ne(load(&dimension, &first), BM_OK);
}
END_TEST

START_TEST(every_truncation_is_rejected) {
  unsigned char data[4096];
  size_t dimension = 0;
  float first = 0;
  const size_t size = make_npy(data, "<f4", "(16,)", 16);
  /* Every prefix of the .npy that is not a whole number of floats or that
   * cuts the array must fail; a prefix that happens to be a multiple of 4
   * bytes without the NUMPY magic cannot occur (the magic comes first). */
  for (size_t cut = 1; cut < size; ++cut) {
    write_file(data, cut);
    ck_assert_msg(load(&dimension, &first) != BM_OK, "prefix of %zu bytes accepted", cut);
  }
}
END_TEST

START_TEST(mutated_headers_never_crash) {
  unsigned char data[4096], mutated[4096];
  const size_t size = make_npy(data, "<f4", "(32,)", 32);
  srand(3);
  for (int round = 0; round < 1500; ++round) {
    memcpy(mutated, data, size);
    for (int k = 0; k < 1 + rand() % 4; ++k) mutated[rand() % 80] = (unsigned char)rand(); /* header bytes */
    write_file(mutated, size);
    size_t dimension = 0;
    float *vector = NULL;
    if (cli_load_face(path, &vector, &dimension) == BM_OK) {
      /* Accepted: the vector must lie inside the file. */
      ck_assert_uint_le(dimension * 4, size);
      ck_assert_ptr_nonnull(vector);
    }
    free(vector);
  }
}
END_TEST

int main(void) {
  const int fd = mkstemp(path);
  if (fd < 0) return 1;
  close(fd);
  freopen("/dev/null", "w", stderr); /* the reader explains every rejection on stderr */
  Suite *suite = suite_create("cli_inputs");
  TCase *tc = tcase_create("face files");
  tcase_add_test(tc, good_files);
  tcase_add_test(tc, malformed_files);
  tcase_add_test(tc, every_truncation_is_rejected);
  tcase_add_test(tc, mutated_headers_never_crash);
  suite_add_tcase(suite, tc);
  SRunner *runner = srunner_create(suite);
  srunner_set_fork_status(runner, CK_NOFORK);
  srunner_run_all(runner, CK_NORMAL);
  const int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  unlink(path);
  return failed ? 1 : 0;
}
