/* CRC-32C (Castagnoli), the checksum of biomatch's files: template records,
 * snapshot sections and write-ahead-log records. */
#ifndef BIOMATCH_UTIL_CRC32C_H
#define BIOMATCH_UTIL_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Extends `crc` (0 for a fresh checksum) over `size` bytes. Thread-safe. */
uint32_t bm_crc32c_(uint32_t crc, const void *data, size_t size);

/* Slicing-by-8 path, used where no CRC instruction exists. */
uint32_t bm_crc32c_portable_(uint32_t crc, const void *data, size_t size);

/* The same computed bytewise with no tables or instructions: the reference
 * the fast path is tested against. */
uint32_t bm_crc32c_reference_(uint32_t crc, const void *data, size_t size);

/* Masked form stored next to data that may itself embed CRCs, so that a
 * CRC computed over a buffer holding CRCs does not degenerate (as LevelDB). */
static inline uint32_t bm_crc32c_mask_(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

#endif
