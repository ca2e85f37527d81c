/* Per-format readers and writers behind bm_template_io.h. Each reader
 * validates the whole record, returns the number of finger views in
 * *view_count and, when `out` is not NULL, the view options->view_index.
 * Each writer sizes and fills `writer` (bm_byte_writer_ counts bytes that
 * do not fit) and returns an error only for templates the format cannot
 * hold. `options` is always complete (defaults filled in). */
#ifndef BIOMATCH_TEMPLATE_FORMATS_INTERNAL_H
#define BIOMATCH_TEMPLATE_FORMATS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "biomatch/bm_template_io.h"
#include "template/byte_cursor.h"

typedef bm_status (*bm_format_reader_fn_)(const uint8_t *data, size_t size, const bm_read_options *options,
                                          size_t *view_count, bm_template **out);
typedef bm_status (*bm_format_writer_fn_)(const bm_template *tpl, unsigned flags, bm_byte_writer_ *writer);

bm_status bm_iso2005_read_(const uint8_t *data, size_t size, const bm_read_options *options, size_t *view_count,
                           bm_template **out);
bm_status bm_iso2005_write_(const bm_template *tpl, unsigned flags, bm_byte_writer_ *writer);
bm_status bm_ansi378_read_(const uint8_t *data, size_t size, const bm_read_options *options, size_t *view_count,
                           bm_template **out);
bm_status bm_ansi378_write_(const bm_template *tpl, unsigned flags, bm_byte_writer_ *writer);
bm_status bm_iso2011_read_(const uint8_t *data, size_t size, const bm_read_options *options, size_t *view_count,
                           bm_template **out);
bm_status bm_iso2011_write_(const bm_template *tpl, unsigned flags, bm_byte_writer_ *writer);
bm_status bm_xyt_read_(const uint8_t *data, size_t size, const bm_read_options *options, size_t *view_count,
                       bm_template **out);
bm_status bm_xyt_write_(const bm_template *tpl, unsigned flags, bm_byte_writer_ *writer);
bm_status bm_native_read_(const uint8_t *data, size_t size, const bm_read_options *options, size_t *view_count,
                          bm_template **out);
bm_status bm_native_write_(const bm_template *tpl, unsigned flags, bm_byte_writer_ *writer);

#endif
