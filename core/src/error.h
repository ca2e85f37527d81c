/* Internal helpers to record the per-thread error message. */
#ifndef BIOMATCH_CORE_ERROR_H
#define BIOMATCH_CORE_ERROR_H

#include "biomatch/bm_errors.h"

#if defined(__GNUC__) || defined(__clang__)
#  define BM_PRINTF_LIKE_(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#  define BM_PRINTF_LIKE_(fmt_index, first_arg)
#endif

/* Records `status` and a formatted message for the calling thread and
 * returns `status`, so error paths read `return bm_fail_(BM_ERR_X, "...")`. */
bm_status bm_fail_(bm_status status, const char *format, ...) BM_PRINTF_LIKE_(2, 3);

#endif
