/* DET curve pictures: false non-match rate against false match rate, both on
 * log scales, one coloured curve per score set. */
#ifndef BIOMATCH_TOOLS_DET_PLOT_H
#define BIOMATCH_TOOLS_DET_PLOT_H

#include <stddef.h>
#include <stdint.h>

typedef struct det_curve {
  const float *genuine;
  size_t genuine_count;
  const float *impostor;
  size_t impostor_count;
  uint8_t rgb[3]; /* colour of the curve */
} det_curve;

/* Writes a PNG of the curves (480x480 pixels). Both axes run from 10^lowest
 * to 1, with a grey grid line per decade; lowest is the decade that holds
 * one error in the largest list (at most 10^-2, at least 10^-6); a rate of
 * 0 is drawn on the lowest line. The light diagonal is FMR = FNMR: a curve
 * crosses it at its EER. Returns 0 on failure (memory, file). */
int det_plot_write(const char *path, const det_curve *curves, size_t curve_count);

/* One red curve: the form the evaluation programs use. */
int write_det_png(const char *path, const float *genuine, size_t genuine_count, const float *impostor,
                  size_t impostor_count);

#endif
