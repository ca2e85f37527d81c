/* The extraction pipeline: resample to 500 ppi, ridge field and
 * segmentation, contrast normalisation, ridge period, contextual
 * enhancement and binarisation, pore filling, thinning, minutia detection and clean-up,
 * then back to the input's pixel grid. */
#include "biomatch/bm_extract.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "extract/extract_internal.h"
#include "extract/image_internal.h"

/* Print area (mm^2) from which the finger quality no longer grows: about a
 * third of a plain impression of a fingertip. */
#define FULL_AREA_MM2_ 100.0

static unsigned finger_quality_(const ridge_field_ *field) {
  const int count = field->blocks_x * field->blocks_y;
  int foreground = 0;
  double clarity = 0;
  for (int i = 0; i < count; ++i)
    if (field->foreground[i]) {
      ++foreground;
      clarity += field->coherence[i] / 0.7 < 1.0 ? field->coherence[i] / 0.7 : 1.0;
    }
  if (foreground == 0) return 0;
  const double mm_per_block = BM_BLOCK_ * 25.4 / BM_WORK_PPI_;
  const double area = foreground * mm_per_block * mm_per_block;
  const double coverage = area / FULL_AREA_MM2_ < 1.0 ? area / FULL_AREA_MM2_ : 1.0;
  return (unsigned)lround(100.0 * clarity / foreground * coverage);
}

/* Foreground mask in the input's grid, 0 or 255 per pixel. */
static bm_status foreground_image_(const bm_image *image, const work_image_ *work, const ridge_field_ *field,
                                   bm_image **out) {
  const unsigned width = bm_image_width(image), height = bm_image_height(image);
  uint8_t *mask = malloc((size_t)width * height);
  if (!mask) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "foreground mask");
  for (unsigned y = 0; y < height; ++y) {
    int wy = (int)((y + 0.5) * work->scale);
    if (wy >= work->height) wy = work->height - 1;
    for (unsigned x = 0; x < width; ++x) {
      int wx = (int)((x + 0.5) * work->scale);
      if (wx >= work->width) wx = work->width - 1;
      mask[(size_t)y * width + x] =
          field->foreground[(wy / BM_BLOCK_) * field->blocks_x + wx / BM_BLOCK_] ? 255 : 0;
    }
  }
  bm_status status = bm_image_adopt_(mask, width, height, bm_image_ppi(image), out);
  if (status != BM_OK) free(mask);
  return status;
}

static bm_status fill_template_(const bm_image *image, const work_image_ *work, const ridge_field_ *field,
                                const minutia_candidate_ *found, size_t count, bm_template *tpl) {
  const unsigned width = bm_image_width(image), height = bm_image_height(image);
  const double ppi = bm_image_ppi(image);
  bm_status status = bm_template_set_image(tpl, width, height, ppi, ppi);
  if (status == BM_OK)
    status = bm_template_set_finger(tpl, BM_FINGER_UNKNOWN, BM_IMPRESSION_LIVE_PLAIN, finger_quality_(field));
  bm_minutia *minutiae = malloc(sizeof *minutiae * (count ? count : 1));
  if (!minutiae) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "%zu minutiae", count);
  for (size_t i = 0; i < count; ++i) {
    /* Pixel centres map back as (x + 0.5) / scale - 0.5. */
    long x = lround((found[i].x + 0.5) / work->scale - 0.5), y = lround((found[i].y + 0.5) / work->scale - 0.5);
    if (x < 0) x = 0;
    if (y < 0) y = 0;
    if (x > (long)width - 1) x = (long)width - 1;
    if (y > (long)height - 1) y = (long)height - 1;
    float degrees = found[i].angle * (float)(180.0 / M_PI);
    if (!(degrees >= 0.0f) || degrees >= 360.0f) degrees = fmodf(degrees + 720.0f, 360.0f);
    if (degrees >= 360.0f) degrees = 0.0f;
    memset(&minutiae[i], 0, sizeof minutiae[i]);
    minutiae[i].x = (uint16_t)x;
    minutiae[i].y = (uint16_t)y;
    minutiae[i].angle = degrees;
    minutiae[i].type = (uint8_t)found[i].type;
    minutiae[i].quality = (uint8_t)found[i].quality;
  }
  if (status == BM_OK) status = bm_template_set_minutiae(tpl, minutiae, count);
  free(minutiae);
  return status;
}

bm_status bm_extract_ex(const bm_image *image, bm_template **out_template, bm_image **out_foreground) {
  if (out_template) *out_template = NULL;
  if (out_foreground) *out_foreground = NULL;
  if (!image) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "image is NULL");
  if (!out_template && !out_foreground) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "no output asked for");

  work_image_ work = {0};
  ridge_field_ field = {0};
  uint8_t *ridges = NULL;
  minutia_candidate_ *found = NULL;
  size_t count = 0;
  bm_template *tpl = NULL;
  float *normalised = NULL;
  bm_status status = bm_resample_to_work_(image, &work);
  if (status == BM_OK) status = bm_ridge_field_compute_(&work, &field);
  if (status == BM_OK) status = bm_ridge_field_check_fingerprint_(&field);
  if (status == BM_OK) {
    normalised = malloc(sizeof(float) * (size_t)work.padded_width * work.padded_height);
    status = normalised ? bm_normalise_contrast_(&work, normalised)
                        : bm_fail_(BM_ERR_OUT_OF_MEMORY, "normalised image");
  }
  if (status == BM_OK) status = bm_ridge_frequency_compute_(&work, normalised, &field);
  if (status == BM_OK && out_template) {
    ridges = malloc((size_t)work.padded_width * work.padded_height);
    if (!ridges) status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "ridge image");
    if (status == BM_OK) status = bm_enhance_binarise_(&work, normalised, &field, ridges);
    if (status == BM_OK) status = bm_fill_pores_(ridges, work.padded_width, work.padded_height);
    if (status == BM_OK) {
      /* Thinning and the 8-neighbourhood tests need a blank frame. */
      const int w = work.padded_width, h = work.padded_height;
      memset(ridges, 0, (size_t)w);
      memset(ridges + (size_t)(h - 1) * w, 0, (size_t)w);
      for (int y = 0; y < h; ++y) ridges[(size_t)y * w] = ridges[(size_t)y * w + w - 1] = 0;
      status = bm_thin_(ridges, w, h);
    }
    if (status == BM_OK) status = bm_minutiae_detect_(ridges, &work, &field, &found, &count);
    if (status == BM_OK) status = bm_template_create(&tpl);
    if (status == BM_OK) status = fill_template_(image, &work, &field, found, count, tpl);
  }
  if (status == BM_OK && out_foreground) status = foreground_image_(image, &work, &field, out_foreground);
  free(found);
  free(ridges);
  free(normalised);
  bm_ridge_field_free_(&field);
  bm_work_image_free_(&work);
  if (status != BM_OK) {
    bm_template_free(tpl);
    if (out_foreground) {
      bm_image_free(*out_foreground);
      *out_foreground = NULL;
    }
    return status;
  }
  if (out_template) *out_template = tpl;
  return BM_OK;
}

bm_status bm_extract(const bm_image *image, bm_template **out_template) {
  if (!out_template) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "out_template is NULL");
  return bm_extract_ex(image, out_template, NULL);
}
