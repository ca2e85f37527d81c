#include "biomatch/bm_version.h"

unsigned bm_version_number(void) { return BM_VERSION_NUMBER; }
const char *bm_version_string(void) { return BM_VERSION_STRING; }
unsigned bm_abi_version(void) { return BM_ABI_VERSION; }
