#include "npy_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads the header dictionary; returns the file positioned at the data. */
static FILE *open_npy(const char *path, char *header, size_t header_capacity) {
  FILE *file = fopen(path, "rb");
  unsigned char prefix[10];
  if (!file || fread(prefix, 1, 10, file) != 10 || memcmp(prefix, "\x93NUMPY", 6) != 0) {
    fprintf(stderr, "%s: not a .npy file\n", path);
    if (file) fclose(file);
    return NULL;
  }
  size_t header_length = prefix[8] | (size_t)prefix[9] << 8;
  if (prefix[6] >= 2) { /* version 2+: 4-byte length */
    unsigned char more[2];
    if (fread(more, 1, 2, file) != 2) header_length = (size_t)-1;
    else header_length |= (size_t)more[0] << 16 | (size_t)more[1] << 24;
  }
  if (header_length >= header_capacity || fread(header, 1, header_length, file) != header_length) {
    fprintf(stderr, "%s: bad .npy header\n", path);
    fclose(file);
    return NULL;
  }
  header[header_length] = '\0';
  if (strstr(header, "'fortran_order': True")) {
    fprintf(stderr, "%s: Fortran order not supported\n", path);
    fclose(file);
    return NULL;
  }
  return file;
}

float *npy_read_f32_matrix(const char *path, size_t *rows, size_t *columns) {
  char header[4096];
  FILE *file = open_npy(path, header, sizeof header);
  if (!file) return NULL;
  const char *shape = strstr(header, "'shape': (");
  if (!strstr(header, "'descr': '<f4'") || !shape || sscanf(shape, "'shape': (%zu, %zu)", rows, columns) != 2) {
    fprintf(stderr, "%s: expected a 2-d '<f4' array\n", path);
    fclose(file);
    return NULL;
  }
  float *data = malloc(*rows * *columns * sizeof *data);
  if (!data || fread(data, sizeof *data, *rows * *columns, file) != *rows * *columns) {
    fprintf(stderr, "%s: truncated data\n", path);
    free(data);
    data = NULL;
  }
  fclose(file);
  return data;
}

char *npy_read_labels(const char *path, size_t *rows, size_t *width) {
  char header[4096];
  FILE *file = open_npy(path, header, sizeof header);
  if (!file) return NULL;
  const char *descr = strstr(header, "'descr': '<U"), *shape = strstr(header, "'shape': (");
  if (!descr || !shape || sscanf(descr, "'descr': '<U%zu'", width) != 1 || sscanf(shape, "'shape': (%zu,", rows) != 1) {
    fprintf(stderr, "%s: expected a 1-d '<U' array\n", path);
    fclose(file);
    return NULL;
  }
  char *labels = calloc(*rows, *width + 1);
  unsigned char *code_units = malloc(*width * 4);
  for (size_t r = 0; labels && code_units && r < *rows; ++r) {
    if (fread(code_units, 4, *width, file) != *width) {
      fprintf(stderr, "%s: truncated data\n", path);
      free(labels);
      labels = NULL;
      break;
    }
    for (size_t c = 0; c < *width; ++c) /* UTF-32LE; names are ASCII */
      labels[r * (*width + 1) + c] = code_units[4 * c] < 128 ? (char)code_units[4 * c] : '?';
  }
  free(code_units);
  fclose(file);
  return labels;
}
