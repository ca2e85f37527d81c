/* Pieces shared by the FMR records (ISO/IEC 19794-2:2005 and :2011, ANSI
 * INCITS 378-2004): the 6-byte minutia, the extended data block, trailing
 * bytes, resolution and the assembly of a validated bm_template. */
#ifndef BIOMATCH_TEMPLATE_FMR_COMMON_H
#define BIOMATCH_TEMPLATE_FMR_COMMON_H

#include "template/formats_internal.h"

/* Angle encodings of the FMR formats. */
typedef enum bm_fmr_angle_unit_ {
  BM_FMR_ANGLE_ISO_ = 0, /* one byte, 360/256 degrees per step, 0..255 */
  BM_FMR_ANGLE_ANSI_ = 1 /* one byte, 2 degrees per step, 0..179 */
} bm_fmr_angle_unit_;

/* Everything one finger view holds before it becomes a bm_template. */
typedef struct bm_fmr_view_ {
  unsigned width, height;
  unsigned ppcm_x, ppcm_y;
  unsigned finger_position, impression_type, finger_quality;
  unsigned view_number, capture_equipment_id;
  size_t minutia_count;
  bm_minutia minutiae[BM_MAX_MINUTIAE];
  const uint8_t *extended_data; /* points into the record */
  size_t extended_size;
} bm_fmr_view_;

/* Reads `count` minutiae of `bytes_each` bytes (5 = no quality, 6) into view->minutiae.
 * iso2011_codes: minutia quality 254 means unknown and 255 means failed (read as 0). */
bm_status bm_fmr_read_minutiae_(bm_byte_reader_ *reader, size_t count, unsigned bytes_each,
                                bm_fmr_angle_unit_ angle_unit, int iso2011_codes, const bm_read_options *options,
                                bm_fmr_view_ *view);
/* Reads the 2-byte extended data block length and its areas (validated) into view. */
bm_status bm_fmr_read_extended_block_(bm_byte_reader_ *reader, bm_fmr_view_ *view);
/* Builds a validated template from a decoded view (lenient image growth applied here). */
bm_status bm_fmr_make_template_(const bm_fmr_view_ *view, const bm_read_options *options, bm_template **out);
/* The record length field (at offset 8) against the bytes present
 * (BM_ERR_TRUNCATED) and the fixed header (BM_ERR_LENGTH_MISMATCH). */
bm_status bm_fmr_check_record_length_(uint32_t length, size_t size, size_t header_size, const char *what);
/* Bytes after the declared record end: zero padding is accepted, anything else is
 * BM_ERR_TRAILING_DATA unless the options are lenient. */
bm_status bm_fmr_check_trailing_(const uint8_t *data, size_t size, size_t record_length, const char *what,
                                 const bm_read_options *options);
/* Validates the view count and view index of a multi-view record. */
bm_status bm_fmr_check_view_count_(unsigned view_count, const bm_read_options *options, const char *what);

/* Writers. */
bm_status bm_fmr_resolution_ppcm_(const bm_template *tpl, unsigned *ppcm_x, unsigned *ppcm_y);
bm_status bm_fmr_write_minutiae_(const bm_template *tpl, unsigned bytes_each, bm_fmr_angle_unit_ angle_unit,
                                 int iso2011_codes, bm_byte_writer_ *writer);
void bm_fmr_write_extended_block_(const bm_template *tpl, bm_byte_writer_ *writer);
/* Finger quality as written to ISO 2005 / ANSI (0..100; unknown becomes 0). */
unsigned bm_fmr_legacy_quality_(unsigned quality);



/* The image fields ISO 19794-2:2005 and ANSI 378 share after their record
 * lengths (and ANSI's product id): capture equipment, image size,
 * resolution in pixels per cm (zero refused: BM_ERR_ZERO_RESOLUTION, with
 * the field's offset), finger view count and the reserved byte. */
bm_status bm_fmr_read_image_fields_(bm_byte_reader_ *record, bm_fmr_view_ *view, unsigned *view_count,
                                    const char *record_name);

/* Reads one ISO 2005 / ANSI 378 finger view (4-byte view header, 6-byte
 * minutiae, extended data block). Geometry fields must already be set. */
bm_status bm_fmr_read_legacy_view_(bm_byte_reader_ *reader, bm_fmr_angle_unit_ angle_unit,
                                   const bm_read_options *options, bm_fmr_view_ *view);
/* Writes the template as one ISO 2005 / ANSI 378 finger view. */
bm_status bm_fmr_write_legacy_view_(const bm_template *tpl, bm_fmr_angle_unit_ angle_unit, bm_byte_writer_ *writer);
/* Size in bytes of the view bm_fmr_write_legacy_view_() writes. */
size_t bm_fmr_legacy_view_size_(const bm_template *tpl);
/* Reads the "FMR\0" " 20\0" start shared by ISO 2005 and ANSI 378 records. */
bm_status bm_fmr_read_magic_2005_(bm_byte_reader_ *reader);
/* Reads `view_count` legacy views up to the record end (record->size is the
 * declared length); builds view options->view_index into *out when out is not NULL. */
bm_status bm_fmr_read_legacy_views_(bm_byte_reader_ *record, bm_fmr_view_ *view, unsigned view_count,
                                    bm_fmr_angle_unit_ angle_unit, const bm_read_options *options,
                                    bm_template **out);

#endif
