/* Inputs of biomatch-mpi: files read on the root rank and shipped as bytes
 * (so other ranks need no shared file system), probe specifications and
 * face embeddings.
 *
 * A probe on the wire: u32 status (non-zero: the root could not read it),
 * u32 part count, per part u32 position (0..10, 11 = face), u64 byte count,
 * the file's bytes. */
#ifndef BIOMATCH_MPI_INPUTS_H
#define BIOMATCH_MPI_INPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "biomatch/biomatch.h"
#include "biomatch/bm_gallery.h"
#include "mpi_buffer.h"

enum { BM_MPI_POSITION_FACE_ = 11, BM_MPI_MAX_FILE_BYTES_ = 64 << 20 };

/* Reads a whole file (at most BM_MPI_MAX_FILE_BYTES_) into a malloc'd buffer. BM_ERR_IO naming the file. */
bm_status bm_mpi_read_file_(const char *path, uint8_t **out, size_t *size);

/* "0".."10" or "face" (BM_MPI_POSITION_FACE_); -1 otherwise. */
int bm_mpi_parse_position_(const char *text);

/* A face embedding from file bytes: NumPy .npy of little-endian float32 of
 * shape (D,) or (1, D), or raw little-endian float32 values. *out is
 * malloc'd. BM_ERR_PARSE for a damaged or unsupported .npy, an empty or
 * odd-sized raw file. */
bm_status bm_mpi_parse_face_(const uint8_t *data, size_t size, float **out, size_t *dimension);

/* Root: appends probe `spec` to `out`: a file at default_position, or a list
 * "P:PATH,P:PATH,..." (P 0..10 or "face"). A file that cannot be read, or
 * a bad list, is appended as a probe carrying the error status (and the
 * error is returned too, with its message, for the root to print). */
bm_status bm_mpi_probe_pack_(const char *spec, unsigned default_position, bm_mpi_buffer_ *out);

/* Every rank: reads one probe from `reader` and builds it. *root_status
 * receives the root's status (the probe is then NULL). BM_ERR_CORRUPT for
 * bytes that are not a probe; template and face errors as their parsers. */
bm_status bm_mpi_probe_unpack_(bm_mpi_reader_ *reader, const bm_read_options *options, bm_status *root_status,
                               bm_gallery_probe **out);

#endif
