/* CRC-32C. x86-64 with SSE4.2 uses the crc32 instruction (about 8 bytes per
 * cycle); other machines use slicing-by-8 tables (about 1-2 bytes per cycle). */
#include "crc32c.h"

#include <pthread.h>
#include <string.h>

#define BM_CRC32C_POLY_REVERSED 0x82f63b78u

uint32_t bm_crc32c_reference_(uint32_t crc, const void *data, size_t size) {
  const unsigned char *bytes = data;
  crc = ~crc;
  for (size_t i = 0; i < size; ++i) {
    crc ^= bytes[i];
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (BM_CRC32C_POLY_REVERSED & (0u - (crc & 1u)));
  }
  return ~crc;
}

/* Table row 0 is the classic bytewise table; row k advances a byte k more
 * positions, which lets eight bytes be folded per step. Built once under
 * pthread_once, so concurrent first calls are safe. */

static uint32_t crc_tables_[8][256];
static pthread_once_t crc_tables_once_ = PTHREAD_ONCE_INIT;

static void build_crc_tables(void) {
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (BM_CRC32C_POLY_REVERSED & (0u - (crc & 1u)));
    crc_tables_[0][byte] = crc;
  }
  for (uint32_t byte = 0; byte < 256; ++byte)
    for (int row = 1; row < 8; ++row)
      crc_tables_[row][byte] = (crc_tables_[row - 1][byte] >> 8) ^ crc_tables_[0][crc_tables_[row - 1][byte] & 0xff];
}

uint32_t bm_crc32c_portable_(uint32_t crc, const void *data, size_t size) {
  const unsigned char *bytes = data;
  pthread_once(&crc_tables_once_, build_crc_tables);
  crc = ~crc;
  while (size >= 8) {
    uint64_t word;
    memcpy(&word, bytes, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    word = __builtin_bswap64(word);
#endif
    word ^= crc;
    crc = crc_tables_[7][word & 0xff] ^ crc_tables_[6][(word >> 8) & 0xff] ^ crc_tables_[5][(word >> 16) & 0xff] ^
          crc_tables_[4][(word >> 24) & 0xff] ^ crc_tables_[3][(word >> 32) & 0xff] ^
          crc_tables_[2][(word >> 40) & 0xff] ^ crc_tables_[1][(word >> 48) & 0xff] ^ crc_tables_[0][word >> 56];
    bytes += 8;
    size -= 8;
  }
  while (size--) crc = (crc >> 8) ^ crc_tables_[0][(crc ^ *bytes++) & 0xff];
  return ~crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(uint32_t crc, const unsigned char *bytes,
                                                              size_t size) {
  uint64_t state = ~crc;
  while (size >= 8) {
    uint64_t word;
    memcpy(&word, bytes, 8);
    state = __builtin_ia32_crc32di(state, word);
    bytes += 8;
    size -= 8;
  }
  uint32_t state32 = (uint32_t)state;
  while (size--) state32 = __builtin_ia32_crc32qi(state32, *bytes++);
  return ~state32;
}
#endif

uint32_t bm_crc32c_(uint32_t crc, const void *data, size_t size) {
  if (size == 0) return crc;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (__builtin_cpu_supports("sse4.2")) return crc32c_sse42(crc, data, size);
#endif
  return bm_crc32c_portable_(crc, data, size);
}
