#include "cli_inputs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int is_png(const char *path) {
  unsigned char signature[8] = {0};
  FILE *file = fopen(path, "rb");
  if (!file) return 0;
  const size_t got = fread(signature, 1, sizeof signature, file);
  fclose(file);
  return got == sizeof signature && memcmp(signature, "\x89PNG\r\n\x1a\n", 8) == 0;
}

bm_status cli_load_finger(const char *path, const bm_read_options *options, double image_ppi, bm_template **out) {
  bm_status status;
  if (is_png(path)) {
    bm_image *image = NULL;
    status = bm_image_load_file(path, image_ppi, &image);
    if (status == BM_OK) status = bm_extract(image, out);
    bm_image_free(image);
  } else {
    status = bm_template_read_file_ex(path, options, out);
  }
  if (status != BM_OK) cli_report_error(path, status);
  return status;
}

static bm_status face_error(const char *path, bm_status status, const char *reason) {
  fprintf(stderr, "biomatch: %s: %s: %s\n", path, bm_error_name(status), reason);
  return status;
}

/* Parses the header of a .npy held in `data`: sets the offset of the array
 * and its element count for a '<f4' C-order shape (D,) or (1, D). */
static int parse_npy_header(const unsigned char *data, size_t size, size_t *offset, size_t *count) {
  if (size < 10 || memcmp(data, "\x93NUMPY", 6) != 0) return 0;
  const unsigned major = data[6];
  size_t header_length, start;
  if (major == 1) {
    header_length = (size_t)data[8] | (size_t)data[9] << 8;
    start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) return 0;
    header_length = (size_t)data[8] | (size_t)data[9] << 8 | (size_t)data[10] << 16 | (size_t)data[11] << 24;
    start = 12;
  } else {
    return 0;
  }
  if (header_length > size - start || header_length > 4096) return 0;
  char header[4097];
  memcpy(header, data + start, header_length);
  header[header_length] = '\0';
  if (!strstr(header, "'<f4'") || strstr(header, "'fortran_order': True")) return 0;
  const char *cursor = strstr(header, "'shape':");
  cursor = cursor ? strchr(cursor, '(') : NULL;
  if (!cursor) return 0;
  ++cursor;
  size_t dims[3];
  int dim_count = 0;
  while (dim_count < 3) {
    while (*cursor == ' ') ++cursor;
    if (*cursor == ')') break;
    char *end;
    const unsigned long long value = strtoull(cursor, &end, 10);
    if (end == cursor) return 0;
    dims[dim_count++] = (size_t)value;
    cursor = end;
    while (*cursor == ' ') ++cursor;
    if (*cursor == ',') ++cursor;
  }
  if (*cursor != ')') return 0;
  if (dim_count == 1) *count = dims[0];
  else if (dim_count == 2 && dims[0] == 1) *count = dims[1];
  else return 0;
  *offset = start + header_length;
  return 1;
}

bm_status cli_load_face(const char *path, float **out, size_t *dimension) {
  *out = NULL;
  *dimension = 0;
  unsigned char *data = NULL;
  size_t size = 0;
  if (!cli_load_file(path, &data, &size)) return BM_ERR_IO;
  size_t offset = 0, count = size / 4;
  /* A file starting like the NumPy magic is a .npy, even when cut inside the magic. */
  const int looks_npy = memcmp(data, "\x93NUMPY", size < 6 ? size : 6) == 0 && size > 0;
  if (looks_npy) {
    if (!parse_npy_header(data, size, &offset, &count)) {
      free(data);
      return face_error(path, BM_ERR_PARSE, "not a float32 vector .npy (dtype '<f4', shape (D,) or (1, D))");
    }
    if (count > (size - offset) / 4) {
      free(data);
      return face_error(path, BM_ERR_TRUNCATED, "the .npy file ends before its array does");
    }
  } else if (size % 4 != 0 || size == 0) {
    free(data);
    return face_error(path, BM_ERR_PARSE, "a raw embedding is a whole number of little-endian float32 values");
  }
  float *vector = malloc((count ? count : 1) * sizeof *vector);
  if (!vector) {
    free(data);
    return face_error(path, BM_ERR_OUT_OF_MEMORY, "out of memory");
  }
  for (size_t i = 0; i < count; ++i) { /* little-endian on every host */
    const unsigned char *b = data + offset + 4 * i;
    const uint32_t bits = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    memcpy(&vector[i], &bits, sizeof bits);
  }
  free(data);
  *out = vector;
  *dimension = count;
  return BM_OK;
}

int cli_parse_position(const char *text) {
  if (strcmp(text, "face") == 0) return CLI_POSITION_FACE;
  char *end;
  errno = 0;
  const long value = strtol(text, &end, 10);
  if (*text == '\0' || *end || errno || value < 0 || value > 10) return -1;
  return (int)value;
}
