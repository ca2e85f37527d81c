/* A growable byte buffer for the messages ranks exchange. */
#ifndef BIOMATCH_MPI_BUFFER_H
#define BIOMATCH_MPI_BUFFER_H

#include <stddef.h>
#include <stdint.h>

#include "biomatch/bm_errors.h"

typedef struct bm_mpi_buffer_ {
  uint8_t *data;
  size_t size, capacity;
} bm_mpi_buffer_;

/* Appends `size` bytes (data NULL: zero bytes). BM_ERR_OUT_OF_MEMORY on failure. */
bm_status bm_mpi_buffer_append_(bm_mpi_buffer_ *buffer, const void *data, size_t size);
bm_status bm_mpi_buffer_append_u32_(bm_mpi_buffer_ *buffer, uint32_t value);
bm_status bm_mpi_buffer_append_u64_(bm_mpi_buffer_ *buffer, uint64_t value);
void bm_mpi_buffer_free_(bm_mpi_buffer_ *buffer);

/* A bounds-checked reader over received bytes. */
typedef struct bm_mpi_reader_ {
  const uint8_t *data;
  size_t size, at;
} bm_mpi_reader_;

/* Each returns 0 when fewer bytes remain than asked (the reader stays put). */
int bm_mpi_read_u32_(bm_mpi_reader_ *reader, uint32_t *value);
int bm_mpi_read_u64_(bm_mpi_reader_ *reader, uint64_t *value);
int bm_mpi_read_bytes_(bm_mpi_reader_ *reader, size_t size, const uint8_t **out);

#endif
