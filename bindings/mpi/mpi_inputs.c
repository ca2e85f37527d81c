/* Files, probes and faces of biomatch-mpi (see mpi_inputs.h). */
#include "mpi_inputs.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

bm_status bm_mpi_read_file_(const char *path, uint8_t **out, size_t *size) {
  *out = NULL;
  *size = 0;
  FILE *file = fopen(path, "rb");
  if (!file) return bm_fail_(BM_ERR_IO, "%s: %s", path, strerror(errno));
  bm_mpi_buffer_ buffer = {0};
  bm_status status = BM_OK;
  uint8_t chunk[65536];
  size_t got;
  while (status == BM_OK && (got = fread(chunk, 1, sizeof chunk, file)) > 0) {
    if (buffer.size + got > BM_MPI_MAX_FILE_BYTES_)
      status = bm_fail_(BM_ERR_IO, "%s: larger than %d bytes", path, BM_MPI_MAX_FILE_BYTES_);
    else status = bm_mpi_buffer_append_(&buffer, chunk, got);
  }
  if (status == BM_OK && ferror(file)) status = bm_fail_(BM_ERR_IO, "%s: read error", path);
  fclose(file);
  if (status != BM_OK) {
    bm_mpi_buffer_free_(&buffer);
    return status;
  }
  *out = buffer.data;
  *size = buffer.size;
  return BM_OK;
}

int bm_mpi_parse_position_(const char *text) {
  if (strcmp(text, "face") == 0) return BM_MPI_POSITION_FACE_;
  char *end = NULL;
  errno = 0;
  const long value = strtol(text, &end, 10);
  if (errno || end == text || *end || value < 0 || value > BM_GALLERY_MAX_POSITION) return -1;
  return (int)value;
}

/* Parses a .npy header; on success *data_offset and *dimension are set. */
static bm_status parse_npy(const uint8_t *data, size_t size, size_t *data_offset, size_t *dimension) {
  if (size < 10) return bm_fail_(BM_ERR_PARSE, ".npy shorter than its preamble");
  const unsigned major = data[6];
  size_t header_length, header_start;
  if (major == 1) {
    header_length = (size_t)data[8] | (size_t)data[9] << 8;
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) return bm_fail_(BM_ERR_PARSE, ".npy shorter than its preamble");
    header_length = (size_t)data[8] | (size_t)data[9] << 8 | (size_t)data[10] << 16 | (size_t)data[11] << 24;
    header_start = 12;
  } else {
    return bm_fail_(BM_ERR_PARSE, ".npy version %u not supported", major);
  }
  if (header_length > size - header_start) return bm_fail_(BM_ERR_PARSE, ".npy header beyond the file");
  char header[1024];
  if (header_length >= sizeof header) return bm_fail_(BM_ERR_PARSE, ".npy header of %zu bytes", header_length);
  memcpy(header, data + header_start, header_length);
  header[header_length] = '\0';
  if (!strstr(header, "'descr': '<f4'")) return bm_fail_(BM_ERR_PARSE, ".npy is not little-endian float32");
  if (!strstr(header, "'fortran_order': False")) return bm_fail_(BM_ERR_PARSE, ".npy in Fortran order");
  const char *shape = strstr(header, "'shape': (");
  if (!shape) return bm_fail_(BM_ERR_PARSE, ".npy header without a shape");
  shape += strlen("'shape': (");
  unsigned long first = 0, second = 0;
  int dims = 0;
  char *end = NULL;
  first = strtoul(shape, &end, 10);
  if (end == shape) return bm_fail_(BM_ERR_PARSE, ".npy shape unreadable");
  dims = 1;
  while (*end == ' ') ++end;
  if (*end == ',') {
    ++end;
    while (*end == ' ') ++end;
    if (*end != ')') {
      const char *at = end;
      second = strtoul(at, &end, 10);
      if (end == at) return bm_fail_(BM_ERR_PARSE, ".npy shape unreadable");
      dims = 2;
      while (*end == ' ') ++end;
      if (*end == ',') ++end;
      while (*end == ' ') ++end;
    }
  }
  if (*end != ')') return bm_fail_(BM_ERR_PARSE, ".npy shape is not (D,) or (1, D)");
  if (dims == 2 && first != 1) return bm_fail_(BM_ERR_PARSE, ".npy shape is not (D,) or (1, D)");
  *dimension = dims == 2 ? second : first;
  *data_offset = header_start + header_length;
  if (*dimension == 0 || *dimension > (size - *data_offset) / 4 || size - *data_offset != *dimension * 4)
    return bm_fail_(BM_ERR_PARSE, ".npy data size does not match its shape");
  return BM_OK;
}

bm_status bm_mpi_parse_face_(const uint8_t *data, size_t size, float **out, size_t *dimension) {
  *out = NULL;
  *dimension = 0;
  size_t offset = 0, count = 0;
  if (size >= 6 && memcmp(data, "\x93NUMPY", 6) == 0) {
    bm_status status = parse_npy(data, size, &offset, &count);
    if (status != BM_OK) return status;
  } else {
    if (size == 0 || size % 4) return bm_fail_(BM_ERR_PARSE, "raw float32 face of %zu bytes", size);
    count = size / 4;
  }
  float *values = malloc(count * sizeof *values);
  if (!values) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "face of %zu values", count);
  memcpy(values, data + offset, count * sizeof *values);
  *out = values;
  *dimension = count;
  return BM_OK;
}

/* Appends one part (position, the file's bytes). */
static bm_status pack_part(bm_mpi_buffer_ *parts, unsigned position, const char *path) {
  uint8_t *bytes = NULL;
  size_t size = 0;
  bm_status status = bm_mpi_read_file_(path, &bytes, &size);
  if (status == BM_OK) status = bm_mpi_buffer_append_u32_(parts, position);
  if (status == BM_OK) status = bm_mpi_buffer_append_u64_(parts, size);
  if (status == BM_OK) status = bm_mpi_buffer_append_(parts, bytes, size);
  free(bytes);
  return status;
}

bm_status bm_mpi_probe_pack_(const char *spec, unsigned default_position, bm_mpi_buffer_ *out) {
  bm_mpi_buffer_ parts = {0};
  uint32_t count = 0;
  bm_status status = BM_OK;
  /* A list only when the first part starts with "P:" where P is a position. */
  const char *colon = strchr(spec, ':');
  int is_list = 0;
  if (colon && (size_t)(colon - spec) < 8) {
    char head[8];
    memcpy(head, spec, (size_t)(colon - spec));
    head[colon - spec] = '\0';
    is_list = bm_mpi_parse_position_(head) >= 0;
  }
  if (!is_list) {
    status = pack_part(&parts, default_position, spec);
    count = 1;
  } else {
    char *copy = strdup(spec);
    if (!copy) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "probe");
    char *save = NULL;
    for (char *item = copy ? strtok_r(copy, ",", &save) : NULL; status == BM_OK && item;
         item = strtok_r(NULL, ",", &save)) {
      char *sep = strchr(item, ':');
      if (sep) *sep = '\0';
      const int position = sep ? bm_mpi_parse_position_(item) : -1;
      if (position < 0) status = bm_fail_(BM_ERR_INVALID_ARGUMENT, "%s: expected P:PATH with P 0..10 or face", spec);
      else status = pack_part(&parts, (unsigned)position, sep + 1);
      ++count;
    }
    free(copy);
  }
  bm_status packed = bm_mpi_buffer_append_u32_(out, (uint32_t)status);
  if (packed == BM_OK) packed = bm_mpi_buffer_append_u32_(out, status == BM_OK ? count : 0);
  if (packed == BM_OK && status == BM_OK) packed = bm_mpi_buffer_append_(out, parts.data, parts.size);
  bm_mpi_buffer_free_(&parts);
  return status != BM_OK ? status : packed;
}

bm_status bm_mpi_probe_unpack_(bm_mpi_reader_ *reader, const bm_read_options *options, bm_status *root_status,
                               bm_gallery_probe **out) {
  *out = NULL;
  *root_status = BM_OK;
  uint32_t status32 = 0, count = 0;
  if (!bm_mpi_read_u32_(reader, &status32) || !bm_mpi_read_u32_(reader, &count))
    return bm_fail_(BM_ERR_CORRUPT, "probe message truncated at byte %zu", reader->at);
  if (status32) {
    *root_status = (bm_status)status32;
    return BM_OK;
  }
  /* read every part first so the reader ends after this probe even on failure */
  uint32_t positions[BM_MPI_POSITION_FACE_ + 1];
  const uint8_t *bytes[BM_MPI_POSITION_FACE_ + 1];
  uint64_t sizes[BM_MPI_POSITION_FACE_ + 1];
  if (count == 0 || count > BM_MPI_POSITION_FACE_ + 1)
    return bm_fail_(BM_ERR_CORRUPT, "probe with %u parts", count);
  for (uint32_t i = 0; i < count; ++i) {
    if (!bm_mpi_read_u32_(reader, &positions[i]) || !bm_mpi_read_u64_(reader, &sizes[i]) ||
        positions[i] > BM_MPI_POSITION_FACE_ || !bm_mpi_read_bytes_(reader, sizes[i], &bytes[i]))
      return bm_fail_(BM_ERR_CORRUPT, "probe part %u damaged at byte %zu", i, reader->at);
  }
  bm_gallery_probe *probe = NULL;
  bm_status status = bm_gallery_probe_create(&probe);
  for (uint32_t i = 0; status == BM_OK && i < count; ++i) {
    if (positions[i] == BM_MPI_POSITION_FACE_) {
      float *face = NULL;
      size_t dimension = 0;
      status = bm_mpi_parse_face_(bytes[i], sizes[i], &face, &dimension);
      if (status == BM_OK) status = bm_gallery_probe_set_face(probe, face, dimension);
      free(face);
    } else {
      bm_template *tpl = NULL;
      status = bm_template_read_memory_ex(bytes[i], sizes[i], options, &tpl);
      if (status == BM_OK) status = bm_gallery_probe_add_finger(probe, positions[i], tpl);
      bm_template_free(tpl);
    }
  }
  if (status != BM_OK) {
    bm_gallery_probe_free(probe);
    return status;
  }
  *out = probe;
  return BM_OK;
}
