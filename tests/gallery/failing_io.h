/* A bm_file_io_ whose pwrite, fdatasync or fsync fail with EIO once a
 * countdown runs out, and which counts the syncs it performs. */
#ifndef BIOMATCH_TESTS_GALLERY_FAILING_IO_H
#define BIOMATCH_TESTS_GALLERY_FAILING_IO_H

#include "gallery/file_io.h"

typedef struct failing_io_state {
  int writes_before_failure;     /* -1: never fail */
  int datasyncs_before_failure;  /* -1: never fail */
  int fsyncs_before_failure;     /* -1: never fail */
  int datasync_calls, fsync_calls;
} failing_io_state;

/* One process-wide state: tests run one at a time in their own process. */
extern failing_io_state failing_io;
extern const bm_file_io_ failing_io_table;

/* Resets the counters and makes nothing fail. */
void failing_io_reset(void);

#endif
