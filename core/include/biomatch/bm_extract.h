/**
 * @file bm_extract.h
 * @brief Minutiae extraction: turns a grayscale fingerprint image into a
 *        ::bm_template (docs/extractor.md describes the pipeline).
 *
 * The template keeps the image's own pixel grid and resolution: minutiae
 * coordinates are pixels of the input image and the template's ppi is the
 * image's. Internally the image is resampled to 500 ppi and every length is
 * a physical distance, so 250..1000 ppi images are handled alike. Angles
 * follow the ISO/IEC 19794-2 convention of bm_template.h. Each minutia gets
 * a quality 0..100 from the local ridge clarity; the template's finger
 * quality (0..100) summarises the whole print.
 *
 * Thread safety: the extractor has no global state; any number of threads
 * may extract at once, from the same or different images.
 */
#ifndef BIOMATCH_BM_EXTRACT_H
#define BIOMATCH_BM_EXTRACT_H

#include "bm_errors.h"
#include "bm_export.h"
#include "bm_image.h"
#include "bm_template.h"

BM_EXTERN_C_BEGIN

/**
 * Extracts the minutiae of `image` into a new template (*out_template,
 * freed with bm_template_free). Errors: BM_ERR_INVALID_ARGUMENT,
 * BM_ERR_OUT_OF_MEMORY, BM_ERR_NOT_A_FINGERPRINT (no area with a clear
 * ridge pattern: blank, noise, text...).
 */
BM_API BM_NODISCARD bm_status bm_extract(const bm_image *image, bm_template **out_template);

/**
 * As bm_extract(), and also returns the foreground (segmented fingerprint
 * area) as an image of the input's size: 255 inside, 0 outside. Either
 * output may be NULL when not wanted.
 */
BM_API BM_NODISCARD bm_status bm_extract_ex(const bm_image *image, bm_template **out_template,
                                           bm_image **out_foreground);

/**
 * Writes a diagnostic PNG: the image, with the area outside `foreground`
 * (may be NULL) tinted blue and each minutia of `tpl` drawn as a circle
 * with a direction tick, ridge endings red, bifurcations green, others
 * yellow. Errors: BM_ERR_INVALID_ARGUMENT, BM_ERR_IO.
 */
BM_API BM_NODISCARD bm_status bm_extract_write_overlay(const bm_image *image, const bm_image *foreground,
                                                      const bm_template *tpl, const char *path);

BM_EXTERN_C_END

#endif /* BIOMATCH_BM_EXTRACT_H */
