/* Minimal reader of NumPy .npy files (version 1.x/2.x, C order) for the
 * evaluation tools: float32 matrices and fixed-width unicode label arrays. */
#ifndef BIOMATCH_BENCH_NPY_READER_H
#define BIOMATCH_BENCH_NPY_READER_H

#include <stddef.h>

/* Reads a '<f4' array of shape (rows, columns). Returns a malloc'd buffer or NULL (message on stderr). */
float *npy_read_f32_matrix(const char *path, size_t *rows, size_t *columns);
/* Reads a '<U<n>' array of shape (rows,) as malloc'd UTF-8-truncated ASCII strings (rows of `width`+1 bytes). */
char *npy_read_labels(const char *path, size_t *rows, size_t *width);

#endif
