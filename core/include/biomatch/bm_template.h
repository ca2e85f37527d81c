/**
 * @file bm_template.h
 * @brief Fingerprint minutiae template: the data model shared by the
 *        format readers/writers, the extractor and the matcher.
 *
 * A ::bm_template holds one finger view: capture geometry, finger position,
 * impression type, finger quality and up to ::BM_MAX_MINUTIAE minutiae.
 *
 * Conventions (the same whatever format the template came from):
 * - Coordinates are integer pixels of the captured image, origin at the
 *   top-left corner, x to the right, y downwards (the ISO/IEC 19794-2 and
 *   ANSI INCITS 378 convention).
 * - Resolution is in pixels per inch, per axis. ISO/ANSI records store
 *   pixels per centimetre; reading multiplies by 2.54 and writing rounds
 *   ppi / 2.54 to the nearest integer, so a record read and written again
 *   keeps its exact value.
 * - Angles are in degrees, [0, 360), counter-clockwise as seen on screen
 *   from the positive x axis, with the direction rule of ISO/IEC 19794-2
 *   (the ISO/ANSI direction, opposite to NIST's internal xyt direction for
 *   ridge endings). docs/template-formats.md gives each format's angle unit,
 *   its conversion and what is rounded.
 *
 * Thread safety: a bm_template may be read from several threads at once;
 * modifying it needs exclusive access. Distinct templates are independent.
 */
#ifndef BIOMATCH_BM_TEMPLATE_H
#define BIOMATCH_BM_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include "bm_errors.h"
#include "bm_export.h"

BM_EXTERN_C_BEGIN

/** Largest number of minutiae in one template (the ISO/ANSI count field is one byte). */
#define BM_MAX_MINUTIAE 255

/** Quality value meaning "not reported" (ISO/IEC 19794-2:2011 uses 254). */
#define BM_QUALITY_UNKNOWN 254

/** Minutia type. Values are stable. */
typedef enum bm_minutia_type {
  BM_MINUTIA_OTHER = 0,
  BM_MINUTIA_RIDGE_ENDING = 1,
  BM_MINUTIA_BIFURCATION = 2
} bm_minutia_type;

/** Finger positions of ANSI/NIST-ITL and ISO/IEC 19794-2 (values are the standard codes). */
typedef enum bm_finger_position {
  BM_FINGER_UNKNOWN = 0,
  BM_FINGER_RIGHT_THUMB = 1,
  BM_FINGER_RIGHT_INDEX = 2,
  BM_FINGER_RIGHT_MIDDLE = 3,
  BM_FINGER_RIGHT_RING = 4,
  BM_FINGER_RIGHT_LITTLE = 5,
  BM_FINGER_LEFT_THUMB = 6,
  BM_FINGER_LEFT_INDEX = 7,
  BM_FINGER_LEFT_MIDDLE = 8,
  BM_FINGER_LEFT_RING = 9,
  BM_FINGER_LEFT_LITTLE = 10
  /* 11-15: plain (slap) captures; 20-38: palm areas; see bm_finger_position_is_valid(). */
} bm_finger_position;

/** Impression type codes of ISO/IEC 19794-2 and ANSI INCITS 378. */
typedef enum bm_impression_type {
  BM_IMPRESSION_LIVE_PLAIN = 0,
  BM_IMPRESSION_LIVE_ROLLED = 1,
  BM_IMPRESSION_NONLIVE_PLAIN = 2,
  BM_IMPRESSION_NONLIVE_ROLLED = 3,
  BM_IMPRESSION_LATENT = 4,
  BM_IMPRESSION_SWIPE = 8,
  BM_IMPRESSION_LIVE_CONTACTLESS = 9
} bm_impression_type;

/** One minutia. Plain data with a fixed 12-byte layout (part of the ABI). */
typedef struct bm_minutia {
  uint16_t x;      /**< pixels from the left edge */
  uint16_t y;      /**< pixels from the top edge */
  float angle;     /**< degrees in [0, 360), see the file comment */
  uint8_t type;    /**< ::bm_minutia_type */
  uint8_t quality; /**< 0 (worst) .. 100 (best), or ::BM_QUALITY_UNKNOWN */
  uint8_t reserved[2]; /**< zero */
} bm_minutia;

/** One finger view. Opaque; see the file comment for thread safety. */
typedef struct bm_template_s bm_template;

/** Creates an empty template: 500 ppi, size 0x0, unknown finger, live plain, quality unknown. */
BM_API BM_NODISCARD bm_status bm_template_create(bm_template **out_template);
/** Releases a template. NULL is accepted and ignored. */
BM_API void bm_template_free(bm_template *tpl);
/** Deep copy. */
BM_API BM_NODISCARD bm_status bm_template_clone(const bm_template *tpl, bm_template **out_copy);

/**
 * Sets the capture geometry. width/height in pixels (0 = not known, which
 * disables the bounds check on minutiae); resolution in pixels per inch,
 * must be finite and within [50, 5000].
 */
BM_API BM_NODISCARD bm_status bm_template_set_image(bm_template *tpl, unsigned width, unsigned height,
                                                   double ppi_x, double ppi_y);
/** Reads the capture geometry; any output pointer may be NULL. */
BM_API void bm_template_get_image(const bm_template *tpl, unsigned *width, unsigned *height, double *ppi_x,
                                  double *ppi_y);

/**
 * Sets finger position (::bm_finger_position or another valid standard
 * code), impression type (::bm_impression_type) and finger quality
 * (0..100 or ::BM_QUALITY_UNKNOWN).
 */
BM_API BM_NODISCARD bm_status bm_template_set_finger(bm_template *tpl, unsigned position, unsigned impression,
                                                    unsigned quality);
/** Reads finger position, impression type and quality; any output pointer may be NULL. */
BM_API void bm_template_get_finger(const bm_template *tpl, unsigned *position, unsigned *impression,
                                   unsigned *quality);

/** @return non-zero when `code` is a finger or palm position code the standards define. */
BM_API int bm_finger_position_is_valid(unsigned code);

/** @return the number of minutiae (0 for NULL). */
BM_API size_t bm_template_minutia_count(const bm_template *tpl);
/** @return the minutiae array (valid until the template is modified or freed), NULL when empty. */
BM_API const bm_minutia *bm_template_minutiae(const bm_template *tpl);

/**
 * Appends one minutia after validating it: angle finite and in [0, 360),
 * type known, quality 0..100 or ::BM_QUALITY_UNKNOWN, coordinates inside
 * the image when its size is known. Fails with BM_ERR_TOO_MANY_MINUTIAE
 * beyond ::BM_MAX_MINUTIAE.
 */
BM_API BM_NODISCARD bm_status bm_template_add_minutia(bm_template *tpl, const bm_minutia *minutia);
/** Replaces all minutiae (validated like bm_template_add_minutia; unchanged on error). */
BM_API BM_NODISCARD bm_status bm_template_set_minutiae(bm_template *tpl, const bm_minutia *minutiae,
                                                      size_t count);

/**
 * Record-level fields kept so that a record read and written again in the
 * same format keeps them: the 16-bit capture equipment field of ISO/IEC
 * 19794-2:2005 and ANSI INCITS 378 (top 4 bits: compliance/certification,
 * low 12 bits: equipment id; the low 12 bits map to the ISO 2011 capture
 * device type id) and the finger view number (0..15, the ISO 2011
 * representation number). Both default to 0.
 */
BM_API BM_NODISCARD bm_status bm_template_set_record_info(bm_template *tpl, unsigned capture_equipment_id,
                                                         unsigned view_number);
/** Reads the record-level fields; any output pointer may be NULL. */
BM_API void bm_template_get_record_info(const bm_template *tpl, unsigned *capture_equipment_id,
                                        unsigned *view_number);

/**
 * Extended data of the finger view: the content of the ISO/ANSI extended
 * data block after its 2-byte length, i.e. a sequence of areas, each
 * {type id (2 bytes, big-endian), area length (2 bytes, big-endian,
 * counting this 4-byte header), data}. biomatch does not interpret the
 * areas (ridge counts, core/delta, vendor data); it keeps them so that they
 * are written back unchanged by the ISO, ANSI and biomatch writers (xyt
 * drops them). Fails with BM_ERR_BAD_FIELD when the areas do not tile the
 * block exactly or it exceeds 65535 bytes. The bytes are copied.
 */
BM_API BM_NODISCARD bm_status bm_template_set_extended_data(bm_template *tpl, const void *data, size_t size);
/** @return the extended data (NULL when empty) and its size in *size (may be NULL). Valid until modified or freed. */
BM_API const void *bm_template_extended_data(const bm_template *tpl, size_t *size);
/** @return the number of extended data areas held (0 for NULL or none). */
BM_API size_t bm_template_extended_area_count(const bm_template *tpl);

BM_EXTERN_C_END

#endif /* BIOMATCH_BM_TEMPLATE_H */
