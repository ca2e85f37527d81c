/* The file operations the persistence layer depends on for durability,
 * reached through a table of function pointers so tests can make a write or
 * a sync fail (EIO) without a faulty disk. Also the shared file helpers. */
#ifndef BIOMATCH_GALLERY_FILE_IO_H
#define BIOMATCH_GALLERY_FILE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "biomatch/bm_errors.h"

/* Each member behaves like the POSIX call of the same name (-1 and errno on
 * failure). The table is read, never written, by the library: one table may
 * serve any number of stores and threads. */
typedef struct bm_file_io_ {
  ssize_t (*pwrite)(int fd, const void *data, size_t size, off_t offset);
  int (*fdatasync)(int fd);
  int (*fsync)(int fd);
} bm_file_io_;

/* The real system calls. */
const bm_file_io_ *bm_file_io_default_(void);

/* Writes all `size` bytes at `offset`, retrying short writes and EINTR.
 * A failure returns BM_ERR_IO naming `path` and the errno. */
bm_status bm_file_write_all_(const bm_file_io_ *io, int fd, const void *data, size_t size, uint64_t offset,
                             const char *path);

/* fsync of a directory, so that a file created, renamed or removed in it is
 * itself durable, not only the file's content. BM_ERR_IO on failure. */
bm_status bm_file_sync_directory_(const bm_file_io_ *io, const char *directory);

/* "<directory>/<prefix><20-digit number><suffix>" in a new allocation (NULL
 * when out of memory). Zero padding makes names sort in numeric order. */
char *bm_file_numbered_path_(const char *directory, const char *prefix, uint64_t number, const char *suffix);

/* Parses a name made by bm_file_numbered_path_ (without the directory).
 * Returns 1 and stores the number if `name` has exactly that shape. */
int bm_file_parse_numbered_name_(const char *name, const char *prefix, const char *suffix, uint64_t *number);

/* Little-endian field access: the files are little-endian on every host. */
static inline void bm_put_u32_(unsigned char *out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out[i] = (unsigned char)(value >> (8 * i));
}
static inline void bm_put_u64_(unsigned char *out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = (unsigned char)(value >> (8 * i));
}
static inline uint32_t bm_get_u32_(const unsigned char *in) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | in[i];
  return value;
}
static inline uint64_t bm_get_u64_(const unsigned char *in) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | in[i];
  return value;
}

#endif
