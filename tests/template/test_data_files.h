/* Helpers shared by the template tests: shared data location and file loading. */
#ifndef BIOMATCH_TESTS_TEMPLATE_DATA_FILES_H
#define BIOMATCH_TESTS_TEMPLATE_DATA_FILES_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Exits with 77 (ctest: Skipped) when the shared data folder is absent. */
static inline const char *test_data_dir_or_skip(void) {
#ifdef BM_TEST_DATA_DIR
  struct stat info;
  if (stat(BM_TEST_DATA_DIR "/fvc2002_db1_b", &info) == 0 && S_ISDIR(info.st_mode)) return BM_TEST_DATA_DIR;
  printf("skipped: shared data not found at %s\n", BM_TEST_DATA_DIR);
#else
  printf("skipped: BM_TEST_DATA_DIR is not defined\n");
#endif
  exit(77);
}

/* Reads a whole file; returns NULL when it cannot be read. */
static inline unsigned char *test_load_file(const char *path, size_t *size) {
  FILE *file = fopen(path, "rb");
  if (!file) return NULL;
  unsigned char *data = malloc(1 << 20);
  *size = data ? fread(data, 1, 1 << 20, file) : 0;
  fclose(file);
  return data;
}

#endif
