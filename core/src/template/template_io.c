/* Public entry points of bm_template_io.h: options, format detection from
 * content, dispatch to the per-format readers and writers, and file I/O. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template/formats_internal.h"
#include "template/template_internal.h"

/* Files larger than this cannot be a single template (the largest ISO 2011
 * record of 255 views is well below it); refusing them bounds memory use. */
enum { BM_TEMPLATE_FILE_MAX_BYTES = 16 * 1024 * 1024 };

typedef struct format_entry {
  const char *name;
  bm_format_reader_fn_ read;
  bm_format_writer_fn_ write;
} format_entry;

static const format_entry formats[] = {
    [BM_FORMAT_AUTO] = {"auto", NULL, NULL},
    [BM_FORMAT_ISO_2005] = {"iso2005", bm_iso2005_read_, bm_iso2005_write_},
    [BM_FORMAT_ISO_2011] = {"iso2011", bm_iso2011_read_, bm_iso2011_write_},
    [BM_FORMAT_ANSI_378] = {"ansi378", bm_ansi378_read_, bm_ansi378_write_},
    [BM_FORMAT_XYT] = {"xyt", bm_xyt_read_, bm_xyt_write_},
    [BM_FORMAT_BIOMATCH] = {"bm", bm_native_read_, bm_native_write_},
};
enum { FORMAT_COUNT = sizeof formats / sizeof formats[0] };

void bm_read_options_init(bm_read_options *options) {
  if (!options) return;
  memset(options, 0, sizeof *options);
  options->struct_size = sizeof *options;
  options->format = BM_FORMAT_AUTO;
  options->xyt_ppi = 500.0;
}

/* Copies the fields the caller's struct holds over the defaults, so a caller
 * compiled against an older, shorter struct keeps working. */
static bm_status complete_options(const bm_read_options *given, bm_read_options *complete) {
  bm_read_options_init(complete);
  if (!given) return BM_OK;
  if (given->struct_size < offsetof(bm_read_options, flags) + sizeof given->flags)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_read_options.struct_size %u is too small; call bm_read_options_init",
                    given->struct_size);
  const size_t known = given->struct_size < sizeof *complete ? given->struct_size : sizeof *complete;
  memcpy(complete, given, known);
  complete->struct_size = sizeof *complete;
  if (complete->format >= FORMAT_COUNT)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_read_options.format %u is not a bm_template_format",
                    complete->format);
  if (complete->flags & ~(BM_READ_LENIENT | BM_XYT_ISO_ORIENTATION))
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_read_options.flags 0x%x holds unknown bits", complete->flags);
  return BM_OK;
}

static int is_prefix_of(const uint8_t *data, size_t size, const char *magic, size_t magic_size) {
  return size < magic_size && memcmp(data, magic, size) == 0;
}

/* xyt is text: digits, signs and white space only, with at least one digit. */
static int looks_like_xyt(const uint8_t *data, size_t size) {
  int digits = 0;
  for (size_t i = 0; i < size; ++i) {
    const uint8_t c = data[i];
    if (c >= '0' && c <= '9') {
      digits = 1;
    } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '-' && c != '+') {
      return 0;
    }
  }
  return digits;
}

/* ISO 2005 and ANSI 378 share "FMR\0 20\0": the layout whose declared length
 * agrees with the views that follow wins. When neither parses, the record is
 * read as ISO when bytes 8-9 are zero (the high half of ISO's 4-byte length
 * for any record under 64 KiB) and as ANSI otherwise, so the error reported
 * is the one of the layout it most resembles. */
static bm_template_format detect_2005_layout(const uint8_t *data, size_t size) {
  bm_read_options structural;
  bm_read_options_init(&structural);
  structural.flags = BM_READ_LENIENT;
  size_t views = 0;
  if (bm_iso2005_read_(data, size, &structural, &views, NULL) == BM_OK) return BM_FORMAT_ISO_2005;
  if (bm_ansi378_read_(data, size, &structural, &views, NULL) == BM_OK) return BM_FORMAT_ANSI_378;
  if (size >= 10 && (data[8] != 0 || data[9] != 0)) return BM_FORMAT_ANSI_378;
  return BM_FORMAT_ISO_2005;
}

static bm_status detect_format(const uint8_t *data, size_t size, bm_template_format *format) {
  if (size == 0) return bm_fail_(BM_ERR_TRUNCATED, "template input is empty");
  if (is_prefix_of(data, size, "FMR", 4) || is_prefix_of(data, size, "BMTF", 4))
    return bm_fail_(BM_ERR_TRUNCATED, "template input of %zu bytes ends inside the format identifier", size);
  if (size >= 4 && memcmp(data, "FMR", 4) == 0) {
    if (size < 8) return bm_fail_(BM_ERR_TRUNCATED, "FMR record of %zu bytes ends inside the version", size);
    if (memcmp(data + 4, " 20", 4) == 0) {
      *format = detect_2005_layout(data, size);
      return BM_OK;
    }
    if (memcmp(data + 4, " 30", 4) == 0) {
      *format = BM_FORMAT_ISO_2011;
      return BM_OK;
    }
    return bm_fail_(BM_ERR_BAD_VERSION, "FMR record version at offset 4 is not \" 20\" (2005/ANSI) or \" 30\" (2011)");
  }
  if (size >= 4 && memcmp(data, "BMTF", 4) == 0) {
    *format = BM_FORMAT_BIOMATCH;
    return BM_OK;
  }
  if ((size >= 3 && memcmp(data, "FMR", 3) == 0) || (size >= 3 && memcmp(data, "BMT", 3) == 0))
    return bm_fail_(BM_ERR_BAD_MAGIC, "format identifier starts like \"%.3s\" but byte 3 is 0x%02x",
                    (const char *)data, data[3]);
  if (looks_like_xyt(data, size)) {
    *format = BM_FORMAT_XYT;
    return BM_OK;
  }
  return bm_fail_(BM_ERR_FORMAT_UNKNOWN,
                  "content matches no template format (first bytes %02x %02x %02x %02x)", data[0],
                  size > 1 ? data[1] : 0, size > 2 ? data[2] : 0, size > 3 ? data[3] : 0);
}

bm_status bm_template_detect_format(const void *data, size_t size, bm_template_format *out_format) {
  if ((!data && size) || !out_format)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_detect_format: NULL argument");
  *out_format = BM_FORMAT_AUTO;
  return detect_format(data, size, out_format);
}

/* Reads (out != NULL) or only validates and counts views (out == NULL). */
static bm_status read_record(const void *data, size_t size, const bm_read_options *given, size_t *view_count,
                             bm_template **out) {
  bm_read_options options;
  BM_TRY_(complete_options(given, &options));
  bm_template_format format = (bm_template_format)options.format;
  /* An empty text file is a valid xyt record of no minutiae, but only when
   * the caller says it is xyt: content detection needs content. */
  if (format == BM_FORMAT_AUTO) BM_TRY_(detect_format(data, size, &format));
  options.format = format;
  const uint8_t *bytes = size ? data : (const uint8_t *)"";
  return formats[format].read(bytes, size, &options, view_count, out);
}

bm_status bm_template_read_memory_ex(const void *data, size_t size, const bm_read_options *options,
                                     bm_template **out) {
  if (!out) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_read_memory: out is NULL");
  *out = NULL;
  if (!data && size) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_read_memory: data is NULL");
  size_t view_count = 0;
  return read_record(data, size, options, &view_count, out);
}

bm_status bm_template_read_memory(const void *data, size_t size, bm_template **out) {
  return bm_template_read_memory_ex(data, size, NULL, out);
}

bm_status bm_template_count_views(const void *data, size_t size, const bm_read_options *options,
                                  size_t *out_count) {
  if ((!data && size) || !out_count) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_count_views: NULL argument");
  *out_count = 0;
  return read_record(data, size, options, out_count, NULL);
}

/* Reads a whole file into a fresh buffer (freed by the caller). */
static bm_status load_file(const char *path, uint8_t **out_data, size_t *out_size) {
  FILE *file = fopen(path, "rb");
  if (!file) return bm_fail_(BM_ERR_IO, "cannot open %s: %s", path, strerror(errno));
  uint8_t *data = NULL;
  size_t size = 0, capacity = 0;
  bm_status status = BM_OK;
  for (;;) {
    if (size == capacity) {
      if (capacity >= BM_TEMPLATE_FILE_MAX_BYTES) {
        status = bm_fail_(BM_ERR_IO, "%s is larger than %d bytes: not a template", path, BM_TEMPLATE_FILE_MAX_BYTES);
        break;
      }
      capacity = capacity ? capacity * 2 : 4096;
      uint8_t *grown = realloc(data, capacity);
      if (!grown) {
        status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "reading %s: out of memory", path);
        break;
      }
      data = grown;
    }
    const size_t got = fread(data + size, 1, capacity - size, file);
    size += got;
    if (got == 0) {
      if (ferror(file)) status = bm_fail_(BM_ERR_IO, "reading %s failed: %s", path, strerror(errno));
      break;
    }
  }
  fclose(file);
  if (status != BM_OK) {
    free(data);
    return status;
  }
  *out_data = data;
  *out_size = size;
  return BM_OK;
}

bm_status bm_template_read_file_ex(const char *path, const bm_read_options *options, bm_template **out) {
  if (!out) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_read_file: out is NULL");
  *out = NULL;
  if (!path) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_read_file: path is NULL");
  uint8_t *data = NULL;
  size_t size = 0;
  BM_TRY_(load_file(path, &data, &size));
  size_t view_count = 0;
  bm_status status = read_record(data, size, options, &view_count, out);
  free(data);
  return status;
}

bm_status bm_template_read_file(const char *path, bm_template **out) {
  return bm_template_read_file_ex(path, NULL, out);
}

bm_status bm_template_write_memory(const bm_template *tpl, bm_template_format format, unsigned flags, void *buffer,
                                   size_t capacity, size_t *out_size) {
  if (!tpl || !out_size || (!buffer && capacity))
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_write_memory: NULL argument");
  *out_size = 0;
  if ((unsigned)format >= FORMAT_COUNT || format == BM_FORMAT_AUTO)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_write_memory: %d is not a format to write", (int)format);
  if (flags & ~BM_XYT_ISO_ORIENTATION)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_write_memory: flags 0x%x hold unknown bits", flags);
  bm_byte_writer_ writer = {buffer, capacity, 0};
  BM_TRY_(formats[format].write(tpl, flags, &writer));
  *out_size = writer.size;
  if (!buffer) return BM_OK;
  if (writer.size > capacity)
    return bm_fail_(BM_ERR_BUFFER_TOO_SMALL, "%s record needs %zu bytes, buffer holds %zu", formats[format].name,
                    writer.size, capacity);
  return BM_OK;
}

bm_status bm_template_write_file(const bm_template *tpl, bm_template_format format, unsigned flags,
                                 const char *path) {
  if (!path) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_write_file: path is NULL");
  size_t size = 0;
  BM_TRY_(bm_template_write_memory(tpl, format, flags, NULL, 0, &size));
  uint8_t *data = malloc(size ? size : 1);
  if (!data) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "bm_template_write_file: out of memory");
  bm_status status = bm_template_write_memory(tpl, format, flags, data, size, &size);
  if (status == BM_OK) {
    FILE *file = fopen(path, "wb");
    if (!file) {
      status = bm_fail_(BM_ERR_IO, "cannot create %s: %s", path, strerror(errno));
    } else {
      const size_t written = fwrite(data, 1, size, file);
      const int close_failed = fclose(file) != 0;
      if (written != size || close_failed) status = bm_fail_(BM_ERR_IO, "writing %s failed: %s", path, strerror(errno));
    }
  }
  free(data);
  return status;
}

const char *bm_template_format_name(bm_template_format format) {
  return (unsigned)format < FORMAT_COUNT ? formats[format].name : NULL;
}

bm_status bm_template_format_from_name(const char *name, bm_template_format *out_format) {
  if (!name || !out_format) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_template_format_from_name: NULL argument");
  for (unsigned i = 0; i < FORMAT_COUNT; ++i)
    if (strcmp(name, formats[i].name) == 0) {
      *out_format = (bm_template_format)i;
      return BM_OK;
    }
  return bm_fail_(BM_ERR_INVALID_ARGUMENT, "unknown template format name \"%s\"", name);
}
