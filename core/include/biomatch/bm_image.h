/**
 * @file bm_image.h
 * @brief Grayscale fingerprint images: loading from PNG files or memory and
 *        wrapping raw 8-bit buffers from capture devices.
 *
 * A ::bm_image holds 8-bit gray pixels (0 black .. 255 white), row-major,
 * tightly packed, and a resolution in pixels per inch. PNG input of any
 * colour type is converted to 8-bit gray: 16-bit samples are reduced to 8,
 * palettes expanded, RGB/RGBA turned into luminance (alpha dropped). The
 * resolution comes from the PNG pHYs chunk when it is given in pixels per
 * metre, otherwise from the caller's default.
 *
 * Limits: each side 16..16384 pixels and at most 64 M pixels, else
 * BM_ERR_IMAGE_SIZE; resolution 250..1000 ppi (the range the extractor
 * handles), else BM_ERR_IMAGE_RESOLUTION.
 *
 * Thread safety: a bm_image may be read from several threads at once (for
 * example extracted concurrently); modifying it (bm_image_set_ppi) needs
 * exclusive access. Distinct images are independent.
 */
#ifndef BIOMATCH_BM_IMAGE_H
#define BIOMATCH_BM_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "bm_errors.h"
#include "bm_export.h"

BM_EXTERN_C_BEGIN

/** Resolution assumed when neither the file nor the caller gives one. */
#define BM_IMAGE_DEFAULT_PPI 500.0

/** A grayscale image. Opaque; see the file comment for thread safety. */
typedef struct bm_image_s bm_image;

/**
 * Decodes a PNG file. `default_ppi` is used when the file has no pHYs chunk
 * in pixels per metre (pass 0 for ::BM_IMAGE_DEFAULT_PPI). Errors:
 * BM_ERR_IO (cannot read), BM_ERR_IMAGE_DECODE (not a PNG or damaged),
 * BM_ERR_IMAGE_SIZE, BM_ERR_IMAGE_RESOLUTION.
 */
BM_API BM_NODISCARD bm_status bm_image_load_file(const char *path, double default_ppi, bm_image **out_image);
/** Decodes a PNG held in memory; as bm_image_load_file(). */
BM_API BM_NODISCARD bm_status bm_image_load_memory(const void *data, size_t size, double default_ppi,
                                                  bm_image **out_image);
/**
 * Copies a raw 8-bit gray buffer: `height` rows of `width` pixels, rows
 * `stride_in_bytes` apart (>= width). Errors: BM_ERR_INVALID_ARGUMENT
 * (NULL pixels, stride < width), BM_ERR_IMAGE_SIZE, BM_ERR_IMAGE_RESOLUTION.
 */
BM_API BM_NODISCARD bm_status bm_image_from_gray8(const uint8_t *pixels, unsigned width, unsigned height,
                                                 size_t stride_in_bytes, double ppi, bm_image **out_image);
/** Releases an image. NULL is accepted and ignored. */
BM_API void bm_image_free(bm_image *image);

/** @return width in pixels (0 for NULL). */
BM_API unsigned bm_image_width(const bm_image *image);
/** @return height in pixels (0 for NULL). */
BM_API unsigned bm_image_height(const bm_image *image);
/** @return resolution in pixels per inch (0 for NULL). */
BM_API double bm_image_ppi(const bm_image *image);
/** @return the pixels, `width` bytes per row without padding (NULL for NULL). */
BM_API const uint8_t *bm_image_pixels(const bm_image *image);
/** Overrides the resolution (e.g. when the file's pHYs is known to be wrong). */
BM_API BM_NODISCARD bm_status bm_image_set_ppi(bm_image *image, double ppi);

/**
 * Writes 8-bit pixels as a PNG file: `channels` 1 (gray) or 3 (RGB),
 * rows packed (width * channels bytes), with a pHYs chunk for `ppi`
 * (0 = none). Errors: BM_ERR_INVALID_ARGUMENT, BM_ERR_IO.
 */
BM_API BM_NODISCARD bm_status bm_png_write_file(const char *path, const uint8_t *pixels, unsigned width,
                                               unsigned height, unsigned channels, double ppi);

BM_EXTERN_C_END

#endif /* BIOMATCH_BM_IMAGE_H */
