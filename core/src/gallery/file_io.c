/* Real file operations and the helpers shared by the log, the snapshot and
 * the store. */
#include "gallery/file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

static const bm_file_io_ default_io_ = {pwrite, fdatasync, fsync};

const bm_file_io_ *bm_file_io_default_(void) { return &default_io_; }

bm_status bm_file_write_all_(const bm_file_io_ *io, int fd, const void *data, size_t size, uint64_t offset,
                             const char *path) {
  const unsigned char *bytes = data;
  size_t done = 0;
  while (done < size) {
    ssize_t written = io->pwrite(fd, bytes + done, size - done, (off_t)(offset + done));
    if (written < 0) {
      if (errno == EINTR) continue;
      return bm_fail_(BM_ERR_IO, "writing %s at offset %" PRIu64 ": %s", path, offset + done, strerror(errno));
    }
    if (written == 0)
      return bm_fail_(BM_ERR_IO, "writing %s at offset %" PRIu64 ": no progress", path, offset + done);
    done += (size_t)written;
  }
  return BM_OK;
}

bm_status bm_file_sync_directory_(const bm_file_io_ *io, const char *directory) {
  int fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return bm_fail_(BM_ERR_IO, "opening directory %s: %s", directory, strerror(errno));
  int failed = io->fsync(fd) != 0;
  int saved_errno = errno;
  close(fd);
  if (failed) return bm_fail_(BM_ERR_IO, "fsync of directory %s: %s", directory, strerror(saved_errno));
  return BM_OK;
}

char *bm_file_numbered_path_(const char *directory, const char *prefix, uint64_t number, const char *suffix) {
  int length = snprintf(NULL, 0, "%s/%s%020" PRIu64 "%s", directory, prefix, number, suffix);
  char *path = malloc((size_t)length + 1);
  if (path) snprintf(path, (size_t)length + 1, "%s/%s%020" PRIu64 "%s", directory, prefix, number, suffix);
  return path;
}

int bm_file_parse_numbered_name_(const char *name, const char *prefix, const char *suffix, uint64_t *number) {
  size_t prefix_length = strlen(prefix), suffix_length = strlen(suffix), name_length = strlen(name);
  if (name_length != prefix_length + 20 + suffix_length) return 0;
  if (memcmp(name, prefix, prefix_length) != 0 || strcmp(name + prefix_length + 20, suffix) != 0) return 0;
  uint64_t value = 0;
  for (size_t i = prefix_length; i < prefix_length + 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    uint64_t digit = (uint64_t)(name[i] - '0');
    if (value > (UINT64_MAX - digit) / 10) return 0;
    value = value * 10 + digit;
  }
  *number = value;
  return 1;
}
