/* Fuzz target: the biomatch BMTF reader, strict and lenient, with the
 * write -> read round-trip invariant of fuzz_round_trip.h. A second pass
 * repairs the CRC-32C first, so the fuzzer also reaches the field checks
 * behind the checksum. */
#include "fuzz_round_trip.h"
#include "util/crc32c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_read_and_round_trip_(data, size, BM_FORMAT_BIOMATCH, 0, 1);
  fuzz_read_and_round_trip_(data, size, BM_FORMAT_BIOMATCH, BM_READ_LENIENT, 1);
  if (size < 12) return 0;
  const size_t length = (size_t)data[8] | (size_t)data[9] << 8 | (size_t)data[10] << 16 | (size_t)data[11] << 24;
  if (length < 4 || length > size) return 0;
  uint8_t *repaired = malloc(size);
  if (!repaired) return 0;
  memcpy(repaired, data, size);
  const uint32_t crc = bm_crc32c_(0, repaired, length - 4);
  for (int i = 0; i < 4; ++i) repaired[length - 4 + i] = (uint8_t)(crc >> (8 * i));
  fuzz_read_and_round_trip_(repaired, size, BM_FORMAT_BIOMATCH, 0, 1);
  free(repaired);
  return 0;
}
