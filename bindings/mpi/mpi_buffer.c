/* Byte buffers and readers for rank messages (see mpi_buffer.h). */
#include "mpi_buffer.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

bm_status bm_mpi_buffer_append_(bm_mpi_buffer_ *buffer, const void *data, size_t size) {
  if (size > buffer->capacity - buffer->size) {
    size_t capacity = buffer->capacity ? buffer->capacity : 256;
    while (capacity - buffer->size < size) {
      if (capacity > SIZE_MAX / 2) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "message of %zu bytes", size);
      capacity *= 2;
    }
    uint8_t *grown = realloc(buffer->data, capacity);
    if (!grown) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "message of %zu bytes", capacity);
    buffer->data = grown;
    buffer->capacity = capacity;
  }
  if (size) {
    if (data) memcpy(buffer->data + buffer->size, data, size);
    else memset(buffer->data + buffer->size, 0, size);
  }
  buffer->size += size;
  return BM_OK;
}

bm_status bm_mpi_buffer_append_u32_(bm_mpi_buffer_ *buffer, uint32_t value) {
  return bm_mpi_buffer_append_(buffer, &value, sizeof value);
}

bm_status bm_mpi_buffer_append_u64_(bm_mpi_buffer_ *buffer, uint64_t value) {
  return bm_mpi_buffer_append_(buffer, &value, sizeof value);
}

void bm_mpi_buffer_free_(bm_mpi_buffer_ *buffer) {
  free(buffer->data);
  memset(buffer, 0, sizeof *buffer);
}

int bm_mpi_read_bytes_(bm_mpi_reader_ *reader, size_t size, const uint8_t **out) {
  if (size > reader->size - reader->at) return 0;
  *out = reader->data + reader->at;
  reader->at += size;
  return 1;
}

int bm_mpi_read_u32_(bm_mpi_reader_ *reader, uint32_t *value) {
  const uint8_t *bytes;
  if (!bm_mpi_read_bytes_(reader, sizeof *value, &bytes)) return 0;
  memcpy(value, bytes, sizeof *value);
  return 1;
}

int bm_mpi_read_u64_(bm_mpi_reader_ *reader, uint64_t *value) {
  const uint8_t *bytes;
  if (!bm_mpi_read_bytes_(reader, sizeof *value, &bytes)) return 0;
  memcpy(value, bytes, sizeof *value);
  return 1;
}
