#include "template/formats_internal.h"
#define STUB_(name) \
  bm_status bm_##name##_read_(const uint8_t *d, size_t s, const bm_read_options *o, size_t *c, bm_template **out) { \
    (void)d; (void)s; (void)o; (void)c; (void)out; return bm_fail_(BM_ERR_UNSUPPORTED, #name " not implemented yet"); } \
  bm_status bm_##name##_write_(const bm_template *t, unsigned f, bm_byte_writer_ *w) { \
    (void)t; (void)f; (void)w; return bm_fail_(BM_ERR_UNSUPPORTED, #name " not implemented yet"); }
STUB_(iso2011)
STUB_(xyt)
STUB_(native)
