/* Stages of the minutiae extractor (docs/extractor.md). Every stage works on
 * the image resampled to 500 ppi, whose sides are padded to whole blocks. */
#ifndef BIOMATCH_EXTRACT_INTERNAL_H
#define BIOMATCH_EXTRACT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "biomatch/bm_errors.h"
#include "biomatch/bm_image.h"

/* Working resolution: every length below is converted to pixels at it. */
#define BM_WORK_PPI_ 500.0
/* Side of the square blocks of the ridge field, pixels at 500 ppi (0.41 mm). */
#define BM_BLOCK_ 8
/* Mean ridge period of adult fingers, pixels at 500 ppi (0.46 mm). */
#define BM_RIDGE_PERIOD_ 9.0f
/* Range of ridge periods read locally, pixels at 500 ppi (0.25..0.76 mm):
 * from young children's fingers to coarse adult ridges. */
#define BM_MIN_RIDGE_PERIOD_ 5
#define BM_MAX_RIDGE_PERIOD_ 15

typedef struct work_image_ {
  uint8_t *pixels;  /* padded_width * padded_height */
  int width;        /* valid pixels (the resampled image) */
  int height;
  int padded_width; /* multiples of BM_BLOCK_, edges replicated */
  int padded_height;
  double scale;     /* work pixels per input pixel (500 / input ppi) */
} work_image_;

typedef struct ridge_field_ {
  int blocks_x;
  int blocks_y;
  uint8_t *foreground; /* 1 = fingerprint area */
  float *orientation;  /* ridge direction, radians in [0, pi), y downwards */
  float *coherence;    /* 0 (no dominant direction) .. 1 (parallel ridges) */
  float *contrast;     /* gray-level standard deviation */
  float *period;       /* local ridge period, pixels at 500 ppi (every block) */
  float *clarity;      /* 0..1: how periodic the ridges are around the block (3x3 blocks) */
} ridge_field_;

typedef struct minutia_candidate_ {
  float x, y;     /* work pixels */
  float angle;    /* radians, counter-clockwise on screen, ISO direction */
  int type;       /* bm_minutia_type */
  int quality;    /* 0..100 */
  int removed;
} minutia_candidate_;

bm_status bm_resample_to_work_(const bm_image *image, work_image_ *out);
void bm_work_image_free_(work_image_ *work);

bm_status bm_ridge_field_compute_(const work_image_ *work, ridge_field_ *field);
/* Sigma, pixels at 500 ppi, of the low-pass the ridge field's gradients are
 * taken on (half amplitude at the finest ridge period read). */
float bm_gradient_smoothing_sigma_(void);
/* out (padded_width x padded_height) = the padded work image smoothed by a
 * normalised Gaussian of `sigma` (<= 1 px; 7 taps, edges replicated);
 * row: scratch of padded_width floats. */
void bm_gaussian_smooth_(const work_image_ *work, float sigma, float *out, float *row);
void bm_ridge_field_free_(ridge_field_ *field);
/* Fails with BM_ERR_NOT_A_FINGERPRINT when the field holds too little ridge area. */
bm_status bm_ridge_field_check_fingerprint_(const ridge_field_ *field);

/* out (padded_width x padded_height): each pixel's deviation from its local
 * mean in local standard deviations, clipped to +-2 (sweat dots, blots). */
bm_status bm_normalise_contrast_(const work_image_ *work, float *out);

/* Fills field->period and field->clarity from the oriented signature of the
 * normalised image (bm_normalise_contrast_) around every foreground block,
 * smoothed and filled in from neighbouring blocks, and drops unclear blocks
 * from the foreground's margin. */
bm_status bm_ridge_frequency_compute_(const work_image_ *work, const float *normalised, ridge_field_ *field);

/* Contextual filtering of the normalised image: ridges[i] = 1 on ridge
 * pixels of the foreground, else 0. */
bm_status bm_enhance_binarise_(const work_image_ *work, const float *normalised, const ridge_field_ *field,
                               uint8_t *ridges);

/* Turns valley holes no larger than a sweat pore, enclosed by ridge pixels
 * (4-connected, not touching the image edge), into ridge. */
bm_status bm_fill_pores_(uint8_t *ridges, int width, int height);

/* Thins a 0/1 image (border pixels must be 0) to one-pixel-wide lines. */
bm_status bm_thin_(uint8_t *image, int width, int height);

/* Finds, orients, filters and grades the minutiae of a skeleton. */
bm_status bm_minutiae_detect_(const uint8_t *skeleton, const work_image_ *work, const ridge_field_ *field,
                              minutia_candidate_ **out, size_t *count);

#endif
