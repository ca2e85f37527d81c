/* Bounded big- and little-endian byte reader and writer used by every binary
 * template format. Every read is checked against the end of the region the
 * cursor was given, so a reader can never look past its buffer; the status
 * reported on overrun is chosen by the caller (BM_ERR_TRUNCATED when the
 * region is the caller's buffer, BM_ERR_LENGTH_MISMATCH when it is a record
 * whose declared length has already been checked against the buffer). */
#ifndef BIOMATCH_TEMPLATE_BYTE_CURSOR_H
#define BIOMATCH_TEMPLATE_BYTE_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "error.h"

typedef struct bm_byte_reader_ {
  const uint8_t *data;
  size_t size;            /* end of the readable region */
  size_t offset;          /* next byte to read */
  bm_status overrun;      /* status reported when a read would pass `size` */
  const char *what;       /* record name for messages ("ISO 19794-2:2005 record") */
} bm_byte_reader_;

/* Propagates a failing status to the caller. */
#define BM_TRY_(expression)                  \
  do {                                       \
    bm_status bm_try_status_ = (expression); \
    if (bm_try_status_ != BM_OK) return bm_try_status_; \
  } while (0)

static inline bm_byte_reader_ bm_byte_reader_make_(const void *data, size_t size, bm_status overrun,
                                                   const char *what) {
  bm_byte_reader_ reader = {(const uint8_t *)data, size, 0, overrun, what};
  return reader;
}

/* Never wraps: a cursor placed past its end has nothing left. */
static inline size_t bm_byte_reader_left_(const bm_byte_reader_ *reader) {
  return reader->offset < reader->size ? reader->size - reader->offset : 0;
}

static inline bm_status bm_byte_reader_need_(const bm_byte_reader_ *reader, size_t count, const char *field) {
  if (bm_byte_reader_left_(reader) >= count) return BM_OK;
  if (reader->overrun == BM_ERR_TRUNCATED)
    return bm_fail_(BM_ERR_TRUNCATED, "%s truncated: %s at offset %zu needs %zu bytes, %zu left", reader->what,
                    field, reader->offset, count, bm_byte_reader_left_(reader));
  return bm_fail_(reader->overrun, "%s: %s at offset %zu needs %zu bytes but the declared length ends %zu bytes later",
                  reader->what, field, reader->offset, count, bm_byte_reader_left_(reader));
}

static inline bm_status bm_read_u8_(bm_byte_reader_ *reader, const char *field, unsigned *value) {
  BM_TRY_(bm_byte_reader_need_(reader, 1, field));
  *value = reader->data[reader->offset++];
  return BM_OK;
}

static inline bm_status bm_read_u16be_(bm_byte_reader_ *reader, const char *field, unsigned *value) {
  BM_TRY_(bm_byte_reader_need_(reader, 2, field));
  const uint8_t *bytes = reader->data + reader->offset;
  *value = (unsigned)bytes[0] << 8 | bytes[1];
  reader->offset += 2;
  return BM_OK;
}

static inline bm_status bm_read_u32be_(bm_byte_reader_ *reader, const char *field, uint32_t *value) {
  BM_TRY_(bm_byte_reader_need_(reader, 4, field));
  const uint8_t *bytes = reader->data + reader->offset;
  *value = (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 | bytes[3];
  reader->offset += 4;
  return BM_OK;
}

static inline bm_status bm_read_u16le_(bm_byte_reader_ *reader, const char *field, unsigned *value) {
  BM_TRY_(bm_byte_reader_need_(reader, 2, field));
  const uint8_t *bytes = reader->data + reader->offset;
  *value = (unsigned)bytes[1] << 8 | bytes[0];
  reader->offset += 2;
  return BM_OK;
}

static inline bm_status bm_read_u32le_(bm_byte_reader_ *reader, const char *field, uint32_t *value) {
  BM_TRY_(bm_byte_reader_need_(reader, 4, field));
  const uint8_t *bytes = reader->data + reader->offset;
  *value = (uint32_t)bytes[3] << 24 | (uint32_t)bytes[2] << 16 | (uint32_t)bytes[1] << 8 | bytes[0];
  reader->offset += 4;
  return BM_OK;
}

/* Returns a pointer to `count` bytes inside the region and moves past them. */
static inline bm_status bm_read_bytes_(bm_byte_reader_ *reader, const char *field, size_t count,
                                       const uint8_t **bytes) {
  BM_TRY_(bm_byte_reader_need_(reader, count, field));
  *bytes = reader->data + reader->offset;
  reader->offset += count;
  return BM_OK;
}

/* Writer: counts every byte, stores only those that fit, so one pass both
 * sizes and fills the output. The caller compares `size` with `capacity`. */
typedef struct bm_byte_writer_ {
  uint8_t *data;   /* may be NULL when only sizing */
  size_t capacity;
  size_t size;     /* bytes the record needs so far */
} bm_byte_writer_;

static inline void bm_write_bytes_(bm_byte_writer_ *writer, const void *bytes, size_t count) {
  if (writer->data && writer->size <= writer->capacity && count <= writer->capacity - writer->size)
    memcpy(writer->data + writer->size, bytes, count);
  writer->size += count;
}

static inline void bm_write_u8_(bm_byte_writer_ *writer, unsigned value) {
  uint8_t byte = (uint8_t)value;
  bm_write_bytes_(writer, &byte, 1);
}

static inline void bm_write_u16be_(bm_byte_writer_ *writer, unsigned value) {
  uint8_t bytes[2] = {(uint8_t)(value >> 8), (uint8_t)value};
  bm_write_bytes_(writer, bytes, 2);
}

static inline void bm_write_u32be_(bm_byte_writer_ *writer, uint32_t value) {
  uint8_t bytes[4] = {(uint8_t)(value >> 24), (uint8_t)(value >> 16), (uint8_t)(value >> 8), (uint8_t)value};
  bm_write_bytes_(writer, bytes, 4);
}

static inline void bm_write_u16le_(bm_byte_writer_ *writer, unsigned value) {
  uint8_t bytes[2] = {(uint8_t)value, (uint8_t)(value >> 8)};
  bm_write_bytes_(writer, bytes, 2);
}

static inline void bm_write_u32le_(bm_byte_writer_ *writer, uint32_t value) {
  uint8_t bytes[4] = {(uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16), (uint8_t)(value >> 24)};
  bm_write_bytes_(writer, bytes, 4);
}

/* Overwrites 4 bytes already counted at `offset` (a length field filled in last). */
static inline void bm_patch_u32be_(bm_byte_writer_ *writer, size_t offset, uint32_t value) {
  if (writer->data && offset + 4 <= writer->capacity) {
    writer->data[offset] = (uint8_t)(value >> 24);
    writer->data[offset + 1] = (uint8_t)(value >> 16);
    writer->data[offset + 2] = (uint8_t)(value >> 8);
    writer->data[offset + 3] = (uint8_t)value;
  }
}

#endif
