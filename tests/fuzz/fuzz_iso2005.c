/* Fuzz target: the ISO/IEC 19794-2:2005 reader, strict and lenient, with the
 * write -> read round-trip invariant of fuzz_round_trip.h. */
#include "fuzz_round_trip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_read_and_round_trip_(data, size, BM_FORMAT_ISO_2005, 0, 1);
  fuzz_read_and_round_trip_(data, size, BM_FORMAT_ISO_2005, BM_READ_LENIENT, 1);
  return 0;
}
