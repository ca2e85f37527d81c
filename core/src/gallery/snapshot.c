/* Snapshot writing (temporary file, fsync, rename, directory fsync) and
 * loading with full CRC verification, by mmap or by read. */
#include "gallery/snapshot.h"

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

static const unsigned char snapshot_magic_[8] = {'B', 'M', 'S', 'N', 'A', 'P', '\r', '\n'};
enum { SNAPSHOT_FORMAT_VERSION_ = 1 };

struct bm_snapshot_ {
  unsigned char *base;
  uint64_t size;
  int mapped;
  uint64_t sequence;
  size_t section_count;
  bm_snapshot_section_ *sections;
};

static uint64_t align_up_(uint64_t value, uint64_t alignment) { return (value + alignment - 1) / alignment * alignment; }

static uint64_t section_alignment_(uint64_t size) {
  return size >= BM_SNAPSHOT_PAGE_SECTION_ ? BM_SNAPSHOT_PAGE_ALIGNMENT_ : BM_SNAPSHOT_ALIGNMENT_;
}

static uint32_t masked_crc_(const void *data, size_t size) { return bm_crc32c_mask_(bm_crc32c_(0, data, size)); }

bm_status bm_snapshot_write_(const char *directory, const char *path, uint64_t sequence,
                             const bm_snapshot_section_ *sections, size_t count, const bm_file_io_ *io) {
  if (!directory || !path || !io || (count > 0 && !sections))
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_snapshot_write_: NULL argument");
  if (count > UINT32_MAX) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_snapshot_write_: %zu sections", count);
  for (size_t i = 0; i < count; ++i)
    if (!sections[i].data && sections[i].size > 0)
      return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_snapshot_write_: section %zu has no data", i);

  uint64_t table_end = BM_SNAPSHOT_HEADER_SIZE_ + (uint64_t)count * BM_SNAPSHOT_ENTRY_SIZE_;
  unsigned char *head = calloc(1, (size_t)table_end);
  size_t temporary_length = strlen(path) + 5;
  char *temporary = malloc(temporary_length);
  if (!head || !temporary) {
    free(head);
    free(temporary);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "bm_snapshot_write_: header of %" PRIu64 " bytes", table_end);
  }
  snprintf(temporary, temporary_length, "%s.tmp", path);

  uint64_t offset = table_end;
  for (size_t i = 0; i < count; ++i) {
    unsigned char *entry = head + BM_SNAPSHOT_HEADER_SIZE_ + i * BM_SNAPSHOT_ENTRY_SIZE_;
    offset = align_up_(offset, section_alignment_(sections[i].size));
    bm_put_u32_(entry, sections[i].tag);
    bm_put_u64_(entry + 8, offset);
    bm_put_u64_(entry + 16, sections[i].size);
    bm_put_u32_(entry + 24, masked_crc_(sections[i].data, (size_t)sections[i].size));
    bm_put_u32_(entry + 28, masked_crc_(entry, 28));
    offset += sections[i].size;
  }
  uint64_t file_size = offset;
  memcpy(head, snapshot_magic_, sizeof snapshot_magic_);
  bm_put_u32_(head + 8, SNAPSHOT_FORMAT_VERSION_);
  bm_put_u32_(head + 12, (uint32_t)count);
  bm_put_u64_(head + 16, sequence);
  bm_put_u64_(head + 24, file_size);
  bm_put_u32_(head + 60, masked_crc_(head, 60));

  bm_status status = BM_OK;
  int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    status = bm_fail_(BM_ERR_IO, "creating snapshot %s: %s", temporary, strerror(errno));
    goto done;
  }
  status = bm_file_write_all_(io, fd, head, (size_t)table_end, 0, temporary);
  for (size_t i = 0; i < count && status == BM_OK; ++i) {
    const unsigned char *entry = head + BM_SNAPSHOT_HEADER_SIZE_ + i * BM_SNAPSHOT_ENTRY_SIZE_;
    status = bm_file_write_all_(io, fd, sections[i].data, (size_t)sections[i].size, bm_get_u64_(entry + 8), temporary);
  }
  if (status != BM_OK) goto done;
  /* Alignment gaps are holes that read as zeros; the size is set so a final
   * empty section still lies inside the file. */
  if (ftruncate(fd, (off_t)file_size) != 0) {
    status = bm_fail_(BM_ERR_IO, "sizing snapshot %s to %" PRIu64 " bytes: %s", temporary, file_size, strerror(errno));
    goto done;
  }
  if (io->fsync(fd) != 0) {
    status = bm_fail_(BM_ERR_IO, "fsync of snapshot %s: %s", temporary, strerror(errno));
    goto done;
  }
  close(fd);
  fd = -1;
  if (rename(temporary, path) != 0) {
    status = bm_fail_(BM_ERR_IO, "renaming %s to %s: %s", temporary, path, strerror(errno));
    unlink(temporary);
    goto done;
  }
  status = bm_file_sync_directory_(io, directory);
done:
  if (fd >= 0) {
    close(fd);
    unlink(temporary);
  }
  free(head);
  free(temporary);
  return status;
}

static bm_status read_whole_file_(int fd, const char *path, uint64_t size, unsigned char **out) {
  void *buffer = NULL;
  if (posix_memalign(&buffer, BM_SNAPSHOT_PAGE_ALIGNMENT_, size ? (size_t)size : 1) != 0)
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "reading snapshot %s: %" PRIu64 " bytes", path, size);
  uint64_t done = 0;
  while (done < size) {
    ssize_t got = pread(fd, (unsigned char *)buffer + done, (size_t)(size - done), (off_t)done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      int saved_errno = got < 0 ? errno : 0;
      free(buffer);
      return bm_fail_(BM_ERR_IO, "reading snapshot %s at offset %" PRIu64 ": %s", path, done,
                      saved_errno ? strerror(saved_errno) : "unexpected end of file");
    }
    done += (uint64_t)got;
  }
  *out = buffer;
  return BM_OK;
}

static bm_status parse_(bm_snapshot_ *snapshot, const char *path) {
  const unsigned char *base = snapshot->base;
  uint64_t size = snapshot->size;
  if (size < BM_SNAPSHOT_HEADER_SIZE_)
    return bm_fail_(BM_ERR_CORRUPT, "snapshot %s: %" PRIu64 " bytes, shorter than its 64-byte header", path, size);
  if (memcmp(base, snapshot_magic_, sizeof snapshot_magic_) != 0)
    return bm_fail_(BM_ERR_CORRUPT, "snapshot %s: bad magic in header at offset 0", path);
  if (bm_get_u32_(base + 60) != masked_crc_(base, 60))
    return bm_fail_(BM_ERR_CORRUPT, "snapshot %s: header checksum mismatch (offset 60)", path);
  if (bm_get_u32_(base + 8) != SNAPSHOT_FORMAT_VERSION_)
    return bm_fail_(BM_ERR_CORRUPT, "snapshot %s: unsupported format version %" PRIu32 " in header at offset 8",
                    path, bm_get_u32_(base + 8));
  if (bm_get_u64_(base + 24) != size)
    return bm_fail_(BM_ERR_CORRUPT, "snapshot %s: header says %" PRIu64 " bytes, file has %" PRIu64, path,
                    bm_get_u64_(base + 24), size);
  uint64_t count = bm_get_u32_(base + 12);
  uint64_t table_end = BM_SNAPSHOT_HEADER_SIZE_ + count * BM_SNAPSHOT_ENTRY_SIZE_;
  if (table_end > size)
    return bm_fail_(BM_ERR_CORRUPT, "snapshot %s: section table of %" PRIu64 " entries runs past the end", path, count);
  snapshot->sequence = bm_get_u64_(base + 16);
  snapshot->sections = calloc(count ? (size_t)count : 1, sizeof *snapshot->sections);
  if (!snapshot->sections) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "snapshot %s: %" PRIu64 " sections", path, count);
  snapshot->section_count = (size_t)count;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t entry_offset = BM_SNAPSHOT_HEADER_SIZE_ + i * BM_SNAPSHOT_ENTRY_SIZE_;
    const unsigned char *entry = base + entry_offset;
    uint32_t tag = bm_get_u32_(entry);
    if (bm_get_u32_(entry + 28) != masked_crc_(entry, 28))
      return bm_fail_(BM_ERR_CORRUPT, "snapshot %s: section %" PRIu64 " table entry at offset %" PRIu64
                      ": checksum mismatch", path, i, entry_offset);
    uint64_t offset = bm_get_u64_(entry + 8), section_size = bm_get_u64_(entry + 16);
    if (offset < table_end || offset > size || section_size > size - offset ||
        offset % section_alignment_(section_size) != 0)
      return bm_fail_(BM_ERR_CORRUPT, "snapshot %s: section %" PRIu64 " (tag 0x%08" PRIx32 ") has bad extent %" PRIu64
                      "+%" PRIu64, path, i, tag, offset, section_size);
    if (bm_get_u32_(entry + 24) != masked_crc_(base + offset, (size_t)section_size))
      return bm_fail_(BM_ERR_CORRUPT, "snapshot %s: section %" PRIu64 " (tag 0x%08" PRIx32 ") at offset %" PRIu64
                      ": payload checksum mismatch", path, i, tag, offset);
    snapshot->sections[i].tag = tag;
    snapshot->sections[i].data = base + offset;
    snapshot->sections[i].size = section_size;
  }
  return BM_OK;
}

bm_status bm_snapshot_load_(const char *path, int use_mmap, bm_snapshot_ **out) {
  if (!path || !out) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_snapshot_load_: NULL argument");
  *out = NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return bm_fail_(errno == ENOENT ? BM_ERR_NOT_FOUND : BM_ERR_IO, "opening snapshot %s: %s", path,
                              strerror(errno));
  struct stat info;
  if (fstat(fd, &info) != 0) {
    int saved_errno = errno;
    close(fd);
    return bm_fail_(BM_ERR_IO, "fstat of snapshot %s: %s", path, strerror(saved_errno));
  }
  bm_snapshot_ *snapshot = calloc(1, sizeof *snapshot);
  if (!snapshot) {
    close(fd);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "loading snapshot %s", path);
  }
  snapshot->size = (uint64_t)info.st_size;
  bm_status status = BM_OK;
  if (use_mmap && snapshot->size > 0) {
    void *mapping = mmap(NULL, (size_t)snapshot->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapping == MAP_FAILED)
      status = bm_fail_(BM_ERR_IO, "mmap of snapshot %s: %s", path, strerror(errno));
    else {
      snapshot->base = mapping;
      snapshot->mapped = 1;
      /* Verification reads every page once, front to back. */
      madvise(mapping, (size_t)snapshot->size, MADV_SEQUENTIAL);
    }
  } else {
    status = read_whole_file_(fd, path, snapshot->size, &snapshot->base);
  }
  close(fd);
  if (status == BM_OK) status = parse_(snapshot, path);
  if (status != BM_OK) {
    bm_snapshot_free_(snapshot);
    return status;
  }
  if (snapshot->mapped) madvise(snapshot->base, (size_t)snapshot->size, MADV_NORMAL);
  *out = snapshot;
  return BM_OK;
}

uint64_t bm_snapshot_sequence_(const bm_snapshot_ *snapshot) { return snapshot->sequence; }
size_t bm_snapshot_section_count_(const bm_snapshot_ *snapshot) { return snapshot->section_count; }

const bm_snapshot_section_ *bm_snapshot_section_at_(const bm_snapshot_ *snapshot, size_t index) {
  return index < snapshot->section_count ? &snapshot->sections[index] : NULL;
}

const bm_snapshot_section_ *bm_snapshot_find_(const bm_snapshot_ *snapshot, uint32_t tag) {
  for (size_t i = 0; i < snapshot->section_count; ++i)
    if (snapshot->sections[i].tag == tag) return &snapshot->sections[i];
  return NULL;
}

void bm_snapshot_free_(bm_snapshot_ *snapshot) {
  if (!snapshot) return;
  if (snapshot->mapped)
    munmap(snapshot->base, (size_t)snapshot->size);
  else
    free(snapshot->base);
  free(snapshot->sections);
  free(snapshot);
}
