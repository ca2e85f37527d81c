/**
 * @file bm_template_io.h
 * @brief Reading and writing fingerprint templates in interchange formats.
 *
 * Supported formats (docs/template-formats.md describes each byte by byte,
 * with the angle, origin and rounding rules):
 * - ISO/IEC 19794-2:2005 finger minutiae record (`FMR\0`, ` 20\0`, 4-byte length),
 * - ISO/IEC 19794-2:2011 finger minutiae record (`FMR\0`, ` 30\0`),
 * - ANSI INCITS 378-2004 (`FMR\0`, ` 20\0`, 2- or 6-byte length, CBEFF product id),
 * - NIST xyt text (`x y theta [quality]` per line, MINDTCT convention),
 * - biomatch's own compact binary template (`BMTF`, CRC-32C protected).
 *
 * The input format is always detected from the content (magic bytes, record
 * structure, text shape), never from a file name. ISO 2005 and ANSI 378
 * share magic and version; they are told apart by which header layout makes
 * the declared length agree with the views that follow.
 *
 * Readers are strict by default: every inconsistency is an error with a
 * specific code (BM_ERR_BAD_MAGIC, BM_ERR_TRUNCATED, ...) and a message
 * naming the field and byte offset. Readers never read outside the buffer
 * given. All functions are thread-safe (they share no state); the templates
 * they return belong to the caller (bm_template_free()).
 */
#ifndef BIOMATCH_BM_TEMPLATE_IO_H
#define BIOMATCH_BM_TEMPLATE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "bm_errors.h"
#include "bm_export.h"
#include "bm_template.h"

BM_EXTERN_C_BEGIN

/** Template formats. Values are stable. */
typedef enum bm_template_format {
  BM_FORMAT_AUTO = 0,         /**< reading: detect from content; never a writing target */
  BM_FORMAT_ISO_2005 = 1,     /**< ISO/IEC 19794-2:2005 */
  BM_FORMAT_ISO_2011 = 2,     /**< ISO/IEC 19794-2:2011 */
  BM_FORMAT_ANSI_378 = 3,     /**< ANSI INCITS 378-2004 */
  BM_FORMAT_XYT = 4,          /**< NIST xyt text */
  BM_FORMAT_BIOMATCH = 5      /**< biomatch compact binary template */
} bm_template_format;

/** Reading flag: accept some defects instead of failing (see docs/template-formats.md):
 *  minutiae outside the stated image enlarge the image to hold them, non-zero
 *  bytes after the record are ignored, reserved bits are ignored, minutia
 *  quality above 100 becomes "not reported" (0 in ISO 2005 and ANSI 378,
 *  BM_QUALITY_UNKNOWN in the other formats). Structural errors (truncation,
 *  lengths, magic, version, checksum, undefined codes) are still errors. */
#define BM_READ_LENIENT 0x1u
/** Reading/writing flag for xyt: coordinates have their origin at the top-left
 *  and angles follow the ISO direction (MINDTCT -m1 output), so no height is
 *  needed and nothing is flipped. */
#define BM_XYT_ISO_ORIENTATION 0x2u

/**
 * Options of bm_template_read_memory_ex() and bm_template_read_file_ex().
 * Always fill with bm_read_options_init() first: the struct may gain fields
 * at its end, and `struct_size` tells the library which ones the caller knows.
 */
typedef struct bm_read_options {
  uint32_t struct_size;  /**< sizeof(bm_read_options) as compiled by the caller */
  uint32_t format;       /**< ::bm_template_format to insist on, or BM_FORMAT_AUTO (default) */
  uint32_t view_index;   /**< which finger view of a multi-view record, 0-based (default 0) */
  uint32_t flags;        /**< BM_READ_LENIENT, BM_XYT_ISO_ORIENTATION */
  uint32_t xyt_width;    /**< xyt only: image width in pixels, 0 = unknown (default) */
  uint32_t xyt_height;   /**< xyt only: image height in pixels, needed to move the origin to the
                              top-left; 0 = unknown (default), which fails unless
                              BM_XYT_ISO_ORIENTATION is set */
  double xyt_ppi;        /**< xyt only: resolution in pixels per inch (default 500) */
} bm_read_options;

/** Fills `options` with the defaults above. NULL is ignored. */
BM_API void bm_read_options_init(bm_read_options *options);

/** Reads the first finger view of a record held in memory, format detected from content. */
BM_API BM_NODISCARD bm_status bm_template_read_memory(const void *data, size_t size, bm_template **out);
/** Reads the first finger view of the record in file `path`, format detected from content. */
BM_API BM_NODISCARD bm_status bm_template_read_file(const char *path, bm_template **out);
/** As bm_template_read_memory() with options (NULL = defaults). */
BM_API BM_NODISCARD bm_status bm_template_read_memory_ex(const void *data, size_t size,
                                                        const bm_read_options *options, bm_template **out);
/** As bm_template_read_file() with options (NULL = defaults). */
BM_API BM_NODISCARD bm_status bm_template_read_file_ex(const char *path, const bm_read_options *options,
                                                      bm_template **out);

/**
 * Validates a whole record and counts its finger views (always 1 for xyt and
 * biomatch templates). `options` may be NULL; its view_index is ignored.
 */
BM_API BM_NODISCARD bm_status bm_template_count_views(const void *data, size_t size,
                                                     const bm_read_options *options, size_t *out_count);

/** Detects the format of a record from its content without validating it fully. */
BM_API BM_NODISCARD bm_status bm_template_detect_format(const void *data, size_t size,
                                                       bm_template_format *out_format);

/**
 * Writes `tpl` as one single-view record in `format`.
 * `flags`: 0, or BM_XYT_ISO_ORIENTATION for xyt. Writing xyt in the NIST
 * orientation needs the template's image height (BM_ERR_INVALID_ARGUMENT
 * when it is 0). What each format rounds is listed in docs/template-formats.md.
 * With buffer NULL and capacity 0, only stores the needed size in *out_size
 * and returns BM_OK; with a buffer too small, stores the needed size and
 * returns BM_ERR_BUFFER_TOO_SMALL.
 */
BM_API BM_NODISCARD bm_status bm_template_write_memory(const bm_template *tpl, bm_template_format format,
                                                      unsigned flags, void *buffer, size_t capacity,
                                                      size_t *out_size);
/** Writes `tpl` to file `path` (created or replaced) as bm_template_write_memory() would. */
BM_API BM_NODISCARD bm_status bm_template_write_file(const bm_template *tpl, bm_template_format format,
                                                    unsigned flags, const char *path);

/** @return the short name of a format ("iso2005", "iso2011", "ansi378", "xyt", "bm", "auto"), or NULL. */
BM_API const char *bm_template_format_name(bm_template_format format);
/** Parses a short name as returned by bm_template_format_name(); BM_ERR_INVALID_ARGUMENT if unknown. */
BM_API BM_NODISCARD bm_status bm_template_format_from_name(const char *name, bm_template_format *out_format);

BM_EXTERN_C_END

#endif /* BIOMATCH_BM_TEMPLATE_IO_H */
