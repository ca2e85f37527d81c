/* File loading shared by the template tests. */
#ifndef BIOMATCH_TESTS_TEMPLATE_DATA_FILES_H
#define BIOMATCH_TESTS_TEMPLATE_DATA_FILES_H

#include <stdio.h>
#include <stdlib.h>

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
