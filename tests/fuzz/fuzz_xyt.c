/* Fuzz target: the NIST xyt text reader in both orientations, strict and
 * lenient, with the write -> read round-trip invariant of fuzz_round_trip.h. */
#include "fuzz_round_trip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_read_and_round_trip_(data, size, BM_FORMAT_XYT, 0, 0);
  fuzz_read_and_round_trip_(data, size, BM_FORMAT_XYT, BM_READ_LENIENT, 0);
  fuzz_read_and_round_trip_(data, size, BM_FORMAT_XYT, BM_XYT_ISO_ORIENTATION, 0);
  return 0;
}
