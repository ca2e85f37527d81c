/* Write-ahead log files: encoding, appending and the replay scan that tells
 * a torn tail (a crash during the last append) from damage in the middle. */
#include "gallery/wal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "util/crc32c.h"

static const unsigned char wal_magic_[8] = {'B', 'M', 'W', 'A', 'L', '\r', '\n', 0x1a};
enum { WAL_FORMAT_VERSION_ = 1 };

struct bm_wal_ {
  int fd;
  char *path;
  const bm_file_io_ *io;
  uint64_t first_sequence;
  uint64_t next_sequence;
  uint64_t size;           /* append offset = bytes of valid content */
  unsigned char *buffer;   /* header + payload of the record being appended */
  size_t buffer_capacity;
};

/* The header check covers everything in the file header except itself. */
static uint32_t file_header_check_(const unsigned char *header) {
  uint32_t crc = bm_crc32c_(0, header, 12);
  return bm_crc32c_mask_(bm_crc32c_(crc, header + 16, 8));
}

/* The record header has its own check so that its length field can be
 * trusted before the payload is read: a damaged length then cannot make a
 * record in the middle look like an incomplete last record. */
static uint32_t record_header_check_(const unsigned char *header) {
  return bm_crc32c_mask_(bm_crc32c_(0, header + 4, BM_WAL_RECORD_HEADER_SIZE_ - 4));
}

static int all_zero_(const unsigned char *bytes, uint64_t size) {
  for (uint64_t i = 0; i < size; ++i)
    if (bytes[i] != 0) return 0;
  return 1;
}

static bm_status scan_records_(const char *path, const unsigned char *data, uint64_t file_size,
                               uint64_t deliver_after, bm_wal_record_fn_ on_record, void *context,
                               bm_wal_scan_result_ *result) {
  if (file_size < BM_WAL_FILE_HEADER_SIZE_)
    return bm_fail_(BM_ERR_CORRUPT, "log %s: %" PRIu64 " bytes, shorter than its 24-byte header", path, file_size);
  if (memcmp(data, wal_magic_, sizeof wal_magic_) != 0)
    return bm_fail_(BM_ERR_CORRUPT, "log %s: bad magic at offset 0", path);
  if (bm_get_u32_(data + 12) != file_header_check_(data))
    return bm_fail_(BM_ERR_CORRUPT, "log %s: file header checksum mismatch at offset 12", path);
  if (bm_get_u32_(data + 8) != WAL_FORMAT_VERSION_)
    return bm_fail_(BM_ERR_CORRUPT, "log %s: unsupported format version %" PRIu32 " at offset 8", path,
                    bm_get_u32_(data + 8));
  result->first_sequence = bm_get_u64_(data + 16);
  uint64_t offset = BM_WAL_FILE_HEADER_SIZE_, expected = result->first_sequence;
  while (offset < file_size) {
    const unsigned char *header = data + offset;
    uint64_t remaining = file_size - offset;
    if (remaining < BM_WAL_RECORD_HEADER_SIZE_) {
      result->torn_tail = 1; /* the crash cut the last header short */
      break;
    }
    if (bm_get_u32_(header) != record_header_check_(header) || bm_get_u32_(header + 4) > BM_WAL_MAX_PAYLOAD_) {
      if (all_zero_(header + BM_WAL_RECORD_HEADER_SIZE_, remaining - BM_WAL_RECORD_HEADER_SIZE_)) {
        result->torn_tail = 1;
        break;
      }
      return bm_fail_(BM_ERR_CORRUPT, "log %s: damaged record header at offset %" PRIu64 " followed by more data",
                      path, offset);
    }
    uint64_t payload_size = bm_get_u32_(header + 4);
    uint64_t end = offset + BM_WAL_RECORD_HEADER_SIZE_ + payload_size;
    if (end > file_size) {
      result->torn_tail = 1; /* intact header, payload cut short */
      break;
    }
    const unsigned char *payload = header + BM_WAL_RECORD_HEADER_SIZE_;
    if (bm_get_u32_(header + 20) != bm_crc32c_mask_(bm_crc32c_(0, payload, payload_size))) {
      if (all_zero_(data + end, file_size - end)) {
        result->torn_tail = 1;
        break;
      }
      return bm_fail_(BM_ERR_CORRUPT, "log %s: payload checksum mismatch in record at offset %" PRIu64
                      " followed by more data", path, offset);
    }
    uint64_t sequence = bm_get_u64_(header + 8);
    if (sequence != expected)
      return bm_fail_(BM_ERR_CORRUPT, "log %s: record at offset %" PRIu64 " has sequence %" PRIu64
                      ", expected %" PRIu64, path, offset, sequence, expected);
    if (on_record && sequence > deliver_after) {
      bm_status status = on_record(context, sequence, bm_get_u32_(header + 16), payload, (size_t)payload_size);
      if (status != BM_OK) return status;
    }
    ++expected;
    ++result->record_count;
    offset = end;
    result->valid_end = end;
  }
  return BM_OK;
}

bm_status bm_wal_scan_(const char *path, uint64_t deliver_after, bm_wal_record_fn_ on_record, void *context,
                       bm_wal_scan_result_ *result) {
  if (!path || !result) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_wal_scan_: path and result are required");
  memset(result, 0, sizeof *result);
  result->valid_end = BM_WAL_FILE_HEADER_SIZE_;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return bm_fail_(BM_ERR_IO, "opening log %s: %s", path, strerror(errno));
  struct stat info;
  if (fstat(fd, &info) != 0) {
    int saved_errno = errno;
    close(fd);
    return bm_fail_(BM_ERR_IO, "fstat of log %s: %s", path, strerror(saved_errno));
  }
  uint64_t file_size = (uint64_t)info.st_size;
  result->file_size = file_size;
  /* mmap so a long log is scanned without copying it; the page cache keeps
   * the pages a recent writer left there. */
  const unsigned char *data = NULL;
  if (file_size > 0) {
    void *mapping = mmap(NULL, (size_t)file_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapping == MAP_FAILED) {
      int saved_errno = errno;
      close(fd);
      return bm_fail_(BM_ERR_IO, "mmap of log %s: %s", path, strerror(saved_errno));
    }
    data = mapping;
  }
  close(fd);
  bm_status status = scan_records_(path, data, file_size, deliver_after, on_record, context, result);
  if (data) munmap((void *)data, (size_t)file_size);
  return status;
}

static bm_status wal_new_(const char *path, int fd, const bm_file_io_ *io, uint64_t first_sequence,
                          uint64_t next_sequence, uint64_t size, bm_wal_ **out) {
  bm_wal_ *wal = calloc(1, sizeof *wal);
  char *path_copy = strdup(path);
  if (!wal || !path_copy) {
    free(wal);
    free(path_copy);
    close(fd);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "allocating log state for %s", path);
  }
  wal->fd = fd;
  wal->path = path_copy;
  wal->io = io;
  wal->first_sequence = first_sequence;
  wal->next_sequence = next_sequence;
  wal->size = size;
  *out = wal;
  return BM_OK;
}

bm_status bm_wal_create_(const char *directory, uint64_t first_sequence, const bm_file_io_ *io, bm_wal_ **out) {
  if (!directory || !io || !out) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_wal_create_: NULL argument");
  *out = NULL;
  char *path = bm_file_numbered_path_(directory, "log-", first_sequence, ".wal");
  char *temporary = bm_file_numbered_path_(directory, "log-", first_sequence, ".wal.tmp");
  bm_status status = BM_OK;
  int fd = -1;
  if (!path || !temporary) {
    status = bm_fail_(BM_ERR_OUT_OF_MEMORY, "allocating log path in %s", directory);
    goto done;
  }
  fd = open(temporary, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    status = bm_fail_(BM_ERR_IO, "creating log %s: %s", temporary, strerror(errno));
    goto done;
  }
  unsigned char header[BM_WAL_FILE_HEADER_SIZE_];
  memcpy(header, wal_magic_, sizeof wal_magic_);
  bm_put_u32_(header + 8, WAL_FORMAT_VERSION_);
  bm_put_u64_(header + 16, first_sequence);
  bm_put_u32_(header + 12, file_header_check_(header));
  status = bm_file_write_all_(io, fd, header, sizeof header, 0, temporary);
  if (status != BM_OK) goto done;
  if (io->fsync(fd) != 0) {
    status = bm_fail_(BM_ERR_IO, "fsync of new log %s: %s", temporary, strerror(errno));
    goto done;
  }
  /* The log appears under its final name only once its header is durable,
   * so recovery never meets a log without a valid header. */
  if (rename(temporary, path) != 0) {
    status = bm_fail_(BM_ERR_IO, "renaming %s to %s: %s", temporary, path, strerror(errno));
    goto done;
  }
  status = bm_file_sync_directory_(io, directory);
  if (status != BM_OK) goto done;
  status = wal_new_(path, fd, io, first_sequence, first_sequence, BM_WAL_FILE_HEADER_SIZE_, out);
  fd = -1; /* owned by the log now, or closed */
done:
  if (fd >= 0) {
    close(fd);
    unlink(temporary);
  }
  free(path);
  free(temporary);
  return status;
}

bm_status bm_wal_open_for_append_(const char *path, const bm_wal_scan_result_ *scan, const bm_file_io_ *io,
                                  bm_wal_ **out) {
  if (!path || !scan || !io || !out) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_wal_open_for_append_: NULL argument");
  *out = NULL;
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return bm_fail_(BM_ERR_IO, "opening log %s for appending: %s", path, strerror(errno));
  if (scan->file_size != scan->valid_end) {
    /* Cut the torn tail before anything is appended: a new record behind
     * damaged bytes would read as corruption in the middle next time. */
    if (ftruncate(fd, (off_t)scan->valid_end) != 0 || io->fsync(fd) != 0) {
      int saved_errno = errno;
      close(fd);
      return bm_fail_(BM_ERR_IO, "truncating torn tail of %s at offset %" PRIu64 ": %s", path, scan->valid_end,
                      strerror(saved_errno));
    }
  }
  return wal_new_(path, fd, io, scan->first_sequence, scan->first_sequence + scan->record_count, scan->valid_end,
                  out);
}

bm_status bm_wal_append_(bm_wal_ *wal, uint32_t type, const void *payload, size_t size, uint64_t *sequence) {
  if (!wal || (!payload && size > 0))
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_wal_append_: NULL log or payload");
  if (size > BM_WAL_MAX_PAYLOAD_)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_wal_append_: payload of %zu bytes exceeds the %" PRIu32
                    "-byte limit", size, BM_WAL_MAX_PAYLOAD_);
  size_t total = BM_WAL_RECORD_HEADER_SIZE_ + size;
  if (total > wal->buffer_capacity) {
    size_t capacity = wal->buffer_capacity ? wal->buffer_capacity : 4096;
    while (capacity < total) capacity *= 2;
    unsigned char *buffer = realloc(wal->buffer, capacity);
    if (!buffer) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "bm_wal_append_: %zu-byte record buffer", capacity);
    wal->buffer = buffer;
    wal->buffer_capacity = capacity;
  }
  unsigned char *header = wal->buffer;
  bm_put_u32_(header + 4, (uint32_t)size);
  bm_put_u64_(header + 8, wal->next_sequence);
  bm_put_u32_(header + 16, type);
  bm_put_u32_(header + 20, bm_crc32c_mask_(bm_crc32c_(0, payload, size)));
  bm_put_u32_(header, record_header_check_(header));
  if (size > 0) memcpy(header + BM_WAL_RECORD_HEADER_SIZE_, payload, size);
  /* One write per record: a crash leaves at most this record incomplete. */
  bm_status status = bm_file_write_all_(wal->io, wal->fd, header, total, wal->size, wal->path);
  if (status != BM_OK) return status;
  wal->size += total;
  if (sequence) *sequence = wal->next_sequence;
  ++wal->next_sequence;
  return BM_OK;
}

bm_status bm_wal_sync_(bm_wal_ *wal) {
  if (!wal) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_wal_sync_: NULL log");
  if (wal->io->fdatasync(wal->fd) != 0)
    return bm_fail_(BM_ERR_IO, "fdatasync of log %s: %s", wal->path, strerror(errno));
  return BM_OK;
}

uint64_t bm_wal_first_sequence_(const bm_wal_ *wal) { return wal->first_sequence; }
uint64_t bm_wal_next_sequence_(const bm_wal_ *wal) { return wal->next_sequence; }
uint64_t bm_wal_size_(const bm_wal_ *wal) { return wal->size; }
const char *bm_wal_path_(const bm_wal_ *wal) { return wal->path; }

void bm_wal_close_(bm_wal_ *wal) {
  if (!wal) return;
  close(wal->fd);
  free(wal->path);
  free(wal->buffer);
  free(wal);
}
