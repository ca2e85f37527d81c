#include "failing_io.h"

#include <errno.h>
#include <unistd.h>

failing_io_state failing_io = {-1, -1, -1, 0, 0};

static int runs_out_(int *countdown) {
  if (*countdown < 0) return 0;
  if (*countdown == 0) return 1;
  --*countdown;
  return 0;
}

static ssize_t failing_pwrite_(int fd, const void *data, size_t size, off_t offset) {
  if (runs_out_(&failing_io.writes_before_failure)) {
    errno = EIO;
    return -1;
  }
  return pwrite(fd, data, size, offset);
}

static int failing_fdatasync_(int fd) {
  ++failing_io.datasync_calls;
  if (runs_out_(&failing_io.datasyncs_before_failure)) {
    errno = EIO;
    return -1;
  }
  return fdatasync(fd);
}

static int failing_fsync_(int fd) {
  ++failing_io.fsync_calls;
  if (runs_out_(&failing_io.fsyncs_before_failure)) {
    errno = EIO;
    return -1;
  }
  return fsync(fd);
}

const bm_file_io_ failing_io_table = {failing_pwrite_, failing_fdatasync_, failing_fsync_};

void failing_io_reset(void) {
  failing_io.writes_before_failure = -1;
  failing_io.datasyncs_before_failure = -1;
  failing_io.fsyncs_before_failure = -1;
  failing_io.datasync_calls = 0;
  failing_io.fsync_calls = 0;
}
