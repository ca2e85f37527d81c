/**
 * @file bm_errors.h
 * @brief Status codes returned by every fallible biomatch call.
 *
 * Every call that can fail returns a ::bm_status. BM_OK is zero; every error
 * is a positive, explicitly numbered code that never changes meaning once
 * released. Codes are grouped by area in blocks of 100 so that new codes can
 * be added without renumbering.
 *
 * On failure the library also records a human-readable message for the
 * calling thread, retrieved with bm_last_error_message(). The message names
 * the offending field or byte offset where that is known. The library never
 * prints, never exits and never aborts.
 */
#ifndef BIOMATCH_BM_ERRORS_H
#define BIOMATCH_BM_ERRORS_H

#include "bm_export.h"

BM_EXTERN_C_BEGIN

/** Result of every fallible call: BM_OK or a specific error (bm_error_name(), bm_last_error_message()). Values are stable. */
typedef enum bm_status {
  BM_OK = 0,

  /* --- general (1..99) --- */
  BM_ERR_INVALID_ARGUMENT = 1,    /**< NULL pointer, zero length or out-of-range parameter. */
  BM_ERR_OUT_OF_MEMORY = 2,       /**< An allocation failed. */
  BM_ERR_UNSUPPORTED = 3,         /**< Feature or instruction set not available here. */
  BM_ERR_IO = 4,                  /**< Reading or writing a file failed (see message for errno). */
  BM_ERR_BUFFER_TOO_SMALL = 5,    /**< Caller's output buffer cannot hold the result. */
  BM_ERR_INTERNAL = 6,            /**< Broken invariant inside the library: please report. */
  BM_ERR_NOT_FOUND = 7,           /**< Requested item does not exist. */
  BM_ERR_ALREADY_EXISTS = 8,      /**< Item with that key exists and replacing was not asked for. */
  BM_ERR_NON_FINITE = 9,          /**< Input holds NaN or infinity. */

  /* --- template records (100..199) --- */
  BM_ERR_FORMAT_UNKNOWN = 100,    /**< Content matches no supported template format. */
  BM_ERR_BAD_MAGIC = 101,         /**< Format identifier bytes are wrong. */
  BM_ERR_BAD_VERSION = 102,       /**< Known format, unsupported version. */
  BM_ERR_TRUNCATED = 103,         /**< Input ends before the record does. */
  BM_ERR_LENGTH_MISMATCH = 104,   /**< Declared record length disagrees with the data. */
  BM_ERR_TOO_MANY_MINUTIAE = 105, /**< Minutia count beyond the buffer or beyond 255. */
  BM_ERR_COORDINATE_OUT_OF_RANGE = 106, /**< Minutia lies outside the stated image. */
  BM_ERR_ZERO_RESOLUTION = 107,   /**< Resolution of zero (or absurd) pixels per unit. */
  BM_ERR_BAD_FINGER_POSITION = 108, /**< Finger position code not defined by the standards. */
  BM_ERR_TRAILING_DATA = 109,     /**< Bytes after the end of a complete record. */
  BM_ERR_CHECKSUM = 110,          /**< Checksum does not match the content. */
  BM_ERR_BAD_FIELD = 111,         /**< A field holds a value its format does not allow. */
  BM_ERR_BAD_IMPRESSION_TYPE = 112, /**< Impression type code not defined by the standards. */
  BM_ERR_BAD_MINUTIA_TYPE = 113,  /**< Minutia type code not defined by the format. */
  BM_ERR_BAD_ANGLE = 114,         /**< Angle outside the format's range. */
  BM_ERR_BAD_QUALITY = 115,       /**< Quality value outside the format's range. */
  BM_ERR_NO_FINGER_VIEW = 116,    /**< Record holds no finger view (or not the one asked for). */
  BM_ERR_PARSE = 117,             /**< Text record cannot be parsed (see message for line). */

  /* --- matching (200..299) --- */
  BM_ERR_TEMPLATE_MISMATCH = 200, /**< Prepared templates of incompatible versions. */
  BM_ERR_PREPARED_CORRUPT = 201,  /**< Prepared template damaged: magic, count or checksum wrong. */
  BM_ERR_PREPARED_TRUNCATED = 202, /**< Prepared template shorter than its header or declared size. */
  BM_ERR_NO_MINUTIAE = 203,       /**< Template holds no minutiae: nothing to match. */

  /* --- images and extraction (300..399) --- */
  BM_ERR_IMAGE_DECODE = 300,      /**< Image file cannot be decoded. */
  BM_ERR_IMAGE_SIZE = 301,        /**< Image too small or too large to be a fingerprint. */
  BM_ERR_NOT_A_FINGERPRINT = 302, /**< Image holds no usable ridge pattern. */
  BM_ERR_IMAGE_RESOLUTION = 303,  /**< Image resolution outside what the extractor handles (250..1000 ppi). */

  /* --- gallery and persistence (400..499) --- */
  BM_ERR_GALLERY_FAILED = 400,    /**< An earlier write failed to reach disk; the gallery refuses writes. */
  BM_ERR_CORRUPT = 401,           /**< Stored data is damaged (not a torn tail). */
  BM_ERR_LOCKED = 402,            /**< Gallery directory is in use by another process. */
  BM_ERR_CANCELLED = 403,         /**< A long operation was cancelled by its progress callback. */
  BM_ERR_TOO_MANY_FACES = 404,    /**< A gallery record would hold more than BM_GALLERY_MAX_FACES face embeddings. */

  /* --- face embeddings (500..599) --- */
  BM_ERR_DIMENSION = 500,         /**< Embedding dimension differs from the gallery's. */
  BM_ERR_ZERO_VECTOR = 501,       /**< Embedding has zero norm. */
  BM_ERR_FAISS = 502              /**< The FAISS layer reported an error (see message). */
} bm_status;

/**
 * @return the constant name of a status ("BM_ERR_TRUNCATED"), or
 *         "BM_ERR_UNKNOWN_CODE" for a value this library does not define.
 *         Static storage; thread-safe.
 */
BM_API const char *bm_error_name(bm_status status);

/**
 * @return the message recorded by the last failing biomatch call made on
 *         the calling thread, or "" if none failed yet. The pointer stays
 *         valid until the next biomatch call on the same thread. Each thread
 *         has its own message, so this is thread-safe.
 */
BM_API const char *bm_last_error_message(void);

/** @return the status of the last failing call on this thread (BM_OK if none). */
BM_API bm_status bm_last_error(void);

/** Forgets the calling thread's last error. */
BM_API void bm_clear_error(void);

BM_EXTERN_C_END

#endif /* BIOMATCH_BM_ERRORS_H */
