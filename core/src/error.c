/* Per-thread last-error storage. Messages are formatted into a fixed
 * thread-local buffer: no allocation on error paths, no shared state. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

enum { BM_ERROR_MESSAGE_CAPACITY = 512 };

static _Thread_local bm_status last_status_ = BM_OK;
static _Thread_local char last_message_[BM_ERROR_MESSAGE_CAPACITY];

bm_status bm_fail_(bm_status status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(last_message_, sizeof last_message_, format, args);
  va_end(args);
  last_status_ = status;
  return status;
}

const char *bm_last_error_message(void) { return last_message_; }

bm_status bm_last_error(void) { return last_status_; }

void bm_clear_error(void) {
  last_status_ = BM_OK;
  last_message_[0] = '\0';
}

const char *bm_error_name(bm_status status) {
  switch (status) {
#define BM_NAME_(code) \
  case code:           \
    return #code;
    BM_NAME_(BM_OK)
    BM_NAME_(BM_ERR_INVALID_ARGUMENT)
    BM_NAME_(BM_ERR_OUT_OF_MEMORY)
    BM_NAME_(BM_ERR_UNSUPPORTED)
    BM_NAME_(BM_ERR_IO)
    BM_NAME_(BM_ERR_BUFFER_TOO_SMALL)
    BM_NAME_(BM_ERR_INTERNAL)
    BM_NAME_(BM_ERR_NOT_FOUND)
    BM_NAME_(BM_ERR_ALREADY_EXISTS)
    BM_NAME_(BM_ERR_NON_FINITE)
    BM_NAME_(BM_ERR_FORMAT_UNKNOWN)
    BM_NAME_(BM_ERR_BAD_MAGIC)
    BM_NAME_(BM_ERR_BAD_VERSION)
    BM_NAME_(BM_ERR_TRUNCATED)
    BM_NAME_(BM_ERR_LENGTH_MISMATCH)
    BM_NAME_(BM_ERR_TOO_MANY_MINUTIAE)
    BM_NAME_(BM_ERR_COORDINATE_OUT_OF_RANGE)
    BM_NAME_(BM_ERR_ZERO_RESOLUTION)
    BM_NAME_(BM_ERR_BAD_FINGER_POSITION)
    BM_NAME_(BM_ERR_TRAILING_DATA)
    BM_NAME_(BM_ERR_CHECKSUM)
    BM_NAME_(BM_ERR_BAD_FIELD)
    BM_NAME_(BM_ERR_BAD_IMPRESSION_TYPE)
    BM_NAME_(BM_ERR_BAD_MINUTIA_TYPE)
    BM_NAME_(BM_ERR_BAD_ANGLE)
    BM_NAME_(BM_ERR_BAD_QUALITY)
    BM_NAME_(BM_ERR_NO_FINGER_VIEW)
    BM_NAME_(BM_ERR_PARSE)
    BM_NAME_(BM_ERR_TEMPLATE_MISMATCH)
    BM_NAME_(BM_ERR_PREPARED_CORRUPT)
    BM_NAME_(BM_ERR_PREPARED_TRUNCATED)
    BM_NAME_(BM_ERR_NO_MINUTIAE)
    BM_NAME_(BM_ERR_IMAGE_DECODE)
    BM_NAME_(BM_ERR_IMAGE_SIZE)
    BM_NAME_(BM_ERR_NOT_A_FINGERPRINT)
    BM_NAME_(BM_ERR_IMAGE_RESOLUTION)
    BM_NAME_(BM_ERR_GALLERY_FAILED)
    BM_NAME_(BM_ERR_CORRUPT)
    BM_NAME_(BM_ERR_LOCKED)
    BM_NAME_(BM_ERR_CANCELLED)
    BM_NAME_(BM_ERR_TOO_MANY_FACES)
    BM_NAME_(BM_ERR_DIMENSION)
    BM_NAME_(BM_ERR_ZERO_VECTOR)
    BM_NAME_(BM_ERR_FAISS)
#undef BM_NAME_
  }
  return "BM_ERR_UNKNOWN_CODE";
}
